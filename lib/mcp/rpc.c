/* JSON-RPC 2.0 over newline-delimited stdio: envelopes, errors, ids and batches. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mcp/mcp.h"

/* What is left to say when even the reply cannot be encoded. */
#define ENCODE_FAILED                                                                    \
	"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,"                               \
	"\"message\":\"internal error: the reply could not be encoded\"}}"

/* The revision from which an error may leave out an id it cannot name. */
#define REVISION_OPTIONAL_ID "2025-11-25"
/* The only revision with JSON-RPC batches. */
#define REVISION_BATCHES "2025-03-26"

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
bool aipkg_mcp_id_valid(const json_t *id)
{
	return json_is_string(id) || json_is_integer(id);
}

/* An error reply; without a valid ID it has none (no revision allows null). */
json_t *aipkg_mcp_error_reply(const json_t *id, int code, const char *message)
{
	json_t *reply = json_pack("{s:s}", "jsonrpc", "2.0");

	if (aipkg_mcp_id_valid(id))
		json_object_set(reply, "id", (json_t *)id);
	json_object_set_new(reply, "error",
			    json_pack("{s:i, s:s}", "code", code, "message", message));
	return reply;
}

static size_t skip_blank(const char *text, size_t len, size_t pos)
{
	while (pos < len && strchr(" \t\r\n", text[pos]))
		pos++;
	return pos;
}

/* The JSON value at *POS, which moves past it; NULL when none parses there. */
static json_t *value_at(const char *text, size_t len, size_t *pos)
{
	json_error_t jerr;
	json_t *v = json_loadb(text + *pos, len - *pos, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK,
			       &jerr);

	if (v)
		*pos += (size_t)jerr.position;
	return v;
}

json_t *aipkg_mcp_recover_id(const char *text, size_t len)
{
	size_t pos = skip_blank(text, len, 0);
	json_t *id = NULL;

	if (pos >= len || text[pos++] != '{')
		return NULL;
	/* member by member, jansson parsing each key and value, as far as it goes */
	for (;;) {
		json_t *key, *value;
		bool is_id;

		pos = skip_blank(text, len, pos);
		key = pos < len && text[pos] == '"' ? value_at(text, len, &pos) : NULL;
		pos = skip_blank(text, len, pos);
		if (!key || pos >= len || text[pos++] != ':') {
			json_decref(key);
			break;
		}
		is_id = strcmp(json_string_value(key), "id") == 0;
		json_decref(key);
		pos = skip_blank(text, len, pos);
		if (!(value = value_at(text, len, &pos)))
			break;
		if (is_id && id) { /* twice: which one was meant? */
			json_decref(value);
			json_decref(id);
			return NULL;
		}
		if (is_id)
			id = value;
		else
			json_decref(value);
		pos = skip_blank(text, len, pos);
		if (pos >= len || text[pos++] != ',')
			break;
	}
	if (!aipkg_mcp_id_valid(id)) {
		json_decref(id);
		return NULL;
	}
	return id;
}

bool aipkg_mcp_may_send(struct aipkg_mcp *mcp, const json_t *reply)
{
	const json_t *error = json_object_get(reply, "error");

	if (!error || json_object_get(reply, "id") || !mcp->version ||
	    strcmp(mcp->version, REVISION_OPTIONAL_ID) >= 0)
		return true;
	aipkg_mcp_log(mcp,
		      "mcp: not answered, as protocol %s has no error reply without the request's "
		      "id, which could not be read: %s",
		      mcp->version, json_string_value(json_object_get(error, "message")));
	return false;
}

bool aipkg_mcp_batches(const struct aipkg_mcp *mcp)
{
	return mcp->version && strcmp(mcp->version, REVISION_BATCHES) == 0;
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
		reply = aipkg_mcp_error_reply(
			id, err.code, err.msg.len ? aipkg_buf_str(&err.msg) : "internal error");
	aipkg_buf_release(&err.msg);
	return reply;
}

/* A message from the client with a "result" or "error" and no "method". */
static bool is_response(const json_t *msg)
{
	return json_object_get(msg, "id") && !json_object_get(msg, "method") &&
	       (json_object_get(msg, "result") || json_object_get(msg, "error"));
}

/* What is wrong with MSG's envelope, as an error reply; NULL when nothing is. */
static json_t *envelope_error(const json_t *msg)
{
	const json_t *id = json_object_get(msg, "id"), *method = json_object_get(msg, "method");
	const char *version = json_string_value(json_object_get(msg, "jsonrpc"));

	if (!json_is_object(msg))
		return aipkg_mcp_error_reply(NULL, AIPKG_MCP_INVALID_REQUEST,
					     "a message must be a JSON object");
	if (!version || strcmp(version, "2.0") != 0)
		return aipkg_mcp_error_reply(id, AIPKG_MCP_INVALID_REQUEST,
					     "\"jsonrpc\" must be \"2.0\"");
	if (is_response(msg))
		return NULL;
	if (!json_is_string(method))
		return aipkg_mcp_error_reply(id, AIPKG_MCP_INVALID_REQUEST,
					     "\"method\" must be a string");
	if (id && !aipkg_mcp_id_valid(id))
		return aipkg_mcp_error_reply(NULL, AIPKG_MCP_INVALID_REQUEST,
					     "\"id\" must be a string or an integer");
	return NULL;
}

bool aipkg_mcp_is_request(const json_t *msg)
{
	json_t *bad;

	if (json_is_array(msg) || is_response(msg) || !json_object_get(msg, "id"))
		return false;
	bad = envelope_error(msg);
	json_decref(bad);
	return !bad;
}

/* The reply to one message that is not a batch, or NULL when it gets none. */
static json_t *message_reply(struct aipkg_mcp *mcp, const json_t *msg)
{
	json_t *bad = envelope_error(msg);
	const json_t *id = json_object_get(msg, "id");
	const char *method = json_string_value(json_object_get(msg, "method"));

	if (bad || is_response(msg)) /* the server sends no requests: nothing waits for one */
		return bad;
	if (!id) {
		aipkg_mcp_notify(mcp, method, json_object_get(msg, "params"));
		return NULL;
	}
	return aipkg_mcp_run_request(mcp, id, method, json_object_get(msg, "params"));
}

json_t *aipkg_mcp_run_request(struct aipkg_mcp *mcp, const json_t *id, const char *method,
			      const json_t *params)
{
	return request_reply(mcp, id, method, params);
}

/* A batch where the revision has none: each request gets its own error. */
static json_t *batch_refused(struct aipkg_mcp *mcp, const json_t *batch)
{
	json_t *replies = json_array(), *m;
	char msg[200];
	size_t i;

	snprintf(msg, sizeof(msg), "JSON-RPC batches are part of MCP revision %s only, and this "
				   "session speaks %s: send one message per line",
		 REVISION_BATCHES, mcp->version ? mcp->version : "none yet");
	json_array_foreach(batch, i, m)
		if (aipkg_mcp_is_request(m))
			json_array_append_new(replies,
					      aipkg_mcp_error_reply(json_object_get(m, "id"),
								    AIPKG_MCP_INVALID_REQUEST, msg));
	if (!json_array_size(replies))
		json_array_append_new(replies, aipkg_mcp_error_reply(NULL, AIPKG_MCP_INVALID_REQUEST,
								     msg));
	return replies;
}

json_t *aipkg_mcp_batch_element(struct aipkg_mcp *mcp, const json_t *m)
{
	if (json_is_object(m) && json_object_get(m, "id") &&
	    json_is_string(json_object_get(m, "method")) &&
	    strcmp(json_string_value(json_object_get(m, "method")), "initialize") == 0)
		return aipkg_mcp_error_reply(json_object_get(m, "id"), AIPKG_MCP_INVALID_REQUEST,
					     "initialize must not be part of a batch");
	return message_reply(mcp, m);
}

/* The answer to a batch in revision 2025-03-26: one array, or NULL. */
static json_t *batch_reply(struct aipkg_mcp *mcp, const json_t *batch)
{
	json_t *replies, *m;
	size_t i;

	if (!json_array_size(batch))
		return aipkg_mcp_error_reply(NULL, AIPKG_MCP_INVALID_REQUEST, "an empty batch");
	replies = json_array();
	json_array_foreach(batch, i, m) {
		json_t *r = aipkg_mcp_batch_element(mcp, m);

		/* an element's error without an id has no place in the batch's answer */
		if (r && aipkg_mcp_may_send(mcp, r) && json_object_get(r, "id"))
			json_array_append_new(replies, r);
		else
			json_decref(r);
	}
	if (json_array_size(replies))
		return replies;
	json_decref(replies);
	return NULL;
}

/* REPLY (consumed) added to the messages OUT, when it may be sent. */
static void add_reply(struct aipkg_mcp *mcp, json_t *out, json_t *reply)
{
	if (reply && (json_is_array(reply) || aipkg_mcp_may_send(mcp, reply)))
		json_array_append_new(out, reply);
	else
		json_decref(reply);
}

json_t *aipkg_mcp_replies(struct aipkg_mcp *mcp, const json_t *msg)
{
	json_t *out = json_array(), *refused, *r;
	size_t i;

	if (!json_is_array(msg)) {
		add_reply(mcp, out, message_reply(mcp, msg));
	} else if (aipkg_mcp_batches(mcp)) {
		add_reply(mcp, out, batch_reply(mcp, msg));
	} else {
		refused = batch_refused(mcp, msg);
		json_array_foreach(refused, i, r)
			add_reply(mcp, out, json_incref(r));
		json_decref(refused);
	}
	return out;
}

json_t *aipkg_mcp_too_big_reply(const char *text, size_t len)
{
	json_t *id = text ? aipkg_mcp_recover_id(text, len) : NULL, *reply;
	char msg[160];

	snprintf(msg, sizeof(msg), "message too large: the limit is %d bytes a line",
		 AIPKG_MCP_MAX_MESSAGE);
	reply = aipkg_mcp_error_reply(id, AIPKG_MCP_INVALID_REQUEST, msg);
	json_decref(id);
	return reply;
}

json_t *aipkg_mcp_parse(const char *text, size_t len, json_t **reply)
{
	json_error_t jerr;
	json_t *msg, *id;
	char what[256];

	*reply = NULL;
	if (len > AIPKG_MCP_MAX_MESSAGE) {
		*reply = aipkg_mcp_too_big_reply(text, len);
		return NULL;
	}
	msg = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (msg)
		return msg;
	snprintf(what, sizeof(what), "parse error: %s (at byte %d)", jerr.text, jerr.position);
	id = aipkg_mcp_recover_id(text, len);
	*reply = aipkg_mcp_error_reply(id, AIPKG_MCP_PARSE_ERROR, what);
	json_decref(id);
	return NULL;
}

char *aipkg_mcp_text(json_t *reply)
{
	char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;

	json_decref(reply);
	return text ? text : strdup(ENCODE_FAILED);
}

char *aipkg_mcp_handle(struct aipkg_mcp *mcp, const char *text, size_t len)
{
	json_t *reply, *msg = aipkg_mcp_parse(text, len, &reply), *out, *r;
	struct aipkg_buf lines = AIPKG_BUF_INIT;
	size_t i;

	if (msg) {
		out = aipkg_mcp_replies(mcp, msg);
		json_decref(msg);
	} else {
		out = json_array();
		add_reply(mcp, out, reply);
	}
	json_array_foreach(out, i, r) {
		char *line = aipkg_mcp_text(json_incref(r));

		aipkg_buf_addf(&lines, "%s%s", i ? "\n" : "", line);
		free(line);
	}
	json_decref(out);
	return lines.len ? aipkg_buf_detach(&lines) : NULL;
}
