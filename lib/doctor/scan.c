/* aipkg doctor's read-only pass: damaged files, broken dependencies, world, repositories. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/search.h"
#include "apk/state.h"
#include "ctx.h"
#include "doctor/doctor.h"

static const char *const state_names[] = { "ok", "changed", "missing", "unreadable" };

json_t *aipkg_doctor_problem(const char *check, const char *severity, const char *fix,
			     const char *summary_fmt, ...)
{
	char summary[1024];
	va_list ap;

	va_start(ap, summary_fmt);
	vsnprintf(summary, sizeof(summary), summary_fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "check", check, "severity", severity,
			 "summary", summary, "cause", "", "fix", fix ? fix : "");
}

void aipkg_doctor_cause(json_t *problem, const char *fmt, ...)
{
	char cause[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	json_object_set_new(problem, "cause", json_string(cause));
}

/*
 * Files.  apk audit's rules: a system file (not under a protected path) is
 * reported changed or missing ("-path" ones only changed); files under
 * protected paths are configuration, which administrators change.
 */
static bool is_config(const struct aipkg_dbfile *f)
{
	return f->protect >= AIPKG_PROTECT_CHANGED;
}

static bool reported(const struct aipkg_dbfile *f)
{
	if (f->state == AIPKG_FILE_OK)
		return false;
	return f->state != AIPKG_FILE_MISSING || f->protect != AIPKG_PROTECT_IGNORE;
}

static const char *files_cause(size_t changed, size_t missing, size_t unreadable)
{
	if (unreadable && !changed && !missing)
		return "the files exist but cannot be read (permissions, or an I/O error: check "
		       "the disk with dmesg)";
	if (missing && !changed)
		return "deleted outside apk (by hand, a cleanup script, or a failing disk)";
	return "changed outside apk: the content no longer matches the checksum the installed "
	       "database records (edited by hand, a failing disk, or an intrusion: look before "
	       "you repair if you did not expect it)";
}

static json_t *files_problem(const struct aipkg_filedb *fdb, const struct aipkg_dbpkg *p,
			     json_t *files, const size_t count[4])
{
	size_t n = json_array_size(files);
	char fix[512];
	json_t *pr;
	char detail[128] = "";

	for (int s = AIPKG_FILE_CHANGED; s <= AIPKG_FILE_UNREADABLE; s++)
		if (count[s])
			snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "%s%zu %s",
				 *detail ? ", " : "", count[s], state_names[s]);
	snprintf(fix, sizeof(fix), "aipkg doctor --fix %s", p->name);
	pr = aipkg_doctor_problem("files", "error", fix, "%s %s: %zu system file%s damaged (%s)",
				  p->name, p->version, n, n == 1 ? "" : "s", detail);
	aipkg_doctor_cause(pr, "%s", files_cause(count[AIPKG_FILE_CHANGED],
						  count[AIPKG_FILE_MISSING],
						  count[AIPKG_FILE_UNREADABLE]));
	json_object_set_new(pr, "package", json_string(p->name));
	json_object_set_new(pr, "version", json_string(p->version));
	json_object_set_new(pr, "files", json_incref(files));
	return pr;
}

static void files_of(const struct aipkg_filedb *fdb, const struct aipkg_dbpkg *p,
		     json_t *problems, json_t *config)
{
	json_t *files = json_array();
	size_t count[4] = { 0 };
	char path[8192];

	for (uint32_t i = 0; i < p->nfiles; i++) {
		const struct aipkg_dbfile *f = &fdb->files[p->first_file + i];
		json_t *o;

		if (!reported(f))
			continue;
		o = json_pack("{s:s, s:s}", "path", aipkg_filedb_path(fdb, f, path, sizeof(path)),
			      "state", state_names[f->state]);
		if (is_config(f)) {
			json_object_set_new(o, "package", json_string(p->name));
			json_object_set_new(o, "version", json_string(p->version));
			json_array_append_new(config, o);
			continue;
		}
		count[f->state]++;
		json_array_append_new(files, o);
	}
	if (json_array_size(files))
		json_array_append_new(problems, files_problem(fdb, p, files, count));
	json_decref(files);
}

void aipkg_doctor_files(struct aipkg_ctx *ctx, const struct aipkg_filedb *fdb, json_t *problems,
			json_t *config)
{
	for (size_t i = 0; i < fdb->npkgs; i++)
		files_of(fdb, &fdb->pkgs[i], problems, config);
}

/*
 * Dependencies and world, against what is installed: one table of every
 * name an installed package provides (its own, and p: entries).
 */
struct provider {
	struct aipkg_slice name;
	struct aipkg_slice version; /* empty: a provides without a version */
	const struct aipkg_pkg *pkg;
};

struct providers {
	struct provider *v;
	size_t n, cap;
};

static int provider_order(const void *a, const void *b)
{
	const struct provider *x = a, *y = b;
	size_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
	int c = memcmp(x->name.ptr, y->name.ptr, n);

	return c ? c : (x->name.len > y->name.len) - (x->name.len < y->name.len);
}

static void providers_add(struct providers *pv, struct aipkg_slice name, struct aipkg_slice ver,
			  const struct aipkg_pkg *pkg)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 1024;
		struct provider *v = realloc(pv->v, cap * sizeof(*v));

		if (!v)
			return;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n++] = (struct provider){ name, ver, pkg };
}

static void providers_build(const struct aipkg_pkgset *set, struct providers *pv)
{
	memset(pv, 0, sizeof(*pv));
	for (size_t i = 0; i < set->n; i++) {
		const struct aipkg_pkg *p = &set->pkgs[i];

		providers_add(pv, aipkg_slice_str(p->name), aipkg_slice_str(p->version), p);
		for (size_t k = 0; k < p->provides.n; k++) {
			const char *e = p->provides.v[k], *eq = strchr(e, '=');
			struct aipkg_slice name = { e, eq ? (size_t)(eq - e) : strlen(e) };

			providers_add(pv, name, aipkg_slice_str(eq ? eq + 1 : ""), p);
		}
	}
	if (pv->n)
		qsort(pv->v, pv->n, sizeof(*pv->v), provider_order);
}

/* The installed package satisfying DEP, or NULL (apk's rule: a provides
 * without a version satisfies only a dependency without one). */
static const struct aipkg_pkg *satisfier(const struct providers *pv, const struct aipkg_dep *dep)
{
	struct provider key = { dep->name, { "", 0 }, NULL };
	const struct provider *hit = pv->n ? bsearch(&key, pv->v, pv->n, sizeof(*pv->v),
						      provider_order)
					   : NULL;

	if (!hit)
		return NULL;
	while (hit > pv->v && provider_order(hit - 1, &key) == 0)
		hit--;
	for (; hit < pv->v + pv->n && provider_order(hit, &key) == 0; hit++) {
		char ver[256];

		if (dep->op == AIPKG_DEP_ANY)
			return hit->pkg;
		if (dep->op == AIPKG_DEP_CHECKSUM) {
			if (aipkg_slice_eq(dep->version, hit->pkg->checksum))
				return hit->pkg;
			continue;
		}
		if (!hit->version.len || hit->version.len >= sizeof(ver))
			continue;
		memcpy(ver, hit->version.ptr, hit->version.len);
		ver[hit->version.len] = '\0';
		if (aipkg_dep_version_match(dep, ver))
			return hit->pkg;
	}
	return NULL;
}

/* The file of PROVIDER that a so: name is (its basename), and its state. */
static const struct aipkg_dbfile *so_file(const struct aipkg_filedb *fdb, const char *provider,
					  struct aipkg_slice so)
{
	const struct aipkg_dbpkg *p = fdb ? aipkg_filedb_pkg(fdb, provider) : NULL;

	if (!aipkg_slice_starts_with(so, "so:") || !p)
		return NULL;
	so.ptr += 3;
	so.len -= 3;
	for (uint32_t i = 0; i < p->nfiles; i++) {
		const struct aipkg_dbfile *f = &fdb->files[p->first_file + i];

		if (aipkg_slice_eq(so, f->name))
			return f;
	}
	return NULL;
}

static json_t *dep_problem(const struct aipkg_state *st, const struct aipkg_pkg *p,
			   const char *atom, const struct aipkg_dep *dep)
{
	char *name = aipkg_slice_dup(dep->name), fix[512] = "";
	bool offered = aipkg_state_provided(st, dep->name);
	json_t *pr;

	if (offered)
		snprintf(fix, sizeof(fix), "aipkg doctor --fix %s", p->name);
	pr = aipkg_doctor_problem("dependencies", "error", fix,
				  "%s %s needs %s, which nothing installed provides", p->name,
				  p->version, atom);
	if (offered)
		aipkg_doctor_cause(pr, "%s was removed while %s still needs it (a forced removal, "
				       "a package database edited by hand, or an interrupted apk); "
				       "%s may not work, and the next apk change installs it again",
				   name ? name : atom, p->name, p->name);
	else
		aipkg_doctor_cause(pr, "%s was removed while %s still needs it, and no configured "
				       "repository offers it: enable the repository that has it, "
				       "then run 'aipkg doctor --fix %s', or remove %s",
				   name ? name : atom, p->name, p->name, p->name);
	json_object_set_new(pr, "package", json_string(p->name));
	json_object_set_new(pr, "version", json_string(p->version));
	json_object_set_new(pr, "needs", json_string(atom));
	free(name);
	return pr;
}

/*
 * A so: library whose provider is installed but whose file is gone: one
 * problem per library, naming every package that needs it (a library
 * changed rather than deleted is its package's files problem already).
 */
static void so_gone(json_t *gone, const struct aipkg_filedb *fdb, const struct aipkg_pkg *p,
		    const struct aipkg_pkg *prov, const char *atom, const struct aipkg_dbfile *f)
{
	char path[4096];
	json_t *g;

	aipkg_filedb_path(fdb, f, path, sizeof(path));
	if (!(g = json_object_get(gone, path))) {
		g = json_pack("{s:s, s:s, s:s, s:s, s:[]}", "needs", atom, "provider", prov->name,
			      "version", prov->version, "path", path, "needed_by");
		json_object_set_new(gone, path, g);
	}
	json_array_append_new(json_object_get(g, "needed_by"), json_string(p->name));
}

static json_t *so_problem(const json_t *g)
{
	const char *prov = json_string_value(json_object_get(g, "provider"));
	const json_t *by = json_object_get(g, "needed_by"), *n;
	struct aipkg_buf names = AIPKG_BUF_INIT;
	char fix[512];
	json_t *pr;
	size_t i;

	json_array_foreach(by, i, n)
		aipkg_buf_addf(&names, "%s%s", i ? ", " : "", json_string_value(n));
	snprintf(fix, sizeof(fix), "aipkg doctor --fix %s", prov);
	pr = aipkg_doctor_problem("dependencies", "error", fix,
				  "%s is gone: its file %s (%s %s) is missing, and %s need%s it",
				  json_string_value(json_object_get(g, "needs")),
				  json_string_value(json_object_get(g, "path")), prov,
				  json_string_value(json_object_get(g, "version")),
				  aipkg_buf_str(&names), json_array_size(by) == 1 ? "s" : "");
	aipkg_doctor_cause(pr, "the library was deleted outside apk: the installed database still "
			       "lists %s, but the programs that need it cannot start",
			   prov);
	json_object_update(pr, (json_t *)g);
	json_object_del(pr, "version");
	json_object_set_new(pr, "package", json_string(prov));
	aipkg_buf_release(&names);
	return pr;
}

static void deps_of(const struct aipkg_state *st, const struct providers *pv,
		    const struct aipkg_filedb *fdb, const struct aipkg_pkg *p, json_t *problems,
		    json_t *gone)
{
	for (size_t k = 0; k < p->depends.n; k++) {
		const char *atom = p->depends.v[k];
		const struct aipkg_pkg *prov;
		const struct aipkg_dbfile *f;
		struct aipkg_dep dep;

		if (aipkg_dep_parse(aipkg_slice_str(atom), &dep) < 0 || dep.conflict)
			continue;
		prov = satisfier(pv, &dep);
		if (!prov)
			json_array_append_new(problems, dep_problem(st, p, atom, &dep));
		else if ((f = so_file(fdb, prov->name, dep.name)) && f->state == AIPKG_FILE_MISSING)
			so_gone(gone, fdb, p, prov, atom, f);
	}
}

static json_t *world_problem(const struct aipkg_state *st, const char *atom,
			     const struct aipkg_dep *dep)
{
	char *name = aipkg_slice_dup(dep->name), fix[512];
	bool offered = aipkg_state_provided(st, dep->name);
	json_t *pr;

	snprintf(fix, sizeof(fix), offered ? "aipkg install %s" : "apk del %s", name ? name : atom);
	pr = aipkg_doctor_problem("world", "error", fix,
				  "world entry '%s' is not satisfied by anything installed", atom);
	if (offered)
		aipkg_doctor_cause(pr, "etc/apk/world asks for it but it is not installed (removed "
				       "by a forced apk operation, or an install that failed); apk "
				       "will try to install it at its next change, and fails every "
				       "change while it cannot");
	else
		aipkg_doctor_cause(pr, "etc/apk/world asks for it but nothing installed or in the "
				       "configured repositories provides it, so every apk change "
				       "fails; drop the entry (apk del removes it from world) or "
				       "enable the repository that has it");
	json_object_set_new(pr, "entry", json_string(atom));
	free(name);
	return pr;
}

static void world_check(const struct aipkg_state *st, const struct providers *pv,
			json_t *problems)
{
	for (size_t i = 0; i < st->nworld; i++) {
		struct aipkg_dep dep;

		if (aipkg_dep_parse(aipkg_slice_str(st->world[i]), &dep) < 0 || dep.conflict)
			continue;
		if (!satisfier(pv, &dep))
			json_array_append_new(problems, world_problem(st, st->world[i], &dep));
	}
}

/* Installed packages no loaded index has at any version (virtual packages
 * such as .python-rundeps are nobody's to carry). */
static void orphans(const struct aipkg_state *st, json_t *problems)
{
	if (!aipkg_state_any_index(st))
		return;
	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *p = &st->installed.pkgs[i];
		json_t *pr;

		if (p->name[0] == '.' || aipkg_pkgset_find(&st->available, p->name))
			continue;
		pr = aipkg_doctor_problem("repositories", "warning", "",
					  "%s %s is in no configured repository", p->name,
					  p->version);
		aipkg_doctor_cause(pr, "Alpine dropped it, it was renamed, its repository was "
				       "removed from etc/apk/repositories, or it was installed from "
				       "a file; it gets no updates or security fixes: remove it "
				       "('aipkg remove %s') if it is no longer needed, or add the "
				       "repository that carries it",
				   p->name);
		json_object_set_new(pr, "package", json_string(p->name));
		json_object_set_new(pr, "version", json_string(p->version));
		json_array_append_new(problems, pr);
	}
}

void aipkg_doctor_deps(struct aipkg_ctx *ctx, const struct aipkg_state *st,
		       const struct aipkg_filedb *fdb, json_t *problems)
{
	struct providers pv;

	json_t *gone = json_object(), *g;
	const char *path;

	providers_build(&st->installed, &pv);
	for (size_t i = 0; i < st->installed.n; i++)
		deps_of(st, &pv, fdb, &st->installed.pkgs[i], problems, gone);
	json_object_foreach(gone, path, g)
		json_array_append_new(problems, so_problem(g));
	json_decref(gone);
	world_check(st, &pv, problems);
	orphans(st, problems);
	free(pv.v);
}

/*
 * The pass.
 */

static json_t *checked_json(const struct aipkg_filedb *fdb, const struct aipkg_verify_stats *vs,
			    bool files)
{
	json_t *c = json_pack("{s:I}", "packages", (json_int_t)fdb->npkgs);

	if (files)
		json_object_set_new(c, "files",
				    json_pack("{s:I, s:I, s:I, s:I, s:f, s:i}", "total",
					      (json_int_t)vs->files, "hashed", (json_int_t)vs->hashed,
					      "cached", (json_int_t)vs->cached, "bytes",
					      (json_int_t)vs->bytes, "seconds", vs->seconds,
					      "threads", vs->threads));
	return c;
}

/* Errors first, each group in the order found. */
static json_t *by_severity(json_t *problems)
{
	static const char *const order[] = { "error", "warning" };
	json_t *out = json_array(), *p;
	size_t i;

	for (size_t k = 0; k < 2; k++)
		json_array_foreach(problems, i, p)
			if (strcmp(json_string_value(json_object_get(p, "severity")), order[k]) == 0)
				json_array_append(out, p);
	json_decref(problems);
	return out;
}

int aipkg_doctor_scan_keep(struct aipkg_ctx *ctx, const struct aipkg_doctor_opts *opts,
			   struct aipkg_filedb *fdb, json_t **report)
{
	struct aipkg_verify_opts vo = { .rehash = opts->rehash, .save_cache = true };
	struct aipkg_verify_stats vs = { 0 };
	struct aipkg_state *st;
	json_t *problems, *config;
	int r;

	*report = NULL;
	memset(fdb, 0, sizeof(*fdb));
	st = aipkg_ctx_state(ctx, &r);
	if (!st)
		return r;
	r = aipkg_filedb_load(ctx, fdb);
	if (r == 0 && opts->files)
		r = aipkg_filedb_verify(ctx, fdb, &vo, &vs);
	if (r < 0)
		return r;
	problems = json_array();
	config = json_array();
	if (opts->files)
		aipkg_doctor_files(ctx, fdb, problems, config);
	aipkg_doctor_deps(ctx, st, opts->files ? fdb : NULL, problems);
	if (opts->state)
		aipkg_doctor_own_state(ctx, st, opts->refresh, problems);
	problems = by_severity(problems);
	*report = json_pack("{s:b, s:o, s:o, s:o}", "healthy", json_array_size(problems) == 0,
			    "problems", problems, "config", config, "checked",
			    checked_json(fdb, &vs, opts->files));
	return 0;
}

int aipkg_doctor_scan(struct aipkg_ctx *ctx, const struct aipkg_doctor_opts *opts,
		      json_t **report)
{
	struct aipkg_filedb fdb;
	int r = aipkg_doctor_scan_keep(ctx, opts, &fdb, report);

	aipkg_filedb_release(&fdb);
	return r;
}
