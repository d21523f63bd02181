/* Unit tests for apk version ordering, checked against verdicts of real apks 3 and 2. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aipkg/aipkg.h"
#include "apk/version.h"
#include "buf.h"

/*
 * version-pairs.txt holds what apk-tools 3.0.6 answered to `apk version -t
 * A B` ("t A B R") and `apk version -c V` ("c V R"), made by
 * gen-version-pairs.sh; "# apk2: X" notes where apk 2.14.4 differed, so
 * each line holds both apks' verdicts.
 */
#define PAIRS_FILE "version-pairs.txt"

struct table_line {
	char kind;
	struct aipkg_slice f[3];
	size_t nf;
	struct aipkg_slice apk2; /* apk 2's verdict: the note, else apk 3's */
};

static struct aipkg_buf pairs_text = AIPKG_BUF_INIT;

static int load_pairs(void **state)
{
	int r = aipkg_buf_read_file(&pairs_text, PAIRS_FILE);

	if (r < 0)
		fprintf(stderr, "cannot read %s (run from tests/unit): %s\n", PAIRS_FILE,
			strerror(-r));
	return r < 0 ? -1 : 0;
}

static int free_pairs(void **state)
{
	aipkg_buf_release(&pairs_text);
	return 0;
}

/* Split "k f1 f2 f3 # apk2: X" on blanks; false for comments and blank lines. */
static bool parse_line(struct aipkg_slice line, struct table_line *t)
{
	const char *hash = memchr(line.ptr, '#', line.len);
	struct aipkg_slice field, note = { NULL, 0 };

	if (hash) {
		note = aipkg_slice_trim((struct aipkg_slice){ hash + 1, line.len - (size_t)(hash + 1 - line.ptr) });
		line.len = (size_t)(hash - line.ptr);
	}
	line = aipkg_slice_trim(line);
	if (!aipkg_slice_split(&line, ' ', &field) || field.len != 1)
		return false;
	t->kind = field.ptr[0];
	for (t->nf = 0; line.len && t->nf < 3; t->nf++)
		aipkg_slice_split(&line, ' ', &t->f[t->nf]);
	t->apk2 = t->f[t->nf ? t->nf - 1 : 0];
	if (note.ptr && aipkg_slice_starts_with(note, "apk2: "))
		t->apk2 = (struct aipkg_slice){ note.ptr + 6, note.len - 6 };
	return true;
}

/* Calls FN for every line of KIND; returns how many there were. */
static size_t each_line(char kind, void (*fn)(const struct table_line *t, size_t *bad),
			size_t *bad)
{
	struct aipkg_slice text = aipkg_slice_of(&pairs_text), line;
	struct table_line t;
	size_t n = 0;

	while (aipkg_slice_next_line(&text, &line)) {
		if (!parse_line(line, &t) || t.kind != kind)
			continue;
		assert_int_equal(t.nf, kind == 't' ? 3 : 2);
		fn(&t, bad);
		n++;
	}
	return n;
}

static const char *verdict_name(int r)
{
	switch (r) {
	case AIPKG_VER_LESS:
		return "<";
	case AIPKG_VER_EQUAL:
		return "=";
	case AIPKG_VER_GREATER:
		return ">";
	default:
		return "invalid";
	}
}

static void check_pair_rules(const struct table_line *t, int rules, struct aipkg_slice want,
			     size_t *bad)
{
	int r = aipkg_version_compare_rules(rules, t->f[0], t->f[1], false);
	int back = aipkg_version_compare_rules(rules, t->f[1], t->f[0], false);

	if (!aipkg_slice_eq(want, verdict_name(r))) {
		print_message("%.*s %.*s: apk %d says %.*s, aipkg says %s\n", (int)t->f[0].len,
			      t->f[0].ptr, (int)t->f[1].len, t->f[1].ptr, rules, (int)want.len,
			      want.ptr, verdict_name(r));
		(*bad)++;
	}
	/* the swapped pair must give the opposite answer */
	if (r == AIPKG_VER_INVALID ? back != r : back != -r) {
		print_message("%.*s %.*s: not antisymmetric by apk %d's rules\n",
			      (int)t->f[0].len, t->f[0].ptr, (int)t->f[1].len, t->f[1].ptr, rules);
		(*bad)++;
	}
}

static void check_pair(const struct table_line *t, size_t *bad)
{
	check_pair_rules(t, 3, t->f[2], bad);
	check_pair_rules(t, 2, t->apk2, bad);
	/* undecided and nobody to ask: apk 3's answer */
	if (!aipkg_slice_eq(t->f[2], verdict_name(aipkg_version_compare(t->f[0], t->f[1]))))
		(*bad)++;
}

static void test_compare_like_apk(void **state)
{
	size_t bad = 0, n = each_line('t', check_pair, &bad);

	print_message("%zu pairs compared with apk 3's and apk 2's verdicts\n", n);
	assert_true(n >= 300);
	assert_int_equal(bad, 0);
}

static void check_valid(const struct table_line *t, size_t *bad)
{
	bool ok = aipkg_version_validate(t->f[0]);
	bool ok2 = aipkg_version_validate_rules(2, t->f[0]);

	if (!aipkg_slice_eq(t->f[1], ok ? "valid" : "invalid")) {
		print_message("%.*s: apk says %.*s\n", (int)t->f[0].len, t->f[0].ptr,
			      (int)t->f[1].len, t->f[1].ptr);
		(*bad)++;
	}
	if (!aipkg_slice_eq(t->apk2, ok2 ? "valid" : "invalid")) {
		print_message("%.*s: apk 2 says %.*s\n", (int)t->f[0].len, t->f[0].ptr,
			      (int)t->apk2.len, t->apk2.ptr);
		(*bad)++;
	}
}

static void test_validate_like_apk(void **state)
{
	size_t bad = 0, n = each_line('c', check_valid, &bad);

	assert_true(n >= 50);
	assert_int_equal(bad, 0);
}

/* A pair is refused exactly when one side fails validation. */
static void check_refusal(const struct table_line *t, size_t *bad)
{
	bool valid = aipkg_version_validate(t->f[0]) && aipkg_version_validate(t->f[1]);

	if (valid == aipkg_slice_eq(t->f[2], "invalid"))
		(*bad)++;
}

static void test_invalid_pairs_refused(void **state)
{
	size_t bad = 0;

	each_line('t', check_refusal, &bad);
	assert_int_equal(bad, 0);
}

static struct aipkg_slice sl(const char *s)
{
	return aipkg_slice_str(s);
}

/* What a file cannot hold: empty strings, blanks, NUL bytes, NULL. */
static void test_odd_input_invalid(void **state)
{
	static const char *const bad[] = {
		"", " ", "1.0 ", " 1.0", "1.0\n", "1.0\t", "1,0", "1.0-r1 ", "\xc3\xa9",
	};
	struct aipkg_slice nul = { "1.0\0", 4 }, none = { NULL, 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(aipkg_version_validate(sl(bad[i])));
		assert_int_equal(aipkg_version_compare(sl(bad[i]), sl("1.0")), AIPKG_VER_INVALID);
		assert_int_equal(aipkg_version_compare(sl("1.0"), sl(bad[i])), AIPKG_VER_INVALID);
	}
	assert_false(aipkg_version_validate(nul));
	assert_false(aipkg_version_validate(none));
	assert_int_equal(aipkg_version_compare(none, none), AIPKG_VER_INVALID);
	assert_int_equal(aipkg_version_compare(nul, sl("1.0")), AIPKG_VER_INVALID);
}

/* An early verdict must not skip validating the rest of either side. */
static void test_invalid_tail_after_verdict(void **state)
{
	assert_int_equal(aipkg_version_compare(sl("1.0"), sl("2.0.x")), AIPKG_VER_INVALID);
	assert_int_equal(aipkg_version_compare(sl("2.0_foo"), sl("1.0")), AIPKG_VER_INVALID);
	assert_int_equal(aipkg_version_compare(sl("1.0-r1"), sl("1.0a-r")), AIPKG_VER_INVALID);
	assert_int_equal(aipkg_version_compare(sl("1.1"), sl("1.0-r1-r2")), AIPKG_VER_INVALID);
}

/* Slices are not NUL-terminated: only LEN bytes count. */
static void test_slices_bounded(void **state)
{
	const char *text = "1.2.3-r4";
	struct aipkg_slice a = { text, 3 }, b = { text, 5 }, r = { text + 6, 2 };

	assert_int_equal(aipkg_version_compare(a, sl("1.2")), AIPKG_VER_EQUAL);
	assert_int_equal(aipkg_version_compare(a, b), AIPKG_VER_LESS);
	assert_true(aipkg_version_validate(b));
	assert_false(aipkg_version_validate(r)); /* "r4" */
	assert_int_equal(aipkg_version_compare(b, sl(text)), AIPKG_VER_LESS);
}

struct fuzzy_case {
	const char *version, *pattern;
	bool match;
};

/*
 * apk 3's "~": the pattern's parts must all be there, anything may follow.
 * (apk 2.14 also let the version be the shorter one: "1.2" ~ "1.2.3".)
 */
static const struct fuzzy_case fuzzy_cases[] = {
	{ "1.2", "1.2", true },
	{ "1.2.3", "1.2", true },
	{ "1.2.3.4", "1.2", true },
	{ "1.2a", "1.2", true },
	{ "1.2_rc1", "1.2", true },
	{ "1.2_p1", "1.2", true },
	{ "1.2-r1", "1.2", true },
	{ "1.2~abc", "1.2", true },
	{ "1.2.3-r1", "1.2.3", true },
	{ "2.0_alpha1", "2", true },
	{ "1.2-r0", "1.2-r0", true },
	{ "1.2_rc1-r2", "1.2_rc1", true },
	{ "1.2_rc1", "1.2_rc", true },
	{ "1.20", "1.2", false },
	{ "1.02", "1.0", false },
	{ "1", "1.2", false },
	{ "1.2", "1.2.3", false },
	{ "1.3", "1.2", false },
	{ "1.1.9", "1.2", false },
	{ "1.2-r1", "1.2-r0", false },
	{ "1.2_rc1", "1.2_rc2", false },
	{ "1.2.x", "1.2", false },
	{ "1.2.3", "1.2.", false },
	{ "", "1", false },
	{ "1.2", "", false },
};

static void test_fuzzy(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(fuzzy_cases) / sizeof(fuzzy_cases[0]); i++) {
		const struct fuzzy_case *c = &fuzzy_cases[i];

		if (aipkg_version_fuzzy_match(sl(c->version), sl(c->pattern)) != c->match)
			fail_msg("%s ~ %s should be %s", c->version, c->pattern,
				 c->match ? "a match" : "no match");
	}
}

/* Without FUZZY, the same function is the plain ordering. */
static void test_fuzzy_flag_off(void **state)
{
	assert_int_equal(aipkg_version_compare_fuzzy(sl("1.2.3"), sl("1.2"), false),
			 AIPKG_VER_GREATER);
	assert_int_equal(aipkg_version_compare_fuzzy(sl("1.2.3"), sl("1.2"), true),
			 AIPKG_VER_EQUAL);
	assert_int_equal(aipkg_version_compare_fuzzy(sl("1.2"), sl("1.2.3"), true),
			 AIPKG_VER_LESS);
	assert_int_equal(aipkg_version_compare_fuzzy(sl("1.3"), sl("1.2"), true),
			 AIPKG_VER_GREATER);
}

/* apk 2's "~" also took a version shorter than the pattern. */
static void test_fuzzy_apk2(void **state)
{
	assert_int_equal(aipkg_version_compare_rules(2, sl("1"), sl("1.2"), true), AIPKG_VER_EQUAL);
	assert_int_equal(aipkg_version_compare_rules(2, sl("1.2.3"), sl("1.2"), true),
			 AIPKG_VER_EQUAL);
	assert_int_equal(aipkg_version_compare_rules(2, sl("1.20"), sl("1.2"), true),
			 AIPKG_VER_GREATER);
	assert_int_equal(aipkg_version_compare_rules(2, sl("2.1a15-r16"), sl("2.1a15"), true),
			 AIPKG_VER_EQUAL);
}

static int decided;
static int decide_apk2(void *ud)
{
	decided++;
	return *(int *)ud;
}

/* The rules are asked for only where the apks differ, and once. */
static void test_rules_decided_lazily(void **state)
{
	int answer = 2;

	decided = 0;
	aipkg_version_set_decider(decide_apk2, &answer);
	assert_int_equal(aipkg_version_compare(sl("1.0-r1"), sl("1.0-r2")), AIPKG_VER_LESS);
	assert_true(aipkg_version_validate(sl("3.3.2-r1")));
	assert_int_equal(decided, 0);
	/* an apk-2-only version: now it matters */
	assert_int_equal(aipkg_version_compare(sl("2.1a15-r16"), sl("2.1a15-r17")), AIPKG_VER_LESS);
	assert_int_equal(decided, 1);
	assert_true(aipkg_version_validate(sl("1.5b7-r1")));
	assert_int_equal(aipkg_version_compare(sl("1.0"), sl("1.00")), AIPKG_VER_GREATER);
	assert_int_equal(aipkg_version_rules(), 2);
	assert_int_equal(decided, 1);
	/* the owner goes away: undecided again, apk 3 by default */
	aipkg_version_unset_decider(&answer);
	assert_int_equal(aipkg_version_compare(sl("1.0"), sl("1.00")), AIPKG_VER_LESS);
	assert_false(aipkg_version_validate(sl("1.5b7-r1")));
	/* set explicitly, no decider needed */
	aipkg_version_set_rules(2);
	assert_true(aipkg_version_validate(sl("1.5b7-r1")));
	aipkg_version_set_rules(0);
	assert_int_equal(aipkg_version_rules(), 3);
}

/* apk 2.10.6 and 2.12.7 (real, before 2.12.11's fd8f39f) strip every
 * zero: "6.0_pre1" > "6.0" there, "<" from 2.12.11 on; what a package
 * version holds (-rN) orders the same.  Pairs checked with the real
 * binaries (1,024 pairs of 32 odd versions, no difference). */
static void test_old_zero_stripping(void **state)
{
	static const struct {
		const char *a, *b;
		int old, now;
	} pairs[] = {
		{ "1.0_rc1", "1.0", AIPKG_VER_GREATER, AIPKG_VER_LESS },
		{ "6.0_pre1", "6.0", AIPKG_VER_GREATER, AIPKG_VER_LESS },
		{ "3.0.0_alpha20240101", "3.0.0", AIPKG_VER_GREATER, AIPKG_VER_LESS },
		{ "1.0_rc1-r0", "1.0-r0", AIPKG_VER_LESS, AIPKG_VER_LESS },
		{ "1.0", "1.00", AIPKG_VER_GREATER, AIPKG_VER_GREATER },
		{ "1.0_p1", "1.0", AIPKG_VER_GREATER, AIPKG_VER_GREATER },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(aipkg_version2_compare_zeros(sl(pairs[i].a), sl(pairs[i].b), false,
							      true),
				 pairs[i].old);
		assert_int_equal(aipkg_version2_compare(sl(pairs[i].a), sl(pairs[i].b), false),
				 pairs[i].now);
	}
}

static void test_public_api(void **state)
{
	assert_int_equal(aipkg_version_compare_str("1.0", "1.0-r1"), '<');
	assert_int_equal(aipkg_version_compare_str("1.0_p1", "1.0-r1"), '>');
	assert_int_equal(aipkg_version_compare_str("01", "1"), '=');
	assert_int_equal(aipkg_version_compare_str("1.2.x", "1.2"), 0);
	assert_int_equal(aipkg_version_compare_str(NULL, "1.2"), 0);
	assert_int_equal(aipkg_version_compare_str("1.2", NULL), 0);
	assert_true(aipkg_version_valid("3.3.2-r1"));
	assert_false(aipkg_version_valid("3.3.2-r"));
	assert_false(aipkg_version_valid(""));
	assert_false(aipkg_version_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest file_tests[] = {
		cmocka_unit_test(test_compare_like_apk),
		cmocka_unit_test(test_validate_like_apk),
		cmocka_unit_test(test_invalid_pairs_refused),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd_input_invalid),
		cmocka_unit_test(test_invalid_tail_after_verdict),
		cmocka_unit_test(test_slices_bounded),
		cmocka_unit_test(test_fuzzy),
		cmocka_unit_test(test_fuzzy_flag_off),
		cmocka_unit_test(test_public_api),
		cmocka_unit_test(test_fuzzy_apk2),
		cmocka_unit_test(test_rules_decided_lazily),
		cmocka_unit_test(test_old_zero_stripping),
	};
	int failed = cmocka_run_group_tests_name("apk verdicts", file_tests, load_pairs,
						 free_pairs);

	return failed + cmocka_run_group_tests_name("version", tests, NULL, NULL);
}
