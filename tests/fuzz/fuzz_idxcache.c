/* Fuzz target: the compact index cache's files (apk/idxcache.c), damaged or hostile. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/aipkg.h"
#include "apk/idxcache.h"
#include "apk/idxformat.h"
#include "fuzz.h"

/* A root whose cache holds one file: each input replaces its bytes.  The
 * index it claims to describe is whatever the input's header says, and
 * its CRCs are made right, so the fuzzer gets past them to the sizes,
 * offsets and lists behind. */
static struct aipkg_ctx *ctx;
static struct aipkg_idxcache cache;
static char cache_file[512];
static const char index_path[] = "/nonexistent/APKINDEX.tar.gz";

static enum aipkg_idx_use want_all(const struct aipkg_idx_result *res, void *ud)
{
	(void)ud;
	return res->has_pkgs ? AIPKG_IDX_PACKAGES : AIPKG_IDX_MISS;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char root[] = "/tmp/aipkg-fuzz-idxcache-XXXXXX", dir[256];
	struct aipkg_opts opts = {0};
	struct aipkg_idx_result res = {0};
	struct stat st = {0};
	unsigned char keys[32] = {0};
	struct dirent *de;
	DIR *d;

	(void)argc;
	(void)argv;
	if (!mkdtemp(root))
		abort();
	opts.root = root;
	if (aipkg_ctx_new(&ctx, &opts, NULL) < 0 || aipkg_idxcache_open(ctx, &cache) < 0 ||
	    !cache.enabled ||
	    aipkg_idxcache_store(&cache, index_path, &st, keys, &res, NULL, 0) < 0 || !cache.stored)
		abort();
	snprintf(dir, sizeof(dir), "%s/var/lib/aipkg/cache/index", root);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			snprintf(cache_file, sizeof(cache_file), "%s/%s", dir, de->d_name);
	if (d)
		closedir(d);
	if (!cache_file[0])
		abort();
	return 0;
}

/* Touch every byte a package's strings and lists reach. */
static size_t walk(const struct aipkg_pkgset *set)
{
	size_t sum = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct aipkg_pkg *p = &set->pkgs[i];
		const char *s[] = {p->name,    p->version, p->arch,	  p->description,
				   p->url,     p->license, p->origin,	  p->maintainer,
				   p->commit,  p->checksum, p->tag};
		const struct aipkg_strv *l[] = {&p->depends, &p->provides, &p->install_if};

		for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
			sum += strlen(s[k]);
		for (size_t k = 0; k < 3; k++) {
			for (size_t j = 0; j < l[k]->n; j++)
				sum += strlen(l[k]->v[j]);
			if (l[k]->v[l[k]->n])
				abort(); /* every list ends in NULL */
		}
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file = (uint8_t *)fuzz_memdup(data, size);
	struct idx_header *h = (struct idx_header *)file;
	struct aipkg_pkgset set;
	struct aipkg_idx_result res;
	unsigned char keys[32] = {0};
	struct stat st;
	int fd, hit;

	memset(&st, 0, sizeof(st));
	if (size >= sizeof(*h)) {
		h->file_size = size;
		st.st_dev = (dev_t)h->dev;
		st.st_ino = (ino_t)h->ino;
		st.st_size = (off_t)h->size;
		st.st_mtim.tv_sec = (time_t)h->mtime_sec;
		st.st_mtim.tv_nsec = (long)h->mtime_nsec;
		st.st_ctim.tv_sec = (time_t)h->ctime_sec;
		st.st_ctim.tv_nsec = (long)h->ctime_nsec;
		memcpy(keys, h->keys, sizeof(keys));
		aipkg_idxcache_seal(file, size);
	}
	fd = open(cache_file, O_WRONLY | O_TRUNC);
	if (fd < 0 || (size && write(fd, file, size) != (ssize_t)size) || close(fd) < 0)
		abort();
	aipkg_pkgset_init(&set);
	hit = aipkg_idxcache_load(&cache, index_path, &st, keys, want_all, NULL, &set, 1, &res);
	if (hit < 0 && hit != -ENOMEM)
		abort();
	if (hit == 1) {
		(void)walk(&set);
		if (aipkg_pkgset_index(&set) == 0)
			for (size_t i = 0; i < set.n; i++)
				if (!aipkg_pkgset_find(&set, set.pkgs[i].name))
					abort();
		aipkg_idx_result_release(&res);
	}
	aipkg_pkgset_release(&set);
	free(file);
	return 0;
}
