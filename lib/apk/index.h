/* The repository indexes aipkg reads: where apk caches them, whether apk trusts them, how they are read. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_INDEX_H
#define AIPKG_APK_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct aipkg_ctx;
struct aipkg_repo;
struct aipkg_pkgset;
struct aipkg_idxcache;
struct evp_pkey_st;

/*
 * The public keys apk trusts: ROOT/etc/apk/keys, then ROOT/lib/apk/keys
 * (apk 3 reads both, a name in etc/ hiding the same name in lib/; apk 2
 * reads only etc/, where every Alpine system has its keys).  Hidden files
 * are skipped, as apk 3 does.  Keys are parsed when a signature names them.
 */
struct aipkg_keyring {
	struct aipkg_key *keys;
	size_t n;
	/* SHA-256 over every key's name and file identity: what a cached
	 * verification result depends on */
	unsigned char fingerprint[32];
};

/* Read the key directories under ROOT ("" or "/" for the real root; names
 * and identities only); missing directories are an empty keyring.
 * -ENOMEM only. */
int aipkg_keyring_load(const char *root, struct aipkg_keyring *kr);
void aipkg_keyring_release(struct aipkg_keyring *kr);
/* The key file NAME as a parsed public key (owned by the keyring), or NULL
 * when there is no such key or it is not a PEM public key. */
struct evp_pkey_st *aipkg_keyring_get(struct aipkg_keyring *kr, const char *name);

/* What apk would say of an index's signature (its verdict, in order). */
enum aipkg_index_trust {
	AIPKG_TRUST_UNCHECKED = 0, /* no keyring given */
	AIPKG_TRUST_OK,            /* verified with a key apk trusts */
	AIPKG_TRUST_UNSIGNED,      /* no .SIGN.* member at all */
	AIPKG_TRUST_NOKEY,         /* signed, but by no key in the keyring */
	AIPKG_TRUST_BAD,           /* signed by a trusted key, and it does not verify */
};

/* A short phrase for TRUST ("signed by no trusted key"). */
const char *aipkg_index_trust_text(enum aipkg_index_trust trust);

/*
 * Reading one APKINDEX.tar.gz in a single pass: every gzip member inflated
 * in turn, the tar walked as it comes, the APKINDEX member's text appended
 * to *index and DESCRIPTION's to *description (either may be NULL; bound
 * them with their buffers' limits).  With a keyring the signature is
 * checked exactly as apk-tools 2 and 3 do it: the first .SIGN.RSA512.,
 * .SIGN.RSA256., .SIGN.RSA. or .SIGN.DSA. member (before any other member)
 * whose key is in the keyring is the signature; it covers the compressed
 * bytes from the start of the gzip member in which the first other member
 * begins to the end of the file, with SHA-512, SHA-256 or SHA-1.
 */
struct aipkg_apkindex_read {
	struct aipkg_buf *index;       /* in, may be NULL */
	struct aipkg_buf *description; /* in, may be NULL */
	struct aipkg_keyring *keys;    /* in, NULL: do not check the signature */
	enum aipkg_index_trust trust;  /* out */
	char signer[128];              /* out: the key named by the signature
					* verified or rejected, else the first
					* one seen ("" unsigned) */
};

/* -AIPKG_E_CORRUPT for bad gzip/tar (a truncated file too) or no APKINDEX
 * member, -AIPKG_E_TOOBIG past the buffers' limits or 1 GiB inflated. */
int aipkg_apkindex_read(const void *data, size_t len, struct aipkg_apkindex_read *rd);

/*
 * apk's cache directory in the context's root: ROOT/etc/apk/cache when it
 * is (or links to) a directory, links resolved inside ROOT (as a chroot
 * would: an absolute link such as /var/cache/apk stays in the root), else
 * ROOT/var/cache/apk.  malloc'd, NULL when out of memory.
 */
char *aipkg_apk_cache_dir(struct aipkg_ctx *ctx);

/* ROOT/etc/apk/cache resolved as above when it is a directory: the cache
 * the administrator turned on, which apk fills with every package it
 * downloads.  malloc'd; NULL when there is none (or out of memory). */
char *aipkg_apk_cache_configured(struct aipkg_ctx *ctx);

/*
 * The --cache-dir to give apk so that it uses that same directory, or NULL
 * when it would anyway.  apk opens etc/apk/cache relative to --root but
 * follows an absolute link there on the host, so under a --root other than
 * "/" it could read and write another directory than the one aipkg reads.
 * A context given a cache of its own (ctx->apk_cache) gets that.  malloc'd
 * (an absolute path).
 */
char *aipkg_apk_cache_dir_override(struct aipkg_ctx *ctx);

/*
 * The cached copy of remote REPO in CACHE_DIR under NAMING (enum
 * aipkg_cache_naming): the only name the apk in use reads, whatever other
 * apks left there (apk 2.14.1 and later, and apk 3, do not see what
 * 2.14.0 and older cached, and the other way round).  NAMING -1 (no apk
 * says which): of the names apk-tools 2.0-2.14.0, 2.14.1+ and 3.x give it,
 * the newest that exists, else apk 3's.  malloc'd; NULL when out of memory.
 */
char *aipkg_repo_cached_index(const char *cache_dir, const struct aipkg_repo *repo,
			      const char *arch, int naming);

/*
 * A cached copy of remote REPO in CACHE_DIR under another name than
 * REPO->naming's that is newer than REPO->index_path (or that is there
 * while it is not): an older or newer apk's, which the apk in use does
 * not read.  Its path (malloc'd) and *NAMING its naming; NULL when none.
 */
char *aipkg_repo_cached_elsewhere(const char *cache_dir, const struct aipkg_repo *repo,
				  const char *arch, int *naming);

/*
 * The naming of the apk aipkg runs for CTX, so that aipkg reads the cached
 * indexes that apk reads: the apk detected (remembered per apk binary, so
 * seldom a run of it), else the root's apk-tools in ST's installed
 * database, else its Alpine release; -1 when none says.
 */
struct aipkg_state;
int aipkg_index_naming(struct aipkg_ctx *ctx, const struct aipkg_state *st);

/* Who names cached indexes with NAMING (enum aipkg_cache_naming), for
 * messages: "apk-tools 2.14.0 or older (Alpine 3.19 and older)". */
const char *aipkg_cache_naming_who(int naming);

/* Set REPO->index_path: a local repository's own file, or the cached copy
 * in CACHE_DIR under NAMING (aipkg_repo_cached_index), and for a remote
 * one ->index_elsewhere (aipkg_repo_cached_elsewhere).  -ENOMEM only. */
int aipkg_index_path(struct aipkg_ctx *ctx, const char *cache_dir, const char *arch, int naming,
		     struct aipkg_repo *repo);

/* Would apk (and so aipkg) read an index with verdict TRUST, given
 * --allow-untrusted or not? */
bool aipkg_index_trust_usable(const struct aipkg_ctx *ctx, enum aipkg_index_trust trust);

/* The one warning for REPO's index that could not be read (ERR). */
void aipkg_index_warn_unreadable(struct aipkg_ctx *ctx, const struct aipkg_repo *repo, int err);

/*
 * Read REPO's index (REPO->index_path) into SET as repository IDX when apk
 * would trust it (KEYS), and set REPO->loaded and ->description: from
 * CACHE (apk/idxcache.h; may be NULL) when it holds the index as it is,
 * else from the file, keeping the result there.  A missing, unreadable,
 * damaged or untrusted index is skipped with one warning naming it, why,
 * and what to do; only -ENOMEM fails.
 */
int aipkg_index_load(struct aipkg_ctx *ctx, struct aipkg_repo *repo, int idx,
		     struct aipkg_keyring *keys, struct aipkg_idxcache *cache,
		     struct aipkg_pkgset *set);

#endif
