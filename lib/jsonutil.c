/* Small jansson helpers the library repeats otherwise. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

void aipkg_json_sort(json_t *array, int (*cmp)(const void *a, const void *b))
{
	size_t n = json_array_size(array);
	json_t **v;

	if (n < 2)
		return;
	v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(array, i));
	qsort(v, n, sizeof(*v), cmp);
	json_array_clear(array);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, v[i]);
	free(v);
}

json_t *aipkg_json_minus(const json_t *a, const json_t *b)
{
	json_t *out = json_array();
	const json_t *v, *w;
	size_t i, k;

	json_array_foreach(a, i, v)
	{
		bool found = false;

		json_array_foreach(b, k, w) if ((found = json_equal(v, w))) break;
		if (!found)
			json_array_append(out, (json_t *)v);
	}
	return out;
}

int aipkg_json_join(struct aipkg_buf *b, const json_t *array, const char *sep)
{
	size_t i;
	json_t *v;
	int r = 0;

	json_array_foreach(array, i, v)
		if (r == 0)
			r = aipkg_buf_addf(b, "%s%s", i ? sep : "", json_string_value(v));
	return r;
}

bool aipkg_json_has_string(const json_t *array, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(array, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

void aipkg_json_map_strings(json_t *v, char *(*fn)(const char *s, void *ud), void *ud)
{
	const char *k;
	json_t *item;
	size_t i;

	if (json_is_string(v)) {
		char *now = fn(json_string_value(v), ud);

		if (now && json_string_set(v, now) < 0)
			json_string_set(v, ""); /* FN made it invalid UTF-8 */
		free(now);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, item)
			aipkg_json_map_strings(item, fn, ud);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			aipkg_json_map_strings(item, fn, ud);
	}
}
