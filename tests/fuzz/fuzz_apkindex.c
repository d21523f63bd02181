/* Fuzz target: APKINDEX.tar.gz (gunzip, tar walk) and the APKINDEX text inside it. */
/* SPDX-License-Identifier: MIT */
#include "apk/state.h"
#include "fuzz.h"

/* The first byte chooses: the compressed archive, or the text it holds,
 * so the fuzzer reaches the record parser without having to learn gzip. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_buf index, desc;
	struct aipkg_pkgset set;

	if (size < 1)
		return 0;
	aipkg_buf_init(&index, 64 << 20);
	aipkg_buf_init(&desc, 1 << 20);
	aipkg_pkgset_init(&set);
	if (data[0] & 1) {
		if (aipkg_apkindex_extract(data + 1, size - 1, &index, &desc) == 0 && index.len)
			aipkg_pkgset_parse(&set, aipkg_buf_detach(&index), index.len, 0, NULL);
	} else {
		aipkg_pkgset_parse(&set, fuzz_memdup(data + 1, size - 1), size - 1, 0, NULL);
	}
	if (aipkg_pkgset_index(&set) == 0)
		for (size_t i = 0; i < set.n; i++)
			if (!aipkg_pkgset_find(&set, set.pkgs[i].name))
				abort();
	aipkg_pkgset_release(&set);
	aipkg_buf_release(&index);
	aipkg_buf_release(&desc);
	return 0;
}
