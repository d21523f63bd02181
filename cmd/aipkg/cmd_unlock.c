/* aipkg unlock: release a package held by aipkg lock. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static void render(struct cli *cli, json_t *result)
{
	const char *name = cli_str(result, "package");

	if (cli->opts.verbose < 0)
		return;
	if (json_is_true(json_object_get(result, "dry_run")))
		printf("Would unlock %s.\n", name);
	else if (json_is_true(json_object_get(result, "unchanged")))
		printf("%s was not locked.\n", name);
	else
		printf("Unlocked %s: 'aipkg update' may upgrade it again.\n", name);
}

static int run(struct cli *cli)
{
	if (cli->nargs != 1)
		return cli_usage_error(cli, "unlock takes one installed package name");
	return cli_call_tool(cli, "pkg.unlock", json_pack("{s:s}", "package", cli->args[0]),
			     render);
}

const struct aipkg_cmd cmd_unlock = {
	"unlock", "PKG", "release a package held by aipkg lock",
	NULL, CLI_NEEDS_CTX, run,
};
