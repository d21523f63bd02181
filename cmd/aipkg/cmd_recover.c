/* aipkg recover: reconcile operations a crash left pending with the installed database. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

static void render(struct cli *cli, json_t *result)
{
	json_t *all = json_object_get(result, "recovered"), *t;
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	size_t i;

	if (cli->opts.verbose < 0)
		return;
	if (!json_array_size(all))
		cli_say(stdout, "Nothing to recover: no operation is pending.");
	json_array_foreach(all, i, t)
		cli_say(stdout, "Operation %lld ('%s'): %s %s, %zu change%s found in the installed "
				"database.",
			(long long)json_integer_value(json_object_get(t, "id")),
			cli_str(t, "command"), dry ? "would be" : "now", cli_str(t, "status"),
			json_array_size(json_object_get(t, "changes")),
			json_array_size(json_object_get(t, "changes")) == 1 ? "" : "s");
	json_array_foreach(json_object_get(result, "would_run"), i, t)
		printf("Would %s.\n", cli_safe(json_string_value(t)));
	if (dry)
		printf("Nothing changed (--dry-run).\n");
}

static int run(struct cli *cli)
{
	if (cli->nargs)
		return cli_usage_error(cli, "recover takes no arguments");
	return cli_call_tool(cli, "pkg.recover", json_object(), render);
}

const struct aipkg_cmd cmd_recover = {
	"recover", NULL, "reconcile operations a crash left pending with the installed database",
	NULL, CLI_NEEDS_CTX, run,
};
