/* aipkg list: installed, upgradable, available, world or locked packages. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

enum { O_INSTALLED, O_UPGRADABLE, O_AVAILABLE, O_WORLD, O_LOCKED };

static const struct cli_option options[] = {
	{ "installed", 'I', NULL, O_INSTALLED, "installed packages (the default)" },
	{ "upgradable", 'u', NULL, O_UPGRADABLE, "installed packages with a newer version available" },
	{ "available", 'a', NULL, O_AVAILABLE, "every package in the repositories" },
	{ "world", 'w', NULL, O_WORLD, "what was explicitly asked for (etc/apk/world)" },
	{ "locked", 'l', NULL, O_LOCKED, "packages held at their version (aipkg lock)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const char *const filters[] = { "installed", "upgradable", "available", "world",
				       "locked" };

static int run(struct cli *cli)
{
	const char *filter = "installed";
	int chosen = 0;

	for (int i = O_INSTALLED; i <= O_LOCKED; i++)
		if (cli->opt_set[i]) {
			filter = filters[i];
			chosen++;
		}
	if (chosen > 1 || cli->nargs)
		return cli_usage_error(
		    cli, "list takes one of --installed, --upgradable, --available, --world, "
			 "--locked and no arguments");
	return cli_call_tool(cli, "pkg.list", json_pack("{s:s}", "filter", filter),
			     cli_render_packages);
}

const struct aipkg_cmd cmd_list = {
	"list", NULL, "list installed, upgradable, available, world or locked packages",
	options, CLI_NEEDS_CTX, run,
};
