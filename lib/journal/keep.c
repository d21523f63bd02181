/* Kept package files for rollback: ROOT/var/lib/aipkg/packages/NAME-VERSION.apk, size-bounded. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "apk/index.h"
#include "apk/runner.h"
#include "apk/search.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

#define KEEP_DIR "var/lib/aipkg/packages"

/* Names and versions come from indexes and the journal: together one
 * file name, never a path. */
static bool keep_name_ok(const char *name, const char *version)
{
	return name && version && *name && *version && name[0] != '.' && !strchr(name, '/') &&
	       !strchr(version, '/');
}

char *aipkg_keep_path(struct aipkg_ctx *ctx, const char *name, const char *version)
{
	char *p;

	if (!keep_name_ok(name, version))
		return NULL;
	return asprintf(&p, "%s/" KEEP_DIR "/%s-%s.apk", ctx->root, name, version) < 0 ? NULL : p;
}

/* The 8 hex digits apk puts in a cached package's name: the start of its
 * identity, which the C: field carries as "Q1" + base64 (SHA-1) or "Q2"
 * (SHA-256).  false when CHECKSUM is neither. */
static bool cache_hash(const char *checksum, char hex[9])
{
	unsigned char raw[64];
	size_t len = strlen(checksum ? checksum : "");

	if (len < 8 || len - 2 > 88 || checksum[0] != 'Q' || (checksum[1] != '1' && checksum[1] != '2'))
		return false;
	if (EVP_DecodeBlock(raw, (const unsigned char *)checksum + 2, (int)(len - 2)) < 4)
		return false;
	snprintf(hex, 9, "%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3]);
	return true;
}

/* The record of NAME at VERSION: installed, else in an index. */
struct find_ver {
	const char *version;
	const struct aipkg_pkg *found;
};

static void find_ver_cb(const struct aipkg_pkg *pkg, void *ud)
{
	struct find_ver *fv = ud;

	if (!fv->found && strcmp(pkg->version, fv->version) == 0)
		fv->found = pkg;
}

static const struct aipkg_pkg *pkg_at(const struct aipkg_state *st, const char *name,
				      const char *version, bool installed)
{
	struct find_ver fv = { version, NULL };

	if (installed)
		aipkg_pkgset_each_named(&st->installed, name, find_ver_cb, &fv);
	if (!fv.found)
		aipkg_pkgset_each_named(&st->available, name, find_ver_cb, &fv);
	return fv.found;
}

static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0)
				return -errno;
			done += w;
		}
	return n < 0 ? -errno : 0;
}

static bool fd_regular(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Copy SRC to DST through a temporary name, for when a link or a rename
 * cannot cross file systems. */
static int copy_file(const char *src, const char *dst)
{
	char *tmp = NULL;
	int in, out, r;

	if (asprintf(&tmp, "%s.XXXXXX", dst) < 0)
		return -ENOMEM;
	in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in >= 0 && !fd_regular(in)) {
		close(in);
		in = -1;
		errno = EINVAL;
	}
	out = in < 0 ? -1 : mkstemp(tmp);
	r = in < 0 || out < 0 ? -errno : copy_fd(in, out);
	if (r == 0 && fchmod(out, 0644) < 0)
		r = -errno;
	if (out >= 0 && close(out) < 0 && r == 0)
		r = -errno;
	if (in >= 0)
		close(in);
	if (r == 0 && rename(tmp, dst) < 0)
		r = -errno;
	if (r < 0 && out >= 0)
		unlink(tmp);
	free(tmp);
	return r;
}

/* SRC becomes the kept file DST: linked (SRC stays, as in a cache someone
 * else owns) or moved (SRC goes), copied only across file systems. */
enum place_how { PLACE_LINK, PLACE_MOVE };

static int place(const char *src, const char *dst, enum place_how how)
{
	struct stat sb;
	int r;

	/* only a regular file is kept: link() and rename() take a symlink
	 * or a FIFO someone left in the cache as it is */
	if (how == PLACE_MOVE ? rename(src, dst) == 0 : link(src, dst) == 0) {
		if (lstat(dst, &sb) == 0 && S_ISREG(sb.st_mode))
			return 0;
		unlink(dst);
		return -EINVAL;
	}
	if (errno == EEXIST && how == PLACE_MOVE)
		unlink(src); /* kept already: the cache's copy is not needed */
	if (errno == EEXIST)
		return 0;
	if (errno != EXDEV && errno != EPERM)
		return -errno;
	r = copy_file(src, dst);
	if (r == 0 && how == PLACE_MOVE)
		unlink(src);
	return r;
}

int aipkg_keep_copy(const char *src, const char *dst)
{
	return place(src, dst, PLACE_LINK);
}

char *aipkg_keep_cache_name(const struct aipkg_pkg *pkg)
{
	char hex[9], *name;

	if (!pkg || !cache_hash(pkg->checksum, hex) ||
	    asprintf(&name, "%s-%s.%s.apk", pkg->name, pkg->version, hex) < 0)
		return NULL;
	return name;
}

/*
 * Where apk leaves what it downloads.
 */

int aipkg_keep_begin(struct aipkg_ctx *ctx, struct aipkg_keep *kp)
{
	memset(kp, 0, sizeof(*kp));
	if (ctx->cfg.keep_packages_mb <= 0)
		return 0;
	kp->cache_dir = aipkg_apk_cache_configured(ctx);
	if (kp->cache_dir)
		return 0;
	kp->own = true;
	kp->apk_flags = AIPKG_APK_CACHE;
	kp->cache_dir = aipkg_apk_cache_dir(ctx);
	return kp->cache_dir ? 0 : -ENOMEM;
}

void aipkg_keep_seed(struct aipkg_ctx *ctx, const char *cache_dir, const struct aipkg_state *st,
		     const json_t *wanted)
{
	const json_t *w;
	size_t i;

	json_array_foreach(wanted, i, w) {
		const char *name = json_string_value(json_object_get(w, "name"));
		const char *version = json_string_value(json_object_get(w, "version"));
		const struct aipkg_pkg *pkg = pkg_at(st, name, version, true);
		char *kept = aipkg_keep_path(ctx, name, version), *cached = NULL;
		char hex[9];

		if (kept && pkg && cache_hash(pkg->checksum, hex) &&
		    asprintf(&cached, "%s/%s-%s.%s.apk", cache_dir, name, version, hex) >= 0)
			(void)link(kept, cached);
		free(kept);
		free(cached);
	}
}

void aipkg_keep_prepare(struct aipkg_ctx *ctx, struct aipkg_keep *kp, const struct aipkg_state *st,
			const json_t *wanted)
{
	char *index = NULL;

	kp->prepared = true;
	if (!kp->own) {
		/* the administrator's cache, which apk fills with what it
		 * installs anyway (a file a sandbox trial downloaded, say) */
		aipkg_keep_seed(ctx, kp->cache_dir, st, wanted);
		return;
	}
	/* apk 2 caches nothing when the directory it is given is missing */
	(void)aipkg_mkdir_p(kp->cache_dir);
	if (asprintf(&index, "%s/installed", kp->cache_dir) >= 0)
		kp->had_index = access(index, F_OK) == 0;
	free(index);
	/* what apk is about to install that aipkg kept already: apk takes it
	 * from there rather than downloading it again; aipkg_keep_end removes
	 * it again */
	aipkg_keep_seed(ctx, kp->cache_dir, st, wanted);
}

/* The cached file of NAME-VERSION: CHECKSUM names it exactly; without it,
 * the first NAME-VERSION.XXXXXXXX.apk in the directory. */
static char *cache_file(const struct aipkg_keep *kp, const char *name, const char *version,
			const char *checksum)
{
	size_t nl = strlen(name), vl = strlen(version);
	char hex[9], *path = NULL;
	struct dirent *de;
	DIR *d;

	if (!kp->cache_dir)
		return NULL;
	if (cache_hash(checksum, hex))
		return asprintf(&path, "%s/%s-%s.%s.apk", kp->cache_dir, name, version, hex) < 0 ||
			       access(path, F_OK) == 0
			   ? path
			   : (free(path), NULL);
	d = opendir(kp->cache_dir);
	while (d && !path && (de = readdir(d))) {
		const char *f = de->d_name;

		if (strlen(f) == nl + vl + 14 && strncmp(f, name, nl) == 0 && f[nl] == '-' &&
		    strncmp(f + nl + 1, version, vl) == 0 && f[nl + 1 + vl] == '.' &&
		    strcmp(f + nl + vl + 10, ".apk") == 0 &&
		    asprintf(&path, "%s/%s", kp->cache_dir, f) < 0)
			path = NULL;
	}
	if (d)
		closedir(d);
	return path;
}

/* Where apk reads PKG from when it came from a local repository: the
 * repository's directory, the package's architecture, NAME-VERSION.apk. */
static char *local_file(const struct aipkg_state *st, const struct aipkg_pkg *pkg)
{
	const struct aipkg_repo *repo;
	const char *base, *arch;
	char *path = NULL;

	if (!pkg || pkg->repo < 0 || (size_t)pkg->repo >= st->nrepos)
		return NULL;
	repo = &st->repos[pkg->repo];
	if (repo->remote || !repo->index_file || strcmp(repo->index_file, "APKINDEX.tar.gz") != 0)
		return NULL;
	base = repo->url + (strncmp(repo->url, "file://", 7) == 0   ? 7
			    : strncmp(repo->url, "file:", 5) == 0 ? 5
								  : 0);
	arch = pkg->arch[0] ? pkg->arch : st->arch;
	if (asprintf(&path, "%s%s%s/%s-%s.apk", base, base[strlen(base) - 1] == '/' ? "" : "/",
		     arch, pkg->name, pkg->version) < 0)
		return NULL;
	return path;
}

static void record(json_t *entry, const char *member, const char *name, const char *version,
		   const char *reason)
{
	json_t *list = json_object_get(entry, member);

	if (!list) {
		list = json_array();
		json_object_set_new(entry, member, list);
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:s*}", "name", name, "version", version,
					      "reason", reason));
}

/*
 * apk fetch, for what no cache or local repository holds: the versions a
 * change replaces or removes that were installed without aipkg.
 */

/* A package not kept yet, waiting for apk fetch. */
struct fetch_item {
	const char *name, *version;
	char *dst;
	const char *why_not; /* set when apk cannot fetch it at all */
};

struct fetch_batch {
	struct fetch_item *v;
	size_t n;
	char *dir; /* ROOT/var/lib/aipkg/packages/.fetch-XXXXXX, made by mkdtemp */
	int major;
};

/*
 * Why apk cannot fetch NAME at VERSION, or NULL when it may.  Neither apk
 * fetches by version ("apk fetch nginx=1.26.2-r0" selects nothing in 2.14
 * and 3.0.6 alike): apk 2 takes the newest version of a name, apk 3 the
 * installed one (else the newest), and either needs a repository with it.
 */
static const char *fetch_blocker(const struct aipkg_state *st, int major, const char *name,
				 const char *version)
{
	const struct aipkg_pkg *best = aipkg_state_best(st, name);

	if (!aipkg_state_any_index(st))
		return NULL; /* aipkg cannot tell (no index it reads): let apk try */
	if (!best || !pkg_at(st, name, version, false))
		return "no configured repository has this version and apk's cache does not either";
	if (major < 3 && strcmp(best->version, version) != 0)
		return "apk 2 fetches only the newest version of a package, and the cache does not "
		       "have this one";
	return NULL;
}

/* "apk fetch --link -o DIR NAME..." for the items FROM..TO; 0 or apk's
 * error, whose text goes to *REASON. */
static int fetch_run(struct aipkg_ctx *ctx, struct fetch_batch *b, size_t from, size_t to,
		     char **reason)
{
	const char *opts[] = { "--link", "--output", b->dir, NULL };
	const char **args = calloc(to - from + 1, sizeof(char *));
	struct aipkg_apk_call call = { "fetch", opts, args, 0, AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	int r = args ? 0 : -ENOMEM;

	for (size_t i = from; r == 0 && i < to; i++)
		if (!b->v[i].why_not)
			args[call.nargs++] = b->v[i].name;
	if (r == 0 && call.nargs) {
		r = aipkg_apk_run(ctx, &call, &res);
		*reason = r < 0 ? strdup(aipkg_ctx_why(ctx, r)) : NULL;
		aipkg_spawn_result_release(&res);
	}
	free(args);
	return r;
}

/* Move what apk fetched into place and record each item. */
static void fetch_collect(struct fetch_batch *b, size_t from, size_t to, const char *reason,
			  json_t *entry)
{
	for (size_t i = from; i < to; i++) {
		struct fetch_item *it = &b->v[i];
		char *got = NULL;

		if (it->why_not || asprintf(&got, "%s/%s-%s.apk", b->dir, it->name, it->version) < 0) {
			record(entry, "unkept", it->name, it->version, it->why_not);
			continue;
		}
		if (rename(got, it->dst) == 0)
			record(entry, "kept", it->name, it->version, NULL);
		else
			record(entry, "unkept", it->name, it->version,
			       reason ? reason : "apk fetch did not produce this version");
		free(got);
	}
}

/* One apk fetch for all; when it fails, each alone, so one version that
 * cannot be fetched does not cost the others. */
static void fetch_all(struct aipkg_ctx *ctx, struct fetch_batch *b, json_t *entry)
{
	char *reason = NULL, *parent = aipkg_ctx_path(ctx, KEEP_DIR);

	/* a fresh private directory: a name known in advance could be a link
	 * planted to have us empty the directory it points to */
	b->dir = parent ? aipkg_mkdtemp(parent, ".fetch-") : NULL;
	free(parent);
	if (!b->dir) {
		for (size_t i = 0; i < b->n; i++)
			b->v[i].why_not = "cannot create a directory to fetch into";
		fetch_collect(b, 0, b->n, NULL, entry);
		return;
	}
	if (fetch_run(ctx, b, 0, b->n, &reason) == 0 || b->n == 1) {
		fetch_collect(b, 0, b->n, reason, entry);
	} else {
		for (size_t i = 0; i < b->n; i++) {
			char *one = NULL;

			fetch_run(ctx, b, i, i + 1, &one);
			fetch_collect(b, i, i + 1, one, entry);
			free(one);
		}
	}
	free(reason);
	aipkg_rmtree(b->dir);
}

/* From apk's cache (linked, or moved out of the cache aipkg turned on),
 * else from a local repository (linked, or copied); -ENOENT when neither
 * has it. */
static int keep_local(const struct aipkg_keep *kp, const struct aipkg_state *st,
		      const struct aipkg_pkg *pkg, const char *name, const char *version,
		      const char *dst)
{
	char *src = cache_file(kp, name, version, pkg ? pkg->checksum : NULL);
	int r = src ? place(src, dst, kp->own ? PLACE_MOVE : PLACE_LINK) : -ENOENT;

	free(src);
	if (r == 0)
		return 0;
	src = local_file(st, pkg);
	r = src && access(src, R_OK) == 0 ? place(src, dst, PLACE_LINK) : -ENOENT;
	free(src);
	return r;
}

/* Kept already, or kept now from a local copy; else queued for apk fetch. */
static int keep_one(struct aipkg_ctx *ctx, const struct aipkg_keep *kp,
		    const struct aipkg_state *st, const char *name, const char *version,
		    struct fetch_batch *b, json_t *entry)
{
	char *dst = aipkg_keep_path(ctx, name, version);
	struct fetch_item *v;

	if (!dst && !keep_name_ok(name, version)) {
		record(entry, "unkept", name, version, "its name or version is not a file name");
		return 0;
	}
	if (!dst)
		return -ENOMEM;
	if (access(dst, F_OK) == 0 ||
	    keep_local(kp, st, pkg_at(st, name, version, true), name, version, dst) == 0) {
		utimensat(AT_FDCWD, dst, NULL, 0); /* used again: dropped last */
		record(entry, "kept", name, version, NULL);
		free(dst);
		return 0;
	}
	v = realloc(b->v, (b->n + 1) * sizeof(*v));
	if (!v) {
		free(dst);
		return -ENOMEM;
	}
	b->v = v;
	b->v[b->n++] = (struct fetch_item){ name, version, dst,
					    fetch_blocker(st, b->major, name, version) };
	return 0;
}

int aipkg_keep_packages(struct aipkg_ctx *ctx, const struct aipkg_keep *kp,
			const struct aipkg_state *st, const json_t *wanted, json_t *entry)
{
	struct fetch_batch b = { NULL, 0, NULL, 2 };
	struct aipkg_apk *apk;
	const json_t *w;
	size_t i;
	int r;

	if (!kp->cache_dir || !json_array_size(wanted))
		return 0;
	r = aipkg_statedir_make(ctx, "packages");
	if (r == 0 && aipkg_apk_get(ctx, &apk) == 0)
		b.major = apk->major;
	json_array_foreach(wanted, i, w)
		if (r == 0)
			r = keep_one(ctx, kp, st, json_string_value(json_object_get(w, "name")),
				     json_string_value(json_object_get(w, "version")), &b, entry);
	if (r == 0 && b.n)
		fetch_all(ctx, &b, entry);
	for (i = 0; i < b.n; i++)
		free(b.v[i].dst);
	free(b.v);
	free(b.dir);
	return r;
}

void aipkg_keep_end(struct aipkg_keep *kp, const json_t *installed)
{
	const json_t *w;
	char *path = NULL;
	size_t i;

	/* the cache aipkg turned on goes back to how apk without one leaves
	 * it: no package files (kept ones were moved out already) and no
	 * index of cached packages (apk 2 writes one) */
	json_array_foreach(kp->own && kp->prepared ? installed : NULL, i, w) {
		path = cache_file(kp, json_string_value(json_object_get(w, "name")),
				  json_string_value(json_object_get(w, "version")), NULL);
		if (path)
			unlink(path);
		free(path);
	}
	if (kp->own && kp->prepared && !kp->had_index &&
	    asprintf(&path, "%s/installed", kp->cache_dir) >= 0) {
		unlink(path);
		free(path);
	}
	free(kp->cache_dir);
	memset(kp, 0, sizeof(*kp));
}

/*
 * The size bound: kept package files and the files doctor's repairs saved
 * (AIPKG_SAVED_DIR/ID/), oldest dropped first, but never what rolling back
 * the newest journal.keep_rollbacks operations needs.
 */

struct kept_file {
	char *name;	 /* NAME-VERSION.apk, or "ID" of a repair's saved files */
	long long size;	 /* a repair's: all its files */
	long long mtime;
	long long repair; /* the repair's id; 0 for a package file */
};

static int by_age(const void *a, const void *b)
{
	const struct kept_file *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime ? 1 : strcmp(x->name, y->name);
}

static bool protected_file(const char *file, const json_t *protect)
{
	const json_t *p;
	size_t i;

	json_array_foreach(protect, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *v = json_string_value(json_object_get(p, "version"));
		size_t nl = n ? strlen(n) : 0;

		if (n && v && strncmp(file, n, nl) == 0 && file[nl] == '-' &&
		    strncmp(file + nl + 1, v, strlen(v)) == 0 && strcmp(file + nl + 1 + strlen(v), ".apk") == 0)
			return true;
	}
	return false;
}

static bool protected_repair(long long id, const json_t *ids)
{
	const json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (json_integer_value(v) == id)
			return true;
	return false;
}

static int kept_add(struct kept_file **out, size_t *n, const char *name, long long size,
		    long long mtime, long long repair)
{
	struct kept_file *v = realloc(*out, (*n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	*out = v;
	v[*n] = (struct kept_file){ strdup(name), size, mtime, repair };
	return v[(*n)++].name ? 0 : -ENOMEM;
}

/* The bytes of the regular files under the directory FD (closed). */
static long long tree_bytes(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	long long total = 0;

	if (!d) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat sb;
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(sb.st_mode))
			total += (long long)sb.st_size;
		else if (S_ISDIR(sb.st_mode) && depth < 64 &&
			 (sub = openat(dirfd(d), de->d_name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
			total += tree_bytes(sub, depth + 1);
	}
	closedir(d);
	return total;
}

/* One entry of a listing: a package file (NAME-VERSION.apk), or with
 * REPAIRS a repair's directory of saved files (ID/), with its size. */
static int kept_entry(int dirfd, const char *name, bool repairs, struct kept_file **out,
		      size_t *n)
{
	size_t len = strlen(name);
	char *end;
	long long id = repairs ? strtoll(name, &end, 10) : 0;
	struct stat sb;
	int fd;

	if (name[0] == '.' || (repairs ? id <= 0 || *end : len < 5 || strcmp(name + len - 4, ".apk")) ||
	    fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !(repairs ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode)))
		return 0;
	if (!repairs)
		return kept_add(out, n, name, (long long)sb.st_size, (long long)sb.st_mtime, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return kept_add(out, n, name, fd < 0 ? 0 : tree_bytes(fd, 0), (long long)sb.st_mtime, id);
}

/* What DIR holds, added to *OUT: its *.apk files, or with REPAIRS the
 * saved files of each repair (AIPKG_SAVED_DIR/ID/). */
static int kept_list(const char *dir, bool repairs, struct kept_file **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && (de = readdir(d)))
		r = kept_entry(dirfd(d), de->d_name, repairs, out, n);
	closedir(d);
	return r;
}

static void kept_free(struct kept_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
}

/* Drop the oldest of FILES (under DIR, or SAVED for a repair's) not
 * protected until they add up to LIMIT; *total gets what is left. */
static void trim(struct kept_file *files, size_t n, const char *dir, const char *saved,
		 long long limit, const json_t *protect, const json_t *repairs, json_t *dropped,
		 long long *total)
{
	*total = 0;
	for (size_t i = 0; i < n; i++)
		*total += files[i].size;
	if (n)
		qsort(files, n, sizeof(*files), by_age);
	for (size_t i = 0; i < n && *total > limit; i++) {
		const struct kept_file *f = &files[i];
		char *p = NULL;
		bool gone;

		if (f->repair ? protected_repair(f->repair, repairs)
			      : protected_file(f->name, protect))
			continue;
		if (asprintf(&p, "%s/%s", f->repair ? saved : dir, f->name) < 0)
			continue;
		gone = f->repair ? aipkg_rmtree(p) == 0 : unlink(p) == 0;
		free(p);
		if (!gone)
			continue;
		*total -= f->size;
		if (dropped && f->repair)
			json_array_append_new(dropped, json_pack("s++", "repair ", f->name, ""));
		else if (dropped)
			json_array_append_new(dropped, json_string(f->name));
	}
}

int aipkg_keep_trim_dir(const char *dir, long long limit, const json_t *protect, json_t *dropped)
{
	struct kept_file *files = NULL;
	long long left;
	size_t n = 0;
	int r = kept_list(dir, false, &files, &n);

	if (r == 0)
		trim(files, n, dir, NULL, limit, protect, NULL, dropped, &left);
	kept_free(files, n);
	return r;
}

/* What rolling back the newest operations needs, gathered along a walk. */
struct needed {
	json_t *undone, *out;
	int left;
};

static int needed_cb(void *ud, json_t *e)
{
	struct needed *nd = ud;
	json_t *ids = json_object_get(nd->out, "repairs");
	const json_t *k;
	size_t i;

	if (aipkg_journal_undone_by(nd->undone, e) || !aipkg_jentry_undoable(e))
		return 0;
	json_array_foreach(json_object_get(e, "kept"), i, k)
		json_array_append_new(json_object_get(nd->out, "packages"),
				      json_pack("{s:O, s:O}", "name", json_object_get(k, "name"),
						"version", json_object_get(k, "version")));
	if (json_object_get(e, "files"))
		json_array_append(ids, json_object_get(e, "id"));
	return --nd->left <= 0;
}

json_t *aipkg_keep_needed(struct aipkg_ctx *ctx)
{
	struct needed nd = { json_object(), json_pack("{s:[], s:[]}", "packages", "repairs"),
			     (int)ctx->cfg.keep_rollbacks };

	if (nd.left > 0 && nd.out)
		(void)aipkg_journal_walk(ctx, needed_cb, &nd);
	json_decref(nd.undone);
	return nd.out;
}

int aipkg_keep_usage(struct aipkg_ctx *ctx, struct aipkg_keep_usage *u)
{
	char *dir = aipkg_ctx_path(ctx, KEEP_DIR), *saved = aipkg_ctx_path(ctx, AIPKG_SAVED_DIR);
	json_t *needed = aipkg_keep_needed(ctx);
	struct kept_file *files = NULL;
	size_t n = 0;
	int r = dir && saved && needed ? kept_list(dir, false, &files, &n) : -ENOMEM;

	memset(u, 0, sizeof(*u));
	if (r == 0)
		r = kept_list(saved, true, &files, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		bool needs = files[i].repair ? protected_repair(files[i].repair,
								json_object_get(needed, "repairs"))
					     : protected_file(files[i].name,
							      json_object_get(needed, "packages"));

		u->total += files[i].size;
		u->saved += files[i].repair ? files[i].size : 0;
		u->needed += needs ? files[i].size : 0;
	}
	kept_free(files, n);
	json_decref(needed);
	free(dir);
	free(saved);
	return r;
}

void aipkg_keep_trim(struct aipkg_ctx *ctx, const json_t *entry)
{
	const json_t *protect = json_object_get(entry, "kept");
	char *dir = aipkg_ctx_path(ctx, KEEP_DIR), *saved = aipkg_ctx_path(ctx, AIPKG_SAVED_DIR);
	json_t *dropped = json_array(), *needed = NULL, *all = NULL;
	long long limit = ctx->cfg.keep_packages_mb * 1024 * 1024, left = 0;
	struct kept_file *files = NULL;
	size_t n = 0;
	int r;

	if (!dir || !saved || ctx->cfg.keep_packages_mb <= 0)
		goto out;
	r = kept_list(dir, false, &files, &n);
	if (r == 0)
		r = kept_list(saved, true, &files, &n);
	if (r < 0) {
		aipkg_ctx_warn(ctx, "cannot check the size of %s: %s", dir, strerror(-r));
		goto out;
	}
	needed = aipkg_keep_needed(ctx);
	/* the change's own, which the journal does not hold finished yet */
	if (json_object_get(entry, "files"))
		json_array_append(json_object_get(needed, "repairs"), json_object_get(entry, "id"));
	all = json_deep_copy(json_object_get(needed, "packages"));
	if (protect)
		json_array_extend(all, (json_t *)protect);
	trim(files, n, dir, saved, limit, all, json_object_get(needed, "repairs"), dropped, &left);
	if (json_array_size(dropped))
		aipkg_ctx_note(ctx, "dropped %zu old kept file%s (journal.keep_packages_mb)",
			       json_array_size(dropped), aipkg_plural(json_array_size(dropped), "", "s"));
	if (left > limit)
		aipkg_ctx_note(ctx, "the kept files take %.1f MiB, over journal.keep_packages_mb "
				    "(%ld MiB): what rolling back the newest %ld operations needs is "
				    "kept (journal.keep_rollbacks)",
			       (double)left / 1048576, ctx->cfg.keep_packages_mb,
			       ctx->cfg.keep_rollbacks);
out:
	kept_free(files, n);
	json_decref(needed);
	json_decref(all);
	json_decref(dropped);
	free(dir);
	free(saved);
}
