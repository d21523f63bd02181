/* Fuzz target: the installed db as doctor reads it (doctor/filedb.c): F:, R:, Z: and the protected paths. */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/aipkg.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "fuzz.h"

/* A root whose lib/apk/db/installed and etc/apk/protected_paths.d/x.list
 * each input replaces: the bytes before the first NUL (or all of them)
 * are the db, those after it the protected paths. */
static struct aipkg_ctx *ctx;
static char db_path[512], list_path[512];

static void put(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) < 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char root[] = "/tmp/aipkg-fuzz-filedb-XXXXXX", dir[600];
	struct aipkg_opts opts = {0};
	static const char *const dirs[] = { "lib", "lib/apk", "lib/apk/db", "etc", "etc/apk",
					    "etc/apk/protected_paths.d" };

	(void)argc;
	(void)argv;
	if (!mkdtemp(root))
		abort();
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
		if (mkdir(dir, 0755) < 0)
			abort();
	}
	snprintf(db_path, sizeof(db_path), "%s/lib/apk/db/installed", root);
	snprintf(list_path, sizeof(list_path), "%s/etc/apk/protected_paths.d/x.list", root);
	opts.root = root;
	if (aipkg_ctx_new(&ctx, &opts, NULL) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t dblen = nul ? (size_t)(nul - data) : size;
	struct aipkg_filedb fdb;
	char path[8192];

	put(db_path, data, dblen);
	put(list_path, nul ? nul + 1 : data, nul ? size - dblen - 1 : 0);
	if (aipkg_filedb_load(ctx, &fdb) < 0)
		return 0;
	for (size_t i = 0; i < fdb.nfiles; i++) {
		const struct aipkg_dbfile *f = &fdb.files[i];
		unsigned char out[64];
		const char *alg;
		size_t n = aipkg_csum_decode(f->csum, &alg, out);

		if (f->dir >= fdb.ndirs || (n && !alg) || n > 32 || f->protect > AIPKG_PROTECT_ALL)
			abort();
		(void)aipkg_filedb_path(&fdb, f, path, sizeof(path));
	}
	for (size_t i = 0; i < fdb.npkgs; i++)
		if (fdb.pkgs[i].first_file + fdb.pkgs[i].nfiles > fdb.nfiles ||
		    aipkg_filedb_pkg(&fdb, fdb.pkgs[i].name) == NULL)
			abort();
	aipkg_filedb_release(&fdb);
	return 0;
}
