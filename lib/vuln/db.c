/* The secdb cache: conditional downloads, checks before replacing, the offline fallback. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "apk/state.h"
#include "fileio.h"
#include "journal/journal.h"
#include "ctx.h"
#include "digest.h"
#include "http.h"
#include "vuln/db.h"
#include "url.h"

#define CACHE_DIR "var/lib/aipkg/secdb/"
#define SECDB_MAX ((size_t)64 << 20)

/* One secdb file of the branch and its three cache files. */
struct source {
	const char *repo; /* "main" */
	char *url;
	char *json_path; /* the file as downloaded */
	char *idx_path;	 /* its compiled index (vuln/secdb.h) */
	char *meta_path; /* {"url","etag","last_modified","sha256","downloaded_at","checked_at"} */
	json_t *meta;	 /* NULL when there is no cache of this URL */
	bool keep;	 /* the cache may be read and written (a private state directory) */
};

const char *aipkg_age_text(double s, char *buf, size_t size)
{
	static const struct {
		double secs;
		const char *unit;
	} units[] = {
	    {86400, "day"},
	    {3600, "hour"},
	    {60, "minute"},
	    {1, "second"},
	};
	size_t i = 0;
	long n;

	if (s < 0)
		s = 0;
	while (i + 1 < sizeof(units) / sizeof(units[0]) && s < units[i].secs)
		i++;
	n = (long)(s / units[i].secs);
	snprintf(buf, size, "%ld %s%s", n, units[i].unit, n == 1 ? "" : "s");
	return buf;
}

static void iso_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
}

static time_t meta_time(const json_t *meta, const char *key)
{
	return (time_t)json_integer_value(json_object_get(meta, key));
}

static const char *meta_str(const json_t *meta, const char *key)
{
	return json_string_value(json_object_get(meta, key));
}

/* ---- files ---- */

static int mkdir_p(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[AIPKG_SHA256_LEN];

	aipkg_sha256(data, len, md);
	for (unsigned int i = 0; i < AIPKG_SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- sources ---- */

static void source_release(struct source *src)
{
	free(src->url);
	free(src->json_path);
	free(src->idx_path);
	free(src->meta_path);
	json_decref(src->meta);
	memset(src, 0, sizeof(*src));
}

static char *join(const char *a, const char *b, const char *c)
{
	struct aipkg_buf p = AIPKG_BUF_INIT;

	if (aipkg_buf_addf(&p, "%s%s%s", a, b, c) < 0)
		return NULL;
	return aipkg_buf_detach(&p);
}

/* The cache's meta for SRC, unless it describes another URL (another
 * branch or server): that cache does not count. */
static json_t *meta_read(const struct source *src)
{
	struct aipkg_buf text;
	json_t *meta = NULL;
	const char *url;

	aipkg_buf_init(&text, 64 << 10);
	if (aipkg_buf_read_state(&text, src->meta_path) == 0)
		meta = json_loadb(aipkg_buf_str(&text), text.len, 0, NULL);
	aipkg_buf_release(&text);
	url = meta_str(meta, "url");

	if (meta && (!url || strcmp(url, src->url) != 0 || !meta_str(meta, "sha256"))) {
		json_decref(meta);
		return NULL;
	}
	return meta;
}

static int source_init(struct source *src, const char *repo, const char *base, const char *dir,
		       bool keep)
{
	src->repo = repo;
	src->url = join(repo, ".json", "");
	if (src->url) { /* BASE/BRANCH/main.json, before BASE's query */
		char *file = src->url;

		src->url = aipkg_url_join(base, file);
		free(file);
	}
	src->json_path = join(dir, repo, ".json");
	src->idx_path = join(dir, repo, ".idx");
	src->meta_path = join(dir, repo, ".meta");
	if (!src->url || !src->json_path || !src->idx_path || !src->meta_path)
		return -ENOMEM;
	src->keep = keep;
	src->meta = keep ? meta_read(src) : NULL;
	return 0;
}

static int meta_write(struct source *src)
{
	char *text = src->keep ? json_dumps(src->meta, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int r = !src->keep ? 0
		: text	   ? aipkg_file_write_atomic(src->meta_path, text, strlen(text))
			   : -ENOMEM;

	free(text);
	return r;
}

/* ---- the cache ---- */

/* Take a compiled index text into the db. */
static int db_add(struct aipkg_vuln_db *db, struct aipkg_buf *idx, const char *stamp)
{
	size_t len = idx->len;

	return aipkg_secdb_add_index(&db->secdb, aipkg_buf_detach(idx), len, stamp);
}

/* The index is missing, damaged, from another aipkg or another download:
 * compile it again from the cached JSON. */
static int cache_rebuild(struct aipkg_ctx *ctx, struct aipkg_vuln_db *db, struct source *src)
{
	struct aipkg_buf json = AIPKG_BUF_INIT, idx = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;
	char sha[65];
	int r;

	aipkg_buf_init(&json, SECDB_MAX);
	r = aipkg_buf_read_state(&json, src->json_path);
	if (r == 0) {
		sha256_hex(json.data, json.len, sha);
		r = aipkg_secdb_compile(aipkg_buf_str(&json), json.len, sha, &idx, &why);
	}
	if (r == 0) {
		(void)aipkg_file_write_atomic(src->idx_path, idx.data, idx.len); /* next time faster */
		if (strcmp(sha, meta_str(src->meta, "sha256")) != 0) {
			/* not what the meta's ETag describes: download it whole next time */
			json_object_set_new(src->meta, "sha256", json_string(sha));
			json_object_del(src->meta, "etag");
			json_object_del(src->meta, "last_modified");
			(void)meta_write(src);
		}
		r = db_add(db, &idx, sha);
	}
	aipkg_buf_release(&json);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&why);
	return r;
}

/* -ENOENT: nothing is cached for this source; -AIPKG_E_CORRUPT (with the
 * message): a cache aipkg wrote cannot be used, which is never taken for
 * "nothing cached", so no check is skipped for it. */
static int cache_load(struct aipkg_ctx *ctx, struct aipkg_vuln_db *db, struct source *src)
{
	struct aipkg_buf idx;
	int r;

	if (!src->meta)
		return -ENOENT;
	aipkg_buf_init(&idx, SECDB_MAX);
	r = aipkg_buf_read_state(&idx, src->idx_path);
	if (r == 0)
		r = db_add(db, &idx, meta_str(src->meta, "sha256"));
	aipkg_buf_release(&idx);
	if (r != 0)
		r = cache_rebuild(ctx, db, src);
	if (r < 0 && r != -ENOMEM)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_CORRUPT,
				   "the security database cached in %s cannot be used (%s): run "
				   "'aipkg check-vuln --refresh' to download it again",
				   src->json_path, aipkg_strerror(r));
	return r;
}

int aipkg_vuln_mkdir_for(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	int r = dir ? 0 : -ENOMEM;

	if (slash && slash != dir) {
		*slash = '\0';
		r = mkdir_p(dir);
	}
	free(dir);
	return r;
}

/* Keep a checked download: JSON, index, then the meta that vouches for both. */
static int cache_store(struct aipkg_ctx *ctx, struct source *src, const struct aipkg_buf *json,
		       const struct aipkg_buf *idx)
{
	int r = src->keep ? aipkg_vuln_mkdir_for(src->json_path) : 0;

	if (!src->keep)
		return 0; /* aipkg_vuln_db_open said so */
	if (r == 0)
		r = aipkg_file_write_atomic(src->json_path, json->data, json->len);
	if (r == 0)
		r = aipkg_file_write_atomic(src->idx_path, idx->data, idx->len);
	if (r == 0)
		r = meta_write(src);
	if (r < 0)
		aipkg_ctx_warn(ctx,
			       "cannot keep the security database in %s: %s; it is used "
			       "for this run only",
			       src->json_path, strerror(-r));
	return 0;
}

static json_t *meta_new(const struct source *src, const struct aipkg_http_response *res,
			const char *sha)
{
	time_t now = time(NULL);

	return json_pack("{s:s, s:s?, s:s?, s:s, s:I, s:I}", "url", src->url, "etag", res->etag,
			 "last_modified", res->last_modified, "sha256", sha, "downloaded_at",
			 (json_int_t)now, "checked_at", (json_int_t)now);
}

/* A 200: check it is a secdb file before it replaces anything. */
static int accept_download(struct aipkg_ctx *ctx, struct aipkg_vuln_db *db, struct source *src,
			   struct aipkg_http_response *res)
{
	struct aipkg_buf idx = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;
	char sha[65], *shown = aipkg_url_mask(src->url);
	int r;

	sha256_hex(res->body.data, res->body.len, sha);
	r = aipkg_secdb_compile(aipkg_buf_str(&res->body), res->body.len, sha, &idx, &why);
	if (r == -AIPKG_E_CORRUPT)
		aipkg_ctx_fail(ctx, r, "%s: not a usable secdb file (%s)", shown ? shown : "",
			       aipkg_buf_str(&why));
	if (r == 0) {
		json_decref(src->meta);
		src->meta = meta_new(src, res, sha);
		r = src->meta ? cache_store(ctx, src, &res->body, &idx) : -ENOMEM;
	}
	if (r == 0)
		r = db_add(db, &idx, sha);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&why);
	free(shown);
	return r;
}

static int download(struct aipkg_ctx *ctx, const struct source *src, bool conditional,
		    struct aipkg_http_response *res)
{
	struct aipkg_http_request req = {0};
	char *shown;

	req.url = src->url;
	req.timeout = ctx->cfg.vuln_timeout;
	req.connect_timeout =
	    ctx->cfg.vuln_timeout > 0 && ctx->cfg.vuln_timeout < 10 ? ctx->cfg.vuln_timeout : 10;
	req.max_body = SECDB_MAX;
	req.progress_step = "secdb download";
	if (conditional) {
		req.etag = meta_str(src->meta, "etag");
		req.last_modified = meta_str(src->meta, "last_modified");
	}
	shown = aipkg_url_mask(src->url);
	aipkg_ctx_note(ctx, "fetching %s", shown ? shown : "the security database");
	free(shown);
	return aipkg_http_fetch(ctx, &req, res);
}

/* Download SRC (conditionally when the cache is good) into DB. */
static int refresh(struct aipkg_ctx *ctx, struct aipkg_vuln_db *db, struct source *src,
		   bool conditional, long *status)
{
	struct aipkg_http_response res;
	int r = download(ctx, src, conditional && src->meta, &res);

	*status = res.status;
	if (r == 0 && res.not_modified && src->meta) {
		json_object_set_new(src->meta, "checked_at", json_integer((json_int_t)time(NULL)));
		(void)meta_write(src);
		r = cache_load(ctx, db, src);
		if (r < 0) /* the cache the server vouched for is gone: fetch it whole */
			r = refresh(ctx, db, src, false, status);
	} else if (r == 0) {
		r = accept_download(ctx, db, src, &res);
	}
	aipkg_http_response_release(&res);
	return r;
}

static void warn_offline(struct aipkg_ctx *ctx, const struct source *src, const char *why)
{
	time_t at = meta_time(src->meta, "checked_at");
	char when[64], age[32];

	iso_time(at, when, sizeof(when));
	aipkg_age_text(difftime(time(NULL), at), age, sizeof(age));
	aipkg_ctx_warn(ctx,
		       "could not refresh the security database: %s; using the copy cached "
		       "on %s (%s old)",
		       why, when, age);
}

/* The refresh failed with ERR: the cache if there is one, else the error. */
static int fall_back(struct aipkg_ctx *ctx, struct aipkg_vuln_db *db, struct source *src, int err,
		     long status)
{
	char *why = strdup(aipkg_ctx_why(ctx, err));
	int r;

	if (!why)
		return -ENOMEM;
	if (src->meta && cache_load(ctx, db, src) == 0) {
		warn_offline(ctx, src, why);
		db->offline = true;
		free(why);
		return 0;
	}
	if (status == 404)
		r = aipkg_ctx_fail(ctx, err,
				   "%s: the server has no security database for branch "
				   "'%s' (check etc/alpine-release, etc/apk/repositories and "
				   "vuln.secdb_url); none is cached, so nothing was checked",
				   why, db->branch);
	else
		r = aipkg_ctx_fail(ctx, err,
				   "cannot download the security database: %s; none is "
				   "cached, so nothing was checked (try again, or check "
				   "vuln.secdb_url)",
				   why);
	free(why);
	return r;
}

static int no_cache(struct aipkg_ctx *ctx, const struct aipkg_vuln_db *db)
{
	return aipkg_ctx_fail(ctx, -ENOENT,
			      "no security database for %s is cached: run "
			      "'aipkg check-vuln --refresh' to download it",
			      db->branch);
}

static int open_source(struct aipkg_ctx *ctx, struct aipkg_vuln_db *db, struct source *src,
		       enum aipkg_vuln_mode mode)
{
	double age = src->meta ? difftime(time(NULL), meta_time(src->meta, "checked_at")) : 0;
	long status = 0;
	int r;

	if (mode == AIPKG_VULN_CACHE_ONLY) {
		r = cache_load(ctx, db, src);
		return r == -ENOENT ? no_cache(ctx, db) : r;
	}
	if (mode == AIPKG_VULN_AUTO && src->meta && age >= 0 && age < ctx->cfg.vuln_max_age &&
	    cache_load(ctx, db, src) == 0)
		return 0;
	r = refresh(ctx, db, src, mode == AIPKG_VULN_AUTO, &status);
	return r == 0 || r == -ENOMEM ? r : fall_back(ctx, db, src, r, status);
}

/* BASE/BRANCH/, whether or not BASE ends in '/', before BASE's query. */
static char *branch_url(const struct aipkg_ctx *ctx, const char *branch)
{
	const char *base =
	    ctx->cfg.vuln_secdb_url ? ctx->cfg.vuln_secdb_url : AIPKG_SECDB_URL_DEFAULT;
	char *dir = join(branch, "/", "");
	char *url = dir ? aipkg_url_join(base, dir) : NULL;

	free(dir);
	return url;
}

static int db_setup(struct aipkg_ctx *ctx, const struct aipkg_state *st, struct aipkg_vuln_db *db)
{
	char *warning = NULL;

	db->branch = aipkg_vuln_branch(st, &warning);
	if (warning)
		aipkg_ctx_warn(ctx, "%s", warning);
	free(warning);
	db->source = db->branch ? branch_url(ctx, db->branch) : NULL;
	if (!db->source)
		return -ENOMEM;
	if (!aipkg_http_url_supported(db->source))
		return aipkg_ctx_fail(ctx, -AIPKG_E_CONFIG,
				      "vuln.secdb_url must be an http://, https:// or file:// URL");
	return 0;
}

int aipkg_vuln_db_open(struct aipkg_ctx *ctx, const struct aipkg_state *st,
		       enum aipkg_vuln_mode mode, struct aipkg_vuln_db *db)
{
	static const char *const repos[] = AIPKG_SECDB_REPOS;
	char *dir = aipkg_ctx_path(ctx, CACHE_DIR);
	bool keep;
	int r;

	memset(db, 0, sizeof(*db));
	aipkg_secdb_init(&db->secdb);
	r = dir ? db_setup(ctx, st, db) : -ENOMEM;
	/* a cache others can write could say "no vulnerabilities" (or be a
	 * FIFO that never answers): not read, and a download not kept */
	keep = r == 0 && aipkg_statedir_trusted(ctx);
	if (r == 0 && !keep && mode == AIPKG_VULN_CACHE_ONLY)
		r = aipkg_statedir_check(ctx);
	else if (r == 0 && !keep)
		aipkg_ctx_warn(ctx, "the security database cached under %s is not used and this "
				    "download is not kept: other users can write there (see "
				    "'aipkg doctor')",
			       dir);
	for (size_t i = 0; r == 0 && i < sizeof(repos) / sizeof(repos[0]); i++) {
		struct source src = {0};

		r = source_init(&src, repos[i], db->source, dir, keep);
		if (r == 0)
			r = open_source(ctx, db, &src, mode);
		if (r == 0 &&
		    (!db->fetched_at || meta_time(src.meta, "checked_at") < db->fetched_at))
			db->fetched_at = meta_time(src.meta, "checked_at");
		source_release(&src);
	}
	if (r == 0)
		aipkg_secdb_finish(&db->secdb);
	free(dir);
	return r;
}

void aipkg_vuln_db_release(struct aipkg_vuln_db *db)
{
	aipkg_secdb_release(&db->secdb);
	free(db->branch);
	free(db->source);
	memset(db, 0, sizeof(*db));
}
