/* Unit tests of redact.c: the secrets aipkg knows, masked in what leaves the machine. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "redact.h"

#define KEY "sk-unit-0123456789"
#define PASSWORD "Pa55-unit-word"
#define TOKEN "tok-unit-98765"

struct fixture {
	char root[64];
	struct aipkg_ctx *ctx;
};

static void write_file(const char *root, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dirs(const char *root, const char *const *rels)
{
	char path[256];

	for (; *rels; rels++) {
		snprintf(path, sizeof(path), "%s/%s", root, *rels);
		assert_int_equal(mkdir(path, 0755), 0);
	}
}

/* A root whose repositories file holds a password and a token, a tier
 * whose key is in $AIPKG_UNIT_KEY. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct aipkg_opts o = { 0 };

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/redact-XXXXXX", P_tmpdir);
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(chmod(f->root, 0755), 0);
	make_dirs(f->root, (const char *[]){ "etc", "etc/apk", "etc/aipkg", NULL });
	write_file(f->root, "etc/apk/repositories",
		   "/srv/local\nhttps://bob:" PASSWORD "@mirror.example/alpine?token=" TOKEN "\n");
	write_file(f->root, "etc/aipkg/aipkg.yaml",
		   "llm:\n  tactical:\n    provider: openai\n    base_url: https://h/v1\n"
		   "    model: m\n    api_key_env: AIPKG_UNIT_KEY\n");
	setenv("AIPKG_UNIT_KEY", KEY, 1);
	o.root = f->root;
	assert_int_equal(aipkg_ctx_new(&f->ctx, &o, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	aipkg_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "%s/etc/apk/repositories", f->root);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/etc/aipkg/aipkg.yaml", f->root);
	unlink(cmd);
	for (const char *const *d = (const char *[]){ "etc/aipkg", "etc/apk", "etc", "", NULL };
	     *d; d++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", f->root, *d);
		rmdir(cmd);
	}
	free(f);
	return 0;
}

static void assert_redacted(const struct aipkg_redact *rd, const char *text, const char *want)
{
	char *got = aipkg_redact_text(rd, text);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_secrets_masked_inside_and_outside_urls(void **state)
{
	struct fixture *f = *state;
	struct aipkg_redact rd;

	assert_int_equal(aipkg_redact_init(&rd, f->ctx), 0);
	assert_redacted(&rd, "fetch https://bob:" PASSWORD "@mirror.example/alpine?token=" TOKEN
			     ": 401",
			"fetch https://***@mirror.example/alpine?token=***: 401");
	/* apk and servers quote parts: the key, a password, a token */
	assert_redacted(&rd, "key " KEY ", login bob:" PASSWORD ", " TOKEN "!",
			"key ***, login ***, ***!");
	assert_redacted(&rd, "nothing secret in nginx 1.26", "nothing secret in nginx 1.26");
	aipkg_redact_release(&rd);
	assert_null(rd.secrets);
}

/* A zeroed one masks URLs only. */
static void test_zeroed_masks_urls_only(void **state)
{
	struct aipkg_redact rd = { NULL, 0 };

	(void)state;
	assert_redacted(&rd, "see http://u:p@h/?t=1 and " KEY, "see http://***@h/?t=*** and " KEY);
}

static void test_json_strings_masked_structure_kept(void **state)
{
	struct fixture *f = *state;
	struct aipkg_redact rd;
	char *out;

	assert_int_equal(aipkg_redact_init(&rd, f->ctx), 0);
	out = aipkg_redact_outgoing(&rd, "{\"request\":\"use " KEY "\",\"n\":[1,\"" TOKEN
					 "\"],\"" TOKEN "\":true}");
	assert_non_null(out);
	/* keys are aipkg's own names, never data */
	assert_string_equal(out, "{\"request\":\"use ***\",\"n\":[1,\"***\"],\"" TOKEN "\":true}");
	free(out);
	out = aipkg_redact_outgoing(&rd, "plain text, " PASSWORD);
	assert_string_equal(out, "plain text, ***");
	free(out);
	aipkg_redact_release(&rd);
}

/* Reading the repositories again must not replace the failure the caller
 * is about to report. */
static void test_context_message_kept(void **state)
{
	struct fixture *f = *state;
	struct aipkg_redact rd;

	aipkg_ctx_fail(f->ctx, -1, "the caller's own failure");
	assert_int_equal(aipkg_redact_init(&rd, f->ctx), 0);
	assert_string_equal(aipkg_ctx_errmsg(f->ctx), "the caller's own failure");
	aipkg_redact_release(&rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_masked_inside_and_outside_urls),
		cmocka_unit_test(test_zeroed_masks_urls_only),
		cmocka_unit_test(test_json_strings_masked_structure_kept),
		cmocka_unit_test(test_context_message_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
