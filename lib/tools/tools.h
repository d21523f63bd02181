/* Private declarations shared by the pkg.* tool implementations. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TOOLS_PRIV_H
#define AIPKG_TOOLS_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "aipkg/tools.h"

struct aipkg_ctx;

int aipkg_tool_doctor(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_doctor_fix(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_check_vuln(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_agent_status(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_update_plan(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_ask(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_search(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_info(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_list(struct aipkg_ctx *ctx, json_t *args, json_t **result);

/* What aipkg_tool_call does before TOOL runs: check ARGS, refuse a root
 * that is not Alpine, take the state lock for a change (*locked: release
 * it after) and reconcile an operation a crash left pending (*recovered,
 * may be NULL: a new array of the entries reconciled, or NULL), else note
 * an interrupted operation.  0 or a negative error. */
int aipkg_tool_begin(struct aipkg_ctx *ctx, const struct aipkg_tool *tool, json_t *args,
		     bool *locked, json_t **recovered);
int aipkg_tool_install(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_remove(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_update(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_history(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_recover(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_rollback(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_lock(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_unlock(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_who_owns(struct aipkg_ctx *ctx, json_t *args, json_t **result);

/* Fail with -AIPKG_E_NOPKG saying that NAME is a virtual name apk will
 * not choose a provider for, and who provides it. */
struct aipkg_state;
int aipkg_fail_virtual(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *name);

/* Locks (pkg.lock): the world constraint "NAME=VERSION" holding the real
 * package NAME, or NULL when it is not locked; borrowed from ST.  A
 * virtual package's version (".python-rundeps=20221112.072824") and a
 * checksum pin ("wget><Q1...") are not locks. */
struct aipkg_state;
const char *aipkg_locked_atom(const struct aipkg_state *st, const char *name);
/* Any world entry that holds NAME at one build: a lock, a checksum pin or
 * a virtual package's version; *kind (may be NULL) gets which
 * (enum aipkg_world_kind).  NULL when nothing holds it. */
const char *aipkg_held_atom(const struct aipkg_state *st, const char *name, int *kind);
/*
 * Keep the locks of install's targets ATOMS[N]: apk add NAME replaces the
 * world entry NAME=VERSION with NAME, dropping the lock.  A plain NAME (or
 * the lock itself) of a locked installed package becomes its lock atom in
 * ATOMS, pointing into *KEPT (a new array the caller frees, after ATOMS'
 * last use) as {"name","version","constraint","requested"}; any other
 * version, constraint or tag of it is refused with -AIPKG_E_CONFLICT
 * (unlock first), as apk would take it in place of the lock.
 */
int aipkg_locks_keep(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char **atoms,
		     size_t n, json_t **kept);
/* The held packages (locks and checksum pins) for which the repositories
 * apk would use hold a newer version, as a new array of
 * {"name","version","constraint","kind","available"}. */
json_t *aipkg_locked_held_back(const struct aipkg_state *st);

/*
 * Check ARGS against SCHEMA (the subset of JSON Schema the registry uses:
 * type object/string/boolean/integer/array, properties, required,
 * additionalProperties false, items, enum, minimum, maxLength, maxItems).
 * On failure returns -AIPKG_E_USAGE and writes the reason to the context.
 */
int aipkg_schema_check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *args);

/* The first keyword in SCHEMA (or its properties and items) that
 * aipkg_schema_check() does not know, so would not enforce; NULL if none. */
const char *aipkg_schema_unsupported(const json_t *schema);

/*
 * PLAN's changes as a confirmation shows them (a new array): each change
 * with "named" (NAMED(UD, change) says it was asked for by name; NULL:
 * none was), "size" (the new version's file, to download), "installed_size"
 * (the new version's) and "installed_size_before" (the version replaced or
 * removed), from ST's installed database and indexes; 0 where unknown,
 * and then "size_unknown": true (a version only a kept file has).
 */
struct aipkg_state;
json_t *aipkg_plan_summary(const struct aipkg_state *st, const json_t *plan,
			   bool (*named)(const void *ud, const json_t *change), const void *ud);

/* Argument helpers: a boolean member, false when absent. */
bool aipkg_arg_bool(const json_t *args, const char *key);

#endif
