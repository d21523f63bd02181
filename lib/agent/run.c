/* aipkg agent run: one unattended pass, from the lock to the report. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "aipkg/agent.h"
#include "aipkg/tools.h"
#include "apk/runner.h"
#include "apk/state.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "journal/journal.h"
#include "tools/txn.h"
#include "vuln/db.h"
#include "vuln/match.h"
#include "redact.h"
#include "url.h"

/* One run's working set. */
struct run {
	struct aipkg_ctx *ctx;
	json_t *report;
	struct aipkg_state st; /* before any change: the plan's and sandboxes' view */
	struct aipkg_sandbox sb; /* the cache the sandbox trials share */
	struct aipkg_vuln_db db;
	bool have_db;
	bool db_opened; /* aipkg_vuln_db_open was called: release it */
	bool stopped; /* an upgrade failed: nothing more is tried */
	long applied; /* upgrades done, against agent.max_packages */
	bool assessed; /* the plan was made: its deferred updates replace the last run's */
	struct aipkg_filedb fdb; /* the files before any change: which services run */
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
	return json_pack("{s:s, s:s, s:b, s:n, s:[], s:[], s:[], s:[], s:[], s:[], s:[]}",
			 "time", now, "status", "ok", "refreshed", 0, "secdb", "errors", "packages",
			 "vulnerabilities", "new_vulnerabilities", "rollback", "problems",
			 "new_problems");
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

/* DRY: the cached database only; a dry run downloads and writes nothing */
static void open_secdb(struct run *run, bool dry)
{
	char age[64], *source;
	int r = aipkg_vuln_db_open(run->ctx, &run->st, dry ? AIPKG_VULN_CACHE_ONLY : AIPKG_VULN_AUTO,
				   &run->db);

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

/* What apply() learns from apk's plan. */
struct apply_ud {
	const char *name;
	bool not_planned; /* apk's plan does not upgrade it */
};

static bool plans_upgrade(const json_t *plan, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(plan, i, c)
		if (!strcmp(str(c, "name"), name) && strcmp(str(c, "action"), "remove") != 0)
			return true;
	return false;
}

/* The agent's own check of apk's plan: it upgrades the package, nothing
 * is removed or downgraded, no denied package is dragged along. */
static int upgrade_check(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, const json_t *plan,
			 json_t *extra)
{
	struct apply_ud *ud = txn->ud;
	const json_t *c;
	size_t i;

	if (!plans_upgrade(plan, ud->name)) {
		ud->not_planned = true;
		return aipkg_ctx_fail(ctx, -AIPKG_E_REFUSED,
				      "apk would not upgrade %s: a constraint holds it (in the world "
				      "file, or a dependency of another package), or its newer "
				      "version is in a repository apk does not take it from",
				      ud->name);
	}
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

/* The version the installed database shows for NAME after the change. */
static const char *installed_to(const json_t *changes, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(changes, i, c)
		if (!strcmp(str(c, "name"), name) && json_is_string(json_object_get(c, "to")))
			return str(c, "to");
	return NULL;
}

/* The failure's explanation, when apk's output had one. */
static void add_diagnosis(struct run *run, json_t *pkg)
{
	if (run->ctx->diagnosis)
		json_object_set(pkg, "diagnosis", run->ctx->diagnosis);
}

/* TEXT (a check's output) on one line of the report: lines joined with
 * "; ", blanks at the ends dropped. */
static void add_oneline(struct aipkg_buf *out, const char *text)
{
	struct aipkg_slice all = aipkg_slice_str(text), line;
	bool first = true;

	while (aipkg_slice_next_line(&all, &line)) {
		line = aipkg_slice_trim(line);
		if (!line.len)
			continue;
		aipkg_buf_addf(out, "%s%.*s", first ? "" : "; ", (int)line.len, line.ptr);
		first = false;
	}
	if (first)
		aipkg_buf_addstr(out, "(no output)");
}

/*
 * After an upgrade on the live root: the package's configured check runs
 * there, then (agent.restart_services) each of its services that ran
 * before is restarted and must run.  A failure rolls the upgrade back at
 * once, restarts the services again, and remembers the version so that
 * later runs defer it.
 */
static bool live_checks(struct run *run, json_t *pkg, const json_t *running, json_t *live,
			struct aipkg_buf *why)
{
	const char *cmd = aipkg_agent_check_for(&run->ctx->cfg.agent, str(pkg, "name"));
	json_t *checks = json_array(), *services = json_array(), *c, *svc;
	size_t i;
	bool ok = true;

	json_object_set_new(live, "checks", checks);
	json_object_set_new(live, "services", services);
	if (cmd) {
		c = aipkg_agent_check_run(run->ctx, run->ctx->root, "AIPKG_ROOT", cmd);
		json_array_append_new(checks, c);
		if (!(ok = aipkg_agent_check_passed(c))) {
			aipkg_buf_addf(why, "the check '%s' %s on the live system: ", cmd,
				       json_is_true(json_object_get(c, "timed_out")) ? "timed out"
										 : "failed");
			add_oneline(why, str(c, "output"));
		}
	}
	json_array_foreach(running, i, svc) {
		if (!ok || !run->ctx->cfg.agent.restart_services)
			break;
		c = aipkg_agent_service_restart(run->ctx, json_string_value(svc));
		json_array_append_new(services, c);
		if (!(ok = json_is_true(json_object_get(c, "running")))) {
			aipkg_buf_addf(why, "the service %s does not run after its restart: ",
				       json_string_value(svc));
			add_oneline(why, str(json_object_get(c, "restart"), "output"));
		}
	}
	return ok;
}

static void remember_broken(struct run *run, json_t *pkg, const char *why)
{
	json_t *list = aipkg_agent_load(run->ctx, "broken");
	int r;

	if (!json_is_array(list)) {
		json_decref(list);
		list = json_array();
	}
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "name", str(pkg, "name"),
					      "version", str(pkg, "to"), "reason", why, "time",
					      str(run->report, "time")));
	if ((r = aipkg_agent_save(run->ctx, "broken", list)) < 0)
		run_error(run, "cannot remember the version that was rolled back", r);
	json_decref(list);
}

/* The services that ran, restarted again on the version rolled back to. */
static const char *final_state(struct run *run, const json_t *running, json_t *live,
			       struct aipkg_buf *text)
{
	json_t *after = json_array(), *svc;
	size_t i;

	json_object_set_new(live, "services_after_rollback", after);
	json_array_foreach(running, i, svc) {
		json_t *c = aipkg_agent_service_restart(run->ctx, json_string_value(svc));

		aipkg_buf_addf(text, "%s%s %s", i ? ", " : "; ", json_string_value(svc),
			       json_is_true(json_object_get(c, "running")) ? "running again"
									 : "NOT running");
		json_array_append_new(after, c);
	}
	return aipkg_buf_str(text);
}

static void undo_live(struct run *run, json_t *pkg, json_int_t op, const json_t *running,
		      json_t *live, const char *why)
{
	json_t *args = json_pack("{s:I, s:b}", "id", op, "confirm", 1), *res = NULL;
	struct aipkg_buf text = AIPKG_BUF_INIT, state = AIPKG_BUF_INIT;
	int r = aipkg_tool_call(run->ctx, "pkg.rollback", args, &res);

	json_object_set_new(live, "rollback",
			    json_pack("{s:b, s:O?, s:s}", "ok", r == 0, "operation",
				      json_object_get(res, "id"), "error",
				      r < 0 ? aipkg_ctx_why(run->ctx, r) : ""));
	if (r < 0) {
		aipkg_buf_addf(&text, "%s; rolling it back FAILED: %s (aipkg rollback %lld)", why,
			       aipkg_ctx_why(run->ctx, r), (long long)op);
		set_result(pkg, "failed", aipkg_buf_str(&text));
		run_error(run, "an upgrade broke the live system and could not be rolled back", r);
		run->stopped = true;
		rollback_hint(run, op);
	} else {
		aipkg_buf_addf(&text, "%s; rolled back by operation %lld, %s is %s again%s", why,
			       (long long)json_integer_value(json_object_get(res, "id")),
			       str(pkg, "name"), str(pkg, "from"),
			       final_state(run, running, live, &state));
		set_result(pkg, "rolled-back", aipkg_buf_str(&text));
		remember_broken(run, pkg, why);
	}
	json_decref(args);
	json_decref(res);
	aipkg_buf_release(&text);
	aipkg_buf_release(&state);
}

static void heal_live(struct run *run, json_t *pkg, json_int_t op, const json_t *running)
{
	json_t *live = json_object();
	struct aipkg_buf why = AIPKG_BUF_INIT;

	json_object_set_new(pkg, "live", live);
	if (!live_checks(run, pkg, running, live, &why))
		undo_live(run, pkg, op, running, live, aipkg_buf_str(&why));
	else
		rollback_hint(run, op);
	aipkg_buf_release(&why);
}

/* Upgrade PKG through the journal, as pkg.update would; only what the
 * installed database shows afterwards counts as done. */
static void apply(struct run *run, json_t *pkg)
{
	const char *name = str(pkg, "name"), *now;
	struct apply_ud ud = { name, false };
	struct aipkg_txn txn = { .applet = "upgrade", .args = &name, .nargs = 1,
				 .check = upgrade_check, .confirmed = true, .what = "upgrade",
				 .ud = &ud };
	json_t *result = NULL, *id, *running = aipkg_agent_services(run->ctx, &run->fdb, name, true);
	char why[1024];
	int r = aipkg_txn_run(run->ctx, &txn, &result);

	id = json_object_get(result, "id");
	if (json_is_integer(id))
		json_object_set(pkg, "operation", id);
	json_object_set(pkg, "changes", json_object_get(result, "changes"));
	now = installed_to(json_object_get(result, "changes"), name);
	if (r == -AIPKG_E_REFUSED && ud.not_planned) {
		set_result(pkg, "unchanged", aipkg_ctx_why(run->ctx, r));
	} else if (r == -AIPKG_E_REFUSED) {
		snprintf(why, sizeof(why), "deferred: %s", aipkg_ctx_why(run->ctx, r));
		set_result(pkg, "deferred", why);
	} else if (r < 0) {
		snprintf(why, sizeof(why), "the upgrade failed: %s", aipkg_ctx_why(run->ctx, r));
		set_result(pkg, "failed", why);
		add_diagnosis(run, pkg);
		run_error(run, "an upgrade failed, so the run stopped", r);
		run->stopped = true;
	} else if (!now) {
		set_result(pkg, "unchanged", "apk ran but the installed database shows no change "
					     "to it");
	} else {
		if (strcmp(now, str(pkg, "to")) != 0)
			json_object_set_new(pkg, "to", json_string(now));
		set_result(pkg, "applied", NULL);
		run->applied++;
		heal_live(run, pkg, json_integer_value(id), running);
	}
	if (r < 0 && json_is_integer(id) && json_array_size(json_object_get(pkg, "changes")))
		rollback_hint(run, json_integer_value(id));
	json_decref(running);
	json_decref(result);
}

static void sandbox_then_apply(struct run *run, json_t *pkg)
{
	json_t *trial = NULL;
	char why[1400];

	aipkg_agent_sandbox(run->ctx, &run->sb, &run->st, pkg, &trial);
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
		if (strcmp(str(pkg, "result"), "deferred") != 0 &&
		    strcmp(str(pkg, "result"), "rolled-back") != 0)
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
	json_int_t rolled = count(pkgs, "rolled-back");
	size_t fresh_problems = json_array_size(json_object_get(run->report, "new_problems"));
	bool healed = json_array_size(json_object_get(json_object_get(run->report, "healed"),
						      "fixed")) > 0;
	/* a rollback left the system working: a person reads about it, but the
	 * run did its job */
	bool bad = failed || json_array_size(json_object_get(run->report, "errors"));
	char end[32];

	aipkg_jentry_now(end, sizeof(end));
	json_object_set_new(run->report, "end_time", json_string(end));
	json_object_set_new(run->report, "status", json_string(bad ? "failed" : "ok"));
	json_object_set_new(run->report, "summary",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "applied", applied,
				      "deferred", count(pkgs, "deferred"), "new_deferred",
				      (json_int_t)fresh_deferred, "skipped", count(pkgs, "skipped"),
				      "failed", failed, "rolled_back", rolled, "unchanged",
				      count(pkgs, "unchanged"), "new_problems",
				      (json_int_t)fresh_problems));
	json_object_set_new(run->report, "attention",
			    json_boolean(bad || applied || rolled || fresh_deferred ||
					 fresh_problems || healed ||
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
	r = aipkg_ctx_may_change(run->ctx);
	if (r == 0)
		r = aipkg_statelock_acquire(run->ctx);
	if (r == 0)
		r = aipkg_journal_recover(run->ctx, false, &recovered);
	if (json_array_size(recovered))
		json_object_set(run->report, "recovered", recovered);
	json_decref(recovered);
	return r;
}

/*
 * The doctor's pass (aipkg doctor) after the upgrades: problems not seen
 * by the last run are reported like new vulnerabilities, and with
 * agent.heal the damaged files are repaired (aipkg doctor --fix).
 */
static const char *problem_key(const json_t *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s|%s", str(p, "check"), str(p, "summary"));
	return buf;
}

static bool problem_in(const json_t *list, const json_t *p)
{
	char a[1200], b[1200];
	const json_t *o;
	size_t i;

	problem_key(p, a, sizeof(a));
	json_array_foreach(list, i, o)
		if (!strcmp(problem_key(o, b, sizeof(b)), a))
			return true;
	return false;
}

/* The packages whose files agent.heal repairs. */
static json_t *heal_targets(const json_t *problems)
{
	json_t *t = json_array(), *p;
	size_t i;

	json_array_foreach(problems, i, p) {
		const char *name = !strcmp(str(p, "check"), "files") ? str(p, "package")
				   : !strcmp(str(p, "check"), "dependencies") ? str(p, "provider")
									      : "";

		if (*name)
			json_array_append_new(t, json_string(name));
	}
	return t;
}

static void heal(struct run *run, const json_t *problems)
{
	json_t *targets = heal_targets(problems), *res = NULL, *op;
	const char **v = calloc(json_array_size(targets) + 1, sizeof(*v));
	struct aipkg_doctor_fix_opts o = { .confirmed = true };
	size_t i;
	int r;

	if (v && json_array_size(targets)) {
		json_array_foreach(targets, i, op)
			v[i] = json_string_value(op);
		o.targets = v;
		o.ntargets = json_array_size(targets);
		if ((r = aipkg_doctor_fix(run->ctx, &o, &res)) < 0)
			run_error(run, "aipkg doctor --fix (agent.heal) failed", r);
		json_object_set_new(run->report, "healed",
				    json_pack("{s:O?, s:O?, s:O?}", "fixed",
					      json_object_get(res, "fixed"), "not_fixed",
					      json_object_get(res, "not_fixed"), "operations",
					      json_object_get(res, "operations")));
		json_array_foreach(json_object_get(res, "operations"), i, op)
			rollback_hint(run, json_integer_value(op));
	}
	free(v);
	json_decref(targets);
	json_decref(res);
}

static void doctor_pass(struct run *run, bool dry)
{
	struct aipkg_doctor_opts o = { .files = true, .state = true };
	json_t *report = NULL, *now = json_array(), *before, *p;
	json_t *fresh = json_object_get(run->report, "new_problems");
	size_t i;
	int r;

	aipkg_ctx_state_drop(run->ctx);
	if ((r = aipkg_doctor_scan(run->ctx, &o, &report)) < 0) {
		run_error(run, "the doctor's check failed", r);
		json_decref(now);
		return;
	}
	/* vulnerabilities have their own section */
	json_array_foreach(json_object_get(report, "problems"), i, p)
		if (strcmp(str(p, "check"), "vulnerabilities") != 0)
			json_array_append(now, p);
	before = dry ? NULL : aipkg_agent_load(run->ctx, "problems");
	json_array_foreach(now, i, p)
		if (!dry && !problem_in(before, p))
			json_array_append(fresh, p);
	json_object_set(run->report, "problems", now);
	if (!dry && (r = aipkg_agent_save(run->ctx, "problems", now)) < 0)
		run_error(run, "cannot remember the problems found", r);
	if (!dry && run->ctx->cfg.agent.heal)
		heal(run, now);
	json_decref(before);
	json_decref(now);
	json_decref(report);
}

static int run_body(struct run *run, bool dry)
{
	int r = dry ? 0 : refresh_indexes(run);

	json_object_set_new(run->report, "dry_run", json_boolean(dry));
	if (r == 0)
		r = aipkg_state_load(run->ctx, &run->st, AIPKG_STATE_ALL);
	if (r == 0 && aipkg_filedb_load(run->ctx, &run->fdb) < 0)
		aipkg_filedb_release(&run->fdb); /* no services known: none restarted */
	if (r < 0 && !json_array_size(json_object_get(run->report, "errors")))
		run_error(run, "cannot read the installed state", r);
	if (r < 0)
		return r;
	open_secdb(run, dry);
	assess_and_act(run, dry);
	doctor_pass(run, dry);
	return 0;
}

/* What the report quotes (apk's errors, a check's command and output, a
 * server's answer) may hold a repository's password or token, or a key;
 * the report goes to the terminal (cron mail), --json, its files, a
 * webhook and the notify command: masked once, here, for all of them. */
static void report_redact(struct run *run)
{
	struct aipkg_redact rd;

	if (aipkg_redact_init(&rd, run->ctx) == 0)
		aipkg_redact_json(&rd, run->report);
	else /* out of memory: URLs at least */
		aipkg_redact_json(&(struct aipkg_redact){ NULL, 0 }, run->report);
	aipkg_redact_release(&rd);
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
	report_redact(run);
	if (dry)
		return;
	r = aipkg_agent_report_write(run->ctx, run->report, &text);
	if (r < 0)
		aipkg_ctx_warn(run->ctx, "%s", aipkg_ctx_why(run->ctx, r));
	else
		aipkg_agent_reports_prune(run->ctx, time(NULL));
	if (json_is_true(json_object_get(run->report, "attention")))
		aipkg_agent_notify(run->ctx, run->report,
				   str(json_object_get(run->report, "files"), "text"));
	aipkg_buf_release(&text);
}

int aipkg_agent_run(struct aipkg_ctx *ctx, json_t **report)
{
	struct run run = { .ctx = ctx, .report = report_new(), .sb = AIPKG_SANDBOX_INIT };
	bool dry = ctx->opts.dry_run;
	int r;

	*report = run.report;
	aipkg_ctx_set_caller(ctx, "agent");
	r = aipkg_ctx_need_alpine(ctx);
	if (r < 0)
		return r;
	r = dry ? 0 : run_begin(&run);
	/* nothing to report where nothing could be written */
	if (r == -AIPKG_E_LOCKED || r == -AIPKG_E_NOT_ROOT)
		return r;
	if (r == 0)
		r = run_body(&run, dry);
	else
		run_error(&run, "cannot start", r);
	aipkg_agent_sandbox_end(ctx, &run.sb);
	run_end(&run, dry);
	if (run.db_opened)
		aipkg_vuln_db_release(&run.db);
	aipkg_state_release(&run.st);
	aipkg_filedb_release(&run.fdb);
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
