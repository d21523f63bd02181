/* apk's state read from its files under the root: arch, release, installed db, world, indexes. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "aipkg/error.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"

/* Far above real files (Alpine's installed db with thousands of packages
 * is tens of MiB; the largest APKINDEX.tar.gz a few MiB). */
#define STATE_DB_MAX	((size_t)512 << 20)
#define STATE_INDEX_MAX ((size_t)128 << 20)
#define STATE_SMALL_MAX ((size_t)64 << 10)

/* apk's name for the architecture this binary was built for. */
static const char *state_build_arch(void)
{
#if defined(__x86_64__)
	return "x86_64";
#elif defined(__aarch64__)
	return "aarch64";
#elif defined(__arm__) && (defined(__ARM_ARCH_7A__) || (defined(__ARM_ARCH) && __ARM_ARCH >= 7))
	return "armv7";
#elif defined(__arm__)
	return "armhf";
#elif defined(__i386__)
	return "x86";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__loongarch64)
	return "loongarch64";
#else
	return NULL;
#endif
}

/* For a build apk has no name for: the kernel's machine, mapped. */
static char *state_machine_arch(void)
{
	static const char *const map[][2] = {
	    {"i386", "x86"},	 {"i486", "x86"},      {"i586", "x86"},
	    {"i686", "x86"},	 {"armv7l", "armv7"},  {"armv8l", "armv7"},
	    {"armv6l", "armhf"}, {"arm64", "aarch64"}, {"loongarch64", "loongarch64"},
	};
	const char *arch = state_build_arch();
	struct utsname u;

	if (arch)
		return strdup(arch);
	if (uname(&u) < 0)
		return strdup("noarch");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(u.machine, map[i][0]) == 0)
			return strdup(map[i][1]);
	return strdup(u.machine);
}

/* Read ROOT/REL whole (at most LIMIT bytes) into B; -errno or TOOBIG. */
static int state_read(struct aipkg_ctx *ctx, const char *rel, size_t limit, struct aipkg_buf *b,
		      char **path)
{
	int r;

	aipkg_buf_init(b, limit);
	*path = aipkg_ctx_path(ctx, rel);
	if (!*path)
		return -ENOMEM;
	r = aipkg_buf_read_file(b, *path);
	if (r < 0 && r != -ENOENT)
		aipkg_ctx_fail(ctx, r, "cannot read %s: %s", *path, aipkg_strerror(r));
	return r;
}

/* The first non-blank line of a one-value file (arch, alpine-release);
 * *out stays NULL when the file is missing or blank. */
static int state_read_value(struct aipkg_ctx *ctx, const char *rel, char **out)
{
	struct aipkg_buf b;
	struct aipkg_slice in, line;
	char *path;
	int r = state_read(ctx, rel, STATE_SMALL_MAX, &b, &path);

	*out = NULL;
	in = aipkg_slice_of(&b);
	while (r == 0 && !*out && aipkg_slice_next_line(&in, &line)) {
		line = aipkg_slice_trim(line);
		if (line.len && !(*out = aipkg_slice_dup(line)))
			r = -ENOMEM;
	}
	aipkg_buf_release(&b);
	free(path);
	return r == -ENOENT ? 0 : r;
}

static int state_load_system(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	int r = state_read_value(ctx, "etc/apk/arch", &st->arch);

	if (r == 0 && !st->arch && !(st->arch = state_machine_arch()))
		r = -ENOMEM;
	if (r == 0)
		r = state_read_value(ctx, "etc/alpine-release", &st->release);
	return r;
}

/* Parse a record file into SET (taking B's text); -AIPKG_E_CORRUPT names
 * PATH and the line. */
static int state_parse_records(struct aipkg_ctx *ctx, struct aipkg_pkgset *set, struct aipkg_buf *b,
			       int repo, const char *path)
{
	size_t len = b->len, line = 0;
	int r = aipkg_pkgset_parse(set, aipkg_buf_detach(b), len, repo, &line);

	if (r == -AIPKG_E_CORRUPT)
		return aipkg_ctx_fail(ctx, r,
				      "%s:%zu: corrupt package record (a line that is "
				      "not 'X:value', or a package without P: or V:)",
				      path, line);
	return r;
}

static int state_load_installed(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	struct aipkg_buf b;
	char *path;
	int r = state_read(ctx, "lib/apk/db/installed", STATE_DB_MAX, &b, &path);

	if (r == 0)
		r = state_parse_records(ctx, &st->installed, &b, -1, path);
	else if (r == -ENOENT)
		r = 0; /* a fresh root */
	if (r == 0)
		r = aipkg_pkgset_index(&st->installed);
	aipkg_buf_release(&b);
	free(path);
	return r;
}

static int state_load_world(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	struct aipkg_buf b;
	char *path;
	int r = state_read(ctx, "etc/apk/world", STATE_DB_MAX, &b, &path);

	if (r == 0 || r == -ENOENT)
		r = aipkg_world_parse(aipkg_buf_str(&b), &st->world, &st->nworld);
	aipkg_buf_release(&b);
	free(path);
	return r;
}

/* apk 3 defines ${APK_ARCH} for repository lines; repos.c left it to us. */
static int state_expand_arch(struct aipkg_repo *repo, const char *arch)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *p = repo->url, *var;
	int r = 0;

	if (!strstr(p, "${APK_ARCH}"))
		return 0;
	while (r == 0 && (var = strstr(p, "${APK_ARCH}"))) {
		r = aipkg_buf_addf(&b, "%.*s%s", (int)(var - p), p, arch);
		p = var + strlen("${APK_ARCH}");
	}
	if (r == 0)
		r = aipkg_buf_addstr(&b, p);
	if (r < 0) {
		aipkg_buf_release(&b);
		return r;
	}
	free(repo->url);
	repo->url = aipkg_buf_detach(&b);
	return 0;
}

static int state_load_repos(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	int r = aipkg_repos_read(ctx, &st->repos, &st->nrepos);

	for (size_t i = 0; r == 0 && i < st->nrepos; i++)
		r = state_expand_arch(&st->repos[i], st->arch);
	return r;
}

/* apk's cache: ROOT/etc/apk/cache when it is a directory (often a symlink
 * apk resolves as given), else ROOT/var/cache/apk. */
static char *state_cache_dir(struct aipkg_ctx *ctx)
{
	char *dir = aipkg_ctx_path(ctx, "etc/apk/cache");
	struct stat sb;

	if (dir && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return dir;
	free(dir);
	return aipkg_ctx_path(ctx, "var/cache/apk");
}

/* DIR/NAME of the apk-APK_MAJOR cache file and its mtime (-1: missing). */
static char *state_cache_file(const char *dir, const struct aipkg_repo *repo, const char *arch,
			      int apk_major, long long *mtime)
{
	char *name = aipkg_repo_cache_name(repo, arch, apk_major), *path = NULL;
	struct stat sb;

	*mtime = -1;
	if (name && asprintf(&path, "%s/%s", dir, name) < 0)
		path = NULL;
	free(name);
	if (path && stat(path, &sb) == 0)
		*mtime = (long long)sb.st_mtime;
	return path;
}

/*
 * Which apk wrote the cache is unknown: take apk 3's file, or apk 2's, or
 * the newer when both exist; apk 3's name when neither does.
 */
static char *state_remote_index(const char *cache_dir, const struct aipkg_repo *repo,
				const char *arch)
{
	long long t3, t2;
	char *v3 = state_cache_file(cache_dir, repo, arch, 3, &t3);
	char *v2 = state_cache_file(cache_dir, repo, arch, 2, &t2);

	if (v2 && t2 > t3) {
		free(v3);
		return v2;
	}
	free(v2);
	return v3;
}

/* A local repository is read where apk reads it: the host path as given
 * (apk does not put --root in front of it). */
static char *state_local_index(const struct aipkg_repo *repo, const char *arch)
{
	char *url = aipkg_repo_index_url(repo, arch, 3), *path;

	if (!url || strncmp(url, "file:", 5) != 0)
		return url;
	/* "file:///srv/repo" and apk's looser "file:/srv/repo" */
	path = strdup(url + (strncmp(url, "file:///", 8) == 0 ? 7 : 5));
	free(url);
	return path;
}

static int state_index_path(struct aipkg_ctx *ctx, struct aipkg_state *st, struct aipkg_repo *repo)
{
	char *cache_dir;

	if (!repo->remote) {
		repo->index_path = state_local_index(repo, st->arch);
		return repo->index_path ? 0 : -ENOMEM;
	}
	cache_dir = state_cache_dir(ctx);
	if (cache_dir)
		repo->index_path = state_remote_index(cache_dir, repo, st->arch);
	free(cache_dir);
	return repo->index_path ? 0 : -ENOMEM;
}

static void state_index_missing(struct aipkg_ctx *ctx, const struct aipkg_repo *repo, int err)
{
	if (err == -ENOENT && repo->remote)
		aipkg_ctx_warn(ctx, "no cached index for repository %s: run 'aipkg update'",
			       repo->url);
	else
		aipkg_ctx_warn(ctx, "cannot read the index of repository %s (%s): %s", repo->url,
			       repo->index_path, aipkg_strerror(err));
}

static int state_index_text(struct aipkg_ctx *ctx, struct aipkg_repo *repo,
			    const struct aipkg_buf *gz, struct aipkg_buf *text)
{
	struct aipkg_buf desc = AIPKG_BUF_INIT;
	int r = aipkg_apkindex_extract(gz->data, gz->len, text, &desc);

	if (r == -AIPKG_E_CORRUPT || r == -AIPKG_E_TOOBIG)
		r = aipkg_ctx_fail(ctx, r, "%s: %s index of repository %s: run 'aipkg update'",
				   repo->index_path, r == -AIPKG_E_TOOBIG ? "oversized" : "corrupt",
				   repo->url);
	if (r == 0 && desc.len) {
		repo->description = aipkg_slice_dup(aipkg_slice_trim(aipkg_slice_of(&desc)));
		if (!repo->description)
			r = -ENOMEM;
	}
	aipkg_buf_release(&desc);
	return r;
}

/* A local repository another user can write could hand us (and apk) any
 * index and packages: skip it, and txn.c refuses changes while it is
 * configured.  A remote one's index comes from apk's cache, signed. */
static bool state_repo_unsafe(struct aipkg_ctx *ctx, struct aipkg_repo *repo)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;

	if (!repo->remote && aipkg_path_check_private(repo->index_path, &why) == -EPERM) {
		repo->unsafe = true;
		aipkg_ctx_warn(ctx, "skipping repository %s: %s; another user could replace its "
				    "index and packages: make it and the directories above it "
				    "writable by root only (chmod go-w)",
			       repo->url, aipkg_buf_str(&why));
	}
	aipkg_buf_release(&why);
	return repo->unsafe;
}

static int state_load_index(struct aipkg_ctx *ctx, struct aipkg_state *st, int i)
{
	struct aipkg_repo *repo = &st->repos[i];
	struct aipkg_buf gz, text = AIPKG_BUF_INIT;
	int r = state_index_path(ctx, st, repo);

	if (r < 0)
		return r;
	if (state_repo_unsafe(ctx, repo))
		return 0;
	if (repo->index_file && strcmp(repo->index_file, "Packages.adb") == 0) {
		aipkg_ctx_warn(ctx,
			       "repository %s has an apk 3 index (Packages.adb), "
			       "which aipkg cannot read",
			       repo->url);
		return 0;
	}
	aipkg_buf_init(&gz, STATE_INDEX_MAX);
	r = aipkg_buf_read_file(&gz, repo->index_path);
	if (r < 0) {
		state_index_missing(ctx, repo, r);
		aipkg_buf_release(&gz);
		return 0;
	}
	r = state_index_text(ctx, repo, &gz, &text);
	aipkg_buf_release(&gz);
	if (r == 0)
		r = state_parse_records(ctx, &st->available, &text, i, repo->index_path);
	repo->loaded = r == 0;
	aipkg_buf_release(&text);
	return r;
}

static int state_load_indexes(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < st->nrepos; i++)
		r = state_load_index(ctx, st, (int)i);
	if (r == 0)
		r = aipkg_pkgset_index(&st->available);
	return r;
}

int aipkg_state_load(struct aipkg_ctx *ctx, struct aipkg_state *st, unsigned parts)
{
	int r;

	memset(st, 0, sizeof(*st));
	aipkg_pkgset_init(&st->installed);
	aipkg_pkgset_init(&st->available);
	r = state_load_system(ctx, st);
	if (r == 0 && (parts & AIPKG_STATE_INSTALLED))
		r = state_load_installed(ctx, st);
	if (r == 0 && (parts & AIPKG_STATE_WORLD))
		r = state_load_world(ctx, st);
	if (r == 0)
		r = state_load_repos(ctx, st);
	if (r == 0 && (parts & AIPKG_STATE_INDEXES))
		r = state_load_indexes(ctx, st);
	if (r < 0)
		aipkg_state_release(st);
	return r;
}

void aipkg_state_release(struct aipkg_state *st)
{
	free(st->arch);
	free(st->release);
	aipkg_pkgset_release(&st->installed);
	aipkg_world_free(st->world, st->nworld);
	aipkg_repos_free(st->repos, st->nrepos);
	aipkg_pkgset_release(&st->available);
	memset(st, 0, sizeof(*st));
}
