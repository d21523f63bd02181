/* Finding the JSON object in a language model's answer: whole, fenced, or amid prose. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "aipkg/error.h"
#include "ai/extract.h"

/* Nesting beyond this is no plan a model would send; it only costs time. */
#define EXTRACT_MAX_DEPTH 64
/* Each start is a scan to the end: bound them, so a hostile answer full of
 * '{' costs milliseconds, not minutes. */
#define EXTRACT_MAX_TRIES 64

static json_t *parse_object(const char *p, size_t len)
{
	json_t *v = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);

	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* The length of the balanced {...} starting at P, or 0 when it never closes. */
static size_t balanced_len(const char *p, size_t len)
{
	size_t depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{') {
			if (++depth > EXTRACT_MAX_DEPTH)
				return 0;
		} else if (c == '}' && depth && --depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

/* The first balanced object in TEXT that parses. */
static json_t *first_object(const char *text, size_t len)
{
	int tries = 0;

	for (const char *p = memchr(text, '{', len); p && tries++ < EXTRACT_MAX_TRIES;
	     p = memchr(p + 1, '{', len - (size_t)(p + 1 - text))) {
		size_t n = balanced_len(p, len - (size_t)(p - text));
		json_t *v = n ? parse_object(p, n) : NULL;

		if (v)
			return v;
	}
	return NULL;
}

static const char *find_mem(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return hay + i;
	return NULL;
}

/* The object inside the first ``` fence (its info string, "json" or other,
 * ends at the newline). */
static json_t *fenced_object(const char *text, size_t len)
{
	const char *open = find_mem(text, len, "```"), *body, *close;

	if (!open)
		return NULL;
	body = memchr(open + 3, '\n', len - (size_t)(open + 3 - text));
	if (!body)
		return NULL;
	body++;
	close = find_mem(body, len - (size_t)(body - text), "```");
	if (!close)
		close = text + len;
	return first_object(body, (size_t)(close - body));
}

int aipkg_ai_extract_json(const char *text, size_t len, json_t **out)
{
	json_t *v = parse_object(text, len);

	if (!v)
		v = fenced_object(text, len);
	if (!v)
		v = first_object(text, len);
	*out = v;
	return v ? 0 : -AIPKG_E_BADANSWER;
}
