/* One change through apk: simulate, confirm, journal, run, and see what really changed. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk/changes.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "ctx.h"
#include "interrupt.h"
#include "journal/journal.h"
#include "jsonutil.h"
#include "tools/tools.h"
#include "tools/txn.h"

#define TXN_MAX_CALLS 8

static bool change_is(const json_t *c, const char *action)
{
	return strcmp(json_string_value(json_object_get(c, "action")), action) == 0;
}

/* Does this planned change need the user's yes? */
static bool change_needs_yes(const struct aipkg_txn *txn, const json_t *c)
{
	if (change_is(c, "remove") || change_is(c, "downgrade"))
		return true;
	return txn->asked ? !txn->asked(txn, c) : change_is(c, "install");
}

/* "also install pcre2, remove telnet-a" for the refusal message; "" when
 * nothing needs a yes. */
static char *unasked_changes(const struct aipkg_txn *txn, const json_t *plan)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *last = NULL;
	const json_t *c;
	size_t i;

	json_array_foreach(plan, i, c) {
		const char *action = json_string_value(json_object_get(c, "action"));

		if (!change_needs_yes(txn, c))
			continue;
		if (!last || strcmp(last, action) != 0)
			aipkg_buf_addf(&b, "%s%s ", b.len ? "; " : "", action);
		else
			aipkg_buf_addstr(&b, ", ");
		aipkg_buf_addstr(&b, json_string_value(json_object_get(c, "name")));
		last = action;
	}
	return aipkg_buf_detach(&b);
}

static json_t *result_new(json_t *changes, int apk_exit)
{
	return json_pack("{s:o, s:i}", "changes", changes ? changes : json_array(), "apk_exit",
			 apk_exit);
}

/* Was this change asked for by name (the confirmation lists those apart)? */
static bool change_named(const void *ud, const json_t *c)
{
	const struct aipkg_txn *txn = ud;
	const char *name = json_string_value(json_object_get(c, "name"));

	if (!change_is(c, "remove"))
		return txn->asked ? txn->asked(txn, c) : !change_is(c, "downgrade");
	for (size_t i = 0; name && i < txn->nargs; i++)
		if (strcmp(txn->args[i], name) == 0)
			return true;
	return false;
}

static int confirm(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
		   const struct aipkg_state *before, const json_t *plan)
{
	char *unasked;
	json_t *doc;
	int answer;

	if (txn->confirmed)
		return 0;
	unasked = unasked_changes(txn, plan);
	if (!unasked)
		return -ENOMEM;
	/* a rollback is always confirmed: it says which operation it undoes */
	if (!*unasked && txn->undoes <= 0) {
		free(unasked);
		return 0;
	}
	doc = json_pack("{s:o}", "changes", aipkg_plan_summary(before, plan, change_named, txn));
	if (json_is_object(txn->about))
		json_object_update_missing(doc, (json_t *)txn->about);
	answer = ctx->cb.confirm ? ctx->cb.confirm(ctx->cb.ud, "Proceed?", doc) : -1;
	json_decref(doc);
	if (answer > 0)
		answer = 0;
	else if (answer == 0)
		answer = aipkg_ctx_fail(ctx, -AIPKG_E_DECLINED, "nothing changed: you declined");
	else
		answer = aipkg_ctx_fail(ctx, -AIPKG_E_REFUSED,
					"this %s needs confirmation%s%s%s; nothing changed: "
					"rerun with --yes to confirm, or --dry-run to see the plan",
					txn->what, *unasked ? " (it would " : "", unasked,
					*unasked ? ")" : "");
	free(unasked);
	return answer;
}

/* TXN's apk calls with FLAGS: its own first, then txn->more. */
static size_t txn_calls(const struct aipkg_txn *txn, unsigned flags, struct aipkg_apk_call *calls)
{
	size_t n = 0;

	calls[n++] = (struct aipkg_apk_call){ txn->applet, txn->options, txn->args, txn->nargs,
					      flags };
	for (size_t i = 0; i < txn->nmore && n < TXN_MAX_CALLS; i++) {
		calls[n] = txn->more[i];
		calls[n++].flags = flags;
	}
	return n;
}

static int simulate(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
		    const struct aipkg_keep *kp, json_t **plan, int *apk_exit)
{
	struct aipkg_apk_call call = { txn->applet, txn->options, txn->args, txn->nargs,
				       AIPKG_APK_CHANGE | AIPKG_APK_SIMULATE | AIPKG_APK_QUIET |
					   kp->apk_flags };
	struct aipkg_spawn_result res;
	int r = aipkg_apk_run(ctx, &call, &res);

	*apk_exit = res.exit_code;
	*plan = r == 0 ? aipkg_changes_from_plan(aipkg_buf_str(&res.out)) : NULL;
	aipkg_spawn_result_release(&res);
	return r;
}

/* The command lines TXN runs, for the journal and --dry-run. */
static json_t *txn_lines(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
			 const struct aipkg_keep *kp)
{
	struct aipkg_apk_call calls[TXN_MAX_CALLS];
	size_t n = txn_calls(txn, AIPKG_APK_CHANGE | kp->apk_flags, calls);
	json_t *lines = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *argv;
		char *line;

		if (aipkg_apk_argv(ctx, &calls[i], &argv) < 0)
			continue;
		line = aipkg_jentry_argv_line(argv);
		json_array_append_new(lines, json_string(line ? line : ""));
		json_decref(argv);
		free(line);
	}
	return lines;
}

/* The journal entry as it is written before apk runs. */
static json_t *entry_new(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
			 const struct aipkg_keep *kp, const struct aipkg_state *before,
			 const json_t *plan)
{
	json_t *entry = json_object();

	if (json_is_object(txn->journal))
		json_object_update(entry, (json_t *)txn->journal);
	if (txn->undoes > 0)
		json_object_set_new(entry, "undoes", json_integer(txn->undoes));
	json_object_set_new(entry, "apk", txn_lines(ctx, txn, kp));
	json_object_set_new(entry, "world_before", aipkg_state_world_json(before));
	json_object_set_new(entry, "planned", json_deep_copy(plan));
	return entry;
}

/* {"name","version"} of each change's FROM (what it replaces or removes)
 * or TO (what it installs). */
static json_t *versions(const json_t *changes, const char *side)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(changes, i, c) {
		const char *v = json_string_value(json_object_get(c, side));

		if (v)
			json_array_append_new(out, json_pack("{s:O, s:s}", "name",
							     json_object_get(c, "name"), "version", v));
	}
	return out;
}

static int keep(struct aipkg_ctx *ctx, const struct aipkg_keep *kp, const struct aipkg_state *st,
		const json_t *changes, const char *side, json_t *entry)
{
	json_t *wanted = versions(changes, side);
	int r = aipkg_keep_packages(ctx, kp, st, wanted, entry);

	json_decref(wanted);
	return r;
}

/* Run each call while they succeed; *apk_exit is the last one's exit.
 * When the interruption stops one, *begun gets what apk said it had begun
 * ("(2/6) Installing nginx ..."), which its database may not show. */
static int run_calls(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
		     const struct aipkg_keep *kp, int *apk_exit, json_t **begun)
{
	struct aipkg_apk_call calls[TXN_MAX_CALLS];
	size_t n = txn_calls(txn, AIPKG_APK_CHANGE | kp->apk_flags, calls);
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct aipkg_spawn_result res;

		r = aipkg_apk_run(ctx, &calls[i], &res);
		*apk_exit = res.exit_code;
		if (r == -AIPKG_E_INTERRUPTED)
			*begun = aipkg_changes_from_plan(aipkg_buf_str(&res.out));
		aipkg_spawn_result_release(&res);
	}
	return r;
}

/* What apk really did, read back from the installed database. */
static int observe(struct aipkg_ctx *ctx, const struct aipkg_state *before, json_t *entry)
{
	struct aipkg_state after = { 0 };
	int r = aipkg_state_load(ctx, &after, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);

	if (r == 0) {
		json_object_set_new(entry, "changes",
				    aipkg_changes_diff(&before->installed, &after.installed));
		json_object_set_new(entry, "world_after", aipkg_state_world_json(&after));
	}
	aipkg_state_release(&after);
	return r;
}

static const char *final_status(int r, const json_t *entry)
{
	if (r == 0)
		return "committed";
	if (r == -AIPKG_E_INTERRUPTED && json_array_size(json_object_get(entry, "changes")))
		return "interrupted";
	return "failed";
}

/* Finish the entry.  One that changed neither packages nor the world file
 * (and kept no file) is removed instead: there is nothing to undo, and a
 * daily update that finds nothing must not fill the history. */
static int journal_end(struct aipkg_ctx *ctx, json_t *entry, int r, int lr)
{
	if (r == 0 && lr == 0 && !aipkg_jentry_changed(entry) &&
	    !json_array_size(json_object_get(entry, "kept")) &&
	    aipkg_journal_discard(ctx, entry) == 0)
		return 0;
	return aipkg_journal_finish(ctx, entry, final_status(r, entry));
}

/* ACTION as a verb: "install" ("installed" when DONE). */
static const char *verb(const char *action, bool done)
{
	static const char *const verbs[][2] = {
		{ "install", "installed" }, { "remove", "removed" }, { "upgrade", "upgraded" },
		{ "downgrade", "downgraded" }, { "reinstall", "reinstalled" },
	};

	for (size_t i = 0; action && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i][0], action) == 0)
			return verbs[i][done];
	return done ? "changed" : "change";
}

/* "installed pcre2 10.43-r0, nginx 1.26.2-r0; removed telnet-a", the
 * first 8 changes (then "and N more"), each with the version it leaves. */
static void list_changes(struct aipkg_buf *b, const json_t *changes, bool done)
{
	size_t n = json_array_size(changes), shown = n > 8 ? 6 : n;
	const char *last = NULL;

	for (size_t i = 0; i < shown; i++) {
		const json_t *c = json_array_get(changes, i);
		const char *action = json_string_value(json_object_get(c, "action"));
		const char *v = json_string_value(json_object_get(c, "to"));

		if (!last || !action || strcmp(last, action) != 0)
			aipkg_buf_addf(b, "%s%s ", i ? "; " : "", verb(action, done));
		else
			aipkg_buf_addstr(b, i + 1 == n ? " and " : ", ");
		aipkg_buf_addf(b, "%s%s%s", json_string_value(json_object_get(c, "name")),
			       v ? " " : "", v ? v : "");
		last = action;
	}
	if (shown < n)
		aipkg_buf_addf(b, " and %zu more", n - shown);
}

/*
 * What an interruption left behind, in words: the changes apk recorded
 * (which rollback undoes), else what apk had begun without recording it
 * (apk writes its database only at the end, so the files of packages it
 * unpacked may be on disk while the database says nothing changed).
 */
static char *interrupted_text(const json_t *entry, const json_t *begun, const char *apk_error)
{
	const json_t *changes = json_object_get(entry, "changes");
	long long id = json_integer_value(json_object_get(entry, "id"));
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_addf(&b, "%s", apk_error);
	if (json_array_size(changes)) {
		aipkg_buf_addstr(&b, " after it had ");
		list_changes(&b, changes, true);
		aipkg_buf_addf(&b, "; operation %lld is recorded as interrupted, and 'aipkg rollback "
				   "%lld' undoes what it did", id, id);
	} else if (json_array_size(begun)) {
		aipkg_buf_addstr(&b, " before it recorded any change: the installed packages and "
				     "world are as they were, but it had begun to ");
		list_changes(&b, begun, false);
		aipkg_buf_addf(&b, ", whose files may be on disk unrecorded (the same command again "
				   "finishes the job); operation %lld is recorded as failed", id);
	} else {
		aipkg_buf_addf(&b, " before it changed anything: nothing changed, and operation "
				   "%lld is recorded as failed", id);
	}
	return aipkg_buf_detach(&b);
}

/* What apk did before it failed (it keeps what it did: a package out of
 * reach fails alone), so nobody takes the failure for "nothing changed". */
static char *failed_text(const json_t *entry, const char *apk_error)
{
	long long id = json_integer_value(json_object_get(entry, "id"));
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_addf(&b, "%s; apk had ", apk_error);
	list_changes(&b, json_object_get(entry, "changes"), true);
	aipkg_buf_addf(&b, " before it failed: 'aipkg rollback %lld' undoes that", id);
	return aipkg_buf_detach(&b);
}

/* After apk: record, keep the new files, bound the kept ones, finish. */
static int conclude(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, struct aipkg_keep *kp,
		    const struct aipkg_state *before, const json_t *plan, json_t *entry, int r,
		    int apk_exit, const json_t *begun)
{
	json_t *installed, *done;
	char *apk_error = r < 0 ? strdup(aipkg_ctx_why(ctx, r)) : NULL;
	int lr = observe(ctx, before, entry), fr;

	if (lr == 0 && txn->verify)
		txn->verify(ctx, txn, entry, r);
	if (r == -AIPKG_E_INTERRUPTED && apk_error) {
		char *text = interrupted_text(entry, begun, apk_error);

		free(apk_error);
		apk_error = text;
	} else if (apk_error && lr == 0 && json_array_size(json_object_get(entry, "changes"))) {
		char *text = failed_text(entry, apk_error);

		free(apk_error);
		apk_error = text;
	}
	json_object_set_new(entry, "apk_exit", json_integer(apk_exit));
	if (apk_error)
		json_object_set_new(entry, "error", json_string(apk_error));
	if (lr == 0)
		keep(ctx, kp, before, json_object_get(entry, "changes"), "to", entry);
	/* what apk may have cached: planned, and done (a failed change may
	 * have installed something else) */
	installed = versions(plan, "to");
	done = versions(json_object_get(entry, "changes"), "to");
	json_array_extend(installed, done);
	aipkg_keep_end(kp, installed);
	json_decref(installed);
	json_decref(done);
	aipkg_keep_trim(ctx, entry);
	fr = journal_end(ctx, entry, r, lr);
	if (fr < 0)
		aipkg_ctx_warn(ctx, "%s", aipkg_ctx_why(ctx, fr));
	if (r < 0)
		aipkg_ctx_fail(ctx, r, "%s", apk_error ? apk_error : "");
	free(apk_error);
	return r < 0 ? r : lr;
}

/* Journal, run for real, and see what happened; BEFORE is owned by the caller. */
static int commit(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, struct aipkg_keep *kp,
		  const struct aipkg_state *before, const json_t *plan, json_t **result)
{
	json_t *entry = entry_new(ctx, txn, kp, before, plan), *begun = NULL;
	bool took = ctx->lock_fd < 0;
	int r = aipkg_statelock_acquire(ctx), apk_exit = 0;

	if (r == 0)
		r = keep(ctx, kp, before, plan, "from", entry);
	/* stopped (Ctrl-C, the client's cancellation) before apk ran: say no more */
	if (r == 0 && aipkg_interrupt_pending())
		r = aipkg_ctx_fail(ctx, -AIPKG_E_INTERRUPTED,
				   "%s stopped the %s before apk ran: nothing changed",
				   aipkg_interrupt_name(aipkg_interrupt_pending()), txn->what);
	if (r == 0)
		r = aipkg_journal_begin(ctx, entry, &before->installed);
	if (r == 0) {
		json_t *installs = versions(plan, "to");

		aipkg_apk_remember(ctx); /* the state directory exists now */
		aipkg_keep_prepare(ctx, kp, before, installs);
		json_decref(installs);
		r = txn->prepare ? txn->prepare(ctx, txn, entry) : 0;
		if (r == 0)
			r = run_calls(ctx, txn, kp, &apk_exit, &begun);
		r = conclude(ctx, txn, kp, before, plan, entry, r, apk_exit, begun);
		*result = result_new(json_incref(json_object_get(entry, "changes")), apk_exit);
		if (json_object_get(entry, "id"))
			json_object_set(*result, "id", json_object_get(entry, "id"));
		json_object_set_new(*result, "world_added",
				    aipkg_json_minus(json_object_get(entry, "world_after"),
						     json_object_get(entry, "world_before")));
		json_object_set_new(*result, "world_removed",
				    aipkg_json_minus(json_object_get(entry, "world_before"),
						     json_object_get(entry, "world_after")));
	}
	if (took)
		aipkg_statelock_release(ctx);
	json_decref(begun);
	json_decref(entry);
	return r;
}

/* Whether the world atom ATOM is for NAME (a slice: a parsed name). */
static bool atom_named(const char *atom, struct aipkg_slice name)
{
	struct aipkg_dep dep;

	return aipkg_dep_parse(aipkg_slice_str(atom), &dep) == 0 && dep.name.len == name.len &&
	       memcmp(dep.name.ptr, name.ptr, name.len) == 0;
}

/* Take the atoms of ATOM's name out of WORLD; with PUT, then add ATOM. */
static void world_set(json_t *world, const char *atom, bool put)
{
	struct aipkg_dep dep;

	if (aipkg_dep_parse(aipkg_slice_str(atom), &dep) < 0)
		return;
	for (size_t i = json_array_size(world); i-- > 0;)
		if (atom_named(json_string_value(json_array_get(world, i)), dep.name))
			json_array_remove(world, i);
	if (put)
		json_array_append_new(world, json_string(atom));
}

/* The world file after TXN's calls, as apk writes it: add puts each atom
 * in place of its name's (add --virtual NAME only NAME), del takes the
 * names out, and also those of the packages the plan removes (--rdepends). */
static json_t *world_after(const struct aipkg_txn *txn, const struct aipkg_state *st,
			   const json_t *plan)
{
	struct aipkg_apk_call calls[TXN_MAX_CALLS];
	size_t n = txn_calls(txn, 0, calls);
	json_t *world = aipkg_state_world_json(st);
	const json_t *c;
	size_t k;

	for (size_t i = 0; i < n; i++) {
		const char *virtual = NULL;
		bool add = strcmp(calls[i].applet, "add") == 0;

		for (size_t o = 0; calls[i].options && calls[i].options[o]; o++)
			if (strcmp(calls[i].options[o], "--virtual") == 0)
				virtual = calls[i].options[o + 1];
		if (add && virtual)
			world_set(world, virtual, true);
		for (size_t a = 0; !virtual && a < calls[i].nargs; a++)
			if (add || strcmp(calls[i].applet, "del") == 0)
				world_set(world, calls[i].args[a], add);
		if (strcmp(calls[i].applet, "del") != 0)
			continue;
		json_array_foreach(plan, k, c) {
			const char *name = json_string_value(json_object_get(c, "name"));

			if (change_is(c, "remove"))
				world_set(world, name, false);
		}
	}
	return world;
}

/* A dry run's result: apk's plan, the command lines, and how the world
 * file would change. */
static json_t *dry_result(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
			  const struct aipkg_keep *kp, const struct aipkg_state *before,
			  const json_t *plan)
{
	json_t *res = result_new(json_deep_copy(plan), 0);
	json_t *now = aipkg_state_world_json(before), *then = world_after(txn, before, plan);

	json_object_set_new(res, "dry_run", json_true());
	json_object_set_new(res, "apk", txn_lines(ctx, txn, kp));
	json_object_set_new(res, "world_added", aipkg_json_minus(then, now));
	json_object_set_new(res, "world_removed", aipkg_json_minus(now, then));
	json_decref(now);
	json_decref(then);
	return res;
}

int aipkg_txn_run(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t **result)
{
	struct aipkg_state *before;
	struct aipkg_keep kp;
	json_t *plan = NULL, *extra = json_object();
	int r, apk_exit = 0;

	before = aipkg_ctx_state(ctx, &r);
	if (!before)
		return r;
	r = aipkg_state_repos_safe(ctx, before);
	if (r < 0) {
		json_decref(extra);
		return r;
	}
	ctx->state = NULL; /* ours now: the snapshot to diff against */
	r = aipkg_keep_begin(ctx, &kp);
	if (r == 0 && txn->simulated)
		plan = json_deep_copy(txn->simulated);
	else if (r == 0)
		r = simulate(ctx, txn, &kp, &plan, &apk_exit);
	if (r == -AIPKG_E_INTERRUPTED)
		r = aipkg_ctx_fail(ctx, r, "%s stopped the %s while apk planned it: nothing changed",
				   aipkg_interrupt_name(aipkg_interrupt_pending()), txn->what);
	if (r < 0) {
		*result = result_new(NULL, apk_exit);
		goto out;
	}
	if (txn->plan) {
		json_decref(plan);
		plan = json_deep_copy(txn->plan);
	}
	if (txn->check)
		r = txn->check(ctx, txn, plan, extra);
	if (r < 0) {
		/* refused before anything changed: show what was planned */
		*result = result_new(NULL, 0);
		json_object_set(*result, "plan", plan);
		goto out;
	}
	if (txn->dry_run) {
		*result = dry_result(ctx, txn, &kp, before, plan);
		goto out;
	}
	r = confirm(ctx, txn, before, plan);
	if (r == 0)
		r = commit(ctx, txn, &kp, before, plan, result);
out:
	aipkg_keep_end(&kp, NULL);
	if (*result)
		json_object_update_missing(*result, extra);
	json_decref(extra);
	json_decref(plan);
	aipkg_state_release(before);
	free(before);
	return r;
}
