/* The agent's plan: each upgradable package with its risk, the vulnerabilities it fixes and the action. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/version.h"
#include "ctx.h"
#include "tools/tools.h"
#include "vuln/match.h"
#include "vuln/db.h"

/* The ids of ORIGIN's vulnerabilities at FROM that TO no longer has. */
static json_t *fixed_ids(const struct aipkg_secdb *db, const char *origin, const char *from,
			 const char *to)
{
	struct aipkg_vuln_hit *before = NULL, *after = NULL;
	size_t nb = 0, na = 0;
	json_t *ids = json_array();

	if (!db || aipkg_vuln_match(db, origin, from, &before, &nb) < 0 ||
	    aipkg_vuln_match(db, origin, to, &after, &na) < 0)
		nb = 0;
	for (size_t i = 0; i < nb; i++) {
		bool still = false;

		for (size_t k = 0; k < na && !still; k++)
			still = before[i].id.len == after[k].id.len &&
				memcmp(before[i].id.ptr, after[k].id.ptr, before[i].id.len) == 0;
		if (!still)
			json_array_append_new(ids, json_stringn(before[i].id.ptr, before[i].id.len));
	}
	free(before);
	free(after);
	return ids;
}

static size_t reverse_deps(const struct aipkg_state *st, const struct aipkg_pkg *inst)
{
	json_t *users = aipkg_required_by(st, inst);
	size_t n = json_array_size(users);

	json_decref(users);
	return n;
}

static void set_action(json_t *pkg, const char *action, const char *why)
{
	json_object_set_new(pkg, "action", json_string(action));
	json_object_set_new(pkg, "why", json_string(why));
}

/* An entry with the risk assessed, before the lists and the clock. */
static json_t *assessed(const struct aipkg_agent_config *cfg, const struct aipkg_state *st,
			const struct aipkg_secdb *db, const struct aipkg_pkg *inst,
			const struct aipkg_pkg *best)
{
	json_t *fixes = fixed_ids(db, inst->origin, inst->version, best->version);
	struct aipkg_risk_input in = { inst->name, inst->version, best->version,
				       reverse_deps(st, inst), json_array_size(fixes) };
	struct aipkg_risk_result r;
	enum aipkg_action a;
	char why[640];

	aipkg_agent_assess(cfg, &in, &r);
	a = aipkg_agent_policy(cfg, r.risk, r.security);
	snprintf(why, sizeof(why), "%s risk (%s): agent.policy.%s is %s",
		 aipkg_agent_risk_name(r.risk), r.reason,
		 r.security ? "security" : aipkg_agent_risk_name(r.risk),
		 aipkg_agent_action_name(a));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:b, s:s, s:s}",
			 "name", inst->name, "from", inst->version, "to", best->version, "origin",
			 inst->origin, "bump", aipkg_agent_bump_name(r.bump), "risk",
			 aipkg_agent_risk_name(r.risk), "reason", r.reason, "reverse_deps",
			 (json_int_t)in.reverse_deps, "fixes", fixes, "built",
			 best->build_time ? json_integer((json_int_t)best->build_time) : json_null(),
			 "core", r.core, "action", aipkg_agent_action_name(a), "why", why);
}

/* The lists: deny, allow and locks leave a package untouched. */
static bool skipped(const struct aipkg_agent_config *cfg, const struct aipkg_state *st,
		    json_t *pkg, const char *name)
{
	int kind;
	const char *atom = aipkg_held_atom(st, name, &kind);
	char why[320];

	if (aipkg_agent_glob_any(cfg->deny, cfg->deny_n, name)) {
		set_action(pkg, "skip", "listed in agent.deny");
	} else if (cfg->allow && !aipkg_agent_glob_any(cfg->allow, cfg->allow_n, name)) {
		set_action(pkg, "skip", "not listed in agent.allow");
	} else if (atom && kind == AIPKG_WORLD_LOCK) {
		snprintf(why, sizeof(why), "locked (%s); 'aipkg unlock %s' lets it move", atom, name);
		set_action(pkg, "skip", why);
	} else if (atom) {
		snprintf(why, sizeof(why), "the world file pins this build (%s), which apk keeps",
			 atom);
		set_action(pkg, "skip", why);
	} else {
		return false;
	}
	return true;
}

static void defer(json_t *pkg, const char *why)
{
	set_action(pkg, "defer", why);
}

/* The clock: min_age by the index's build time, and the window. */
static void timing(const struct aipkg_agent_config *cfg, json_t *pkg, time_t now)
{
	json_int_t built = json_integer_value(json_object_get(pkg, "built"));
	char why[200];

	if (cfg->min_age > 0 && built > 0 && (double)(now - built) < cfg->min_age) {
		snprintf(why, sizeof(why), "version built %.0f hours ago, younger than agent.min_age "
					   "(%.0f hours)",
			 (double)(now - built) / 3600, cfg->min_age / 3600);
		defer(pkg, why);
	} else if (!aipkg_agent_in_window(cfg->window, now)) {
		snprintf(why, sizeof(why), "outside the maintenance window %s (agent.window)",
			 cfg->window);
		defer(pkg, why);
	}
}

static bool acts(const json_t *pkg)
{
	const char *a = json_string_value(json_object_get(pkg, "action"));

	return strcmp(a, "apply") == 0 || strcmp(a, "sandbox") == 0;
}

/*
 * Past agent.max_packages, the rest waits for the next run, counted in the
 * order a run acts (apply, then sandbox).  "held" keeps what the policy
 * said, so a run whose trial fails gives the turn to the next one.
 */
static void limit(const struct aipkg_agent_config *cfg, json_t *plan)
{
	static const char *const order[] = { "apply", "sandbox" };
	long seen = 0;
	json_t *pkg;
	size_t i;
	char why[96];

	if (cfg->max_packages <= 0)
		return;
	snprintf(why, sizeof(why), "agent.max_packages (%ld) reached in this run",
		 cfg->max_packages);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		json_array_foreach(plan, i, pkg) {
			json_t *action = json_object_get(pkg, "action");

			if (strcmp(json_string_value(action), order[k]) != 0 ||
			    ++seen <= cfg->max_packages)
				continue;
			json_object_set_new(pkg, "held",
					    json_pack("{s:s, s:O}", "action", order[k], "why",
						      json_object_get(pkg, "why")));
			defer(pkg, why);
		}
}

static int by_name(const void *a, const void *b)
{
	const struct aipkg_pkg *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The installed packages apk would upgrade (a newer version in the
 * repositories their tag allows), by name. */
static const struct aipkg_pkg **upgradable(const struct aipkg_state *st, size_t *n)
{
	const struct aipkg_pkg **v = calloc(st->installed.n + 1, sizeof(*v));

	*n = 0;
	for (size_t i = 0; v && i < st->installed.n; i++)
		if (aipkg_select_upgrade(st, &st->installed.pkgs[i]))
			v[(*n)++] = &st->installed.pkgs[i];
	if (v)
		qsort(v, *n, sizeof(*v), by_name);
	return v;
}

const char *aipkg_agent_broken_reason(const json_t *broken, const char *name,
				      const char *version)
{
	const json_t *b;
	size_t i;

	json_array_foreach(broken, i, b)
		if (!strcmp(json_string_value(json_object_get(b, "name")), name) &&
		    !strcmp(json_string_value(json_object_get(b, "version")), version))
			return json_string_value(json_object_get(b, "reason"));
	return NULL;
}

/* A version that broke the live system once is not tried again. */
static void broken(const json_t *list, json_t *pkg)
{
	const char *why = aipkg_agent_broken_reason(
		list, json_string_value(json_object_get(pkg, "name")),
		json_string_value(json_object_get(pkg, "to")));
	char text[1200];

	if (!why)
		return;
	snprintf(text, sizeof(text), "this version was rolled back before: %s", why);
	defer(pkg, text);
}

json_t *aipkg_agent_plan(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			 const struct aipkg_secdb *db, time_t now)
{
	const struct aipkg_agent_config *cfg = &ctx->cfg.agent;
	size_t n;
	const struct aipkg_pkg **up = upgradable(st, &n);
	json_t *plan = json_array(), *bad = aipkg_agent_load(ctx, "broken");

	for (size_t i = 0; up && i < n; i++) {
		json_t *pkg = assessed(cfg, st, db, up[i], aipkg_select_upgrade(st, up[i]));

		/* the clock only holds back what policy would do now: a high
		 * risk keeps its own reason, not "outside the window" */
		if (!skipped(cfg, st, pkg, up[i]->name) && acts(pkg))
			timing(cfg, pkg, now);
		if (acts(pkg))
			broken(bad, pkg);
		json_array_append_new(plan, pkg);
	}
	limit(cfg, plan);
	json_decref(bad);
	free(up);
	return plan;
}
