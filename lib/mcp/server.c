/* The MCP server: the handshake, ping, method dispatch and the context it borrows. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/mcp.h"

/* The protocol revisions spoken, newest first. */
static const char *const versions[] = { "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
					NULL };

#define INSTRUCTIONS                                                                      \
	"aipkg manages this Alpine Linux system's packages through apk. The pkg_* tools "    \
	"search and inspect packages without changing anything. "
#define INSTRUCTIONS_CHANGE                                                               \
	"Tools that change what is installed (readOnlyHint false) need \"confirm\": "     \
	"true: call them first without it (or with \"dry_run\": true) to get apk's plan, "    \
	"show it to your user, and repeat the call with \"confirm\": true only once they "   \
	"agreed. Every change is journalled and can be rolled back."
#define INSTRUCTIONS_READ_ONLY                                                            \
	"This server is read-only: it offers no tool that changes the system."

static void on_warn(void *ud, const char *msg)
{
	struct aipkg_mcp *mcp = ud;

	if (mcp->warnings)
		json_array_append_new(mcp->warnings, json_string(msg));
	if (mcp->cb.warn)
		mcp->cb.warn(mcp->cb.ud, msg);
}

static void on_note(void *ud, const char *msg)
{
	struct aipkg_mcp *mcp = ud;

	if (mcp->cb.note)
		mcp->cb.note(mcp->cb.ud, msg);
}

void aipkg_mcp_log(struct aipkg_mcp *mcp, const char *fmt, ...)
{
	struct aipkg_buf msg = AIPKG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	aipkg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (mcp->cb.warn)
		mcp->cb.warn(mcp->cb.ud, aipkg_buf_str(&msg));
	aipkg_buf_release(&msg);
}

static void on_progress(void *ud, const struct aipkg_progress *p)
{
	aipkg_mcp_session_progress(ud, p);
}

struct aipkg_mcp *aipkg_mcp_new(struct aipkg_ctx *ctx, unsigned flags)
{
	struct aipkg_mcp *mcp = calloc(1, sizeof(*mcp));

	if (!mcp)
		return NULL;
	mcp->ctx = ctx;
	mcp->flags = flags;
	mcp->cb = ctx->cb;
	mcp->opts = ctx->opts;
	/* stdout carries the protocol and stdin the client's messages: apk's
	 * output and questions to a person have nowhere to go */
	ctx->cb = (struct aipkg_callbacks){ .warn = on_warn, .note = on_note, .ud = mcp,
					    .progress = on_progress };
	ctx->opts.stream = false;
	ctx->opts.interactive = false;
	ctx->opts.yes = false; /* the agent's "confirm" is the only yes */
	aipkg_ctx_set_caller(ctx, "mcp");
	return mcp;
}

void aipkg_mcp_free(struct aipkg_mcp *mcp)
{
	if (!mcp)
		return;
	mcp->ctx->cb = mcp->cb;
	mcp->ctx->opts = mcp->opts;
	json_decref(mcp->warnings);
	free(mcp);
}

/* The client's revision when spoken, else the newest. */
static const char *negotiate(const char *want)
{
	for (const char *const *v = versions; *v; v++)
		if (strcmp(*v, want) == 0)
			return *v;
	return versions[0];
}

static json_t *initialize(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err)
{
	const char *want = json_string_value(json_object_get(params, "protocolVersion"));
	const json_t *client = json_object_get(params, "clientInfo");
	const char *name = json_string_value(json_object_get(client, "name"));
	bool read_only = mcp->flags & AIPKG_MCP_READ_ONLY;

	if (!want)
		return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS,
				      "initialize needs \"protocolVersion\", a string such as "
				      "\"%s\"",
				      versions[0]);
	mcp->version = negotiate(want);
	aipkg_ctx_note(mcp->ctx, "mcp: %s asked for protocol %s; speaking %s",
		       name ? name : "the client", want, mcp->version);
	return json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s, s:s}, s:s}", "protocolVersion",
			 mcp->version, "capabilities", "tools", "listChanged", 0, "serverInfo",
			 "name", "aipkg", "title", "aipkg package manager", "version",
			 AIPKG_VERSION_STRING, "instructions",
			 read_only ? INSTRUCTIONS INSTRUCTIONS_READ_ONLY
				   : INSTRUCTIONS INSTRUCTIONS_CHANGE);
}

static json_t *ping(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err)
{
	return json_object();
}

/* Sorted by name. */
static const struct method {
	const char *name;
	json_t *(*run)(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err);
} methods[] = {
	{ "initialize", initialize },
	{ "ping", ping },
	{ "tools/call", aipkg_mcp_tools_call },
	{ "tools/list", aipkg_mcp_tools_list },
};

json_t *aipkg_mcp_request(struct aipkg_mcp *mcp, const char *method, const json_t *params,
			  struct mcp_error *err)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			return methods[i].run(mcp, params, err);
	return aipkg_mcp_fail(err, AIPKG_MCP_METHOD_NOT_FOUND,
			      "method '%s' not found: aipkg serves initialize, ping, tools/list "
			      "and tools/call",
			      method);
}

void aipkg_mcp_notify(struct aipkg_mcp *mcp, const char *method, const json_t *params)
{
	/* notifications/initialized needs no action: requests are served
	 * before it too */
	aipkg_ctx_note(mcp->ctx, "mcp: notification %s", method);
	if (strcmp(method, "notifications/cancelled") == 0)
		aipkg_mcp_session_cancel(mcp, json_object_get(params, "requestId"));
}
