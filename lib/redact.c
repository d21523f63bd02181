/* Text that leaves the machine (a language model's prompt, a webhook's report) with every secret aipkg knows masked. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk/state.h"
#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "jsonutil.h"
#include "redact.h"
#include "url.h"

#define MASK "***"
#define KEY_MIN 4 /* a shorter key would mask ordinary words */

static int add_copy(struct aipkg_redact *rd, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	return len < KEY_MIN ? 0 : aipkg_strv_add(&rd->secrets, &rd->n, s, len);
}

static int add_repos(struct aipkg_redact *rd, struct aipkg_ctx *ctx)
{
	struct aipkg_repo *repos = NULL;
	struct aipkg_buf saved = ctx->err;
	size_t n = 0;
	int r = 0;

	if (ctx->state) {
		for (size_t i = 0; r == 0 && i < ctx->state->nrepos; i++)
			r = aipkg_url_secrets(ctx->state->repos[i].url, &rd->secrets, &rd->n);
		return r;
	}
	/* a repositories file that cannot be read is not this caller's failure */
	aipkg_buf_init(&ctx->err, saved.limit);
	(void)aipkg_repos_read(ctx, &repos, &n);
	aipkg_buf_release(&ctx->err);
	ctx->err = saved;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = aipkg_url_secrets(repos[i].url, &rd->secrets, &rd->n);
	aipkg_repos_free(repos, n);
	return r;
}

static int longest_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

int aipkg_redact_init(struct aipkg_redact *rd, struct aipkg_ctx *ctx)
{
	const struct aipkg_llm_config *tiers[] = { &ctx->cfg.llm_tactical, &ctx->cfg.llm_strategic };
	const char *urls[] = { ctx->cfg.vuln_secdb_url, ctx->cfg.agent.notify_webhook,
			       tiers[0]->base_url, tiers[1]->base_url };
	int r = 0;

	memset(rd, 0, sizeof(*rd));
	for (size_t i = 0; r == 0 && i < 2; i++)
		if (tiers[i]->api_key_env)
			r = add_copy(rd, getenv(tiers[i]->api_key_env));
	for (size_t i = 0; r == 0 && i < sizeof(urls) / sizeof(urls[0]); i++)
		r = aipkg_url_secrets(urls[i], &rd->secrets, &rd->n);
	if (r == 0)
		r = add_repos(rd, ctx);
	if (r < 0) {
		aipkg_redact_release(rd);
		return r;
	}
	if (rd->n > 1)
		qsort(rd->secrets, rd->n, sizeof(*rd->secrets), longest_first);
	return 0;
}

void aipkg_redact_release(struct aipkg_redact *rd)
{
	for (size_t i = 0; i < rd->n; i++) {
		explicit_bzero(rd->secrets[i], strlen(rd->secrets[i]));
		free(rd->secrets[i]);
	}
	free(rd->secrets);
	memset(rd, 0, sizeof(*rd));
}

/* TEXT with every SECRET replaced by MASK, malloc'd. */
static char *replace_all(const char *text, const char *secret)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	size_t len = strlen(secret);
	const char *p = text, *at;
	int r = 0;

	while (r == 0 && (at = strstr(p, secret))) {
		r = aipkg_buf_add(&b, p, (size_t)(at - p));
		if (r == 0)
			r = aipkg_buf_addstr(&b, MASK);
		p = at + len;
	}
	if (r == 0)
		r = aipkg_buf_addstr(&b, p);
	if (r < 0) {
		aipkg_buf_release(&b);
		return NULL;
	}
	return aipkg_buf_detach(&b);
}

char *aipkg_redact_text(const struct aipkg_redact *rd, const char *text)
{
	char *out = aipkg_url_mask_text(text);

	for (size_t i = 0; out && i < rd->n; i++) {
		char *next;

		if (!strstr(out, rd->secrets[i]))
			continue;
		next = replace_all(out, rd->secrets[i]);
		free(out);
		out = next;
	}
	return out;
}

static char *mask_string(const char *s, void *ud)
{
	const struct aipkg_redact *rd = ud;
	char *out = aipkg_redact_text(rd, s);

	if (out && strcmp(out, s) == 0) {
		free(out);
		return NULL; /* unchanged: the string stays */
	}
	return out ? out : strdup(MASK); /* out of memory: nothing unmasked stays */
}

void aipkg_redact_json(const struct aipkg_redact *rd, json_t *doc)
{
	aipkg_json_map_strings(doc, mask_string, (void *)rd);
}

char *aipkg_redact_outgoing(const struct aipkg_redact *rd, const char *text)
{
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL);
	char *out;

	if (!doc)
		return aipkg_redact_text(rd, text);
	aipkg_redact_json(rd, doc);
	out = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return out;
}
