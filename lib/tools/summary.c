/* A plan as the confirmation shows it: what was named, and what it weighs. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "apk/search.h"
#include "apk/state.h"
#include "tools/tools.h"

struct find {
	const char *version;
	const struct aipkg_pkg *pkg;
};

static void same_version(const struct aipkg_pkg *pkg, void *ud)
{
	struct find *f = ud;

	if (!f->pkg && strcmp(pkg->version, f->version) == 0)
		f->pkg = pkg;
}

/* NAME at VERSION: installed, else in the indexes; NULL when neither. */
static const struct aipkg_pkg *pkg_at(const struct aipkg_state *st, const char *name,
				      const char *version)
{
	struct find f = { version, NULL };

	if (!name || !version)
		return NULL;
	aipkg_pkgset_each_named(&st->installed, name, same_version, &f);
	if (!f.pkg)
		aipkg_pkgset_each_named(&st->available, name, same_version, &f);
	return f.pkg;
}

json_t *aipkg_plan_summary(const struct aipkg_state *st, const json_t *plan,
			   bool (*named)(const void *ud, const json_t *change), const void *ud)
{
	json_t *out = json_array(), *c;
	size_t i;

	json_array_foreach(plan, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const struct aipkg_pkg *to = pkg_at(st, name, json_string_value(json_object_get(c, "to")));
		const struct aipkg_pkg *from = pkg_at(st, name,
						      json_string_value(json_object_get(c, "from")));
		json_t *s = json_deep_copy(c);

		json_object_set_new(s, "named", json_boolean(named && named(ud, c)));
		json_object_set_new(s, "size", json_integer(to ? (json_int_t)to->size : 0));
		json_object_set_new(s, "installed_size",
				    json_integer(to ? (json_int_t)to->installed_size : 0));
		json_object_set_new(s, "installed_size_before",
				    json_integer(from ? (json_int_t)from->installed_size : 0));
		/* a version no index has any more (a rollback's, from a kept
		 * file): its size is not known, and a total with 0 for it lies */
		if ((json_object_get(c, "to") && !json_is_null(json_object_get(c, "to")) && !to) ||
		    (json_object_get(c, "from") && !json_is_null(json_object_get(c, "from")) && !from))
			json_object_set_new(s, "size_unknown", json_true());
		json_array_append_new(out, s);
	}
	return out;
}
