/* Each repository's index: found where the root's apk keeps it, opened safely, read only when apk would trust it. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "apk/idxcache.h"
#include "apk/index.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"

/* Far above real files (the largest APKINDEX.tar.gz is a few MiB, its text
 * about 10 MiB). */
#define INDEX_FILE_MAX ((size_t)128 << 20)
#define INDEX_TEXT_MAX ((size_t)256 << 20)
#define DESCRIPTION_MAX ((size_t)4 << 10)

char *aipkg_apk_cache_configured(struct aipkg_ctx *ctx)
{
	char *dir = NULL;
	struct stat st;

	if (aipkg_path_in_root(ctx->root, "etc/apk/cache", &dir) == 0 && stat(dir, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

char *aipkg_apk_cache_dir(struct aipkg_ctx *ctx)
{
	char *dir = aipkg_apk_cache_configured(ctx);

	if (!dir && aipkg_path_in_root(ctx->root, "var/cache/apk", &dir) < 0)
		return NULL;
	return dir;
}

/* Where apk itself caches under a --root: it opens etc/apk/cache relative
 * to the root's descriptor, so an absolute link there is followed on the
 * host; var/cache/apk otherwise. */
static char *apk_own_cache_dir(struct aipkg_ctx *ctx)
{
	char *dir = aipkg_ctx_path(ctx, "etc/apk/cache"), *real;
	struct stat st;

	if (dir && !(stat(dir, &st) == 0 && S_ISDIR(st.st_mode))) {
		free(dir);
		dir = aipkg_ctx_path(ctx, "var/cache/apk");
	}
	real = dir ? realpath(dir, NULL) : NULL;
	if (real) {
		free(dir);
		return real;
	}
	return dir;
}

char *aipkg_apk_cache_dir_override(struct aipkg_ctx *ctx)
{
	char *mine, *theirs, *real = NULL;
	struct stat st;

	if (ctx->apk_cache)
		return strdup(ctx->apk_cache);
	if (!ctx->root[0])
		return NULL; /* the real root: apk and aipkg agree */
	mine = aipkg_apk_cache_dir(ctx);
	theirs = apk_own_cache_dir(ctx);
	if (mine && stat(mine, &st) == 0 && S_ISDIR(st.st_mode))
		real = realpath(mine, NULL);
	free(mine);
	if (real && theirs && strcmp(real, theirs) == 0) {
		free(real);
		real = NULL;
	}
	free(theirs);
	return real;
}

/* DIR/NAME under naming HOW, and its mtime (-1 when it does not exist). */
static char *index_candidate(const char *dir, const struct aipkg_repo *repo, const char *arch,
			     enum aipkg_cache_naming how, struct timespec *mtime)
{
	char *name = aipkg_repo_cache_file(repo, arch, how), *path = NULL;
	struct stat st;

	mtime->tv_sec = -1;
	mtime->tv_nsec = 0;
	if (name && asprintf(&path, "%s/%s", dir, name) < 0)
		path = NULL;
	free(name);
	if (path && stat(path, &st) == 0) {
		mtime->tv_sec = st.st_mtim.tv_sec;
		mtime->tv_nsec = st.st_mtim.tv_nsec;
	}
	return path;
}

static bool ts_newer(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static const enum aipkg_cache_naming all_namings[] = { AIPKG_CACHE_V2_LINE, AIPKG_CACHE_V2_URL,
						       AIPKG_CACHE_V3 };

char *aipkg_repo_cached_index(const char *cache_dir, const struct aipkg_repo *repo,
			      const char *arch, int naming)
{
	char *path[3], *best = NULL;
	struct timespec t[3], newest = { -1, 0 };
	int pick = -1;

	for (int i = 0; i < 3; i++) {
		path[i] = index_candidate(cache_dir, repo, arch, all_namings[i], &t[i]);
		if (naming < 0 && path[i] && t[i].tv_sec >= 0 &&
		    (pick < 0 || ts_newer(&t[i], &newest))) {
			pick = i;
			newest = t[i];
		}
	}
	if (naming >= 0 && naming < 3)
		pick = path[naming] ? naming : AIPKG_CACHE_V2_URL; /* a line apk 2 never read */
	else if (pick < 0)
		pick = AIPKG_CACHE_V3;
	for (int i = 0; i < 3; i++) {
		if (i == pick)
			best = path[i];
		else
			free(path[i]);
	}
	return best;
}

char *aipkg_repo_cached_elsewhere(const char *cache_dir, const struct aipkg_repo *repo,
				  const char *arch, int *naming)
{
	struct timespec t, mine = { -1, 0 }, newest = { -1, 0 };
	char *best = NULL;
	struct stat sb;

	if (!repo->remote || repo->naming < 0)
		return NULL;
	if (repo->index_path && stat(repo->index_path, &sb) == 0)
		mine = sb.st_mtim;
	for (int i = 0; i < 3; i++) {
		char *path = i == repo->naming ? NULL
					       : index_candidate(cache_dir, repo, arch,
								 all_namings[i], &t);

		if (path && t.tv_sec >= 0 && ts_newer(&t, &mine) && ts_newer(&t, &newest) &&
		    (!repo->index_path || strcmp(path, repo->index_path) != 0)) {
			free(best);
			best = path;
			newest = t;
			*naming = i;
		} else {
			free(path);
		}
	}
	return best;
}

/* A local repository is read where apk reads it: the host path as given
 * (apk does not put --root in front of it). */
static char *index_local_path(const struct aipkg_repo *repo, const char *arch)
{
	char *url = aipkg_repo_index_url(repo, arch, 3), *path;

	if (!url || strncmp(url, "file:", 5) != 0)
		return url;
	/* "file:///srv/repo" and apk's looser "file:/srv/repo" */
	path = strdup(url + (strncmp(url, "file:///", 8) == 0 ? 7 : 5));
	free(url);
	return path;
}

/* Alpine 3.20 came with apk-tools 2.14.4, 3.23 with apk-tools 3. */
static int naming_of_release(const char *release)
{
	char *end;
	long major = release ? strtol(release, &end, 10) : 0, minor;

	if (!release || end == release || *end != '.' || major != 3)
		return -1;
	minor = strtol(end + 1, NULL, 10);
	return minor >= 23 ? AIPKG_CACHE_V3 : minor >= 20 ? AIPKG_CACHE_V2_URL : AIPKG_CACHE_V2_LINE;
}

int aipkg_index_naming(struct aipkg_ctx *ctx, const struct aipkg_state *st)
{
	const struct aipkg_pkg *tools;
	struct aipkg_apk *apk;
	char *saved;
	int r;

	if (ctx->apk && ctx->apk->version)
		return (int)aipkg_cache_naming_of(ctx->apk->version);
	/* no apk to run is no error for a reader: its message is not kept */
	saved = strdup(aipkg_buf_str(&ctx->err));
	r = aipkg_apk_get(ctx, &apk);
	if (r < 0) {
		aipkg_buf_reset(&ctx->err);
		if (saved)
			aipkg_buf_addstr(&ctx->err, saved);
	}
	free(saved);
	if (r == 0 && apk->version)
		return (int)aipkg_cache_naming_of(apk->version);
	tools = aipkg_pkgset_find(&st->installed, "apk-tools");
	if (tools && tools->version[0] >= '1' && tools->version[0] <= '9')
		return (int)aipkg_cache_naming_of(tools->version);
	return naming_of_release(st->release);
}

int aipkg_index_path(struct aipkg_ctx *ctx, const char *cache_dir, const char *arch, int naming,
		     struct aipkg_repo *repo)
{
	(void)ctx;
	free(repo->index_path);
	repo->naming = repo->remote ? naming : -1;
	free(repo->index_elsewhere);
	repo->index_elsewhere = NULL;
	if (!repo->remote)
		repo->index_path = index_local_path(repo, arch);
	else
		repo->index_path = aipkg_repo_cached_index(cache_dir, repo, arch, naming);
	if (repo->index_path && repo->remote)
		repo->index_elsewhere =
		    aipkg_repo_cached_elsewhere(cache_dir, repo, arch, &repo->elsewhere_naming);
	return repo->index_path ? 0 : -ENOMEM;
}

const char *aipkg_cache_naming_who(int naming)
{
	switch (naming) {
	case AIPKG_CACHE_V2_LINE:
		return "apk-tools 2.14.0 and older (Alpine 3.19 and older)";
	case AIPKG_CACHE_V2_URL:
		return "apk-tools 2.14.1 and later 2.x";
	case AIPKG_CACHE_V3:
		return "apk-tools 3";
	}
	return "another apk";
}

/* The apk in use, by its version when it was asked ("apk 2.14.4"). */
static const char *index_reader(const struct aipkg_ctx *ctx, const struct aipkg_repo *repo)
{
	static __thread char buf[64];

	if (!ctx->apk || !ctx->apk->version)
		return aipkg_cache_naming_who(repo->naming);
	snprintf(buf, sizeof(buf), "apk %s", ctx->apk->version);
	return buf;
}

/* "APKINDEX.49104001.tar.gz", the file's name in a path. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* What to do about an index that cannot be used: for a cached one, let
 * apk fetch it again; a local one is its owner's to rebuild. */
static const char *index_fix(const struct aipkg_repo *repo)
{
	return repo->remote ? "run 'aipkg update'" : "rebuild it with 'apk index' and sign it";
}

void aipkg_index_warn_unreadable(struct aipkg_ctx *ctx, const struct aipkg_repo *repo, int err)
{
	if (err == -ENOENT && repo->remote && repo->index_elsewhere)
		aipkg_ctx_warn(ctx, "no cached index of repository %s that %s reads: %s is the "
				    "copy %s cached, under a name it does not read; skipped, as "
				    "apk does: run 'aipkg update'",
			       repo->url, index_reader(ctx, repo), base_name(repo->index_elsewhere),
			       aipkg_cache_naming_who(repo->elsewhere_naming));
	else if (err == -ENOENT && repo->remote)
		aipkg_ctx_warn(ctx, "no cached index for repository %s: run 'aipkg update'",
			       repo->url);
	else if (err == -ENOENT)
		aipkg_ctx_warn(ctx, "repository %s has no index (%s); skipped", repo->url,
			       repo->index_path);
	else if (err == -AIPKG_E_CORRUPT || err == -AIPKG_E_TOOBIG)
		aipkg_ctx_warn(ctx, "%s: the index of repository %s is %s; skipped: %s",
			       repo->index_path, repo->url,
			       err == -AIPKG_E_TOOBIG ? "too large" : "truncated or corrupt",
			       index_fix(repo));
	else
		aipkg_ctx_warn(ctx, "%s: cannot read the index of repository %s (%s); skipped",
			       repo->index_path, repo->url, aipkg_file_strerror(err));
}

/* apk refuses the index: say which, why and what to do, once. */
static void index_warn_untrusted(struct aipkg_ctx *ctx, const struct aipkg_repo *repo,
				 enum aipkg_index_trust trust, const char *signer)
{
	if (trust == AIPKG_TRUST_BAD)
		aipkg_ctx_warn(ctx,
			       "%s: the index of repository %s has a BAD signature (key %s); "
			       "skipped, as apk does: %s",
			       repo->index_path, repo->url, signer, index_fix(repo));
	else if (trust == AIPKG_TRUST_NOKEY)
		aipkg_ctx_warn(ctx,
			       "%s: the index of repository %s is signed by %s, which is not in "
			       "etc/apk/keys; skipped, as apk does: install that key or use "
			       "--allow-untrusted",
			       repo->index_path, repo->url, signer);
	else
		aipkg_ctx_warn(ctx,
			       "%s: the index of repository %s is not signed; skipped, as apk "
			       "does: sign it ('abuild-sign') or use --allow-untrusted",
			       repo->index_path, repo->url);
}

/* Would aipkg read an index with this verdict?  Only a verified one,
 * unless the administrator said --allow-untrusted: then an unsigned one, one
 * signed by an unknown key and one whose signature a trusted key rejects are
 * read too (as apk 3 does; the last always with a warning, see
 * index_apply). */
bool aipkg_index_trust_usable(const struct aipkg_ctx *ctx, enum aipkg_index_trust trust)
{
	if (trust == AIPKG_TRUST_OK)
		return true;
	return ctx->opts.allow_untrusted &&
	       (trust == AIPKG_TRUST_UNSIGNED || trust == AIPKG_TRUST_NOKEY ||
		trust == AIPKG_TRUST_BAD);
}

/* Read the index file FD (of size ST) whole, at most INDEX_FILE_MAX. */
static int index_read_fd(int fd, const struct stat *st, struct aipkg_buf *gz)
{
	aipkg_buf_init(gz, INDEX_FILE_MAX);
	if ((size_t)st->st_size > INDEX_FILE_MAX)
		return -AIPKG_E_TOOBIG;
	return aipkg_buf_read_fd(gz, fd);
}

/* Read the index anew: *RES says what was found, and its packages go into
 * SET when apk would trust it.  -ENOMEM only. */
static int index_read_fresh(struct aipkg_ctx *ctx, int fd, const struct stat *st, int idx,
			    struct aipkg_keyring *keys, struct aipkg_pkgset *set,
			    struct aipkg_idx_result *res)
{
	struct aipkg_buf gz, text, desc;
	struct aipkg_apkindex_read rd = {&text, &desc, keys, AIPKG_TRUST_UNCHECKED, ""};
	size_t len;
	int r = index_read_fd(fd, st, &gz);

	memset(res, 0, sizeof(*res));
	aipkg_buf_init(&text, INDEX_TEXT_MAX);
	aipkg_buf_init(&desc, DESCRIPTION_MAX);
	if (r == 0)
		r = aipkg_apkindex_read(gz.data, gz.len, &rd);
	aipkg_buf_release(&gz);
	res->trust = rd.trust;
	memcpy(res->signer, rd.signer, sizeof(res->signer));
	if (r == 0 && desc.len &&
	    !(res->description = aipkg_slice_dup(aipkg_slice_trim(aipkg_slice_of(&desc)))))
		r = -ENOMEM;
	aipkg_buf_release(&desc);
	len = text.len;
	if (r == 0 && aipkg_index_trust_usable(ctx, rd.trust)) {
		res->has_pkgs = true;
		r = aipkg_pkgset_parse(set, aipkg_buf_detach(&text), len, idx, &res->bad_line);
		if (r == -AIPKG_E_CORRUPT)
			r = 0; /* the records before the bad line stay */
	}
	aipkg_buf_release(&text);
	if (r < 0 && r != -ENOMEM) {
		res->err = r;
		res->has_pkgs = false;
		r = 0;
	}
	return r;
}

/* Tell what reading REPO's index found, and mark it loaded when usable. */
static void index_apply(struct aipkg_ctx *ctx, struct aipkg_repo *repo,
			struct aipkg_idx_result *res)
{
	if (res->err) {
		repo->unread = res->err;
		aipkg_index_warn_unreadable(ctx, repo, res->err);
		return;
	}
	if (!aipkg_index_trust_usable(ctx, res->trust)) {
		/* kept for doctor, which says why apk and aipkg see none of it */
		repo->untrusted = (int)res->trust;
		free(repo->signer);
		repo->signer = *res->signer ? strdup(res->signer) : NULL;
		index_warn_untrusted(ctx, repo, res->trust, res->signer);
		return;
	}
	if (res->trust == AIPKG_TRUST_BAD)
		aipkg_ctx_warn(ctx,
			       "%s: the index of repository %s has a BAD signature (key %s); "
			       "read anyway because of --allow-untrusted",
			       repo->index_path, repo->url, res->signer);
	repo->description = res->description;
	res->description = NULL;
	if (res->bad_line)
		aipkg_ctx_warn(ctx, "%s:%zu: the index of repository %s has a corrupt package "
				    "record; the records after it are skipped: %s",
			       repo->index_path, res->bad_line, repo->url, index_fix(repo));
	else
		repo->loaded = true;
}

/* A cached result will do unless the packages are needed and not in it;
 * the packages of an index this context does not trust are never taken,
 * though a run with --allow-untrusted cached them. */
static enum aipkg_idx_use index_cache_use(const struct aipkg_idx_result *res, void *ctx)
{
	if (res->err || !aipkg_index_trust_usable(ctx, res->trust))
		return AIPKG_IDX_VERDICT;
	return res->has_pkgs ? AIPKG_IDX_PACKAGES : AIPKG_IDX_MISS;
}

int aipkg_index_load(struct aipkg_ctx *ctx, struct aipkg_repo *repo, int idx,
		     struct aipkg_keyring *keys, struct aipkg_idxcache *cache,
		     struct aipkg_pkgset *set)
{
	struct aipkg_idx_result res;
	struct stat st;
	size_t n0 = set->n;
	int fd = aipkg_open_regular(repo->index_path, &st), r = 0;

	if (fd < 0) {
		repo->unread = fd;
		aipkg_index_warn_unreadable(ctx, repo, fd);
		return fd == -ENOMEM ? fd : 0;
	}
	if (cache)
		r = aipkg_idxcache_load(cache, repo->index_path, &st, keys->fingerprint,
					index_cache_use, ctx, set, idx, &res);
	if (r == 0) {
		r = index_read_fresh(ctx, fd, &st, idx, keys, set, &res);
		if (r == 0 && cache)
			r = aipkg_idxcache_store(cache, repo->index_path, &st, keys->fingerprint,
						 &res, set->pkgs + n0, set->n - n0);
	} else if (r == 1) {
		r = 0;
	}
	close(fd);
	if (r == 0)
		index_apply(ctx, repo, &res);
	aipkg_idx_result_release(&res);
	return r;
}
