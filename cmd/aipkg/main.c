/* aipkg's entry point: global options, dispatch to the command, callbacks. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum global_id {
	G_ROOT, G_REPO, G_UNTRUSTED, G_CONFIG, G_JSON, G_YES, G_DRY_RUN, G_QUIET, G_VERBOSE,
	G_NO_COLOR, G_LOCK_TIMEOUT, G_HELP, G_VERSION,
};

/* Options every command takes, before or after its name. */
const struct cli_option cli_global_options[] = {
	{ "root", 0, "DIR", G_ROOT, "operate on the system installed under DIR" },
	{ "repository", 'X', "URL", G_REPO, "use an extra repository (repeatable)" },
	{ "allow-untrusted", 0, NULL, G_UNTRUSTED, "let apk install unsigned packages (unsafe)" },
	{ "config", 0, "FILE", G_CONFIG, "read FILE instead of ROOT/etc/aipkg/aipkg.yaml" },
	{ "json", 0, NULL, G_JSON, "print one JSON document on stdout" },
	{ "yes", 'y', NULL, G_YES, "answer yes to confirmations" },
	{ "dry-run", 'n', NULL, G_DRY_RUN, "show what would be done, change nothing" },
	{ "quiet", 'q', NULL, G_QUIET, "print less" },
	{ "verbose", 'v', NULL, G_VERBOSE, "print more (apk's own output too)" },
	{ "no-color", 0, NULL, G_NO_COLOR, "no colour in the output" },
	{ "lock-timeout", 0, "SECONDS", G_LOCK_TIMEOUT, "wait this long for another aipkg" },
	{ "help", 'h', NULL, G_HELP, "show help" },
	{ "version", 'V', NULL, G_VERSION, "show aipkg's version" },
	{ NULL, 0, NULL, 0, NULL },
};

struct parse {
	struct cli *cli;
	bool help, version;
	const char *config;
	const char *lock_timeout;
};

static const struct cli_option *opt_find(const struct cli_option *t, const char *lname, char sname)
{
	for (; t && t->long_name; t++)
		if ((lname && strcmp(t->long_name, lname) == 0) || (sname && t->short_name == sname))
			return t;
	return NULL;
}

static int set_global(struct parse *p, const struct cli_option *o, const char *val)
{
	struct cli *cli = p->cli;
	const char **repos;

	switch (o->id) {
	case G_ROOT:
		cli->opts.root = val;
		break;
	case G_REPO:
		repos = realloc(cli->repos, (cli->nrepos + 1) * sizeof(*repos));
		if (!repos)
			return -ENOMEM;
		repos[cli->nrepos++] = val;
		cli->repos = repos;
		break;
	case G_UNTRUSTED:
		cli->opts.allow_untrusted = true;
		break;
	case G_CONFIG:
		cli->opts.config = val;
		break;
	case G_JSON:
		cli->json = true;
		break;
	case G_YES:
		cli->opts.yes = true;
		break;
	case G_DRY_RUN:
		cli->opts.dry_run = true;
		break;
	case G_QUIET:
		cli->opts.verbose = -1;
		break;
	case G_VERBOSE:
		cli->opts.verbose++;
		break;
	case G_NO_COLOR:
		cli->color = false;
		break;
	case G_LOCK_TIMEOUT:
		p->lock_timeout = val;
		break;
	case G_HELP:
		p->help = true;
		break;
	case G_VERSION:
		p->version = true;
		break;
	}
	return 0;
}

static int set_option(struct parse *p, const struct cli_option *o, bool global, const char *val)
{
	if (global)
		return set_global(p, o, val);
	p->cli->opt_set[o->id] = true;
	p->cli->opt[o->id] = val;
	return 0;
}

/* Find NAME/C among the global options, then the command's. */
static const struct cli_option *lookup(struct parse *p, const char *lname, char sname, bool *global)
{
	const struct cli_option *o = opt_find(cli_global_options, lname, sname);

	*global = o != NULL;
	if (!o && p->cli->cmd)
		o = opt_find(p->cli->cmd->options, lname, sname);
	return o;
}

__attribute__((format(printf, 2, 3))) static int usage_error(struct cli *cli, const char *fmt,
							     ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_usage_error(cli, "%s", msg);
	fprintf(stderr, "Try 'aipkg %s--help'.\n", cli->cmd ? "COMMAND " : "");
	return 2;
}

/* --json is known before anything is parsed, so that a usage error in
 * front of it (aipkg --json frob) is a JSON document too. */
static bool wants_json(char **argv)
{
	for (int i = 1; argv[i] && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return true;
	return false;
}

static int parse_long(struct parse *p, char **argv, int *i)
{
	char *name = argv[*i] + 2, *eq = strchr(name, '='), key[64];
	const struct cli_option *o;
	const char *val = NULL;
	bool global;

	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - name) : (int)strlen(name), name);
	o = lookup(p, key, 0, &global);
	if (!o)
		return usage_error(p->cli, "unknown option '--%s'", key);
	if (o->arg) {
		val = eq ? eq + 1 : argv[++*i];
		if (!val)
			return usage_error(p->cli, "option '--%s' needs a value", key);
	} else if (eq) {
		return usage_error(p->cli, "option '--%s' takes no value", key);
	}
	return set_option(p, o, global, val) < 0 ? 1 : 0;
}

static int parse_short(struct parse *p, char **argv, int *i)
{
	for (char *c = argv[*i] + 1; *c; c++) {
		char flag[3] = { '-', *c, 0 };
		const struct cli_option *o;
		const char *val = NULL;
		bool global;

		o = lookup(p, NULL, *c, &global);
		if (!o)
			return usage_error(p->cli, "unknown option '%s'", flag);
		if (o->arg) {
			val = c[1] ? c + 1 : argv[++*i];
			if (!val)
				return usage_error(p->cli, "option '%s' needs a value", flag);
		}
		if (set_option(p, o, global, val) < 0)
			return 1;
		if (o->arg)
			break;
	}
	return 0;
}

/* The command is the first word that is not an option or an option's value. */
static const char *find_command(char **argv)
{
	for (int i = 1; argv[i]; i++) {
		const struct cli_option *o;

		if (strcmp(argv[i], "--") == 0)
			return argv[i + 1];
		if (argv[i][0] != '-' || !argv[i][1])
			return argv[i];
		if (argv[i][1] == '-')
			o = strchr(argv[i], '=') ? NULL : opt_find(cli_global_options, argv[i] + 2, 0);
		else
			o = opt_find(cli_global_options, NULL, argv[i][strlen(argv[i]) - 1]);
		if (o && o->arg)
			i++;
	}
	return NULL;
}

static int parse_args(struct parse *p, int argc, char **argv)
{
	struct cli *cli = p->cli;
	const char *name = find_command(argv);
	bool cmd_seen = false, only_args = false;

	if (name && !(cli->cmd = cli_command_find(name)))
		return usage_error(cli, "unknown command '%s'", name);
	cli->args = calloc((size_t)argc, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		int r = 0;

		if (!only_args && strcmp(argv[i], "--") == 0)
			only_args = true;
		else if (only_args || argv[i][0] != '-' || !argv[i][1]) {
			if (cmd_seen || !name)
				cli->args[cli->nargs++] = argv[i];
			cmd_seen = true;
		} else if (argv[i][1] == '-')
			r = parse_long(p, argv, &i);
		else
			r = parse_short(p, argv, &i);
		if (r)
			return r;
	}
	return 0;
}

static void on_output(void *ud, enum aipkg_stream stream, const char *data, size_t len)
{
	fwrite(data, 1, len, stderr);
}

static void on_warn(void *ud, const char *msg)
{
	cli_warn(ud, "%s", msg);
}

static void on_note(void *ud, const char *msg)
{
	struct cli *cli = ud;

	if (cli->opts.verbose > 0 && !cli->json)
		fprintf(stderr, "%s\n", cli_safe(msg));
}

static void show_plan(const json_t *plan)
{
	json_t *changes = json_object_get(plan, "changes"), *c;
	size_t i;

	/* a plan made from a request: what was asked, who planned it and why */
	if (json_object_get(plan, "request"))
		cli_show_request_plan(stderr, plan);
	fprintf(stderr, "The following changes will be made:\n");
	json_array_foreach(changes, i, c) {
		const char *from = json_string_value(json_object_get(c, "from"));
		const char *to = json_string_value(json_object_get(c, "to"));

		fprintf(stderr, "  %-10s %-30s %s%s%s\n", cli_str(c, "action"), cli_str(c, "name"),
			from ? cli_safe(from) : "", from && to && strcmp(from, to) ? " -> " : "",
			to && (!from || strcmp(from, to)) ? cli_safe(to) : "");
	}
}

static int on_confirm(void *ud, const char *question, const void *plan)
{
	struct cli *cli = ud;
	char line[64];

	if (!cli->opts.interactive)
		return -1;
	show_plan(plan);
	fprintf(stderr, "%s [y/N] ", cli_safe(question));
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int lock_timeout(struct cli *cli, const char *s, double *out)
{
	char *end;

	*out = -1;
	if (!s)
		return 0;
	*out = strtod(s, &end);
	if (*end || *out < 0)
		return usage_error(cli, "--lock-timeout takes a number of seconds, not '%s'", s);
	return 0;
}

static int run_command(struct cli *cli, struct parse *p)
{
	struct aipkg_callbacks cb = { on_output, on_confirm, on_warn, on_note, cli };
	int r;

	cli->opts.repos = cli->repos;
	cli->opts.nrepos = cli->nrepos;
	if (cli->cmd->needs & CLI_JSON_OUT)
		cli->json = true;
	if (cli->cmd->needs & CLI_PROTOCOL_OUT)
		cli->json = false;
	cli->opts.interactive = isatty(0) && isatty(2);
	cli->opts.batch = cli->json;
	cli->opts.stream = cli->opts.interactive && cli->opts.verbose >= 0 && !cli->json;
	if (cli->opts.verbose > 0 && !cli->json)
		cli->opts.stream = true;
	if (lock_timeout(cli, p->lock_timeout, &cli->opts.lock_timeout))
		return 2;
	if (cli->cmd->needs & CLI_NEEDS_CTX) {
		r = aipkg_ctx_new(&cli->ctx, &cli->opts, &cb);
		if (r < 0)
			return cli_fail(cli, r, NULL);
	}
	return cli->cmd->run(cli);
}

/* The command line as typed, quoted where needed, for the journal. */
static char *command_line(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		bool plain = argv[i][0] && !argv[i][strcspn(argv[i], " \t\n'\"\\$`;&|<>(){}*?[]#~!")];

		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, argv[i]);
			continue;
		}
		*p++ = '\'';
		for (const char *c = argv[i]; *c; c++)
			p = *c == '\'' ? stpcpy(p, "'\\''") : (*p = *c, p + 1);
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct parse p = { &cli, false, false, NULL, NULL };
	int r;

	cli.color = isatty(2) && !getenv("NO_COLOR");
	cli.opts.cmdline = command_line(argc, argv);
	cli.json = wants_json(argv);
	r = parse_args(&p, argc, argv);
	if (r == 0 && p.version) {
		cli_print_version(&cli);
	} else if (r == 0 && p.help && cli.json) {
		cli_print_command_table(cli.cmd);
	} else if (r == 0 && !p.help && !cli.cmd && cli.json) {
		r = cli_usage_error(&cli, "no command given (see 'aipkg help --json')");
	} else if (r == 0 && (p.help || !cli.cmd)) {
		cli_usage(p.help ? stdout : stderr, cli.cmd);
		r = p.help ? 0 : 2;
	} else if (r == 0) {
		r = run_command(&cli, &p);
	}
	aipkg_ctx_free(cli.ctx);
	free(cli.repos);
	free(cli.args);
	free((char *)cli.opts.cmdline);
	return r;
}
