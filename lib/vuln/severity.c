/* CVE severities from vuln.severity: a local JSON file, or NVD's API with a cache of answers. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "fileio.h"
#include "http.h"
#include "vuln/db.h"
#include "vuln/severity.h"

#define CACHE_FILE  "var/lib/aipkg/secdb/severity.json"
#define KNOWN_TTL   (30 * 86400) /* severities rarely change */
#define UNKNOWN_TTL 86400	 /* NVD had no score yet: ask again tomorrow */
#define FILE_MAX    ((size_t)256 << 20)

static const char *const names[] = {"unknown", "none", "low", "medium", "high", "critical"};

const char *aipkg_severity_name(enum aipkg_severity s)
{
	return s <= AIPKG_SEV_CRITICAL ? names[s] : "unknown";
}

int aipkg_severity_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = AIPKG_SEV_NONE; i <= AIPKG_SEV_CRITICAL; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	if (strcasecmp(s, "moderate") == 0)
		return AIPKG_SEV_MEDIUM;
	if (strcasecmp(s, "important") == 0)
		return AIPKG_SEV_HIGH;
	return -1;
}

enum aipkg_severity aipkg_severity_from_score(double score)
{
	if (score <= 0)
		return AIPKG_SEV_NONE;
	if (score < 4)
		return AIPKG_SEV_LOW;
	if (score < 7)
		return AIPKG_SEV_MEDIUM;
	return score < 9 ? AIPKG_SEV_HIGH : AIPKG_SEV_CRITICAL;
}

bool aipkg_severity_counts(enum aipkg_severity s, const char *level)
{
	int min;

	if (!level || strcmp(level, "never") == 0)
		return false;
	if (strcmp(level, "any") == 0 || s == AIPKG_SEV_UNKNOWN)
		return true;
	min = aipkg_severity_parse(level);
	return min >= 0 && (int)s >= min;
}

/* ---- documents ---- */

/* {"cvssData":{"baseSeverity","baseScore"}} (v3, v4) or {"baseSeverity"} (v2). */
static int metric_severity(const json_t *m)
{
	const json_t *data = json_object_get(m, "cvssData");
	int s = aipkg_severity_parse(json_string_value(json_object_get(data, "baseSeverity")));
	const json_t *score = json_object_get(data, "baseScore");

	if (s < 0)
		s = aipkg_severity_parse(json_string_value(json_object_get(m, "baseSeverity")));
	if (s < 0 && json_is_number(score))
		s = (int)aipkg_severity_from_score(json_number_value(score));
	return s;
}

/* NVD's primary score first, from the newest CVSS version it gives. */
static int nvd_severity(const json_t *metrics)
{
	static const char *const lists[] = {"cvssMetricV31", "cvssMetricV40", "cvssMetricV30",
					    "cvssMetricV2"};
	int found = -1;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && found < 0; i++) {
		const json_t *list = json_object_get(metrics, lists[i]), *m;
		size_t k;

		json_array_foreach(list, k, m)
		{
			const char *type = json_string_value(json_object_get(m, "type"));
			int s = metric_severity(m);

			if (s >= 0 && (found < 0 || (type && strcmp(type, "Primary") == 0)))
				found = s;
		}
	}
	return found;
}

static size_t read_nvd(const json_t *vulns, json_t *map)
{
	const json_t *v;
	size_t i, n = 0;

	json_array_foreach(vulns, i, v)
	{
		const json_t *cve = json_object_get(v, "cve");
		const char *id = json_string_value(json_object_get(cve, "id"));
		int s = nvd_severity(json_object_get(cve, "metrics"));

		if (id && s >= 0) {
			json_object_set_new(map, id, json_string(aipkg_severity_name(s)));
			n++;
		}
	}
	return n;
}

static int value_severity(const json_t *v)
{
	if (json_is_string(v))
		return aipkg_severity_parse(json_string_value(v));
	if (json_is_number(v))
		return (int)aipkg_severity_from_score(json_number_value(v));
	if (!json_is_object(v))
		return -1;
	if (json_object_get(v, "severity"))
		return value_severity(json_object_get(v, "severity"));
	return json_is_number(json_object_get(v, "score"))
		   ? value_severity(json_object_get(v, "score"))
		   : -1;
}

size_t aipkg_severity_read_doc(const json_t *doc, json_t *map)
{
	const json_t *vulns = json_object_get(doc, "vulnerabilities"), *v;
	const char *id;
	size_t n = 0;

	if (json_is_array(vulns))
		return read_nvd(vulns, map);
	json_object_foreach((json_t *)doc, id, v)
	{
		int s = value_severity(v);

		if (s >= 0) {
			json_object_set_new(map, id, json_string(aipkg_severity_name(s)));
			n++;
		}
	}
	return n;
}

/* ---- sources ---- */

static bool is_local(const char *src)
{
	return src[0] == '/' || strncasecmp(src, "file://", 7) == 0;
}

static json_t *from_file(struct aipkg_ctx *ctx, const char *src)
{
	const char *path = strncasecmp(src, "file://", 7) == 0 ? src + 7 : src;
	json_t *map = json_object(), *doc;
	json_error_t jerr;

	doc = json_load_file(path, 0, &jerr);
	if (!doc)
		aipkg_ctx_warn(ctx, "vuln.severity: cannot read %s: %s; severities are unknown",
			       path, jerr.text);
	else if (!json_is_object(doc) || !aipkg_severity_read_doc(doc, map))
		aipkg_ctx_warn(ctx,
			       "vuln.severity: %s holds no severities (see aipkg.yaml(5)); "
			       "severities are unknown",
			       path);
	json_decref(doc);
	return map;
}

/* The NVD answers cached for SRC: {"url", "entries": {id: {"severity","checked_at"}}}. */
static json_t *cache_read(const char *path, const char *src)
{
	json_t *c = json_load_file(path, 0, NULL);
	const char *url = json_string_value(json_object_get(c, "url"));

	if (!c || !url || strcmp(url, src) != 0 || !json_is_object(json_object_get(c, "entries"))) {
		json_decref(c);
		c = json_pack("{s:s, s:{}}", "url", src, "entries");
	}
	return c;
}

static int cache_write(const char *path, const json_t *cache)
{
	char *text = json_dumps(cache, JSON_COMPACT);
	int r = text ? aipkg_vuln_mkdir_for(path) : -ENOMEM;

	if (r == 0)
		r = aipkg_file_write_atomic(path, text, strlen(text));
	free(text);
	return r;
}

static bool entry_fresh(const json_t *e, time_t now)
{
	time_t at = (time_t)json_integer_value(json_object_get(e, "checked_at"));
	bool known = json_is_string(json_object_get(e, "severity"));

	return e && now - at < (known ? KNOWN_TTL : UNKNOWN_TTL);
}

/* Ask the NVD-compatible API at SRC about one CVE. */
static int nvd_ask(struct aipkg_ctx *ctx, const char *src, const char *id, int *sev)
{
	struct aipkg_http_request req = {0};
	struct aipkg_http_response res;
	struct aipkg_buf url = AIPKG_BUF_INIT;
	json_t *doc, *map = json_object();
	int r;

	aipkg_buf_addf(&url, "%s%scveId=%s", src, strchr(src, '?') ? "&" : "?", id);
	req.url = aipkg_buf_str(&url);
	req.timeout =
	    ctx->cfg.vuln_timeout > 0 && ctx->cfg.vuln_timeout < 30 ? ctx->cfg.vuln_timeout : 30;
	req.max_body = 16 << 20;
	r = aipkg_http_fetch(ctx, &req, &res);
	doc = r == 0 ? json_loadb(res.body.data, res.body.len, 0, NULL) : NULL;
	if (r == 0 && !json_is_object(doc))
		r = aipkg_ctx_fail(ctx, -AIPKG_E_CORRUPT, "%s: the answer is not JSON", src);
	if (r == 0 && aipkg_severity_read_doc(doc, map))
		*sev = aipkg_severity_parse(json_string_value(json_object_get(map, id)));
	json_decref(doc);
	json_decref(map);
	aipkg_http_response_release(&res);
	aipkg_buf_release(&url);
	return r;
}

/* A CVE id the cache has no recent answer for. */
static bool wanted(const char *id, const json_t *entries, time_t now)
{
	return id && strncmp(id, "CVE-", 4) == 0 && !entry_fresh(json_object_get(entries, id), now);
}

/* Look up to AIPKG_SEVERITY_LOOKUPS ids that the cache lacks; stop at the
 * first failure (offline, rate-limited) and say so once.  true when
 * ENTRIES may have changed. */
static bool nvd_update(struct aipkg_ctx *ctx, const char *src, const json_t *ids, json_t *entries)
{
	time_t now = time(NULL);
	size_t asked = 0, left = 0, i;
	const json_t *v;

	json_array_foreach(ids, i, v)
	{
		const char *id = json_string_value(v);
		int sev = -1, r;

		if (!wanted(id, entries, now))
			continue;
		if (asked++ >= AIPKG_SEVERITY_LOOKUPS) {
			left++;
			continue;
		}
		r = nvd_ask(ctx, src, id, &sev);
		if (r < 0) {
			aipkg_ctx_warn(ctx,
				       "vuln.severity: %s; severities not cached yet are unknown",
				       aipkg_ctx_why(ctx, r));
			break;
		}
		json_object_set_new(entries, id,
				    json_pack("{s:s?, s:I}", "severity",
					      sev >= 0 ? aipkg_severity_name(sev) : NULL,
					      "checked_at", (json_int_t)now));
	}
	if (left)
		aipkg_ctx_note(ctx, "vuln.severity: %zu more CVEs are looked up on later runs",
			       left);
	return asked > 0;
}

static json_t *from_nvd(struct aipkg_ctx *ctx, const char *src, const json_t *ids, bool network)
{
	char *path = aipkg_ctx_path(ctx, CACHE_FILE);
	json_t *cache = path ? cache_read(path, src) : NULL, *entries, *e, *map = json_object();
	const char *id;
	int r;

	entries = json_object_get(cache, "entries");
	if (network && cache && nvd_update(ctx, src, ids, entries) &&
	    (r = cache_write(path, cache)) < 0)
		aipkg_ctx_warn(ctx, "vuln.severity: cannot write %s: %s", path, strerror(-r));
	json_object_foreach(entries, id, e)
	{
		if (json_is_string(json_object_get(e, "severity")))
			json_object_set(map, id, json_object_get(e, "severity"));
	}
	json_decref(cache);
	free(path);
	return map;
}

json_t *aipkg_severity_lookup(struct aipkg_ctx *ctx, const json_t *ids, bool network)
{
	const char *src = ctx->cfg.vuln_severity;

	if (!src || !*src)
		return NULL;
	if (is_local(src))
		return from_file(ctx, src);
	if (!aipkg_http_url_supported(src)) {
		aipkg_ctx_warn(ctx,
			       "vuln.severity must be a file or an http(s) URL, not '%s'; "
			       "severities are unknown",
			       src);
		return json_object();
	}
	return from_nvd(ctx, src, ids, network);
}
