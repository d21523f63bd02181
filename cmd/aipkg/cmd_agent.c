/* aipkg agent: the Package Agent's scheduled pass (run), its deferred updates (status), its cron job. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aipkg/agent.h"
#include "cli.h"

enum { O_UNINSTALL };

static const struct cli_option options[] = {
	{ "uninstall", 0, NULL, O_UNINSTALL, "install-cron: remove the job instead" },
	{ NULL, 0, NULL, 0, NULL },
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The report's text (escaped by the library) on stdout; on a terminal each
 * line wraps at blanks under its own text (a package's line under the
 * package) instead of the terminal breaking it in mid-word. */
static void put_report(char *text)
{
	int cols = cli_columns(stdout);

	for (char *line = text, *next; *line; line = next) {
		size_t indent = strspn(line, " ");

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (next[-1] == '\n')
			next[-1] = '\0';
		printf("%.*s", (int)indent, line);
		cli_put_wrapped(stdout, line + indent, indent ? indent + 2 : 2, cols);
	}
}

/* Cron mails whatever is printed: only a run that needs a person speaks,
 * unless -v asks for the report anyway. */
static int agent_run(struct cli *cli)
{
	json_t *report = NULL;
	int r = aipkg_agent_run(cli->ctx, &report);
	bool speak = cli->opts.verbose > 0 || cli->opts.dry_run ||
		     (cli->opts.verbose == 0 && json_is_true(json_object_get(report, "attention")));

	/* nothing ran: no report to show */
	if (r == -AIPKG_E_LOCKED || r == -AIPKG_E_NOT_ALPINE || r == -AIPKG_E_NOT_ROOT) {
		json_decref(report);
		return cli_fail(cli, r, NULL);
	}
	if (cli->json) {
		cli_print_json(report);
	} else if (speak || r < 0) {
		char *text = aipkg_agent_report_format(report);

		put_report(text ? text : "");
		free(text);
	}
	if (r < 0 && *str(json_object_get(report, "files"), "text"))
		cli_error(cli, "the agent run failed; see the report above and %s",
			  str(json_object_get(report, "files"), "text"));
	else if (r < 0) /* the report could not be written (its error is above) */
		cli_error(cli, "the agent run failed; see the report above");
	json_decref(report);
	return r < 0 ? aipkg_exit_code(r) : 0;
}

static void render_status(struct cli *cli, json_t *result)
{
	json_t *deferred = json_object_get(result, "deferred"), *d;
	json_t *last = json_object_get(result, "last_run");
	struct cli_table t;
	size_t i;

	if (json_is_object(last))
		cli_say(stdout, "Last run: %s, %s (%s)", cli_str(last, "time"),
			cli_str(last, "status"), cli_str(last, "file"));
	else
		printf("The agent has not run yet.\n");
	printf("Cron job: %s\n", json_is_true(json_object_get(result, "cron")) ? "installed"
									     : "not installed");
	if (!json_array_size(deferred)) {
		printf("No deferred updates.\n");
		return;
	}
	printf("\n");
	cli_table_init(&t, stdout, 6);
	t.flex = 5;
	t.head = true;
	cli_table_add(&t, "PACKAGE", "INSTALLED", "AVAILABLE", "RISK", "SINCE", "REASON");
	json_array_foreach(deferred, i, d) {
		char since[17];

		cli_table_add(&t, str(d, "name"), str(d, "from"), str(d, "to"), str(d, "risk"),
			      cli_short_time(str(d, "since"), since), str(d, "reason"));
	}
	cli_table_print(&t);
	cli_say_cut_whole(&t, deferred, "name", "reason");
}

static const char *cron_verb(bool uninstall, bool changed, bool dry)
{
	if (!uninstall)
		return dry ? "Would write" : "Wrote";
	if (!changed)
		return "No job at";
	return dry ? "Would remove" : "Removed";
}

static int agent_cron(struct cli *cli)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool un = cli->opt_set[O_UNINSTALL];
	json_t *result = NULL;
	int r;

	snprintf(self + (n > 0 ? n : 0), sizeof(self) - (size_t)(n > 0 ? n : 0), "%s",
		 n > 0 ? "" : "/usr/bin/aipkg");
	r = aipkg_agent_cron(cli->ctx, self, un, &result);
	if (r < 0)
		return cli_fail(cli, r, NULL);
	if (cli->json)
		cli_print_json(result);
	else if (cli->opts.verbose >= 0)
		printf("%s %s\n", cron_verb(un, json_is_true(json_object_get(result, "changed")),
					    cli->opts.dry_run),
		       cli_str(result, "path"));
	json_decref(result);
	return 0;
}

static int run(struct cli *cli)
{
	const char *sub = cli->nargs ? cli->args[0] : "";

	if (cli->nargs == 1 && strcmp(sub, "run") == 0)
		return agent_run(cli);
	if (cli->nargs == 1 && strcmp(sub, "status") == 0)
		return cli_call_tool(cli, "pkg.agent_status", NULL, render_status);
	if (cli->nargs == 1 && strcmp(sub, "install-cron") == 0)
		return agent_cron(cli);
	return cli_usage_error(cli, "agent takes one of run, status or install-cron%s%s%s",
			       *sub ? ", not '" : "", sub, *sub ? "'" : "");
}

const struct aipkg_cmd cmd_agent = {
	"agent", "run|status|install-cron",
	"the Package Agent: one unattended update pass for cron, its deferred updates, its job",
	options, CLI_NEEDS_CTX, run,
};
