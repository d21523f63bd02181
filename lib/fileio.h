/* Files written so that a crash leaves the old version or the new one. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_FILEIO_H
#define AIPKG_FILEIO_H

#include <stddef.h>

/* fsync the directory PATH is in, so a rename in it is durable; -errno. */
int aipkg_fsync_dir_of(const char *path);

/* Replace PATH with DATA (mode 0644): a temporary file beside it, fsync,
 * rename, fsync of the directory.  -errno; the old file is intact then. */
int aipkg_file_write_atomic(const char *path, const void *data, size_t len);

#endif
