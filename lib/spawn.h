/* Run a program from an argv array and capture or stream its output. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_SPAWN_H
#define AIPKG_SPAWN_H

#include <stdbool.h>

#include "aipkg/aipkg.h"
#include "buf.h"

/* The child's descriptor 3, when struct aipkg_spawn.fd3 asks for it. */
#define AIPKG_SPAWN_FD3 ((enum aipkg_stream)3)

struct aipkg_spawn {
	const char *const *argv; /* argv[0] is looked up in PATH; never a shell */
	const char *cwd;         /* directory to run in; NULL: inherit */
	double timeout;          /* seconds; 0 means none */
	size_t capture_limit;    /* cap of each captured stream; 0 means 16 MiB */
	/* Called with each chunk as it arrives (may be NULL); STREAM is
	 * AIPKG_STDOUT, AIPKG_STDERR or AIPKG_SPAWN_FD3. */
	void (*on_output)(void *ud, enum aipkg_stream stream, const char *data, size_t len);
	void *ud;
	/* Give the child a third pipe as its descriptor 3 (apk --progress-fd 3);
	 * what it writes there goes to on_output only, never captured. */
	bool fd3;
	const char *stdin_file;  /* the child's stdin; NULL: /dev/null */
	const char *const *env;  /* "NAME=value" set in the child, NULL-terminated; may be NULL */
	/* The signal a timeout sends first (SIGKILL follows after a grace);
	 * 0: SIGTERM.  apk gets SIGINT: apk 2.14 leaves the proc it mounted
	 * in --root mounted when SIGTERM stops it. */
	int stop_signal;
};

struct aipkg_spawn_result {
	int exit_code;       /* the child's exit status, -1 if killed by a signal */
	int term_signal;     /* the signal that ended the child, 0 if none */
	bool timed_out;      /* we killed it at the timeout */
	int interrupted;     /* the interruption (interrupt.h) that stopped the child, or 0 */
	bool not_started;    /* an interruption was pending: nothing was run */
	bool truncated;      /* output beyond capture_limit was dropped */
	struct aipkg_buf out; /* captured stdout, owned: aipkg_spawn_result_release */
	struct aipkg_buf err; /* captured stderr */
};

/*
 * Start SP->argv (posix_spawn) with stdin from /dev/null (or SP->stdin_file),
 * with SP->env added to the environment, capturing stdout and
 * stderr separately.  The child leads a new process group.  SIGINT, SIGTERM
 * and SIGHUP received meanwhile raise the interruption (interrupt.h); each
 * time it is raised the group gets the signal (SIGINT for a cancellation,
 * as Ctrl-C would), and res->interrupted says why.  When the interruption
 * is already raised nothing runs (res->not_started).  The group is killed
 * (TERM, then KILL after 5 s) at the timeout.
 * Returns 0 once the child has been reaped (look at res), -ENOENT/-EACCES
 * when the program cannot be executed, or another -errno.
 * res must be released by the caller in every case.
 */
int aipkg_spawn_run(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res);

/*
 * Never pass the environment variable NAME to a child (for the rest of
 * the process): the variables naming an LLM's API key, which apk, an
 * agent check running a package's program or an init script must not
 * see.  NULL or "" is ignored; at most 8 names are remembered (-ENOSPC
 * after), -ENOMEM.
 */
int aipkg_spawn_hide_env(const char *name);
void aipkg_spawn_result_release(struct aipkg_spawn_result *res);

#endif
