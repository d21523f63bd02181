/* A package plan for a request: the packages chosen and what was turned down. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_PLAN_H
#define AIPKG_AI_PLAN_H

#include <jansson.h>
#include <stdbool.h>

/*
 * packages: [{"name","reason"}], plus "corrected_from" when the name was
 *           corrected from what the planner said ("python3.12" -> python3);
 *           every name is a package in the indexes or installed.
 * rejected: [{"name","why"}] for what was dropped.
 * Both are owned; release with aipkg_plan_release().
 */
struct aipkg_plan {
	json_t *packages;
	json_t *rejected;
};

/* A plan never lists more packages than this: a model that proposes 500
 * is not answering the question. */
#define AIPKG_PLAN_MAX 24

void aipkg_plan_init(struct aipkg_plan *plan);
void aipkg_plan_release(struct aipkg_plan *plan);
/* Empty both lists (a fallback planner starts afresh). */
void aipkg_plan_reset(struct aipkg_plan *plan);

bool aipkg_plan_has(const struct aipkg_plan *plan, const char *name);

/* Add NAME with REASON (and FROM, the name it was corrected from, or NULL).
 * A name already in the plan is not added twice; past AIPKG_PLAN_MAX it is
 * rejected instead.  Strings are copied, cut short and kept exact
 * (aipkg_ai_text): the plan is JSON, and a terminal escapes it. */
void aipkg_plan_add(struct aipkg_plan *plan, const char *name, const char *reason,
		    const char *from);

/* Record that NAME was dropped and why. */
void aipkg_plan_reject(struct aipkg_plan *plan, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The names of the plan's packages as a new JSON array of strings. */
json_t *aipkg_plan_names(const struct aipkg_plan *plan);

/*
 * Text from outside (a model's answer, an index description) made safe to
 * print on a terminal and short: control characters become '?', invalid
 * UTF-8 bytes too, and it is cut at MAX bytes (on a character boundary)
 * with "...".  malloc'd; NULL only when out of memory.
 */
char *aipkg_ai_clean(const char *s, size_t max);

/*
 * The same for text kept as data (a plan's reasons, in JSON and the
 * journal): cut at MAX bytes with "..." and invalid UTF-8 bytes as '?'
 * (JSON holds only UTF-8), control characters kept exact: jansson escapes
 * them in JSON, and what prints it escapes them for the terminal
 * (aipkg_term_escape).  malloc'd; NULL only when out of memory.
 */
char *aipkg_ai_text(const char *s, size_t max);

#endif
