/* The command line: global and command options, before or after the command, within argv. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The words of argv from 1 to argc - 1, nothing past them: argv[argc] is
 * NULL, and what follows it is the environment (aipkg --root printed the
 * first variable once). */
struct argv_walk {
	int argc;
	char **argv;
	int i;
};

static const char *next_value(struct argv_walk *w)
{
	return w->i + 1 < w->argc ? w->argv[++w->i] : NULL;
}

const struct cli_option *cli_option_find(const struct cli_option *t, const char *lname,
					 char sname)
{
	for (; t && t->long_name; t++)
		if ((lname && strcmp(t->long_name, lname) == 0) || (sname && t->short_name == sname))
			return t;
	return NULL;
}

static int set_global(struct cli_parse *p, const struct cli_option *o, const char *val)
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

static int set_option(struct cli_parse *p, const struct cli_option *o, bool global, const char *val)
{
	if (global)
		return set_global(p, o, val);
	p->cli->opt_set[o->id] = true;
	p->cli->opt[o->id] = val;
	return 0;
}

/* Find NAME/C among the global options, then the command's. */
static const struct cli_option *lookup(struct cli_parse *p, const char *lname, char sname,
				       bool *global)
{
	const struct cli_option *o = cli_option_find(cli_global_options, lname, sname);

	*global = o != NULL;
	if (!o && p->cli->cmd)
		o = cli_option_find(p->cli->cmd->options, lname, sname);
	return o;
}

__attribute__((format(printf, 2, 3))) static int usage_error(struct cli *cli, const char *fmt,
							     ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	cli_usage_error(cli, "%s", msg ? msg : "bad command line");
	free(msg);
	if (cli->cmd)
		fprintf(stderr, "Try 'aipkg %s --help'.\n", cli->cmd->name);
	else
		fprintf(stderr, "Try 'aipkg --help'.\n");
	return 2;
}

/* Where an unknown option probably came from: a typo of one that applies
 * here, or an option of another command. */
static int unknown_option(struct cli_parse *p, const char *typed, bool is_long)
{
	const struct aipkg_cmd *cmd = p->cli->cmd, *owner = NULL;
	char hint[256] = "", flag[4] = { '-', typed[0], 0 };
	struct cli_suggest s;

	if (!is_long && cmd)
		return usage_error(p->cli, "unknown option '%s' for '%s'", flag, cmd->name);
	if (!is_long)
		return usage_error(p->cli, "unknown option '%s'", flag);
	cli_suggest_init(&s, typed);
	for (const struct cli_option *o = cli_global_options; o->long_name; o++)
		cli_suggest_add(&s, o->long_name);
	for (const struct cli_option *o = cmd ? cmd->options : NULL; o && o->long_name; o++)
		cli_suggest_add(&s, o->long_name);
	cli_suggest_text(&s, "--", hint, sizeof(hint));
	for (const struct aipkg_cmd *const *c = cli_commands; *c && !owner; c++)
		if (*c != cmd && cli_option_find((*c)->options, typed, 0))
			owner = *c;
	if (!*hint && owner)
		snprintf(hint, sizeof(hint), " (it is an option of 'aipkg %s')", owner->name);
	if (cmd)
		return usage_error(p->cli, "unknown option '--%s' for '%s'%s", typed, cmd->name,
				   hint);
	return usage_error(p->cli, "unknown option '--%s'%s", typed, hint);
}

static int parse_long(struct cli_parse *p, struct argv_walk *w)
{
	const char *name = w->argv[w->i] + 2, *eq = strchr(name, '=');
	const struct cli_option *o;
	const char *val = NULL;
	char *key = strndup(name, eq ? (size_t)(eq - name) : strlen(name));
	bool global;
	int r = 0;

	if (!key)
		return 1;
	o = lookup(p, key, 0, &global);
	if (!o)
		r = unknown_option(p, key, true);
	else if (o->arg && !(val = eq ? eq + 1 : next_value(w)))
		r = usage_error(p->cli, "option '--%s' needs a value (%s)", key, o->arg);
	else if (!o->arg && eq)
		r = usage_error(p->cli, "option '--%s' takes no value", key);
	else if (set_option(p, o, global, val) < 0)
		r = 1;
	free(key);
	return r;
}

static int parse_short(struct cli_parse *p, struct argv_walk *w)
{
	for (const char *c = w->argv[w->i] + 1; *c; c++) {
		const struct cli_option *o;
		const char *val = NULL;
		bool global;

		o = lookup(p, NULL, *c, &global);
		if (!o)
			return unknown_option(p, c, false);
		if (o->arg && !(val = c[1] ? c + 1 : next_value(w)))
			return usage_error(p->cli, "option '-%c' needs a value (%s)", *c, o->arg);
		if (set_option(p, o, global, val) < 0)
			return 1;
		if (o->arg)
			break;
	}
	return 0;
}

/* Does the option word ARG (not "--") take the next word as its value?
 * 1 yes, 0 no, -1 unknown: not a global option, maybe the command's. */
static int takes_value(const char *arg)
{
	const struct cli_option *o;

	if (arg[1] == '-') {
		if (strchr(arg, '='))
			return 0;
		o = cli_option_find(cli_global_options, arg + 2, 0);
		return o ? o->arg != NULL : -1;
	}
	for (const char *c = arg + 1; *c; c++) {
		o = cli_option_find(cli_global_options, NULL, *c);
		if (!o)
			return -1;
		if (o->arg)
			return c[1] == '\0';
	}
	return 0;
}

/*
 * Where the command is (0: nowhere): the first word that is not an option
 * or an option's value.  A word after an option aipkg does not know globally may be that
 * option's value (aipkg --limit 5 history): it is the command only when
 * it names one, so aipkg --roo /x list finds list and then blames --roo.
 */
static int find_command(int argc, char **argv)
{
	bool maybe_value = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int v;

		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : 0;
		if (a[0] != '-' || !a[1]) {
			if (!maybe_value || cli_command_find(a))
				return i;
			maybe_value = false;
			continue;
		}
		v = takes_value(a);
		maybe_value = v < 0;
		if (v > 0)
			i++;
	}
	return 0;
}

static int unknown_command(struct cli *cli, const char *name)
{
	char hint[256];

	cli_command_hint(name, hint, sizeof(hint));
	return usage_error(cli, "unknown command '%s'%s", name, hint);
}

int cli_parse(struct cli_parse *p, int argc, char **argv)
{
	struct cli *cli = p->cli;
	int at = find_command(argc, argv);
	struct argv_walk w = { argc, argv, 0 };
	bool only_args = false;

	/* a usage error is printed before the options are read: it is
	 * plain when the line says so */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--no-color") == 0)
			cli->color = false;
	if (at && !(cli->cmd = cli_command_find(argv[at])))
		return unknown_command(cli, argv[at]);
	cli->args = calloc(argc > 0 ? (size_t)argc : 1, sizeof(char *));
	if (!cli->args)
		return 1;
	for (w.i = 1; w.i < argc; w.i++) {
		const char *a = argv[w.i];
		int r = 0;

		if (w.i == at)
			continue;
		if (!only_args && strcmp(a, "--") == 0)
			only_args = true;
		else if (only_args || a[0] != '-' || !a[1])
			cli->args[cli->nargs++] = argv[w.i];
		else if (a[1] == '-')
			r = parse_long(p, &w);
		else
			r = parse_short(p, &w);
		if (r)
			return r;
	}
	return 0;
}
