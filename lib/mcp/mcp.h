/* Private declarations shared by the MCP server's files. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_MCP_PRIV_H
#define AIPKG_MCP_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "aipkg/mcp.h"
#include "buf.h"
#include "ctx.h"

struct mcp_session;

struct aipkg_mcp {
	struct aipkg_ctx *ctx;
	unsigned flags;                /* enum aipkg_mcp_flags */
	struct aipkg_callbacks cb;     /* the context's own, given back on free */
	struct aipkg_opts opts;        /* likewise */
	/* the negotiated revision; NULL before initialize (atomic: the thread
	 * reading the input consults it while a call runs) */
	const char *_Atomic version;
	json_t *warnings;              /* the running tool's warnings; NULL between calls */
	bool stop;                     /* a signal interrupted a call: end the session */
	/* aipkg_mcp_serve's session (serve.c), NULL outside it: progress
	 * notifications and cancellations go through it */
	struct mcp_session *session;
};

/* A JSON-RPC error being answered. */
struct mcp_error {
	int code;                      /* enum aipkg_mcp_rpc_error */
	struct aipkg_buf msg;
};

/* Set ERR and return NULL, so a method can `return aipkg_mcp_fail(...)`. */
json_t *aipkg_mcp_fail(struct mcp_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * rpc.c: the JSON-RPC layer.
 */

/* ID is a string or an integer, as MCP wants. */
bool aipkg_mcp_id_valid(const json_t *id);
/* A new error reply; it names ID only when valid (MCP allows no null id). */
json_t *aipkg_mcp_error_reply(const json_t *id, int code, const char *message);
/* The "id" of a line that is not one well-formed message (too large, bad
 * JSON after the id), read member by member as far as the JSON goes: a new
 * reference, or NULL. */
json_t *aipkg_mcp_recover_id(const char *text, size_t len);
/* Parse one line: the message, or NULL with *reply the error to answer. */
json_t *aipkg_mcp_parse(const char *text, size_t len, json_t **reply);
/* The "message too large" error for TEXT (which may be cut short or NULL). */
json_t *aipkg_mcp_too_big_reply(const char *text, size_t len);
/* Whether REPLY may be sent: an error without an id exists only from
 * revision 2025-11-25 on (and before the handshake); otherwise it is
 * dropped with a warning on the log. */
bool aipkg_mcp_may_send(struct aipkg_mcp *mcp, const json_t *reply);
/* The negotiated revision has JSON-RPC batches (2025-03-26). */
bool aipkg_mcp_batches(const struct aipkg_mcp *mcp);
/* MSG is a well-formed request (with an id) rather than a notification,
 * a response or something broken. */
bool aipkg_mcp_is_request(const json_t *msg);
/* Everything to send for MSG (a message or a batch), run here and now: a
 * new array of messages, each one line (a batch's answer is one array). */
json_t *aipkg_mcp_replies(struct aipkg_mcp *mcp, const json_t *msg);
/* One request of a batch: its reply, or NULL. */
json_t *aipkg_mcp_batch_element(struct aipkg_mcp *mcp, const json_t *msg);
/* Run request METHOD with ID and PARAMS: its reply. */
json_t *aipkg_mcp_run_request(struct aipkg_mcp *mcp, const json_t *id, const char *method,
			      const json_t *params);
/* REPLY (consumed) as one line of text, malloc'd. */
char *aipkg_mcp_text(json_t *reply);

/*
 * server.c: the methods.
 */

/* Run request METHOD: its result, or NULL with ERR set.  PARAMS is an
 * object or NULL. */
json_t *aipkg_mcp_request(struct aipkg_mcp *mcp, const char *method, const json_t *params,
			  struct mcp_error *err);

/* A warning about the session itself, to the log only (never into a
 * tool's result); any thread. */
void aipkg_mcp_log(struct aipkg_mcp *mcp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Take note of notification METHOD; notifications are never answered. */
void aipkg_mcp_notify(struct aipkg_mcp *mcp, const char *method, const json_t *params);

/* The tools methods (tools.c), as aipkg_mcp_request. */
json_t *aipkg_mcp_tools_list(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err);
json_t *aipkg_mcp_tools_call(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err);

/*
 * serve.c: the session, when aipkg_mcp_serve runs one.
 */

/* The client cancelled request ID (notifications/cancelled). */
void aipkg_mcp_session_cancel(struct aipkg_mcp *mcp, const json_t *id);
/* Progress of the running call, for its progress token. */
void aipkg_mcp_session_progress(struct aipkg_mcp *mcp, const struct aipkg_progress *p);
/* The running call was cancelled: its answer will not be sent. */
bool aipkg_mcp_session_cancelled(struct aipkg_mcp *mcp);

#endif
