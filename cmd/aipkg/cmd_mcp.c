/* aipkg mcp: the pkg.* tools for AI agents, as a Model Context Protocol server on stdio. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "aipkg/mcp.h"
#include "cli.h"

enum { O_READ_ONLY };

static const struct cli_option options[] = {
	{ "read-only", 'r', NULL, O_READ_ONLY, "offer only the tools that change nothing" },
	{ NULL, 0, NULL, 0, NULL },
};

static int run(struct cli *cli)
{
	bool read_only = cli->opt_set[O_READ_ONLY];
	struct aipkg_mcp *mcp;
	int r;

	if (cli->nargs)
		return cli_usage_error(cli, "mcp takes no arguments");
	if (cli->opts.yes)
		return cli_usage_error(
		    cli, "--yes does not apply to mcp: the agent confirms each change with "
			 "\"confirm\": true after asking its user");
	mcp = aipkg_mcp_new(cli->ctx, read_only ? AIPKG_MCP_READ_ONLY : 0);
	if (!mcp)
		return cli_fail(cli, -ENOMEM, NULL);
	/* a client that goes away is a write error to end on, not a signal */
	signal(SIGPIPE, SIG_IGN);
	if (isatty(0))
		cli_say(stderr, "aipkg mcp: an MCP server%s reading JSON-RPC messages on stdin; "
				"start it from an MCP client (see aipkg(8)); Ctrl-D ends it",
			read_only ? " (read-only)" : "");
	r = aipkg_mcp_serve(mcp, stdin, stdout);
	aipkg_mcp_free(mcp);
	if (r == -AIPKG_E_INTERRUPTED) /* as any command a signal stopped */
		return aipkg_exit_code(r);
	if (r < 0) {
		cli_error(cli, "mcp: %s", strerror(-r));
		return 1;
	}
	return 0;
}

const struct aipkg_cmd cmd_mcp = {
	"mcp", NULL, "serve the pkg.* tools to AI agents over MCP (JSON-RPC on stdio)",
	options, CLI_NEEDS_CTX | CLI_PROTOCOL_OUT, run,
};
