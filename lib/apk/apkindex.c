/* APKINDEX.tar.gz: gunzip (all members, as signed indexes have two) and pick the tar members. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "aipkg/error.h"
#include "apk/state.h"

/* Alpine's largest index inflates to about 10 MiB; anything past this is
 * not an index but a decompression bomb. */
#define APKINDEX_MAX_INFLATED ((size_t)256 << 20)
#define APKINDEX_CHUNK	      ((size_t)256 << 10)
#define TAR_BLOCK	      512

static int apkindex_zerror(int zr)
{
	return zr == Z_MEM_ERROR ? -ENOMEM : -AIPKG_E_CORRUPT;
}

/* Room for the next inflate step: a chunk, or what is left under the cap. */
static int apkindex_room(struct aipkg_buf *out)
{
	size_t left = out->limit - out->len;

	if (left == 0)
		return -AIPKG_E_TOOBIG;
	return aipkg_buf_reserve(out, left < APKINDEX_CHUNK ? left : APKINDEX_CHUNK);
}

static int apkindex_inflate(z_stream *zs, struct aipkg_buf *out)
{
	for (;;) {
		size_t avail;
		int zr, r = apkindex_room(out);

		if (r < 0)
			return r;
		avail = out->cap - out->len - 1;
		if (avail > out->limit - out->len)
			avail = out->limit - out->len;
		zs->next_out = (Bytef *)out->data + out->len;
		zs->avail_out = avail > UINT_MAX ? UINT_MAX : (uInt)avail;
		zr = inflate(zs, Z_NO_FLUSH);
		out->len = (size_t)((char *)zs->next_out - out->data);
		out->data[out->len] = '\0';
		if (zr == Z_STREAM_END && zs->avail_in == 0)
			return 0;
		if (zr == Z_STREAM_END)
			zr = inflateReset(zs); /* the next gzip member */
		if (zr != Z_OK)
			return apkindex_zerror(zr); /* Z_BUF_ERROR: truncated */
	}
}

static int apkindex_gunzip(const void *data, size_t len, struct aipkg_buf *out)
{
	z_stream zs;
	int r;

	if (len == 0)
		return -AIPKG_E_CORRUPT;
	if (len > UINT_MAX)
		return -AIPKG_E_TOOBIG;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	r = apkindex_inflate(&zs, out);
	inflateEnd(&zs);
	return r;
}

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

static bool tar_all_zero(const unsigned char *h, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (h[i])
			return false;
	return true;
}

/* Is the member called WANT?  LONGNAME (a GNU 'L' entry) wins over the
 * header's own 100-byte field; a leading "./" is allowed. */
static bool tar_name_is(const unsigned char *h, struct aipkg_slice longname, const char *want)
{
	struct aipkg_slice name = longname;

	if (!name.ptr) {
		name.ptr = (const char *)h;
		name.len = strnlen(name.ptr, 100);
	}
	if (aipkg_slice_starts_with(name, "./")) {
		name.ptr += 2;
		name.len -= 2;
	}
	return aipkg_slice_eq(name, want);
}

struct tar_out {
	struct aipkg_buf *index;
	struct aipkg_buf *description;
	bool have_index;
};

static int tar_member(struct tar_out *o, const unsigned char *h, struct aipkg_slice longname,
		      struct aipkg_slice body)
{
	if (h[156] != '0' && h[156] != '\0')
		return 0; /* directories, links, pax headers: nothing for us */
	if (!o->have_index && tar_name_is(h, longname, "APKINDEX")) {
		o->have_index = true;
		return o->index ? aipkg_buf_add(o->index, body.ptr, body.len) : 0;
	}
	if (o->description && tar_name_is(h, longname, "DESCRIPTION"))
		return aipkg_buf_add(o->description, body.ptr, body.len);
	return 0;
}

/* Check the header at *OFF and step past it: *body gets the member's
 * data, *off the next header.  -AIPKG_E_CORRUPT for a bad or cut member. */
static int tar_next(const unsigned char *tar, size_t len, size_t *off, struct aipkg_slice *body)
{
	const unsigned char *h = tar + *off;
	uint64_t size;

	if (!tar_header_ok(h) || tar_number(h + 124, 12, &size) < 0)
		return -AIPKG_E_CORRUPT;
	*off += TAR_BLOCK;
	if (size > len - *off)
		return -AIPKG_E_CORRUPT;
	body->ptr = (const char *)tar + *off;
	body->len = (size_t)size;
	*off += ((size_t)size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	if (*off > len)
		*off = len; /* the last member's padding may be cut */
	return 0;
}

static int tar_walk(const unsigned char *tar, size_t len, struct tar_out *o)
{
	struct aipkg_slice longname = {NULL, 0}, body;
	size_t off = 0;
	int ends = 0, r = 0;

	/* as apk: a nameless header is an end block, and two end the archive */
	while (r == 0 && len - off >= TAR_BLOCK && ends < 2) {
		const unsigned char *h = tar + off;

		if (h[0] == '\0') {
			ends++;
			off += TAR_BLOCK;
			continue;
		}
		ends = 0;
		r = tar_next(tar, len, &off, &body);
		if (r == 0 && h[156] == 'L') {
			longname.ptr = body.ptr;
			longname.len = strnlen(body.ptr, body.len);
			continue;
		}
		if (r == 0)
			r = tar_member(o, h, longname, body);
		longname.ptr = NULL;
	}
	/* a stream cut inside a header is torn; zero padding is not */
	if (r == 0 && ends < 2 && !tar_all_zero(tar + off, len - off))
		r = -AIPKG_E_CORRUPT;
	return r;
}

int aipkg_apkindex_extract(const void *data, size_t len, struct aipkg_buf *index,
			   struct aipkg_buf *description)
{
	struct aipkg_buf tar;
	struct tar_out o = {index, description, false};
	int r;

	aipkg_buf_init(&tar, APKINDEX_MAX_INFLATED);
	r = aipkg_buf_reserve(&tar, len < APKINDEX_MAX_INFLATED / 4 ? len * 4 : len);
	if (r == 0)
		r = apkindex_gunzip(data, len, &tar);
	if (r == 0)
		r = tar_walk((const unsigned char *)tar.data, tar.len, &o);
	if (r == 0 && !o.have_index)
		r = -AIPKG_E_CORRUPT;
	aipkg_buf_release(&tar);
	return r;
}
