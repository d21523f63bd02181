/* Unit tests of the agent's risk assessment: version steps and package kinds. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agent/agent.h"

static const struct {
	const char *from, *to;
	enum aipkg_bump bump;
} pairs[] = {
	{ "1.3.1-r0", "1.3.1-r1", AIPKG_BUMP_REVISION },
	{ "1.3.1", "1.3.1-r1", AIPKG_BUMP_REVISION },
	{ "1.2.3-r5", "1.2.4-r0", AIPKG_BUMP_PATCH },
	{ "1.2.3.4-r0", "1.2.3.5-r0", AIPKG_BUMP_PATCH },
	{ "1.2-r0", "1.2.1-r0", AIPKG_BUMP_PATCH },
	{ "1.2.3a-r0", "1.2.3b-r0", AIPKG_BUMP_PATCH },
	{ "1.2.3-r0", "1.2.3_p1-r0", AIPKG_BUMP_PATCH },
	{ "9.18.27-r0", "9.18.28-r0", AIPKG_BUMP_PATCH },
	{ "8.9.0-r0", "8.10.1-r0", AIPKG_BUMP_MINOR },
	{ "1.26.2-r0", "1.27.0-r0", AIPKG_BUMP_MINOR },
	{ "2.0_rc1-r0", "2.0-r0", AIPKG_BUMP_MINOR },
	{ "20240226-r0", "20240705-r0", AIPKG_BUMP_MINOR },
	{ "3.3.0-r0", "4.0.0-r0", AIPKG_BUMP_MAJOR },
	{ "1.9.9", "2.0_rc1", AIPKG_BUMP_MAJOR },
	{ "9-r0", "10-r0", AIPKG_BUMP_MAJOR },
	{ "1.2.3-r1", "1.2.3-r1", AIPKG_BUMP_NONE },
	{ "1.2.4-r0", "1.2.3-r0", AIPKG_BUMP_NONE },
	{ "not a version", "1.0", AIPKG_BUMP_NONE },
};

static void test_version_steps(void **state)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		enum aipkg_bump got = aipkg_agent_bump(pairs[i].from, pairs[i].to);

		if (got != pairs[i].bump)
			fail_msg("%s -> %s: %s, wanted %s", pairs[i].from, pairs[i].to,
				 aipkg_agent_bump_name(got), aipkg_agent_bump_name(pairs[i].bump));
	}
}

static enum aipkg_risk risk_of(const struct aipkg_agent_config *cfg, const char *name,
			       const char *from, const char *to, size_t rdeps, size_t fixes,
			       struct aipkg_risk_result *r)
{
	struct aipkg_risk_input in = { name, from, to, rdeps, fixes };

	aipkg_agent_assess(cfg, &in, r);
	return r->risk;
}

static void test_the_risk_table(void **state)
{
	struct aipkg_agent_config cfg = { .reverse_deps_high = 10 };
	struct aipkg_risk_result r;

	assert_int_equal(risk_of(&cfg, "zlib", "1.3.1-r0", "1.3.1-r1", 0, 0, &r), AIPKG_RISK_LOW);
	assert_string_equal(r.reason, "revision-only rebuild");
	assert_int_equal(risk_of(&cfg, "htop", "3.3.0", "3.3.1", 0, 0, &r), AIPKG_RISK_LOW);
	assert_int_equal(risk_of(&cfg, "curl", "8.9.0", "8.10.1", 0, 0, &r), AIPKG_RISK_MEDIUM);
	assert_int_equal(risk_of(&cfg, "htop", "3.3.0", "4.0.0", 0, 0, &r), AIPKG_RISK_HIGH);
	/* core packages: any bump is at least medium */
	assert_int_equal(risk_of(&cfg, "musl", "1.2.5-r0", "1.2.5-r1", 0, 0, &r), AIPKG_RISK_MEDIUM);
	assert_true(r.core);
	assert_non_null(strstr(r.reason, "core package"));
	assert_int_equal(risk_of(&cfg, "linux-lts", "6.6.1-r0", "6.6.2-r0", 0, 0, &r),
			 AIPKG_RISK_MEDIUM);
	assert_int_equal(risk_of(&cfg, "libcrypto3", "3.3.1", "3.3.2", 0, 0, &r), AIPKG_RISK_MEDIUM);
	assert_int_equal(risk_of(&cfg, "busybox", "1.36.1", "2.0.0", 0, 0, &r), AIPKG_RISK_HIGH);
	/* many reverse dependencies */
	assert_int_equal(risk_of(&cfg, "pcre2", "10.43-r0", "10.43-r1", 12, 0, &r), AIPKG_RISK_HIGH);
	assert_non_null(strstr(r.reason, "12 installed packages depend on it"));
	assert_int_equal(risk_of(&cfg, "pcre2", "10.43-r0", "10.43-r1", 9, 0, &r), AIPKG_RISK_LOW);
	/* a security fix says so */
	assert_int_equal(risk_of(&cfg, "lighttpd", "1.4.76-r0", "1.4.76-r1", 0, 2, &r),
			 AIPKG_RISK_LOW);
	assert_true(r.security);
	assert_non_null(strstr(r.reason, "fixes 2 known vulnerabilities"));
}

static void test_configured_lists(void **state)
{
	char *core[] = { "mydb", "py3-*" }, *high[] = { "postgresql*" };
	struct aipkg_agent_config cfg = { .core_packages = core, .core_packages_n = 2,
					  .high_packages = high, .high_packages_n = 1 };
	struct aipkg_risk_result r;

	assert_int_equal(risk_of(&cfg, "py3-yaml", "6.0-r0", "6.0-r1", 0, 0, &r), AIPKG_RISK_MEDIUM);
	/* the configured list replaces the built-in one */
	assert_int_equal(risk_of(&cfg, "musl", "1.2.5-r0", "1.2.5-r1", 0, 0, &r), AIPKG_RISK_LOW);
	assert_int_equal(risk_of(&cfg, "postgresql16", "16.1-r0", "16.1-r1", 0, 0, &r),
			 AIPKG_RISK_HIGH);
	assert_non_null(strstr(r.reason, "agent.high_packages"));
	/* reverse_deps_high 0: never */
	assert_int_equal(risk_of(&cfg, "zlib", "1.3-r0", "1.3-r1", 500, 0, &r), AIPKG_RISK_LOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_steps),
		cmocka_unit_test(test_the_risk_table),
		cmocka_unit_test(test_configured_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
