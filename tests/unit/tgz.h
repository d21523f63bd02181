/* Test helper: write ustar archives and gzip members in memory, as apk's indexes are made. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TEST_TGZ_H
#define AIPKG_TEST_TGZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <zlib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"

/* Append one tar member (TYPE '0' file, 'L' GNU long name, '5' dir...). */
static inline void tgz_member(struct aipkg_buf *tar, const char *name, char type, const void *data,
			      size_t len)
{
	unsigned char h[512];
	unsigned sum = 0;
	static const char pad[512];

	memset(h, 0, sizeof(h));
	memcpy(h, name, strnlen(name, 99)); /* ustar's 100-byte name field */
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)(len & 07777777777u));
	memcpy(h + 136, "14723450000", 12);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum & 0777777u);
	aipkg_buf_add(tar, h, sizeof(h));
	aipkg_buf_add(tar, data, len);
	aipkg_buf_add(tar, pad, (512 - len % 512) % 512);
}

static inline void tgz_file(struct aipkg_buf *tar, const char *name, const char *text)
{
	tgz_member(tar, name, '0', text, strlen(text));
}

/* The two zero blocks that end an archive. */
static inline void tgz_end(struct aipkg_buf *tar)
{
	static const char zero[1024];

	aipkg_buf_add(tar, zero, sizeof(zero));
}

/* Append DATA to OUT as one complete gzip member. */
static inline int tgz_gzip(const void *data, size_t len, struct aipkg_buf *out)
{
	z_stream zs;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	aipkg_buf_reserve(out, deflateBound(&zs, len) + 64);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->data + out->len;
	zs.avail_out = (uInt)(out->cap - out->len - 1);
	zr = deflate(&zs, Z_FINISH);
	out->len += zs.total_out;
	deflateEnd(&zs);
	return zr == Z_STREAM_END ? 0 : -1;
}

/*
 * An index as `apk index` + abuild-sign make it: with SIGNED, a first gzip
 * member holding only the signature entry (no end blocks), then a member
 * with DESCRIPTION (when not NULL) and APKINDEX.
 */
static inline void tgz_index(struct aipkg_buf *out, const char *apkindex, const char *description,
			     int signed_)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT;

	if (signed_) {
		tgz_member(&tar, ".SIGN.RSA.test@example.org-61a7b1c3.rsa.pub", '0',
			   "not a real signature", 20);
		tgz_gzip(tar.data, tar.len, out);
		aipkg_buf_reset(&tar);
	}
	if (description)
		tgz_file(&tar, "DESCRIPTION", description);
	tgz_file(&tar, "APKINDEX", apkindex);
	tgz_end(&tar);
	tgz_gzip(tar.data, tar.len, out);
	aipkg_buf_release(&tar);
}

/* A fresh RSA key for signing test indexes (2048 bits, as abuild-keygen's
 * older default); NULL on failure. */
static inline EVP_PKEY *tgz_key_new(void)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	EVP_PKEY *key = NULL;

	if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048) != 1 ||
	    EVP_PKEY_keygen(kc, &key) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(kc);
	return key;
}

/* Write KEY's public half as PEM to PATH (what etc/apk/keys holds). */
static inline int tgz_key_write_public(EVP_PKEY *key, const char *path)
{
	FILE *f = fopen(path, "w");
	int ok = f && PEM_write_PUBKEY(f, key) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* Trust KEY in ROOT (an existing directory): ROOT/etc/apk/keys/NAME. */
static inline int tgz_key_install(const char *root, EVP_PKEY *key, const char *name)
{
	static const char *const dirs[] = {"etc", "etc/apk", "etc/apk/keys"};
	char path[512];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/etc/apk/keys/%s", root, name);
	return tgz_key_write_public(key, path);
}

/*
 * Sign GZ (an unsigned index) as abuild-sign does: OUT gets a gzip member
 * holding only ".SIGN.TYPE.KEYNAME" (no end blocks), then GZ.  TYPE is
 * "RSA" (SHA-1) or "RSA256" (SHA-256).
 */
static inline int tgz_sign(struct aipkg_buf *out, const struct aipkg_buf *gz, EVP_PKEY *key,
			   const char *type, const char *keyname)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	char name[256];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestSignInit(md, NULL, strcmp(type, "RSA") == 0 ? EVP_sha1()
									     : EVP_sha256(),
					  NULL, key) == 1 &&
		 EVP_DigestSign(md, sig, &siglen, (const unsigned char *)gz->data, gz->len) == 1;

	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	snprintf(name, sizeof(name), ".SIGN.%s.%s", type, keyname);
	tgz_member(&tar, name, '0', sig, siglen);
	ok = tgz_gzip(tar.data, tar.len, out) == 0;
	aipkg_buf_add(out, gz->data, gz->len);
	aipkg_buf_release(&tar);
	return ok ? 0 : -1;
}

#endif
