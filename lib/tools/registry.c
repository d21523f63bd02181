/* The pkg.* tool registry: names, schemas, flags and handlers. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "doctor/doctor.h"
#include "journal/journal.h"
#include "tools/tools.h"

#define PKGS_SCHEMA                                                                    \
	"{\"type\":\"array\",\"maxItems\":1000,\"items\":{\"type\":\"string\",\"maxLength\":256}}"
#define CHANGE_ARGS                                                                    \
	"\"confirm\":{\"type\":\"boolean\",\"description\":\"the user agreed to the change\"},"  \
	"\"dry_run\":{\"type\":\"boolean\",\"description\":\"only show what would happen\"}"

/* pkg.lock/pkg.unlock: "package" (one name) and/or "packages" */
#define LOCK_ARGS                                                                      \
	"\"package\":{\"type\":\"string\",\"maxLength\":256,\"description\":\"an installed "   \
	"package\"},\"packages\":" PKGS_SCHEMA

/* The shapes of the results, for MCP's outputSchema: the keys every
 * success has, with their types; the rest is open. */
#define STR "{\"type\":\"string\"}"
#define STR_OR_NULL "{\"type\":[\"string\",\"null\"]}"
#define INT "{\"type\":\"integer\"}"
#define BOOL "{\"type\":\"boolean\"}"
#define STRS "{\"type\":\"array\",\"items\":" STR "}"
#define ARRAY_OF(item) "{\"type\":\"array\",\"items\":" item "}"
#define CHANGE_SHAPE                                                                   \
	"{\"type\":\"object\",\"properties\":{\"name\":" STR ",\"action\":" STR         \
	",\"from\":" STR_OR_NULL ",\"to\":" STR_OR_NULL "},"                                 \
	"\"required\":[\"name\",\"action\",\"from\",\"to\"]}"
#define PACKAGE_SHAPE                                                                  \
	"{\"type\":\"object\",\"properties\":{\"name\":" STR ",\"version\":" STR          \
	",\"description\":" STR ",\"installed\":" BOOL ",\"locked\":" BOOL "},"             \
	"\"required\":[\"name\",\"version\"]}"
#define PACKAGES_OUT "{\"properties\":{\"packages\":" ARRAY_OF(PACKAGE_SHAPE) "}," \
		     "\"required\":[\"packages\"]}"
/* install, remove, update, lock, unlock, rollback; with dry_run the plan */
#define CHANGE_OUT(more)                                                               \
	"{\"properties\":{\"changes\":" ARRAY_OF(CHANGE_SHAPE) ",\"apk_exit\":" INT         \
	",\"id\":" INT ",\"dry_run\":" BOOL ",\"apk\":" STRS more "},"                       \
	"\"required\":[\"changes\",\"apk_exit\"]}"
#define HISTORY_OUT                                                                    \
	"{\"properties\":{\"transactions\":" ARRAY_OF(                                     \
	"{\"type\":\"object\",\"properties\":{\"id\":" INT ",\"time\":" STR                \
	",\"status\":" STR ",\"command\":" STR ",\"caller\":" STR ",\"changes\":"           \
	ARRAY_OF(CHANGE_SHAPE) "},\"required\":[\"id\",\"status\",\"changes\"]}")           \
	"},\"required\":[\"transactions\"]}"
#define INFO_OUT                                                                       \
	"{\"properties\":{\"name\":" STR ",\"version\":" STR ",\"description\":" STR        \
	",\"installed\":" BOOL ",\"depends\":" STRS ",\"provides\":" STRS                   \
	",\"required_by\":" STRS ",\"locked\":" BOOL "},"                                     \
	"\"required\":[\"name\",\"version\",\"installed\"]}"
#define VULN_OUT                                                                       \
	"{\"properties\":{\"vulnerabilities\":" ARRAY_OF(                                  \
	"{\"type\":\"object\",\"properties\":{\"package\":" STR ",\"version\":" STR      \
	",\"cve\":" STR ",\"fixed_in\":" STR ",\"fix_available\":" BOOL                     \
	",\"severity\":" STR "},\"required\":[\"package\",\"version\",\"cve\"]}")         \
	",\"scanned\":" INT ",\"failing\":" INT "},"                                          \
	"\"required\":[\"vulnerabilities\",\"scanned\"]}"
#define ASK_OUT                                                                        \
	"{\"properties\":{\"request\":" STR ",\"planner\":" STR ",\"packages\":"           \
	ARRAY_OF("{\"type\":\"object\",\"properties\":{\"name\":" STR ",\"reason\":" STR \
	"},\"required\":[\"name\"]}") ",\"changes\":" ARRAY_OF(CHANGE_SHAPE) "},"          \
	"\"required\":[\"request\",\"planner\",\"packages\"]}"
#define AGENT_STATUS_OUT                                                               \
	"{\"properties\":{\"deferred\":{\"type\":\"array\"},\"cron\":" BOOL "},"          \
	"\"required\":[\"deferred\"]}"
#define RECOVER_OUT "{\"properties\":{\"recovered\":{\"type\":\"array\"}}," \
		    "\"required\":[\"recovered\"]}"
#define DOCTOR_OUT                                                                     \
	"{\"properties\":{\"healthy\":" BOOL ",\"problems\":{\"type\":\"array\"},"          \
	"\"config\":{\"type\":\"array\"},\"checked\":{\"type\":\"object\"}},"            \
	"\"required\":[\"healthy\",\"problems\"]}"
#define DOCTOR_FIX_OUT                                                                 \
	"{\"properties\":{\"fixed\":{\"type\":\"array\"},\"not_fixed\":{\"type\":\"array\"},"\
	"\"operations\":{\"type\":\"array\"},\"before\":{\"type\":\"object\"},"           \
	"\"after\":{\"type\":\"object\"}},\"required\":[\"fixed\",\"not_fixed\"]}"
#define WHO_OWNS_OUT                                                                   \
	"{\"properties\":{\"owners\":" ARRAY_OF(                                           \
	"{\"type\":\"object\",\"properties\":{\"path\":" STR ",\"package\":" STR           \
	",\"version\":" STR ",\"symlink_target\":" STR_OR_NULL "},"                            \
	"\"required\":[\"path\",\"package\",\"version\"]}") ",\"unowned\":" STRS "},"       \
	"\"required\":[\"owners\"]}"
#define UPDATE_PLAN_OUT                                                                \
	"{\"properties\":{\"packages\":{\"type\":\"array\"},\"security_data\":" BOOL "}," \
	"\"required\":[\"packages\"]}"

/* Sorted by name (aipkg_tools() promises it). */
static const struct aipkg_tool tools[] = {
	{ "pkg.agent_status", "Show the Package Agent's deferred updates (package, versions, risk, "
	  "reason, since when) and its last run",
	  "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
	  0, aipkg_tool_agent_status,
	  "Package Agent status", AGENT_STATUS_OUT },
	{ "pkg.ask", "Plan packages for a request in plain words (\"I need a web server\"): "
	  "checked against the indexes, simulated with apk, installed only when confirmed",
	  "{\"type\":\"object\",\"properties\":{\"request\":{\"type\":\"string\","
	  "\"minLength\":1,\"maxLength\":2000,\"description\":\"what the user needs, in plain "
	  "words\"}," CHANGE_ARGS ","
	  "\"offline\":{\"type\":\"boolean\",\"description\":\"use the offline planner, not the "
	  "language model\"},"
	  "\"force\":{\"type\":\"boolean\",\"description\":\"install even known-vulnerable "
	  "versions\"}},"
	  "\"required\":[\"request\"],\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK | AIPKG_TOOL_NETWORK, aipkg_tool_ask,
	  "Plan packages for a request", ASK_OUT },
	{ "pkg.check_vuln", "Check installed (or the named) packages against Alpine's security database",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA ","
	  "\"refresh\":{\"type\":\"boolean\",\"description\":\"download the security database now\"},"
	  "\"fail_on\":{\"type\":\"string\",\"enum\":[\"any\",\"critical\",\"high\",\"medium\",\"low\"],"
	  "\"description\":\"count the findings at or above this severity in failing\"}},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_NETWORK, aipkg_tool_check_vuln,
	  "Check for vulnerabilities", VULN_OUT },
	{ "pkg.doctor", "Find what is broken on the system, each problem with its cause and the "
	  "command that fixes it: installed files changed or missing (against the installed "
	  "database's checksums), broken dependencies, world entries nothing satisfies, packages "
	  "no repository carries, aipkg's own state, stale caches, free space, fixable "
	  "vulnerabilities; changes nothing",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"refresh\":{\"type\":\"boolean\",\"description\":\"also ask each repository "
	  "over the network whether it answers\"},"
	  "\"rehash\":{\"type\":\"boolean\",\"description\":\"read every file again, even "
	  "those unchanged since they were last found intact\"},"
	  "\"files\":{\"type\":\"boolean\",\"description\":\"check installed files (default "
	  "true)\"},"
	  "\"state\":{\"type\":\"boolean\",\"description\":\"check aipkg's state, caches, "
	  "space and vulnerabilities (default true)\"}},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_NETWORK, aipkg_tool_doctor,
	  "Diagnose the system", DOCTOR_OUT },
	{ "pkg.doctor_fix", "Repair what pkg.doctor finds, through apk, each repair a journalled "
	  "operation that can be rolled back: reinstall packages whose files are damaged, install "
	  "missing dependencies, finish interrupted operations, clean aipkg's state; never "
	  "overwrites configuration the administrator changed unless its path is named",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"targets\":{\"type\":\"array\",\"maxItems\":1000,\"items\":{\"type\":\"string\","
	  "\"maxLength\":4096},\"description\":\"repair only these packages, and these "
	  "configuration files (paths) too\"},"
	  "\"rehash\":{\"type\":\"boolean\",\"description\":\"read every file again\"},"
	  CHANGE_ARGS "},\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK | AIPKG_TOOL_NETWORK, aipkg_tool_doctor_fix,
	  "Repair what doctor finds", DOCTOR_FIX_OUT },
	{ "pkg.history", "List the operations aipkg made, newest first, or one in full",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"one operation in full\"},"
	  "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"at most this many\"},"
	  "\"package\":{\"type\":\"string\",\"maxLength\":256,"
	  "\"description\":\"only operations that changed this package\"},"
	  "\"since\":{\"type\":\"string\",\"maxLength\":64,"
	  "\"description\":\"only operations since this UTC date, YYYY-MM-DD[ HH:MM[:SS]]\"}},"
	  "\"additionalProperties\":false}",
	  0, aipkg_tool_history,
	  "Operation history", HISTORY_OUT },
	{ "pkg.info", "Show a package: version, dependencies, reverse dependencies, provides, "
	  "known vulnerabilities",
	  "{\"type\":\"object\",\"properties\":{\"package\":{\"type\":\"string\",\"maxLength\":256},"
	  "\"files\":{\"type\":\"boolean\",\"description\":\"also the files an installed "
	  "package holds\"}},"
	  "\"required\":[\"package\"],\"additionalProperties\":false}",
	  0, aipkg_tool_info,
	  "Package details", INFO_OUT },
	{ "pkg.install", "Install packages (names or constraints such as curl=8.9.0-r0) with apk",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA "," CHANGE_ARGS ","
	  "\"force\":{\"type\":\"boolean\",\"description\":\"install even known-vulnerable "
	  "versions\"},"
	  "\"upgrade\":{\"type\":\"boolean\",\"description\":\"also upgrade the named packages "
	  "(and what they need) when installed already, as apk add --upgrade\"}},"
	  "\"required\":[\"packages\"],\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK | AIPKG_TOOL_NETWORK, aipkg_tool_install,
	  "Install packages", CHANGE_OUT("") },
	{ "pkg.list", "List installed, upgradable, available or world packages",
	  "{\"type\":\"object\",\"properties\":{\"filter\":{\"type\":\"string\",\"enum\":"
	  "[\"installed\",\"upgradable\",\"available\",\"world\",\"locked\"]},"
	  "\"patterns\":{\"type\":\"array\",\"maxItems\":1000,\"description\":\"only names "
	  "matching one of these, as apk list takes them (a glob with * or ?, case folded; "
	  "else the name exactly)\",\"items\":{\"type\":\"string\",\"maxLength\":256}}},"
	  "\"additionalProperties\":false}",
	  0, aipkg_tool_list,
	  "List packages", PACKAGES_OUT },
	{ "pkg.lock", "Hold installed packages at their installed versions (world constraints "
	  "PKG=VERSION, which plain apk respects too), in one operation",
	  "{\"type\":\"object\",\"properties\":{" LOCK_ARGS "," CHANGE_ARGS "},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK, aipkg_tool_lock,
	  "Hold packages at their versions", CHANGE_OUT("") },
	{ "pkg.recover", "Reconcile operations a crash left pending with the installed database: "
	  "rewrites their journal entries and finishes an interrupted rollback with apk",
	  "{\"type\":\"object\",\"properties\":{" CHANGE_ARGS "},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK, aipkg_tool_recover,
	  "Recover interrupted operations", RECOVER_OUT },
	{ "pkg.remove", "Remove packages; refuses when other installed packages need them",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA ","
	  "\"rdepends\":{\"type\":\"boolean\",\"description\":\"also remove what needs them\"},"
	  CHANGE_ARGS "},\"required\":[\"packages\"],\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK, aipkg_tool_remove,
	  "Remove packages", CHANGE_OUT("") },
	{ "pkg.rollback", "Undo the newest operation not undone yet, or the given one: package "
	  "versions and the world file, from kept package files",
	  "{\"type\":\"object\",\"properties\":{"
	  "\"id\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"the operation to undo\"},"
	  "\"force\":{\"type\":\"boolean\",\"description\":\"even when later operations "
	  "changed the same packages\"}," CHANGE_ARGS "},\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK, aipkg_tool_rollback,
	  "Undo an operation", CHANGE_OUT(",\"undoes\":" INT) },
	{ "pkg.search", "Search package names and provided names (cmd:, so:) as apk search does, "
	  "optionally descriptions",
	  "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"maxLength\":1024,"
	  "\"description\":\"terms separated by blanks, globs allowed; a double-quoted phrase is one term\"},"
	  "\"description\":{\"type\":\"boolean\",\"description\":\"also search descriptions\"},"
	  "\"exact\":{\"type\":\"boolean\",\"description\":\"the name or a provided name equals a term\"}},"
	  "\"required\":[\"query\"],\"additionalProperties\":false}",
	  0, aipkg_tool_search,
	  "Search packages", PACKAGES_OUT },
	{ "pkg.unlock", "Release packages that the lock tool holds, in one operation",
	  "{\"type\":\"object\",\"properties\":{" LOCK_ARGS "," CHANGE_ARGS "},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK, aipkg_tool_unlock,
	  "Release held packages", CHANGE_OUT("") },
	{ "pkg.update", "Refresh the indexes, then upgrade all packages or the named ones",
	  "{\"type\":\"object\",\"properties\":{\"packages\":" PKGS_SCHEMA "," CHANGE_ARGS ","
	  "\"available\":{\"type\":\"boolean\",\"description\":\"as apk upgrade --available: "
	  "replace or downgrade packages no repository has any more, drop checksum pins\"},"
	  "\"refresh_only\":{\"type\":\"boolean\",\"description\":\"only refresh the indexes "
	  "(apk update); upgrade nothing\"}},"
	  "\"additionalProperties\":false}",
	  AIPKG_TOOL_CHANGES | AIPKG_TOOL_APK | AIPKG_TOOL_NETWORK, aipkg_tool_update,
	  "Update packages", CHANGE_OUT(",\"skipped_locked\":{\"type\":\"array\"}") },
	{ "pkg.update_plan", "Assess each upgradable package as the Package Agent would: risk, "
	  "reason, vulnerabilities fixed and the policy's action; changes nothing",
	  "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}",
	  0, aipkg_tool_update_plan,
	  "Assess available updates", UPDATE_PLAN_OUT },
	{ "pkg.who_owns", "Which installed package owns each file (as apk info --who-owns), "
	  "from the installed database",
	  "{\"type\":\"object\",\"properties\":{\"paths\":{\"type\":\"array\",\"maxItems\":1000,"
	  "\"items\":{\"type\":\"string\",\"maxLength\":4096},\"description\":\"absolute "
	  "paths, such as /usr/sbin/nginx\"}},\"required\":[\"paths\"],"
	  "\"additionalProperties\":false}",
	  0, aipkg_tool_who_owns,
	  "Which package owns a file", WHO_OWNS_OUT },
};

const struct aipkg_tool *aipkg_tools(size_t *n)
{
	*n = sizeof(tools) / sizeof(tools[0]);
	return tools;
}

const char *aipkg_tool_mcp_name(const struct aipkg_tool *tool, char *buf, size_t size)
{
	char *dot;

	snprintf(buf, size, "%s", tool->name);
	if ((dot = strchr(buf, '.')))
		*dot = '_';
	return buf;
}

const struct aipkg_tool *aipkg_tool_find(const char *name)
{
	char mcp_name[64];

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i].name, name) == 0 ||
		    strcmp(aipkg_tool_mcp_name(&tools[i], mcp_name, sizeof(mcp_name)), name) == 0)
			return &tools[i];
	return NULL;
}

static void tell_recovered(struct aipkg_ctx *ctx, const json_t *report)
{
	const json_t *e;
	size_t i;

	json_array_foreach(report, i, e)
		aipkg_ctx_warn(ctx, "operation %lld ('%s') had been interrupted; reconciled with the "
				    "installed database, it is now '%s' (see 'aipkg history %lld')",
			       (long long)json_integer_value(json_object_get(e, "id")),
			       json_string_value(json_object_get(e, "command")),
			       json_string_value(json_object_get(e, "status")),
			       (long long)json_integer_value(json_object_get(e, "id")));
}

/* A change holds the state lock, and first reconciles an operation a crash
 * left pending, so that operation's changes are not taken for its own;
 * *recovered gets the entries reconciled. */
static int change_prepare(struct aipkg_ctx *ctx, json_t **recovered)
{
	int r = aipkg_statelock_acquire(ctx);

	if (r == 0)
		r = aipkg_journal_recover(ctx, false, recovered);
	tell_recovered(ctx, *recovered);
	return r;
}

/* A failure that came from apk carries what apk's output means (and, with
 * a tactical model configured, the model's advice), for whoever reads it. */
static void attach_diagnosis(struct aipkg_ctx *ctx, json_t **result)
{
	char *msg;

	if (!ctx->diagnosis)
		return;
	msg = strdup(aipkg_ctx_errmsg(ctx)); /* asking a model must not replace the error */
	if (!ctx->no_advice)
		aipkg_doctor_advise(ctx, ctx->diagnosis);
	if (msg)
		aipkg_ctx_fail(ctx, 0, "%s", msg);
	free(msg);
	if (!*result)
		*result = json_object();
	json_object_set(*result, "diagnosis", ctx->diagnosis);
}

static bool locks(const struct aipkg_ctx *ctx, const struct aipkg_tool *tool, const json_t *args)
{
	return (tool->flags & AIPKG_TOOL_CHANGES) && !ctx->opts.dry_run &&
	       !aipkg_arg_bool(args, "dry_run") && ctx->lock_fd < 0;
}

int aipkg_tool_begin(struct aipkg_ctx *ctx, const struct aipkg_tool *tool, json_t *args,
		     bool *locked, json_t **recovered)
{
	json_t *rec = NULL;
	int r;

	*locked = false;
	aipkg_buf_reset(&ctx->err); /* no detail of an earlier call */
	r = aipkg_tool_check(ctx, tool, args);
	if (r == 0)
		r = aipkg_ctx_need_alpine(ctx);
	/* a user who cannot change the system hears it first, before any plan;
	 * recover reconciles every pending entry itself, and reports them */
	if (r == 0 && locks(ctx, tool, args) && (r = aipkg_ctx_may_change(ctx)) == 0) {
		*locked = true;
		r = tool->run == aipkg_tool_recover ? aipkg_statelock_acquire(ctx)
						     : change_prepare(ctx, &rec);
	} else if (r == 0 && tool->run != aipkg_tool_recover) {
		aipkg_journal_check_pending(ctx); /* read-only: never waits */
	}
	if (recovered)
		*recovered = rec;
	else
		json_decref(rec);
	return r;
}

int aipkg_tool_call(struct aipkg_ctx *ctx, const char *name, json_t *args, json_t **result)
{
	const struct aipkg_tool *tool = aipkg_tool_find(name);
	json_t *empty = NULL, *recovered = NULL;
	bool locked = false;
	int r;

	*result = NULL;
	aipkg_buf_reset(&ctx->err); /* no detail of an earlier call */
	json_decref(ctx->diagnosis);
	ctx->diagnosis = NULL;
	ctx->no_advice = false;
	if (!tool)
		return aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "unknown tool '%s' (see 'aipkg tool --list')",
				      name);
	if (!args)
		args = empty = json_object();
	r = aipkg_tool_begin(ctx, tool, args, &locked, &recovered);
	if (r == 0)
		r = tool->run(ctx, args, result);
	if (r < 0)
		attach_diagnosis(ctx, result);
	/* what was reconciled before the call is part of its answer */
	if (json_array_size(recovered) && json_is_object(*result))
		json_object_set(*result, "recovered", recovered);
	if (locked)
		aipkg_statelock_release(ctx);
	json_decref(recovered);
	json_decref(empty);
	return r;
}

bool aipkg_tool_unconfirmed(const struct aipkg_ctx *ctx, const struct aipkg_tool *tool,
			    const json_t *args)
{
	if (!(tool->flags & AIPKG_TOOL_CHANGES) || ctx->opts.yes || ctx->opts.dry_run)
		return false;
	return !aipkg_arg_bool(args, "confirm") && !aipkg_arg_bool(args, "dry_run");
}
