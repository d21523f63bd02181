/* aipkg lock: hold installed packages at their installed versions. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* "Locked a at 1, b at 2: the world file now holds a=1 b=2, which apk
 * upgrade keeps too." in F */
static void say_locked(FILE *f, const json_t *pkgs, bool dry)
{
	const json_t *p;
	size_t i, n = 0;

	json_array_foreach(pkgs, i, p)
		if (!json_is_true(json_object_get(p, "unchanged")))
			fprintf(f, "%s %s at %s", n++ ? "," : dry ? "Would lock" : "Locked",
				cli_str(p, "package"), cli_str(p, "version"));
	if (!n || dry) {
		fputs(n ? "." : "", f);
		return;
	}
	fputs(": the world file now holds", f);
	json_array_foreach(pkgs, i, p)
		if (!json_is_true(json_object_get(p, "unchanged")))
			fprintf(f, " %s", cli_str(p, "constraint"));
	fputs(", which apk upgrade keeps too.", f);
}

static void render(struct cli *cli, json_t *result)
{
	json_t *pkgs = json_object_get(result, "packages"), *p;
	char *text = NULL;
	size_t i, len = 0;
	FILE *f;

	if (cli->opts.verbose < 0)
		return;
	json_array_foreach(pkgs, i, p)
		if (json_is_true(json_object_get(p, "unchanged")))
			cli_say(stdout, "%s is already locked at %s.", cli_str(p, "package"),
				cli_str(p, "version"));
	f = open_memstream(&text, &len);
	if (!f)
		return;
	say_locked(f, pkgs, json_is_true(json_object_get(result, "dry_run")));
	fclose(f);
	/* many packages made one line of hundreds of columns */
	if (len)
		cli_put_wrapped(stdout, text, 0, cli_columns(stdout));
	free(text);
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
