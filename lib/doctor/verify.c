/* Checking installed files against the installed db's checksums, as apk audit does, on several threads. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "doctor/doctor.h"
#include "journal/journal.h"

#define READ_CHUNK (256 << 10)
#define MAX_THREADS 8
#define CACHE_REL "var/lib/aipkg/doctor/verified"
#define CACHE_MAGIC "aipkg-verified 1\n"

/*
 * apk's checksum forms (blob.c, apk_blob_pull_csum / _digest): "Q1" +
 * base64 of SHA-1 (apk 2 and 3), "Q2" + base64 of SHA-256, "Q1" + 44
 * base64 characters (apk 3 writes a SHA-256 that way), "X1"/"X2" + hex,
 * and 32 hex digits of MD5 (very old databases).
 */
static size_t hex_decode(const char *s, size_t len, unsigned char *out)
{
	for (size_t i = 0; i < len / 2; i++) {
		int hi = aipkg_hex_digit(s[2 * i]), lo = aipkg_hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return len / 2;
}

static const char *alg_for(size_t n)
{
	return n == 20 ? "sha1" : n == 32 ? "sha256" : n == 16 ? "md5" : NULL;
}

size_t aipkg_csum_decode(const char *z, const char **alg, unsigned char *out)
{
	size_t len = z ? strlen(z) : 0, n = 0;
	unsigned char raw[66];

	*alg = NULL;
	bool v1 = len > 2 && z[1] == '1', v2 = len > 2 && z[1] == '2';

	*alg = NULL;
	if (len < 2)
		return 0;
	if (len == 32 && aipkg_hex_digit(z[0]) >= 0) {
		n = hex_decode(z, len, out);
	} else if (z[0] == 'X' && ((v1 && len - 2 == 40) || ((v1 || v2) && len - 2 == 64))) {
		n = hex_decode(z + 2, len - 2, out);
	} else if (z[0] == 'Q' && ((v1 && len - 2 == 28) || ((v1 || v2) && len - 2 == 44))) {
		int d = EVP_DecodeBlock(raw, (const unsigned char *)z + 2, (int)(len - 2));

		/* EVP_DecodeBlock counts the bytes of the '=' padding too */
		n = d == 21 ? 20 : d == 33 ? 32 : 0;
		if (n)
			memcpy(out, raw, n);
	}
	*alg = alg_for(n);
	return *alg ? n : 0;
}

/*
 * The cache of files found intact: path -> the stat that was seen and the
 * Z: it matched.  A file whose device, inode, size, mtime and ctime are
 * unchanged since it was hashed has the same content (its ctime moves on
 * any write, and cannot be set back without changing the clock).
 */
struct seen {
	uint64_t dev, ino, size, mtime, ctime;
};

struct centry {
	const char *path; /* into the cache text */
	const char *csum;
	struct seen st;
};

struct cache {
	char *text;
	struct centry *v; /* open addressing on path */
	size_t cap;
	size_t n;         /* entries loaded */
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct centry *cache_slot(const struct cache *c, const char *path)
{
	size_t i = (size_t)str_hash(path) & (c->cap - 1);

	while (c->v[i].path && strcmp(c->v[i].path, path) != 0)
		i = (i + 1) & (c->cap - 1);
	return &c->v[i];
}

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static struct seen seen_of(const struct stat *st)
{
	return (struct seen){ st->st_dev, st->st_ino, (uint64_t)st->st_size, ns_of(&st->st_mtim),
			      ns_of(&st->st_ctim) };
}

/* One line: "DEV INO SIZE MTIME CTIME CSUM PATH" (times in ns). */
static bool cache_line(char *line, struct centry *e)
{
	char *p = line, *end;
	uint64_t *f[] = { &e->st.dev, &e->st.ino, &e->st.size, &e->st.mtime, &e->st.ctime };

	for (size_t i = 0; i < 5; i++) {
		errno = 0;
		*f[i] = strtoull(p, &end, 10);
		if (errno || end == p || *end != ' ')
			return false;
		p = end + 1;
	}
	e->csum = p;
	if (!(p = strchr(p, ' ')))
		return false;
	*p = '\0';
	e->path = p + 1;
	return *e->path != '\0';
}

/* The cache is aipkg's own state: only trusted when root or we own it and
 * nobody else can write it. */
static int cache_open(struct aipkg_ctx *ctx)
{
	char *path = aipkg_ctx_path(ctx, CACHE_REL);
	int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) : -1;
	struct stat st;

	free(path);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 022) ||
			(st.st_uid != 0 && st.st_uid != geteuid()))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void cache_load(struct aipkg_ctx *ctx, struct cache *c, size_t expect)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int fd = cache_open(ctx);
	char *p, *nl;

	memset(c, 0, sizeof(*c));
	for (c->cap = 1024; c->cap < expect * 2; c->cap *= 2)
		;
	c->v = calloc(c->cap, sizeof(*c->v));
	if (fd < 0 || !c->v || aipkg_buf_read_fd(&b, fd) < 0 ||
	    strncmp(aipkg_buf_str(&b), CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0) {
		if (fd >= 0)
			close(fd);
		aipkg_buf_release(&b);
		return;
	}
	close(fd);
	c->text = aipkg_buf_detach(&b);
	for (p = c->text + strlen(CACHE_MAGIC); *p; p = nl + 1) {
		struct centry e;

		if (!(nl = strchr(p, '\n')))
			break;
		*nl = '\0';
		if (c->n * 2 < c->cap && cache_line(p, &e) && !cache_slot(c, e.path)->path) {
			*cache_slot(c, e.path) = e;
			c->n++;
		}
	}
}

static void cache_release(struct cache *c)
{
	free(c->text);
	free(c->v);
}

/*
 * The work, shared by the threads.
 */
struct verify {
	struct aipkg_filedb *fdb;
	const struct cache *cache;
	struct seen *seen;   /* per file: what was seen when it was found intact */
	bool *wanted;        /* per package: check it (NULL: all) */
	int rootfd;
	bool rehash;
	atomic_size_t next;  /* the next directory to take */
	atomic_size_t hashed, cached, bytes;
};

struct worker {
	struct verify *v;
	EVP_MD_CTX *md;
	unsigned char *buf;
	pthread_t tid;
};

int aipkg_doctor_open_dir(int rootfd, const char *dir)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd;

	if (!*dir)
		return dup(rootfd);
	fd = (int)syscall(SYS_openat2, rootfd, dir, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) /* before Linux 5.6: the best we can */
		fd = openat(rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd;
}

int aipkg_doctor_open_root(struct aipkg_ctx *ctx)
{
	const char *root = *ctx->root ? ctx->root : "/";
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return aipkg_ctx_fail(ctx, -errno, "cannot open the root %s: %s", root,
				      strerror(errno));
	return fd;
}

/*
 * The content of the regular file NAME (ST: what fstatat saw), read up to
 * its size: a file swapped or grown since is hashed as it is now, which is
 * what its state must say (and its new inode makes the next run read it
 * again).  O_NOFOLLOW and O_NONBLOCK: a symlink or FIFO put there meanwhile
 * is neither followed nor waited on.  Four system calls for a small file,
 * which is what the check costs on a root of 200,000.
 */
static bool digest_file(struct worker *w, int dirfd, const char *name, const EVP_MD *md,
			const struct stat *st, unsigned char *out, unsigned *outlen)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	off_t left = st->st_size;
	ssize_t n;
	bool ok = fd >= 0 && EVP_DigestInit_ex(w->md, md, NULL);

	while (ok && left > 0 && (n = read(fd, w->buf, READ_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0 && EVP_DigestUpdate(w->md, w->buf, (size_t)n);
		if (ok) {
			left -= n;
			atomic_fetch_add(&w->v->bytes, (size_t)n);
		}
	}
	ok = ok && left <= 0 && EVP_DigestFinal_ex(w->md, out, outlen);
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool digest_link(struct worker *w, int dirfd, const char *name, const EVP_MD *md,
			unsigned char *out, unsigned *outlen)
{
	char target[4096];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target));

	return n >= 0 && EVP_DigestInit_ex(w->md, md, NULL) &&
	       EVP_DigestUpdate(w->md, target, (size_t)n) && EVP_DigestFinal_ex(w->md, out, outlen);
}

static const EVP_MD *md_named(const char *alg)
{
	return !alg ? NULL : !strcmp(alg, "sha1") ? EVP_sha1() : !strcmp(alg, "sha256") ? EVP_sha256()
								       : EVP_md5();
}

static bool cache_hit(const struct verify *v, const struct aipkg_dbfile *f, const char *path,
		      const struct stat *st)
{
	const struct centry *e;
	struct seen now = seen_of(st);

	if (v->rehash || !v->cache->v || !f->csum)
		return false;
	e = cache_slot(v->cache, path);
	return e->path && !strcmp(e->csum, f->csum) && !memcmp(&e->st, &now, sizeof(now));
}

/* One file, apk audit's way (audit_file): 'U' when the content (or a
 * symlink's target) differs, or a symlink has no checksum. */
static enum aipkg_file_state absent(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ELOOP ? AIPKG_FILE_MISSING
							       : AIPKG_FILE_UNREADABLE;
}

static void check_file(struct worker *w, int dirfd, int dir_err, struct aipkg_dbfile *f,
		       const char *path)
{
	struct verify *v = w->v;
	unsigned char want[64], got[EVP_MAX_MD_SIZE];
	unsigned gotlen = 0;
	const char *alg;
	size_t n = aipkg_csum_decode(f->csum, &alg, want);
	struct stat st;
	bool ok;

	if (dirfd < 0) {
		f->state = absent(dir_err);
		return;
	}
	if (fstatat(dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		f->state = absent(errno);
		return;
	}
	if (!f->csum || !n) {
		f->state = S_ISLNK(st.st_mode) ? AIPKG_FILE_CHANGED : AIPKG_FILE_OK;
		return;
	}
	if (cache_hit(v, f, path, &st)) {
		f->cached = 1;
		atomic_fetch_add(&v->cached, 1);
		v->seen[f - v->fdb->files] = seen_of(&st);
		return;
	}
	if (S_ISLNK(st.st_mode))
		ok = digest_link(w, dirfd, f->name, md_named(alg), got, &gotlen);
	else if (S_ISREG(st.st_mode))
		ok = digest_file(w, dirfd, f->name, md_named(alg), &st, got, &gotlen);
	else {
		f->state = AIPKG_FILE_CHANGED; /* a directory, device or FIFO now */
		return;
	}
	atomic_fetch_add(&v->hashed, 1);
	if (!ok) {
		f->state = AIPKG_FILE_UNREADABLE;
		return;
	}
	f->state = gotlen == n && !memcmp(got, want, n) ? AIPKG_FILE_OK : AIPKG_FILE_CHANGED;
	if (f->state == AIPKG_FILE_OK)
		v->seen[f - v->fdb->files] = seen_of(&st);
}

static void check_dir(struct worker *w, struct aipkg_dbdir *d)
{
	struct verify *v = w->v;
	int dirfd = aipkg_doctor_open_dir(v->rootfd, d->path), err = dirfd < 0 ? errno : 0;
	char path[8192];

	for (uint32_t i = 0; i < d->n; i++) {
		struct aipkg_dbfile *f = &v->fdb->files[d->first + i];

		check_file(w, dirfd, err, f, aipkg_filedb_path(v->fdb, f, path, sizeof(path)));
	}
	if (dirfd >= 0)
		close(dirfd);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct verify *v = w->v;
	size_t i;

	while ((i = atomic_fetch_add(&v->next, 1)) < v->fdb->ndirs) {
		struct aipkg_dbdir *d = &v->fdb->dirs[i];

		if (!v->wanted || v->wanted[d->pkg])
			check_dir(w, d);
	}
	return NULL;
}

static int threads_for(const struct aipkg_verify_opts *opts, size_t nfiles)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = opts && opts->threads > 0 ? opts->threads : cpus > 0 ? (int)cpus : 1;

	if (n > MAX_THREADS)
		n = MAX_THREADS;
	return nfiles < 2000 ? 1 : n; /* threads cost more than they save on a few files */
}

static int run_workers(struct verify *v, int n)
{
	struct worker w[MAX_THREADS] = { 0 };
	int started = 0, r = 0;

	for (int i = 0; i < n && r == 0; i++) {
		w[i].v = v;
		w[i].md = EVP_MD_CTX_new();
		w[i].buf = malloc(READ_CHUNK);
		if (!w[i].md || !w[i].buf)
			r = -ENOMEM;
		else if (i > 0 && pthread_create(&w[i].tid, NULL, work, &w[i]) != 0)
			r = -EAGAIN;
		else
			started++;
	}
	if (r == 0)
		work(&w[0]); /* the calling thread is the first worker */
	for (int i = 1; i < started; i++)
		pthread_join(w[i].tid, NULL);
	for (int i = 0; i < n; i++) {
		EVP_MD_CTX_free(w[i].md);
		free(w[i].buf);
	}
	return r;
}

static bool *wanted_pkgs(const struct aipkg_filedb *fdb, const char *const *only)
{
	bool *wanted;

	if (!only)
		return NULL;
	wanted = calloc(fdb->npkgs + 1, sizeof(*wanted));
	for (size_t i = 0; wanted && i < fdb->npkgs; i++)
		for (const char *const *o = only; *o && !wanted[i]; o++)
			wanted[i] = strcmp(*o, fdb->pkgs[i].name) == 0;
	return wanted;
}

/* Write the files found intact, except those changed in the last seconds
 * (a change in the same clock tick as our look would go unseen). */
static void cache_save(struct aipkg_ctx *ctx, const struct verify *v, time_t started)
{
	uint64_t recent = (uint64_t)(started - 2) * 1000000000u;
	char *path = aipkg_ctx_path(ctx, CACHE_REL), *tmp = NULL;
	FILE *out = NULL;
	int fd = -1;

	if (!path || aipkg_statedir_make(ctx, "doctor") < 0 || asprintf(&tmp, "%s.tmp", path) < 0)
		goto out;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out)
		goto out;
	fd = -1;
	fputs(CACHE_MAGIC, out);
	for (size_t i = 0; i < v->fdb->nfiles; i++) {
		const struct aipkg_dbfile *f = &v->fdb->files[i];
		const struct seen *s = &v->seen[i];
		char p[8192];

		if (f->state != AIPKG_FILE_OK || !s->ino || s->ctime >= recent || !f->csum)
			continue;
		fprintf(out, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s %s\n",
			s->dev, s->ino, s->size, s->mtime, s->ctime, f->csum,
			aipkg_filedb_path(v->fdb, f, p, sizeof(p)));
	}
	if (fclose(out) == 0 && rename(tmp, path) == 0)
		*tmp = '\0';
	out = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (tmp && *tmp)
		unlink(tmp);
	free(tmp);
	free(path);
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int aipkg_filedb_verify(struct aipkg_ctx *ctx, struct aipkg_filedb *fdb,
			const struct aipkg_verify_opts *opts, struct aipkg_verify_stats *stats)
{
	struct verify v = { .fdb = fdb, .rehash = opts && opts->rehash };
	struct cache cache;
	double t0 = now_seconds();
	time_t started = time(NULL);
	int n = threads_for(opts, fdb->nfiles), r;

	memset(stats, 0, sizeof(*stats));
	v.rootfd = aipkg_doctor_open_root(ctx);
	if (v.rootfd < 0)
		return v.rootfd;
	cache_load(ctx, &cache, fdb->nfiles);
	v.cache = &cache;
	v.seen = calloc(fdb->nfiles + 1, sizeof(*v.seen));
	v.wanted = wanted_pkgs(fdb, opts ? opts->only : NULL);
	r = v.seen ? run_workers(&v, n) : -ENOMEM;
	/* a partial check (some packages) keeps what the cache knew of the rest */
	if (r == 0 && opts && opts->save_cache && !v.wanted &&
	    (atomic_load(&v.hashed) || atomic_load(&v.cached) != cache.n))
		cache_save(ctx, &v, started);
	close(v.rootfd);
	stats->files = fdb->nfiles;
	stats->hashed = atomic_load(&v.hashed);
	stats->cached = atomic_load(&v.cached);
	stats->bytes = atomic_load(&v.bytes);
	stats->threads = n;
	stats->seconds = now_seconds() - t0;
	free(v.seen);
	free(v.wanted);
	cache_release(&cache);
	return r;
}
