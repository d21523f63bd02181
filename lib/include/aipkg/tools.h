/* The pkg.* tool registry: one implementation behind the CLI, `aipkg tool` and MCP. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TOOLS_H
#define AIPKG_TOOLS_H

#include <jansson.h>

#include "aipkg/aipkg.h"

enum aipkg_tool_flags {
	AIPKG_TOOL_CHANGES = 1 << 0, /* changes the system: journalled, takes the lock */
	AIPKG_TOOL_APK = 1 << 1,     /* runs apk */
	AIPKG_TOOL_NETWORK = 1 << 2, /* may use the network */
};

struct aipkg_tool {
	const char *name;        /* "pkg.install" */
	const char *description; /* one line */
	const char *schema;      /* JSON Schema of the arguments, as JSON text */
	unsigned flags;          /* enum aipkg_tool_flags */
	/* args is borrowed; *result is a new reference owned by the caller,
	 * set on success and also on failures that carry detail (apk output). */
	int (*run)(struct aipkg_ctx *ctx, json_t *args, json_t **result);
	const char *title;       /* for people: "Install packages" */
	/* JSON Schema of a successful result ({"properties":..., "required":
	 * [...]}, JSON text), or NULL when its shape is not fixed */
	const char *output;
};

/* TOOL's name as MCP clients know it, "pkg_install": the name pattern they
 * enforce, ^[a-zA-Z0-9_-]{1,64}$, has no dot.  Written to BUF; returns BUF. */
AIPKG_API const char *aipkg_tool_mcp_name(const struct aipkg_tool *tool, char *buf, size_t size);

/* All tools, sorted by name; *n receives the count. */
AIPKG_API const struct aipkg_tool *aipkg_tools(size_t *n);

/* The tool called NAME, or NULL.  NAME may be spelt with an underscore
 * ("pkg_install"), as MCP clients know the tools. */
AIPKG_API const struct aipkg_tool *aipkg_tool_find(const char *name);

/*
 * Check ARGS (NULL means {}) against TOOL's schema: types, required members,
 * no members the schema does not name.  Returns 0, or -AIPKG_E_USAGE with
 * the reason ("arguments.packages[0]: must be a string, not an integer") in
 * aipkg_ctx_errmsg().
 */
AIPKG_API int aipkg_tool_check(struct aipkg_ctx *ctx, const struct aipkg_tool *tool,
			       const json_t *args);

/*
 * true when calling TOOL with ARGS would change the system without anyone
 * having agreed: the tool has AIPKG_TOOL_CHANGES and neither ARGS'
 * "confirm" or "dry_run" nor the context's --yes or --dry-run is set.
 * Callers with nobody to ask (MCP, `aipkg tool` without a terminal) refuse
 * such a call rather than run it.
 */
AIPKG_API bool aipkg_tool_unconfirmed(const struct aipkg_ctx *ctx, const struct aipkg_tool *tool,
				      const json_t *args);

/*
 * Validate ARGS against the tool's schema (types, required, no extras) and
 * run it.  Returns 0 or a negative error; the detail is in
 * aipkg_ctx_errmsg().  *result as for aipkg_tool.run.
 */
AIPKG_API int aipkg_tool_call(struct aipkg_ctx *ctx, const char *name, json_t *args,
			      json_t **result);

/*
 * pkg.list as aipkg_tool_call runs it (ARGS checked against its schema),
 * but each package of the result is handed to EACH (a borrowed object,
 * gone after the call) in the order of the "packages" array, instead of
 * the whole array at once: for --available only one package's object
 * exists at a time, however large the indexes.  EACH returns 0 to go on;
 * anything else stops the walk and is returned.  Returns 0 or a negative
 * error, the detail in aipkg_ctx_errmsg().
 */
AIPKG_API int aipkg_tool_list_each(struct aipkg_ctx *ctx, json_t *args,
				   int (*each)(json_t *pkg, void *ud), void *ud);

/* The effective configuration as a new JSON object, secrets masked:
 * the settings nested ({"vuln":{"fail_on":"high",...}}, null for what is
 * unset), "file", "root", and "origins" ({"vuln.fail_on":
 * "/etc/aipkg/aipkg.yaml:7"}, "default", "environment AIPKG_APK",
 * "--lock-timeout"). */
AIPKG_API json_t *aipkg_ctx_config_json(const struct aipkg_ctx *ctx);

/*
 * The same as rows in aipkg.yaml(5)'s order, for showing them as YAML:
 * {"key":"vuln","map":true[,"note"]} for a mapping (a note marks an
 * optional section that is not set: "llm.tactical"), and
 * {"key","value","origin"[,"note"][,"api_key"]} for a setting; "value" is
 * null and "note" says what applies when it is unset ("30 at a terminal,
 * 0 otherwise"); "api_key" ("set", "not set") says whether the variable a
 * model's api_key_env names is set.  A new array.
 */
AIPKG_API json_t *aipkg_ctx_config_settings(const struct aipkg_ctx *ctx);

#endif
