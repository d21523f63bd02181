/* The AI layer as the tools use it: plan a request, resolve a conflict, decide on security. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ai/ai.h"
#include "ai/llm.h"
#include "ai/planner.h"
#include "ai/prompt.h"
#include "buf.h"
#include "ctx.h"

void aipkg_ai_answer_release(struct aipkg_ai_answer *a)
{
	free(a->model);
	free(a->fallback);
	aipkg_plan_release(&a->plan);
	memset(a, 0, sizeof(*a));
}

/* Ask TIER the prompt P and validate the packages it names into PLAN. */
static int ask_packages(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			enum aipkg_llm_tier tier, struct aipkg_prompt *p, struct aipkg_plan *plan,
			json_t **answer)
{
	int r = aipkg_llm_ask(ctx, tier, &p->q, answer);

	if (r == 0 && aipkg_planner_validate(st, *answer, plan) < 0)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_BADANSWER,
				   "llm: the model's answer has no \"packages\" list");
	return r;
}

/* "'foo' (why), 'bar' (why)" for the first few rejected names, in WHY;
 * the message is escaped where it is shown, like every other. */
#define REJECTED_SHOWN 5
static const char *rejected_text(const struct aipkg_plan *plan, struct aipkg_buf *why)
{
	const json_t *r;
	size_t i, n = json_array_size(plan->rejected);

	json_array_foreach(plan->rejected, i, r) {
		if (i == REJECTED_SHOWN) {
			aipkg_buf_addf(why, ", and %zu more", n - i);
			break;
		}
		aipkg_buf_addf(why, "%s'%s' (%s)", i ? ", " : "",
			       json_string_value(json_object_get(r, "name")),
			       json_string_value(json_object_get(r, "why")));
	}
	return aipkg_buf_str(why);
}

/* Nothing usable in a well-formed answer is a failure too: say which. */
static int empty_plan(struct aipkg_ctx *ctx, const json_t *answer, const struct aipkg_plan *plan)
{
	size_t proposed = json_array_size(json_object_get(answer, "packages"));
	struct aipkg_buf why = AIPKG_BUF_INIT;
	int r;

	if (json_array_size(plan->packages))
		return 0;
	if (!proposed)
		return aipkg_ctx_fail(ctx, -AIPKG_E_BADANSWER, "llm: the model proposed no package");
	r = aipkg_ctx_fail(ctx, -AIPKG_E_BADANSWER,
			   "llm: %s%zu package%s the model proposed %s rejected: %s",
			   aipkg_plural(proposed, "the ", "all "), proposed,
			   aipkg_plural(proposed, "", "s"), aipkg_plural(proposed, "was", "were"),
			   rejected_text(plan, &why));
	aipkg_buf_release(&why);
	return r;
}

static int plan_with_model(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			   const char *request, struct aipkg_plan *plan)
{
	json_t *cand = aipkg_planner_candidates(st, request, AIPKG_AI_CANDIDATES), *answer = NULL;
	struct aipkg_prompt p;
	int r = aipkg_prompt_plan(&p, st, request, cand);

	if (r == 0) {
		aipkg_ctx_note(ctx, "asking %s (%zu candidate package%s)",
			       aipkg_llm_endpoint(ctx, AIPKG_LLM_TACTICAL)->model,
			       json_array_size(cand), aipkg_plural(json_array_size(cand), "", "s"));
		r = ask_packages(ctx, st, AIPKG_LLM_TACTICAL, &p, plan, &answer);
	}
	if (r == 0)
		r = empty_plan(ctx, answer, plan);
	aipkg_prompt_release(&p);
	json_decref(answer);
	json_decref(cand);
	return r;
}

int aipkg_ai_plan(struct aipkg_ctx *ctx, const struct aipkg_state *st, const char *request,
		  bool offline, struct aipkg_ai_answer *out)
{
	const struct aipkg_llm_config *ep = offline ? NULL : aipkg_llm_endpoint(ctx, AIPKG_LLM_TACTICAL);

	memset(out, 0, sizeof(*out));
	aipkg_plan_init(&out->plan);
	if (!out->plan.packages || !out->plan.rejected)
		return -ENOMEM;
	int r = ep ? plan_with_model(ctx, st, request, &out->plan) : 0;

	if (ep && r == 0) {
		out->planner = "llm:tactical";
		out->model = strdup(ep->model);
		return out->model ? 0 : -ENOMEM;
	}
	if (ep) {
		/* the model's rejected proposals stay listed: they are the evidence */
		out->fallback = strdup(aipkg_ctx_why(ctx, r));
		aipkg_ctx_warn(ctx, "%s; the offline planner answers instead", aipkg_ctx_why(ctx, r));
		json_array_clear(out->plan.packages);
	}
	out->planner = "offline";
	aipkg_planner_offline(st, request, &out->plan);
	return 0;
}

int aipkg_ai_resolve_conflict(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			      const char *request, const json_t *tried, const char *reason,
			      struct aipkg_plan *plan)
{
	json_t *cand = aipkg_planner_candidates(st, request, AIPKG_AI_CANDIDATES), *answer = NULL;
	struct aipkg_plan fix;
	struct aipkg_prompt p;
	int r = aipkg_prompt_conflict(&p, st, request, tried, reason, cand);

	aipkg_plan_init(&fix);
	if (r == 0)
		r = ask_packages(ctx, st, AIPKG_LLM_TACTICAL, &p, &fix, &answer);
	if (r == 0)
		r = empty_plan(ctx, answer, &fix);
	if (r == 0) {
		json_array_clear(plan->packages);
		json_array_extend(plan->packages, fix.packages);
	}
	json_array_extend(plan->rejected, fix.rejected);
	aipkg_plan_release(&fix);
	aipkg_prompt_release(&p);
	json_decref(answer);
	json_decref(cand);
	return r;
}

static enum aipkg_ai_decision decision_of(const json_t *answer)
{
	const char *d = json_string_value(json_object_get(answer, "decision"));

	if (d && strcmp(d, "proceed") == 0)
		return AIPKG_AI_PROCEED;
	if (d && strcmp(d, "alternative") == 0)
		return AIPKG_AI_ALTERNATIVE;
	return AIPKG_AI_REFUSE;
}

static char *decision_why(const json_t *answer)
{
	const char *why = json_string_value(json_object_get(answer, "reason"));

	return aipkg_ai_text(why && *why ? why : "the model gave no reason", 240);
}

enum aipkg_ai_decision aipkg_ai_decide(struct aipkg_ctx *ctx, const struct aipkg_state *st,
				       const char *request, const struct aipkg_plan *plan,
				       const json_t *vulns, struct aipkg_plan *alt, char **why)
{
	json_t *cand, *answer = NULL;
	enum aipkg_ai_decision d = AIPKG_AI_REFUSE;
	struct aipkg_prompt p;
	int r;

	if (!aipkg_llm_endpoint(ctx, AIPKG_LLM_STRATEGIC)) {
		*why = strdup("no language model is configured to weigh the risk (llm.strategic)");
		return AIPKG_AI_REFUSE;
	}
	cand = aipkg_planner_candidates(st, request, AIPKG_AI_CANDIDATES);
	r = aipkg_prompt_security(&p, st, request, plan->packages, vulns, cand);
	if (r == 0)
		r = aipkg_llm_ask(ctx, AIPKG_LLM_STRATEGIC, &p.q, &answer);
	if (r == 0) {
		d = decision_of(answer);
		*why = decision_why(answer);
		if (d == AIPKG_AI_ALTERNATIVE && (aipkg_planner_validate(st, answer, alt) < 0 ||
						  !json_array_size(alt->packages)))
			d = AIPKG_AI_REFUSE;
	} else {
		*why = strdup(aipkg_ctx_why(ctx, r));
	}
	aipkg_prompt_release(&p);
	json_decref(answer);
	json_decref(cand);
	return d;
}
