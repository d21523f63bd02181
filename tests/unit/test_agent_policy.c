/* Unit tests of the agent's policy: the agent: configuration, globs, the window, actions. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "agent/agent.h"
#include "aipkg/error.h"
#include "config.h"

static int load(const char *text, struct aipkg_config *cfg, struct aipkg_buf *err)
{
	return aipkg_config_load_text(cfg, "aipkg.yaml", text, strlen(text), err);
}

static void test_defaults(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load("", &cfg, &err), 0);
	assert_int_equal(aipkg_agent_policy(&cfg.agent, AIPKG_RISK_LOW, false), AIPKG_ACTION_APPLY);
	assert_int_equal(aipkg_agent_policy(&cfg.agent, AIPKG_RISK_MEDIUM, false),
			 AIPKG_ACTION_SANDBOX);
	assert_int_equal(aipkg_agent_policy(&cfg.agent, AIPKG_RISK_HIGH, false), AIPKG_ACTION_DEFER);
	assert_int_equal(aipkg_agent_policy(&cfg.agent, AIPKG_RISK_HIGH, true), AIPKG_ACTION_SANDBOX);
	assert_int_equal(cfg.agent.reverse_deps_high, 10);
	assert_true(cfg.agent.sandbox_timeout == 600);
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_every_agent_key(void **state)
{
	static const char text[] =
		"agent:\n"
		"  policy: {low: sandbox, medium: defer, high: defer, security: apply}\n"
		"  core_packages: [musl, 'linux-*']\n"
		"  high_packages: postgresql\n"
		"  deny: [bind-tools, 'py3-*']\n"
		"  allow: ['*']\n"
		"  checks:\n    nginx: \"nginx -t\"\n    'php*': \"php -v\"\n"
		"  notify: {webhook: 'http://127.0.0.1:1/hook', command: \"mail -s report root\", "
		"syslog: true}\n"
		"  min_age: 86400\n  window: \"22:00-04:00\"\n  max_packages: 5\n"
		"  reverse_deps_high: 3\n  sandbox_timeout: 30\n  review: yes\n";
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load(text, &cfg, &err), 0);
	assert_int_equal(aipkg_agent_policy(&cfg.agent, AIPKG_RISK_LOW, false), AIPKG_ACTION_SANDBOX);
	assert_int_equal(aipkg_agent_policy(&cfg.agent, AIPKG_RISK_HIGH, true), AIPKG_ACTION_APPLY);
	assert_int_equal(cfg.agent.core_packages_n, 2);
	assert_int_equal(cfg.agent.high_packages_n, 1);
	assert_true(aipkg_agent_glob_any(cfg.agent.deny, cfg.agent.deny_n, "py3-yaml"));
	assert_false(aipkg_agent_glob_any(cfg.agent.deny, cfg.agent.deny_n, "py3"));
	assert_string_equal(aipkg_agent_check_for(&cfg.agent, "nginx"), "nginx -t");
	assert_string_equal(aipkg_agent_check_for(&cfg.agent, "php83"), "php -v");
	assert_null(aipkg_agent_check_for(&cfg.agent, "curl"));
	assert_int_equal(cfg.agent.notify_command_n, 4);
	assert_true(cfg.agent.notify_syslog);
	assert_true(cfg.agent.review);
	assert_int_equal(cfg.agent.max_packages, 5);
	assert_string_equal(cfg.agent.window, "22:00-04:00");
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void expect_error(const char *text, const char *msg)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load(text, &cfg, &err), -AIPKG_E_CONFIG);
	if (!strstr(aipkg_buf_str(&err), msg))
		fail_msg("'%s' does not say '%s'", aipkg_buf_str(&err), msg);
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_bad_values_name_file_line_and_key(void **state)
{
	expect_error("agent:\n  policy:\n    low: yolo\n",
		     "aipkg.yaml:3: 'agent.policy.low' must be one of apply|sandbox|defer");
	expect_error("agent:\n  polcy: {}\n", "aipkg.yaml:2: unknown key 'agent.polcy'");
	expect_error("agent:\n  window: \"2am-5am\"\n", "aipkg.yaml:2: 'agent.window'");
	expect_error("agent:\n  window: \"02:00-02:00\"\n", "'agent.window'");
	expect_error("agent:\n  deny: {a: b}\n", "'agent.deny' must be a list of names");
	expect_error("agent:\n  deny: ['two words']\n", "'agent.deny' must be a list");
	expect_error("agent:\n  checks: [nginx]\n", "'agent.checks' must be a mapping");
	expect_error("agent:\n  notify:\n    syslog: maybe\n", "'agent.notify.syslog' must be true");
}

static time_t at(int hour, int min)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 24, .tm_hour = hour,
			 .tm_min = min, .tm_isdst = -1 };

	return mktime(&tm);
}

static void test_the_window(void **state)
{
	assert_true(aipkg_agent_in_window(NULL, at(12, 0)));
	assert_true(aipkg_agent_in_window("02:00-05:00", at(2, 0)));
	assert_true(aipkg_agent_in_window("02:00-05:00", at(4, 59)));
	assert_false(aipkg_agent_in_window("02:00-05:00", at(5, 0)));
	assert_false(aipkg_agent_in_window("02:00-05:00", at(1, 59)));
	assert_true(aipkg_agent_in_window("22:00-04:00", at(23, 30)));
	assert_true(aipkg_agent_in_window("22:00-04:00", at(3, 0)));
	assert_false(aipkg_agent_in_window("22:00-04:00", at(12, 0)));
}

static void test_careful_only_tightens(void **state)
{
	assert_int_equal(aipkg_agent_careful(AIPKG_ACTION_APPLY, AIPKG_ACTION_DEFER),
			 AIPKG_ACTION_DEFER);
	assert_int_equal(aipkg_agent_careful(AIPKG_ACTION_DEFER, AIPKG_ACTION_APPLY),
			 AIPKG_ACTION_DEFER);
	assert_int_equal(aipkg_agent_action_parse("sandbox"), AIPKG_ACTION_SANDBOX);
	assert_int_equal(aipkg_agent_action_parse("Apply"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_agent_key),
		cmocka_unit_test(test_bad_values_name_file_line_and_key),
		cmocka_unit_test(test_the_window),
		cmocka_unit_test(test_careful_only_tightens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
