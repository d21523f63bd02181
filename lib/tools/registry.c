/* The pkg.* tool registry: names, schemas, flags and handlers. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "ctx.h"
#include "tools/tools.h"

#define PKGS_SCHEMA                                                                    \
	"{\"type\":\"array\",\"maxItems\":1000,\"items\":{\"type\":\"string\",\"maxLength\":256}}"
#define CHANGE_ARGS                                                                    \
	"\"confirm\":{\"type\":\"boolean\",\"description\":\"the user agreed to the change\"},"  \
	"\"dry_run\":{\"type\":\"boolean\",\"description\":\"only show what would happen\"}"

/* Sorted by name (aipkg_tools() promises it). */
static const struct aipkg_tool tools[] = {
	{ "pkg.info", "Show a package: version, dependencies, reverse dependencies, provides",
	  "{\"type\":\"object\",\"properties\":{\"package\":{\"type\":\"string\",\"maxLength\":256}},"
	  "\"required\":[\"package\"],\"additionalProperties\":false}",
	  0, aipkg_tool_info },
	{ "pkg.install", "Install packages (names or constraints such as curl=8.9.0-r0) with apk",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA "," CHANGE_ARGS "},"
	  "\"required\":[\"packages\"],\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK | AIPKG_TOOL_NETWORK, aipkg_tool_install },
	{ "pkg.list", "List installed, upgradable, available or world packages",
	  "{\"type\":\"object\",\"properties\":{\"filter\":{\"type\":\"string\",\"enum\":"
	  "[\"installed\",\"upgradable\",\"available\",\"world\"]}},"
	  "\"additionalProperties\":false}",
	  0, aipkg_tool_list },
	{ "pkg.remove", "Remove packages; refuses when other installed packages need them",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA ","
	  "\"rdepends\":{\"type\":\"boolean\",\"description\":\"also remove what needs them\"},"
	  CHANGE_ARGS "},\"required\":[\"packages\"],\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK, aipkg_tool_remove },
	{ "pkg.search", "Search package names, descriptions and cmd:/so: providers",
	  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"maxLength\":1024},"
	  "\"description\":{\"type\":\"boolean\",\"description\":\"also search descriptions\"},"
	  "\"exact\":{\"type\":\"boolean\",\"description\":\"match names exactly\"}},"
	  "\"required\":[\"query\"],\"additionalProperties\":false}",
	  0, aipkg_tool_search },
	{ "pkg.update", "Refresh the indexes, then upgrade all packages or the named ones",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA "," CHANGE_ARGS "},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK | AIPKG_TOOL_NETWORK, aipkg_tool_update },
};

const struct aipkg_tool *aipkg_tools(size_t *n)
{
	*n = sizeof(tools) / sizeof(tools[0]);
	return tools;
}

const struct aipkg_tool *aipkg_tool_find(const char *name)
{
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i].name, name) == 0)
			return &tools[i];
	return NULL;
}

int aipkg_tool_call(struct aipkg_ctx *ctx, const char *name, json_t *args, json_t **result)
{
	const struct aipkg_tool *tool = aipkg_tool_find(name);
	json_t *schema, *empty = NULL;
	int r;

	*result = NULL;
	if (!tool)
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "unknown tool '%s' (see 'aipkg tool --list')",
				      name);
	if (!args)
		args = empty = json_object();
	schema = json_loads(tool->schema, 0, NULL);
	r = schema ? aipkg_schema_check(ctx, schema, args) : -AIPKG_E_USAGE;
	json_decref(schema);
	if (r == 0)
		r = tool->run(ctx, args, result);
	json_decref(empty);
	return r;
}
