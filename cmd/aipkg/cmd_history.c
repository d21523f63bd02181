/* aipkg history: the operations aipkg made, newest first, or one of them in full. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_LIMIT, O_PACKAGE, O_SINCE };

static const struct cli_option options[] = {
	{ "limit", 0, "N", O_LIMIT, "show at most N operations" },
	{ "package", 'p', "NAME", O_PACKAGE, "only operations that changed package NAME" },
	{ "since", 0, "DATE", O_SINCE, "only operations since DATE (UTC: YYYY-MM-DD[ HH:MM[:SS]])" },
	{ NULL, 0, NULL, 0, NULL },
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void list_row(struct cli_table *tab, const json_t *t)
{
	json_int_t by = json_integer_value(json_object_get(t, "undone_by"));
	char when[17], status[32], id[24], n[24];

	cli_short_time(str(t, "time"), when);
	if (by)
		snprintf(status, sizeof(status), "undone by %lld", (long long)by);
	else
		snprintf(status, sizeof(status), "%s", str(t, "status"));
	snprintf(id, sizeof(id), "%6lld", (long long)json_integer_value(json_object_get(t, "id")));
	/* no package changed but the world file did (a lock): say that */
	if (!json_array_size(json_object_get(t, "changes")) &&
	    json_is_true(json_object_get(t, "world_changed")))
		snprintf(n, sizeof(n), "%7s", "world");
	else
		snprintf(n, sizeof(n), "%7zu", json_array_size(json_object_get(t, "changes")));
	cli_table_add(tab, id, when, status, n, str(t, "command"));
}

static void render_list(struct cli *cli, json_t *result)
{
	json_t *all = json_object_get(result, "transactions"), *t;
	struct cli_table tab;
	size_t i;

	if (cli->opts.verbose < 0) {
		json_array_foreach(all, i, t)
			printf("%lld\n", (long long)json_integer_value(json_object_get(t, "id")));
		return;
	}
	if (!json_array_size(all)) {
		printf("No operations in the journal.\n");
		return;
	}
	cli_table_init(&tab, stdout, 5);
	tab.flex = 4;
	tab.keep[0] = tab.keep[1] = tab.keep[3] = CLI_KEEP;
	tab.head = true;
	cli_table_add(&tab, "    ID", "Date (UTC)", "Status", "Changes", "Command");
	json_array_foreach(all, i, t)
		list_row(&tab, t);
	cli_table_print(&tab);
}

/* Every field of an operation: its label, then its value from this column. */
#define LABEL 14

/* LABEL and the escaped VALUE (an apk command line, a world file). */
static void value_line(const char *label, const char *safe)
{
	cli_put_field(stdout, label, LABEL - 1, safe);
}

static void words_line(const char *label, const json_t *a)
{
	char *text = NULL;
	size_t len = 0;
	const json_t *w;
	FILE *f;
	size_t i;

	if (!a || !(f = open_memstream(&text, &len)))
		return;
	json_array_foreach(a, i, w)
		fprintf(f, "%s%s", i ? " " : "", cli_safe(json_string_value(w)));
	fclose(f);
	value_line(label, len ? text : "(empty)");
	free(text);
}

static void pkgs_line(const char *label, const json_t *a)
{
	const json_t *p;
	size_t i;

	json_array_foreach(a, i, p) {
		const char *why = str(p, "reason");
		struct cli_text t;
		FILE *f;

		printf("%-*s ", LABEL - 1, i ? "" : label);
		f = cli_text_open(&t, stdout);
		fprintf(f, "%s%s%s%s%s%s", cli_str(p, "name"), *str(p, "version") ? " " : "",
			cli_str(p, "version"), *why ? " (" : "", cli_safe(why), *why ? ")" : "");
		cli_text_say(&t, LABEL);
	}
}

static void field(const char *label, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s && *s)
		value_line(label, cli_safe(s));
}

/* A request's plan, journalled as one line of JSON: one package a line,
 * with the planner's reason, as the confirmation showed it. */
static void plan_lines(const json_t *t)
{
	const char *text = str(t, "plan");
	json_t *plan = *text ? json_loads(text, 0, NULL) : NULL;

	if (json_is_array(plan))
		pkgs_line("Plan:", plan);
	else
		field("Plan:", t, "plan");
	json_decref(plan);
}

static void status_line(const json_t *t)
{
	const json_t *code = json_object_get(t, "apk_exit");
	json_int_t by = json_integer_value(json_object_get(t, "undone_by"));

	printf("%-*s %s", LABEL - 1, "Status:", cli_str(t, "status"));
	if (json_is_integer(code))
		printf(" (apk exit %lld)", (long long)json_integer_value(code));
	if (by)
		printf(", undone by operation %lld", (long long)by);
	printf("\n");
}

/* CHANGES as the change summaries show them (DONE: what happened, else what
 * was planned), one a line, from the value column. */
static void changes_block(const char *label, const json_t *changes, bool done)
{
	struct cli_table tab;
	const json_t *c;
	size_t i;

	if (!json_array_size(changes)) {
		printf("%-*s none\n", LABEL - 1, label);
		return;
	}
	cli_table_init(&tab, stdout, 4);
	tab.gap = 1;
	json_array_foreach(changes, i, c) {
		const char *from = json_string_value(json_object_get(c, "from"));
		const char *to = json_string_value(json_object_get(c, "to"));
		char lab[LABEL], ver[300];

		snprintf(lab, sizeof(lab), "%-*s", LABEL - 1, i ? "" : label);
		if (from && to && strcmp(from, to))
			snprintf(ver, sizeof(ver), "%s -> %s", from, to);
		else
			snprintf(ver, sizeof(ver), "%s", to ? to : from ? from : "");
		cli_table_add(&tab, lab, cli_change_verb(str(c, "action"), !done),
			      str(c, "name"), ver);
	}
	cli_table_print(&tab);
}

/* The same changes, in whatever order (apk plans in its order, the
 * changes read back are sorted by name). */
static bool same_changes(const json_t *a, const json_t *b)
{
	const json_t *x, *y;
	size_t i, k;

	if (json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach(a, i, x) {
		bool found = false;

		json_array_foreach(b, k, y)
			found |= json_equal(x, y);
		if (!found)
			return false;
	}
	return true;
}

static void render_one(const json_t *t)
{
	const json_t *apk = json_object_get(t, "apk"), *line;
	const json_t *changes = json_object_get(t, "changes"), *planned = json_object_get(t, "planned");
	json_int_t undoes = json_integer_value(json_object_get(t, "undoes"));
	size_t i;

	printf("Operation %lld\n", (long long)json_integer_value(json_object_get(t, "id")));
	status_line(t);
	field("Started:", t, "time");
	field("Finished:", t, "end_time");
	field("User:", t, "user");
	field("Caller:", t, "caller");
	field("Command:", t, "command");
	field("Request:", t, "request");
	field("Planner:", t, "planner");
	field("Model:", t, "model");
	plan_lines(t);
	if (undoes)
		printf("%-*s operation %lld\n", LABEL - 1, "Undoes:", (long long)undoes);
	json_array_foreach(apk, i, line)
		value_line(i ? "" : "apk:", cli_safe(json_string_value(line)));
	words_line("World before:", json_object_get(t, "world_before"));
	words_line("World after:", json_object_get(t, "world_after"));
	pkgs_line("Kept:", json_object_get(t, "kept"));
	pkgs_line("Not kept:", json_object_get(t, "unkept"));
	/* a repair's saved or put back files (aipkg doctor --fix, its rollback) */
	json_array_foreach(json_object_get(t, "files"), i, line)
		value_line(i ? "" : "Files:", cli_safe(json_string_value(line)));
	field("Error:", t, "error");
	field("Recovered:", t, "recovered");
	/* apk's plan only where it is not what happened (failed, interrupted) */
	if (planned && !same_changes(planned, changes))
		changes_block("Planned:", planned, false);
	changes_block("Changes:", changes, true);
}

static void render(struct cli *cli, json_t *result)
{
	json_t *all = json_object_get(result, "transactions");

	if (cli->nargs == 1 && json_array_size(all) == 1)
		render_one(json_array_get(all, 0));
	else
		render_list(cli, result);
}

/* A positive whole number, or 0. */
static long long positive(const char *s)
{
	char *end;
	long long n = s ? strtoll(s, &end, 10) : 0;

	return s && *s && !*end && n > 0 ? n : 0;
}

static int run(struct cli *cli)
{
	long long id = cli->nargs == 1 ? positive(cli->args[0]) : 0;
	long long limit = positive(cli->opt[O_LIMIT]);
	const char *bad = cli->nargs == 1 && !id ? cli->args[0] : NULL;
	json_t *args;

	if (cli->nargs > 1 || bad)
		return cli_usage_error(cli,
				       "%s%s%shistory takes one operation id, a number (see "
				       "'aipkg history')",
				       bad ? "'" : "", bad ? bad : "",
				       bad ? "' is not an id: " : "");
	if (cli->opt_set[O_LIMIT] && !limit)
		return cli_usage_error(cli,
				       "--limit takes a number of operations (1 or more), not "
				       "'%s'",
				       cli->opt[O_LIMIT]);
	args = json_object();
	if (id)
		json_object_set_new(args, "id", json_integer(id));
	if (limit)
		json_object_set_new(args, "limit", json_integer(limit));
	if (cli->opt_set[O_PACKAGE])
		json_object_set_new(args, "package", json_string(cli->opt[O_PACKAGE]));
	if (cli->opt_set[O_SINCE])
		json_object_set_new(args, "since", json_string(cli->opt[O_SINCE]));
	return cli_call_tool(cli, "pkg.history", args, render);
}

const struct aipkg_cmd cmd_history = {
	"history", "[ID]", "list the operations aipkg made, newest first, or one in full",
	options, CLI_NEEDS_CTX, run,
};
