/* Unit tests of apk/changes.c: apk's printed plan and the diff of two installed databases. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apk/changes.h"
#include "apk/pkg.h"

/* CHANGES, an array of change objects, must dump as exactly WANT. */
static void assert_changes(json_t *changes, const char *want)
{
	char *got;

	assert_non_null(changes);
	got = json_dumps(changes, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(got, want);
	free(got);
	json_decref(changes);
}

#define CHANGE(name, action, from, to) \
	"{\"name\":\"" name "\",\"action\":\"" action "\",\"from\":" from ",\"to\":" to "}"
#define V(s) "\"" s "\""
#define NONE "null"

/* ---- the plan apk prints ---- */

static void test_a_change_object(void **state)
{
	assert_changes(json_pack("[o]", aipkg_change_new("zlib", "install", NULL, "1.3.1-r0")),
		       "[" CHANGE("zlib", "install", NONE, V("1.3.1-r0")) "]");
}

static void test_plan_of_an_install(void **state)
{
	/* apk 2.14.4 and 3.0.6 print the same for `add --simulate nginx` */
	assert_changes(aipkg_changes_from_plan("(1/5) Installing pcre2 (10.43-r0)\n"
					       "(2/5) Installing libcrypto3 (3.3.1-r0)\n"
					       "(3/5) Installing libssl3 (3.3.1-r0)\n"
					       "(4/5) Installing zlib (1.3.1-r0)\n"
					       "(5/5) Installing nginx (1.26.2-r0)\n"
					       "OK: 80 B in 5 packages\n"),
		       "[" CHANGE("pcre2", "install", NONE, V("10.43-r0")) ","
		       CHANGE("libcrypto3", "install", NONE, V("3.3.1-r0")) ","
		       CHANGE("libssl3", "install", NONE, V("3.3.1-r0")) ","
		       CHANGE("zlib", "install", NONE, V("1.3.1-r0")) ","
		       CHANGE("nginx", "install", NONE, V("1.26.2-r0")) "]");
}

static void test_plan_of_an_upgrade(void **state)
{
	assert_changes(aipkg_changes_from_plan("(1/2) Upgrading zlib (1.3.1-r0 -> 1.3.1-r1)\n"
					       "(2/2) Upgrading nginx (1.26.2-r0 -> 1.27.0-r0)\n"
					       "OK: 129 B in 8 packages\n"),
		       "[" CHANGE("zlib", "upgrade", V("1.3.1-r0"), V("1.3.1-r1")) ","
		       CHANGE("nginx", "upgrade", V("1.26.2-r0"), V("1.27.0-r0")) "]");
}

static void test_plan_of_a_removal(void **state)
{
	assert_changes(aipkg_changes_from_plan("(1/2) Purging nginx (1.27.0-r0)\n"
					       "(2/2) Purging pcre2 (10.43-r0)\n"
					       "OK: 0 MiB in 6 packages\n"),
		       "[" CHANGE("nginx", "remove", V("1.27.0-r0"), NONE) ","
		       CHANGE("pcre2", "remove", V("10.43-r0"), NONE) "]");
}

static void test_plan_of_downgrades_and_reinstalls(void **state)
{
	assert_changes(aipkg_changes_from_plan("(1/3) Downgrading nginx (1.27.0-r0 -> 1.26.2-r0)\n"
					       "(2/3) Reinstalling busybox (1.36.1-r29)\n"
					       "(3/3) Replacing curl (8.9.0-r0 -> 8.9.0-r0)\n"),
		       "[" CHANGE("nginx", "downgrade", V("1.27.0-r0"), V("1.26.2-r0")) ","
		       CHANGE("busybox", "reinstall", V("1.36.1-r29"), V("1.36.1-r29")) ","
		       CHANGE("curl", "reinstall", V("8.9.0-r0"), V("8.9.0-r0")) "]");
}

static void test_plan_with_a_padded_counter_and_no_final_newline(void **state)
{
	/* apk pads the counter to the width of the total */
	assert_changes(aipkg_changes_from_plan("( 9/10) Installing a (1.0-r0)\r\n"
					       "(10/10) Upgrading b (1.0-r0 -> 2.0-r0)"),
		       "[" CHANGE("a", "install", NONE, V("1.0-r0")) ","
		       CHANGE("b", "upgrade", V("1.0-r0"), V("2.0-r0")) "]");
}

static void test_plan_ignores_everything_else(void **state)
{
	assert_changes(aipkg_changes_from_plan("fetch https://dl-cdn.alpinelinux.org/alpine/v3.20/"
					       "main/x86_64/APKINDEX.tar.gz\n"
					       "WARNING: opening /srv/repo: No such file\n"
					       "(1/2) Installing zlib (1.3.1-r0)\n"
					       "Executing busybox-1.36.1-r29.trigger\n"
					       "(2/2) Frobnicating x (1.0)\n"
					       "(2/2) Installing\n"
					       "(2/2) Installing broken\n"
					       "(2/2) Installing broken (1.0\n"
					       "(2/2)\n"
					       "(\n"
					       "\n"
					       "World updated, but the following packages are not "
					       "removed due to:\n"
					       "  pcre2: nginx\n"
					       "OK: 1 MiB in 1 packages\n"),
		       "[" CHANGE("zlib", "install", NONE, V("1.3.1-r0")) "]");
}

static void test_plan_of_nothing_is_empty(void **state)
{
	assert_changes(aipkg_changes_from_plan(""), "[]");
	assert_changes(aipkg_changes_from_plan("OK: 129 B in 8 packages\n"), "[]");
}

/* ---- the diff of two installed databases ---- */

static void parse(struct aipkg_pkgset *set, const char *text)
{
	size_t bad = 0;

	aipkg_pkgset_init(set);
	if (aipkg_pkgset_parse(set, strdup(text), strlen(text), -1, &bad) != 0)
		fail_msg("fixture does not parse at line %zu", bad);
}

static json_t *diff(const char *before_text, const char *after_text)
{
	struct aipkg_pkgset before, after;
	json_t *changes;

	parse(&before, before_text);
	parse(&after, after_text);
	changes = aipkg_changes_diff(&before, &after);
	aipkg_pkgset_release(&before);
	aipkg_pkgset_release(&after);
	return changes;
}

static const char before_db[] =
	"C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:zlib\nV:1.3.1-r0\nA:x86_64\n\n"
	"C:Q1BBBBBBBBBBBBBBBBBBBBBBBBBBB=\nP:nginx\nV:1.26.2-r0\nA:x86_64\nF:usr/sbin\nR:nginx\n\n"
	"C:Q1CCCCCCCCCCCCCCCCCCCCCCCCCCC=\nP:busybox\nV:1.36.1-r29\n\n"
	"C:Q1DDDDDDDDDDDDDDDDDDDDDDDDDDD=\nP:curl\nV:8.10.1-r0\n\n"
	"C:Q1EEEEEEEEEEEEEEEEEEEEEEEEEEE=\nP:pcre2\nV:10.43-r0\n\n"
	"C:Q1FFFFFFFFFFFFFFFFFFFFFFFFFFF=\nP:musl\nV:1.2.5-r0\n";

static void test_identical_databases_have_no_changes(void **state)
{
	assert_changes(diff(before_db, before_db), "[]");
	assert_changes(diff("", ""), "[]");
}

static void test_every_kind_of_change_sorted_by_name(void **state)
{
	/* zlib upgraded, nginx removed, busybox same, curl downgraded,
	 * pcre2 reinstalled (other checksum), musl same, libssl3 installed */
	static const char after_db[] =
		"C:Q1FFFFFFFFFFFFFFFFFFFFFFFFFFF=\nP:musl\nV:1.2.5-r0\n\n"
		"C:Q1GGGGGGGGGGGGGGGGGGGGGGGGGGG=\nP:libssl3\nV:3.3.2-r0\n\n"
		"C:Q1HHHHHHHHHHHHHHHHHHHHHHHHHHH=\nP:zlib\nV:1.3.1-r1\nA:x86_64\n\n"
		"C:Q1CCCCCCCCCCCCCCCCCCCCCCCCCCC=\nP:busybox\nV:1.36.1-r29\n\n"
		"C:Q1IIIIIIIIIIIIIIIIIIIIIIIIIII=\nP:curl\nV:8.9.0-r0\n\n"
		"C:Q1JJJJJJJJJJJJJJJJJJJJJJJJJJJ=\nP:pcre2\nV:10.43-r0\n";

	assert_changes(diff(before_db, after_db),
		       "[" CHANGE("curl", "downgrade", V("8.10.1-r0"), V("8.9.0-r0")) ","
		       CHANGE("libssl3", "install", NONE, V("3.3.2-r0")) ","
		       CHANGE("nginx", "remove", V("1.26.2-r0"), NONE) ","
		       CHANGE("pcre2", "reinstall", V("10.43-r0"), V("10.43-r0")) ","
		       CHANGE("zlib", "upgrade", V("1.3.1-r0"), V("1.3.1-r1")) "]");
}

static void test_from_nothing_everything_is_installed(void **state)
{
	assert_changes(diff("", "P:b\nV:2\n\nP:a\nV:1\n"),
		       "[" CHANGE("a", "install", NONE, V("1")) ","
		       CHANGE("b", "install", NONE, V("2")) "]");
}

static void test_to_nothing_everything_is_removed(void **state)
{
	assert_changes(diff("P:b\nV:2\n\nP:a\nV:1\n", ""),
		       "[" CHANGE("a", "remove", V("1"), NONE) ","
		       CHANGE("b", "remove", V("2"), NONE) "]");
}

static void test_versions_are_compared_as_apk_does(void **state)
{
	/* as strings "1.2.10" < "1.2.9"; as versions it is an upgrade */
	assert_changes(diff("P:a\nV:1.2.9-r0\n\nP:b\nV:1.0_rc1-r0\n",
			    "P:a\nV:1.2.10-r0\n\nP:b\nV:1.0-r0\n"),
		       "[" CHANGE("a", "upgrade", V("1.2.9-r0"), V("1.2.10-r0")) ","
		       CHANGE("b", "upgrade", V("1.0_rc1-r0"), V("1.0-r0")) "]");
}

static void test_no_checksum_on_either_side_is_unchanged(void **state)
{
	assert_changes(diff("P:a\nV:1.0-r0\n", "P:a\nV:1.0-r0\n"), "[]");
	assert_changes(diff("P:a\nV:1.0-r0\n", "C:Q1x=\nP:a\nV:1.0-r0\n"),
		       "[" CHANGE("a", "reinstall", V("1.0-r0"), V("1.0-r0")) "]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_change_object),
		cmocka_unit_test(test_plan_of_an_install),
		cmocka_unit_test(test_plan_of_an_upgrade),
		cmocka_unit_test(test_plan_of_a_removal),
		cmocka_unit_test(test_plan_of_downgrades_and_reinstalls),
		cmocka_unit_test(test_plan_with_a_padded_counter_and_no_final_newline),
		cmocka_unit_test(test_plan_ignores_everything_else),
		cmocka_unit_test(test_plan_of_nothing_is_empty),
		cmocka_unit_test(test_identical_databases_have_no_changes),
		cmocka_unit_test(test_every_kind_of_change_sorted_by_name),
		cmocka_unit_test(test_from_nothing_everything_is_installed),
		cmocka_unit_test(test_to_nothing_everything_is_removed),
		cmocka_unit_test(test_versions_are_compared_as_apk_does),
		cmocka_unit_test(test_no_checksum_on_either_side_is_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
