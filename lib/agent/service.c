/* OpenRC services of the live root: which of a package's services run, restarting and checking them. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "spawn.h"

/*
 * OpenRC marks a started service with ROOT/run/openrc/started/NAME (a
 * symlink to its init script); that is read directly.  Restarting and
 * asking for the status goes through the root's own service manager,
 * ROOT/sbin/rc-service, never the host's when ROOT is another system: run
 * chrooted when aipkg is root and ROOT has a /bin/sh, else as
 * ROOT/sbin/rc-service with AIPKG_ROOT naming the root (which is how the
 * test suite's stand-in for OpenRC finds its state).
 */
bool aipkg_agent_service_name_valid(const char *svc)
{
	size_t n = svc ? strlen(svc) : 0;

	if (n == 0 || n > 255 || !isalnum((unsigned char)svc[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)svc[i]) && !strchr("._+-", svc[i]))
			return false;
	return true;
}

bool aipkg_agent_service_started(struct aipkg_ctx *ctx, const char *svc)
{
	char rel[300];
	char *path;
	struct stat sb;
	bool on;

	snprintf(rel, sizeof(rel), "run/openrc/started/%s", svc);
	path = aipkg_ctx_path(ctx, rel);
	on = path && lstat(path, &sb) == 0;
	free(path);
	return on;
}

json_t *aipkg_agent_services(struct aipkg_ctx *ctx, const struct aipkg_filedb *fdb,
			     const char *name, bool running_only)
{
	const struct aipkg_dbpkg *p = fdb ? aipkg_filedb_pkg(fdb, name) : NULL;
	json_t *out = json_array();

	for (uint32_t i = 0; p && i < p->nfiles; i++) {
		const struct aipkg_dbfile *f = &fdb->files[p->first_file + i];

		if (strcmp(fdb->dirs[f->dir].path, "etc/init.d") != 0 ||
		    !aipkg_agent_service_name_valid(f->name))
			continue;
		if (!running_only || aipkg_agent_service_started(ctx, f->name))
			json_array_append_new(out, json_string(f->name));
	}
	return out;
}

json_t *aipkg_agent_service(struct aipkg_ctx *ctx, const char *svc, const char *action)
{
	bool host = !*ctx->root;
	char rc[4096], sh[4096], env_root[4200];
	const char *chrooted[] = { "chroot", ctx->root, "/sbin/rc-service", svc, action, NULL };
	const char *direct[] = { rc, svc, action, NULL };
	const char *env[] = { env_root, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	struct aipkg_spawn sp = { 0 };
	struct aipkg_spawn_result res;
	bool chroot;
	json_t *o;
	int r;

	if (!aipkg_agent_service_name_valid(svc))
		return json_pack("{s:s?, s:s, s:i, s:b, s:s}", "service", svc, "action", action,
				 "exit", 127, "timed_out", false, "output",
				 "not a valid OpenRC service name; rc-service was not run");
	snprintf(rc, sizeof(rc), "%s/sbin/rc-service", ctx->root);
	snprintf(sh, sizeof(sh), "%s/bin/sh", ctx->root);
	snprintf(env_root, sizeof(env_root), "AIPKG_ROOT=%s", host ? "/" : ctx->root);
	chroot = !host && geteuid() == 0 && access(sh, X_OK) == 0;
	sp.argv = chroot ? chrooted : direct;
	sp.cwd = "/";
	sp.env = host || chroot ? NULL : env;
	sp.timeout = ctx->cfg.agent.sandbox_timeout;
	sp.capture_limit = 16 << 10;
	r = aipkg_spawn_run(&sp, &res);
	o = json_pack("{s:s, s:s, s:i, s:b, s:s}", "service", svc, "action", action, "exit",
		      r < 0 ? 127 : res.exit_code, "timed_out", res.timed_out, "output",
		      r < 0 ? strerror(-r) : aipkg_buf_str(&res.err));
	aipkg_spawn_result_release(&res);
	return o;
}

/* Restart SVC and ask whether it runs: {"service","restart":{...},
 * "running":bool}. */
json_t *aipkg_agent_service_restart(struct aipkg_ctx *ctx, const char *svc)
{
	json_t *restart = aipkg_agent_service(ctx, svc, "restart");
	json_t *status = aipkg_agent_service(ctx, svc, "status");
	bool running = json_integer_value(json_object_get(status, "exit")) == 0 &&
		       !json_is_true(json_object_get(status, "timed_out"));

	json_decref(status);
	return json_pack("{s:s, s:o, s:b}", "service", svc, "restart", restart, "running",
			 running);
}
