/* aipkg update: refresh the indexes, then upgrade all or the named packages; --plan assesses them. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

enum { O_PLAN, O_REFRESH_ONLY, O_AVAILABLE };

static const struct cli_option options[] = {
	{ "plan", 0, NULL, O_PLAN,
	  "show each upgradable package's risk, reason and the agent's action; change nothing" },
	{ "refresh-only", 0, NULL, O_REFRESH_ONLY,
	  "only refresh the indexes (apk update); upgrade nothing" },
	{ "available", 'a', NULL, O_AVAILABLE,
	  "as apk upgrade --available: replace or downgrade packages no repository has any "
	  "more, and drop checksum pins" },
	{ NULL, 0, NULL, 0, NULL },
};

/* The changes, then the locked packages apk kept at their version. */
static void render(struct cli *cli, json_t *result)
{
	json_t *held = json_object_get(result, "skipped_locked"), *h;
	size_t i;

	if (cli->opts.verbose < 0)
		return;
	if (json_array_size(json_object_get(result, "changes")))
		cli_render_changes(cli, result);
	else if (json_object_get(result, "refreshed"))
		printf("%s\n", json_is_true(json_object_get(result, "refreshed"))
				       ? "Refreshed the indexes."
				       : "Would refresh the indexes.");
	else
		printf("Nothing to upgrade%s.\n",
		       json_array_size(held)
			   ? " but what is locked"
			   : ": every package is at the newest version available");
	json_array_foreach(held, i, h) {
		/* a pinned build (installed from a file) is no lock to undo */
		/* at a terminal wrapped under the name: with a 30-column name
		 * field the line was over 100 columns */
		if (strcmp(cli_str(h, "kind"), "checksum") == 0)
			cli_say(stdout, "Kept pinned  %s %s (%s available; the world file pins this "
					"build: %s)",
				cli_str(h, "name"), cli_str(h, "version"), cli_str(h, "available"),
				cli_str(h, "constraint"));
		else
			cli_say(stdout, "Kept locked  %s %s (%s available; 'aipkg unlock %s' lets it "
					"move)",
				cli_str(h, "name"), cli_str(h, "version"), cli_str(h, "available"),
				cli_str(h, "name"));
	}
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void render_plan(struct cli *cli, json_t *result)
{
	json_t *pkgs = json_object_get(result, "packages"), *p;
	struct cli_table t;
	size_t i;

	cli_table_init(&t, stdout, 6);
	t.flex = 5;
	if (!json_array_size(pkgs) && cli->opts.verbose >= 0)
		printf("Nothing to upgrade.\n");
	else if ((t.head = cli->opts.verbose >= 0))
		cli_table_add(&t, "PACKAGE", "INSTALLED", "AVAILABLE", "RISK", "ACTION", "WHY");
	json_array_foreach(pkgs, i, p)
		cli_table_add(&t, str(p, "name"), str(p, "from"), str(p, "to"), str(p, "risk"),
			      str(p, "action"), str(p, "why"));
	cli_table_print(&t);
	/* at 80 columns WHY, the point of --plan, was cut to "minor version
	 * bump; f...": when the table had to cut, the reasons follow whole */
	if (cli->opts.verbose >= 0)
		cli_say_cut_whole(&t, pkgs, "name", "why");
	if (!json_is_true(json_object_get(result, "security_data")) && cli->opts.verbose >= 0)
		cli_say(stdout, "(no cached security database: run 'aipkg check-vuln' to fetch one)");
}

static int run(struct cli *cli)
{
	json_t *args = json_object();

	if (cli->opt_set[O_PLAN] && (cli->nargs || cli->opt_set[O_REFRESH_ONLY] ||
				     cli->opt_set[O_AVAILABLE])) {
		json_decref(args);
		return cli_usage_error(cli, "--plan assesses every upgradable package; name none, "
					    "and give neither --refresh-only nor --available");
	}
	if (cli->opt_set[O_PLAN])
		return cli_call_tool(cli, "pkg.update_plan", args, render_plan);
	if (cli->nargs)
		json_object_set_new(args, "packages", cli_args_json(cli));
	if (cli->opt_set[O_REFRESH_ONLY])
		json_object_set_new(args, "refresh_only", json_true());
	if (cli->opt_set[O_AVAILABLE])
		json_object_set_new(args, "available", json_true());
	return cli_call_tool(cli, "pkg.update", args, render);
}

const struct aipkg_cmd cmd_update = {
	"update", "[PKG...]", "refresh the indexes, then upgrade all packages or the named ones",
	options, CLI_NEEDS_CTX, run,
};
