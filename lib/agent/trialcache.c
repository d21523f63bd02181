/* The root's apk cache shared by one agent run's sandbox trials. */
/* SPDX-License-Identifier: MIT */
/*
 * A trial installs the whole world into a scratch root.  With no cache of
 * its own apk downloaded every package and the indexes once per trial, and
 * the upgrade after a passing trial downloaded the package once more.
 * Given the root's cache, with what aipkg kept linked into it, apk reads
 * the cached indexes and downloads each package once per run.  Afterwards
 * the cache holds what it held: aipkg's default cache no package file the
 * trials added; one the administrator configured, as apk leaves it, the
 * files of what is installed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "apk/index.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

/* The package files of DIR, as a set {NAME: true}; NULL when out of memory. */
static json_t *cache_packages(const char *dir)
{
	json_t *set = json_object();
	DIR *d = opendir(dir);
	struct dirent *e;

	while (set && d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".apk") == 0 &&
		    json_object_set_new(set, e->d_name, json_true()) < 0) {
			json_decref(set);
			set = NULL;
		}
	}
	if (d)
		closedir(d);
	return set;
}

/* The first trial sets the cache up for the run: made when missing (apk 2
 * caches nothing without the directory), what it holds noted.  NULL when
 * it cannot be: the trials then download as they would without one. */
static const char *cache_open(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb)
{
	char *conf, *dir;

	if (sb->tried)
		return sb->cache;
	sb->tried = true;
	conf = aipkg_apk_cache_configured(ctx);
	dir = conf ? conf : aipkg_apk_cache_dir(ctx);
	sb->own = !conf;
	if (dir && aipkg_mkdir_p(dir) >= 0)
		sb->cache = realpath(dir, NULL);
	free(dir);
	if (sb->cache && !(sb->before = cache_packages(sb->cache))) {
		free(sb->cache);
		sb->cache = NULL;
	}
	return sb->cache;
}

/* What the trial installs that aipkg kept goes into the cache first: what
 * is installed now (the world, mostly; the run may have upgraded some
 * since ST was read) and the candidate's version (which ST's indexes
 * name). */
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

/* PATH whole into B, if it is a regular file (apk's, not aipkg's: a FIFO
 * there must not hang the run); -errno. */
static int read_regular(const char *path, struct aipkg_buf *b)
{
	struct stat st;
	int fd = aipkg_open_regular(path, &st), r;

	if (fd < 0)
		return fd;
	r = aipkg_buf_read_fd(b, fd);
	close(fd);
	return r;
}

/* apk 2's list of the cached packages no repository has (CACHE/installed),
 * which it rewrites from the root it runs on: a trial's would drop the
 * system's (its packages installed from files), so it is put back. */
static void nr_save(struct aipkg_sandbox *sb)
{
	int r;

	aipkg_buf_init(&sb->nr_text, 0);
	if (asprintf(&sb->nr_path, "%s/installed", sb->cache) < 0) {
		sb->nr_path = NULL;
		return;
	}
	r = read_regular(sb->nr_path, &sb->nr_text);
	sb->nr_had = r == 0;
	if (r < 0 && r != -ENOENT) { /* unreadable: not ours to touch */
		free(sb->nr_path);
		sb->nr_path = NULL;
	}
}

static void nr_restore(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb)
{
	struct aipkg_buf now = AIPKG_BUF_INIT;
	bool same;

	if (!sb->nr_path)
		return;
	same = sb->nr_had && read_regular(sb->nr_path, &now) == 0 &&
	       now.len == sb->nr_text.len &&
	       memcmp(aipkg_buf_str(&now), aipkg_buf_str(&sb->nr_text), now.len) == 0;
	if (!sb->nr_had)
		unlink(sb->nr_path);
	else if (!same &&
		 aipkg_file_write_atomic(sb->nr_path, sb->nr_text.data, sb->nr_text.len) < 0)
		aipkg_ctx_warn(ctx, "could not put back %s after a sandbox trial rewrote it: "
				    "apk 2 may no longer find the packages it caches that no "
				    "repository has ('apk cache sync' lists them again)",
			       sb->nr_path);
	aipkg_buf_release(&now);
	aipkg_buf_release(&sb->nr_text);
	free(sb->nr_path);
	sb->nr_path = NULL;
}

const char *aipkg_sandbox_cache_enter(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
				      const struct aipkg_state *st, const json_t *pkg)
{
	if (!cache_open(ctx, sb))
		return NULL;
	cache_seed(ctx, sb->cache, st, pkg);
	nr_save(sb);
	return sb->cache;
}

void aipkg_sandbox_cache_leave(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb)
{
	nr_restore(ctx, sb);
}

/* Is FILE (NAME-VERSION.XXXXXXXX.apk) the cached file of a package
 * INSTALLED ({"NAME-VERSION": true}) has? */
static bool cache_file_installed(const json_t *installed, const char *file)
{
	size_t len = strlen(file);
	char *nv = len > 13 ? strndup(file, len - 13) : NULL;
	bool yes = nv && json_object_get(installed, nv);

	free(nv);
	return yes;
}

/* {"NAME-VERSION": true} of what is installed now; NULL when unknown. */
static json_t *installed_now(struct aipkg_ctx *ctx)
{
	struct aipkg_state st;
	json_t *set = NULL;

	if (aipkg_state_load(ctx, &st, AIPKG_STATE_INSTALLED) < 0)
		return NULL;
	set = json_object();
	for (size_t i = 0; set && i < st.installed.n; i++) {
		char *nv = NULL;

		if (asprintf(&nv, "%s-%s", st.installed.pkgs[i].name,
			     st.installed.pkgs[i].version) >= 0)
			json_object_set_new(set, nv, json_true());
		free(nv);
	}
	aipkg_state_release(&st);
	return set;
}

void aipkg_agent_sandbox_end(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb)
{
	json_t *now = sb->cache ? cache_packages(sb->cache) : NULL, *v;
	json_t *installed = now && !sb->own ? installed_now(ctx) : NULL;
	const char *file;
	char path[4096];

	json_object_foreach(now, file, v) {
		if (json_object_get(sb->before, file))
			continue;
		/* the administrator's cache keeps what is installed, as apk
		 * does; not knowing what is, it keeps everything */
		if (!sb->own && (!installed || cache_file_installed(installed, file)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", sb->cache, file);
		unlink(path);
	}
	json_decref(installed);
	json_decref(now);
	json_decref(sb->before);
	free(sb->cache);
	aipkg_buf_release(&sb->nr_text);
	free(sb->nr_path);
	*sb = (struct aipkg_sandbox)AIPKG_SANDBOX_INIT;
}
