/* The read-only tools: pkg.search, pkg.info and pkg.list. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "apk/files.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/version.h"
#include "ctx.h"
#include "jsonutil.h"
#include "tools/tools.h"
#include "vuln/vuln.h"

static json_t *strv_json(const struct aipkg_strv *v)
{
	json_t *a = json_array();

	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

/* The short form used by list and search. */
static json_t *pkg_summary(const struct aipkg_state *st, const struct aipkg_pkg *pkg)
{
	const struct aipkg_pkg *inst = aipkg_state_installed(st, pkg->name);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", pkg->name, "version",
			      pkg->version, "description", pkg->description, "origin", pkg->origin,
			      "installed", inst != NULL);

	if (inst)
		json_object_set_new(o, "installed_version", json_string(inst->version));
	if (pkg->repo >= 0 && aipkg_repo_tag(st, pkg->repo))
		json_object_set_new(o, "repository_tag", json_string(aipkg_repo_tag(st, pkg->repo)));
	/* only an installed package can be locked (pkg.lock) */
	json_object_set_new(o, "locked", json_boolean(inst && aipkg_locked_atom(st, pkg->name)));
	return o;
}

static int need_state(struct aipkg_ctx *ctx, struct aipkg_state **st)
{
	int r;

	*st = aipkg_ctx_state(ctx, &r);
	return r;
}

/* "search /usr/sbin/nginx": the installed packages that own the paths
 * (as `apk info --who-owns`), with "owns": the path. */
static int search_paths(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *query,
			json_t **result)
{
	char *copy = strdup(query), *save = NULL;
	const char **paths = calloc(strlen(query) / 2 + 2, sizeof(*paths));
	json_t *owners = NULL, *unowned = NULL, *pkgs = json_array(), *o;
	size_t n = 0, i;
	int r = copy && paths ? 0 : -ENOMEM;

	for (char *p = copy ? strtok_r(copy, " \t\n", &save) : NULL; p;
	     p = strtok_r(NULL, " \t\n", &save))
		paths[n++] = p;
	if (r == 0)
		r = aipkg_files_who_owns(ctx, paths, n, &owners, &unowned);
	json_array_foreach(owners, i, o) {
		const struct aipkg_pkg *p = aipkg_state_installed(st, json_string_value(
									     json_object_get(o, "package")));
		json_t *s = p ? pkg_summary(st, p) : NULL;

		if (s)
			json_object_set(s, "owns", json_object_get(o, "path"));
		if (s)
			json_array_append_new(pkgs, s);
	}
	if (r == 0)
		*result = json_pack("{s:O}", "packages", pkgs);
	json_decref(owners);
	json_decref(unowned);
	json_decref(pkgs);
	free(paths);
	free(copy);
	return r;
}

int aipkg_tool_search(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	const char *query = json_string_value(json_object_get(args, "query"));
	unsigned flags = (aipkg_arg_bool(args, "description") ? AIPKG_SEARCH_DESCRIPTION : 0) |
			 (aipkg_arg_bool(args, "exact") ? AIPKG_SEARCH_EXACT : 0);
	const struct aipkg_pkg **hits;
	struct aipkg_state *st;
	char **terms = NULL;
	size_t n, nterms = 0;
	json_t *pkgs;
	int r = need_state(ctx, &st);

	if (r < 0)
		return r;
	if (aipkg_search_split(query, &terms, &nterms) < 0)
		return -ENOMEM;
	if (!nterms) {
		aipkg_strv_free(terms, nterms);
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "empty search: give a term such as 'nginx' or 'cmd:dig'");
	}
	if (terms[0][0] == '/') {
		aipkg_strv_free(terms, nterms);
		return search_paths(ctx, st, query, result);
	}
	hits = aipkg_search(st, (const char *const *)terms, nterms, flags, &n);
	aipkg_strv_free(terms, nterms);
	if (!hits)
		return -ENOMEM;
	pkgs = json_array();
	for (size_t i = 0; hits && i < n; i++)
		json_array_append_new(pkgs, pkg_summary(st, hits[i]));
	free(hits);
	*result = json_pack("{s:o}", "packages", pkgs);
	return 0;
}

static int no_such_package(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *name)
{
	json_t *close = aipkg_suggest(st, name, 5);
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int r;

	aipkg_json_join(&b, close, ", ");
	/* with no close name, what to do next rather than nothing */
	r = aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "no package named '%s'%s%s%s", name,
			   b.len ? " (did you mean: " : " (try 'aipkg search ",
			   b.len ? aipkg_buf_str(&b) : name,
			   b.len ? "?)" : "', or 'aipkg update' if the indexes are old)");
	aipkg_buf_release(&b);
	json_decref(close);
	return r;
}

/* The other packages that are or provide NAME, beside CHOSEN. */
static json_t *other_providers(const struct aipkg_state *st, const char *name,
			       const struct aipkg_pkg *chosen)
{
	size_t n;
	const struct aipkg_pkg **v = aipkg_select_providers(st, aipkg_slice_str(name), &n);
	json_t *a = json_array();

	for (size_t i = 0; v && i < n; i++)
		if (!chosen || strcmp(v[i]->name, chosen->name) != 0)
			json_array_append_new(a, json_string(v[i]->name));
	free(v);
	return a;
}

int aipkg_fail_virtual(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *name)
{
	json_t *who = other_providers(st, name, NULL);
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int r;

	aipkg_json_join(&b, who, ", ");
	r = aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG,
			   "'%s' is a virtual name, provided by %s, and apk will not choose "
			   "among them by itself: name one (aipkg info %s)",
			   name, aipkg_buf_str(&b), json_string_value(json_array_get(who, 0)));
	aipkg_buf_release(&b);
	json_decref(who);
	return r;
}

/*
 * What `info NAME` shows: the installed package of that name, else what
 * apk would install for NAME (a provider of a provided name, the package
 * of a tagged repository for "name@tag" in world), else a package only a
 * tagged repository offers (marked with its tag).
 */
static int info_target(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *name,
		       struct aipkg_selection *sel)
{
	int r;

	memset(sel, 0, sizeof(*sel));
	sel->inst = aipkg_state_installed(st, name);
	if (sel->inst) {
		sel->pkg = sel->inst;
		return 0;
	}
	r = aipkg_select_name(st, name, 0, sel);
	if (r < 0)
		return r;
	if (sel->why == AIPKG_SELECT_VIRTUAL)
		return aipkg_fail_virtual(ctx, st, name);
	if (!sel->pkg)
		return no_such_package(ctx, st, name);
	return 0;
}

int aipkg_tool_info(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	const char *name = json_string_value(json_object_get(args, "package"));
	const struct aipkg_pkg *inst, *pkg, *newest;
	struct aipkg_selection sel;
	const char *lock, *avail, *held;
	struct aipkg_state *st;
	int r = need_state(ctx, &st), kind = -1;
	json_t *o;

	if (r < 0)
		return r;
	if (!aipkg_name_valid(aipkg_slice_str(name)))
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME, "'%s' is not a valid package name", name);
	r = info_target(ctx, st, name, &sel);
	if (r < 0)
		return r;
	pkg = sel.pkg;
	inst = sel.inst ? sel.inst : aipkg_state_installed(st, pkg->name);
	if (inst)
		pkg = inst;
	/* what apk would upgrade it to (or install), by its tags */
	newest = aipkg_select_newest(st, pkg->name);
	avail = newest && (!inst || newest != inst ||
			   aipkg_pkgset_find(&st->available, inst->name))
		    ? newest->version
		    : NULL;
	lock = inst ? aipkg_locked_atom(st, pkg->name) : NULL;
	held = inst ? aipkg_held_atom(st, pkg->name, &kind) : NULL;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "name", pkg->name,
		      "version", pkg->version, "description", pkg->description, "url", pkg->url,
		      "license", pkg->license, "origin", pkg->origin, "arch", pkg->arch,
		      "installed", inst != NULL, "depends", strv_json(&pkg->depends), "provides",
		      strv_json(&pkg->provides), "required_by",
		      inst ? aipkg_required_by(st, inst) : json_array());
	json_object_set_new(o, "available", avail ? json_string(avail) : json_null());
	if (strcmp(pkg->name, name) != 0) {
		/* a provided name: what apk picks, and who else offers it */
		json_object_set_new(o, "provides_requested", json_string(name));
		json_object_set_new(o, "other_providers", other_providers(st, name, pkg));
	}
	if (sel.why == AIPKG_SELECT_TAGGED && !inst)
		json_object_set_new(o, "repository_tag", json_string(sel.tag ? sel.tag : ""));
	json_object_set_new(o, "installed_size", json_integer((json_int_t)pkg->installed_size));
	json_object_set_new(o, "size", json_integer((json_int_t)pkg->size));
	json_object_set_new(o, "locked", json_boolean(lock != NULL));
	json_object_set_new(o, "lock", lock ? json_string(lock) : json_null());
	if (held && kind != AIPKG_WORLD_LOCK)
		json_object_set_new(o, "world",
				    json_pack("{s:s, s:s}", "constraint", held, "kind",
					      aipkg_world_kind_name((enum aipkg_world_kind)kind)));
	/* from the cached secdb only: info never waits for the network */
	json_object_set_new(o, "vulnerabilities", aipkg_vuln_package(ctx, st, pkg));
	if (aipkg_arg_bool(args, "files")) {
		json_t *files = NULL;

		r = inst ? aipkg_files_of(ctx, inst->name, &files) : 0;
		json_object_set_new(o, "files", files ? files : json_array());
	}
	*result = o;
	return r;
}

/*
 * list's patterns as apk list takes them.  apk 3 (query.c): a pattern with
 * '*' or '?' is a glob over the whole name, case folded ("lib*", "LIB*"),
 * any other the name exactly.  apk 2 (database.c apk_name_foreach_matching):
 * when one pattern holds a '*', every pattern is a glob; else each is the
 * name exactly ("lib?cc" alone is no glob); 2.14 folds case, 2.12 and
 * older do not.  No patterns: every name.
 */
struct list_match {
	const json_t *patterns;
	bool glob;  /* apk 2: some pattern holds a '*' */
	int fnm;    /* fnmatch flags */
};

static void list_match_init(struct list_match *m, const json_t *patterns)
{
	const json_t *p;
	size_t i;

	m->patterns = json_array_size(patterns) ? patterns : NULL;
	m->glob = false;
	m->fnm = 0;
	json_array_foreach(m->patterns, i, p)
		if (json_string_value(p) && strchr(json_string_value(p), '*'))
			m->glob = true;
	if (m->patterns && !aipkg_version_apk_before_2_14())
		m->fnm = FNM_CASEFOLD;
}

static bool name_listed(const struct list_match *m, const char *name)
{
	const json_t *p;
	size_t i;

	if (!m->patterns)
		return true;
	json_array_foreach(m->patterns, i, p) {
		const char *pat = json_string_value(p);
		bool glob;

		if (!pat)
			continue;
		glob = aipkg_version_rules() >= 3 ? strpbrk(pat, "*?") != NULL : m->glob;
		if (glob ? fnmatch(pat, name, m->fnm) == 0 : strcmp(pat, name) == 0)
			return true;
	}
	return false;
}

/* Drop from the array PKGS the entries whose name no pattern takes. */
static void keep_listed(json_t *pkgs, const json_t *patterns)
{
	struct list_match m;

	list_match_init(&m, patterns);
	for (size_t i = json_array_size(pkgs); m.patterns && i-- > 0;) {
		const char *name = json_string_value(json_object_get(json_array_get(pkgs, i), "name"));

		if (!name_listed(&m, name ? name : ""))
			json_array_remove(pkgs, i);
	}
}

static json_t *list_installed(const struct aipkg_state *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < st->installed.n; i++)
		json_array_append_new(a, pkg_summary(st, &st->installed.pkgs[i]));
	return a;
}

static json_t *list_upgradable(const struct aipkg_state *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *inst = &st->installed.pkgs[i];
		/* as apk list --upgradable: only repositories its tag allows */
		const struct aipkg_pkg *best = aipkg_select_upgrade(st, inst);
		json_t *o;

		if (!best)
			continue;
		o = pkg_summary(st, inst);
		json_object_set_new(o, "available", json_string(best->version));
		json_array_append_new(a, o);
	}
	return a;
}

static int by_pkg_name(const void *a, const void *b)
{
	return strcmp((*(const struct aipkg_pkg *const *)a)->name,
		      (*(const struct aipkg_pkg *const *)b)->name);
}

/* What list --available shows: one package per name, its best version, in
 * name order (malloc'd, *n of them; NULL when out of memory). */
static const struct aipkg_pkg **available_sorted(const struct aipkg_state *st, size_t *n)
{
	const struct aipkg_pkg **v = malloc((st->available.n + 1) * sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < st->available.n; i++)
		if (aipkg_state_best(st, st->available.pkgs[i].name) == &st->available.pkgs[i])
			v[(*n)++] = &st->available.pkgs[i];
	qsort(v, *n, sizeof(*v), by_pkg_name);
	return v;
}

static json_t *list_available(const struct aipkg_state *st)
{
	json_t *a = json_array();
	size_t n;
	const struct aipkg_pkg **v = available_sorted(st, &n);

	for (size_t i = 0; v && i < n; i++)
		json_array_append_new(a, pkg_summary(st, v[i]));
	free(v);
	return a;
}

/* The installed package that satisfies world atom DEP: the package of that
 * name, else one that provides it (musl-utils provides libc-utils). */
static const struct aipkg_pkg *world_resolve(const struct aipkg_state *st,
					     const struct aipkg_dep *dep, const char *name)
{
	const struct aipkg_pkg *inst = aipkg_state_installed(st, name);

	for (size_t i = 0; !inst && i < st->installed.n; i++)
		if (aipkg_pkg_provides(&st->installed.pkgs[i], dep->name, NULL))
			inst = &st->installed.pkgs[i];
	return inst;
}

static json_t *list_world(const struct aipkg_state *st)
{
	json_t *a = json_array();

	for (size_t i = 0; i < st->nworld; i++) {
		struct aipkg_dep dep;
		const struct aipkg_pkg *inst = NULL;
		char *name = NULL;
		json_t *o;

		if (aipkg_dep_parse(aipkg_slice_str(st->world[i]), &dep) == 0 &&
		    (name = aipkg_slice_dup(dep.name)))
			inst = world_resolve(st, &dep, name);
		o = json_pack("{s:s, s:s, s:s?, s:b, s:b, s:s}", "name", name ? name : st->world[i],
			      "constraint", st->world[i], "version", inst ? inst->version : NULL,
			      "installed", inst != NULL, "locked",
			      inst && aipkg_locked_atom(st, name) == st->world[i], "kind",
			      aipkg_world_kind_name(aipkg_world_kind(st, st->world[i])));
		if (inst && name && strcmp(inst->name, name) != 0)
			json_object_set_new(o, "provided_by", json_string(inst->name));
		json_array_append_new(a, o);
		free(name);
	}
	return a;
}

/* The world's entries that lock a package, with the newer version held back. */
static json_t *list_locked(const struct aipkg_state *st)
{
	json_t *all = list_world(st), *a = json_array(), *held = aipkg_locked_held_back(st), *o, *h;
	size_t i, k;

	json_array_foreach(all, i, o) {
		if (!json_is_true(json_object_get(o, "locked")))
			continue;
		json_array_foreach(held, k, h)
			if (json_equal(json_object_get(h, "name"), json_object_get(o, "name")))
				json_object_set(o, "available", json_object_get(h, "available"));
		json_array_append(a, o);
	}
	json_decref(all);
	json_decref(held);
	return a;
}

static int by_name(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));

	return strcmp(x ? x : "", y ? y : "");
}

int aipkg_tool_list(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	const char *filter = json_string_value(json_object_get(args, "filter"));
	struct aipkg_state *st;
	json_t *pkgs;
	int r = need_state(ctx, &st);

	if (r < 0)
		return r;
	if (!filter || strcmp(filter, "installed") == 0)
		pkgs = list_installed(st);
	else if (strcmp(filter, "upgradable") == 0)
		pkgs = list_upgradable(st);
	else if (strcmp(filter, "available") == 0)
		pkgs = list_available(st);
	else if (strcmp(filter, "locked") == 0)
		pkgs = list_locked(st);
	else
		pkgs = list_world(st);
	keep_listed(pkgs, json_object_get(args, "patterns"));
	aipkg_json_sort(pkgs, by_name);
	*result = json_pack("{s:o}", "packages", pkgs);
	return 0;
}

int aipkg_tool_list_each(struct aipkg_ctx *ctx, json_t *args,
			 int (*each)(json_t *pkg, void *ud), void *ud)
{
	const struct aipkg_tool *tool = aipkg_tool_find("pkg.list");
	const char *filter = json_string_value(json_object_get(args, "filter"));
	const struct aipkg_pkg **v;
	struct aipkg_state *st = NULL;
	struct list_match m;
	json_t *result = NULL, *o;
	size_t n, i;
	bool locked;
	int r = tool ? aipkg_tool_begin(ctx, tool, args, &locked, NULL) : -ENOENT;

	if (r == 0 && (!filter || strcmp(filter, "available") != 0)) {
		/* the other lists are as long as the installed db: one array */
		r = aipkg_tool_list(ctx, args, &result);
		json_array_foreach(r == 0 ? json_object_get(result, "packages") : NULL, i, o)
			if ((r = each(o, ud)) != 0)
				break;
		json_decref(result);
		return r;
	}
	if (r == 0)
		r = need_state(ctx, &st);
	if (r < 0)
		return r;
	/* one package's object at a time: bounded whatever the index holds */
	list_match_init(&m, json_object_get(args, "patterns"));
	v = available_sorted(st, &n);
	if (!v)
		return -ENOMEM;
	for (i = 0; r == 0 && i < n; i++) {
		if (!name_listed(&m, v[i]->name))
			continue;
		o = pkg_summary(st, v[i]);
		r = o ? each(o, ud) : -ENOMEM;
		json_decref(o);
	}
	free(v);
	return r;
}
