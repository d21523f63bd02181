/* The journal's files: shard directories, atomic writes, reading newest first. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "fileio.h"
#include "journal/journal.h"

/* Far above any real entry: a full upgrade of thousands of packages is a
 * few hundred KiB. */
#define ENTRY_MAX ((size_t)16 << 20)

int aipkg_jstore_init(struct aipkg_jstore *js, const char *dir)
{
	js->nosync = false;
	js->dir = strdup(dir);
	return js->dir ? 0 : -ENOMEM;
}

void aipkg_jstore_release(struct aipkg_jstore *js)
{
	free(js->dir);
	js->dir = NULL;
}

static char *shard_dir(const struct aipkg_jstore *js, long long id)
{
	char *p;

	return asprintf(&p, "%s/%04lld", js->dir, id / AIPKG_JOURNAL_SHARD) < 0 ? NULL : p;
}

char *aipkg_jstore_path(const struct aipkg_jstore *js, long long id)
{
	char *p;

	return asprintf(&p, "%s/%04lld/%08lld.txt", js->dir, id / AIPKG_JOURNAL_SHARD, id) < 0
		       ? NULL
		       : p;
}

static int sync_dir(const struct aipkg_jstore *js, const char *dir)
{
	int fd, r = 0;

	if (js->nosync)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* "PATH: reason" in ERR; a full disk or quota is -AIPKG_E_NOSPACE. */
static int io_error(struct aipkg_buf *err, const char *path, int r)
{
	aipkg_buf_reset(err);
	aipkg_buf_addf(err, "%s: %s", path, strerror(-r));
	return r == -ENOSPC || r == -EDQUOT ? -AIPKG_E_NOSPACE : r;
}

/* Write TEXT to the new file TMP and make it durable. */
static int write_tmp(const struct aipkg_jstore *js, const char *tmp, const struct aipkg_buf *text)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, text->data, text->len);
	if (r == 0 && !js->nosync && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Put TMP in place as PATH: a new entry must not exist yet (link), an
 * update replaces it (rename). */
static int publish(const char *tmp, const char *path, bool create)
{
	if (!create)
		return rename(tmp, path) < 0 ? -errno : 0;
	if (link(tmp, path) < 0)
		return -errno;
	unlink(tmp);
	return 0;
}

/* The shard directory of ID, created (and made durable) when new. */
static int make_shard(const struct aipkg_jstore *js, const char *dir)
{
	int r = aipkg_mkdir_p(dir);

	if (r == 1)
		r = sync_dir(js, js->dir);
	return r;
}

int aipkg_jstore_write(const struct aipkg_jstore *js, const json_t *entry, bool create,
		       struct aipkg_buf *err)
{
	long long id = json_integer_value(json_object_get(entry, "id"));
	struct aipkg_buf text = AIPKG_BUF_INIT;
	char *dir = shard_dir(js, id), *path = aipkg_jstore_path(js, id), *tmp = NULL;
	int r = 0;

	/* a hidden name the listing skips, so a crash leaves no half entry */
	if (!dir || !path || asprintf(&tmp, "%s/.%08lld.txt.%ld.tmp", dir, id, (long)getpid()) < 0) {
		tmp = NULL;
		r = -ENOMEM;
	}
	if (r == 0)
		r = aipkg_jentry_format(entry, &text);
	if (r == 0 && (r = make_shard(js, dir)) < 0)
		r = io_error(err, dir, r);
	if (r == 0 && (r = write_tmp(js, tmp, &text)) < 0)
		r = io_error(err, tmp, r);
	if (r == 0 && (r = publish(tmp, path, create)) < 0)
		r = io_error(err, path, r);
	/* a new name must survive a crash (it is the evidence apk ran); an
	 * update lost with the directory leaves the pending entry, which
	 * aipkg recover reconciles, so it needs no directory fsync */
	if (r == 0 && create && (r = sync_dir(js, dir)) < 0)
		r = io_error(err, dir, r);
	if (r < 0 && tmp)
		unlink(tmp);
	aipkg_buf_release(&text);
	free(dir);
	free(path);
	free(tmp);
	return r;
}

static int read_fail(struct aipkg_buf *err, const char *path, const char *why)
{
	aipkg_buf_reset(err);
	aipkg_buf_addf(err, "%s: %s", path, why);
	return -AIPKG_E_CORRUPT;
}

int aipkg_jstore_read(const char *path, long long id, json_t **entry, struct aipkg_buf *err)
{
	struct aipkg_buf text, why = AIPKG_BUF_INIT;
	int r;

	*entry = NULL;
	aipkg_buf_init(&text, ENTRY_MAX);
	/* no link followed, no FIFO waited on: an entry is a file aipkg wrote */
	r = aipkg_buf_read_state(&text, path);
	if (r == -AIPKG_E_TOOBIG)
		r = read_fail(err, path, "larger than 16 MiB");
	else if (r == -ELOOP || r == -EINVAL)
		r = read_fail(err, path, aipkg_file_strerror(r));
	else if (r < 0 && r != -ENOENT)
		r = io_error(err, path, r);
	if (r == 0 && (r = aipkg_jentry_parse(text.data ? text.data : "", text.len, entry, &why)) < 0)
		r = read_fail(err, path, aipkg_buf_str(&why));
	if (r == 0 && json_integer_value(json_object_get(*entry, "id")) != id) {
		json_decref(*entry);
		*entry = NULL;
		r = read_fail(err, path, "its 'id' does not match the file name");
	}
	aipkg_buf_release(&text);
	aipkg_buf_release(&why);
	return r;
}

/*
 * Listing: only names aipkg writes ("0004" directories, "00004242.txt"
 * files) count; anything else in the directory is somebody else's.
 */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The number NAME stands for, or -1: SHARD >= 0 means a file of that shard. */
static long long name_number(const char *name, long long shard)
{
	char canon[64], *end;
	long long n;

	if (name[0] < '0' || name[0] > '9')
		return -1;
	n = strtoll(name, &end, 10);
	if (shard < 0)
		snprintf(canon, sizeof(canon), "%04lld", n);
	else if (n / AIPKG_JOURNAL_SHARD != shard)
		return -1;
	else
		snprintf(canon, sizeof(canon), "%08lld.txt", n);
	return strcmp(canon, name) == 0 ? n : -1;
}

static int push_ll(long long **v, size_t *n, size_t *cap, long long x)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		long long *nv = realloc(*v, ncap * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* The numbers named in DIR (shards when SHARD < 0), ascending. */
static int list_numbers(const char *dir, long long shard, long long **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (r == 0 && (de = readdir(d))) {
		long long x = name_number(de->d_name, shard);

		if (x >= 0)
			r = push_ll(out, n, &cap, x);
	}
	closedir(d);
	if (r == 0 && *n)
		qsort(*out, *n, sizeof(**out), cmp_ll);
	return r;
}

int aipkg_jiter_init(struct aipkg_jiter *it, const struct aipkg_jstore *js)
{
	memset(it, 0, sizeof(*it));
	it->js = js;
	return list_numbers(js->dir, -1, &it->shards, &it->nshards);
}

int aipkg_jiter_next(struct aipkg_jiter *it, long long *id)
{
	while (!it->nids) {
		long long shard;
		char *dir;
		int r;

		if (!it->nshards)
			return 0;
		shard = it->shards[--it->nshards];
		free(it->ids);
		it->ids = NULL;
		dir = shard_dir(it->js, shard * AIPKG_JOURNAL_SHARD);
		r = dir ? list_numbers(dir, shard, &it->ids, &it->nids) : -ENOMEM;
		free(dir);
		if (r < 0)
			return r;
	}
	*id = it->ids[--it->nids];
	free(it->path);
	it->path = aipkg_jstore_path(it->js, *id);
	return it->path ? 1 : -ENOMEM;
}

void aipkg_jiter_release(struct aipkg_jiter *it)
{
	free(it->shards);
	free(it->ids);
	free(it->path);
	memset(it, 0, sizeof(*it));
}

int aipkg_jstore_newest(const struct aipkg_jstore *js, long long *id)
{
	struct aipkg_jiter it;
	int r = aipkg_jiter_init(&it, js);

	*id = 0;
	if (r == 0)
		r = aipkg_jiter_next(&it, id);
	aipkg_jiter_release(&it);
	return r < 0 ? r : 0;
}
