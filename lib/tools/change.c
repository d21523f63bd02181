/* The changing tools: pkg.install, pkg.remove and pkg.update. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk/runner.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/version.h"
#include "ctx.h"
#include "jsonutil.h"
#include "tools/tools.h"
#include "tools/txn.h"
#include "vuln/vuln.h"

struct targets {
	const char **v; /* borrowed from the args */
	size_t n;
};

static int targets_get(struct aipkg_ctx *ctx, json_t *args, struct targets *t, bool required)
{
	json_t *pkgs = json_object_get(args, "packages"), *p;
	size_t i;

	t->n = json_array_size(pkgs);
	t->v = calloc(t->n + 1, sizeof(*t->v));
	if (!t->v)
		return -ENOMEM;
	json_array_foreach(pkgs, i, p)
		t->v[i] = json_string_value(p);
	if (required && t->n == 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "name at least one package");
	return 0;
}

static bool txn_confirmed(struct aipkg_ctx *ctx, json_t *args)
{
	return ctx->opts.yes || aipkg_arg_bool(args, "confirm");
}

static bool txn_dry_run(struct aipkg_ctx *ctx, json_t *args)
{
	return ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run");
}

/* A syntactically valid atom, never an option. */
static int check_atom(struct aipkg_ctx *ctx, const char *arg, struct aipkg_dep *dep)
{
	int r = aipkg_atom_check(arg, dep);

	if (r == -AIPKG_E_BADNAME)
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME,
				      "'%s' is not a package name (names never start with '-')", arg);
	if (r < 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADDEP,
				      "'%s' is not a valid package name or constraint (use NAME, "
				      "NAME=VERSION, NAME>=VERSION, NAME~VERSION or cmd:/so: names)",
				      arg);
	return 0;
}

/*
 * What install takes: names and constraints only.  Text with a blank is a
 * request in plain words, which goes through pkg.ask (its own checks, plan
 * and confirmation), never slipped in among names; "!NAME" is apk's "must
 * not be installed" atom, a removal of NAME and all that needs it, which
 * install never does.
 */
static int check_install_atom(struct aipkg_ctx *ctx, const char *arg)
{
	struct aipkg_dep dep;
	int r;

	if (arg[strcspn(arg, " \t\r\n\v\f")])
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME,
				      "'%s' is not a package name or constraint (names hold no "
				      "blanks); for what a request in plain words needs, use pkg.ask "
				      "(aipkg ask \"...\"); nothing was installed",
				      arg);
	r = check_atom(ctx, arg, &dep);
	if (r == 0 && dep.conflict)
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADDEP,
				      "'%s' is apk's \"must not be installed\" atom: it would remove "
				      "%.*s and everything that needs it, and install never removes; "
				      "use pkg.remove (aipkg remove %.*s); nothing was installed",
				      arg, (int)dep.name.len, dep.name.ptr, (int)dep.name.len,
				      dep.name.ptr);
	return r;
}

struct version_list {
	struct aipkg_buf text;
	const struct aipkg_dep *dep;
	bool matched;
};

static void version_seen(const struct aipkg_pkg *pkg, void *ud)
{
	struct version_list *vl = ud;

	const char *seen = aipkg_buf_str(&vl->text), *at = strstr(seen, pkg->version);
	size_t n = strlen(pkg->version);

	if (aipkg_dep_version_match(vl->dep, pkg->version))
		vl->matched = true;
	/* the installed version is usually in the index too: list it once */
	if (at && (at == seen || at[-1] == ' ') && (at[n] == ',' || !at[n]))
		return;
	aipkg_buf_addf(&vl->text, "%s%s", vl->text.len ? ", " : "", pkg->version);
}

/* NAME (typed as ARG) is in no index: close names, if any (a typo).  For
 * remove (REMOVING) what matters is that it is not installed: refreshing
 * the indexes removes nothing. */
static int suggest_fail(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *arg,
			const char *name, bool removing)
{
	json_t *close = aipkg_suggest(st, name, 5);
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *mean;
	int r;

	aipkg_json_join(&b, close, ", ");
	mean = b.len ? "; did you mean: " : "";
	if (removing)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NOTINSTALLED,
				   "'%s' is not installed%s%s%s (see 'aipkg list --installed')", arg,
				   mean, aipkg_buf_str(&b), b.len ? "?" : "");
	else
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG,
				   "no package '%s' in the indexes%s%s%s (run 'aipkg update' if the "
				   "indexes are old)",
				   arg, mean, aipkg_buf_str(&b), b.len ? "?" : "");
	aipkg_buf_release(&b);
	json_decref(close);
	return r;
}

/* Does another target name one of NAME's providers (so apk has one)? */
static bool targets_pick(const struct aipkg_state *st, const struct targets *t,
			 struct aipkg_slice name)
{
	size_t n;
	const struct aipkg_pkg **v = aipkg_select_providers(st, name, &n);
	bool found = false;

	for (size_t i = 0; v && i < n && !found; i++)
		for (size_t k = 0; k < t->n && !found; k++)
			found = strcmp(t->v[k], v[i]->name) == 0;
	free(v);
	return found;
}

/* What apk would refuse to choose: a package only a tagged repository
 * has, or a virtual name no provider of which apk takes by itself. */
static int check_choice(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *arg,
			const struct aipkg_dep *dep, const struct targets *t)
{
	struct aipkg_selection sel;
	char *name;
	int r = aipkg_select(st, dep, 0, &sel);

	if (r < 0 || dep->conflict)
		return r;
	if (sel.why == AIPKG_SELECT_TAGGED)
		return aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG,
				      "'%s' is only in the repository tagged @%s, which apk uses "
				      "only for what names it: install '%.*s@%s'",
				      arg, sel.tag ? sel.tag : "?", (int)dep->name.len,
				      dep->name.ptr, sel.tag ? sel.tag : "?");
	if (sel.why != AIPKG_SELECT_VIRTUAL || targets_pick(st, t, dep->name))
		return 0;
	name = aipkg_slice_dup(dep->name);
	r = name ? aipkg_fail_virtual(ctx, st, name) : -ENOMEM;
	free(name);
	return r;
}

/* The atom names something the indexes (or the installed db) offer, at a
 * version that satisfies its constraint. */
static int check_exists(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *arg,
			const struct aipkg_dep *dep)
{
	struct version_list vl = { AIPKG_BUF_INIT, dep, false };
	char *name = aipkg_slice_dup(dep->name);
	int r = 0;

	if (!name)
		return -ENOMEM;
	if (!aipkg_state_provided(st, dep->name)) {
		r = suggest_fail(ctx, st, arg, name, false);
	} else if (dep->op != AIPKG_DEP_ANY && !dep->conflict &&
		   aipkg_state_best(st, name)) {
		aipkg_pkgset_each_named(&st->available, name, version_seen, &vl);
		aipkg_pkgset_each_named(&st->installed, name, version_seen, &vl);
		if (!vl.matched)
			r = aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG,
					   "no version of %s satisfies '%s' (available: %s)", name,
					   arg, aipkg_buf_str(&vl.text));
	}
	aipkg_buf_release(&vl.text);
	free(name);
	return r;
}

/* What an install's txn hooks need (txn.ud). */
struct install_ud {
	const struct aipkg_state *st;
	bool force; /* install known-vulnerable versions too */
};

/* A change was asked for when its package is one of the targets by name or
 * provides one of them (cmd:dig -> bind-tools). */
static bool install_asked(const struct aipkg_txn *txn, const json_t *change)
{
	const struct install_ud *ud = txn->ud;
	const struct aipkg_state *st = ud->st;
	const char *name = json_string_value(json_object_get(change, "name"));
	const struct aipkg_pkg *pkg = aipkg_state_best(st, name);

	for (size_t i = 0; i < txn->nargs; i++) {
		struct aipkg_dep dep;

		if (aipkg_dep_parse(aipkg_slice_str(txn->args[i]), &dep) < 0)
			continue;
		if (aipkg_slice_eq(dep.name, name) || (pkg && aipkg_pkg_provides(pkg, dep.name, NULL)))
			return true;
	}
	return false;
}

/* The vulnerability check of what apk plans to install, before anything changes. */
static int install_check(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, const json_t *plan,
			 json_t *extra)
{
	const struct install_ud *ud = txn->ud;

	return aipkg_vuln_check_plan(ctx, ud->st, plan,
				     ud->force ? AIPKG_VULN_PLAN_FORCE : AIPKG_VULN_PLAN_REFUSE, extra);
}

/* The installed package that satisfies DEP: by name, else a provider. */
static const struct aipkg_pkg *installed_for(const struct aipkg_state *st,
					     const struct aipkg_dep *dep)
{
	char *name = aipkg_slice_dup(dep->name);
	const struct aipkg_pkg *pkg = name ? aipkg_state_installed(st, name) : NULL;

	free(name);
	if (pkg)
		return aipkg_dep_version_match(dep, pkg->version) ? pkg : NULL;
	for (size_t i = 0; i < st->installed.n; i++)
		if (aipkg_pkg_provides(&st->installed.pkgs[i], dep->name, NULL))
			return &st->installed.pkgs[i];
	return NULL;
}

/* The targets installed packages satisfy before the install, as
 * {"name","version","requested"}. */
static json_t *already_installed(const struct aipkg_state *st, const struct targets *t)
{
	json_t *out = json_array();

	for (size_t i = 0; i < t->n; i++) {
		const struct aipkg_pkg *pkg;
		struct aipkg_dep dep;

		if (aipkg_dep_parse(aipkg_slice_str(t->v[i]), &dep) == 0 &&
		    (pkg = installed_for(st, &dep)))
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "name", pkg->name,
							     "version", pkg->version, "requested",
							     t->v[i]));
	}
	return out;
}

/* Keep in the result those of ALREADY that the install did not change. */
static void say_already(json_t *result, json_t *already)
{
	json_t *changes = json_object_get(result, "changes"), *a, *c, *kept = json_array();
	size_t i, k;

	json_array_foreach(already, i, a)
	{
		bool changed = false;

		json_array_foreach(changes, k, c) changed |=
		    json_equal(json_object_get(a, "name"), json_object_get(c, "name"));
		if (!changed)
			json_array_append(kept, a);
	}
	json_object_set_new(result, "already_installed", kept);
}

int aipkg_tool_install(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	static const char *const upgrade[] = { "--upgrade", NULL };
	struct aipkg_txn txn = { .applet = "add", .what = "install", .asked = install_asked,
				 .check = install_check };
	struct install_ud ud = { NULL, ctx->opts.force || aipkg_arg_bool(args, "force") };
	struct aipkg_state *st;
	json_t *kept = NULL, *already;
	struct targets t;
	int r = targets_get(ctx, args, &t, true);

	for (size_t i = 0; r == 0 && i < t.n; i++)
		r = check_install_atom(ctx, t.v[i]);
	st = r == 0 ? aipkg_ctx_state(ctx, &r) : NULL;
	for (size_t i = 0; st && r == 0 && i < t.n; i++) {
		struct aipkg_dep dep;

		r = check_atom(ctx, t.v[i], &dep);
		if (r == 0 && aipkg_state_any_index(st))
			r = check_exists(ctx, st, t.v[i], &dep);
		if (r == 0 && aipkg_state_any_index(st))
			r = check_choice(ctx, st, t.v[i], &dep, &t);
	}
	if (r == 0 && st && !aipkg_state_any_index(st))
		aipkg_ctx_warn(ctx, "no repository index is available: run 'aipkg update' first; "
				    "leaving the package check to apk");
	/* before the txn, which takes the state away, and as they were asked */
	already = r == 0 ? already_installed(st, &t) : NULL;
	if (r == 0)
		r = aipkg_locks_keep(ctx, st, t.v, t.n, &kept);
	if (r == 0) {
		txn.options = aipkg_arg_bool(args, "upgrade") ? upgrade : NULL;
		txn.args = t.v;
		txn.nargs = t.n;
		ud.st = st;
		txn.ud = &ud;
		txn.dry_run = txn_dry_run(ctx, args);
		txn.confirmed = txn_confirmed(ctx, args);
		r = aipkg_txn_run(ctx, &txn, result);
		if (r == 0 && *result)
			say_already(*result, already);
		if (*result && json_array_size(kept))
			json_object_set(*result, "kept_locked", kept);
	}
	json_decref(already);
	json_decref(kept);
	free(t.v);
	return r;
}

/* Every target installed, by plain name, or in the world file though not
 * installed (an install that failed to download left it there: apk del
 * takes it out, and apk stops trying to install it at every change). */
static int check_removable(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			   const struct targets *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct aipkg_dep dep;
		int r = check_atom(ctx, t->v[i], &dep);

		if (r < 0)
			return r;
		if (dep.op != AIPKG_DEP_ANY || dep.conflict || dep.tag.len)
			return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME,
					      "'%s': name the package to remove without a version",
					      t->v[i]);
		if (aipkg_state_installed(st, t->v[i]) || aipkg_world_orphan(ctx, t->v[i]) > 0)
			continue;
		if (aipkg_state_best(st, t->v[i]))
			return aipkg_ctx_fail(ctx, -AIPKG_E_NOTINSTALLED, "'%s' is not installed",
					      t->v[i]);
		return suggest_fail(ctx, st, t->v[i], t->v[i], true);
	}
	return 0;
}

static bool is_target(const struct targets *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i], name) == 0)
			return true;
	return false;
}

/* {"pcre2": ["nginx"]} for targets needed by packages that stay. */
static json_t *blockers(const struct aipkg_state *st, const struct targets *t)
{
	json_t *out = json_object();

	for (size_t i = 0; i < t->n; i++) {
		const struct aipkg_pkg *inst = aipkg_state_installed(st, t->v[i]);
		/* a world entry not installed is needed by nothing */
		json_t *users = inst ? aipkg_required_by(st, inst) : json_array();
		json_t *keep = json_array(), *u;
		size_t k;

		json_array_foreach(users, k, u)
			if (!is_target(t, json_string_value(u)))
				json_array_append(keep, u);
		if (json_array_size(keep))
			json_object_set_new(out, t->v[i], keep);
		else
			json_decref(keep);
		json_decref(users);
	}
	return out;
}

static int refuse_needed(struct aipkg_ctx *ctx, json_t *blocked, json_t **result)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *name;
	json_t *users;
	int r;

	json_object_foreach(blocked, name, users) {
		aipkg_buf_addf(&b, "%s%s is needed by ", b.len ? "; " : "", name);
		aipkg_json_join(&b, users, ", ");
	}
	r = aipkg_ctx_fail(ctx, -AIPKG_E_NEEDED,
			   "%s; nothing removed: remove those too with --rdepends, or keep it",
			   aipkg_buf_str(&b));
	aipkg_buf_release(&b);
	*result = json_pack("{s:[], s:i, s:O}", "changes", "apk_exit", 0, "required_by", blocked);
	return r;
}

int aipkg_tool_remove(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	static const char *const rdepends[] = { "--rdepends", NULL };
	struct aipkg_txn txn = { .applet = "del", .what = "removal" };
	struct aipkg_state *st;
	json_t *blocked = NULL;
	struct targets t;
	int r = targets_get(ctx, args, &t, true);

	st = r == 0 ? aipkg_ctx_state(ctx, &r) : NULL;
	if (r == 0)
		r = check_removable(ctx, st, &t);
	if (r == 0 && !aipkg_arg_bool(args, "rdepends")) {
		blocked = blockers(st, &t);
		if (json_object_size(blocked))
			r = refuse_needed(ctx, blocked, result);
	}
	if (r == 0) {
		txn.options = aipkg_arg_bool(args, "rdepends") ? rdepends : NULL;
		txn.args = t.v;
		txn.nargs = t.n;
		txn.dry_run = txn_dry_run(ctx, args);
		txn.confirmed = txn_confirmed(ctx, args);
		r = aipkg_txn_run(ctx, &txn, result);
	}
	json_decref(blocked);
	free(t.v);
	return r;
}

/* apk update; ONLY: nothing was to be upgraded anyway (--refresh-only) */
static int refresh_indexes(struct aipkg_ctx *ctx, bool only)
{
	struct aipkg_apk_call call = { "update", NULL, NULL, 0, AIPKG_APK_CHANGE | AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	int r = aipkg_apk_run(ctx, &call, &res);

	aipkg_spawn_result_release(&res);
	if (r < 0)
		return aipkg_ctx_fail(ctx, r, "could not refresh the repository indexes%s: %s",
				      only ? "" : ", so nothing was upgraded", aipkg_ctx_errmsg(ctx));
	aipkg_ctx_state_drop(ctx);
	return 0;
}

/* update --refresh-only: apk update alone (not in a dry run), which
 * changes no package and is not journalled. */
static int refresh_only(struct aipkg_ctx *ctx, json_t *args, const struct targets *t,
			json_t **result)
{
	bool dry = txn_dry_run(ctx, args);
	int r = 0;

	if (t->n || aipkg_arg_bool(args, "available"))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE,
				      "refreshing the indexes only upgrades nothing: name no "
				      "package and leave out available");
	if (!dry)
		r = refresh_indexes(ctx, true);
	if (r == 0)
		*result = json_pack("{s:[], s:i, s:b}", "changes", "apk_exit", 0, "refreshed", !dry);
	if (r == 0 && dry)
		json_object_set_new(*result, "dry_run", json_true());
	return r;
}

int aipkg_tool_update(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	static const char *const available[] = { "--available", NULL };
	struct aipkg_txn txn = { .applet = "upgrade", .what = "upgrade" };
	struct aipkg_state *st = NULL;
	json_t *held = NULL;
	struct targets t;
	int r = targets_get(ctx, args, &t, false);

	if (r == 0 && aipkg_arg_bool(args, "refresh_only")) {
		r = refresh_only(ctx, args, &t, result);
		free(t.v);
		return r;
	}
	txn.options = aipkg_arg_bool(args, "available") ? available : NULL;
	txn.dry_run = txn_dry_run(ctx, args);
	if (r == 0 && !txn.dry_run)
		r = refresh_indexes(ctx, false);
	if (r == 0)
		st = aipkg_ctx_state(ctx, &r);
	if (st && t.n)
		r = check_removable(ctx, st, &t);
	if (r == 0) {
		/* apk keeps locked packages (world NAME=VERSION): say which */
		held = aipkg_locked_held_back(st);
		txn.args = t.v;
		txn.nargs = t.n;
		txn.confirmed = txn_confirmed(ctx, args);
		r = aipkg_txn_run(ctx, &txn, result);
	}
	if (*result && held)
		json_object_set(*result, "skipped_locked", held);
	json_decref(held);
	free(t.v);
	return r;
}
