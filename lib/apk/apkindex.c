/* APKINDEX.tar.gz in one pass: gunzip every member, walk the tar as it comes, check the signature as apk does. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <openssl/evp.h>

#include "aipkg/error.h"
#include "apk/index.h"
#include "apk/state.h"

/* Alpine's largest index inflates to about 10 MiB; anything past this is
 * not an index but a decompression bomb. */
#define APKINDEX_MAX_INFLATED ((size_t)256 << 20)
#define APKINDEX_CHUNK	      ((size_t)64 << 10)
#define TAR_BLOCK	      512
/* apk 3 ignores larger signature members; apk 2 has no use for them */
#define SIGN_MAX ((size_t)64 << 10)
#define LONGNAME_MAX ((size_t)4096)

enum tar_sink { SINK_SKIP, SINK_INDEX, SINK_DESCRIPTION, SINK_SIGN, SINK_LONGNAME };

/* The walk of the inflated tar, fed as it is inflated. */
struct rd {
	struct aipkg_apkindex_read *out;
	unsigned char hdr[TAR_BLOCK];
	size_t hlen;       /* bytes of the header gathered so far */
	uint64_t left;     /* bytes of the member's data still to come */
	size_t pad;        /* padding after it */
	int ends;          /* end blocks in a row */
	enum tar_sink sink;
	struct aipkg_buf longname;
	bool have_longname;
	bool have_index;
	bool control;      /* a member other than .SIGN.* was seen */
	/* the signature apk would check */
	EVP_PKEY *pkey;
	const EVP_MD *md;
	struct aipkg_buf sig;
	int nsigs;
	size_t signed_off; /* compressed offset where the signed bytes start */
};

/* GNU's base-256 form, for sizes past octal's 8 GiB. */
static int tar_base256(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 1; i < n; i++) {
		if (v >> 56)
			return -AIPKG_E_CORRUPT;
		v = (v << 8) | f[i];
	}
	*out = v;
	return 0;
}

/* A tar number: octal digits between spaces/NULs, or GNU base-256. */
static int tar_number(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80)
		return tar_base256(f, n, out);
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -AIPKG_E_CORRUPT;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return -AIPKG_E_CORRUPT;
	*out = v;
	return 0;
}

/* The header checksum counts its own field as eight spaces; old tars
 * summed signed chars.  A ustar magic is required, as apk does. */
static bool tar_header_ok(const unsigned char *h)
{
	uint64_t want;
	int64_t sum = 8 * ' ', ssum = 8 * ' ';

	if (memcmp(h + 257, "ustar", 5) != 0 || tar_number(h + 148, 8, &want) < 0)
		return false;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		if (i >= 148 && i < 156)
			continue;
		sum += h[i];
		ssum += (signed char)h[i];
	}
	return (uint64_t)sum == want || (uint64_t)ssum == want;
}

/* The member's name as apk sees it: the GNU long name, else the ustar
 * prefix, '/', and the 100-byte name. */
static void tar_name(struct rd *rd, char *buf, size_t size, struct aipkg_slice *name)
{
	const char *h = (const char *)rd->hdr;

	if (rd->have_longname) {
		*name = aipkg_slice_of(&rd->longname);
		name->len = strnlen(name->ptr, name->len);
		return;
	}
	if (h[345])
		snprintf(buf, size, "%.155s/%.100s", h + 345, h);
	else
		snprintf(buf, size, "%.100s", h);
	*name = aipkg_slice_str(buf);
}

/* "APKINDEX" or "./APKINDEX". */
static bool tar_is(struct aipkg_slice name, const char *want)
{
	if (aipkg_slice_starts_with(name, "./")) {
		name.ptr += 2;
		name.len -= 2;
	}
	return aipkg_slice_eq(name, want);
}

static const struct {
	const char *type;
	const char *md;
} sign_types[] = {{"RSA512.", "SHA512"}, {"RSA256.", "SHA256"}, {"RSA.", "SHA1"}, {"DSA.", "SHA1"}};

/* A .SIGN.TYPE.KEYNAME member before any other: the first whose key is
 * trusted becomes the signature (apk_sign_ctx_process_file). */
static enum tar_sink rd_sign_member(struct rd *rd, struct aipkg_slice name, uint64_t size)
{
	struct aipkg_apkindex_read *out = rd->out;
	const char *type = name.ptr + 6;

	rd->nsigs++;
	for (size_t i = 0; i < sizeof(sign_types) / sizeof(sign_types[0]); i++) {
		size_t tl = strlen(sign_types[i].type);
		char key[sizeof(out->signer)];

		if (name.len - 6 < tl || strncmp(type, sign_types[i].type, tl) != 0)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(name.len - 6 - tl), type + tl);
		if (rd->nsigs == 1)
			memcpy(out->signer, key, sizeof(key));
		if (rd->pkey || size > SIGN_MAX || !out->keys)
			return SINK_SKIP;
		rd->pkey = aipkg_keyring_get(out->keys, key);
		if (!rd->pkey)
			return SINK_SKIP;
		memcpy(out->signer, key, sizeof(key));
		rd->md = EVP_get_digestbyname(sign_types[i].md);
		return SINK_SIGN;
	}
	return SINK_SKIP;
}

/* A complete header: decide where the member's data goes. */
static int rd_header(struct rd *rd)
{
	const unsigned char *h = rd->hdr;
	char buf[TAR_BLOCK];
	struct aipkg_slice name;
	uint64_t size;
	char type = (char)h[156];

	if (h[0] == '\0') { /* as apk: a nameless header is an end block */
		rd->ends++;
		return 0;
	}
	rd->ends = 0;
	if (!tar_header_ok(h) || tar_number(h + 124, 12, &size) < 0 ||
	    size > APKINDEX_MAX_INFLATED)
		return -AIPKG_E_CORRUPT;
	rd->left = size;
	rd->pad = (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
	rd->sink = SINK_SKIP;
	if (type == 'L') {
		aipkg_buf_reset(&rd->longname);
		rd->sink = SINK_LONGNAME;
		return 0;
	}
	if (type == 'x' || type == 'g' || type == 'K')
		return 0; /* apk hands these to nobody */
	tar_name(rd, buf, sizeof(buf), &name);
	rd->have_longname = false;
	if (!rd->control && aipkg_slice_starts_with(name, ".SIGN.") &&
	    !memchr(name.ptr, '/', name.len))
		rd->sink = rd_sign_member(rd, name, size);
	else
		rd->control = true;
	if (type != '0' && type != '7' && type != '\0')
		return 0;
	if (!rd->have_index && tar_is(name, "APKINDEX")) {
		rd->have_index = true;
		rd->sink = SINK_INDEX;
	} else if (tar_is(name, "DESCRIPTION")) {
		rd->sink = SINK_DESCRIPTION;
	}
	return 0;
}

static int rd_data(struct rd *rd, const void *p, size_t n)
{
	struct aipkg_buf *to = NULL;

	switch (rd->sink) {
	case SINK_INDEX:
		to = rd->out->index;
		break;
	case SINK_DESCRIPTION:
		to = rd->out->description;
		break;
	case SINK_SIGN:
		to = &rd->sig;
		break;
	case SINK_LONGNAME:
		to = &rd->longname;
		break;
	case SINK_SKIP:
		break;
	}
	return to ? aipkg_buf_add(to, p, n) : 0;
}

/* The end of a member's data. */
static void rd_member_end(struct rd *rd)
{
	if (rd->sink == SINK_LONGNAME)
		rd->have_longname = true;
	rd->sink = SINK_SKIP;
}

/* Feed N inflated bytes to the tar walk. */
static int rd_feed(struct rd *rd, const unsigned char *p, size_t n)
{
	while (n) {
		size_t k;
		int r = 0;

		if (rd->left) {
			k = rd->left < n ? (size_t)rd->left : n;
			r = rd_data(rd, p, k);
			rd->left -= k;
			if (rd->left == 0)
				rd_member_end(rd);
		} else if (rd->pad) {
			k = rd->pad < n ? rd->pad : n;
			rd->pad -= k;
		} else if (rd->ends >= 2) {
			return 0; /* the archive ended: nothing after is looked at */
		} else {
			k = TAR_BLOCK - rd->hlen < n ? TAR_BLOCK - rd->hlen : n;
			memcpy(rd->hdr + rd->hlen, p, k);
			rd->hlen += k;
			if (rd->hlen == TAR_BLOCK) {
				rd->hlen = 0;
				r = rd_header(rd);
				if (r == 0 && !rd->left && !rd->pad)
					rd_member_end(rd);
			}
		}
		if (r < 0)
			return r;
		p += k;
		n -= k;
	}
	return 0;
}

/* Did the stream stop inside a member or a header?  A cut padding or an
 * all-zero partial block is fine, as the old reader allowed. */
static bool rd_torn(const struct rd *rd)
{
	if (rd->left)
		return true;
	for (size_t i = 0; i < rd->hlen; i++)
		if (rd->hdr[i])
			return true;
	return false;
}

static int rd_zerror(int zr)
{
	return zr == Z_MEM_ERROR ? -ENOMEM : -AIPKG_E_CORRUPT;
}

/* Inflate every gzip member of DATA into the tar walk.  At the end of each
 * member before the first non-signature member, the signed part restarts
 * (apk resets its digest at such a boundary). */
static int rd_inflate(struct rd *rd, const unsigned char *data, size_t len)
{
	unsigned char *out = malloc(APKINDEX_CHUNK);
	size_t total = 0, off = 0;
	z_stream zs;
	int zr = Z_OK, r = 0;

	memset(&zs, 0, sizeof(zs));
	if (!out || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(out);
		return -ENOMEM;
	}
	while (r == 0) {
		size_t got;

		if (zs.avail_in == 0 && off < len) {
			size_t step = len - off < UINT_MAX ? len - off : UINT_MAX;

			zs.next_in = (Bytef *)(uintptr_t)(data + off);
			zs.avail_in = (uInt)step;
			off += step;
		}
		zs.next_out = out;
		zs.avail_out = APKINDEX_CHUNK;
		zr = inflate(&zs, Z_NO_FLUSH);
		got = APKINDEX_CHUNK - zs.avail_out;
		total += got;
		if (total > APKINDEX_MAX_INFLATED)
			r = -AIPKG_E_TOOBIG;
		else if (got)
			r = rd_feed(rd, out, got);
		if (r < 0)
			break;
		if (zr == Z_STREAM_END) {
			size_t at = off - zs.avail_in;

			if (!rd->control)
				rd->signed_off = at;
			if (at == len)
				break;
			zr = inflateReset(&zs); /* the next gzip member */
		}
		if (zr != Z_OK)
			r = rd_zerror(zr); /* Z_BUF_ERROR: cut short */
	}
	inflateEnd(&zs);
	free(out);
	return r;
}

/* The verdict, once the whole file was read. */
static void rd_verify(struct rd *rd, const unsigned char *data, size_t len)
{
	struct aipkg_apkindex_read *out = rd->out;
	EVP_MD_CTX *mdctx;

	if (!out->keys) {
		out->trust = AIPKG_TRUST_UNCHECKED;
		return;
	}
	if (!rd->nsigs) {
		out->trust = AIPKG_TRUST_UNSIGNED;
		return;
	}
	if (!rd->pkey || !rd->md) {
		out->trust = AIPKG_TRUST_NOKEY;
		return;
	}
	out->trust = AIPKG_TRUST_BAD;
	mdctx = EVP_MD_CTX_new();
	if (mdctx && EVP_DigestVerifyInit(mdctx, NULL, rd->md, NULL, rd->pkey) == 1 &&
	    EVP_DigestVerifyUpdate(mdctx, data + rd->signed_off, len - rd->signed_off) == 1 &&
	    EVP_DigestVerifyFinal(mdctx, (const unsigned char *)rd->sig.data, rd->sig.len) == 1)
		out->trust = AIPKG_TRUST_OK;
	EVP_MD_CTX_free(mdctx);
}

int aipkg_apkindex_read(const void *data, size_t len, struct aipkg_apkindex_read *out)
{
	struct rd rd;
	int r;

	memset(&rd, 0, sizeof(rd));
	rd.out = out;
	aipkg_buf_init(&rd.longname, LONGNAME_MAX);
	aipkg_buf_init(&rd.sig, SIGN_MAX);
	out->trust = AIPKG_TRUST_UNCHECKED;
	out->signer[0] = '\0';
	r = len ? rd_inflate(&rd, data, len) : -AIPKG_E_CORRUPT;
	if (r == 0 && (rd_torn(&rd) || !rd.have_index))
		r = -AIPKG_E_CORRUPT;
	if (r == 0)
		rd_verify(&rd, data, len);
	aipkg_buf_release(&rd.longname);
	aipkg_buf_release(&rd.sig);
	return r;
}

int aipkg_apkindex_extract(const void *data, size_t len, struct aipkg_buf *index,
			   struct aipkg_buf *description)
{
	struct aipkg_apkindex_read rd = {index, description, NULL, AIPKG_TRUST_UNCHECKED, ""};

	return aipkg_apkindex_read(data, len, &rd);
}

const char *aipkg_index_trust_text(enum aipkg_index_trust trust)
{
	switch (trust) {
	case AIPKG_TRUST_OK:
		return "signed by a trusted key";
	case AIPKG_TRUST_UNSIGNED:
		return "not signed";
	case AIPKG_TRUST_NOKEY:
		return "signed by a key that is not in etc/apk/keys";
	case AIPKG_TRUST_BAD:
		return "its signature does not verify";
	case AIPKG_TRUST_UNCHECKED:
		break;
	}
	return "signature not checked";
}
