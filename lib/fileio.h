/* Files in aipkg's state: written atomically, opened without following links, trusted only when private. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_FILEIO_H
#define AIPKG_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct aipkg_buf;

/* fsync the directory PATH is in, so a rename in it is durable; -errno. */
int aipkg_fsync_dir_of(const char *path);

/* Replace PATH with DATA (mode 0644): a temporary file beside it, fsync,
 * rename, fsync of the directory.  -errno; the old file is intact then.
 * A symbolic link at PATH is replaced, never followed. */
int aipkg_file_write_atomic(const char *path, const void *data, size_t len);

/* The same with MODE: 0600 for anything that may hold private data
 * (reports, notifications), 0755 for a script.  The mode is set before
 * the file appears, so nobody can open it in between. */
int aipkg_file_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Open a file of aipkg's state: never through a symbolic link (O_NOFOLLOW:
 * -ELOOP), never inherited by apk or package scripts (O_CLOEXEC), never a
 * FIFO, device or directory (-EINVAL: a planted FIFO would hang aipkg).
 * FLAGS as for open(2).  With O_CREAT a new file gets MODE, and an existing
 * one that is more open than MODE is narrowed to it (a lock an older aipkg
 * made 0644 becomes 0600).  Returns the descriptor or -errno; the message
 * for it is aipkg_file_strerror().
 */
int aipkg_state_open(const char *path, int flags, mode_t mode);

/* strerror() that explains aipkg_state_open()'s refusals. */
const char *aipkg_file_strerror(int err);

/* Append the file at PATH, opened with aipkg_state_open(), to B. */
int aipkg_buf_read_state(struct aipkg_buf *b, const char *path);

/* A new directory DIR/PREFIXxxxxxx, private to us (0700, mkdtemp), for
 * scratch work: a name nobody can plant in advance.  malloc'd path, or NULL
 * with errno set. */
char *aipkg_mkdtemp(const char *dir, const char *prefix);

/*
 * Remove PATH and everything under it.  Works from directory descriptors
 * (openat/unlinkat), so a symbolic link is removed, never followed, even
 * when someone swaps a directory for a link while it runs; a directory on
 * another file system (a mount point) is left alone (-EXDEV).  Directories
 * without write permission for us are opened up first (a package may ship
 * them).  A missing PATH is success.  Returns 0 or the first -errno, having
 * removed what it could.
 */
int aipkg_rmtree(const char *path);

/*
 * Is PATH private enough to trust, as ssh and sudo judge their files: PATH
 * (symbolic links resolved) and every directory above it up to "/" must be
 * owned by root or by us, and writable by nobody else: no write bit for
 * others (unless the directory is sticky, as /tmp), none for the group
 * (unless the group is the owner's own private group, as Debian's ssh
 * allows).  When PATH does not exist, its nearest existing directory is
 * checked, since whoever can write there could create it.
 * Returns 0, -EPERM with the reason in WHY ("/srv/x is writable by group
 * staff (mode 2775)"), or -errno when a directory cannot be examined.
 */
int aipkg_path_check_private(const char *path, struct aipkg_buf *why);
/* Open PATH read-only only if it is a regular file, following links (for
 * apk's own files; aipkg's state uses aipkg_state_open): a FIFO or device
 * never blocks the open (-EINVAL), *st gets its stat.  The descriptor
 * (O_CLOEXEC) or -errno; the message is aipkg_file_strerror(). */
int aipkg_open_regular(const char *path, struct stat *st);

/*
 * ROOT/REL with every symbolic link on the way resolved as a chroot into
 * ROOT sees it: an absolute target starts again at ROOT and ".." stops at
 * ROOT, so the result never leaves ROOT (apk's own openat() would follow
 * an absolute link out of a --root).  Components that do not exist are
 * kept as written.  ROOT "" or "/" is the real root.  *out is malloc'd;
 * -ELOOP after 40 links, -ENOMEM, or -errno of readlink.
 */
int aipkg_path_in_root(const char *root, const char *rel, char **out);

#endif
