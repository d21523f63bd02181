/* Sandbox trials: install an upgrade into a scratch root with the real apk and run its checks there. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "apk/runner.h"
#include "apk/search.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

#define CHECK_OUTPUT_MAX 2000

static int copy_file(const char *from, const char *to, mode_t mode)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int r = aipkg_buf_read_file(&b, from), fd;

	if (r < 0) {
		aipkg_buf_release(&b);
		return r == -ENOENT ? 0 : r;
	}
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, b.data ? b.data : "", b.len) != (ssize_t)b.len)
		r = -errno;
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	aipkg_buf_release(&b);
	return r;
}

/* ROOT/REL copied to SCRATCH/REL (a missing one is fine). */
static int copy_rel(struct aipkg_ctx *ctx, const char *scratch, const char *rel)
{
	char *from = aipkg_ctx_path(ctx, rel), to[4096];
	int r;

	snprintf(to, sizeof(to), "%s/%s", scratch, rel);
	r = from ? copy_file(from, to, 0644) : -ENOMEM;
	free(from);
	return r;
}

/* The trusted keys, so the scratch root trusts what the system trusts. */
static int copy_keys(struct aipkg_ctx *ctx, const char *scratch)
{
	char *dir = aipkg_ctx_path(ctx, "etc/apk/keys"), rel[512];
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int r = 0;

	while (d && r == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "etc/apk/keys/%s", e->d_name);
		r = copy_rel(ctx, scratch, rel);
	}
	if (d)
		closedir(d);
	free(dir);
	return r;
}

/* A fresh scratch root with the system's repositories, keys and arch. */
static int scratch_make(struct aipkg_ctx *ctx, char **out)
{
	char *base = aipkg_ctx_path(ctx, "var/lib/aipkg/sandbox/trial-XXXXXX"), keys[4096];
	int r = aipkg_statedir_make(ctx, "sandbox");

	*out = NULL;
	if (r < 0 || !base) {
		free(base);
		return r < 0 ? r : -ENOMEM;
	}
	if (!mkdtemp(base)) {
		r = aipkg_ctx_fail(ctx, -errno, "cannot create a sandbox in %s: %s", base,
				   strerror(errno));
		free(base);
		return r;
	}
	*out = base;
	snprintf(keys, sizeof(keys), "%s/etc/apk/keys", base);
	r = aipkg_mkdir_p(keys) < 0 ? -errno : 0;
	if (r == 0)
		r = copy_rel(ctx, base, "etc/apk/repositories");
	if (r == 0)
		r = copy_rel(ctx, base, "etc/apk/arch");
	if (r == 0)
		r = copy_keys(ctx, base);
	if (r < 0)
		aipkg_ctx_fail(ctx, r, "cannot prepare the sandbox %s: %s", base, strerror(-r));
	return r;
}

/* A context like CTX's but rooted at SCRATCH, quiet, with the sandbox's
 * time limit on apk. */
static int scratch_ctx(struct aipkg_ctx *ctx, const char *scratch, struct aipkg_ctx **out)
{
	struct aipkg_opts o = ctx->opts;
	int r;

	o.root = scratch;
	o.config = ctx->cfg.path;
	o.stream = false;
	o.dry_run = false;
	r = aipkg_ctx_new(out, &o, NULL);
	if (r == 0)
		(*out)->cfg.apk_timeout = ctx->cfg.agent.sandbox_timeout;
	else
		aipkg_ctx_fail(ctx, r, "sandbox: %s", aipkg_ctx_why(*out, r));
	return r;
}

/* A world atom for the scratch root: its name alone, since the trial is
 * about the candidate and a pin (a lock) may name a version only the
 * installed database still has; NULL for a package no index offers. */
static char *trial_atom(const struct aipkg_state *st, const char *w, const char *pin_name,
			size_t pin_len)
{
	size_t len = strcspn(w, "=<>~@");
	char *name = strndup(w, len);

	if (name && (w[0] == '!' || (strlen(name) == pin_len && !strncmp(name, pin_name, pin_len)) ||
		     (!strchr(name, ':') && !aipkg_state_best(st, name)))) {
		free(name);
		return NULL;
	}
	return name;
}

/* The world's names, with the candidate pinned at its new version. */
static char **trial_atoms(const struct aipkg_state *st, const char *pin, size_t *n)
{
	char **v = calloc(st->nworld + 2, sizeof(*v));
	size_t len = strcspn(pin, "=");

	*n = 0;
	for (size_t i = 0; v && i < st->nworld; i++) {
		char *a = trial_atom(st, st->world[i], pin, len);

		if (a)
			v[(*n)++] = a;
	}
	if (v && !(v[*n] = strdup(pin))) {
		aipkg_strv_free(v, *n);
		return NULL;
	}
	if (v)
		(*n)++;
	return v;
}

static int trial_install(struct aipkg_ctx *sctx, const struct aipkg_state *st, const char *pin,
			 json_t *trial)
{
	static const char *const initdb[] = { "--initdb", NULL };
	struct aipkg_apk_call call = { "add", initdb, NULL, 0, AIPKG_APK_CHANGE | AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	char **atoms = trial_atoms(st, pin, &call.nargs);
	int r;

	if (!atoms)
		return -ENOMEM;
	call.args = (const char *const *)atoms;
	r = aipkg_apk_run(sctx, &call, &res);
	json_object_set_new(trial, "apk_exit", json_integer(res.exit_code));
	aipkg_spawn_result_release(&res);
	aipkg_strv_free(atoms, call.nargs);
	return r;
}

static bool bin_dir(struct aipkg_slice dir)
{
	return aipkg_slice_eq(dir, "bin") || aipkg_slice_eq(dir, "sbin") ||
	       aipkg_slice_eq(dir, "usr/bin") || aipkg_slice_eq(dir, "usr/sbin");
}

/* Append to MISSING each of NAME's files in a bin directory of the scratch
 * root that is not an executable file; *count gets how many there are. */
static int binaries_check(const char *scratch, const char *name, struct aipkg_buf *missing,
			  size_t *count)
{
	struct aipkg_buf db = AIPKG_BUF_INIT;
	struct aipkg_slice text, line, dir = { "", 0 };
	char path[4096];
	bool ours = false;
	int r;

	snprintf(path, sizeof(path), "%s/lib/apk/db/installed", scratch);
	r = aipkg_buf_read_file(&db, path);
	text = aipkg_slice_of(&db);
	*count = 0;
	while (r == 0 && aipkg_slice_next_line(&text, &line)) {
		struct stat sb;

		if (aipkg_slice_starts_with(line, "P:"))
			ours = line.len - 2 == strlen(name) && !memcmp(line.ptr + 2, name, line.len - 2);
		else if (aipkg_slice_starts_with(line, "F:"))
			dir = (struct aipkg_slice){ line.ptr + 2, line.len - 2 };
		if (!ours || !aipkg_slice_starts_with(line, "R:") || !bin_dir(dir))
			continue;
		(*count)++;
		snprintf(path, sizeof(path), "%s/%.*s/%.*s", scratch, (int)dir.len, dir.ptr,
			 (int)line.len - 2, line.ptr + 2);
		if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
			continue; /* busybox applets: links into another package */
		if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 0111))
			aipkg_buf_addf(missing, "%s%.*s/%.*s",
				       missing->len ? ", " : "not an executable file: ", (int)dir.len,
				       dir.ptr, (int)line.len - 2, line.ptr + 2);
	}
	aipkg_buf_release(&db);
	return r;
}

static json_t *default_check(const char *scratch, const char *name)
{
	struct aipkg_buf missing = AIPKG_BUF_INIT;
	size_t count = 0;
	int r = binaries_check(scratch, name, &missing, &count);
	json_t *c;

	c = json_pack("{s:s, s:i, s:b, s:s}", "command", "(built-in: the package's binaries exist "
			     "and are executable)", "exit", r < 0 || missing.len ? 1 : 0,
		      "timed_out", 0, "output",
		      r < 0	   ? "cannot read the sandbox's installed database"
		      : missing.len ? aipkg_buf_str(&missing)
		      : count	   ? "all present and executable"
				   : "the package has no binaries");
	aipkg_buf_release(&missing);
	return c;
}

/* The check's output, shortened for the report. */
static json_t *output_json(const struct aipkg_spawn_result *res)
{
	struct aipkg_buf o = AIPKG_BUF_INIT;
	json_t *s;

	aipkg_buf_addf(&o, "%s%s", aipkg_buf_str(&res->out), aipkg_buf_str(&res->err));
	if (o.len > CHECK_OUTPUT_MAX)
		aipkg_buf_truncate(&o, CHECK_OUTPUT_MAX);
	s = json_stringn_nocheck(aipkg_buf_str(&o), o.len);
	aipkg_buf_release(&o);
	return json_string_value(s) && json_is_string(s) ? s : json_string("");
}

/*
 * The admin's check command, with /bin/sh -c (it is their own shell
 * command from their own configuration), for the tree ROOT (NULL: the
 * host, "/").  As root, and when ROOT has a /bin/sh, it runs chrooted
 * there; otherwise it runs in ROOT as its working directory with ROOT's
 * bin directories first in PATH and ENV_NAME (AIPKG_SANDBOX, AIPKG_ROOT)
 * naming it.
 */
json_t *aipkg_agent_check_run(struct aipkg_ctx *ctx, const char *root, const char *env_name,
			      const char *cmd)
{
	char sh[4096], path[8192], env_root[4200];
	const char *chrooted[] = { "chroot", root, "/bin/sh", "-c", cmd, NULL };
	const char *plain[] = { "/bin/sh", "-c", cmd, NULL };
	const char *env[] = { path, env_root, NULL };
	struct aipkg_spawn sp = { 0 };
	struct aipkg_spawn_result res;
	bool host = !root || !*root || !strcmp(root, "/"), chroot = false;
	json_t *c;
	int r;

	snprintf(sh, sizeof(sh), "%s/bin/sh", host ? "" : root);
	chroot = !host && geteuid() == 0 && access(sh, X_OK) == 0;
	snprintf(path, sizeof(path), "PATH=%s/usr/sbin:%s/usr/bin:%s/sbin:%s/bin:%s", root, root,
		 root, root, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(env_root, sizeof(env_root), "%s=%s", env_name, host ? "/" : root);
	sp.argv = chroot ? chrooted : plain;
	sp.cwd = chroot || host ? "/" : root;
	sp.env = chroot || host ? NULL : env;
	sp.timeout = ctx->cfg.agent.sandbox_timeout;
	sp.capture_limit = 64 << 10;
	r = aipkg_spawn_run(&sp, &res);
	c = json_pack("{s:s, s:i, s:b, s:o, s:b}", "command", cmd, "exit",
		      r < 0 ? 127 : res.exit_code, "timed_out", res.timed_out, "output",
		      output_json(&res), "chroot", chroot);
	aipkg_spawn_result_release(&res);
	return c;
}

bool aipkg_agent_check_passed(const json_t *c)
{
	return json_integer_value(json_object_get(c, "exit")) == 0 &&
	       !json_is_true(json_object_get(c, "timed_out"));
}

__attribute__((format(printf, 2, 3))) static void trial_fail(json_t *trial, const char *fmt,
								  ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* a check's output ends with a newline, which agent status showed as
	 * "directive\n" at the end of the reason */
	for (size_t n = strlen(why); n && strchr(" \t\r\n", why[n - 1]); n--)
		why[n - 1] = '\0';
	json_object_set_new(trial, "passed", json_false());
	json_object_set_new(trial, "reason", json_string(why));
}

/* apk succeeded in the scratch root: run the checks there. */
static void trial_checks(struct aipkg_ctx *ctx, const char *scratch, const char *name,
			 json_t *trial)
{
	const char *cmd = aipkg_agent_check_for(&ctx->cfg.agent, name);
	json_t *checks = json_array(), *c;

	json_array_append_new(checks, default_check(scratch, name));
	if (cmd)
		json_array_append_new(checks, aipkg_agent_check_run(ctx, scratch, "AIPKG_SANDBOX", cmd));
	json_object_set_new(trial, "checks", checks);
	json_object_set_new(trial, "passed", json_true());
	json_object_set_new(trial, "reason", json_string("apk installed it and every check passed"));
	for (size_t i = 0; (c = json_array_get(checks, i)); i++) {
		if (aipkg_agent_check_passed(c))
			continue;
		trial_fail(trial, "the check '%s' %s: %s",
			   json_string_value(json_object_get(c, "command")),
			   json_is_true(json_object_get(c, "timed_out"))
				   ? "timed out (agent.sandbox_timeout)"
				   : "failed",
			   json_string_value(json_object_get(c, "output")));
		break;
	}
}

/* Install the candidate in the scratch root, through the run's cache. */
static int trial_run(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb, struct aipkg_ctx *sctx,
		     const struct aipkg_state *st, const json_t *pkg, const char *pin,
		     json_t *trial)
{
	const char *cache = aipkg_sandbox_cache_enter(ctx, sb, st, pkg);

	if (cache && !(sctx->apk_cache = strdup(cache)))
		return -ENOMEM;
	return trial_install(sctx, st, pin, trial);
}

int aipkg_agent_sandbox(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
			const struct aipkg_state *st, const json_t *pkg, json_t **trial)
{
	const char *name = json_string_value(json_object_get(pkg, "name"));
	struct aipkg_ctx *sctx = NULL;
	char *scratch = NULL, pin[512];
	int r;

	*trial = json_object();
	if (!*trial)
		return -ENOMEM;
	snprintf(pin, sizeof(pin), "%s=%s", name, json_string_value(json_object_get(pkg, "to")));
	/* apk in the scratch root reads the same repositories, and the checks
	 * run what it installed (as root): refused as a change refuses them */
	r = aipkg_state_repos_safe(ctx, st);
	if (r == 0)
		r = scratch_make(ctx, &scratch);
	if (r == 0)
		r = scratch_ctx(ctx, scratch, &sctx);
	if (r == 0) {
		r = trial_run(ctx, sb, sctx, st, pkg, pin, *trial);
		if (r < 0)
			aipkg_ctx_fail(ctx, r, "%s", aipkg_ctx_why(sctx, r));
	}
	if (r == 0) {
		trial_checks(ctx, scratch, name, *trial);
		if (json_is_true(json_object_get(*trial, "passed")))
			aipkg_sandbox_cache_passed(ctx, sb, sctx);
	} else if (r == -AIPKG_E_TIMEOUT) /* the runner's message names apk.timeout */
		trial_fail(*trial, "apk did not finish in the sandbox within %g s "
				   "(agent.sandbox_timeout) and was stopped",
			   ctx->cfg.agent.sandbox_timeout);
	else if (r == -AIPKG_E_UNSAFE)
		trial_fail(*trial, "%s", aipkg_ctx_why(ctx, r));
	else
		trial_fail(*trial, "apk could not install it in the sandbox: %s",
			   aipkg_ctx_why(ctx, r));
	aipkg_ctx_free(sctx);
	if (scratch && aipkg_rmtree(scratch) != 0)
		aipkg_ctx_warn(ctx, "could not remove the sandbox %s entirely", scratch);
	free(scratch);
	return 0;
}
