/* Private declarations shared by the MCP server's files. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_MCP_PRIV_H
#define AIPKG_MCP_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "aipkg/mcp.h"
#include "buf.h"
#include "ctx.h"

struct aipkg_mcp {
	struct aipkg_ctx *ctx;
	unsigned flags;                /* enum aipkg_mcp_flags */
	struct aipkg_callbacks cb;     /* the context's own, given back on free */
	struct aipkg_opts opts;        /* likewise */
	const char *version;           /* the negotiated revision; NULL before initialize */
	/* Arguments that fail the schema are a tool error (isError) rather than
	 * a JSON-RPC error: revision 2025-11-25 asks for that, so the model
	 * sees the reason and can correct itself. */
	bool args_as_result;
	json_t *warnings;              /* the running tool's warnings; NULL between calls */
	bool stop;                     /* a signal interrupted a call: end the session */
};

/* A JSON-RPC error being answered. */
struct mcp_error {
	int code;                      /* enum aipkg_mcp_rpc_error */
	struct aipkg_buf msg;
};

/* Set ERR and return NULL, so a method can `return aipkg_mcp_fail(...)`. */
json_t *aipkg_mcp_fail(struct mcp_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run request METHOD (server.c): its result, or NULL with ERR set.
 * PARAMS is an object or NULL. */
json_t *aipkg_mcp_request(struct aipkg_mcp *mcp, const char *method, const json_t *params,
			  struct mcp_error *err);

/* Take note of notification METHOD; notifications are never answered. */
void aipkg_mcp_notify(struct aipkg_mcp *mcp, const char *method, const json_t *params);

/* The tools methods (tools.c), as aipkg_mcp_request. */
json_t *aipkg_mcp_tools_list(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err);
json_t *aipkg_mcp_tools_call(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err);

#endif
