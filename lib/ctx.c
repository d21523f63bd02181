/* The operation context: options, configuration, callbacks, error detail. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apk/rules.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "aipkg/tools.h"
#include "ctx.h"
#include "spawn.h"
#include "fileio.h"
#include "url.h"

/* What --root is for, after each refusal of one: what to do next. */
#define ROOT_WHAT "; --root names the directory an Alpine system is installed in"

static int ctx_set_root(struct aipkg_ctx *ctx, const char *root)
{
	char *real;
	struct stat st;

	if (!root || !*root)
		root = "/";
	if (stat(root, &st) < 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_NOROOT, "root '%s': %s" ROOT_WHAT, root,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return aipkg_ctx_fail(ctx, -AIPKG_E_NOROOT, "root '%s' is not a directory" ROOT_WHAT,
				      root);
	if (access(root, R_OK | X_OK) < 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_NOROOT, "root '%s' is not readable: %s" ROOT_WHAT,
				      root, strerror(errno));
	real = realpath(root, NULL);
	if (!real)
		return aipkg_ctx_fail(ctx, -AIPKG_E_NOROOT, "root '%s': %s" ROOT_WHAT, root,
				      strerror(errno));
	if (strcmp(real, "/") == 0)
		real[0] = '\0';
	ctx->root = real;
	return 0;
}

int aipkg_ctx_check_private(struct aipkg_ctx *ctx, const char *what, const char *path,
			    const char *stakes, int other_err)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	int r = aipkg_path_check_private(path, &why);

	if (r == -EPERM)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_UNSAFE,
				   "refusing %s %s: %s; %s: make it and every directory above it "
				   "owned by root and writable by their owner only (chown root, "
				   "chmod go-w)",
				   what, path, aipkg_buf_str(&why), stakes);
	else if (r < 0 && r != -ENOMEM)
		r = aipkg_ctx_fail(ctx, other_err, "%s", aipkg_buf_str(&why));
	aipkg_buf_release(&why);
	return r;
}

/*
 * The configuration names commands aipkg runs (apk.command, agent.checks,
 * agent.notify.command), often as root: whoever can change the file, or
 * replace it through a directory above it, could run anything.  Refuse it
 * then, as ssh refuses an authorized_keys others can write.
 */
static int ctx_config_private(struct aipkg_ctx *ctx, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0; /* missing: aipkg_config_load says what it must */
	if (S_ISCHR(st.st_mode) && strcmp(path, "/dev/null") == 0)
		return 0; /* --config /dev/null: no configuration at all */
	return aipkg_ctx_check_private(ctx, "the configuration", path,
				       "it names the commands aipkg runs, so only root or the "
				       "user running aipkg may be able to change it",
				       -AIPKG_E_CONFIG);
}

static int ctx_load_config(struct aipkg_ctx *ctx)
{
	char *path = ctx->opts.config ? strdup(ctx->opts.config)
				      : aipkg_ctx_path(ctx, "etc/aipkg/aipkg.yaml");
	int r;

	if (!path)
		return -ENOMEM;
	r = ctx_config_private(ctx, path);
	if (r == 0)
		r = aipkg_config_load(&ctx->cfg, path, ctx->opts.config != NULL, &ctx->err);
	/* the LLM's key is aipkg's to send, not apk's, a package program's
	 * (agent.checks) or an init script's to read */
	if (r == 0)
		r = aipkg_spawn_hide_env(ctx->cfg.llm_tactical.api_key_env);
	if (r == 0)
		r = aipkg_spawn_hide_env(ctx->cfg.llm_strategic.api_key_env);
	free(path);
	return r == -ENOSPC ? 0 : r;
}

/* apk runs in "/", so a relative local repository must be made absolute. */
static int ctx_set_repos(struct aipkg_ctx *ctx)
{
	size_t n = ctx->opts.nrepos;

	ctx->repos = calloc(n + 1, sizeof(char *));
	if (!ctx->repos)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *url = ctx->opts.repos[i];

		if (url[0] == '/' || strstr(url, "://"))
			ctx->repos[i] = strdup(url);
		else if (!(ctx->repos[i] = realpath(url, NULL)))
			return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "repository '%s': %s", url,
					      strerror(errno));
		if (!ctx->repos[i])
			return -ENOMEM;
	}
	ctx->opts.repos = (const char *const *)ctx->repos;
	return 0;
}

int aipkg_ctx_new(struct aipkg_ctx **out, const struct aipkg_opts *opts,
		  const struct aipkg_callbacks *cb)
{
	struct aipkg_ctx *ctx = calloc(1, sizeof(*ctx));
	int r;

	*out = ctx;
	if (!ctx)
		return -ENOMEM;
	ctx->lock_fd = -1;
	if (opts)
		ctx->opts = *opts;
	if (cb)
		ctx->cb = *cb;
	if (!ctx->opts.caller)
		ctx->opts.caller = "cli";
	aipkg_rules_attach(ctx);
	r = ctx_set_root(ctx, ctx->opts.root);
	if (r == 0)
		r = ctx_set_repos(ctx);
	if (r < 0)
		return r;
	return ctx_load_config(ctx);
}

int aipkg_config_check_file(const char *path, char **msg)
{
	struct aipkg_opts opts = { .root = "/", .config = path };
	struct aipkg_ctx *ctx;
	int r = aipkg_ctx_new(&ctx, &opts, NULL);

	*msg = r < 0 && ctx ? strdup(aipkg_ctx_why(ctx, r)) : NULL;
	aipkg_ctx_free(ctx);
	return r;
}

void aipkg_ctx_free(struct aipkg_ctx *ctx)
{
	if (!ctx)
		return;
	aipkg_rules_detach(ctx);
	aipkg_ctx_state_drop(ctx);
	aipkg_apk_free(ctx->apk);
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
	aipkg_config_release(&ctx->cfg);
	aipkg_buf_release(&ctx->err);
	json_decref(ctx->diagnosis);
	aipkg_strv_free(ctx->repos, ctx->opts.nrepos);
	free(ctx->apk_cache);
	free(ctx->root);
	free(ctx);
}

/* ROOT/REL, or the nearest directory above it that exists, is writable. */
static int writable(const struct aipkg_ctx *ctx, const char *rel, char **where)
{
	char *path = aipkg_ctx_path(ctx, rel), *slash;

	if (!path)
		return -ENOMEM;
	while (faccessat(AT_FDCWD, *path ? path : "/", F_OK, AT_EACCESS) < 0 &&
	       (slash = strrchr(path, '/')))
		*slash = '\0';
	if (faccessat(AT_FDCWD, *path ? path : "/", W_OK, AT_EACCESS) == 0) {
		free(path);
		return 0;
	}
	*where = path;
	return -errno;
}

int aipkg_ctx_may_change(struct aipkg_ctx *ctx)
{
	static const char *const dirs[] = { "lib/apk/db", "var/lib/aipkg" };
	struct passwd *pw;
	char *where = NULL;
	int r = 0;

	if (geteuid() == 0)
		return 0;
	for (size_t i = 0; r == 0 && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		r = writable(ctx, dirs[i], &where);
	if (r != -EACCES && r != -EPERM) {
		free(where);
		return 0; /* a read-only file system and such: the change says why */
	}
	pw = getpwuid(geteuid());
	r = aipkg_ctx_fail(ctx, -AIPKG_E_NOT_ROOT,
			   "changing the system needs root, and aipkg runs as %s (uid %ld), who "
			   "cannot write %s: run it as root (with sudo or doas); nothing was "
			   "changed",
			   pw ? pw->pw_name : "this user", (long)geteuid(), where);
	free(where);
	return r;
}

void aipkg_ctx_set_caller(struct aipkg_ctx *ctx, const char *caller)
{
	ctx->opts.caller = caller ? caller : "cli";
}

const char *aipkg_ctx_errmsg(const struct aipkg_ctx *ctx)
{
	return ctx ? aipkg_buf_str(&ctx->err) : "";
}

/* Every message of the library goes out with the secrets a URL in it may
 * hold masked (user:password@, query values): messages reach terminals,
 * cron mail, reports and the journal. */
static void mask_urls(struct aipkg_buf *msg)
{
	char *masked;

	if (!msg->len || !strstr(msg->data, "://") || !(masked = aipkg_url_mask_text(msg->data)))
		return;
	aipkg_buf_reset(msg);
	aipkg_buf_addstr(msg, masked);
	free(masked);
}

/* The message is formatted before the old one goes: callers wrap the detail
 * of a lower failure ("could not refresh the indexes: %s", errmsg), which
 * an early reset emptied. */
int aipkg_ctx_fail(struct aipkg_ctx *ctx, int err, const char *fmt, ...)
{
	struct aipkg_buf msg = AIPKG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	aipkg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	mask_urls(&msg);
	aipkg_buf_release(&ctx->err);
	ctx->err = msg;
	return err;
}

const char *aipkg_ctx_why(const struct aipkg_ctx *ctx, int err)
{
	const char *msg = aipkg_ctx_errmsg(ctx);

	return *msg ? msg : aipkg_strerror(err);
}

__attribute__((format(printf, 3, 0))) static void ctx_tell(struct aipkg_ctx *ctx,
							   void (*fn)(void *, const char *),
							   const char *fmt, va_list ap)
{
	struct aipkg_buf msg = AIPKG_BUF_INIT;

	if (!fn)
		return;
	aipkg_buf_vaddf(&msg, fmt, ap);
	mask_urls(&msg);
	fn(ctx->cb.ud, aipkg_buf_str(&msg));
	aipkg_buf_release(&msg);
}

void aipkg_ctx_warn(struct aipkg_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_tell(ctx, ctx->cb.warn, fmt, ap);
	va_end(ap);
}

void aipkg_ctx_note(struct aipkg_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_tell(ctx, ctx->cb.note, fmt, ap);
	va_end(ap);
}

int aipkg_ctx_need_alpine(struct aipkg_ctx *ctx)
{
	char *db = ctx->alpine ? NULL : aipkg_ctx_path(ctx, "lib/apk/db/installed");
	const char *root = ctx->root[0] ? ctx->root : "/";
	struct stat st;
	int r = 0;

	if (ctx->alpine)
		return 0;
	if (!db)
		return -ENOMEM;
	if (stat(db, &st) == 0 && S_ISREG(st.st_mode))
		ctx->alpine = true;
	else if (ctx->opts.root)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NOT_ALPINE,
				   "'%s' is not an Alpine root: it has no apk database "
				   "(lib/apk/db/installed); name a directory an Alpine system is "
				   "installed in, or make one with 'apk --root %s --initdb add'",
				   root, root);
	else
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NOT_ALPINE,
				   "this system is not Alpine Linux: it has no apk database "
				   "(/lib/apk/db/installed); run aipkg on Alpine, or name an Alpine "
				   "root with --root DIR");
	free(db);
	return r;
}

char *aipkg_ctx_path(const struct aipkg_ctx *ctx, const char *rel)
{
	struct aipkg_buf p = AIPKG_BUF_INIT;

	while (*rel == '/')
		rel++;
	if (aipkg_buf_addf(&p, "%s/%s", ctx->root ? ctx->root : "", rel) < 0) {
		aipkg_buf_release(&p);
		return NULL;
	}
	return aipkg_buf_detach(&p);
}

struct aipkg_state *aipkg_ctx_state(struct aipkg_ctx *ctx, int *err)
{
	struct aipkg_state *st;
	int r;

	*err = 0;
	if (ctx->state)
		return ctx->state;
	st = calloc(1, sizeof(*st));
	if (!st) {
		*err = -ENOMEM;
		return NULL;
	}
	r = aipkg_state_load(ctx, st, AIPKG_STATE_ALL);
	if (r < 0) {
		aipkg_state_release(st);
		free(st);
		*err = r;
		return NULL;
	}
	ctx->state = st;
	return st;
}

void aipkg_ctx_state_drop(struct aipkg_ctx *ctx)
{
	if (!ctx->state)
		return;
	aipkg_state_release(ctx->state);
	free(ctx->state);
	ctx->state = NULL;
}

/* ROW (of KEY) takes VALUE from ORIGIN: what overrides the file. */
static void setting_override(json_t *rows, const char *key, json_t *value, const char *origin)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (strcmp(json_string_value(json_object_get(row, "key")), key) == 0) {
			json_object_set_new(row, "value", value);
			json_object_set_new(row, "origin", json_string(origin));
			json_object_del(row, "note");
			return;
		}
	json_decref(value);
}

/* Whether each model's key variable is set (never the key itself). */
static void settings_key_state(json_t *rows)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *key = json_string_value(json_object_get(row, "key"));
		const char *var = json_string_value(json_object_get(row, "value"));
		const char *val = var ? getenv(var) : NULL;
		size_t n = strlen(key);

		if (var && n > 12 && strcmp(key + n - 12, ".api_key_env") == 0)
			json_object_set_new(row, "api_key",
					    json_string(val && *val ? "set" : "not set"));
	}
}

json_t *aipkg_ctx_config_settings(const struct aipkg_ctx *ctx)
{
	json_t *rows = aipkg_config_settings(&ctx->cfg);
	const char *env = getenv("AIPKG_APK"), *line = ctx->opts.apk_command;
	char **words = NULL;
	size_t n = 0;

	if (!line && env && *env)
		line = env;
	if (line && aipkg_split_words(line, &words, &n) == 0 && n) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(words[i]));
		setting_override(rows, "apk.command", a,
				 line == env ? "environment AIPKG_APK" : "--apk");
	}
	aipkg_strv_free(words, n);
	if (ctx->opts.lock_timeout >= 0)
		setting_override(rows, "lock_timeout",
				 ctx->opts.lock_timeout == floor(ctx->opts.lock_timeout)
					 ? json_integer((json_int_t)ctx->opts.lock_timeout)
					 : json_real(ctx->opts.lock_timeout),
				 "--lock-timeout");
	settings_key_state(rows);
	return rows;
}

json_t *aipkg_ctx_config_json(const struct aipkg_ctx *ctx)
{
	json_t *rows = aipkg_ctx_config_settings(ctx), *row, *origins = json_object();
	json_t *doc = aipkg_config_settings_nest(rows);
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *key = json_string_value(json_object_get(row, "key"));
		json_t *tier;

		if (json_object_get(row, "origin"))
			json_object_set(origins, key, json_object_get(row, "origin"));
		/* llm.TIER.api_key_env: whether the key is there, beside it */
		if (json_object_get(row, "api_key") && strncmp(key, "llm.", 4) == 0 &&
		    (tier = json_object_get(json_object_get(doc, "llm"),
					    strncmp(key + 4, "tactical.", 9) == 0 ? "tactical"
									    : "strategic")))
			json_object_set(tier, "api_key", json_object_get(row, "api_key"));
	}
	json_object_set_new(doc, "file",
			    ctx->cfg.path ? json_string(ctx->cfg.path) : json_null());
	json_object_set_new(doc, "root", json_string(ctx->root[0] ? ctx->root : "/"));
	json_object_set_new(doc, "origins", origins);
	json_decref(rows);
	return doc;
}
