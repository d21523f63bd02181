/* A package plan for a request: the packages chosen and what was turned down. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ai/plan.h"
#include "buf.h"

#define CLEAN_REASON 240
#define CLEAN_NAME 80

void aipkg_plan_init(struct aipkg_plan *plan)
{
	plan->packages = json_array();
	plan->rejected = json_array();
}

void aipkg_plan_release(struct aipkg_plan *plan)
{
	json_decref(plan->packages);
	json_decref(plan->rejected);
	plan->packages = plan->rejected = NULL;
}

void aipkg_plan_reset(struct aipkg_plan *plan)
{
	json_array_clear(plan->packages);
	json_array_clear(plan->rejected);
}

bool aipkg_plan_has(const struct aipkg_plan *plan, const char *name)
{
	const json_t *p;
	size_t i;

	json_array_foreach(plan->packages, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0)
			return true;
	return false;
}

/* The length of the valid UTF-8 sequence at S, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* S cut at MAX bytes, invalid UTF-8 as '?'; when CONTROLS, control
 * characters too (newline and tab as a blank). */
static char *clean(const char *s, size_t max, bool controls)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n = *p < 0x80 ? 1 : utf8_len(p);

		if (b.len + (n ? n : 1) > max) {
			aipkg_buf_addstr(&b, "...");
			break;
		}
		if (n == 0 || (controls && n == 1 && (*p < 0x20 || *p == 0x7f)))
			aipkg_buf_addch(&b, *p == '\n' || *p == '\t' ? ' ' : '?');
		else
			aipkg_buf_add(&b, p, n);
		p += n ? n : 1;
	}
	return aipkg_buf_detach(&b);
}

char *aipkg_ai_clean(const char *s, size_t max)
{
	return clean(s, max, true);
}

char *aipkg_ai_text(const char *s, size_t max)
{
	return clean(s, max, false);
}

static void add_cleaned(json_t *obj, const char *key, const char *s, size_t max)
{
	char *c = aipkg_ai_text(s, max);
	json_t *v = c ? json_string(c) : NULL;

	/* jansson refuses what it sees as invalid UTF-8 (surrogates): a key
	 * must never go missing, readers rely on it */
	json_object_set_new(obj, key, v ? v : json_string("?"));
	free(c);
}

void aipkg_plan_add(struct aipkg_plan *plan, const char *name, const char *reason,
		    const char *from)
{
	json_t *p;

	if (aipkg_plan_has(plan, name))
		return;
	if (json_array_size(plan->packages) >= AIPKG_PLAN_MAX) {
		aipkg_plan_reject(plan, name, "more than %d packages proposed", AIPKG_PLAN_MAX);
		return;
	}
	p = json_object();
	add_cleaned(p, "name", name, CLEAN_NAME);
	add_cleaned(p, "reason", reason, CLEAN_REASON);
	if (from)
		add_cleaned(p, "corrected_from", from, CLEAN_NAME);
	json_array_append_new(plan->packages, p);
}

void aipkg_plan_reject(struct aipkg_plan *plan, const char *name, const char *fmt, ...)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	json_t *r = json_object();
	va_list ap;

	va_start(ap, fmt);
	aipkg_buf_vaddf(&why, fmt, ap);
	va_end(ap);
	add_cleaned(r, "name", name, CLEAN_NAME);
	add_cleaned(r, "why", aipkg_buf_str(&why), CLEAN_REASON);
	json_array_append_new(plan->rejected, r);
	aipkg_buf_release(&why);
}

json_t *aipkg_plan_names(const struct aipkg_plan *plan)
{
	json_t *names = json_array(), *p;
	size_t i;

	json_array_foreach(plan->packages, i, p)
		json_array_append(names, json_object_get(p, "name"));
	return names;
}
