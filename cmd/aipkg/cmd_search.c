/* aipkg search: names, descriptions and cmd:/so: providers. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

enum { O_DESC, O_EXACT };

static const struct cli_option options[] = {
	{ "description", 'd', NULL, O_DESC, "also search the descriptions (a quoted phrase as one)" },
	{ "exact", 'x', NULL, O_EXACT, "match names or provided names exactly" },
	{ NULL, 0, NULL, 0, NULL },
};

static int run(struct cli *cli)
{
	json_t *query = json_string("");

	if (cli->nargs == 0) {
		json_decref(query);
		return cli_usage_error(cli, "search needs a term, such as 'nginx', 'cmd:dig', "
					    "'so:libssl.so.3' or a file's path");
	}
	for (int i = 0; i < cli->nargs; i++) {
		const char *q = json_string_value(query), *a = cli->args[i];
		/* one argument with blanks is one term: a phrase ("web server") */
		bool phrase = strpbrk(a, " \t\n") && !strchr(a, '"');
		json_t *joined = json_sprintf("%s%s%s%s%s", q, i ? " " : "", phrase ? "\"" : "", a,
					      phrase ? "\"" : "");

		json_decref(query);
		query = joined;
	}
	return cli_call_tool(cli, "pkg.search",
			     json_pack("{s:o, s:b, s:b}", "query", query, "description",
				       cli->opt_set[O_DESC], "exact", cli->opt_set[O_EXACT]),
			     cli_render_packages);
}

const struct aipkg_cmd cmd_search = {
	"search", "TERM...", "search package names, descriptions and cmd:/so: providers",
	options, CLI_NEEDS_CTX, run,
};
