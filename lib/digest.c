/* SHA-1 and SHA-256 through libcrypto's digest functions, not EVP's fetched providers. */
/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL 3 deprecates SHA256_Init() and its kin in favour of EVP, whose
 * first use loads openssl.cnf and the default provider: about 5 million
 * instructions, half of what an "aipkg install" does on its own.  The
 * functions below are the same code without that start-up.  A libcrypto
 * built without the deprecated API (no-deprecated) gets the EVP path.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>
#include <openssl/evp.h>
#include <openssl/opensslconf.h>
#include <openssl/sha.h>

#include "digest.h"

#ifdef OPENSSL_NO_DEPRECATED_3_0
#define DIGEST_VIA_EVP 1
#else
#define DIGEST_VIA_EVP 0
#endif

#if DIGEST_VIA_EVP
_Static_assert(sizeof(void *) <= sizeof(((struct aipkg_sha256 *)0)->state),
	       "struct aipkg_sha256 holds an EVP_MD_CTX pointer");

static EVP_MD_CTX **evp(struct aipkg_sha256 *s)
{
	return (EVP_MD_CTX **)(void *)s->state.bytes;
}

void aipkg_sha256_init(struct aipkg_sha256 *s)
{
	*evp(s) = EVP_MD_CTX_new();
	if (*evp(s) && EVP_DigestInit_ex(*evp(s), EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(*evp(s));
		*evp(s) = NULL;
	}
}

void aipkg_sha256_update(struct aipkg_sha256 *s, const void *data, size_t len)
{
	if (*evp(s))
		EVP_DigestUpdate(*evp(s), data, len);
}

/* A digest that could not be computed (no memory) is all zeros, which
 * matches nothing apk or aipkg wrote. */
void aipkg_sha256_final(struct aipkg_sha256 *s, unsigned char md[AIPKG_SHA256_LEN])
{
	memset(md, 0, AIPKG_SHA256_LEN);
	if (*evp(s))
		EVP_DigestFinal_ex(*evp(s), md, NULL);
	EVP_MD_CTX_free(*evp(s));
	*evp(s) = NULL;
}

void aipkg_sha1(const void *data, size_t len, unsigned char md[AIPKG_SHA1_LEN])
{
	memset(md, 0, AIPKG_SHA1_LEN);
	EVP_Digest(data, len, md, NULL, EVP_sha1(), NULL);
}
#else
_Static_assert(sizeof(SHA256_CTX) <= sizeof(((struct aipkg_sha256 *)0)->state),
	       "struct aipkg_sha256 holds a SHA256_CTX");

void aipkg_sha256_init(struct aipkg_sha256 *s)
{
	SHA256_Init((SHA256_CTX *)(void *)s->state.bytes);
}

void aipkg_sha256_update(struct aipkg_sha256 *s, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)(void *)s->state.bytes, data, len);
}

void aipkg_sha256_final(struct aipkg_sha256 *s, unsigned char md[AIPKG_SHA256_LEN])
{
	SHA256_Final(md, (SHA256_CTX *)(void *)s->state.bytes);
}

void aipkg_sha1(const void *data, size_t len, unsigned char md[AIPKG_SHA1_LEN])
{
	SHA_CTX c;

	SHA1_Init(&c);
	SHA1_Update(&c, data, len);
	SHA1_Final(md, &c);
}
#endif

void aipkg_sha256(const void *data, size_t len, unsigned char md[AIPKG_SHA256_LEN])
{
	struct aipkg_sha256 s;

	aipkg_sha256_init(&s);
	aipkg_sha256_update(&s, data, len);
	aipkg_sha256_final(&s, md);
}
