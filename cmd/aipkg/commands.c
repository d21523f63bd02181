/* The command table: dispatch, --help, completions and tests walk it. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

/* Sorted by name. */
const struct aipkg_cmd *const cli_commands[] = {
	&cmd_config, &cmd_help, &cmd_info, &cmd_install, &cmd_list,
	&cmd_remove, &cmd_search, &cmd_update, &cmd_version, NULL,
};

const struct aipkg_cmd *cli_command_find(const char *name)
{
	for (const struct aipkg_cmd *const *c = cli_commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}
