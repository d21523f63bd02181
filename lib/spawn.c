/* Run a program from an argv array and capture or stream its output. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

#define KILL_GRACE 5.0 /* from SIGTERM to SIGKILL */
#define KILL_WAIT 1.0  /* for the pipes to close after SIGKILL */

static volatile sig_atomic_t spawn_child;
static volatile sig_atomic_t spawn_signal;

/* The child leads its own process group, so what it started gets the
 * signal too (a shell's or apk's children would otherwise keep our pipes
 * open after the child itself is gone). */
static void kill_child(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		kill(pid, sig);
}

static void spawn_forward(int sig)
{
	spawn_signal = sig;
	if (spawn_child > 0)
		kill_child((pid_t)spawn_child, sig);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child_exec(const struct aipkg_spawn *sp, int out[2], int err[2], int status)
{
	int devnull = open(sp->stdin_file ? sp->stdin_file : "/dev/null", O_RDONLY | O_CLOEXEC);
	int e;

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (sp->cwd && chdir(sp->cwd) < 0)
		goto fail;
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
		goto fail;
	for (const char *const *v = sp->env; v && *v; v++)
		if (putenv((char *)*v) < 0)
			goto fail;
	execvp(sp->argv[0], (char *const *)sp->argv);
fail:
	e = errno;
	if (write(status, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
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
	if (aipkg_buf_add(b, chunk, (size_t)n) < 0) {
		/* keep the start whole: fill up to the cap, drop all after it */
		if (b->limit > b->len)
			aipkg_buf_add(b, chunk, b->limit - b->len);
		res->truncated = true;
	}
	return true;
}

static void pump(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res, pid_t pid,
		 int outfd, int errfd)
{
	struct pollfd fds[2] = { { outfd, POLLIN, 0 }, { errfd, POLLIN, 0 } };
	double deadline = sp->timeout > 0 ? now() + sp->timeout : 0;
	int phase = 0; /* 0 running, 1 sent SIGTERM, 2 sent SIGKILL */

	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		int wait_ms = -1, r;

		if (deadline) {
			double left = deadline - now();
			wait_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		r = poll(fds, 2, wait_ms);
		if (r < 0 && errno != EINTR)
			break;
		/* checked even when output keeps coming, or a chatty child never times out */
		if (deadline && now() >= deadline) {
			/* something outside the group may hold the pipes: stop waiting */
			if (phase == 2)
				break;
			res->timed_out = true;
			kill_child(pid, phase == 0 ? SIGTERM : SIGKILL);
			deadline = now() + (phase == 0 ? KILL_GRACE : KILL_WAIT);
			phase++;
			continue;
		}
		for (int i = 0; i < 2 && r > 0; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!drain(sp, res, fds[i].fd, i == 0 ? AIPKG_STDOUT : AIPKG_STDERR)) {
				close(fds[i].fd);
				fds[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
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

/* The child reports a failed exec through a close-on-exec pipe. */
static int exec_error(int status)
{
	int e = 0;
	ssize_t n;

	do
		n = read(status, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(status);
	return n == (ssize_t)sizeof(e) ? -e : 0;
}

int aipkg_spawn_run(const struct aipkg_spawn *sp, struct aipkg_spawn_result *res)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, st[2] = { -1, -1 }, r;
	struct sigaction sa = { 0 }, old_int, old_term, old_hup;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	aipkg_buf_init(&res->out, sp->capture_limit ? sp->capture_limit : 16 << 20);
	aipkg_buf_init(&res->err, sp->capture_limit ? sp->capture_limit : 16 << 20);
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	sa.sa_handler = spawn_forward;
	sigemptyset(&sa.sa_mask);
	spawn_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto restore;
	}
	if (pid == 0)
		child_exec(sp, out, err, st[1]);
	setpgid(pid, pid); /* also here, so it holds before we might signal */
	spawn_child = pid;
	if (spawn_signal)
		kill_child(pid, spawn_signal); /* arrived before the child existed */
	close(out[1]);
	close(err[1]);
	close(st[1]);
	out[1] = err[1] = st[1] = -1;
	pump(sp, res, pid, out[0], err[0]);
	out[0] = err[0] = -1;
	r = reap(pid, res);
	spawn_child = 0;
	if (r == 0)
		r = exec_error(st[0]);
	else
		close(st[0]);
	st[0] = -1;
	res->interrupted = spawn_signal;
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (st[i] >= 0)
			close(st[i]);
	}
	return r;
}

void aipkg_spawn_result_release(struct aipkg_spawn_result *res)
{
	aipkg_buf_release(&res->out);
	aipkg_buf_release(&res->err);
}
