/* Telling someone about a run: syslog, a webhook (JSON POST) and a command reading the report. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "agent/agent.h"
#include "ctx.h"
#include "http.h"
#include "spawn.h"

#define NOTIFY_TIMEOUT 60

static void notify_error(struct aipkg_ctx *ctx, json_t *report, const char *what, int err)
{
	json_t *errs = json_object_get(report, "notify_errors");
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s: %s", what, aipkg_ctx_why(ctx, err));
	if (!errs)
		json_object_set_new(report, "notify_errors", errs = json_array());
	json_array_append_new(errs, json_string(msg));
	aipkg_ctx_warn(ctx, "%s", msg);
}

static void to_syslog(const json_t *report)
{
	json_t *sum = json_object_get(report, "summary");
	bool failed = strcmp(json_string_value(json_object_get(report, "status")), "ok") != 0;

	openlog("aipkg", LOG_PID, LOG_DAEMON);
	syslog(failed ? LOG_ERR : LOG_NOTICE, "agent run %s: %lld upgraded, %lld deferred, %lld "
					      "failed; report %s",
	       failed ? "failed" : "done",
	       (long long)json_integer_value(json_object_get(sum, "applied")),
	       (long long)json_integer_value(json_object_get(sum, "deferred")),
	       (long long)json_integer_value(json_object_get(sum, "failed")),
	       json_string_value(json_object_get(json_object_get(report, "files"), "text")));
	closelog();
}

static int to_webhook(struct aipkg_ctx *ctx, const json_t *report, const char *url)
{
	static const char *const headers[] = { "Content-Type: application/json", NULL };
	char *body = json_dumps(report, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct aipkg_http_request req = { 0 };
	struct aipkg_http_response res;
	int r;

	if (!body)
		return -ENOMEM;
	req.url = url;
	req.method = "POST";
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout = NOTIFY_TIMEOUT;
	req.max_redirects = -1;
	r = aipkg_http_fetch(ctx, &req, &res);
	aipkg_http_response_release(&res);
	free(body);
	return r;
}

/* The admin's notify command, as words without a shell, the report text
 * on its stdin. */
static int to_command(struct aipkg_ctx *ctx, char **argv, const char *text_file)
{
	struct aipkg_spawn sp = { 0 };
	struct aipkg_spawn_result res;
	int r;

	sp.argv = (const char *const *)argv;
	sp.cwd = "/";
	sp.timeout = NOTIFY_TIMEOUT;
	sp.stdin_file = text_file;
	r = aipkg_spawn_run(&sp, &res);
	if (r < 0)
		r = aipkg_ctx_fail(ctx, r, "cannot run '%s': %s", argv[0], strerror(-r));
	else if (res.exit_code != 0 || res.timed_out)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_APK_FAILED, "'%s' %s %d", argv[0],
				   res.timed_out ? "timed out; exit" : "exited with", res.exit_code);
	aipkg_spawn_result_release(&res);
	return r;
}

void aipkg_agent_notify(struct aipkg_ctx *ctx, json_t *report, const char *text_file)
{
	const struct aipkg_agent_config *cfg = &ctx->cfg.agent;
	int r;

	if (cfg->notify_syslog)
		to_syslog(report);
	if (cfg->notify_webhook && (r = to_webhook(ctx, report, cfg->notify_webhook)) < 0)
		notify_error(ctx, report, "the webhook agent.notify.webhook failed", r);
	if (cfg->notify_command && text_file &&
	    (r = to_command(ctx, cfg->notify_command, text_file)) < 0)
		notify_error(ctx, report, "the command agent.notify.command failed", r);
}
