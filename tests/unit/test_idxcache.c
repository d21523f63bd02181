/* Unit tests of apk/idxcache.c: the compact index cache, its checks, and damaged or hostile files. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aipkg/aipkg.h"
#include "apk/idxcache.h"
#include "apk/idxformat.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"

static const char index_text[] =
    "C:Q1m1=\nP:musl\nV:1.2.5-r1\nA:x86_64\nS:400000\nI:700000\nT:the C library\n"
    "U:https://musl.libc.org/\nL:MIT\no:musl\nm:Someone <s@example.org>\nt:1714981135\n"
    "c:0123456789abcdef\nk:10\np:so:libc.musl-x86_64.so.1=1\n\n"
    "C:Q1m2=\nP:nginx\nV:1.26.2-r0\nA:x86_64\nT:HTTP server\nD:musl pcre2 so:libz.so.1\n"
    "p:cmd:nginx=1.26.2-r0\ni:nginx-openrc openrc\n\n"
    "P:nodesc\nV:1-r0\n";

struct fixture {
	char dir[64];
	char root[96];
	char index[160];
	struct aipkg_ctx *ctx;
	struct aipkg_idxcache cache;
	struct stat st;
	unsigned char keys[32];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct aipkg_opts opts = {0};
	FILE *fp;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/aipkg-idxcache-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
	mkdir(f->root, 0755);
	snprintf(f->index, sizeof(f->index), "%s/APKINDEX.tar.gz", f->dir);
	fp = fopen(f->index, "w");
	if (!fp || fputs("stands for an index", fp) < 0 || fclose(fp) != 0)
		return -1;
	stat(f->index, &f->st);
	memset(f->keys, 7, sizeof(f->keys));
	opts.root = f->root;
	if (aipkg_ctx_new(&f->ctx, &opts, NULL) < 0 || aipkg_idxcache_open(f->ctx, &f->cache) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	aipkg_idxcache_close(&f->cache);
	aipkg_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void parse(struct aipkg_pkgset *set, int repo)
{
	aipkg_pkgset_init(set);
	assert_int_equal(aipkg_pkgset_parse(set, strdup(index_text), strlen(index_text), repo, NULL),
			 0);
}

static enum aipkg_idx_use want_all(const struct aipkg_idx_result *res, void *ud)
{
	(void)ud;
	return res->has_pkgs ? AIPKG_IDX_PACKAGES : AIPKG_IDX_MISS;
}

static void store(struct fixture *f, const struct aipkg_pkgset *set)
{
	struct aipkg_idx_result res = {0, AIPKG_TRUST_OK, "key.rsa.pub", 0, "v3.20.3", true};

	assert_int_equal(aipkg_idxcache_store(&f->cache, f->index, &f->st, f->keys, &res, set->pkgs,
					      set->n),
			 0);
}

static int load(struct fixture *f, struct aipkg_pkgset *set, struct aipkg_idx_result *res)
{
	aipkg_pkgset_init(set);
	return aipkg_idxcache_load(&f->cache, f->index, &f->st, f->keys, want_all, NULL, set, 3,
				   res);
}

static void assert_strv_equal(const struct aipkg_strv *a, const struct aipkg_strv *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
	assert_null(b->v[b->n]);
}

/* Every field comes back as the parser made it. */
static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;

	parse(&a, 3);
	store(f, &a);
	assert_int_equal(f->cache.stored, 1);
	assert_int_equal(load(f, &b, &res), 1);
	assert_int_equal(b.n, a.n);
	assert_true(res.has_pkgs);
	assert_int_equal(res.trust, AIPKG_TRUST_OK);
	assert_string_equal(res.signer, "key.rsa.pub");
	assert_string_equal(res.description, "v3.20.3");
	for (size_t i = 0; i < a.n; i++) {
		const struct aipkg_pkg *x = &a.pkgs[i], *y = &b.pkgs[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(x->version, y->version);
		assert_string_equal(x->arch, y->arch);
		assert_string_equal(x->description, y->description);
		assert_string_equal(x->url, y->url);
		assert_string_equal(x->license, y->license);
		assert_string_equal(x->origin, y->origin);
		assert_string_equal(x->maintainer, y->maintainer);
		assert_string_equal(x->commit, y->commit);
		assert_string_equal(x->checksum, y->checksum);
		assert_string_equal(x->tag, y->tag);
		assert_strv_equal(&x->depends, &y->depends);
		assert_strv_equal(&x->provides, &y->provides);
		assert_strv_equal(&x->install_if, &y->install_if);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->installed_size, y->installed_size);
		assert_int_equal(x->build_time, y->build_time);
		assert_int_equal(x->provider_priority, y->provider_priority);
		assert_int_equal(y->repo, 3);
	}
	assert_int_equal(aipkg_pkgset_index(&b), 0);
	assert_string_equal(aipkg_pkgset_find(&b, "nginx")->provides.v[0], "cmd:nginx=1.26.2-r0");
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&a);
	aipkg_pkgset_release(&b);
}

/* Packages from the cache and from a parse live side by side in one set. */
static void test_cached_and_parsed_packages_mix(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	const char more[] = "P:zlib\nV:1.3.1-r0\nD:musl\n";

	parse(&a, 0);
	store(f, &a);
	assert_int_equal(load(f, &b, &res), 1);
	assert_int_equal(aipkg_pkgset_parse(&b, strdup(more), strlen(more), 4, NULL), 0);
	assert_int_equal(aipkg_pkgset_index(&b), 0);
	assert_string_equal(aipkg_pkgset_find(&b, "nginx")->depends.v[2], "so:libz.so.1");
	assert_string_equal(aipkg_pkgset_find(&b, "zlib")->depends.v[0], "musl");
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&a);
	aipkg_pkgset_release(&b);
}

static enum aipkg_idx_use want_verdict(const struct aipkg_idx_result *res, void *ud)
{
	(void)res;
	(void)ud;
	return AIPKG_IDX_VERDICT;
}

/* A verdict-only hit (an index this run does not trust, cached with its
 * packages by a run with --allow-untrusted) adds nothing to the set. */
static void test_verdict_only_hit_reads_no_packages(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;

	parse(&a, 0);
	store(f, &a);
	aipkg_pkgset_init(&b);
	assert_int_equal(aipkg_idxcache_load(&f->cache, f->index, &f->st, f->keys, want_verdict,
					     NULL, &b, 3, &res),
			 1);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.ntokens, 0);
	assert_false(res.has_pkgs);
	assert_int_equal(res.trust, AIPKG_TRUST_OK);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&a);
	aipkg_pkgset_release(&b);
}

/* A changed index (size, mtime, inode) or other keys: made again. */
static void test_identity_and_keys_decide(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	struct stat saved = f->st;

	parse(&a, 0);
	store(f, &a);
	f->st.st_mtim.tv_nsec ^= 1;
	assert_int_equal(load(f, &b, &res), 0);
	assert_int_equal(b.n, 0);
	f->st = saved;
	f->st.st_ino++;
	assert_int_equal(load(f, &b, &res), 0);
	f->st = saved;
	f->keys[0] ^= 1;
	assert_int_equal(load(f, &b, &res), 0);
	f->keys[0] ^= 1;
	assert_int_equal(load(f, &b, &res), 1);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&a);
	aipkg_pkgset_release(&b);
}

/* The cache file of the fixture's index. */
static char *cache_path(struct fixture *f)
{
	char cmd[256], *path = NULL;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/var/lib/aipkg/cache/index/*.idx", f->root);
	p = popen(cmd, "r");
	assert_non_null(p);
	path = calloc(1, 512);
	assert_non_null(fgets(path, 512, p));
	path[strcspn(path, "\n")] = '\0';
	pclose(p);
	return path;
}

static void flip(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	unsigned char c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	close(fd);
}

/* Every byte changed, and every length cut: a miss, never a crash, never
 * a different answer. */
static void test_damaged_files_are_misses(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	char *path;
	struct stat st;

	parse(&a, 0);
	store(f, &a);
	path = cache_path(f);
	assert_int_equal(stat(path, &st), 0);
	for (off_t at = 0; at < st.st_size; at++) {
		flip(path, at);
		assert_int_equal(load(f, &b, &res), 0);
		assert_int_equal(b.n, 0);
		aipkg_pkgset_release(&b);
		flip(path, at);
	}
	for (off_t len = st.st_size - 1; len >= 0; len -= 7) {
		assert_int_equal(truncate(path, len), 0);
		assert_int_equal(load(f, &b, &res), 0);
		aipkg_pkgset_release(&b);
	}
	/* and the next store makes it whole again */
	store(f, &a);
	assert_int_equal(load(f, &b, &res), 1);
	assert_int_equal(b.n, a.n);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&a);
	aipkg_pkgset_release(&b);
	free(path);
}

/* Offsets past the blob, lists longer than the tokens: with both CRCs
 * recomputed (a hostile file), the bounds checks still refuse them. */
static void test_hostile_offsets_are_refused(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	char *path;
	struct aipkg_buf file = AIPKG_BUF_INIT;
	struct idx_header *h;
	struct idx_record *rec;

	parse(&a, 0);
	store(f, &a);
	path = cache_path(f);
	for (int attack = 0; attack < 4; attack++) {
		aipkg_buf_reset(&file);
		assert_int_equal(aipkg_buf_read_file(&file, path), 0);
		h = (struct idx_header *)file.data;
		rec = (struct idx_record *)(h + 1);
		if (attack == 0)
			rec[1].str[0] = (uint32_t)h->blob_len; /* a name past the end */
		else if (attack == 1)
			rec[0].list_n[1] = 1000000; /* more tokens than there are */
		else if (attack == 2)
			rec[2].str[1] = 0; /* no version */
		else
			h->npkgs = UINT64_MAX / 8; /* sizes that overflow */
		aipkg_idxcache_seal(file.data, file.len);
		assert_int_equal(aipkg_file_write_atomic(path, file.data, file.len), 0);
		assert_int_equal(load(f, &b, &res), 0);
		assert_int_equal(b.n, 0);
		aipkg_pkgset_release(&b);
	}
	aipkg_buf_release(&file);
	aipkg_pkgset_release(&a);
	free(path);
}

/* A link planted where the cache file goes is not followed. */
static void test_planted_link_is_not_followed(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	char *path, elsewhere[128];

	parse(&a, 0);
	store(f, &a);
	path = cache_path(f);
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere.idx", f->dir);
	assert_int_equal(rename(path, elsewhere), 0);
	assert_int_equal(symlink(elsewhere, path), 0);
	assert_int_equal(load(f, &b, &res), 0);
	/* the next store replaces the link, never writes through it */
	store(f, &a);
	assert_int_equal(load(f, &b, &res), 1);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&b);
	aipkg_pkgset_release(&a);
	free(path);
}

/* A cache that cannot be written (here: a file where its directory
 * should be, which even root cannot write through): nothing said, nothing
 * stored, nothing loaded. */
static void test_unwritable_cache_is_silent(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	char path[160];
	FILE *fp;

	parse(&a, 0);
	snprintf(path, sizeof(path), "%s/var/lib/aipkg/cache", f->root);
	assert_int_equal(aipkg_mkdir_p(path), 1);
	snprintf(path, sizeof(path), "%s/var/lib/aipkg/cache/index", f->root);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	store(f, &a);
	assert_int_equal(f->cache.stored, 0);
	assert_int_equal(load(f, &b, &res), 0);
	aipkg_pkgset_release(&a);
}

/* Writers racing, a reader reading: it sees one whole file or the other. */
static void test_concurrent_writers_and_a_reader(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, small, b;
	struct aipkg_idx_result res;
	const char one[] = "P:only\nV:1-r0\n";
	pid_t kids[2];

	parse(&a, 0);
	aipkg_pkgset_init(&small);
	assert_int_equal(aipkg_pkgset_parse(&small, strdup(one), strlen(one), 0, NULL), 0);
	store(f, &a);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			for (int i = 0; i < 200; i++)
				store(f, k ? &small : &a);
			_exit(0);
		}
	}
	for (int i = 0; i < 300; i++) {
		int hit = load(f, &b, &res);

		assert_true(hit == 1 || hit == 0);
		assert_true(hit == 0 || b.n == a.n || b.n == small.n);
		if (hit)
			aipkg_idx_result_release(&res);
		aipkg_pkgset_release(&b);
	}
	for (int k = 0; k < 2; k++) {
		int status;

		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	aipkg_pkgset_release(&a);
	aipkg_pkgset_release(&small);
}

/* PATH.ok, read; "" when there is none. */
static void read_note(const char *path, char *out, size_t size)
{
	char ok[600];
	FILE *fp;

	snprintf(ok, sizeof(ok), "%s.ok", path);
	out[0] = '\0';
	fp = fopen(ok, "r");
	if (fp && !fgets(out, (int)size, fp))
		out[0] = '\0';
	if (fp)
		fclose(fp);
}

/* A file just written is read whole for its CRC every time, and noted
 * nowhere: a write within the same tick of a coarse clock would leave its
 * identity as it was. */
static void test_young_file_is_checked_every_time(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	char *path, note[256];

	parse(&a, 0);
	store(f, &a);
	path = cache_path(f);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(load(f, &b, &res), 1);
		assert_int_equal(f->cache.crc_checked, i);
		aipkg_idx_result_release(&res);
		aipkg_pkgset_release(&b);
	}
	read_note(path, note, sizeof(note));
	assert_string_equal(note, "");
	aipkg_pkgset_release(&a);
	free(path);
}

/* Once checked, a file old enough is noted with its identity: the next
 * load skips the CRC.  A note that names another identity is not believed,
 * and a write to the file after the note makes it another. */
static void test_old_file_is_checked_once_per_identity(void **state)
{
	struct fixture *f = *state;
	struct aipkg_pkgset a, b;
	struct aipkg_idx_result res;
	struct timespec pause = { 1, 100 * 1000 * 1000L };
	char *path, note[256], ino[32], ok[600];
	struct stat st;
	FILE *fp;

	f->cache.checked_age = 1;
	parse(&a, 0);
	store(f, &a);
	path = cache_path(f);
	nanosleep(&pause, NULL);
	assert_int_equal(load(f, &b, &res), 1);
	assert_int_equal(f->cache.crc_checked, 1);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&b);
	read_note(path, note, sizeof(note));
	assert_int_equal(stat(path, &st), 0);
	snprintf(ino, sizeof(ino), " %llu %lld ", (unsigned long long)st.st_ino,
		 (long long)st.st_size);
	assert_non_null(strstr(note, ino));
	/* noted: the body is not read again, and the packages are the same */
	assert_int_equal(load(f, &b, &res), 1);
	assert_int_equal(f->cache.crc_checked, 1);
	assert_int_equal(b.n, a.n);
	assert_string_equal(b.pkgs[1].description, a.pkgs[1].description);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&b);
	/* a note naming another inode */
	snprintf(ok, sizeof(ok), "%s.ok", path);
	fp = fopen(ok, "w");
	assert_non_null(fp);
	fputs("aipkg-idx-checked 1 2 3 4.000000000 5.000000000 00000000 00000000\n", fp);
	fclose(fp);
	assert_int_equal(load(f, &b, &res), 1);
	assert_int_equal(f->cache.crc_checked, 2);
	aipkg_idx_result_release(&res);
	aipkg_pkgset_release(&b);
	/* noted again; then a byte of a string changed in place, a second
	 * later: its ctime is another, so the CRC is read, and it is a miss */
	read_note(path, note, sizeof(note));
	assert_non_null(strstr(note, "aipkg-idx-checked"));
	nanosleep(&pause, NULL);
	flip(path, st.st_size - 3);
	assert_int_equal(load(f, &b, &res), 0);
	assert_int_equal(f->cache.crc_checked, 3);
	aipkg_pkgset_release(&b);
	aipkg_pkgset_release(&a);
	free(path);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_round_trip),
	    T(test_cached_and_parsed_packages_mix),
	    T(test_verdict_only_hit_reads_no_packages),
	    T(test_identity_and_keys_decide),
	    T(test_damaged_files_are_misses),
	    T(test_hostile_offsets_are_refused),
	    T(test_planted_link_is_not_followed),
	    T(test_unwritable_cache_is_silent),
	    T(test_concurrent_writers_and_a_reader),
	    T(test_young_file_is_checked_every_time),
	    T(test_old_file_is_checked_once_per_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
