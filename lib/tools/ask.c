/* pkg.ask: a natural-language request planned, checked against apk and the secdb, shown, installed. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "ai/planner.h"
#include "ai/resolve.h"
#include "ai/words.h"
#include "apk/pkg.h"
#include "apk/search.h"
#include "ctx.h"
#include "tools/tools.h"
#include "tools/txn.h"
#include "vuln/severity.h"
#include "vuln/vuln.h"

#define ASK_REQUEST_MAX 2000

/* One request on its way to apk. */
struct ask {
	struct aipkg_ctx *ctx;
	struct aipkg_state *st;
	const char *request;
	struct aipkg_ai_answer ans;
	json_t *result; /* what the caller gets: request, planner, plan, changes... */
	const char **names; /* the plan's names, for apk (borrowed from ans.plan) */
	size_t nnames;
	json_t *kept;       /* locked packages of the plan apk gets as their lock */
	bool force;         /* install known-vulnerable versions without asking */
};

/* The plan's names as apk arguments.  The planners only name packages of
 * the indexes, and apk gets them after "--"; the syntax is checked once
 * more here, at the door, whatever changes upstream. */
static int names_take(struct ask *a)
{
	json_t *pkgs = a->ans.plan.packages, *p;
	size_t i;

	free(a->names);
	a->nnames = json_array_size(pkgs);
	a->names = calloc(a->nnames + 1, sizeof(*a->names));
	if (!a->names)
		return -ENOMEM;
	json_array_foreach(pkgs, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (!name || name[0] == '-' || !aipkg_name_valid(aipkg_slice_str(name)))
			return aipkg_ctx_fail(a->ctx, -AIPKG_E_BADNAME, "refusing to pass '%s' to apk",
					      name ? name : "?");
		a->names[i] = name;
	}
	/* a locked package of the plan keeps its lock: apk add NAME drops it */
	json_decref(a->kept);
	a->kept = NULL;
	return aipkg_locks_keep(a->ctx, a->st, a->names, a->nnames, &a->kept);
}

static void result_update(struct ask *a)
{
	json_object_set(a->result, "packages", a->ans.plan.packages);
	json_object_set(a->result, "rejected", a->ans.plan.rejected);
}

static json_t *result_new(const struct ask *a)
{
	json_t *r = json_pack("{s:s, s:s, s:s?, s:O, s:O, s:[]}", "request", a->request, "planner",
			      a->ans.planner, "model", a->ans.model, "packages",
			      a->ans.plan.packages, "rejected", a->ans.plan.rejected, "changes");

	if (r && a->ans.fallback)
		json_object_set_new(r, "fallback", json_string(a->ans.fallback));
	return r;
}

/* The vulnerability check on apk's plan; findings land in EXTRA, and
 * security_decision() decides about them (or --force did). */
static int vuln_hook(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, const json_t *plan,
		     json_t *extra)
{
	const struct ask *a = txn->ud;

	return aipkg_vuln_check_plan(ctx, a->st, plan,
				     a->force ? AIPKG_VULN_PLAN_FORCE : AIPKG_VULN_PLAN_REPORT,
				     extra);
}

/* A transaction takes the context's state as its snapshot and frees it:
 * read it again for what follows.  Returns R, or the failure to read. */
static int state_again(struct ask *a, int r)
{
	int lr;

	a->st = aipkg_ctx_state(a->ctx, &lr);
	return !a->st ? lr : r;
}

/* apk --simulate of the current plan: changes and vulnerabilities into the result. */
static int simulate(struct ask *a)
{
	struct aipkg_txn txn = { .applet = "add", .what = "install", .check = vuln_hook };
	json_t *res = NULL;
	int r = names_take(a);

	if (r < 0)
		return r;
	txn.args = a->names;
	txn.nargs = a->nnames;
	txn.ud = a;
	txn.dry_run = true;
	r = aipkg_txn_run(a->ctx, &txn, &res);
	if (r == 0) {
		json_object_set(a->result, "changes", json_object_get(res, "changes"));
		json_object_set(a->result, "vulnerabilities", json_object_get(res, "vulnerabilities"));
		if (json_array_size(a->kept))
			json_object_set(a->result, "kept_locked", a->kept);
	}
	json_decref(res);
	return state_again(a, r);
}

static bool apk_refused(int r)
{
	return r == -AIPKG_E_CONFLICT || r == -AIPKG_E_NOPKG || r == -AIPKG_E_APK_FAILED;
}

/* Simulate; when apk refuses a model's plan, ask the model once for another. */
static int simulate_resolving(struct ask *a)
{
	int r = simulate(a);
	char *apk_error;
	json_t *tried;

	if (!apk_refused(r) || strcmp(a->ans.planner, "offline") == 0)
		return r;
	apk_error = strdup(aipkg_ctx_why(a->ctx, r));
	tried = aipkg_plan_names(&a->ans.plan);
	aipkg_ctx_warn(a->ctx, "%s; asking the model for another set", apk_error);
	r = aipkg_ai_resolve_conflict(a->ctx, a->st, a->request, tried, apk_error, &a->ans.plan);
	json_object_set_new(a->result, "conflict", json_pack("{s:s?, s:O}", "apk_error", apk_error,
							   "tried", tried));
	result_update(a);
	r = r == 0 ? simulate(a) : aipkg_ctx_fail(a->ctx, -AIPKG_E_CONFLICT, "%s", apk_error);
	free(apk_error);
	json_decref(tried);
	return r;
}

/* The findings at or above the configured level (unknown severities count). */
static json_t *serious_vulns(const struct ask *a)
{
	const char *level = a->ctx->cfg.vuln_fail_on ? a->ctx->cfg.vuln_fail_on
						      : AIPKG_VULN_FAIL_ON_DEFAULT;
	json_t *all = json_object_get(a->result, "vulnerabilities"), *out = json_array(), *f;
	size_t i;

	json_array_foreach(all, i, f) {
		int sev = aipkg_severity_parse(json_string_value(json_object_get(f, "severity")));

		if (aipkg_severity_counts(sev < 0 ? AIPKG_SEV_UNKNOWN : (enum aipkg_severity)sev, level))
			json_array_append(out, f);
	}
	return out;
}

static int refuse_vulnerable(struct ask *a, const json_t *serious, const char *why)
{
	const json_t *f = json_array_get(serious, 0);

	return aipkg_ctx_fail(a->ctx, -AIPKG_E_VULNERABLE,
			      "%s %s has %zu known vulnerabilit%s at or above the configured level "
			      "(%s, %s); nothing installed: %s",
			      json_string_value(json_object_get(f, "package")),
			      json_string_value(json_object_get(f, "version")), json_array_size(serious),
			      json_array_size(serious) == 1 ? "y" : "ies",
			      json_string_value(json_object_get(f, "cve")),
			      json_string_value(json_object_get(f, "severity")), why);
}

static void record_decision(struct ask *a, const char *decision, const char *why)
{
	json_object_set_new(a->result, "security",
			    json_pack("{s:s, s:s}", "decision", decision, "reason", why ? why : ""));
}

/* The strategic model's alternative replaces the plan: simulated and
 * checked again, and refused when it is vulnerable too. */
static int take_alternative(struct ask *a, const struct aipkg_plan *alt)
{
	json_t *serious;
	int r;

	json_array_clear(a->ans.plan.packages);
	json_array_extend(a->ans.plan.packages, alt->packages);
	json_array_extend(a->ans.plan.rejected, alt->rejected);
	result_update(a);
	r = simulate(a);
	serious = r == 0 ? serious_vulns(a) : NULL;
	if (json_array_size(serious))
		r = refuse_vulnerable(a, serious, "the alternative is vulnerable too");
	json_decref(serious);
	return r;
}

static const char *decision_name(enum aipkg_ai_decision d)
{
	return d == AIPKG_AI_PROCEED ? "proceed" : d == AIPKG_AI_ALTERNATIVE ? "alternative" : "refuse";
}

/* Known critical/high vulnerabilities in the plan: the strategic model
 * decides, or nobody does and the answer is no. */
static int security_decision(struct ask *a)
{
	json_t *serious = serious_vulns(a);
	struct aipkg_plan alt;
	enum aipkg_ai_decision d;
	char *why = NULL;
	int r = 0;

	if (!json_array_size(serious) || a->force) {
		json_decref(serious);
		return 0;
	}
	aipkg_plan_init(&alt);
	d = aipkg_ai_decide(a->ctx, a->st, a->request, &a->ans.plan, serious, &alt, &why);
	record_decision(a, decision_name(d), why);
	if (d == AIPKG_AI_PROCEED)
		aipkg_ctx_warn(a->ctx, "installing despite known vulnerabilities: %s", why);
	else if (d == AIPKG_AI_ALTERNATIVE)
		r = take_alternative(a, &alt);
	else
		r = refuse_vulnerable(a, serious, why);
	aipkg_plan_release(&alt);
	json_decref(serious);
	free(why);
	return r;
}

/* A change of a package the plan names (the rest are dependencies). */
static bool planned_by_name(const void *ud, const json_t *change)
{
	const struct ask *a = ud;
	const char *name = json_string_value(json_object_get(change, "name"));

	for (size_t i = 0; name && i < a->nnames; i++)
		if (strcmp(a->names[i], name) == 0)
			return true;
	return false;
}

static int confirm(struct ask *a, bool confirmed)
{
	json_t *doc;
	int answer;

	if (confirmed)
		return 0;
	doc = json_copy(a->result);
	json_object_set_new(doc, "changes",
			    aipkg_plan_summary(a->st, json_object_get(a->result, "changes"),
					       planned_by_name, a));
	answer = a->ctx->cb.confirm ? a->ctx->cb.confirm(a->ctx->cb.ud, "Install these packages?",
							 doc)
				    : -1;
	json_decref(doc);
	if (answer > 0)
		return 0;
	if (answer == 0)
		return aipkg_ctx_fail(a->ctx, -AIPKG_E_DECLINED, "nothing changed: you declined");
	return aipkg_ctx_fail(a->ctx, -AIPKG_E_REFUSED,
			      "a plan made from a request needs confirmation; nothing changed: "
			      "rerun with --yes to install it, or --dry-run to only see it");
}

/* The journal's record of who planned what; the plan is one line of JSON
 * ([{"name","reason"}]), as the journal keeps text. */
static json_t *journal_members(const struct ask *a)
{
	char *plan = json_dumps(a->ans.plan.packages, JSON_COMPACT);
	json_t *j = json_pack("{s:s, s:s, s:s?, s:s?}", "request", a->request, "planner",
			      a->ans.planner, "model", a->ans.model, "plan", plan);

	free(plan);
	return j;
}

static int commit(struct ask *a)
{
	struct aipkg_txn txn = { .applet = "add", .what = "install" };
	json_t *journal = journal_members(a), *res = NULL;
	int r;

	txn.args = a->names;
	txn.nargs = a->nnames;
	txn.ud = a->st;
	txn.confirmed = true;
	txn.journal = journal;
	txn.simulated = json_object_get(a->result, "changes");
	r = aipkg_txn_run(a->ctx, &txn, &res);
	if (res) {
		json_object_set(a->result, "changes", json_object_get(res, "changes"));
		json_object_set(a->result, "apk_exit", json_object_get(res, "apk_exit"));
	}
	json_decref(res);
	json_decref(journal);
	return r;
}

static int plan_request(struct ask *a, bool offline)
{
	int r = aipkg_ai_plan(a->ctx, a->st, a->request, offline, &a->ans);

	if (r < 0)
		return r;
	a->result = result_new(a);
	if (!a->result)
		return -ENOMEM;
	if (!json_array_size(a->ans.plan.packages)) {
		/* what would have answered, had the indexes held it (docker on a
		 * root without the community repository) */
		struct aipkg_buf missing = AIPKG_BUF_INIT;
		json_t *rj;
		size_t i;

		json_array_foreach(a->ans.plan.rejected, i, rj)
			aipkg_buf_addf(&missing, "%s%s", missing.len ? " " : "",
				       json_string_value(json_object_get(rj, "name")));
		r = aipkg_ctx_fail(a->ctx, -AIPKG_E_NOPKG,
				   "no package in the indexes answers '%s' (%s planner)%s%s; try "
				   "'aipkg search -d WORD', or 'aipkg update' if the indexes are old",
				   a->request, a->ans.planner,
				   missing.len ? "; not in them: " : "", aipkg_buf_str(&missing));
		aipkg_buf_release(&missing);
		return r;
	}
	return 0;
}

/* The packages a request that is no install names: the words that are
 * package names, else (to remove or upgrade) the offline plan's; split
 * into the installed ones and the others, blank-separated. */
static void named_packages(const struct ask *a, enum aipkg_request_kind kind,
			   struct aipkg_buf *installed, struct aipkg_buf *others)
{
	struct aipkg_words *w = malloc(sizeof(*w));
	struct aipkg_plan plan;
	json_t *p;
	size_t i;

	aipkg_plan_init(&plan);
	if (w) {
		/* "is openssl up to date" names no package date */
		char *text = strdup(a->request), *p2;

		for (p2 = text; p2 && (p2 = strcasestr(p2, "up to date"));)
			memset(p2, ' ', strlen("up to date"));
		for (p2 = text; p2 && (p2 = strcasestr(p2, "up-to-date"));)
			memset(p2, ' ', strlen("up-to-date"));
		aipkg_words_split(text ? text : "", false, w);
		free(text);
		for (i = 0; i < w->n; i++) {
			enum aipkg_resolve_how how;
			const struct aipkg_pkg *pkg = aipkg_name_valid(aipkg_slice_str(w->w[i]))
							      ? aipkg_resolve(a->st, w->w[i], 0, &how)
							      : NULL;

			if (pkg && how == AIPKG_RESOLVE_EXACT)
				aipkg_plan_add(&plan, pkg->name, "", NULL);
		}
		free(w);
	}
	if (!json_array_size(plan.packages) && kind != AIPKG_REQUEST_QUERY)
		aipkg_planner_offline(a->st, a->request, &plan);
	json_array_foreach(plan.packages, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *why = json_string_value(json_object_get(p, "reason"));
		struct aipkg_buf *to;

		/* a search's guess is no package the request names */
		if (why && strstr(why, "best match in the index"))
			continue;
		to = aipkg_state_installed(a->st, name) ? installed : others;
		aipkg_buf_addf(to, "%s%s", to->len ? " " : "", name);
	}
	aipkg_plan_release(&plan);
}

/*
 * ask plans installs; a request to remove or upgrade packages, or a
 * question about them, is refused before anything is planned, naming the
 * command that does it.  (The offline planner planned an install of
 * apache2 for "remove apache", of ostree and exoscale for "upgrade
 * everything", and of date for "is openssl up to date".)
 */
static int refuse_other_kind(struct ask *a, enum aipkg_request_kind kind)
{
	struct aipkg_buf inst = AIPKG_BUF_INIT, other = AIPKG_BUF_INIT, hint = AIPKG_BUF_INIT;
	const char *path = strchr(a->request, '/');
	int r;

	named_packages(a, kind, &inst, &other);
	switch (kind) {
	case AIPKG_REQUEST_REMOVE:
		if (inst.len)
			aipkg_buf_addf(&hint, "to remove them: aipkg remove %s", aipkg_buf_str(&inst));
		else if (other.len)
			aipkg_buf_addf(&hint, "not installed: %s", aipkg_buf_str(&other));
		else
			aipkg_buf_addstr(&hint, "to remove packages: aipkg remove NAME...");
		break;
	case AIPKG_REQUEST_UPGRADE:
		if (inst.len)
			aipkg_buf_addf(&hint, "to upgrade them: aipkg update %s", aipkg_buf_str(&inst));
		else
			aipkg_buf_addf(&hint, "%s%s%s'aipkg list --upgradable' shows what would "
					      "change, 'aipkg update' upgrades all, 'aipkg update "
					      "NAME...' the named",
				       other.len ? "not installed: " : "", aipkg_buf_str(&other),
				       other.len ? "; " : "");
		break;
	default:
		if (strcasestr(a->request, "up to date") || strcasestr(a->request, "up-to-date") ||
		    strcasestr(a->request, "outdated") || strcasestr(a->request, "newer"))
			aipkg_buf_addstr(&hint, "'aipkg list --upgradable' lists what has a newer "
						"version; ");
		if (inst.len || other.len)
			aipkg_buf_addf(&hint, "'aipkg info %s%s%s' shows a package, what it needs "
					      "and what needs it; ",
				       inst.len ? aipkg_buf_str(&inst) : "", inst.len && other.len ? " " : "",
				       other.len ? aipkg_buf_str(&other) : "");
		if (path)
			aipkg_buf_addf(&hint, "'aipkg info --who-owns %.*s' names the package of "
					      "a file; ",
				       (int)strcspn(path, " \t\n?\"'"), path);
		aipkg_buf_addstr(&hint, "'aipkg search -d WORD' finds packages");
		break;
	}
	r = aipkg_ctx_fail(a->ctx, -AIPKG_E_USAGE,
			   "'%s' %s, and ask only plans installs: nothing changed; %s", a->request,
			   kind == AIPKG_REQUEST_REMOVE    ? "asks to remove packages"
			   : kind == AIPKG_REQUEST_UPGRADE ? "asks to upgrade packages"
							   : "is a question",
			   aipkg_buf_str(&hint));
	aipkg_buf_release(&inst);
	aipkg_buf_release(&other);
	aipkg_buf_release(&hint);
	return r;
}

static int ask_run(struct ask *a, json_t *args)
{
	bool dry_run = a->ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run");
	bool confirmed = a->ctx->opts.yes || aipkg_arg_bool(args, "confirm");
	int r;

	if (!a->request[strspn(a->request, " \t\r\n")])
		return aipkg_ctx_fail(a->ctx, -AIPKG_E_USAGE,
				      "say what you need, for example: aipkg ask \"a web server\"");
	if (strlen(a->request) > ASK_REQUEST_MAX)
		return aipkg_ctx_fail(a->ctx, -AIPKG_E_USAGE,
				      "a request of more than %d bytes is not a request; say it shorter",
				      ASK_REQUEST_MAX);
	a->force = a->ctx->opts.force || aipkg_arg_bool(args, "force");
	a->st = aipkg_ctx_state(a->ctx, &r);
	if (!a->st)
		return r;
	if (!aipkg_state_any_index(a->st))
		return aipkg_ctx_fail(a->ctx, -AIPKG_E_NOPKG,
				      "no repository index is available, and requests are planned "
				      "against the indexes: run 'aipkg update' first");
	if (aipkg_request_kind(a->request) != AIPKG_REQUEST_INSTALL)
		return refuse_other_kind(a, aipkg_request_kind(a->request));
	r = plan_request(a, aipkg_arg_bool(args, "offline"));
	if (r == 0)
		r = simulate_resolving(a);
	if (r == 0)
		r = security_decision(a);
	if (r == 0 && dry_run)
		json_object_set_new(a->result, "dry_run", json_true());
	if (r == 0 && !dry_run)
		r = confirm(a, confirmed);
	if (r == 0 && !dry_run)
		r = commit(a);
	return r;
}

int aipkg_tool_ask(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	struct ask a = { .ctx = ctx, .request = json_string_value(json_object_get(args, "request")) };
	int r;

	/* the model planned this (and was asked again about a conflict): a
	 * failure is not put to it a third time for advice */
	ctx->no_advice = true;
	r = ask_run(&a, args);

	*result = a.result;
	free(a.names);
	json_decref(a.kept);
	aipkg_ai_answer_release(&a.ans);
	return r;
}
