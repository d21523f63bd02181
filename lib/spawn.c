/* Run a program from an argv array and capture or stream its output. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sysspawn.h> /* posix_spawn */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "clock.h"
#include "interrupt.h"
#include "spawn.h"

#define KILL_GRACE 5.0 /* from SIGTERM to SIGKILL */
#define KILL_WAIT 1.0  /* for the pipes to close after SIGKILL */

/* The child leads its own process group, so what it started gets the
 * signal too (a shell's or apk's children would otherwise keep our pipes
 * open after the child itself is gone). */
static void kill_child(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		kill(pid, sig);
}

/* The pump forwards it: one path for signals and cancellations alike. */
static void spawn_raise(int sig)
{
	aipkg_interrupt_raise(sig);
}

/*
 * The child is started with posix_spawn, not fork and exec: the C library
 * starts it in aipkg's address space until it execs (a vfork-like clone),
 * where fork copies the page tables of everything aipkg has mapped (on a
 * real system, tens of MiB of index cache and package table) and leaves
 * its pages copy-on-write meanwhile; and a failed exec or file action
 * comes back as posix_spawn's result.
 */

#define SPAWN_HIDDEN_MAX 8
static char *hidden[SPAWN_HIDDEN_MAX];
static size_t nhidden;

int aipkg_spawn_hide_env(const char *name)
{
	if (!name || !*name)
		return 0;
	for (size_t i = 0; i < nhidden; i++)
		if (strcmp(hidden[i], name) == 0)
			return 0;
	if (nhidden == SPAWN_HIDDEN_MAX)
		return -ENOSPC;
	hidden[nhidden] = strdup(name);
	if (!hidden[nhidden])
		return -ENOMEM;
	nhidden++;
	return 0;
}

/* Is the "NAME=value" string E (NAME LEN bytes) hidden from children? */
static bool env_hidden(const char *e, size_t len)
{
	for (size_t i = 0; i < nhidden; i++)
		if (strlen(hidden[i]) == len && strncmp(hidden[i], e, len) == 0)
			return true;
	return false;
}

/* environ with SP->env's "NAME=value" in place of (or after) the same
 * names, as putenv in the child would have made it, and without the
 * hidden names; NULL without memory.  Only the array is ours: the
 * strings stay the caller's and environ's. */
static char **child_env(const char *const *add)
{
	size_t n = 0, k = 0, nadd = 0;
	char **env;

	while (environ && environ[n])
		n++;
	while (add && add[nadd])
		nadd++;
	env = calloc(n + nadd + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		bool replaced = false;

		for (size_t a = 0; a < nadd && !replaced; a++)
			replaced = strncmp(add[a], environ[i], len) == 0 && add[a][len] == '=';
		if (!replaced && !env_hidden(environ[i], len))
			env[k++] = environ[i];
	}
	for (size_t a = 0; a < nadd; a++)
		env[k++] = (char *)add[a];
	return env;
}

/* The child's descriptors, directory and signals, as file actions and
 * attributes: stdin from SP->stdin_file (or /dev/null), the pipes as 1, 2
 * and 3 (adddup2 of a descriptor onto itself clears its close-on-exec
 * flag), a process group of its own, and default dispositions for the
 * signals aipkg catches or ignores. */
static int child_setup(const struct aipkg_spawn *sp, int pipes[3][2],
		       posix_spawn_file_actions_t *fa, posix_spawnattr_t *at)
{
	sigset_t def;
	int r;

	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGPIPE);
	r = posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	if (r == 0)
		r = posix_spawnattr_setpgroup(at, 0);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(at, &def);
	if (r == 0 && sp->cwd)
		r = posix_spawn_file_actions_addchdir_np(fa, sp->cwd);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(fa, 0, sp->stdin_file ? sp->stdin_file
									    : "/dev/null",
						     O_RDONLY, 0);
	for (int i = 0; r == 0 && i < (sp->fd3 ? 3 : 2); i++)
		r = posix_spawn_file_actions_adddup2(fa, pipes[i][1], i + 1);
	return -r;
}

/* Start SP->argv as *PID. */
static int child_start(const struct aipkg_spawn *sp, int pipes[3][2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char **env = sp->env || nhidden ? child_env(sp->env) : environ;
	int r;

	if (!env)
		return -ENOMEM;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		r = -ENOMEM;
		goto out;
	}
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		r = -ENOMEM;
		goto out;
	}
	r = child_setup(sp, pipes, &fa, &at);
	if (r == 0)
		r = -posix_spawnp(pid, sp->argv[0], &fa, &at, (char *const *)sp->argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
out:
	if (env != environ)
		free(env);
	return r;
}

/* Read what is ready on FD into BUF and pass it on; false at EOF. */
static bool drain(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res, int fd,
		  enum aipkg_stream stream)
{
	struct aipkg_buf *b = stream == AIPKG_STDOUT ? &res->out : &res->err;
	char chunk[8192];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	if (sp->on_output)
		sp->on_output(sp->ud, stream, chunk, (size_t)n);
	if (stream == AIPKG_SPAWN_FD3)
		return true;
	if (aipkg_buf_add(b, chunk, (size_t)n) < 0) {
		/* keep the start whole: fill up to the cap, drop all after it */
		if (b->limit > b->len)
			aipkg_buf_add(b, chunk, b->limit - b->len);
		res->truncated = true;
	}
	return true;
}

/* A new interruption since SEEN: pass it on to the child's group, as SIGINT. */
static void forward(struct aipkg_spawn_result *res, pid_t pid, unsigned *seen)
{
	unsigned serial = aipkg_interrupt_serial();
	int why = aipkg_interrupt_pending();

	aipkg_interrupt_drain();
	if (serial == *seen || !why)
		return;
	*seen = serial;
	res->interrupted = why;
	/* whatever stopped us, apk is stopped as Ctrl-C stops it: apk 2.14
	 * dies where it stands on SIGTERM (or SIGHUP) and leaves the proc it
	 * mounted in --root mounted, while on SIGINT it unmounts and exits */
	kill_child(pid, SIGINT);
}

/* Poll FDS[0..2] (the child's stdout, stderr and descriptor 3; -1 when
 * closed) and the interruption's descriptor until the pipes close. */
static void pump(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res, pid_t pid,
		 int pipes[3], unsigned seen)
{
	static const enum aipkg_stream streams[3] = { AIPKG_STDOUT, AIPKG_STDERR, AIPKG_SPAWN_FD3 };
	struct pollfd fds[4] = { { pipes[0], POLLIN, 0 }, { pipes[1], POLLIN, 0 },
				 { pipes[2], POLLIN, 0 }, { aipkg_interrupt_fd(), POLLIN, 0 } };
	double deadline = sp->timeout > 0 ? aipkg_clock_now() + sp->timeout : 0;
	int phase = 0; /* 0 running, 1 sent the stop signal, 2 sent SIGKILL */

	while (fds[0].fd >= 0 || fds[1].fd >= 0 || fds[2].fd >= 0) {
		/* without the interruption's pipe, look at its flag now and then */
		int wait_ms = fds[3].fd >= 0 ? -1 : 250, r;

		if (deadline) {
			double left = deadline - aipkg_clock_now();
			int ms = left > 0 ? (int)(left * 1000) + 1 : 0;
			wait_ms = wait_ms < 0 || ms < wait_ms ? ms : wait_ms;
		}
		r = poll(fds, 4, wait_ms);
		if (r < 0 && errno != EINTR)
			break;
		forward(res, pid, &seen);
		/* checked even when output keeps coming, or a chatty child never times out */
		if (deadline && aipkg_clock_now() >= deadline) {
			/* something outside the group may hold the pipes: stop waiting */
			if (phase == 2)
				break;
			res->timed_out = true;
			kill_child(pid, phase == 0 ? (sp->stop_signal ? sp->stop_signal : SIGTERM)
						   : SIGKILL);
			deadline = aipkg_clock_now() + (phase == 0 ? KILL_GRACE : KILL_WAIT);
			phase++;
			continue;
		}
		for (int i = 0; i < 3 && r > 0; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!drain(sp, res, fds[i].fd, streams[i])) {
				close(fds[i].fd);
				fds[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
}

static int reap(pid_t pid, struct aipkg_spawn_result *res)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status)) {
		res->exit_code = WEXITSTATUS(status);
	} else {
		res->exit_code = -1;
		res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	return 0;
}

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
}

static int open_pipes(const struct aipkg_spawn *sp, int pipes[3][2])
{
	for (int i = 0; i < 3; i++)
		if ((i < 2 || sp->fd3) && pipe2(pipes[i], O_CLOEXEC) < 0)
			return -errno;
	return 0;
}

/* Start, pump and reap, with our signal handlers in place.  A program
 * that cannot be run (-ENOENT, -EACCES) exits 127 as a shell says. */
static int spawn_child(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res,
		       int pipes[3][2], unsigned seen)
{
	int ours[3];
	pid_t pid;
	int r = child_start(sp, pipes, &pid);

	if (r < 0) {
		res->exit_code = 127;
		return r;
	}
	setpgid(pid, pid); /* as the child did, so it holds before we might signal */
	for (int i = 0; i < 3; i++) {
		ours[i] = pipes[i][0];
		pipes[i][0] = -1;
		close_pair(pipes[i]);
	}
	pump(sp, res, pid, ours, seen);
	return reap(pid, res);
}

int aipkg_spawn_run(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res)
{
	int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } }, r;
	struct sigaction sa = { 0 }, old_int, old_term, old_hup;
	unsigned seen = aipkg_interrupt_serial();

	memset(res, 0, sizeof(*res));
	aipkg_buf_init(&res->out, sp->capture_limit ? sp->capture_limit : 16 << 20);
	aipkg_buf_init(&res->err, sp->capture_limit ? sp->capture_limit : 16 << 20);
	if ((res->interrupted = aipkg_interrupt_pending())) {
		res->not_started = true;
		res->exit_code = -1;
		return 0;
	}
	aipkg_interrupt_fd(); /* made before a handler may write to it */
	r = open_pipes(sp, pipes);
	if (r < 0)
		goto fail;
	sa.sa_handler = spawn_raise;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	r = spawn_child(sp, res, pipes, seen);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
fail:
	for (int i = 0; i < 3; i++)
		close_pair(pipes[i]);
	return r;
}

void aipkg_spawn_result_release(struct aipkg_spawn_result *res)
{
	aipkg_buf_release(&res->out);
	aipkg_buf_release(&res->err);
}
