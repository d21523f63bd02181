/* Alpine's security database (secdb): the JSON, the index aipkg keeps, lookups by origin. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_VULN_SECDB_H
#define AIPKG_VULN_SECDB_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * secdb files ("main.json", "community.json" of a branch) list, per origin
 * package, the versions that fixed vulnerabilities:
 *
 *	{"packages":[{"pkg":{"name":"openssl",
 *	  "secfixes":{"3.3.2-r0":["CVE-2024-6119"], "0":["CVE-2022-1343"]}}}],
 *	 "distroversion":"v3.20", "reponame":"main", "archs":[...], ...}
 *
 * The fixed version "0" lists vulnerabilities that never affected Alpine's
 * package.  Parsing the JSON of a whole branch takes tens of milliseconds,
 * so a downloaded file is compiled once into a line-based index that loads
 * in a few:
 *
 *	aipkg-secdb-index 1
 *	stamp STAMP
 *	packages N
 *	skipped N [ORIGIN VERSION]
 *	<empty line>
 *	ORIGIN \t VERSION \t ID ID ...     (sorted by origin)
 */

/* One fixed version of one origin and the ids it fixed. */
struct aipkg_secfix {
	const char *origin;
	const char *version; /* a valid apk version, or "0" */
	const char *ids;     /* vulnerability ids separated by single spaces, never empty */
};

/* The loaded index of one or more secdb files.  Strings point into texts. */
struct aipkg_secdb {
	struct aipkg_secfix *fixes; /* sorted by origin after aipkg_secdb_finish() */
	size_t n, cap;
	char **texts; /* owned index texts */
	size_t ntexts;
	size_t packages;	   /* package entries in the files */
	size_t skipped_invalid;	   /* fixed versions that are not valid apk versions */
	char skipped_example[160]; /* "mariadb 10.2.24.r0": the first one, for messages */
};

void aipkg_secdb_init(struct aipkg_secdb *db);
void aipkg_secdb_release(struct aipkg_secdb *db);

/*
 * Check secdb JSON (LEN bytes at JSON) and append its compiled index to
 * OUT, with STAMP (one word, no blanks) in the header.  Fixed versions
 * that are not valid apk versions are skipped and counted.  A document
 * that is not JSON or not shaped like a secdb file fails with
 * -AIPKG_E_CORRUPT and the reason ("line 3: ...", "packages[7].pkg.name:
 * not a string") in WHY.
 */
int aipkg_secdb_compile(const char *json, size_t len, const char *stamp, struct aipkg_buf *out,
			struct aipkg_buf *why);

/*
 * Add an index TEXT of LEN bytes followed by a NUL (as an aipkg_buf's
 * data is), which DB takes over (also on failure).
 * When WANT_STAMP is not NULL the header's stamp must equal it, else
 * -ESTALE.  -AIPKG_E_CORRUPT for anything that is not such an index.
 */
int aipkg_secdb_add_index(struct aipkg_secdb *db, char *text, size_t len, const char *want_stamp);

/* Sort after the last aipkg_secdb_add_index(), for aipkg_secdb_find(). */
void aipkg_secdb_finish(struct aipkg_secdb *db);

/* The fixes of ORIGIN (*n of them, in file order), or NULL. */
const struct aipkg_secfix *aipkg_secdb_find(const struct aipkg_secdb *db, const char *origin,
					    size_t *n);

/*
 * The ids to report from one secdb entry, such as "CVE-2017-12122
 * TALOS-2017-0488", "CVE_2019-2426" or "XSA-247", appended to OUT
 * space-separated: every CVE id it holds (spelled CVE-YYYY-N), or when there
 * is none its first other id.  Returns how many were added.
 */
size_t aipkg_secdb_ids(const char *entry, struct aipkg_buf *out);

/* Does the space-separated list IDS hold ID? */
bool aipkg_secdb_ids_has(const char *ids, struct aipkg_slice id);

#endif
