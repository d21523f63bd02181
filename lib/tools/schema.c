/* A small JSON Schema checker for the tools' arguments. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "tools/tools.h"

#define MAX_STRING (64 << 10)

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

static bool type_is(const char *type, const json_t *v)
{
	if (strcmp(type, "null") == 0)
		return json_is_null(v);
	if (strcmp(type, "object") == 0)
		return json_is_object(v);
	if (strcmp(type, "array") == 0)
		return json_is_array(v);
	if (strcmp(type, "string") == 0)
		return json_is_string(v);
	if (strcmp(type, "boolean") == 0)
		return json_is_boolean(v);
	if (strcmp(type, "integer") == 0)
		return json_is_integer(v);
	if (strcmp(type, "number") == 0)
		return json_is_number(v);
	return false;
}

/* "type" is a name or a list of names ("integer" or ["integer","string"]);
 * a schema without one accepts any type. */
static bool type_ok(const json_t *type, const json_t *v)
{
	const json_t *t;
	size_t i;

	if (json_is_string(type))
		return type_is(json_string_value(type), v);
	if (!json_is_array(type))
		return true;
	json_array_foreach(type, i, t)
		if (json_is_string(t) && type_is(json_string_value(t), v))
			return true;
	return false;
}

/* "a string" / "an integer or a string", for messages. */
static void type_names(const json_t *type, char *out, size_t size)
{
	size_t n = json_is_array(type) ? json_array_size(type) : 1, len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		const json_t *item = json_is_array(type) ? json_array_get(type, i) : type;
		const char *t = json_string_value(item);

		if (t && *t)
			len += (size_t)snprintf(out + len, size - len, "%s%s %s", len ? " or " : "",
						strchr("aeiou", t[0]) ? "an" : "a", t);
	}
}

/* "a, b, c": the members of a JSON array of strings or the keys of an
 * object, for messages that say what would have been accepted. */
static void list_names(const json_t *v, char *out, size_t size)
{
	const char *key;
	json_t *item;
	size_t i, len = 0;

	out[0] = '\0';
	json_object_foreach((json_t *)v, key, item)
		if (len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "",
						key);
	json_array_foreach(v, i, item) {
		char *text = json_dumps(item, JSON_ENCODE_ANY);

		if (text && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "",
						text);
		free(text);
	}
}

/* maxLength/minLength count characters, not bytes. */
static size_t utf8_length(const char *s, size_t bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static long long int_of(const json_t *schema, const char *key, long long dflt)
{
	const json_t *v = json_object_get(schema, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

static int check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v, const char *where);

static int check_member(struct aipkg_ctx *ctx, const json_t *schema, const char *key,
			const json_t *val, const char *where)
{
	const json_t *props = json_object_get(schema, "properties");
	const json_t *sub = json_object_get(props, key);
	char path[256], known[512];

	if (!sub && json_is_true(json_object_get(schema, "additionalProperties")))
		return 0;
	if (!sub) {
		list_names(props, known, sizeof(known));
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: unknown argument '%s' (%s%s)",
				      where, key, *known ? "expected: " : "this takes no arguments",
				      known);
	}
	snprintf(path, sizeof(path), "%s.%s", where, key);
	return check(ctx, sub, val, path);
}

static int check_object(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
			const char *where)
{
	const json_t *req = json_object_get(schema, "required"), *item;
	const char *key;
	json_t *val;
	size_t i;

	json_array_foreach(req, i, item)
		if (!json_object_get(v, json_string_value(item)))
			return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: missing required argument '%s'",
					      where, json_string_value(item));
	json_object_foreach((json_t *)v, key, val) {
		int r = check_member(ctx, schema, key, val, where);

		if (r < 0)
			return r;
	}
	return 0;
}

static int check_array(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
		       const char *where)
{
	const json_t *items = json_object_get(schema, "items");
	long long n = (long long)json_array_size(v);
	json_t *item;
	size_t i;

	if (n > int_of(schema, "maxItems", n))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: more than %lld item%s", where,
				      int_of(schema, "maxItems", 0),
				      aipkg_plural(int_of(schema, "maxItems", 0), "", "s"));
	if (n < int_of(schema, "minItems", 0))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: fewer than %lld item%s", where,
				      int_of(schema, "minItems", 0),
				      aipkg_plural(int_of(schema, "minItems", 0), "", "s"));
	json_array_foreach(v, i, item) {
		char path[256];
		int r;

		snprintf(path, sizeof(path), "%s[%zu]", where, i);
		r = items ? check(ctx, items, item, path) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_string(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
			const char *where)
{
	long long n = (long long)utf8_length(json_string_value(v), json_string_length(v));

	if (n > int_of(schema, "maxLength", MAX_STRING))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: longer than %lld characters", where,
				      int_of(schema, "maxLength", MAX_STRING));
	if (n < int_of(schema, "minLength", 0))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: shorter than %lld characters",
				      where, int_of(schema, "minLength", 0));
	return 0;
}

static int check_integer(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
			 const char *where)
{
	long long n = (long long)json_integer_value(v);

	if (n < int_of(schema, "minimum", LLONG_MIN))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: must be at least %lld", where,
				      int_of(schema, "minimum", 0));
	if (n > int_of(schema, "maximum", LLONG_MAX))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: must be at most %lld", where,
				      int_of(schema, "maximum", 0));
	return 0;
}

static int check_enum(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
		      const char *where)
{
	const json_t *en = json_object_get(schema, "enum"), *item;
	char allowed[512];
	size_t i;

	if (!en)
		return 0;
	json_array_foreach(en, i, item)
		if (json_equal(item, (json_t *)v))
			return 0;
	list_names(en, allowed, sizeof(allowed));
	return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: must be one of %s", where, allowed);
}

static int check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v, const char *where)
{
	const json_t *type = json_object_get(schema, "type");
	char want[128];
	int r = 0;

	if (type && !type_ok(type, v)) {
		type_names(type, want, sizeof(want));
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: must be %s, not %s", where, want,
				      json_kind(v));
	}
	if (json_is_object(v))
		r = check_object(ctx, schema, v, where);
	else if (json_is_array(v))
		r = check_array(ctx, schema, v, where);
	else if (json_is_string(v))
		r = check_string(ctx, schema, v, where);
	else if (json_is_integer(v))
		r = check_integer(ctx, schema, v, where);
	return r < 0 ? r : check_enum(ctx, schema, v, where);
}

int aipkg_schema_check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *args)
{
	return check(ctx, schema, args, "arguments");
}

/* The keywords check() enforces or may ignore; a schema using any other
 * would be enforced only in part. */
static const char *const known_keywords[] = {
	"type", "properties", "required", "additionalProperties", "items", "enum",
	"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
	"description", "title", "default", "examples", NULL,
};

static bool keyword_known(const char *key)
{
	for (const char *const *k = known_keywords; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

const char *aipkg_schema_unsupported(const json_t *schema)
{
	const char *key, *bad;
	json_t *sub, *prop;

	json_object_foreach((json_t *)schema, key, sub)
		if (!keyword_known(key))
			return key;
	json_object_foreach(json_object_get(schema, "properties"), key, prop)
		if ((bad = aipkg_schema_unsupported(prop)))
			return bad;
	sub = json_object_get(schema, "items");
	return sub ? aipkg_schema_unsupported(sub) : NULL;
}

int aipkg_tool_check(struct aipkg_ctx *ctx, const struct aipkg_tool *tool, const json_t *args)
{
	json_t *schema = json_loads(tool->schema, 0, NULL), *empty = NULL;
	int r;

	if (!schema)
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: its schema is not valid JSON",
				      tool->name);
	if (!args)
		args = empty = json_object();
	r = aipkg_schema_check(ctx, schema, args);
	json_decref(empty);
	json_decref(schema);
	return r;
}

bool aipkg_arg_bool(const json_t *args, const char *key)
{
	return json_is_true(json_object_get(args, key));
}
