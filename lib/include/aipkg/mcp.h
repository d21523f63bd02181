/* libaipkg public API: a Model Context Protocol server over the pkg.* tool registry. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_MCP_H
#define AIPKG_MCP_H

#include <stdio.h>

#include "aipkg/aipkg.h"

/* The largest message the server reads; a longer line is answered with an
 * error and skipped up to its newline. */
#define AIPKG_MCP_MAX_MESSAGE (1 << 20)

/* The most tool calls (or batches) waiting behind the running one; a call
 * beyond that is answered at once with AIPKG_MCP_BUSY, so that a client
 * that never waits cannot fill the server's memory. */
#define AIPKG_MCP_MAX_WAITING 64

/* JSON-RPC 2.0 error codes the server answers with. */
enum aipkg_mcp_rpc_error {
	AIPKG_MCP_PARSE_ERROR = -32700,
	AIPKG_MCP_INVALID_REQUEST = -32600,
	AIPKG_MCP_METHOD_NOT_FOUND = -32601,
	AIPKG_MCP_INVALID_PARAMS = -32602,
	AIPKG_MCP_INTERNAL_ERROR = -32603,
	AIPKG_MCP_BUSY = -32000, /* AIPKG_MCP_MAX_WAITING calls wait already */
};

enum aipkg_mcp_flags {
	AIPKG_MCP_READ_ONLY = 1 << 0, /* offer only the tools without AIPKG_TOOL_CHANGES */
};

struct aipkg_mcp;

/*
 * A server over CTX (borrowed; it must outlive the server).  While the
 * server exists it owns CTX's callbacks and options: apk's output is never
 * streamed, nobody is asked to confirm (a changing tool needs "confirm":
 * true in its arguments), --yes is ignored, and the journal records the
 * caller as "mcp".  Warnings and notes still reach CTX's own callbacks (a
 * log on stderr), and warnings are added to the tool's result.  FLAGS:
 * enum aipkg_mcp_flags.  Returns NULL when out of memory.  Free with
 * aipkg_mcp_free(), which gives CTX back as it was.
 */
AIPKG_API struct aipkg_mcp *aipkg_mcp_new(struct aipkg_ctx *ctx, unsigned flags);
AIPKG_API void aipkg_mcp_free(struct aipkg_mcp *mcp);

/*
 * Handle one message: LEN bytes of JSON without the newline that framed
 * it.  Returns the reply as a malloc'd line without its newline (the
 * caller frees it), or NULL when there is none (a notification, or a
 * response from the client).  Every input gets a well-formed answer: bad
 * JSON, batches, unknown methods and bad parameters are JSON-RPC errors,
 * and a tool that fails is a result with "isError": true.
 */
AIPKG_API char *aipkg_mcp_handle(struct aipkg_mcp *mcp, const char *msg, size_t len);

/*
 * Serve newline-delimited messages from IN, writing each reply and a
 * newline to OUT (and nothing else), until IN ends, OUT is closed, or a
 * signal interrupts a call (after its reply).
 * Blank lines are skipped; a line longer than AIPKG_MCP_MAX_MESSAGE is
 * answered with an error and skipped; a last line without its newline is
 * incomplete and dropped with a warning.  Returns 0, -AIPKG_E_INTERRUPTED
 * when a signal (SIGINT, SIGTERM, SIGHUP) stopped it, or -errno when
 * reading or writing failed for another reason than the client leaving.
 */
AIPKG_API int aipkg_mcp_serve(struct aipkg_mcp *mcp, FILE *in, FILE *out);

#endif
