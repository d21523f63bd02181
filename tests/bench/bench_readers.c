/* Benchmark: reading a large installed database and a large index. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "apk/index.h"
#include "apk/pkg.h"
#include "apk/state.h"
#include "bench.h"
#include "tgz.h"

#define RUNS 10

/* 2,000 packages with 100 files each: 200,000 R: lines, as apk writes them. */
static void gen_installed(struct aipkg_buf *b)
{
	for (int i = 0; i < 2000; i++) {
		aipkg_buf_addf(b,
			       "C:Q1qKcZ+j23xssAXmgQhkOO8dHnb%04d=\nP:package-%d\nV:1.%d.3-r%d\n"
			       "A:x86_64\nS:8515\nI:315392\nT:Some package description %d\n"
			       "U:https://example.org/p%d\nL:GPL-2.0-only\no:origin-%d\n"
			       "m:A Maintainer <a@example.org>\nt:1714981135\n"
			       "c:66187892e05b03a41d08e9acabd19b7576a1c875\n"
			       "D:so:libc.musl-x86_64.so.1 package-%d so:libz.so.1 /bin/sh\n"
			       "p:so:libp%d.so.1=1 cmd:p%d=1.0\n",
			       i, i, i, i % 9, i, i, i / 3, (i + 1) % 2000, i, i);
		for (int f = 0; f < 100; f++) {
			if (f % 10 == 0)
				aipkg_buf_addf(b, "F:usr/share/package-%d/dir%d\n", i, f / 10);
			aipkg_buf_addf(b, "R:file-number-%d.dat\n", f);
			if (f % 7 == 0)
				aipkg_buf_addstr(b, "a:0:0:755\n");
			aipkg_buf_addstr(b, "Z:Q1SLkS9hBidUbPwwrw+XR0Whv3ww8=\n");
		}
		aipkg_buf_addstr(b, "\n");
	}
}

static void gen_index(struct aipkg_buf *b)
{
	for (int i = 0; i < 25000; i++)
		aipkg_buf_addf(b,
			       "C:Q1qKcZ+j23xssAXmgQhkOO8dHnb%05d=\nP:package-%d\nV:1.%d.3-r%d\n"
			       "A:x86_64\nS:85151\nI:315392\n"
			       "T:Some package description number %d that is a little longer\n"
			       "U:https://example.org/p%d\nL:GPL-2.0-only\no:origin-%d\n"
			       "m:A Maintainer <a@example.org>\nt:1714981135\n"
			       "c:66187892e05b03a41d08e9acabd19b7576a1c875\nk:100\n"
			       "D:so:libc.musl-x86_64.so.1 package-%d so:libz.so.1 /bin/sh\n"
			       "p:so:libp%d.so.1=1 cmd:p%d=1.0\n\n",
			       i, i, i, i % 9, i, i, i / 3, (i + 1) % 25000, i, i);
}

/* Best of RUNS: parse, index and one lookup. */
static double time_parse(const struct aipkg_buf *src)
{
	double best = 1e9;

	for (int k = 0; k < RUNS; k++) {
		struct aipkg_pkgset set;
		char *text = malloc(src->len + 1);
		double t0, t1;
		int r;

		memcpy(text, src->data, src->len + 1);
		aipkg_pkgset_init(&set);
		t0 = bench_now_ms();
		r = aipkg_pkgset_parse(&set, text, src->len, 0, NULL);
		r |= aipkg_pkgset_index(&set);
		r |= aipkg_pkgset_find(&set, "package-1234") == NULL;
		t1 = bench_now_ms();
		if (r) {
			fprintf(stderr, "bench_readers: parse failed\n");
			exit(1);
		}
		if (t1 - t0 < best)
			best = t1 - t0;
		aipkg_pkgset_release(&set);
	}
	return best;
}

static double time_extract(const struct aipkg_buf *gz, size_t expect)
{
	double best = 1e9;

	for (int k = 0; k < RUNS; k++) {
		struct aipkg_buf out = AIPKG_BUF_INIT;
		double t0 = bench_now_ms(), t1;
		int r = aipkg_apkindex_extract(gz->data, gz->len, &out, NULL);

		t1 = bench_now_ms();
		if (r || out.len != expect) {
			fprintf(stderr, "bench_readers: extract failed\n");
			exit(1);
		}
		if (t1 - t0 < best)
			best = t1 - t0;
		aipkg_buf_release(&out);
	}
	return best;
}

/* Best of RUNS: the same, with the signature checked against KEYS. */
static double time_verified(const struct aipkg_buf *gz, size_t expect, struct aipkg_keyring *keys)
{
	double best = 1e9;

	for (int k = 0; k < RUNS; k++) {
		struct aipkg_buf out = AIPKG_BUF_INIT;
		struct aipkg_apkindex_read rd = {&out, NULL, keys, AIPKG_TRUST_UNCHECKED, ""};
		double t0 = bench_now_ms(), t1;
		int r = aipkg_apkindex_read(gz->data, gz->len, &rd);

		t1 = bench_now_ms();
		if (r || out.len != expect || rd.trust != AIPKG_TRUST_OK) {
			fprintf(stderr, "bench_readers: verified read failed: %d %zu/%zu trust %d\n", r, out.len, expect, rd.trust);
			exit(1);
		}
		if (t1 - t0 < best)
			best = t1 - t0;
		aipkg_buf_release(&out);
	}
	return best;
}

/* A root trusting a fresh key, and GZ signed with it as abuild-sign does.
 * The keyring reads the key when a signature names it: ROOT stays until
 * unsign_root. */
static char root[] = "/tmp/aipkg-bench-keys-XXXXXX";

static void unsign_root(void)
{
	const char *const rel[] = {"etc/apk/keys/bench.rsa.pub", "etc/apk/keys", "etc/apk", "etc"};
	char path[128];

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, rel[i]);
		if (i == 0)
			unlink(path);
		else
			rmdir(path);
	}
	rmdir(root);
}

static void sign_index(const struct aipkg_buf *gz, struct aipkg_buf *signed_gz,
		       struct aipkg_keyring *keys)
{
	EVP_PKEY *key = tgz_key_new();

	if (!key || !mkdtemp(root) || tgz_key_install(root, key, "bench.rsa.pub") < 0 ||
	    tgz_sign(signed_gz, gz, key, "RSA", "bench.rsa.pub") < 0 ||
	    aipkg_keyring_load(root, keys) < 0)
		exit(1);
	EVP_PKEY_free(key);
}

int main(void)
{
	struct aipkg_buf db = AIPKG_BUF_INIT, ix = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT;
	struct aipkg_buf plain = AIPKG_BUF_INIT, signed_gz = AIPKG_BUF_INIT;
	struct aipkg_keyring keys;
	double parse_ix, extract, verified;

	gen_installed(&db);
	gen_index(&ix);
	tgz_index(&gz, ix.data, "v3.20", 1);
	tgz_index(&plain, ix.data, "v3.20", 0);
	sign_index(&plain, &signed_gz, &keys);
	bench_report("read installed db (2,000 pkgs, 200,000 files)", time_parse(&db), "ms", 50);
	parse_ix = time_parse(&ix);
	extract = time_extract(&gz, ix.len);
	bench_report("read APKINDEX.tar.gz (25,000 pkgs): gunzip+tar", extract, "ms", 0);
	bench_report("read APKINDEX.tar.gz (25,000 pkgs): parse+index", parse_ix, "ms", 0);
	bench_report("read APKINDEX.tar.gz (25,000 pkgs): total", extract + parse_ix, "ms", 50);
	verified = time_verified(&signed_gz, ix.len, &keys);
	bench_report("read APKINDEX.tar.gz (25,000 pkgs): gunzip+tar+signature", verified, "ms", 0);
	bench_report("of which the RSA/SHA-1 signature check", verified - extract, "ms", 0);
	bench_report("read APKINDEX.tar.gz (25,000 pkgs) with signature: total", verified + parse_ix,
		     "ms", 50);
	bench_report("readers peak memory", bench_peak_mib(), "MiB", 0);
	aipkg_buf_release(&db);
	aipkg_buf_release(&ix);
	aipkg_buf_release(&gz);
	aipkg_buf_release(&plain);
	aipkg_buf_release(&signed_gz);
	aipkg_keyring_release(&keys);
	unsign_root();
	return 0;
}
