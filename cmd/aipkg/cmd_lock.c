/* aipkg lock: hold installed packages at their installed versions. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static void render(struct cli *cli, json_t *result)
{
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	json_t *pkgs = json_object_get(result, "packages"), *p;
	size_t i, n = 0;

	if (cli->opts.verbose < 0)
		return;
	json_array_foreach(pkgs, i, p)
		if (json_is_true(json_object_get(p, "unchanged")))
			printf("%s is already locked at %s.\n", cli_str(p, "package"),
			       cli_str(p, "version"));
	json_array_foreach(pkgs, i, p)
		if (!json_is_true(json_object_get(p, "unchanged")))
			printf("%s %s at %s", n++ ? "," : dry ? "Would lock" : "Locked",
			       cli_str(p, "package"), cli_str(p, "version"));
	if (!n)
		return;
	if (dry) {
		printf(".\n");
		return;
	}
	printf(": the world file now holds");
	json_array_foreach(pkgs, i, p)
		if (!json_is_true(json_object_get(p, "unchanged")))
			printf(" %s", cli_str(p, "constraint"));
	printf(", which apk upgrade keeps too.\n");
}

static int run(struct cli *cli)
{
	if (cli->nargs < 1)
		return cli_usage_error(cli, "lock takes the names of installed packages");
	return cli_call_tool(cli, "pkg.lock", json_pack("{s:o}", "packages", cli_args_json(cli)),
			     render);
}

const struct aipkg_cmd cmd_lock = {
	"lock", "PKG...", "hold installed packages at their installed versions",
	NULL, CLI_NEEDS_CTX, run,
};
