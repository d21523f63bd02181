/* pkg.lock and pkg.unlock: hold a package at its version with apk's own world constraint. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/search.h"
#include "apk/version.h"
#include "ctx.h"
#include "tools/tools.h"
#include "tools/txn.h"

/* NAME=VERSION or NAME><CHECKSUM: one build only, which `apk upgrade`
 * keeps too.  (A "~" or ">=" constraint still lets versions move.) */
static bool atom_locks(const char *atom, const char *name)
{
	struct aipkg_dep dep;

	if (aipkg_dep_parse(aipkg_slice_str(atom), &dep) < 0 || dep.conflict)
		return false;
	return aipkg_slice_eq(dep.name, name) &&
	       (dep.op == AIPKG_DEP_EQ || dep.op == AIPKG_DEP_CHECKSUM);
}

const char *aipkg_locked_atom(const struct aipkg_state *st, const char *name)
{
	for (size_t i = 0; name && i < st->nworld; i++)
		if (atom_locks(st->world[i], name))
			return st->world[i];
	return NULL;
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
		const struct aipkg_pkg *best = name ? aipkg_state_best(st, name) : NULL;

		if (inst && best && atom_locks(st->world[i], name) &&
		    aipkg_version_compare(aipkg_slice_str(best->version),
					  aipkg_slice_str(inst->version)) == AIPKG_VER_GREATER)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "name", name,
							     "version", inst->version, "constraint",
							     st->world[i], "available",
							     best->version));
		free(name);
	}
	return out;
}

static bool dry_run(struct aipkg_ctx *ctx, json_t *args)
{
	return ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run");
}

/* The installed package ARGS name, with a message when there is none. */
static int lock_target(struct aipkg_ctx *ctx, json_t *args, struct aipkg_state **st,
		       const struct aipkg_pkg **inst)
{
	const char *name = json_string_value(json_object_get(args, "package"));
	int r;

	if (!aipkg_name_valid(aipkg_slice_str(name)))
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADNAME,
				      "'%s' is not a package name (give it without a version)", name);
	*st = aipkg_ctx_state(ctx, &r);
	if (!*st)
		return r;
	*inst = aipkg_state_installed(*st, name);
	if (!*inst)
		return aipkg_ctx_fail(ctx, -AIPKG_E_NOTINSTALLED,
				      "'%s' is not installed: only an installed package can be "
				      "locked or unlocked",
				      name);
	return 0;
}

/* Already as asked: nothing to run, nothing to journal. */
static json_t *unchanged(const struct aipkg_pkg *inst, const char *constraint)
{
	return json_pack("{s:[], s:i, s:s, s:s, s:s?, s:b}", "changes", "apk_exit", 0, "package",
			 inst->name, "version", inst->version, "constraint", constraint,
			 "unchanged", true);
}

/* Locking changes the world file only; any package apk would move
 * (apk 3 re-chooses the version of a name given to del) is confirmed. */
static bool nothing_asked(const struct aipkg_txn *txn, const json_t *change)
{
	return false;
}

static int lock_run(struct aipkg_ctx *ctx, json_t *args, const char *applet, const char *arg,
		    const char *what, json_t **result)
{
	const char *argv[] = { arg, NULL };
	struct aipkg_txn txn = { .applet = applet, .args = argv, .nargs = 1, .what = what,
				 .asked = nothing_asked };

	txn.dry_run = dry_run(ctx, args);
	txn.confirmed = ctx->opts.yes || aipkg_arg_bool(args, "confirm");
	return aipkg_txn_run(ctx, &txn, result);
}

int aipkg_tool_lock(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	const struct aipkg_pkg *inst;
	struct aipkg_state *st;
	char *atom = NULL;
	const char *held;
	int r = lock_target(ctx, args, &st, &inst);

	if (r < 0)
		return r;
	if (asprintf(&atom, "%s=%s", inst->name, inst->version) < 0)
		return -ENOMEM;
	held = aipkg_locked_atom(st, inst->name);
	if (held && strcmp(held, atom) == 0) {
		*result = unchanged(inst, atom);
	} else {
		/* before the txn, which frees the state INST lives in */
		json_t *res = NULL, *what = json_pack("{s:s, s:s, s:s}", "package", inst->name,
						      "version", inst->version, "constraint", atom);

		r = lock_run(ctx, args, "add", atom, "lock", &res);
		*result = res;
		if (res)
			json_object_update_missing(res, what);
		json_decref(what);
	}
	free(atom);
	return r;
}

/*
 * Unlocking replaces NAME=VERSION with plain NAME when NAME was asked for;
 * when it is only there for other packages (locking put it into the world
 * file), apk del takes it out of the world file and apk keeps the package.
 */
int aipkg_tool_unlock(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	const struct aipkg_pkg *inst;
	struct aipkg_state *st;
	json_t *users, *res = NULL;
	const char *held;
	char *name;
	int r = lock_target(ctx, args, &st, &inst);

	if (r < 0)
		return r;
	held = aipkg_locked_atom(st, inst->name);
	if (!held) {
		*result = unchanged(inst, NULL);
		return 0;
	}
	users = aipkg_required_by(st, inst);
	name = strdup(inst->name); /* the txn takes the state away */
	if (!name) {
		json_decref(users);
		return -ENOMEM;
	}
	r = lock_run(ctx, args, json_array_size(users) ? "del" : "add", name, "unlock", &res);
	*result = res;
	if (res)
		json_object_set_new(res, "package", json_string(name));
	json_decref(users);
	free(name);
	return r;
}
