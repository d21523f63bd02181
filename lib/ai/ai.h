/* The AI layer as the tools use it: plan a request, resolve a conflict, decide on security. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_AI_H
#define AIPKG_AI_AI_H

#include <jansson.h>
#include <stdbool.h>

#include "ai/plan.h"
#include "apk/state.h"

struct aipkg_ctx;

/* How many index packages a model is shown for a request. */
#define AIPKG_AI_CANDIDATES 40

/* Who planned a request, and the validated plan.  Release with
 * aipkg_ai_answer_release(). */
struct aipkg_ai_answer {
	const char *planner; /* "llm:tactical" or "offline" (static) */
	char *model;         /* the model that answered; NULL offline */
	char *fallback;      /* why the offline planner answered although a model
			      * is configured (the endpoint's failure); NULL */
	struct aipkg_plan plan;
};

void aipkg_ai_answer_release(struct aipkg_ai_answer *a);

/*
 * Plan REQUEST against ST: with the tactical model when one is configured
 * and OFFLINE is false (grounded on the index, its answer validated), else
 * the offline planner.  When the model fails (unreachable, slow, refused
 * key, an answer that is not a plan, or no proposal that survives
 * validation) the offline planner answers, with a warning and
 * OUT->fallback saying why.  The plan may be empty.  Returns 0, or -ENOMEM.
 */
int aipkg_ai_plan(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *request,
		  bool offline, struct aipkg_ai_answer *out);

/*
 * apk refused TRIED (a JSON array of names) for REASON: ask the tactical
 * model, once, for another set among the indexed alternatives.  On success
 * PLAN's packages are replaced by the validated answer (rejections are
 * added).  Fails, with the detail in the context, when there is no model,
 * it fails, or it proposes nothing usable.
 */
int aipkg_ai_resolve_conflict(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			      const char *request, const json_t *tried, const char *reason,
			      struct aipkg_plan *plan);

enum aipkg_ai_decision {
	AIPKG_AI_REFUSE,
	AIPKG_AI_PROCEED,
	AIPKG_AI_ALTERNATIVE, /* install the alternative plan instead */
};

/*
 * PLAN would install packages with the known vulnerabilities VULNS (the
 * findings at or above the configured level): ask the strategic model
 * (the tactical one when no strategic is configured) to proceed, pick an
 * alternative or refuse.  Without a model, or when it fails or answers
 * nonsense, the decision is to refuse.  *why (malloc'd) says why in one
 * line; for AIPKG_AI_ALTERNATIVE, ALT (initialised by the caller) gets the
 * validated alternative.
 */
enum aipkg_ai_decision aipkg_ai_decide(struct aipkg_ctx *ctx, const struct aipkg_state *st,
				       const char *request, const struct aipkg_plan *plan,
				       const json_t *vulns, struct aipkg_plan *alt, char **why);

#endif
