/* apk's state read from its files under the root: arch, release, installed db, world, indexes. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "aipkg/error.h"
#include "apk/idxcache.h"
#include "apk/index.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"

/* Far above real files (Alpine's installed db with thousands of packages
 * is tens of MiB; the largest APKINDEX.tar.gz a few MiB). */
#define STATE_DB_MAX	((size_t)512 << 20)
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
		aipkg_ctx_fail(ctx, r, "cannot read %s: %s", *path, aipkg_file_strerror(r));
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

/* apk 3 stops reading a repositories file at the first line it rejects
 * (apk 2 reads on): with apk 3, the repositories after such a line are
 * not used, by apk nor by aipkg, and each is named once.  Which apk is
 * asked only when there is such a line. */
static void state_drop_apk3_unread(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	size_t i, kept = 0;
	bool any = false;

	for (i = 0; i < st->nrepos; i++)
		any |= st->repos[i].apk3_unread;
	if (!any || aipkg_index_naming(ctx, st) != AIPKG_CACHE_V3)
		return;
	for (i = 0; i < st->nrepos; i++) {
		struct aipkg_repo *repo = &st->repos[i];

		if (!repo->apk3_unread) {
			st->repos[kept++] = *repo;
			continue;
		}
		aipkg_ctx_warn(ctx, "repository %s is not used: an earlier line of its repositories "
				    "file is one apk 3 rejects, and apk 3 reads no further lines of "
				    "that file; correct or remove that line",
			       repo->url);
		aipkg_repo_release(repo);
	}
	st->nrepos = kept;
}

static int state_load_repos(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	int r = aipkg_repos_read(ctx, &st->repos, &st->nrepos);

	if (r == 0)
		state_drop_apk3_unread(ctx, st);
	for (size_t i = 0; r == 0 && i < st->nrepos; i++)
		r = state_expand_arch(&st->repos[i], st->arch);
	return r;
}

/* An apk 3 repository (Packages.adb) aipkg cannot read: said once. */
static bool state_index_readable(struct aipkg_ctx *ctx, const struct aipkg_repo *repo)
{
	if (!repo->index_file || strcmp(repo->index_file, "Packages.adb") != 0)
		return true;
	aipkg_ctx_warn(ctx, "repository %s has an apk 3 index (Packages.adb), which aipkg cannot read",
		       repo->url);
	return false;
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

int aipkg_state_repos_safe(struct aipkg_ctx *ctx, const struct aipkg_state *st)
{
	for (size_t i = 0; i < st->nrepos; i++)
		if (st->repos[i].unsafe)
			return aipkg_ctx_fail(ctx, -AIPKG_E_UNSAFE,
					      "refusing to run apk with repository %s, which other "
					      "users can write (see the warning above); nothing was "
					      "changed",
					      st->repos[i].url);
	return 0;
}

/* The cached indexes are read under the names the apk in use reads them
 * (aipkg_index_naming), which is only asked when the cache holds any: a
 * root without one needs no apk to be read. */
static int state_index_naming(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			      const char *cache_dir)
{
	DIR *d = opendir(cache_dir);
	struct dirent *e;
	bool any = false;

	while (d && !any && (e = readdir(d)))
		any = strncmp(e->d_name, "APKINDEX.", 9) == 0;
	if (d)
		closedir(d);
	return any ? aipkg_index_naming(ctx, st) : -1;
}

static int state_load_indexes(struct aipkg_ctx *ctx, struct aipkg_state *st)
{
	struct aipkg_keyring keys;
	struct aipkg_idxcache cache;
	char *cache_dir = aipkg_apk_cache_dir(ctx);
	int r = cache_dir ? aipkg_keyring_load(ctx->root, &keys) : -ENOMEM;

	if (r == 0) {
		int naming = state_index_naming(ctx, st, cache_dir);

		r = aipkg_idxcache_open(ctx, &cache);
		for (size_t i = 0; r == 0 && i < st->nrepos; i++) {
			struct aipkg_repo *repo = &st->repos[i];

			r = aipkg_index_path(ctx, cache_dir, st->arch, naming, repo);
			if (r == 0 && !state_repo_unsafe(ctx, repo) &&
			    state_index_readable(ctx, repo))
				r = aipkg_index_load(ctx, repo, (int)i, &keys, &cache,
						     &st->available);
		}
		aipkg_idxcache_close(&cache);
		aipkg_keyring_release(&keys);
	}
	free(cache_dir);
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

bool aipkg_state_any_index(const struct aipkg_state *st)
{
	for (size_t i = 0; i < st->nrepos; i++)
		if (st->repos[i].loaded)
			return true;
	return false;
}

json_t *aipkg_state_world_json(const struct aipkg_state *st)
{
	json_t *w = json_array();

	for (size_t i = 0; i < st->nworld; i++)
		json_array_append_new(w, json_string(st->world[i]));
	return w;
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
