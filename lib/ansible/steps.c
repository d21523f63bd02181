/* The Ansible module's steps: each action of a task as pkg.* tool calls and a sentence. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "ansible/ansible.h"
#include "apk/search.h"
#include "journal/journal.h"
#include "tools/tools.h"
#include "vuln/severity.h"

/* A changing tool's arguments: the task is the agreement. */
static json_t *change_args(void)
{
	return json_pack("{s:b}", "confirm", true);
}

/* Describe a change's result, or say NOTHING when it changed nothing. */
static void say_result(struct task *t, const json_t *res, const char *nothing)
{
	char *what = aipkg_ansible_describe(res, t->p->check_mode);

	if (what && *what)
		aipkg_ansible_say(t, "%s", what);
	else if (nothing)
		aipkg_ansible_say(t, "%s", nothing);
	free(what);
}

static void join_names(struct aipkg_buf *b, const json_t *names)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		aipkg_buf_addf(b, "%s%s", i ? ", " : "", json_string_value(v));
}

/* "WHAT: a, b, c" as a step's sentence. */
static void say_names(struct task *t, const char *what, const json_t *names)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	join_names(&b, names);
	aipkg_ansible_say(t, "%s: %s", what, aipkg_buf_str(&b));
	aipkg_buf_release(&b);
}

/* Run TOOL on the task's names with EXTRA's members added; NOTHING (with
 * the names after it) is what the message says when nothing changed. */
static int names_call(struct task *t, const char *tool, const json_t *names, json_t *extra,
		      const char *nothing)
{
	json_t *args = change_args(), *res = NULL;
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int r;

	json_object_set(args, "packages", (json_t *)names);
	json_object_update(args, extra);
	json_decref(extra);
	r = aipkg_ansible_call(t, tool, args, &res);
	aipkg_buf_addf(&b, "%s: ", nothing);
	join_names(&b, names);
	if (r == 0)
		say_result(t, res, aipkg_buf_str(&b));
	if (res && json_object_get(res, "already_installed"))
		json_object_set(t->out, "already_installed",
				json_object_get(res, "already_installed"));
	aipkg_buf_release(&b);
	json_decref(res);
	return r;
}

/* The names of the task that are (WANTED) or are not installed before it:
 * absent and unlocked act on the installed ones only, the others are as
 * asked already. */
static json_t *names_installed(const struct task *t, bool wanted)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(t->p->name, i, v)
		if (!aipkg_state_installed(&t->before, json_string_value(v)) != wanted)
			json_array_append(out, v);
	return out;
}

/*
 * Only an installed package can be locked.  In check mode a package that
 * is not installed yet is taken as one an earlier task of the play
 * installs (check mode cannot know): its lock is predicted as a change,
 * with a warning, and a real run fails if it is still missing then.
 */
static int step_lock(struct task *t)
{
	json_t *present = names_installed(t, true), *missing = names_installed(t, false);
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int r = 0;

	if (!t->p->check_mode || !json_array_size(missing))
		r = names_call(t, "pkg.lock", t->p->name, json_object(), "already locked");
	else if (json_array_size(present))
		r = names_call(t, "pkg.lock", present, json_object(), "already locked");
	if (r == 0 && t->p->check_mode && json_array_size(missing)) {
		join_names(&b, missing);
		aipkg_ansible_say(t, "would lock %s once installed", aipkg_buf_str(&b));
		aipkg_buf_addstr(&b, ": not installed now, so a real run fails unless an earlier "
				     "task installs it");
		aipkg_ansible_warn(t, aipkg_buf_str(&b));
		t->assumed = true;
	}
	aipkg_buf_release(&b);
	json_decref(present);
	json_decref(missing);
	return r;
}

/* The world atom of NAME (a plain name), or NULL. */
static const char *world_atom(const struct aipkg_state *st, const char *name)
{
	struct aipkg_dep dep;

	for (size_t i = 0; i < st->nworld; i++)
		if (aipkg_dep_parse(aipkg_slice_str(st->world[i]), &dep) == 0 &&
		    aipkg_slice_eq(dep.name, name))
			return st->world[i];
	return NULL;
}

/*
 * present and latest.  A plain name that is installed and in the world
 * file already (as community.general.apk asks its world file) is as asked
 * whatever its atom says: apk add NAME would replace "NAME=VERSION", a
 * lock, or "NAME@edge" with plain NAME.  latest leaves a locked package
 * where the lock holds it, as upgrade does.  Constraints go to apk as given.
 */
static int step_install(struct task *t)
{
	bool latest = t->p->state == ANS_LATEST;
	json_t *todo = json_array(), *held = json_array(), *v;
	int r = 0;
	size_t i;

	json_array_foreach(t->p->name, i, v) {
		const char *name = json_string_value(v), *atom = world_atom(&t->before, name);
		bool plain = aipkg_name_valid(aipkg_slice_str(name));

		if (plain && atom && latest && aipkg_locked_atom(&t->before, name))
			json_array_append_new(held, json_pack("{s:s, s:s}", "name", name,
							      "constraint", atom));
		else if (!plain || !atom || latest || !aipkg_state_installed(&t->before, name))
			json_array_append(todo, v);
	}
	if (json_array_size(todo))
		r = names_call(t, "pkg.install", todo,
			       json_pack("{s:b, s:b}", "force", t->p->force, "upgrade", latest),
			       latest ? "already installed at the newest version"
				      : "already installed");
	else if (!json_array_size(held))
		say_names(t, "already installed", t->p->name);
	if (json_array_size(held)) {
		json_t *atoms = json_array();

		json_array_foreach(held, i, v)
			json_array_append(atoms, json_object_get(v, "constraint"));
		say_names(t, "kept locked (state unlocked lets it move)", atoms);
		json_object_set(t->out, "skipped_locked", held);
		json_decref(atoms);
	}
	json_decref(todo);
	json_decref(held);
	return r;
}

int aipkg_ansible_step_names(struct task *t)
{
	const struct ans_params *p = t->p;
	json_t *present = NULL;
	int r = 0;

	if (!json_array_size(p->name)) {
		aipkg_ansible_say(t, "no packages named: nothing to do");
		return 0;
	}
	switch (p->state) {
	case ANS_PRESENT:
	case ANS_LATEST:
		return step_install(t);
	case ANS_LOCKED:
		return step_lock(t);
	case ANS_ABSENT:
	case ANS_UNLOCKED:
		present = names_installed(t, true);
		if (json_array_size(present))
			r = names_call(
			    t, p->state == ANS_ABSENT ? "pkg.remove" : "pkg.unlock", present,
			    p->state == ANS_ABSENT ? json_pack("{s:b}", "rdepends", p->rdepends)
						   : json_object(),
			    p->state == ANS_ABSENT ? "already absent" : "already unlocked");
		else
			aipkg_ansible_say(t, "%s: none of them is installed",
					  p->state == ANS_ABSENT ? "already absent"
								 : "nothing to unlock");
		json_decref(present);
		return r;
	}
	return 0;
}

int aipkg_ansible_step_upgrade(struct task *t)
{
	json_t *args = change_args(), *res = NULL;
	int r;

	json_object_set_new(args, "available", json_boolean(t->p->available));
	r = aipkg_ansible_call(t, "pkg.update", args, &res);
	if (r == 0)
		say_result(t, res, "every package is at the newest version available");
	if (res && json_array_size(json_object_get(res, "skipped_locked")))
		json_object_set(t->out, "skipped_locked", json_object_get(res, "skipped_locked"));
	json_decref(res);
	return r;
}

int aipkg_ansible_step_refresh(struct task *t)
{
	json_t *args = change_args(), *res = NULL;
	int r;

	json_object_set_new(args, "refresh_only", json_true());
	r = aipkg_ansible_call(t, "pkg.update", args, &res);
	if (r == 0)
		aipkg_ansible_say(t, json_is_true(json_object_get(res, "refreshed"))
					 ? "refreshed the indexes"
					 : "the indexes would be refreshed (not in check mode)");
	json_decref(res);
	return r;
}

int aipkg_ansible_step_plan(struct task *t)
{
	json_t *res = NULL;
	int r = aipkg_ansible_call(t, "pkg.update_plan", json_object(), &res);

	if (r == 0) {
		json_object_set(t->out, "plan", json_object_get(res, "packages"));
		size_t n = json_array_size(json_object_get(res, "packages"));

		aipkg_ansible_say(t, "%zu upgradable package%s assessed (plan only)", n,
				  n == 1 ? "" : "s");
	}
	json_decref(res);
	return r;
}

/* The journal entry to roll back: ID, or with "last" the newest one. */
static int rollback_target(struct task *t, json_t **entry)
{
	long long id = t->p->rollback;
	json_t *res = NULL;
	int r;

	*entry = NULL;
	if (id == ANS_ROLLBACK_LAST) {
		r = aipkg_ansible_call(t, "pkg.history", json_pack("{s:i}", "limit", 1), &res);
		id = json_integer_value(
		    json_object_get(json_array_get(json_object_get(res, "transactions"), 0), "id"));
		json_decref(res);
		res = NULL;
		if (r < 0 || id == 0)
			return r;
	}
	r = aipkg_ansible_call(t, "pkg.history", json_pack("{s:I}", "id", (json_int_t)id), &res);
	if (r == 0)
		*entry = json_incref(json_array_get(json_object_get(res, "transactions"), 0));
	json_decref(res);
	return r;
}

/*
 * rollback: ID or last.  A task run again must not undo more: an operation
 * already undone is left as it is, and "last" finds nothing to do when the
 * newest operation is itself a rollback (the one the previous run made)
 * or changed nothing (a failed upgrade: "last" never reaches past it).
 */
int aipkg_ansible_step_rollback(struct task *t)
{
	json_t *e = NULL, *args, *res = NULL;
	long long id, by, undoes;
	int r = rollback_target(t, &e);

	if (r < 0 || !e) {
		if (r == 0)
			aipkg_ansible_say(t, "nothing to roll back: the journal is empty");
		return r;
	}
	id = json_integer_value(json_object_get(e, "id"));
	by = json_integer_value(json_object_get(e, "undone_by"));
	undoes = json_integer_value(json_object_get(e, "undoes"));
	if (by)
		aipkg_ansible_say(t, "operation %lld was already undone by operation %lld", id, by);
	else if (t->p->rollback == ANS_ROLLBACK_LAST && undoes)
		aipkg_ansible_say(t,
				  "the newest operation, %lld, is the rollback of operation "
				  "%lld: nothing to roll back",
				  id, undoes);
	else if (!aipkg_jentry_undoable(e) && !aipkg_jentry_status_is(e, "pending"))
		aipkg_ansible_say(t, "operation %lld changed nothing: nothing to roll back", id);
	else {
		args = change_args();
		json_object_set_new(args, "id", json_integer(id));
		json_object_set_new(args, "force", json_boolean(t->p->force));
		r = aipkg_ansible_call(t, "pkg.rollback", args, &res);
		if (r == 0) {
			json_object_set_new(t->out, "undoes", json_integer(id));
			aipkg_ansible_say(t, "%s operation %lld",
					  t->p->check_mode ? "would roll back" : "rolled back", id);
			say_result(t, res, NULL);
		}
	}
	json_decref(res);
	json_decref(e);
	return r;
}

/* "curl 8.9.0-r0 CVE-2024-8096 (fixed in 8.10.0-r0)" of each finding at or
 * above LEVEL. */
static void gate_findings(struct aipkg_buf *b, const json_t *found, const char *level)
{
	const json_t *f;
	size_t i, n = 0;

	json_array_foreach(found, i, f) {
		int sev = aipkg_severity_parse(json_string_value(json_object_get(f, "severity")));

		if (!aipkg_severity_counts(sev < 0 ? AIPKG_SEV_UNKNOWN : (enum aipkg_severity)sev,
					   level))
			continue;
		aipkg_buf_addf(b, "%s%s %s %s", n++ ? ", " : "",
			       json_string_value(json_object_get(f, "package")),
			       json_string_value(json_object_get(f, "version")),
			       json_string_value(json_object_get(f, "cve")));
		if (json_string_value(json_object_get(f, "fixed_in")))
			aipkg_buf_addf(b, " (fixed in %s)",
				       json_string_value(json_object_get(f, "fixed_in")));
	}
}

/* check_vuln: the packages against secdb, after the task's change; with
 * fail_on, findings at or above it fail the task (the gate). */
int aipkg_ansible_step_vuln(struct task *t)
{
	const struct ans_params *p = t->p;
	json_t *args = json_pack("{s:b}", "refresh", p->vuln_refresh), *res = NULL, *found;
	struct aipkg_buf b = AIPKG_BUF_INIT;
	json_int_t failing;
	int r;

	if (p->fail_on)
		json_object_set_new(args, "fail_on", json_string(p->fail_on));
	if (p->vuln_packages)
		json_object_set(args, "packages", p->vuln_packages);
	r = aipkg_ansible_call(t, "pkg.check_vuln", args, &res);
	if (r < 0) {
		json_decref(res);
		return r;
	}
	json_object_set(t->out, "check_vuln", res);
	found = json_object_get(res, "vulnerabilities");
	failing = json_integer_value(json_object_get(res, "failing"));
	aipkg_ansible_say(t, "%zu known vulnerabilit%s in %lld package%s", json_array_size(found),
			  json_array_size(found) == 1 ? "y" : "ies",
			  (long long)json_integer_value(json_object_get(res, "scanned")),
			  json_integer_value(json_object_get(res, "scanned")) == 1 ? "" : "s");
	if (failing) {
		aipkg_buf_addf(&b, "vulnerability gate: %lld finding%s at or above fail_on %s: ",
			       (long long)failing, failing == 1 ? "" : "s", p->fail_on);
		gate_findings(&b, found, p->fail_on);
	}
	/* check mode checks the versions installed now: when the task would
	 * change them, that is no verdict on the versions it would install */
	if (failing && p->check_mode && json_array_size(t->planned)) {
		aipkg_buf_addstr(&b, " (the versions installed now; the task would change "
				     "packages, so check mode does not fail on them)");
		aipkg_ansible_warn(t, aipkg_buf_str(&b));
	} else if (failing) {
		json_object_set_new(t->out, "msg", json_string(aipkg_buf_str(&b)));
		r = -AIPKG_E_VULNERABLE;
	}
	aipkg_buf_release(&b);
	json_decref(res);
	return r;
}
