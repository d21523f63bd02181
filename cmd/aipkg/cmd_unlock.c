/* aipkg unlock: release packages held by aipkg lock. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static void render(struct cli *cli, json_t *result)
{
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	json_t *pkgs = json_object_get(result, "packages"), *p;
	size_t i, n = 0;
	struct cli_text t;
	FILE *f;

	if (cli->opts.verbose < 0)
		return;
	json_array_foreach(pkgs, i, p) {
		if (!json_is_true(json_object_get(p, "unchanged")))
			continue;
		if (json_is_string(json_object_get(p, "pinned")))
			cli_say(stdout, "%s was not locked.  The world file pins it to one build (%s), as "
					"apk does for a package installed from a file; 'aipkg install %s' "
					"would take the repositories' build instead.",
				cli_str(p, "package"), cli_str(p, "pinned"), cli_str(p, "package"));
		else
			cli_say(stdout, "%s was not locked.", cli_str(p, "package"));
	}
	f = cli_text_open(&t, stdout);
	json_array_foreach(pkgs, i, p)
		if (!json_is_true(json_object_get(p, "unchanged")))
			fprintf(f, "%s %s", n++ ? "," : dry ? "Would unlock" : "Unlocked",
				cli_str(p, "package"));
	if (n && dry)
		fputc('.', f);
	else if (n)
		fprintf(f, ": 'aipkg update' may upgrade %s again.", n == 1 ? "it" : "them");
	if (n)
		cli_text_say(&t, 0);
	else
		cli_text_drop(&t);
}

static int run(struct cli *cli)
{
	if (cli->nargs < 1)
		return cli_usage_error(cli, "unlock takes the names of locked packages");
	return cli_call_tool(cli, "pkg.unlock", json_pack("{s:o}", "packages", cli_args_json(cli)),
			     render);
}

const struct aipkg_cmd cmd_unlock = {
	"unlock", "PKG...", "release packages held by aipkg lock",
	NULL, CLI_NEEDS_CTX, run,
};
