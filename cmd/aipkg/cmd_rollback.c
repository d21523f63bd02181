/* aipkg rollback: undo the newest operation not undone yet, or the given one. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "cli.h"

enum { O_FORCE };

static const struct cli_option options[] = {
	{ "force", 'f', NULL, O_FORCE, "even when later operations changed the same packages" },
	{ NULL, 0, NULL, 0, NULL },
};

/* The rollback of a repair (aipkg doctor --fix): files, not packages. */
static void render_files(struct cli *cli, json_t *result, json_int_t undoes, json_int_t id)
{
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	const json_t *f;
	size_t i;

	if (cli->opts.verbose < 0)
		return;
	json_array_foreach(json_object_get(result, dry ? "changes" : "files"), i, f)
		if (dry)
			printf("Would %-8s %s\n", cli_str(f, "action"), cli_str(f, "name"));
		else
			printf("Put back %s\n", cli_safe(json_string_value(f)));
	if (!dry)
		cli_say(stdout, "Rolled back repair %lld; this is operation %lld ('aipkg doctor --fix' "
				"repairs the files again).",
			(long long)undoes, (long long)id);
}

static void render(struct cli *cli, json_t *result)
{
	json_int_t undoes = json_integer_value(json_object_get(result, "undoes"));
	json_int_t id = json_integer_value(json_object_get(result, "id"));
	const json_t *line;
	size_t i;

	if (json_object_get(result, "files")) {
		render_files(cli, result, undoes, id);
		return;
	}
	cli_render_changes(cli, result);
	if (cli->opts.verbose < 0)
		return;
	if (json_is_true(json_object_get(result, "dry_run"))) {
		printf("Would roll back operation %lld with:\n", (long long)undoes);
		json_array_foreach(json_object_get(result, "apk"), i, line) {
			printf("  ");
			cli_put_wrapped(stdout, cli_safe(json_string_value(line)), 4,
					cli_columns(stdout));
		}
		return;
	}
	cli_say(stdout, "Rolled back operation %lld; this is operation %lld ('aipkg rollback %lld' "
			"redoes it).",
		(long long)undoes, (long long)id, (long long)id);
}

static int run(struct cli *cli)
{
	json_t *args = json_object();
	char *end = NULL;
	long long id = cli->nargs == 1 ? strtoll(cli->args[0], &end, 10) : 0;

	if (cli->nargs > 1 || (cli->nargs == 1 && (*end || id < 1))) {
		bool one = cli->nargs == 1;

		json_decref(args);
		/* as history says it: which word is not an id */
		return cli_usage_error(cli,
				       "%s%s%srollback takes at most one operation id, a number (see "
				       "'aipkg history')",
				       one ? "'" : "", one ? cli->args[0] : "",
				       one ? "' is not an id: " : "");
	}
	if (id)
		json_object_set_new(args, "id", json_integer(id));
	if (cli->opt_set[O_FORCE])
		json_object_set_new(args, "force", json_true());
	return cli_call_tool(cli, "pkg.rollback", args, render);
}

const struct aipkg_cmd cmd_rollback = {
	"rollback", "[ID]", "undo the newest operation not undone yet, or operation ID",
	options, CLI_NEEDS_CTX, run,
};
