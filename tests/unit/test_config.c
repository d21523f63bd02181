/* Unit tests of config.c: aipkg.yaml defaults, keys, types and exact error messages. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "config.h"

/* Each test writes its aipkg.yaml here; the path is part of every message. */
static char dir[] = "/tmp/aipkg-test-config-XXXXXX";
static char path[sizeof(dir) + 16];

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/aipkg.yaml", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return rmdir(dir);
}

static void write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Load TEXT; on success the config is in *cfg (release it). */
static int load(const char *text, struct aipkg_config *cfg, struct aipkg_buf *err)
{
	write_config(text);
	aipkg_buf_reset(err);
	return aipkg_config_load(cfg, path, true, err);
}

/* TEXT must be refused with exactly "PATH:MESSAGE". */
static void expect_error(const char *text, const char *message)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT, want = AIPKG_BUF_INIT;

	assert_int_equal(load(text, &cfg, &err), -AIPKG_E_CONFIG);
	aipkg_buf_addf(&want, "%s:%s", path, message);
	assert_string_equal(aipkg_buf_str(&err), aipkg_buf_str(&want));
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
	aipkg_buf_release(&want);
}

static void assert_words(char **words, size_t n, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		if (i >= n)
			fail_msg("only %zu words, expected '%s' next", n, want[i]);
		assert_string_equal(words[i], want[i]);
	}
	assert_int_equal(n, i);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- defaults ---- */

static void test_no_path_gives_the_defaults(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_config_load(&cfg, NULL, false, &err), 0);
	assert_null(cfg.path);
	assert_null(cfg.apk_command);
	assert_int_equal(cfg.apk_command_n, 0);
	assert_true(cfg.apk_timeout == 0);
	assert_int_equal(cfg.apk_wait, 600);
	assert_true(cfg.lock_timeout < 0); /* "not set": the command line decides */
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_a_missing_optional_file_gives_the_defaults(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_config_load(&cfg, "/nonexistent/etc/aipkg/aipkg.yaml", false, &err),
			 0);
	assert_null(cfg.path);
	assert_int_equal(cfg.apk_wait, 600);
	assert_string_equal(aipkg_buf_str(&err), "");
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_a_missing_required_file_is_an_error(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_config_load(&cfg, "/nonexistent/aipkg.yaml", true, &err),
			 -AIPKG_E_CONFIG);
	assert_string_equal(aipkg_buf_str(&err),
			    "cannot read the configuration file /nonexistent/aipkg.yaml: No such "
			    "file or directory (name an existing file; see aipkg.yaml(5))");
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_an_empty_file_gives_the_defaults(void **state)
{
	static const char *const empties[] = { "", "\n\n", "# just a comment\n", "---\n",
					       "apk:\n" };
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		if (load(empties[i], &cfg, &err) != 0)
			fail_msg("'%s' refused: %s", empties[i], aipkg_buf_str(&err));
		assert_string_equal(cfg.path, path);
		assert_null(cfg.apk_command);
		assert_int_equal(cfg.apk_wait, 600);
		aipkg_config_release(&cfg);
	}
	aipkg_buf_release(&err);
}

/* ---- a valid file ---- */

static void test_every_key_is_read(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load("# aipkg configuration\n"
			      "apk:\n"
			      "  command: /lib/ld-musl-x86_64.so.1 /sbin/apk.static\n"
			      "  timeout: 1800.5\n"
			      "  wait: 30\n"
			      "lock_timeout: 10\n",
			      &cfg, &err),
			 0);
	assert_string_equal(cfg.path, path);
	assert_words(cfg.apk_command, cfg.apk_command_n,
		     WORDS("/lib/ld-musl-x86_64.so.1", "/sbin/apk.static"));
	assert_true(cfg.apk_timeout == 1800.5);
	assert_int_equal(cfg.apk_wait, 30);
	assert_true(cfg.lock_timeout == 10);
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_command_as_a_string_honours_quotes(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load("apk:\n  command: \"'/opt/my apk/apk' --verbose\"\n", &cfg, &err), 0);
	assert_words(cfg.apk_command, cfg.apk_command_n, WORDS("/opt/my apk/apk", "--verbose"));
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_command_as_a_list(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load("apk:\n"
			      "  command:\n"
			      "    - /lib/ld-musl-x86_64.so.1\n"
			      "    - /sbin/apk.static\n",
			      &cfg, &err),
			 0);
	assert_words(cfg.apk_command, cfg.apk_command_n,
		     WORDS("/lib/ld-musl-x86_64.so.1", "/sbin/apk.static"));
	aipkg_config_release(&cfg);
	assert_int_equal(load("apk: {command: [apk]}\n", &cfg, &err), 0);
	assert_words(cfg.apk_command, cfg.apk_command_n, WORDS("apk"));
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_zero_means_no_timeout_and_no_wait(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;

	assert_int_equal(load("apk:\n  timeout: 0\n  wait: 0\nlock_timeout: 0\n", &cfg, &err), 0);
	assert_true(cfg.apk_timeout == 0);
	assert_int_equal(cfg.apk_wait, 0);
	assert_true(cfg.lock_timeout == 0);
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

static void test_the_settings_as_json(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;
	json_t *j;
	char *text;

	assert_int_equal(aipkg_config_load(&cfg, NULL, false, &err), 0);
	j = aipkg_config_json(&cfg);
	/* each subsystem adds its own section (vuln, journal, llm): look at
	 * this one's members, and that the language models default to none */
	json_object_del(j, "vuln");
	json_object_del(j, "journal");
	json_object_del(j, "agent");
	json_object_del(j, "doctor");
	text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	/* unset is null, never an internal -1 */
	assert_string_equal(text, "{\"apk\":{\"command\":[\"apk\"],\"timeout\":0,\"wait\":600},"
				  "\"file\":null,\"llm\":{\"strategic\":null,\"tactical\":null},"
				  "\"lock_timeout\":null}");
	free(text);
	json_decref(j);
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
}

/* ---- unknown keys and wrong types: "FILE:LINE: ..." ---- */

static void test_an_unknown_top_level_key(void **state)
{
	expect_error("apk:\n  wait: 5\nrepos: x\n",
		     "3: unknown key 'repos' (see aipkg.yaml(5))");
}

static void test_a_misspelt_nested_key(void **state)
{
	expect_error("apk:\n  comand: apk\n",
		     "2: unknown key 'apk.comand' (see aipkg.yaml(5))");
}

static void test_a_string_where_a_number_is_expected(void **state)
{
	expect_error("apk:\n  timeout: soon\n",
		     "2: 'apk.timeout' must be a number of seconds (0 or more)");
	expect_error("lock_timeout: 10s\n",
		     "1: 'lock_timeout' must be a number of seconds (0 or more)");
	expect_error("apk:\n  timeout: \"\"\n",
		     "2: 'apk.timeout' must be a number of seconds");
}

static void test_a_negative_number(void **state)
{
	expect_error("lock_timeout: -1\n",
		     "1: 'lock_timeout' must be a number of seconds (0 or more)");
	expect_error("apk:\n  wait: -5\n", "2: 'apk.wait' must be a whole number (0 or more)");
}

static void test_numbers_that_are_not_finite_or_too_large(void **state)
{
	expect_error("apk:\n  timeout: nan\n",
		     "2: 'apk.timeout' must be a number of seconds (0 or more)");
	expect_error("apk:\n  timeout: inf\n",
		     "2: 'apk.timeout' must be a number of seconds (0 or more)");
	expect_error("apk:\n  wait: 1e300\n", "2: 'apk.wait' must be a whole number (0 or more)");
}

static void test_a_fraction_for_apk_wait(void **state)
{
	expect_error("apk:\n  wait: 2.5\n", "2: 'apk.wait' must be a whole number (0 or more)");
}

static void test_a_list_or_mapping_where_a_number_is_expected(void **state)
{
	expect_error("apk:\n  wait: [1]\n", "2: 'apk.wait' must be a whole number");
	expect_error("apk:\n  timeout:\n    seconds: 5\n",
		     "3: 'apk.timeout' must be a number of seconds");
}

static void test_a_list_where_a_mapping_is_expected(void **state)
{
	expect_error("apk: [command, timeout]\n", "1: 'apk' must be a mapping");
	expect_error("apk:\n  - command\n", "2: 'apk' must be a mapping");
	expect_error("apk: apk\n", "1: 'apk' must be a mapping");
}

static void test_bad_commands(void **state)
{
	expect_error("apk:\n  command: \"\"\n", "2: 'apk.command' must not be empty");
	expect_error("apk:\n  command: \"'/opt/apk\"\n", "2: 'apk.command': unbalanced quotes");
	expect_error("apk:\n  command: []\n", "2: 'apk.command' must not be empty");
	expect_error("apk:\n  command: [\"/opt/my apk\"]\n",
		     "2: 'apk.command' must be a list of words without spaces or quotes");
	expect_error("apk:\n  command: [[apk]]\n",
		     "2: 'apk.command' must be a list of words without spaces or quotes");
	expect_error("apk:\n  command: {path: apk}\n",
		     "2: 'apk.command' must be a command (a string or a list of strings)");
}

/* The bug: the last of two won, so vuln.fail_on could silently become never. */
static void test_a_duplicate_key_names_both_lines(void **state)
{
	expect_error("vuln:\n  fail_on: critical\n  timeout: 5\n  fail_on: never\n",
		     "4: duplicate key 'vuln.fail_on' (also at line 2): aipkg does not guess which "
		     "one counts; keep one");
	expect_error("vuln:\n  timeout: 5\napk:\n  wait: 1\nvuln:\n  fail_on: never\n",
		     "5: duplicate key 'vuln' (also at line 1): aipkg does not guess which one "
		     "counts; keep one");
	expect_error("agent:\n  checks:\n    nginx: nginx -t\n    nginx: \"true\"\n",
		     "4: duplicate key 'agent.checks.nginx' (also at line 3): aipkg does not guess "
		     "which one counts; keep one");
	expect_error("agent: {deny: [a], deny: [b]}\n",
		     "1: duplicate key 'agent.deny' (also at line 1): aipkg does not guess which one "
		     "counts; keep one");
}

/* The bug: 400 KB of '[' kept libyaml busy for minutes. */
static void test_deep_flow_collections_are_refused_at_once(void **state)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;
	time_t start = time(NULL);

	aipkg_buf_addstr(&text, "agent:\n  deny: ");
	for (int i = 0; i < 100000; i++)
		aipkg_buf_addch(&text, '[');
	assert_int_equal(load(aipkg_buf_str(&text), &cfg, &err), -AIPKG_E_CONFIG);
	assert_non_null(strstr(aipkg_buf_str(&err), ":2: lists and mappings nested more than 16 deep"));
	assert_true(time(NULL) - start < 2);
	aipkg_config_release(&cfg);
	expect_error("apk: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: {a: 1}}}}"
		     "}}}}}}}}}}}}}\n",
		     "1: lists and mappings nested more than 16 deep: no configuration needs that");
	/* in quotes and comments they do not count */
	write_config("# [[[[[[[[[[[[[[[[[[[[\nagent:\n  checks:\n    x: \"[[[[[[[[[[[[[[[[[[[[[\"\n"
		     "    y: '{{{{{{{{{{{{{{{{{{{{{{{{'\n");
	aipkg_buf_reset(&err);
	assert_int_equal(aipkg_config_load(&cfg, path, true, &err), 0);
	aipkg_config_release(&cfg);
	aipkg_buf_release(&text);
	aipkg_buf_release(&err);
}

static void test_a_key_that_is_not_a_string(void **state)
{
	expect_error("[apk]: 1\n", "1: keys must be plain strings");
}

/* ---- not a mapping, not YAML ---- */

static void test_a_file_that_is_a_scalar_or_a_list(void **state)
{
	expect_error("just some text\n", "1: the configuration must be a mapping of keys");
	expect_error("# comment\n- apk\n- timeout\n",
		     "2: the configuration must be a mapping of keys");
}

static void test_tab_indentation_is_invalid_yaml(void **state)
{
	expect_error("apk:\n\twait: 5\n", "2: found character that cannot start any token");
}

static void test_an_unclosed_quote_is_invalid_yaml(void **state)
{
	expect_error("apk:\n  command: \"/sbin/apk\n  wait: 5\n",
		     "4: found unexpected end of stream");
}

static void test_a_file_over_256_kib_is_refused(void **state)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT, text = AIPKG_BUF_INIT, want = AIPKG_BUF_INIT;

	while (text.len <= (256 << 10))
		aipkg_buf_addstr(&text, "# padding padding padding padding padding padding\n");
	assert_int_equal(load(aipkg_buf_str(&text), &cfg, &err), -AIPKG_E_CONFIG);
	aipkg_buf_addf(&want, "cannot read the configuration file %s: larger than 256 KiB, which no "
		       "configuration needs",
		       path);
	assert_string_equal(aipkg_buf_str(&err), aipkg_buf_str(&want));
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
	aipkg_buf_release(&text);
	aipkg_buf_release(&want);
}

/* "Billion laughs": nine levels of nine aliases, 387 million nodes if
 * expanded.  libyaml links aliases to their anchor's node instead of copying
 * it, and the checks stop at the first value of the wrong type. */
static void test_an_alias_bomb_neither_hangs_nor_explodes(void **state)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	struct timespec t0, t1;

	aipkg_buf_addstr(&text, "apk:\n"
				"  command: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (char c = 'b'; c <= 'i'; c++) {
		aipkg_buf_addf(&text, "  %s: &%c [", c == 'b' ? "timeout" : "wait", c);
		for (int i = 0; i < 9; i++)
			aipkg_buf_addf(&text, "%s*%c", i ? ", " : "", c - 1);
		aipkg_buf_addstr(&text, "]\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_error(aipkg_buf_str(&text), "3: 'apk.timeout' must be a number of seconds");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	aipkg_buf_release(&text);
}

static void test_an_alias_to_its_own_mapping_is_not_followed_forever(void **state)
{
	/* the line is where the aliased node starts: its anchor */
	expect_error("apk: &x\n  command: *x\n",
		     "1: 'apk.command' must be a command (a string or a list of strings)");
	expect_error("apk: &x\n  apk: *x\n",
		     "2: unknown key 'apk.apk' (see aipkg.yaml(5))");
}

/* ---- aipkg_split_words ---- */

static void expect_words(const char *line, const char *const *want)
{
	char **words = NULL;
	size_t n = 99;

	if (aipkg_split_words(line, &words, &n) != 0)
		fail_msg("'%s' refused", line);
	assert_words(words, n, want);
	if (n)
		assert_null(words[n]); /* NULL-terminated, usable as argv */
	aipkg_strv_free(words, n);
}

static void test_split_words_on_blanks(void **state)
{
	expect_words("apk", WORDS("apk"));
	expect_words("  /lib/ld.so\t/sbin/apk \n --x  ", WORDS("/lib/ld.so", "/sbin/apk", "--x"));
}

static void test_split_words_with_quotes(void **state)
{
	expect_words("'/opt/my apk/apk' --root \"/my root\"",
		     WORDS("/opt/my apk/apk", "--root", "/my root"));
	expect_words("\"it's\" 'say \"hi\"'", WORDS("it's", "say \"hi\""));
	expect_words("a'b c'd", WORDS("ab cd"));
	expect_words("'' x", WORDS("", "x"));
}

static void test_split_words_of_nothing_is_no_words(void **state)
{
	char **words = (char **)1;
	size_t n = 99;

	assert_int_equal(aipkg_split_words("", &words, &n), 0);
	assert_int_equal(n, 0);
	assert_null(words);
	assert_int_equal(aipkg_split_words(" \t\n ", &words, &n), 0);
	assert_int_equal(n, 0);
}

static void test_split_words_refuses_unbalanced_quotes(void **state)
{
	char **words = NULL;
	size_t n = 0;

	assert_int_equal(aipkg_split_words("'/opt/apk", &words, &n), -EINVAL);
	assert_int_equal(aipkg_split_words("apk \"--root /x", &words, &n), -EINVAL);
	assert_int_equal(aipkg_split_words("a b c 'd", &words, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_path_gives_the_defaults),
		cmocka_unit_test(test_a_missing_optional_file_gives_the_defaults),
		cmocka_unit_test(test_a_missing_required_file_is_an_error),
		cmocka_unit_test(test_an_empty_file_gives_the_defaults),
		cmocka_unit_test(test_every_key_is_read),
		cmocka_unit_test(test_command_as_a_string_honours_quotes),
		cmocka_unit_test(test_command_as_a_list),
		cmocka_unit_test(test_zero_means_no_timeout_and_no_wait),
		cmocka_unit_test(test_the_settings_as_json),
		cmocka_unit_test(test_an_unknown_top_level_key),
		cmocka_unit_test(test_a_misspelt_nested_key),
		cmocka_unit_test(test_a_string_where_a_number_is_expected),
		cmocka_unit_test(test_a_negative_number),
		cmocka_unit_test(test_numbers_that_are_not_finite_or_too_large),
		cmocka_unit_test(test_a_fraction_for_apk_wait),
		cmocka_unit_test(test_a_list_or_mapping_where_a_number_is_expected),
		cmocka_unit_test(test_a_list_where_a_mapping_is_expected),
		cmocka_unit_test(test_bad_commands),
		cmocka_unit_test(test_a_key_that_is_not_a_string),
		cmocka_unit_test(test_a_file_that_is_a_scalar_or_a_list),
		cmocka_unit_test(test_tab_indentation_is_invalid_yaml),
		cmocka_unit_test(test_an_unclosed_quote_is_invalid_yaml),
		cmocka_unit_test(test_a_file_over_256_kib_is_refused),
		cmocka_unit_test(test_a_duplicate_key_names_both_lines),
		cmocka_unit_test(test_deep_flow_collections_are_refused_at_once),
		cmocka_unit_test(test_an_alias_bomb_neither_hangs_nor_explodes),
		cmocka_unit_test(test_an_alias_to_its_own_mapping_is_not_followed_forever),
		cmocka_unit_test(test_split_words_on_blanks),
		cmocka_unit_test(test_split_words_with_quotes),
		cmocka_unit_test(test_split_words_of_nothing_is_no_words),
		cmocka_unit_test(test_split_words_refuses_unbalanced_quotes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
