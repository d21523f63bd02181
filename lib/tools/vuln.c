/* The pkg.check_vuln tool: installed or named packages against Alpine's secdb. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "ctx.h"
#include "tools/tools.h"
#include "vuln/vuln.h"

/* Which findings are of a locked package: the fix needs an unlock first
 * (aipkg update keeps a locked package where it is). */
static void mark_locked(struct aipkg_ctx *ctx, json_t *result)
{
	struct aipkg_state *st;
	json_t *f;
	size_t i;
	int r;

	if (!(st = aipkg_ctx_state(ctx, &r)))
		return;
	json_array_foreach(json_object_get(result, "vulnerabilities"), i, f) {
		const char *lock = json_is_true(json_object_get(f, "installed"))
					   ? aipkg_locked_atom(st, json_string_value(json_object_get(
								       f, "package")))
					   : NULL;

		json_object_set_new(f, "locked", json_boolean(lock));
		if (lock)
			json_object_set_new(f, "lock", json_string(lock));
	}
}

int aipkg_tool_check_vuln(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	json_t *pkgs = json_object_get(args, "packages"), *p;
	struct aipkg_vuln_scan scan = {0};
	const char **names = NULL;
	size_t i;
	int r;

	if (json_array_size(pkgs)) {
		if (!(names = calloc(json_array_size(pkgs), sizeof(*names))))
			return -ENOMEM;
		json_array_foreach(pkgs, i, p) names[i] = json_string_value(p);
		scan.packages = names;
		scan.npackages = json_array_size(pkgs);
	}
	scan.refresh = aipkg_arg_bool(args, "refresh");
	scan.fail_on = json_string_value(json_object_get(args, "fail_on"));
	r = aipkg_vuln_scan(ctx, &scan, result);
	if (r == 0)
		mark_locked(ctx, *result);
	free(names);
	return r;
}
