/* Text that leaves the machine (a language model's prompt, a webhook's report) with every secret aipkg knows masked. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_REDACT_H
#define AIPKG_REDACT_H

#include <jansson.h>
#include <stddef.h>

struct aipkg_ctx;

/*
 * What must not leave: every URL's userinfo, query values and fragment,
 * wherever a URL stands in the text (aipkg_url_mask_text); and, wherever
 * they stand, the values of the API keys (the variables llm.*.api_key_env
 * name) and the passwords and query values (aipkg_url_secrets) of the
 * URLs aipkg is configured with: the repositories apk uses
 * (etc/apk/repositories, repositories.d, --repository), vuln.secdb_url,
 * agent.notify.webhook and llm.*.base_url, which apk's and servers'
 * messages may quote cut or outside a URL.  Each becomes "***".
 */
struct aipkg_redact {
	char **secrets; /* longest first, so "user:pass" goes before "pass" */
	size_t n;
};

/* The secrets of CTX into RD (the repositories from the loaded state,
 * else read again; the context's message is left as it was).  0 or
 * -ENOMEM.  A zeroed RD masks URLs only. */
int aipkg_redact_init(struct aipkg_redact *rd, struct aipkg_ctx *ctx);
void aipkg_redact_release(struct aipkg_redact *rd);

/* TEXT masked, malloc'd; NULL only when out of memory. */
char *aipkg_redact_text(const struct aipkg_redact *rd, const char *text);

/* Every string value of DOC masked, in place. */
void aipkg_redact_json(const struct aipkg_redact *rd, json_t *doc);

/* TEXT as it may be sent: a JSON document has its strings masked and is
 * written again, compact; anything else is masked as text.  malloc'd;
 * NULL only when out of memory. */
char *aipkg_redact_outgoing(const struct aipkg_redact *rd, const char *text);

#endif
