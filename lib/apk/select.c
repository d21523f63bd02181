/* Which package apk would take for a dependency on this root: tags, providers, priorities, apk 2 and 3. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apk/select.h"
#include "apk/version.h"

/*
 * One package apk could take for the name, as apk's solver sees it
 * (apk-tools src/solver.c: discover_name, inherit_pinning_and_flags,
 * select_package, compare_providers): a package is one identity, which
 * may be installed and in several repositories at once.
 */
struct sel_cand {
	const struct aipkg_pkg *pkg;  /* the first available record, else installed */
	const struct aipkg_pkg *inst; /* the installed record, or NULL */
	uint64_t repos;               /* bit i: in repository i */
	struct aipkg_slice version;   /* offered for the name; .ptr NULL: none */
	bool tag_ok;                  /* a repository the dependency may use */
	bool tag_pref;                /* a repository the dependency names */
	bool auto_ok;                 /* apk may choose it by itself */
};

struct sel_list {
	struct sel_cand *v;
	size_t n, cap;
	bool failed;
};

static uint64_t sel_repo_bit(int repo)
{
	return repo >= 0 && repo < 64 ? (uint64_t)1 << repo : 0;
}

const char *aipkg_repo_tag(const struct aipkg_state *st, int repo)
{
	if (repo < 0 || (size_t)repo >= st->nrepos)
		return NULL;
	return st->repos[repo].tag;
}

/* The repositories carrying the tag TAG of LEN bytes (0: the untagged ones). */
static uint64_t sel_tag_repos(const struct aipkg_state *st, const char *tag, size_t len)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < st->nrepos && i < 64; i++) {
		const char *t = st->repos[i].tag;
		bool untagged = !t || !*t;

		if (len == 0 ? untagged
			     : !untagged && strlen(t) == len && memcmp(t, tag, len) == 0)
			mask |= (uint64_t)1 << i;
	}
	return mask;
}

/* The same package: apk's identity is the checksum, when both have one. */
static bool sel_same(const struct aipkg_pkg *a, const struct aipkg_pkg *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->version, b->version) == 0 &&
	       (!*a->checksum || !*b->checksum || strcmp(a->checksum, b->checksum) == 0);
}

static struct sel_cand *sel_add(struct sel_list *l)
{
	if (l->failed)
		return NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct sel_cand *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->failed = true;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static void sel_offer(const struct aipkg_pkg *pkg, struct aipkg_slice version, void *ud)
{
	struct sel_cand *c = sel_add(ud);

	if (c) {
		c->pkg = pkg;
		/* p:name without "=version" offers no version */
		c->version = version.len ? version : (struct aipkg_slice){ NULL, 0 };
	}
}

static void sel_named(const struct aipkg_pkg *pkg, void *ud)
{
	sel_offer(pkg, aipkg_slice_str(pkg->version), ud);
}

static int sel_by_record(const void *a, const void *b)
{
	const struct aipkg_pkg *x = ((const struct sel_cand *)a)->pkg;
	const struct aipkg_pkg *y = ((const struct sel_cand *)b)->pkg;

	return x < y ? -1 : x > y;
}

/* The records of SET that are or offer NAME, in the set's order. */
static void sel_records(const struct aipkg_pkgset *set, struct aipkg_slice name,
			struct sel_list *out)
{
	char *cname = aipkg_slice_dup(name);

	if (!cname) {
		out->failed = true;
		return;
	}
	aipkg_pkgset_each_named(set, cname, sel_named, out);
	aipkg_pkgset_each_provider(set, name, sel_offer, out);
	free(cname);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), sel_by_record);
}

/* An index record joins the package it is a copy of, if listed. */
static bool sel_merge(struct sel_list *l, const struct aipkg_pkg *rec)
{
	for (size_t i = 0; i < l->n; i++) {
		struct sel_cand *c = &l->v[i];

		if (!sel_same(c->inst ? c->inst : c->pkg, rec))
			continue;
		if (c->pkg == c->inst)
			c->pkg = rec;
		c->repos |= sel_repo_bit(rec->repo);
		return true;
	}
	return false;
}

/* apk's providers of NAME: installed packages first (apk reads the
 * installed db before the indexes), then the packages only in indexes. */
static void sel_collect(const struct aipkg_state *st, struct aipkg_slice name, struct sel_list *l)
{
	struct sel_list avail = { NULL, 0, 0, false };

	sel_records(&st->installed, name, l);
	for (size_t i = 0; i < l->n; i++)
		l->v[i].inst = l->v[i].pkg;
	sel_records(&st->available, name, &avail);
	for (size_t i = 0; i < avail.n; i++) {
		struct sel_cand *c;

		if (sel_merge(l, avail.v[i].pkg) || !(c = sel_add(l)))
			continue;
		*c = avail.v[i];
		c->repos = sel_repo_bit(c->pkg->repo);
	}
	l->failed |= avail.failed;
	free(avail.v);
}

/* ---- one dependency, as apk's solver weighs its providers ---- */

struct sel_rules {
	const struct aipkg_state *st;
	const struct aipkg_dep *dep;
	unsigned flags;
	int major;
};

/* Is NAME a world entry's name?  Then apk has a requirer for it. */
static bool sel_in_world(const struct aipkg_state *st, const char *name)
{
	for (size_t i = 0; i < st->nworld; i++) {
		struct aipkg_dep d;

		if (aipkg_dep_parse(aipkg_slice_str(st->world[i]), &d) == 0 && !d.conflict &&
		    aipkg_slice_eq(d.name, name))
			return true;
	}
	return false;
}

/* The pinning of a world dependency (solver.c inherit_pinning_and_flags):
 * allowed are the untagged repositories and those of its tag, preferred
 * those of its tag (the untagged ones for an untagged dependency).  An
 * installed package also counts as in the repositories of the tag it was
 * installed with (s:). */
static void sel_pinning(const struct sel_rules *r, struct sel_cand *c)
{
	const struct aipkg_state *st = r->st;
	uint64_t pref = sel_tag_repos(st, r->dep->tag.ptr, r->dep->tag.len);
	uint64_t allowed = pref | sel_tag_repos(st, "", 0), repos = c->repos;

	if (c->inst)
		repos |= sel_tag_repos(st, c->inst->tag, strlen(c->inst->tag));
	c->tag_pref = (repos & pref) != 0;
	c->tag_ok = c->tag_pref || (repos & allowed) || c->inst || c->pkg->installed_size == 0;
	/* "Virtual packages without provider_priority cannot be
	 * autoselected", unless something requires the provider itself (a
	 * package of the name always offers its version), or, for apk 2.10.0
	 * to 2.12.9, it is the name's only provider */
	c->auto_ok = c->version.ptr || c->pkg->provider_priority || c->inst ||
		     sel_in_world(st, c->pkg->name) || (r->flags & AIPKG_SELECT_LONE_PROVIDER);
}

/* Does C meet the dependency's version, or checksum, constraint? */
static bool sel_meets(const struct aipkg_dep *dep, const struct sel_cand *c)
{
	if (dep->op == AIPKG_DEP_ANY)
		return true;
	if (dep->op & AIPKG_DEP_CHECKSUM)
		return aipkg_slice_eq(dep->version, c->pkg->checksum);
	return aipkg_dep_version_match(dep, c->version.ptr ? c->version.ptr : "");
}

static int sel_sign(bool a, bool b)
{
	return (int)a - (int)b;
}

/* The versions offered for the name: apk 2 cannot order a missing one
 * against a version (it goes on to the next rule), apk 3 puts it first. */
static int sel_offered(const struct sel_rules *r, const struct sel_cand *a,
		       const struct sel_cand *b)
{
	int v;

	if (!a->version.ptr || !b->version.ptr) {
		if (r->major == 2 || (!a->version.ptr && !b->version.ptr))
			return 0;
		return a->version.ptr ? 1 : -1;
	}
	v = aipkg_version_compare_rules(r->major, a->version, b->version, false);
	return v == AIPKG_VER_INVALID ? 0 : v;
}

static int sel_principal(const struct sel_rules *r, const struct sel_cand *a,
			 const struct sel_cand *b)
{
	int v;

	if (strcmp(a->pkg->name, b->pkg->name) != 0)
		return 0;
	v = aipkg_version_compare_rules(r->major, aipkg_slice_str(a->pkg->version),
					aipkg_slice_str(b->pkg->version), false);
	return v == AIPKG_VER_INVALID ? 0 : v;
}

static int sel_priority(const struct sel_cand *a, const struct sel_cand *b)
{
	return a->pkg->provider_priority > b->pkg->provider_priority   ? 1
	       : a->pkg->provider_priority < b->pkg->provider_priority ? -1
									: 0;
}

/* The lowest repository wins the last tie; an installed package in none
 * counts as the lowest (apk's ffs() of an empty set is 0). */
static int sel_lowest_repo(const struct sel_cand *a, const struct sel_cand *b)
{
	int fa = a->repos ? __builtin_ctzll(a->repos) + 1 : 0;
	int fb = b->repos ? __builtin_ctzll(b->repos) + 1 : 0;

	return fb - fa;
}

/* apk's compare_providers() for a world dependency, no --latest:
 * positive when A is preferred over B. */
static int sel_compare(const struct sel_rules *r, const struct sel_cand *a,
		       const struct sel_cand *b)
{
	bool upgrade = r->flags & AIPKG_SELECT_UPGRADE;
	int c;

	if ((c = sel_sign(a->tag_ok, b->tag_ok)) || (c = sel_sign(a->tag_pref, b->tag_pref)))
		return c;
	/* the installed one, unless upgrading; apk 3 only for the same name
	 * or where a version is offered */
	if (!upgrade && (r->major == 2 || strcmp(a->pkg->name, b->pkg->name) == 0 ||
			 a->version.ptr || b->version.ptr) &&
	    (c = sel_sign(a->inst != NULL, b->inst != NULL)))
		return c;
	if ((c = sel_offered(r, a, b)) || (c = sel_principal(r, a, b)))
		return c;
	if (r->major == 2) {
		if ((c = sel_sign(a->inst != NULL, b->inst != NULL)) || (c = sel_priority(a, b)))
			return c;
	} else if ((c = sel_priority(a, b)) || (c = sel_sign(a->inst != NULL, b->inst != NULL))) {
		return c;
	}
	return sel_lowest_repo(a, b);
}

/* The first tagged repository holding C. */
static const char *sel_tag_of(const struct aipkg_state *st, const struct sel_cand *c)
{
	for (size_t i = 0; i < st->nrepos && i < 64; i++)
		if ((c->repos & ((uint64_t)1 << i)) && st->repos[i].tag && *st->repos[i].tag)
			return st->repos[i].tag;
	return NULL;
}

/* select_package(): every provider against the one chosen so far, in
 * apk's order (the comparison is not transitive, so the order matters). */
static void sel_choose(const struct sel_rules *r, struct sel_list *l,
		       struct aipkg_selection *out)
{
	const struct sel_cand *chosen = NULL;
	bool refused_virtual = false;

	memset(out, 0, sizeof(*out));
	out->why = AIPKG_SELECT_NONE;
	for (size_t i = 0; i < l->n; i++) {
		struct sel_cand *c = &l->v[i];

		if (!sel_meets(r->dep, c))
			continue;
		out->nproviders++;
		sel_pinning(r, c);
		if (!c->auto_ok) {
			refused_virtual = true;
			continue;
		}
		if (!chosen || sel_compare(r, c, chosen) > 0)
			chosen = c;
	}
	if (!chosen) {
		out->why = refused_virtual ? AIPKG_SELECT_VIRTUAL : AIPKG_SELECT_NONE;
		return;
	}
	out->pkg = chosen->pkg;
	out->inst = chosen->inst;
	out->why = chosen->tag_ok ? AIPKG_SELECT_OK : AIPKG_SELECT_TAGGED;
	if (!chosen->tag_ok)
		out->tag = sel_tag_of(r->st, chosen);
}

/* The choice of apk MAJOR (2, 3; 0: the apk in use, asked only when
 * apk 2 and 3 would choose differently). */
static int sel_select(const struct aipkg_state *st, const struct aipkg_dep *dep, unsigned flags,
		      int major, struct aipkg_selection *out)
{
	struct sel_rules r3 = { st, dep, flags, 3 }, r2 = { st, dep, flags, 2 };
	struct sel_list l = { NULL, 0, 0, false };
	struct aipkg_selection two;

	memset(out, 0, sizeof(*out));
	out->why = AIPKG_SELECT_NONE;
	if (dep->conflict || !dep->name.len)
		return 0;
	sel_collect(st, dep->name, &l);
	if (!l.failed && major != 2)
		sel_choose(&r3, &l, out);
	/* the only provider of a virtual name: which apk 2 is it? */
	if (!l.failed && major == 0 && l.n == 1 && !l.v[0].version.ptr && !l.v[0].inst &&
	    !l.v[0].pkg->provider_priority && aipkg_version_apk_picks_lone_provider())
		r2.flags |= AIPKG_SELECT_LONE_PROVIDER;
	if (!l.failed && major != 3) {
		sel_choose(&r2, &l, &two);
		if (major == 2 || ((two.pkg != out->pkg || two.why != out->why) &&
				   aipkg_version_rules() == 2))
			*out = two;
	}
	free(l.v);
	return l.failed ? -ENOMEM : 0;
}

int aipkg_select_as(const struct aipkg_state *st, const struct aipkg_dep *dep, unsigned flags,
		    int major, struct aipkg_selection *out)
{
	return sel_select(st, dep, flags, major == 2 ? 2 : 3, out);
}

int aipkg_select(const struct aipkg_state *st, const struct aipkg_dep *dep, unsigned flags,
		 struct aipkg_selection *out)
{
	return sel_select(st, dep, flags, 0, out);
}

int aipkg_select_name(const struct aipkg_state *st, const char *name, unsigned flags,
		      struct aipkg_selection *out)
{
	struct aipkg_dep dep = { 0 };

	/* the tag of the name's world entry, if it has one */
	for (size_t i = 0; i < st->nworld; i++) {
		struct aipkg_dep d;

		if (aipkg_dep_parse(aipkg_slice_str(st->world[i]), &d) == 0 && !d.conflict &&
		    aipkg_slice_eq(d.name, name) && d.tag.len)
			dep.tag = d.tag;
	}
	dep.name = aipkg_slice_str(name);
	dep.version = (struct aipkg_slice){ "", 0 };
	if (!dep.tag.ptr)
		dep.tag = dep.version;
	return aipkg_select(st, &dep, flags, out);
}

struct sel_upgrade {
	const struct aipkg_pkg *inst, *best;
	uint64_t allowed;
};

static void sel_upgrade_one(const struct aipkg_pkg *pkg, void *ud)
{
	struct sel_upgrade *u = ud;

	if (!(sel_repo_bit(pkg->repo) & u->allowed))
		return;
	if (aipkg_version_compare(aipkg_slice_str(pkg->version),
				  aipkg_slice_str((u->best ? u->best : u->inst)->version)) ==
	    AIPKG_VER_GREATER)
		u->best = pkg;
}

/* apk_db_pkg_upgradable(): the same name, in a repository the installed
 * package's tag allows, newer. */
const struct aipkg_pkg *aipkg_select_upgrade(const struct aipkg_state *st,
					     const struct aipkg_pkg *inst)
{
	struct sel_upgrade u = { inst, NULL, sel_tag_repos(st, inst->tag, strlen(inst->tag)) };

	aipkg_pkgset_each_named(&st->available, inst->name, sel_upgrade_one, &u);
	return u.best;
}

const struct aipkg_pkg *aipkg_select_newest(const struct aipkg_state *st, const char *name)
{
	const struct aipkg_pkg *inst = aipkg_pkgset_find(&st->installed, name), *newer;
	struct aipkg_selection sel;

	if (inst)
		return (newer = aipkg_select_upgrade(st, inst)) ? newer : inst;
	if (aipkg_select_name(st, name, AIPKG_SELECT_UPGRADE, &sel) < 0 ||
	    sel.why != AIPKG_SELECT_OK || strcmp(sel.pkg->name, name) != 0)
		return NULL;
	return sel.pkg;
}

const struct aipkg_pkg **aipkg_select_providers(const struct aipkg_state *st,
						struct aipkg_slice name, size_t *n)
{
	struct sel_list l = { NULL, 0, 0, false };
	const struct aipkg_pkg **out;
	size_t k = 0;

	*n = 0;
	sel_collect(st, name, &l);
	out = l.failed ? NULL : malloc((l.n + 1) * sizeof(*out));
	for (size_t i = 0; out && i < l.n; i++) {
		size_t j;

		/* one per name: the newest */
		for (j = 0; j < k && strcmp(out[j]->name, l.v[i].pkg->name) != 0; j++)
			;
		if (j == k)
			out[k++] = l.v[i].pkg;
		else if (aipkg_version_compare(aipkg_slice_str(l.v[i].pkg->version),
					       aipkg_slice_str(out[j]->version)) == AIPKG_VER_GREATER)
			out[j] = l.v[i].pkg;
	}
	free(l.v);
	*n = out ? k : 0;
	return out;
}
