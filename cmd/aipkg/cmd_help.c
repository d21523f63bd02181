/* aipkg help: the overview or one command's usage. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static int run(struct cli *cli)
{
	const struct aipkg_cmd *cmd = NULL;

	if (cli->nargs > 1) {
		cli_error(cli, "help takes at most one command name");
		return 2;
	}
	if (cli->nargs == 1 && !(cmd = cli_command_find(cli->args[0]))) {
		cli_error(cli, "unknown command '%s'", cli->args[0]);
		return 2;
	}
	cli_usage(stdout, cmd);
	return 0;
}

const struct aipkg_cmd cmd_help = {
	"help", "[COMMAND]", "show the commands, or one command's options",
	NULL, 0, run,
};
