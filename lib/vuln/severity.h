/* CVE severities from a CVSS source the user names (vuln.severity): NVD's API or a JSON file. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_VULN_SEVERITY_H
#define AIPKG_VULN_SEVERITY_H

#include <jansson.h>
#include <stdbool.h>

struct aipkg_ctx;

/* Ordered: a higher value is worse.  UNKNOWN is what secdb alone gives. */
enum aipkg_severity {
	AIPKG_SEV_UNKNOWN = 0,
	AIPKG_SEV_NONE,
	AIPKG_SEV_LOW,
	AIPKG_SEV_MEDIUM,
	AIPKG_SEV_HIGH,
	AIPKG_SEV_CRITICAL,
};

/* At most this many CVEs are looked up over the network per run; the rest
 * stay unknown until a later run (NVD allows 5 requests in 30 s without a
 * key).  Answers are cached. */
#define AIPKG_SEVERITY_LOOKUPS 10

/* "critical", "high", "medium", "low", "none", "unknown". */
const char *aipkg_severity_name(enum aipkg_severity s);

/* A name in any case ("HIGH", "moderate" = medium, "important" = high), or
 * -1 when it is none of them. */
int aipkg_severity_parse(const char *s);

/* CVSS v3 ranges: 0 none, <4 low, <7 medium, <9 high, else critical. */
enum aipkg_severity aipkg_severity_from_score(double score);

/*
 * Does a finding of severity S count for --fail-on / vuln.fail_on LEVEL?
 * "any" counts everything, "never" nothing; an UNKNOWN severity counts for
 * every level (it may be critical: aipkg fails closed).
 */
bool aipkg_severity_counts(enum aipkg_severity s, const char *level);

/*
 * Read severities from DOC into MAP (id -> name): either an NVD API 2.0
 * answer ({"vulnerabilities":[{"cve":{"id","metrics":{...}}}]}) or a plain
 * object {"CVE-...": "high" | 7.5 | {"severity": "high", "score": 7.5}}.
 * Returns how many were read.
 */
size_t aipkg_severity_read_doc(const json_t *doc, json_t *map);

/*
 * The severities of IDS (a JSON array of ids) from vuln.severity, as a new
 * object id -> name holding the ids whose severity is known.  NETWORK
 * allows looking up (at most AIPKG_SEVERITY_LOOKUPS) CVEs not cached yet.
 * Never fails: a source that cannot be read is a warning, and its ids stay
 * unknown.  NULL only when out of memory, or when no source is configured.
 */
json_t *aipkg_severity_lookup(struct aipkg_ctx *ctx, const json_t *ids, bool network);

#endif
