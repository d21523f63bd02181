/* pkg.doctor and pkg.doctor_fix: what is broken on the root, and its repair through apk. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "ctx.h"
#include "doctor/doctor.h"
#include "tools/tools.h"

static bool arg_default_true(const json_t *args, const char *key)
{
	const json_t *v = json_object_get(args, key);

	return !v || json_is_true(v);
}

int aipkg_tool_doctor(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	struct aipkg_doctor_opts opts = {
		.refresh = aipkg_arg_bool(args, "refresh"),
		.rehash = aipkg_arg_bool(args, "rehash"),
		.files = arg_default_true(args, "files"),
		.state = arg_default_true(args, "state"),
	};

	return aipkg_doctor_scan(ctx, &opts, result);
}

int aipkg_tool_doctor_fix(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	json_t *targets = json_object_get(args, "targets"), *t;
	struct aipkg_doctor_fix_opts opts = {
		.dry_run = ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run"),
		.confirmed = ctx->opts.yes || aipkg_arg_bool(args, "confirm"),
		.rehash = aipkg_arg_bool(args, "rehash"),
	};
	const char **v = calloc(json_array_size(targets) + 1, sizeof(*v));
	size_t i;
	int r;

	if (!v)
		return -ENOMEM;
	json_array_foreach(targets, i, t)
		v[i] = json_string_value(t);
	opts.targets = v;
	opts.ntargets = json_array_size(targets);
	r = aipkg_doctor_fix(ctx, &opts, result);
	free(v);
	return r;
}
