/* aipkg list: installed, upgradable, available, world or locked packages. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/term.h"
#include "aipkg/tools.h"
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

/*
 * list --available is as long as the indexes: printed as it comes, so
 * neither the JSON of every package nor every row is held at once (a
 * million-entry index would otherwise take gigabytes).  A first pass
 * measures the columns; rows then go out in blocks of STREAM_BLOCK.
 */
#define STREAM_BLOCK 1024

struct stream {
	struct cli *cli;
	struct cli_table t;
	size_t n;
};

static const char *field(json_t *p, const char *key)
{
	const char *s = json_string_value(json_object_get(p, key));

	return s ? s : "";
}

static int stream_measure(json_t *p, void *ud)
{
	struct stream *st = ud;
	const char *cells[2] = {field(p, "name"), field(p, "version")};

	for (size_t c = 0; c < 2; c++) {
		char *safe = aipkg_term_escaped(cells[c]);
		size_t w = safe ? cli_width(safe) : 0;

		if (w > st->t.width[c])
			st->t.width[c] = w;
		free(safe);
	}
	return 0;
}

static int stream_row(json_t *p, void *ud)
{
	struct stream *st = ud;
	char tag[160];

	if (st->cli->opts.verbose < 0) {
		printf("%s\n", cli_str(p, "name"));
		return 0;
	}
	cli_table_add(&st->t, field(p, "name"), field(p, "version"),
		      cli_installed_tag(p, tag, sizeof(tag)), field(p, "description"));
	if (++st->n % STREAM_BLOCK == 0)
		cli_table_print(&st->t); /* prints and forgets the rows, keeps the widths */
	return 0;
}

/* One element of {"packages": [...]} as cli_print_json would indent it. */
static int stream_json(json_t *p, void *ud)
{
	struct stream *st = ud;
	char *text = json_dumps(p, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (!text)
		return -ENOMEM;
	/* the document starts with its first element: a failure before it
	 * leaves stdout for the error document */
	fputs(st->n++ ? ",\n    " : "{\n  \"packages\": [\n    ", stdout);
	for (const char *c = text; *c; c++) {
		fputc(*c, stdout);
		if (*c == '\n')
			fputs("    ", stdout);
	}
	free(text);
	return 0;
}

static int list_stream(struct cli *cli, json_t *args)
{
	struct stream st = {cli, {0}, 0};
	int r = 0;

	if (cli->json) {
		r = aipkg_tool_list_each(cli->ctx, args, stream_json, &st);
		if (r == 0)
			fputs(st.n ? "\n  ]\n}\n" : "{\n  \"packages\": []\n}\n", stdout);
	} else {
		cli_table_init(&st.t, stdout, 4);
		st.t.flex = 3;
		if (cli->opts.verbose >= 0)
			r = aipkg_tool_list_each(cli->ctx, args, stream_measure, &st);
		if (r == 0)
			r = aipkg_tool_list_each(cli->ctx, args, stream_row, &st);
		cli_table_print(&st.t);
	}
	fflush(stdout);
	json_decref(args);
	return r < 0 ? cli_fail(cli, r, NULL) : 0;
}

static int run(struct cli *cli)
{
	const char *filter = "installed";
	json_t *args, *patterns;
	int chosen = 0;

	for (int i = O_INSTALLED; i <= O_LOCKED; i++)
		if (cli->opt_set[i]) {
			filter = filters[i];
			chosen++;
		}
	if (chosen > 1)
		return cli_usage_error(cli, "list takes one of --installed, --upgradable, "
					    "--available, --world, --locked");
	/* PATTERN...: names as apk list takes them ("lib*", "py3-*", busybox) */
	args = json_pack("{s:s}", "filter", filter);
	if (cli->nargs) {
		patterns = json_array();
		for (int i = 0; i < cli->nargs; i++)
			json_array_append_new(patterns, json_string(cli->args[i]));
		json_object_set_new(args, "patterns", patterns);
	}
	if (strcmp(filter, "available") == 0)
		return list_stream(cli, args);
	return cli_call_tool(cli, "pkg.list", args, cli_render_packages);
}

const struct aipkg_cmd cmd_list = {
	"list", "[PATTERN...]", "list installed, upgradable, available, world or locked packages",
	options, CLI_NEEDS_CTX, run,
};
