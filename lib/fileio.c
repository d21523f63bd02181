/* Files written so that a crash leaves the old version or the new one. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"

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

/* Replace PATH with DATA: a temporary file, fsync, rename, fsync of the
 * directory, so a crash leaves the old file or the new one. */
int aipkg_file_write_atomic(const char *path, const void *data, size_t len)
{
	struct aipkg_buf tmp = AIPKG_BUF_INIT;
	int fd, r = 0;

	if (aipkg_buf_addf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp.data);
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
	if (r == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
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
