/* Which apk's rules (versions, provider choice) a context follows: the apk it runs, else the root's. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "apk/rules.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "apk/version.h"
#include "ctx.h"

/* Alpine 3.23 was the first release with apk-tools 3. */
#define RULES_FIRST_APK3_MINOR 23

/* "2.14.0-r5" -> 2; 0 when it does not start with a digit and '.'. */
static int rules_major_of(const char *version)
{
	if (!version || version[0] < '1' || version[0] > '9' || version[1] != '.')
		return 0;
	return version[0] - '0' >= 3 ? 3 : 2;
}

/* "3.18.4" -> 2, "3.23.0" -> 3, "edge" or nothing -> 0. */
static int rules_of_release(const char *release)
{
	char *end;
	long major, minor;

	if (!release)
		return 0;
	major = strtol(release, &end, 10);
	if (end == release || *end != '.')
		return 0;
	minor = strtol(end + 1, &end, 10);
	if (major != 3)
		return major > 3 ? 3 : 2;
	return minor >= RULES_FIRST_APK3_MINOR ? 3 : 2;
}

/* No apk to ask: the root's own apk-tools, else its Alpine release. */
static int rules_from_root(struct aipkg_ctx *ctx)
{
	struct aipkg_buf b;
	char *path;
	int major = 0;

	if (ctx->state) {
		const struct aipkg_pkg *p = aipkg_pkgset_find(&ctx->state->installed, "apk-tools");

		major = p ? rules_major_of(p->version) : 0;
		if (!major)
			major = rules_of_release(ctx->state->release);
	} else if ((path = aipkg_ctx_path(ctx, "etc/alpine-release"))) {
		aipkg_buf_init(&b, 4096);
		if (aipkg_buf_read_file(&b, path) == 0)
			major = rules_of_release(aipkg_buf_str(&b));
		aipkg_buf_release(&b);
		free(path);
	}
	return major ? major : 3;
}

int aipkg_rules_major(struct aipkg_ctx *ctx)
{
	struct aipkg_apk *apk;
	char *saved;

	if (ctx->apk_major)
		return ctx->apk_major;
	/* asking costs a run of apk: callers only ask when it matters */
	saved = strdup(aipkg_buf_str(&ctx->err));
	if (aipkg_apk_get(ctx, &apk) == 0) {
		ctx->apk_major = apk->major >= 3 ? 3 : 2;
	} else {
		aipkg_buf_reset(&ctx->err);
		if (saved)
			aipkg_buf_addstr(&ctx->err, saved);
		ctx->apk_major = rules_from_root(ctx);
	}
	free(saved);
	aipkg_version_decided(ctx, ctx->apk_major);
	return ctx->apk_major;
}

void aipkg_rules_apk_known(struct aipkg_ctx *ctx, int major, const char *release)
{
	ctx->apk_major = major >= 3 ? 3 : 2;
	aipkg_version_decided(ctx, ctx->apk_major);
	aipkg_version_apk_release(ctx, release);
}

static int rules_decide(void *ud)
{
	return aipkg_rules_major(ud);
}

void aipkg_rules_attach(struct aipkg_ctx *ctx)
{
	aipkg_version_set_decider(rules_decide, ctx);
	if (ctx->apk_major)
		aipkg_version_decided(ctx, ctx->apk_major);
	if (ctx->apk)
		aipkg_version_apk_release(ctx, ctx->apk->version);
}

void aipkg_rules_detach(struct aipkg_ctx *ctx)
{
	aipkg_version_unset_decider(ctx);
}
