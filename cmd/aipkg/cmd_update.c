/* aipkg update: refresh the indexes, then upgrade all or the named packages. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static int run(struct cli *cli)
{
	json_t *args = json_object();

	if (cli->nargs)
		json_object_set_new(args, "packages", cli_args_json(cli));
	return cli_call_tool(cli, "pkg.update", args, cli_render_changes);
}

const struct aipkg_cmd cmd_update = {
	"update", "[PKG...]", "refresh the indexes, then upgrade all packages or the named ones",
	NULL, CLI_NEEDS_CTX, run,
};
