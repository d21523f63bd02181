/* jsonq: pick values out of JSON documents for the shell tests (no jq on a bare system). */
/* SPDX-License-Identifier: MIT */

/*
 * usage: jsonq [-i ID | -n N] [PATH...] < INPUT
 *
 * INPUT is one JSON document, or one per line (an MCP session's output).
 * -i ID picks the line whose "id" is ID (a number, "null", or "none" for an
 * object without one: an MCP error that could not name its request); -n N the
 * Nth line (from 1).  Each PATH is printed on a line of its own: a string
 * as its text, anything else as compact JSON.  A PATH is a chain of
 * .KEY and [INDEX] steps ("." alone is the document); a last step "#"
 * ("tools#") prints the number of members.  Exit 1 when a PATH leads
 * nowhere, 2 when the input or a line is not JSON.
 *
 *   jsonq -c < INPUT     exit 0 when every non-blank line is JSON
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64 << 20)

static char *read_all(size_t *len)
{
	char *buf = malloc(MAX_INPUT + 1);

	if (!buf)
		exit(2);
	*len = fread(buf, 1, MAX_INPUT, stdin);
	buf[*len] = '\0';
	return buf;
}

/* Every line of BUF must be a JSON document. */
static int check_lines(char *buf)
{
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *doc = json_loads(line, JSON_DECODE_ANY, NULL);

		if (!doc) {
			fprintf(stderr, "jsonq: not JSON: %.200s\n", line);
			return 2;
		}
		json_decref(doc);
	}
	return 0;
}

/* The line chosen by -i ID or -n N. */
static json_t *pick_line(char *buf, const char *id, long n)
{
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *doc = json_loads(line, 0, NULL), *got;
		char *text;
		bool match;

		if (!doc)
			continue;
		if (n > 0) {
			if (--n == 0)
				return doc;
			json_decref(doc);
			continue;
		}
		got = json_object_get(doc, "id");
		text = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
		match = text && (strcmp(text, id) == 0 ||
				 (json_is_string(got) && strcmp(json_string_value(got), id) == 0));
		match |= !got && json_is_object(doc) && strcmp(id, "none") == 0;
		free(text);
		if (match)
			return doc;
		json_decref(doc);
	}
	return NULL;
}

/* Follow PATH from V; NULL when it leads nowhere.  *count is set for "#". */
static json_t *follow(json_t *v, const char *path, long *count)
{
	char key[256];

	*count = -1;
	while (v && *path) {
		size_t n;

		if (*path == '#') {
			*count =
			    json_is_array(v) ? (long)json_array_size(v) : (long)json_object_size(v);
			return v;
		}
		if (*path == '[') {
			v = json_array_get(v, strtoul(path + 1, NULL, 10));
			path = strchr(path, ']');
			path = path ? path + 1 : "";
			continue;
		}
		path += *path == '.';
		n = strcspn(path, ".[#");
		if (n == 0)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		v = json_object_get(v, key);
		path += n;
	}
	return v;
}

static int print_path(json_t *doc, const char *path)
{
	long count;
	json_t *v = follow(doc, path, &count);
	char *text;

	if (!v)
		return 1;
	if (count >= 0) {
		printf("%ld\n", count);
		return 0;
	}
	if (json_is_string(v)) {
		printf("%s\n", json_string_value(v));
		return 0;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	printf("%s\n", text ? text : "");
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	const char *id = NULL;
	long n = 0;
	size_t len;
	char *buf = read_all(&len);
	json_t *doc;
	int i = 1, r = 0;

	if (argc > 1 && strcmp(argv[1], "-c") == 0)
		return check_lines(buf);
	if (argc > 2 && strcmp(argv[1], "-i") == 0)
		id = argv[2], i = 3;
	else if (argc > 2 && strcmp(argv[1], "-n") == 0)
		n = strtol(argv[2], NULL, 10), i = 3;
	doc = id || n ? pick_line(buf, id, n) : json_loadb(buf, len, JSON_DECODE_ANY, NULL);
	if (!doc) {
		fprintf(stderr, "jsonq: no such document in the input\n");
		return 2;
	}
	for (; i < argc; i++)
		if (print_path(doc, argv[i]))
			r = 1;
	json_decref(doc);
	free(buf);
	return r;
}
