/* Fuzz target: the command line: global and command options, the command, typo suggestions. */
/* SPDX-License-Identifier: MIT */
#include "cli.h"
#include "fuzz.h"

#define MAX_WORDS 64

/* main.c (not linked: it holds main) opens a command's context; the
 * parser never runs a command, so reaching this is a finding. */
int cli_ctx_open(struct cli *cli)
{
	(void)cli;
	abort();
}

/* A usage error prints a line per input (and with --json a document on
 * stdout); libFuzzer's own output and the
 * sanitizers' reports stay on a copy of stderr (-close_fd_mask=3). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char quiet[] = "-close_fd_mask=3";
	char **args = calloc((size_t)*argc + 2, sizeof(*args));

	if (!args)
		abort();
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	args[(*argc)++] = quiet;
	*argv = args;
	return 0;
}

/* Input: the words of argv[1..], NUL-separated.  argv is exactly argc + 1
 * pointers and each word its own allocation, so reading past either (the
 * environment, once) is an ASan finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **argv = calloc(MAX_WORDS + 2, sizeof(*argv));
	struct cli cli = { 0 };
	struct cli_parse p = { &cli, false, false, NULL };
	int argc = 1;
	size_t at = 0;

	if (!argv)
		abort();
	argv[0] = fuzz_strdup((const uint8_t *)"aipkg", 5);
	while (at < size && argc <= MAX_WORDS) {
		const uint8_t *nul = memchr(data + at, 0, size - at);
		size_t n = nul ? (size_t)(nul - (data + at)) : size - at;

		argv[argc++] = fuzz_strdup(data + at, n);
		at += n + 1;
	}
	argv = realloc(argv, (size_t)(argc + 1) * sizeof(*argv));
	argv[argc] = NULL;
	if (cli_parse(&p, argc, argv) == 0) {
		/* what the parser hands on stays inside argv */
		if (cli.nargs >= argc)
			abort();
		for (int i = 0; i < cli.nargs; i++)
			if (!cli.args[i])
				abort();
	}
	if (argc > 1) {
		char hint[256];

		cli_command_hint(argv[1], hint, sizeof(hint));
	}
	free(cli.repos);
	free(cli.args);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return 0;
}
