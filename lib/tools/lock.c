/* pkg.lock and pkg.unlock: hold a package at its version with apk's own world constraint. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/search.h"
#include "apk/select.h"
#include "apk/version.h"
#include "ctx.h"
#include "journal/journal.h"
#include "tools/tools.h"
#include "tools/txn.h"

/* NAME=VERSION, NAME><CHECKSUM, a virtual package's version: one build
 * only, which `apk upgrade` keeps too.  (A "~" or ">=" constraint still
 * lets versions move.)  The kind, or -1 when ATOM does not hold NAME. */
static int atom_holds(const struct aipkg_state *st, const char *atom, const char *name)
{
	struct aipkg_dep dep;
	int kind;

	if (aipkg_dep_parse(aipkg_slice_str(atom), &dep) < 0 || !aipkg_slice_eq(dep.name, name))
		return -1;
	kind = (int)aipkg_world_kind(st, atom);
	return kind == AIPKG_WORLD_LOCK || kind == AIPKG_WORLD_CHECKSUM ||
			       (kind == AIPKG_WORLD_VIRTUAL && dep.op == AIPKG_DEP_EQ)
		       ? kind
		       : -1;
}

const char *aipkg_held_atom(const struct aipkg_state *st, const char *name, int *kind)
{
	for (size_t i = 0; name && i < st->nworld; i++) {
		/* an atom names its package within it: most are not parsed at
		 * all (list asks this for each of hundreds of packages) */
		int k = strstr(st->world[i], name) ? atom_holds(st, st->world[i], name) : -1;

		if (k >= 0) {
			if (kind)
				*kind = k;
			return st->world[i];
		}
	}
	return NULL;
}

const char *aipkg_locked_atom(const struct aipkg_state *st, const char *name)
{
	int kind;
	const char *atom = aipkg_held_atom(st, name, &kind);

	return atom && kind == AIPKG_WORLD_LOCK ? atom : NULL;
}

/* The refusal of ATOM, which would replace the lock LOCK of PKG. */
static int refuse_relock(struct aipkg_ctx *ctx, const char *atom, const struct aipkg_pkg *pkg,
			 const char *lock)
{
	return aipkg_ctx_fail(ctx, -AIPKG_E_CONFLICT,
			      "%s is locked at %s (world %s): '%s' would replace the lock; unlock "
			      "%s first (aipkg unlock %s), or install it by its plain name to keep "
			      "the lock; nothing was installed",
			      pkg->name, pkg->version, lock, atom, pkg->name, pkg->name);
}

int aipkg_locks_keep(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char **atoms,
		     size_t n, json_t **kept)
{
	*kept = json_array();
	if (!*kept)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct aipkg_pkg *pkg;
		const char *lock;
		struct aipkg_dep dep;
		json_t *k;
		char *name;

		if (aipkg_dep_parse(aipkg_slice_str(atoms[i]), &dep) < 0 || dep.conflict)
			continue;
		name = aipkg_slice_dup(dep.name);
		if (!name)
			return -ENOMEM;
		pkg = aipkg_state_installed(st, name);
		lock = pkg ? aipkg_locked_atom(st, name) : NULL;
		free(name);
		if (!lock)
			continue;
		if (strcmp(atoms[i], lock) != 0 && (dep.op != AIPKG_DEP_ANY || dep.tag.len))
			return refuse_relock(ctx, atoms[i], pkg, lock);
		k = json_pack("{s:s, s:s, s:s, s:s}", "name", pkg->name, "version", pkg->version,
			      "constraint", lock, "requested", atoms[i]);
		if (!k || json_array_append_new(*kept, k) < 0)
			return -ENOMEM;
		/* the array holds the string as long as *kept lives */
		atoms[i] = json_string_value(json_object_get(k, "constraint"));
	}
	return 0;
}

static char *atom_name(const char *atom)
{
	struct aipkg_dep dep;

	if (aipkg_dep_parse(aipkg_slice_str(atom), &dep) < 0)
		return NULL;
	return aipkg_slice_dup(dep.name);
}

json_t *aipkg_locked_held_back(const struct aipkg_state *st)
{
	json_t *out = json_array();

	for (size_t i = 0; i < st->nworld; i++) {
		char *name = atom_name(st->world[i]);
		const struct aipkg_pkg *inst = name ? aipkg_state_installed(st, name) : NULL;
		/* what `apk upgrade` would take but for the world entry */
		const struct aipkg_pkg *newer = inst ? aipkg_select_upgrade(st, inst) : NULL;
		int kind = newer ? atom_holds(st, st->world[i], name) : -1;

		if (kind >= 0)
			json_array_append_new(
			    out, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "version",
					   inst->version, "constraint", st->world[i], "kind",
					   aipkg_world_kind_name((enum aipkg_world_kind)kind),
					   "available", newer->version));
		free(name);
	}
	return out;
}

/*
 * pkg.lock and pkg.unlock take "package" and/or "packages": every name is
 * checked first (a valid name, installed), then the ones that need it
 * change in one operation, journalled once; those already as asked are
 * listed "unchanged".  Each name's outcome is in the result's "packages".
 */

struct lock_req {
	const char **names;	       /* borrowed from the args, each once */
	const struct aipkg_pkg **pkgs; /* their installed packages */
	size_t n;
	json_t *out;		 /* [{"package","version","constraint","unchanged"}] */
	const char **add, **del; /* the apk arguments; strings owned by "out" */
	size_t nadd, ndel;
};

static void lock_req_release(struct lock_req *q)
{
	free(q->names);
	free(q->pkgs);
	free(q->add);
	free(q->del);
	json_decref(q->out);
}

static bool named(const struct lock_req *q, const char *name)
{
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->names[i], name) == 0)
			return true;
	return false;
}

static int lock_name_add(struct aipkg_ctx *ctx, struct lock_req *q, const json_t *v)
{
	const char *name = json_string_value(v);

	if (!aipkg_name_valid(aipkg_slice_str(name)))
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME,
				      "'%s' is not a package name (give it without a version)",
				      name ? name : "");
	if (!named(q, name))
		q->names[q->n++] = name;
	return 0;
}

/* A virtual package ('apk add --virtual') is held by its build's version
 * already, and not a package of any repository to lock at one. */
static int lock_not_virtual(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *name)
{
	int kind;
	const char *atom = aipkg_held_atom(st, name, &kind);

	if (!atom || kind != AIPKG_WORLD_VIRTUAL)
		return 0;
	return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE,
			      "'%s' is a virtual package ('apk add --virtual'): its world entry %s "
			      "names the one build apk made, which is neither locked nor lockable; "
			      "remove it with 'aipkg remove %s'; nothing changed",
			      name, atom, name);
}

/* The names ARGS give, each valid and installed; nothing changes otherwise. */
static int lock_names(struct aipkg_ctx *ctx, json_t *args, struct lock_req *q,
		      struct aipkg_state **st)
{
	const json_t *one = json_object_get(args, "package"),
		     *many = json_object_get(args, "packages");
	const json_t *v;
	size_t i;
	int r = 0;

	q->out = json_array();
	q->names = calloc(json_array_size(many) + 2, sizeof(*q->names));
	q->pkgs = calloc(json_array_size(many) + 2, sizeof(*q->pkgs));
	q->add = calloc(json_array_size(many) + 2, sizeof(*q->add));
	q->del = calloc(json_array_size(many) + 2, sizeof(*q->del));
	if (!q->out || !q->names || !q->pkgs || !q->add || !q->del)
		return -ENOMEM;
	if (one)
		r = lock_name_add(ctx, q, one);
	json_array_foreach(many, i, v) if (r == 0) r = lock_name_add(ctx, q, v);
	if (r == 0 && !q->n)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "name at least one installed package");
	if (r == 0)
		*st = aipkg_ctx_state(ctx, &r);
	for (i = 0; r == 0 && i < q->n; i++)
		if (!(q->pkgs[i] = aipkg_state_installed(*st, q->names[i])))
			r = aipkg_ctx_fail(
			    ctx, -AIPKG_E_NOTINSTALLED,
			    "'%s' is not installed: only an installed package can be "
			    "locked or unlocked; nothing changed",
			    q->names[i]);
	for (i = 0; r == 0 && i < q->n; i++)
		r = lock_not_virtual(ctx, *st, q->names[i]);
	return r;
}

/* One name's outcome; returns the constraint string as stored in Q->out. */
static const char *lock_outcome(struct lock_req *q, const struct aipkg_pkg *inst,
				const char *constraint, bool unchanged)
{
	json_t *o = json_pack("{s:s, s:s, s:s?, s:b}", "package", inst->name, "version",
			      inst->version, "constraint", constraint, "unchanged", unchanged);

	json_array_append_new(q->out, o);
	return json_string_value(json_object_get(o, constraint ? "constraint" : "package"));
}

/* Locking changes the world file only; any package apk would move
 * (apk 3 re-chooses the version of a name given to del) is confirmed. */
static bool nothing_asked(const struct aipkg_txn *txn, const json_t *change)
{
	return false;
}

/* The result: the txn's (or an empty change), the names' outcomes, and for
 * a single name its outcome's keys at the top, as before several were taken. */
static json_t *lock_result(struct lock_req *q, json_t *res)
{
	if (!res)
		res = json_pack("{s:[], s:i, s:b}", "changes", "apk_exit", 0, "unchanged", true);
	if (res && json_array_size(q->out) == 1)
		json_object_update_missing(res, json_array_get(q->out, 0));
	if (res)
		json_object_set(res, "packages", q->out);
	return res;
}

/* apk add Q->add, then apk del Q->del, as one journalled operation. */
static int lock_run(struct aipkg_ctx *ctx, json_t *args, struct lock_req *q, const char *what,
		    json_t **result)
{
	struct aipkg_apk_call del = {"del", NULL, q->del, q->ndel, 0};
	struct aipkg_txn txn = {
	    .applet = q->nadd ? "add" : "del", .what = what, .asked = nothing_asked};
	json_t *res = NULL;
	int r = 0;

	txn.args = q->nadd ? q->add : q->del;
	txn.nargs = q->nadd ? q->nadd : q->ndel;
	txn.more = q->nadd && q->ndel ? &del : NULL;
	txn.nmore = q->nadd && q->ndel ? 1 : 0;
	txn.dry_run = ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run");
	txn.confirmed = ctx->opts.yes || aipkg_arg_bool(args, "confirm");
	if (q->nadd || q->ndel)
		r = aipkg_txn_run(ctx, &txn, &res);
	if (r == 0 || res)
		*result = lock_result(q, res);
	return r;
}

int aipkg_tool_lock(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	struct lock_req q = {0};
	struct aipkg_state *st = NULL;
	int r = lock_names(ctx, args, &q, &st);

	for (size_t i = 0; r == 0 && i < q.n; i++) {
		const struct aipkg_pkg *inst = q.pkgs[i];
		struct aipkg_buf atom = AIPKG_BUF_INIT;
		const char *held;

		r = aipkg_buf_addf(&atom, "%s=%s", inst->name, inst->version);
		held = aipkg_locked_atom(st, inst->name);
		if (r == 0 && held && strcmp(held, aipkg_buf_str(&atom)) == 0)
			lock_outcome(&q, inst, aipkg_buf_str(&atom), true);
		else if (r == 0)
			q.add[q.nadd++] = lock_outcome(&q, inst, aipkg_buf_str(&atom), false);
		aipkg_buf_release(&atom);
	}
	if (r == 0)
		r = lock_run(ctx, args, &q, "lock", result);
	lock_req_release(&q);
	return r;
}

/* Did the world file name NAME before its lock ATOM was made?  The
 * newest committed operation that put ATOM into the world file knows. */
struct lock_origin {
	const char *atom, *name;
	int asked; /* 1 yes, 0 no, -1 no operation says (a lock made by hand) */
};

static bool words_hold(const json_t *words, const char *name, bool as_name)
{
	const json_t *w;
	size_t i;

	json_array_foreach(words, i, w) {
		const char *s = json_string_value(w);
		struct aipkg_dep dep;

		if (!s)
			continue;
		if (!as_name && strcmp(s, name) == 0)
			return true;
		if (as_name && aipkg_dep_parse(aipkg_slice_str(s), &dep) == 0 &&
		    aipkg_slice_eq(dep.name, name))
			return true;
	}
	return false;
}

static int find_locking(void *ud, json_t *entry)
{
	struct lock_origin *o = ud;
	const json_t *before = json_object_get(entry, "world_before");

	if (!aipkg_jentry_status_is(entry, "committed") ||
	    !words_hold(json_object_get(entry, "world_after"), o->atom, false) ||
	    words_hold(before, o->atom, false))
		return 0;
	o->asked = words_hold(before, o->name, true);
	return 1;
}

/*
 * Unlocking replaces NAME=VERSION with plain NAME when NAME was asked for
 * (the world file named it before the lock, or nothing needs it); when it
 * is only there for other packages (locking put it into the world file),
 * apk del takes it out of the world file and apk keeps the package.
 * Asked for and needed by others (curl, which nginx needs too) it once
 * left the world file: a later remove of nginx took it along.
 */
int aipkg_tool_unlock(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	struct lock_req q = {0};
	struct aipkg_state *st = NULL;
	int r = lock_names(ctx, args, &q, &st);

	for (size_t i = 0; r == 0 && i < q.n; i++) {
		const struct aipkg_pkg *inst = q.pkgs[i];
		const char *held = aipkg_locked_atom(st, inst->name), *name;
		struct lock_origin origin;
		json_t *users;

		if (!held) {
			int kind;
			const char *pin = aipkg_held_atom(st, inst->name, &kind);

			/* a checksum pin (a package installed from a file) is said, not undone */
			lock_outcome(&q, inst, NULL, true);
			if (pin && kind == AIPKG_WORLD_CHECKSUM)
				json_object_set_new(json_array_get(q.out, json_array_size(q.out) - 1),
						    "pinned", json_string(pin));
			continue;
		}
		lock_outcome(&q, inst, held, false);
		name = json_string_value(json_object_get(json_array_get(q.out, i), "package"));
		origin = (struct lock_origin){ held, name, -1 };
		if (aipkg_journal_walk(ctx, find_locking, &origin) < 0)
			origin.asked = -1;
		users = aipkg_required_by(st, inst);
		if (origin.asked != 1 && json_array_size(users))
			q.del[q.ndel++] = name;
		else
			q.add[q.nadd++] = name;
		json_decref(users);
	}
	if (r == 0)
		r = lock_run(ctx, args, &q, "unlock", result);
	lock_req_release(&q);
	return r;
}
