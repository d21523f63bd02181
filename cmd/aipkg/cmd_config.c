/* aipkg config: the effective configuration, secrets masked. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "cli.h"

static void print_flat(const char *prefix, json_t *v)
{
	const char *key;
	json_t *sub;
	char path[256];

	if (!json_is_object(v)) {
		char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		printf("%s = %s\n", prefix, cli_safe(text ? text : "?"));
		free(text);
		return;
	}
	json_object_foreach(v, key, sub) {
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		print_flat(path, sub);
	}
}

static int run(struct cli *cli)
{
	json_t *cfg = aipkg_ctx_config_json(cli->ctx);

	if (cli->nargs) {
		json_decref(cfg);
		return cli_usage_error(cli, "config takes no arguments");
	}
	if (cli->json)
		cli_print_json(cfg);
	else
		print_flat("", cfg);
	json_decref(cfg);
	return 0;
}

const struct aipkg_cmd cmd_config = {
	"config", NULL, "print the effective configuration (secrets masked)",
	NULL, CLI_NEEDS_CTX, run,
};
