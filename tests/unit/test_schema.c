/* Unit tests of tools/schema.c: checking a tool's JSON arguments against its schema. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "aipkg/error.h"
#include "ctx.h"
#include "tools/tools.h"

/* The shape of pkg.install's and pkg.list's schemas, plus minimum. */
static const char install_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"packages\":{\"type\":\"array\",\"maxItems\":3,"
	"\"items\":{\"type\":\"string\",\"maxLength\":8}},"
	"\"filter\":{\"type\":\"string\",\"enum\":[\"installed\",\"world\"]},"
	"\"limit\":{\"type\":\"integer\",\"minimum\":1},"
	"\"confirm\":{\"type\":\"boolean\"},"
	"\"options\":{\"type\":\"object\",\"properties\":{\"depth\":{\"type\":\"integer\"}}}},"
	"\"required\":[\"packages\"],\"additionalProperties\":false}";

static char root[] = "/tmp/aipkg-test-schema-XXXXXX";

static int setup(void **state)
{
	struct aipkg_opts opts = { 0 };
	struct aipkg_ctx *ctx;

	if (!mkdtemp(root))
		return -1;
	opts.root = root;
	if (aipkg_ctx_new(&ctx, &opts, NULL) != 0)
		return -1;
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	aipkg_ctx_free(*state);
	return rmdir(root);
}

static int check(void **state, const char *schema_text, const char *args_text)
{
	json_t *schema = json_loads(schema_text, 0, NULL);
	json_t *args = json_loads(args_text, JSON_DECODE_ANY, NULL);
	int r;

	assert_non_null(schema);
	assert_non_null(args);
	r = aipkg_schema_check(*state, schema, args);
	json_decref(schema);
	json_decref(args);
	return r;
}

static void accepted(void **state, const char *args)
{
	if (check(state, install_schema, args) != 0)
		fail_msg("%s refused: %s", args, aipkg_ctx_errmsg(*state));
}

static void refused(void **state, const char *args, const char *why)
{
	assert_int_equal(check(state, install_schema, args), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state), why);
}

static void test_valid_arguments_pass(void **state)
{
	accepted(state, "{\"packages\":[]}");
	accepted(state, "{\"packages\":[\"nginx\",\"curl\",\"12345678\"],\"confirm\":true}");
	accepted(state, "{\"packages\":[\"x\"],\"filter\":\"world\",\"limit\":1}");
	accepted(state, "{\"packages\":[\"x\"],\"options\":{\"depth\":2}}");
}

static void test_a_missing_required_argument(void **state)
{
	refused(state, "{}", "arguments: missing required argument 'packages'");
	refused(state, "{\"confirm\":true}", "arguments: missing required argument 'packages'");
}

static void test_an_unknown_extra_argument(void **state)
{
	/* the message says what would have been accepted */
	refused(state, "{\"packages\":[],\"force\":true}",
		"arguments: unknown argument 'force' (expected: packages, filter, limit, confirm, "
		"options)");
	refused(state, "{\"packages\":[],\"options\":{\"width\":1}}",
		"arguments.options: unknown argument 'width' (expected: depth)");
	assert_int_equal(check(state, "{\"type\":\"object\"}", "{\"x\":1}"), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state),
			    "arguments: unknown argument 'x' (this takes no arguments)");
}

static void test_type_errors_name_the_argument(void **state)
{
	refused(state, "[]", "arguments: must be an object, not an array");
	refused(state, "{\"packages\":\"nginx\"}",
		"arguments.packages: must be an array, not a string");
	refused(state, "{\"packages\":[],\"confirm\":\"yes\"}",
		"arguments.confirm: must be a boolean, not a string");
	refused(state, "{\"packages\":[],\"confirm\":null}",
		"arguments.confirm: must be a boolean, not null");
	refused(state, "{\"packages\":[],\"limit\":2.5}",
		"arguments.limit: must be an integer, not a number");
	refused(state, "{\"packages\":[],\"limit\":\"2\"}",
		"arguments.limit: must be an integer, not a string");
	refused(state, "{\"packages\":[],\"options\":{\"depth\":false}}",
		"arguments.options.depth: must be an integer, not a boolean");
}

static void test_nested_array_items_are_checked(void **state)
{
	refused(state, "{\"packages\":[\"nginx\",42]}",
		"arguments.packages[1]: must be a string, not an integer");
	refused(state, "{\"packages\":[[\"nginx\"]]}",
		"arguments.packages[0]: must be a string, not an array");
	refused(state, "{\"packages\":[{}]}",
		"arguments.packages[0]: must be a string, not an object");
}

static void test_enum(void **state)
{
	accepted(state, "{\"packages\":[],\"filter\":\"installed\"}");
	refused(state, "{\"packages\":[],\"filter\":\"Installed\"}",
		"arguments.filter: must be one of \"installed\", \"world\"");
	refused(state, "{\"packages\":[],\"filter\":\"\"}",
		"arguments.filter: must be one of \"installed\", \"world\"");
}

static void test_max_length(void **state)
{
	refused(state, "{\"packages\":[\"123456789\"]}",
		"arguments.packages[0]: longer than 8 characters");
	/* characters, not bytes: eight two-byte characters fit */
	accepted(state, "{\"packages\":[\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"]}");
}

static void test_max_items(void **state)
{
	refused(state, "{\"packages\":[\"a\",\"b\",\"c\",\"d\"]}",
		"arguments.packages: more than 3 items");
}

static void test_minimum(void **state)
{
	refused(state, "{\"packages\":[],\"limit\":0}", "arguments.limit: must be at least 1");
	refused(state, "{\"packages\":[],\"limit\":-5}", "arguments.limit: must be at least 1");
}

static void test_strings_without_max_length_are_still_capped(void **state)
{
	const char *schema = "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}";
	size_t n = (64 << 10) + 1;
	char *big = malloc(n + 1);
	json_t *s, *args;

	memset(big, 'x', n);
	big[n] = '\0';
	s = json_loads(schema, 0, NULL);
	args = json_pack("{s:s}", "q", big);
	assert_int_equal(aipkg_schema_check(*state, s, args), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state), "arguments.q: longer than 65536 characters");
	big[n - 1] = '\0';
	json_object_set_new(args, "q", json_string(big));
	assert_int_equal(aipkg_schema_check(*state, s, args), 0);
	json_decref(s);
	json_decref(args);
	free(big);
}

static void test_a_number_type_accepts_integers_and_reals(void **state)
{
	const char *schema = "{\"type\":\"number\"}";

	assert_int_equal(check(state, schema, "1"), 0);
	assert_int_equal(check(state, schema, "1.5"), 0);
	assert_int_equal(check(state, schema, "\"1\""), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state), "arguments: must be a number, not a string");
}

static void test_lower_and_upper_bounds(void **state)
{
	const char *schema = "{\"type\":\"object\",\"properties\":{"
			     "\"n\":{\"type\":\"integer\",\"maximum\":10},"
			     "\"s\":{\"type\":\"string\",\"minLength\":2},"
			     "\"a\":{\"type\":\"array\",\"minItems\":1}}}";

	assert_int_equal(check(state, schema, "{\"n\":10,\"s\":\"ab\",\"a\":[1]}"), 0);
	assert_int_equal(check(state, schema, "{\"n\":11}"), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state), "arguments.n: must be at most 10");
	assert_int_equal(check(state, schema, "{\"s\":\"a\"}"), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state), "arguments.s: shorter than 2 characters");
	assert_int_equal(check(state, schema, "{\"a\":[]}"), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state), "arguments.a: fewer than 1 item");
}

static void test_a_list_of_types(void **state)
{
	const char *schema = "{\"type\":[\"integer\",\"string\"]}";

	assert_int_equal(check(state, schema, "3"), 0);
	assert_int_equal(check(state, schema, "\"3\""), 0);
	assert_int_equal(check(state, schema, "true"), -AIPKG_E_USAGE);
	assert_string_equal(aipkg_ctx_errmsg(*state),
			    "arguments: must be an integer or a string, not a boolean");
}

static void test_additional_properties_can_be_allowed(void **state)
{
	const char *schema = "{\"type\":\"object\",\"additionalProperties\":true}";

	assert_int_equal(check(state, schema, "{\"anything\":[1,2]}"), 0);
}

static void test_keywords_the_checker_would_not_enforce_are_found(void **state)
{
	json_t *ok = json_loads(install_schema, 0, NULL);
	json_t *bad = json_loads("{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"array\","
				 "\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}}}}",
				 0, NULL);

	assert_null(aipkg_schema_unsupported(ok));
	assert_string_equal(aipkg_schema_unsupported(bad), "pattern");
	json_decref(ok);
	json_decref(bad);
}

static void test_every_registered_schema_accepts_its_minimal_arguments(void **state)
{
	size_t n;
	const struct aipkg_tool *tools = aipkg_tools(&n);

	for (size_t i = 0; i < n; i++) {
		json_t *schema = json_loads(tools[i].schema, 0, NULL), *args = json_object();
		json_t *req = json_object_get(schema, "required"), *name;
		size_t j;

		if (!schema)
			fail_msg("%s: schema is not JSON", tools[i].name);
		/* fill each required argument with a value of its type */
		json_array_foreach(req, j, name) {
			const char *key = json_string_value(name);
			const json_t *props = json_object_get(schema, "properties");
			const json_t *prop = json_object_get(props, key);
			const char *type = json_string_value(json_object_get(prop, "type"));

			json_object_set_new(args, key,
					    strcmp(type, "array") == 0 ? json_array()
								       : json_string("nginx"));
		}
		if (aipkg_schema_unsupported(schema))
			fail_msg("%s: '%s' would not be enforced", tools[i].name,
				 aipkg_schema_unsupported(schema));
		if (aipkg_tool_check(*state, &tools[i], json_array_size(req) ? args : NULL) != 0)
			fail_msg("%s: %s", tools[i].name, aipkg_ctx_errmsg(*state));
		json_decref(schema);
		json_decref(args);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_arguments_pass),
		cmocka_unit_test(test_a_missing_required_argument),
		cmocka_unit_test(test_an_unknown_extra_argument),
		cmocka_unit_test(test_type_errors_name_the_argument),
		cmocka_unit_test(test_nested_array_items_are_checked),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_max_length),
		cmocka_unit_test(test_max_items),
		cmocka_unit_test(test_minimum),
		cmocka_unit_test(test_strings_without_max_length_are_still_capped),
		cmocka_unit_test(test_a_number_type_accepts_integers_and_reals),
		cmocka_unit_test(test_lower_and_upper_bounds),
		cmocka_unit_test(test_a_list_of_types),
		cmocka_unit_test(test_additional_properties_can_be_allowed),
		cmocka_unit_test(test_keywords_the_checker_would_not_enforce_are_found),
		cmocka_unit_test(test_every_registered_schema_accepts_its_minimal_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
