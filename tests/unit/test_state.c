/* Unit tests of apk/state.c, world.c, repos.c: apk's state under a generated root. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aipkg/aipkg.h"
#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"
#include "tgz.h"

/* ---- the file parsers ---- */

static void test_world_splits_on_any_whitespace(void **state)
{
	char **atoms;
	size_t n;

	assert_int_equal(
	    aipkg_world_parse("alpine-base\nbusybox  musl>1.2\n\tfoo@testing \n", &atoms, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(atoms[0], "alpine-base");
	assert_string_equal(atoms[2], "musl>1.2");
	assert_string_equal(atoms[3], "foo@testing");
	aipkg_world_free(atoms, n);
	assert_int_equal(aipkg_world_parse("\n \n", &atoms, &n), 0);
	assert_int_equal(n, 0);
	aipkg_world_free(atoms, n);
}

static void test_repositories_file_lines(void **state)
{
	struct aipkg_repo *r = NULL;
	size_t n = 0;

	assert_int_equal(aipkg_repos_parse(
			     "# comment\n"
			     "\n"
			     "https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n"
			     "https://dl-cdn.alpinelinux.org/alpine/v3.20/community   \t\n"
			     "@testing https://dl-cdn.alpinelinux.org/alpine/edge/testing\n"
			     "/srv/repo/\n"
			     "file:///srv/other\n"
			     "https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n" /* listed twice */
			     "  # indented comment\n",
			     &r, &n),
			 0);
	assert_int_equal(n, 5);
	assert_string_equal(r[0].url, "https://dl-cdn.alpinelinux.org/alpine/v3.20/main");
	assert_null(r[0].tag);
	assert_true(r[0].remote);
	assert_false(r[0].from_cli);
	assert_string_equal(r[0].index_file, "APKINDEX.tar.gz");
	assert_string_equal(r[1].url, "https://dl-cdn.alpinelinux.org/alpine/v3.20/community");
	assert_string_equal(r[2].tag, "testing");
	assert_string_equal(r[2].url, "https://dl-cdn.alpinelinux.org/alpine/edge/testing");
	assert_string_equal(r[3].url, "/srv/repo/");
	assert_false(r[3].remote);
	assert_false(r[4].remote);
	aipkg_repos_free(r, n);
}

static void test_repositories_apk3_syntax(void **state)
{
	struct aipkg_repo *r = NULL;
	size_t n = 0;

	assert_int_equal(aipkg_repos_parse("set MIRROR=http://m.example.org/alpine\n"
					   "v2 ${MIRROR}/v3.21 main community\n"
					   "v2 http://example.com/a/${APK_ARCH}/x\n"
					   "ndx http://example.com/nd/index.tar.gz\n"
					   "v3 @t2 http://example.com/adb\n"
					   "http://example.com/direct/APKINDEX.tar.gz\n"
					   "frobnicate http://example.com/unknown-keyword\n"
					   "v2 ${UNDEFINED}/x\n"
					   "v2 relative/path\n",
					   &r, &n),
			 0);
	assert_int_equal(n, 6);
	assert_string_equal(r[0].url, "http://m.example.org/alpine/v3.21/main");
	assert_string_equal(r[1].url, "http://m.example.org/alpine/v3.21/community");
	assert_string_equal(r[2].url, "http://example.com/a/${APK_ARCH}/x");
	assert_string_equal(r[3].url, "http://example.com/nd/index.tar.gz");
	assert_null(r[3].index_file);
	assert_string_equal(r[4].index_file, "Packages.adb");
	assert_string_equal(r[4].tag, "t2");
	assert_null(r[5].index_file);
	aipkg_repos_free(r, n);
}

/* A variable doubled line after line grew without bound (20 lines: 16
 * MiB; 40: all memory).  apk 3 refuses an expansion longer than PATH_MAX:
 * so does aipkg, skipping the line, and the lines after it still count. */
static void test_repositories_variable_doubling_bounded(void **state)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	struct aipkg_repo *r = NULL;
	size_t n = 0;

	aipkg_buf_addstr(&text, "set A=0123456789abcdef\n");
	for (int i = 0; i < 20; i++)
		aipkg_buf_addstr(&text, "set A=${A}${A}\n");
	aipkg_buf_addstr(&text, "http://h/${A}${A}/x\n"
				"set B=${A}${A:1900}\n"
				"http://h/${B}\n"
				"http://h/after\n");
	assert_int_equal(aipkg_repos_parse(aipkg_buf_str(&text), &r, &n), 0);
	assert_int_equal(n, 2);
	/* the last doubling that fit (2048 bytes) is what A holds */
	assert_int_equal(strlen(r[0].url), strlen("http://h/") + 2048 + 1900);
	assert_string_equal(r[1].url, "http://h/after");
	aipkg_repos_free(r, n);
	aipkg_buf_release(&text);
}

static void test_repository_option_takes_no_keywords(void **state)
{
	struct aipkg_repo *r = NULL;
	size_t n = 0;

	assert_int_equal(aipkg_repos_add_cli("./relative/repo", &r, &n), 0);
	assert_int_equal(aipkg_repos_add_cli("http://example.com/cli main", &r, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].url, "./relative/repo");
	assert_true(r[0].from_cli);
	assert_string_equal(r[1].url, "http://example.com/cli/main");
	aipkg_repos_free(r, n);
}

/* ---- the cache names, as observed from real apk 2.14.4 and 3.0.6 ---- */

struct cache_case {
	const char *line; /* repositories file line (NULL: --repository arg) */
	const char *cli;
	const char *arch;
	const char *apk2; /* NULL when apk 2 cannot use the line */
	const char *apk3;
};

/*
 * Each name was read off `strace -e trace=openat apk --root R update` with
 * the line in R/etc/apk/repositories (and R/etc/apk/arch).
 */
static const struct cache_case cache_cases[] = {
    {"http://dl-cdn.alpinelinux.org/alpine/v3.20/main", NULL, "x86_64", "APKINDEX.ced93634.tar.gz",
     "APKINDEX.fb581721.tar.gz"},
    {"@testing https://dl-cdn.alpinelinux.org/alpine/edge/testing", NULL, "x86_64",
     "APKINDEX.4000b982.tar.gz", "APKINDEX.ce848a67.tar.gz"},
    {"http://example.com/repo/", NULL, "x86_64", "APKINDEX.40bf83fd.tar.gz",
     "APKINDEX.af7aef23.tar.gz"},
    {"https://dl-cdn.alpinelinux.org/alpine/v3.20/community", NULL, "aarch64",
     "APKINDEX.7db31bb6.tar.gz", "APKINDEX.e44fe750.tar.gz"},
    /* apk 3 only: trailing blanks and slashes, ndx, variables, components */
    {"http://example.com/trail   ", NULL, "x86_64", NULL, "APKINDEX.6ca4848f.tar.gz"},
    {"http://example.com/a//", NULL, "x86_64", NULL, "APKINDEX.999263f7.tar.gz"},
    {"http://example.com/direct/APKINDEX.tar.gz", NULL, "x86_64", NULL, "APKINDEX.2d898155.tar.gz"},
    {"ndx http://example.com/nd/index.tar.gz", NULL, "x86_64", NULL, "APKINDEX.8a0c4394.tar.gz"},
    {"set MIRROR=http://m.example.org/alpine\nv2 ${MIRROR}/v3.21 main", NULL, "x86_64", NULL,
     "APKINDEX.5f693399.tar.gz"},
    {"v2 @t2 http://example.com/tagsecond", NULL, "x86_64", NULL, "APKINDEX.214392d2.tar.gz"},
    {NULL, "http://example.com/cli main", "x86_64", NULL, "APKINDEX.28dde21f.tar.gz"},
};

static void test_cache_names_match_real_apk(void **state)
{
	for (size_t i = 0; i < sizeof(cache_cases) / sizeof(cache_cases[0]); i++) {
		const struct cache_case *c = &cache_cases[i];
		struct aipkg_repo *r = NULL;
		size_t n = 0;
		char *name;

		if (c->line)
			assert_int_equal(aipkg_repos_parse(c->line, &r, &n), 0);
		else
			assert_int_equal(aipkg_repos_add_cli(c->cli, &r, &n), 0);
		assert_int_equal(n, 1);
		name = aipkg_repo_cache_name(&r[0], c->arch, 3);
		assert_string_equal(name, c->apk3);
		free(name);
		if (c->apk2) {
			name = aipkg_repo_cache_name(&r[0], c->arch, 2);
			assert_string_equal(name, c->apk2);
			free(name);
		}
		aipkg_repos_free(r, n);
	}
}

static void test_cache_name_rejects_unknown_major(void **state)
{
	struct aipkg_repo *r = NULL;
	size_t n = 0;

	assert_int_equal(aipkg_repos_parse("http://example.com/x\n", &r, &n), 0);
	assert_null(aipkg_repo_cache_name(&r[0], "x86_64", 4));
	aipkg_repos_free(r, n);
}

/* ---- a whole root ---- */

struct fixture {
	char dir[64]; /* the temporary directory, holding root/ and repo/ */
	char root[96];
	struct aipkg_ctx *ctx;
	struct aipkg_state st;
	char warnings[4096];
	const char *cli_repos[2];
	bool allow_untrusted;
};

static void mkdirs(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

static void put_bytes(const char *base, const char *rel, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	*strrchr(path, '/') = '\0';
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put(const char *base, const char *rel, const char *text)
{
	put_bytes(base, rel, text, strlen(text));
}

/* The key every test root trusts (etc/apk/keys/KEY_NAME), made in main(). */
static EVP_PKEY *test_key;
#define KEY_NAME "aipkg-test-5f0c1a2b.rsa.pub"

/* An index signed with the test key (TYPE "RSA", "RSA256"), or not ("none"). */
static void put_index_as(const char *base, const char *rel, const char *apkindex,
			 const char *desc, const char *type)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, signed_gz = AIPKG_BUF_INIT;

	tgz_index(&gz, apkindex, desc, 0);
	if (strcmp(type, "none") == 0) {
		put_bytes(base, rel, gz.data, gz.len);
	} else {
		assert_int_equal(tgz_sign(&signed_gz, &gz, test_key, type, KEY_NAME), 0);
		put_bytes(base, rel, signed_gz.data, signed_gz.len);
	}
	aipkg_buf_release(&gz);
	aipkg_buf_release(&signed_gz);
}

static void put_index(const char *base, const char *rel, const char *apkindex, const char *desc)
{
	put_index_as(base, rel, apkindex, desc, "RSA");
}

static void put_key(const char *root)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/etc/apk/keys", root);
	mkdirs(path);
	snprintf(path, sizeof(path), "%s/etc/apk/keys/" KEY_NAME, root);
	assert_int_equal(tgz_key_write_public(test_key, path), 0);
}

static void on_warn(void *ud, const char *msg)
{
	struct fixture *f = ud;

	strncat(f->warnings, msg, sizeof(f->warnings) - strlen(f->warnings) - 2);
	strcat(f->warnings, "\n");
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/aipkg-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
	mkdirs(f->root);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	aipkg_state_release(&f->st);
	aipkg_ctx_free(f->ctx);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Load the state of the fixture's root with --repository options NREPOS. */
static int load(struct fixture *f, size_t nrepos, unsigned parts)
{
	struct aipkg_opts opts = {0};
	struct aipkg_callbacks cb = {0};

	opts.root = f->root;
	/* no apk to ask: the root's release says which apk's cache names are
	 * read, whatever apk the machine running the tests has */
	opts.apk_command = "/nonexistent/apk";
	opts.repos = f->cli_repos;
	opts.nrepos = nrepos;
	opts.allow_untrusted = f->allow_untrusted;
	cb.warn = on_warn;
	cb.ud = f;
	aipkg_ctx_free(f->ctx);
	f->warnings[0] = '\0';
	assert_int_equal(aipkg_ctx_new(&f->ctx, &opts, &cb), 0);
	return aipkg_state_load(f->ctx, &f->st, parts);
}

static const char installed[] =
    "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:aarch64\nT:the C library\no:musl\n"
    "F:lib\nR:ld-musl-aarch64.so.1\na:0:0:755\nZ:Q1xyz=\nR:libc.musl-aarch64.so.1\n\n"
    "C:Q1def=\nP:libcrypto3\nV:3.3.2-r0\nA:aarch64\no:openssl\nD:musl\n"
    "F:usr/lib\nR:libcrypto.so.3\n";

static const char index_main[] =
    "C:Q1m1=\nP:musl\nV:1.2.5-r1\nA:aarch64\nS:400000\nI:700000\nT:the C library\n\n"
    "C:Q1m2=\nP:nginx\nV:1.26.2-r0\nA:aarch64\nT:HTTP server\nD:musl "
    "pcre2\np:cmd:nginx=1.26.2-r0\n";

static const char index_local[] = "C:Q1l1=\nP:musl\nV:1.2.6-r0\nA:aarch64\nT:a newer C library\n\n"
				  "C:Q1l2=\nP:hello\nV:1.0-r0\nA:aarch64\nT:greets\n";

static char *cache_name(const char *url, int apk_major)
{
	struct aipkg_repo *r = NULL;
	size_t n = 0;
	char *name;

	assert_int_equal(aipkg_repos_parse(url, &r, &n), 0);
	name = aipkg_repo_cache_name(&r[0], "aarch64", apk_major);
	aipkg_repos_free(r, n);
	return name;
}

/* Put the index of a remote URL where apk APK_MAJOR caches it. */
static void put_cached(struct fixture *f, const char *cache_rel, const char *url, int apk_major,
		       const char *apkindex, const char *desc)
{
	char rel[256], *name = cache_name(url, apk_major);

	snprintf(rel, sizeof(rel), "%s/%s", cache_rel, name);
	put_index(f->root, rel, apkindex, desc);
	free(name);
}

static void build_root(struct fixture *f)
{
	char line[256];

	put(f->root, "etc/apk/arch", "aarch64\n");
	put(f->root, "etc/alpine-release", "3.20.3\n");
	put_key(f->root);
	put(f->root, "lib/apk/db/installed", installed);
	put(f->root, "etc/apk/world", "musl\nlibcrypto3 hello@local\n");
	snprintf(line, sizeof(line),
		 "# the mirror\n"
		 "https://mirror.example.org/alpine/v3.20/main\n"
		 "https://mirror.example.org/alpine/v3.20/community\n"
		 "@local %s/repo\n",
		 f->dir);
	put(f->root, "etc/apk/repositories", line);
	put_cached(f, "var/cache/apk", "https://mirror.example.org/alpine/v3.20/main", 2,
		   index_main, "v3.20.3-1-gmain\n");
	put_index(f->dir, "repo/aarch64/APKINDEX.tar.gz", index_local, NULL);
}

static void test_state_of_a_full_root(void **state)
{
	struct fixture *f = *state;
	const struct aipkg_pkg *p;

	build_root(f);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_string_equal(f->st.arch, "aarch64");
	assert_string_equal(f->st.release, "3.20.3");
	assert_int_equal(f->st.installed.n, 2);
	p = aipkg_pkgset_find(&f->st.installed, "libcrypto3");
	assert_non_null(p);
	assert_string_equal(p->origin, "openssl");
	assert_int_equal(aipkg_pkgset_find(&f->st.installed, "musl")->nfiles, 2);
	assert_int_equal(f->st.nworld, 3);
	assert_string_equal(f->st.world[2], "hello@local");

	assert_int_equal(f->st.nrepos, 3);
	assert_true(f->st.repos[0].loaded);
	assert_string_equal(f->st.repos[0].description, "v3.20.3-1-gmain");
	assert_false(f->st.repos[1].loaded); /* never updated: a warning */
	assert_non_null(strstr(f->warnings, "v3.20/community"));
	assert_non_null(strstr(f->warnings, "aipkg update"));
	assert_true(f->st.repos[2].loaded);
	assert_string_equal(f->st.repos[2].tag, "local");
	assert_false(f->st.repos[2].remote);

	assert_int_equal(f->st.available.n, 4);
	p = aipkg_pkgset_find(&f->st.available, "musl");
	assert_string_equal(p->version, "1.2.6-r0");
	assert_int_equal(p->repo, 2);
	p = aipkg_pkgset_find(&f->st.available, "nginx");
	assert_int_equal(p->repo, 0);
	assert_string_equal(p->provides.v[0], "cmd:nginx=1.26.2-r0");
}

static void test_parts_limit_what_is_read(void **state)
{
	struct fixture *f = *state;

	build_root(f);
	assert_int_equal(load(f, 0, AIPKG_STATE_WORLD), 0);
	assert_int_equal(f->st.installed.n, 0);
	assert_int_equal(f->st.available.n, 0);
	assert_int_equal(f->st.nworld, 3);
	assert_int_equal(f->st.nrepos, 3); /* the list is cheap and always read */
	assert_false(f->st.repos[0].loaded);
}

static void test_empty_root_is_a_fresh_system(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(f->st.arch);
	assert_true(f->st.arch[0] != '\0');
	assert_null(f->st.release);
	assert_int_equal(f->st.installed.n, 0);
	assert_int_equal(f->st.nworld, 0);
	assert_int_equal(f->st.nrepos, 0);
	assert_string_equal(f->warnings, "");
}

static void test_repository_options_come_first(void **state)
{
	struct fixture *f = *state;
	char url[128];

	build_root(f);
	snprintf(url, sizeof(url), "file://%s/clirepo", f->dir);
	put_index(f->dir, "clirepo/aarch64/APKINDEX.tar.gz", "P:cli-only\nV:2-r0\n", "cli");
	f->cli_repos[0] = url;
	assert_int_equal(load(f, 1, AIPKG_STATE_ALL), 0);
	assert_int_equal(f->st.nrepos, 4);
	assert_true(f->st.repos[0].from_cli);
	assert_true(f->st.repos[0].loaded);
	assert_string_equal(f->st.repos[0].description, "cli");
	assert_int_equal(aipkg_pkgset_find(&f->st.available, "cli-only")->repo, 0);
}

static void test_repositories_d_lists(void **state)
{
	struct fixture *f = *state;

	put(f->root, "etc/apk/repositories", "http://example.com/main\n");
	put(f->root, "etc/apk/repositories.d/b.list", "http://example.com/b-etc\n");
	put(f->root, "etc/apk/repositories.d/a.conf", "http://example.com/not-a-list\n");
	put(f->root, "etc/apk/repositories.d/.hidden.list", "http://example.com/hidden\n");
	put(f->root, "lib/apk/repositories.d/b.list", "http://example.com/b-lib\n");
	put(f->root, "lib/apk/repositories.d/a.list", "http://example.com/a-lib\n");
	assert_int_equal(load(f, 0, 0), 0);
	assert_int_equal(f->st.nrepos, 3);
	assert_string_equal(f->st.repos[0].url, "http://example.com/main");
	assert_string_equal(f->st.repos[1].url, "http://example.com/a-lib");
	assert_string_equal(f->st.repos[2].url, "http://example.com/b-etc");
}

static void test_apk_arch_variable_is_expanded(void **state)
{
	struct fixture *f = *state;

	put(f->root, "etc/apk/arch", "aarch64\n");
	put(f->root, "etc/apk/repositories", "v2 http://example.com/${APK_ARCH}/repo\n");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_string_equal(f->st.repos[0].url, "http://example.com/aarch64/repo");
}

static void test_apk3_cache_and_etc_apk_cache_symlink(void **state)
{
	struct fixture *f = *state;
	char target[160];

	build_root(f);
	put(f->root, "etc/alpine-release", "3.23.2\n"); /* apk-tools 3 */
	/* etc/apk/cache is where apk caches when it is a directory; a relative
	 * link climbing out of the root stops at the root, as in a chroot */
	snprintf(target, sizeof(target), "%s/root/srv/apk-cache", f->dir);
	mkdirs(target);
	snprintf(target, sizeof(target), "%s/root/etc/apk/cache", f->dir);
	assert_int_equal(symlink("../../../../../srv/apk-cache", target), 0);
	put_cached(f, "srv/apk-cache", "https://mirror.example.org/alpine/v3.20/community", 3,
		   "P:from-apk3-cache\nV:1-r0\n", NULL);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_true(f->st.repos[1].loaded);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "from-apk3-cache"));
	/* and the var/cache/apk copy of main is no longer looked at */
	assert_false(f->st.repos[0].loaded);
}

static void set_mtime(const char *base, const char *cache_rel, const char *url, int apk_major,
		      time_t when)
{
	char path[512], *name = cache_name(url, apk_major);
	struct timespec ts[2] = {{when, 0}, {when, 0}};

	snprintf(path, sizeof(path), "%s/%s/%s", base, cache_rel, name);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	free(name);
}

/* apk reads its cache under its own names only: so does aipkg, whatever
 * another apk left there, newer or older (the newest file only when no
 * apk, apk-tools package or release says which apk it is). */
static void test_cache_of_the_apk_in_use_is_read(void **state)
{
	struct fixture *f = *state;
	const char *url = "https://mirror.example.org/alpine/v3.20/main";

	build_root(f);
	put_cached(f, "var/cache/apk", url, 3, "P:from-apk3\nV:1-r0\n", NULL);
	set_mtime(f->root, "var/cache/apk", url, 2, 1600000000);
	set_mtime(f->root, "var/cache/apk", url, 3, 1800000000);
	/* Alpine 3.20: apk-tools 2.14.4 */
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "nginx"));
	assert_null(aipkg_pkgset_find(&f->st.available, "from-apk3"));
	assert_int_equal(f->st.repos[0].naming, AIPKG_CACHE_V2_URL);
	assert_non_null(f->st.repos[0].index_elsewhere); /* the newer apk 3 copy */
	aipkg_state_release(&f->st);

	put(f->root, "etc/alpine-release", "3.23.2\n");
	set_mtime(f->root, "var/cache/apk", url, 3, 1500000000);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "from-apk3"));
	assert_null(aipkg_pkgset_find(&f->st.available, "nginx"));
	/* apk 2's copy is the newer one now: there, unread */
	assert_int_equal(f->st.repos[0].elsewhere_naming, AIPKG_CACHE_V2_URL);
	aipkg_state_release(&f->st);

	/* the root's apk-tools says more than its release */
	put(f->root, "lib/apk/db/installed", "P:apk-tools\nV:2.14.4-r0\nA:aarch64\n\n");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "nginx"));
	aipkg_state_release(&f->st);

	put(f->root, "lib/apk/db/installed", installed);
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/etc/alpine-release", f->root);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "nginx"));
	set_mtime(f->root, "var/cache/apk", url, 3, 1900000000);
	aipkg_state_release(&f->st);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "from-apk3"));
	assert_int_equal(f->st.repos[0].naming, -1);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_corrupt_index_is_skipped_with_one_warning(void **state)
{
	struct fixture *f = *state;
	char rel[256], *name;

	build_root(f);
	name = cache_name("https://mirror.example.org/alpine/v3.20/main", 2);
	snprintf(rel, sizeof(rel), "var/cache/apk/%s", name);
	put(f->root, rel, "this is not gzip");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_false(f->st.repos[0].loaded);
	assert_true(f->st.repos[2].loaded); /* the rest still works */
	assert_int_equal(count(f->warnings, name), 1);
	assert_non_null(strstr(f->warnings, "truncated or corrupt"));
	assert_non_null(strstr(f->warnings, "run 'aipkg update'"));
	free(name);
}

/* A real shape: Alpine's v3.6 main, cut short mid-stream in a git repo. */
static void test_truncated_index_is_skipped(void **state)
{
	struct fixture *f = *state;
	struct aipkg_buf gz = AIPKG_BUF_INIT, signed_gz = AIPKG_BUF_INIT;
	char rel[256], *name = cache_name("https://mirror.example.org/alpine/v3.20/main", 2);

	build_root(f);
	tgz_index(&gz, index_main, "v3.6.2", 0);
	assert_int_equal(tgz_sign(&signed_gz, &gz, test_key, "RSA", KEY_NAME), 0);
	snprintf(rel, sizeof(rel), "var/cache/apk/%s", name);
	put_bytes(f->root, rel, signed_gz.data, signed_gz.len - 40);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_false(f->st.repos[0].loaded);
	assert_null(aipkg_pkgset_find(&f->st.available, "nginx"));
	assert_non_null(aipkg_pkgset_find(&f->st.available, "hello"));
	assert_int_equal(count(f->warnings, "truncated or corrupt"), 1);
	aipkg_buf_release(&gz);
	aipkg_buf_release(&signed_gz);
	free(name);
}

static void test_bad_record_in_index_warns_with_line(void **state)
{
	struct fixture *f = *state;

	build_root(f);
	put_index(f->dir, "repo/aarch64/APKINDEX.tar.gz", "P:x\nV:1\n\nnot a record\n", NULL);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(strstr(f->warnings, "APKINDEX.tar.gz:4"));
	assert_non_null(aipkg_pkgset_find(&f->st.available, "x")); /* the records before */
}

/* A FIFO where the index should be: opening it must not wait for a writer. */
static void test_fifo_index_does_not_hang(void **state)
{
	struct fixture *f = *state;
	char path[512];

	build_root(f);
	snprintf(path, sizeof(path), "%s/repo/aarch64/APKINDEX.tar.gz", f->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	alarm(10);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	alarm(0);
	assert_false(f->st.repos[2].loaded);
	assert_true(f->st.repos[0].loaded);
	assert_non_null(strstr(f->warnings, "not a regular file"));
}

static void test_unsigned_local_index_needs_allow_untrusted(void **state)
{
	struct fixture *f = *state;

	build_root(f);
	put_index_as(f->dir, "repo/aarch64/APKINDEX.tar.gz", index_local, NULL, "none");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_false(f->st.repos[2].loaded);
	assert_null(aipkg_pkgset_find(&f->st.available, "hello"));
	assert_int_equal(count(f->warnings, "is not signed"), 1);
	assert_non_null(strstr(f->warnings, "--allow-untrusted"));
	aipkg_state_release(&f->st);
	f->allow_untrusted = true;
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_true(f->st.repos[2].loaded);
	assert_null(strstr(f->warnings, "not signed"));
}

static void test_index_signed_by_unknown_key_is_skipped(void **state)
{
	struct fixture *f = *state;
	char path[512];

	build_root(f);
	snprintf(path, sizeof(path), "%s/etc/apk/keys/" KEY_NAME, f->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_int_equal(f->st.available.n, 0);
	assert_non_null(strstr(f->warnings, "signed by " KEY_NAME ", which is not in etc/apk/keys"));
	aipkg_state_release(&f->st);
	f->allow_untrusted = true;
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_int_equal(f->st.available.n, 4);
}

/* One changed byte of a signed index (gzip still valid) fails the check,
 * and apk 2.14 and 3.0 refuse such an index even with --allow-untrusted. */
static void test_badly_signed_index_is_skipped_even_when_untrusted_allowed(void **state)
{
	struct fixture *f = *state;
	struct aipkg_buf gz = AIPKG_BUF_INIT, good = AIPKG_BUF_INIT, evil = AIPKG_BUF_INIT, bad;
	size_t sigpart;

	build_root(f);
	tgz_index(&gz, index_local, NULL, 0);
	assert_int_equal(tgz_sign(&good, &gz, test_key, "RSA", KEY_NAME), 0);
	sigpart = good.len - gz.len;
	aipkg_buf_release(&gz);
	tgz_index(&gz, "P:hello\nV:6.6.6-r0\nA:aarch64\n", NULL, 0);
	aipkg_buf_init(&bad, 0);
	aipkg_buf_add(&bad, good.data, sigpart); /* the good signature, other data */
	aipkg_buf_add(&bad, gz.data, gz.len);
	put_bytes(f->dir, "repo/aarch64/APKINDEX.tar.gz", bad.data, bad.len);
	/* skipped; read only when the administrator says --allow-untrusted,
	 * and then still named in a warning */
	for (int allow = 0; allow < 2; allow++) {
		f->allow_untrusted = allow;
		assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
		assert_int_equal(f->st.repos[2].loaded, allow);
		if (allow)
			assert_non_null(aipkg_pkgset_find(&f->st.available, "hello"));
		else
			assert_null(aipkg_pkgset_find(&f->st.available, "hello"));
		assert_non_null(strstr(f->warnings, "BAD signature (key " KEY_NAME ")"));
		aipkg_state_release(&f->st);
	}
	aipkg_buf_release(&gz);
	aipkg_buf_release(&good);
	aipkg_buf_release(&evil);
	aipkg_buf_release(&bad);
}

static void test_rsa256_signature_verifies(void **state)
{
	struct fixture *f = *state;

	build_root(f);
	put_index_as(f->dir, "repo/aarch64/APKINDEX.tar.gz", index_local, NULL, "RSA256");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_true(f->st.repos[2].loaded);
	assert_null(strstr(f->warnings, "sign"));
}

/* Alpine <= 3.19 (apk-tools <= 2.14.0): the cache is named after the line. */
static void test_cache_named_after_the_line_by_old_apk(void **state)
{
	struct fixture *f = *state;
	const char *url = "https://mirror.example.org/alpine/v3.20/community";
	struct aipkg_repo *r = NULL;
	size_t n = 0;
	char rel[256], *name;

	build_root(f);
	put(f->root, "etc/alpine-release", "3.19.1\n"); /* apk-tools 2.14.0 */
	assert_int_equal(aipkg_repos_parse(url, &r, &n), 0);
	name = aipkg_repo_cache_file(&r[0], "aarch64", AIPKG_CACHE_V2_LINE);
	/* sha1("https://mirror.example.org/alpine/v3.20/community")[:4] */
	assert_string_equal(name, "APKINDEX.67318fbb.tar.gz");
	snprintf(rel, sizeof(rel), "var/cache/apk/%s", name);
	put_index(f->root, rel, "P:from-old-apk\nV:1-r0\n", NULL);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_true(f->st.repos[1].loaded);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "from-old-apk"));
	assert_non_null(strstr(f->st.repos[1].index_path, name));
	aipkg_state_release(&f->st);
	/* the root upgraded to 3.20, whose apk 2.14.4 no longer reads it */
	put(f->root, "etc/alpine-release", "3.20.0\n");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_false(f->st.repos[1].loaded);
	assert_non_null(strstr(f->st.repos[1].index_elsewhere, name));
	assert_non_null(strstr(f->warnings, "apk-tools 2.14.0 and older"));
	assert_non_null(strstr(f->warnings, "aipkg update"));
	aipkg_repos_free(r, n);
	free(name);
}

/* etc/apk/cache -> /var/cache/apk-real: absolute, so resolved inside the
 * root and never on the host. */
static void test_absolute_cache_symlink_stays_in_the_root(void **state)
{
	struct fixture *f = *state;
	char link[256], rel[256], *name = cache_name("https://mirror.example.org/alpine/v3.20/main", 2);

	build_root(f);
	snprintf(link, sizeof(link), "%s/etc/apk/cache", f->root);
	assert_int_equal(symlink("/var/cache/apk-real", link), 0);
	snprintf(rel, sizeof(rel), "var/cache/apk-real/%s", name);
	put_index(f->root, rel, "P:via-absolute-link\nV:1-r0\n", NULL);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "via-absolute-link"));
	assert_non_null(strstr(f->st.repos[0].index_path, "/root/var/cache/apk-real/"));
	aipkg_state_release(&f->st);
	/* a link to a directory that is not there (lbu's /media/...): var/cache/apk */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/media/mmcblk0p1/cache", link), 0);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "nginx"));
	free(name);
}

static void test_path_in_root_never_leaves_the_root(void **state)
{
	struct fixture *f = *state;
	char link[256], *out;

	mkdirs(f->root);
	snprintf(link, sizeof(link), "%s/up", f->root);
	assert_int_equal(symlink("../../../../../../etc", link), 0);
	assert_int_equal(aipkg_path_in_root(f->root, "up/passwd", &out), 0);
	snprintf(link, sizeof(link), "%s/etc/passwd", f->root);
	assert_string_equal(out, link);
	free(out);
	snprintf(link, sizeof(link), "%s/loop", f->root);
	assert_int_equal(symlink("loop", link), 0);
	assert_int_equal(aipkg_path_in_root(f->root, "loop/x", &out), -ELOOP);
	assert_int_equal(aipkg_path_in_root("/", "etc/../etc/./hostname", &out), 0);
	assert_string_equal(out, "/etc/hostname");
	free(out);
}

static void test_corrupt_installed_db_fails_with_line(void **state)
{
	struct fixture *f = *state;

	put(f->root, "lib/apk/db/installed", "P:musl\nV:1.2.5-r0\n\nA:x86_64\n");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), -AIPKG_E_CORRUPT);
	assert_non_null(strstr(aipkg_ctx_errmsg(f->ctx), "lib/apk/db/installed:4"));
	assert_int_equal(f->st.installed.n, 0); /* released on failure */
}

static void test_apk3_index_format_is_skipped_with_warning(void **state)
{
	struct fixture *f = *state;

	put(f->root, "etc/apk/repositories", "v3 https://example.com/adb\n");
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_false(f->st.repos[0].loaded);
	assert_non_null(strstr(f->warnings, "Packages.adb"));
}

/* ---- the compact cache under var/lib/aipkg/cache/index ---- */

static int cache_files(struct fixture *f)
{
	char dir[256];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/var/lib/aipkg/cache/index", f->root);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		n += strstr(de->d_name, ".idx") != NULL;
	if (d)
		closedir(d);
	return n;
}

/* The second read comes from the cache and says exactly the same. */
static void test_cached_read_agrees_with_the_index(void **state)
{
	struct fixture *f = *state;
	char first[4096] = "", second[4096] = "", first_warn[4096];

	build_root(f);
	for (int round = 0; round < 2; round++) {
		char *out = round ? second : first;

		assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
		for (size_t i = 0; i < f->st.available.n; i++) {
			const struct aipkg_pkg *p = &f->st.available.pkgs[i];

			snprintf(out + strlen(out), 4096 - strlen(out), "%s %s %d %s %zu|", p->name,
				 p->version, p->repo, p->description, p->provides.n);
		}
		snprintf(out + strlen(out), 4096 - strlen(out), "%s",
			 f->st.repos[0].description ? f->st.repos[0].description : "-");
		if (!round)
			memcpy(first_warn, f->warnings, sizeof(first_warn));
		aipkg_state_release(&f->st);
	}
	assert_string_equal(first, second);
	assert_string_equal(first_warn, f->warnings);
	assert_int_equal(cache_files(f), 2);
}

/* A rewritten index is read again, whatever its cache said. */
static void test_changed_index_is_read_again(void **state)
{
	struct fixture *f = *state;

	build_root(f);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "hello"));
	aipkg_state_release(&f->st);
	put_index(f->dir, "repo/aarch64/APKINDEX.tar.gz", "P:goodbye\nV:2-r0\n", NULL);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_null(aipkg_pkgset_find(&f->st.available, "hello"));
	assert_non_null(aipkg_pkgset_find(&f->st.available, "goodbye"));
}

/* The verdict is kept with the keys it was reached with: a key removed,
 * and the cached index is no longer trusted. */
static void test_cached_verdict_follows_the_keys(void **state)
{
	struct fixture *f = *state;
	char path[512];

	build_root(f);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_true(f->st.repos[2].loaded);
	aipkg_state_release(&f->st);
	snprintf(path, sizeof(path), "%s/etc/apk/keys/" KEY_NAME, f->root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_false(f->st.repos[2].loaded);
	assert_non_null(strstr(f->warnings, "which is not in etc/apk/keys"));
	aipkg_state_release(&f->st);
	/* untrusted and cached so: --allow-untrusted still reads it */
	f->allow_untrusted = true;
	assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
	assert_true(f->st.repos[2].loaded);
	assert_non_null(aipkg_pkgset_find(&f->st.available, "hello"));
}

/* The cache of a truncated index remembers it is damaged: the same one
 * warning, every time. */
static void test_cached_damage_warns_the_same(void **state)
{
	struct fixture *f = *state;
	char rel[256], *name = cache_name("https://mirror.example.org/alpine/v3.20/main", 2);

	build_root(f);
	snprintf(rel, sizeof(rel), "var/cache/apk/%s", name);
	put(f->root, rel, "\037\213 cut");
	for (int round = 0; round < 2; round++) {
		assert_int_equal(load(f, 0, AIPKG_STATE_ALL), 0);
		assert_int_equal(count(f->warnings, "truncated or corrupt"), 1);
		aipkg_state_release(&f->st);
	}
	free(name);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_world_splits_on_any_whitespace),
	    cmocka_unit_test(test_repositories_file_lines),
	    cmocka_unit_test(test_repositories_apk3_syntax),
	    cmocka_unit_test(test_repositories_variable_doubling_bounded),
	    cmocka_unit_test(test_repository_option_takes_no_keywords),
	    cmocka_unit_test(test_cache_names_match_real_apk),
	    cmocka_unit_test(test_cache_name_rejects_unknown_major),
	    T(test_state_of_a_full_root),
	    T(test_parts_limit_what_is_read),
	    T(test_empty_root_is_a_fresh_system),
	    T(test_repository_options_come_first),
	    T(test_repositories_d_lists),
	    T(test_apk_arch_variable_is_expanded),
	    T(test_apk3_cache_and_etc_apk_cache_symlink),
	    T(test_cache_of_the_apk_in_use_is_read),
	    T(test_corrupt_index_is_skipped_with_one_warning),
	    T(test_truncated_index_is_skipped),
	    T(test_bad_record_in_index_warns_with_line),
	    T(test_fifo_index_does_not_hang),
	    T(test_unsigned_local_index_needs_allow_untrusted),
	    T(test_index_signed_by_unknown_key_is_skipped),
	    T(test_badly_signed_index_is_skipped_even_when_untrusted_allowed),
	    T(test_rsa256_signature_verifies),
	    T(test_cache_named_after_the_line_by_old_apk),
	    T(test_absolute_cache_symlink_stays_in_the_root),
	    T(test_path_in_root_never_leaves_the_root),
	    T(test_cached_read_agrees_with_the_index),
	    T(test_changed_index_is_read_again),
	    T(test_cached_verdict_follows_the_keys),
	    T(test_cached_damage_warns_the_same),
	    T(test_corrupt_installed_db_fails_with_line),
	    T(test_apk3_index_format_is_skipped_with_warning),
	};

	int r;

	test_key = tgz_key_new();
	if (!test_key)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	EVP_PKEY_free(test_key);
	return r;
}
