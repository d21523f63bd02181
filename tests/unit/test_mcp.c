/* Unit tests of lib/mcp and the registry's schemas: the MCP server line in, line out. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/mcp.h"
#include "aipkg/tools.h"
#include "ctx.h"
#include "tools/tools.h"

#define INIT_2025_06_18                                                                            \
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"                     \
	"\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"                                  \
	"\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}"

struct fixture {
	char dir[256];
	char root[300];
	char apk_log[300];
	struct aipkg_ctx *ctx;
	struct aipkg_mcp *mcp;
	char warnings[4096];
};

/* ---- a root with one installed package, and an apk that changes nothing ---- */

static void put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static const char installed[] = "C:Q1abc=\nP:hello\nV:1.0-r0\nA:x86_64\nT:greets the world\n"
				"o:hello\nF:usr/bin\nR:hello\n";

/* Logs each call's arguments, so a test can tell a --simulate run from a
 * real one. */
static const char fake_apk[] =
    "#!/bin/sh\n"
    "case \"$*\" in *--version*) "
    "echo 'apk-tools 2.14.4, compiled for x86_64.'; exit 0;; esac\n"
    "echo \"$*\" >>\"$0.log\"\n"
    "if test -n \"$FAKE_APK_TERM\"; then kill -TERM $PPID; sleep 5; fi\n";

static void on_warn(void *ud, const char *msg)
{
	struct fixture *f = ud;
	size_t len = strlen(f->warnings);

	snprintf(f->warnings + len, sizeof(f->warnings) - len, "%s\n", msg);
}

static int open_server(struct fixture *f, unsigned flags)
{
	struct aipkg_opts opts = {0};
	struct aipkg_callbacks cb = {0};
	static char apk[320];

	snprintf(apk, sizeof(apk), "%s/apk", f->dir);
	opts.root = f->root;
	opts.apk_command = apk;
	opts.cmdline = "aipkg mcp";
	opts.stream = true; /* the server must turn these off */
	opts.interactive = true;
	opts.yes = true;
	cb.warn = on_warn;
	cb.ud = f;
	if (aipkg_ctx_new(&f->ctx, &opts, &cb) < 0)
		return -1;
	f->mcp = aipkg_mcp_new(f->ctx, flags);
	return f->mcp ? 0 : -1;
}

static int setup_flags(void **state, unsigned flags)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/aipkg-mcp-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
	snprintf(f->apk_log, sizeof(f->apk_log), "%s/apk.log", f->dir);
	put(f->root, "etc/apk/arch", "x86_64\n", 0644);
	put(f->root, "etc/apk/world", "hello\n", 0644);
	put(f->root, "etc/apk/repositories", "", 0644);
	put(f->root, "lib/apk/db/installed", installed, 0644);
	put(f->dir, "apk", fake_apk, 0755);
	*state = f;
	return open_server(f, flags);
}

static int setup(void **state)
{
	return setup_flags(state, 0);
}

static int setup_read_only(void **state)
{
	return setup_flags(state, AIPKG_MCP_READ_ONLY);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	aipkg_mcp_free(f->mcp);
	aipkg_ctx_free(f->ctx);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* ---- helpers ---- */

/* The server's answer to LINE, parsed; NULL when it gave none. */
static json_t *ask(struct fixture *f, const char *line)
{
	char *reply = aipkg_mcp_handle(f->mcp, line, strlen(line));
	json_t *doc;

	if (!reply)
		return NULL;
	assert_null(strchr(reply, '\n'));
	doc = json_loads(reply, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "jsonrpc")), "2.0");
	free(reply);
	return doc;
}

static json_t *askf(struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *askf(struct fixture *f, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return ask(f, line);
}

/* The JSON-RPC error code of REPLY (consumed), asserting that its id is
 * ID (an integer), or that it has none when ID < 0 (no MCP revision
 * allows a null id). */
static int error_code(json_t *reply, int id)
{
	json_t *err = json_object_get(reply, "error");
	int code;

	assert_non_null(err);
	assert_null(json_object_get(reply, "result"));
	assert_non_null(json_string_value(json_object_get(err, "message")));
	if (id < 0)
		assert_null(json_object_get(reply, "id"));
	else
		assert_int_equal(json_integer_value(json_object_get(reply, "id")), id);
	code = (int)json_integer_value(json_object_get(err, "code"));
	json_decref(reply);
	return code;
}

static const char *error_message(json_t *reply)
{
	return json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
}

/* tools/call NAME ARGS (JSON text), with id 7. */
static json_t *call(struct fixture *f, const char *name, const char *args)
{
	return askf(f,
		    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
		    "\"params\":{\"name\":\"%s\",\"arguments\":%s}}",
		    name, args);
}

/* The structuredContent of a CallToolResult reply, checking that the text
 * content says the same and that isError is IS_ERROR. */
static json_t *tool_result(json_t *reply, bool is_error)
{
	json_t *result = json_object_get(reply, "result");
	json_t *content = json_object_get(result, "content");
	json_t *doc = json_object_get(result, "structuredContent"), *text;

	assert_non_null(result);
	assert_int_equal(json_is_true(json_object_get(result, "isError")), is_error);
	assert_int_equal(json_array_size(content), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(content, 0), "type")),
			    "text");
	text = json_loads(json_string_value(json_object_get(json_array_get(content, 0), "text")), 0,
			  NULL);
	assert_true(json_equal(text, doc));
	json_decref(text);
	return doc;
}

static const char *tool_error_code(json_t *doc)
{
	return json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
}

/* The fake apk's log: one line per run other than --version. */
static char *apk_log(struct fixture *f)
{
	static char buf[4096];
	FILE *in = fopen(f->apk_log, "r");
	size_t n = in ? fread(buf, 1, sizeof(buf) - 1, in) : 0;

	buf[n] = '\0';
	if (in)
		fclose(in);
	return buf;
}

/* ---- the handshake ---- */

static void test_initialize_answers_with_the_clients_revision(void **state)
{
	static const char *const revisions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
						"2024-11-05"};
	struct fixture *f = *state;

	for (size_t i = 0; i < 4; i++) {
		json_t *reply =
		    askf(f,
			 "{\"jsonrpc\":\"2.0\",\"id\":\"init-%zu\",\"method\":\"initialize\","
			 "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":{}}}",
			 i, revisions[i]);
		json_t *result = json_object_get(reply, "result");
		char id[16];

		snprintf(id, sizeof(id), "init-%zu", i);
		assert_string_equal(json_string_value(json_object_get(reply, "id")), id);
		assert_string_equal(json_string_value(json_object_get(result, "protocolVersion")),
				    revisions[i]);
		json_decref(reply);
	}
}

static void test_initialize_offers_the_newest_revision_otherwise(void **state)
{
	struct fixture *f = *state;
	json_t *reply = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
			       "\"params\":{\"protocolVersion\":\"1999-01-01\"}}");
	json_t *result = json_object_get(reply, "result");
	json_t *info = json_object_get(result, "serverInfo");

	assert_string_equal(json_string_value(json_object_get(result, "protocolVersion")),
			    "2025-11-25");
	assert_string_equal(json_string_value(json_object_get(info, "name")), "aipkg");
	assert_string_equal(json_string_value(json_object_get(info, "version")),
			    AIPKG_VERSION_STRING);
	assert_true(json_is_false(json_object_get(
	    json_object_get(json_object_get(result, "capabilities"), "tools"), "listChanged")));
	assert_non_null(strstr(json_string_value(json_object_get(result, "instructions")),
			       "\"confirm\": true"));
	json_decref(reply);
}

static void test_initialize_needs_a_protocol_version(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\","
			      "\"params\":{\"capabilities\":{}}}"),
		       2),
	    AIPKG_MCP_INVALID_PARAMS);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\","
			      "\"params\":{\"protocolVersion\":20250618}}"),
		       3),
	    AIPKG_MCP_INVALID_PARAMS);
}

static void test_ping_answers_an_empty_result(void **state)
{
	struct fixture *f = *state;
	json_t *reply = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"ping\"}");

	assert_int_equal(json_integer_value(json_object_get(reply, "id")), 42);
	assert_true(json_is_object(json_object_get(reply, "result")));
	assert_int_equal(json_object_size(json_object_get(reply, "result")), 0);
	json_decref(reply);
}

static void test_notifications_and_responses_get_no_reply(void **state)
{
	struct fixture *f = *state;

	assert_null(ask(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
	assert_null(ask(f, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
			   "\"params\":{\"requestId\":3,\"reason\":\"user\"}}"));
	/* not even an unknown one, or one with bad params */
	assert_null(ask(f, "{\"jsonrpc\":\"2.0\",\"method\":\"no/such/notification\"}"));
	assert_null(ask(f, "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":[1]}"));
	/* a client's response: the server never asked anything */
	assert_null(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}"));
	assert_null(
	    ask(f, "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":-1,\"message\":\"x\"}}"));
}

/* ---- tools/list ---- */

static void test_tools_list_offers_every_registry_tool(void **state)
{
	struct fixture *f = *state;
	json_t *reply =
	    ask(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{}}");
	json_t *list = json_object_get(json_object_get(reply, "result"), "tools");
	const struct aipkg_tool *tools;
	size_t n;

	tools = aipkg_tools(&n);
	assert_int_equal(json_array_size(list), n);
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(list, i), *schema = json_object_get(t, "inputSchema");
		json_t *hints = json_object_get(t, "annotations");
		bool changes = tools[i].flags & AIPKG_TOOL_CHANGES;

		const char *name = json_string_value(json_object_get(t, "name"));
		json_t *out = json_object_get(t, "outputSchema");
		char want[64];

		/* the pattern every client enforces: ^[a-zA-Z0-9_-]{1,64}$ */
		assert_true(strlen(name) >= 1 && strlen(name) <= 64);
		assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789_-"),
				 strlen(name));
		snprintf(want, sizeof(want), "%s", tools[i].name);
		*strchr(want, '.') = '_';
		assert_string_equal(name, want);
		assert_non_null(json_string_value(json_object_get(t, "title")));
		assert_non_null(json_string_value(json_object_get(t, "description")));
		/* an outputSchema where the result has a fixed shape, errors included */
		if (tools[i].output) {
			assert_string_equal(json_string_value(json_object_get(out, "type")), "object");
			assert_non_null(json_object_get(json_object_get(out, "properties"), "error"));
		} else {
			assert_null(out);
		}
		assert_string_equal(json_string_value(json_object_get(schema, "type")), "object");
		assert_int_equal(json_is_true(json_object_get(hints, "readOnlyHint")), !changes);
		if (changes)
			assert_true(json_is_true(json_object_get(hints, "destructiveHint")));
	}
	json_decref(reply);
}

static void test_tools_list_rejects_a_cursor_it_never_gave(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\","
			      "\"params\":{\"cursor\":\"abc\"}}"),
		       4),
	    AIPKG_MCP_INVALID_PARAMS);
}

static void test_read_only_offers_and_runs_only_read_tools(void **state)
{
	struct fixture *f = *state;
	json_t *reply = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
	json_t *list = json_object_get(json_object_get(reply, "result"), "tools"), *t;
	size_t i, n, reads = 0;
	const struct aipkg_tool *tools = aipkg_tools(&n);

	for (i = 0; i < n; i++)
		reads += !(tools[i].flags & AIPKG_TOOL_CHANGES);
	assert_int_equal(json_array_size(list), reads);
	json_array_foreach(list, i, t) assert_true(
	    json_is_true(json_object_get(json_object_get(t, "annotations"), "readOnlyHint")));
	json_decref(reply);
	reply = call(f, "pkg.install", "{\"packages\":[\"hello\"],\"confirm\":true}");
	assert_non_null(strstr(error_message(reply), "read-only"));
	assert_int_equal(error_code(reply, 7), AIPKG_MCP_INVALID_PARAMS);
	assert_string_equal(apk_log(f), "");
}

/* ---- the registry's schemas are what the checker enforces ---- */

static void test_every_schema_is_an_object_schema_the_checker_knows(void **state)
{
	const struct aipkg_tool *tools;
	size_t n;

	tools = aipkg_tools(&n);
	for (size_t i = 0; i < n; i++) {
		json_t *schema = json_loads(tools[i].schema, 0, NULL);
		json_t *props = json_object_get(schema, "properties");

		assert_non_null(schema);
		if (i)
			assert_true(strcmp(tools[i - 1].name, tools[i].name) < 0);
		assert_string_equal(json_string_value(json_object_get(schema, "type")), "object");
		assert_true(json_is_false(json_object_get(schema, "additionalProperties")));
		assert_null(aipkg_schema_unsupported(schema));
		/* MCP and `aipkg tool` ask changing tools for "confirm" */
		if (tools[i].flags & AIPKG_TOOL_CHANGES)
			assert_string_equal(json_string_value(json_object_get(
						json_object_get(props, "confirm"), "type")),
					    "boolean");
		json_decref(schema);
	}
}

static void test_schema_check_names_what_is_wrong(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *schema, *args, *says;
	} cases[] = {
	    {"{\"type\":\"object\",\"properties\":{\"id\":{\"type\":[\"integer\",\"string\"]}}}",
	     "{\"id\":true}", "arguments.id: must be an integer or a string, not a boolean"},
	    {"{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1,"
	     "\"maximum\":9}}}",
	     "{\"n\":10}", "arguments.n: must be at most 9"},
	    {"{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}", "{\"n\":1.5}",
	     "arguments.n: must be an integer, not a number"},
	    {"{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"maxLength\":2}}}",
	     "{\"s\":\"\\u00e9\\u00e9\\u00e9\"}", "arguments.s: longer than 2 characters"},
	    {"{\"type\":\"object\",\"properties\":{\"f\":{\"type\":\"string\",\"enum\":[\"a\","
	     "\"b\"]}}}",
	     "{\"f\":\"c\"}", "arguments.f: must be one of \"a\", \"b\""},
	    {"{\"type\":\"object\",\"properties\":{\"p\":{\"type\":\"array\",\"minItems\":1}}}",
	     "{\"p\":[]}", "arguments.p: fewer than 1 item"},
	    {"{\"type\":\"object\",\"properties\":{}}", "{\"x\":1}",
	     "arguments: unknown argument 'x' (this takes no arguments)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *schema = json_loads(cases[i].schema, 0, NULL);
		json_t *args = json_loads(cases[i].args, 0, NULL);

		assert_int_equal(aipkg_schema_check(f->ctx, schema, args), -AIPKG_E_USAGE);
		assert_string_equal(aipkg_ctx_errmsg(f->ctx), cases[i].says);
		json_decref(schema);
		json_decref(args);
	}
}

/* ---- bad input ---- */

static void test_bad_json_is_a_parse_error(void **state)
{
	static const char *const lines[] = {
	    "{",
	    "xx",
	    "{} {}",
	    "\"\\ud800\"",
	    /* duplicate keys would leave which one counts to chance */
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}",
	    /* the JSON breaks before the id */
	    "{\"jsonrpc\":\"2.0\",\"params\":{\"a\":[1,}},\"id\":5,\"method\":\"ping\"}",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(error_code(ask(f, lines[i]), -1), AIPKG_MCP_PARSE_ERROR);
	/* the id is answered whenever the JSON reaches it */
	assert_int_equal(error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\""), 1),
			 AIPKG_MCP_PARSE_ERROR);
	assert_int_equal(error_code(ask(f, "{\"method\":\"tools/call\",\"params\":{\"name\":"
					   "\"pkg_list\"},\"jsonrpc\":\"2.0\",\"id\":3,\"x\":tru}"),
				    3),
			 AIPKG_MCP_PARSE_ERROR);
	/* a NUL byte inside the message */
	char *reply = aipkg_mcp_handle(f->mcp, "{\"a\":\"\0\"}", 9);
	assert_non_null(strstr(reply, "-32700"));
	free(reply);
}

static void test_batches_are_refused(void **state)
{
	struct fixture *f = *state;
	json_t *reply = ask(f, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
	char *text;

	/* each request of the batch hears why, under its own id */
	assert_non_null(strstr(error_message(reply), "batch"));
	assert_int_equal(error_code(reply, 1), AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(error_code(ask(f, "[]"), -1), AIPKG_MCP_INVALID_REQUEST);
	json_decref(ask(f, INIT_2025_06_18));
	text = aipkg_mcp_handle(f->mcp,
				"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
				"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]",
				strlen("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
				       "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]"));
	assert_non_null(text);
	assert_non_null(strstr(text, "\"id\":1,\"error\""));
	assert_non_null(strstr(strchr(text, '\n'), "\"id\":2,\"error\""));
	free(text);
}

/* Revision 2025-03-26 has JSON-RPC batches: one array answers them. */
static void test_batches_under_2025_03_26(void **state)
{
	struct fixture *f = *state;
	json_t *reply, *r;

	json_decref(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
			   "\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},"
			   "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
	{
		static const char batch[] =
		    "[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
		    "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":"
		    "{\"name\":\"pkg_list\",\"arguments\":{}}},"
		    "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"no/such\"},"
		    "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"initialize\",\"params\":{}}]";
		char *text = aipkg_mcp_handle(f->mcp, batch, sizeof(batch) - 1);

		assert_non_null(text);
		assert_null(strchr(text, '\n'));
		reply = json_loads(text, 0, NULL);
		free(text);
	}
	assert_true(json_is_array(reply));
	assert_int_equal(json_array_size(reply), 4);
	r = json_array_get(reply, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	assert_non_null(json_object_get(r, "result"));
	r = json_array_get(reply, 1);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "x");
	assert_true(json_is_false(json_object_get(json_object_get(r, "result"), "isError")));
	r = json_array_get(reply, 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "error"), "code")),
			 AIPKG_MCP_METHOD_NOT_FOUND);
	r = json_array_get(reply, 3);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "error"), "code")),
			 AIPKG_MCP_INVALID_REQUEST);
	json_decref(reply);
	/* an empty batch deserves an error, but 2025-03-26 has none without an id */
	assert_null(aipkg_mcp_handle(f->mcp, "[]", 2));
	assert_non_null(strstr(f->warnings, "no error reply without"));
}

/* An error whose id cannot be read: 2025-11-25 sends it without one, older
 * revisions have no such message, so it is only logged. */
static void test_an_error_without_an_id_follows_the_revision(void **state)
{
	struct fixture *f = *state;

	json_decref(ask(f, INIT_2025_06_18));
	assert_null(aipkg_mcp_handle(f->mcp, "xx", 2));
	assert_non_null(strstr(f->warnings, "protocol 2025-06-18 has no error reply"));
	json_decref(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
			   "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
			   "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}"));
	assert_int_equal(error_code(ask(f, "xx"), -1), AIPKG_MCP_PARSE_ERROR);
}

static void test_invalid_requests(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(error_code(ask(f, "42"), -1), AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(error_code(ask(f, "null"), -1), AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(error_code(ask(f, "{\"id\":1,\"method\":\"ping\"}"), 1),
			 AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"), 1),
	    AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}"), 1),
			 AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1}"), 1),
			 AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}"), -1),
	    AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}"), -1),
	    AIPKG_MCP_INVALID_REQUEST);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}"), -1),
	    AIPKG_MCP_INVALID_REQUEST);
}

static void test_unknown_methods_and_bad_params(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}"), 1),
	    AIPKG_MCP_METHOD_NOT_FOUND);
	assert_int_equal(error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"\"}"), 5),
			 AIPKG_MCP_METHOD_NOT_FOUND);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":[]}"),
		       2),
	    AIPKG_MCP_INVALID_PARAMS);
	assert_int_equal(
	    error_code(ask(f, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\"}"), 3),
	    AIPKG_MCP_INVALID_PARAMS);
	assert_int_equal(error_code(call(f, "pkg.nosuch", "{}"), 7), AIPKG_MCP_INVALID_PARAMS);
	assert_int_equal(error_code(call(f, "pkg.list", "[]"), 7), AIPKG_MCP_INVALID_PARAMS);
	assert_int_equal(error_code(call(f, "pkg.list", "\"installed\""), 7),
			 AIPKG_MCP_INVALID_PARAMS);
}

static void test_bad_arguments_are_invalid_params(void **state)
{
	static const struct {
		const char *tool, *args, *says;
	} cases[] = {
	    {"pkg.info", "{}", "missing required argument 'package'"},
	    {"pkg.info", "{\"package\":7}", "arguments.package: must be a string, not an integer"},
	    {"pkg.info", "{\"package\":\"hello\",\"verbose\":true}", "unknown argument 'verbose'"},
	    {"pkg.list", "{\"filter\":\"everything\"}", "arguments.filter: must be one of"},
	    {"pkg.install", "{\"packages\":\"hello\"}", "must be an array, not a string"},
	    {"pkg.install", "{\"packages\":[\"hello\"],\"confirm\":\"yes\"}",
	     "arguments.confirm: must be a boolean, not a string"},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *reply = call(f, cases[i].tool, cases[i].args);

		assert_non_null(strstr(error_message(reply), cases[i].says));
		assert_int_equal(error_code(reply, 7), AIPKG_MCP_INVALID_PARAMS);
	}
	assert_string_equal(apk_log(f), "");
}

/* Revision 2025-11-25 wants them as tool errors the model can read. */
static void test_bad_arguments_are_tool_errors_from_2025_11_25(void **state)
{
	struct fixture *f = *state;
	json_t *reply = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
			       "\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
	json_t *doc;

	json_decref(reply);
	reply = call(f, "pkg.info", "{\"package\":7}");
	doc = tool_result(reply, true);
	assert_string_equal(tool_error_code(doc), "usage");
	json_decref(reply);
	/* an unknown tool is still a protocol error */
	assert_int_equal(error_code(call(f, "pkg.nosuch", "{}"), 7), AIPKG_MCP_INVALID_PARAMS);
}

static void test_a_huge_message_is_refused_unread(void **state)
{
	struct fixture *f = *state;
	size_t len = AIPKG_MCP_MAX_MESSAGE + 1;
	char *big = malloc(len), *reply;

	memset(big, ' ', len);
	reply = aipkg_mcp_handle(f->mcp, big, len);
	assert_non_null(strstr(reply, "-32600"));
	assert_non_null(strstr(reply, "too large"));
	free(reply);
	/* as the TypeScript SDK writes it: the id last, after the big params */
	len = AIPKG_MCP_MAX_MESSAGE * 2;
	big = realloc(big, len);
	memset(big, 'x', len);
	memcpy(big, "{\"method\":\"tools/call\",\"params\":{\"pad\":\"", 40);
	strcpy(big + len - 40, "\"},\"jsonrpc\":\"2.0\",\"id\":42}");
	assert_int_equal(error_code(ask(f, big), 42), AIPKG_MCP_INVALID_REQUEST);
	free(big);
}

/* ---- tools/call ---- */

static void test_read_tools_answer_with_structured_content(void **state)
{
	struct fixture *f = *state;
	json_t *reply = call(f, "pkg.list", "{}"), *doc = tool_result(reply, false);
	json_t *pkgs = json_object_get(doc, "packages");

	assert_int_equal(json_array_size(pkgs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(pkgs, 0), "name")),
			    "hello");
	json_decref(reply);
	reply = call(f, "pkg.info", "{\"package\":\"hello\"}");
	doc = tool_result(reply, false);
	assert_string_equal(json_string_value(json_object_get(doc, "version")), "1.0-r0");
	json_decref(reply);
	/* no arguments at all is {} */
	reply = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\","
		       "\"params\":{\"name\":\"pkg.list\"}}");
	tool_result(reply, false);
	json_decref(reply);
}

static void test_a_failing_tool_is_an_error_result(void **state)
{
	struct fixture *f = *state;
	json_t *reply = call(f, "pkg.info", "{\"package\":\"nosuch\"}"), *doc;

	doc = tool_result(reply, true);
	assert_string_equal(tool_error_code(doc), "nopkg");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "error"), "exit")),
			 1);
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(doc, "error"), "message")),
		   "nosuch"));
	json_decref(reply);
}

static void test_the_server_sees_changes_made_behind_its_back(void **state)
{
	struct fixture *f = *state;
	json_t *reply = call(f, "pkg.list", "{}");

	json_decref(reply);
	put(f->root, "lib/apk/db/installed", "", 0644);
	reply = call(f, "pkg.list", "{}");
	assert_int_equal(json_array_size(json_object_get(tool_result(reply, false), "packages")),
			 0);
	json_decref(reply);
}

static void test_a_change_without_confirm_changes_nothing(void **state)
{
	struct fixture *f = *state;
	json_t *reply = call(f, "pkg.remove", "{\"packages\":[\"hello\"]}"), *doc;
	const char *msg;

	doc = tool_result(reply, true);
	assert_string_equal(tool_error_code(doc), "refused");
	msg = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
	assert_non_null(strstr(msg, "\"confirm\": true"));
	assert_non_null(strstr(msg, "user"));
	/* the plan to show the user came from a simulation, nothing else ran */
	assert_true(json_is_true(json_object_get(json_object_get(doc, "plan"), "dry_run")));
	assert_non_null(strstr(apk_log(f), "--simulate"));
	assert_null(strstr(strchr(apk_log(f), '\n') + 1, "del"));
	json_decref(reply);
}

static void test_a_change_with_confirm_runs_apk(void **state)
{
	struct fixture *f = *state;
	json_t *reply = call(f, "pkg.remove", "{\"packages\":[\"hello\"],\"confirm\":true}");
	const char *log;

	tool_result(reply, false);
	json_decref(reply);
	log = apk_log(f);
	assert_non_null(strstr(log, "--simulate"));
	log = strchr(log, '\n') + 1;
	assert_non_null(strstr(log, "del"));
	assert_null(strstr(log, "--simulate"));
}

static void test_the_server_owns_the_context_while_it_lives(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->ctx->opts.caller, "mcp");
	assert_false(f->ctx->opts.stream);
	assert_false(f->ctx->opts.interactive);
	assert_false(f->ctx->opts.yes);
	assert_null(f->ctx->cb.confirm);
	aipkg_mcp_free(f->mcp);
	f->mcp = NULL;
	assert_string_equal(f->ctx->opts.caller, "cli");
	assert_true(f->ctx->opts.yes);
	assert_ptr_equal(f->ctx->cb.warn, on_warn);
}

/* ---- the stdio framing ---- */

/* Serve INPUT; aipkg_mcp_serve must return WANT. */
static char *serve_ending(struct fixture *f, const char *input, size_t len, int want)
{
	FILE *in = fmemopen((void *)input, len, "r");
	char *out_buf = NULL;
	size_t out_len = 0;
	FILE *out = open_memstream(&out_buf, &out_len);

	assert_int_equal(aipkg_mcp_serve(f->mcp, in, out), want);
	fclose(in);
	fclose(out);
	return out_buf;
}

static char *serve(struct fixture *f, const char *input, size_t len)
{
	return serve_ending(f, input, len, 0);
}

static void test_serve_answers_line_by_line(void **state)
{
	static const char input[] =
	    INIT_2025_06_18 "\n"
			    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
			    "\n   \r\n"
			    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\r\n"
			    "not json\n"
			    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n";
	struct fixture *f = *state;
	char *out = serve(f, input, sizeof(input) - 1), *line = out;
	int n = 0;

	for (char *nl; (nl = strchr(line, '\n')); line = nl + 1, n++) {
		json_t *doc = json_loadb(line, (size_t)(nl - line), 0, NULL);

		assert_non_null(doc);
		json_decref(doc);
	}
	/* "not json" has no id, and revision 2025-06-18 no error without one */
	assert_int_equal(n, 3);
	assert_string_equal(line, "");
	assert_non_null(strstr(out, "\"id\":2,\"result\":{}"));
	assert_null(strstr(out, "-32700"));
	assert_non_null(strstr(f->warnings, "not answered"));
	assert_non_null(strstr(out, "\"id\":3,\"result\":{}"));
	free(out);
}

static void test_serve_skips_a_huge_line_and_resyncs(void **state)
{
	struct fixture *f = *state;
	size_t big = AIPKG_MCP_MAX_MESSAGE + 100, len;
	char *input = malloc(big + 200), *out;

	memset(input, 'x', big);
	len = big + (size_t)snprintf(input + big, 200,
				     "\n{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n");
	out = serve(f, input, len);
	assert_non_null(strstr(out, "too large"));
	assert_non_null(strstr(strchr(out, '\n'), "\"id\":9,\"result\":{}"));
	assert_non_null(strstr(f->warnings, "skipped a message"));
	free(out);
	free(input);
}

static void test_serve_drops_a_message_cut_short(void **state)
{
	static const char input[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"
				    "{\"jsonrpc\":\"2.0\",\"id\":2,\"meth";
	struct fixture *f = *state;
	char *out = serve(f, input, sizeof(input) - 1);

	assert_string_equal(out, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n");
	assert_non_null(strstr(f->warnings, "ended in the middle of a message"));
	free(out);
	/* an empty input is a session that ended at once */
	out = serve(f, "", 0);
	assert_string_equal(out, "");
	free(out);
}

/* The client, or whoever runs the server, signals it while apk runs. */
static void test_serve_stops_after_a_call_a_signal_interrupted(void **state)
{
	static const char input[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
	    "\"name\":\"pkg.remove\",\"arguments\":{\"packages\":[\"hello\"],\"confirm\":true}}}\n"
	    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n";
	struct fixture *f = *state;
	json_t *reply;
	char *out;

	setenv("FAKE_APK_TERM", "1", 1);
	/* it says so, as any command a signal stopped */
	out = serve_ending(f, input, sizeof(input) - 1, -AIPKG_E_INTERRUPTED);
	unsetenv("FAKE_APK_TERM");
	/* the ping is answered while the call runs; the call's answer says why it ended */
	assert_non_null(strstr(out, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n"));
	reply = json_loads(strstr(out, "{\"jsonrpc\":\"2.0\",\"id\":1,"), JSON_DISABLE_EOF_CHECK, NULL);
	assert_string_equal(tool_error_code(tool_result(reply, true)), "interrupted");
	assert_non_null(strstr(f->warnings, "the server stops"));
	json_decref(reply);
	free(out);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_initialize_answers_with_the_clients_revision),
	    T(test_initialize_offers_the_newest_revision_otherwise),
	    T(test_initialize_needs_a_protocol_version),
	    T(test_ping_answers_an_empty_result),
	    T(test_notifications_and_responses_get_no_reply),
	    T(test_tools_list_offers_every_registry_tool),
	    T(test_tools_list_rejects_a_cursor_it_never_gave),
	    cmocka_unit_test_setup_teardown(test_read_only_offers_and_runs_only_read_tools,
					    setup_read_only, teardown),
	    cmocka_unit_test(test_every_schema_is_an_object_schema_the_checker_knows),
	    T(test_schema_check_names_what_is_wrong),
	    T(test_bad_json_is_a_parse_error),
	    T(test_batches_are_refused),
	    T(test_batches_under_2025_03_26),
	    T(test_an_error_without_an_id_follows_the_revision),
	    T(test_invalid_requests),
	    T(test_unknown_methods_and_bad_params),
	    T(test_bad_arguments_are_invalid_params),
	    T(test_bad_arguments_are_tool_errors_from_2025_11_25),
	    T(test_a_huge_message_is_refused_unread),
	    T(test_read_tools_answer_with_structured_content),
	    T(test_a_failing_tool_is_an_error_result),
	    T(test_the_server_sees_changes_made_behind_its_back),
	    T(test_a_change_without_confirm_changes_nothing),
	    T(test_a_change_with_confirm_runs_apk),
	    T(test_the_server_owns_the_context_while_it_lives),
	    T(test_serve_answers_line_by_line),
	    T(test_serve_skips_a_huge_line_and_resyncs),
	    T(test_serve_drops_a_message_cut_short),
	    T(test_serve_stops_after_a_call_a_signal_interrupted),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
