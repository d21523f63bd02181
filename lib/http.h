/* HTTP(S) and file:// transfers through libcurl: the one place aipkg talks to a server. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_HTTP_H
#define AIPKG_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct aipkg_ctx;

/*
 * One request.  Everything is borrowed for the duration of the call.
 * TLS peers and host names are always verified; proxies come from the
 * environment (http_proxy, https_proxy, no_proxy), as libcurl reads them.
 * Only http, https and file URLs are accepted, and redirects may only lead
 * to http or https.
 */
struct aipkg_http_request {
	const char *url;
	const char *method;	    /* NULL: GET, or POST when body is set */
	const char *const *headers; /* "Name: value", NULL-terminated; may be
				     * NULL.  Never copied into messages, so an
				     * API key belongs here, not in the URL. */
	const char *body;	    /* request body (POST), or NULL */
	size_t body_len;
	const char *etag;	   /* If-None-Match, or NULL */
	const char *last_modified; /* If-Modified-Since (an HTTP date), or NULL */
	double connect_timeout;	   /* seconds; 0: 10 */
	double timeout;		   /* seconds for the whole transfer; 0: 60 */
	size_t max_body;	   /* cap of the response body; 0: 64 MiB */
	long max_redirects;	   /* 0: 5; -1: do not follow redirects */
	/* Report the download's progress through the context's callback as
	 * this step ("secdb download"), when set */
	const char *progress_step;
};

/* The answer.  Release with aipkg_http_response_release(). */
struct aipkg_http_response {
	long status;	   /* HTTP status of the last response; 200 for file:// */
	bool not_modified; /* 304: the caller's copy is current, body is empty */
	struct aipkg_buf body;
	char *etag;	     /* ETag of the response (quotes kept), or NULL */
	char *last_modified; /* Last-Modified of the response, or NULL */
	char *content_type;  /* Content-Type, or NULL */
	char *retry_after;   /* Retry-After (seconds or an HTTP date), or NULL */
	char *location;      /* Location (where a redirect points), or NULL */
};

/*
 * Perform REQ.  Returns 0 for a 2xx answer and for 304 (res->not_modified);
 * otherwise a negative error, with the URL (masked: aipkg_url_mask) and
 * the reason in the context's message:
 *   -AIPKG_E_TIMEOUT  connecting or the transfer took too long
 *   -AIPKG_E_HTTP     a status of 300 or more (res->status says which; a
 *                     redirect not followed names res->location), too many
 *                     redirects (a redirect loop), a redirect from https to
 *                     anything but https (refused), a missing file://
 *   -AIPKG_E_TOOBIG   the body is larger than max_body
 *   -AIPKG_E_NETWORK  DNS, connection, TLS, a truncated transfer, ...
 *   -AIPKG_E_USAGE    a URL that is not http, https or file
 *   -AIPKG_E_INTERRUPTED  the interruption (interrupt.h) was raised
 * *res is initialised in every case and must be released by the caller.
 */
int aipkg_http_fetch(struct aipkg_ctx *ctx, const struct aipkg_http_request *req,
		     struct aipkg_http_response *res);
void aipkg_http_response_release(struct aipkg_http_response *res);

/* true when a redirect from FROM to TO would leave https for another
 * scheme (TO relative, or NULL: false). */
bool aipkg_http_downgrade(const char *from, const char *to);

/* true when URL starts with http://, https:// or file:// (any case). */
bool aipkg_http_url_supported(const char *url);

#endif
