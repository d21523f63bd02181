/* The agent's own files: deferred updates and last run's vulnerabilities, and the reports. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

static char *agent_path(struct aipkg_ctx *ctx, const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "var/lib/aipkg/agent/%s.json", name);
	return aipkg_ctx_path(ctx, rel);
}

json_t *aipkg_agent_load(struct aipkg_ctx *ctx, const char *name)
{
	char *path = agent_path(ctx, name);
	json_t *doc = path ? json_load_file(path, 0, NULL) : NULL;

	free(path);
	return doc;
}

int aipkg_agent_save(struct aipkg_ctx *ctx, const char *name, const json_t *doc)
{
	char *path = NULL, *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int r = aipkg_statedir_make(ctx, "agent");

	if (r == 0 && !(path = agent_path(ctx, name)))
		r = -ENOMEM;
	if (r == 0 && text)
		r = aipkg_file_write_atomic(path, text, strlen(text));
	if (r < 0 && r != -AIPKG_E_JOURNAL)
		aipkg_ctx_fail(ctx, r, "cannot write %s: %s", path ? path : name, strerror(-r));
	free(path);
	free(text);
	return r;
}

json_t *aipkg_agent_deferred(struct aipkg_ctx *ctx)
{
	json_t *d = aipkg_agent_load(ctx, "deferred");

	if (json_is_array(d))
		return d;
	json_decref(d);
	return json_array();
}

/* "20261124T101502Z" from "2026-11-24T10:15:02Z". */
static void stamp_of(const char *iso, char *out, size_t size)
{
	size_t k = 0;

	for (const char *c = iso; *c && k + 1 < size; c++)
		if (*c != '-' && *c != ':')
			out[k++] = *c;
	out[k] = '\0';
}

/* REPORTS/STAMP[-N].EXT names that do not exist yet. */
static int report_paths(struct aipkg_ctx *ctx, const char *stamp, char **json, char **txt)
{
	char rel[256];

	for (int n = 1; n < 100; n++) {
		snprintf(rel, sizeof(rel), "var/lib/aipkg/reports/%s%s%.0d.json", stamp,
			 n > 1 ? "-" : "", n > 1 ? n : 0);
		*json = aipkg_ctx_path(ctx, rel);
		if (!*json)
			return -ENOMEM;
		if (access(*json, F_OK) < 0)
			break;
		free(*json);
		*json = NULL;
	}
	if (!*json)
		return -EEXIST;
	*txt = strdup(*json);
	if (!*txt)
		return -ENOMEM;
	memcpy(*txt + strlen(*txt) - 4, "txt", 4);
	return 0;
}

/* The time a report's name says it was written ("20261124T101502Z[-N].json"
 * or ".txt"), or -1 for a name no report has. */
static long long report_time(const char *name)
{
	char iso[32];
	size_t n = strspn(name, "0123456789TZ"), rest;

	if (n != 16 || name[8] != 'T' || name[15] != 'Z')
		return -1;
	rest = name[n] == '-' ? n + 1 + strspn(name + n + 1, "0123456789") : n;
	if (strcmp(name + rest, ".json") != 0 && strcmp(name + rest, ".txt") != 0)
		return -1;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", name, name + 4, name + 6,
		 name + 9, name + 11, name + 13);
	return aipkg_jentry_parse_time(iso);
}

int aipkg_agent_reports_prune(struct aipkg_ctx *ctx, time_t now)
{
	long long keep = (long long)ctx->cfg.agent.keep_reports * 86400;
	char *dir = aipkg_ctx_path(ctx, "var/lib/aipkg/reports");
	int fd = dir && keep > 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int removed = 0;

	if (fd >= 0 && !d)
		close(fd);
	while (d && (e = readdir(d))) {
		long long t = report_time(e->d_name);

		/* a name that is no report's is not ours to remove */
		if (t < 0 || now - t <= keep)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
		else
			aipkg_ctx_warn(ctx, "cannot remove the old report %s/%s: %s", dir, e->d_name,
				       strerror(errno));
	}
	if (d)
		closedir(d);
	if (removed)
		aipkg_ctx_note(ctx, "removed %d report file%s older than %ld day%s "
				    "(agent.keep_reports)",
			       removed, aipkg_plural(removed, "", "s"), ctx->cfg.agent.keep_reports,
			       aipkg_plural(ctx->cfg.agent.keep_reports, "", "s"));
	free(dir);
	return removed;
}

int aipkg_agent_report_write(struct aipkg_ctx *ctx, json_t *report, struct aipkg_buf *text)
{
	char stamp[32], *json = NULL, *txt = NULL, *doc;
	struct aipkg_buf t = AIPKG_BUF_INIT;
	int r = aipkg_statedir_make(ctx, "reports");

	stamp_of(json_string_value(json_object_get(report, "time")), stamp, sizeof(stamp));
	if (r == 0)
		r = report_paths(ctx, stamp, &json, &txt);
	if (r == 0)
		json_object_set_new(report, "files", json_pack("{s:s, s:s}", "json", json, "text", txt));
	aipkg_agent_report_text(report, &t);
	doc = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	/* 0600: a report quotes what apk, a check or a notification said,
	 * which no other user needs to read */
	if (r == 0 && doc)
		r = aipkg_file_write_atomic_mode(json, doc, strlen(doc), 0600);
	if (r == 0)
		r = aipkg_file_write_atomic_mode(txt, aipkg_buf_str(&t), t.len, 0600);
	/* (a state directory refused or not made has its message already) */
	if (r < 0 && json)
		aipkg_ctx_fail(ctx, r, "cannot write the report %s: %s", json, aipkg_strerror(r));
	if (text)
		aipkg_buf_addstr(text, aipkg_buf_str(&t));
	aipkg_buf_release(&t);
	free(doc);
	free(json);
	free(txt);
	return r;
}
