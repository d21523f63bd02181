/* aipkg doctor --fix: repairs through apk, each a journalled operation, confirmed once. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "apk/changes.h"
#include "apk/runner.h"
#include "apk/search.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"
#include "doctor/doctor.h"
#include "journal/journal.h"
#include "jsonutil.h"
#include "tools/txn.h"
#include "vuln/db.h"

/*
 * What runs, in this order, each only when something needs it:
 *   1. aipkg recover        every operation a crash left pending
 *   2. apk fix              installs what installed packages and the world
 *                           need and is missing (apk's solver does it)
 *   3. apk fix --reinstall  the packages whose system files are damaged,
 *      P...                 or whose named configuration is restored; with
 *                           --cache-dir holding the kept package file when
 *                           no repository has the installed version
 *   4. apk del .aipkg-rollback   left by an interrupted rollback
 *   5. aipkg's own state: the kept package files trimmed to their budget or
 *      fetched again, stale indexes and security database refreshed
 * Steps 2-4 are journalled, shown and confirmed together; step 3 saves
 * the files it is going to overwrite under var/lib/aipkg/doctor/saved/ID
 * so that "aipkg rollback ID" puts them back.
 */

struct fixer {
	struct aipkg_ctx *ctx;
	const struct aipkg_doctor_fix_opts *opts;
	struct aipkg_filedb fdb;  /* files as the scan found them */
	json_t *before;           /* the scan */
	json_t *fixed, *not_fixed, *ops;
	json_t *steps;            /* with --dry-run: what would run */
	json_t *kept;             /* name -> kept file, for step 3 */
	json_t *apk;              /* with --dry-run: apk's command lines */
	json_t *reinstall;        /* names */
	json_t *configs;          /* configuration paths named to restore */
	json_t *names, *paths;    /* the targets, split */
	bool deps;                /* step 2 is needed */
	bool leftover;            /* step 4 */
	char *cache_dir;          /* step 3's --cache-dir, or NULL */
	int rootfd;
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void push_once(json_t *a, const char *s)
{
	if (!aipkg_json_has_string(a, s))
		json_array_append_new(a, json_string(s));
}

static void plan_step(struct fixer *fx, const char *what, const char *how)
{
	json_array_append_new(fx->steps, json_pack("{s:s, s:s}", "what", what, "how", how));
}

static void not_done(struct fixer *fx, const char *check, const char *summary, const char *why)
{
	json_array_append_new(fx->not_fixed, json_pack("{s:s, s:s, s:s}", "check", check, "summary",
						       summary, "why", why ? why : ""));
}

static void not_fixed(struct fixer *fx, const json_t *problem, const char *why)
{
	not_done(fx, str(problem, "check"), str(problem, "summary"), why);
}

static void fixed(struct fixer *fx, const char *what, const char *how, json_t *id)
{
	json_t *f = json_pack("{s:s, s:s}", "what", what, "how", how);

	if (id && json_is_integer(id)) {
		json_object_set(f, "operation", id);
		json_array_append(fx->ops, id);
	}
	json_array_append_new(fx->fixed, f);
}

/*
 * The targets: names of installed packages, and paths of their files.
 */
static const struct aipkg_dbfile *file_at(const struct aipkg_filedb *fdb, const char *path,
					  const struct aipkg_dbpkg **owner)
{
	char p[8192];

	while (*path == '/')
		path++;
	for (size_t i = 0; i < fdb->npkgs; i++)
		for (uint32_t k = 0; k < fdb->pkgs[i].nfiles; k++) {
			const struct aipkg_dbfile *f = &fdb->files[fdb->pkgs[i].first_file + k];

			if (strcmp(aipkg_filedb_path(fdb, f, p, sizeof(p)), path) == 0) {
				*owner = &fdb->pkgs[i];
				return f;
			}
		}
	return NULL;
}

static int split_targets(struct fixer *fx)
{
	for (size_t i = 0; i < fx->opts->ntargets; i++) {
		const char *t = fx->opts->targets[i];
		const struct aipkg_dbpkg *owner = NULL;
		const struct aipkg_dbfile *f;

		if (aipkg_filedb_pkg(&fx->fdb, t)) {
			push_once(fx->names, t);
		} else if ((f = file_at(&fx->fdb, t, &owner))) {
			char p[8192];

			push_once(fx->paths, aipkg_filedb_path(&fx->fdb, f, p, sizeof(p)));
			push_once(fx->names, owner->name);
			if (f->protect >= AIPKG_PROTECT_CHANGED)
				push_once(fx->configs, p);
		} else {
			return aipkg_ctx_fail(fx->ctx, -AIPKG_E_USAGE,
					      "'%s' is neither an installed package nor a file one "
					      "installs; name packages or files (see 'aipkg doctor')",
					      t);
		}
	}
	return 0;
}

static bool in_scope(const struct fixer *fx, const json_t *problem)
{
	const json_t *n;
	size_t i;

	if (!fx->opts->ntargets)
		return true;
	if (aipkg_json_has_string(fx->names, str(problem, "package")) ||
	    aipkg_json_has_string(fx->names, str(problem, "provider")))
		return true;
	/* a library gone is in the scope of the packages that need it too */
	json_array_foreach(json_object_get(problem, "needed_by"), i, n)
		if (aipkg_json_has_string(fx->names, json_string_value(n)))
			return true;
	return false;
}

/*
 * Deciding what each problem gets.
 */
static const struct aipkg_pkg *in_repos_at(const struct aipkg_state *st, const char *name,
					   const char *version)
{
	for (size_t i = 0; i < st->available.n; i++)
		if (!strcmp(st->available.pkgs[i].name, name) &&
		    !strcmp(st->available.pkgs[i].version, version))
			return &st->available.pkgs[i];
	return NULL;
}

/* Where apk gets NAME's installed version from: a repository (NULL
 * *kept), the kept file (*kept set), or nowhere (false). */
static bool source_of(struct fixer *fx, const struct aipkg_state *st, const char *name,
		      char **kept)
{
	const struct aipkg_pkg *inst = aipkg_state_installed(st, name);

	*kept = NULL;
	if (!inst)
		return false;
	if (in_repos_at(st, name, inst->version))
		return true;
	*kept = aipkg_keep_path(fx->ctx, name, inst->version);
	if (*kept && access(*kept, R_OK) == 0)
		return true;
	free(*kept);
	*kept = NULL;
	return false;
}

static void want_reinstall(struct fixer *fx, const struct aipkg_state *st, const char *name,
			   const json_t *problem)
{
	char *kept, msg[512];

	if (aipkg_json_has_string(fx->reinstall, name))
		return;
	if (!source_of(fx, st, name, &kept)) {
		if (!aipkg_state_any_index(st))
			snprintf(msg, sizeof(msg), "no repository index is available and aipkg kept "
				 "no file of %s: run 'aipkg update', then 'aipkg doctor --fix %s'",
				 name, name);
		else
			snprintf(msg, sizeof(msg), "no configured repository has the installed "
				 "version of %s and aipkg kept no file of it: 'aipkg update %s' "
				 "installs intact files of a newer version", name, name);
		not_fixed(fx, problem, msg);
		return;
	}
	push_once(fx->reinstall, name);
	if (kept)
		json_object_set_new(fx->kept, name, json_string(kept));
	free(kept);
}

static void decide(struct fixer *fx, const struct aipkg_state *st, const json_t *p)
{
	const char *check = str(p, "check"), *fix = str(p, "fix");

	if (!strcmp(check, "files"))
		want_reinstall(fx, st, str(p, "package"), p);
	else if (!strcmp(check, "dependencies") && *str(p, "provider"))
		want_reinstall(fx, st, str(p, "provider"), p);
	else if (!strcmp(check, "dependencies") && *fix)
		fx->deps = true;
	else if (!strcmp(check, "world") && !strncmp(fix, "aipkg install", 13))
		fx->deps = true;
	else if (!strcmp(check, "journal") && !strcmp(fix, "aipkg doctor --fix"))
		fx->leftover = true;
	else if (!strcmp(check, "journal") || !strcmp(check, "kept") ||
		 !strcmp(check, "indexes") || !strcmp(check, "secdb"))
		; /* aipkg's own state: after the apk steps */
	else if (!strcmp(check, "vulnerabilities"))
		not_fixed(fx, p, "doctor repairs, it does not upgrade: 'aipkg update' installs the "
				 "fixed versions (the agent does it unattended)");
	else if (!*fix)
		not_fixed(fx, p, json_string_value(json_object_get(p, "cause")));
	else
		not_fixed(fx, p, "doctor --fix does not do this: run the command shown");
}

static void plan_all(struct fixer *fx, const struct aipkg_state *st)
{
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(fx->before, "problems"), i, p)
		if (in_scope(fx, p))
			decide(fx, st, p);
	json_array_foreach(fx->configs, i, p) {
		const struct aipkg_dbpkg *owner = NULL;

		if (file_at(&fx->fdb, json_string_value(p), &owner))
			want_reinstall(fx, st, owner->name, p);
	}
}

/*
 * Step 3's cache directory: the kept files under apk's cache names, and
 * the cached indexes (apk reads those from its cache directory too).
 */
static void link_indexes(const struct aipkg_state *st, const char *dir)
{
	for (size_t i = 0; i < st->nrepos; i++) {
		const char *idx = st->repos[i].index_path, *base;
		char dst[4096];

		if (!st->repos[i].remote || !idx || !(base = strrchr(idx, '/')))
			continue;
		snprintf(dst, sizeof(dst), "%s%s", dir, base);
		aipkg_keep_copy(idx, dst);
	}
}

static int cache_dir_make(struct fixer *fx, const struct aipkg_state *st)
{
	json_t *path;
	const char *name;
	int r;

	if (!json_object_size(fx->kept))
		return 0;
	r = aipkg_statedir_make(fx->ctx, "doctor");
	if (r < 0 || asprintf(&fx->cache_dir, "%s/var/lib/aipkg/doctor/cache.%ld", fx->ctx->root,
			      (long)getpid()) < 0)
		return r < 0 ? r : -ENOMEM;
	aipkg_rmtree(fx->cache_dir);
	if (mkdir(fx->cache_dir, 0700) < 0)
		return aipkg_ctx_fail(fx->ctx, -errno, "cannot create %s: %s", fx->cache_dir,
				      strerror(errno));
	json_object_foreach(fx->kept, name, path) {
		char *cname = aipkg_keep_cache_name(aipkg_state_installed(st, name)), dst[4096];

		snprintf(dst, sizeof(dst), "%s/%s", fx->cache_dir, cname ? cname : "");
		r = cname ? aipkg_keep_copy(json_string_value(path), dst) : -EINVAL;
		free(cname);
		if (r < 0)
			return aipkg_ctx_fail(fx->ctx, r, "cannot use the kept file %s: %s",
					      json_string_value(path), strerror(-r));
	}
	link_indexes(st, fx->cache_dir);
	return 0;
}

/*
 * Step 3's hooks: save what apk will overwrite, then check each package's
 * files against the database again.
 */
static void save_one(struct fixer *fx, const char *dir, const char *state, const char *path,
		     json_t *lines)
{
	char *dst = NULL;
	int r = asprintf(&dst, "%s/%s", dir, path) < 0 ? -ENOMEM : 0;

	if (r == 0 && strcmp(state, "missing") != 0)
		r = aipkg_doctor_save_file(fx->rootfd, path, dst);
	free(dst);
	if (r < 0) {
		aipkg_ctx_warn(fx->ctx, "could not save %s before the repair (%s): a rollback "
					"cannot put it back",
			       path, strerror(-r));
		return;
	}
	json_array_append_new(lines, json_pack("s++", state, " ", path));
}

/* The files to save: damaged system files of the packages reinstalled, and
 * the configuration files named. */
static void save_package(struct fixer *fx, const struct aipkg_dbpkg *p, const char *dir,
			 json_t *lines)
{
	static const char *const states[] = { "ok", "changed", "missing", "changed" };
	char path[8192];

	for (uint32_t i = 0; i < p->nfiles; i++) {
		const struct aipkg_dbfile *f = &fx->fdb.files[p->first_file + i];

		aipkg_filedb_path(&fx->fdb, f, path, sizeof(path));
		if (f->protect >= AIPKG_PROTECT_CHANGED)
			continue;
		if (f->state != AIPKG_FILE_OK && f->state != AIPKG_FILE_UNREADABLE)
			save_one(fx, dir, states[f->state], path, lines);
	}
}

/* A named configuration file goes aside (saved), so apk writes the
 * package's own instead of FILE.apk-new. */
static int move_config(struct fixer *fx, const char *dir, const char *path, json_t *lines)
{
	char *dst = NULL;
	int r = asprintf(&dst, "%s/%s", dir, path) < 0 ? -ENOMEM : 0;

	if (r == 0)
		r = aipkg_doctor_save_file(fx->rootfd, path, dst);
	free(dst);
	if (r == -ENOENT) {
		json_array_append_new(lines, json_pack("s+", "missing ", path));
		return 0;
	}
	if (r == 0)
		r = aipkg_doctor_remove_file(fx->rootfd, path);
	if (r < 0)
		return aipkg_ctx_fail(fx->ctx, r, "cannot set %s aside before the repair: %s; "
						  "nothing changed",
				      path, strerror(-r));
	json_array_append_new(lines, json_pack("s+", "config ", path));
	return 0;
}

static int repair_prepare(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t *entry)
{
	struct fixer *fx = txn->ud;
	char *dir = aipkg_doctor_saved_dir(ctx, json_integer_value(json_object_get(entry, "id")));
	json_t *lines = json_array(), *v;
	size_t i;
	int r = dir ? 0 : -ENOMEM;

	json_array_foreach(fx->reinstall, i, v) {
		const struct aipkg_dbpkg *p = aipkg_filedb_pkg(&fx->fdb, json_string_value(v));

		if (p && r == 0)
			save_package(fx, p, dir, lines);
	}
	json_array_foreach(fx->configs, i, v)
		if (r == 0)
			r = move_config(fx, dir, json_string_value(v), lines);
	json_object_set_new(entry, "files", lines);
	free(dir);
	return r;
}

/* A configuration file set aside whose package apk did not write back
 * (apk failed): put the administrator's copy back. */
static void unmove_configs(struct fixer *fx, const json_t *entry)
{
	char *dir = aipkg_doctor_saved_dir(fx->ctx, json_integer_value(json_object_get(entry, "id")));
	const json_t *l;
	size_t i;

	json_array_foreach(json_object_get(entry, "files"), i, l) {
		const char *s = json_string_value(l);
		char *src = NULL;
		struct stat sb;
		int fd;

		if (strncmp(s, "config ", 7) != 0 || asprintf(&src, "%s/%s", dir, s + 7) < 0)
			continue;
		s += 7;
		fd = aipkg_doctor_open_dir(fx->rootfd, "");
		if (fd >= 0 && fstatat(fd, s, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			aipkg_doctor_restore_file(fx->rootfd, src, s);
		if (fd >= 0)
			close(fd);
		free(src);
	}
	free(dir);
}

/* apk reinstalled nothing ("[APK unavailable, skipped]" exits 0): the
 * copies are of files nothing overwrote, and the entry records nothing. */
static void forget_saved(struct aipkg_ctx *ctx, json_t *entry)
{
	char *dir = aipkg_doctor_saved_dir(ctx, json_integer_value(json_object_get(entry, "id")));

	if (dir)
		aipkg_rmtree(dir);
	free(dir);
	json_object_del(entry, "files");
}

static bool package_intact(const struct aipkg_filedb *fdb, const struct aipkg_dbpkg *p,
			   const json_t *configs)
{
	char path[8192];

	for (uint32_t i = 0; i < p->nfiles; i++) {
		const struct aipkg_dbfile *f = &fdb->files[p->first_file + i];

		if (f->state == AIPKG_FILE_OK)
			continue;
		if (f->protect < AIPKG_PROTECT_CHANGED ||
		    aipkg_json_has_string(configs, aipkg_filedb_path(fdb, f, path, sizeof(path))))
			return false;
	}
	return true;
}

/* What the database shows now: each package reinstalled whose files all
 * match their checksums again is a change; the rest did not get repaired. */
static void repair_verify(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t *entry,
			  int r)
{
	struct fixer *fx = txn->ud;
	struct aipkg_verify_opts vo = { .rehash = true };
	struct aipkg_verify_stats vs;
	struct aipkg_filedb now;
	const char **only = calloc(json_array_size(fx->reinstall) + 1, sizeof(*only));
	json_t *changes = json_object_get(entry, "changes"), *v;
	size_t i;

	if (r < 0)
		unmove_configs(fx, entry);
	json_array_foreach(fx->reinstall, i, v)
		if (only)
			only[i] = json_string_value(v);
	vo.only = only;
	if (!only || aipkg_filedb_load(ctx, &now) < 0) {
		free(only);
		return;
	}
	if (aipkg_filedb_verify(ctx, &now, &vo, &vs) == 0)
		json_array_foreach(fx->reinstall, i, v) {
			const struct aipkg_dbpkg *p = aipkg_filedb_pkg(&now, json_string_value(v));

			if (p && package_intact(&now, p, fx->configs))
				json_array_append_new(changes, aipkg_change_new(p->name, "reinstall",
										p->version,
										p->version));
		}
	aipkg_filedb_release(&now);
	free(only);
	if (!json_array_size(changes) && r == 0)
		forget_saved(ctx, entry); /* nothing was repaired: nothing to put back */
}

/*
 * Running the steps.
 */
static bool never_asked(const struct aipkg_txn *txn, const json_t *change)
{
	return false;
}

static void txn_base(struct fixer *fx, struct aipkg_txn *txn, const char *what)
{
	*txn = (struct aipkg_txn){ .what = what, .asked = never_asked, .ud = fx,
				   .dry_run = fx->opts->dry_run, .confirmed = true };
}

static const char **names_of(const json_t *a)
{
	const char **v = calloc(json_array_size(a) + 1, sizeof(*v));
	const json_t *s;
	size_t i;

	json_array_foreach(a, i, s)
		if (v)
			v[i] = json_string_value(s);
	return v;
}

/* Run one step: with PLAN, only simulated, its changes added to PLAN and
 * WHAT ("reinstall ...") to the steps; else run, and recorded as done. */
static int step(struct fixer *fx, struct aipkg_txn *txn, const char *what, json_t *plan)
{
	json_t *res = NULL;
	int r;

	if (plan)
		txn->dry_run = true;
	r = aipkg_txn_run(fx->ctx, txn, &res);
	if (plan && res) {
		json_array_extend(plan, json_object_get(res, "changes"));
		json_array_extend(fx->apk, json_object_get(res, "apk"));
		json_array_append_new(fx->steps, json_pack("{s:s, s:s}", "what", what, "how",
							   txn->applet));
	} else if (r == 0) {
		fixed(fx, what, txn->applet, json_object_get(res, "id"));
	}
	if (r < 0 && !plan)
		not_done(fx, "apk", what, aipkg_ctx_why(fx->ctx, r));
	json_decref(res);
	return r;
}

static int step_deps(struct fixer *fx, json_t *plan)
{
	struct aipkg_txn txn;

	if (!fx->deps)
		return 0;
	txn_base(fx, &txn, "install");
	txn.applet = "fix";
	return step(fx, &txn, "install the missing dependencies (apk fix)", plan);
}

static int step_reinstall(struct fixer *fx, json_t *plan)
{
	const char *opts[4] = { "--reinstall", NULL, NULL, NULL };
	const char **names;
	struct aipkg_txn txn;
	char what[1024];
	int r;

	if (!json_array_size(fx->reinstall))
		return 0;
	if (fx->cache_dir) {
		opts[1] = "--cache-dir";
		opts[2] = fx->cache_dir;
	}
	names = names_of(fx->reinstall);
	if (!names)
		return -ENOMEM;
	txn_base(fx, &txn, "repair");
	txn.applet = "fix";
	txn.options = opts;
	txn.args = names;
	txn.nargs = json_array_size(fx->reinstall);
	txn.prepare = repair_prepare;
	txn.verify = repair_verify;
	snprintf(what, sizeof(what), "reinstall %zu package%s to restore damaged files (apk fix "
				     "--reinstall)",
		 txn.nargs, txn.nargs == 1 ? "" : "s");
	r = step(fx, &txn, what, plan);
	free(names);
	return r;
}

static int step_leftover(struct fixer *fx, json_t *plan)
{
	static const char *const args[] = { AIPKG_ROLLBACK_VIRTUAL, NULL };
	struct aipkg_txn txn;

	if (!fx->leftover)
		return 0;
	txn_base(fx, &txn, "removal");
	txn.applet = "del";
	txn.args = args;
	txn.nargs = 1;
	return step(fx, &txn, "remove " AIPKG_ROLLBACK_VIRTUAL " left by an interrupted rollback",
		    plan);
}

static int apk_steps(struct fixer *fx, json_t *plan)
{
	int r = step_deps(fx, plan);

	/* after a failure nothing more runs: what failed is the first thing
	 * to look at, and its explanation says why */
	if (r == 0)
		r = step_reinstall(fx, plan);
	if (r == 0)
		r = step_leftover(fx, plan);
	return r;
}

/* Kept package files: fetched again when a rollback needs them and a
 * repository still has them, then trimmed to their budget. */
static void keep_again(struct fixer *fx, struct aipkg_state *st)
{
	json_t *wanted = json_array(), *rec = json_object(), *p;
	bool over = false;
	size_t i;

	json_array_foreach(json_object_get(fx->before, "problems"), i, p) {
		if (strcmp(str(p, "check"), "kept") != 0)
			continue;
		over |= !*str(p, "version") && *str(p, "fix");
		if (*str(p, "version") && *str(p, "fix"))
			json_array_append_new(wanted, json_pack("{s:s, s:s}", "name", str(p, "package"),
								"version", str(p, "version")));
	}
	if (json_array_size(wanted)) {
		struct aipkg_keep kp;

		if (aipkg_keep_begin(fx->ctx, &kp) == 0) {
			aipkg_keep_packages(fx->ctx, &kp, st, wanted, rec);
			aipkg_keep_end(&kp, NULL);
		}
		json_array_foreach(json_object_get(rec, "kept"), i, p) {
			char what[512];

			snprintf(what, sizeof(what), "keep %s %s again for rollbacks", str(p, "name"),
				 str(p, "version"));
			fixed(fx, what, "apk fetch", NULL);
		}
		json_array_foreach(json_object_get(rec, "unkept"), i, p) {
			char what[512];

			snprintf(what, sizeof(what), "keep %s %s again for rollbacks", str(p, "name"),
				 str(p, "version"));
			not_done(fx, "kept", what, str(p, "reason"));
		}
	}
	if (over) {
		aipkg_keep_trim(fx->ctx, NULL);
		fixed(fx, "trim the kept package files to journal.keep_packages_mb", "aipkg", NULL);
	}
	json_decref(wanted);
	json_decref(rec);
}

/* aipkg's own state: no apk package changes, no journal. */
static void own_state(struct fixer *fx, struct aipkg_state *st)
{
	const json_t *p;
	size_t i;
	bool kept = false, secdb = false;

	json_array_foreach(json_object_get(fx->before, "problems"), i, p) {
		kept |= !strcmp(str(p, "check"), "kept") && *str(p, "fix");
		secdb |= !strcmp(str(p, "check"), "secdb");
	}
	if (fx->opts->ntargets)
		return;
	if (fx->opts->dry_run) {
		if (kept)
			plan_step(fx, "trim or fetch again the kept package files", "aipkg");
		if (secdb)
			plan_step(fx, "refresh the security database", "aipkg");
		return;
	}
	if (kept)
		keep_again(fx, st);
	if (secdb) {
		struct aipkg_vuln_db db;

		int r = aipkg_vuln_db_open(fx->ctx, st, AIPKG_VULN_REFRESH, &db);

		if (r == 0 && !db.offline)
			fixed(fx, "refresh the security database", "aipkg", NULL);
		else
			not_done(fx, "secdb", "refresh the security database",
				 aipkg_ctx_why(fx->ctx, r));
		aipkg_vuln_db_release(&db);
	}
}

/* Stale or missing indexes are refreshed before anything is planned: a
 * reinstall needs the package in an index apk reads.  true when it ran. */
static bool refresh_indexes(struct fixer *fx)
{
	struct aipkg_apk_call call = { "update", NULL, NULL, 0, AIPKG_APK_CHANGE | AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	const json_t *p;
	bool stale = false;
	size_t i;
	int r;

	json_array_foreach(json_object_get(fx->before, "problems"), i, p)
		stale |= !strcmp(str(p, "check"), "indexes") && !strcmp(str(p, "fix"), "aipkg update");
	if (!stale || fx->opts->ntargets)
		return false;
	if (fx->opts->dry_run) {
		plan_step(fx, "refresh the repository indexes first (the plan below is from the "
			      "ones cached now)", "apk update");
		return false;
	}
	r = aipkg_apk_run(fx->ctx, &call, &res);
	if (r == 0)
		fixed(fx, "refresh the repository indexes", "apk update", NULL);
	else
		not_done(fx, "indexes", "refresh the repository indexes", aipkg_ctx_why(fx->ctx, r));
	aipkg_spawn_result_release(&res);
	return r == 0;
}

/* Everything the repair would do, shown once and confirmed once. */
static int confirm_all(struct fixer *fx, const json_t *plan)
{
	json_t *doc;
	int answer;

	if (fx->opts->confirmed || !json_array_size(plan))
		return 0;
	doc = json_pack("{s:O}", "changes", (json_t *)plan);
	answer = fx->ctx->cb.confirm ? fx->ctx->cb.confirm(fx->ctx->cb.ud, "Repair?", doc) : -1;
	json_decref(doc);
	if (answer > 0)
		return 0;
	if (answer == 0)
		return aipkg_ctx_fail(fx->ctx, -AIPKG_E_DECLINED, "nothing changed: you declined");
	return aipkg_ctx_fail(fx->ctx, -AIPKG_E_REFUSED,
			      "the repair needs confirmation (it would reinstall or install "
			      "packages); nothing changed: rerun with --yes to confirm, or "
			      "--dry-run to see the plan");
}

static int recover_all(struct fixer *fx)
{
	json_t *report = NULL, *e = NULL;
	size_t i;
	int r = 0;

	if (fx->opts->dry_run && (e = aipkg_journal_interrupted(fx->ctx)))
		plan_step(fx, "reconcile the interrupted operations with the installed database",
			  "aipkg recover");
	json_decref(e);
	if (!fx->opts->dry_run)
		r = aipkg_journal_recover(fx->ctx, true, &report);

	json_array_foreach(report, i, e) {
		char what[512];

		snprintf(what, sizeof(what), "reconcile interrupted operation %lld with the "
					     "installed database: %s",
			 (long long)json_integer_value(json_object_get(e, "id")), str(e, "status"));
		fixed(fx, what, "aipkg recover", json_object_get(e, "id"));
	}
	json_decref(report);
	aipkg_ctx_state_drop(fx->ctx);
	return r;
}

static int scan(struct fixer *fx, json_t **report)
{
	struct aipkg_doctor_opts o = { .rehash = fx->opts->rehash, .files = true, .state = true };

	aipkg_ctx_state_drop(fx->ctx);
	return aipkg_doctor_scan_keep(fx->ctx, &o, &fx->fdb, report);
}

static void fixer_release(struct fixer *fx)
{
	if (fx->cache_dir)
		aipkg_rmtree(fx->cache_dir);
	free(fx->cache_dir);
	aipkg_filedb_release(&fx->fdb);
	json_decref(fx->before);
	json_decref(fx->steps);
	json_decref(fx->kept);
	json_decref(fx->apk);
	json_decref(fx->fixed);
	json_decref(fx->not_fixed);
	json_decref(fx->ops);
	json_decref(fx->reinstall);
	json_decref(fx->configs);
	json_decref(fx->names);
	json_decref(fx->paths);
	if (fx->rootfd >= 0)
		close(fx->rootfd);
}

static json_t *result_of(struct fixer *fx, json_t *plan, json_t *after)
{
	json_t *res = json_pack("{s:O, s:O, s:O, s:O}", "fixed", fx->fixed, "not_fixed",
				fx->not_fixed, "operations", fx->ops, "before", fx->before);

	if (after)
		json_object_set(res, "after", after);
	if (plan) {
		json_object_set(res, "plan", plan);
		json_object_set(res, "steps", fx->steps);
		json_object_set(res, "apk", fx->apk);
		json_object_set_new(res, "dry_run", json_true());
	}
	return res;
}

int aipkg_doctor_fix(struct aipkg_ctx *ctx, const struct aipkg_doctor_fix_opts *opts,
		     json_t **result)
{
	struct fixer fx = { .ctx = ctx, .opts = opts, .fixed = json_array(),
			    .not_fixed = json_array(), .ops = json_array(), .steps = json_array(),
			    .kept = json_object(), .apk = json_array(),
			    .reinstall = json_array(), .configs = json_array(),
			    .names = json_array(), .paths = json_array(), .rootfd = -1 };
	json_t *plan = json_array(), *after = NULL;
	struct aipkg_state *st;
	int r = recover_all(&fx);

	*result = NULL;
	if (r == 0)
		r = scan(&fx, &fx.before);
	if (r == 0 && refresh_indexes(&fx)) { /* look again with what apk now sees */
		json_decref(fx.before);
		fx.before = NULL;
		aipkg_filedb_release(&fx.fdb);
		r = scan(&fx, &fx.before);
	}
	if (r == 0)
		r = split_targets(&fx);
	st = r == 0 ? aipkg_ctx_state(ctx, &r) : NULL;
	if (r == 0)
		r = (fx.rootfd = aipkg_doctor_open_root(ctx)) < 0 ? fx.rootfd : 0;
	if (r == 0) {
		plan_all(&fx, st);
		r = cache_dir_make(&fx, st);
		if (r < 0 && opts->dry_run) { /* a read-only state directory: plan without it */
			aipkg_ctx_warn(ctx, "%s", aipkg_ctx_errmsg(ctx));
			r = 0;
		}
	}
	if (r == 0)
		r = apk_steps(&fx, plan); /* simulated: the plan */
	if (r == 0 && opts->dry_run)
		own_state(&fx, st);
	if (r == 0 && !opts->dry_run)
		r = confirm_all(&fx, plan);
	if (r == 0 && !opts->dry_run) {
		int sr;

		r = apk_steps(&fx, NULL);
		if (json_array_size(fx.ops))
			aipkg_ctx_state_drop(ctx); /* apk changed it */
		if ((st = aipkg_ctx_state(ctx, &sr)))
			own_state(&fx, st);
		aipkg_filedb_release(&fx.fdb);
		if (json_array_size(fx.fixed))
			scan(&fx, &after);
		else
			after = json_incref(fx.before); /* nothing done: as it was */
	}
	if (fx.before)
		*result = result_of(&fx, opts->dry_run ? plan : NULL, after);
	json_decref(after);
	json_decref(plan);
	fixer_release(&fx);
	return r;
}
