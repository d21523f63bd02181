/* aipkg agent install-cron: the daily job for busybox crond, /etc/periodic/daily/aipkg. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/agent.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

#define CRON_REL "etc/periodic/daily/aipkg"
#define CRON_MARK "# Written by 'aipkg agent install-cron'"

static bool cron_ours(const char *path)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	bool ours;

	aipkg_buf_init(&b, 1 << 16);
	ours = aipkg_buf_read_file(&b, path) == 0 && strstr(aipkg_buf_str(&b), CRON_MARK);
	aipkg_buf_release(&b);
	return ours;
}

static int cron_write(struct aipkg_ctx *ctx, const char *path, const char *aipkg)
{
	struct aipkg_buf s = AIPKG_BUF_INIT;
	char dir[4096];
	int r = 0;

	aipkg_buf_addf(&s, "#!/bin/sh\n%s; 'aipkg agent install-cron --uninstall'\n"
			   "# removes it.  busybox crond runs /etc/periodic/daily once a day;\n"
			   "# cron mails what it prints, and it prints only what needs a person.\n"
			   "exec %s agent run\n",
		       CRON_MARK, aipkg);
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
	if (aipkg_mkdir_p(dir) < 0)
		r = -errno;
	if (r == 0)
		r = aipkg_file_write_atomic_mode(path, s.data, s.len, 0755);
	aipkg_buf_release(&s);
	if (r < 0)
		aipkg_ctx_fail(ctx, r, "cannot write %s: %s", path, strerror(-r));
	return r;
}

/* The aipkg the job runs: this very binary for the running system; for
 * another root, the aipkg on that system's PATH when it runs.  Quoted for
 * sh, and refused when it cannot be (a quote in the path). */
static int cron_command(struct aipkg_ctx *ctx, const char *self, char *out, size_t size)
{
	if (ctx->root[0]) {
		snprintf(out, size, "aipkg");
		return 0;
	}
	if (strchr(self, '\'') || (size_t)snprintf(out, size, "'%s'", self) >= size)
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE,
				      "cannot write a job that runs '%s': install aipkg in a "
				      "plain path such as /usr/bin",
				      self);
	return 0;
}

int aipkg_agent_cron(struct aipkg_ctx *ctx, const char *aipkg, bool uninstall, json_t **result)
{
	char *path = aipkg_ctx_path(ctx, CRON_REL);
	bool exists = path && access(path, F_OK) == 0;
	int r = aipkg_ctx_need_alpine(ctx);

	*result = NULL;
	if (r < 0 || !path) {
		free(path);
		return r < 0 ? r : -ENOMEM;
	}
	if (exists && !cron_ours(path))
		r = aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s exists and was not written by aipkg; "
							"nothing changed: remove it yourself",
				   path);
	else if (uninstall && exists && !ctx->opts.dry_run && unlink(path) < 0)
		r = aipkg_ctx_fail(ctx, -errno, "cannot remove %s: %s", path, strerror(errno));
	else if (!uninstall && !ctx->opts.dry_run) {
		char cmd[4200];

		r = cron_command(ctx, aipkg, cmd, sizeof(cmd));
		if (r == 0)
			r = cron_write(ctx, path, cmd);
	}
	if (r == 0)
		*result = json_pack("{s:s, s:b, s:b}", "path", path, "installed", !uninstall,
				    "changed", uninstall ? exists : true);
	free(path);
	return r;
}
