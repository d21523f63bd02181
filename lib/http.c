/* HTTP(S) and file:// transfers through libcurl, with failures translated at the boundary. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "aipkg/aipkg.h"
#include "clock.h"
#include "ctx.h"
#include "curl_load.h"
#include "http.h"
#include "interrupt.h"
#include "url.h"

#define HTTP_CONNECT_TIMEOUT 10.0
#define HTTP_TIMEOUT	     60.0
#define HTTP_MAX_BODY	     ((size_t)64 << 20)
#define HTTP_MAX_REDIRECTS   5L

struct transfer {
	struct aipkg_http_response *res;
	bool too_big;
	char reason[64]; /* the status line's reason phrase */
	struct aipkg_ctx *ctx;
	const char *step; /* progress is reported as this step, when set */
	double last;      /* when progress was last reported */
};

bool aipkg_http_url_supported(const char *url)
{
	return url && (strncasecmp(url, "http://", 7) == 0 ||
		       strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "file://", 7) == 0);
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct transfer *t = ud;

	if (aipkg_buf_add(&t->res->body, data, size * n) < 0) {
		t->too_big = true;
		return 0;
	}
	return size * n;
}

/* The value of header LINE if it is NAME ("ETag"), trimmed and malloc'd. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *v, *end = line + len;

	if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
		return NULL;
	for (v = line + nlen + 1; v < end && isspace((unsigned char)*v); v++)
		;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	return end > v ? strndup(v, (size_t)(end - v)) : NULL;
}

static void set_header(char **slot, char *value)
{
	if (!value)
		return;
	free(*slot);
	*slot = value;
}

/* A new status line starts the headers of another response (a redirect):
 * forget what the previous one said. */
static void on_status_line(struct transfer *t, const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len), *reason;
	size_t rlen;

	free(t->res->etag);
	free(t->res->last_modified);
	free(t->res->content_type);
	free(t->res->retry_after);
	free(t->res->location);
	t->res->etag = t->res->last_modified = t->res->content_type = NULL;
	t->res->retry_after = t->res->location = NULL;
	t->reason[0] = '\0';
	if (!sp || !(reason = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - line))))
		return;
	rlen = len - (size_t)(reason + 1 - line);
	while (rlen && isspace((unsigned char)reason[rlen])) /* the CRLF */
		rlen--;
	snprintf(t->reason, sizeof(t->reason), "%.*s", (int)rlen, reason + 1);
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct transfer *t = ud;
	size_t len = size * n;

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0)
		on_status_line(t, data, len);
	set_header(&t->res->etag, header_value(data, len, "ETag"));
	set_header(&t->res->last_modified, header_value(data, len, "Last-Modified"));
	set_header(&t->res->content_type, header_value(data, len, "Content-Type"));
	set_header(&t->res->retry_after, header_value(data, len, "Retry-After"));
	set_header(&t->res->location, header_value(data, len, "Location"));
	return len;
}

static struct curl_slist *request_headers(const struct aipkg_http_request *req)
{
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");
	char line[1024];

	for (const char *const *p = req->headers; p && *p && h; p++)
		h = curl_slist_append(h, *p);
	if (req->etag && h) {
		snprintf(line, sizeof(line), "If-None-Match: %s", req->etag);
		h = curl_slist_append(h, line);
	}
	if (req->last_modified && h) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", req->last_modified);
		h = curl_slist_append(h, line);
	}
	return h;
}

static long ms(double seconds, double dflt)
{
	return (long)((seconds > 0 ? seconds : dflt) * 1000.0);
}

/* An https URL is followed only to https: a redirect must not take the
 * request (and its Authorization header or the answer's integrity) to
 * plain http. */
static bool url_https(const char *url)
{
	return url && strncasecmp(url, "https://", 8) == 0;
}

/*
 * The certificates to trust, named the way OpenSSL reads them (so apk,
 * which leaves that to OpenSSL, trusts the same): a private mirror's or a
 * proxy's CA in SSL_CERT_FILE or SSL_CERT_DIR.  libcurl is built with the
 * system's bundle compiled in, which hides the variables from OpenSSL.
 * Peers and host names are verified against them as against the system's.
 */
static void setup_trust(CURL *c)
{
	const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");

	if (file && *file)
		curl_easy_setopt(c, CURLOPT_CAINFO, file);
	if (dir && *dir)
		curl_easy_setopt(c, CURLOPT_CAPATH, dir);
}

static void setup_transfer(CURL *c, const struct aipkg_http_request *req)
{
	long redirects = req->max_redirects ? req->max_redirects : HTTP_MAX_REDIRECTS;
	bool https = url_https(req->url);

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "aipkg/" AIPKG_VERSION_STRING);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	setup_trust(c);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
			 https ? CURLPROTO_HTTPS : CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, redirects > 0 ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, redirects > 0 ? redirects : 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 ms(req->connect_timeout, HTTP_CONNECT_TIMEOUT));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms(req->timeout, HTTP_TIMEOUT));
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	if (req->method && strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L); /* no body to wait for */
	else if (req->method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
}

static void report(struct transfer *t, curl_off_t done, curl_off_t total, bool end)
{
	struct aipkg_progress p = { t->step, (unsigned long long)done,
				    (unsigned long long)(total > 0 ? total : 0), NULL, end };

	t->last = aipkg_clock_now();
	t->ctx->cb.progress(t->ctx->cb.ud, &p);
}

/* libcurl calls it at least once a second: the interruption (Ctrl-C, an
 * MCP client's cancellation) stops the transfer, and a slow download
 * says how far it is. */
static int on_xfer(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		   curl_off_t ulnow)
{
	struct transfer *t = ud;

	if (aipkg_interrupt_pending())
		return 1;
	if (t->step && t->ctx->cb.progress && dlnow > 0 && aipkg_clock_now() - t->last >= 0.2)
		report(t, dlnow, dltotal, false);
	return 0;
}

/* A CURLcode as one of aipkg's errors, with the reason in the context. */
static int curl_failure(struct aipkg_ctx *ctx, const char *url, CURLcode code,
			const struct transfer *t, const struct aipkg_http_request *req,
			const char *detail)
{
	const char *why = *detail ? detail : curl_easy_strerror(code);

	switch (code) {
	case CURLE_ABORTED_BY_CALLBACK:
		return aipkg_ctx_fail(ctx, -AIPKG_E_INTERRUPTED, "%s: stopped by %s", url,
				      aipkg_interrupt_name(aipkg_interrupt_pending()));
	case CURLE_OPERATION_TIMEDOUT:
		return aipkg_ctx_fail(ctx, -AIPKG_E_TIMEOUT, "%s: timed out (%s)", url, why);
	case CURLE_TOO_MANY_REDIRECTS:
		return aipkg_ctx_fail(
		    ctx, -AIPKG_E_HTTP, "%s: more than %ld redirects (a redirect loop?)", url,
		    req->max_redirects > 0 ? req->max_redirects : HTTP_MAX_REDIRECTS);
	case CURLE_FILE_COULDNT_READ_FILE:
		t->res->status = 404;
		return aipkg_ctx_fail(ctx, -AIPKG_E_HTTP, "%s: no such file", url);
	case CURLE_UNSUPPORTED_PROTOCOL:
		if (url_https(req->url))
			return aipkg_ctx_fail(ctx, -AIPKG_E_HTTP,
					      "%s: redirected to %s, which is not https: refused (an "
					      "https URL is only followed to https, where nobody on "
					      "the way can read or change the answer); ask its owner "
					      "to serve it over https",
					      url, t->res->location ? t->res->location : "a URL");
		/* fall through */
	case CURLE_URL_MALFORMAT:
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE,
				      "%s: not a valid http, https or file URL (%s)", url, why);
	case CURLE_WRITE_ERROR:
		if (t->too_big)
			return aipkg_ctx_fail(ctx, -AIPKG_E_TOOBIG, "%s: larger than %zu bytes",
					      url, t->res->body.limit);
		break;
	default:
		break;
	}
	return aipkg_ctx_fail(ctx, -AIPKG_E_NETWORK, "%s: %s", url, why);
}

bool aipkg_http_downgrade(const char *from, const char *to)
{
	return url_https(from) && to && strstr(to, "://") && !url_https(to);
}

static int status_failure(struct aipkg_ctx *ctx, const struct aipkg_http_request *req,
			  const char *url, const struct transfer *t)
{
	long st = t->res->status;
	const char *to = t->res->location;

	if (st >= 300 && st < 400 && to)
		return aipkg_ctx_fail(ctx, -AIPKG_E_HTTP, "%s: HTTP %ld%s%s, a redirect to %s%s",
				      url, st, t->reason[0] ? " " : "", t->reason, to,
				      aipkg_http_downgrade(req->url, to)
					      ? ", from https to plain http: refused"
					      : " (not followed)");
	return aipkg_ctx_fail(ctx, -AIPKG_E_HTTP, "%s: HTTP %ld%s%s", url, st,
			      t->reason[0] ? " " : "", t->reason);
}

static bool is_file_url(const char *url)
{
	return strncasecmp(url, "file://", 7) == 0;
}

static int perform(struct aipkg_ctx *ctx, CURL *c, const struct aipkg_http_request *req,
		   struct transfer *t, const char *shown)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode code;

	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_xfer);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
	code = curl_easy_perform(c);
	if (t->step && t->ctx->cb.progress && t->last > 0) {
		curl_off_t got = 0;

		curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &got);
		report(t, got, got, true);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->res->status);
	if (code != CURLE_OK)
		return curl_failure(ctx, shown, code, t, req, errbuf);
	if (is_file_url(req->url))
		t->res->status = 200;
	if (t->res->status == 304) {
		t->res->not_modified = true;
		return 0;
	}
	return t->res->status >= 200 && t->res->status < 300 ? 0
								: status_failure(ctx, req, shown, t);
}

/* libcurl's global set-up, once per process (only the thread that runs
 * operations calls it: the MCP reader thread never does); libcurl itself is
 * opened now (curl_load.c). */
static int http_global_init(struct aipkg_ctx *ctx)
{
	static bool done;

	if (!done && !aipkg_curl_load())
		return aipkg_ctx_fail(ctx, -AIPKG_E_NETWORK,
				      "cannot load libcurl, which aipkg needs for HTTP: %s; "
				      "install libcurl",
				      aipkg_curl_load_error());
	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	done = true;
	return 0;
}

int aipkg_http_fetch(struct aipkg_ctx *ctx, const struct aipkg_http_request *req,
		     struct aipkg_http_response *res)
{
	struct transfer t = { res, false, "", ctx, req->progress_step, 0 };
	struct curl_slist *headers = NULL;
	char *shown = NULL;
	CURL *c = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	aipkg_buf_init(&res->body, req->max_body ? req->max_body : HTTP_MAX_BODY);
	if (!(shown = aipkg_url_mask(req->url ? req->url : "")))
		return -ENOMEM;
	if (!aipkg_http_url_supported(req->url)) {
		r = aipkg_ctx_fail(ctx, -AIPKG_E_USAGE,
				   "'%s' is not an http://, https:// or file:// URL", shown);
		goto out;
	}
	r = http_global_init(ctx);
	if (r == 0 && (!(c = curl_easy_init()) || !(headers = request_headers(req))))
		r = -ENOMEM;
	if (r == 0) {
		setup_transfer(c, req);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		r = perform(ctx, c, req, &t, shown);
	}
out:
	curl_slist_free_all(headers);
	if (c)
		curl_easy_cleanup(c);
	free(shown);
	return r;
}

void aipkg_http_response_release(struct aipkg_http_response *res)
{
	aipkg_buf_release(&res->body);
	free(res->etag);
	free(res->last_modified);
	free(res->content_type);
	free(res->retry_after);
	free(res->location);
	memset(res, 0, sizeof(*res));
}
