/* The keys apk trusts (ROOT/etc/apk/keys, ROOT/lib/apk/keys), parsed when a signature names one. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "apk/index.h"
#include "digest.h"
#include "fileio.h"

/* A real key is under a kilobyte of PEM; anything larger is not a key. */
#define KEY_FILE_MAX ((size_t)64 << 10)

struct aipkg_key {
	char *name;
	char *path; /* resolved inside the root */
	struct stat st;
	EVP_PKEY *pkey;
	bool tried; /* parsed (or failed to) already */
};

static const char *const key_dirs[] = {"etc/apk/keys", "lib/apk/keys"};

static bool keys_have(const struct aipkg_keyring *kr, const char *name)
{
	for (size_t i = 0; i < kr->n; i++)
		if (strcmp(kr->keys[i].name, name) == 0)
			return true;
	return false;
}

/* DIR/NAME, or where it links to inside ROOT (keys are often links). */
static int keys_path(const char *root, const char *rel, const char *dir, const char *name,
		     char **path)
{
	struct stat st;
	char *in_root;
	int r;

	if (asprintf(path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	if (lstat(*path, &st) < 0 || !S_ISLNK(st.st_mode))
		return 0;
	free(*path);
	*path = NULL;
	if (asprintf(&in_root, "%s/%s", rel, name) < 0)
		return -ENOMEM;
	r = aipkg_path_in_root(root, in_root, path);
	free(in_root);
	return r == -ENOMEM ? r : 0;
}

static int keys_add(struct aipkg_keyring *kr, const char *root, const char *rel,
		    const char *dir, const char *name)
{
	struct aipkg_key *v, *k;
	int r;

	if (name[0] == '.' || keys_have(kr, name))
		return 0; /* hidden, or hidden by etc/ */
	v = realloc(kr->keys, (kr->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	kr->keys = v;
	k = &v[kr->n];
	memset(k, 0, sizeof(*k));
	r = keys_path(root, rel, dir, name, &k->path);
	if (r < 0 || !(k->name = strdup(name))) {
		free(k->path);
		return -ENOMEM;
	}
	if (!k->path || stat(k->path, &k->st) < 0 || !S_ISREG(k->st.st_mode)) {
		free(k->path);
		free(k->name);
		return 0; /* a dangling link or a directory is no key */
	}
	kr->n++;
	return 0;
}

static int keys_scan(struct aipkg_keyring *kr, const char *root, const char *rel,
		     const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d)))
		r = keys_add(kr, root, rel, dir, de->d_name);
	closedir(d);
	return r;
}

static int keys_cmp(const void *a, const void *b)
{
	return strcmp(((const struct aipkg_key *)a)->name, ((const struct aipkg_key *)b)->name);
}

/* The fingerprint: every key's name, size, inode and times, in name order. */
static void keys_fingerprint(struct aipkg_keyring *kr)
{
	struct aipkg_sha256 md;

	aipkg_sha256_init(&md);
	for (size_t i = 0; i < kr->n; i++) {
		const struct stat *st = &kr->keys[i].st;
		long long id[6] = {(long long)st->st_dev,	  (long long)st->st_ino,
				   (long long)st->st_size,	  (long long)st->st_mtim.tv_sec,
				   (long long)st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec};

		aipkg_sha256_update(&md, kr->keys[i].name, strlen(kr->keys[i].name) + 1);
		aipkg_sha256_update(&md, id, sizeof(id));
	}
	aipkg_sha256_final(&md, kr->fingerprint);
}

int aipkg_keyring_load(const char *root, struct aipkg_keyring *kr)
{
	int r = 0;

	memset(kr, 0, sizeof(*kr));
	for (size_t i = 0; r == 0 && i < sizeof(key_dirs) / sizeof(key_dirs[0]); i++) {
		char *dir;

		r = aipkg_path_in_root(root, key_dirs[i], &dir);
		if (r == 0)
			r = keys_scan(kr, root, key_dirs[i], dir);
		free(dir);
		if (r == -ELOOP || r == -ENOENT || r == -EACCES)
			r = 0; /* an unusable directory holds no key */
	}
	if (kr->n)
		qsort(kr->keys, kr->n, sizeof(*kr->keys), keys_cmp);
	keys_fingerprint(kr);
	if (r < 0)
		aipkg_keyring_release(kr);
	return r;
}

void aipkg_keyring_release(struct aipkg_keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++) {
		free(kr->keys[i].name);
		free(kr->keys[i].path);
		EVP_PKEY_free(kr->keys[i].pkey);
	}
	free(kr->keys);
	memset(kr, 0, sizeof(*kr));
}

static EVP_PKEY *keys_parse(const char *path)
{
	struct aipkg_buf pem;
	struct stat st;
	EVP_PKEY *pkey = NULL;
	BIO *bio;
	int fd = aipkg_open_regular(path, &st);

	if (fd < 0)
		return NULL;
	aipkg_buf_init(&pem, KEY_FILE_MAX);
	if (aipkg_buf_read_fd(&pem, fd) == 0 && pem.len &&
	    (bio = BIO_new_mem_buf(pem.data, (int)pem.len))) {
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	close(fd);
	aipkg_buf_release(&pem);
	return pkey;
}

EVP_PKEY *aipkg_keyring_get(struct aipkg_keyring *kr, const char *name)
{
	struct aipkg_key want = {.name = (char *)name}, *k;

	if (!kr || !kr->n)
		return NULL;
	k = bsearch(&want, kr->keys, kr->n, sizeof(*kr->keys), keys_cmp);
	if (!k)
		return NULL;
	if (!k->tried) {
		k->tried = true;
		k->pkey = keys_parse(k->path);
	}
	return k->pkey;
}
