/* URLs as aipkg shows and stores them (secrets masked) and builds them (path before the query). */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "url.h"

#define MASK "***"

/* Where a URL that starts at S ends in text: a blank, a quote, an angle
 * bracket, and not the punctuation of the sentence around it ("URL: ..."). */
static size_t url_len(const char *s)
{
	size_t n = strcspn(s, " \t\r\n\"'<>`\\");

	while (n && strchr(".,:;)!?", s[n - 1]))
		n--;
	return n;
}

/* The authority of the URL at S (LEN bytes): [*host, *end) after "://". */
static bool authority(const char *s, size_t len, const char **host, const char **end)
{
	const char *sep = memmem(s, len, "://", 3);

	if (!sep)
		return false;
	*host = sep + 3;
	*end = *host;
	while (*end < s + len && !strchr("/?#", **end))
		(*end)++;
	return true;
}

/* Mask the query (from '?') or fragment (from '#') of S..END into B. */
static int mask_tail(struct aipkg_buf *b, const char *s, const char *end)
{
	int r = 0;

	while (r == 0 && s < end) {
		char c = *s++;
		const char *stop;

		r = aipkg_buf_addch(b, c);
		if (c == '#') /* a fragment is one opaque value */
			return r == 0 && s < end ? aipkg_buf_addstr(b, MASK) : r;
		if (c != '?' && c != '&' && c != ';')
			continue;
		/* a name=value pair: keep the name, mask the value (a lone
		 * value may be the secret itself) */
		stop = s;
		while (stop < end && !strchr("&;#", *stop))
			stop++;
		if (stop == s)
			continue;
		const char *eq = memchr(s, '=', (size_t)(stop - s));

		if (eq)
			r = aipkg_buf_add(b, s, (size_t)(eq + 1 - s));
		if (r == 0)
			r = aipkg_buf_addstr(b, MASK);
		s = stop;
	}
	return r;
}

/* Append the URL at S (LEN bytes) to B, masked. */
static int mask_one(struct aipkg_buf *b, const char *s, size_t len)
{
	const char *host, *end, *at, *tail;
	int r;

	if (!authority(s, len, &host, &end))
		return aipkg_buf_add(b, s, len);
	at = NULL;
	for (const char *p = host; p < end; p++)
		if (*p == '@')
			at = p; /* the last '@': a password may hold one */
	r = aipkg_buf_add(b, s, (size_t)(host - s));
	if (r == 0 && at)
		r = aipkg_buf_addstr(b, MASK);
	if (r == 0)
		r = aipkg_buf_add(b, at ? at : host, (size_t)(end - (at ? at : host)));
	tail = end + strcspn(end, "?#");
	if (tail > s + len)
		tail = s + len;
	if (r == 0)
		r = aipkg_buf_add(b, end, (size_t)(tail - end));
	if (r == 0)
		r = mask_tail(b, tail, s + len);
	return r;
}

char *aipkg_url_mask(const char *url)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	if (!url)
		return NULL;
	if (mask_one(&b, url, strlen(url)) < 0 || aipkg_buf_add(&b, "", 0) < 0) {
		aipkg_buf_release(&b);
		return NULL;
	}
	return aipkg_buf_detach(&b);
}

/* The start of the URL whose "://" is at SEP in TEXT: its scheme. */
static const char *scheme_start(const char *text, const char *sep)
{
	const char *p = sep;

	while (p > text && (isalnum((unsigned char)p[-1]) || strchr("+.-", p[-1])))
		p--;
	return p;
}

char *aipkg_url_mask_text(const char *text)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *s = text, *sep;
	int r = 0;

	if (!text)
		return NULL;
	while (r == 0 && (sep = strstr(s, "://"))) {
		const char *start = scheme_start(s, sep);
		size_t len = (size_t)(sep - start) + url_len(sep);

		r = aipkg_buf_add(&b, s, (size_t)(start - s));
		if (r == 0)
			r = start == sep ? aipkg_buf_add(&b, sep, len) : mask_one(&b, start, len);
		s = start + len;
	}
	if (r == 0)
		r = aipkg_buf_addstr(&b, s);
	if (r == 0)
		r = aipkg_buf_add(&b, "", 0);
	if (r < 0) {
		aipkg_buf_release(&b);
		return NULL;
	}
	return aipkg_buf_detach(&b);
}

bool aipkg_url_has_secret(const char *text)
{
	char *masked;
	bool differs;

	if (!text || !strstr(text, "://"))
		return false;
	masked = aipkg_url_mask_text(text);
	differs = !masked || strcmp(masked, text) != 0;
	free(masked);
	return differs;
}

#define SECRET_MIN 4
#define QUERY_SECRET_MIN 8

static int secret_add(const char *s, size_t len, size_t min, char ***v, size_t *n)
{
	return len < min ? 0 : aipkg_strv_add(v, n, s, len);
}

/* The values of the query at Q (after '?') up to END. */
static int query_secrets(const char *q, const char *end, char ***v, size_t *n)
{
	int r = 0;

	while (r == 0 && q < end) {
		const char *stop = q, *eq;

		while (stop < end && !strchr("&;", *stop))
			stop++;
		eq = memchr(q, '=', (size_t)(stop - q));
		eq = eq ? eq + 1 : q;
		r = secret_add(eq, (size_t)(stop - eq), QUERY_SECRET_MIN, v, n);
		q = stop + 1;
	}
	return r;
}

int aipkg_url_secrets(const char *url, char ***v, size_t *n)
{
	const char *host, *end, *at = NULL, *colon, *q, *qend;
	int r = 0;

	if (!url || !authority(url, strlen(url), &host, &end))
		return 0;
	for (const char *p = host; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		r = secret_add(host, (size_t)(at - host), SECRET_MIN, v, n);
		colon = memchr(host, ':', (size_t)(at - host));
		if (r == 0 && colon)
			r = secret_add(colon + 1, (size_t)(at - colon - 1), SECRET_MIN, v, n);
	}
	q = strchr(end, '?');
	qend = q ? q + strcspn(q, "#") : NULL;
	return r == 0 && q ? query_secrets(q + 1, qend, v, n) : r;
}

char *aipkg_url_join(const char *base, const char *path)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *host, *end, *tail;
	size_t plen;
	int r;

	if (!authority(base, strlen(base), &host, &end))
		end = base;
	tail = end + strcspn(end, "?#");
	plen = (size_t)(tail - base);
	while (plen > (size_t)(end - base) && base[plen - 1] == '/')
		plen--;
	while (*path == '/')
		path++;
	r = aipkg_buf_add(&b, base, plen);
	if (r == 0)
		r = aipkg_buf_addf(&b, "/%s%s", path, tail);
	if (r < 0) {
		aipkg_buf_release(&b);
		return NULL;
	}
	return aipkg_buf_detach(&b);
}

const char *aipkg_url_host(const char *url, char *buf, size_t size)
{
	const char *host, *end, *at, *stop;
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	if (!url || !size || !authority(url, strlen(url), &host, &end))
		return buf;
	at = NULL;
	for (const char *p = host; p < end; p++)
		if (*p == '@')
			at = p;
	if (at)
		host = at + 1;
	if (*host == '[') {
		host++;
		stop = memchr(host, ']', (size_t)(end - host));
		if (!stop)
			stop = end;
	} else {
		stop = memchr(host, ':', (size_t)(end - host));
		if (!stop)
			stop = end;
	}
	for (const char *p = host; p < stop && n + 1 < size; p++)
		buf[n++] = (char)tolower((unsigned char)*p);
	buf[n] = '\0';
	return buf;
}

/* localhost, 127.0.0.0/8 or ::1: traffic that never leaves this machine. */
static bool loopback_host(const char *h)
{
	if (strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 ||
	    (strlen(h) > 10 && strcmp(h + strlen(h) - 10, ".localhost") == 0))
		return true;
	if (strncmp(h, "127.", 4) != 0)
		return false;
	for (const char *p = h + 4; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	return true;
}

bool aipkg_url_plain_remote(const char *url)
{
	char host[256];

	if (!url || strncasecmp(url, "http://", 7) != 0)
		return false;
	return !loopback_host(aipkg_url_host(url, host, sizeof(host)));
}
