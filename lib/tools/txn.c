/* One change through apk: simulate, confirm, run, and see what really changed. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "apk/changes.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "ctx.h"
#include "tools/txn.h"

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

static int confirm(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t *plan)
{
	char *unasked;
	json_t *doc;
	int answer;

	if (txn->confirmed)
		return 0;
	unasked = unasked_changes(txn, plan);
	if (!unasked || !*unasked) {
		free(unasked);
		return 0;
	}
	doc = json_pack("{s:O}", "changes", plan);
	answer = ctx->cb.confirm ? ctx->cb.confirm(ctx->cb.ud, "Proceed?", doc) : -1;
	json_decref(doc);
	if (answer > 0)
		answer = 0;
	else if (answer == 0)
		answer = aipkg_ctx_fail(ctx, -AIPKG_E_DECLINED, "nothing changed: you declined");
	else
		answer = aipkg_ctx_fail(ctx, -AIPKG_E_REFUSED,
					"this %s needs confirmation (it would %s); nothing changed: "
					"rerun with --yes to confirm, or --dry-run to see the plan",
					txn->what, unasked);
	free(unasked);
	return answer;
}

static int simulate(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t **plan,
		    int *apk_exit)
{
	struct aipkg_apk_call call = { txn->applet, txn->options, txn->args, txn->nargs,
				       AIPKG_APK_CHANGE | AIPKG_APK_SIMULATE | AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	int r = aipkg_apk_run(ctx, &call, &res);

	*apk_exit = res.exit_code;
	*plan = r == 0 ? aipkg_changes_from_plan(aipkg_buf_str(&res.out)) : NULL;
	aipkg_spawn_result_release(&res);
	return r;
}

/* Run for real; the state read before is BEFORE (owned by the caller). */
static int commit(struct aipkg_ctx *ctx, const struct aipkg_txn *txn,
		  const struct aipkg_state *before, json_t **result)
{
	struct aipkg_apk_call call = { txn->applet, txn->options, txn->args, txn->nargs,
				       AIPKG_APK_CHANGE };
	struct aipkg_spawn_result res;
	struct aipkg_state after = { 0 };
	int r = aipkg_apk_run(ctx, &call, &res), apk_exit = res.exit_code;
	int lr;

	aipkg_spawn_result_release(&res);
	/* what really happened, even when apk failed half-way */
	lr = aipkg_state_load(ctx, &after, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);
	if (lr == 0)
		*result = result_new(aipkg_changes_diff(&before->installed, &after.installed),
				     apk_exit);
	else
		*result = result_new(NULL, apk_exit);
	aipkg_state_release(&after);
	return r < 0 ? r : lr;
}

int aipkg_txn_run(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t **result)
{
	struct aipkg_state *before;
	json_t *plan = NULL, *extra = json_object();
	int r, apk_exit = 0;

	before = aipkg_ctx_state(ctx, &r);
	if (!before)
		return r;
	ctx->state = NULL; /* ours now: the snapshot to diff against */
	r = simulate(ctx, txn, &plan, &apk_exit);
	if (r < 0) {
		*result = result_new(NULL, apk_exit);
		goto out;
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
		*result = result_new(json_incref(plan), 0);
		json_object_set_new(*result, "dry_run", json_true());
		goto out;
	}
	r = confirm(ctx, txn, plan);
	if (r == 0)
		r = commit(ctx, txn, before, result);
out:
	if (*result)
		json_object_update_missing(*result, extra);
	json_decref(extra);
	json_decref(plan);
	aipkg_state_release(before);
	free(before);
	return r;
}
