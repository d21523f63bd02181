/* Fuzz target: lib/apk/db/installed records (the pkgset parser and its name index). */
/* SPDX-License-Identifier: MIT */
#include "apk/pkg.h"
#include "fuzz.h"

static void count(const struct aipkg_pkg *pkg, void *ud)
{
	(void)pkg;
	(*(size_t *)ud)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_pkgset set;
	size_t bad, n = 0;

	aipkg_pkgset_init(&set);
	/* a second parse into the same set, as state.c does for several files */
	aipkg_pkgset_parse(&set, fuzz_memdup(data, size), size, -1, &bad);
	aipkg_pkgset_parse(&set, fuzz_memdup(data, size / 2), size / 2, 0, NULL);
	if (aipkg_pkgset_index(&set) == 0) {
		for (size_t i = 0; i < set.n; i++) {
			const struct aipkg_pkg *p = aipkg_pkgset_find(&set, set.pkgs[i].name);

			if (!p)
				abort(); /* every parsed name must be found again */
			for (size_t j = 0; j < p->depends.n; j++)
				if (!p->depends.v[j])
					abort();
			if (p->depends.v[p->depends.n])
				abort();
		}
		if (set.n)
			aipkg_pkgset_each_named(&set, set.pkgs[0].name, count, &n);
	}
	aipkg_pkgset_release(&set);
	return 0;
}
