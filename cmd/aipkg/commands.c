/* The command table: dispatch, --help, completions and tests walk it. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

/* Sorted by name. */
const struct aipkg_cmd *const cli_commands[] = {
	&cmd_agent, &cmd_ansible, &cmd_ask, &cmd_check_vuln, &cmd_config, &cmd_doctor, &cmd_help, &cmd_history, &cmd_info, &cmd_install,
	&cmd_list, &cmd_lock, &cmd_mcp, &cmd_recover, &cmd_remove, &cmd_rollback, &cmd_search,
	&cmd_tool, &cmd_unlock, &cmd_update, &cmd_version, NULL,
};

const struct aipkg_cmd *cli_command_find(const char *name)
{
	for (const struct aipkg_cmd *const *c = cli_commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}
