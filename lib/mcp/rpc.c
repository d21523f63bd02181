/* JSON-RPC 2.0 over newline-delimited stdio: framing, envelopes and errors. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/mcp.h"

/* What is left to say when even the reply cannot be encoded. */
#define ENCODE_FAILED                                                                    \
	"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"                   \
	"\"message\":\"internal error: the reply could not be encoded\"}}"

json_t *aipkg_mcp_fail(struct mcp_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	aipkg_buf_reset(&err->msg);
	va_start(ap, fmt);
	aipkg_buf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	return NULL;
}

/* MCP ids are strings or integers; null is not allowed. */
static bool id_valid(const json_t *id)
{
	return json_is_string(id) || json_is_integer(id);
}

static json_t *error_reply(const json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
			 id_valid(id) ? id : json_null(), "error", "code", code, "message",
			 message);
}

static json_t *request_reply(struct aipkg_mcp *mcp, const json_t *id, const char *method,
			     const json_t *params)
{
	struct mcp_error err = { AIPKG_MCP_INTERNAL_ERROR, AIPKG_BUF_INIT };
	json_t *result, *reply;

	if (json_is_null(params))
		params = NULL; /* some clients send "params": null for none */
	if (params && !json_is_object(params))
		result = aipkg_mcp_fail(&err, AIPKG_MCP_INVALID_PARAMS,
					"\"params\" must be an object");
	else
		result = aipkg_mcp_request(mcp, method, params, &err);
	if (result)
		reply = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
	else
		reply = error_reply(id, err.code,
				    err.msg.len ? aipkg_buf_str(&err.msg) : "internal error");
	aipkg_buf_release(&err.msg);
	return reply;
}

/* A message from the client with a "result" or "error" and no "method". */
static bool is_response(const json_t *msg)
{
	return json_object_get(msg, "id") && !json_object_get(msg, "method") &&
	       (json_object_get(msg, "result") || json_object_get(msg, "error"));
}

/* The reply to one parsed message, or NULL when it gets none. */
static json_t *message_reply(struct aipkg_mcp *mcp, const json_t *msg)
{
	const json_t *id = json_object_get(msg, "id"), *method = json_object_get(msg, "method");
	const char *version = json_string_value(json_object_get(msg, "jsonrpc"));

	if (json_is_array(msg))
		return error_reply(NULL, AIPKG_MCP_INVALID_REQUEST,
				   "JSON-RPC batches are not supported (MCP removed batching in "
				   "revision 2025-06-18): send one message per line");
	if (!json_is_object(msg))
		return error_reply(NULL, AIPKG_MCP_INVALID_REQUEST,
				   "a message must be a JSON object");
	if (!version || strcmp(version, "2.0") != 0)
		return error_reply(id, AIPKG_MCP_INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
	if (is_response(msg))
		return NULL; /* the server sends no requests, so nothing waits for it */
	if (!json_is_string(method))
		return error_reply(id, AIPKG_MCP_INVALID_REQUEST, "\"method\" must be a string");
	if (!id) {
		aipkg_mcp_notify(mcp, json_string_value(method), json_object_get(msg, "params"));
		return NULL;
	}
	if (!id_valid(id))
		return error_reply(NULL, AIPKG_MCP_INVALID_REQUEST,
				   "\"id\" must be a string or an integer");
	return request_reply(mcp, id, json_string_value(method), json_object_get(msg, "params"));
}

static json_t *too_big_reply(void)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "message too large: the limit is %d bytes a line",
		 AIPKG_MCP_MAX_MESSAGE);
	return error_reply(NULL, AIPKG_MCP_INVALID_REQUEST, msg);
}

static json_t *parse_error_reply(const json_error_t *jerr)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "parse error: %s (at byte %d)", jerr->text, jerr->position);
	return error_reply(NULL, AIPKG_MCP_PARSE_ERROR, msg);
}

/* REPLY (consumed) as one line of text. */
static char *reply_text(json_t *reply)
{
	char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;

	json_decref(reply);
	return text ? text : strdup(ENCODE_FAILED);
}

char *aipkg_mcp_handle(struct aipkg_mcp *mcp, const char *msg, size_t len)
{
	json_error_t jerr;
	json_t *in, *reply;

	if (len > AIPKG_MCP_MAX_MESSAGE)
		return reply_text(too_big_reply());
	in = json_loadb(msg, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!in)
		return reply_text(parse_error_reply(&jerr));
	reply = message_reply(mcp, in);
	json_decref(in);
	return reply ? reply_text(reply) : NULL;
}

/*
 * The next line of IN into LINE, without its newline.  Returns 1 for a
 * line, 0 at the end of the input (LINE then holds whatever followed the
 * last newline), or -errno.  A line longer than LINE's limit is read to
 * its end but not kept, and *toobig is set.
 */
static int read_line(FILE *in, struct aipkg_buf *line, bool *toobig)
{
	int c;

	aipkg_buf_reset(line);
	*toobig = false;
	while ((c = getc(in)) != EOF) {
		if (c == '\n')
			return 1;
		if (!*toobig && aipkg_buf_addch(line, (char)c) < 0) {
			*toobig = true;
			aipkg_buf_reset(line);
		}
	}
	return ferror(in) ? -(errno ? errno : EIO) : 0;
}

static bool blank(const struct aipkg_buf *line)
{
	for (size_t i = 0; i < line->len; i++)
		if (!strchr(" \t\r", line->data[i]))
			return false;
	return true;
}

static int write_line(FILE *out, const char *text)
{
	if (fputs(text, out) == EOF || putc('\n', out) == EOF || fflush(out) == EOF)
		return -(errno ? errno : EIO);
	return 0;
}

static int serve_line(struct aipkg_mcp *mcp, const struct aipkg_buf *line, bool toobig,
		      FILE *out)
{
	char *reply = NULL;
	int r = 0;

	if (toobig) {
		aipkg_ctx_warn(mcp->ctx, "mcp: skipped a message longer than %d bytes",
			       AIPKG_MCP_MAX_MESSAGE);
		reply = reply_text(too_big_reply());
	} else if (!blank(line)) {
		reply = aipkg_mcp_handle(mcp, line->data, line->len);
	}
	if (reply)
		r = write_line(out, reply);
	free(reply);
	return r;
}

int aipkg_mcp_serve(struct aipkg_mcp *mcp, FILE *in, FILE *out)
{
	struct aipkg_buf line;
	bool toobig = false;
	int r = 0;

	aipkg_buf_init(&line, AIPKG_MCP_MAX_MESSAGE);
	while (!mcp->stop && (r = read_line(in, &line, &toobig)) > 0 &&
	       (r = serve_line(mcp, &line, toobig, out)) == 0)
		;
	if (mcp->stop)
		aipkg_ctx_warn(mcp->ctx, "mcp: a signal interrupted a call, so the server stops");
	else if (r == 0 && (toobig || !blank(&line)))
		aipkg_ctx_warn(mcp->ctx, "mcp: the input ended in the middle of a message, which "
					 "was dropped");
	aipkg_buf_release(&line);
	/* the client closing its end is how a session ends, not a failure */
	return r == -EPIPE ? 0 : r;
}
