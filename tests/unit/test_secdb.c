/* Unit tests of vuln/secdb.c: the secdb JSON, messy real-world entries, the compiled index. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/error.h"
#include "vuln/secdb.h"

/* A secdb document around PACKAGES (the inside of the "packages" list). */
#define SECDB(packages)                                                                            \
	"{\"distroversion\":\"v3.20\",\"reponame\":\"main\",\"archs\":[\"x86_64\"],"               \
	"\"urlprefix\":\"https://dl-cdn.alpinelinux.org/alpine\",\"apkurl\":\"{{urlprefix}}/"      \
	"{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk\","                  \
	"\"packages\":[" packages "]}"

#define PKG(name, fixes) "{\"pkg\":{\"name\":\"" name "\",\"secfixes\":{" fixes "}}}"

static int compile(const char *json, struct aipkg_buf *idx, struct aipkg_buf *why)
{
	aipkg_buf_reset(idx);
	aipkg_buf_reset(why);
	return aipkg_secdb_compile(json, strlen(json), "s1", idx, why);
}

/* Compile JSON and load it into DB. */
static void load(struct aipkg_secdb *db, const char *json)
{
	struct aipkg_buf idx = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;
	size_t len;

	if (compile(json, &idx, &why) < 0)
		fail_msg("compile: %s", aipkg_buf_str(&why));
	len = idx.len;
	assert_int_equal(aipkg_secdb_add_index(db, aipkg_buf_detach(&idx), len, "s1"), 0);
	aipkg_secdb_finish(db);
	aipkg_buf_release(&why);
}

static const char *ids_of(const char *entry)
{
	static struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_reset(&b);
	aipkg_secdb_ids(entry, &b);
	return aipkg_buf_str(&b);
}

static void test_ids_from_messy_entries(void **state)
{
	assert_string_equal(ids_of("CVE-2024-6119"), "CVE-2024-6119");
	assert_string_equal(ids_of("CVE-2017-12122 TALOS-2017-0488"), "CVE-2017-12122");
	assert_string_equal(ids_of("CVE-2018-19965  XSA-279"), "CVE-2018-19965");
	assert_string_equal(ids_of("CVE-2018-16452 (SMB)"), "CVE-2018-16452");
	assert_string_equal(ids_of("CVE_2019-2426"), "CVE-2019-2426");
	assert_string_equal(ids_of("cve-2020-1234"), "CVE-2020-1234");
	assert_string_equal(ids_of("XSA-247"), "XSA-247");
	assert_string_equal(ids_of("CVE-?\?\?\?-?\?\?\?\?  XSA-295"), "XSA-295");
	assert_string_equal(ids_of("CVE-2019-1 CVE-2019-12345"), "CVE-2019-12345");
	assert_string_equal(ids_of("CVE-2021-1000 CVE-2021-1001"), "CVE-2021-1000 CVE-2021-1001");
	assert_string_equal(ids_of(" GHSA-xxxx-2222-yyyy "), "GHSA-xxxx-2222-yyyy");
	assert_string_equal(ids_of(""), "");
	assert_string_equal(ids_of("(none)"), "");
	assert_string_equal(ids_of("see the bug tracker"), "");
}

static void test_ids_has(void **state)
{
	assert_true(aipkg_secdb_ids_has("CVE-1-1 CVE-2-2", aipkg_slice_str("CVE-2-2")));
	assert_true(aipkg_secdb_ids_has("CVE-1-1 CVE-2-2", aipkg_slice_str("CVE-1-1")));
	assert_false(aipkg_secdb_ids_has("CVE-1-1 CVE-2-2", aipkg_slice_str("CVE-1")));
	assert_false(aipkg_secdb_ids_has("CVE-1-11", aipkg_slice_str("CVE-1-1")));
}

static void test_compile_and_find(void **state)
{
	struct aipkg_secdb db;
	const struct aipkg_secfix *f;
	size_t n;

	aipkg_secdb_init(&db);
	load(&db, SECDB(PKG("zlib", "\"1.2.12-r0\":[\"CVE-2018-25032\"]") "," PKG(
		      "openssl", "\"3.3.2-r0\":[\"CVE-2024-6119\"],"
				 "\"3.3.1-r1\":[\"CVE-2024-5535\",\"CVE-2024-4741\"],"
				 "\"0\":[\"CVE-2022-1343\"]")));
	assert_int_equal(db.packages, 2);
	assert_int_equal(db.skipped_invalid, 0);
	assert_int_equal(db.n, 4);
	f = aipkg_secdb_find(&db, "openssl", &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(f[i].origin, "openssl");
	f = aipkg_secdb_find(&db, "zlib", &n);
	assert_int_equal(n, 1);
	assert_string_equal(f->version, "1.2.12-r0");
	assert_string_equal(f->ids, "CVE-2018-25032");
	assert_null(aipkg_secdb_find(&db, "nginx", &n));
	assert_int_equal(n, 0);
	assert_null(aipkg_secdb_find(&db, "a", &n));
	assert_null(aipkg_secdb_find(&db, "zzz", &n));
	aipkg_secdb_release(&db);
}

static void test_index_is_sorted_and_keeps_zero(void **state)
{
	struct aipkg_buf idx = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;

	assert_int_equal(compile(SECDB(PKG("b", "\"0\":[\"CVE-2020-0001\"]") "," PKG(
				     "a", "\"1.0-r1\":[\"CVE-2020-0002 XSA-1\"]")),
				 &idx, &why),
			 0);
	assert_string_equal(aipkg_buf_str(&idx), "aipkg-secdb-index 1\nstamp s1\npackages 2\n"
						 "skipped 0 \n\n"
						 "a\t1.0-r1\tCVE-2020-0002\n"
						 "b\t0\tCVE-2020-0001\n");
	aipkg_buf_release(&idx);
	aipkg_buf_release(&why);
}

static void test_invalid_versions_skipped_and_counted(void **state)
{
	struct aipkg_secdb db;
	size_t n;

	aipkg_secdb_init(&db);
	load(&db, SECDB(PKG(
		      "mariadb",
		      "\"10.2.24.r0\":[\"CVE-2019-2614\"],"
		      "\"10.2.25-r0\":[\"CVE-2019-2627\"]") "," PKG("py-django",
								    "\"4.8.0.-r1\":[\"CVE-2019-"
								    "1\"]") "," PKG("python2",
										    "\"2.7.16-33\":"
										    "[\"CVE-2019-"
										    "9636\"]") "," PKG("openssh",
												       "\"6.6.2p1-r0\":[\"CVE-2014-2532\"]")));
	assert_int_equal(db.packages, 4);
	assert_int_equal(db.skipped_invalid, 4);
	assert_string_equal(db.skipped_example, "mariadb 10.2.24.r0");
	assert_non_null(aipkg_secdb_find(&db, "mariadb", &n));
	assert_int_equal(n, 1);
	assert_null(aipkg_secdb_find(&db, "openssh", &n));
	aipkg_secdb_release(&db);
}

/* The bug: a newline in a key went raw into the index header, and the
 * index never loaded again. */
static void test_control_characters_in_keys_are_escaped(void **state)
{
	struct aipkg_secdb db;
	size_t n;

	aipkg_secdb_init(&db);
	load(&db, SECDB(PKG("evil", "\"1.0-r0\\nskipped 9 x\\n\\n\\u001b]0;t\\u0007\":[\"CVE-2024-1\"]")
			"," PKG("curl", "\"8.10.0-r0\":[\"CVE-2024-8096\"]")));
	assert_int_equal(db.skipped_invalid, 1);
	assert_string_equal(db.skipped_example, "evil 1.0-r0\\nskipped 9 x\\n\\n\\x1b]0;t\\x07");
	assert_non_null(aipkg_secdb_find(&db, "curl", &n));
	aipkg_secdb_release(&db);
}

static void test_entries_without_ids_dropped(void **state)
{
	struct aipkg_secdb db;
	size_t n;

	aipkg_secdb_init(&db);
	load(&db, SECDB(PKG("a", "\"1.0-r0\":[],\"1.1-r0\":[\"\"]") "," PKG(
		      "b", "") ",{\"pkg\":{\"name\":\"c\",\"secfixes\":null}}"
			       ",{\"pkg\":{\"name\":\"d\"}}"));
	assert_int_equal(db.packages, 4);
	assert_int_equal(db.n, 0);
	assert_null(aipkg_secdb_find(&db, "a", &n));
	aipkg_secdb_release(&db);
}

static void expect_corrupt(const char *json, const char *reason)
{
	struct aipkg_buf idx = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;

	assert_int_equal(compile(json, &idx, &why), -AIPKG_E_CORRUPT);
	if (!strstr(aipkg_buf_str(&why), reason))
		fail_msg("reason '%s' lacks '%s'", aipkg_buf_str(&why), reason);
	assert_int_equal(idx.len, 0);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&why);
}

static void test_wrong_shapes_refused(void **state)
{
	expect_corrupt("", "not valid JSON");
	expect_corrupt("<html>503 Service Unavailable</html>", "not valid JSON");
	expect_corrupt(SECDB(PKG("a", "\"1.0-r0\":[\"CVE-2020-1\"]")) "garbage", "not valid JSON");
	expect_corrupt("{\"packages\":[{\"pkg\":{\"name\":\"a\",\"secfixes\":{\"1.0-r0\":[\"CVE-",
		       "not valid JSON");
	expect_corrupt("[]", "not a JSON object");
	expect_corrupt("{\"distroversion\":\"v3.20\"}", "no \"packages\" list");
	expect_corrupt("{\"packages\":{}}", "no \"packages\" list");
	expect_corrupt(SECDB("1"), "packages[0]: no \"pkg\" object");
	expect_corrupt(SECDB("{\"name\":\"a\"}"), "packages[0]: no \"pkg\" object");
	expect_corrupt(SECDB("{\"pkg\":{\"name\":7}}"), "packages[0].pkg.name: not a string");
	expect_corrupt(SECDB("{\"pkg\":{\"name\":\"a\",\"secfixes\":[]}}"),
		       "packages[0].pkg.secfixes: not an object");
	expect_corrupt(SECDB(PKG("a", "\"1.0-r0\":\"CVE-2020-1\"")),
		       "packages[0].pkg.secfixes.1.0-r0: not a list of ids");
	expect_corrupt(SECDB(PKG("a", "\"1.0-r0\":[\"CVE-2020-1\"]") "," PKG("b", "\"1-r0\":[3]")),
		       "packages[1].pkg.secfixes.1-r0[0]: not a string");
}

static int add(struct aipkg_secdb *db, const char *text, const char *stamp)
{
	return aipkg_secdb_add_index(db, strdup(text), strlen(text), stamp);
}

static void test_index_checks(void **state)
{
	struct aipkg_secdb db;

	aipkg_secdb_init(&db);
	assert_int_equal(add(&db, "", NULL), -AIPKG_E_CORRUPT);
	assert_int_equal(add(&db, "aipkg-secdb-index 2\n\n", NULL), -AIPKG_E_CORRUPT);
	assert_int_equal(add(&db, "aipkg-secdb-index 1\nstamp a\n\n", "b"), -ESTALE);
	assert_int_equal(add(&db, "aipkg-secdb-index 1\nstamp a\n", "a"), -AIPKG_E_CORRUPT);
	assert_int_equal(add(&db, "aipkg-secdb-index 1\nstamp a\n\nx\t1-r0\tCVE-1-1", "a"),
			 -AIPKG_E_CORRUPT);
	assert_int_equal(add(&db, "aipkg-secdb-index 1\nstamp a\n\nx\t1-r0\n", "a"),
			 -AIPKG_E_CORRUPT);
	assert_int_equal(db.n, 0);
	assert_int_equal(
	    add(&db, "aipkg-secdb-index 1\nstamp a\nfuture key\n\nx\t1-r0\tCVE-1-1\n", "a"), 0);
	assert_int_equal(db.n, 1);
	aipkg_secdb_release(&db);
}

static void test_two_files_merge(void **state)
{
	struct aipkg_secdb db;
	const struct aipkg_secfix *f;
	size_t n;

	aipkg_secdb_init(&db);
	assert_int_equal(add(&db,
			     "aipkg-secdb-index 1\npackages 2\nskipped 1 m 1.0.r0\n\n"
			     "b\t1-r0\tCVE-1-1\nd\t1-r0\tCVE-1-2\n",
			     NULL),
			 0);
	assert_int_equal(add(&db,
			     "aipkg-secdb-index 1\npackages 2\nskipped 2 n 2.r0\n\n"
			     "a\t1-r0\tCVE-1-3\nb\t2-r0\tCVE-1-4\n",
			     NULL),
			 0);
	aipkg_secdb_finish(&db);
	assert_int_equal(db.packages, 4);
	assert_int_equal(db.skipped_invalid, 3);
	assert_string_equal(db.skipped_example, "m 1.0.r0");
	f = aipkg_secdb_find(&db, "b", &n);
	assert_int_equal(n, 2);
	assert_string_equal(f[0].origin, "b");
	assert_string_equal(f[1].origin, "b");
	assert_non_null(aipkg_secdb_find(&db, "a", &n));
	assert_non_null(aipkg_secdb_find(&db, "d", &n));
	aipkg_secdb_release(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_from_messy_entries),
	    cmocka_unit_test(test_ids_has),
	    cmocka_unit_test(test_compile_and_find),
	    cmocka_unit_test(test_index_is_sorted_and_keeps_zero),
	    cmocka_unit_test(test_invalid_versions_skipped_and_counted),
	    cmocka_unit_test(test_control_characters_in_keys_are_escaped),
	    cmocka_unit_test(test_entries_without_ids_dropped),
	    cmocka_unit_test(test_wrong_shapes_refused),
	    cmocka_unit_test(test_index_checks),
	    cmocka_unit_test(test_two_files_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
