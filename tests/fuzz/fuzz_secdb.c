/* Fuzz target: secdb JSON, the index compiled from it, and lookups in that index. */
/* SPDX-License-Identifier: MIT */
#include "fuzz.h"
#include "vuln/secdb.h"

static void lookup(struct aipkg_secdb *db)
{
	struct aipkg_buf ids = AIPKG_BUF_INIT;

	for (size_t i = 0; i < db->n; i++) {
		size_t n;

		if (!aipkg_secdb_find(db, db->fixes[i].origin, &n) || n == 0)
			abort(); /* every origin of the index must be found again */
		aipkg_buf_reset(&ids);
		aipkg_secdb_ids(db->fixes[i].ids, &ids);
		aipkg_secdb_ids_has(db->fixes[i].ids, aipkg_slice_str("CVE-2024-1"));
	}
	aipkg_buf_release(&ids);
}

/* The first byte chooses JSON (compiled, then loaded) or a raw index text:
 * the cache file is as untrusted as the download. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_buf out = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;
	struct aipkg_secdb db;

	if (size < 1)
		return 0;
	aipkg_secdb_init(&db);
	if (data[0] & 1) {
		if (aipkg_secdb_compile((const char *)data + 1, size - 1, "s1", &out, &why) == 0) {
			size_t len = out.len;

			if (aipkg_secdb_add_index(&db, aipkg_buf_detach(&out), len, "s1") != 0)
				abort(); /* what we compile we must be able to load */
		}
	} else {
		aipkg_secdb_add_index(&db, fuzz_strdup(data + 1, size - 1), size - 1, NULL);
	}
	aipkg_secdb_finish(&db);
	lookup(&db);
	aipkg_secdb_release(&db);
	aipkg_buf_release(&out);
	aipkg_buf_release(&why);
	return 0;
}
