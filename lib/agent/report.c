/* The agent's report as a person reads it (mail from cron, the notify command, syslog). */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "aipkg/agent.h"
#include "aipkg/term.h"
#include "buf.h"

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* One line of the report: package names, versions, reasons and errors come
 * from repositories and apk, so the line is escaped whole (aipkg/term.h)
 * before it reaches a mail reader or a terminal. */
__attribute__((format(printf, 2, 3))) static void line(struct aipkg_buf *out, const char *fmt, ...)
{
	struct aipkg_buf raw = AIPKG_BUF_INIT;
	char *safe;
	va_list ap;

	va_start(ap, fmt);
	aipkg_buf_vaddf(&raw, fmt, ap);
	va_end(ap);
	safe = aipkg_term_escaped(aipkg_buf_str(&raw));
	aipkg_buf_addstr(out, safe ? safe : "?");
	aipkg_buf_addch(out, '\n');
	free(safe);
	aipkg_buf_release(&raw);
}

static bool result_is(const json_t *pkg, const char *result)
{
	return strcmp(str(pkg, "result"), result) == 0;
}

static void section(const json_t *report, const char *result, const char *title,
		    struct aipkg_buf *out)
{
	json_t *pkgs = json_object_get(report, "packages"), *p;
	bool any = false;
	size_t i;

	json_array_foreach(pkgs, i, p) {
		json_int_t op = json_integer_value(json_object_get(p, "operation"));
		char ref[40] = "";

		if (!result_is(p, result))
			continue;
		if (!any)
			aipkg_buf_addf(out, "\n%s:\n", title);
		any = true;
		if (op)
			snprintf(ref, sizeof(ref), " [operation %lld]", (long long)op);
		line(out, "  %s %s -> %s: %s%s", str(p, "name"), str(p, "from"), str(p, "to"),
		     str(p, "why"), ref);
	}
}

static void vulns(const json_t *report, struct aipkg_buf *out)
{
	json_t *v = json_object_get(report, "new_vulnerabilities"), *f;
	size_t i;

	if (json_array_size(v))
		aipkg_buf_addf(out, "\nNew vulnerabilities since the last run:\n");
	json_array_foreach(v, i, f)
		line(out, "  %s %s %s (fixed in %s)", str(f, "package"), str(f, "version"), str(f, "id"),
		     *str(f, "fixed_in") ? str(f, "fixed_in") : "no release yet");
}

static void problems(const json_t *report, struct aipkg_buf *out)
{
	json_t *v = json_object_get(report, "new_problems"), *p, *healed;
	size_t i;

	if (json_array_size(v))
		aipkg_buf_addf(out, "\nNew problems since the last run (aipkg doctor):\n");
	json_array_foreach(v, i, p)
		aipkg_buf_addf(out, "  %s [%s]; fix: %s\n", str(p, "summary"), str(p, "severity"),
			       *str(p, "fix") ? str(p, "fix") : "see aipkg doctor");
	healed = json_object_get(report, "healed");
	if (json_array_size(json_object_get(healed, "fixed")))
		aipkg_buf_addf(out, "\nRepaired (agent.heal):\n");
	json_array_foreach(json_object_get(healed, "fixed"), i, p)
		aipkg_buf_addf(out, "  %s [operation %lld]\n", str(p, "what"),
			       (long long)json_integer_value(json_object_get(p, "operation")));
	if (json_array_size(json_object_get(healed, "not_fixed")))
		aipkg_buf_addf(out, "\nNot repaired (agent.heal):\n");
	json_array_foreach(json_object_get(healed, "not_fixed"), i, p)
		aipkg_buf_addf(out, "  %s: %s\n", str(p, "summary"), str(p, "why"));
}

/* --dry-run: nothing has a result; what each upgrade would get, and why
 * (the plan the man page promises, which the sections above never show). */
static void dry_plan(const json_t *report, struct aipkg_buf *out)
{
	json_t *pkgs = json_object_get(report, "packages"), *p;
	size_t i;

	if (!json_is_true(json_object_get(report, "dry_run")))
		return;
	if (!json_array_size(pkgs)) {
		aipkg_buf_addf(out, "\nNothing to upgrade.\n");
		return;
	}
	aipkg_buf_addf(out, "\nThe plan (--dry-run: nothing was done):\n");
	json_array_foreach(pkgs, i, p)
		line(out, "  %s %s -> %s: %s (%s risk): %s", str(p, "name"), str(p, "from"),
		     str(p, "to"), str(p, "action"), str(p, "risk"),
		     *str(p, "why") ? str(p, "why") : str(p, "reason"));
}

static void headline(const json_t *report, struct aipkg_buf *out)
{
	json_t *sum = json_object_get(report, "summary"), *db = json_object_get(report, "secdb");
	json_int_t rolled = json_integer_value(json_object_get(sum, "rolled_back"));

	aipkg_buf_addf(out, "aipkg agent run at %s: %s; %lld upgraded, %lld deferred, %lld failed",
		       str(report, "time"), str(report, "status"),
		       (long long)json_integer_value(json_object_get(sum, "applied")),
		       (long long)json_integer_value(json_object_get(sum, "deferred")),
		       (long long)json_integer_value(json_object_get(sum, "failed")));
	if (rolled)
		aipkg_buf_addf(out, ", %lld rolled back", (long long)rolled);
	aipkg_buf_addch(out, '\n');
	if (json_is_true(json_object_get(report, "dry_run")))
		aipkg_buf_addf(out, "Indexes: not refreshed (--dry-run): planned from the cached "
				    "ones; nothing was changed\n");
	else
		aipkg_buf_addf(out, "Indexes: %s\n",
			       json_is_true(json_object_get(report, "refreshed"))
				       ? "refreshed"
				       : "NOT refreshed, so nothing was upgraded");
	if (json_is_object(db))
		line(out, "Security database: %s, %s%s", str(db, "branch"), str(db, "age"),
		     json_is_true(json_object_get(db, "offline"))
			     ? " (offline: could not refresh it, used the cache)"
			     : "");
	else
		aipkg_buf_addf(out, "Security database: unavailable, upgrades were assessed "
				    "without it\n");
}

void aipkg_agent_report_text(const json_t *report, struct aipkg_buf *out)
{
	json_t *errors = json_object_get(report, "errors"), *e, *rb;
	size_t i;

	headline(report, out);
	json_array_foreach(errors, i, e)
		line(out, "Error: %s", json_string_value(e));
	section(report, "failed", "Failed", out);
	section(report, "rolled-back", "Rolled back (the upgrade broke the live system)", out);
	section(report, "applied", "Upgraded", out);
	section(report, "deferred", "Deferred", out);
	section(report, "not-run", "Not tried (the run stopped)", out);
	section(report, "skipped", "Left alone", out);
	section(report, "unchanged", "Not upgraded by apk", out);
	dry_plan(report, out);
	vulns(report, out);
	problems(report, out);
	rb = json_object_get(report, "rollback");
	if (json_array_size(rb))
		aipkg_buf_addf(out, "\nTo undo this run's changes, newest first:\n");
	json_array_foreach(rb, i, e)
		line(out, "  %s", json_string_value(e));
}

char *aipkg_agent_report_format(const json_t *report)
{
	struct aipkg_buf out = AIPKG_BUF_INIT;

	aipkg_agent_report_text(report, &out);
	return aipkg_buf_detach(&out);
}
