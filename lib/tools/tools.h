/* Private declarations shared by the pkg.* tool implementations. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TOOLS_PRIV_H
#define AIPKG_TOOLS_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "aipkg/tools.h"

struct aipkg_ctx;

int aipkg_tool_search(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_info(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_list(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_install(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_remove(struct aipkg_ctx *ctx, json_t *args, json_t **result);
int aipkg_tool_update(struct aipkg_ctx *ctx, json_t *args, json_t **result);

/*
 * Check ARGS against SCHEMA (the subset of JSON Schema the registry uses:
 * type object/string/boolean/integer/array, properties, required,
 * additionalProperties false, items, enum, minimum, maxLength, maxItems).
 * On failure returns -AIPKG_E_USAGE and writes the reason to the context.
 */
int aipkg_schema_check(struct aipkg_ctx *ctx, const json_t *schema, const json_t *args);

/* Argument helpers: a boolean member, false when absent. */
bool aipkg_arg_bool(const json_t *args, const char *key);

#endif
