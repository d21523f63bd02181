/* apk version strings: validation, ordering and fuzzy matching as apk 3 does them. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_VERSION_H
#define AIPKG_APK_VERSION_H

#include <stdbool.h>

#include "buf.h"

/*
 * The grammar apk 3 accepts (apk-tools 3.0 src/version.c):
 *
 *	digits {"." digits} [letter] {"_" suffix [digits]} ["~" hex] ["-r" digits]
 *
 * letter is a-z, suffix one of alpha beta pre rc (before the plain
 * version) or cvs svn git hg p (after it), hex is 0-9a-f.  apk 2.14 was
 * laxer ("1.2.x", "-r1" and "" passed) and ordered some versions
 * differently; aipkg follows apk 3 everywhere.
 */

/* Results of aipkg_version_compare(). */
enum aipkg_ver_result {
	AIPKG_VER_LESS = -1,
	AIPKG_VER_EQUAL = 0,
	AIPKG_VER_GREATER = 1,
	AIPKG_VER_INVALID = 2, /* either side is not a valid version */
};

/* true when V is a valid version (what `apk version -c` accepts). */
bool aipkg_version_validate(struct aipkg_slice v);

/*
 * Order A against B exactly as `apk version -t A B` does: AIPKG_VER_LESS,
 * _EQUAL or _GREATER, or AIPKG_VER_INVALID when either is invalid.
 * One pass over each string, no allocation.  Numbers wrap modulo 2^64 as
 * apk's do, so "1.18446744073709551617" equals "1.1".
 */
int aipkg_version_compare(struct aipkg_slice a, struct aipkg_slice b);

/*
 * The same, but when FUZZY is set a version that runs on past the end of B
 * with B's components as a prefix ("1.2.3", "1.2_rc1", "1.2-r4" against
 * "1.2") compares equal: apk 3's rule for the "~" dependency operator.
 */
int aipkg_version_compare_fuzzy(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy);

/*
 * Does VERSION satisfy "name~PATTERN"?  True when both are valid and
 * VERSION's components start with all of PATTERN's: "~1.2" takes 1.2,
 * 1.2.3, 1.2a, 1.2_rc1 and 1.2-r1 but not 1.20 or 1.
 */
bool aipkg_version_fuzzy_match(struct aipkg_slice version, struct aipkg_slice pattern);

#endif
