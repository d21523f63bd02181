/* Unit tests of apk/search.c: apk's search rules (provided names, unanchored globs, -x, -d phrases) and the order. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "apk/search.h"
#include "apk/version.h"
#include "config.h"

/* Shapes of real 3.18: openjdk17 is found for "java" through java-jdk. */
static const char index_text[] =
    "P:openjdk17\nV:17.0.10_p7-r0\nI:1\nT:Oracle OpenJDK 17\np:java-jdk java-jre cmd:java=17\n\n"
    "P:java-common\nV:0.5-r0\nI:1\nT:Java common (updates java links)\n\n"
    "P:nginx\nV:1.24.0-r7\nI:1\nT:HTTP and reverse proxy server\np:cmd:nginx=1.24.0-r7\n\n"
    "P:nginx-mod-http-geoip\nV:1.24.0-r7\nI:1\nT:nginx geoip module\n\n"
    "P:py3-nginx\nV:1.0-r0\nI:1\nT:Python helpers\n\n"
    "P:lighttpd\nV:1.4.76-r0\nI:1\nT:Secure, fast, compliant and very flexible web-server\n\n"
    "P:caddy\nV:2.6.4-r7\nI:1\nT:Fast, multi-platform web server with automatic HTTPS\n\n"
    "P:apk-tools\nV:2.14.0-r2\nI:1\nT:Alpine Package Keeper\n\n"
    "P:bind-tools\nV:9.18.19-r0\nI:1\nT:The ISC DNS tools\np:cmd:dig=9.18.19-r0 cmd:host\n\n"
    "P:digikam\nV:8.0.0-r1\nI:1\nT:Photo manager\np:cmd:digikam=8.0.0-r1\n\n";

static const char installed_text[] = "P:localtool\nV:1.0-r0\nI:1\nT:Built here\n\n";

static struct aipkg_state st;

static int setup(void **state)
{
	memset(&st, 0, sizeof(st));
	aipkg_pkgset_init(&st.available);
	aipkg_pkgset_init(&st.installed);
	assert_int_equal(aipkg_pkgset_parse(&st.available, strdup(index_text), strlen(index_text), 0,
					    NULL),
			 0);
	assert_int_equal(aipkg_pkgset_parse(&st.installed, strdup(installed_text),
					    strlen(installed_text), -1, NULL),
			 0);
	assert_int_equal(aipkg_pkgset_index(&st.available), 0);
	assert_int_equal(aipkg_pkgset_index(&st.installed), 0);
	return 0;
}

static int teardown(void **state)
{
	aipkg_state_release(&st);
	return 0;
}

/* The names found for QUERY, blank-separated, in order. */
static char *found(const char *query, unsigned flags)
{
	char **terms, *out;
	size_t nterms, n;
	const struct aipkg_pkg **hits;
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_search_split(query, &terms, &nterms), 0);
	hits = aipkg_search(&st, (const char *const *)terms, nterms, flags, &n);
	assert_non_null(hits);
	for (size_t i = 0; i < n; i++)
		aipkg_buf_addf(&b, "%s%s", i ? " " : "", hits[i]->name);
	free(hits);
	aipkg_strv_free(terms, nterms);
	out = aipkg_buf_detach(&b);
	return out ? out : strdup("");
}

static void expect(const char *query, unsigned flags, const char *want)
{
	char *got = found(query, flags);

	if (strcmp(got, want) != 0)
		fail_msg("search '%s' (flags %u): expected '%s', got '%s'", query, flags, want, got);
	free(got);
}

static void test_provided_names(void **state)
{
	expect("java", 0, "java-common openjdk17");
	expect("java-jdk", AIPKG_SEARCH_EXACT, "openjdk17");
	expect("cmd:dig", 0, "bind-tools digikam");
	expect("cmd:dig", AIPKG_SEARCH_EXACT, "bind-tools");
}

/* apk wraps every term in '*': globs match anywhere. */
static void test_globs_unanchored(void **state)
{
	expect("*nginx", 0, "nginx nginx-mod-http-geoip py3-nginx");
	expect("ngin?", 0, "nginx nginx-mod-http-geoip py3-nginx");
	expect("[a]pk-tools", 0, "apk-tools");
	expect("NGINX", 0, "nginx nginx-mod-http-geoip py3-nginx");
}

/* -x: '*' anchors; '?' is a pattern for apk 3 only; '[' for neither. */
static void test_exact_rules(void **state)
{
	expect("nginx*", AIPKG_SEARCH_EXACT, "nginx nginx-mod-http-geoip");
	expect("[a]pk-tools", AIPKG_SEARCH_EXACT, "");
	aipkg_version_set_rules(3);
	expect("ngin?", AIPKG_SEARCH_EXACT, "nginx");
	aipkg_version_set_rules(2);
	expect("ngin?", AIPKG_SEARCH_EXACT, "");
	aipkg_version_set_rules(0);
}

/* -d: a quoted phrase is one term, not either word. */
static void test_description_phrase(void **state)
{
	expect("\"web server\"", AIPKG_SEARCH_DESCRIPTION, "caddy");
	expect("web server", AIPKG_SEARCH_DESCRIPTION, "caddy lighttpd nginx");
	expect("\"web server\"", 0, "");
}

/* Installed packages no index has are found; an exact name comes first. */
static void test_installed_and_order(void **state)
{
	expect("localtool", 0, "localtool");
	expect("nginx", 0, "nginx nginx-mod-http-geoip py3-nginx");
	expect("geoip nginx", 0, "nginx nginx-mod-http-geoip py3-nginx");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provided_names),
		cmocka_unit_test(test_globs_unanchored),
		cmocka_unit_test(test_exact_rules),
		cmocka_unit_test(test_description_phrase),
		cmocka_unit_test(test_installed_and_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
