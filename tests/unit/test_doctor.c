/* Unit tests of lib/doctor: protected paths, checksum forms, the file check, failure diagnosis. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "aipkg/aipkg.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "stub.h"

static char root[] = "/tmp/aipkg-doctor-XXXXXX";

/*
 * Protected paths: apk's rules (database.c, apk_db_dir_get and
 * audit.c, determine_file_protect_mode).
 */
static enum aipkg_protect mode_of(const char *extra, const char *dir, const char *name)
{
	struct aipkg_protect_rules *pr = aipkg_protect_rules_new();
	static const char builtin[] = "+etc\n@etc/init.d\n!etc/apk\n";
	enum aipkg_protect m;

	aipkg_protect_rules_add(pr, builtin, strlen(builtin));
	if (extra)
		aipkg_protect_rules_add(pr, extra, strlen(extra));
	m = aipkg_protect_of(pr, dir, name);
	aipkg_protect_rules_free(pr);
	return m;
}

static void test_protect_builtin(void **state)
{
	assert_int_equal(mode_of(NULL, "usr/bin", "nginx"), AIPKG_PROTECT_NONE);
	assert_int_equal(mode_of(NULL, "etc", "passwd"), AIPKG_PROTECT_CHANGED);
	assert_int_equal(mode_of(NULL, "etc/nginx", "nginx.conf"), AIPKG_PROTECT_CHANGED);
	assert_int_equal(mode_of(NULL, "etc/init.d", "nginx"), AIPKG_PROTECT_SYMLINKS);
	assert_int_equal(mode_of(NULL, "etc/apk/keys", "a.pub"), AIPKG_PROTECT_ALL);
	/* the root directory has no rules of its own: its files are system files */
	assert_int_equal(mode_of(NULL, "", "etc"), AIPKG_PROTECT_NONE);
	/* "etc" matches the component only, not a prefix */
	assert_int_equal(mode_of(NULL, "etcetera", "x"), AIPKG_PROTECT_NONE);
	assert_int_equal(mode_of(NULL, "usr/etc", "x"), AIPKG_PROTECT_NONE);
}

static void test_protect_lists(void **state)
{
	/* protected_paths.d lines: modes, globs, a file rule, later rules win */
	static const char list[] = "# a comment\n-var/log\n+usr/share/foo/\n"
				   "@lib/x/*.so\n!opt/conf/app.ini\netc/ssl/certs\n-etc/ssl\n";

	assert_int_equal(mode_of(list, "var/log", "messages"), AIPKG_PROTECT_IGNORE);
	assert_int_equal(mode_of(list, "var/log/nginx", "a.log"), AIPKG_PROTECT_IGNORE);
	assert_int_equal(mode_of(list, "var/lib", "x"), AIPKG_PROTECT_NONE);
	assert_int_equal(mode_of(list, "usr/share/foo", "data"), AIPKG_PROTECT_CHANGED);
	assert_int_equal(mode_of(list, "lib/x", "libz.so"), AIPKG_PROTECT_SYMLINKS);
	assert_int_equal(mode_of(list, "lib/x", "libz.so.1"), AIPKG_PROTECT_NONE);
	assert_int_equal(mode_of(list, "opt/conf", "app.ini"), AIPKG_PROTECT_ALL);
	assert_int_equal(mode_of(list, "opt/conf", "other.ini"), AIPKG_PROTECT_NONE);
	/* -etc/ssl comes after etc/ssl/certs: etc/ssl is ignored, but the
	 * deeper rule etc/ssl/certs was handed down to it and still applies */
	assert_int_equal(mode_of(list, "etc/ssl", "openssl.cnf"), AIPKG_PROTECT_IGNORE);
	assert_int_equal(mode_of(list, "etc/ssl/certs", "ca.pem"), AIPKG_PROTECT_CHANGED);
}

/*
 * Checksum forms: Q1 base64 SHA-1, Q2 base64 SHA-256, apk 3's Q1 with 44
 * base64 characters (SHA-256), X1/X2 hex, and old dbs' bare MD5 hex.
 */
static void test_csum_forms(void **state)
{
	unsigned char out[64];
	const char *alg;

	/* SHA-1 of "ld-musl-x86_64.so.1" (ef2277...): the Z: of Alpine 3.20's
	 * lib/libc.musl-x86_64.so.1 symlink */
	assert_int_equal(aipkg_csum_decode("Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=", &alg, out), 20);
	assert_string_equal(alg, "sha1");
	assert_int_equal(out[0], 0xef);
	assert_int_equal(aipkg_csum_decode("Q2WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", &alg,
					   out), 32);
	assert_string_equal(alg, "sha256");
	assert_int_equal(aipkg_csum_decode("Q1WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", &alg,
					   out), 32);
	assert_string_equal(alg, "sha256");
	assert_int_equal(aipkg_csum_decode("X1ef2277245372a40e26c61249af4a2ee82cec255", &alg,
					   out), 0);
	assert_int_equal(aipkg_csum_decode("X1ef2277245372a40e26c61249af4a2ee82cec2552", &alg,
					   out), 20);
	assert_int_equal(out[19], 0x52);
	assert_int_equal(aipkg_csum_decode("d41d8cd98f00b204e9800998ecf8427e", &alg, out), 16);
	assert_string_equal(alg, "md5");
	assert_int_equal(aipkg_csum_decode("Q1short=", &alg, out), 0);
	assert_int_equal(aipkg_csum_decode("Q3WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", &alg,
					   out), 0);
	assert_int_equal(aipkg_csum_decode("", &alg, out), 0);
	assert_int_equal(aipkg_csum_decode(NULL, &alg, out), 0);
}

/*
 * The file check on a generated root: what apk audit would say.
 */
static void put(const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static struct aipkg_ctx *ctx_new(void)
{
	struct aipkg_opts opts = { .root = root, .lock_timeout = -1, .cmdline = "aipkg doctor" };
	struct aipkg_ctx *ctx;

	if (aipkg_ctx_new(&ctx, &opts, NULL) != 0)
		fail_msg("aipkg_ctx_new: %s", aipkg_ctx_errmsg(ctx));
	return ctx;
}

/* SHA-1 "Q1" of "hello\n" and of "libhello.so.1". */
#define Q1_HELLO "Q19XLTlvrpIGYocU+yzgD3LpTyJY8="
#define Q1_LINK "Q1rwmosm4rkJn3Dav5Y38iP007CU0="

static void test_verify(void **state)
{
	struct aipkg_verify_opts vo = { .rehash = true };
	struct aipkg_verify_stats vs;
	struct aipkg_filedb fdb;
	struct aipkg_ctx *ctx;
	char link[512], p[256];
	char db[1024];

	snprintf(db, sizeof(db),
		 "P:hello\nV:1.0-r0\nF:usr/bin\nR:hello\nZ:%s\nR:gone\nZ:%s\nR:nocsum\n"
		 "F:usr/lib\nR:libhello.so\na:0:0:777\nZ:%s\nR:libhello.so.1\nZ:%s\n"
		 "F:etc/hello\nR:hello.conf\nZ:%s\n\n",
		 Q1_HELLO, Q1_HELLO, Q1_LINK, Q1_HELLO, Q1_HELLO);
	put("lib/apk/db/installed", db);
	put("usr/bin/hello", "hello\n");
	put("usr/bin/nocsum", "anything\n");
	put("usr/lib/libhello.so.1", "hellO\n");
	put("etc/hello/hello.conf", "changed\n");
	snprintf(link, sizeof(link), "%s/usr/lib/libhello.so", root);
	assert_int_equal(symlink("libhello.so.1", link), 0);
	ctx = ctx_new();
	assert_int_equal(aipkg_filedb_load(ctx, &fdb), 0);
	assert_int_equal(fdb.npkgs, 1);
	assert_int_equal(fdb.nfiles, 6);
	assert_int_equal(aipkg_filedb_verify(ctx, &fdb, &vo, &vs), 0);
	for (size_t i = 0; i < fdb.nfiles; i++) {
		const struct aipkg_dbfile *f = &fdb.files[i];
		const char *path = aipkg_filedb_path(&fdb, f, p, sizeof(p));

		if (!strcmp(path, "usr/bin/hello") || !strcmp(path, "usr/bin/nocsum") ||
		    !strcmp(path, "usr/lib/libhello.so"))
			assert_int_equal(f->state, AIPKG_FILE_OK);
		else if (!strcmp(path, "usr/bin/gone"))
			assert_int_equal(f->state, AIPKG_FILE_MISSING);
		else
			assert_int_equal(f->state, AIPKG_FILE_CHANGED);
		assert_int_equal(f->protect, !strcmp(path, "etc/hello/hello.conf")
						     ? AIPKG_PROTECT_CHANGED
						     : AIPKG_PROTECT_NONE);
	}
	assert_int_equal(vs.hashed, 4); /* gone is missing, nocsum has no checksum */
	aipkg_filedb_release(&fdb);
	aipkg_ctx_free(ctx);
}

static void test_filedb_corrupt(void **state)
{
	struct aipkg_filedb fdb;
	struct aipkg_ctx *ctx;

	put("lib/apk/db/installed", "P:x\nV:1\nR:orphan\n\n");
	ctx = ctx_new();
	assert_int_equal(aipkg_filedb_load(ctx, &fdb), -AIPKG_E_CORRUPT);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "installed:3"));
	put("lib/apk/db/installed", "F:usr\nR:x\n\n");
	assert_int_equal(aipkg_filedb_load(ctx, &fdb), -AIPKG_E_CORRUPT);
	aipkg_ctx_free(ctx);
}

/*
 * Diagnosis, on what apk 2.14.4 and 3.0.6 really print (provoked on purpose).
 */
struct case_ {
	const char *applet, *err, *out, *rule, *what, *fix;
};

static const struct case_ cases[] = {
	{ "add", "ERROR: Unable to lock database: Permission denied\n"
		 "ERROR: Failed to open apk database: Permission denied\n", "", "permission",
	  "needs root", "doas aipkg doctor" },
	{ "add", "ERROR: Unable to open log: Permission denied\n", "", "permission", "needs root",
	  "doas aipkg doctor" },
	{ "add", "ERROR: Failed to create usr/share/big/padding: No space left on device\n"
		 "ERROR: big-1.0-r0: No space left on device\n",
	  "(1/1) Installing big (1.0-r0)\n1 error; 0 MiB in 0 packages\n", "no-space", "is full",
	  "cache clean" },
	{ "add", "ERROR: big-1.0-r0: failed to extract usr/share/big/padding: No space left on "
		 "device\nERROR: big-1.0-r0: No space left on device\n", "", "no-space", "is full",
	  "cache clean" },
	{ "upgrade", "WARNING: updating and opening http://127.0.0.1:9/alpine: could not connect "
		     "to server (check repositories file)\nERROR: Not continuing due to "
		     "stale/unavailable repositories.Use --force-missing-repositories to continue.\n",
	  "", "network", "could not reach http://127.0.0.1:9/alpine", "aipkg update" },
	{ "update", "WARNING: updating and opening http://nonexistent.invalid/alpine/x86_64/"
		    "APKINDEX.tar.gz: DNS: name does not exist\n", "", "network",
	  "nonexistent.invalid", "aipkg doctor --refresh" },
	/* aipkg update without network on a real 3.18 root: apk 3.0.6 and
	 * 2.14.4 say "updating URL", not "opening" */
	{ "update", "WARNING: updating https://dl-cdn.alpinelinux.org/alpine/v3.18/main/x86_64/"
		    "APKINDEX.tar.gz: DNS: name does not exist\nWARNING: updating https://"
		    "dl-cdn.alpinelinux.org/alpine/v3.18/community/x86_64/APKINDEX.tar.gz: DNS: "
		    "name does not exist\nWARNING: The indexes contain broken packages which are "
		    "not installable.\n", "", "network",
	  "could not reach https://dl-cdn.alpinelinux.org/alpine/v3.18/main/x86_64/"
	  "APKINDEX.tar.gz (DNS: name does not exist)", "aipkg doctor --refresh" },
	{ "update", "WARNING: updating https://dl-cdn.alpinelinux.org/alpine/v3.18/main: DNS "
		    "lookup error\n", "", "network",
	  "could not reach https://dl-cdn.alpinelinux.org/alpine/v3.18/main (DNS lookup error)",
	  "aipkg doctor --refresh" },
	/* the same refresh under apk 2.10.6 and 2.12.7 (a real 3.10 root): an
	 * ERROR line whose subject is the repository, not a package */
	{ "update", "ERROR: http://dl-cdn.alpinelinux.org/alpine/v3.10/main: DNS lookup error\n"
		    "ERROR: http://dl-cdn.alpinelinux.org/alpine/v3.10/community: DNS lookup "
		    "error\n", "", "network",
	  "could not reach http://dl-cdn.alpinelinux.org/alpine/v3.10/main (DNS lookup error)",
	  "aipkg doctor --refresh" },
	/* a package download (the index came from the cache), as apk 3.0.6 and
	 * 2.14.4 print it on a real 3.18 root with no network: no repository is
	 * named, and "ERROR: NAME-VER" is not one */
	{ "add", "WARNING: The indexes contain broken packages which are not installable.\n"
		 "ERROR: libunistring-1.1-r1: DNS: name does not exist\n"
		 "ERROR: libidn2-2.3.4-r1: DNS: name does not exist\n"
		 "ERROR: libcurl-8.5.0-r0: DNS: name does not exist\n"
		 "ERROR: curl-8.5.0-r0: DNS: name does not exist\n",
	  "(1/4) Installing libunistring (1.1-r1)\n4 errors; 83.0 MiB in 34 packages\n", "network",
	  "could not download libunistring-1.1-r1 and 3 other packages (DNS: name does not "
	  "exist): their repository", "aipkg update" },
	{ "add", "ERROR: curl-8.5.0-r0: DNS lookup error\n", "", "network",
	  "could not download curl-8.5.0-r0 (DNS lookup error): its repository", "aipkg update" },
	{ "add", "ERROR: pcre2-10.45-r0: package mentioned in index not found (try 'apk "
		 "update')\n", "(1/1) Installing pcre2 (10.45-r0)\n", "index-outdated",
	  "lists pcre2-10.45-r0", "aipkg update" },
	{ "add", "ERROR: unable to select packages:\n  curl-8.9.0-r0:\n    breaks: "
		 "world[curl=9.9-r0]\n", "", "version", "asks for curl=9.9-r0",
	  "aipkg install curl" },
	{ "add", "ERROR: unable to select packages:\n  nosuchpkg (no such package):\n    "
		 "required by: world[nosuchpkg]\n", "", "missing-package",
	  "called nosuchpkg", "aipkg search nosuchpkg" },
	{ "add", "ERROR: Failed to create etc/x: Read-only file system\n", "", "read-only",
	  "read-only", "mount -o remount,rw" },
	{ "add", "ERROR: zlib-1.3.1-r1: BAD signature\n", "", "bad-signature", "signature",
	  "aipkg update" },
	{ "add", "ERROR: zlib-1.3.1-r1: IO ERROR\n", "", "io-error", "I/O error", "dmesg" },
	{ "add", "ERROR: something apk 4 may say\n", "", NULL, NULL, NULL },
};

static void test_explain(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_ *c = &cases[i];
		json_t *d = aipkg_doctor_explain(ctx, c->applet, c->err, c->out, 1);

		if (!c->rule) {
			assert_null(d);
			continue;
		}
		assert_non_null(d);
		if (strcmp(json_string_value(json_object_get(d, "rule")), c->rule) != 0 ||
		    !strstr(json_string_value(json_object_get(d, "what")), c->what) ||
		    !strstr(json_string_value(json_object_get(d, "fix")), c->fix))
			fail_msg("case %zu: %s / %s / %s", i,
				 json_string_value(json_object_get(d, "rule")),
				 json_string_value(json_object_get(d, "what")),
				 json_string_value(json_object_get(d, "fix")));
		json_decref(d);
	}
	aipkg_ctx_free(ctx);
}

static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	put("etc/apk/world", "");
	return 0;
}

static int teardown(void **state)
{
	rm_tree(root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protect_builtin), cmocka_unit_test(test_protect_lists),
		cmocka_unit_test(test_csum_forms),      cmocka_unit_test(test_verify),
		cmocka_unit_test(test_filedb_corrupt),  cmocka_unit_test(test_explain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
