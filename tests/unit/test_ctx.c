/* Unit tests of ctx.c: the failure detail a context keeps, and messages built from it. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"

static int setup(void **state)
{
	struct aipkg_opts o = { .root = "/tmp", .config = "/nonexistent/aipkg.yaml" };
	struct aipkg_ctx *ctx = NULL;

	/* an explicit --config that does not exist fails, but the ctx is usable */
	aipkg_ctx_new(&ctx, &o, NULL);
	assert_non_null(ctx);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	aipkg_ctx_free(*state);
	return 0;
}

/* The regression of `aipkg update` offline: "could not refresh the
 * repository indexes, so nothing was upgraded: " with the reason lost,
 * because the message was reset before its arguments were read. */
static void test_fail_may_wrap_its_own_detail(void **state)
{
	struct aipkg_ctx *ctx = *state;

	aipkg_ctx_fail(ctx, -AIPKG_E_APK_FAILED, "apk update failed (exit %d): %s", 1,
		       "could not connect to server");
	assert_int_equal(aipkg_ctx_fail(ctx, -AIPKG_E_APK_FAILED, "could not refresh: %s",
					aipkg_ctx_errmsg(ctx)),
			 -AIPKG_E_APK_FAILED);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "could not refresh: apk update failed (exit 1): could not connect to "
			    "server");
}

static void test_fail_replaces_the_old_detail(void **state)
{
	struct aipkg_ctx *ctx = *state;

	aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "no package 'nginx'");
	aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "no package '%s'", "curl");
	assert_string_equal(aipkg_ctx_errmsg(ctx), "no package 'curl'");
}

/* A failure that left no detail (a bare -errno from below) still gives
 * a reason to the message that wraps it. */
static void test_why_never_empty(void **state)
{
	struct aipkg_ctx *ctx = *state;

	aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "%s", "");
	assert_string_equal(aipkg_ctx_why(ctx, -ENOSPC), strerror(ENOSPC));
	assert_string_equal(aipkg_ctx_why(ctx, -AIPKG_E_NETWORK), "network failure");
	aipkg_ctx_fail(ctx, -AIPKG_E_NETWORK, "mirror down");
	assert_string_equal(aipkg_ctx_why(ctx, -AIPKG_E_NETWORK), "mirror down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fail_may_wrap_its_own_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_replaces_the_old_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_why_never_empty, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
