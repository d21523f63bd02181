/* Matching a package version against the secdb: origin, apk's version order, the "0" rule. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_VULN_MATCH_H
#define AIPKG_VULN_MATCH_H

#include "buf.h"
#include "vuln/secdb.h"

/* One vulnerability of one package version. */
struct aipkg_vuln_hit {
	struct aipkg_slice id; /* "CVE-2024-6119", pointing into the db */
	const char *fixed_in;  /* the lowest fixed version above the package's */
};

/*
 * The vulnerabilities of a package built from ORIGIN at VERSION: every id
 * listed under a fixed version that VERSION is lower than (in apk's
 * order), once, with the lowest such version.  Ids listed under the fixed
 * version "0" never affected Alpine's package and are never returned.  An
 * origin the secdb does not know, or an invalid VERSION, has none.
 * *hits is malloc'd (NULL when *n is 0) and freed by the caller; -ENOMEM is
 * the only failure.
 */
int aipkg_vuln_match(const struct aipkg_secdb *db, const char *origin, const char *version,
		     struct aipkg_vuln_hit **hits, size_t *n);

#endif
