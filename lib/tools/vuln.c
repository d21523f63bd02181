/* The pkg.check_vuln tool: installed or named packages against Alpine's secdb. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "ctx.h"
#include "tools/tools.h"
#include "vuln/vuln.h"

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
	free(names);
	return r;
}
