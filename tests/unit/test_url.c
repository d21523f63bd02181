/* Unit tests of url.c: secrets masked wherever a URL is shown, URLs built with the path before the query. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

static void assert_masked(const char *url, const char *want)
{
	char *got = aipkg_url_mask(url);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void assert_masked_text(const char *text, const char *want)
{
	char *got = aipkg_url_mask_text(text);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void assert_joined(const char *base, const char *path, const char *want)
{
	char *got = aipkg_url_join(base, path);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* The bug: `aipkg config` ("secrets masked") printed these in full. */
static void test_userinfo_and_query_values_are_masked(void **state)
{
	assert_masked("https://user:PASSWORD@host/secdb/?token=abc",
		      "https://***@host/secdb/?token=***");
	assert_masked("https://host:8443/v1?api-version=2024&key=s3cret",
		      "https://host:8443/v1?api-version=***&key=***");
	assert_masked("http://u:p@ss@host/x", "http://***@host/x");
	assert_masked("https://hooks.example/services/T0/B0?x", "https://hooks.example/services/T0/B0?***");
	assert_masked("https://host/p#access_token=abc", "https://host/p#***");
	assert_masked("https://host/p@x", "https://host/p@x");
	assert_masked("https://secdb.alpinelinux.org/", "https://secdb.alpinelinux.org/");
	assert_masked("file:///srv/secdb/", "file:///srv/secdb/");
	assert_masked("/srv/cvss.json", "/srv/cvss.json");
}

static void test_urls_inside_text_are_masked(void **state)
{
	assert_masked_text("aipkg --repository https://me:pw@mirror/alpine/v3.20/main install x",
			   "aipkg --repository https://***@mirror/alpine/v3.20/main install x");
	assert_masked_text("https://h/a?t=1: HTTP 403 (Forbidden); see 'http://u:p@h/b'",
			   "https://h/a?t=***: HTTP 403 (Forbidden); see 'http://***@h/b'");
	assert_masked_text("{\"url\":\"https://h/?k=v\"}", "{\"url\":\"https://h/?k=***\"}");
	assert_masked_text("no url here: a://", "no url here: a://");
	assert_masked_text("", "");
	assert_true(aipkg_url_has_secret("x https://a:b@h/"));
	assert_false(aipkg_url_has_secret("x https://h/a"));
	assert_false(aipkg_url_has_secret("plain text"));
}

/* The bug: a secdb_url with a query got "v3.20/main.json" after the query. */
static void test_join_puts_the_path_before_the_query(void **state)
{
	assert_joined("https://h/secdb/?token=X", "v3.20/main.json",
		      "https://h/secdb/v3.20/main.json?token=X");
	assert_joined("https://secdb.alpinelinux.org/", "v3.20/", "https://secdb.alpinelinux.org/v3.20/");
	assert_joined("https://secdb.alpinelinux.org", "edge/main.json",
		      "https://secdb.alpinelinux.org/edge/main.json");
	assert_joined("http://127.0.0.1:11434/v1", "chat/completions",
		      "http://127.0.0.1:11434/v1/chat/completions");
	assert_joined("https://x.openai.azure.com/openai/deployments/d?api-version=2024-06-01",
		      "chat/completions",
		      "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01");
	assert_joined("file:///srv/secdb/", "v3.20/", "file:///srv/secdb/v3.20/");
	assert_joined("file:///", "v3.20/", "file:///v3.20/");
	assert_joined("https://h/a#frag", "b", "https://h/a/b#frag");
}

static void test_host_and_loopback(void **state)
{
	char host[64];

	assert_string_equal(aipkg_url_host("https://u:p@Example.COM:443/x", host, sizeof(host)),
			    "example.com");
	assert_string_equal(aipkg_url_host("http://[::1]:8080/v1", host, sizeof(host)), "::1");
	assert_string_equal(aipkg_url_host("/no/url", host, sizeof(host)), "");
	/* an API key must not go over these */
	assert_true(aipkg_url_plain_remote("http://api.example.com/v1"));
	assert_true(aipkg_url_plain_remote("HTTP://10.0.0.5:8000/v1"));
	assert_true(aipkg_url_plain_remote("http://127.0.0.1.example.com/v1"));
	/* ... and may go over these */
	assert_false(aipkg_url_plain_remote("https://api.openai.com/v1"));
	assert_false(aipkg_url_plain_remote("http://127.0.0.1:11434/v1"));
	assert_false(aipkg_url_plain_remote("http://127.1.2.3/v1"));
	assert_false(aipkg_url_plain_remote("http://localhost:1234/v1"));
	assert_false(aipkg_url_plain_remote("http://[::1]:8080/v1"));
	assert_false(aipkg_url_plain_remote("http://user:pw@localhost/v1"));
}

static void assert_secrets(const char *url, const char *const *want)
{
	char **v = NULL;
	size_t n = 0, i;

	assert_int_equal(aipkg_url_secrets(url, &v, &n), 0);
	for (i = 0; want[i]; i++) {
		assert_true(i < n);
		assert_string_equal(v[i], want[i]);
	}
	assert_int_equal(n, i);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* What a message may quote of a URL outside it: the userinfo, the
 * password, long query values; not words a prompt is full of. */
static void test_secrets_of_a_url(void **state)
{
	assert_secrets("https://bob:pw-1234@h/x?token=abcdefgh123&ref=main#frag",
		       (const char *[]){ "bob:pw-1234", "pw-1234", "abcdefgh123", NULL });
	assert_secrets("http://h/a?sig=0123456789;k&=x", (const char *[]){ "0123456789", NULL });
	assert_secrets("http://anonymous@h/", (const char *[]){ "anonymous", NULL });
	assert_secrets("http://a:b@h/?v=2024-06", (const char *[]){ NULL });
	assert_secrets("https://h:8443/alpine/v3.20/main", (const char *[]){ NULL });
	assert_secrets("/srv/repo", (const char *[]){ NULL });
	assert_secrets(NULL, (const char *[]){ NULL });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_userinfo_and_query_values_are_masked),
		cmocka_unit_test(test_urls_inside_text_are_masked),
		cmocka_unit_test(test_join_puts_the_path_before_the_query),
		cmocka_unit_test(test_host_and_loopback),
		cmocka_unit_test(test_secrets_of_a_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
