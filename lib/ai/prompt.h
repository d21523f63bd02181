/* What aipkg tells a language model: grounded prompts and the answer schemas. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_PROMPT_H
#define AIPKG_AI_PROMPT_H

#include <jansson.h>

#include "ai/llm.h"
#include "apk/state.h"

/* The answer every planning question asks for (both providers):
 * {"packages":[{"name":"...","reason":"..."}]}.  aipkg(8) documents it. */
#define AIPKG_PLAN_SCHEMA                                                                \
	"{\"type\":\"object\",\"properties\":{\"packages\":{\"type\":\"array\",\"items\":" \
	"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"             \
	"\"reason\":{\"type\":\"string\"}},\"required\":[\"name\",\"reason\"],"            \
	"\"additionalProperties\":false}}},\"required\":[\"packages\"],"                    \
	"\"additionalProperties\":false}"

/* The security decision: {"decision":"proceed"|"alternative"|"refuse",
 * "packages":[...as above, the alternative...],"reason":"..."}. */
#define AIPKG_DECISION_SCHEMA                                                              \
	"{\"type\":\"object\",\"properties\":{\"decision\":{\"type\":\"string\",\"enum\":"  \
	"[\"proceed\",\"alternative\",\"refuse\"]},\"packages\":{\"type\":\"array\","      \
	"\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"   \
	"\"reason\":{\"type\":\"string\"}},\"required\":[\"name\",\"reason\"],"            \
	"\"additionalProperties\":false}},\"reason\":{\"type\":\"string\"}},"              \
	"\"required\":[\"decision\",\"packages\",\"reason\"],\"additionalProperties\":false}"

/*
 * A question and the text it is made of, owned: release with
 * aipkg_prompt_release().  The user message is one JSON document, so that
 * the request and the index's descriptions travel as JSON strings (quoted,
 * escaped) and the system message tells the model they are data.
 */
struct aipkg_prompt {
	struct aipkg_llm_question q;
	char *system;
	char *user;
};

void aipkg_prompt_release(struct aipkg_prompt *p);

/* Plan REQUEST with CANDIDATES (aipkg_planner_candidates), the installed
 * packages, the architecture and the Alpine branch of ST. */
int aipkg_prompt_plan(struct aipkg_prompt *p, const struct aipkg_state *st, const char *request,
		      const json_t *candidates);

/* apk refused TRIED (names) with REASON: ask once for another set among
 * CANDIDATES. */
int aipkg_prompt_conflict(struct aipkg_prompt *p, const struct aipkg_state *st,
			  const char *request, const json_t *tried, const char *reason,
			  const json_t *candidates);

/* The plan PACKAGES has known VULNS (critical/high): proceed, pick an
 * alternative among CANDIDATES, or refuse? */
int aipkg_prompt_security(struct aipkg_prompt *p, const struct aipkg_state *st,
			  const char *request, const json_t *packages, const json_t *vulns,
			  const json_t *candidates);

#endif
