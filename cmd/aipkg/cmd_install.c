/* aipkg install: install packages through apk, or what a request in plain words needs. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_FORCE, O_ASK, O_UPGRADE };

static const struct cli_option options[] = {
	{ "force", 0, NULL, O_FORCE, "install even versions with known vulnerabilities" },
	{ "ask", 0, NULL, O_ASK, "the arguments are a request in plain words, not package names" },
	{ "upgrade", 'u', NULL, O_UPGRADE,
	  "upgrade the named packages (and what they need) that are installed already, as apk "
	  "add --upgrade" },
	{ NULL, 0, NULL, 0, NULL },
};

/* "I need a web server" is a request; names and constraints never hold a blank. */
static bool is_request(const struct cli *cli)
{
	for (int i = 0; i < cli->nargs; i++)
		if (cli->args[i][strcspn(cli->args[i], " \t\n")])
			return true;
	return cli->opt_set[O_ASK];
}

static int run_request(struct cli *cli)
{
	char *request = cli_args_joined(cli);
	int r = cli_ask(cli, request ? request : "", false, false, cli->opt_set[O_FORCE]);

	free(request);
	return r;
}

static int run(struct cli *cli)
{
	json_t *args;

	if (cli->nargs == 0)
		return cli_usage_error(cli, cli->opt_set[O_ASK]
						    ? "install --ask needs a request, for example: aipkg "
						      "install --ask \"I need a web server\""
						    : "install needs at least one package name");
	if (is_request(cli) && cli->opt_set[O_UPGRADE])
		return cli_usage_error(cli, "--upgrade takes package names, not a request in words");
	if (is_request(cli))
		return run_request(cli);
	args = json_pack("{s:o}", "packages", cli_args_json(cli));
	if (cli->opt_set[O_FORCE])
		json_object_set_new(args, "force", json_true());
	if (cli->opt_set[O_UPGRADE])
		json_object_set_new(args, "upgrade", json_true());
	return cli_call_tool(cli, "pkg.install", args, cli_render_changes);
}

const struct aipkg_cmd cmd_install = {
	"install", "PKG...|REQUEST",
	"install packages (names or constraints such as curl=8.9.0-r0), or a request in words",
	options, CLI_NEEDS_CTX, run,
};
