/* URLs as aipkg shows and stores them (secrets masked) and builds them (path before the query). */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_URL_H
#define AIPKG_URL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * URL with what may be a secret masked, for anything a person or a file
 * will see (messages, warnings, `aipkg config`, reports, the journal):
 * "user:password@" becomes "***@", each query value "***" (the names stay:
 * "?token=***&ref=***"), a fragment "#***".  Scheme, host, port and path
 * are kept.  Text without "://" is returned unchanged.  malloc'd; NULL
 * only when out of memory.
 */
char *aipkg_url_mask(const char *url);

/* TEXT (a message, a command line, a JSON line) with every URL in it
 * ("scheme://" up to a blank or a quote) masked as aipkg_url_mask() does.
 * malloc'd; NULL only when out of memory. */
char *aipkg_url_mask_text(const char *text);

/* true when TEXT holds a URL that aipkg_url_mask_text() would change. */
bool aipkg_url_has_secret(const char *text);

/*
 * The parts of URL that may be secrets, for masking where a message quotes
 * them outside the URL: the userinfo ("user:password") and its password,
 * and each query value, each a malloc'd string appended to *V (*N of
 * them; a NULL *V to start).  Parts too short to be a secret and common
 * as words are left out: under 4 bytes, a query value under 8 ("main", a
 * date).  0, or -ENOMEM.
 */
int aipkg_url_secrets(const char *url, char ***v, size_t *n);

/*
 * BASE with PATH added to its path, before BASE's query and fragment, with
 * exactly one '/' between: ("https://h/secdb/?t=1", "v3.20/main.json") is
 * "https://h/secdb/v3.20/main.json?t=1".  malloc'd; NULL when out of memory.
 */
char *aipkg_url_join(const char *base, const char *path);

/* URL's host, without userinfo, port or IPv6 brackets, lowercased, into
 * BUF (SIZE bytes); "" when URL has none.  Returns BUF. */
const char *aipkg_url_host(const char *url, char *buf, size_t size);

/* true when URL is http:// (plain text) to a host other than this machine
 * (localhost, 127.0.0.0/8, ::1): what an API key must not be sent over. */
bool aipkg_url_plain_remote(const char *url);

#endif
