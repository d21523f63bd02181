/* aipkg update: refresh the indexes, then upgrade all or the named packages. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"

/* The changes, then the locked packages apk kept at their version. */
static void render(struct cli *cli, json_t *result)
{
	json_t *held = json_object_get(result, "skipped_locked"), *h;
	size_t i;

	cli_render_changes(cli, result);
	if (cli->opts.verbose < 0)
		return;
	json_array_foreach(held, i, h)
		printf("Kept locked     %-30s %s (%s available; 'aipkg unlock %s' lets it move)\n",
		       json_string_value(json_object_get(h, "name")),
		       json_string_value(json_object_get(h, "version")),
		       json_string_value(json_object_get(h, "available")),
		       json_string_value(json_object_get(h, "name")));
}

static int run(struct cli *cli)
{
	json_t *args = json_object();

	if (cli->nargs)
		json_object_set_new(args, "packages", cli_args_json(cli));
	return cli_call_tool(cli, "pkg.update", args, render);
}

const struct aipkg_cmd cmd_update = {
	"update", "[PKG...]", "refresh the indexes, then upgrade all packages or the named ones",
	NULL, CLI_NEEDS_CTX, run,
};
