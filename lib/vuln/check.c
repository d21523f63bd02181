/* Vulnerability checks for the tools: scanning packages, the install check, info. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/state.h"
#include "apk/version.h"
#include "ctx.h"
#include "http.h"
#include "vuln/db.h"
#include "vuln/match.h"
#include "vuln/severity.h"
#include "vuln/vuln.h"
#include "url.h"

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Does the newest version of NAME apk would take (by the repositories'
 * tags) reach FIXED? */
bool aipkg_vuln_fix_available(const struct aipkg_state *st, const char *name, const char *fixed)
{
	const struct aipkg_pkg *best = aipkg_select_newest(st, name);

	return best &&
	       aipkg_version_compare(aipkg_slice_str(best->version), aipkg_slice_str(fixed)) !=
		   AIPKG_VER_LESS &&
	       aipkg_version_validate(aipkg_slice_str(best->version));
}

/* Append PKG's findings to OUT; severities are filled in later. */
static int findings_add(const struct aipkg_vuln_db *db, const struct aipkg_state *st,
			const struct aipkg_pkg *pkg, bool installed, json_t *out)
{
	const char *origin = *pkg->origin ? pkg->origin : pkg->name;
	struct aipkg_vuln_hit *hits;
	size_t n;
	int r = aipkg_vuln_match(&db->secdb, origin, pkg->version, &hits, &n);

	for (size_t i = 0; r == 0 && i < n; i++)
		json_array_append_new(
		    out, json_pack("{s:s, s:s, s:s, s:s%, s:s, s:b, s:s, s:b}", "package",
				   pkg->name, "version", pkg->version, "origin", origin, "cve",
				   hits[i].id.ptr, hits[i].id.len, "fixed_in", hits[i].fixed_in,
				   "fix_available", aipkg_vuln_fix_available(st, pkg->name, hits[i].fixed_in),
				   "severity", "unknown", "installed", installed));
	free(hits);
	return r;
}

/* Fill in "severity" from vuln.severity; NETWORK allows lookups. */
static void severities_set(struct aipkg_ctx *ctx, json_t *findings, bool network)
{
	json_t *ids, *map, *f;
	size_t i;

	if (!ctx->cfg.vuln_severity || !json_array_size(findings))
		return; /* every severity stays "unknown" */
	ids = json_array();
	json_array_foreach(findings, i, f) json_array_append(ids, json_object_get(f, "cve"));
	map = aipkg_severity_lookup(ctx, ids, network);
	json_array_foreach(findings, i, f)
	{
		json_t *sev = json_object_get(map, str(f, "cve"));

		if (sev)
			json_object_set(f, "severity", sev);
	}
	json_decref(map);
	json_decref(ids);
}

static int by_package_then_cve(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(str(x, "package"), str(y, "package"));

	return c ? c : strverscmp(str(x, "cve"), str(y, "cve"));
}

static enum aipkg_severity finding_severity(const json_t *f)
{
	int s = aipkg_severity_parse(str(f, "severity"));

	return s < 0 ? AIPKG_SEV_UNKNOWN : (enum aipkg_severity)s;
}

static size_t count_failing(const json_t *findings, const char *level)
{
	const json_t *f;
	size_t i, n = 0;

	json_array_foreach(findings, i, f) n += aipkg_severity_counts(finding_severity(f), level);
	return n;
}

/* ---- scan ---- */

static json_t *secdb_json(const struct aipkg_vuln_db *db)
{
	char when[32], *source = aipkg_url_mask(db->source);
	struct tm tm;
	json_t *o;

	gmtime_r(&db->fetched_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:s?, s:s, s:I, s:b}", "branch", db->branch, "source", source,
		      "fetched_at", when, "age_seconds",
		      (json_int_t)difftime(time(NULL), db->fetched_at), "offline", db->offline);
	free(source);
	return o;
}

static void warn_skipped(struct aipkg_ctx *ctx, const struct aipkg_secdb *s)
{
	if (s->skipped_invalid == 1)
		aipkg_ctx_warn(ctx,
			       "the security database has a fixed version that is not a valid "
			       "apk version (%s); it was skipped",
			       s->skipped_example);
	else if (s->skipped_invalid)
		aipkg_ctx_warn(ctx,
			       "the security database has %zu fixed versions that are not "
			       "valid apk versions (the first: %s); they were skipped",
			       s->skipped_invalid, s->skipped_example);
}

static void warn_unknown_levels(struct aipkg_ctx *ctx, const char *fail_on)
{
	if (fail_on && strcmp(fail_on, "any") != 0 && !ctx->cfg.vuln_severity)
		aipkg_ctx_warn(ctx,
			       "no severity source is configured (vuln.severity), so every "
			       "severity is unknown, and unknown counts as reaching --fail-on "
			       "%s",
			       fail_on);
}

/* A named package: installed, else its newest available version. */
static int scan_named(struct aipkg_ctx *ctx, const struct aipkg_vuln_db *db,
		      const struct aipkg_state *st, const char *name, json_t *out)
{
	const struct aipkg_pkg *inst, *pkg;
	json_t *close;
	int r;

	if (!aipkg_name_valid(aipkg_slice_str(name)))
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME, "'%s' is not a valid package name",
				      name);
	inst = aipkg_state_installed(st, name);
	pkg = inst ? inst : aipkg_state_best(st, name);
	if (pkg)
		return findings_add(db, st, pkg, inst != NULL, out);
	close = aipkg_suggest(st, name, 3);
	r = aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "no package '%s' is installed or available%s%s",
			   name, json_array_size(close) ? "; did you mean " : "",
			   json_array_size(close) ? json_string_value(json_array_get(close, 0))
						  : "");
	json_decref(close);
	return r;
}

static int scan_targets(struct aipkg_ctx *ctx, const struct aipkg_vuln_db *db,
			const struct aipkg_state *st, const struct aipkg_vuln_scan *scan,
			json_t *out, size_t *scanned)
{
	int r = 0;

	*scanned = scan->packages ? scan->npackages : st->installed.n;
	for (size_t i = 0; r == 0 && scan->packages && i < scan->npackages; i++)
		r = scan_named(ctx, db, st, scan->packages[i], out);
	for (size_t i = 0; r == 0 && !scan->packages && i < st->installed.n; i++)
		r = findings_add(db, st, &st->installed.pkgs[i], true, out);
	return r;
}

static json_t *scan_result(struct aipkg_ctx *ctx, const struct aipkg_vuln_db *db, json_t *found,
			   size_t scanned, const char *fail_on)
{
	json_t *r = json_pack("{s:o, s:I, s:o, s:I, s:s?, s:s?}", "vulnerabilities", found,
			      "scanned", (json_int_t)scanned, "secdb", secdb_json(db),
			      "skipped_invalid", (json_int_t)db->secdb.skipped_invalid,
			      "severity_source", ctx->cfg.vuln_severity, "fail_on", fail_on);

	json_object_set_new(
	    r, "failing", json_integer((json_int_t)(fail_on ? count_failing(found, fail_on) : 0)));
	return r;
}

int aipkg_vuln_scan(struct aipkg_ctx *ctx, const struct aipkg_vuln_scan *scan, json_t **result)
{
	struct aipkg_vuln_db db;
	struct aipkg_state *st;
	json_t *found = json_array();
	size_t scanned = 0;
	int r;

	st = aipkg_ctx_state(ctx, &r);
	if (st)
		r = aipkg_vuln_db_open(ctx, st,
				       scan->refresh ? AIPKG_VULN_REFRESH : AIPKG_VULN_AUTO, &db);
	else
		memset(&db, 0, sizeof(db));
	if (r == 0)
		r = scan_targets(ctx, &db, st, scan, found, &scanned);
	if (r == 0) {
		warn_skipped(ctx, &db.secdb);
		warn_unknown_levels(ctx, scan->fail_on);
		severities_set(ctx, found, true);
		aipkg_json_sort(found, by_package_then_cve);
		*result = scan_result(ctx, &db, json_incref(found), scanned, scan->fail_on);
	}
	json_decref(found);
	aipkg_vuln_db_release(&db);
	return r;
}

/* ---- the check before an install ---- */

struct lookup {
	const char *version;
	const struct aipkg_pkg *found;
};

static void version_is(const struct aipkg_pkg *pkg, void *ud)
{
	struct lookup *l = ud;

	if (strcmp(pkg->version, l->version) == 0)
		l->found = pkg;
}

/* The package record apk plans to install: NAME at VERSION in the indexes
 * (for its origin), else a record with only what the plan says. */
static struct aipkg_pkg planned_pkg(const struct aipkg_state *st, const char *name,
				    const char *version)
{
	struct lookup l = {version, NULL};
	struct aipkg_pkg p = {0};

	aipkg_pkgset_each_named(&st->available, name, version_is, &l);
	if (l.found)
		return *l.found;
	p.name = name;
	p.version = version;
	p.origin = name;
	return p;
}

static int plan_findings(const struct aipkg_vuln_db *db, const struct aipkg_state *st,
			 const json_t *plan, json_t *out)
{
	const json_t *c;
	size_t i;
	int r = 0;

	json_array_foreach(plan, i, c)
	{
		const char *to = json_string_value(json_object_get(c, "to"));
		struct aipkg_pkg p;

		if (!to || strcmp(str(c, "action"), "remove") == 0)
			continue;
		p = planned_pkg(st, str(c, "name"), to);
		r = findings_add(db, st, &p, false, out);
		if (r < 0)
			break;
	}
	return r;
}

/* "curl 8.9.0-r0: CVE-2024-6197, CVE-2024-7264 (fixed in 8.10.0-r0, available)"
 * for the findings FROM..TO (one package). */
static void describe_package(const json_t *found, size_t from, size_t to, struct aipkg_buf *b)
{
	const json_t *f = json_array_get(found, from);
	const char *fixed = str(f, "fixed_in");
	bool avail = true;

	aipkg_buf_addf(b, "%s %s: ", str(f, "package"), str(f, "version"));
	for (size_t i = from; i < to; i++) {
		f = json_array_get(found, i);
		aipkg_buf_addf(b, "%s%s", i > from ? ", " : "", str(f, "cve"));
		if (aipkg_version_compare_str(str(f, "fixed_in"), fixed) == '>')
			fixed = str(f, "fixed_in");
		avail &= json_is_true(json_object_get(f, "fix_available"));
	}
	aipkg_buf_addf(b, " (fixed in %s, %s)", fixed,
		       avail ? "available now" : "not in the repositories yet");
}

/* One line per package into B, each findings run found by package name. */
static void describe(const json_t *found, struct aipkg_buf *b, const char *sep)
{
	size_t n = json_array_size(found), start = 0;

	for (size_t i = 1; i <= n; i++) {
		if (i < n && strcmp(str(json_array_get(found, i), "package"),
				    str(json_array_get(found, start), "package")) == 0)
			continue;
		if (start)
			aipkg_buf_addstr(b, sep);
		describe_package(found, start, i, b);
		start = i;
	}
}

static int refuse_or_warn(struct aipkg_ctx *ctx, const json_t *found,
			  enum aipkg_vuln_plan_mode mode)
{
	const char *level =
	    ctx->cfg.vuln_fail_on ? ctx->cfg.vuln_fail_on : AIPKG_VULN_FAIL_ON_DEFAULT;
	struct aipkg_buf b = AIPKG_BUF_INIT;
	size_t failing = count_failing(found, level);
	int r = 0;

	if (mode == AIPKG_VULN_PLAN_REPORT)
		return 0;
	describe(found, &b, "; ");
	if (failing && mode == AIPKG_VULN_PLAN_REFUSE)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_VULNERABLE,
				   "refusing to install known-vulnerable versions (at or above "
				   "vuln.fail_on '%s'): %s; nothing changed: install a fixed "
				   "version ('aipkg update' refreshes the indexes), or use --force",
				   level, aipkg_buf_str(&b));
	else
		aipkg_ctx_warn(ctx, "installing known-vulnerable versions%s: %s",
			       failing ? " (--force)" : "", aipkg_buf_str(&b));
	aipkg_buf_release(&b);
	return r;
}

static void warn_stale(struct aipkg_ctx *ctx, const struct aipkg_vuln_db *db)
{
	double age = difftime(time(NULL), db->fetched_at);
	char text[32];

	if (ctx->cfg.vuln_max_age > 0 && age > ctx->cfg.vuln_max_age)
		aipkg_ctx_warn(ctx,
			       "the security database was refreshed %s ago; run 'aipkg "
			       "check-vuln --refresh' for current data",
			       aipkg_age_text(age, text, sizeof(text)));
}

/*
 * The cached secdb could not be opened (R): go on without the check when
 * none was ever cached (one warning) or when told to (--force); a cache
 * aipkg wrote that cannot be read, or a configuration error, stops the
 * install: an unreadable cache must never turn the check off.
 */
static int unchecked(struct aipkg_ctx *ctx, int r, enum aipkg_vuln_plan_mode mode)
{
	char *why;

	if (r == -ENOMEM || r == -AIPKG_E_CONFIG)
		return r;
	/* a request shows "not checked" with its plan: no warning besides */
	if (r == -ENOENT && mode == AIPKG_VULN_PLAN_REPORT)
		return 0;
	if (r == -ENOENT || mode == AIPKG_VULN_PLAN_FORCE) {
		aipkg_ctx_warn(ctx, "%s; installing without a vulnerability check%s",
			       aipkg_ctx_why(ctx, r), r == -ENOENT ? "" : " (--force)");
		return 0;
	}
	why = strdup(aipkg_ctx_why(ctx, r));
	r = aipkg_ctx_fail(ctx, r, "%s; nothing was installed: the vulnerability check is not "
				   "skipped for that (--force installs without it)",
			   why ? why : "");
	free(why);
	return r;
}

/* Does PLAN put any version on the system (what the check is about)? */
static bool plan_installs(const json_t *plan)
{
	const json_t *c;
	size_t i;

	json_array_foreach(plan, i, c)
		if (json_string_value(json_object_get(c, "to")) &&
		    strcmp(str(c, "action"), "remove") != 0)
			return true;
	return false;
}

int aipkg_vuln_check_plan(struct aipkg_ctx *ctx, const struct aipkg_state *st, const json_t *plan,
			  enum aipkg_vuln_plan_mode mode, json_t *extra)
{
	struct aipkg_vuln_db db;
	json_t *found;
	int r;

	/* nothing installed: no check to do, and no warning that none was done */
	if (!plan_installs(plan)) {
		json_object_set_new(extra, "vulnerabilities", json_array());
		return 0;
	}
	r = aipkg_vuln_db_open(ctx, st, AIPKG_VULN_CACHE_ONLY, &db);

	if (r < 0) {
		aipkg_vuln_db_release(&db);
		json_object_set_new(extra, "vulnerabilities", json_null());
		return unchecked(ctx, r, mode);
	}
	warn_stale(ctx, &db);
	found = json_array();
	r = plan_findings(&db, st, plan, found);
	if (r == 0 && json_array_size(found)) {
		severities_set(ctx, found, false);
		aipkg_json_sort(found, by_package_then_cve);
		r = refuse_or_warn(ctx, found, mode);
	}
	json_object_set_new(extra, "vulnerabilities", found);
	aipkg_vuln_db_release(&db);
	return r;
}

json_t *aipkg_vuln_package(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			   const struct aipkg_pkg *pkg)
{
	struct aipkg_vuln_db db;
	json_t *found = NULL;

	if (aipkg_vuln_db_open(ctx, st, AIPKG_VULN_CACHE_ONLY, &db) == 0) {
		found = json_array();
		if (findings_add(&db, st, pkg, aipkg_state_installed(st, pkg->name) == pkg,
				 found) == 0) {
			severities_set(ctx, found, false);
			aipkg_json_sort(found, by_package_then_cve);
		}
	}
	aipkg_vuln_db_release(&db);
	return found ? found : json_null();
}
