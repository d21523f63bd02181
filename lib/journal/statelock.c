/* The state lock: one changing aipkg at a time, held with flock on ROOT/var/lib/aipkg/lock. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ctx.h"
#include "fileio.h"
#include "url.h"
#include "journal/journal.h"

#define STATE_DIR "var/lib/aipkg"
#define LOCK_POLL_NS (50 * 1000 * 1000L)
/* A person at a terminal waits this long by default; a program does not wait. */
#define LOCK_WAIT_PERSON 30.0

/* mkdir P: 1 made, 0 already a directory, -errno (-ENOTDIR: a file). */
static int mkdir_one(const char *p)
{
	struct stat sb;

	if (mkdir(p, 0755) == 0)
		return 1;
	if (errno != EEXIST)
		return -errno;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

int aipkg_mkdir_p(const char *path)
{
	struct stat sb;
	char *p;
	int r = 0;

	/* the usual case, every time after the first: one call, not two a level */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; r >= 0; s++) {
		char c = *s;

		if (c && c != '/')
			continue;
		*s = '\0';
		r = mkdir_one(p);
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return r;
}

/*
 * Whoever can write the state directory (or a directory above it) can
 * plant links where aipkg writes as root and rewrite the journal whose
 * world and versions a rollback hands to apk: refuse it, as ssh and sudo
 * refuse files others can change.  Checked once per context.
 */
int aipkg_statedir_check(struct aipkg_ctx *ctx)
{
	char *path;
	int r;

	if (ctx->state_trusted)
		return 0;
	path = aipkg_ctx_path(ctx, STATE_DIR);
	r = path ? aipkg_ctx_check_private(ctx, "the state directory", path,
					   "another user could plant links there or rewrite the "
					   "journal that rollback trusts; nothing was changed",
					   -AIPKG_E_JOURNAL)
		 : -ENOMEM;
	ctx->state_trusted = r == 0;
	free(path);
	return r;
}

bool aipkg_statedir_trusted(struct aipkg_ctx *ctx)
{
	struct aipkg_buf kept = ctx->err; /* the message of an earlier failure stays */
	bool ok;

	if (ctx->state_trusted)
		return true;
	aipkg_buf_init(&ctx->err, kept.limit);
	ok = aipkg_statedir_check(ctx) == 0;
	aipkg_buf_release(&ctx->err);
	ctx->err = kept;
	return ok;
}

int aipkg_statedir_make(struct aipkg_ctx *ctx, const char *rel)
{
	char *path = NULL;
	int r = aipkg_statedir_check(ctx);

	if (r < 0)
		return r;
	if (asprintf(&path, "%s/%s/%s", ctx->root, STATE_DIR, rel) < 0)
		return -ENOMEM;
	r = aipkg_mkdir_p(path);
	if (r < 0)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_JOURNAL,
				   "cannot create %s: %s; aipkg keeps its journal and lock there, so "
				   "nothing was changed (is the root read-only?)",
				   path, strerror(-r));
	free(path);
	return r < 0 ? r : 0;
}

double aipkg_statelock_timeout(const struct aipkg_ctx *ctx)
{
	if (ctx->opts.lock_timeout >= 0)
		return ctx->opts.lock_timeout;
	if (ctx->cfg.lock_timeout >= 0)
		return ctx->cfg.lock_timeout;
	return ctx->opts.interactive && !ctx->opts.batch ? LOCK_WAIT_PERSON : 0;
}

/* Who holds the lock, as its holder wrote it: "pid 42 (aipkg install
 * nginx, since 2026-11-24T10:15:02Z)". */
static void holder_describe(int fd, char *out, size_t size)
{
	char text[512], *pid, *since, *cmd;
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	pid = strtok_r(text, " ", &cmd);
	since = pid ? strtok_r(NULL, " ", &cmd) : NULL;
	if (!since)
		snprintf(out, size, "a process that did not say who it is");
	else
		snprintf(out, size, "pid %s (%s, since %s)", pid, *cmd ? cmd : "aipkg", since);
}

/* "PID TIME COMMAND" on one line, for whoever has to wait for us. */
static void holder_write(struct aipkg_ctx *ctx, int fd)
{
	char now[32], line[1024], *cmd = aipkg_url_mask_text(ctx->opts.cmdline);
	int n;

	aipkg_jentry_now(now, sizeof(now));
	n = snprintf(line, sizeof(line), "%ld %s %s", (long)getpid(), now, cmd ? cmd : "aipkg");
	free(cmd);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = ' ';
	line[n++] = '\n';
	if (ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)n, 0) < 0)
		return; /* only informative */
}

static int lock_busy(struct aipkg_ctx *ctx, int fd, const char *path, double timeout)
{
	char who[640];

	holder_describe(fd, who, sizeof(who));
	if (timeout > 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_LOCKED,
				      "another aipkg still holds %s after %g s: %s; try again later",
				      path, timeout, who);
	return aipkg_ctx_fail(ctx, -AIPKG_E_LOCKED,
			      "another aipkg holds %s: %s; try again later, or wait for it with "
			      "--lock-timeout SECONDS",
			      path, who);
}

static int lock_wait(struct aipkg_ctx *ctx, int fd, const char *path, double timeout)
{
	struct timespec pause = { 0, LOCK_POLL_NS };
	double deadline = aipkg_clock_now() + timeout;
	char who[640];

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return aipkg_ctx_fail(ctx, -AIPKG_E_JOURNAL, "cannot lock %s: %s", path,
				      strerror(errno));
	if (timeout > 0) {
		holder_describe(fd, who, sizeof(who));
		aipkg_ctx_warn(ctx, "waiting up to %g s for another aipkg: %s", timeout, who);
	}
	while (aipkg_clock_now() < deadline) {
		nanosleep(&pause, NULL);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
	}
	return lock_busy(ctx, fd, path, timeout);
}

int aipkg_statelock_acquire(struct aipkg_ctx *ctx)
{
	char *path;
	int fd, r;

	if (ctx->lock_fd >= 0)
		return 0;
	r = aipkg_statedir_make(ctx, "");
	if (r < 0)
		return r;
	path = aipkg_ctx_path(ctx, STATE_DIR "/lock");
	if (!path)
		return -ENOMEM;
	/* 0600: flock works on a read-only descriptor, so a lock others can
	 * open is a lock any user can hold to stop every change (apk's own is
	 * 0600 too).  No link is followed (a planted one would have us
	 * truncate its target), and close-on-exec: a daemon started by a
	 * package script must not inherit it and hold the lock for ever. */
	fd = aipkg_state_open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_JOURNAL, "cannot open %s: %s; nothing was changed",
				   path, aipkg_file_strerror(fd));
	else
		r = lock_wait(ctx, fd, path, aipkg_statelock_timeout(ctx));
	if (r == 0) {
		holder_write(ctx, fd);
		ctx->lock_fd = fd;
	} else if (fd >= 0) {
		close(fd);
	}
	free(path);
	return r;
}

void aipkg_statelock_release(struct aipkg_ctx *ctx)
{
	if (ctx->lock_fd < 0)
		return;
	/* a stale line would only mislead a waiter's message */
	if (ftruncate(ctx->lock_fd, 0) < 0)
		aipkg_ctx_note(ctx, "cannot empty the lock file: %s", strerror(errno));
	close(ctx->lock_fd);
	ctx->lock_fd = -1;
}
