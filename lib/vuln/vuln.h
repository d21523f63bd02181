/* Vulnerabilities as the pkg.* tools need them: scans, the check before installs, info. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_VULN_VULN_H
#define AIPKG_VULN_VULN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct aipkg_ctx;
struct aipkg_state;
struct aipkg_pkg;

/* The level installs are refused at when vuln.fail_on is not set. */
#define AIPKG_VULN_FAIL_ON_DEFAULT "high"

struct aipkg_vuln_scan {
	const char *const *packages; /* names to check; NULL: every installed package */
	size_t npackages;
	bool refresh;	     /* download the secdb now */
	const char *fail_on; /* any|critical|high|medium|low, or NULL */
};

/*
 * Check installed packages (or the named ones: installed, else their newest
 * available version) against the secdb, refreshed as vuln.max_age says.
 * *result, a new object:
 *   {"vulnerabilities":[{"package","version","origin","cve","fixed_in",
 *     "fix_available":bool,"severity","installed":bool}],
 *    "scanned":N, "skipped_invalid":N, "severity_source":S|null,
 *    "secdb":{"branch","source","fetched_at","age_seconds","offline":bool},
 *    "fail_on":LEVEL|null, "failing":N}
 * "failing" counts the findings at or above FAIL_ON (an unknown severity
 * counts).  Errors: no secdb and none could be downloaded (the download's
 * error), -AIPKG_E_NOPKG for a name nobody offers, -AIPKG_E_BADNAME.
 */
int aipkg_vuln_scan(struct aipkg_ctx *ctx, const struct aipkg_vuln_scan *scan, json_t **result);

/* What aipkg_vuln_check_plan() does with what it finds. */
enum aipkg_vuln_plan_mode {
	AIPKG_VULN_PLAN_REFUSE, /* an install: refuse at or above vuln.fail_on */
	AIPKG_VULN_PLAN_FORCE,  /* the user said --force: warn, saying so, and go on */
	AIPKG_VULN_PLAN_REPORT, /* the caller decides (a request's strategic model):
				   findings only in EXTRA, no warning, no refusal */
};

/*
 * The check before an install: the packages apk's PLAN (a changes array)
 * would install or upgrade, against the cached secdb (never downloaded
 * here, so installs stay fast and work offline).  Sets "vulnerabilities" in
 * EXTRA (null when it could not check).  With no secdb ever cached: one
 * warning, and the install goes on.  A cache aipkg wrote that cannot be
 * read is never a reason to skip the check (fail closed): -AIPKG_E_CORRUPT
 * unless MODE is FORCE.  Then, as MODE says: warns about each vulnerable
 * package and returns -AIPKG_E_VULNERABLE when one is at or above
 * vuln.fail_on (REFUSE), warns saying --force (FORCE), or only reports.
 */
int aipkg_vuln_check_plan(struct aipkg_ctx *ctx, const struct aipkg_state *st, const json_t *plan,
			  enum aipkg_vuln_plan_mode mode, json_t *extra);

/* Does the newest version of NAME in ST's indexes reach FIXED (a fixed
 * version from the secdb)? */
bool aipkg_vuln_fix_available(const struct aipkg_state *st, const char *name, const char *fixed);

/* PKG's known vulnerabilities from the cached secdb, as a new array of the
 * objects aipkg_vuln_scan() returns, or JSON null when none is cached. */
json_t *aipkg_vuln_package(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			   const struct aipkg_pkg *pkg);

#endif
