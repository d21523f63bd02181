/* Files in apk's installed database: who owns a path, what a package holds. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_FILES_H
#define AIPKG_APK_FILES_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"

struct aipkg_ctx;

/*
 * Which installed package owns each of PATHS, as `apk info --who-owns`
 * answers it, read from ROOT/lib/apk/db/installed (its F: and R: lines):
 * a leading '/' and trailing '/'s are dropped and a relative path is taken
 * from the root (never the current directory).  A directory is owned
 * only when the apk in use is apk 3 (apk 2.10 to 2.14 own no directory),
 * as apk 3 owns it: among the packages that list it, the highest replaces priority (q:), then of one origin the package
 * named as the origin, then the first name in byte order.  A file is owned
 * by the first package that lists it.  A path nothing owns that is a
 * symlink under ROOT with an absolute target is looked up once more by
 * that target, as apk does (apk with --root reads an absolute path's link
 * outside the root; aipkg always reads it under ROOT).
 * *owners: [{"path","package","version","symlink_target"}] in the order of
 * PATHS (symlink_target null unless the target is what is owned);
 * *unowned: the paths nothing owns.  Both new arrays.  Returns 0 or
 * -errno (the database cannot be read, with the detail in the ctx).
 */
int aipkg_files_who_owns(struct aipkg_ctx *ctx, const char *const *paths, size_t n,
			 json_t **owners, json_t **unowned);

/*
 * The files (R: lines, not directories) the installed package NAME holds,
 * as absolute paths in the database's order, as `apk info -L` lists them.
 * *files: a new array, empty when NAME is not installed.
 */
int aipkg_files_of(struct aipkg_ctx *ctx, const char *name, json_t **files);

/* The parsers behind both, over an installed database's TEXT (tests). */
int aipkg_files_who_owns_text(struct aipkg_slice text, const char *root,
			      const char *const *paths, size_t n, bool dirs, json_t **owners,
			      json_t **unowned);
json_t *aipkg_files_of_text(struct aipkg_slice text, const char *name);

#endif
