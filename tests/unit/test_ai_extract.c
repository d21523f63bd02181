/* Unit tests of ai/extract.c and ai/plan.c: finding the JSON in a model's answer, cleaning its text. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/extract.h"
#include "ai/llm.h"
#include "ai/plan.h"
#include "aipkg/error.h"
#include "buf.h"

/* The name of the first package of the object found in TEXT, or NULL. */
static char *first_name(const char *text)
{
	json_t *v = NULL;
	char *name = NULL;

	if (aipkg_ai_extract_json(text, strlen(text), &v) == 0) {
		json_t *p = json_array_get(json_object_get(v, "packages"), 0);
		const char *n = json_string_value(json_object_get(p, "name"));

		name = strdup(n ? n : "");
	}
	json_decref(v);
	return name;
}

static void expect_name(const char *text, const char *name)
{
	char *got = first_name(text);

	if (!name) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, name);
	free(got);
}

static void test_whole(void **state)
{
	expect_name("{\"packages\":[{\"name\":\"nginx\",\"reason\":\"x\"}]}", "nginx");
	expect_name("  \n{\"packages\":[{\"name\":\"nginx\"}]}\n\n", "nginx");
}

static void test_fences(void **state)
{
	expect_name("Here is the plan:\n```json\n{\"packages\":[{\"name\":\"vim\"}]}\n```\nEnjoy!",
		    "vim");
	expect_name("```\n{\"packages\":[{\"name\":\"nano\"}]}\n```", "nano");
	/* a fence never closed: the object is still there */
	expect_name("```json\n{\"packages\":[{\"name\":\"git\"}]}", "git");
	/* the fence holds prose around the object */
	expect_name("```json\nSure! {\"packages\":[{\"name\":\"jq\"}]} done\n```", "jq");
}

static void test_prose(void **state)
{
	expect_name("Sure! I recommend {\"packages\":[{\"name\":\"htop\",\"reason\":\"top\"}]} "
		    "- let me know if you need more.",
		    "htop");
	/* a brace in prose before the real object */
	expect_name("Use {this} format: {\"packages\":[{\"name\":\"tmux\"}]}", "tmux");
	/* braces and quotes inside strings do not unbalance anything */
	expect_name("x {\"packages\":[{\"name\":\"curl\",\"reason\":\"for } and { and \\\" \"}]} y",
		    "curl");
}

static void test_no_object(void **state)
{
	json_t *v = (json_t *)1;

	expect_name("I'm sorry, I cannot help with that.", NULL);
	expect_name("", NULL);
	expect_name("{\"packages\": [", NULL);
	expect_name("[1, 2, 3]", NULL);
	expect_name("```json\n```", NULL);
	assert_int_equal(aipkg_ai_extract_json("nothing", 7, &v), -AIPKG_E_BADANSWER);
	assert_null(v);
}

/* Not NUL-terminated: only LEN bytes are looked at. */
static void test_length(void **state)
{
	const char text[] = "{\"packages\":[{\"name\":\"a\"}]}{\"packages\":[{\"name\":\"b\"}]}";
	json_t *v = NULL;

	assert_int_equal(aipkg_ai_extract_json(text, 27, &v), 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(v, "packages"), 0), "name")),
			    "a");
	json_decref(v);
	assert_int_equal(aipkg_ai_extract_json(text, 20, &v), -AIPKG_E_BADANSWER);
}

/* A hostile answer made of braces costs little. */
static void test_hostile_fast(void **state)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 1);
	clock_t start = clock();
	json_t *v = NULL;

	memset(text, '{', n);
	text[n] = '\0';
	assert_int_equal(aipkg_ai_extract_json(text, n, &v), -AIPKG_E_BADANSWER);
	for (size_t i = 0; i < n; i += 2)
		text[i] = '"';
	assert_int_equal(aipkg_ai_extract_json(text, n, &v), -AIPKG_E_BADANSWER);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
	free(text);
}

static void test_clean(void **state)
{
	char *s = aipkg_ai_clean("ok \033[31mred\033[0m\n\ttab\x7f", 100);

	assert_string_equal(s, "ok ?[31mred?[0m  tab?");
	free(s);
	s = aipkg_ai_clean("caf\xc3\xa9 \xff\xfe", 100);
	assert_string_equal(s, "caf\xc3\xa9 ??");
	free(s);
	s = aipkg_ai_clean("abcdefghij", 5);
	assert_string_equal(s, "abcde...");
	free(s);
	/* never cut inside a character */
	s = aipkg_ai_clean("ab\xc3\xa9", 3);
	assert_string_equal(s, "ab...");
	free(s);
	s = aipkg_ai_clean(NULL, 10);
	assert_string_equal(s, "");
	free(s);
}

/* A plan's text is data: exact in JSON and the journal, escaped only
 * where a terminal shows it; cut short and valid UTF-8 all the same. */
static void test_text_keeps_controls(void **state)
{
	char *s = aipkg_ai_text("ok \033[31mred\033[0m\n\ttab\x7f", 100);
	struct aipkg_plan plan;
	char *dump;

	(void)state;
	assert_string_equal(s, "ok \033[31mred\033[0m\n\ttab\x7f");
	free(s);
	s = aipkg_ai_text("caf\xc3\xa9 \xff\xfe", 100);
	assert_string_equal(s, "caf\xc3\xa9 ??");
	free(s);
	s = aipkg_ai_text("ab\xc3\xa9", 3);
	assert_string_equal(s, "ab...");
	free(s);
	aipkg_plan_init(&plan);
	aipkg_plan_add(&plan, "htop", "line one\nline \033[2Jtwo", NULL);
	aipkg_plan_reject(&plan, "bad\tname", "said \"%s\"", "\033]0;title\007");
	dump = json_dumps(plan.packages, JSON_COMPACT);
	assert_string_equal(dump, "[{\"name\":\"htop\",\"reason\":\"line one\\nline \\u001B[2Jtwo\"}]");
	free(dump);
	assert_string_equal(json_string_value(json_object_get(json_array_get(plan.rejected, 0), "why")),
			    "said \"\033]0;title\007\"");
	assert_string_equal(json_string_value(json_object_get(json_array_get(plan.rejected, 0), "name")),
			    "bad\tname");
	aipkg_plan_release(&plan);
}

static void test_retry_after(void **state)
{
	long long now = 1717243200; /* Sat, 01 Jun 2024 12:00:00 GMT */

	assert_true(aipkg_llm_retry_after("3", now) == 3.0);
	assert_true(aipkg_llm_retry_after("0", now) == 0.0);
	assert_true(aipkg_llm_retry_after("Sat, 01 Jun 2024 12:00:10 GMT", now) == 10.0);
	assert_true(aipkg_llm_retry_after("Sat, 01 Jun 2024 11:00:00 GMT", now) == 0.0);
	assert_true(aipkg_llm_retry_after("soon", now) < 0);
	assert_true(aipkg_llm_retry_after("-5", now) < 0);
	assert_true(aipkg_llm_retry_after(NULL, now) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),        cmocka_unit_test(test_fences),
		cmocka_unit_test(test_prose),        cmocka_unit_test(test_no_object),
		cmocka_unit_test(test_length),       cmocka_unit_test(test_hostile_fast),
		cmocka_unit_test(test_clean),        cmocka_unit_test(test_text_keeps_controls),
		cmocka_unit_test(test_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
