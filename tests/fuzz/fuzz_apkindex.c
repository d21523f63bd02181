/* Fuzz target: APKINDEX.tar.gz (gunzip, tar walk, signature check) and the APKINDEX text inside it. */
/* SPDX-License-Identifier: MIT */
#include "apk/index.h"
#include "apk/state.h"
#include "fuzz.h"
#include "tgz.h"

/* A root whose etc/apk/keys holds "aipkg-fuzz.rsa.pub" (a key made here;
 * gen-seeds.sh signs a seed with another key of that name, so the
 * signature is looked up, hashed and checked, and found BAD). */
static struct aipkg_keyring keys;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char root[] = "/tmp/aipkg-fuzz-keys-XXXXXX";
	EVP_PKEY *key = tgz_key_new();

	(void)argc;
	(void)argv;
	/* the key file stays: the keyring reads it when a signature names it */
	if (!key || !mkdtemp(root) || tgz_key_install(root, key, "aipkg-fuzz.rsa.pub") < 0 ||
	    aipkg_keyring_load(root, &keys) < 0)
		abort();
	EVP_PKEY_free(key);
	return 0;
}

/* The first byte chooses: the compressed archive (bit 0), checked against
 * the keyring (bit 1), or the text it holds, so the fuzzer reaches the
 * record parser without having to learn gzip. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_buf index, desc;
	struct aipkg_pkgset set;
	struct aipkg_apkindex_read rd = {&index, &desc, NULL, AIPKG_TRUST_UNCHECKED, ""};

	if (size < 1)
		return 0;
	aipkg_buf_init(&index, 64 << 20);
	aipkg_buf_init(&desc, 1 << 20);
	aipkg_pkgset_init(&set);
	if (data[0] & 1) {
		rd.keys = data[0] & 2 ? &keys : NULL;
		if (aipkg_apkindex_read(data + 1, size - 1, &rd) == 0 && index.len)
			aipkg_pkgset_parse(&set, aipkg_buf_detach(&index), index.len, 0, NULL);
		if (rd.trust == AIPKG_TRUST_OK)
			abort(); /* nothing here holds the private key */
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
