/* Growable NUL-terminated byte buffers and slices. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "buf.h"

void aipkg_buf_init(struct aipkg_buf *b, size_t limit)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->limit = limit;
}

void aipkg_buf_release(struct aipkg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void aipkg_buf_reset(struct aipkg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *aipkg_buf_detach(struct aipkg_buf *b)
{
	char *s = b->data ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

const char *aipkg_buf_str(const struct aipkg_buf *b)
{
	return b->data ? b->data : "";
}

int aipkg_buf_reserve(struct aipkg_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX / 2 - b->len)
		return -AIPKG_E_TOOBIG;
	need = b->len + extra + 1;
	if (b->limit && b->len + extra > b->limit)
		return -AIPKG_E_TOOBIG;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	p[b->len] = '\0'; /* a first allocation must read as "" too */
	b->data = p;
	b->cap = cap;
	return 0;
}

int aipkg_buf_add(struct aipkg_buf *b, const void *data, size_t len)
{
	int r = aipkg_buf_reserve(b, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int aipkg_buf_addstr(struct aipkg_buf *b, const char *s)
{
	return aipkg_buf_add(b, s, strlen(s));
}

int aipkg_buf_addch(struct aipkg_buf *b, char c)
{
	return aipkg_buf_add(b, &c, 1);
}

int aipkg_buf_vaddf(struct aipkg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, r;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -EINVAL;
	r = aipkg_buf_reserve(b, (size_t)n);
	if (r < 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int aipkg_buf_addf(struct aipkg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = aipkg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

int aipkg_buf_fail(struct aipkg_buf *b, int code, const char *fmt, ...)
{
	va_list ap;

	aipkg_buf_reset(b);
	va_start(ap, fmt);
	aipkg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return code;
}

void aipkg_buf_truncate(struct aipkg_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

int aipkg_buf_read_fd(struct aipkg_buf *b, int fd)
{
	size_t start = b->len;
	int r;

	for (;;) {
		size_t room = 65536;
		char probe;
		ssize_t n;

		if (b->limit && room > b->limit - b->len)
			room = b->limit - b->len;
		r = aipkg_buf_reserve(b, room);
		if (r < 0)
			break;
		/* at the cap, a one-byte probe tells "exactly LIMIT bytes" from "more" */
		n = read(fd, room ? b->data + b->len : &probe, room ? room : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		if (!room) {
			r = -AIPKG_E_TOOBIG;
			break;
		}
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
	if (r < 0)
		aipkg_buf_truncate(b, start); /* as it was */
	return r;
}

/* A FIFO planted where a file should be (in a root another user prepared)
 * would make the read wait for a writer forever: opened without waiting,
 * it is refused.  Devices stay readable (--config /dev/null). */
int aipkg_buf_read_file(struct aipkg_buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		r = -EINVAL;
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		r = -errno;
	else
		r = aipkg_buf_read_fd(b, fd);
	close(fd);
	return r;
}

struct aipkg_slice aipkg_slice_of(const struct aipkg_buf *b)
{
	struct aipkg_slice s = { aipkg_buf_str(b), b->len };
	return s;
}

bool aipkg_slice_next_line(struct aipkg_slice *in, struct aipkg_slice *line)
{
	const char *nl;

	if (!in->len)
		return false;
	nl = memchr(in->ptr, '\n', in->len);
	line->ptr = in->ptr;
	if (!nl) {
		line->len = in->len;
		in->ptr += in->len;
		in->len = 0;
		return true;
	}
	line->len = (size_t)(nl - in->ptr);
	in->len -= line->len + 1;
	in->ptr = nl + 1;
	return true;
}

bool aipkg_slice_split(struct aipkg_slice *in, char sep, struct aipkg_slice *head)
{
	const char *p = in->len ? memchr(in->ptr, sep, in->len) : NULL;

	head->ptr = in->ptr;
	if (!p) {
		head->len = in->len;
		in->ptr += in->len;
		in->len = 0;
		return false;
	}
	head->len = (size_t)(p - in->ptr);
	in->len -= head->len + 1;
	in->ptr = p + 1;
	return true;
}

struct aipkg_slice aipkg_slice_trim(struct aipkg_slice s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t' || s.ptr[0] == '\r')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' ||
			 s.ptr[s.len - 1] == '\r' || s.ptr[s.len - 1] == '\n'))
		s.len--;
	return s;
}

bool aipkg_slice_eq(struct aipkg_slice s, const char *str)
{
	size_t n = strlen(str);

	return n == s.len && memcmp(s.ptr, str, n) == 0;
}

bool aipkg_slice_starts_with(struct aipkg_slice s, const char *prefix)
{
	size_t n = strlen(prefix);

	return n <= s.len && memcmp(s.ptr, prefix, n) == 0;
}

char *aipkg_slice_dup(struct aipkg_slice s)
{
	char *p = malloc(s.len + 1);

	if (!p)
		return NULL;
	if (s.len)
		memcpy(p, s.ptr, s.len);
	p[s.len] = '\0';
	return p;
}

int aipkg_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
