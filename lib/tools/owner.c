/* pkg.who_owns: which installed package owns a file, from apk's installed database. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "apk/files.h"
#include "ctx.h"
#include "tools/tools.h"

static int unowned_fail(struct aipkg_ctx *ctx, const json_t *unowned)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const json_t *p;
	size_t i;
	int r;

	json_array_foreach(unowned, i, p)
		aipkg_buf_addf(&b, "%s%s", i ? ", " : "", json_string_value(p));
	r = aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "no installed package owns %s", aipkg_buf_str(&b));
	aipkg_buf_release(&b);
	return r;
}

int aipkg_tool_who_owns(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	json_t *paths = json_object_get(args, "paths"), *p, *owners = NULL, *unowned = NULL;
	const char **v = calloc(json_array_size(paths) + 1, sizeof(*v));
	size_t i;
	int r = v ? 0 : -ENOMEM;

	json_array_foreach(paths, i, p)
		if (v)
			v[i] = json_string_value(p);
	if (r == 0 && !json_array_size(paths))
		r = aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "name at least one file, such as "
							"/usr/sbin/nginx");
	if (r == 0)
		r = aipkg_files_who_owns(ctx, v, json_array_size(paths), &owners, &unowned);
	if (r == 0) {
		*result = json_pack("{s:O, s:O}", "owners", owners, "unowned", unowned);
		if (json_array_size(unowned))
			r = unowned_fail(ctx, unowned);
	}
	json_decref(owners);
	json_decref(unowned);
	free(v);
	return r;
}
