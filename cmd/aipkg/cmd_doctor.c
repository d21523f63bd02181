/* aipkg doctor: find what is broken on the system and, with --fix, repair it through apk. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_FIX, O_REFRESH, O_REHASH };

/* files of one package listed without -v */
#define DOCTOR_FILES_SHOWN 10

static const struct cli_option options[] = {
	{ "fix", 0, NULL, O_FIX,
	  "repair what can be repaired, through apk (journalled; confirm, or --yes)" },
	{ "refresh", 0, NULL, O_REFRESH, "also ask each repository over the network" },
	{ "rehash", 0, NULL, O_REHASH,
	  "read every file again, even those unchanged since found intact" },
	{ NULL, 0, NULL, 0, NULL },
};

/* P's cause with its package's name taken out (NULL when out of memory):
 * "remove it ('aipkg remove musl')" is the same cause for every package. */
static char *cause_of_any(const json_t *p)
{
	const char *cause = cli_str(p, "cause"), *name = json_string_value(json_object_get(p, "package"));
	size_t n = name ? strlen(name) : 0;
	char *out = strdup(cause), *at;

	while (out && n && (at = strstr(out, name)))
		memmove(at, at + n, strlen(at + n) + 1);
	return out;
}

/* Does P have the cause LIKE has, but for its own package?  Ten packages
 * in no configured repository printed the same five-line cause ten times.
 * A cause of one line (CAUSE_SHORT) is said again: shorter than a pointer. */
#define CAUSE_SHORT 100
static bool same_cause(const json_t *like, const json_t *p)
{
	char *a, *b;
	bool same;

	if (!like || strlen(cli_str(p, "cause")) <= CAUSE_SHORT || !json_is_string(json_object_get(p, "package")) ||
	    strcmp(cli_str(like, "check"), cli_str(p, "check")) != 0)
		return false;
	a = cause_of_any(like);
	b = cause_of_any(p);
	same = a && b && strcmp(a, b) == 0;
	free(a);
	free(b);
	return same;
}

/* Problem P; LIKE, when not NULL, is the problem above whose cause P has
 * too (shown once, then "as for NAME above"). */
static void problem(const struct cli *cli, const json_t *p, const json_t *like)
{
	const json_t *f;
	size_t i;

	cli_say(stdout, "%s [%s]", cli_str(p, "summary"), cli_str(p, "severity"));
	if (cli->opts.verbose < 0)
		return;
	/* a package whose directory was wiped has hundreds (ca-certificates:
	 * 143 on a real root): the first few say what happened, -v lists all */
	json_array_foreach(json_object_get(p, "files"), i, f) {
		if (cli->opts.verbose == 0 && i == DOCTOR_FILES_SHOWN &&
		    json_array_size(json_object_get(p, "files")) > DOCTOR_FILES_SHOWN + 1) {
			printf("  ... and %zu more ('aipkg doctor -v' lists them)\n",
			       json_array_size(json_object_get(p, "files")) - i);
			break;
		}
		printf("  %-8s %s\n", cli_str(f, "state"), cli_str(f, "path"));
	}
	/* on a terminal wrapped at blanks in the value column: a cause is
	 * often three lines, which the terminal broke in mid-word at column 0 */
	if (like) {
		printf("  cause:   as for %s above\n", cli_str(like, "package"));
	} else if (*cli_str(p, "cause")) {
		fputs("  cause:   ", stdout);
		cli_put_wrapped(stdout, cli_str(p, "cause"), 11, cli_columns(stdout));
	}
	if (*cli_str(p, "fix")) {
		fputs("  fix:     ", stdout);
		cli_put_wrapped(stdout, cli_str(p, "fix"), 11, cli_columns(stdout));
	}
}

static size_t count_severity(const json_t *problems, const char *severity)
{
	const json_t *p;
	size_t i, n = 0;

	json_array_foreach(problems, i, p)
		n += strcmp(json_string_value(json_object_get(p, "severity")), severity) == 0;
	return n;
}

static void config_list(const struct cli *cli, const json_t *config)
{
	struct cli_table t;
	const json_t *c;
	size_t i, n = json_array_size(config);

	if (!n || cli->opts.verbose < 0)
		return;
	if (cli->opts.verbose == 0) {
		cli_say(stdout, "%zu configuration file%s changed by the administrator (left alone; "
				"'aipkg doctor -v' lists them).",
			n, n == 1 ? "" : "s");
		return;
	}
	printf("Configuration changed by the administrator (left alone):\n");
	/* a table as wide as its paths: a 40-column path field ran etc/shadow
	 * of alpine-baselayout-data past 80 columns; nothing is cut */
	cli_table_init(&t, stdout, 3);
	t.indent = "  ";
	t.keep[0] = t.keep[1] = t.keep[2] = CLI_KEEP;
	json_array_foreach(config, i, c) {
		const char *name = json_string_value(json_object_get(c, "package"));
		const char *ver = json_string_value(json_object_get(c, "version"));
		char pkg[300];

		snprintf(pkg, sizeof(pkg), "%s %s", name ? name : "", ver ? ver : "");
		cli_table_add(&t, json_string_value(json_object_get(c, "state")),
			      json_string_value(json_object_get(c, "path")), pkg);
	}
	cli_table_print(&t);
}

/* "3 problems (1 error, 2 warnings): 18 packages, 113 files checked in
 * 0.01 s.", after PREFIX; on a terminal wrapped at blanks. */
static void summary(const json_t *report, const char *prefix)
{
	const json_t *problems = json_object_get(report, "problems");
	const json_t *checked = json_object_get(report, "checked");
	const json_t *files = json_object_get(checked, "files");
	size_t n = json_array_size(problems), errors = count_severity(problems, "error");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	fputs(prefix, f);
	if (!n)
		fprintf(f, "No problems found");
	else
		fprintf(f, "%zu problem%s (%zu error%s, %zu warning%s)", n, n == 1 ? "" : "s",
			errors, errors == 1 ? "" : "s", n - errors, n - errors == 1 ? "" : "s");
	fprintf(f, ": %lld packages",
		(long long)json_integer_value(json_object_get(checked, "packages")));
	if (files)
		fprintf(f, ", %lld files checked in %.2f s",
			(long long)json_integer_value(json_object_get(files, "total")),
			json_real_value(json_object_get(files, "seconds")));
	fputc('.', f);
	fclose(f);
	cli_put_wrapped(stdout, text, 0, cli_columns(stdout));
	free(text);
}

static void render_report(struct cli *cli, json_t *report)
{
	const json_t *p, *first = NULL;
	size_t i;

	json_array_foreach(json_object_get(report, "problems"), i, p) {
		bool again = cli->opts.verbose == 0 && same_cause(first, p);

		if (i && cli->opts.verbose >= 0)
			printf("\n");
		if (!again)
			first = p;
		problem(cli, p, again ? first : NULL);
	}
	if (cli->opts.verbose < 0)
		return;
	if (json_array_size(json_object_get(report, "problems")))
		printf("\n");
	config_list(cli, json_object_get(report, "config"));
	summary(report, "");
}

static void render_steps(const char *title, const json_t *list, const char *key)
{
	const json_t *s;
	size_t i;

	if (!json_array_size(list))
		return;
	printf("%s\n", title);
	json_array_foreach(list, i, s) {
		json_int_t op = json_integer_value(json_object_get(s, "operation"));
		char ref[48] = "", *text = NULL;

		if (op)
			snprintf(ref, sizeof(ref), " [operation %lld]", (long long)op);
		/* a step's reason is often three lines: wrapped under the step */
		if (asprintf(&text, "%s%s%s%s", cli_str(s, key), ref,
			     *cli_str(s, "why") ? ": " : "", cli_str(s, "why")) < 0)
			text = NULL;
		printf("  ");
		cli_put_wrapped(stdout, text ? text : "?", 4, cli_columns(stdout));
		free(text);
	}
}

static void render_fix(struct cli *cli, json_t *result)
{
	const json_t *after = json_object_get(result, "after"), *op, *line;
	json_t *plan;
	size_t i;

	if (cli->opts.verbose < 0)
		return;
	if (json_is_true(json_object_get(result, "dry_run"))) {
		render_steps("Would do:", json_object_get(result, "steps"), "what");
		json_array_foreach(json_object_get(result, "apk"), i, line) {
			printf("  ");
			cli_put_wrapped(stdout, cli_safe(json_string_value(line)), 4,
					cli_columns(stdout));
		}
		plan = json_pack("{s:O, s:b}", "changes", json_object_get(result, "plan"), "dry_run",
				 1);
		cli_render_changes(cli, plan);
		json_decref(plan);
		render_steps("Would not repair:", json_object_get(result, "not_fixed"), "summary");
		return;
	}
	json_array_foreach(json_object_get(result, "recovered"), i, op)
		printf("Reconciled interrupted operation %lld with the installed database: %s\n",
		       (long long)json_integer_value(json_object_get(op, "id")), cli_str(op, "status"));
	render_steps("Repaired:", json_object_get(result, "fixed"), "what");
	render_steps("Not repaired:", json_object_get(result, "not_fixed"), "summary");
	if (!json_array_size(json_object_get(result, "fixed")) &&
	    !json_array_size(json_object_get(result, "not_fixed")) &&
	    !json_array_size(json_object_get(result, "recovered")))
		printf("Nothing to repair.\n");
	if (after)
		summary(after, "Now: ");
	json_array_foreach(json_object_get(result, "operations"), i, op)
		printf("%s aipkg rollback %lld\n", i ? "        " : "To undo:",
		       (long long)json_integer_value(op));
}

static int scan(struct cli *cli)
{
	json_t *result = NULL;
	json_t *args = json_pack("{s:b, s:b}", "refresh", cli->opt_set[O_REFRESH], "rehash",
				 cli->opt_set[O_REHASH]);
	int r = aipkg_tool_call(cli->ctx, "pkg.doctor", args, &result);

	if (r < 0)
		r = cli_fail(cli, r, result);
	else if (cli->json)
		cli_print_json(result);
	else
		render_report(cli, result);
	if (r == 0 && !json_is_true(json_object_get(result, "healthy")))
		r = 1;
	json_decref(args);
	json_decref(result);
	return r;
}

static int fix(struct cli *cli)
{
	json_t *result = NULL;
	json_t *args = json_pack("{s:o, s:b}", "targets", cli_args_json(cli), "rehash",
				 cli->opt_set[O_REHASH]);
	int r = aipkg_tool_call(cli->ctx, "pkg.doctor_fix", args, &result);

	if (r < 0)
		r = cli_fail(cli, r, result);
	else if (cli->json)
		cli_print_json(result);
	else
		render_fix(cli, result);
	if (r == 0 && json_array_size(json_object_get(result, "not_fixed")))
		r = 1;
	json_decref(args);
	json_decref(result);
	return r;
}

static int run(struct cli *cli)
{
	if (cli->nargs && !cli->opt_set[O_FIX]) {
		cli_error(cli, "doctor checks the whole system; name packages or files only with "
			       "--fix, to repair just those");
		return 2;
	}
	if (cli->opt_set[O_FIX] && cli->opt_set[O_REFRESH]) {
		cli_error(cli, "--refresh only checks; use it without --fix");
		return 2;
	}
	return cli->opt_set[O_FIX] ? fix(cli) : scan(cli);
}

const struct aipkg_cmd cmd_doctor = {
	"doctor",
	"[--fix [PKG|FILE...]]",
	"find damaged files, broken dependencies and stale state; --fix repairs them through apk",
	options,
	CLI_NEEDS_CTX,
	run,
};
