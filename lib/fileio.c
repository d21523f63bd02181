/* Files in aipkg's state: written atomically, opened without following links, trusted only when private. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "aipkg/error.h"
#include "fileio.h"

/* Deeper trees than this are not removed: every level holds a descriptor. */
#define RMTREE_DEPTH_MAX 200

int aipkg_fsync_dir_of(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	int fd, r = 0;

	if (!slash) {
		free(dir);
		return dir ? 0 : -ENOMEM;
	}
	*slash = '\0';
	fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

/* Replace PATH with DATA: a temporary file (mkstemp: O_EXCL, so never a
 * planted link), fsync, rename, fsync of the directory, so a crash leaves
 * the old file or the new one. */
int aipkg_file_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode)
{
	struct aipkg_buf tmp = AIPKG_BUF_INIT;
	int fd, r = 0;

	if (aipkg_buf_addf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		aipkg_buf_release(&tmp);
		return -errno;
	}
	for (size_t off = 0; r == 0 && off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0 && errno != EINTR)
			r = -errno;
		off += n > 0 ? (size_t)n : 0;
	}
	if (r == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp.data, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp.data);
	aipkg_buf_release(&tmp);
	return r == 0 ? aipkg_fsync_dir_of(path) : r;
}

int aipkg_file_write_atomic(const char *path, const void *data, size_t len)
{
	return aipkg_file_write_atomic_mode(path, data, len, 0644);
}

/* open(2) PATH, but only a regular file: O_NONBLOCK so that opening a
 * FIFO (a planted one, or a device) never waits, then fstat into *ST.
 * The descriptor, blocking again unless FLAGS asked otherwise, or -errno
 * (-EINVAL: not a regular file). */
static int open_regular(const char *path, int flags, mode_t mode, struct stat *st)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int r = S_ISREG(st->st_mode) ? -errno : -EINVAL;

		close(fd);
		return r;
	}
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

int aipkg_open_regular(const char *path, struct stat *st)
{
	return open_regular(path, O_RDONLY, 0, st);
}

int aipkg_state_open(const char *path, int flags, mode_t mode)
{
	struct stat st;
	int fd = open_regular(path, flags | O_NOFOLLOW, mode, &st);

	if (fd < 0)
		return fd;
	/* narrow what an older aipkg (or someone else) left more open */
	if ((flags & O_CREAT) && (st.st_mode & 07777 & ~mode) && st.st_uid == geteuid() &&
	    fchmod(fd, mode) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

const char *aipkg_file_strerror(int err)
{
	if (err == -ELOOP)
		return "it is a symbolic link, which aipkg never follows in its state";
	if (err == -EINVAL)
		return "it is not a regular file";
	return aipkg_strerror(err < 0 ? err : -err);
}

int aipkg_buf_read_state(struct aipkg_buf *b, const char *path)
{
	int fd = aipkg_state_open(path, O_RDONLY, 0);
	int r;

	if (fd < 0)
		return fd;
	r = aipkg_buf_read_fd(b, fd);
	close(fd);
	return r;
}

char *aipkg_mkdtemp(const char *dir, const char *prefix)
{
	char *path = NULL;

	if (asprintf(&path, "%s/%sXXXXXX", dir, prefix) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (!mkdtemp(path)) {
		int e = errno;

		free(path);
		errno = e;
		return NULL;
	}
	return path;
}

/*
 * Tree removal.
 */

static int rm_at(int dirfd, const char *name, dev_t dev, int depth);

/* Everything inside the open directory FD. */
static int rm_entries(int fd, dev_t dev, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	/* unlinking while reading may make readdir skip entries: read again
	 * until a pass removes nothing more */
	for (bool again = true; again;) {
		again = false;
		rewinddir(d);
		while ((de = readdir(d))) {
			int rr;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			rr = rm_at(dirfd(d), de->d_name, dev, depth + 1);
			if (rr == 0)
				again = true;
			else if (r == 0)
				r = rr;
		}
		again = again && r == 0;
	}
	closedir(d);
	return r;
}

/* Remove NAME in DIRFD, a tree when it is a directory on device DEV. */
static int rm_at(int dirfd, const char *name, dev_t dev, int depth)
{
	struct stat before, st;
	int fd, r;

	if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(before.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (before.st_dev != dev)
		return -EXDEV;
	if (depth > RMTREE_DEPTH_MAX)
		return -ELOOP;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* what was opened must be what was examined, not a swapped-in directory */
	if (fstat(fd, &st) < 0 || st.st_ino != before.st_ino || st.st_dev != before.st_dev) {
		close(fd);
		return -EAGAIN;
	}
	if ((st.st_mode & 0700) != 0700 && fchmod(fd, st.st_mode | 0700) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = rm_entries(fd, dev, depth);
	if (r == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

int aipkg_rmtree(const char *path)
{
	char *copy = strdup(path), *slash, *parent, *base;
	struct stat st;
	int dirfd, r;

	if (!copy)
		return -ENOMEM;
	slash = strrchr(copy, '/');
	parent = slash ? (slash == copy ? "/" : copy) : ".";
	base = slash ? slash + 1 : copy;
	if (slash)
		*slash = '\0';
	dirfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		r = errno == ENOENT ? 0 : -errno;
	} else if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno == ENOENT ? 0 : -errno;
	} else {
		r = rm_at(dirfd, base, st.st_dev, 0);
	}
	if (dirfd >= 0)
		close(dirfd);
	free(copy);
	return r;
}

/*
 * Who may write a path.
 */

/* A user private group (Debian, Fedora): named as the owner, the owner's
 * primary group, with nobody else in it; group write there is the owner's. */
static bool owner_private_group(const struct stat *st)
{
	const struct passwd *pw = getpwuid(st->st_uid);
	const struct group *gr = getgrgid(st->st_gid);
	char name[256];

	if (!pw || !gr || pw->pw_gid != st->st_gid)
		return false;
	snprintf(name, sizeof(name), "%s", pw->pw_name);
	if (strcmp(gr->gr_name, name) != 0)
		return false;
	for (char **m = gr->gr_mem; m && *m; m++)
		if (strcmp(*m, name) != 0)
			return false;
	return true;
}

static const char *user_name(uid_t uid)
{
	const struct passwd *pw = getpwuid(uid);

	return pw ? pw->pw_name : "no such user";
}

static const char *group_name(gid_t gid)
{
	const struct group *gr = getgrgid(gid);

	return gr ? gr->gr_name : "without a name";
}

/* 0 when only root or we can change what PATH (examined as ST) holds. */
static int private_one(const char *path, const struct stat *st, struct aipkg_buf *why)
{
	bool sticky_dir = S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);
	unsigned mode = st->st_mode & 07777;

	aipkg_buf_reset(why);
	if (st->st_uid != 0 && st->st_uid != geteuid())
		aipkg_buf_addf(why, "%s is owned by %s (uid %ld), not by root or by the user running "
				    "aipkg", path, user_name(st->st_uid), (long)st->st_uid);
	else if ((mode & S_IWOTH) && !sticky_dir)
		aipkg_buf_addf(why, "%s is writable by every user (mode %04o)", path, mode);
	else if ((mode & S_IWGRP) && !sticky_dir && !owner_private_group(st))
		aipkg_buf_addf(why, "%s is writable by group %s (mode %04o)", path,
			       group_name(st->st_gid), mode);
	return why->len ? -EPERM : 0;
}

/* The nearest existing path at or above PATH, symbolic links resolved. */
static char *existing_real(const char *path)
{
	char *p = strdup(path), *real = NULL;

	while (p && !(real = realpath(p, NULL)) && (errno == ENOENT || errno == ENOTDIR)) {
		char *slash = strrchr(p, '/');

		if (!slash || slash == p) {
			real = strdup("/");
			break;
		}
		*slash = '\0';
	}
	free(p);
	return real;
}

int aipkg_path_check_private(const char *path, struct aipkg_buf *why)
{
	char *real = existing_real(path);
	int r = real ? 0 : -errno;

	if (!real) {
		aipkg_buf_reset(why);
		aipkg_buf_addf(why, "cannot examine %s: %s", path, strerror(-r));
	}

	for (char *end = real; r == 0 && end;) {
		struct stat st;

		if (lstat(*real ? real : "/", &st) < 0) {
			r = -errno;
			aipkg_buf_reset(why);
			aipkg_buf_addf(why, "cannot examine %s: %s", *real ? real : "/", strerror(errno));
			break;
		}
		r = private_one(*real ? real : "/", &st, why);
		end = *real ? strrchr(real, '/') : NULL;
		if (end)
			*end = '\0';
	}
	free(real);
	return r;
}

/* Pop the last component of the root-relative path in B ("" stays ""). */
static void path_pop(struct aipkg_buf *b)
{
	char *slash = b->len ? strrchr(b->data, '/') : NULL;

	aipkg_buf_truncate(b, slash ? (size_t)(slash - b->data) : 0);
}

/* Prepend TARGET (a link's text) to what is left to walk, in TODO. */
static int path_push_link(struct aipkg_buf *todo, const char *target)
{
	struct aipkg_buf next = AIPKG_BUF_INIT;
	int r = aipkg_buf_addf(&next, "%s/%s", target, aipkg_buf_str(todo));

	if (r == 0) {
		aipkg_buf_release(todo);
		*todo = next;
	}
	return r;
}

/* One step of aipkg_path_in_root: component C of TODO onto DONE. */
static int path_step(const char *root, struct aipkg_buf *done, struct aipkg_buf *todo,
		     const char *c, int *links)
{
	struct aipkg_buf at = AIPKG_BUF_INIT;
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int r;

	if (strcmp(c, "..") == 0) {
		path_pop(done);
		return 0;
	}
	r = aipkg_buf_addf(&at, "%s%s/%s", root, aipkg_buf_str(done), c);
	if (r == 0 && lstat(at.data, &st) == 0 && S_ISLNK(st.st_mode)) {
		n = readlink(at.data, target, sizeof(target) - 1);
		if (n < 0 || ++*links > 40)
			r = n < 0 ? -errno : -ELOOP;
		else {
			target[n] = '\0';
			if (target[0] == '/')
				aipkg_buf_truncate(done, 0);
			r = path_push_link(todo, target);
		}
	} else if (r == 0) {
		r = aipkg_buf_addf(done, "/%s", c);
	}
	aipkg_buf_release(&at);
	return r;
}

int aipkg_path_in_root(const char *root, const char *rel, char **out)
{
	struct aipkg_buf done = AIPKG_BUF_INIT, todo = AIPKG_BUF_INIT;
	int links = 0, r;

	*out = NULL;
	if (!root || strcmp(root, "/") == 0)
		root = "";
	r = aipkg_buf_addstr(&todo, rel) < 0 ? -ENOMEM : aipkg_buf_addstr(&done, "");
	while (r == 0 && todo.len) {
		size_t len = strcspn(todo.data, "/");
		char *c = strndup(todo.data, len);

		if (!c) {
			r = -ENOMEM;
			break;
		}
		/* drop the component (and its slash) from what is left */
		memmove(todo.data, todo.data + len + (todo.data[len] == '/'),
			todo.len - len - (todo.data[len] == '/') + 1);
		todo.len -= len + (len < todo.len ? 1 : 0);
		if (*c && strcmp(c, ".") != 0)
			r = path_step(root, &done, &todo, c, &links);
		free(c);
	}
	if (r == 0)
		r = aipkg_buf_addf(&todo, "%s%s", root, done.len ? done.data : "/");
	if (r == 0)
		*out = aipkg_buf_detach(&todo);
	aipkg_buf_release(&todo);
	aipkg_buf_release(&done);
	return r;
}
