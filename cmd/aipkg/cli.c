/* Shared CLI plumbing: diagnostics, tool calls, rendering, usage. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* format(printf, 4, 0): clang checks the callers' formats through the va_list */
__attribute__((format(printf, 4, 0))) static void diag(const struct cli *cli, const char *label,
						       const char *color, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	/* what stdout holds first: through one pipe (2>&1, cron's mail) the
	 * error came before the table it is about (a protocol's writer, the
	 * MCP server's, flushes its own messages) */
	if (!cli || !cli->cmd || !(cli->cmd->needs & CLI_PROTOCOL_OUT))
		fflush(stdout);
	if (cli && cli->color)
		fprintf(stderr, "\033[%sm%s:\033[0m ", color, label);
	else
		fprintf(stderr, "%s: ", label);
	/* escaped, so one message whatever it quotes; on a terminal wrapped at
	 * blanks under its first word */
	cli_put_wrapped(stderr, msg ? cli_safe(msg) : "(out of memory)", strlen(label) + 2,
			cli_columns(stderr));
	free(msg);
}

void cli_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag(cli, "error", "1;31", fmt, ap);
	va_end(ap);
}

void cli_warn(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli && cli->opts.verbose < 0)
		return;
	va_start(ap, fmt);
	diag(cli, "warning", "1;33", fmt, ap);
	va_end(ap);
}

void cli_print_json(json_t *doc)
{
	/* one write: json_dumpf() makes a stdio call per token, which was the
	 * largest cost of a check-vuln with thousands of findings */
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (text)
		fputs(text, stdout);
	free(text);
	fputc('\n', stdout);
	fflush(stdout);
}

int cli_fail(struct cli *cli, int r, json_t *detail)
{
	return cli_fail_msg(cli, r, aipkg_ctx_errmsg(cli->ctx), detail);
}

/* What a failing apk's output means (lib/doctor/explain.c), and a model's
 * advice on it, under the error; the advice is only shown. */
static void show_diagnosis(const struct cli *cli, const json_t *d)
{
	const json_t *advice = json_object_get(d, "advice");

	if (!d || cli->opts.verbose < 0)
		return;
	/* wrapped at blanks under their first word, as the error above */
	fputs("hint: ", stderr);
	cli_put_wrapped(stderr, cli_str(d, "what"), 6, cli_columns(stderr));
	if (*cli_str(d, "fix")) {
		fputs("  fix: ", stderr);
		cli_put_wrapped(stderr, cli_str(d, "fix"), 7, cli_columns(stderr));
	}
	if (!advice)
		return;
	fprintf(stderr, "  advice from %s (not run; check it first): %s\n", cli_str(advice, "model"),
		cli_str(advice, "text"));
	if (*cli_str(advice, "command"))
		fprintf(stderr, "    %s\n", cli_str(advice, "command"));
}

int cli_fail_msg(struct cli *cli, int r, const char *msg, json_t *detail)
{
	if (!msg || !*msg)
		msg = aipkg_strerror(r);
	/* the terminal echoed "^C" where the cursor was: begin a line, or the
	 * message follows it and wraps two columns late */
	if (r == -AIPKG_E_INTERRUPTED && isatty(STDERR_FILENO))
		fputc('\n', stderr);
	cli_error(cli, "%s", msg);
	if (!cli->json)
		show_diagnosis(cli, json_object_get(detail, "diagnosis"));
	if (cli->json) {
		json_t *doc = detail ? json_deep_copy(detail) : json_object();

		json_object_set_new(doc, "error",
				    json_pack("{s:s, s:s, s:i}", "code", aipkg_error_name(r),
					      "message", msg, "exit", aipkg_exit_code(r)));
		cli_print_json(doc);
		json_decref(doc);
	}
	return aipkg_exit_code(r);
}

int cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	r = cli_fail_msg(cli, -AIPKG_E_USAGE, msg, NULL);
	free(msg);
	return r;
}

void cli_print_version(const struct cli *cli)
{
	json_t *doc;

	if (!cli->json) {
		printf("aipkg %s\n", AIPKG_VERSION_STRING);
		return;
	}
	doc = json_pack("{s:s, s:s}", "name", "aipkg", "version", AIPKG_VERSION_STRING);
	cli_print_json(doc);
	json_decref(doc);
}

int cli_call_tool(struct cli *cli, const char *name, json_t *args,
		  void (*render)(struct cli *cli, json_t *result))
{
	json_t *result = NULL;
	int r = aipkg_tool_call(cli->ctx, name, args, &result);

	if (r < 0) {
		r = cli_fail(cli, r, result);
	} else if (cli->json) {
		cli_print_json(result);
	} else if (render) {
		render(cli, result);
	}
	json_decref(result);
	json_decref(args);
	return r;
}

json_t *cli_args_json(const struct cli *cli)
{
	json_t *a = json_array();

	for (int i = 0; i < cli->nargs; i++)
		json_array_append_new(a, json_string(cli->args[i]));
	return a;
}

static const char *raw(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* "1.0-r0 -> 1.1-r0", or the one version there is. */
static const char *versions(const char *from, const char *to, char **buf)
{
	*buf = NULL;
	if (from && to && strcmp(from, to) != 0 && asprintf(buf, "%s -> %s", from, to) >= 0)
		return *buf;
	return to ? to : from;
}

/* What holds a world entry's package: aipkg's lock, a virtual package
 * (apk add --virtual), a checksum pin (a package installed from a file). */
static const char *world_mark(const json_t *p)
{
	const char *kind = raw(p, "kind");

	if (json_is_true(json_object_get(p, "locked")))
		return "[locked]";
	if (strcmp(kind, "virtual") == 0)
		return "[virtual]";
	if (strcmp(kind, "checksum") == 0)
		return "[pinned build]";
	return "";
}

/* One row of a world listing: what was asked for, and what it resolved to
 * (list --locked: and the newer version the lock holds back). */
static void world_row(struct cli_table *t, const json_t *p)
{
	bool inst = json_is_true(json_object_get(p, "installed"));
	const char *by = raw(p, "provided_by"), *avail = raw(p, "available");
	char *provided = NULL;

	if (*by && asprintf(&provided, "provided by %s", by) < 0)
		provided = NULL;
	else if (!*by && *avail && asprintf(&provided, "%s available, held back", avail) < 0)
		provided = NULL;
	cli_table_add(t, raw(p, "constraint"), inst ? raw(p, "version") : "(not installed)",
		      world_mark(p), provided);
	free(provided);
}

void cli_say_cut_whole(const struct cli_table *t, const json_t *rows, const char *name,
		       const char *text)
{
	const json_t *r;
	size_t i;

	if (!t->cut)
		return;
	json_array_foreach(rows, i, r) {
		if (i == 0)
			putchar('\n');
		cli_say(stdout, "%s: %s", cli_str(r, name), cli_str(r, text));
	}
}

const char *cli_short_time(const char *iso, char out[17])
{
	snprintf(out, 17, "%s", iso ? iso : "");
	if (strlen(out) > 10 && out[10] == 'T')
		out[10] = ' ';
	return out;
}

void cli_render_packages(struct cli *cli, json_t *result)
{
	json_t *pkgs = json_object_get(result, "packages"), *p;
	struct cli_table t;
	size_t i;

	if (cli->opts.verbose < 0) {
		json_array_foreach(pkgs, i, p)
			printf("%s\n", cli_str(p, "name"));
		return;
	}
	cli_table_init(&t, stdout, 4);
	t.flex = 3;
	json_array_foreach(pkgs, i, p) {
		const char *avail = raw(p, "available");
		char *buf = NULL, tag[160];

		if (json_object_get(p, "constraint"))
			world_row(&t, p);
		else if (*avail)
			cli_table_add(&t, raw(p, "name"), versions(raw(p, "version"), avail, &buf),
				      NULL, NULL);
		else
			cli_table_add(&t, raw(p, "name"), raw(p, "version"),
				      cli_installed_tag(p, tag, sizeof(tag)), raw(p, "description"));
		free(buf);
	}
	cli_table_print(&t);
}

const char *cli_installed_tag(const json_t *p, char *buf, size_t size)
{
	const char *inst = json_string_value(json_object_get(p, "installed_version"));

	if (!json_is_true(json_object_get(p, "installed")))
		return "";
	/* "[installed]" beside 1.27.0-r0 when 1.26.2-r0 is installed was read
	 * as "1.27.0-r0 is installed" */
	if (inst && strcmp(inst, raw(p, "version")) != 0)
		snprintf(buf, size, "[installed %s]", inst);
	else
		snprintf(buf, size, "[installed]");
	return buf;
}

const char *cli_change_verb(const char *action, bool dry)
{
	static const char *const verbs[][3] = {
		{ "install", "Installed", "Would install" },
		{ "remove", "Removed", "Would remove" },
		{ "upgrade", "Upgraded", "Would upgrade" },
		{ "downgrade", "Downgraded", "Would downgrade" },
		{ "reinstall", "Reinstalled", "Would reinstall" },
	};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i][0], action) == 0)
			return verbs[i][dry ? 2 : 1];
	return action;
}

void cli_render_changes(struct cli *cli, json_t *result)
{
	json_t *changes = json_object_get(result, "changes"), *c;
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	struct cli_table t;
	size_t i;

	if (cli->opts.verbose < 0)
		return;
	if (!json_array_size(changes)) {
		cli_render_unchanged(cli, result);
		cli_render_kept_locked(result);
		return;
	}
	cli_table_init(&t, stdout, 3);
	json_array_foreach(changes, i, c) {
		char *buf;

		cli_table_add(&t, cli_change_verb(raw(c, "action"), dry), raw(c, "name"),
			      versions(json_string_value(json_object_get(c, "from")),
				       json_string_value(json_object_get(c, "to")), &buf));
		free(buf);
	}
	cli_table_print(&t);
	cli_render_kept_locked(result);
}

/* Where an option's help starts; on a terminal too narrow for a help
 * column beside the options (40 columns), it goes under each, this far in. */
#define HELP_COLUMN 31
#define HELP_UNDER 8

static void usage_options(FILE *out, const struct cli_option *o)
{
	int columns = cli_columns(out);
	bool under = columns > 0 && columns < HELP_COLUMN + 30;

	for (; o && o->long_name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "%c%c%c --%s%s%s", o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ', o->short_name ? ',' : ' ',
			 o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
		if (under) {
			fprintf(out, "  %s\n%*s", left, HELP_UNDER, "");
			cli_put_wrapped(out, o->help, HELP_UNDER, columns);
		} else {
			fprintf(out, "  %-28s ", left);
			cli_put_wrapped(out, o->help, HELP_COLUMN, columns);
		}
	}
}

void cli_usage(FILE *out, const struct aipkg_cmd *cmd)
{
	int columns = cli_columns(out);

	if (cmd) {
		cli_say(out, "usage: aipkg %s [OPTIONS]%s%s", cmd->name, cmd->args ? " " : "",
			cmd->args ? cmd->args : "");
		fputc('\n', out);
		cli_put_wrapped(out, cmd->summary, 0, columns);
		if (cmd->options && cmd->options->long_name) {
			fprintf(out, "\nOptions:\n");
			usage_options(out, cmd->options);
		}
		fputc('\n', out);
		cli_say(out, "Global options are described in 'aipkg --help'; see aipkg(8).");
		return;
	}
	fprintf(out, "usage: aipkg [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
	for (const struct aipkg_cmd *const *c = cli_commands; *c; c++) {
		fprintf(out, "  %-14s ", (*c)->name);
		cli_put_wrapped(out, (*c)->summary, 17, columns);
	}
	fputc('\n', out);
	cli_say(out, "Global options (before or after the command):");
	usage_options(out, cli_global_options);
	fputc('\n', out);
	cli_say(out, "'aipkg help COMMAND' shows a command's own options; see aipkg(8).");
}
