/* The compact parsed form of each index, kept under aipkg's cache in the root. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_IDXCACHE_H
#define AIPKG_APK_IDXCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "apk/index.h"
#include "apk/pkg.h"

struct aipkg_ctx;

/*
 * ROOT/var/lib/aipkg/cache/index/: one file per index path holding its
 * packages parsed (fixed-size records, token offsets and a string blob),
 * what reading it found (damaged? signed by whom, trusted?) and what that
 * depended on: the index file's device, inode, size, mtime and ctime and
 * the keyring's fingerprint.  A file that does not match, or fails any
 * check of its header, sizes, CRCs or offsets, is a miss and is made
 * again; it is written to a temporary file and renamed, so readers and
 * concurrent writers see one whole file or another.  The body's CRC is
 * read once per identity of the file: a load that checked it, of a file
 * whose ctime is CHECKED_AGE seconds behind (so any later write gives it
 * another), makes the file durable (fdatasync) and then notes its device,
 * inode, size, mtime, ctime and CRCs in FILE.ok; a load finding the file
 * so noted skips the body's CRC.  With a state
 * directory that others can write, or one that cannot be written (not
 * root, read-only root), the indexes are read directly, silently.
 */
struct aipkg_idxcache {
	char *dir;    /* NULL: no cache */
	bool enabled;
	size_t hits, stored; /* for tests and benchmarks */
	size_t crc_checked;  /* loads that read the body for its CRC */
	int checked_age;     /* seconds a file's ctime must be behind to be
				marked checked (aipkg_idxcache_open: 2) */
};

/* What reading an index found, fresh or from the cache. */
struct aipkg_idx_result {
	int err;                      /* 0, or why the file could not be read
				       * (-AIPKG_E_CORRUPT, -AIPKG_E_TOOBIG) */
	enum aipkg_index_trust trust;
	char signer[128];
	size_t bad_line;              /* a corrupt record's line (records before it kept) */
	char *description;            /* malloc'd, NULL when none */
	bool has_pkgs;                /* its packages were parsed */
};

void aipkg_idx_result_release(struct aipkg_idx_result *res);

/* Whether the cache may be used for this context; -ENOMEM only. */
int aipkg_idxcache_open(struct aipkg_ctx *ctx, struct aipkg_idxcache *c);
void aipkg_idxcache_close(struct aipkg_idxcache *c);

/* What a load makes of a cached result (the WANTED callback of
 * aipkg_idxcache_load). */
enum aipkg_idx_use {
	AIPKG_IDX_MISS,     /* it will not do: read the index again */
	AIPKG_IDX_VERDICT,  /* what reading found, never its packages (an index
			       this context does not trust: they must not be read) */
	AIPKG_IDX_PACKAGES, /* the verdict and the packages */
};

/*
 * The cached form of the index at INDEX_PATH whose fstat is ST, checked
 * with the keyring whose fingerprint is KEYS.  On a hit (1) *RES is what
 * was found and, when USE(RES, UD) said AIPKG_IDX_PACKAGES and RES->has_pkgs,
 * the packages are in SET as repository REPO (their strings in a mapping
 * SET now owns); otherwise SET is untouched and RES->has_pkgs false.  A
 * file stored by a context that trusted more (--allow-untrusted) carries
 * packages another context must not see, hence USE.  0: a miss, SET
 * untouched; -ENOMEM.
 */
int aipkg_idxcache_load(struct aipkg_idxcache *c, const char *index_path, const struct stat *st,
			const unsigned char keys[32],
			enum aipkg_idx_use (*use)(const struct aipkg_idx_result *res, void *ud),
			void *ud, struct aipkg_pkgset *set, int repo, struct aipkg_idx_result *res);

/* Keep what reading the index found (RES, and PKGS[NPKGS] when
 * RES->has_pkgs).  A cache that cannot be written is no error: 0 or
 * -ENOMEM. */
int aipkg_idxcache_store(struct aipkg_idxcache *c, const char *index_path, const struct stat *st,
			 const unsigned char keys[32], const struct aipkg_idx_result *res,
			 const struct aipkg_pkg *pkgs, size_t npkgs);

/* Recompute the CRCs of a cache file image of LEN bytes at FILE, for the
 * tests and the fuzz target that forge files to reach the later checks. */
void aipkg_idxcache_seal(void *file, size_t len);

#endif
