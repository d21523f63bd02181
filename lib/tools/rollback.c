/* pkg.rollback: undo an operation, package versions and world file, through apk. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apk/changes.h"
#include "apk/search.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "journal/journal.h"
#include "jsonutil.h"
#include "tools/tools.h"
#include "tools/txn.h"

/*
 * How apk is driven, the same for apk 2.14 and 3.0:
 *  1. apk add --virtual .aipkg-rollback [--force-non-repository] with every
 *     version to restore as a kept file (its absolute path: apk reads it as
 *     a package file and the virtual package depends on NAME><CHECKSUM) or
 *     as NAME=VERSION when a repository still has it.  The pins live in the
 *     virtual package, not in the world file;
 *  2. apk add the world atoms the operation removed;
 *  3. apk del .aipkg-rollback, the world atoms the operation added and the
 *     packages it installed (apk keeps those that something still needs).
 *     apk keeps the restored versions: without --upgrade it prefers what is
 *     installed, and only the names deleted are re-chosen (apk 3 re-picks
 *     the version of every name given to del, so no restored package is).
 * The world file ends exactly as before the operation and no pin is left.
 */

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long id_of(const json_t *e)
{
	return json_integer_value(json_object_get(e, "id"));
}

/*
 * Finding the operation to undo and what happened after it.
 */

struct scan {
	long long want;   /* the id asked for; 0: the newest not undone */
	json_t *undone;   /* aipkg_journal_undone_by's map */
	json_t *target;   /* the entry found */
	long long by;     /* who undid it already, 0: nobody */
	json_t *later;    /* newer operations that count */
};

static int scan_cb(void *ud, json_t *e)
{
	struct scan *s = ud;
	long long id = id_of(e), by = aipkg_journal_undone_by(s->undone, e);

	if (s->want ? id == s->want : !by && aipkg_jentry_undoable(e)) {
		s->target = json_incref(e);
		s->by = by;
		return 1;
	}
	if (s->want && id < s->want)
		return 1;
	if (!by && json_array_size(json_object_get(e, "changes")))
		json_array_append(s->later, e);
	return 0;
}

static int target_usable(struct aipkg_ctx *ctx, const struct scan *s)
{
	long long id = id_of(s->target);

	if (aipkg_jentry_status_is(s->target, "pending"))
		return aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
				      "operation %lld is still pending: run 'aipkg recover' first", id);
	if (!aipkg_jentry_undoable(s->target))
		return aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
				      "operation %lld %s, so there is nothing to roll back (see "
				      "'aipkg history %lld'); nothing changed",
				      id, aipkg_jentry_status_is(s->target, "failed")
						  ? "failed" : "changed nothing",
				      id);
	if (s->by)
		return aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
				      "operation %lld was already undone by operation %lld (roll "
				      "back %lld to redo it); nothing changed",
				      id, s->by, s->by);
	return 0;
}

static int find_target(struct aipkg_ctx *ctx, struct scan *s)
{
	int r = aipkg_journal_walk(ctx, scan_cb, s);

	if (r < 0)
		return r;
	if (!s->target && s->want)
		return aipkg_ctx_fail(ctx, -AIPKG_E_NO_ENTRY,
				      "no operation %lld in the journal (see 'aipkg history')",
				      s->want);
	if (!s->target)
		return aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
				      "nothing to roll back: the journal has no operation that "
				      "changed something and is not undone yet");
	return target_usable(ctx, s);
}

/* The virtual package of an interrupted rollback is no change to undo:
 * every rollback removes one left over, and apk picks its version. */
static bool is_virtual(const char *name)
{
	return name && strcmp(name, AIPKG_ROLLBACK_VIRTUAL) == 0;
}

static bool changes_name(const json_t *e, const char *name)
{
	const json_t *c;
	size_t i;

	if (is_virtual(name))
		return false;
	json_array_foreach(json_object_get(e, "changes"), i, c)
		if (strcmp(str(c, "name"), name) == 0)
			return true;
	return false;
}

/* "operation 45 ('aipkg update') changed nginx, zlib" for each later
 * operation that touched the target's packages; an undo of another later
 * operation cancels with it and does not count. */
static void later_conflicts(const struct scan *s, struct aipkg_buf *why)
{
	const json_t *l, *c;
	size_t i, k;

	json_array_foreach(s->later, i, l) {
		size_t before = why->len, names;

		if (json_integer_value(json_object_get(l, "undoes")) > id_of(s->target))
			continue;
		aipkg_buf_addf(why, "%soperation %lld ('%s') changed ", why->len ? "; " : "",
			       id_of(l), str(l, "command") ? str(l, "command") : "?");
		names = why->len;
		json_array_foreach(json_object_get(l, "changes"), k, c)
			if (changes_name(s->target, str(c, "name")))
				aipkg_buf_addf(why, "%s%s", why->len > names ? ", " : "", str(c, "name"));
		if (why->len == names)
			aipkg_buf_truncate(why, before);
	}
}

/* Packages that are no longer as the operation left them (apk run by hand). */
static void moved_since(const struct scan *s, const struct aipkg_state *st, struct aipkg_buf *why)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(s->target, "changes"), i, c) {
		const struct aipkg_pkg *p = aipkg_state_installed(st, str(c, "name"));
		const char *now = p ? p->version : NULL, *to = str(c, "to");

		if (is_virtual(str(c, "name")))
			continue;
		if (now && to ? strcmp(now, to) == 0 : now == to)
			continue;
		aipkg_buf_addf(why, "%s%s is %s%s, not %s as the operation left it",
			       why->len ? "; " : "", str(c, "name"), now ? "now " : "",
			       now ? now : "not installed", to ? to : "removed");
	}
}

static int check_later(struct aipkg_ctx *ctx, const struct scan *s, const struct aipkg_state *st)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	int r = 0;

	later_conflicts(s, &why);
	if (!why.len)
		moved_since(s, st, &why);
	if (why.len)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
				   "operation %lld cannot be rolled back as it is: %s; roll back "
				   "the later operations first, or use --force; nothing changed",
				   id_of(s->target), aipkg_buf_str(&why));
	aipkg_buf_release(&why);
	return r;
}

/*
 * The plan.
 */

struct undo {
	const json_t *e;    /* the operation undone */
	json_t *world;      /* the world file to end with */
	json_t *plan;       /* the changes expected, shown and confirmed */
	json_t *missing;    /* "nginx 1.26.2-r0 (why)" */
	char **owned;       /* strings the calls point to */
	size_t nowned;
	const char **pins, **add, **del; /* the three calls' arguments */
	size_t npins, nadd, ndel;
	bool files;         /* add reads package files */
};

static const char *own(struct undo *u, char *s)
{
	char **v = s ? realloc(u->owned, (u->nowned + 1) * sizeof(*v)) : NULL;

	if (!v) {
		free(s);
		return NULL;
	}
	u->owned = v;
	return u->owned[u->nowned++] = s;
}

/* Append S (once) to the NULL-terminated *V. */
static bool arg_push(const char ***v, size_t *n, const char *s)
{
	const char **nv;

	for (size_t i = 0; s && i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return true;
	nv = s ? realloc(*v, (*n + 2) * sizeof(*nv)) : NULL;
	if (!nv)
		return false;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return true;
}

static char *atom_name(const char *atom)
{
	struct aipkg_dep dep;

	return aipkg_dep_parse(aipkg_slice_str(atom), &dep) == 0 ? aipkg_slice_dup(dep.name)
								  : strdup(atom);
}

/* The atom of WORLD for NAME, or NULL. */
static const char *atom_for(const json_t *world, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(world, i, v) {
		char *n = atom_name(json_string_value(v));
		bool hit = n && strcmp(n, name) == 0;

		free(n);
		if (hit)
			return json_string_value(v);
	}
	return NULL;
}

/* The world now, minus what the operation added, plus what it removed. */
static json_t *target_world(const json_t *e, const struct aipkg_state *st)
{
	const json_t *before = json_object_get(e, "world_before");
	const json_t *after = json_object_get(e, "world_after"), *v;
	json_t *w = json_array();
	size_t i;

	for (i = 0; i < st->nworld; i++)
		if (!after || !before || aipkg_json_has_string(before, st->world[i]) ||
		    !aipkg_json_has_string(after, st->world[i]))
			json_array_append_new(w, json_string(st->world[i]));
	json_array_foreach(before, i, v)
		if (after && !aipkg_json_has_string(after, json_string_value(v)) &&
		    !aipkg_json_has_string(w, json_string_value(v)))
			json_array_append(w, (json_t *)v);
	return w;
}

static const json_t *find_pkg(const json_t *list, const char *name, const char *version)
{
	const json_t *p;
	size_t i;

	json_array_foreach(list, i, p)
		if (strcmp(str(p, "name"), name) == 0 && strcmp(str(p, "version"), version) == 0)
			return p;
	return NULL;
}

static void note_missing(struct undo *u, const char *name, const char *version)
{
	const json_t *un = find_pkg(json_object_get(u->e, "unkept"), name, version);
	const char *why = un && str(un, "reason") ? str(un, "reason")
			  : find_pkg(json_object_get(u->e, "kept"), name, version)
				  ? "its kept file was dropped to stay within journal.keep_packages_mb"
				  : "it was not kept";
	char *line = NULL;

	if (asprintf(&line, "%s %s (%s)", name, version, why) >= 0)
		json_array_append_new(u->missing, json_string(line));
	free(line);
}

static bool in_repos(const struct aipkg_state *st, const char *name, const char *version)
{
	for (size_t i = 0; i < st->available.n; i++)
		if (strcmp(st->available.pkgs[i].name, name) == 0 &&
		    strcmp(st->available.pkgs[i].version, version) == 0)
			return true;
	return false;
}

/* How apk gets NAME at VERSION back: the kept file, else the repositories. */
static const char *restore_arg(struct aipkg_ctx *ctx, struct undo *u, const struct aipkg_state *st,
			       const char *name, const char *version)
{
	char *path = aipkg_keep_path(ctx, name, version), *atom = NULL;

	if (path && access(path, R_OK) == 0) {
		u->files = true;
		return own(u, path);
	}
	free(path);
	if (!in_repos(st, name, version))
		return NULL;
	return asprintf(&atom, "%s=%s", name, version) < 0 ? NULL : own(u, atom);
}

/* The change from NOW (NULL: not installed) back to FROM. */
static json_t *plan_change(const char *name, const char *now, const char *from)
{
	int cmp = now ? aipkg_version_compare_str(from, now) : 0;

	if (!now)
		return aipkg_change_new(name, "install", NULL, from);
	return aipkg_change_new(name, cmp == '>' ? "upgrade" : cmp == '<' ? "downgrade" : "reinstall",
				now, from);
}

/* One change of the operation, reversed into the plan and the calls. */
static int undo_change(struct aipkg_ctx *ctx, struct undo *u, const struct aipkg_state *st,
		       const json_t *c)
{
	const char *name = str(c, "name"), *from = str(c, "from");
	const struct aipkg_pkg *now = aipkg_state_installed(st, name);
	const char *arg;

	if (is_virtual(name))
		return 0;
	if (!from) {
		/* named to apk del too: a dependency is not in the world file
		 * (after a crash, neither may the package asked for be), and apk
		 * keeps it if something else still needs it */
		if (!now)
			return 0;
		json_array_append_new(u->plan, aipkg_change_new(name, "remove", now->version, NULL));
		return arg_push(&u->del, &u->ndel, name) ? 0 : -ENOMEM;
	}
	if (now && strcmp(now->version, from) == 0)
		return 0;
	arg = restore_arg(ctx, u, st, name, from);
	if (!arg) {
		note_missing(u, name, from);
		return 0;
	}
	json_array_append_new(u->plan, plan_change(name, now ? now->version : NULL, from));
	return arg_push(&u->pins, &u->npins, arg) ? 0 : -ENOMEM;
}

/* Atoms of the target world that are missing now; names that must leave. */
static int undo_world(struct undo *u, const struct aipkg_state *st)
{
	json_t *now = aipkg_state_world_json(st), *v;
	size_t i;
	int r = 0;

	json_array_foreach(u->world, i, v)
		if (r == 0 && !aipkg_json_has_string(now, json_string_value(v)))
			r = arg_push(&u->add, &u->nadd, json_string_value(v)) ? 0 : -ENOMEM;
	for (i = 0; r == 0 && i < st->nworld; i++) {
		const char *name = own(u, atom_name(st->world[i]));

		if (name && !atom_for(u->world, name))
			r = arg_push(&u->del, &u->ndel, name) ? 0 : -ENOMEM;
	}
	json_decref(now);
	return r;
}

/* A .aipkg-rollback left installed by an interrupted rollback (aipkg
 * killed between its apk steps, apk killed in its first) still pins the
 * versions it restored: this rollback removes it, in its last step, and
 * plans that, so a recover of this one knows where the virtual came from. */
static int undo_leftover(struct undo *u, const struct aipkg_state *st)
{
	const struct aipkg_pkg *v = aipkg_state_installed(st, AIPKG_ROLLBACK_VIRTUAL);

	if (!v)
		return 0;
	json_array_append_new(u->plan,
			      aipkg_change_new(AIPKG_ROLLBACK_VIRTUAL, "remove", v->version, NULL));
	return arg_push(&u->del, &u->ndel, AIPKG_ROLLBACK_VIRTUAL) ? 0 : -ENOMEM;
}

static int missing_fail(struct aipkg_ctx *ctx, const struct undo *u)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const json_t *m;
	size_t i;
	int r;

	json_array_foreach(u->missing, i, m)
		aipkg_buf_addf(&b, "%s%s", i ? "; " : "", json_string_value(m));
	r = aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
			   "operation %lld cannot be rolled back: these package versions cannot "
			   "be restored, no kept file and no repository has them: %s; nothing "
			   "changed",
			   id_of(u->e), aipkg_buf_str(&b));
	aipkg_buf_release(&b);
	return r;
}

static int undo_plan(struct aipkg_ctx *ctx, struct undo *u, const struct aipkg_state *st)
{
	const json_t *c;
	size_t i;
	int r = 0;

	u->world = target_world(u->e, st);
	u->plan = json_array();
	u->missing = json_array();
	json_array_foreach(json_object_get(u->e, "changes"), i, c)
		if (r == 0)
			r = undo_change(ctx, u, st, c);
	if (r == 0 && u->npins && !arg_push(&u->del, &u->ndel, AIPKG_ROLLBACK_VIRTUAL))
		r = -ENOMEM;
	if (r == 0)
		r = undo_leftover(u, st);
	if (r == 0)
		r = undo_world(u, st);
	if (r == 0 && json_array_size(u->missing))
		r = missing_fail(ctx, u);
	if (r == 0 && !u->npins && !u->nadd && !u->ndel)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
				   "operation %lld left nothing to undo: its packages and world "
				   "entries are already as before it",
				   id_of(u->e));
	return r;
}

static void undo_release(struct undo *u)
{
	for (size_t i = 0; i < u->nowned; i++)
		free(u->owned[i]);
	free(u->owned);
	free(u->pins);
	free(u->add);
	free(u->del);
	json_decref(u->world);
	json_decref(u->plan);
	json_decref(u->missing);
}

/*
 * Running it.
 */

static bool never_asked(const struct aipkg_txn *txn, const json_t *change)
{
	return false; /* a rollback is confirmed as a whole */
}

/* The non-empty calls in order: the first as the txn's own, the rest as more. */
static void undo_calls(struct undo *u, struct aipkg_txn *txn, struct aipkg_apk_call *more)
{
	static const char *const pin_repo[] = { "--virtual", AIPKG_ROLLBACK_VIRTUAL, NULL };
	static const char *const pin_files[] = { "--virtual", AIPKG_ROLLBACK_VIRTUAL,
						 "--force-non-repository", NULL };
	struct aipkg_apk_call calls[3] = {
		{ "add", u->files ? pin_files : pin_repo, u->pins, u->npins, 0 },
		{ "add", NULL, u->add, u->nadd, 0 },
		{ "del", NULL, u->del, u->ndel, 0 },
	};
	size_t n = 0;

	for (size_t i = 0; i < 3; i++)
		if (calls[i].nargs)
			calls[n++] = calls[i];
	txn->applet = calls[0].applet;
	txn->options = calls[0].options;
	txn->args = calls[0].args;
	txn->nargs = calls[0].nargs;
	for (size_t i = 1; i < n; i++)
		more[i - 1] = calls[i];
	txn->more = more;
	txn->nmore = n - 1;
}

static int undo_run(struct aipkg_ctx *ctx, json_t *args, struct undo *u, const json_t *world_now,
		    json_t **result)
{
	struct aipkg_txn txn = { .what = "rollback", .asked = never_asked };
	/* the confirmation says which operation it undoes, and its world change */
	json_t *about = json_pack("{s:{s:I, s:O?, s:O?, s:O?}, s:o, s:o}", "undoes", "id",
				  (json_int_t)id_of(u->e), "time", json_object_get(u->e, "time"),
				  "command", json_object_get(u->e, "command"), "status",
				  json_object_get(u->e, "status"), "world_added",
				  aipkg_json_minus(u->world, world_now), "world_removed",
				  aipkg_json_minus(world_now, u->world));
	struct aipkg_apk_call more[2];
	int r;

	undo_calls(u, &txn, more);
	txn.about = about;
	txn.plan = u->plan;
	txn.undoes = id_of(u->e);
	txn.dry_run = ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run");
	txn.confirmed = ctx->opts.yes || aipkg_arg_bool(args, "confirm");
	r = aipkg_txn_run(ctx, &txn, result);
	if (*result) {
		json_object_set_new(*result, "undoes", json_integer(id_of(u->e)));
		json_object_set(*result, "world", u->world);
	}
	/* a real run has the world's change from the journal entry */
	if (*result && txn.dry_run) {
		json_object_set(*result, "world_added", json_object_get(about, "world_added"));
		json_object_set(*result, "world_removed", json_object_get(about, "world_removed"));
	}
	json_decref(about);
	return r;
}

/* Nothing of the entry reaches apk unchecked: its world atoms, names and
 * versions pass the checks a user's arguments pass. */
static int target_checked(struct aipkg_ctx *ctx, const json_t *e)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	int r = aipkg_jentry_check_apk_input(e, &why);

	if (r < 0)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_CORRUPT,
				   "operation %lld cannot be rolled back: its journal entry holds "
				   "what aipkg never writes (%s), so it was edited or damaged; nothing "
				   "was changed",
				   id_of(e), aipkg_buf_str(&why));
	aipkg_buf_release(&why);
	return r;
}

int aipkg_tool_rollback(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	struct scan s = { json_integer_value(json_object_get(args, "id")), json_object(), NULL, 0,
			  json_array() };
	struct undo u = { 0 };
	struct aipkg_state *st = NULL;
	json_t *world_now = NULL;
	int r = find_target(ctx, &s);

	if (r == 0)
		r = target_checked(ctx, s.target);
	if (r == 0)
		st = aipkg_ctx_state(ctx, &r);
	if (r == 0 && !ctx->opts.force && !aipkg_arg_bool(args, "force"))
		r = check_later(ctx, &s, st);
	u.e = s.target;
	if (r == 0 && json_array_size(json_object_get(s.target, "files"))) {
		/* a repair by aipkg doctor --fix: its files go back as they were */
		r = aipkg_doctor_unrepair(ctx, s.target,
					  ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run"),
					  ctx->opts.yes || aipkg_arg_bool(args, "confirm"), result);
		goto out;
	}
	if (r == 0)
		r = undo_plan(ctx, &u, st);
	if (r == 0) {
		world_now = aipkg_state_world_json(st);
		r = undo_run(ctx, args, &u, world_now, result);
	}
out:
	json_decref(world_now);
	undo_release(&u);
	json_decref(s.undone);
	json_decref(s.target);
	json_decref(s.later);
	return r;
}
