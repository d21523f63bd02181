/* aipkg as an Ansible module: a task's parameters run as pkg.* tool calls. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ansible/ansible.h"
#include "aipkg/tools.h"
#include "apk/search.h"
#include "tools/tools.h"
#include "journal/journal.h"
#include "vuln/severity.h"

/* A task as the journal's command line: what it asked, not the path of
 * Ansible's temporary arguments file. */
static char *command_line(const struct ans_params *p)
{
	char *json = json_dumps(p->given, JSON_COMPACT | JSON_SORT_KEYS), *line = NULL;

	if (json && asprintf(&line, "aipkg ansible %s", json) < 0)
		line = NULL;
	free(json);
	return line;
}

static void on_warn(void *ud, const char *msg)
{
	struct task *t = ud;
	const json_t *w;
	size_t i;

	json_array_foreach(t->warnings, i, w)
		if (strcmp(json_string_value(w), msg) == 0)
			return;
	json_array_append_new(t->warnings, json_string(msg));
}

/* A step's sentence for "msg". */
__attribute__((format(printf, 2, 3))) static void say(struct task *t, const char *fmt, ...)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	aipkg_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.len)
		json_array_append_new(t->msgs, json_string(aipkg_buf_str(&b)));
	aipkg_buf_release(&b);
}

/* What a tool's result adds to the task's: the journal id, and in check
 * mode the plan. */
static void gather(struct task *t, const json_t *res)
{
	const json_t *id = json_object_get(res, "id");

	if (json_is_integer(id))
		json_array_append(t->ids, (json_t *)id);
	if (!json_is_true(json_object_get(res, "dry_run")))
		return;
	json_array_extend(t->planned, json_object_get(res, "changes"));
	json_array_extend(t->world_added, json_object_get(res, "world_added"));
	json_array_extend(t->world_removed, json_object_get(res, "world_removed"));
}

/*
 * Call TOOL with ARGS (stolen).  A failure is the task's failure, with
 * aipkg's message; *RES is what the tool returned (its detail on a
 * failure too), for the caller to release.
 */
static int call(struct task *t, const char *tool, json_t *args, json_t **res)
{
	/* what a failure's result says beyond the message: why apk failed and
	 * what to do (aipkg doctor's diagnosis), who needs a package, which
	 * vulnerabilities refused an install */
	static const char *const detail[] = { "diagnosis", "required_by", "vulnerabilities" };
	int r = aipkg_tool_call(t->ctx, tool, args, res);

	json_decref(args);
	if (*res)
		gather(t, *res);
	if (r < 0)
		json_object_set_new(t->out, "msg", json_string(aipkg_ctx_why(t->ctx, r)));
	for (size_t i = 0; r < 0 && *res && i < sizeof(detail) / sizeof(detail[0]); i++)
		if (json_object_get(*res, detail[i]))
			json_object_set(t->out, detail[i], json_object_get(*res, detail[i]));
	return r;
}

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
		say(t, "%s", what);
	else if (nothing)
		say(t, "%s", nothing);
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
	say(t, "%s: %s", what, aipkg_buf_str(&b));
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
	r = call(t, tool, args, &res);
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
		say(t, "would lock %s once installed", aipkg_buf_str(&b));
		aipkg_buf_addstr(&b, ": not installed now, so a real run fails unless an earlier "
				     "task installs it");
		on_warn(t, aipkg_buf_str(&b));
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

static int step_names(struct task *t)
{
	const struct ans_params *p = t->p;
	json_t *present = NULL;
	int r = 0;

	if (!json_array_size(p->name)) {
		say(t, "no packages named: nothing to do");
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
			say(t, "%s: none of them is installed",
			    p->state == ANS_ABSENT ? "already absent" : "nothing to unlock");
		json_decref(present);
		return r;
	}
	return 0;
}

static int step_upgrade(struct task *t)
{
	json_t *args = change_args(), *res = NULL;
	int r;

	json_object_set_new(args, "available", json_boolean(t->p->available));
	r = call(t, "pkg.update", args, &res);
	if (r == 0)
		say_result(t, res, "every package is at the newest version available");
	if (res && json_array_size(json_object_get(res, "skipped_locked")))
		json_object_set(t->out, "skipped_locked", json_object_get(res, "skipped_locked"));
	json_decref(res);
	return r;
}

static int step_refresh(struct task *t)
{
	json_t *args = change_args(), *res = NULL;
	int r;

	json_object_set_new(args, "refresh_only", json_true());
	r = call(t, "pkg.update", args, &res);
	if (r == 0)
		say(t, json_is_true(json_object_get(res, "refreshed"))
			       ? "refreshed the indexes"
			       : "the indexes would be refreshed (not in check mode)");
	json_decref(res);
	return r;
}

static int step_plan(struct task *t)
{
	json_t *res = NULL;
	int r = call(t, "pkg.update_plan", json_object(), &res);

	if (r == 0) {
		json_object_set(t->out, "plan", json_object_get(res, "packages"));
		say(t, "%zu upgradable package%s assessed (plan only)",
		    json_array_size(json_object_get(res, "packages")),
		    json_array_size(json_object_get(res, "packages")) == 1 ? "" : "s");
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
		r = call(t, "pkg.history", json_pack("{s:i}", "limit", 1), &res);
		id = json_integer_value(json_object_get(
			json_array_get(json_object_get(res, "transactions"), 0), "id"));
		json_decref(res);
		res = NULL;
		if (r < 0 || id == 0)
			return r;
	}
	r = call(t, "pkg.history", json_pack("{s:I}", "id", (json_int_t)id), &res);
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
static int step_rollback(struct task *t)
{
	json_t *e = NULL, *args, *res = NULL;
	long long id, by, undoes;
	int r = rollback_target(t, &e);

	if (r < 0 || !e) {
		if (r == 0)
			say(t, "nothing to roll back: the journal is empty");
		return r;
	}
	id = json_integer_value(json_object_get(e, "id"));
	by = json_integer_value(json_object_get(e, "undone_by"));
	undoes = json_integer_value(json_object_get(e, "undoes"));
	if (by)
		say(t, "operation %lld was already undone by operation %lld", id, by);
	else if (t->p->rollback == ANS_ROLLBACK_LAST && undoes)
		say(t, "the newest operation, %lld, is the rollback of operation %lld: nothing to "
		       "roll back",
		    id, undoes);
	else if (!aipkg_jentry_undoable(e) && !aipkg_jentry_status_is(e, "pending"))
		say(t, "operation %lld changed nothing: nothing to roll back", id);
	else {
		args = change_args();
		json_object_set_new(args, "id", json_integer(id));
		json_object_set_new(args, "force", json_boolean(t->p->force));
		r = call(t, "pkg.rollback", args, &res);
		if (r == 0) {
			json_object_set_new(t->out, "undoes", json_integer(id));
			say(t, "%s operation %lld",
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
static int step_vuln(struct task *t)
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
	r = call(t, "pkg.check_vuln", args, &res);
	if (r < 0) {
		json_decref(res);
		return r;
	}
	json_object_set(t->out, "check_vuln", res);
	found = json_object_get(res, "vulnerabilities");
	failing = json_integer_value(json_object_get(res, "failing"));
	say(t, "%zu known vulnerabilit%s in %lld package%s", json_array_size(found),
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
		on_warn(t, aipkg_buf_str(&b));
	} else if (failing) {
		json_object_set_new(t->out, "msg", json_string(aipkg_buf_str(&b)));
		r = -AIPKG_E_VULNERABLE;
	}
	aipkg_buf_release(&b);
	json_decref(res);
	return r;
}

static int run_steps(struct task *t)
{
	const struct ans_params *p = t->p;
	int r = 0;

	if (p->available && !p->upgrade)
		on_warn(t, "available applies to upgrade: true only; it was ignored");
	if (p->update_cache && !p->upgrade)
		r = step_refresh(t);
	if (r == 0 && p->rollback)
		r = step_rollback(t);
	else if (r == 0 && p->plan_only)
		r = step_plan(t);
	else if (r == 0 && p->upgrade)
		r = step_upgrade(t);
	else if (r == 0 && p->name)
		r = step_names(t);
	if (r == 0 && p->check_vuln)
		r = step_vuln(t);
	return r;
}

/* The context a task runs in: the command line's options, with the
 * task's root, repositories, check mode and lock timeout. */
static int task_ctx(struct task *t, const struct aipkg_opts *base, const char **repos,
		    const char *cmdline)
{
	const struct ans_params *p = t->p;
	struct aipkg_callbacks cb = { NULL, NULL, on_warn, NULL, t };
	struct aipkg_opts o = base ? *base : (struct aipkg_opts){ 0 };
	size_t n = base ? base->nrepos : 0;
	const json_t *v;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		repos[i] = base->repos[i];
	json_array_foreach(p->repository, i, v)
		repos[n++] = json_string_value(v);
	o.repos = repos;
	o.nrepos = n;
	if (p->root)
		o.root = p->root;
	o.dry_run = p->check_mode;
	o.yes = true;
	o.stream = o.interactive = false;
	o.batch = true;
	o.verbose = 0;
	o.lock_timeout = p->lock_timeout;
	o.caller = "ansible";
	o.cmdline = cmdline;
	r = aipkg_ctx_new(&t->ctx, &o, &cb);
	if (r == 0 && p->no_cache)
		t->ctx->cfg.keep_packages_mb = 0; /* nothing cached or kept: see aipkg(8) */
	if (r == 0)
		r = aipkg_ctx_need_alpine(t->ctx);
	if (r == 0) /* a task that needs no change still says so */
		aipkg_journal_check_pending(t->ctx);
	if (r == 0)
		r = aipkg_state_load(t->ctx, &t->before, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);
	if (r < 0)
		json_object_set_new(t->out, "msg", json_string(aipkg_ctx_why(t->ctx, r)));
	return r;
}

static void finish(struct task *t, int r)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const json_t *m;
	size_t i;

	if (t->ctx && t->ctx->root)
		json_object_set_new(t->out, "root",
				    json_string(*t->ctx->root ? t->ctx->root : "/"));
	if (json_array_size(t->ids)) {
		json_object_set(t->out, "ids", t->ids);
		json_object_set(t->out, "id", json_array_get(t->ids, json_array_size(t->ids) - 1));
	}
	if (json_array_size(t->warnings))
		json_object_set(t->out, "warnings", t->warnings);
	if (r < 0) {
		json_object_set_new(t->out, "failed", json_true());
		return;
	}
	json_array_foreach(t->msgs, i, m)
		aipkg_buf_addf(&b, "%s%s", i ? "; " : "", json_string_value(m));
	json_object_set_new(t->out, "msg",
			    json_string(b.len ? aipkg_buf_str(&b) : "nothing to do"));
	aipkg_buf_release(&b);
}

json_t *aipkg_ansible_run(const json_t *args, const struct aipkg_opts *opts)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;
	struct task t = { 0 };
	const char **repos = NULL;
	char *cmdline = NULL;
	int r;

	t.p = &p;
	t.out = json_pack("{s:b}", "changed", false);
	t.warnings = json_array();
	t.msgs = json_array();
	t.ids = json_array();
	t.planned = json_array();
	t.world_added = json_array();
	t.world_removed = json_array();
	r = aipkg_ansible_params(args, &p, &err);
	if (r < 0)
		json_object_set_new(t.out, "msg", json_string(aipkg_buf_str(&err)));
	if (r == 0) {
		repos = calloc((opts ? opts->nrepos : 0) + json_array_size(p.repository) + 1,
			       sizeof(*repos));
		cmdline = command_line(&p);
		r = repos && cmdline ? task_ctx(&t, opts, repos, cmdline) : -ENOMEM;
	}
	if (r == 0) {
		r = run_steps(&t);
		/* what changed, also after a failure: a step before may have */
		int cr = aipkg_ansible_conclude(&t);

		if (r == 0 && cr < 0)
			json_object_set_new(t.out, "msg", json_string(aipkg_ctx_why(t.ctx, cr)));
		r = r < 0 ? r : cr;
	}
	if (r == -ENOMEM && !json_object_get(t.out, "msg"))
		json_object_set_new(t.out, "msg", json_string(aipkg_strerror(r)));
	finish(&t, r);
	aipkg_state_release(&t.before);
	aipkg_ctx_free(t.ctx);
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
	free(repos);
	free(cmdline);
	json_decref(t.warnings);
	json_decref(t.msgs);
	json_decref(t.ids);
	json_decref(t.planned);
	json_decref(t.world_added);
	json_decref(t.world_removed);
	return t.out;
}
