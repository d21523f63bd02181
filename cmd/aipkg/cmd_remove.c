/* aipkg remove: remove packages, refusing to break what needs them. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

enum { O_RDEPENDS };

static const struct cli_option options[] = {
	{ "rdepends", 'r', NULL, O_RDEPENDS, "also remove the packages that need them" },
	{ NULL, 0, NULL, 0, NULL },
};

static int run(struct cli *cli)
{
	if (cli->nargs == 0)
		return cli_usage_error(cli, "remove needs at least one package name");
	return cli_call_tool(cli, "pkg.remove",
			     json_pack("{s:o, s:b}", "packages", cli_args_json(cli), "rdepends",
				       cli->opt_set[O_RDEPENDS]),
			     cli_render_changes);
}

const struct aipkg_cmd cmd_remove = {
	"remove", "PKG...", "remove packages; refuses when installed packages need them",
	options, CLI_NEEDS_CTX, run,
};
