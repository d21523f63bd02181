/* Fuzz target: version validation and ordering, and dependency atoms. */
/* SPDX-License-Identifier: MIT */
#include "apk/pkg.h"
#include "apk/version.h"
#include "fuzz.h"

static int flip(int r)
{
	return r == AIPKG_VER_INVALID ? r : -r;
}

/* Input: "A\nB"; the properties every order must have are checked too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *nl = memchr(text, '\n', size);
	struct aipkg_slice a = {text, nl ? (size_t)(nl - text) : size}, b = {"", 0};
	struct aipkg_dep dep;
	int ab, ba;

	if (nl)
		b = (struct aipkg_slice){nl + 1, size - a.len - 1};
	ab = aipkg_version_compare(a, b);
	ba = aipkg_version_compare(b, a);
	if (ab != flip(ba))
		abort(); /* not antisymmetric */
	if (aipkg_version_validate(a) != (aipkg_version_compare(a, a) == AIPKG_VER_EQUAL))
		abort(); /* a valid version equals itself, an invalid one nothing */
	aipkg_version_compare_fuzzy(a, b, true);
	aipkg_version_fuzzy_match(a, b);
	if (aipkg_dep_parse(a, &dep) == 0 && nl) {
		*nl = '\0';
		aipkg_dep_version_match(&dep, nl + 1);
	}
	aipkg_name_valid(b);
	free(text);
	return 0;
}
