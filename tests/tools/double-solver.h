/* apk-double's solver: pick packages for the world, order the changes, explain failures. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TEST_DOUBLE_SOLVER_H
#define AIPKG_TEST_DOUBLE_SOLVER_H

/*
 * Included once, by apk-double.c.  Selection is simpler than apk's
 * (top-down, first fit, restarted with what it learned when a later
 * constraint rejects an earlier choice), but it ranks candidates with the
 * same rules as apk's compare_providers().  The change list, its order and
 * the "unable to select packages" report follow apk 2.14's solver.c and
 * commit.c, so output matches the real apk on ordinary repositories.
 */
#include "double-db.h"

enum {
	SF_UPGRADE = 1,
	SF_LATEST = 2,
	SF_REINSTALL = 4,
	SF_INSTALLED = 8,
	SF_AVAILABLE = 16,
};

#define PIN_DEFAULT 1u

struct change {
	struct pkg *old, *new;
	int old_tag, new_tag;
	bool reinstall;
};

struct changeset {
	struct change *v;
	size_t n, cap;
	int errors;
	size_t installs, removes, adjusts;
};

/* A constraint on a name: from the world (FROM NULL) or a chosen package. */
struct cons {
	struct pkg *from;
	const struct dep *dep;
	unsigned pins, flags;
};

static struct {
	struct cons *cur, *hints;
	size_t ncur, ccur, nhints, chints;
	struct name **queue;
	size_t nqueue, cqueue, qhead;
	bool restart;
	int errors;
} sv;

/* ---- pinning ---- */

static unsigned repos_for_pins(unsigned pins)
{
	unsigned r = 0;

	for (size_t t = 0; t < db.ntags; t++)
		if (pins & (1u << t))
			r |= db.tags[t].allowed;
	return r;
}

static unsigned tag_id(const char *name)
{
	for (size_t t = 1; name && t < db.ntags; t++)
		if (!strcmp(db.tags[t].name, name))
			return (unsigned)t;
	return 0;
}

/* The repositories a package counts as coming from (get_pkg_repos). */
static unsigned pkg_repos(const struct pkg *p)
{
	unsigned r = p->repos;

	if (p->installed)
		r |= db.tags[tag_id(p->inst_tag)].allowed;
	return r;
}

static bool pkg_tag_ok(const struct pkg *p, unsigned pins)
{
	return p->installed || p->is_virtual || p->file ||
	       (pkg_repos(p) & repos_for_pins(pins | PIN_DEFAULT));
}

/* get_tag(): the first allowed tag whose repositories carry the package. */
static int pkg_tag(const struct pkg *p, unsigned pins)
{
	for (size_t t = 0; t < db.ntags; t++)
		if ((pins & (1u << t)) && (db.tags[t].allowed & pkg_repos(p)))
			return (int)t;
	return 0;
}

static bool pkg_available(const struct pkg *p)
{
	return (p->repos & db.available) || p->installed || p->is_virtual || p->file;
}

/* ---- selection ---- */

static void mark_error(struct pkg *p)
{
	if (!p || p->error)
		return;
	p->error = true;
	sv.errors++;
}

static bool cons_known(const struct cons *c)
{
	for (size_t i = 0; i < sv.nhints; i++)
		if (sv.hints[i].dep == c->dep && sv.hints[i].from == c->from)
			return true;
	return false;
}

static void add_cons(struct pkg *from, const struct dep *d, unsigned pins, unsigned flags)
{
	struct name *n = d->name;
	struct cons *c = xgrow(&sv.cur, &sv.ccur, sv.ncur++, sizeof(*c));

	*c = (struct cons){from, d, pins, flags};
	if (!d->conflict) {
		n->requirers++;
		n->pins |= pins;
	}
	if (n->locked && n->chosen.pkg) {
		if (!dep_is_provided(d, &n->chosen) && !cons_known(c)) {
			/* a choice made earlier breaks this: remember it, try again */
			*(struct cons *)xgrow(&sv.hints, &sv.chints, sv.nhints++, sizeof(*c)) = *c;
			sv.restart = true;
		} else if (!d->conflict) {
			n->chosen.pkg->pin_allowed |= pins;
			n->chosen.pkg->flags_inh |= flags;
		}
	}
	if (!d->conflict && !n->locked && !n->queued) {
		n->queued = true;
		*(struct name **)xgrow(&sv.queue, &sv.cqueue, sv.nqueue++, sizeof(n)) = n;
	}
}

/* Does P break a constraint of CONS[0..N)? */
static bool breaks_any(struct pkg *p, const struct cons *cons, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (dep_analyze(cons[i].dep, p) == DEP_CONFLICTS)
			return true;
	return false;
}

/* Would choosing P take a name another chosen package holds? */
static bool clashes(struct pkg *p)
{
	struct name *n = p->name;

	if (n->locked && n->chosen.pkg && n->chosen.pkg != p)
		return true;
	for (size_t i = 0; i < p->provides.n; i++) {
		n = p->provides.v[i].name;
		if (!n->locked || !n->chosen.pkg || n->chosen.pkg == p)
			continue;
		if (p->provides.v[i].version || n->chosen.version)
			return true;
	}
	return false;
}

struct cand {
	const struct provider *p;
	bool selectable, hint_ok, tag_ok, tag_pref, upgrade;
};

/* Versions offered for a name: apk 2 cannot order a missing one against
 * a version (the next rule decides), apk 3 puts it first. */
static int vcmp_null(const char *a, const char *b)
{
	unsigned r;

	if (!a || !b)
		return db.major >= 3 ? (a != NULL) - (b != NULL) : 0;
	r = version_cmp(a, b, false);
	return r == V_GREATER ? 1 : r == V_LESS ? -1 : 0;
}

/* compare_providers(): > 0 when A is the better choice. */
static int cand_cmp(const struct cand *a, const struct cand *b)
{
	struct pkg *pa = a->p->pkg, *pb = b->p->pkg;
	int r;

	if ((r = a->selectable - b->selectable) || (r = a->hint_ok - b->hint_ok))
		return r;
	if ((r = a->tag_ok - b->tag_ok) || (r = a->tag_pref - b->tag_pref))
		return r;
	/* apk 3 keeps the installed one only against the same name or where
	 * a version is offered */
	if (!(a->upgrade || b->upgrade) &&
	    (db.major < 3 || pa->name == pb->name || a->p->version || b->p->version) &&
	    (r = pa->installed - pb->installed))
		return r;
	if ((r = vcmp_null(a->p->version, b->p->version)))
		return r;
	if (pa->name == pb->name && (r = vcmp_null(pa->version, pb->version)))
		return r;
	/* apk 2: installed, then priority; apk 3 the other way round */
	if (db.major < 3 && (r = pa->installed - pb->installed))
		return r;
	if (pa->priority != pb->priority)
		return pa->priority > pb->priority ? 1 : -1;
	if ((r = pa->installed - pb->installed))
		return r;
	return __builtin_ffs((int)pb->repos) - __builtin_ffs((int)pa->repos);
}

static void assign(struct name *n, struct pkg *p, const char *version)
{
	if (n->locked && n->chosen.pkg) {
		if (n->chosen.pkg == p || (!version && !n->chosen.version))
			return;
		mark_error(p);
		mark_error(n->chosen.pkg);
		return;
	}
	n->locked = true;
	n->chosen = (struct provider){p, version};
}

static void choose(struct pkg *p)
{
	unsigned flags = p->name->sflags, inh = p->name->sflags_inh;

	p->pin_allowed = PIN_DEFAULT;
	for (size_t i = 0; i < sv.ncur; i++) {
		if (dep_analyze(sv.cur[i].dep, p) != DEP_SATISFIES || sv.cur[i].dep->conflict)
			continue;
		p->pin_allowed |= sv.cur[i].pins;
		flags |= sv.cur[i].flags;
		inh |= sv.cur[i].flags;
	}
	p->flags = flags;
	p->flags_inh = inh;
	assign(p->name, p, p->version);
	for (size_t i = 0; i < p->provides.n; i++)
		assign(p->provides.v[i].name, p, p->provides.v[i].version);
	for (size_t i = 0; i < p->depends.n; i++)
		add_cons(p, &p->depends.v[i], p->pin_allowed, p->flags_inh);
}

/* The pinning a world dependency prefers (apk: only its own tag). */
static unsigned pref_pins(struct name *n)
{
	for (size_t i = 0; i < sv.ncur; i++)
		if (!sv.cur[i].from && sv.cur[i].dep->name == n && !sv.cur[i].dep->conflict)
			return 1u << sv.cur[i].dep->tag;
	return PIN_DEFAULT;
}

static void select_name(struct name *n)
{
	struct cand best = {0}, c;
	unsigned upgrade = n->sflags & SF_UPGRADE;

	for (size_t i = 0; i < sv.ncur; i++)
		if (sv.cur[i].dep->name == n)
			upgrade |= sv.cur[i].flags & SF_UPGRADE;
	for (size_t i = 0; i < n->nprov; i++) {
		const struct provider *p = &n->prov[i];
		struct pkg *pkg = p->pkg;
		/* a virtual provider is never picked on its own */
		if (!p->version && !pkg->priority && !pkg->name->requirers)
			continue;
		c = (struct cand){
		    .p = p,
		    .selectable =
			pkg_available(pkg) && !breaks_any(pkg, sv.cur, sv.ncur) && !clashes(pkg),
		    .hint_ok = !breaks_any(pkg, sv.hints, sv.nhints),
		    .tag_ok = pkg_tag_ok(pkg, n->pins),
		    .tag_pref = pkg->is_virtual || pkg->file ||
				(pkg_repos(pkg) & repos_for_pins(pref_pins(n))),
		    .upgrade = (upgrade | pkg->name->sflags) & SF_UPGRADE,
		};
		if (!best.p || cand_cmp(&c, &best) > 0)
			best = c;
	}
	if (best.p)
		choose(best.p->pkg);
}

/* Packages whose install_if is now met join as if the world asked. */
static bool add_install_if(void)
{
	static struct dep *iif_deps;
	static size_t niif, ciif;
	bool added = false;

	for (size_t i = 0; i < db.npkgs; i++) {
		struct pkg *p = db.pkgs[i];
		bool ok = p->iif.n > 0 && !p->name->locked && !p->name->queued;
		for (size_t j = 0; ok && j < p->iif.n; j++) {
			const struct dep *d = &p->iif.v[j];
			ok = d->conflict
				 ? !d->name->chosen.pkg
				 : d->name->chosen.pkg && dep_is_provided(d, &d->name->chosen);
		}
		if (!ok)
			continue;
		struct dep *d = xgrow(&iif_deps, &ciif, niif++, sizeof(*d));
		*d = (struct dep){.name = p->name, .mask = DEPMASK_ANY};
		add_cons(NULL, d, PIN_DEFAULT, 0);
		added = true;
	}
	return added;
}

static void solve_reset(void)
{
	for (size_t i = 0; i < db.nnames; i++) {
		struct name *n = db.names[i];
		n->chosen = (struct provider){0};
		n->locked = n->queued = false;
		n->chain = -1;
		n->requirers = 0;
		n->pins = 0;
		n->state = 0;
	}
	for (size_t i = 0; i < db.npkgs; i++) {
		struct pkg *p = db.pkgs[i];
		p->error = p->marked = p->in_cs = false;
		p->flags = p->flags_inh = 0;
		p->pin_allowed = PIN_DEFAULT;
		p->state = 0;
	}
	sv.ncur = sv.nqueue = sv.qhead = 0;
	sv.restart = false;
	sv.errors = 0;
}

/* apk's max_dep_chain: how deep the dependencies below a name go. */
static int dep_chain(struct name *n, int depth)
{
	int best = 0;

	if (n->chain >= 0)
		return n->chain;
	if (depth > 64)
		return 0;
	n->chain = 0; /* a cycle counts as nothing */
	for (size_t i = 0; i < n->nprov; i++) {
		const struct pkg *p = n->prov[i].pkg;
		for (size_t j = 0; j < p->depends.n; j++) {
			int c = dep_chain(p->depends.v[j].name, depth + 1) + 1;
			best = c > best ? c : best;
		}
	}
	return n->chain = best;
}

/* apk's reverse_deps_done and !has_options: everything that needs N is
 * decided and at most one candidate is left, so N can be decided now. */
static bool name_ready(const struct name *n)
{
	int options = 0;

	for (size_t i = 0; i < n->nrdeps; i++)
		if (n->rdeps[i]->queued && !n->rdeps[i]->locked)
			return false;
	for (size_t i = 0; i < n->nprov; i++) {
		struct pkg *p = n->prov[i].pkg;
		options += pkg_available(p) && !breaks_any(p, sv.cur, sv.ncur) && !clashes(p);
	}
	return options <= 1;
}

/*
 * The next name to resolve, as apk dequeues them: newest first, a name
 * that can be decided at once before the others, else the deepest
 * dependency chain.
 */
static struct name *next_name(void)
{
	struct name *best = NULL;
	size_t at = 0;

	for (size_t i = sv.nqueue; i-- > sv.qhead;) {
		struct name *n = sv.queue[i];
		if (n->locked)
			continue;
		if (name_ready(n)) {
			best = n;
			at = i;
			break;
		}
		if (!best || dep_chain(n, 0) > dep_chain(best, 0)) {
			best = n;
			at = i;
		}
	}
	if (best) {
		memmove(&sv.queue[at], &sv.queue[at + 1], (sv.nqueue - at - 1) * sizeof(*sv.queue));
		sv.nqueue--;
	}
	return best;
}

static void solve_pass(const struct deps *world, unsigned flags)
{
	solve_reset();
	for (size_t i = 0; i < world->n; i++) {
		const struct dep *d = &world->v[i];
		add_cons(NULL, d, PIN_DEFAULT | (1u << d->tag), flags | d->name->sflags_inh);
	}
	do {
		struct name *n;
		while ((n = next_name()))
			select_name(n);
	} while (add_install_if());
}

/* Pick packages for WORLD (sorted in place, as apk does); the errors found
 * so far are in sv.errors. */
static void solve(struct deps *world, unsigned flags)
{
	if (world->n)
		qsort(world->v, world->n, sizeof(*world->v), dep_cmp_name);
	for (int pass = 0; pass < 16; pass++) {
		solve_pass(world, flags);
		if (!sv.restart)
			break;
	}
	for (size_t i = 0; i < db.nnames; i++) {
		struct name *n = db.names[i];
		if (n->requirers && !n->chosen.pkg)
			sv.errors++;
		if (!n->chosen.pkg || n->chosen.pkg->name != n)
			continue;
		struct pkg *p = n->chosen.pkg;
		if (!pkg_available(p) || breaks_any(p, sv.cur, sv.ncur) ||
		    !pkg_tag_ok(p, p->pin_allowed))
			mark_error(p);
	}
}

/* ---- the change list (apk's generate_changeset) ---- */

static void cs_gen_name_change(struct changeset *cs, struct name *n);
static void cs_gen_name_remove(struct changeset *cs, struct pkg *p);

static void record_change(struct changeset *cs, struct pkg *old, struct pkg *new)
{
	struct change *c = xgrow(&cs->v, &cs->cap, cs->n++, sizeof(*c));

	c->old = old;
	c->new = new;
	c->old_tag = old ? (int)tag_id(old->inst_tag) : 0;
	c->new_tag = new ? pkg_tag(new, new->pin_allowed) : 0;
	c->reinstall = new && (new->flags &SF_REINSTALL);
	if (!new)
		cs->removes++;
	else if (!old)
		cs->installs++;
	else if (new != old || c->reinstall || c->new_tag != c->old_tag)
		cs->adjusts++;
}

static void cs_track_added(struct pkg *p)
{
	for (size_t i = 0; i < p->depends.n; i++) {
		struct dep *d = &p->depends.v[i];
		if (!d->conflict && d->name->inst_name)
			d->name->inst_name->cs_requirers++;
	}
}

static void cs_track_removed(struct changeset *cs, struct pkg *p)
{
	for (size_t i = 0; i < p->depends.n; i++) {
		struct dep *d = &p->depends.v[i];
		if (d->conflict || !d->name->inst_name)
			continue;
		if (--d->name->inst_name->cs_requirers > 0)
			continue;
		/* only the package of that very name: a so: name has none */
		if (d->name->inst_pkg)
			cs_gen_name_remove(cs, d->name->inst_pkg);
	}
}

static void cs_check_removal_by_deps(struct changeset *cs, struct pkg *p)
{
	if (p->name->cs_requirers == 0 && !p->name->chosen.pkg)
		cs_gen_name_remove(cs, p);
}

static void cs_remove_orphan(struct changeset *cs, struct name *n)
{
	if (n->in_cs)
		return;
	n->in_cs = true;
	if (n->inst_pkg && (!n->chosen.pkg || n->chosen.pkg->name != n))
		cs_gen_name_remove(cs, n->inst_pkg);
	for (size_t i = 0; i < n->nprov; i++) {
		struct pkg *p0 = n->prov[i].pkg;
		if (p0->name->inst_pkg == p0 && !p0->name->chosen.pkg)
			cs_gen_name_remove(cs, p0);
	}
}

/* Does any name of P appear in the install_if of a package now chosen? */
static void cs_check_install_if(struct changeset *cs, struct pkg *trigger)
{
	for (size_t i = 0; i < db.npkgs; i++) {
		struct pkg *p = db.pkgs[i];
		bool hit = false,
		     ready = p->iif.n > 0 && p->name->chosen.pkg == p && !p->name->in_cs;
		for (size_t j = 0; ready && j < p->iif.n; j++) {
			struct name *n = p->iif.v[j].name;
			hit |= dep_analyze(&p->iif.v[j], trigger) != DEP_IRRELEVANT;
			ready = n->in_cs && dep_is_provided(&p->iif.v[j], &n->chosen);
		}
		if (ready && hit)
			cs_gen_name_change(cs, p->name);
	}
}

/* Installed packages whose install_if named P and is no longer met. */
static void cs_check_removal_by_iif(struct changeset *cs, struct pkg *p)
{
	for (size_t i = 0; i < db.ninst; i++) {
		struct pkg *p0 = db.inst[i];
		if (!p0->iif.n || p0->name->in_cs || p0->name->chosen.pkg)
			continue;
		for (size_t j = 0; j < p0->iif.n; j++) {
			struct name *n = p0->iif.v[j].name;
			if (dep_analyze(&p0->iif.v[j], p) != DEP_IRRELEVANT && n->in_cs &&
			    !n->chosen.pkg) {
				cs_check_removal_by_deps(cs, p0);
				break;
			}
		}
	}
}

static void cs_gen_dep(struct changeset *cs, struct pkg *from, const struct dep *d)
{
	struct pkg *p = d->name->chosen.pkg;

	if (!dep_is_provided(d, &d->name->chosen))
		mark_error(from);
	cs_gen_name_change(cs, d->name);
	if (p && p->error)
		mark_error(from);
}

static void cs_gen_name_change(struct changeset *cs, struct name *n)
{
	struct pkg *p, *old;

	if (n->in_cs)
		return;
	cs_remove_orphan(cs, n);
	p = n->chosen.pkg;
	if (!p || p->in_cs)
		return;
	p->in_cs = true;
	cs_remove_orphan(cs, p->name);
	for (size_t i = 0; i < p->provides.n; i++)
		cs_remove_orphan(cs, p->provides.v[i].name);
	old = p->name->inst_pkg;
	for (size_t i = 0; i < p->depends.n; i++)
		cs_gen_dep(cs, p, &p->depends.v[i]);
	record_change(cs, old, p);
	cs_check_install_if(cs, p);
	cs_track_added(p);
	if (old)
		cs_track_removed(cs, old);
}

static void cs_gen_name_remove(struct changeset *cs, struct pkg *p)
{
	struct name *n = p->name;

	if (p->in_cs || (n->chosen.pkg && n->chosen.pkg->name == n))
		return;
	n->in_cs = true;
	p->in_cs = true;
	/* installed packages that need it, or were installed because of it, go first */
	for (size_t i = 0; i < db.ninst; i++) {
		struct pkg *p0 = db.inst[i];
		for (size_t j = 0; j < p0->depends.n; j++)
			if (!p0->depends.v[j].conflict &&
			    dep_analyze(&p0->depends.v[j], p) == DEP_SATISFIES) {
				cs_gen_name_remove(cs, p0);
				break;
			}
	}
	cs_check_removal_by_iif(cs, p);
	record_change(cs, p, NULL);
	cs_track_removed(cs, p);
}

static void changeset_generate(struct changeset *cs, const struct deps *world)
{
	memset(cs, 0, sizeof(*cs));
	for (size_t i = 0; i < db.nnames; i++) {
		struct name *n = db.names[i];
		n->inst_pkg = NULL;
		n->inst_name = NULL;
		n->cs_requirers = 0;
		n->in_cs = false;
	}
	for (size_t i = 0; i < db.ninst; i++) {
		struct pkg *p = db.inst[i];
		p->name->inst_pkg = p;
		p->name->inst_name = p->name;
		for (size_t j = 0; j < p->provides.n; j++)
			if (p->provides.v[j].version)
				p->provides.v[j].name->inst_name = p->name;
	}
	for (size_t i = 0; i < db.ninst; i++)
		cs_track_added(db.inst[i]);
	for (size_t i = 0; i < db.ninst; i++)
		cs_check_removal_by_deps(cs, db.inst[i]);
	for (size_t i = 0; i < world->n; i++)
		cs_gen_dep(cs, NULL, &world->v[i]);
	for (size_t i = 0; i < db.ninst; i++)
		cs_gen_name_change(cs, db.inst[i]->name);
	cs->errors = sv.errors;
}

/* ---- "unable to select packages" (apk_solver_print_errors) ---- */

enum {
	ST_PRESENT = 0x80000000u,
	ST_MISSING = 0x40000000u,
	ST_VIRTUAL_ONLY = 0x20000000u,
	ST_INSTALLIF = 0x10000000u,
};

static struct report {
	struct indent i;
	const char *label;
	int nlabels;
	unsigned match;
	const struct deps *world;
} report;

static void label_start(const char *text)
{
	if (report.label) {
		ind_end(&report.i);
		fprintf(stderr, "  %s:\n", report.label);
		report.label = NULL;
		report.nlabels++;
	}
	if (!report.i.x)
		ind_group(&report.i, 0, "    %s", text);
}

static bool name_concrete(const struct pkg *p, const struct name *n)
{
	if (p->name == n)
		return true;
	for (size_t i = 0; i < p->provides.n; i++)
		if (p->provides.v[i].name == n && p->provides.v[i].version)
			return true;
	return false;
}

static void discover_deps(const struct deps *ds);

static void discover_name(struct name *n, unsigned state)
{
	for (size_t i = 0; i < n->nprov; i++) {
		struct pkg *p = n->prov[i].pkg;
		unsigned st = state;
		if (!p->marked)
			continue;
		if (!p->priority && !name_concrete(p, n))
			st = ST_VIRTUAL_ONLY;
		if (p->state & st)
			continue;
		p->state |= st;
		p->name->state |= st;
		for (size_t j = 0; j < p->provides.n; j++)
			p->provides.v[j].name->state |= st;
		discover_deps(&p->depends);
	}
}

static void discover_deps(const struct deps *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!ds->v[i].conflict)
			discover_name(ds->v[i].name, ST_PRESENT);
}

static void word_dep(const struct pkg *p, const struct dep *d)
{
	char *s = dep_str(d, false), *w;

	w = p ? xasprintf("%s[%s]", pkg_nv(p), s) : xasprintf("world[%s]", s);
	ind_word(&report.i, w);
	free(w);
	free(s);
}

static void analyze_missing_name(struct name *n)
{
	char *label;

	if (n->nprov) {
		label = xasprintf("%s (virtual)", n->s);
		report.label = label;
		label_start("note:");
		const char *words[] = {"please",    "select", "one",	  "of",	       "the",
				       "'provided", "by'",    "packages", "explicitly"};
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			ind_word(&report.i, words[i]);
		ind_end(&report.i);
		label_start("provided by:");
		for (size_t i = 0; i < n->nprov; i++) {
			struct name *n0 = n->prov[i].pkg->name;
			size_t all = 0, here = 0;
			for (size_t j = 0; j < n0->nprov; j++)
				all += n0->prov[j].pkg->name == n0;
			for (size_t j = 0; j < n->nprov; j++)
				here += n->prov[j].pkg->name == n0;
			bool first = true;
			for (size_t j = 0; j < i; j++)
				first &= n->prov[j].pkg->name != n0;
			if (here == all && first)
				ind_word(&report.i, n0->s);
			else if (here != all)
				ind_word(&report.i, pkg_nv(n->prov[i].pkg));
		}
		ind_end(&report.i);
	} else {
		label = xasprintf("%s (no such package)", n->s);
		report.label = label;
	}
	label_start("required by:");
	for (size_t i = 0; i < report.world->n; i++)
		if (report.world->v[i].name == n && !report.world->v[i].conflict)
			word_dep(NULL, &report.world->v[i]);
	db.genid++;
	for (size_t r = 0; r < n->nrdeps; r++) {
		struct name *rn = n->rdeps[r];
		for (size_t i = 0; i < rn->nprov; i++) {
			struct pkg *p0 = rn->prov[i].pkg;
			if (!p0->marked || p0->genid == db.genid)
				continue;
			p0->genid = db.genid;
			for (size_t j = 0; j < p0->depends.n; j++)
				if (p0->depends.v[j].name == n && !p0->depends.v[j].conflict) {
					word_dep(p0, &p0->depends.v[j]);
					break;
				}
			break;
		}
	}
	ind_end(&report.i);
	report.label = NULL;
	free(label);
}

static void analyze_deps(const struct deps *ds)
{
	for (size_t i = 0; i < ds->n; i++) {
		struct name *n = ds->v[i].name;
		if (ds->v[i].conflict || (n->state & (ST_INSTALLIF | ST_PRESENT | ST_MISSING)))
			continue;
		n->state |= ST_MISSING;
		analyze_missing_name(n);
	}
}

static void print_pinning_errors(struct pkg *p, int tag)
{
	if (p->installed)
		return;
	if (p->is_virtual) {
		label_start("masked in:");
		ind_word(&report.i, "cache");
	} else if (!(p->repos & db.available) && !p->file) {
		label_start("masked in:");
		ind_word(&report.i, "--no-network");
	} else if (!(p->repos & repos_for_pins(PIN_DEFAULT | (1u << tag)))) {
		for (size_t t = 1; t < db.ntags; t++) {
			if (!(p->repos & db.tags[t].allowed))
				continue;
			char *w = xasprintf("@%s", db.tags[t].name);
			label_start("masked in:");
			ind_word(&report.i, w);
			free(w);
		}
	}
	ind_end(&report.i);
}

static void print_conflicts(struct pkg *p)
{
	for (size_t i = 0; i < p->name->nprov; i++) {
		struct pkg *p0 = p->name->prov[i].pkg;
		if (p0 == p || !p0->marked)
			continue;
		label_start("conflicts:");
		ind_word(&report.i, pkg_nv(p0));
	}
	for (size_t i = 0; i < p->provides.n; i++) {
		const struct dep *d = &p->provides.v[i];
		bool once = true;
		for (size_t j = 0; j < d->name->nprov; j++) {
			const struct provider *pv = &d->name->prov[j];
			if (!pv->pkg->marked || (!d->version && !pv->version))
				continue;
			if (once && pv->pkg == p && pv->version == d->version) {
				once = false;
				continue;
			}
			label_start("conflicts:");
			word_dep(pv->pkg, d);
		}
	}
	ind_end(&report.i);
}

static void print_dep(struct pkg *p0, const struct dep *d)
{
	label_start(report.match & DEP_SATISFIES ? "satisfies:" : "breaks:");
	word_dep(p0, d);
}

/* Every marked package with a dependency that MATCH-es P, once each. */
static void foreach_rdep(struct pkg *p, unsigned match, bool all_deps,
			 void (*fn)(struct pkg *p0, const struct dep *d, void *ud), void *ud)
{
	struct name *names[64];
	size_t nn = 0;

	names[nn++] = p->name;
	for (size_t i = 0; i < p->provides.n && nn < 64; i++)
		names[nn++] = p->provides.v[i].name;
	for (size_t k = 0; k < nn; k++)
		for (size_t r = 0; r < names[k]->nrdeps; r++) {
			struct name *rn = names[k]->rdeps[r];
			for (size_t i = 0; i < rn->nprov; i++) {
				struct pkg *p0 = rn->prov[i].pkg;
				if (!p0->marked || p0->genid == db.genid)
					continue;
				p0->genid = db.genid;
				for (size_t j = 0; j < p0->depends.n; j++)
					if (dep_analyze(&p0->depends.v[j], p) & match) {
						fn(p0, &p0->depends.v[j], ud);
						if (!all_deps)
							break;
					}
			}
		}
}

static void print_dep_cb(struct pkg *p0, const struct dep *d, void *ud)
{
	print_dep(p0, d);
}

static void print_deps(struct pkg *p, unsigned match)
{
	report.match = match;
	for (size_t i = 0; i < report.world->n; i++)
		if (dep_analyze(&report.world->v[i], p) & match)
			print_dep(NULL, &report.world->v[i]);
	db.genid++;
	foreach_rdep(p, match, true, print_dep_cb, NULL);
	ind_end(&report.i);
}

static void analyze_package(struct pkg *p, int tag)
{
	char *label = xstrdup(pkg_nv(p));

	report.label = label;
	print_pinning_errors(p, tag);
	print_conflicts(p);
	print_deps(p, DEP_CONFLICTS);
	if (!report.label)
		print_deps(p, DEP_SATISFIES);
	report.label = NULL;
	free(label);
}

static void print_errors(const struct changeset *cs, const struct deps *world)
{
	err("unable to select packages:");
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].new)
			cs->v[i].new->marked = true;
	for (size_t i = 0; i < db.nnames; i++)
		db.names[i]->state = 0;
	discover_deps(world);
	memset(&report, 0, sizeof(report));
	ind_init(&report.i, stderr);
	report.world = world;
	analyze_deps(world);
	for (size_t i = 0; i < cs->n; i++) {
		if (!cs->v[i].new)
			continue;
		analyze_package(cs->v[i].new, cs->v[i].new_tag);
		analyze_deps(&cs->v[i].new->depends);
	}
	if (!report.nlabels)
		fprintf(stderr, "  Huh? Error reporter did not find the broken constraints.\n");
}

#endif
