/* aipkg ask: packages for a request in plain words, planned and shown; --yes installs them. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_OFFLINE, O_FORCE };

static const struct cli_option options[] = {
	{ "offline", 0, NULL, O_OFFLINE, "plan with the offline planner, not the language model" },
	{ "force", 0, NULL, O_FORCE, "install even versions with known vulnerabilities" },
	{ NULL, 0, NULL, 0, NULL },
};

static void show_planner(FILE *out, const json_t *plan)
{
	const char *model = cli_str(plan, "model"), *fallback = cli_str(plan, "fallback");

	fprintf(out, "Request:  %s\nPlanner:  %s%s%s%s%s\n", cli_str(plan, "request"),
		cli_str(plan, "planner"), *model ? " (model " : "", model, *model ? ")" : "",
		*fallback ? " (the language model failed)" : "");
}

static void show_packages(FILE *out, const json_t *plan)
{
	struct cli_table t;
	json_t *p;
	size_t i;

	fprintf(out, "Packages:\n");
	cli_table_init(&t, out, 2);
	t.indent = "  ";
	t.flex = 1;
	json_array_foreach(json_object_get(plan, "packages"), i, p) {
		const char *from = json_string_value(json_object_get(p, "corrected_from"));
		const char *why = json_string_value(json_object_get(p, "reason"));
		char *reason = NULL;

		if (from && asprintf(&reason, "(for %s) %s", from, why ? why : "") < 0)
			reason = NULL;
		cli_table_add(&t, json_string_value(json_object_get(p, "name")), reason ? reason : why);
		free(reason);
	}
	cli_table_print(&t);
	if (json_array_size(json_object_get(plan, "rejected")))
		fprintf(out, "Dropped:\n");
	cli_table_init(&t, out, 2);
	t.indent = "  ";
	t.flex = 1;
	json_array_foreach(json_object_get(plan, "rejected"), i, p)
		cli_table_add(&t, json_string_value(json_object_get(p, "name")),
			      json_string_value(json_object_get(p, "why")));
	cli_table_print(&t);
}

static void show_vulns(FILE *out, const json_t *plan)
{
	const json_t *vulns = json_object_get(plan, "vulnerabilities"), *v;
	const json_t *sec = json_object_get(plan, "security");
	bool installs = json_array_size(json_object_get(plan, "changes")) > 0;
	size_t i;

	/* a plan that installs nothing checked nothing: "none known" there
	 * read as a clean bill with no security database cached at all */
	if (json_is_null(vulns))
		fprintf(out, "Vulnerabilities: not checked (no security database is cached)\n");
	else if (json_is_array(vulns) && !json_array_size(vulns) && installs)
		fprintf(out, "Vulnerabilities: none known\n");
	else if (json_array_size(vulns))
		fprintf(out, "Vulnerabilities:\n");
	json_array_foreach(vulns, i, v)
		fprintf(out, "  %-24s %-14s %s (%s)%s%s\n", cli_str(v, "package"),
			cli_str(v, "version"), cli_str(v, "cve"), cli_str(v, "severity"),
			*cli_str(v, "fixed_in") ? ", fixed in " : "", cli_str(v, "fixed_in"));
	if (sec)
		fprintf(out, "Security decision: %s: %s\n", cli_str(sec, "decision"),
			cli_str(sec, "reason"));
}

void cli_show_request_plan(FILE *out, const json_t *plan)
{
	show_planner(out, plan);
	show_packages(out, plan);
	show_vulns(out, plan);
}

/* REQUEST as one shell word: 'I need a web server' (a quote inside is '\''). */
static void put_quoted(const char *request)
{
	putchar('\'');
	for (const char *c = cli_safe(request); *c; c++)
		fputs(*c == '\'' ? "'\\''" : (char[]){ *c, 0 }, stdout);
	putchar('\'');
}

/* A plan whose packages are all installed: nothing to install, and why. */
static void say_installed(const json_t *result)
{
	const json_t *p;
	size_t i;
	struct cli_text t;
	FILE *f = cli_text_open(&t, stdout);

	fputs("Nothing to install:", f);
	json_array_foreach(json_object_get(result, "packages"), i, p)
		fprintf(f, "%s %s", i ? "," : "", cli_str(p, "name"));
	fprintf(f, " %s installed already.",
		json_array_size(json_object_get(result, "packages")) == 1 ? "is" : "are");
	cli_text_say(&t, 0);
}

static void render(struct cli *cli, json_t *result)
{
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	bool none = !json_array_size(json_object_get(result, "changes"));

	if (cli->opts.verbose < 0)
		return;
	/* after a confirmation the plan is on the screen already */
	if (!cli->plan_shown)
		cli_show_request_plan(stdout, result);
	if (none) {
		say_installed(result);
		cli_render_kept_locked(result);
		return;
	}
	if (dry)
		printf("apk's plan:\n");
	cli_render_changes(cli, result);
	if (!dry || cli->opts.dry_run)
		return;
	printf("Nothing was installed: aipkg install ");
	put_quoted(json_string_value(json_object_get(result, "request")));
	printf(" installs it (or this again with --yes).\n");
}

int cli_ask(struct cli *cli, const char *request, bool plan_only, bool offline, bool force)
{
	json_t *args = json_pack("{s:s}", "request", request);

	if (plan_only)
		json_object_set_new(args, "dry_run", json_true());
	if (offline)
		json_object_set_new(args, "offline", json_true());
	if (force)
		json_object_set_new(args, "force", json_true());
	return cli_call_tool(cli, "pkg.ask", args, render);
}

/* The arguments as one request: "aipkg ask a web server" works unquoted. */
char *cli_args_joined(const struct cli *cli)
{
	size_t len = 1, at = 0;
	char *s;

	for (int i = 0; i < cli->nargs; i++)
		len += strlen(cli->args[i]) + 1;
	s = malloc(len);
	for (int i = 0; s && i < cli->nargs; i++) {
		size_t n = strlen(cli->args[i]);

		if (i)
			s[at++] = ' ';
		memcpy(s + at, cli->args[i], n);
		at += n;
	}
	if (s)
		s[at] = '\0';
	return s;
}

static int run(struct cli *cli)
{
	char *request;
	int r;

	if (cli->nargs == 0)
		return cli_usage_error(
		    cli, "ask needs a request, for example: aipkg ask \"I need a web server\"");
	request = cli_args_joined(cli);
	r = cli_ask(cli, request ? request : "", !cli->opts.yes, cli->opt_set[O_OFFLINE],
		    cli->opt_set[O_FORCE]);
	free(request);
	return r;
}

const struct aipkg_cmd cmd_ask = {
	"ask", "REQUEST...", "plan packages for a request in plain words (--yes installs them)",
	options, CLI_NEEDS_CTX, run,
};
