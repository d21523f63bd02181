/* Unit tests of vuln/match.c and the branch rules: origins, apk's version order, the "0" rule. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "apk/state.h"
#include "vuln/db.h"
#include "vuln/match.h"
#include "vuln/severity.h"

static struct aipkg_secdb db;

/* An index as aipkg compiles it from secdb (see vuln/secdb.h). */
static const char index_text[] = "aipkg-secdb-index 1\n\n"
				 "busybox\t1.36.1-r29\tCVE-2023-42363 CVE-2023-42364\n"
				 "busybox\t1.36.1-r27\tCVE-2023-42366\n"
				 "curl\t8.10.0-r0\tCVE-2024-8096\n"
				 "curl\t8.9.1-r0\tCVE-2024-7264\n"
				 "curl\t0\tCVE-2023-0001\n"
				 "curl\t7.0-r0\tCVE-2023-0001\n"
				 "edgy\t1.2_rc2-r0\tCVE-2024-1001\n"
				 "edgy\t1.2_p1-r0\tCVE-2024-1002\n"
				 "edgy\t1.3_git20240101-r0\tCVE-2024-1003\n"
				 "edgy\t1.0a-r0\tCVE-2024-1004\n"
				 "openssl\t3.3.2-r0\tCVE-2024-6119\n"
				 "openssl\t3.3.1-r1\tCVE-2024-5535 CVE-2024-4741\n"
				 "openssl\t3.1.4-r1\tCVE-2024-5535\n"
				 "openssl\t0\tCVE-2022-1343 CVE-2022-1473\n"
				 "revs\t1.0-r10\tCVE-2024-2001\n";

static int setup(void **state)
{
	aipkg_secdb_init(&db);
	if (aipkg_secdb_add_index(&db, strdup(index_text), strlen(index_text), NULL) < 0)
		return -1;
	aipkg_secdb_finish(&db);
	return 0;
}

static int teardown(void **state)
{
	aipkg_secdb_release(&db);
	return 0;
}

/* "ID@FIXED ID@FIXED" for ORIGIN at VERSION, in match order. */
static const char *match(const char *origin, const char *version)
{
	static struct aipkg_buf out = AIPKG_BUF_INIT;
	struct aipkg_vuln_hit *hits;
	size_t n;

	aipkg_buf_reset(&out);
	assert_int_equal(aipkg_vuln_match(&db, origin, version, &hits, &n), 0);
	for (size_t i = 0; i < n; i++)
		aipkg_buf_addf(&out, "%s%.*s@%s", i ? " " : "", (int)hits[i].id.len, hits[i].id.ptr,
			       hits[i].fixed_in);
	free(hits);
	return aipkg_buf_str(&out);
}

static void test_lower_than_fixed_is_vulnerable(void **state)
{
	/* libcrypto3 and libssl3 are matched through their origin, openssl */
	assert_string_equal(match("openssl", "3.3.1-r0"),
			    "CVE-2024-6119@3.3.2-r0 CVE-2024-5535@3.3.1-r1 CVE-2024-4741@3.3.1-r1");
	assert_string_equal(match("openssl", "3.3.1-r1"), "CVE-2024-6119@3.3.2-r0");
	assert_string_equal(match("openssl", "3.3.2-r0"), "");
	assert_string_equal(match("openssl", "3.4.0-r0"), "");
}

static void test_same_id_twice_reports_lowest_fix_above(void **state)
{
	/* CVE-2024-5535 was fixed in 3.1.4-r1 (a backport) and 3.3.1-r1 */
	assert_string_equal(match("openssl", "3.1.4-r0"),
			    "CVE-2024-6119@3.3.2-r0 CVE-2024-5535@3.1.4-r1 CVE-2024-4741@3.3.1-r1");
	assert_string_equal(match("openssl", "3.2.0-r0"),
			    "CVE-2024-6119@3.3.2-r0 CVE-2024-5535@3.3.1-r1 CVE-2024-4741@3.3.1-r1");
}

static void test_zero_never_reported(void **state)
{
	/* "0": never affected, so never reported, even when also listed under
	 * a real fixed version */
	assert_null(strstr(match("openssl", "1.0-r0"), "CVE-2022-1343"));
	assert_null(strstr(match("openssl", "0.1-r0"), "CVE-2022-1473"));
	assert_string_equal(match("curl", "6.0-r0"),
			    "CVE-2024-8096@8.10.0-r0 CVE-2024-7264@8.9.1-r0");
}

static void test_release_and_suffix_order(void **state)
{
	assert_string_equal(match("curl", "8.9.1-r0"), "CVE-2024-8096@8.10.0-r0");
	assert_string_equal(match("curl", "8.10.0-r0"), "");
	assert_string_equal(match("revs", "1.0-r9"), "CVE-2024-2001@1.0-r10");
	assert_string_equal(match("revs", "1.0-r10"), "");
	assert_string_equal(match("revs", "1.0"), "CVE-2024-2001@1.0-r10");
	/* _rc before the release, _p after it, letters after the number */
	assert_string_equal(
	    match("edgy", "1.2_rc1-r0"),
	    "CVE-2024-1001@1.2_rc2-r0 CVE-2024-1002@1.2_p1-r0 CVE-2024-1003@1.3_git20240101-r0");
	assert_string_equal(match("edgy", "1.2-r0"),
			    "CVE-2024-1002@1.2_p1-r0 CVE-2024-1003@1.3_git20240101-r0");
	assert_string_equal(match("edgy", "1.2_p1-r0"), "CVE-2024-1003@1.3_git20240101-r0");
	assert_string_equal(match("edgy", "1.3_git20231201-r0"),
			    "CVE-2024-1003@1.3_git20240101-r0");
	/* _git is after the release it is a snapshot of */
	assert_string_equal(match("edgy", "1.3-r0"), "CVE-2024-1003@1.3_git20240101-r0");
	assert_string_equal(match("edgy", "1.3_git20240102-r0"), "");
	assert_string_equal(match("edgy", "1.0-r5"),
			    "CVE-2024-1001@1.2_rc2-r0 CVE-2024-1002@1.2_p1-r0 "
			    "CVE-2024-1003@1.3_git20240101-r0 CVE-2024-1004@1.0a-r0");
	assert_string_equal(match("busybox", "1.36.1-r28"),
			    "CVE-2023-42363@1.36.1-r29 CVE-2023-42364@1.36.1-r29");
}

static void test_unknown_origin_or_version_is_clean(void **state)
{
	assert_string_equal(match("nginx", "1.0-r0"), "");
	assert_string_equal(match("openssl", "not-a-version"), "");
	assert_string_equal(match("openssl", ""), "");
	assert_string_equal(match("", "1.0-r0"), "");
}

static void test_release_branch(void **state)
{
	static const char *const cases[][2] = {
	    {"3.20.3", "v3.20"}, {"3.9.0", "v3.9"},   {"3.21_alpha20240807", "edge"},
	    {"edge", "edge"},	 {"3.20", "edge"},    {"3.20.3.1", "edge"},
	    {"", "edge"},	 {"v3.20.3", "edge"}, {"10.0.1", "v10.0"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *b = aipkg_vuln_release_branch(cases[i][0]);

		assert_string_equal(b, cases[i][1]);
		free(b);
	}
	char *b = aipkg_vuln_release_branch(NULL);
	assert_string_equal(b, "edge");
	free(b);
}

static void repo_case(const char *url, const char *want, bool want_main)
{
	bool is_main = !want_main;
	char *b = aipkg_vuln_repo_branch(url, &is_main);

	if (!want) {
		assert_null(b);
		return;
	}
	assert_non_null(b);
	assert_string_equal(b, want);
	assert_int_equal(is_main, want_main);
	free(b);
}

static void test_repo_branch(void **state)
{
	repo_case("https://dl-cdn.alpinelinux.org/alpine/v3.19/main", "v3.19", true);
	repo_case("https://dl-cdn.alpinelinux.org/alpine/v3.19/community/", "v3.19", false);
	repo_case("http://mirror.example/alpine/edge/testing", "edge", false);
	repo_case("/media/cdrom/apks/v3.20/main", "v3.20", true);
	repo_case("/srv/repo-a", NULL, false);
	repo_case("https://dl-cdn.alpinelinux.org/alpine/v3.19", NULL, false);
	repo_case("https://example.org/v3.x/main", NULL, false);
	repo_case("https://v3.19/main", NULL, false); /* a host, not a path */
}

static void branch_case(const char *release, const char *const *urls, const char *want, bool warns)
{
	struct aipkg_state st = {0};
	char *warning = NULL, *b;

	st.release = (char *)release;
	while (urls && urls[st.nrepos])
		st.nrepos++;
	st.repos = calloc(st.nrepos + 1, sizeof(*st.repos));
	for (size_t i = 0; i < st.nrepos; i++)
		st.repos[i].url = (char *)urls[i];
	b = aipkg_vuln_branch(&st, &warning);
	assert_string_equal(b, want);
	assert_int_equal(warning != NULL, warns);
	if (warning)
		assert_non_null(strstr(warning, want));
	free(warning);
	free(b);
	free(st.repos);
}

#define URLS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_branch_from_release_and_repositories(void **state)
{
	branch_case("3.20.3", NULL, "v3.20", false);
	branch_case("3.20.3", URLS("/srv/local-repo"), "v3.20", false);
	branch_case("3.20.3", URLS("https://x/alpine/v3.20/main"), "v3.20", false);
	/* the repositories win, with a warning (as Trivy does) */
	branch_case("3.20.3",
		    URLS("https://x/alpine/v3.19/main", "https://x/alpine/v3.19/community"),
		    "v3.19", true);
	/* the main repository's branch beats an extra edge/testing */
	branch_case(
	    "3.19.1",
	    URLS(&"@testing https://x/alpine/edge/testing"[10], "https://x/alpine/v3.19/main"),
	    "v3.19", false);
	branch_case(NULL, URLS("https://x/alpine/edge/main"), "edge", false);
	branch_case("3.21_alpha20240807", URLS("https://x/alpine/edge/main"), "edge", false);
}

static void test_severity_levels(void **state)
{
	assert_int_equal(aipkg_severity_parse("CRITICAL"), AIPKG_SEV_CRITICAL);
	assert_int_equal(aipkg_severity_parse("moderate"), AIPKG_SEV_MEDIUM);
	assert_int_equal(aipkg_severity_parse("bogus"), -1);
	assert_int_equal(aipkg_severity_from_score(9.8), AIPKG_SEV_CRITICAL);
	assert_int_equal(aipkg_severity_from_score(7.0), AIPKG_SEV_HIGH);
	assert_int_equal(aipkg_severity_from_score(6.9), AIPKG_SEV_MEDIUM);
	assert_int_equal(aipkg_severity_from_score(0.1), AIPKG_SEV_LOW);
	assert_int_equal(aipkg_severity_from_score(0), AIPKG_SEV_NONE);
	assert_true(aipkg_severity_counts(AIPKG_SEV_LOW, "any"));
	assert_true(aipkg_severity_counts(AIPKG_SEV_HIGH, "high"));
	assert_true(aipkg_severity_counts(AIPKG_SEV_CRITICAL, "high"));
	assert_false(aipkg_severity_counts(AIPKG_SEV_MEDIUM, "high"));
	assert_false(aipkg_severity_counts(AIPKG_SEV_NONE, "low"));
	/* unknown may be anything: it counts (fail closed) */
	assert_true(aipkg_severity_counts(AIPKG_SEV_UNKNOWN, "critical"));
	assert_false(aipkg_severity_counts(AIPKG_SEV_CRITICAL, "never"));
	assert_false(aipkg_severity_counts(AIPKG_SEV_CRITICAL, NULL));
}

static void test_severity_documents(void **state)
{
	json_t *map = json_object();
	json_t *nvd = json_loads(
	    "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-6119\",\"metrics\":{"
	    "\"cvssMetricV31\":[{\"source\":\"x\",\"type\":\"Secondary\",\"cvssData\":"
	    "{\"baseScore\":5.0,\"baseSeverity\":\"MEDIUM\"}},{\"source\":\"nvd@nist.gov\","
	    "\"type\":\"Primary\",\"cvssData\":{\"baseScore\":7.5,\"baseSeverity\":\"HIGH\"}}],"
	    "\"cvssMetricV2\":[{\"baseSeverity\":\"LOW\",\"cvssData\":{\"baseScore\":2.0}}]}}},"
	    "{\"cve\":{\"id\":\"CVE-2014-0160\",\"metrics\":{\"cvssMetricV2\":[{\"baseSeverity\":"
	    "\"MEDIUM\",\"cvssData\":{\"baseScore\":5.0}}]}}},"
	    "{\"cve\":{\"id\":\"CVE-2099-0001\",\"metrics\":{}}}]}",
	    0, NULL);
	json_t *plain = json_loads("{\"CVE-1\":\"critical\",\"CVE-2\":9.1,\"CVE-3\":{\"severity\":"
				   "\"Low\"},\"CVE-4\":{\"score\":4.2},\"CVE-5\":true}",
				   0, NULL);

	assert_int_equal(aipkg_severity_read_doc(nvd, map), 2);
	assert_string_equal(json_string_value(json_object_get(map, "CVE-2024-6119")), "high");
	assert_string_equal(json_string_value(json_object_get(map, "CVE-2014-0160")), "medium");
	assert_null(json_object_get(map, "CVE-2099-0001"));
	assert_int_equal(aipkg_severity_read_doc(plain, map), 4);
	assert_string_equal(json_string_value(json_object_get(map, "CVE-1")), "critical");
	assert_string_equal(json_string_value(json_object_get(map, "CVE-2")), "critical");
	assert_string_equal(json_string_value(json_object_get(map, "CVE-3")), "low");
	assert_string_equal(json_string_value(json_object_get(map, "CVE-4")), "medium");
	json_decref(nvd);
	json_decref(plain);
	json_decref(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lower_than_fixed_is_vulnerable),
	    cmocka_unit_test(test_same_id_twice_reports_lowest_fix_above),
	    cmocka_unit_test(test_zero_never_reported),
	    cmocka_unit_test(test_release_and_suffix_order),
	    cmocka_unit_test(test_unknown_origin_or_version_is_clean),
	    cmocka_unit_test(test_release_branch),
	    cmocka_unit_test(test_repo_branch),
	    cmocka_unit_test(test_branch_from_release_and_repositories),
	    cmocka_unit_test(test_severity_levels),
	    cmocka_unit_test(test_severity_documents),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
