/* apk version strings: validation, ordering and fuzzy matching as apk 2 and 3 do them. */
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
 * version) or cvs svn git hg p (after it), hex is 0-9a-f.
 *
 * apk-tools 2 (Alpine 3.22 and older) is laxer: a number may follow a
 * letter ("2.1a15-r16", "1.5b7-r1", "6.8.0p2" are real Alpine versions),
 * suffixes match by prefix, "1.2.x", "-r1" and "" pass, there is no "~"
 * hash, and it orders leading zeros differently ("1.0" > "1.00").  aipkg
 * follows the rules of the apk it runs: aipkg_version_compare() and
 * aipkg_version_validate() use the rules set with aipkg_version_set_rules();
 * until they are set, the two apks' answers are computed and, only where
 * they differ, the decider is asked which apk is in use (a context installs
 * one: lib/apk/rules.c), else apk 3's answer stands.
 */

/* Results of aipkg_version_compare(). */
enum aipkg_ver_result {
	AIPKG_VER_LESS = -1,
	AIPKG_VER_EQUAL = 0,
	AIPKG_VER_GREATER = 1,
	AIPKG_VER_INVALID = 2, /* either side is not a valid version */
};

/* 2 or 3: the rules for apk-tools 2 or 3. */
enum aipkg_version_rules_major {
	AIPKG_VERSION_APK2 = 2,
	AIPKG_VERSION_APK3 = 3,
};

/* Use RULES (2 or 3; 0 undecided) for every comparison from now on. */
void aipkg_version_set_rules(int rules);

/* DECIDE(UD) answers 2 or 3 the first time the rules matter while they
 * are undecided (setting a decider makes them undecided);
 * aipkg_version_unset_decider(UD) removes it (and forgets the rules it
 * decided) when UD goes away; aipkg_version_decided(UD, RULES) sets the
 * rules when UD is the decider in place (it learnt them another way). */
void aipkg_version_set_decider(int (*decide)(void *ud), void *ud);
void aipkg_version_unset_decider(void *ud);
void aipkg_version_decided(void *ud, int rules);

/* The rules in force (2 or 3), asking the decider when undecided. */
int aipkg_version_rules(void);

/* The decider UD learnt the release of the apk in use ("2.10.6"). */
void aipkg_version_apk_release(void *ud, const char *release);

/* Does the apk in use choose a virtual name's only provider by itself
 * (apk 2.10.0 to 2.12.9)?  Asks the decider when its release is unknown;
 * false when it cannot be learnt (2.12.10 and later do not). */
bool aipkg_version_apk_picks_lone_provider(void);

/* Is the apk in use older than 2.14.0 (2.10, 2.12: search and list fold
 * no case, search matches as apk/search.h says)?  Asks the decider when
 * the release is unknown; false when it cannot be learnt. */
bool aipkg_version_apk_before_2_14(void);

/* Does the apk in use (its release already learnt) strip a version's
 * zeros as apk before 2.12.11 did ("6.0_pre1" > "6.0")? */
bool aipkg_version_apk_old_zeros(void);

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

/* The same, by the rules of apk-tools RULES (2 or 3) whatever is in force;
 * apk 2 never answers AIPKG_VER_INVALID. */
int aipkg_version_compare_rules(int rules, struct aipkg_slice a, struct aipkg_slice b, bool fuzzy);
bool aipkg_version_validate_rules(int rules, struct aipkg_slice v);

/* apk 2's rules alone (version2.c). */
int aipkg_version2_compare(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy);
bool aipkg_version2_validate(struct aipkg_slice v);
/* ... with OLD_ZEROS as apk before 2.12.11 strips zeros (2.10, 2.12.7). */
int aipkg_version2_compare_zeros(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy,
				 bool old_zeros);

#endif
