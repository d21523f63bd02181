/* aipkg version: compare and check versions exactly as the root's apk does (apk 2 or 3). */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_TEST, O_CHECK };

static const struct cli_option options[] = {
	{ "test", 't', NULL, O_TEST, "compare two versions: prints <, = or >" },
	{ "check", 'c', NULL, O_CHECK, "check that each version is valid" },
	{ NULL, 0, NULL, 0, NULL },
};

static int invalid(struct cli *cli, const char *version)
{
	char *msg = NULL;
	int r;

	if (asprintf(&msg, "'%s' is not a valid apk version", version) < 0)
		msg = NULL;
	r = cli_fail_msg(cli, -AIPKG_E_BADVERSION, msg, NULL);
	free(msg);
	return r;
}

static int compare(struct cli *cli)
{
	char result[2] = {0, 0};
	json_t *doc;
	int c;

	if (cli->nargs != 2)
		return cli_usage_error(cli, "version -t takes two versions, e.g. 'aipkg version -t "
					    "1.2-r0 1.10-r0'");
	c = aipkg_version_compare_str(cli->args[0], cli->args[1]);
	if (!c)
		return invalid(cli,
			       aipkg_version_valid(cli->args[0]) ? cli->args[1] : cli->args[0]);
	result[0] = (char)c;
	if (!cli->json) {
		printf("%s\n", result);
		return 0;
	}
	doc = json_pack("{s:s}", "result", result);
	cli_print_json(doc);
	json_decref(doc);
	return 0;
}

static int check(struct cli *cli)
{
	json_t *bad = json_array();
	int r = 0;

	for (int i = 0; i < cli->nargs; i++) {
		if (aipkg_version_valid(cli->args[i]))
			continue;
		json_array_append_new(bad, json_string(cli->args[i]));
		if (!cli->json)
			printf("%s\n", cli_safe(cli->args[i]));
		r = 2;
	}
	if (cli->json) {
		json_t *doc = json_pack("{s:o}", "invalid", bad);

		cli_print_json(doc);
		json_decref(doc);
	} else {
		json_decref(bad);
	}
	return r;
}

static int run(struct cli *cli)
{
	if (cli->opt_set[O_TEST] == cli->opt_set[O_CHECK])
		return cli_usage_error(cli,
				       "version needs -t A B (compare) or -c VERSION... (check); "
				       "aipkg's own version is 'aipkg --version'");
	return cli->opt_set[O_TEST] ? compare(cli) : check(cli);
}

const struct aipkg_cmd cmd_version = {
	"version", "-t A B | -c VERSION...", "compare versions (<, =, >) or check them, as apk does",
	/* a context: the rules are those of the apk it runs (apk/rules.c) */
	options, CLI_NEEDS_CTX, run,
};
