/* The language model client: OpenAI-compatible chat completions and Anthropic Messages. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_LLM_H
#define AIPKG_AI_LLM_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"

struct aipkg_ctx;
struct aipkg_config;

/* One endpoint of the configuration (llm.tactical, llm.strategic). */
struct aipkg_llm_config {
	char *provider;    /* "openai" or "anthropic"; NULL: not configured */
	char *base_url;    /* http(s)://host[:port][/path], no trailing "/v1/..." */
	char *model;
	char *api_key_env; /* the environment variable holding the key, or NULL */
	double timeout;    /* seconds one question may take, retries included */
	long retries;      /* further attempts after a 429, a 5xx or a network failure */
	bool allow_insecure; /* send the key over plain http to another machine anyway */
};

/* Defaults of the configuration: 30 s, 2 retries. */
#define AIPKG_LLM_TIMEOUT 30.0
#define AIPKG_LLM_RETRIES 2
/* An answer larger than this is refused unread. */
#define AIPKG_LLM_MAX_RESPONSE ((size_t)1 << 20)

/* For config.c: defaults, the check after loading (a tier is all of
 * provider, base_url and model, or nothing; base_url is http(s)), and
 * release. */
void aipkg_llm_config_defaults(struct aipkg_llm_config *c);
int aipkg_llm_config_check(const struct aipkg_config *cfg, struct aipkg_buf *err);
void aipkg_llm_config_release(struct aipkg_llm_config *c);

enum aipkg_llm_tier {
	AIPKG_LLM_TACTICAL,  /* fast: planning, conflicts */
	AIPKG_LLM_STRATEGIC, /* careful: security decisions; falls back to tactical */
};

/* The endpoint TIER uses (strategic falls back to tactical), or NULL when
 * none is configured: offline. */
const struct aipkg_llm_config *aipkg_llm_endpoint(const struct aipkg_ctx *ctx,
						  enum aipkg_llm_tier tier);

/* "llm:tactical" / "llm:strategic" for the endpoint TIER really uses. */
const char *aipkg_llm_planner_name(const struct aipkg_ctx *ctx, enum aipkg_llm_tier tier);

struct aipkg_llm_question {
	const char *system;      /* instructions */
	const char *user;        /* the request and its grounding (data) */
	const char *schema_name; /* "package_plan": the tool / json_schema name */
	const char *schema;      /* JSON Schema of the answer, as JSON text */
};

/*
 * Ask TIER's endpoint Q and return in *answer (a new reference) the JSON
 * object it answered with: OpenAI-compatible endpoints get the schema as
 * response_format json_schema (asked again without it when the server
 * rejects that with a 400), Anthropic endpoints as a forced tool; a text
 * answer is searched for the object (ai/extract.h).  429, 5xx and network
 * failures are retried with exponential backoff, honouring Retry-After,
 * within the endpoint's timeout for the whole question.  Errors, with the
 * reason in the context (never the API key):
 *   -AIPKG_E_CONFIG     no endpoint, or its api_key_env variable is unset
 *   -AIPKG_E_AUTH       401/403: the key is wrong or missing
 *   -AIPKG_E_HTTP       another status (after the retries)
 *   -AIPKG_E_TIMEOUT    the deadline passed
 *   -AIPKG_E_NETWORK    the endpoint cannot be reached
 *   -AIPKG_E_TOOBIG     the answer is larger than AIPKG_LLM_MAX_RESPONSE
 *   -AIPKG_E_BADANSWER  no JSON object in the answer, or a refusal
 */
int aipkg_llm_ask(struct aipkg_ctx *ctx, enum aipkg_llm_tier tier,
		  const struct aipkg_llm_question *q, json_t **answer);

/* Seconds a Retry-After value asks for (delta-seconds or an HTTP date,
 * relative to NOW), or -1 when it is neither. */
double aipkg_llm_retry_after(const char *value, long long now);

#endif
