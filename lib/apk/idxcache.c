/* A compact parsed form of each index under ROOT/var/lib/aipkg/cache/index/, mapped instead of gunzipped and parsed. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "aipkg/error.h"
#include "apk/idxcache.h"
#include "apk/idxformat.h"
#include "ctx.h"
#include "digest.h"
#include "fileio.h"
#include "journal/journal.h"

#define IDX_DIR	    "var/lib/aipkg/cache/index"
/* When its body's CRC is read, the whole file is read: map it in one go
 * (Linux 5.14; older kernels fault it in as it is read).  Otherwise only
 * what a command reads is mapped, the records and a few strings. */
#ifdef MADV_POPULATE_READ
#define IDX_MADV_WHOLE MADV_POPULATE_READ
#else
#define IDX_MADV_WHOLE MADV_WILLNEED
#endif
/* A file last changed this long ago is marked checked (see idxcache.h):
 * any later write then gives it another ctime, even on a file system
 * whose clock counts whole seconds. */
#define IDX_CHECKED_AGE 2
/* Files untouched this long belong to repositories no longer used. */
#define IDX_STALE_SECS (30 * 86400)

/* The fields of struct aipkg_pkg the file carries. */
#define PKG_FIELD(f) offsetof(struct aipkg_pkg, f)
static const size_t idx_strs[] = {
    PKG_FIELD(name),	    PKG_FIELD(version), PKG_FIELD(origin),     PKG_FIELD(arch),
    PKG_FIELD(description), PKG_FIELD(url),	PKG_FIELD(license),    PKG_FIELD(maintainer),
    PKG_FIELD(commit),	    PKG_FIELD(checksum), PKG_FIELD(tag),
};
static const size_t idx_lists[] = {PKG_FIELD(depends), PKG_FIELD(provides),
				   PKG_FIELD(install_if)};
static const size_t idx_nums[] = {PKG_FIELD(size), PKG_FIELD(installed_size),
				  PKG_FIELD(build_time), PKG_FIELD(provider_priority)};
_Static_assert(sizeof(idx_strs) / sizeof(idx_strs[0]) == IDX_NSTR &&
		       sizeof(idx_lists) / sizeof(idx_lists[0]) == IDX_NLIST &&
		       sizeof(idx_nums) / sizeof(idx_nums[0]) == IDX_NNUM,
	       "the field tables and apk/idxformat.h disagree");

/* struct aipkg_pkg as the tables above know it: a field added there must
 * be added to them (and IDX_VERSION raised), or the cache would lose it. */
struct idx_pkg_mirror {
	const char *s[IDX_NSTR];
	struct aipkg_strv l[IDX_NLIST];
	uint64_t n[IDX_NNUM];
	size_t nfiles;
	int repo;
};
_Static_assert(sizeof(struct aipkg_pkg) == sizeof(struct idx_pkg_mirror),
	       "struct aipkg_pkg changed: update the field tables of apk/idxcache.c");



/* What an empty list points at. */
static const char *idx_no_tokens[1] = {NULL};

int aipkg_idxcache_open(struct aipkg_ctx *ctx, struct aipkg_idxcache *c)
{
	memset(c, 0, sizeof(*c));
	/* a state directory someone else can write holds nothing to trust */
	if (!aipkg_statedir_trusted(ctx))
		return 0;
	c->dir = aipkg_ctx_path(ctx, IDX_DIR);
	if (!c->dir)
		return -ENOMEM;
	c->enabled = true;
	c->checked_age = IDX_CHECKED_AGE;
	return 0;
}

void aipkg_idxcache_close(struct aipkg_idxcache *c)
{
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

/* DIR/<16 hex of SHA-256 of the index's path>.idx */
static char *idx_file(const struct aipkg_idxcache *c, const char *index_path)
{
	unsigned char md[AIPKG_SHA256_LEN];
	char *path = NULL;

	aipkg_sha256(index_path, strlen(index_path), md);
	if (asprintf(&path, "%s/%02x%02x%02x%02x%02x%02x%02x%02x.idx", c->dir, md[0], md[1], md[2],
		     md[3], md[4], md[5], md[6], md[7]) < 0)
		return NULL;
	return path;
}

static void idx_identity(struct idx_header *h, const struct stat *st, const unsigned char keys[32])
{
	h->dev = (uint64_t)st->st_dev;
	h->ino = (uint64_t)st->st_ino;
	h->size = (uint64_t)st->st_size;
	h->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	h->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	h->ctime_sec = (int64_t)st->st_ctim.tv_sec;
	h->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
	memcpy(h->keys, keys, sizeof(h->keys));
}

static uint32_t idx_header_crc(const struct idx_header *h)
{
	struct idx_header copy = *h;

	copy.header_crc = 0;
	return (uint32_t)crc32(0, (const Bytef *)&copy, sizeof(copy));
}

/* Does H describe this index, with these keys, in a file of FILE_SIZE? */
static bool idx_header_ok(const struct idx_header *h, size_t file_size, const struct stat *st,
			  const unsigned char keys[32])
{
	struct idx_header want;
	uint64_t body;

	memset(&want, 0, sizeof(want));
	idx_identity(&want, st, keys);
	if (memcmp(h->magic, IDX_MAGIC, 8) != 0 || h->version != IDX_VERSION ||
	    h->endian != IDX_ENDIAN || h->header_size != sizeof(*h) ||
	    h->record_size != sizeof(struct idx_record) || h->header_crc != idx_header_crc(h))
		return false;
	if (h->dev != want.dev || h->ino != want.ino || h->size != want.size ||
	    h->mtime_sec != want.mtime_sec || h->mtime_nsec != want.mtime_nsec ||
	    h->ctime_sec != want.ctime_sec || h->ctime_nsec != want.ctime_nsec ||
	    memcmp(h->keys, want.keys, sizeof(want.keys)) != 0)
		return false;
	/* the sizes add up to the file, without overflow */
	if (h->npkgs > UINT32_MAX || h->ntokens > UINT32_MAX || h->blob_len == 0 ||
	    h->blob_len > UINT32_MAX || h->file_size != file_size)
		return false;
	body = h->npkgs * sizeof(struct idx_record) + h->ntokens * sizeof(uint32_t) + h->blob_len;
	return body == file_size - sizeof(*h) && h->description < h->blob_len &&
	       h->trust <= AIPKG_TRUST_BAD && h->has_pkgs <= 1 && h->signer[127] == '\0';
}

/* Build the packages of the file at MAP into SET as repository REPO. */
static int idx_unpack(const unsigned char *map, const struct idx_header *h,
		      struct aipkg_pkgset *set, int repo)
{
	const struct idx_record *rec = (const void *)(map + sizeof(*h));
	const uint32_t *tok = (const void *)(rec + h->npkgs);
	const char *blob = (const char *)(tok + h->ntokens);
	size_t npool = 0, t = 0, p, i;
	const char **pool;
	int r;

	/* the pool holds every token and one NULL after each list */
	for (i = 0; i < h->npkgs; i++)
		for (size_t k = 0; k < IDX_NLIST; k++)
			npool += rec[i].list_n[k] + (rec[i].list_n[k] != 0);
	if (npool > h->ntokens + h->npkgs * IDX_NLIST)
		return -AIPKG_E_CORRUPT;
	r = aipkg_pkgset_reserve(set, h->npkgs, npool);
	if (r < 0)
		return r;
	pool = set->tokens + set->ntokens;
	for (i = 0, p = 0; i < h->npkgs; i++) {
		struct aipkg_pkg *pkg = &set->pkgs[set->n + i];

		memset(pkg, 0, sizeof(*pkg));
		for (size_t k = 0; k < IDX_NSTR; k++) {
			if (rec[i].str[k] >= h->blob_len)
				return -AIPKG_E_CORRUPT;
			*(const char **)((char *)pkg + idx_strs[k]) = blob + rec[i].str[k];
		}
		for (size_t k = 0; k < IDX_NLIST; k++) {
			struct aipkg_strv *sv = (struct aipkg_strv *)((char *)pkg + idx_lists[k]);
			uint32_t n = rec[i].list_n[k];

			sv->n = n;
			sv->v = n ? pool + p : idx_no_tokens;
			if (n > h->ntokens - t)
				return -AIPKG_E_CORRUPT;
			for (uint32_t j = 0; j < n; j++, t++) {
				if (tok[t] >= h->blob_len)
					return -AIPKG_E_CORRUPT;
				pool[p++] = blob + tok[t];
			}
			if (n)
				pool[p++] = NULL;
		}
		for (size_t k = 0; k < IDX_NNUM; k++)
			*(uint64_t *)((char *)pkg + idx_nums[k]) = rec[i].num[k];
		pkg->repo = repo;
		if (!pkg->name[0] || !pkg->version[0])
			return -AIPKG_E_CORRUPT; /* the parser never lets one through */
	}
	if (t != h->ntokens)
		return -AIPKG_E_CORRUPT;
	set->n += h->npkgs;
	set->ntokens += npool;
	return 0;
}

/* Copy what H says about the index into RES. */
static int idx_result(const struct idx_header *h, const char *blob, struct aipkg_idx_result *res)
{
	memset(res, 0, sizeof(*res));
	res->err = h->err;
	res->trust = (enum aipkg_index_trust)h->trust;
	res->bad_line = (size_t)h->bad_line;
	res->has_pkgs = h->has_pkgs;
	memcpy(res->signer, h->signer, sizeof(res->signer));
	if (blob[h->description] && !(res->description = strdup(blob + h->description)))
		return -ENOMEM;
	return 0;
}

/*
 * The body's CRC once per identity of the file.  PATH.ok holds one line
 * naming the file's device, inode, size, mtime, ctime and both CRCs when
 * a load checked the body; a load that finds the same line for the file
 * it opened does not read the body for its CRC again.
 */
static void idx_checked_line(char *out, size_t size, const struct stat *st,
			     const struct idx_header *h)
{
	snprintf(out, size, "aipkg-idx-checked %llu %llu %lld %lld.%09ld %lld.%09ld %08x %08x\n",
		 (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
		 (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, h->body_crc, h->header_crc);
}

/* Does PATH.ok say the body of this file (ST, H) was checked? */
static bool idx_checked(const char *path, const struct stat *st, const struct idx_header *h)
{
	struct aipkg_buf b;
	char want[256], *ok = NULL;
	bool yes;

	if (asprintf(&ok, "%s.ok", path) < 0)
		return false;
	aipkg_buf_init(&b, sizeof(want));
	idx_checked_line(want, sizeof(want), st, h);
	yes = aipkg_buf_read_state(&b, ok) == 0 && b.len == strlen(want) &&
	      memcmp(b.data, want, b.len) == 0;
	aipkg_buf_release(&b);
	free(ok);
	return yes;
}

/* The body of the file at FD (PATH, ST, H) passed its CRC: note it, once
 * what was checked is on the disk (a crash then cannot leave the file
 * noted and its body lost) and for a file IDX_CHECKED_AGE behind.  Not
 * noted when it cannot be (not root): the next load checks again. */
static void idx_mark_checked(const struct aipkg_idxcache *c, const char *path, int fd,
			     const struct stat *st, const struct idx_header *h)
{
	struct timespec now;
	char line[256], *ok = NULL;

	if (clock_gettime(CLOCK_REALTIME, &now) < 0 || now.tv_sec - st->st_ctim.tv_sec < c->checked_age ||
	    access(c->dir, W_OK) < 0 || fdatasync(fd) < 0 || asprintf(&ok, "%s.ok", path) < 0)
		return;
	idx_checked_line(line, sizeof(line), st, h);
	(void)aipkg_file_write_atomic(ok, line, strlen(line));
	free(ok);
}

int aipkg_idxcache_load(struct aipkg_idxcache *c, const char *index_path, const struct stat *st,
			const unsigned char keys[32],
			enum aipkg_idx_use (*use)(const struct aipkg_idx_result *, void *), void *ud, struct aipkg_pkgset *set, int repo, struct aipkg_idx_result *res)
{
	char *path = c->enabled ? idx_file(c, index_path) : NULL;
	struct stat cst;
	const struct idx_header *h;
	unsigned char *map = MAP_FAILED;
	int fd = path ? aipkg_state_open(path, O_RDONLY, 0) : -ENOENT, r = 0;
	size_t size = 0;
	bool checked = false;
	enum aipkg_idx_use wants = AIPKG_IDX_MISS;

	memset(res, 0, sizeof(*res));
	if (fd < 0) {
		free(path);
		return fd == -ENOMEM ? fd : 0;
	}
	if (fstat(fd, &cst) == 0 && (size_t)cst.st_size > sizeof(*h) && cst.st_size < (1LL << 40)) {
		size = (size_t)cst.st_size;
		map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	if (map == MAP_FAILED)
		goto out;
	h = (const struct idx_header *)map;
	/* every string ends inside the blob, whatever the body holds */
	if (!idx_header_ok(h, size, st, keys) || map[size - 1] != '\0')
		goto miss;
	checked = idx_checked(path, &cst, h);
	if (!checked) {
		c->crc_checked++;
		(void)madvise(map, size, IDX_MADV_WHOLE);
		if (h->body_crc != (uint32_t)crc32_z(0, map + sizeof(*h), size - sizeof(*h)))
			goto miss;
		idx_mark_checked(c, path, fd, &cst, h);
	}
	r = idx_result(h, (const char *)map + size - h->blob_len, res);
	if (r == 0)
		wants = use(res, ud);
	if (r < 0 || wants == AIPKG_IDX_MISS)
		goto miss;
	if (wants != AIPKG_IDX_PACKAGES)
		res->has_pkgs = false; /* the verdict only: nothing of it read */
	if (res->has_pkgs) {
		size_t n0 = set->n, t0 = set->ntokens;

		r = idx_unpack(map, h, set, repo);
		if (r == 0)
			r = aipkg_pkgset_adopt_map(set, map, size);
		if (r < 0) {
			set->n = n0; /* nothing of it published */
			set->ntokens = t0;
			goto miss;
		}
		c->hits++;
		r = 1;
		goto out;
	}
	munmap(map, size);
	c->hits++;
	r = 1;
	goto out;
miss:
	munmap(map, size);
	aipkg_idx_result_release(res);
	r = r == -ENOMEM ? r : 0;
out:
	close(fd);
	free(path);
	return r;
}

void aipkg_idx_result_release(struct aipkg_idx_result *res)
{
	free(res->description);
	memset(res, 0, sizeof(*res));
}

void aipkg_idxcache_seal(void *file, size_t len)
{
	struct idx_header *h = file;

	if (len < sizeof(*h))
		return;
	h->body_crc = (uint32_t)crc32_z(0, (const Bytef *)file + sizeof(*h), len - sizeof(*h));
	h->header_crc = idx_header_crc(h);
}

/* ---- writing ---- */

/*
 * A file is written in two passes over the packages: the first gives every
 * string its place in the blob (records and token offsets, in memory), the
 * second writes the strings straight from the packages in that order, so
 * making the cache of a huge index never holds a second copy of its text.
 */
static const char *idx_str(const struct aipkg_pkg *pkg, size_t k)
{
	return *(const char *const *)((const char *)pkg + idx_strs[k]);
}

static const struct aipkg_strv *idx_list(const struct aipkg_pkg *pkg, size_t k)
{
	return (const struct aipkg_strv *)((const char *)pkg + idx_lists[k]);
}

/* Does field K of PKG share the name's string (origin's fallback)? */
static bool idx_is_name(const struct aipkg_pkg *pkg, size_t k)
{
	return idx_strs[k] == PKG_FIELD(origin) && idx_str(pkg, k) == pkg->name;
}

/* Place S at *OFF (advanced past it); "" is offset 0. */
static int idx_place(const char *s, uint64_t *off, uint32_t *at)
{
	size_t len = strlen(s);

	*at = 0;
	if (!len)
		return 0;
	if (*off + len + 1 > UINT32_MAX)
		return -AIPKG_E_TOOBIG;
	*at = (uint32_t)*off;
	*off += len + 1;
	return 0;
}

/* Pass one: REC[N], TOK (counted by the caller) and the blob's length. */
static int idx_layout(const struct aipkg_pkg *pkgs, size_t n, struct idx_record *rec,
		      uint32_t *tok, const char *description, struct idx_header *h)
{
	uint64_t off = 1; /* offset 0: "" */
	size_t t = 0;
	int r = 0;

	for (size_t k = 0; r == 0 && k < IDX_NSTR; k++)
		for (size_t i = 0; r == 0 && i < n; i++) {
			if (idx_is_name(&pkgs[i], k))
				rec[i].str[k] = rec[i].str[0];
			else
				r = idx_place(idx_str(&pkgs[i], k), &off, &rec[i].str[k]);
		}
	/* the token array goes record by record, the strings list by list */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < IDX_NLIST; k++)
			rec[i].list_n[k] = (uint32_t)idx_list(&pkgs[i], k)->n;
	for (size_t k = 0; r == 0 && k < IDX_NLIST; k++)
		for (size_t i = 0, base = 0; r == 0 && i < n; i++) {
			const struct aipkg_strv *sv = idx_list(&pkgs[i], k);

			t = base;
			for (size_t k2 = 0; k2 < k; k2++)
				t += rec[i].list_n[k2];
			for (size_t j = 0; r == 0 && j < sv->n; j++)
				r = idx_place(sv->v[j], &off, &tok[t + j]);
			for (size_t k2 = 0; k2 < IDX_NLIST; k2++)
				base += rec[i].list_n[k2];
		}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < IDX_NNUM; k++)
			rec[i].num[k] = *(const uint64_t *)((const char *)&pkgs[i] + idx_nums[k]);
	if (r == 0)
		r = idx_place(description ? description : "", &off, &h->description);
	h->blob_len = off;
	return r;
}

/* Buffered writes that keep the CRC of what went through them. */
struct idx_writer {
	int fd;
	int err;
	uLong crc;
	size_t len;
	unsigned char buf[64 << 10];
};

static void idx_flush(struct idx_writer *w)
{
	for (size_t off = 0; !w->err && off < w->len;) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno != EINTR)
			w->err = -errno;
		off += n > 0 ? (size_t)n : 0;
	}
	w->len = 0;
}

static void idx_put(struct idx_writer *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	w->crc = crc32_z(w->crc, p, len);
	while (len && !w->err) {
		size_t k = sizeof(w->buf) - w->len < len ? sizeof(w->buf) - w->len : len;

		memcpy(w->buf + w->len, p, k);
		w->len += k;
		p += k;
		len -= k;
		if (w->len == sizeof(w->buf))
			idx_flush(w);
	}
}

static void idx_put_str(struct idx_writer *w, const char *s)
{
	if (*s)
		idx_put(w, s, strlen(s) + 1);
}

/* Pass two: the body, strings in the order idx_layout placed them. */
static void idx_put_body(struct idx_writer *w, const struct aipkg_pkg *pkgs, size_t n,
			 const struct idx_record *rec, const uint32_t *tok, size_t ntok,
			 const char *description)
{
	idx_put(w, rec, n * sizeof(*rec));
	idx_put(w, tok, ntok * sizeof(*tok));
	idx_put(w, "", 1);
	for (size_t k = 0; k < IDX_NSTR; k++)
		for (size_t i = 0; i < n; i++)
			if (!idx_is_name(&pkgs[i], k))
				idx_put_str(w, idx_str(&pkgs[i], k));
	for (size_t k = 0; k < IDX_NLIST; k++)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < idx_list(&pkgs[i], k)->n; j++)
				idx_put_str(w, idx_list(&pkgs[i], k)->v[j]);
	idx_put_str(w, description ? description : "");
	idx_flush(w);
}

/*
 * Write the file to a fresh temporary file in DIR and rename it to PATH:
 * a reader sees the old file or the new one.  The header goes last, once
 * the body's CRC is known.  No fsync: a file that lost its data in a crash
 * fails its CRC and is made again.
 */
static int idx_write(const char *dir, const char *path, struct idx_header *h,
		     const struct aipkg_pkg *pkgs, const struct idx_record *rec, const uint32_t *tok,
		     const char *description)
{
	struct idx_writer *w = malloc(sizeof(*w));
	char *tmp = NULL;
	int r = 0;

	if (!w || asprintf(&tmp, "%s/.tmp-XXXXXX", dir) < 0) {
		free(w);
		return -ENOMEM;
	}
	w->fd = mkostemp(tmp, O_CLOEXEC);
	if (w->fd < 0) {
		r = -errno;
		free(tmp);
		free(w);
		return r;
	}
	w->err = 0;
	w->len = 0;
	w->crc = crc32(0, Z_NULL, 0);
	if (lseek(w->fd, sizeof(*h), SEEK_SET) < 0)
		w->err = -errno;
	idx_put_body(w, pkgs, (size_t)h->npkgs, rec, tok, (size_t)h->ntokens, description);
	r = w->err;
	h->file_size = sizeof(*h) + h->npkgs * sizeof(*rec) + h->ntokens * sizeof(*tok) +
		       h->blob_len;
	h->body_crc = (uint32_t)w->crc;
	h->header_crc = idx_header_crc(h);
	if (r == 0 && pwrite(w->fd, h, sizeof(*h), 0) != (ssize_t)sizeof(*h))
		r = -EIO;
	if (r == 0 && fchmod(w->fd, 0644) < 0)
		r = -errno;
	if (close(w->fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	free(w);
	return r;
}

/* Remove files of repositories not read for a month and temporary files a
 * crash left. */
static void idx_prune(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);

	while (d && (de = readdir(d))) {
		struct stat st;
		bool tmp = strncmp(de->d_name, ".tmp-", 5) == 0;

		if (de->d_name[0] == '.' && !tmp)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && now - st.st_atime > (tmp ? 3600 : IDX_STALE_SECS))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
}

int aipkg_idxcache_store(struct aipkg_idxcache *c, const char *index_path, const struct stat *st,
			 const unsigned char keys[32], const struct aipkg_idx_result *res,
			 const struct aipkg_pkg *pkgs, size_t npkgs)
{
	struct idx_header h;
	struct idx_record *rec = NULL;
	uint32_t *tok = NULL;
	size_t ntok = 0;
	char *path = NULL;
	int r;

	if (!c->enabled)
		return 0;
	if (!res->has_pkgs)
		npkgs = 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IDX_MAGIC, sizeof(IDX_MAGIC));
	h.version = IDX_VERSION;
	h.endian = IDX_ENDIAN;
	h.header_size = sizeof(h);
	h.record_size = sizeof(struct idx_record);
	idx_identity(&h, st, keys);
	h.err = res->err;
	h.trust = res->trust;
	h.has_pkgs = res->has_pkgs;
	h.bad_line = res->bad_line;
	memcpy(h.signer, res->signer, sizeof(h.signer));
	h.signer[sizeof(h.signer) - 1] = '\0';
	for (size_t i = 0; i < npkgs; i++)
		for (size_t k = 0; k < IDX_NLIST; k++)
			ntok += idx_list(&pkgs[i], k)->n;
	h.npkgs = npkgs;
	h.ntokens = ntok;
	rec = calloc(npkgs ? npkgs : 1, sizeof(*rec));
	tok = malloc((ntok ? ntok : 1) * sizeof(*tok));
	r = rec && tok ? idx_layout(pkgs, npkgs, rec, tok, res->description, &h) : -ENOMEM;
	if (r == 0)
		path = idx_file(c, index_path);
	if (r == 0 && !path)
		r = -ENOMEM;
	if (r == 0 && (r = aipkg_mkdir_p(c->dir)) > 0)
		r = 0; /* 1: just made */
	if (r == 0)
		r = idx_write(c->dir, path, &h, pkgs, rec, tok, res->description);
	if (r == 0)
		idx_prune(c->dir);
	c->stored += r == 0;
	free(path);
	free(rec);
	free(tok);
	/* a cache that cannot be written (read-only root, not root) is no error */
	return r == -ENOMEM ? r : 0;
}
