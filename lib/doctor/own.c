/* aipkg doctor: aipkg's own state, the repositories, free space and known vulnerabilities. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "apk/index.h"
#include "apk/runner.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/state.h"
#include "apk/version.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "fileio.h"
#include "http.h"
#include "journal/journal.h"
#include "vuln/db.h"
#include "vuln/match.h"
#include "vuln/vuln.h"

/* How many of the newest operations are looked at for missing kept files. */
#define KEPT_SCAN_ENTRIES 100

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void add(json_t *problems, json_t *p)
{
	if (p)
		json_array_append_new(problems, p);
}

/* An operation a crash left pending. */
static void check_pending(struct aipkg_ctx *ctx, json_t *problems)
{
	json_t *e = aipkg_journal_interrupted(ctx), *p;

	if (!e)
		return;
	p = aipkg_doctor_problem("journal", "error", "aipkg recover",
				 "operation %lld ('%s') was interrupted and is still pending",
				 (long long)json_integer_value(json_object_get(e, "id")),
				 str(e, "command"));
	aipkg_doctor_cause(p, "aipkg or apk was killed, or the system went down, while it ran "
			      "(%s); the journal does not yet say what it changed",
			   str(e, "time"));
	json_object_set(p, "id", json_object_get(e, "id"));
	add(problems, p);
	json_decref(e);
}

static void check_rollback_leftover(const struct aipkg_state *st, json_t *problems)
{
	const struct aipkg_pkg *v = aipkg_state_installed(st, AIPKG_ROLLBACK_VIRTUAL);
	json_t *p;

	if (!v)
		return;
	p = aipkg_doctor_problem("journal", "warning", "aipkg doctor --fix",
				 "%s is still installed, holding the versions a rollback restored",
				 AIPKG_ROLLBACK_VIRTUAL);
	aipkg_doctor_cause(p, "a rollback was interrupted before its last step; until it goes, "
			      "apk keeps those versions and 'aipkg update' cannot upgrade them");
	add(problems, p);
}

/* The kept package files and the repairs' saved files against
 * journal.keep_packages_mb: what --fix would drop, or that it all is what
 * the newest operations' rollbacks need, which is kept. */
static void check_kept_budget(struct aipkg_ctx *ctx, json_t *problems)
{
	long long limit = ctx->cfg.keep_packages_mb * 1024LL * 1024;
	struct aipkg_keep_usage u;
	bool droppable;
	json_t *p;

	if (ctx->cfg.keep_packages_mb <= 0 || aipkg_keep_usage(ctx, &u) < 0 || u.total <= limit)
		return;
	droppable = u.needed < u.total;
	p = aipkg_doctor_problem("kept", "warning", droppable ? "aipkg doctor --fix" : "",
				 "the kept package files%s take %.1f MiB, over "
				 "journal.keep_packages_mb (%ld MiB)",
				 u.saved ? " and the files repairs saved" : "",
				 (double)u.total / 1048576, ctx->cfg.keep_packages_mb);
	if (droppable)
		aipkg_doctor_cause(p, "journal.keep_packages_mb was lowered, or files were copied "
				      "into var/lib/aipkg/packages by hand; --fix drops the oldest, "
				      "but never the %.1f MiB that rolling back the newest %ld "
				      "operations needs (journal.keep_rollbacks)",
				   (double)u.needed / 1048576, ctx->cfg.keep_rollbacks);
	else
		aipkg_doctor_cause(p, "%.1f MiB of it is what rolling back the newest %ld "
				      "operations needs (journal.keep_rollbacks), which is kept "
				      "whatever the size: raise journal.keep_packages_mb or lower "
				      "journal.keep_rollbacks",
				   (double)u.needed / 1048576, ctx->cfg.keep_rollbacks);
	json_object_set_new(p, "bytes", json_integer(u.total));
	json_object_set_new(p, "needed_bytes", json_integer(u.needed));
	json_object_set_new(p, "saved_bytes", json_integer(u.saved));
	add(problems, p);
}

/* Kept files that undoable operations still count on. */
struct kept_scan {
	struct aipkg_ctx *ctx;
	const struct aipkg_state *st;
	json_t *undone, *problems;
	json_t *named; /* "NAME VERSION" already reported, for the newest operation */
	int seen;
};

static bool in_repos(const struct aipkg_state *st, const char *name, const char *version)
{
	for (size_t i = 0; i < st->available.n; i++)
		if (!strcmp(st->available.pkgs[i].name, name) &&
		    !strcmp(st->available.pkgs[i].version, version))
			return true;
	return false;
}

static void kept_missing(struct kept_scan *ks, const json_t *e, const json_t *k)
{
	char *path = aipkg_keep_path(ks->ctx, str(k, "name"), str(k, "version")), key[600];
	bool fetchable = in_repos(ks->st, str(k, "name"), str(k, "version"));
	json_t *p;

	snprintf(key, sizeof(key), "%s %s", str(k, "name"), str(k, "version"));
	if ((path && access(path, F_OK) == 0) || json_object_get(ks->named, key)) {
		free(path);
		return;
	}
	json_object_set_new(ks->named, key, json_true());
	p = aipkg_doctor_problem("kept", "warning", fetchable ? "aipkg doctor --fix" : "",
				 "the kept file of %s %s, which rolling back operation %lld needs, "
				 "is gone",
				 str(k, "name"), str(k, "version"),
				 (long long)json_integer_value(json_object_get(e, "id")));
	aipkg_doctor_cause(p, "%s was deleted (by hand, or to stay within "
			      "journal.keep_packages_mb); %s",
			   path ? path : "it",
			   fetchable ? "a repository still has that version, so it can be fetched again"
				     : "no repository has that version any more, so that rollback "
				       "cannot restore it");
	json_object_set_new(p, "package", json_string(str(k, "name")));
	json_object_set_new(p, "version", json_string(str(k, "version")));
	json_object_set(p, "id", json_object_get(e, "id"));
	add(ks->problems, p);
	free(path);
}

static int kept_cb(void *ud, json_t *e)
{
	struct kept_scan *ks = ud;
	const json_t *k;
	size_t i;

	if (!aipkg_journal_undone_by(ks->undone, e) && aipkg_jentry_undoable(e))
		json_array_foreach(json_object_get(e, "kept"), i, k)
			kept_missing(ks, e, k);
	return ++ks->seen >= KEPT_SCAN_ENTRIES;
}

static void check_kept_files(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			     json_t *problems)
{
	struct kept_scan ks = { ctx, st, json_object(), problems, json_object(), 0 };

	if (ctx->cfg.keep_packages_mb > 0)
		aipkg_journal_walk(ctx, kept_cb, &ks);
	json_decref(ks.undone);
	json_decref(ks.named);
}

/*
 * The repositories, from the cached indexes (no network), and with
 * REFRESH whether each answers.
 */
static void index_missing(const struct aipkg_repo *repo, json_t *problems)
{
	const char *fix = repo->remote ? "aipkg update" : "";
	json_t *p;

	/* why: a signature apk refuses, a damaged file, another user's
	 * directory, or no file at all; each has its own remedy */
	if (repo->untrusted == AIPKG_TRUST_NOKEY || repo->untrusted == AIPKG_TRUST_UNSIGNED)
		fix = "";
	p = aipkg_doctor_problem("indexes", "warning", fix, "no usable index for the repository %s",
				 repo->url);
	if (repo->unsafe)
		aipkg_doctor_cause(p, "other users can write its directory, so they could replace "
				      "its index and packages: aipkg reads none of it and runs no "
				      "change with it; make it and the directories above it "
				      "writable by root only (chmod go-w)");
	else if (repo->untrusted == AIPKG_TRUST_NOKEY)
		aipkg_doctor_cause(p, "its index is signed by %s, which is not in etc/apk/keys: apk "
				      "refuses it, so apk and aipkg see none of its packages; put "
				      "that public key in etc/apk/keys if you trust the repository",
				   repo->signer ? repo->signer : "a key");
	else if (repo->untrusted == AIPKG_TRUST_UNSIGNED)
		aipkg_doctor_cause(p, "its index is not signed: apk refuses it, so apk and aipkg "
				      "see none of its packages; sign it with 'abuild-sign' and put "
				      "the public key in etc/apk/keys");
	else if (repo->untrusted == AIPKG_TRUST_BAD)
		aipkg_doctor_cause(p, "its index has a BAD signature (key %s): it was damaged or "
				      "tampered with, and apk refuses it; %s",
				   repo->signer ? repo->signer : "?",
				   repo->remote ? "download it again"
						: "rebuild it with 'apk index' and sign it again");
	else if (repo->unread && repo->unread != -ENOENT)
		aipkg_doctor_cause(p, "its index %s cannot be read (%s), so its signature cannot "
				      "be checked and aipkg reads none of it; %s",
				   repo->index_path ? repo->index_path : "",
				   repo->unread == -AIPKG_E_CORRUPT ? "truncated or corrupt"
				   : repo->unread == -AIPKG_E_TOOBIG ? "too large"
								     : aipkg_file_strerror(repo->unread),
				   repo->remote ? "download it again"
						: "rebuild it with 'apk index' and sign it");
	else
		aipkg_doctor_cause(p, repo->remote
					      ? "its index was never downloaded, or the download "
						"failed; aipkg and apk do not see its packages"
					      : "the directory has no APKINDEX.tar.gz; build it with "
						"'apk index', or remove the line from "
						"etc/apk/repositories");
	json_object_set_new(p, "repository", json_string(repo->url));
	add(problems, p);
}

static void index_stale(struct aipkg_ctx *ctx, const struct aipkg_repo *repo, json_t *problems)
{
	struct stat sb;
	char age[64], limit[64];
	double secs;
	json_t *p;

	if (!repo->remote || !repo->index_path || stat(repo->index_path, &sb) < 0 ||
	    ctx->cfg.doctor_index_max_age <= 0)
		return;
	secs = difftime(time(NULL), sb.st_mtime);
	if (secs <= ctx->cfg.doctor_index_max_age)
		return;
	aipkg_age_text(secs, age, sizeof(age));
	aipkg_age_text(ctx->cfg.doctor_index_max_age, limit, sizeof(limit));
	p = aipkg_doctor_problem("indexes", "warning", "aipkg update",
				 "the cached index of %s is %s old", repo->url, age);
	aipkg_doctor_cause(p, "it was last refreshed %s ago (doctor.index_max_age is %s): "
			      "upgrades and security fixes released since are not seen",
			   age, limit);
	json_object_set_new(p, "repository", json_string(repo->url));
	add(problems, p);
}

static void index_unreachable(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			      const struct aipkg_repo *repo, json_t *problems)
{
	char *url = aipkg_repo_index_url(repo, st->arch, 3);
	struct aipkg_http_request req = { 0 };
	struct aipkg_http_response res;
	json_t *p;
	int r;

	if (!url || !repo->remote) {
		free(url);
		return;
	}
	req.url = url;
	req.method = "HEAD";
	req.timeout = 30;
	r = aipkg_http_fetch(ctx, &req, &res);
	aipkg_http_response_release(&res);
	if (r < 0) {
		p = aipkg_doctor_problem("indexes", "error", "",
					 "the repository %s does not answer", repo->url);
		aipkg_doctor_cause(p, "%s: check the network, a proxy or the mirror, or switch "
				      "etc/apk/repositories to another mirror",
				   aipkg_ctx_errmsg(ctx));
		json_object_set_new(p, "repository", json_string(repo->url));
		add(problems, p);
	}
	free(url);
}

/* The cache holds the repository's index under another apk's name (an
 * Alpine 3.19 root's, cached by apk-tools 2.14.0, now run by 2.14.4 or
 * apk 3), which the apk in use, and so aipkg, does not read. */
static void index_other_apk(struct aipkg_ctx *ctx, const struct aipkg_repo *repo,
			    json_t *problems)
{
	const char *file = strrchr(repo->index_elsewhere, '/');
	char reader[96];
	json_t *p;

	if (ctx->apk && ctx->apk->version)
		snprintf(reader, sizeof(reader), "apk %s", ctx->apk->version);
	else
		snprintf(reader, sizeof(reader), "%s", aipkg_cache_naming_who(repo->naming));
	p = aipkg_doctor_problem("indexes", "warning", "aipkg update",
				 "the cached index of %s is one %s does not read", repo->url, reader);
	aipkg_doctor_cause(p, "%s is the copy %s cached%s; %s reads it under another name, "
			      "%s, so apk and aipkg see %s: 'aipkg update' has it fetched "
			      "under that name",
			   file ? file + 1 : repo->index_elsewhere,
			   aipkg_cache_naming_who(repo->elsewhere_naming),
			   repo->loaded ? ", newer than the one read" : "", reader,
			   strrchr(repo->index_path, '/') ? strrchr(repo->index_path, '/') + 1
							  : repo->index_path,
			   repo->loaded ? "the older packages" : "none of its packages");
	json_object_set_new(p, "repository", json_string(repo->url));
	json_object_set_new(p, "file", json_string(repo->index_elsewhere));
	add(problems, p);
}

static void check_indexes(struct aipkg_ctx *ctx, const struct aipkg_state *st, bool refresh,
			  json_t *problems)
{
	for (size_t i = 0; i < st->nrepos; i++) {
		const struct aipkg_repo *repo = &st->repos[i];

		if (repo->index_elsewhere)
			index_other_apk(ctx, repo, problems);
		else if (!repo->loaded)
			index_missing(repo, problems);
		if (repo->loaded)
			index_stale(ctx, repo, problems);
		if (refresh)
			index_unreachable(ctx, st, repo, problems);
	}
}

/* Free space on the root against what the upgrades need: their download
 * (apk's cache or a temporary file) and what they install over the
 * installed versions. */
static void check_space(struct aipkg_ctx *ctx, const struct aipkg_state *st, json_t *problems)
{
	struct statvfs vfs;
	unsigned long long need = 0, avail;
	size_t n = 0;
	json_t *p;

	if (statvfs(*ctx->root ? ctx->root : "/", &vfs) < 0)
		return;
	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *inst = &st->installed.pkgs[i];
		/* what apk upgrade would take: the repositories' tags honoured */
		const struct aipkg_pkg *best = aipkg_select_upgrade(st, inst);

		if (!best)
			continue;
		n++;
		need += best->size;
		if (best->installed_size > inst->installed_size)
			need += best->installed_size - inst->installed_size;
	}
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	if (!n || avail >= need)
		return;
	p = aipkg_doctor_problem("space", "error", "",
				 "%.1f MiB free on the root, but the %zu upgradable package%s need "
				 "%.1f MiB",
				 (double)avail / 1048576, n, n == 1 ? "" : "s", (double)need / 1048576);
	aipkg_doctor_cause(p, "an upgrade would fail half-way with \"No space left on device\": "
			      "free space first (apk cache clean, old logs, unused packages)");
	add(problems, p);
}

/* The security database's age, and what it knows is fixed upstream. */
static void secdb_problem(struct aipkg_ctx *ctx, const struct aipkg_vuln_db *db, int r,
			  json_t *problems)
{
	char age[64], limit[64];
	double secs;
	json_t *p;

	if (r < 0) /* never used on this root: nothing is stale */
		return;
	secs = difftime(time(NULL), db->fetched_at);
	if (ctx->cfg.vuln_max_age <= 0 || secs <= ctx->cfg.vuln_max_age)
		return;
	aipkg_age_text(secs, age, sizeof(age));
	aipkg_age_text(ctx->cfg.vuln_max_age, limit, sizeof(limit));
	p = aipkg_doctor_problem("secdb", "warning", "aipkg check-vuln --refresh",
				 "the security database is %s old", age);
	aipkg_doctor_cause(p, "it was last refreshed %s ago (vuln.max_age is %s): "
			      "vulnerabilities published since are not known",
			   age, limit);
	add(problems, p);
}

static void vulns_problem(const struct aipkg_state *st, const struct aipkg_vuln_db *db,
			  json_t *problems)
{
	size_t ids = 0, pkgs = 0;
	json_t *p;

	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *pkg = &st->installed.pkgs[i];
		struct aipkg_vuln_hit *hits = NULL;
		size_t n = 0, fixable = 0;

		aipkg_vuln_match(&db->secdb, pkg->origin, pkg->version, &hits, &n);
		for (size_t k = 0; k < n; k++)
			fixable += hits[k].fixed_in && aipkg_vuln_fix_available(st, pkg->name,
										 hits[k].fixed_in);
		ids += fixable;
		pkgs += fixable > 0;
		free(hits);
	}
	if (!ids)
		return;
	p = aipkg_doctor_problem("vulnerabilities", "warning", "aipkg check-vuln",
				 "%zu known vulnerabilit%s in %zu installed package%s %s a fix in "
				 "the repositories",
				 ids, ids == 1 ? "y" : "ies", pkgs, pkgs == 1 ? "" : "s",
				 ids == 1 ? "has" : "have");
	aipkg_doctor_cause(p, "newer versions that fix them are available but not installed: "
			      "'aipkg check-vuln' lists them, 'aipkg update' installs the fixes");
	json_object_set_new(p, "count", json_integer((json_int_t)ids));
	add(problems, p);
}

static void check_vulns(struct aipkg_ctx *ctx, const struct aipkg_state *st, json_t *problems)
{
	struct aipkg_vuln_db db;
	struct aipkg_buf saved = AIPKG_BUF_INIT;
	int r;

	aipkg_buf_addstr(&saved, aipkg_ctx_errmsg(ctx));
	r = aipkg_vuln_db_open(ctx, st, AIPKG_VULN_CACHE_ONLY, &db);
	secdb_problem(ctx, &db, r, problems);
	if (r == 0)
		vulns_problem(st, &db, problems);
	aipkg_vuln_db_release(&db);
	aipkg_ctx_fail(ctx, 0, "%s", aipkg_buf_str(&saved)); /* a missing cache is no failure */
	aipkg_buf_release(&saved);
}

void aipkg_doctor_own_state(struct aipkg_ctx *ctx, const struct aipkg_state *st, bool refresh,
			    json_t *problems)
{
	check_pending(ctx, problems);
	check_rollback_leftover(st, problems);
	check_kept_budget(ctx, problems);
	check_kept_files(ctx, st, problems);
	check_indexes(ctx, st, refresh, problems);
	check_space(ctx, st, problems);
	check_vulns(ctx, st, problems);
}
