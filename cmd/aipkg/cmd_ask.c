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

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void show_planner(FILE *out, const json_t *plan)
{
	const char *model = str(plan, "model"), *fallback = str(plan, "fallback");

	fprintf(out, "Request:  %s\nPlanner:  %s%s%s%s%s\n", str(plan, "request"),
		str(plan, "planner"), *model ? " (model " : "", model, *model ? ")" : "",
		*fallback ? " (the language model failed)" : "");
}

static void show_packages(FILE *out, const json_t *plan)
{
	json_t *p;
	size_t i;

	fprintf(out, "Packages:\n");
	json_array_foreach(json_object_get(plan, "packages"), i, p) {
		const char *from = str(p, "corrected_from");

		fprintf(out, "  %-24s %s%s%s%s\n", str(p, "name"), *from ? "(for " : "", from,
			*from ? ") " : "", str(p, "reason"));
	}
	if (json_array_size(json_object_get(plan, "rejected")))
		fprintf(out, "Dropped:\n");
	json_array_foreach(json_object_get(plan, "rejected"), i, p)
		fprintf(out, "  %-24s %s\n", str(p, "name"), str(p, "why"));
}

static void show_vulns(FILE *out, const json_t *plan)
{
	const json_t *vulns = json_object_get(plan, "vulnerabilities"), *v;
	const json_t *sec = json_object_get(plan, "security");
	size_t i;

	if (json_is_null(vulns))
		fprintf(out, "Vulnerabilities: not checked (no security database is cached)\n");
	else if (json_is_array(vulns) && !json_array_size(vulns))
		fprintf(out, "Vulnerabilities: none known\n");
	else if (json_array_size(vulns))
		fprintf(out, "Vulnerabilities:\n");
	json_array_foreach(vulns, i, v)
		fprintf(out, "  %-24s %-14s %s (%s)%s%s\n", str(v, "package"), str(v, "version"),
			str(v, "cve"), str(v, "severity"), *str(v, "fixed_in") ? ", fixed in " : "",
			str(v, "fixed_in"));
	if (sec)
		fprintf(out, "Security decision: %s: %s\n", str(sec, "decision"), str(sec, "reason"));
}

void cli_show_request_plan(FILE *out, const json_t *plan)
{
	show_planner(out, plan);
	show_packages(out, plan);
	show_vulns(out, plan);
}

static void render(struct cli *cli, json_t *result)
{
	bool dry = json_is_true(json_object_get(result, "dry_run"));

	if (cli->opts.verbose >= 0)
		cli_show_request_plan(stdout, result);
	if (dry && cli->opts.verbose >= 0)
		printf("apk's plan:\n");
	cli_render_changes(cli, result);
	if (dry && !cli->opts.dry_run && cli->opts.verbose >= 0)
		printf("Nothing changed; 'aipkg ask --yes \"...\"' or 'aipkg install \"...\"' "
		       "installs it.\n");
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
