/* A small JSON Schema checker for the tools' arguments. */
/* SPDX-License-Identifier: MIT */
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

static bool type_ok(const char *type, const json_t *v)
{
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

static int check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v, const char *where);

static int check_object(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
			const char *where)
{
	const json_t *props = json_object_get(schema, "properties");
	const json_t *req = json_object_get(schema, "required"), *item;
	const char *key;
	json_t *val;
	size_t i;

	json_array_foreach(req, i, item)
		if (!json_object_get(v, json_string_value(item)))
			return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: missing required argument '%s'",
					      where, json_string_value(item));
	json_object_foreach((json_t *)v, key, val) {
		const json_t *sub = json_object_get(props, key);
		char path[256];
		int r;

		if (!sub)
			return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: unknown argument '%s'", where,
					      key);
		snprintf(path, sizeof(path), "%s.%s", where, key);
		r = check(ctx, sub, val, path);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_array(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
		       const char *where)
{
	const json_t *items = json_object_get(schema, "items"), *max = json_object_get(schema, "maxItems");
	json_t *item;
	size_t i;

	if (max && json_array_size(v) > (size_t)json_integer_value(max))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: more than %lld items", where,
				      (long long)json_integer_value(max));
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

static int check_scalar(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v,
			const char *where)
{
	const json_t *en = json_object_get(schema, "enum"), *item;
	const json_t *min = json_object_get(schema, "minimum");
	const json_t *maxlen = json_object_get(schema, "maxLength");
	size_t i, limit = maxlen ? (size_t)json_integer_value(maxlen) : MAX_STRING;

	if (json_is_string(v) && json_string_length(v) > limit)
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: longer than %zu characters", where,
				      limit);
	if (min && json_is_integer(v) && json_integer_value(v) < json_integer_value(min))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: must be at least %lld", where,
				      (long long)json_integer_value(min));
	if (!en)
		return 0;
	json_array_foreach(en, i, item)
		if (json_equal(item, (json_t *)v))
			return 0;
	return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: not one of the allowed values", where);
}

static int check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *v, const char *where)
{
	const char *type = json_string_value(json_object_get(schema, "type"));

	if (type && !type_ok(type, v))
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "%s: must be %s %s, not %s", where,
				      strchr("aeiou", type[0]) ? "an" : "a", type, json_kind(v));
	if (json_is_object(v))
		return check_object(ctx, schema, v, where);
	if (json_is_array(v))
		return check_array(ctx, schema, v, where);
	return check_scalar(ctx, schema, v, where);
}

int aipkg_schema_check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *args)
{
	return check(ctx, schema, args, "arguments");
}

bool aipkg_arg_bool(const json_t *args, const char *key)
{
	return json_is_true(json_object_get(args, key));
}
