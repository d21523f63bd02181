/* Files a repair replaced, saved so that a rollback can put them back; paths resolved inside the root. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "doctor/doctor.h"
#include "journal/journal.h"

char *aipkg_doctor_saved_dir(struct aipkg_ctx *ctx, long long id)
{
	char rel[128];

	snprintf(rel, sizeof(rel), AIPKG_SAVED_DIR "/%lld", id);
	return aipkg_ctx_path(ctx, rel);
}

/* REL split into its directory (opened inside the root) and *name. */
static int open_parent(int rootfd, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	char dir[4096];
	int fd;

	*name = slash ? slash + 1 : rel;
	if ((size_t)(slash ? slash - rel : 0) >= sizeof(dir))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - rel) : 0, rel);
	fd = aipkg_doctor_open_dir(rootfd, dir);
	return fd < 0 ? -errno : fd;
}

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0 && errno != EINTR)
				return -errno;
			done += w > 0 ? w : 0;
		}
	}
	return 0;
}

/* Copy what NAME in DIRFD is (file or symlink) to TODIR/TONAME; keep
 * mode, owner and times. */
static int copy_entry(int dirfd, const char *name, int todir, const char *toname)
{
	struct stat st;
	char target[4096];
	ssize_t n;
	int in, out, r = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	unlinkat(todir, toname, 0);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, todir, toname) < 0)
			return -errno;
		(void)fchownat(todir, toname, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	/* the mode, owner and times of what was opened, not of what the
	 * name held a moment before */
	if (in >= 0 && (fstat(in, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(in);
		return -EINVAL;
	}
	out = in < 0 ? -1
		     : openat(todir, toname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0600);
	r = in < 0 || out < 0 ? -errno : copy_fd(in, out);
	if (r == 0) {
		struct timespec ts[2] = { st.st_atim, st.st_mtim };

		(void)fchown(out, st.st_uid, st.st_gid);
		if (fchmod(out, st.st_mode & 07777) < 0 || futimens(out, ts) < 0)
			r = -errno;
	}
	if (out >= 0 && close(out) < 0 && r == 0)
		r = -errno;
	if (in >= 0)
		close(in);
	if (r < 0)
		unlinkat(todir, toname, 0);
	return r;
}

int aipkg_doctor_save_file(int rootfd, const char *rel, const char *dst)
{
	const char *name, *slash = strrchr(dst, '/');
	char dir[4096];
	int from = open_parent(rootfd, rel, &name), to, r;

	if (from < 0)
		return from;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - dst) : 1, slash ? dst : ".");
	r = aipkg_mkdir_p(dir) < 0 ? -errno : 0;
	to = r == 0 ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (r == 0 && to < 0)
		r = -errno;
	if (r == 0)
		r = copy_entry(from, name, to, slash ? slash + 1 : dst);
	if (to >= 0)
		close(to);
	close(from);
	return r;
}

int aipkg_doctor_restore_file(int rootfd, const char *src, const char *rel)
{
	const char *name, *slash = strrchr(src, '/');
	char dir[4096], tmp[300];
	int to = open_parent(rootfd, rel, &name), from, r;

	if (to < 0)
		return to;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - src) : 1, slash ? src : ".");
	from = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(tmp, sizeof(tmp), ".aipkg-restore.%ld", (long)getpid());
	r = from < 0 ? -errno : copy_entry(from, slash ? slash + 1 : src, to, tmp);
	if (r == 0 && renameat(to, tmp, to, name) < 0) {
		r = -errno;
		unlinkat(to, tmp, 0);
	}
	if (from >= 0)
		close(from);
	close(to);
	return r;
}

int aipkg_doctor_remove_file(int rootfd, const char *rel)
{
	const char *name;
	int dirfd = open_parent(rootfd, rel, &name), r = 0;

	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		r = -errno;
	close(dirfd);
	return r;
}
