/* The compact index cache's file format, shared by apk/idxcache.c and its fuzz target. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_IDXFORMAT_H
#define AIPKG_APK_IDXFORMAT_H

#include <stdint.h>

/*
 * The file, native byte order (a header from another machine is stale):
 *   header   struct idx_header (its own CRC-32, and one of all that follows)
 *   records  npkgs x struct idx_record, in the set's order
 *   tokens   ntokens x uint32: the lists' entries, record by record, list
 *            by list (depends, provides, install_if), as blob offsets
 *   blob     NUL-terminated strings, grouped by field (names first, so a
 *            lookup by name touches one region); offset 0 is ""
 * Nothing in it is believed before the header's CRC, the sizes, the
 * identity of the index it was made from, the CRC of the body and every
 * offset were checked, so a damaged or hostile file is only ever a miss.
 * The body's CRC is read once per identity of the file (FILE.ok, see
 * apk/idxcache.h); the blob's last byte is a NUL, so a string read from
 * any offset ends inside the file whatever the body holds.
 */
#define IDX_MAGIC   "AIPKGIX"
#define IDX_VERSION 1
#define IDX_ENDIAN  0x01020304u
#define IDX_NSTR    11 /* name version origin arch description url license
			   maintainer commit checksum tag */
#define IDX_NLIST   3  /* depends provides install_if */
#define IDX_NNUM    4  /* size installed_size build_time provider_priority */

struct idx_header {
	char magic[8];
	uint32_t version, endian, header_size, record_size;
	/* the index it was made from, and the keys its verdict depends on */
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	unsigned char keys[32];
	/* what reading it found */
	int32_t err;
	uint32_t trust, has_pkgs, pad0;
	uint64_t bad_line;
	char signer[128];
	/* the body */
	uint64_t npkgs, ntokens, blob_len, file_size;
	uint32_t description; /* blob offset */
	uint32_t body_crc;
	uint32_t header_crc; /* of this header with header_crc 0 */
	uint32_t pad1;
};

struct idx_record {
	uint32_t str[IDX_NSTR];
	uint32_t list_n[IDX_NLIST];
	uint64_t num[IDX_NNUM];
};

#endif
