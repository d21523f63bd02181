/* httpstub: a scripted HTTP/1.1 server on loopback for the tests (secdb, later LLM endpoints). */
/* SPDX-License-Identifier: MIT */
/*
 * usage: httpstub [-d DIR] [-l LOG] [-i IDLE] [-t CA_FILE]
 *
 * Listens on 127.0.0.1 on a port the kernel picks, prints the port on
 * stdout, and serves until no request came for IDLE seconds (default 120),
 * one forked child per connection.  With -t it speaks HTTPS, with a
 * certificate for 127.0.0.1 signed by a throwaway CA whose certificate it
 * writes to CA_FILE before it prints the port (tlsfront.h).  What a request
 * gets depends on its path:
 *
 *   /ok/PATH            DIR/PATH with ETag and Last-Modified; 304 when
 *                       If-None-Match matches or If-Modified-Since is not
 *                       older than the file
 *   /noetag/PATH        the same without an ETag (only Last-Modified)
 *   /status/CODE/...    that status with a short text body
 *   /loop/...           a redirect to itself
 *   /redirect/PATH      a redirect to /ok/PATH
 *   /goto/SCHEME/HOST:PORT/PATH  a redirect to SCHEME://HOST:PORT/PATH (from
 *                       https to plain http, say)
 *   /slow/SECONDS/PATH  waits SECONDS, then answers as /ok/PATH
 *   /gate/NAME/PATH     waits until DIR/NAME.open exists (the test opens the
 *                       gate when it is ready: no race with a clock), then
 *                       answers as /ok/PATH; gives up when the client hangs up
 *   /trickle/MS/PATH    answers as /ok/PATH, the body in 16 pieces MS
 *                       milliseconds apart (a slow mirror's download)
 *   /short/PATH         promises DIR/PATH's length, sends half, hangs up
 *   /half/PATH          a complete answer holding the first half of the file
 *   /garbage/...        200 with a body that is not JSON
 *   /echo/...           200 with the request's head and body as the body
 *   /post/PATH          stores the request's body as DIR/PATH (a webhook's
 *                       receiver: the test reads what arrived), then 200
 *
 * A file DIR/PATH.fault makes /ok/PATH and /noetag/PATH fail instead, so a
 * test can break a URL a client has cached: it holds "404", "500" (any
 * status), "garbage", "half", "short", "loop" or "slow SECONDS" (then 503);
 * "late SECONDS" only delays the usual answer.
 *
 * LOG (if given) gets one line per request:
 *   METHOD TARGET inm=IF-NONE-MATCH ims=IF-MODIFIED-SINCE -> STATUS
 */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <strings.h>
#include <time.h>

#include "tlsfront.h"
#include "tool.h"

#define REQ_MAX (256 << 10)

struct request {
	char method[16];
	char target[1024];
	char inm[256]; /* If-None-Match */
	char ims[128]; /* If-Modified-Since */
	const char *body;
	size_t body_len;
	struct aipkg_buf raw;
};

static const char *root_dir = ".";
static const char *log_path;
static SSL_CTX *tls; /* -t: every connection speaks TLS */

static void log_request(const struct request *rq, int status)
{
	char line[2048];
	int fd, n;

	if (!log_path)
		return;
	n = snprintf(line, sizeof(line), "%s %s inm=%s ims=%s -> %d\n", rq->method, rq->target,
		     rq->inm[0] ? rq->inm : "-", rq->ims[0] ? rq->ims : "-", status);
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)write_all(fd, line, (size_t)n);
		close(fd);
	}
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 404:
		return "Not Found";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

/* Send a head; EXTRA holds further header lines, each ending in CRLF. */
static void send_head(int fd, int status, size_t length, const char *extra)
{
	char head[2048];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
			 status, reason(status), length, extra ? extra : "");

	(void)write_all(fd, head, (size_t)n);
}

static void send_text(int fd, const struct request *rq, int status, const char *text,
		      const char *extra)
{
	log_request(rq, status);
	send_head(fd, status, strlen(text), extra);
	(void)write_all(fd, text, strlen(text));
}

static void http_date(time_t t, char *out, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static bool not_modified_since(const char *ims, time_t mtime)
{
	struct tm tm = {0};

	if (!*ims || !strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm))
		return false;
	return mtime <= timegm(&tm);
}

/* A strong ETag from the content: FNV-1a and the length. */
static void make_etag(const struct aipkg_buf *b, char *out, size_t size)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < b->len; i++)
		h = (h ^ (unsigned char)b->data[i]) * 16777619u;
	snprintf(out, size, "\"%08x-%zx\"", h, b->len);
}

/* Read DIR/PATH; false (after answering 404) when it is missing. */
static bool load_file(int fd, const struct request *rq, const char *path, struct aipkg_buf *b,
		      time_t *mtime)
{
	char *full = xasprintf("%s/%s", root_dir, path);
	struct stat st;
	bool ok = !strstr(path, "..") && stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		  file_read(full, b) == 0;

	free(full);
	if (!ok)
		send_text(fd, rq, 404, "not found\n", NULL);
	else
		*mtime = st.st_mtime;
	return ok;
}

static void serve_file(int fd, const struct request *rq, const char *path, bool with_etag)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char etag[64], date[64], extra[256] = "";
	time_t mtime;

	if (!load_file(fd, rq, path, &b, &mtime))
		return;
	make_etag(&b, etag, sizeof(etag));
	http_date(mtime, date, sizeof(date));
	snprintf(extra, sizeof(extra),
		 "%s%s%sLast-Modified: %s\r\n"
		 "Content-Type: application/json\r\n",
		 with_etag ? "ETag: " : "", with_etag ? etag : "", with_etag ? "\r\n" : "", date);
	if ((with_etag && strcmp(rq->inm, etag) == 0) ||
	    (!rq->inm[0] && not_modified_since(rq->ims, mtime))) {
		log_request(rq, 304);
		send_head(fd, 304, 0, extra);
	} else {
		log_request(rq, 200);
		send_head(fd, 200, b.len, extra);
		(void)write_all(fd, b.data, b.len);
	}
	aipkg_buf_release(&b);
}

static void serve_truncated(int fd, const struct request *rq, const char *path, bool honest)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	time_t mtime;

	if (!load_file(fd, rq, path, &b, &mtime))
		return;
	log_request(rq, 200);
	send_head(fd, 200, honest ? b.len / 2 : b.len, "Content-Type: application/json\r\n");
	(void)write_all(fd, b.data, b.len / 2);
	aipkg_buf_release(&b);
}

static void redirect(int fd, const struct request *rq, const char *to)
{
	char extra[1200];

	snprintf(extra, sizeof(extra), "Location: %s\r\n", to);
	send_text(fd, rq, 302, "moved\n", extra);
}

static void serve_echo(int fd, const struct request *rq)
{
	log_request(rq, 200);
	send_head(fd, 200, rq->raw.len, "Content-Type: text/plain\r\n");
	(void)write_all(fd, rq->raw.data, rq->raw.len);
}

/* Answer as DIR/PATH.fault says; false when there is no such file. */
static bool fault(int fd, const struct request *rq, const char *path)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *file = xasprintf("%s/%s.fault", root_dir, path), word[32] = "";
	int secs = 0;
	bool found = !strstr(path, "..") && file_read(file, &b) == 0;

	free(file);
	if (found)
		sscanf(aipkg_buf_str(&b), "%31s %d", word, &secs);
	aipkg_buf_release(&b);
	if (!found)
		return false;
	if (strcmp(word, "late") == 0) {
		sleep((unsigned)secs); /* then answers as usual */
		return false;
	}
	if (strcmp(word, "garbage") == 0)
		send_text(fd, rq, 200, "<html><body>Oops, not JSON</body></html>\n",
			  "Content-Type: text/html\r\n");
	else if (strcmp(word, "half") == 0 || strcmp(word, "short") == 0)
		serve_truncated(fd, rq, path, word[0] == 'h');
	else if (strcmp(word, "loop") == 0)
		redirect(fd, rq, rq->target);
	else if (strcmp(word, "slow") == 0) {
		sleep((unsigned)secs);
		send_text(fd, rq, 503, "too late\n", NULL);
	} else
		send_text(fd, rq, atoi(word) ? atoi(word) : 500, "scripted failure\n", NULL);
	return true;
}

static void on_ok(int fd, struct request *rq, const char *rest)
{
	if (!fault(fd, rq, rest))
		serve_file(fd, rq, rest, true);
}

static void on_noetag(int fd, struct request *rq, const char *rest)
{
	if (!fault(fd, rq, rest))
		serve_file(fd, rq, rest, false);
}

static void on_status(int fd, struct request *rq, const char *rest)
{
	send_text(fd, rq, atoi(rest), "scripted failure\n", NULL);
}

static void on_loop(int fd, struct request *rq, const char *rest)
{
	redirect(fd, rq, rq->target);
}

static void on_redirect(int fd, struct request *rq, const char *rest)
{
	char *to = xasprintf("/ok/%s", rest);

	redirect(fd, rq, to);
	free(to);
}

static void on_goto(int fd, struct request *rq, const char *rest)
{
	const char *host = strchr(rest, '/');
	char *to = xasprintf("%.*s://%s", host ? (int)(host - rest) : 0, rest, host ? host + 1 : "");

	redirect(fd, rq, to);
	free(to);
}

static void on_slow(int fd, struct request *rq, const char *rest)
{
	char *path;
	long secs = strtol(rest, &path, 10);

	sleep((unsigned)secs);
	serve_file(fd, rq, *path == '/' ? path + 1 : path, true);
}

/* The client hung up (apk was stopped while it waited at a gate). */
static bool peer_gone(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char c;

	return poll(&p, 1, 0) > 0 && recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

static void on_gate(int fd, struct request *rq, const char *rest)
{
	const char *path = strchr(rest, '/');
	char *open_file = xasprintf("%s/%.*s.open", root_dir, path ? (int)(path - rest) : 0, rest);
	struct timespec tick = {0, 10 * 1000 * 1000};
	bool gone = false;

	while (path && !strstr(rest, "..") && access(open_file, F_OK) != 0 && !(gone = peer_gone(fd)))
		nanosleep(&tick, NULL);
	free(open_file);
	if (!gone)
		serve_file(fd, rq, path ? path + 1 : "", true);
}

static void on_trickle(int fd, struct request *rq, const char *rest)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path;
	long ms = strtol(rest, &path, 10);
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000 * 1000};
	time_t mtime;

	if (!load_file(fd, rq, *path == '/' ? path + 1 : path, &b, &mtime))
		return;
	log_request(rq, 200);
	send_head(fd, 200, b.len, "Content-Type: application/octet-stream\r\n");
	for (size_t off = 0, piece = b.len / 16 + 1; off < b.len; off += piece) {
		nanosleep(&pause, NULL);
		if (write_all(fd, b.data + off, b.len - off < piece ? b.len - off : piece) < 0)
			break;
	}
	aipkg_buf_release(&b);
}

static void on_short(int fd, struct request *rq, const char *rest)
{
	serve_truncated(fd, rq, rest, false);
}

static void on_half(int fd, struct request *rq, const char *rest)
{
	serve_truncated(fd, rq, rest, true);
}

static void on_garbage(int fd, struct request *rq, const char *rest)
{
	send_text(fd, rq, 200, "<html><body>Oops, not JSON</body></html>\n",
		  "Content-Type: text/html\r\n");
}

static void on_echo(int fd, struct request *rq, const char *rest)
{
	serve_echo(fd, rq);
}

/* Written to PATH.tmp and renamed, so a test never reads half a body. */
static void on_post(int fd, struct request *rq, const char *rest)
{
	char *file = xasprintf("%s/%s", root_dir, rest), *tmp = xasprintf("%s.tmp", file);
	int out = strstr(rest, "..") || !*rest
			  ? -1
			  : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = out >= 0 && write_all(out, rq->body, rq->body_len) == 0;

	if (out >= 0 && (close(out) < 0 || (ok && rename(tmp, file) < 0)))
		ok = false;
	send_text(fd, rq, ok ? 200 : 500, ok ? "stored\n" : "cannot store\n", NULL);
	free(tmp);
	free(file);
}

static const struct {
	const char *prefix;
	void (*handle)(int fd, struct request *rq, const char *rest);
} routes[] = {
    {"/ok/", on_ok},	   {"/noetag/", on_noetag},	{"/status/", on_status},
    {"/loop/", on_loop},   {"/redirect/", on_redirect}, {"/slow/", on_slow},
    {"/short/", on_short}, {"/half/", on_half},		{"/garbage/", on_garbage},
    {"/echo/", on_echo},   {"/post/", on_post},	{"/gate/", on_gate},
    {"/trickle/", on_trickle}, {"/goto/", on_goto},
};

/* A file named with its query ("nvd?cveId=CVE-...") is served as such;
 * otherwise the query ("?token=...") is logged, not part of the path. */
static void route(int fd, struct request *rq)
{
	char path[sizeof(rq->target)], *file;

	snprintf(path, sizeof(path), "%.*s", (int)strcspn(rq->target, "?#"), rq->target);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		size_t n = strlen(routes[i].prefix);
		bool whole;

		if (strncmp(path, routes[i].prefix, n) != 0)
			continue;
		file = xasprintf("%s/%s", root_dir, rq->target + n);
		whole = access(file, F_OK) == 0;
		free(file);
		routes[i].handle(fd, rq, whole ? rq->target + n : path + n);
		return;
	}
	send_text(fd, rq, 404, "no such route\n", NULL);
}

/* The value of header NAME in the head HEAD, copied to OUT. */
static void header_get(const char *head, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);

	for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
		const char *v = l + 2, *end;

		if (strncasecmp(v, name, nlen) != 0 || v[nlen] != ':')
			continue;
		for (v += nlen + 1; *v == ' '; v++)
			;
		end = strstr(v, "\r\n");
		snprintf(out, size, "%.*s", end ? (int)(end - v) : (int)strlen(v), v);
		return;
	}
}

static bool read_request(int fd, struct request *rq)
{
	char buf[4096], *end, clen[32] = "";
	size_t head_len, want;
	ssize_t n;

	aipkg_buf_init(&rq->raw, REQ_MAX);
	while (!(end = strstr(aipkg_buf_str(&rq->raw), "\r\n\r\n"))) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0 ||
		    aipkg_buf_add(&rq->raw, buf, (size_t)n))
			return false;
	}
	head_len = (size_t)(end - rq->raw.data) + 4;
	header_get(rq->raw.data, "Content-Length", clen, sizeof(clen));
	want = head_len + (size_t)strtoul(clen, NULL, 10);
	while (rq->raw.len < want)
		if ((n = read(fd, buf, sizeof(buf))) <= 0 ||
		    aipkg_buf_add(&rq->raw, buf, (size_t)n))
			return false;
	if (sscanf(rq->raw.data, "%15s %1023s", rq->method, rq->target) != 2)
		return false;
	header_get(rq->raw.data, "If-None-Match", rq->inm, sizeof(rq->inm));
	header_get(rq->raw.data, "If-Modified-Since", rq->ims, sizeof(rq->ims));
	rq->body = rq->raw.data + head_len;
	rq->body_len = rq->raw.len - head_len;
	return true;
}

static void handle(int fd)
{
	struct request rq = {0};

	if (read_request(fd, &rq))
		route(fd, &rq);
	shutdown(fd, SHUT_WR);
	aipkg_buf_release(&rq.raw);
	close(fd);
}

static void serve(int lfd, int idle)
{
	struct pollfd p = {lfd, POLLIN, 0};

	while (poll(&p, 1, idle * 1000) > 0) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			if (tls)
				tls_serve(tls, fd, handle);
			else
				handle(fd);
			_exit(0);
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = {0};
	int opt, idle = 120;

	tool_name = "httpstub";
	while ((opt = getopt(argc, argv, "d:l:i:t:")) != -1) {
		if (opt == 'd')
			root_dir = optarg;
		else if (opt == 'l')
			log_path = optarg;
		else if (opt == 'i')
			idle = atoi(optarg);
		else if (opt == 't')
			tls = tls_setup(optarg);
		else
			die("usage: httpstub [-d DIR] [-l LOG] [-i IDLE_SECONDS] [-t CA_FILE]");
	}
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	serve(listen_loopback(), idle);
	return 0;
}
