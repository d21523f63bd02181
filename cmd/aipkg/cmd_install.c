/* aipkg install: install packages through apk. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static int run(struct cli *cli)
{
	if (cli->nargs == 0) {
		cli_error(cli, "install needs at least one package name");
		return 2;
	}
	return cli_call_tool(cli, "pkg.install", json_pack("{s:o}", "packages", cli_args_json(cli)),
			     cli_render_changes);
}

const struct aipkg_cmd cmd_install = {
	"install", "PKG...", "install packages (names or constraints such as curl=8.9.0-r0)",
	NULL, CLI_NEEDS_CTX, run,
};
