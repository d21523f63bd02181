/* SHA-1 and SHA-256 of names and file identities, without starting OpenSSL's providers. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_DIGEST_H
#define AIPKG_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define AIPKG_SHA1_LEN	 20
#define AIPKG_SHA256_LEN 32

/*
 * A SHA-256 being computed: aipkg_sha256_init(), any number of
 * aipkg_sha256_update(), then aipkg_sha256_final().  Nothing to free.
 * Signatures are verified through EVP (apk/apkindex.c); these name things
 * (apk's cache files, aipkg's own) and fingerprint file identities, which
 * every command does, and EVP's first use costs a process more than the
 * rest of an install's own work (loading OpenSSL's configuration and
 * providers).
 */
struct aipkg_sha256 {
	union {
		unsigned char bytes[128];
		uint64_t align;
	} state;
};

void aipkg_sha256_init(struct aipkg_sha256 *s);
void aipkg_sha256_update(struct aipkg_sha256 *s, const void *data, size_t len);
void aipkg_sha256_final(struct aipkg_sha256 *s, unsigned char md[AIPKG_SHA256_LEN]);

/* One-shot digests of DATA[LEN] into MD. */
void aipkg_sha256(const void *data, size_t len, unsigned char md[AIPKG_SHA256_LEN]);
void aipkg_sha1(const void *data, size_t len, unsigned char md[AIPKG_SHA1_LEN]);

#endif
