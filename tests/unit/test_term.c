/* Unit tests of term.c: the one terminal sanitiser and display widths. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/term.h"

static void assert_escaped_n(const char *in, size_t len, const char *want)
{
	char out[256];
	size_t n = aipkg_term_escape(out, sizeof(out), in, len);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void assert_escaped(const char *in, const char *want)
{
	assert_escaped_n(in, strlen(in), want);
}

static void test_c0_and_del(void **state)
{
	/* an OSC title change, a screen clear, a forged line */
	assert_escaped("\033]0;owned\007x", "\\x1b]0;owned\\x07x");
	assert_escaped("a\033[2Jb", "a\\x1b[2Jb");
	assert_escaped("req\nerror: forged", "req\\nerror: forged");
	assert_escaped("a\rb\tc\x7f", "a\\rb\\tc\\x7f");
	assert_escaped_n("a\0b", 3, "a\\x00b");
}

static void test_c1(void **state)
{
	/* U+009B (CSI) and U+0085 (NEL) as UTF-8, and a raw 8-bit CSI */
	assert_escaped("x\xc2\x9b" "31mred", "x\\u009b31mred");
	assert_escaped("one\xc2\x85two", "one\\u0085two");
	assert_escaped("\xc2\x80\xc2\x9f", "\\u0080\\u009f");
	assert_escaped("x\x9b" "2J", "x\\x9b2J");
	/* U+00A0 is the first printable one after C1 */
	assert_escaped("\xc2\xa0", "\xc2\xa0");
}

static void test_bidi(void **state)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE, the isolates, the marks */
	assert_escaped("evil\xe2\x80\xaetxt.exe", "evil\\u202etxt.exe");
	assert_escaped("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		       "\\u202a\\u202b\\u202c\\u202d");
	assert_escaped("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
		       "\\u2066\\u2067\\u2068\\u2069");
	assert_escaped("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c");
	assert_escaped("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029");
}

static void test_invalid_utf8(void **state)
{
	assert_escaped("\xff\xfe", "\\xff\\xfe");
	assert_escaped("cut \xe2\x80", "cut \\xe2\\x80");           /* truncated */
	assert_escaped("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
	assert_escaped("\xe0\x80\xaf", "\\xe0\\x80\\xaf");           /* overlong, 3 bytes */
	assert_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");           /* a surrogate */
	assert_escaped("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");   /* above U+10FFFF */
	assert_escaped("\xe2(\xa1", "\\xe2(\\xa1");                 /* bad continuation */
}

static void test_printable_kept(void **state)
{
	const char *ok = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xa7 back\\slash ~";

	assert_escaped(ok, ok);
	assert_escaped("", "");
}

static void test_snprintf_semantics(void **state)
{
	char out[6];

	/* "ab\x1b" does not fit in 5: the escape is left out whole */
	assert_int_equal(aipkg_term_escape(out, sizeof(out), "ab\033c", 4), 7);
	assert_string_equal(out, "ab");
	/* a multi-byte character is not cut either */
	assert_int_equal(aipkg_term_escape(out, 4, "ab\xc3\xa9", 4), 4);
	assert_string_equal(out, "ab");
	assert_int_equal(aipkg_term_escape(NULL, 0, "\033", 1), 4);
	out[0] = 'x';
	assert_int_equal(aipkg_term_escape(out, 1, "abc", 3), 3);
	assert_string_equal(out, "");
}

static void test_escaped_alloc(void **state)
{
	char *s = aipkg_term_escaped("a\nb");

	assert_string_equal(s, "a\\nb");
	free(s);
	s = aipkg_term_escaped(NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_width(void **state)
{
	assert_int_equal(aipkg_term_width("nginx", 5), 5);
	assert_int_equal(aipkg_term_width("caf\xc3\xa9", 5), 4);
	/* two wide characters, a combining acute on 'e' */
	assert_int_equal(aipkg_term_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);
	assert_int_equal(aipkg_term_width("e\xcc\x81", 3), 1);
}

static void test_fit(void **state)
{
	size_t used;

	assert_int_equal(aipkg_term_fit("abcdef", 6, 4, &used), 4);
	assert_int_equal(used, 4);
	/* a wide character that would straddle the edge stays out */
	assert_int_equal(aipkg_term_fit("a\xe6\x97\xa5" "b", 5, 2, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(aipkg_term_fit("caf\xc3\xa9!", 6, 4, &used), 5);
	assert_int_equal(aipkg_term_fit("abc", 3, 10, NULL), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c0_and_del),     cmocka_unit_test(test_c1),
		cmocka_unit_test(test_bidi),           cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_printable_kept), cmocka_unit_test(test_snprintf_semantics),
		cmocka_unit_test(test_escaped_alloc),  cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
