/* Fuzz target: etc/apk/world and the dependency atoms in it. */
/* SPDX-License-Identifier: MIT */
#include "apk/pkg.h"
#include "apk/state.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), **atoms;
	size_t n;

	if (aipkg_world_parse(text, &atoms, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			struct aipkg_dep dep;

			if (!atoms[i] || !atoms[i][0])
				abort();
			if (aipkg_dep_parse(aipkg_slice_str(atoms[i]), &dep) == 0)
				aipkg_dep_version_match(&dep, "1.0-r0");
		}
		if (atoms[n])
			abort();
		aipkg_world_free(atoms, n);
	}
	free(text);
	return 0;
}
