/* faultfs: an LD_PRELOAD shim that makes file writes under a path fail (disk full, read-only). */
/* SPDX-License-Identifier: MIT */

/*
 * Environment:
 *   FAULTFS_PATH=TEXT   only paths containing TEXT fail (default: every path)
 *   FAULTFS_MODE=enospc writes fail with ENOSPC once FAULTFS_AFTER bytes
 *                       (default 0) have been written to such paths in this
 *                       process, and so does every fsync after that
 *   FAULTFS_MODE=erofs  opening such a path for writing, mkdir, rename, link,
 *                       unlink and writes fail with EROFS: a read-only mount
 *   FAULTFS_LOG=FILE    every fsync and fdatasync (that succeeds or not)
 *                       appends "fsync PATH" to FILE: what a command makes
 *                       durable, and in which order
 * Nothing fails without FAULTFS_MODE.  The path of a descriptor is read
 * from /proc/self/fd, so descriptors opened inside libc (mkstemp) count.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* exported: the dynamic linker must find these before libc's */
int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
ssize_t write(int fd, const void *buf, size_t n);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
int fsync(int fd);
int fdatasync(int fd);
int mkdir(const char *path, mode_t mode);
int rename(const char *from, const char *to);
int link(const char *from, const char *to);
int unlink(const char *path);

static unsigned long long faultfs_written;

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static const char *faultfs_mode(void)
{
	const char *m = getenv("FAULTFS_MODE");

	return m && *m ? m : NULL;
}

static bool faultfs_match(const char *path)
{
	const char *want = getenv("FAULTFS_PATH");

	return path && (!want || !*want || strstr(path, want));
}

/* The path FD was opened with, in TARGET; false when unknown. */
static bool faultfs_fd_path(int fd, char *target, size_t size)
{
	char link_path[64];
	ssize_t n;

	snprintf(link_path, sizeof(link_path), "/proc/self/fd/%d", fd);
	n = readlink(link_path, target, size - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return target[0] == '/';
}

static bool faultfs_fd_match(int fd)
{
	char target[4096];

	return faultfs_fd_path(fd, target, sizeof(target)) && faultfs_match(target);
}

/* One line, appended with O_APPEND so that processes sharing FILE (aipkg
 * and the apk it runs) do not overwrite each other; through libc's open
 * and write, not this file's: the log is no file under test. */
static void faultfs_log_sync(int fd)
{
	const char *log = getenv("FAULTFS_LOG");
	char target[4096], line[4200];
	ssize_t w;
	int lfd, n;

	if (!log || !*log || !faultfs_fd_path(fd, target, sizeof(target)))
		return;
	n = snprintf(line, sizeof(line), "fsync %s\n", target);
	lfd = NEXT(open)(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (lfd < 0)
		return;
	w = n > 0 && (size_t)n < sizeof(line) ? NEXT(write)(lfd, line, (size_t)n) : 0;
	(void)w; /* a lost line shows as a missing fsync */
	close(lfd);
}

static bool faultfs_is(const char *mode)
{
	const char *m = faultfs_mode();

	return m && strcmp(m, mode) == 0;
}

/* Does writing N more bytes to FD fail, and with what? 0: no. */
static int faultfs_write_error(int fd, size_t n)
{
	unsigned long long after;

	if (!faultfs_mode() || !faultfs_fd_match(fd))
		return 0;
	if (faultfs_is("erofs"))
		return EROFS;
	after = strtoull(getenv("FAULTFS_AFTER") ? getenv("FAULTFS_AFTER") : "0", NULL, 10);
	if (faultfs_written + n > after)
		return ENOSPC;
	faultfs_written += n;
	return 0;
}


static bool faultfs_open_fails(const char *path, int flags)
{
	return faultfs_is("erofs") && (flags & (O_WRONLY | O_RDWR | O_CREAT)) && faultfs_match(path);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (faultfs_open_fails(path, flags)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (faultfs_open_fails(path, flags)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (faultfs_open_fails(path, flags)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(openat)(dirfd, path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	int e = faultfs_write_error(fd, n);

	if (e) {
		errno = e;
		return -1;
	}
	return NEXT(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int e = faultfs_write_error(fd, n);

	if (e) {
		errno = e;
		return -1;
	}
	return NEXT(pwrite)(fd, buf, n, off);
}

/* A full disk also shows at fsync (delayed allocation). */
static int faultfs_sync_error(int fd)
{
	if (!faultfs_mode() || !faultfs_fd_match(fd))
		return 0;
	if (faultfs_is("erofs"))
		return 0; /* a read-only descriptor syncs fine */
	return faultfs_write_error(fd, 1) ? ENOSPC : 0;
}

int fsync(int fd)
{
	int e = faultfs_sync_error(fd);

	faultfs_log_sync(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
	int e = faultfs_sync_error(fd);

	faultfs_log_sync(fd);
	if (e) {
		errno = e;
		return -1;
	}
	return NEXT(fdatasync)(fd);
}

static bool faultfs_path_fails(const char *path)
{
	return faultfs_is("erofs") && faultfs_match(path);
}

int mkdir(const char *path, mode_t mode)
{
	if (faultfs_path_fails(path)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(mkdir)(path, mode);
}

int rename(const char *from, const char *to)
{
	if (faultfs_path_fails(from) || faultfs_path_fails(to)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(rename)(from, to);
}

int link(const char *from, const char *to)
{
	if (faultfs_path_fails(to)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(link)(from, to);
}

int unlink(const char *path)
{
	if (faultfs_path_fails(path)) {
		errno = EROFS;
		return -1;
	}
	return NEXT(unlink)(path);
}
