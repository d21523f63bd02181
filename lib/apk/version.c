/* apk version strings: validation, ordering and fuzzy matching as apk 3 does them, and which apk's rules apply. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aipkg/aipkg.h"
#include "apk/version.h"

/*
 * The kinds of part a version is made of, in the order they may appear.
 * The order is also apk's tie-break: when two versions agree up to where
 * one goes on with a kind of part the other does not have there, the one
 * going on with the earlier kind is the newer ("1.2.1" > "1.2a" > "1.2").
 */
enum ver_part {
	VER_FIRST,     /* the leading number */
	VER_NUMBER,    /* ".N" */
	VER_LETTER,    /* one a-z after the numbers */
	VER_SUFFIX,    /* "_rc" */
	VER_SUFFIX_NO, /* the "1" of "_rc1" */
	VER_HASH,      /* "~" and lowercase hex: a commit */
	VER_REVISION,  /* "-rN" */
	VER_END,
	VER_BAD,
};

/* Suffix ranks; the ones below VER_SUFFIX_NONE mark pre-releases. */
static const char *const ver_suffixes[] = {
	"alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p",
};
#define VER_SUFFIX_NONE 4u
#define VER_NSUFFIXES (sizeof(ver_suffixes) / sizeof(ver_suffixes[0]))

/* Where a walk over one version stands, and the part just read. */
struct ver_cursor {
	const char *p, *end;
	enum ver_part part;
	unsigned suffix;
	uint64_t num;     /* wraps modulo 2^64, exactly as apk's numbers do */
	const char *tok;  /* the part's text, for the comparisons done as text */
	size_t toklen;
};

static bool ver_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool ver_is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool ver_is_hex(char c)
{
	return ver_is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Read the run of characters IS accepts as the part's text. */
static void ver_take_run(struct ver_cursor *c, bool (*is)(char))
{
	c->tok = c->p;
	while (c->p < c->end && is(*c->p))
		c->p++;
	c->toklen = (size_t)(c->p - c->tok);
}

static void ver_take_number(struct ver_cursor *c, enum ver_part part)
{
	size_t i;

	ver_take_run(c, ver_is_digit);
	c->num = 0;
	for (i = 0; i < c->toklen; i++)
		c->num = c->num * 10 + (uint64_t)(c->tok[i] - '0');
	c->part = c->toklen ? part : VER_BAD;
}

static void ver_take_suffix(struct ver_cursor *c)
{
	unsigned i;

	c->p++;
	ver_take_run(c, ver_is_lower);
	c->part = VER_BAD;
	for (i = 0; i < VER_NSUFFIXES; i++) {
		if (i != VER_SUFFIX_NONE && strlen(ver_suffixes[i]) == c->toklen &&
		    memcmp(ver_suffixes[i], c->tok, c->toklen) == 0) {
			c->suffix = i;
			c->part = VER_SUFFIX;
			return;
		}
	}
}

static void ver_take_hash(struct ver_cursor *c)
{
	c->p++;
	ver_take_run(c, ver_is_hex);
	c->part = c->toklen ? VER_HASH : VER_BAD;
}

static void ver_take_revision(struct ver_cursor *c)
{
	if (c->end - c->p < 2 || c->p[1] != 'r') {
		c->part = VER_BAD;
		return;
	}
	c->p += 2;
	ver_take_number(c, VER_REVISION);
}

static void ver_take_letter(struct ver_cursor *c)
{
	c->tok = c->p++;
	c->toklen = 1;
	c->part = VER_LETTER;
}

/* Step to the next part; what may come depends on the part before. */
static void ver_next(struct ver_cursor *c)
{
	enum ver_part prev = c->part;
	char ch;

	if (c->p == c->end) {
		c->part = VER_END;
		return;
	}
	ch = *c->p;
	if (ver_is_lower(ch) && prev <= VER_NUMBER) {
		ver_take_letter(c);
	} else if (ch == '.' && prev <= VER_NUMBER) {
		c->p++;
		ver_take_number(c, VER_NUMBER);
	} else if (ver_is_digit(ch) && prev == VER_SUFFIX) {
		ver_take_number(c, VER_SUFFIX_NO);
	} else if (ch == '_' && prev <= VER_SUFFIX_NO) {
		ver_take_suffix(c);
	} else if (ch == '~' && prev < VER_HASH) {
		ver_take_hash(c);
	} else if (ch == '-' && prev < VER_REVISION) {
		ver_take_revision(c);
	} else {
		c->part = VER_BAD;
	}
}

static void ver_start(struct ver_cursor *c, struct aipkg_slice v)
{
	c->p = v.ptr ? v.ptr : "";
	c->end = c->p + (v.ptr ? v.len : 0);
	ver_take_number(c, VER_FIRST);
}

/* Walk to the end; true when the whole version was valid. */
static bool ver_finish(struct ver_cursor *c)
{
	while (c->part < VER_END)
		ver_next(c);
	return c->part == VER_END;
}

static int ver_cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? AIPKG_VER_LESS : a > b ? AIPKG_VER_GREATER : AIPKG_VER_EQUAL;
}

/* Byte order, a prefix first: apk's blob sort. */
static int ver_cmp_text(const struct ver_cursor *a, const struct ver_cursor *b)
{
	size_t n = a->toklen < b->toklen ? a->toklen : b->toklen;
	int r = memcmp(a->tok, b->tok, n);

	if (r)
		return r < 0 ? AIPKG_VER_LESS : AIPKG_VER_GREATER;
	return ver_cmp_u64(a->toklen, b->toklen);
}

/* Compare two parts of the same kind. */
static int ver_cmp_part(const struct ver_cursor *a, const struct ver_cursor *b)
{
	switch (a->part) {
	case VER_NUMBER:
		/* A group after the first with a leading zero is compared as
		 * text, as Gentoo does: "1.05" < "1.1", "1.0" < "1.00". */
		if (a->tok[0] == '0' || b->tok[0] == '0')
			return ver_cmp_text(a, b);
		return ver_cmp_u64(a->num, b->num);
	case VER_FIRST:
	case VER_SUFFIX_NO:
	case VER_REVISION:
		return ver_cmp_u64(a->num, b->num);
	case VER_LETTER:
		return ver_cmp_u64((unsigned char)a->tok[0], (unsigned char)b->tok[0]);
	case VER_SUFFIX:
		return ver_cmp_u64(a->suffix, b->suffix);
	default:
		return ver_cmp_text(a, b);
	}
}

/* Every part so far was equal and the kinds of the next ones differ. */
static int ver_cmp_tail(const struct ver_cursor *a, const struct ver_cursor *b, bool fuzzy)
{
	if (a->part == b->part)
		return AIPKG_VER_EQUAL;
	if (fuzzy && b->part == VER_END)
		return AIPKG_VER_EQUAL;
	/* "1.2_rc1" comes before "1.2", yet "1.2_p1" after it */
	if (a->part == VER_SUFFIX && a->suffix < VER_SUFFIX_NONE)
		return AIPKG_VER_LESS;
	if (b->part == VER_SUFFIX && b->suffix < VER_SUFFIX_NONE)
		return AIPKG_VER_GREATER;
	return a->part > b->part ? AIPKG_VER_LESS : AIPKG_VER_GREATER;
}

static int version3_compare(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy)
{
	struct ver_cursor ca, cb;
	int r = AIPKG_VER_EQUAL;

	ver_start(&ca, a);
	ver_start(&cb, b);
	while (ca.part == cb.part && ca.part < VER_END) {
		r = ver_cmp_part(&ca, &cb);
		if (r != AIPKG_VER_EQUAL)
			break;
		ver_next(&ca);
		ver_next(&cb);
	}
	if (r == AIPKG_VER_EQUAL)
		r = ver_cmp_tail(&ca, &cb, fuzzy);
	/* The verdict can come early: what follows must still be valid. */
	if (!ver_finish(&ca) || !ver_finish(&cb))
		return AIPKG_VER_INVALID;
	return r;
}

static bool version3_validate(struct aipkg_slice v)
{
	struct ver_cursor c;

	ver_start(&c, v);
	return ver_finish(&c);
}

/* The rules in force: 0 until a context decides (then apk 3's, unless the
 * two apks disagree and a decider is set to ask). */
static int version_rules;
static int (*version_decide)(void *ud);
static void *version_decide_ud;
/* The release of the apk in use, when known ("2.10.6": 2, 10, 6). */
static unsigned version_apk[3];
static bool version_apk_known;

void aipkg_version_set_rules(int rules)
{
	version_rules = rules == 2 || rules == 3 ? rules : 0;
}

void aipkg_version_set_decider(int (*decide)(void *ud), void *ud)
{
	version_decide = decide;
	version_decide_ud = ud;
	version_rules = 0;
	version_apk_known = false;
}

void aipkg_version_decided(void *ud, int rules)
{
	if (version_decide && version_decide_ud == ud)
		aipkg_version_set_rules(rules);
}

void aipkg_version_apk_release(void *ud, const char *release)
{
	unsigned v[3] = { 0, 0, 0 };

	if (!version_decide || version_decide_ud != ud || !release ||
	    sscanf(release, "%u.%u.%u", &v[0], &v[1], &v[2]) < 2)
		return;
	memcpy(version_apk, v, sizeof(v));
	version_apk_known = true;
}

/* The release of the apk in use, asking the decider when it is unknown;
 * false when it cannot be learnt. */
static bool apk_release_known(void)
{
	if (!version_apk_known && !version_rules && version_decide)
		version_decide(version_decide_ud);
	return version_apk_known;
}

/* Is the apk in use an apk 2 older than 2.MINOR.PATCH? */
static bool apk2_before(unsigned minor, unsigned patch)
{
	if (!apk_release_known() || version_apk[0] != 2)
		return false;
	return version_apk[1] * 1000ul + version_apk[2] < minor * 1000ul + patch;
}

/* apk 2.10.0 to 2.12.9 chose the only provider of a virtual name by
 * itself; 2.12.10 took that back (apk-tools 3b013f4), as 2.14 and 3 do. */
bool aipkg_version_apk_picks_lone_provider(void)
{
	return apk2_before(12, 10) && !apk2_before(10, 0);
}

/* apk-tools 2.14.0 (42141ac "db: case insensitive searches") folded case
 * in search and list; 2.12 and older did not, and searched as
 * aipkg_search() says. */
bool aipkg_version_apk_before_2_14(void)
{
	return apk2_before(14, 0);
}

bool aipkg_version_apk_old_zeros(void)
{
	/* no asking here: only a release already learnt counts */
	return version_apk_known && version_apk[0] == 2 &&
	       version_apk[1] * 1000ul + version_apk[2] < 12011ul;
}

void aipkg_version_unset_decider(void *ud)
{
	if (version_decide_ud == ud) {
		version_decide = NULL;
		version_decide_ud = NULL;
		version_rules = 0;
		version_apk_known = false;
	}
}

int aipkg_version_rules(void)
{
	if (!version_rules && version_decide)
		aipkg_version_set_rules(version_decide(version_decide_ud));
	return version_rules ? version_rules : 3;
}

int aipkg_version_compare_rules(int rules, struct aipkg_slice a, struct aipkg_slice b, bool fuzzy)
{
	if (rules != 2)
		return version3_compare(a, b, fuzzy);
	return aipkg_version2_compare_zeros(a, b, fuzzy, aipkg_version_apk_old_zeros());
}

bool aipkg_version_validate_rules(int rules, struct aipkg_slice v)
{
	return rules == 2 ? aipkg_version2_validate(v) : version3_validate(v);
}

/* Both apks' answers are cheap; the rules are only looked up (which may
 * mean asking apk its version) when they differ. */
int aipkg_version_compare_fuzzy(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy)
{
	int r3, r2;

	if (version_rules)
		return aipkg_version_compare_rules(version_rules, a, b, fuzzy);
	r3 = version3_compare(a, b, fuzzy);
	r2 = aipkg_version2_compare(a, b, fuzzy);
	/* apk before 2.12.11 ("1.0_rc1" > "1.0"): asked only where it differs */
	if (r2 == r3 && aipkg_version2_compare_zeros(a, b, fuzzy, true) == r3)
		return r3;
	return aipkg_version_compare_rules(aipkg_version_rules(), a, b, fuzzy);
}

int aipkg_version_compare(struct aipkg_slice a, struct aipkg_slice b)
{
	return aipkg_version_compare_fuzzy(a, b, false);
}

bool aipkg_version_fuzzy_match(struct aipkg_slice version, struct aipkg_slice pattern)
{
	return aipkg_version_compare_fuzzy(version, pattern, true) == AIPKG_VER_EQUAL;
}

bool aipkg_version_validate(struct aipkg_slice v)
{
	bool v3;

	if (version_rules)
		return aipkg_version_validate_rules(version_rules, v);
	v3 = version3_validate(v);
	return v3 == aipkg_version2_validate(v) || aipkg_version_rules() == 3 ? v3 : !v3;
}

AIPKG_API int aipkg_version_compare_str(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	switch (aipkg_version_compare(aipkg_slice_str(a), aipkg_slice_str(b))) {
	case AIPKG_VER_LESS:
		return '<';
	case AIPKG_VER_EQUAL:
		return '=';
	case AIPKG_VER_GREATER:
		return '>';
	default:
		return 0;
	}
}

AIPKG_API bool aipkg_version_valid(const char *version)
{
	return version && aipkg_version_validate(aipkg_slice_str(version));
}
