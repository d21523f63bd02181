/* aipkg ansible: Ansible's module protocol for non-Python modules, and the module file itself. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aipkg/ansible.h"
#include "cli.h"

/* An arguments file is a task's parameters: a package list of thousands of
 * names is a few hundred KiB. */
#define MAX_ARGS (4 << 20)

enum { O_MODULE };

static const struct cli_option options[] = {
	{ "module", 0, NULL, O_MODULE,
	  "print the module to save as library/aipkg next to a playbook" },
	{ NULL, 0, NULL, 0, NULL },
};

/* What Ansible copies to each host: WANT_JSON makes it hand the module a
 * JSON file of the task's arguments; the aipkg installed there does the
 * work, and when there is none the task still gets one JSON answer. */
static const char module_text[] =
	"#!/bin/sh\n"
	"# WANT_JSON\n"
	"# aipkg: Alpine Linux packages through aipkg, with a journal, rollback, locks\n"
	"# and a vulnerability gate.  Made by 'aipkg ansible --module' (aipkg " AIPKG_VERSION_STRING
	"):\n"
	"# save it as library/aipkg next to your playbook.  Ansible copies it to each\n"
	"# host and runs it with the path of a JSON file of the task's arguments; the\n"
	"# aipkg installed on that host does the work (aipkg(8), ANSIBLE MODULE).  The\n"
	"# environment variable AIPKG_BIN names another aipkg binary.\n"
	"aipkg=${AIPKG_BIN:-aipkg}\n"
	"if ! command -v \"$aipkg\" >/dev/null 2>&1; then\n"
	"\tprintf '%s\\n' '{\"failed\": true, \"changed\": false, \"msg\": \"aipkg is not "
	"installed on this host (no aipkg in its PATH): install it there, or give its full "
	"path in the environment variable AIPKG_BIN (the task or play keyword environment:)\"}'\n"
	"\texit 1\n"
	"fi\n"
	"exec \"$aipkg\" ansible -- \"$1\"\n";

/* stdout, kept for the one answer; fd 1 itself goes to stderr meanwhile,
 * so nothing else can ever land in the JSON Ansible reads. */
static int answer_fd = -1;
static volatile sig_atomic_t answered;

static void write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/*
 * A crash still answers Ansible with one JSON object, written from the
 * signal handler (write(2) only), before the signal takes its course.
 * A change apk was making is a pending journal entry the next aipkg
 * reconciles.
 */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static char crash_text[sizeof(crash_signals) / sizeof(crash_signals[0])][320];

static void on_crash(int sig)
{
	for (size_t i = 0; !answered && i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++)
		if (crash_signals[i] == sig) {
			answered = 1;
			write_all(answer_fd, crash_text[i], strlen(crash_text[i]));
		}
	raise(sig); /* SA_RESETHAND: the default action now */
}

static void crash_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(crash_signals[0]); i++) {
		snprintf(
		    crash_text[i], sizeof(crash_text[i]),
		    "{\"failed\": true, \"changed\": false, \"msg\": \"aipkg %s crashed (signal "
		    "%d, %s): this is a bug; run 'aipkg history' and 'aipkg recover' on the "
		    "host before the next change\"}\n",
		    AIPKG_VERSION_STRING, crash_signals[i], strsignal(crash_signals[i]));
		sigaction(crash_signals[i], &sa, NULL);
	}
}

static void take_stdout(void)
{
	fflush(stdout);
	answer_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (answer_fd < 0)
		answer_fd = STDOUT_FILENO;
	else
		dup2(STDERR_FILENO, STDOUT_FILENO);
}

static json_t *failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *failed(const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	json_t *res;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	res = json_pack("{s:b, s:b, s:s}", "failed", true, "changed", false, "msg",
			msg ? msg : "out of memory");
	free(msg);
	return res;
}

/* The arguments file: a JSON object, at most MAX_ARGS bytes. */
static json_t *read_args(const char *path, json_t **res)
{
	FILE *f = fopen(path, "re");
	char *buf = f ? malloc(MAX_ARGS + 1) : NULL;
	size_t len = buf ? fread(buf, 1, MAX_ARGS + 1, f) : 0;
	json_error_t jerr;
	json_t *args = NULL;

	if (!f)
		*res = failed("cannot read the arguments file %s: %s", path, strerror(errno));
	else if (!buf || ferror(f))
		*res = failed("cannot read the arguments file %s: %s", path,
			      buf ? strerror(errno) : "out of memory");
	else if (len > MAX_ARGS)
		*res = failed("the arguments file %s is larger than %d bytes", path, MAX_ARGS);
	else if (!(args = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)))
		*res = failed("the arguments file %s is not JSON: %s (line %d, column %d); Ansible "
			      "hands a module JSON when the module says WANT_JSON, as the one "
			      "'aipkg ansible --module' prints does",
			      path, jerr.text, jerr.line, jerr.column);
	free(buf);
	if (f)
		fclose(f);
	return args;
}

static int answer(json_t *res)
{
	char *text = res ? json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	bool fail = !res || json_is_true(json_object_get(res, "failed"));

	if (!text)
		text = strdup("{\"failed\": true, \"changed\": false, \"msg\": \"out of memory\"}");
	if (!answered && text) {
		answered = 1;
		write_all(answer_fd, text, strlen(text));
		write_all(answer_fd, "\n", 1);
	}
	free(text);
	json_decref(res);
	return fail ? 1 : 0;
}

static int run(struct cli *cli)
{
	json_t *args = NULL, *res = NULL;

	if (cli->opt_set[O_MODULE] && cli->nargs)
		return cli_usage_error(cli, "ansible --module takes no arguments");
	if (cli->opt_set[O_MODULE]) {
		fputs(module_text, stdout);
		return 0;
	}
	take_stdout();
	crash_handlers();
	if (cli->nargs != 1)
		res = failed("usage: aipkg ansible ARGS_FILE: Ansible runs it with the path of the "
			     "task's arguments file, through the module 'aipkg ansible --module' "
			     "prints (save that as library/aipkg next to the playbook)");
	else if ((args = read_args(cli->args[0], &res)))
		res = aipkg_ansible_run(args, &cli->opts);
	json_decref(args);
	return answer(res);
}

const struct aipkg_cmd cmd_ansible = {
	"ansible", "ARGS_FILE | --module",
	"be an Ansible module: read the task's arguments file, answer with one JSON object",
	options, CLI_PROTOCOL_OUT, run,
};
