/* aipkg's entry point: global options, dispatch to the command, callbacks. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"

/* --json is known before anything is parsed, so that a usage error in
 * front of it (aipkg --json frob) is a JSON document too. */
static bool wants_json(char **argv)
{
	for (int i = 1; argv[i] && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return true;
	return false;
}

/* How many bytes at the end of S (LEN) start a UTF-8 character that is
 * not finished yet: its rest comes with the next read. */
static size_t unfinished_utf8(const unsigned char *s, size_t len)
{
	for (size_t k = 1; k <= 3 && k <= len; k++) {
		unsigned char b = s[len - k];

		if ((b & 0xC0) == 0x80)
			continue; /* a continuation byte: look further back */
		if (b < 0xC0)
			return 0;
		return (size_t)(b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2) > k ? k : 0;
	}
	return 0;
}

/*
 * apk's output as it runs, shown on stderr.  It quotes names and versions
 * from the indexes and whatever package scripts print, so it goes through
 * the one sanitiser like everything else from outside: an escape sequence
 * in a repository's package cannot clear the screen or retitle the window.
 * Lines stay lines; a character cut between two reads is put together
 * first, so it is not shown as invalid bytes.
 */
static void on_output(void *ud, enum aipkg_stream stream, const char *data, size_t len)
{
	struct cli *cli = ud;
	int which = stream == AIPKG_STDERR;
	size_t n = cli->apk_tail_len[which] + len, keep, start = 0;
	char *text = malloc(n + 1);

	if (!text)
		return;
	memcpy(text, cli->apk_tail[which], cli->apk_tail_len[which]);
	memcpy(text + cli->apk_tail_len[which], data, len);
	keep = unfinished_utf8((const unsigned char *)text, n);
	memcpy(cli->apk_tail[which], text + n - keep, keep);
	cli->apk_tail_len[which] = keep;
	n -= keep;
	cli_progress_around_output(cli, true);
	while (start < n) {
		char *nl = memchr(text + start, '\n', n - start);
		size_t line = (nl ? (size_t)(nl - text) : n) - start;

		fputs(cli_safe_n(text + start, line), stderr);
		if (nl)
			putc('\n', stderr);
		start += line + (nl != NULL);
	}
	if (n && text[n - 1] == '\n')
		cli_progress_around_output(cli, false);
	free(text);
}

/* Has this command said MSG already?  agent run and ask read the indexes
 * twice (the plan, then the doctor's pass or apk's check), and told of the
 * same bad index twice.  An MCP server's calls each say theirs. */
static bool said_before(const struct cli *cli, const char *msg)
{
	static unsigned long long seen[64];
	static size_t n;
	unsigned long long h = 1469598103934665603ULL;

	if (cli->cmd && cli->cmd->needs & CLI_PROTOCOL_OUT)
		return false;
	for (const char *p = msg; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (size_t i = 0; i < n; i++)
		if (seen[i] == h)
			return true;
	if (n < sizeof(seen) / sizeof(seen[0]))
		seen[n++] = h;
	return false;
}

static void on_warn(void *ud, const char *msg)
{
	if (said_before(ud, msg))
		return;
	cli_progress_clear(ud);
	cli_warn(ud, "%s", msg);
}

static void on_progress(void *ud, const struct aipkg_progress *p)
{
	cli_progress_update(ud, p);
}

static void on_note(void *ud, const char *msg)
{
	struct cli *cli = ud;

	if (cli->opts.verbose > 0 && !cli->json)
		fprintf(stderr, "%s\n", cli_safe(msg));
}

static int on_confirm(void *ud, const char *question, const void *plan)
{
	struct cli *cli = ud;
	char line[64];

	if (!cli->opts.interactive)
		return -1;
	cli_show_plan(stderr, plan);
	cli->plan_shown = true;
	fprintf(stderr, "%s [y/N] ", cli_safe(question));
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		/* Ctrl-D: no Enter was echoed, so end the prompt's line
		 * before "nothing changed" is said */
		fputc('\n', stderr);
		return 0;
	}
	return line[0] == 'y' || line[0] == 'Y';
}

static int lock_timeout(struct cli *cli, const char *s, double *out)
{
	char *end;

	*out = -1;
	if (!s)
		return 0;
	*out = strtod(s, &end);
	if (!*s || *end || !(*out >= 0) || *out > 1e9)
		return cli_usage_error(cli, "--lock-timeout takes a number of seconds, not '%s'", s);
	return 0;
}

int cli_ctx_open(struct cli *cli)
{
	struct aipkg_callbacks cb = { on_output, on_confirm, on_warn, on_note, cli, on_progress };
	int r = aipkg_ctx_new(&cli->ctx, &cli->opts, &cb);

	return r < 0 ? cli_fail(cli, r, NULL) : 0;
}

static int run_command(struct cli *cli, struct cli_parse *p)
{
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
	cli->progress = cli_progress_wanted(cli);
	if (lock_timeout(cli, p->lock_timeout, &cli->opts.lock_timeout))
		return 2;
	if (cli->cmd->needs & CLI_NEEDS_CTX) {
		int r = cli_ctx_open(cli);

		if (r)
			return r;
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

/*
 * aipkg holds secrets: the LLM API key (in its environment from exec on,
 * then in request headers) and credentials in repository, secdb and
 * webhook URLs, often as root from cron.  Not dumpable, a crash writes no
 * core file and no other process of this user reads them (ptrace,
 * /proc/PID/environ, /proc/PID/mem).  This is done first, whatever the
 * command, because the key is in memory before the configuration says
 * which variable holds it.  The kernel makes every program aipkg execs
 * (apk, checks, init scripts) dumpable again, and RLIMIT_CORE, which they
 * would inherit, is left alone: apk behaves as it always does.
 */
static void no_core_dumps(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct cli_parse p = { &cli, false, false, NULL };
	int r;

	no_core_dumps();
	if (argc > 1 && strcmp(argv[1], "__complete") == 0)
		return cli_complete(argc, argv);
	cli.color = cli_color_wanted(stderr);
	cli.opts.cmdline = command_line(argc, argv);
	cli.json = wants_json(argv);
	r = cli_parse(&p, argc, argv);
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
