/* tools/list and tools/call: the pkg.* registry as MCP tools. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "aipkg/tools.h"
#include "interrupt.h"
#include "journal/journal.h"
#include "mcp/mcp.h"

#define CHANGES_NOTE                                                                      \
	" Changes the system: needs \"confirm\": true, given only after the user agreed to " \
	"the plan (a call without it changes nothing and returns the plan)."

static bool offered(const struct aipkg_mcp *mcp, const struct aipkg_tool *tool)
{
	return !(mcp->flags & AIPKG_MCP_READ_ONLY) || !(tool->flags & AIPKG_TOOL_CHANGES);
}

/* MCP's hints, from the registry's flags. */
static json_t *annotations(const struct aipkg_tool *tool)
{
	bool changes = tool->flags & AIPKG_TOOL_CHANGES;
	json_t *a = json_pack("{s:s?, s:b, s:b}", "title", tool->title, "readOnlyHint", !changes,
			      "openWorldHint", (tool->flags & AIPKG_TOOL_NETWORK) != 0);

	/* install and update replace and remove packages too */
	if (changes)
		json_object_set_new(a, "destructiveHint", json_true());
	return a;
}

/* What a failed call's structuredContent holds (call_result). */
#define ERROR_SHAPE                                                                       \
	"{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},"             \
	"\"message\":{\"type\":\"string\"},\"exit\":{\"type\":\"integer\"}},"              \
	"\"required\":[\"code\",\"message\",\"exit\"]}"
#define WARNINGS_SHAPE "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"

/*
 * The outputSchema: the registry's shape of a success, or the error
 * document of a failure (which carries structuredContent too, so that the
 * agent reads the code, and a plan when it was refused), either with the
 * warnings.
 */
static json_t *output_schema(const struct aipkg_tool *tool)
{
	json_t *ok = tool->output ? json_loads(tool->output, 0, NULL) : NULL, *props, *schema;
	json_t *required, *success, *failure, *name;
	size_t i;

	if (!ok)
		return NULL;
	props = json_deep_copy(json_object_get(ok, "properties"));
	required = json_incref(json_object_get(ok, "required"));
	json_decref(ok);
	if (!props)
		props = json_object();
	json_object_set_new(props, "error", json_loads(ERROR_SHAPE, 0, NULL));
	json_object_set_new(props, "warnings", json_loads(WARNINGS_SHAPE, 0, NULL));
	schema = json_pack("{s:s, s:o}", "type", "object", "properties", props);
	if (json_array_size(required)) {
		/* each branch names the properties it requires, as strict
		 * validators (ajv's strictRequired) want */
		success = json_pack("{s:{}, s:O}", "properties", "required", required);
		json_array_foreach(required, i, name)
			json_object_set(json_object_get(success, "properties"),
					json_string_value(name),
					json_object_get(props, json_string_value(name)));
		failure = json_pack("{s:{s:O}, s:[s]}", "properties", "error",
				    json_object_get(props, "error"), "required", "error");
		json_object_set_new(schema, "anyOf", json_pack("[o, o]", success, failure));
	}
	json_decref(required);
	return schema;
}

static json_t *tool_json(const struct aipkg_tool *tool)
{
	json_t *schema = json_loads(tool->schema, 0, NULL), *o, *out = output_schema(tool);
	struct aipkg_buf desc = AIPKG_BUF_INIT;
	char name[64];

	aipkg_buf_addstr(&desc, tool->description);
	if (tool->flags & AIPKG_TOOL_CHANGES)
		aipkg_buf_addf(&desc, "%s%s", desc.len && desc.data[desc.len - 1] == '.' ? "" : ".",
			       CHANGES_NOTE);
	o = json_pack("{s:s, s:s?, s:s, s:o, s:o}", "name",
		      aipkg_tool_mcp_name(tool, name, sizeof(name)), "title", tool->title,
		      "description", aipkg_buf_str(&desc), "inputSchema", schema, "annotations",
		      annotations(tool));
	if (out)
		json_object_set_new(o, "outputSchema", out);
	aipkg_buf_release(&desc);
	return o;
}

json_t *aipkg_mcp_tools_list(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err)
{
	const json_t *cursor = json_object_get(params, "cursor");
	const struct aipkg_tool *tools;
	json_t *list;
	size_t n;

	if (cursor && !json_is_null(cursor))
		return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS,
				      "invalid cursor: tools/list returns every tool at once");
	tools = aipkg_tools(&n);
	list = json_array();
	for (size_t i = 0; i < n; i++)
		if (offered(mcp, &tools[i]))
			json_array_append_new(list, tool_json(&tools[i]));
	return json_pack("{s:o}", "tools", list);
}

/* The {"error":{...}} document of a failed call, with its DETAIL. */
static json_t *error_doc(struct aipkg_ctx *ctx, int r, const json_t *detail)
{
	const char *msg = aipkg_ctx_errmsg(ctx);
	json_t *doc = json_is_object(detail) ? json_deep_copy(detail) : json_object();

	json_object_set_new(doc, "error",
			    json_pack("{s:s, s:s, s:i}", "code", aipkg_error_name(r), "message",
				      *msg ? msg : aipkg_strerror(r), "exit", aipkg_exit_code(r)));
	return doc;
}

/* The CallToolResult for return value R and RESULT (consumed): the JSON
 * as text for every client, and as structuredContent for newer ones. */
static json_t *call_result(struct aipkg_mcp *mcp, int r, json_t *result)
{
	json_t *doc = r < 0 ? error_doc(mcp->ctx, r, result) : json_incref(result);
	json_t *out;
	char *text;

	json_decref(result);
	if (!json_is_object(doc))
		doc = json_pack("{s:o?}", "result", doc);
	if (json_array_size(mcp->warnings))
		json_object_set(doc, "warnings", mcp->warnings);
	json_decref(mcp->warnings);
	mcp->warnings = NULL;
	text = json_dumps(doc, JSON_COMPACT);
	out = json_pack("{s:[{s:s, s:s}], s:o, s:b}", "content", "type", "text", "text",
			text ? text : "{}", "structuredContent", doc, "isError", r < 0);
	free(text);
	return out;
}

/* "aipkg mcp: pkg.install {...}", the command line the journal records. */
static char *call_line(const struct aipkg_mcp *mcp, const struct aipkg_tool *tool,
		       const json_t *args)
{
	char *text = args ? json_dumps(args, JSON_COMPACT) : NULL;
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_addf(&b, "%s: %s %s", mcp->opts.cmdline ? mcp->opts.cmdline : "aipkg mcp",
		       tool->name, text ? text : "{}");
	free(text);
	return aipkg_buf_detach(&b);
}

static int call(struct aipkg_mcp *mcp, const struct aipkg_tool *tool, json_t *args,
		json_t **result)
{
	struct aipkg_ctx *ctx = mcp->ctx;
	char *line = call_line(mcp, tool, args);
	int r;

	ctx->opts.cmdline = line ? line : mcp->opts.cmdline;
	json_decref(mcp->warnings);
	mcp->warnings = json_array();
	r = aipkg_tool_call(ctx, tool->name, args, result);
	/* SIGINT/TERM/HUP stopped apk: whoever sent it wants the server gone
	 * (the client's cancellation stops only its call) */
	if (r == -AIPKG_E_INTERRUPTED && aipkg_interrupt_pending() != AIPKG_INTERRUPT_CANCEL)
		mcp->stop = true;
	/* the server lives on: another aipkg must not wait for it between calls */
	aipkg_statelock_release(ctx);
	ctx->opts.cmdline = mcp->opts.cmdline;
	free(line);
	return r;
}

static bool takes(const struct aipkg_tool *tool, const char *arg)
{
	json_t *schema = json_loads(tool->schema, 0, NULL);
	bool yes = json_object_get(json_object_get(schema, "properties"), arg) != NULL;

	json_decref(schema);
	return yes;
}

/* A changing call without "confirm": nothing changes, and the agent gets
 * apk's plan (when the tool can make one) to show its user, with a word
 * when the confirmed call could not succeed anyway. */
static json_t *unconfirmed(struct aipkg_mcp *mcp, const struct aipkg_tool *tool,
			   const char *name, const json_t *args)
{
	json_t *dry, *plan = NULL;
	char *not_root = NULL;
	int r;

	if (aipkg_ctx_may_change(mcp->ctx) < 0)
		not_root = strdup(aipkg_ctx_errmsg(mcp->ctx));
	if (takes(tool, "dry_run")) {
		dry = args ? json_deep_copy(args) : json_object();
		json_object_set_new(dry, "dry_run", json_true());
		r = call(mcp, tool, dry, &plan);
		json_decref(dry);
		if (r < 0) /* what is wrong with the request comes first */
			return call_result(mcp, r, plan);
	}
	if (not_root)
		r = aipkg_ctx_fail(mcp->ctx, -AIPKG_E_REFUSED,
				   "%s changes the system, and the confirmed call will fail because "
				   "this aipkg mcp is not running as root: %s. Show your user the "
				   "plan; to make the change, they must start aipkg mcp as root",
				   name, not_root);
	else
		r = aipkg_ctx_fail(mcp->ctx, -AIPKG_E_REFUSED,
				   "%s changes the system, so it needs your user's agreement: show "
				   "them the plan and, once they agree, call %s again with the same "
				   "arguments and \"confirm\": true; nothing was changed",
				   name, name);
	free(not_root);
	return call_result(mcp, r, plan ? json_pack("{s:o}", "plan", plan) : NULL);
}

static json_t *unknown_tool(struct aipkg_mcp *mcp, const char *name, struct mcp_error *err)
{
	if (aipkg_tool_find(name))
		return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS,
				      "tool '%s' changes the system, and this server is read-only "
				      "(aipkg mcp --read-only)",
				      name);
	return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS,
			      "unknown tool '%s': tools/list names the tools", name);
}

json_t *aipkg_mcp_tools_call(struct aipkg_mcp *mcp, const json_t *params, struct mcp_error *err)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments"), *result = NULL;
	const struct aipkg_tool *tool = name ? aipkg_tool_find(name) : NULL;
	const char *version = mcp->version;
	int r;

	if (!name)
		return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS,
				      "tools/call needs \"name\", a tool from tools/list");
	if (!tool || !offered(mcp, tool))
		return unknown_tool(mcp, name, err);
	if (json_is_null(args))
		args = NULL;
	if (args && !json_is_object(args))
		return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS,
				      "\"arguments\" must be an object");
	/* a long-lived server: another aipkg or apk may have changed the system */
	aipkg_ctx_state_drop(mcp->ctx);
	aipkg_buf_reset(&mcp->ctx->err);
	r = aipkg_tool_check(mcp->ctx, tool, args);
	/* revision 2025-11-25 wants arguments that fail the schema as a tool
	 * error (isError), so that the model sees why and corrects itself */
	if (r < 0 && !(version && strcmp(version, "2025-11-25") >= 0))
		return aipkg_mcp_fail(err, AIPKG_MCP_INVALID_PARAMS, "%s: %s", name,
				      aipkg_ctx_errmsg(mcp->ctx));
	if (r < 0)
		return call_result(mcp, r, NULL);
	if (aipkg_tool_unconfirmed(mcp->ctx, tool, args))
		return unconfirmed(mcp, tool, name, args);
	r = call(mcp, tool, args, &result);
	return call_result(mcp, r, result);
}
