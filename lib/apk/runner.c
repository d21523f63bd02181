/* The apk runner: builds apk's argv, runs it, maps its result. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/index.h"
#include "apk/progress.h"
#include "apk/rules.h"
#include "apk/runner.h"
#include "apk/version.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "interrupt.h"
#include "redact.h"

/* A string that is not UTF-8 becomes null rather than vanishing, which
 * would shift the words after it (aipkg_apk_argv refuses it). */
static int argv_add(json_t *argv, const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return json_array_append_new(argv, v ? v : json_null());
}

/*
 * Where apk caches.  Under a --root whose etc/apk/cache apk would resolve
 * on the host, the directory aipkg reads, so apk writes the indexes there;
 * a cache directory apk is given caches packages too (apk 2 and 3).
 * Otherwise, for AIPKG_APK_CACHE, apk's default cache turned on for
 * packages: apk 3 has an option, apk 2 caches only in a directory it is
 * given, so it is given its default (relative to the root), where the
 * indexes already are.
 */
static void argv_cache(struct aipkg_ctx *ctx, const struct aipkg_apk *apk,
		       const struct aipkg_apk_call *call, json_t *a)
{
	char *dir = call->flags & AIPKG_APK_NOROOT ? NULL : aipkg_apk_cache_dir_override(ctx);

	if (dir) {
		argv_add(a, "--cache-dir");
		argv_add(a, dir);
	} else if ((call->flags & AIPKG_APK_CACHE) && apk->major >= 3) {
		argv_add(a, "--cache-packages");
	} else if (call->flags & AIPKG_APK_CACHE) {
		argv_add(a, "--cache-dir");
		argv_add(a, "var/cache/apk");
	}
	free(dir);
}

/* apk 2.12 and older do not know --no-interactive: they print
 * "unrecognized option: no-interactive" on every change (and never ask
 * unless etc/apk/interactive says so, which aipkg's stdin, not a terminal,
 * cannot answer yes to anyway). */
static bool knows_no_interactive(const struct aipkg_apk *apk)
{
	int order;

	if (apk->major >= 3 || !apk->version)
		return true;
	order = aipkg_version2_compare(aipkg_slice_str(apk->version), aipkg_slice_str("2.14"),
				       false);
	return order == AIPKG_VER_EQUAL || order == AIPKG_VER_GREATER;
}

static void argv_globals(struct aipkg_ctx *ctx, const struct aipkg_apk *apk,
			 const struct aipkg_apk_call *call, json_t *a)
{
	char wait[32];

	if (!(call->flags & AIPKG_APK_NOROOT)) {
		argv_add(a, "--root");
		argv_add(a, ctx->root[0] ? ctx->root : "/");
		argv_cache(ctx, apk, call, a);
		for (size_t i = 0; i < ctx->opts.nrepos; i++) {
			argv_add(a, "--repository");
			argv_add(a, ctx->opts.repos[i]);
		}
		if (ctx->opts.allow_untrusted)
			argv_add(a, "--allow-untrusted");
	}
	if (call->flags & AIPKG_APK_CHANGE) {
		snprintf(wait, sizeof(wait), "%ld", ctx->cfg.apk_wait);
		argv_add(a, "--wait");
		argv_add(a, wait);
		if (knows_no_interactive(apk))
			argv_add(a, "--no-interactive");
	}
	argv_add(a, "--no-progress");
	if (call->flags & AIPKG_APK_PROGRESS_FD) {
		argv_add(a, "--progress-fd");
		argv_add(a, "3");
	}
	if (call->flags & AIPKG_APK_SIMULATE)
		argv_add(a, "--simulate");
}

int aipkg_apk_argv(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call, json_t **out)
{
	struct aipkg_apk *apk;
	json_t *a;
	int r = aipkg_apk_get(ctx, &apk);

	if (r < 0)
		return r;
	a = json_array();
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < apk->ncmd; i++)
		argv_add(a, apk->cmd[i]);
	argv_globals(ctx, apk, call, a);
	argv_add(a, call->applet);
	for (const char *const *o = call->options; o && *o; o++)
		argv_add(a, *o);
	if (call->nargs) {
		argv_add(a, "--");
		for (size_t i = 0; i < call->nargs; i++)
			argv_add(a, call->args[i]);
	}
	for (size_t i = 0; i < json_array_size(a); i++) {
		if (!json_is_string(json_array_get(a, i))) {
			json_decref(a);
			return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE,
					      "argument %zu of apk %s is not valid UTF-8", i,
					      call->applet);
		}
	}
	*out = a;
	return 0;
}

/* Join TEXT's lines into one paragraph; with ERRORS_ONLY, only the
 * "ERROR:" lines and the indented lines that continue them. */
static void reason_join(struct aipkg_buf *out, struct aipkg_slice text, bool errors_only)
{
	struct aipkg_slice line;
	bool in_error = false;

	while (aipkg_slice_next_line(&text, &line)) {
		bool indented = line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t');
		const char *sep;

		line = aipkg_slice_trim(line);
		if (!line.len)
			continue;
		if (!indented)
			in_error = aipkg_slice_starts_with(line, "ERROR");
		if (errors_only && !in_error)
			continue;
		/* each ERROR its own clause: "a: DNS lookup error; b: DNS lookup error" */
		sep = !out->len ? "" : indented ? " " : "; ";
		if (aipkg_slice_starts_with(line, "ERROR: ")) {
			line.ptr += 7;
			line.len -= 7;
		}
		aipkg_buf_addf(out, "%s%.*s", sep, (int)line.len, line.ptr);
	}
}

/* apk 2.12 and older print what an ERROR line announces ("unable to
 * select packages:") on stdout, indented: the indented lines of TEXT. */
static void reason_details(struct aipkg_buf *out, struct aipkg_slice text)
{
	struct aipkg_slice line;

	while (aipkg_slice_next_line(&text, &line)) {
		bool indented = line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t');

		line = aipkg_slice_trim(line);
		if (indented && line.len)
			aipkg_buf_addf(out, " %.*s", (int)line.len, line.ptr);
	}
}

char *aipkg_apk_reason(const struct aipkg_spawn_result *res)
{
	struct aipkg_buf out = AIPKG_BUF_INIT;

	/* apk's WARNINGs (a stale cache, say) only bury the ERROR that says why */
	reason_join(&out, aipkg_slice_of(&res->err), true);
	if (out.len && out.data[out.len - 1] == ':')
		reason_details(&out, aipkg_slice_of(&res->out));
	if (!out.len)
		reason_join(&out, aipkg_slice_of(&res->err), false);
	if (!out.len) /* apk 2 says why a del kept packages on stdout, exit 0 */
		reason_join(&out, aipkg_slice_of(&res->out), true);
	return aipkg_buf_detach(&out);
}

/* What the failure means, for the person or program that reads the error
 * (ctx->diagnosis, until the next failure or tool call). */
static void explain(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
		    const struct aipkg_spawn_result *res, const char *reason)
{
	json_t *d = aipkg_doctor_explain(ctx, call->applet, aipkg_buf_str(&res->err),
					 aipkg_buf_str(&res->out), res->exit_code);

	if (d)
		json_object_set_new(d, "apk_error", json_string(reason ? reason : ""));
	/* apk quotes repository URLs with their user name and query (a
	 * token): the diagnosis goes to --json, MCP clients and a model */
	aipkg_redact_json(&(struct aipkg_redact){ NULL, 0 }, d);
	json_decref(ctx->diagnosis);
	ctx->diagnosis = d;
}

static int apk_map_failure(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
			   const struct aipkg_spawn_result *res)
{
	const char *err = aipkg_buf_str(&res->err);
	char *reason;
	int code;

	if (res->not_started)
		return aipkg_ctx_fail(ctx, -AIPKG_E_INTERRUPTED,
				      "apk %s was not started: %s had stopped the operation",
				      call->applet, aipkg_interrupt_name(res->interrupted));
	if (res->interrupted)
		return aipkg_ctx_fail(ctx, -AIPKG_E_INTERRUPTED, "apk %s was stopped by %s",
				      call->applet, aipkg_interrupt_name(res->interrupted));
	if (res->timed_out)
		return aipkg_ctx_fail(ctx, -AIPKG_E_TIMEOUT,
				      "apk %s took longer than %g s and was stopped (apk.timeout)",
				      call->applet, ctx->cfg.apk_timeout);
	if (res->term_signal) {
		/* what apk said before it died (an assertion, a library's
		 * abort message) is most of what there is to go on */
		reason = aipkg_apk_reason(res);
		aipkg_ctx_fail(ctx, -AIPKG_E_APK_FAILED, "apk %s was killed by signal %d (%s)%s%s",
			       call->applet, res->term_signal, strsignal(res->term_signal),
			       reason && *reason ? ": " : "", reason ? reason : "");
		free(reason);
		return -AIPKG_E_APK_FAILED;
	}
	if (strstr(err, "nable to lock database"))
		code = -AIPKG_E_APK_LOCKED;
	else if (strstr(err, "(no such package)") || strstr(err, "No such package"))
		code = -AIPKG_E_NOPKG;
	else if (strstr(err, "conflicts:") || strstr(err, "breaks:"))
		code = -AIPKG_E_CONFLICT;
	else
		code = -AIPKG_E_APK_FAILED;
	reason = aipkg_apk_reason(res);
	aipkg_ctx_fail(ctx, code, "apk %s failed (exit %d): %s", call->applet, res->exit_code,
		       reason && *reason ? reason : "no reason given");
	explain(ctx, call, res, reason);
	free(reason);
	return code;
}

/* What an apk run passes on as it goes. */
struct apk_watch {
	struct aipkg_ctx *ctx;
	bool stream;                      /* to the output callback */
	struct aipkg_apk_progress *progress; /* NULL: nobody watches */
};

static void apk_output(void *ud, enum aipkg_stream stream, const char *data, size_t len)
{
	struct apk_watch *w = ud;

	if (w->stream && stream != AIPKG_SPAWN_FD3)
		w->ctx->cb.output(w->ctx->cb.ud, stream, data, len);
	if (w->progress)
		aipkg_apk_progress_feed(w->progress, stream, data, len);
}

static int apk_spawn(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
		     const char **argv, struct aipkg_spawn_result *res)
{
	struct aipkg_apk_progress progress;
	struct apk_watch w = { ctx, false, NULL };
	struct aipkg_spawn sp = { 0 };
	int r;

	sp.argv = argv;
	/* apk 3 takes an argument naming an existing file in its working
	 * directory as a package file: run it where nobody else can write */
	sp.cwd = "/";
	sp.timeout = ctx->cfg.apk_timeout;
	sp.stop_signal = SIGINT; /* as the interruption stops it (spawn.c) */
	w.stream = ctx->opts.stream && ctx->cb.output && !(call->flags & AIPKG_APK_QUIET);
	if (call->flags & AIPKG_APK_PROGRESS_FD) {
		aipkg_apk_progress_init(&progress, ctx, call->applet);
		w.progress = &progress;
		sp.fd3 = true;
	}
	if (w.stream || w.progress) {
		sp.on_output = apk_output;
		sp.ud = &w;
	}
	r = aipkg_spawn_run(&sp, res);
	if (w.progress)
		aipkg_apk_progress_end(w.progress);
	return r;
}

int aipkg_apk_run(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
		  struct aipkg_spawn_result *res)
{
	struct aipkg_apk_call watched = *call;
	const char **argv;
	json_t *a;
	size_t i, n;
	int r;

	memset(res, 0, sizeof(*res));
	if (ctx->opts.allow_untrusted && (call->flags & AIPKG_APK_CHANGE) &&
	    !(call->flags & AIPKG_APK_SIMULATE) && !ctx->warned_untrusted) {
		ctx->warned_untrusted = true;
		aipkg_ctx_warn(ctx, "--allow-untrusted: apk installs packages without checking "
				    "their signatures");
	}
	if (ctx->cb.progress && !(call->flags & AIPKG_APK_SIMULATE))
		watched.flags |= AIPKG_APK_PROGRESS_FD;
	r = aipkg_apk_argv(ctx, &watched, &a);
	if (r < 0)
		return r;
	n = json_array_size(a);
	argv = calloc(n + 1, sizeof(char *));
	if (!argv) {
		json_decref(a);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		argv[i] = json_string_value(json_array_get(a, i));
	r = apk_spawn(ctx, &watched, argv, res);
	free(argv);
	json_decref(a);
	if (r < 0)
		return aipkg_ctx_fail(ctx, r == -ENOENT ? -AIPKG_E_APK_MISSING : r,
				      "cannot run apk: %s", strerror(-r));
	if (res->exit_code == 0 && !res->interrupted && !res->timed_out)
		return 0;
	return apk_map_failure(ctx, call, res);
}
