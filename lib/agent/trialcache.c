/* The apk cache one agent run's sandbox trials share: the root's, read only. */
/* SPDX-License-Identifier: MIT */
/*
 * A trial installs the whole world into a scratch root.  With no cache of
 * its own apk downloaded every package and the indexes once per trial, and
 * the upgrade after a passing trial downloaded the package once more.
 *
 * The trials get a cache of the run's own under the state directory
 * (private, made by mkdtemp): the root's cached indexes copied in (apk 3
 * touches an index it finds current, and may refresh one), its package
 * files and the ones aipkg kept linked in (apk never writes a cached
 * package in place: it writes a new file and renames it), and what the
 * trials download stays there for the next trial.  The root's cache is
 * only read: a trial never adds, removes or rewrites a file in it (apk 2
 * rewrites its cache's list of the packages no repository has, and a
 * failed trial's downloads are nobody's business there).  After a trial
 * passed, the files it downloaded of the versions it installed are kept
 * (var/lib/aipkg/packages), where the upgrade that follows takes them
 * from, so it downloads nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "apk/index.h"
#include "apk/search.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* The root's cache as aipkg and apk read it, if there is one; never made. */
static char *source_dir(struct aipkg_ctx *ctx)
{
	char *conf = aipkg_apk_cache_configured(ctx);
	char *dir = conf ? conf : aipkg_apk_cache_dir(ctx);
	char *real = dir ? realpath(dir, NULL) : NULL;

	free(dir);
	return real;
}

/* The first trial makes the run's cache.  NULL when it cannot be: the
 * trials then download as they would without one. */
static const char *cache_open(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb)
{
	char *dir;

	if (sb->tried)
		return sb->cache;
	sb->tried = true;
	dir = aipkg_statedir_make(ctx, "sandbox") == 0 ? aipkg_ctx_path(ctx, "var/lib/aipkg/sandbox")
							: NULL;
	sb->cache = dir ? aipkg_mkdtemp(dir, "cache-") : NULL;
	sb->source = sb->cache ? source_dir(ctx) : NULL;
	free(dir);
	return sb->cache;
}

/* A copy of the index FROM at TO, replacing an older copy. */
static void copy_index(const char *from, const char *to)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	struct stat src, dst;
	int fd = aipkg_open_regular(from, &src);

	if (fd >= 0 && (stat(to, &dst) < 0 || dst.st_mtime < src.st_mtime) &&
	    aipkg_buf_read_fd(&b, fd) == 0 &&
	    aipkg_file_write_atomic_mode(to, b.data ? b.data : "", b.len, 0644) == 0) {
		struct timespec times[2] = { src.st_atim, src.st_mtim };

		/* apk judges a cached index's age by its time */
		(void)utimensat(AT_FDCWD, to, times, 0);
	}
	if (fd >= 0)
		close(fd);
	aipkg_buf_release(&b);
}

/* The root's cached indexes and packages into the run's cache: those it
 * does not have yet (apk 2's list of the root's packages no repository
 * has is the root's, not the scratch root's: left out). */
static void cache_mirror(const struct aipkg_sandbox *sb)
{
	DIR *d = sb->source ? opendir(sb->source) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char from[4096], to[4096];
		bool index = strncmp(e->d_name, "APKINDEX.", 9) == 0;

		if (e->d_name[0] == '.' || (!index && !has_suffix(e->d_name, ".apk")))
			continue;
		snprintf(from, sizeof(from), "%s/%s", sb->source, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", sb->cache, e->d_name);
		if (index)
			copy_index(from, to);
		else if (access(to, F_OK) < 0 && link(from, to) < 0)
			(void)symlink(from, to); /* another file system */
	}
	if (d)
		closedir(d);
}

/* What the trial installs that aipkg kept goes in too: what is installed
 * now (the world, mostly; the run may have upgraded some since ST was
 * read) and the candidate's version (which ST's indexes name). */
static void cache_seed(struct aipkg_ctx *ctx, const char *cache, const struct aipkg_state *st,
		       const json_t *pkg)
{
	struct aipkg_state now;
	json_t *wanted = json_array();

	if (aipkg_state_load(ctx, &now, AIPKG_STATE_INSTALLED) == 0) {
		for (size_t i = 0; wanted && i < now.installed.n; i++)
			json_array_append_new(wanted,
					      json_pack("{s:s, s:s}", "name", now.installed.pkgs[i].name,
							"version", now.installed.pkgs[i].version));
		aipkg_keep_seed(ctx, cache, &now, wanted);
		aipkg_state_release(&now);
	}
	json_array_clear(wanted);
	json_array_append_new(wanted, json_pack("{s:O, s:O}", "name", json_object_get(pkg, "name"),
						"version", json_object_get(pkg, "to")));
	aipkg_keep_seed(ctx, cache, st, wanted);
	json_decref(wanted);
}

const char *aipkg_sandbox_cache_enter(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
				      const struct aipkg_state *st, const json_t *pkg)
{
	if (!cache_open(ctx, sb))
		return NULL;
	cache_mirror(sb);
	cache_seed(ctx, sb->cache, st, pkg);
	return sb->cache;
}

/* Keep PKG's file in the run's cache, which the trial downloaded. */
static void keep_downloaded(struct aipkg_ctx *ctx, const struct aipkg_sandbox *sb,
			    const struct aipkg_pkg *pkg)
{
	char *file = aipkg_keep_cache_name(pkg), *kept = NULL, from[4096];
	struct stat st;

	if (file) {
		snprintf(from, sizeof(from), "%s/%s", sb->cache, file);
		/* a link or the root's own file was there before the trial */
		if (lstat(from, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
		    (kept = aipkg_keep_path(ctx, pkg->name, pkg->version)))
			(void)aipkg_keep_copy(from, kept);
	}
	free(file);
	free(kept);
}

void aipkg_sandbox_cache_passed(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
				struct aipkg_ctx *sctx)
{
	struct aipkg_state trial, now;

	if (!sb->cache || ctx->cfg.keep_packages_mb <= 0 ||
	    aipkg_statedir_make(ctx, "packages") < 0)
		return;
	if (aipkg_state_load(sctx, &trial, AIPKG_STATE_INSTALLED) < 0)
		return;
	if (aipkg_state_load(ctx, &now, AIPKG_STATE_INSTALLED) == 0) {
		for (size_t i = 0; i < trial.installed.n; i++) {
			const struct aipkg_pkg *p = &trial.installed.pkgs[i];
			const struct aipkg_pkg *inst = aipkg_state_installed(&now, p->name);

			if (!inst || strcmp(inst->version, p->version) != 0)
				keep_downloaded(ctx, sb, p);
		}
		aipkg_state_release(&now);
	}
	aipkg_state_release(&trial);
}

void aipkg_agent_sandbox_end(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb)
{
	if (sb->cache && aipkg_rmtree(sb->cache) != 0)
		aipkg_ctx_warn(ctx, "could not remove the sandboxes' cache %s entirely", sb->cache);
	free(sb->cache);
	free(sb->source);
	*sb = (struct aipkg_sandbox)AIPKG_SANDBOX_INIT;
}
