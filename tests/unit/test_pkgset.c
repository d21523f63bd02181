/* Unit tests of apk/pkgset.c: package records of the installed db and APKINDEX, name lookup. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/error.h"
#include "apk/pkg.h"

/* The shape of lib/apk/db/installed: package fields, then the files. */
static const char installed_db[] =
    "C:Q1qKcZ+j23xssAXmgQhkOO8dHnbWw=\n"
    "P:alpine-baselayout\n"
    "V:3.6.5-r0\n"
    "A:x86_64\n"
    "S:8515\n"
    "I:315392\n"
    "T:Alpine base dir structure and init scripts\n"
    "U:https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout\n"
    "L:GPL-2.0-only\n"
    "o:alpine-baselayout\n"
    "m:Natanael Copa <ncopa@alpinelinux.org>\n"
    "t:1714981135\n"
    "c:66187892e05b03a41d08e9acabd19b7576a1c875\n"
    "D:alpine-baselayout-data=3.6.5-r0 /bin/sh\n"
    "q:1000\n"
    "s:testing\n"
    "F:dev\n"
    "F:etc\n"
    "R:motd\n"
    "Z:Q1SLkS9hBidUbPwwrw+XR0Whv3ww8=\n"
    "F:etc/crontabs\n"
    "R:root\n"
    "a:0:0:600\n"
    "Z:Q1vfk1apUWI4yLJGhhNRd0kJixfvY=\n"
    "M:0:0:755\n"
    "\n"
    "C:Q1Hfp7Nyr1DR5VDX2R6yO8BY4sDpM=\n"
    "P:libcrypto3\n"
    "V:3.3.2-r0\n"
    "A:x86_64\n"
    "S:1712233\n"
    "I:4915200\n"
    "T:Crypto library from openssl\n"
    "o:openssl\n"
    "D:so:libc.musl-x86_64.so.1\n"
    "p:so:libcrypto.so.3=3  \n"
    "g:a-future-field\n"
    "r:libressl\n"
    "k:100\n"
    "F:lib\n"
    "R:libcrypto.so.3\n"
    "a:0:0:755\n"
    "Z:Q1JPqDR9vTrdbSd8kzXi7RkwlMp3o=\n"
    "\n"
    "\n"
    "P:busybox-binsh\n"
    "V:1.36.1-r29\n"
    "i:busybox alpine-base\n"
    "p:/bin/sh cmd:sh=1.36.1-r29";

static char *dup_text(const char *s, size_t *len)
{
	*len = strlen(s);
	return strdup(s);
}

static int parse(struct aipkg_pkgset *set, const char *s, int repo, size_t *bad)
{
	size_t len;
	char *text = dup_text(s, &len);

	return aipkg_pkgset_parse(set, text, len, repo, bad);
}

static void test_installed_db_fields(void **state)
{
	struct aipkg_pkgset set;
	const struct aipkg_pkg *p;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, installed_db, -1, NULL), 0);
	assert_int_equal(set.n, 3);
	p = &set.pkgs[0];
	assert_string_equal(p->name, "alpine-baselayout");
	assert_string_equal(p->version, "3.6.5-r0");
	assert_string_equal(p->arch, "x86_64");
	assert_string_equal(p->checksum, "Q1qKcZ+j23xssAXmgQhkOO8dHnbWw=");
	assert_string_equal(p->license, "GPL-2.0-only");
	assert_string_equal(p->maintainer, "Natanael Copa <ncopa@alpinelinux.org>");
	assert_string_equal(p->commit, "66187892e05b03a41d08e9acabd19b7576a1c875");
	assert_int_equal(p->size, 8515);
	assert_int_equal(p->installed_size, 315392);
	assert_int_equal(p->build_time, 1714981135);
	assert_int_equal(p->nfiles, 2);
	assert_int_equal(p->repo, -1);
	assert_int_equal(p->depends.n, 2);
	assert_string_equal(p->depends.v[0], "alpine-baselayout-data=3.6.5-r0");
	assert_string_equal(p->depends.v[1], "/bin/sh");
	assert_null(p->depends.v[2]);
	assert_int_equal(p->provides.n, 0);
	assert_null(p->provides.v[0]);
	assert_string_equal(p->tag, "testing"); /* installed from @testing */
	assert_int_equal(p->provider_priority, 0);
	assert_string_equal(set.pkgs[1].tag, "");
	assert_int_equal(set.pkgs[1].provider_priority, 100); /* k:100 */
	aipkg_pkgset_release(&set);
}

static void test_origin_lists_and_unknown_keys(void **state)
{
	struct aipkg_pkgset set;
	const struct aipkg_pkg *p;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, installed_db, -1, NULL), 0);
	p = &set.pkgs[1];
	assert_string_equal(p->origin, "openssl");
	assert_int_equal(p->provides.n, 1); /* trailing spaces make no token */
	assert_string_equal(p->provides.v[0], "so:libcrypto.so.3=3");
	assert_int_equal(p->nfiles, 1);
	p = &set.pkgs[2]; /* after two blank lines, without a final newline */
	assert_string_equal(p->origin, "busybox-binsh"); /* no o: */
	assert_string_equal(p->description, "");
	assert_int_equal(p->install_if.n, 2);
	assert_string_equal(p->install_if.v[1], "alpine-base");
	assert_int_equal(p->provides.n, 2);
	assert_string_equal(p->provides.v[1], "cmd:sh=1.36.1-r29");
	aipkg_pkgset_release(&set);
}

static void expect_corrupt(const char *text, size_t line)
{
	struct aipkg_pkgset set;
	size_t bad = 99;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, text, 0, &bad), -AIPKG_E_CORRUPT);
	assert_int_equal(bad, line);
	aipkg_pkgset_release(&set);
}

static void test_bad_lines_are_corrupt(void **state)
{
	expect_corrupt("P:a\nV:1\nthis is not a record line\n", 3);
	expect_corrupt("P:a\nV:1\n\nX\n", 4);
	expect_corrupt("P:a\nPV1\n", 2);
	expect_corrupt("P:a\nV:1\nS:12x\n", 3);
	expect_corrupt("P:a\nV:1\nI:99999999999999999999999\n", 3);
}

static void test_missing_name_or_version_is_corrupt(void **state)
{
	/* the line reported is where the record starts */
	expect_corrupt("P:a\nV:1\n\nV:2\nA:x86_64\n\nP:c\nV:3\n", 4);
	expect_corrupt("P:a\nV:1\n\n\nP:b\nA:x86_64", 5);
	expect_corrupt("P:a\nV:\n", 1);
}

static void test_empty_text_is_empty_set(void **state)
{
	struct aipkg_pkgset set;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, "", 0, NULL), 0);
	assert_int_equal(parse(&set, "\n\n", 0, NULL), 0);
	assert_int_equal(set.n, 0);
	assert_int_equal(aipkg_pkgset_index(&set), 0);
	assert_null(aipkg_pkgset_find(&set, "musl"));
	aipkg_pkgset_release(&set);
}

/* The parser takes a malloc'd text of exactly LEN bytes, with no NUL after
 * it, whether or not it ends in a newline. */
static void test_text_needs_no_terminator(void **state)
{
	static const char *const texts[] = {"P:a\nV:1\n", "P:a\nV:1", "P:a\nV:1\n\n"};
	struct aipkg_pkgset set;

	for (size_t i = 0; i < 3; i++) {
		size_t len = strlen(texts[i]);
		char *t = malloc(len);

		memcpy(t, texts[i], len);
		aipkg_pkgset_init(&set);
		assert_int_equal(aipkg_pkgset_parse(&set, t, len, 0, NULL), 0);
		assert_int_equal(set.n, 1);
		assert_string_equal(set.pkgs[0].version, "1");
		aipkg_pkgset_release(&set);
	}
}

static void count_one(const struct aipkg_pkg *pkg, void *ud)
{
	(*(int *)ud)++;
}

static void test_find_picks_highest_version_across_parses(void **state)
{
	struct aipkg_pkgset set;
	const struct aipkg_pkg *p;
	int n = 0;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, "P:musl\nV:1.2.4-r2\n\nP:zlib\nV:1.3.1-r0\n", 0, NULL), 0);
	assert_int_equal(parse(&set,
			       "P:musl\nV:1.2.5-r0\n\nP:musl\nV:1.2.10-r0\n\n"
			       "P:musl\nV:1.2.9-r0\n",
			       1, NULL),
			 0);
	/* before indexing, a scan answers too */
	p = aipkg_pkgset_find(&set, "musl");
	assert_non_null(p);
	assert_string_equal(p->version, "1.2.10-r0");
	assert_int_equal(aipkg_pkgset_index(&set), 0);
	p = aipkg_pkgset_find(&set, "musl");
	assert_string_equal(p->version, "1.2.10-r0");
	assert_int_equal(p->repo, 1);
	assert_string_equal(aipkg_pkgset_find(&set, "zlib")->version, "1.3.1-r0");
	assert_null(aipkg_pkgset_find(&set, "mus"));
	aipkg_pkgset_each_named(&set, "musl", count_one, &n);
	assert_int_equal(n, 4);
	aipkg_pkgset_release(&set);
}

static void test_same_version_prefers_first_repository(void **state)
{
	struct aipkg_pkgset set;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, "P:musl\nV:1.2.5-r0\n", 0, NULL), 0);
	assert_int_equal(parse(&set, "P:musl\nV:1.2.5-r0\n", 1, NULL), 0);
	assert_int_equal(aipkg_pkgset_index(&set), 0);
	assert_int_equal(aipkg_pkgset_find(&set, "musl")->repo, 0);
	aipkg_pkgset_release(&set);
}

/* The token pool grows while later texts are parsed; earlier lists must
 * still read right afterwards. */
static void test_lists_survive_later_parses(void **state)
{
	struct aipkg_pkgset set;
	struct aipkg_buf big = AIPKG_BUF_INIT;
	char name[32];
	size_t len;

	aipkg_pkgset_init(&set);
	assert_int_equal(parse(&set, "P:first\nV:1\nD:a b c\n", 0, NULL), 0);
	for (int i = 0; i < 5000; i++)
		aipkg_buf_addf(&big,
			       "P:p%d\nV:1.%d\nD:so:libc.musl-x86_64.so.1 p%d dep%d\n"
			       "p:cmd:p%d\n\n",
			       i, i, i + 1, i, i);
	len = big.len;
	assert_int_equal(aipkg_pkgset_parse(&set, aipkg_buf_detach(&big), len, 1, NULL), 0);
	assert_int_equal(aipkg_pkgset_index(&set), 0);
	assert_string_equal(set.pkgs[0].depends.v[2], "c");
	assert_null(set.pkgs[0].depends.v[3]);
	snprintf(name, sizeof(name), "p%d", 4321);
	assert_string_equal(aipkg_pkgset_find(&set, name)->depends.v[2], "dep4321");
	assert_string_equal(aipkg_pkgset_find(&set, "p17")->provides.v[0], "cmd:p17");
	aipkg_pkgset_release(&set);
}

/* A 10 MB description is kept to its first KiB (on a character boundary),
 * a huge p: line to its whole entries under 64 KiB: nothing downstream
 * prints or keeps such a field whole. */
static void test_huge_fields_are_bounded(void **state)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	struct aipkg_pkgset set;
	size_t n, big = (size_t)10 << 20;
	char *t;

	aipkg_buf_addstr(&text, "P:huge\nV:1-r0\nT:");
	for (size_t i = 0; i < big / 3; i++)
		aipkg_buf_addstr(&text, "\xc3\xa9x"); /* é then x: 3 bytes */
	aipkg_buf_addstr(&text, "\np:");
	for (size_t i = 0; i < 100000; i++)
		aipkg_buf_addf(&text, "%scmd:c%zu", i ? " " : "", i);
	aipkg_buf_addstr(&text, "\n");
	n = text.len;
	t = aipkg_buf_detach(&text);
	aipkg_pkgset_init(&set);
	assert_int_equal(aipkg_pkgset_parse(&set, t, n, 0, NULL), 0);
	assert_true(strlen(set.pkgs[0].description) <= AIPKG_TEXT_FIELD_MAX);
	assert_true(strlen(set.pkgs[0].description) >= AIPKG_TEXT_FIELD_MAX - 3);
	assert_int_equal(((unsigned char)set.pkgs[0].description[strlen(set.pkgs[0].description) - 1] &
			  0xc0) != 0xc0, 1); /* no half character at the end */
	assert_true(set.pkgs[0].provides.n > 1000);
	assert_true(set.pkgs[0].provides.n < 10000);
	for (size_t i = 0; i < set.pkgs[0].provides.n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "cmd:c%zu", i);
		assert_string_equal(set.pkgs[0].provides.v[i], want);
	}
	aipkg_pkgset_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_installed_db_fields),
	    cmocka_unit_test(test_origin_lists_and_unknown_keys),
	    cmocka_unit_test(test_bad_lines_are_corrupt),
	    cmocka_unit_test(test_missing_name_or_version_is_corrupt),
	    cmocka_unit_test(test_empty_text_is_empty_set),
	    cmocka_unit_test(test_text_needs_no_terminator),
	    cmocka_unit_test(test_find_picks_highest_version_across_parses),
	    cmocka_unit_test(test_same_version_prefers_first_repository),
	    cmocka_unit_test(test_lists_survive_later_parses),
	    cmocka_unit_test(test_huge_fields_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
