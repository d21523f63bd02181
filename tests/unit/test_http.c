/* Unit tests of http.c against the loopback stub: bodies, 304s, statuses, redirects, timeouts. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "aipkg/aipkg.h"
#include "ctx.h"
#include "http.h"
#include "url.h"
#include "stub.h"

static struct stub stub;
static struct aipkg_ctx *ctx;

static int setup(void **state)
{
	struct aipkg_opts opts = {0};

	if (stub_start(&stub) < 0)
		return -1;
	stub_write(&stub, "v3.20/main.json", "{\"packages\":[]}\n");
	opts.root = stub.dir;
	opts.config = "/dev/null";
	return aipkg_ctx_new(&ctx, &opts, NULL) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	aipkg_ctx_free(ctx);
	stub_stop(&stub);
	return 0;
}

/* GET URL (stub.url + PATH when PATH starts with '/'). */
static int get(const char *path, struct aipkg_http_request *req, struct aipkg_http_response *res)
{
	static char url[512];
	struct aipkg_http_request plain = {0};

	if (!req)
		req = &plain;
	snprintf(url, sizeof(url), "%s%s", path[0] == '/' ? stub.url : "", path);
	req->url = url;
	return aipkg_http_fetch(ctx, req, res);
}

static void test_get_body_and_validators(void **state)
{
	struct aipkg_http_response res;

	assert_int_equal(get("/ok/v3.20/main.json", NULL, &res), 0);
	assert_int_equal(res.status, 200);
	assert_false(res.not_modified);
	assert_string_equal(aipkg_buf_str(&res.body), "{\"packages\":[]}\n");
	assert_non_null(res.etag);
	assert_true(res.etag[0] == '"');
	assert_non_null(res.last_modified);
	assert_string_equal(res.content_type, "application/json");
	aipkg_http_response_release(&res);
}

static void test_if_none_match_gives_304(void **state)
{
	struct aipkg_http_request req = {0};
	struct aipkg_http_response first, again;
	char *log;

	assert_int_equal(get("/ok/v3.20/main.json", NULL, &first), 0);
	req.etag = first.etag;
	assert_int_equal(get("/ok/v3.20/main.json", &req, &again), 0);
	assert_true(again.not_modified);
	assert_int_equal(again.status, 304);
	assert_int_equal(again.body.len, 0);
	log = stub_log(&stub);
	assert_non_null(strstr(log, "inm=\"")); /* the header went out */
	assert_non_null(strstr(log, "-> 304"));
	free(log);
	aipkg_http_response_release(&first);
	aipkg_http_response_release(&again);
}

static void test_if_modified_since_gives_304(void **state)
{
	struct aipkg_http_request req = {0};
	struct aipkg_http_response first, again;

	assert_int_equal(get("/noetag/v3.20/main.json", NULL, &first), 0);
	assert_null(first.etag);
	req.last_modified = first.last_modified;
	assert_int_equal(get("/noetag/v3.20/main.json", &req, &again), 0);
	assert_true(again.not_modified);
	aipkg_http_response_release(&first);
	aipkg_http_response_release(&again);
}

static void test_statuses_are_http_errors(void **state)
{
	struct aipkg_http_response res;

	assert_int_equal(get("/status/404/v3.20/main.json", NULL, &res), -AIPKG_E_HTTP);
	assert_int_equal(res.status, 404);
	assert_non_null(
	    strstr(aipkg_ctx_errmsg(ctx), "/status/404/v3.20/main.json: HTTP 404 Not Found"));
	aipkg_http_response_release(&res);
	assert_int_equal(get("/status/500/x", NULL, &res), -AIPKG_E_HTTP);
	assert_int_equal(res.status, 500);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "HTTP 500"));
	aipkg_http_response_release(&res);
}

static void test_redirect_followed(void **state)
{
	struct aipkg_http_response res;

	assert_int_equal(get("/redirect/v3.20/main.json", NULL, &res), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(aipkg_buf_str(&res.body), "{\"packages\":[]}\n");
	aipkg_http_response_release(&res);
}

static void test_redirect_loop(void **state)
{
	struct aipkg_http_response res;

	assert_int_equal(get("/loop/x", NULL, &res), -AIPKG_E_HTTP);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "redirect loop"));
	aipkg_http_response_release(&res);
}

static void test_no_redirects_when_told(void **state)
{
	struct aipkg_http_request req = {0};
	struct aipkg_http_response res;

	req.max_redirects = -1;
	assert_int_equal(get("/redirect/v3.20/main.json", &req, &res), -AIPKG_E_HTTP);
	assert_int_equal(res.status, 302);
	/* where it points is kept, and named */
	assert_string_equal(res.location, "/ok/v3.20/main.json");
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "a redirect to /ok/v3.20/main.json (not followed)"));
	aipkg_http_response_release(&res);
}

static void test_downgrade(void **state)
{
	assert_true(aipkg_http_downgrade("https://h/a", "http://h/a"));
	assert_true(aipkg_http_downgrade("HTTPS://h/a", "ftp://h/a"));
	assert_false(aipkg_http_downgrade("https://h/a", "https://g/b"));
	assert_false(aipkg_http_downgrade("https://h/a", "/relative"));
	assert_false(aipkg_http_downgrade("https://h/a", NULL));
	assert_false(aipkg_http_downgrade("http://h/a", "http://g/b"));
}

static void test_slow_server_times_out(void **state)
{
	struct aipkg_http_request req = {0};
	struct aipkg_http_response res;

	req.timeout = 0.5;
	assert_int_equal(get("/slow/3/v3.20/main.json", &req, &res), -AIPKG_E_TIMEOUT);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "timed out"));
	aipkg_http_response_release(&res);
}

static void test_truncated_transfer(void **state)
{
	struct aipkg_http_response res;

	assert_int_equal(get("/short/v3.20/main.json", NULL, &res), -AIPKG_E_NETWORK);
	aipkg_http_response_release(&res);
}

static void test_body_cap(void **state)
{
	struct aipkg_http_request req = {0};
	struct aipkg_http_response res;

	req.max_body = 4;
	assert_int_equal(get("/ok/v3.20/main.json", &req, &res), -AIPKG_E_TOOBIG);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "larger than 4 bytes"));
	aipkg_http_response_release(&res);
}

static void test_file_urls(void **state)
{
	struct aipkg_http_response res;
	char url[256];

	snprintf(url, sizeof(url), "file://%s/v3.20/main.json", stub.dir);
	assert_int_equal(get(url, NULL, &res), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(aipkg_buf_str(&res.body), "{\"packages\":[]}\n");
	aipkg_http_response_release(&res);
	snprintf(url, sizeof(url), "file://%s/v9.99/main.json", stub.dir);
	assert_int_equal(get(url, NULL, &res), -AIPKG_E_HTTP);
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "no such file"));
	aipkg_http_response_release(&res);
}

static void test_other_schemes_refused(void **state)
{
	struct aipkg_http_response res;

	assert_int_equal(get("ftp://127.0.0.1/x", NULL, &res), -AIPKG_E_USAGE);
	aipkg_http_response_release(&res);
	assert_int_equal(get("gopher://127.0.0.1/x", NULL, &res), -AIPKG_E_USAGE);
	aipkg_http_response_release(&res);
	assert_false(aipkg_http_url_supported("/etc/passwd"));
	assert_true(aipkg_http_url_supported("HTTPS://example.org/"));
}

static void test_connection_refused(void **state)
{
	struct aipkg_http_response res;

	/* port 1 on loopback: nobody listens there in a test environment */
	assert_int_equal(get("http://127.0.0.1:1/x", NULL, &res), -AIPKG_E_NETWORK);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "http://127.0.0.1:1/x: "));
	aipkg_http_response_release(&res);
}

static void test_credentials_never_in_messages(void **state)
{
	struct aipkg_http_response res;
	char url[256], *r;

	snprintf(url, sizeof(url), "http://user:s3cret@%.64s/status/500/x?token=t0ken", stub.url + 7);
	assert_int_equal(get(url, NULL, &res), -AIPKG_E_HTTP);
	assert_null(strstr(aipkg_ctx_errmsg(ctx), "s3cret"));
	assert_null(strstr(aipkg_ctx_errmsg(ctx), "t0ken"));
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "http://***@127.0.0.1:"));
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "/status/500/x?token=***"));
	aipkg_http_response_release(&res);
	r = aipkg_url_mask("https://a:b@host/p?q=1");
	assert_string_equal(r, "https://***@host/p?q=***");
	free(r);
	r = aipkg_url_mask("https://host/p@x");
	assert_string_equal(r, "https://host/p@x");
	free(r);
}

static void test_post_with_headers(void **state)
{
	static const char *const headers[] = {"Authorization: Bearer sk-test", "X-Test: 1", NULL};
	struct aipkg_http_request req = {0};
	struct aipkg_http_response res;
	const char *body;

	req.headers = headers;
	req.body = "{\"q\":1}";
	req.body_len = 7;
	assert_int_equal(get("/echo/chat", &req, &res), 0);
	body = aipkg_buf_str(&res.body);
	assert_non_null(strstr(body, "POST /echo/chat HTTP/1.1\r\n"));
	assert_non_null(strstr(body, "Authorization: Bearer sk-test\r\n"));
	assert_non_null(strstr(body, "X-Test: 1\r\n"));
	assert_non_null(strstr(body, "\r\n\r\n{\"q\":1}"));
	aipkg_http_response_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_body_and_validators),
	    cmocka_unit_test(test_if_none_match_gives_304),
	    cmocka_unit_test(test_if_modified_since_gives_304),
	    cmocka_unit_test(test_statuses_are_http_errors),
	    cmocka_unit_test(test_redirect_followed),
	    cmocka_unit_test(test_redirect_loop),
	    cmocka_unit_test(test_no_redirects_when_told),
	    cmocka_unit_test(test_downgrade),
	    cmocka_unit_test(test_slow_server_times_out),
	    cmocka_unit_test(test_truncated_transfer),
	    cmocka_unit_test(test_body_cap),
	    cmocka_unit_test(test_file_urls),
	    cmocka_unit_test(test_other_schemes_refused),
	    cmocka_unit_test(test_connection_refused),
	    cmocka_unit_test(test_credentials_never_in_messages),
	    cmocka_unit_test(test_post_with_headers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
