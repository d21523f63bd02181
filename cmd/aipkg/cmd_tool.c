/* aipkg tool: call one pkg.* tool with JSON arguments, for scripts and programs. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The same cap as an MCP message. */
#define MAX_ARGS (1 << 20)

enum { O_LIST };

static const struct cli_option options[] = {
	{ "list", 'l', NULL, O_LIST, "list every tool: name, description, argument schema" },
	{ NULL, 0, NULL, 0, NULL },
};

static json_t *tool_json(const struct aipkg_tool *tool)
{
	char mcp_name[64];

	return json_pack("{s:s, s:s, s:s?, s:s, s:o?, s:o?, s:b, s:b, s:b}", "name", tool->name,
			 "mcp_name", aipkg_tool_mcp_name(tool, mcp_name, sizeof(mcp_name)),
			 "title", tool->title, "description", tool->description, "schema",
			 json_loads(tool->schema, 0, NULL), "output_schema",
			 tool->output ? json_loads(tool->output, 0, NULL) : NULL, "changes",
			 (tool->flags & AIPKG_TOOL_CHANGES) != 0, "runs_apk",
			 (tool->flags & AIPKG_TOOL_APK) != 0, "network",
			 (tool->flags & AIPKG_TOOL_NETWORK) != 0);
}

static int list_tools(struct cli *cli)
{
	json_t *list = json_array(), *doc;
	const struct aipkg_tool *tools;
	size_t n;

	tools = aipkg_tools(&n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, tool_json(&tools[i]));
	doc = json_pack("{s:o}", "tools", list);
	cli_print_json(doc);
	json_decref(doc);
	return 0;
}

/* All of stdin, up to MAX_ARGS bytes (one more tells it was longer),
 * NUL-terminated: read_args runs strspn over it. */
static char *read_stdin(size_t *len)
{
	char *buf = malloc(MAX_ARGS + 2);

	*len = buf ? fread(buf, 1, MAX_ARGS + 1, stdin) : 0;
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/* The arguments: TEXT, or stdin when TEXT is NULL or "-"; nothing at all
 * (a terminal, or empty input) means {}. */
static int read_args(struct cli *cli, const char *text, json_t **args)
{
	char *buf = NULL, msg[256];
	json_error_t jerr;
	size_t len;

	if (!text && cli->opts.interactive) {
		*args = json_object();
		return 0;
	}
	if (!text || strcmp(text, "-") == 0)
		text = buf = read_stdin(&len);
	else
		len = strlen(text);
	if (!text)
		return cli_fail(cli, -ENOMEM, NULL);
	if (len > MAX_ARGS) {
		free(buf);
		snprintf(msg, sizeof(msg), "the arguments are longer than %d bytes", MAX_ARGS);
		return cli_fail_msg(cli, -AIPKG_E_TOOBIG, msg, NULL);
	}
	*args = strspn(text, " \t\r\n") == len ? json_object()
		: json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (*args)
		return 0;
	snprintf(msg, sizeof(msg), "the arguments are not valid JSON: %s (line %d, column %d)",
		 jerr.text, jerr.line, jerr.column);
	return cli_fail_msg(cli, -AIPKG_E_USAGE, msg, NULL);
}

/* Nobody to ask and nothing agreed: do what MCP does, and refuse. */
static int refuse(struct cli *cli, const struct aipkg_tool *tool)
{
	char msg[512];

	snprintf(msg, sizeof(msg),
		 "%s changes the system and there is no terminal to confirm on: add "
		 "\"confirm\": true to the arguments (or give --yes) once the change is agreed, "
		 "or \"dry_run\": true to see the plan; nothing changed",
		 tool->name);
	return cli_fail_msg(cli, -AIPKG_E_REFUSED, msg, NULL);
}

static int run(struct cli *cli)
{
	const struct aipkg_tool *tool;
	json_t *args = NULL;
	int r;

	if (cli->opt_set[O_LIST] && cli->nargs)
		return cli_fail_msg(cli, -AIPKG_E_USAGE, "tool --list takes no arguments", NULL);
	if (cli->opt_set[O_LIST])
		return list_tools(cli);
	if (cli->nargs < 1 || cli->nargs > 2)
		return cli_fail_msg(cli, -AIPKG_E_USAGE,
				    "usage: aipkg tool NAME [JSON], or aipkg tool --list", NULL);
	aipkg_ctx_set_caller(cli->ctx, "tool");
	r = read_args(cli, cli->nargs > 1 ? cli->args[1] : NULL, &args);
	if (r)
		return r;
	tool = aipkg_tool_find(cli->args[0]);
	/* a wrong name or wrong arguments are reported before the refusal */
	if (tool && !cli->opts.interactive && aipkg_tool_check(cli->ctx, tool, args) == 0 &&
	    aipkg_tool_unconfirmed(cli->ctx, tool, args)) {
		json_decref(args);
		return refuse(cli, tool);
	}
	return cli_call_tool(cli, cli->args[0], args, NULL);
}

const struct aipkg_cmd cmd_tool = {
	"tool", "NAME [JSON]", "call a pkg.* tool with JSON arguments; print its JSON result",
	options, CLI_NEEDS_CTX | CLI_JSON_OUT, run,
};
