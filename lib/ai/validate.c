/* Checking a model's proposal against the indexes: syntax, existence, corrections. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/planner.h"
#include "ai/resolve.h"
#include "aipkg/error.h"
#include "apk/search.h"
#include "jsonutil.h"

/* Entries past this are not looked at: answering with thousands of names
 * is an attack on our time, not a plan. */
#define VALIDATE_MAX_ENTRIES 64
#define NAME_MAX_LEN 128

static void reject_unknown(const struct aipkg_state *st, const char *name,
			   struct aipkg_plan *plan)
{
	json_t *close = aipkg_suggest(st, name, 3);
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_json_join(&b, close, ", ");
	aipkg_plan_reject(plan, name, "not in the indexes%s%s%s", b.len ? " (close: " : "",
			  aipkg_buf_str(&b), b.len ? ")" : "");
	aipkg_buf_release(&b);
	json_decref(close);
}

/* Why NAME can never go to apk, or NULL when its syntax is fine. */
static const char *syntax_problem(const char *name)
{
	if (!*name)
		return "an empty name";
	if (name[0] == '-')
		return "starts with '-', so apk would read it as an option";
	if (strlen(name) > NAME_MAX_LEN)
		return "too long for a package name";
	if (!aipkg_name_valid(aipkg_slice_str(name)))
		return "not a valid apk package name";
	return NULL;
}

static void validate_name(const struct aipkg_state *st, const char *name, const char *reason,
			  struct aipkg_plan *plan)
{
	const char *bad = syntax_problem(name);
	enum aipkg_resolve_how how;
	const struct aipkg_pkg *p;

	if (bad) {
		aipkg_plan_reject(plan, name, "%s", bad);
		return;
	}
	p = aipkg_resolve(st, name, AIPKG_RESOLVE_FUZZY, &how);
	if (!p)
		reject_unknown(st, name, plan);
	else
		aipkg_plan_add(plan, p->name, reason, how == AIPKG_RESOLVE_EXACT ? NULL : name);
}

/* A name as a model wrote it, without the blanks around it. */
static char *trimmed(const char *s)
{
	size_t len;

	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	return strndup(s, len);
}

static void validate_entry(const struct aipkg_state *st, const json_t *e, struct aipkg_plan *plan)
{
	const json_t *name = json_is_string(e) ? e : json_object_get(e, "name");
	const char *reason = json_string_value(json_object_get(e, "reason"));
	char *n;

	if (!json_is_string(name)) {
		aipkg_plan_reject(plan, "?", "an entry without a package name");
		return;
	}
	n = trimmed(json_string_value(name));
	if (n)
		validate_name(st, n, reason ? reason : "", plan);
	free(n);
}

int aipkg_planner_validate(const struct aipkg_state *st, const json_t *answer,
			   struct aipkg_plan *plan)
{
	const json_t *pkgs = json_object_get(answer, "packages"), *e;
	size_t i, n = json_array_size(pkgs);

	if (!json_is_array(pkgs))
		return -AIPKG_E_BADANSWER;
	json_array_foreach(pkgs, i, e) {
		if (i == VALIDATE_MAX_ENTRIES) {
			aipkg_plan_reject(plan, "...", "%zu more entr%s not looked at", n - i,
					  aipkg_plural(n - i, "y", "ies"));
			break;
		}
		validate_entry(st, e, plan);
	}
	return 0;
}
