/* The one terminal sanitiser and the display width of what it lets through. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/term.h"

/* Decode one shortest-form UTF-8 character at P (N bytes available) into
 * *cp; its length, or 0 when P does not start one. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points a terminal acts on rather than shows (beyond C0 and DEL). */
static bool unsafe_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x61c || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* The escape for the byte or code point at P into OUT; its length, 0 when
 * the N bytes there (*step of them) are safe as they are. */
static size_t escape_one(const unsigned char *p, size_t n, size_t *step, char out[8])
{
	uint32_t c;
	size_t len = utf8_decode(p, n, &c);

	*step = len ? len : 1;
	if (len == 0)
		return (size_t)snprintf(out, 8, "\\x%02x", p[0]);
	if (c == '\n' || c == '\r' || c == '\t')
		return (size_t)snprintf(out, 8, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
	if (c < 0x20 || c == 0x7f)
		return (size_t)snprintf(out, 8, "\\x%02x", (unsigned)c);
	if (unsafe_cp(c))
		return (size_t)snprintf(out, 8, "\\u%04x", (unsigned)c);
	return 0;
}

size_t aipkg_term_escape(char *dst, size_t size, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need = 0, at = 0, step;
	bool full = size == 0;

	for (size_t i = 0; i < len; i += step) {
		char esc[8];
		size_t n = escape_one(p + i, len - i, &step, esc);
		const char *from = n ? esc : s + i;

		n = n ? n : step;
		/* all of an escape or a character, or nothing: never half of one */
		if (!full && at + n < size) {
			memcpy(dst + at, from, n);
			at += n;
		} else {
			full = true;
		}
		need += n;
	}
	if (size)
		dst[at] = '\0';
	return need;
}

char *aipkg_term_escaped(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	size_t need = aipkg_term_escape(NULL, 0, s, len);
	char *out = malloc(need + 1);

	if (out)
		aipkg_term_escape(out, need + 1, s, len);
	return out;
}

/* Columns of code point C, from Markus Kuhn's wcwidth: combining marks and
 * zero-width characters take none, East Asian wide ones two. */
static size_t cp_width(uint32_t c)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 },
		{ 0xf900, 0xfaff }, { 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },
		{ 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd },
		{ 0x30000, 0x3fffd },
	};

	if (c < zero[0][0])
		return 1; /* ASCII and Latin-1: the common case, quickly */
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (c >= zero[i][0] && c <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (c >= wide[i][0] && c <= wide[i][1])
			return 2;
	return 1;
}

size_t aipkg_term_fit(const char *s, size_t len, size_t cols, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t at = 0, w = 0;

	while (at < len) {
		uint32_t c = 0xfffd;
		size_t n = utf8_decode(p + at, len - at, &c), cw;

		n = n ? n : 1;
		cw = cp_width(c);
		if (w + cw > cols)
			break;
		w += cw;
		at += n;
	}
	if (used)
		*used = w;
	return at;
}

size_t aipkg_term_width(const char *s, size_t len)
{
	size_t w;

	aipkg_term_fit(s, len, (size_t)-1, &w);
	return w;
}
