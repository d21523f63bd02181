/* aipkg lock: hold an installed package at its installed version. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static void render(struct cli *cli, json_t *result)
{
	const char *name = cli_str(result, "package");
	const char *version = cli_str(result, "version");

	if (cli->opts.verbose < 0)
		return;
	if (json_is_true(json_object_get(result, "dry_run")))
		printf("Would lock %s at %s.\n", name, version);
	else if (json_is_true(json_object_get(result, "unchanged")))
		printf("%s is already locked at %s.\n", name, version);
	else
		printf("Locked %s at %s: the world file now holds %s, which apk upgrade keeps "
		       "too.\n",
		       name, version, cli_str(result, "constraint"));
}

static int run(struct cli *cli)
{
	if (cli->nargs != 1)
		return cli_usage_error(cli, "lock takes one installed package name");
	return cli_call_tool(cli, "pkg.lock", json_pack("{s:s}", "package", cli->args[0]), render);
}

const struct aipkg_cmd cmd_lock = {
	"lock", "PKG", "hold an installed package at its installed version",
	NULL, CLI_NEEDS_CTX, run,
};
