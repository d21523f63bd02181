/* The llm.tactical / llm.strategic settings: defaults, checks, masked display. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ai/llm.h"
#include "aipkg/error.h"
#include "config.h"
#include "ctx.h"
#include "http.h"
#include "url.h"

void aipkg_llm_config_defaults(struct aipkg_llm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout = AIPKG_LLM_TIMEOUT;
	c->retries = AIPKG_LLM_RETRIES;
}

void aipkg_llm_config_release(struct aipkg_llm_config *c)
{
	free(c->provider);
	free(c->base_url);
	free(c->model);
	free(c->api_key_env);
	memset(c, 0, sizeof(*c));
}

static int tier_check(const char *file, const char *tier, const struct aipkg_llm_config *c,
		      struct aipkg_buf *err)
{
	const char *problem = NULL;

	if (!c->provider && !c->base_url && !c->model && !c->api_key_env)
		return 0;
	if (!c->provider || !c->base_url || !c->model)
		problem = "needs provider, base_url and model together";
	else if (strncasecmp(c->base_url, "http://", 7) != 0 &&
		 strncasecmp(c->base_url, "https://", 8) != 0)
		problem = "base_url must be an http:// or https:// URL";
	else if (c->timeout <= 0)
		problem = "timeout must be more than 0 seconds";
	if (!problem)
		return 0;
	aipkg_buf_reset(err);
	aipkg_buf_addf(err, "%s: llm.%s %s (see aipkg.yaml(5))", file, tier, problem);
	return -AIPKG_E_CONFIG;
}

int aipkg_llm_config_check(const struct aipkg_config *cfg, struct aipkg_buf *err)
{
	const char *file = cfg->path ? cfg->path : "configuration";
	int r = tier_check(file, "tactical", &cfg->llm_tactical, err);

	return r < 0 ? r : tier_check(file, "strategic", &cfg->llm_strategic, err);
}

/* Whether the key is there, never the key. */
const struct aipkg_llm_config *aipkg_llm_endpoint(const struct aipkg_ctx *ctx,
						  enum aipkg_llm_tier tier)
{
	const struct aipkg_llm_config *t = &ctx->cfg.llm_tactical, *s = &ctx->cfg.llm_strategic;

	if (tier == AIPKG_LLM_STRATEGIC && s->provider)
		return s;
	return t->provider ? t : NULL;
}

const char *aipkg_llm_planner_name(const struct aipkg_ctx *ctx, enum aipkg_llm_tier tier)
{
	return aipkg_llm_endpoint(ctx, tier) == &ctx->cfg.llm_strategic ? "llm:strategic"
									: "llm:tactical";
}
