/* aipkg help: the overview or one command's usage (--json: the command table). */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static json_t *options_json(const struct cli_option *o)
{
	json_t *a = json_array();

	for (; o && o->long_name; o++) {
		char s[2] = { o->short_name, 0 };

		json_array_append_new(a, json_pack("{s:s, s:s?, s:s?, s:s}", "long", o->long_name,
						   "short", o->short_name ? s : NULL, "arg", o->arg,
						   "help", o->help));
	}
	return a;
}

static json_t *command_json(const struct aipkg_cmd *c)
{
	return json_pack("{s:s, s:s?, s:s, s:o}", "name", c->name, "args", c->args, "summary",
			 c->summary, "options", options_json(c->options));
}

/* The table scripts and completion generators can read. */
void cli_print_command_table(const struct aipkg_cmd *cmd)
{
	json_t *doc, *cmds = json_array();

	for (const struct aipkg_cmd *const *c = cli_commands; *c; c++)
		if (!cmd || *c == cmd)
			json_array_append_new(cmds, command_json(*c));
	doc = json_pack("{s:o, s:o}", "commands", cmds, "global_options",
			options_json(cli_global_options));
	cli_print_json(doc);
	json_decref(doc);
}

static int run(struct cli *cli)
{
	const struct aipkg_cmd *cmd = NULL;
	char hint[256];

	if (cli->nargs > 1)
		return cli_usage_error(cli, "help takes at most one command name");
	if (cli->nargs == 1 && !(cmd = cli_command_find(cli->args[0]))) {
		cli_command_hint(cli->args[0], hint, sizeof(hint));
		return cli_usage_error(cli, "unknown command '%s'%s", cli->args[0], hint);
	}
	if (cli->json)
		cli_print_command_table(cmd);
	else
		cli_usage(stdout, cmd);
	return 0;
}

const struct aipkg_cmd cmd_help = {
	"help", "[COMMAND]", "show the commands, or one command's options (--json: as data)",
	NULL, 0, run,
};
