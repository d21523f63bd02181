/* Unit tests of ansible/params.c: a task's arguments checked and converted as Ansible does. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aipkg/error.h"
#include "ansible/ansible.h"

/* Check TEXT (a JSON object); returns the result, P and ERR filled. */
static int check(const char *text, struct ans_params *p, struct aipkg_buf *err)
{
	json_t *args = json_loads(text, 0, NULL);
	int r;

	assert_non_null(args);
	aipkg_buf_reset(err);
	r = aipkg_ansible_params(args, p, err);
	/* the strings P borrows live as long as ARGS: keep it with P */
	json_object_set_new(p->given ? p->given : (p->given = json_object()), "_args", args);
	return r;
}

static void expect_error(const char *text, const char *msg)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;

	assert_int_equal(check(text, &p, &err), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_buf_str(&err), msg);
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "true", "1", "\"yes\"", "\"On\"", "\"Y\"", "\"t\"",
					   "\"TRUE\"", "1.0" };
	static const char *const no[] = { "false", "0", "\"no\"", "\"OFF\"", "\"n\"", "\"False\"",
					  "0.0", "\"0\"" };
	struct aipkg_buf err = AIPKG_BUF_INIT;
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		struct ans_params p, q;

		snprintf(text, sizeof(text), "{\"update_cache\": %s}", yes[i]);
		assert_int_equal(check(text, &p, &err), 0);
		assert_true(p.update_cache);
		snprintf(text, sizeof(text), "{\"update_cache\": %s, \"upgrade\": true}", no[i]);
		assert_int_equal(check(text, &q, &err), 0);
		assert_false(q.update_cache);
		aipkg_ansible_params_release(&p);
		aipkg_ansible_params_release(&q);
	}
	aipkg_buf_release(&err);
	expect_error("{\"update_cache\": \"maybe\"}",
		     "argument 'update_cache' is of type str and we were unable to convert to bool: "
		     "the value 'maybe' is not a valid boolean; use true or false (yes/no, on/off, "
		     "1/0 work too)");
	expect_error("{\"upgrade\": 2}", "argument 'upgrade' is of type int and we were unable to "
					 "convert to bool; use true or false");
}

static void test_lists(void **state)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;
	char *text;

	(void)state;
	/* "foo,bar" as Ansible's type=list splits it; blanks and empty items go */
	assert_int_equal(check("{\"name\": \" nginx, curl,,\"}", &p, &err), 0);
	text = json_dumps(p.name, JSON_COMPACT);
	assert_string_equal(text, "[\"nginx\",\"curl\"]");
	free(text);
	aipkg_ansible_params_release(&p);
	assert_int_equal(check("{\"name\": [\"nginx\", 7, \"\"], \"state\": \"latest\"}", &p, &err),
			 0);
	text = json_dumps(p.name, JSON_COMPACT);
	assert_string_equal(text, "[\"nginx\",\"7\"]");
	assert_int_equal(p.state, ANS_LATEST);
	free(text);
	aipkg_ansible_params_release(&p);
	/* an empty list is a task with nothing to do, not a missing name */
	assert_int_equal(check("{\"name\": []}", &p, &err), 0);
	assert_int_equal(json_array_size(p.name), 0);
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
	expect_error("{\"name\": [[\"nginx\"]]}", "elements of 'name' must be strings, not list");
	expect_error("{\"name\": {\"a\": 1}}",
		     "argument 'name' is of type dict and we were unable to convert to list; give "
		     "a list of names or \"name1,name2\"");
}

static void test_unknown_and_internal(void **state)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;
	char *text;

	(void)state;
	/* Ansible's own keys, those of a newer Ansible too, are no error */
	assert_int_equal(check("{\"name\": \"nginx\", \"_ansible_check_mode\": true, "
			       "\"_ansible_diff\": \"yes\", \"_ansible_verbosity\": 3, "
			       "\"_ansible_future_key\": {}, \"state\": null}",
			       &p, &err),
			 0);
	assert_true(p.check_mode);
	assert_true(p.diff);
	assert_int_equal(p.state, ANS_PRESENT);
	assert_false(p.state_given);
	/* the journal's command line: the task's own parameters, not Ansible's */
	json_object_del(p.given, "_args");
	text = json_dumps(p.given, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"name\":\"nginx\"}");
	free(text);
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
	expect_error("{\"name\": \"x\", \"pkg\": 1, \"upgrde\": true}",
		     "Unsupported parameters for (aipkg) module: pkg, upgrde. Supported parameters "
		     "include: available, check_vuln, force, lock_timeout, name, no_cache, plan_only, "
		     "rdepends, repository, rollback, root, state, update_cache, upgrade, world.");
	expect_error("[]", "the arguments file holds a JSON list, not an object of parameters");
}

static void test_rollback_and_vuln(void **state)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;

	(void)state;
	assert_int_equal(check("{\"rollback\": \"last\"}", &p, &err), 0);
	assert_int_equal(p.rollback, ANS_ROLLBACK_LAST);
	aipkg_ansible_params_release(&p);
	/* "{{ result.id }}" renders as a string */
	assert_int_equal(check("{\"rollback\": \"42\", \"force\": \"yes\"}", &p, &err), 0);
	assert_int_equal(p.rollback, 42);
	assert_true(p.force);
	aipkg_ansible_params_release(&p);
	assert_int_equal(check("{\"check_vuln\": {\"fail_on\": \"high\", \"refresh\": \"no\", "
			       "\"packages\": \"curl,openssl\"}, \"lock_timeout\": \"2.5\"}",
			       &p, &err),
			 0);
	assert_true(p.check_vuln);
	assert_string_equal(p.fail_on, "high");
	assert_false(p.vuln_refresh);
	assert_int_equal(json_array_size(p.vuln_packages), 2);
	assert_true(p.lock_timeout == 2.5);
	aipkg_ansible_params_release(&p);
	assert_int_equal(check("{\"check_vuln\": true}", &p, &err), 0);
	assert_true(p.check_vuln);
	assert_null(p.fail_on);
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
	expect_error("{\"rollback\": 0}",
		     "rollback takes an operation id (see 'aipkg history') or 'last', not a value "
		     "of type int");
	expect_error("{\"rollback\": \"12x\"}",
		     "rollback takes an operation id (see 'aipkg history') or 'last', not '12x'");
	expect_error("{\"check_vuln\": {\"fail_on\": \"severe\"}}",
		     "value of check_vuln.fail_on must be one of: any, critical, high, medium, low, "
		     "got: severe");
	expect_error("{\"check_vuln\": \"high\"}",
		     "check_vuln takes a dictionary such as {fail_on: high} (or true: report "
		     "without a gate), not a value of type str");
	expect_error("{\"upgrade\": true, \"lock_timeout\": -1}",
		     "argument 'lock_timeout' takes a number of seconds from 0 to 1000000000");
}

static void test_combinations(void **state)
{
	(void)state;
	expect_error("{\"name\": \"nginx\", \"upgrade\": true}",
		     "parameters are mutually exclusive: name|upgrade");
	expect_error("{\"rollback\": 3, \"name\": \"nginx\"}",
		     "parameters are mutually exclusive: rollback|name");
	expect_error("{\"plan_only\": true, \"rollback\": \"last\"}",
		     "parameters are mutually exclusive: plan_only|rollback");
	expect_error("{\"state\": \"absent\"}",
		     "one of the following is required: name, update_cache, upgrade, rollback, "
		     "check_vuln, plan_only");
	expect_error("{\"state\": \"latest\", \"update_cache\": true}",
		     "state latest needs name: the packages to act on");
	expect_error("{\"name\": \"nginx\", \"state\": \"gone\"}",
		     "value of state must be one of: present, installed, absent, removed, latest, "
		     "locked, unlocked, got: gone");
	expect_error("{\"name\": \"curl>=8\", \"state\": \"locked\"}",
		     "state locked takes package names without a version, not 'curl>=8'");
	expect_error("{\"name\": \"nginx\", \"world\": \"/etc/apk/world.custom\"}",
		     "world: aipkg reads and changes the world file apk uses, ROOT/etc/apk/world, "
		     "never '/etc/apk/world.custom'; to manage another system's packages give "
		     "root: (the directory it is installed under)");
	expect_error("{\"name\": \"nginx\", \"root\": 7}",
		     "argument 'root' is of type int and must be a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_unknown_and_internal),
		cmocka_unit_test(test_rollback_and_vuln),
		cmocka_unit_test(test_combinations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
