/* The Package Agent's read-only tools: pkg.update_plan (the risk of each upgrade) and pkg.agent_status. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "apk/state.h"
#include "ctx.h"
#include "tools/tools.h"
#include "vuln/db.h"

int aipkg_tool_update_plan(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	struct aipkg_vuln_db db = { 0 };
	struct aipkg_state *st;
	bool have_db;
	int r;

	st = aipkg_ctx_state(ctx, &r);
	if (!st)
		return r;
	/* the cached secdb only: a plan changes nothing and works offline */
	have_db = aipkg_vuln_db_open(ctx, st, AIPKG_VULN_CACHE_ONLY, &db) == 0;
	*result = json_pack("{s:o, s:b}", "packages",
			    aipkg_agent_plan(ctx, st, have_db ? &db.secdb : NULL, time(NULL)),
			    "security_data", have_db);
	aipkg_vuln_db_release(&db);
	return 0;
}

/* Order report names STAMP.json, STAMP-2.json, ... STAMP-10.json by time,
 * then by the run's number within that second (plain strcmp puts "-2"
 * before ".json" and "-10" before "-2"). */
static int report_cmp(const char *a, const char *b)
{
	size_t la = strcspn(a, "-."), lb = strcspn(b, "-.");
	int c = la == lb ? strncmp(a, b, la) : (la > lb) - (la < lb);
	long na = a[la] == '-' ? strtol(a + la + 1, NULL, 10) : 1;
	long nb = b[lb] == '-' ? strtol(b + lb + 1, NULL, 10) : 1;

	return c ? c : (na > nb) - (na < nb);
}

/* The newest report's JSON file name under DIR, malloc'd, or NULL. */
static char *newest_report(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *best = NULL;

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		if (!best || report_cmp(e->d_name, best) > 0) {
			free(best);
			best = strdup(e->d_name);
		}
	}
	if (d)
		closedir(d);
	return best;
}

static json_t *last_report(struct aipkg_ctx *ctx)
{
	char *dir = aipkg_ctx_path(ctx, "var/lib/aipkg/reports"), *name = NULL, *path = NULL;
	json_t *full = NULL, *out = json_null();

	if (dir && (name = newest_report(dir)) && asprintf(&path, "%s/%s", dir, name) > 0)
		full = json_load_file(path, 0, NULL);
	if (json_is_object(full))
		out = json_pack("{s:O?, s:O?, s:O?, s:O?, s:s}", "time", json_object_get(full, "time"),
				"status", json_object_get(full, "status"), "summary",
				json_object_get(full, "summary"), "errors",
				json_object_get(full, "errors"), "file", path);
	json_decref(full);
	free(dir);
	free(name);
	free(path);
	return out ? out : json_null();
}

int aipkg_tool_agent_status(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	char *cron = aipkg_ctx_path(ctx, "etc/periodic/daily/aipkg");

	*result = json_pack("{s:o, s:o, s:b}", "deferred", aipkg_agent_deferred(ctx), "last_run",
			    last_report(ctx), "cron", cron && access(cron, X_OK) == 0);
	free(cron);
	return 0;
}
