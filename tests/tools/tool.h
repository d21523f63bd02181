/* Helpers shared by the test tools: memory, files, digests, gzip and tar as apk writes them. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TEST_TOOL_H
#define AIPKG_TEST_TOOL_H

/*
 * Header-only because tests/CMakeLists.txt makes one executable of every
 * tests/tools/ C file; each tool includes this once and uses part of it, hence
 * the "unused" attribute on everything.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "buf.h"

#define TOOL_FN __attribute__((unused)) static

/* Set by each tool: the name in messages and the exit code of die(). */
__attribute__((unused)) static const char *tool_name = "tool";
__attribute__((unused)) static int tool_die_code = 2;

__attribute__((noreturn, format(printf, 1, 2), unused)) static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(tool_die_code);
}

TOOL_FN void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

TOOL_FN void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

TOOL_FN char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

TOOL_FN char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		die("out of memory");
	return p;
}

__attribute__((format(printf, 1, 2), unused)) static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("out of memory");
	return s;
}

/* Grow an array of N items of SIZE to hold one more; returns the new slot. */
TOOL_FN void *xgrow(void *arr, size_t *cap, size_t n, size_t size)
{
	char **pa = arr;

	if (n >= *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*pa = xrealloc(*pa, *cap * size);
	}
	memset(*pa + n * size, 0, size);
	return *pa + n * size;
}

TOOL_FN void bput(struct aipkg_buf *b, const void *data, size_t len)
{
	if (aipkg_buf_add(b, data, len) < 0)
		die("out of memory");
}

TOOL_FN void bputs(struct aipkg_buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3), unused)) static void bprintf(struct aipkg_buf *b,
								  const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = aipkg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("out of memory");
}

/* ---- loopback servers (httpstub, llmstub) ---- */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Listen on 127.0.0.1 at an ephemeral port and print the port on stdout,
 * where the test reads it.  Never anything but loopback. */
TOOL_FN int listen_loopback(void)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("cannot listen on 127.0.0.1: %s", strerror(errno));
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

/* ---- files ---- */

/* Read all of PATH into B (appending); -errno on failure. */
TOOL_FN int file_read(const char *path, struct aipkg_buf *b)
{
	return aipkg_buf_read_file(b, path);
}

TOOL_FN bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* mkdir -p; 0 or -errno. */
TOOL_FN int mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return r;
}

TOOL_FN int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Replace PATH with DATA the way apk does (write PATH.new, fsync, rename),
 * so a reader or a crash sees the old file or the new one, never half.
 */
TOOL_FN int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = xasprintf("%s.new", path);
	int fd, r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

/* Names of the entries of DIR ending in SUFFIX, sorted; NULL-terminated. */
TOOL_FN int tool_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TOOL_FN char **dir_list(const char *dir, const char *suffix, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0, sl = strlen(suffix);

	if (d) {
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix))
				continue;
			*(char **)xgrow(&v, &cap, n, sizeof(*v)) = xstrdup(e->d_name);
			n++;
		}
		closedir(d);
	}
	*(char **)xgrow(&v, &cap, n, sizeof(*v)) = NULL;
	qsort(v, n, sizeof(*v), tool_cmp_str);
	*count = n;
	return v;
}

/* ---- digests ---- */

/* DIGEST ("SHA1", "SHA256") of DATA into OUT; returns the length. */
TOOL_FN unsigned digest(const char *name, const void *data, size_t len, unsigned char *out)
{
	unsigned n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_get_digestbyname(name), NULL))
		die("%s failed", name);
	return n;
}

TOOL_FN void hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * len] = '\0';
}

/* apk's "Q1" + base64(SHA-1) identity and file checksum text. */
TOOL_FN void q1_checksum(const void *data, size_t len, char out[32])
{
	unsigned char sha[EVP_MAX_MD_SIZE];
	unsigned n = digest("SHA1", data, len, sha);

	out[0] = 'Q';
	out[1] = '1';
	EVP_EncodeBlock((unsigned char *)out + 2, sha, (int)n);
}

/* "Q1..." from a 40-digit hex SHA-1; false when HEX is not one. */
TOOL_FN bool q1_from_hex(const char *hex, char out[32])
{
	unsigned char sha[20];

	if (strlen(hex) != 40)
		return false;
	for (int i = 0; i < 20; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return false;
		sha[i] = (unsigned char)v;
	}
	out[0] = 'Q';
	out[1] = '1';
	EVP_EncodeBlock((unsigned char *)out + 2, sha, 20);
	return true;
}

/* ---- gzip ---- */

/* Append DATA as one gzip member (what `gzip -n -9` makes) to OUT. */
TOOL_FN void gzip_member(const void *data, size_t len, struct aipkg_buf *out)
{
	z_stream zs;
	unsigned char chunk[16384];
	int r;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2 failed");
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		r = deflate(&zs, Z_FINISH);
		if (r == Z_STREAM_ERROR)
			die("deflate failed");
		bput(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (r != Z_STREAM_END);
	deflateEnd(&zs);
}

/* One member of a concatenated gzip file: where its compressed bytes are
 * and where its inflated bytes start in the output. */
struct gz_member {
	size_t off, len;
	size_t plain_off, plain_len;
};

/*
 * Inflate every member of DATA (apk's packages are control and data
 * members, signed ones a signature member first) into PLAIN; MEMBERS gets
 * up to MAX members.  Returns the member count, or -1 on corrupt input.
 */
TOOL_FN int gunzip_members(const void *data, size_t len, struct aipkg_buf *plain,
			   struct gz_member *members, int max)
{
	const unsigned char *in = data;
	size_t pos = 0;
	int n = 0;

	while (pos < len) {
		z_stream zs;
		unsigned char chunk[16384];
		int r;
		size_t start = plain->len;

		memset(&zs, 0, sizeof(zs));
		if (inflateInit2(&zs, 15 + 16) != Z_OK)
			return -1;
		zs.next_in = (unsigned char *)in + pos;
		zs.avail_in = (uInt)(len - pos);
		do {
			zs.next_out = chunk;
			zs.avail_out = sizeof(chunk);
			r = inflate(&zs, Z_NO_FLUSH);
			if (r != Z_OK && r != Z_STREAM_END) {
				inflateEnd(&zs);
				return -1;
			}
			bput(plain, chunk, sizeof(chunk) - zs.avail_out);
		} while (r != Z_STREAM_END);
		if (n < max)
			members[n] =
			    (struct gz_member){pos, zs.total_in, start, plain->len - start};
		n++;
		pos += zs.total_in;
		inflateEnd(&zs);
	}
	return n;
}

/* ---- tar ---- */

struct tar_header {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8];
	char typeflag, linkname[100], magic[6], version[2], uname[32], gname[32];
	char devmajor[8], devminor[8], prefix[155], padding[12];
};

TOOL_FN void tar_octal(char *field, size_t width, uint64_t v)
{
	/* zero-padded digits and a NUL, as GNU tar and abuild write them */
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

TOOL_FN void tar_pad(struct aipkg_buf *out)
{
	static const char zero[512];

	if (out->len % 512)
		bput(out, zero, 512 - out->len % 512);
}

/* Append a ustar header (TYPE '0' file, '5' dir, '2' symlink, 'x' PAX). */
TOOL_FN void tar_header_add(struct aipkg_buf *out, const char *name, char type, unsigned mode,
			    uint64_t size, uint64_t mtime, const char *link)
{
	struct tar_header h;
	const unsigned char *p = (const unsigned char *)&h;
	unsigned sum = 0;

	memset(&h, 0, sizeof(h));
	memcpy(h.name, name, strnlen(name, sizeof(h.name)));
	tar_octal(h.mode, sizeof(h.mode), mode & 07777);
	tar_octal(h.uid, sizeof(h.uid), 0);
	tar_octal(h.gid, sizeof(h.gid), 0);
	tar_octal(h.size, sizeof(h.size), size);
	tar_octal(h.mtime, sizeof(h.mtime), mtime);
	h.typeflag = type;
	if (link)
		memcpy(h.linkname, link, strnlen(link, sizeof(h.linkname)));
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	memcpy(h.uname, "root", 4);
	memcpy(h.gname, "root", 4);
	memset(h.chksum, ' ', sizeof(h.chksum));
	for (size_t i = 0; i < sizeof(h); i++)
		sum += p[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
	bput(out, &h, sizeof(h));
}

/* Append one PAX record "LEN key=value\n" (LEN counts itself). */
TOOL_FN void pax_record(struct aipkg_buf *pax, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;

	while (len != body + (size_t)snprintf(NULL, 0, "%zu", len))
		len = body + (size_t)snprintf(NULL, 0, "%zu", len);
	bprintf(pax, "%zu %s=%s\n", len, key, value);
}

/*
 * Append one member: a PAX header first when PAX has records (abuild-tar
 * --hash puts APK-TOOLS.checksum.SHA1 there) or the name is too long.
 */
TOOL_FN void tar_entry_add(struct aipkg_buf *out, const char *name, char type, unsigned mode,
			   const void *data, size_t size, uint64_t mtime, const char *link,
			   struct aipkg_buf *pax)
{
	struct aipkg_buf px = AIPKG_BUF_INIT;

	if (pax)
		bput(&px, pax->data, pax->len);
	if (strlen(name) >= 100)
		pax_record(&px, "path", name);
	if (px.len) {
		char *pname = xasprintf("PaxHeaders/%.80s", name);
		tar_header_add(out, pname, 'x', 0644, px.len, mtime, NULL);
		bput(out, px.data, px.len);
		tar_pad(out);
		free(pname);
	}
	aipkg_buf_release(&px);
	tar_header_add(out, name, type, mode, size, mtime, link);
	if (size) {
		bput(out, data, size);
		tar_pad(out);
	}
}

/*
 * Append a regular-file member the way apk's own writer does (`apk index`,
 * lib/apk/db/scripts.tar): GNU "ustar  " magic and size/mtime fields of
 * twelve digits without a terminator.
 */
TOOL_FN void tar_apk_entry_add(struct aipkg_buf *out, const char *name, const void *data,
			       size_t size, unsigned mode, uint64_t mtime)
{
	struct tar_header h;
	const unsigned char *p = (const unsigned char *)&h;
	char tmp[16];
	unsigned sum = 0;

	memset(&h, 0, sizeof(h));
	memcpy(h.name, name, strnlen(name, sizeof(h.name) - 1));
	memcpy(h.uname, "root", 4);
	memcpy(h.gname, "root", 4);
	snprintf(tmp, sizeof(tmp), "%012llo", (unsigned long long)size);
	memcpy(h.size, tmp + strlen(tmp) - 12, 12);
	tar_octal(h.uid, sizeof(h.uid), 0);
	tar_octal(h.gid, sizeof(h.gid), 0);
	tar_octal(h.mode, sizeof(h.mode), mode & 07777);
	snprintf(tmp, sizeof(tmp), "%012llo", (unsigned long long)mtime);
	memcpy(h.mtime, tmp + strlen(tmp) - 12, 12);
	h.typeflag = '0';
	memcpy(h.magic, "ustar ", 6);
	memcpy(h.version, " ", 2);
	memset(h.chksum, ' ', sizeof(h.chksum));
	for (size_t i = 0; i < sizeof(h); i++)
		sum += p[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
	bput(out, &h, sizeof(h));
	bput(out, data, size);
	tar_pad(out);
}

/* The end-of-archive marker: two zero blocks. */
TOOL_FN void tar_end(struct aipkg_buf *out)
{
	static const char zero[1024];

	bput(out, zero, sizeof(zero));
}

/* One member read back, PAX and GNU long names applied. */
struct tar_entry {
	char name[4096];
	char link[4096];
	char type;
	unsigned mode;
	uint64_t size, mtime;
	const unsigned char *data;
	char sha1[41]; /* APK-TOOLS.checksum.SHA1 from PAX, "" if none */
};

struct tar_iter {
	const unsigned char *p;
	size_t len, pos;
};

TOOL_FN uint64_t tar_get_octal(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(s[i] - '0');
	return v;
}

TOOL_FN void tar_apply_pax(struct tar_entry *e, const char *p, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		char *sp, *eq;
		size_t rlen = strtoul(p + pos, &sp, 10);
		if (rlen == 0 || pos + rlen > len)
			return;
		eq = memchr(sp, '=', p + pos + rlen - sp);
		if (eq && *sp == ' ') {
			size_t klen = (size_t)(eq - sp - 1);
			size_t vlen = (size_t)(p + pos + rlen - 1 - (eq + 1));
			const char *k = sp + 1, *v = eq + 1;
			if (klen == 4 && !memcmp(k, "path", 4) && vlen < sizeof(e->name))
				memcpy(e->name, v, vlen), e->name[vlen] = '\0';
			else if (klen == 8 && !memcmp(k, "linkpath", 8) && vlen < sizeof(e->link))
				memcpy(e->link, v, vlen), e->link[vlen] = '\0';
			else if (klen == 23 && !memcmp(k, "APK-TOOLS.checksum.SHA1", 23) &&
				 vlen == 40)
				memcpy(e->sha1, v, 40), e->sha1[40] = '\0';
		}
		pos += rlen;
	}
}

/* Next member (not PAX/long-name pseudo members): 1, 0 at the end, -1 corrupt. */
TOOL_FN int tar_next(struct tar_iter *it, struct tar_entry *e)
{
	char pax_name[4096] = "", pax_link[4096] = "", pax_sha[41] = "";

	while (it->pos + 512 <= it->len) {
		const struct tar_header *h = (const void *)(it->p + it->pos);
		uint64_t size;

		if (h->name[0] == '\0')
			return 0;
		if (memcmp(h->magic, "ustar", 5))
			return -1;
		size = tar_get_octal(h->size, sizeof(h->size));
		if (size > it->len - it->pos - 512)
			return -1;
		const unsigned char *data = it->p + it->pos + 512;
		it->pos += 512 + ((size + 511) & ~(uint64_t)511);
		if (h->typeflag == 'x' || h->typeflag == 'L') {
			struct tar_entry tmp = {.name = ""};
			if (h->typeflag == 'x')
				tar_apply_pax(&tmp, (const char *)data, size);
			else if (size < sizeof(tmp.name))
				memcpy(tmp.name, data, size), tmp.name[size] = '\0';
			if (tmp.name[0])
				memcpy(pax_name, tmp.name, sizeof(pax_name));
			if (tmp.link[0])
				memcpy(pax_link, tmp.link, sizeof(pax_link));
			if (tmp.sha1[0])
				memcpy(pax_sha, tmp.sha1, sizeof(pax_sha));
			continue;
		}
		if (h->typeflag == 'g')
			continue;
		memset(e, 0, sizeof(*e));
		if (pax_name[0])
			memcpy(e->name, pax_name, sizeof(e->name));
		else if (h->prefix[0])
			snprintf(e->name, sizeof(e->name), "%.155s/%.100s", h->prefix, h->name);
		else
			snprintf(e->name, sizeof(e->name), "%.100s", h->name);
		if (pax_link[0])
			memcpy(e->link, pax_link, sizeof(e->link));
		else
			snprintf(e->link, sizeof(e->link), "%.100s", h->linkname);
		memcpy(e->sha1, pax_sha, sizeof(e->sha1));
		e->type = h->typeflag ? h->typeflag : '0';
		e->mode = (unsigned)tar_get_octal(h->mode, sizeof(h->mode)) & 07777;
		e->size = size;
		e->mtime = tar_get_octal(h->mtime, sizeof(h->mtime));
		e->data = data;
		return 1;
	}
	return 0;
}

#endif
