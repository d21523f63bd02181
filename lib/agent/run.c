/* aipkg agent run: one unattended pass, from the lock to the report. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "aipkg/agent.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "ctx.h"
#include "journal/journal.h"
#include "tools/txn.h"
#include "vuln/db.h"
#include "vuln/match.h"
#include "url.h"

/* One run's working set. */
struct run {
	struct aipkg_ctx *ctx;
	json_t *report;
	struct aipkg_state st; /* before any change: the plan's and sandboxes' view */
	struct aipkg_vuln_db db;
	bool have_db;
	bool db_opened; /* aipkg_vuln_db_open was called: release it */
	bool stopped; /* an upgrade failed: nothing more is tried */
	long applied; /* upgrades done, against agent.max_packages */
	bool assessed; /* the plan was made: its deferred updates replace the last run's */
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void run_error(struct run *run, const char *what, int err)
{
	json_array_append_new(json_object_get(run->report, "errors"),
			      json_pack("s++", what, ": ", aipkg_ctx_why(run->ctx, err)));
}

static json_t *report_new(void)
{
	char now[32];

	aipkg_jentry_now(now, sizeof(now));
	return json_pack("{s:s, s:s, s:b, s:n, s:[], s:[], s:[], s:[], s:[]}", "time", now,
			 "status", "ok", "refreshed", 0, "secdb", "errors", "packages",
			 "vulnerabilities", "new_vulnerabilities", "rollback");
}

/* apk update: without fresh indexes nothing is upgraded. */
static int refresh_indexes(struct run *run)
{
	struct aipkg_apk_call call = { "update", NULL, NULL, 0, AIPKG_APK_CHANGE | AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	int r = aipkg_apk_run(run->ctx, &call, &res);

	aipkg_spawn_result_release(&res);
	if (r < 0)
		run_error(run, "could not refresh the repository indexes, so nothing was upgraded", r);
	json_object_set_new(run->report, "refreshed", json_boolean(r == 0));
	return r;
}

static void open_secdb(struct run *run)
{
	char age[64], *source;
	int r = aipkg_vuln_db_open(run->ctx, &run->st, AIPKG_VULN_AUTO, &run->db);

	run->db_opened = true;
	run->have_db = r == 0;
	if (r < 0) {
		run_error(run, "no security database (the upgrades were assessed without it)", r);
		return;
	}
	aipkg_age_text(difftime(time(NULL), run->db.fetched_at), age, sizeof(age));
	source = aipkg_url_mask(run->db.source);
	json_object_set_new(run->report, "secdb",
			    json_pack("{s:s, s:s?, s:s+, s:b}", "branch", run->db.branch, "source",
				      source, "age", age, " old", "offline", run->db.offline));
	free(source);
}

/* The vulnerabilities of what is installed now, as {"package","version",
 * "origin","id","fixed_in"}. */
static json_t *installed_vulns(struct run *run)
{
	struct aipkg_state now = { 0 };
	json_t *out = json_array();

	if (!run->have_db || aipkg_state_load(run->ctx, &now, AIPKG_STATE_INSTALLED) < 0)
		return out;
	for (size_t i = 0; i < now.installed.n; i++) {
		const struct aipkg_pkg *p = &now.installed.pkgs[i];
		struct aipkg_vuln_hit *hits = NULL;
		size_t n = 0;

		aipkg_vuln_match(&run->db.secdb, p->origin, p->version, &hits, &n);
		for (size_t k = 0; k < n; k++)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s#, s:s}", "package",
							     p->name, "version", p->version, "origin",
							     p->origin, "id", hits[k].id.ptr,
							     (int)hits[k].id.len, "fixed_in",
							     hits[k].fixed_in ? hits[k].fixed_in : ""));
		free(hits);
	}
	aipkg_state_release(&now);
	return out;
}

static bool vuln_in(const json_t *list, const json_t *v)
{
	const json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (!strcmp(str(o, "package"), str(v, "package")) && !strcmp(str(o, "id"), str(v, "id")))
			return true;
	return false;
}

/* Compare with the last run's list, then remember this one. */
static void track_vulns(struct run *run)
{
	json_t *now = installed_vulns(run), *before, *v;
	json_t *fresh = json_object_get(run->report, "new_vulnerabilities");
	size_t i;
	int r;

	if (!run->have_db) {
		json_decref(now);
		return;
	}
	before = aipkg_agent_load(run->ctx, "vulnerabilities");
	json_array_foreach(now, i, v)
		if (!vuln_in(before, v))
			json_array_append(fresh, v);
	json_object_set(run->report, "vulnerabilities", now);
	r = aipkg_agent_save(run->ctx, "vulnerabilities", now);
	if (r < 0)
		run_error(run, "cannot remember the vulnerabilities", r);
	json_decref(before);
	json_decref(now);
}

static void set_result(json_t *pkg, const char *result, const char *why)
{
	json_object_set_new(pkg, "result", json_string(result));
	if (why)
		json_object_set_new(pkg, "why", json_string(why));
}

/* The agent's own check of apk's plan: nothing removed or downgraded, no
 * denied package dragged along. */
static int upgrade_check(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, const json_t *plan,
			 json_t *extra)
{
	const json_t *c;
	size_t i;

	json_array_foreach(plan, i, c) {
		const char *action = str(c, "action"), *name = str(c, "name");

		if (!strcmp(action, "remove") || !strcmp(action, "downgrade"))
			return aipkg_ctx_fail(ctx, -AIPKG_E_REFUSED,
					      "apk would %s %s; the agent leaves that to a person",
					      action, name);
		if (aipkg_agent_glob_any(ctx->cfg.agent.deny, ctx->cfg.agent.deny_n, name))
			return aipkg_ctx_fail(ctx, -AIPKG_E_REFUSED,
					      "apk would also change %s, which agent.deny lists", name);
	}
	return 0;
}

static void rollback_hint(struct run *run, json_int_t id)
{
	char line[64];

	snprintf(line, sizeof(line), "aipkg rollback %lld", (long long)id);
	json_array_insert_new(json_object_get(run->report, "rollback"), 0, json_string(line));
}

/* Upgrade PKG through the journal, as pkg.update would. */
static void apply(struct run *run, json_t *pkg)
{
	const char *name = str(pkg, "name");
	struct aipkg_txn txn = { .applet = "upgrade", .args = &name, .nargs = 1,
				 .check = upgrade_check, .confirmed = true, .what = "upgrade" };
	json_t *result = NULL, *id;
	char why[1024];
	int r = aipkg_txn_run(run->ctx, &txn, &result);

	id = json_object_get(result, "id");
	if (json_is_integer(id))
		json_object_set(pkg, "operation", id);
	json_object_set(pkg, "changes", json_object_get(result, "changes"));
	if (r == -AIPKG_E_REFUSED) {
		snprintf(why, sizeof(why), "deferred: %s", aipkg_ctx_why(run->ctx, r));
		set_result(pkg, "deferred", why);
	} else if (r < 0) {
		snprintf(why, sizeof(why), "the upgrade failed: %s", aipkg_ctx_why(run->ctx, r));
		set_result(pkg, "failed", why);
		run_error(run, "an upgrade failed, so the run stopped", r);
		run->stopped = true;
	} else {
		set_result(pkg, "applied", NULL);
		run->applied++;
	}
	if (json_is_integer(id) && json_array_size(json_object_get(pkg, "changes")))
		rollback_hint(run, json_integer_value(id));
	json_decref(result);
}

static void sandbox_then_apply(struct run *run, json_t *pkg)
{
	json_t *trial = NULL;
	char why[1400];

	aipkg_agent_sandbox(run->ctx, &run->st, pkg, &trial);
	json_object_set_new(pkg, "sandbox", trial);
	if (json_is_true(json_object_get(trial, "passed"))) {
		snprintf(why, sizeof(why), "%s; sandbox trial passed", str(pkg, "why"));
		json_object_set_new(pkg, "why", json_string(why));
		apply(run, pkg);
		return;
	}
	snprintf(why, sizeof(why), "%s risk (%s): sandbox trial failed: %s", str(pkg, "risk"),
		 str(pkg, "reason"), str(trial, "reason"));
	set_result(pkg, "deferred", why);
}

static void act(struct run *run, json_t *pkg)
{
	const char *action = str(pkg, "action");

	if (!strcmp(action, "skip"))
		set_result(pkg, "skipped", NULL);
	else if (!strcmp(action, "defer"))
		set_result(pkg, "deferred", NULL);
	else if (run->stopped)
		set_result(pkg, "not-run", "not tried: an earlier upgrade failed and stopped the run");
	else if (!strcmp(action, "sandbox"))
		sandbox_then_apply(run, pkg);
	else
		apply(run, pkg);
}

/* A package the plan held back for agent.max_packages (as ACTION) gets
 * its turn when fewer were applied than it allows: a trial failed, or the
 * review deferred one. */
static bool unhold(struct run *run, json_t *pkg, const char *action)
{
	json_t *held = json_object_get(pkg, "held");

	if (!held || strcmp(str(held, "action"), action) != 0 || run->stopped ||
	    run->applied >= run->ctx->cfg.agent.max_packages)
		return false;
	json_object_set(pkg, "action", json_object_get(held, "action"));
	json_object_set(pkg, "why", json_object_get(held, "why"));
	json_object_del(pkg, "held");
	return true;
}

/* Low risk first, so what is safe is done even when a later one fails. */
static void act_all(struct run *run, json_t *plan)
{
	static const char *const order[] = { "apply", "sandbox", "defer", "skip" };
	json_t *pkg;
	size_t i;

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		json_array_foreach(plan, i, pkg)
			if (!strcmp(str(pkg, "action"), order[k]) || unhold(run, pkg, order[k]))
				act(run, pkg);
}

static bool was_deferred(const json_t *before, const json_t *pkg)
{
	const json_t *d;
	size_t i;

	json_array_foreach(before, i, d)
		if (!strcmp(str(d, "name"), str(pkg, "name")) && !strcmp(str(d, "to"), str(pkg, "to")))
			return true;
	return false;
}

static const char *deferred_since(const json_t *before, const json_t *pkg, const char *now)
{
	const json_t *d;
	size_t i;

	json_array_foreach(before, i, d)
		if (!strcmp(str(d, "name"), str(pkg, "name")) && !strcmp(str(d, "to"), str(pkg, "to")))
			return str(d, "since");
	return now;
}

/* Record this run's deferred updates (the last run's are re-evaluated,
 * not kept); *fresh counts those that were not deferred before. */
static void record_deferred(struct run *run, size_t *fresh)
{
	json_t *before = aipkg_agent_deferred(run->ctx), *now = json_array(), *pkg;
	const char *time = str(run->report, "time");
	size_t i;
	int r;

	*fresh = 0;
	json_array_foreach(json_object_get(run->report, "packages"), i, pkg) {
		if (strcmp(str(pkg, "result"), "deferred") != 0)
			continue;
		*fresh += !was_deferred(before, pkg);
		json_array_append_new(now, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name",
						     str(pkg, "name"), "from", str(pkg, "from"), "to",
						     str(pkg, "to"), "risk", str(pkg, "risk"), "reason",
						     str(pkg, "why"), "since",
						     deferred_since(before, pkg, time), "time", time));
	}
	r = aipkg_agent_save(run->ctx, "deferred", now);
	if (r < 0)
		run_error(run, "cannot record the deferred updates", r);
	json_decref(before);
	json_decref(now);
}

static json_int_t count(const json_t *pkgs, const char *result)
{
	const json_t *p;
	json_int_t n = 0;
	size_t i;

	json_array_foreach(pkgs, i, p)
		n += !strcmp(str(p, "result"), result);
	return n;
}

/* The summary, and whether a person should read the report: cron mails
 * whatever is printed, so a run with nothing new stays quiet. */
static void conclude(struct run *run, size_t fresh_deferred)
{
	json_t *pkgs = json_object_get(run->report, "packages");
	json_int_t applied = count(pkgs, "applied"), failed = count(pkgs, "failed");
	bool bad = failed || json_array_size(json_object_get(run->report, "errors"));
	char end[32];

	aipkg_jentry_now(end, sizeof(end));
	json_object_set_new(run->report, "end_time", json_string(end));
	json_object_set_new(run->report, "status", json_string(bad ? "failed" : "ok"));
	json_object_set_new(run->report, "summary",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "applied", applied, "deferred",
				      count(pkgs, "deferred"), "new_deferred",
				      (json_int_t)fresh_deferred, "skipped", count(pkgs, "skipped"),
				      "failed", failed));
	json_object_set_new(run->report, "attention",
			    json_boolean(bad || applied || fresh_deferred ||
					 json_array_size(json_object_get(run->report,
									 "new_vulnerabilities"))));
}

static void assess_and_act(struct run *run, bool dry)
{
	json_t *plan = aipkg_agent_plan(run->ctx, &run->st, run->have_db ? &run->db.secdb : NULL,
					time(NULL));
	json_t *pkg;
	size_t i;

	json_array_foreach(plan, i, pkg)
		aipkg_agent_review(run->ctx, pkg);
	if (!dry)
		act_all(run, plan);
	json_object_set_new(run->report, "packages", plan);
	run->assessed = true;
}

/* The lock, then what a crash may have left pending. */
static int run_begin(struct run *run)
{
	json_t *recovered = NULL;
	int r;

	if (run->ctx->opts.lock_timeout < 0)
		run->ctx->opts.lock_timeout = 0; /* a second agent leaves at once */
	r = aipkg_statelock_acquire(run->ctx);
	if (r == 0)
		r = aipkg_journal_recover(run->ctx, false, &recovered);
	if (json_array_size(recovered))
		json_object_set(run->report, "recovered", recovered);
	json_decref(recovered);
	return r;
}

static int run_body(struct run *run, bool dry)
{
	int r = dry ? 0 : refresh_indexes(run);

	json_object_set_new(run->report, "dry_run", json_boolean(dry));
	if (r == 0)
		r = aipkg_state_load(run->ctx, &run->st, AIPKG_STATE_ALL);
	if (r < 0 && !json_array_size(json_object_get(run->report, "errors")))
		run_error(run, "cannot read the installed state", r);
	if (r < 0)
		return r;
	open_secdb(run);
	assess_and_act(run, dry);
	return 0;
}

static void run_end(struct run *run, bool dry)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	size_t fresh = 0;
	int r;

	if (!dry) {
		track_vulns(run);
		/* a run that could not look (no indexes) keeps the last record */
		if (run->assessed)
			record_deferred(run, &fresh);
	}
	conclude(run, fresh);
	if (dry)
		return;
	r = aipkg_agent_report_write(run->ctx, run->report, &text);
	if (r < 0)
		aipkg_ctx_warn(run->ctx, "%s", aipkg_ctx_why(run->ctx, r));
	if (json_is_true(json_object_get(run->report, "attention")))
		aipkg_agent_notify(run->ctx, run->report,
				   str(json_object_get(run->report, "files"), "text"));
	aipkg_buf_release(&text);
}

int aipkg_agent_run(struct aipkg_ctx *ctx, json_t **report)
{
	struct run run = { .ctx = ctx, .report = report_new() };
	bool dry = ctx->opts.dry_run;
	int r;

	*report = run.report;
	aipkg_ctx_set_caller(ctx, "agent");
	r = aipkg_ctx_need_alpine(ctx);
	if (r < 0)
		return r;
	r = dry ? 0 : run_begin(&run);
	if (r == -AIPKG_E_LOCKED)
		return r;
	if (r == 0)
		r = run_body(&run, dry);
	else
		run_error(&run, "cannot start", r);
	run_end(&run, dry);
	if (run.db_opened)
		aipkg_vuln_db_release(&run.db);
	aipkg_state_release(&run.st);
	if (!dry)
		aipkg_statelock_release(ctx);
	if (r == 0 && run.stopped)
		r = -AIPKG_E_APK_FAILED;
	/* cron must see a failure too when no upgrade failed but the run could
	 * not do its job (no secdb at all, the report not saved) */
	if (r == 0 && !dry && json_array_size(json_object_get(run.report, "errors")))
		r = aipkg_ctx_fail(ctx, -AIPKG_E_AGENT, "the agent run had errors: %s",
				   json_string_value(json_array_get(
					   json_object_get(run.report, "errors"), 0)));
	return r;
}
