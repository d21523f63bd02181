/* Unit tests of error.c: every error code's message, exit code and stable name. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aipkg/error.h"

static void test_every_error_has_a_message(void **state)
{
	for (int e = AIPKG_E_BASE + 1; e < AIPKG_E_LAST; e++) {
		const char *msg = aipkg_strerror(-e);

		assert_non_null(msg);
		if (!*msg || strncmp(msg, "Unknown error", 13) == 0)
			fail_msg("error %d has no message", e);
	}
	assert_string_equal(aipkg_strerror(-AIPKG_E_NOPKG), "no such package");
	assert_string_equal(aipkg_strerror(-AIPKG_E_LOCKED), "another aipkg holds the lock");
}

static void test_errno_values_use_the_system_message(void **state)
{
	assert_string_equal(aipkg_strerror(-ENOENT), strerror(ENOENT));
	assert_string_equal(aipkg_strerror(-EACCES), strerror(EACCES));
	assert_string_equal(aipkg_strerror(0), "success");
}

/* The documented contract (DESIGN.md, aipkg(8)). */
static void test_exit_codes(void **state)
{
	assert_int_equal(aipkg_exit_code(0), 0);
	assert_int_equal(aipkg_exit_code(5), 0);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_USAGE), 2);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_CONFIG), 2);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_BADNAME), 2);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_NOROOT), 2);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_LOCKED), 75);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_VULNERABLE), 3);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_NOPKG), 1);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_APK_FAILED), 1);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_APK_LOCKED), 1); /* apk's lock, not ours */
	/* Ctrl-C while apk ran: as a shell reports a command SIGINT ended */
	assert_int_equal(aipkg_exit_code(-AIPKG_E_INTERRUPTED), 130);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_NOT_ROOT), 1);
	/* never a raw errno */
	assert_int_equal(aipkg_exit_code(-ENOENT), 1);
	assert_int_equal(aipkg_exit_code(-ENOMEM), 1);
	assert_int_equal(aipkg_exit_code(-EACCES), 1);
}

static void test_every_exit_code_is_a_documented_one(void **state)
{
	for (int e = AIPKG_E_BASE + 1; e < AIPKG_E_LAST; e++) {
		int code = aipkg_exit_code(-e);

		if (code != 1 && code != 2 && code != 3 && code != 75 && code != 130)
			fail_msg("error %s exits %d", aipkg_error_name(-e), code);
	}
}

static void test_names_are_stable_lowercase_identifiers(void **state)
{
	assert_string_equal(aipkg_error_name(-AIPKG_E_NOPKG), "nopkg");
	assert_string_equal(aipkg_error_name(-AIPKG_E_APK_LOCKED), "apk_locked");
	assert_string_equal(aipkg_error_name(-AIPKG_E_NOTINSTALLED), "notinstalled");
	assert_string_equal(aipkg_error_name(-AIPKG_E_LOCKED), "locked");
	for (int e = AIPKG_E_BASE + 1; e < AIPKG_E_LAST; e++) {
		const char *name = aipkg_error_name(-e);

		assert_true(*name);
		for (const char *p = name; *p; p++)
			if (!islower((unsigned char)*p) && *p != '_')
				fail_msg("name '%s' of error %d", name, e);
		/* asking twice gives the same answer */
		assert_string_equal(aipkg_error_name(-e), name);
	}
}

static void test_errno_names(void **state)
{
	assert_string_equal(aipkg_error_name(-ENOENT), "errno_2");
	assert_string_equal(aipkg_error_name(-EACCES), "errno_13");
}

static void test_values_outside_the_list_are_not_aipkg_errors(void **state)
{
	char want[32];

	assert_int_equal(aipkg_exit_code(-AIPKG_E_BASE), 1);
	assert_int_equal(aipkg_exit_code(-AIPKG_E_LAST), 1);
	snprintf(want, sizeof(want), "errno_%d", AIPKG_E_LAST);
	assert_string_equal(aipkg_error_name(-AIPKG_E_LAST), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_error_has_a_message),
		cmocka_unit_test(test_errno_values_use_the_system_message),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_every_exit_code_is_a_documented_one),
		cmocka_unit_test(test_names_are_stable_lowercase_identifiers),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_values_outside_the_list_are_not_aipkg_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
