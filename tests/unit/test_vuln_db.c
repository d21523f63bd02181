/* Unit tests of vuln/db.c: the secdb cache, conditional downloads and the offline fallback. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "aipkg/aipkg.h"
#include "apk/state.h"
#include "ctx.h"
#include "stub.h"
#include "vuln/db.h"
#include "vuln/severity.h"

#define MAIN_JSON                                                                                  \
	"{\"distroversion\":\"v3.20\",\"reponame\":\"main\",\"packages\":["                        \
	"{\"pkg\":{\"name\":\"openssl\",\"secfixes\":{\"3.3.2-r0\":[\"CVE-2024-6119\"]}}},"        \
	"{\"pkg\":{\"name\":\"mariadb\",\"secfixes\":{\"10.2.24.r0\":[\"CVE-2019-2614\"]}}}]}\n"
#define COMMUNITY_JSON                                                                             \
	"{\"reponame\":\"community\",\"packages\":[{\"pkg\":{\"name\":\"curl\",\"secfixes\":"      \
	"{\"8.10.0-r0\":[\"CVE-2024-8096\"]}}}]}\n"

static struct stub stub;
static struct aipkg_ctx *ctx;
static struct aipkg_state st;
static struct aipkg_buf warnings = AIPKG_BUF_INIT;
static char root[64];

static void on_warn(void *ud, const char *msg)
{
	aipkg_buf_addf(&warnings, "%s\n", msg);
}

static int setup_group(void **state)
{
	if (stub_start(&stub) < 0)
		return -1;
	stub_write(&stub, "v3.20/main.json", MAIN_JSON);
	stub_write(&stub, "v3.20/community.json", COMMUNITY_JSON);
	st.release = "3.20.3";
	return 0;
}

static int teardown_group(void **state)
{
	stub_stop(&stub);
	aipkg_buf_release(&warnings);
	return 0;
}

/* A fresh root and context for each test, the secdb served from ROUTE. */
static int setup(void **state)
{
	struct aipkg_opts opts = {0};
	struct aipkg_callbacks cb = {0};

	snprintf(root, sizeof(root), "/tmp/aipkg-vulndb-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	opts.root = root;
	opts.config = "/dev/null";
	cb.warn = on_warn;
	if (aipkg_ctx_new(&ctx, &opts, &cb) < 0)
		return -1;
	aipkg_buf_reset(&warnings);
	return 0;
}

static int teardown(void **state)
{
	aipkg_ctx_free(ctx);
	rm_tree(root);
	return 0;
}

static void use_route(const char *route)
{
	free(ctx->cfg.vuln_secdb_url);
	ctx->cfg.vuln_secdb_url = malloc(256);
	snprintf(ctx->cfg.vuln_secdb_url, 256, "%s/%s/", stub.url, route);
}

static int open_db(enum aipkg_vuln_mode mode, struct aipkg_vuln_db *db)
{
	return aipkg_vuln_db_open(ctx, &st, mode, db);
}

/* Open, expect R, release. */
static void expect_open(enum aipkg_vuln_mode mode, int want)
{
	struct aipkg_vuln_db db;
	int r = open_db(mode, &db);

	if (r != want)
		fail_msg("open: %d (%s), wanted %d", r, aipkg_ctx_errmsg(ctx), want);
	aipkg_vuln_db_release(&db);
}

static char *cache_file(const char *name)
{
	static char path[256];
	struct aipkg_buf b = AIPKG_BUF_INIT;

	snprintf(path, sizeof(path), "%s/var/lib/aipkg/secdb/%s", root, name);
	if (aipkg_buf_read_file(&b, path) < 0)
		return NULL;
	return aipkg_buf_detach(&b);
}

static size_t requests(void)
{
	char *log = stub_log(&stub);
	size_t n = 0;

	for (char *p = log; (p = strchr(p, '\n')); p++)
		n++;
	free(log);
	return n;
}

static bool log_has(const char *text)
{
	char *log = stub_log(&stub);
	bool r = strstr(log, text) != NULL;

	free(log);
	return r;
}

static void test_download_then_cache(void **state)
{
	struct aipkg_vuln_db db;
	char *meta;
	size_t n;

	use_route("ok");
	assert_int_equal(open_db(AIPKG_VULN_AUTO, &db), 0);
	assert_string_equal(db.branch, "v3.20");
	assert_non_null(strstr(db.source, "/ok/v3.20/"));
	assert_false(db.offline);
	assert_non_null(aipkg_secdb_find(&db.secdb, "openssl", &n));
	assert_non_null(aipkg_secdb_find(&db.secdb, "curl", &n));
	assert_int_equal(db.secdb.skipped_invalid, 1);
	assert_true(time(NULL) - db.fetched_at < 60);
	aipkg_vuln_db_release(&db);
	meta = cache_file("main.meta");
	assert_non_null(meta);
	assert_non_null(strstr(meta, "\"etag\":\"\\\""));
	assert_non_null(strstr(meta, "\"last_modified\":"));
	free(meta);
	free(cache_file("community.idx"));
	/* within vuln.max_age: no request at all */
	n = requests();
	expect_open(AIPKG_VULN_AUTO, 0);
	expect_open(AIPKG_VULN_CACHE_ONLY, 0);
	assert_int_equal(requests(), n);
}

static void test_conditional_request_answered_304(void **state)
{
	use_route("ok");
	expect_open(AIPKG_VULN_AUTO, 0);
	ctx->cfg.vuln_max_age = 0;
	expect_open(AIPKG_VULN_AUTO, 0);
	assert_true(log_has("GET /ok/v3.20/main.json inm=\""));
	assert_true(log_has("-> 304"));
	/* --refresh asks without a validator */
	expect_open(AIPKG_VULN_REFRESH, 0);
}

static void test_refresh_is_unconditional(void **state)
{
	char *log, *last;

	use_route("ok");
	expect_open(AIPKG_VULN_AUTO, 0);
	expect_open(AIPKG_VULN_REFRESH, 0);
	log = stub_log(&stub);
	last = strrchr(log, 'G');
	assert_non_null(strstr(last, "inm=- ims=- -> 200"));
	free(log);
}

/* Make the served main.json fail as FAULT says (see httpstub); NULL: heal it. */
static void break_main(const char *fault)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/v3.20/main.json.fault", stub.dir);
	if (fault)
		stub_write(&stub, "v3.20/main.json.fault", fault);
	else
		unlink(path);
}

/* With a good cache, every kind of failed refresh falls back to it. */
static void fallback_case(const char *fault, const char *reason)
{
	struct aipkg_vuln_db db;
	char *before, *after;
	size_t n;

	use_route("ok");
	expect_open(AIPKG_VULN_AUTO, 0);
	before = cache_file("main.json");
	break_main(fault);
	aipkg_buf_reset(&warnings);
	assert_int_equal(open_db(AIPKG_VULN_REFRESH, &db), 0);
	break_main(NULL);
	assert_true(db.offline);
	assert_non_null(aipkg_secdb_find(&db.secdb, "openssl", &n));
	if (!strstr(aipkg_buf_str(&warnings), reason) ||
	    !strstr(aipkg_buf_str(&warnings), "using the copy cached on"))
		fail_msg("%s: warning '%s'", fault, aipkg_buf_str(&warnings));
	aipkg_vuln_db_release(&db);
	after = cache_file("main.json");
	assert_string_equal(before, after); /* never replaced by a bad download */
	free(before);
	free(after);
}

static void test_bad_downloads_keep_the_cache(void **state)
{
	fallback_case("500", "HTTP 500");
	fallback_case("404", "HTTP 404");
	fallback_case("garbage", "not a usable secdb file (not valid JSON");
	fallback_case("half", "not a usable secdb file (not valid JSON");
	fallback_case("short", "main.json: ");
	fallback_case("loop", "redirect loop");
	ctx->cfg.vuln_timeout = 0.5;
	fallback_case("slow 3", "timed out");
}

static void test_wrong_shape_keeps_the_cache(void **state)
{
	struct aipkg_vuln_db db;
	char *before, *after;

	use_route("ok");
	expect_open(AIPKG_VULN_AUTO, 0);
	before = cache_file("main.json");
	stub_write(&stub, "v3.20/main.json", "{\"packages\":{\"pkg\":1}}\n");
	assert_int_equal(open_db(AIPKG_VULN_REFRESH, &db), 0);
	stub_write(&stub, "v3.20/main.json", MAIN_JSON);
	assert_true(db.offline);
	assert_non_null(strstr(aipkg_buf_str(&warnings), "no \"packages\" list"));
	aipkg_vuln_db_release(&db);
	after = cache_file("main.json");
	assert_string_equal(after, before);
	free(before);
	free(after);
}

static void test_no_cache_no_data_is_an_error(void **state)
{
	use_route("status/404");
	expect_open(AIPKG_VULN_AUTO, -AIPKG_E_HTTP);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "no security database for branch 'v3.20'"));
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "nothing was checked"));
	use_route("garbage");
	expect_open(AIPKG_VULN_AUTO, -AIPKG_E_CORRUPT);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "nothing was checked"));
	assert_null(cache_file("main.json"));
	assert_null(cache_file("main.meta"));
	expect_open(AIPKG_VULN_CACHE_ONLY, -ENOENT);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "check-vuln --refresh"));
}

static void test_index_rebuilt_from_json(void **state)
{
	char path[256];
	struct aipkg_vuln_db db;
	size_t n;
	FILE *f;

	use_route("ok");
	expect_open(AIPKG_VULN_AUTO, 0);
	snprintf(path, sizeof(path), "%s/var/lib/aipkg/secdb/main.idx", root);
	unlink(path);
	expect_open(AIPKG_VULN_CACHE_ONLY, 0);
	free(cache_file("main.idx")); /* written again */
	f = fopen(path, "w");
	fputs("aipkg-secdb-index 1\nstamp other\n\nzzz\t1-r0\tCVE-1-1\n", f);
	fclose(f);
	assert_int_equal(open_db(AIPKG_VULN_CACHE_ONLY, &db), 0);
	assert_null(aipkg_secdb_find(&db.secdb, "zzz", &n));
	assert_non_null(aipkg_secdb_find(&db.secdb, "openssl", &n));
	aipkg_vuln_db_release(&db);
}

static void test_cache_of_another_source_not_used(void **state)
{
	use_route("ok");
	expect_open(AIPKG_VULN_AUTO, 0);
	use_route("redirect");
	expect_open(AIPKG_VULN_CACHE_ONLY, -ENOENT);
	st.release = "3.19.1";
	use_route("ok");
	expect_open(AIPKG_VULN_CACHE_ONLY, -ENOENT);
	st.release = "3.20.3";
}

static void test_file_url(void **state)
{
	struct aipkg_vuln_db db;
	size_t n;

	free(ctx->cfg.vuln_secdb_url);
	ctx->cfg.vuln_secdb_url = malloc(256);
	snprintf(ctx->cfg.vuln_secdb_url, 256, "file://%s", stub.dir);
	assert_int_equal(open_db(AIPKG_VULN_AUTO, &db), 0);
	assert_non_null(aipkg_secdb_find(&db.secdb, "curl", &n));
	aipkg_vuln_db_release(&db);
}

static void test_bad_secdb_url(void **state)
{
	free(ctx->cfg.vuln_secdb_url);
	ctx->cfg.vuln_secdb_url = strdup("ftp://example.org/");
	expect_open(AIPKG_VULN_AUTO, -AIPKG_E_CONFIG);
}

/* An NVD API 2.0 answer about ID, as the stub's file for "?cveId=ID". */
static void nvd_answer(const char *id, const char *severity)
{
	char rel[128], body[512];

	snprintf(rel, sizeof(rel), "nvd?cveId=%s", id);
	snprintf(body, sizeof(body),
		 "{\"resultsPerPage\":1,\"vulnerabilities\":[{\"cve\":{\"id\":\"%s\",\"metrics\":"
		 "{\"cvssMetricV31\":[{\"type\":\"Primary\",\"cvssData\":{\"baseSeverity\":"
		 "\"%s\"}}]}}}]}",
		 id, severity);
	stub_write(&stub, rel, body);
}

static json_t *ids_json(size_t n)
{
	json_t *ids = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(ids, json_sprintf("CVE-2024-%04zu", i + 1));
	return ids;
}

static void test_severity_from_nvd_cached(void **state)
{
	json_t *ids = ids_json(12), *map;
	char id[32];

	for (size_t i = 1; i <= 11; i++) {
		snprintf(id, sizeof(id), "CVE-2024-%04zu", i);
		nvd_answer(id, i % 2 ? "CRITICAL" : "LOW");
	}
	ctx->cfg.vuln_severity = malloc(256);
	snprintf(ctx->cfg.vuln_severity, 256, "%s/ok/nvd", stub.url);
	/* at most AIPKG_SEVERITY_LOOKUPS per run */
	map = aipkg_severity_lookup(ctx, ids, true);
	assert_int_equal(json_object_size(map), AIPKG_SEVERITY_LOOKUPS);
	assert_string_equal(json_string_value(json_object_get(map, "CVE-2024-0001")), "critical");
	assert_string_equal(json_string_value(json_object_get(map, "CVE-2024-0002")), "low");
	json_decref(map);
	/* the next run asks for the rest; the 12th is unknown to the server */
	map = aipkg_severity_lookup(ctx, ids, true);
	assert_int_equal(json_object_size(map), 11);
	assert_non_null(strstr(aipkg_buf_str(&warnings), "HTTP 404"));
	json_decref(map);
	/* offline (installs, info): the cache only */
	map = aipkg_severity_lookup(ctx, ids, false);
	assert_int_equal(json_object_size(map), 11);
	json_decref(map);
	json_decref(ids);
}

static void test_age_text(void **state)
{
	char b[32];

	assert_string_equal(aipkg_age_text(0, b, sizeof(b)), "0 seconds");
	assert_string_equal(aipkg_age_text(1, b, sizeof(b)), "1 second");
	assert_string_equal(aipkg_age_text(150, b, sizeof(b)), "2 minutes");
	assert_string_equal(aipkg_age_text(3 * 86400 + 5, b, sizeof(b)), "3 days");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_download_then_cache),
	    T(test_conditional_request_answered_304),
	    T(test_refresh_is_unconditional),
	    T(test_bad_downloads_keep_the_cache),
	    T(test_wrong_shape_keeps_the_cache),
	    T(test_no_cache_no_data_is_an_error),
	    T(test_index_rebuilt_from_json),
	    T(test_cache_of_another_source_not_used),
	    T(test_file_url),
	    T(test_bad_secdb_url),
	    T(test_severity_from_nvd_cached),
	    T(test_age_text),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
