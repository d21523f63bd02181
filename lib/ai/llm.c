/* The language model client: OpenAI-compatible chat completions and Anthropic Messages over lib/http. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ai/extract.h"
#include "ai/llm.h"
#include "ai/plan.h"
#include "clock.h"
#include "ctx.h"
#include "http.h"
#include "redact.h"
#include "url.h"

#define ANTHROPIC_VERSION "2023-06-01"
#define ANSWER_MAX_TOKENS 2048
#define BACKOFF_FIRST 0.5 /* seconds before the first retry, doubling */
#define BACKOFF_MAX 8.0
#define SERVER_MSG_MAX 200

/* One question to one endpoint. */
struct call {
	struct aipkg_ctx *ctx;
	const struct aipkg_llm_config *ep;
	const struct aipkg_llm_question *q;
	const char *tier;  /* "llm.tactical", for messages */
	const char *key;   /* the API key, or NULL; never in a message */
	char *url;         /* the endpoint */
	char *shown_url;   /* the endpoint as messages show it */
	bool with_schema;  /* openai: still asking with response_format */
	struct aipkg_redact rd; /* the secrets nothing sent or shown may hold */
};

static bool is_anthropic(const struct call *c)
{
	return strcmp(c->ep->provider, "anthropic") == 0;
}

/* BASE/chat/completions or BASE/v1/messages, before BASE's query (an
 * Azure-style "?api-version=..." stays a query). */
static char *endpoint_url(const struct aipkg_llm_config *ep)
{
	return aipkg_url_join(ep->base_url, strcmp(ep->provider, "anthropic") == 0
						    ? "v1/messages"
						    : "chat/completions");
}

/* After a 400 the question is asked in its most compatible form: servers
 * that know no json_schema exist, and reasoning models refuse a
 * temperature. */
static json_t *openai_body(const struct call *c, json_t *schema)
{
	json_t *body = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "model", c->ep->model,
				 "messages", "role", "system", "content", c->q->system, "role",
				 "user", "content", c->q->user);

	if (!body || !c->with_schema)
		return body;
	json_object_set_new(body, "temperature", json_integer(0));
	json_object_set_new(body, "response_format",
			    json_pack("{s:s, s:{s:s, s:b, s:O}}", "type", "json_schema",
				      "json_schema", "name", c->q->schema_name, "strict", 1, "schema",
				      schema));
	return body;
}

/* Anthropic has no response format: a forced tool call carries the schema. */
static json_t *anthropic_body(const struct call *c, json_t *schema)
{
	return json_pack("{s:s, s:i, s:s, s:[{s:s, s:s}], s:i, s:[{s:s, s:s, s:O}], s:{s:s, s:s}}",
			 "model", c->ep->model, "max_tokens", ANSWER_MAX_TOKENS, "system",
			 c->q->system, "messages", "role", "user", "content", c->q->user,
			 "temperature", 0, "tools", "name", c->q->schema_name, "description",
			 "Give the answer.", "input_schema", schema, "tool_choice", "type", "tool",
			 "name", c->q->schema_name);
}

static char *request_body(const struct call *c)
{
	json_t *schema = json_loads(c->q->schema, 0, NULL), *body;
	char *text;

	if (!schema)
		return NULL;
	body = is_anthropic(c) ? anthropic_body(c, schema) : openai_body(c, schema);
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	json_decref(schema);
	return text;
}

/* The headers; the one with the key is wiped by headers_free(). */
static void headers_make(const struct call *c, char *h[5])
{
	memset(h, 0, 5 * sizeof(*h));
	h[0] = strdup("Content-Type: application/json");
	h[1] = strdup("Accept: application/json");
	if (is_anthropic(c)) {
		h[2] = strdup("anthropic-version: " ANTHROPIC_VERSION);
		if (c->key && asprintf(&h[3], "x-api-key: %s", c->key) < 0)
			h[3] = NULL;
	} else if (c->key && asprintf(&h[2], "Authorization: Bearer %s", c->key) < 0) {
		h[2] = NULL;
	}
}

static void headers_free(char *h[5])
{
	for (int i = 0; i < 5; i++) {
		if (h[i])
			explicit_bzero(h[i], strlen(h[i]));
		free(h[i]);
	}
}

/* TEXT cleaned for a message, the key and other secrets (if they are
 * echoed) hidden. */
static char *scrub(const struct call *c, const char *text)
{
	char *clean = aipkg_ai_clean(text, SERVER_MSG_MAX), *masked;

	masked = clean ? aipkg_redact_text(&c->rd, clean) : NULL;
	free(clean);
	return masked;
}

/* The server's own explanation in an error body (both providers put it in
 * error.message), cleaned; "" when there is none. */
static char *server_message(const struct call *c, const struct aipkg_buf *body)
{
	json_t *doc = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
	const json_t *err = json_object_get(doc, "error");
	const char *msg = json_string_value(json_object_get(err, "message"));
	char *out;

	if (!msg)
		msg = json_string_value(err);
	out = scrub(c, msg ? msg : "");
	json_decref(doc);
	return out;
}

/* A model endpoint's redirect is never followed: it would take the key and
 * the question along, and from https perhaps to plain http. */
static int fail_redirect(struct call *c, long status, const char *to)
{
	bool down = aipkg_http_downgrade(c->url, to);

	return aipkg_ctx_fail(
	    c->ctx, -AIPKG_E_HTTP, "%s: %s answered HTTP %ld, a redirect %s%s%s%s.base_url%s",
	    c->tier, c->shown_url, status, down ? "from https to plain http (" : "to ", to,
	    down ? "): refused, the request carries the API key and the question; a server "
		   "that does this is misconfigured, or what answered is not the server: check "
		 : "; aipkg follows no redirect of a model endpoint (the request carries the API "
		   "key and the question): set ",
	    c->tier, down ? "" : " to the address it names if you trust it");
}

static int fail_status(struct call *c, long status, const struct aipkg_http_response *res)
{
	const struct aipkg_buf *body = &res->body;

	char *msg;
	const char *sep;
	int r;

	if (status >= 300 && status < 400 && res->location)
		return fail_redirect(c, status, res->location);
	msg = server_message(c, body);
	sep = *msg ? ": " : "";

	if ((status == 401 || status == 403) && c->key)
		r = aipkg_ctx_fail(c->ctx, -AIPKG_E_AUTH,
				   "%s: %s refused the API key in $%s (HTTP %ld)%s%s; check the key",
				   c->tier, c->shown_url, c->ep->api_key_env, status, sep, msg);
	else if (status == 401 || status == 403)
		r = aipkg_ctx_fail(c->ctx, -AIPKG_E_AUTH,
				   "%s: %s wants an API key (HTTP %ld)%s%s; name its environment "
				   "variable in %s.api_key_env",
				   c->tier, c->shown_url, status, sep, msg, c->tier);
	else if (status == 404)
		r = aipkg_ctx_fail(c->ctx, -AIPKG_E_HTTP,
				   "%s: %s answered 404%s%s; check base_url and model", c->tier,
				   c->shown_url, sep, msg);
	else
		r = aipkg_ctx_fail(c->ctx, -AIPKG_E_HTTP, "%s: %s answered HTTP %ld%s%s", c->tier,
				   c->shown_url, status, sep, msg);
	free(msg);
	return r;
}

static int bad_answer(struct call *c, const char *why)
{
	return aipkg_ctx_fail(c->ctx, -AIPKG_E_BADANSWER, "%s: the answer of %s %s", c->tier,
			      c->shown_url, why);
}

static int answer_from_text(struct call *c, const char *text, bool cut, json_t **answer)
{
	if (aipkg_ai_extract_json(text, strlen(text), answer) == 0)
		return 0;
	return bad_answer(c, cut ? "was cut off before its JSON object ended"
				 : "holds no JSON object");
}

static int parse_openai(struct call *c, json_t *doc, json_t **answer)
{
	json_t *choice = json_array_get(json_object_get(doc, "choices"), 0);
	json_t *msg = json_object_get(choice, "message");
	const char *content = json_string_value(json_object_get(msg, "content"));
	const char *finish = json_string_value(json_object_get(choice, "finish_reason"));

	if (!content && json_is_string(json_object_get(msg, "refusal")))
		return bad_answer(c, "is a refusal");
	if (!content)
		return bad_answer(c, "is not a chat completion (no choices[0].message.content)");
	return answer_from_text(c, content, finish && strcmp(finish, "length") == 0, answer);
}

static int parse_anthropic(struct call *c, json_t *doc, json_t **answer)
{
	json_t *content = json_object_get(doc, "content"), *part;
	struct aipkg_buf text = AIPKG_BUF_INIT;
	const char *stop = json_string_value(json_object_get(doc, "stop_reason"));
	size_t i;
	int r;

	if (!json_is_array(content))
		return bad_answer(c, "is not a Messages response (no content)");
	json_array_foreach(content, i, part) {
		const char *type = json_string_value(json_object_get(part, "type"));
		json_t *input = json_object_get(part, "input");

		if (type && strcmp(type, "tool_use") == 0 && json_is_object(input)) {
			*answer = json_incref(input);
			aipkg_buf_release(&text);
			return 0;
		}
		if (type && strcmp(type, "text") == 0)
			aipkg_buf_addstr(&text, json_string_value(json_object_get(part, "text")));
	}
	r = answer_from_text(c, aipkg_buf_str(&text), stop && strcmp(stop, "max_tokens") == 0,
			     answer);
	aipkg_buf_release(&text);
	return r;
}

static int parse_answer(struct call *c, const struct aipkg_buf *body, json_t **answer)
{
	json_t *doc = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
	int r;

	if (!json_is_object(doc))
		r = bad_answer(c, "is not JSON");
	else
		r = is_anthropic(c) ? parse_anthropic(c, doc, answer) : parse_openai(c, doc, answer);
	/* an answer is journalled (mode 0644), reported and handed to MCP
	 * clients, where other users would read a key the endpoint echoed */
	if (r == 0)
		aipkg_redact_json(&c->rd, *answer);
	json_decref(doc);
	return r;
}

double aipkg_llm_retry_after(const char *value, long long now)
{
	struct tm tm;
	char *end;
	double secs;

	if (!value)
		return -1;
	secs = strtod(value, &end);
	if (end != value && !*end && secs >= 0)
		return secs;
	memset(&tm, 0, sizeof(tm));
	end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	secs = (double)(timegm(&tm) - now);
	return secs > 0 ? secs : 0;
}

/* How long to wait before attempt ATTEMPT (1, 2, ...). */
static double backoff(int attempt, const struct aipkg_http_response *res)
{
	double wait = aipkg_llm_retry_after(res->retry_after, (long long)time(NULL));

	if (wait >= 0)
		return wait;
	wait = BACKOFF_FIRST;
	for (int i = 1; i < attempt && wait < BACKOFF_MAX; i++)
		wait *= 2;
	return wait < BACKOFF_MAX ? wait : BACKOFF_MAX;
}

static bool retryable(int r, long status)
{
	if (r == -AIPKG_E_NETWORK)
		return true;
	return r == -AIPKG_E_HTTP && (status == 429 || status >= 500);
}

static void sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One HTTP exchange. */
static int attempt(struct call *c, double remaining, struct aipkg_http_response *res)
{
	char *headers[5], *body = request_body(c);
	struct aipkg_http_request req = { 0 };
	int r;

	headers_make(c, headers);
	req.url = c->url;
	req.headers = (const char *const *)headers;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.timeout = remaining;
	req.connect_timeout = remaining < 10 ? remaining : 10;
	req.max_body = AIPKG_LLM_MAX_RESPONSE;
	req.max_redirects = -1;
	r = body ? aipkg_http_fetch(c->ctx, &req, res) : -ENOMEM;
	if (!body)
		memset(res, 0, sizeof(*res));
	headers_free(headers);
	free(body);
	return r;
}

/* A failure of the transfer itself, in words that name the endpoint. */
static int fail_transfer(struct call *c, int r, double timeout)
{
	if (r == -AIPKG_E_TIMEOUT)
		return aipkg_ctx_fail(c->ctx, r, "%s: %s did not answer within %g s (%s.timeout)",
				      c->tier, c->shown_url, timeout, c->tier);
	if (r == -AIPKG_E_TOOBIG)
		return aipkg_ctx_fail(c->ctx, r, "%s: the answer of %s is larger than %zu KiB; "
						 "ignored",
				      c->tier, c->shown_url, AIPKG_LLM_MAX_RESPONSE >> 10);
	if (r == -AIPKG_E_NETWORK) {
		char *why = scrub(c, aipkg_ctx_why(c->ctx, r));

		r = aipkg_ctx_fail(c->ctx, r, "%s: cannot reach the endpoint: %s", c->tier,
				   why ? why : "");
		free(why);
	}
	return r;
}

/* After a failed attempt: 1 to try again (having waited), else the error. */
static int next_try(struct call *c, int r, struct aipkg_http_response *res, int *tries,
		    double deadline)
{
	double wait, left;

	if (r == -AIPKG_E_HTTP && res->status == 400 && c->with_schema && !is_anthropic(c)) {
		c->with_schema = false;
		return 1;
	}
	if (!retryable(r, res->status) || (*tries)++ >= c->ep->retries)
		return r == -AIPKG_E_HTTP ? fail_status(c, res->status, res)
					  : fail_transfer(c, r, c->ep->timeout);
	wait = backoff(*tries, res);
	left = deadline - aipkg_clock_now();
	if (wait >= left)
		return aipkg_ctx_fail(c->ctx, -AIPKG_E_TIMEOUT,
				      "%s: %s asked to retry in %g s (HTTP %ld), past the %g s "
				      "deadline (%s.timeout)",
				      c->tier, c->shown_url, wait, res->status, c->ep->timeout, c->tier);
	aipkg_ctx_note(c->ctx, "%s: HTTP %ld from %s; retrying in %g s", c->tier, res->status,
		       c->shown_url, wait);
	sleep_seconds(wait);
	return 1;
}

static int ask_loop(struct call *c, json_t **answer)
{
	double deadline = aipkg_clock_now() + c->ep->timeout;
	int tries = 0, r;

	for (;;) {
		struct aipkg_http_response res;
		double left = deadline - aipkg_clock_now();

		/* libcurl reads a timeout of 0 ms as none at all */
		if (left < 0.01)
			return fail_transfer(c, -AIPKG_E_TIMEOUT, c->ep->timeout);
		r = attempt(c, left, &res);
		if (r == 0)
			r = parse_answer(c, &res.body, answer);
		else
			r = next_try(c, r, &res, &tries, deadline);
		aipkg_http_response_release(&res);
		if (r != 1)
			return r;
	}
}

/* The key from its variable.  Over plain http anyone on the path to
 * another machine reads it (and can spend on it), so it goes only to this
 * machine (an Ollama, a llama.cpp server) unless the configuration says
 * the network is trusted. */
static int key_get(struct call *c)
{
	const char *env = c->ep->api_key_env;

	c->key = env ? getenv(env) : NULL;
	if (env && (!c->key || !*c->key))
		return aipkg_ctx_fail(c->ctx, -AIPKG_E_CONFIG,
				      "%s: the API key variable $%s (%s.api_key_env) is not set",
				      c->tier, env, c->tier);
	if (c->key && aipkg_url_plain_remote(c->url) && !c->ep->allow_insecure)
		return aipkg_ctx_fail(c->ctx, -AIPKG_E_CONFIG,
				      "%s: refusing to send the API key in $%s over plain http to "
				      "%s: anyone on the network path could read it and use it; use "
				      "https://, or set %s.allow_insecure: true if that network is "
				      "trusted",
				      c->tier, env, c->shown_url, c->tier);
	return 0;
}

/*
 * The question as it may leave the machine: what it quotes (apk's error
 * text, a request, an agent's record) may hold a repository's password or
 * token, or a key, which the endpoint has no business reading.
 */
static int question_masked(struct call *c, const struct aipkg_llm_question *q,
			   struct aipkg_llm_question *sent)
{
	*sent = *q;
	sent->system = aipkg_redact_outgoing(&c->rd, q->system);
	sent->user = aipkg_redact_outgoing(&c->rd, q->user);
	c->q = sent;
	return sent->system && sent->user ? 0 : -ENOMEM;
}

int aipkg_llm_ask(struct aipkg_ctx *ctx, enum aipkg_llm_tier tier,
		  const struct aipkg_llm_question *q, json_t **answer)
{
	struct call c = { ctx, aipkg_llm_endpoint(ctx, tier), q, NULL, NULL, NULL, NULL, true,
			  { NULL, 0 } };
	struct aipkg_llm_question sent = { 0 };
	int r;

	*answer = NULL;
	if (!c.ep)
		return aipkg_ctx_fail(ctx, -AIPKG_E_CONFIG, "no language model is configured (llm)");
	c.tier = strcmp(aipkg_llm_planner_name(ctx, tier), "llm:strategic") == 0 ? "llm.strategic"
										: "llm.tactical";
	c.url = endpoint_url(c.ep);
	c.shown_url = c.url ? aipkg_url_mask(c.url) : NULL;
	r = c.shown_url ? key_get(&c) : -ENOMEM;
	if (r == 0)
		r = aipkg_redact_init(&c.rd, ctx);
	if (r == 0)
		r = question_masked(&c, q, &sent);
	if (r == 0)
		r = ask_loop(&c, answer);
	aipkg_redact_release(&c.rd);
	free((char *)sent.system);
	free((char *)sent.user);
	free(c.url);
	free(c.shown_url);
	return r;
}
