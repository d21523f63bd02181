/* Growable NUL-terminated byte buffers with a size cap, and borrowed slices. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_BUF_H
#define AIPKG_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * An owning buffer.  data is always NUL-terminated after the first append
 * (aipkg_buf_str() returns "" before that).  limit caps len (0: no cap);
 * an append past it fails with -AIPKG_E_TOOBIG and leaves the buffer as it
 * was.  The owner frees with aipkg_buf_release().
 */
struct aipkg_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t limit;
};

#define AIPKG_BUF_INIT { NULL, 0, 0, 0 }

/* A borrowed run of bytes, not NUL-terminated; never freed. */
struct aipkg_slice {
	const char *ptr;
	size_t len;
};

void aipkg_buf_init(struct aipkg_buf *b, size_t limit);
void aipkg_buf_release(struct aipkg_buf *b);
void aipkg_buf_reset(struct aipkg_buf *b);
/* Hand the malloc'd string to the caller (never NULL on success); the
 * buffer is left empty. */
char *aipkg_buf_detach(struct aipkg_buf *b);
const char *aipkg_buf_str(const struct aipkg_buf *b);

int aipkg_buf_add(struct aipkg_buf *b, const void *data, size_t len);
int aipkg_buf_addstr(struct aipkg_buf *b, const char *s);
int aipkg_buf_addch(struct aipkg_buf *b, char c);
int aipkg_buf_addf(struct aipkg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int aipkg_buf_vaddf(struct aipkg_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int aipkg_buf_reserve(struct aipkg_buf *b, size_t extra);
/* B's text replaced by the message; returns CODE (a parser's error in one
 * statement: return aipkg_buf_fail(why, -AIPKG_E_CORRUPT, "...", ...)). */
int aipkg_buf_fail(struct aipkg_buf *b, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void aipkg_buf_truncate(struct aipkg_buf *b, size_t len);

/* Append the whole of FD / the file at PATH (-errno on failure; a FIFO
 * or socket at PATH is -EINVAL, refused without waiting for a writer). */
int aipkg_buf_read_fd(struct aipkg_buf *b, int fd);
int aipkg_buf_read_file(struct aipkg_buf *b, const char *path);

static inline struct aipkg_slice aipkg_slice_str(const char *s);
struct aipkg_slice aipkg_slice_of(const struct aipkg_buf *b);
/* Split off the next line (without its '\n') into *line; false at the end. */
bool aipkg_slice_next_line(struct aipkg_slice *in, struct aipkg_slice *line);
/* Split at the first SEP: *head gets what precedes it, *in what follows;
 * false (and *head = all of *in) when there is no SEP. */
bool aipkg_slice_split(struct aipkg_slice *in, char sep, struct aipkg_slice *head);
struct aipkg_slice aipkg_slice_trim(struct aipkg_slice s);
bool aipkg_slice_eq(struct aipkg_slice s, const char *str);
bool aipkg_slice_starts_with(struct aipkg_slice s, const char *prefix);
/* The value of the hex digit C, or -1. */
int aipkg_hex_digit(char c);
/* malloc'd NUL-terminated copy, NULL when out of memory. */
char *aipkg_slice_dup(struct aipkg_slice s);

/* ONE or MANY as N asks: "1 change", "2 changes" (aipkg_plural(n, "", "s")). */
static inline const char *aipkg_plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#include <string.h>
static inline struct aipkg_slice aipkg_slice_str(const char *s)
{
	struct aipkg_slice r = { s, s ? strlen(s) : 0 };
	return r;
}

#endif
