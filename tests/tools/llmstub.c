/* llmstub: a scripted language model endpoint on loopback, speaking OpenAI's and Anthropic's HTTP APIs. */
/* SPDX-License-Identifier: MIT */
/*
 * usage: llmstub [-l LOGDIR] [-i IDLE] [-k KEY] RESPONSE...
 *
 * Listens on 127.0.0.1 on a port the kernel picks, prints the port on
 * stdout, and answers the Nth request with the Nth RESPONSE (the last one
 * again for any further request), one connection at a time, until no
 * request came for IDLE seconds (default 60).
 *
 * The protocol is the one the request speaks, as the real services do:
 *   POST .../chat/completions  OpenAI chat completions (and vLLM, llama.cpp,
 *                              Ollama /v1, LM Studio, OpenRouter)
 *   POST .../v1/messages       Anthropic Messages: requires anthropic-version
 *                              and max_tokens, as the real API does (400)
 * Anything else is a 404 in OpenAI's error shape.  With -k, a request
 * without that key (Authorization: Bearer KEY, or x-api-key: KEY) gets 401,
 * with an error message that echoes the key it was sent, as some servers do.
 *
 * A RESPONSE is comma-separated settings:
 *   content=FILE    the model's text answer, wrapped as a chat completion
 *                   (choices[0].message.content) or a message (a text block)
 *   tool=FILE       Anthropic: a tool_use block whose input is FILE's JSON
 *                   (the answer to a forced tool); OpenAI: like content
 *   raw=FILE        FILE as the whole body, unwrapped
 *   status=N        the status (default 200); without content or raw the
 *                   body is the protocol's error object
 *   retry-after=V   a Retry-After header
 *   delay=SECONDS   wait this long before answering (fractions allowed)
 *   huge=BYTES      a 200 answer that starts like a completion and runs on
 *                   for BYTES bytes
 *   close           hang up without answering
 *   finish=length   finish_reason "length" / stop_reason "max_tokens"
 *   noschema        a 400 when the request carries response_format (an
 *                   older server)
 *
 * LOGDIR gets each request as N.req: the request line, the headers and,
 * after an empty line, the body.
 */
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "tool.h"

#define REQ_MAX (4 << 20)

struct response {
	const char *content, *tool, *raw, *retry_after, *finish;
	int status;
	double delay;
	size_t huge;
	bool close, noschema;
};

struct request {
	char method[16];
	char target[1024];
	struct aipkg_buf raw;
	const char *head;
	const char *body;
	size_t body_len;
	bool anthropic;
};

static const char *log_dir;
static const char *want_key;

static void parse_setting(struct response *r, char *s)
{
	char *eq = strchr(s, '=');
	const char *v = eq ? eq + 1 : "";

	if (eq)
		*eq = '\0';
	if (strcmp(s, "content") == 0)
		r->content = v;
	else if (strcmp(s, "tool") == 0)
		r->tool = v;
	else if (strcmp(s, "raw") == 0)
		r->raw = v;
	else if (strcmp(s, "status") == 0)
		r->status = atoi(v);
	else if (strcmp(s, "retry-after") == 0)
		r->retry_after = v;
	else if (strcmp(s, "delay") == 0)
		r->delay = atof(v);
	else if (strcmp(s, "huge") == 0)
		r->huge = strtoul(v, NULL, 10);
	else if (strcmp(s, "close") == 0)
		r->close = true;
	else if (strcmp(s, "finish") == 0)
		r->finish = v;
	else if (strcmp(s, "noschema") == 0)
		r->noschema = true;
	else
		die("unknown response setting '%s'", s);
}

static struct response parse_response(char *spec)
{
	struct response r = { .status = 200 };
	char *save = NULL;

	for (char *s = strtok_r(spec, ",", &save); s; s = strtok_r(NULL, ",", &save))
		parse_setting(&r, s);
	return r;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 529: return "Overloaded";
	default: return "Status";
	}
}

static void send_answer(int fd, int status, const char *body, size_t len, const char *extra)
{
	char head[1024];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
			 status, reason(status), len, extra ? extra : "");

	(void)write_all(fd, head, (size_t)n);
	(void)write_all(fd, body, len);
}

static void send_json(int fd, int status, json_t *doc, const char *extra)
{
	char *text = json_dumps(doc, JSON_COMPACT);

	send_answer(fd, status, text, strlen(text), extra);
	free(text);
	json_decref(doc);
}

static char *read_text(const char *path)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	if (file_read(path, &b) < 0)
		die("cannot read %s: %s", path, strerror(errno));
	return aipkg_buf_detach(&b);
}

/* The protocol's error object for STATUS. */
static json_t *error_doc(const struct request *rq, int status, const char *msg)
{
	const char *type = status == 401   ? "authentication_error"
			   : status == 429 ? "rate_limit_error"
			   : status >= 500 ? "api_error"
					   : "invalid_request_error";

	if (rq->anthropic)
		return json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error", "type", type,
				 "message", msg);
	return json_pack("{s:{s:s, s:s, s:n}}", "error", "message", msg, "type", type, "code");
}

static void send_error(int fd, const struct request *rq, int status, const char *msg,
		       const char *extra)
{
	send_json(fd, status, error_doc(rq, status, msg), extra);
}

static json_t *openai_doc(const char *text, const char *finish)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:[{s:i, s:{s:s, s:s}, s:s}], s:{s:i, s:i}}", "id",
			 "chatcmpl-stub", "object", "chat.completion", "created", 1717243200,
			 "model", "stub-model", "choices", "index", 0, "message", "role",
			 "assistant", "content", text, "finish_reason", finish ? finish : "stop",
			 "usage", "prompt_tokens", 100, "completion_tokens", 20);
}

static json_t *anthropic_doc(json_t *block, const char *stop)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[o], s:s, s:{s:i, s:i}}", "id", "msg_stub",
			 "type", "message", "role", "assistant", "model", "stub-model", "content",
			 block, "stop_reason", stop, "usage", "input_tokens", 100, "output_tokens",
			 20);
}

static void send_content(int fd, const struct request *rq, const struct response *r)
{
	const char *path = r->content ? r->content : r->tool;
	char *text = read_text(path);
	const char *max = r->finish ? "max_tokens" : NULL;
	json_t *doc;

	if (!rq->anthropic) {
		doc = openai_doc(text, r->finish);
	} else if (r->tool) {
		json_t *input = json_loads(text, 0, NULL);

		if (!input)
			die("%s is not JSON", path);
		doc = anthropic_doc(json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use", "id",
					      "toolu_stub", "name", "package_plan", "input", input),
				    max ? max : "tool_use");
	} else {
		doc = anthropic_doc(json_pack("{s:s, s:s}", "type", "text", "text", text),
				    max ? max : "end_turn");
	}
	free(text);
	send_json(fd, r->status, doc, NULL);
}

static void send_huge(int fd, size_t bytes)
{
	static const char start[] = "{\"choices\":[{\"message\":{\"content\":\"";
	char chunk[65536], head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 bytes);

	memset(chunk, 'x', sizeof(chunk));
	if (write_all(fd, head, (size_t)n) < 0 || write_all(fd, start, sizeof(start) - 1) < 0)
		return;
	for (size_t sent = sizeof(start) - 1; sent < bytes; sent += sizeof(chunk))
		if (write_all(fd, chunk, bytes - sent < sizeof(chunk) ? bytes - sent : sizeof(chunk)) < 0)
			return;
}

/* The value of header NAME, copied to OUT ("" when absent). */
static void header_get(const char *head, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);

	out[0] = '\0';
	for (const char *l = strstr(head, "\r\n"); l && l[2] && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
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

/* What the real services refuse before looking at the question. */
static bool protocol_ok(int fd, const struct request *rq, const struct response *r)
{
	char version[64], auth[512], key[512];
	json_t *body = json_loadb(rq->body, rq->body_len, 0, NULL);
	bool ok = false;

	header_get(rq->head, "anthropic-version", version, sizeof(version));
	header_get(rq->head, "Authorization", auth, sizeof(auth));
	header_get(rq->head, "x-api-key", key, sizeof(key));
	if (strcmp(rq->method, "POST") != 0 || !json_is_object(body))
		send_error(fd, rq, 400, "expected a POST with a JSON body", NULL);
	else if (!json_is_string(json_object_get(body, "model")) ||
		 !json_is_array(json_object_get(body, "messages")))
		send_error(fd, rq, 400, "model and messages are required", NULL);
	else if (rq->anthropic && (!*version || !json_is_integer(json_object_get(body, "max_tokens"))))
		send_error(fd, rq, 400, "anthropic-version header and max_tokens are required", NULL);
	else if (r->noschema && json_object_get(body, "response_format"))
		send_error(fd, rq, 400, "response_format is not supported", NULL);
	else
		ok = true;
	if (ok && want_key) {
		const char *got = rq->anthropic ? key : strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : "";
		char msg[700];

		if (strcmp(got, want_key) != 0) {
			snprintf(msg, sizeof(msg), "Incorrect API key provided: %s", got);
			send_error(fd, rq, 401, msg, NULL);
			ok = false;
		}
	}
	json_decref(body);
	return ok;
}

static void sleep_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void answer(int fd, const struct request *rq, const struct response *r)
{
	char extra[256] = "";

	if (r->delay > 0)
		sleep_for(r->delay);
	if (r->close)
		return;
	if (r->retry_after)
		snprintf(extra, sizeof(extra), "Retry-After: %s\r\n", r->retry_after);
	if (!strstr(rq->target, "/chat/completions") && !strstr(rq->target, "/v1/messages"))
		send_error(fd, rq, 404, "no such endpoint", NULL);
	else if (!protocol_ok(fd, rq, r))
		return;
	else if (r->huge)
		send_huge(fd, r->huge);
	else if (r->raw) {
		char *text = read_text(r->raw);

		send_answer(fd, r->status, text, strlen(text), extra);
		free(text);
	} else if (r->content || r->tool)
		send_content(fd, rq, r);
	else
		send_error(fd, rq, r->status, r->status == 429 ? "rate limited" : "scripted failure",
			   extra);
}

static bool read_request(int fd, struct request *rq)
{
	char buf[65536], *end, clen[32];
	size_t head_len, want;
	ssize_t n;

	aipkg_buf_init(&rq->raw, REQ_MAX);
	while (!(end = strstr(aipkg_buf_str(&rq->raw), "\r\n\r\n")))
		if ((n = read(fd, buf, sizeof(buf))) <= 0 || aipkg_buf_add(&rq->raw, buf, (size_t)n))
			return false;
	head_len = (size_t)(end - rq->raw.data) + 4;
	header_get(rq->raw.data, "Content-Length", clen, sizeof(clen));
	want = head_len + (size_t)strtoul(clen, NULL, 10);
	while (rq->raw.len < want)
		if ((n = read(fd, buf, sizeof(buf))) <= 0 || aipkg_buf_add(&rq->raw, buf, (size_t)n))
			return false;
	if (sscanf(rq->raw.data, "%15s %1023s", rq->method, rq->target) != 2)
		return false;
	rq->head = rq->raw.data;
	rq->body = rq->raw.data + head_len;
	rq->body_len = rq->raw.len - head_len;
	rq->anthropic = strstr(rq->target, "/v1/messages") != NULL;
	return true;
}

static void log_request(const struct request *rq, unsigned n)
{
	char *path;

	if (!log_dir)
		return;
	path = xasprintf("%s/%u.req", log_dir, n);
	if (file_write_atomic(path, rq->raw.data, rq->raw.len, 0644) < 0)
		die("cannot write %s", path);
	free(path);
}

static void serve(int lfd, int idle, struct response *script, unsigned nscript)
{
	struct pollfd p = { lfd, POLLIN, 0 };
	unsigned served = 0;

	while (poll(&p, 1, idle * 1000) > 0) {
		struct request rq = { 0 };
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (read_request(fd, &rq)) {
			log_request(&rq, ++served);
			answer(fd, &rq, &script[served <= nscript ? served - 1 : nscript - 1]);
		}
		shutdown(fd, SHUT_WR);
		aipkg_buf_release(&rq.raw);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct response *script;
	int opt, idle = 60;

	tool_name = "llmstub";
	while ((opt = getopt(argc, argv, "l:i:k:")) != -1) {
		if (opt == 'l')
			log_dir = optarg;
		else if (opt == 'i')
			idle = atoi(optarg);
		else if (opt == 'k')
			want_key = optarg;
		else
			die("usage: llmstub [-l LOGDIR] [-i IDLE] [-k KEY] RESPONSE...");
	}
	if (optind >= argc)
		die("usage: llmstub [-l LOGDIR] [-i IDLE] [-k KEY] RESPONSE...");
	script = xmalloc((size_t)(argc - optind) * sizeof(*script));
	for (int i = optind; i < argc; i++)
		script[i - optind] = parse_response(argv[i]);
	signal(SIGPIPE, SIG_IGN);
	serve(listen_loopback(), idle, script, (unsigned)(argc - optind));
	free(script);
	return 0;
}
