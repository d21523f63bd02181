/* The agent's own files: deferred updates and last run's vulnerabilities, and the reports. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "ctx.h"
#include "fileio.h"
#include "url.h"
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

/* A URL quoted in a report (a repository, a server that failed) keeps no
 * password or token: reports go to cron mail and webhooks. */
static void report_mask(char **doc, struct aipkg_buf *text)
{
	char *masked = *doc ? aipkg_url_mask_text(*doc) : NULL;

	if (masked) {
		free(*doc);
		*doc = masked;
	}
	masked = text->len ? aipkg_url_mask_text(aipkg_buf_str(text)) : NULL;
	if (masked) {
		aipkg_buf_reset(text);
		aipkg_buf_addstr(text, masked);
		free(masked);
	}
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
	report_mask(&doc, &t);
	/* 0600: a report quotes what apk, a check or a notification said,
	 * which no other user needs to read */
	if (r == 0 && doc)
		r = aipkg_file_write_atomic_mode(json, doc, strlen(doc), 0600);
	if (r == 0)
		r = aipkg_file_write_atomic_mode(txt, aipkg_buf_str(&t), t.len, 0600);
	if (r < 0 && r != -AIPKG_E_JOURNAL)
		aipkg_ctx_fail(ctx, r, "cannot write the report %s: %s", json ? json : "", strerror(-r));
	if (text)
		aipkg_buf_addstr(text, aipkg_buf_str(&t));
	aipkg_buf_release(&t);
	free(doc);
	free(json);
	free(txt);
	return r;
}
