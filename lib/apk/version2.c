/* apk-tools 2's version rules (Alpine 3.22 and older): a laxer grammar and another order. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "apk/version.h"

/*
 * apk 2 reads a version as a walk over parts whose kind decides what may
 * follow; a kind lower than the one before is a step back, which only
 * ".N" after a number, "_suffix" after a suffix number and a number after
 * a letter may take ("2.1a15", "1.5b7" and "6.8.0p2" are valid there).
 * The order of the kinds is also the tie-break when two versions agree up
 * to where one goes on with another kind of part.  INVALID sorts first.
 */
enum v2_kind {
	V2_INVALID = -1,
	V2_DOT_NUMBER, /* ".N": leading zeros are a part of their own */
	V2_NUMBER,
	V2_LETTER,
	V2_SUFFIX,
	V2_SUFFIX_NO,
	V2_REVISION,
	V2_END,
};

/* apk 2 matches suffixes by prefix, pre-releases first ("_pre" is pre). */
static const char *const v2_pre[] = { "alpha", "beta", "pre", "rc" };
static const char *const v2_post[] = { "cvs", "svn", "git", "hg", "p" };
#define V2_NPRE (sizeof(v2_pre) / sizeof(v2_pre[0]))
#define V2_NPOST (sizeof(v2_post) / sizeof(v2_post[0]))

/* Numbers of 18 digits and more make the version invalid. */
#define V2_MAX_DIGITS 18

struct v2_cursor {
	const char *p, *end;
	int kind;        /* enum v2_kind of the part at p */
	bool old_zeros;  /* apk before 2.12.11 (fd8f39f "fix leading zero stripping") */
};

static bool v2_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool v2_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static size_t v2_left(const struct v2_cursor *c)
{
	return (size_t)(c->end - c->p);
}

/* The steps back apk 2 allows. */
static bool v2_back_ok(int next, int prev)
{
	return (next == V2_DOT_NUMBER && prev == V2_NUMBER) ||
	       (next == V2_SUFFIX && prev == V2_SUFFIX_NO) ||
	       (next == V2_NUMBER && prev == V2_LETTER);
}

/* The kind of the part at the cursor, read from its first byte and the
 * kind before; separators are stepped over. */
static void v2_step(struct v2_cursor *c)
{
	int prev = c->kind, next = V2_INVALID;
	char ch;

	if (c->p == c->end || *c->p == '\0') {
		c->kind = V2_END;
		return;
	}
	ch = *c->p;
	if ((prev == V2_NUMBER || prev == V2_DOT_NUMBER) && v2_lower(ch)) {
		next = V2_LETTER;
	} else if (prev == V2_LETTER && v2_digit(ch)) {
		next = V2_NUMBER;
	} else if (prev == V2_SUFFIX && v2_digit(ch)) {
		next = V2_SUFFIX_NO;
	} else {
		if (ch == '.') {
			next = V2_DOT_NUMBER;
		} else if (ch == '_') {
			next = V2_SUFFIX;
		} else if (ch == '-' && v2_left(c) > 1 && c->p[1] == 'r') {
			next = V2_REVISION;
			c->p++;
		}
		c->p++;
	}
	if (next < prev && !v2_back_ok(next, prev))
		next = V2_INVALID;
	c->kind = next;
}

/* A suffix's rank: pre-releases negative, the others 0 and up; -1 with
 * *len 0 when it is none of them. */
static int64_t v2_suffix(const struct v2_cursor *c, size_t *len)
{
	size_t left = v2_left(c);

	for (size_t i = 0; i < V2_NPRE; i++) {
		*len = strlen(v2_pre[i]);
		if (*len <= left && memcmp(v2_pre[i], c->p, *len) == 0)
			return (int64_t)i - (int64_t)V2_NPRE;
	}
	for (size_t i = 0; i < V2_NPOST; i++) {
		*len = strlen(v2_post[i]);
		if (*len <= left && memcmp(v2_post[i], c->p, *len) == 0)
			return (int64_t)i;
	}
	*len = 0;
	return -1;
}

static int64_t v2_invalid(struct v2_cursor *c)
{
	c->kind = V2_INVALID;
	return -1;
}

/* Read the part at the cursor: its value, and the kind of the next. */
static int64_t v2_take(struct v2_cursor *c)
{
	size_t i = 0, left = v2_left(c);
	int next = V2_INVALID;
	uint64_t v = 0;

	if (left == 0) {
		c->kind = V2_END;
		return 0;
	}
	switch (c->kind) {
	case V2_DOT_NUMBER:
		if (c->p[0] == '0') {
			/* all zeros but the last are one part worth minus their
			 * count; before 2.12.11 all of them, so "6.0_pre1" went
			 * on with an empty number and was newer than "6.0" */
			if (c->old_zeros)
				while (i < left && c->p[i] == '0')
					i++;
			else
				while (i + 1 < left && c->p[i + 1] == '0')
					i++;
			next = V2_NUMBER;
			v = -(uint64_t)i;
			break;
		}
		/* fallthrough */
	case V2_NUMBER:
	case V2_SUFFIX_NO:
	case V2_REVISION:
		for (; i < left && v2_digit(c->p[i]); i++)
			v = v * 10 + (uint64_t)(c->p[i] - '0');
		if (i >= V2_MAX_DIGITS)
			return v2_invalid(c);
		break;
	case V2_LETTER:
		v = (unsigned char)c->p[0];
		i = 1;
		break;
	case V2_SUFFIX:
		v = (uint64_t)v2_suffix(c, &i);
		if (!i)
			return v2_invalid(c);
		break;
	default:
		return v2_invalid(c);
	}
	c->p += i;
	if (c->p == c->end)
		c->kind = V2_END;
	else if (next != V2_INVALID)
		c->kind = next;
	else
		v2_step(c);
	return (int64_t)v;
}

static void v2_start(struct v2_cursor *c, struct aipkg_slice v)
{
	c->p = v.ptr ? v.ptr : "";
	c->end = c->p + (v.ptr ? v.len : 0);
	c->kind = V2_NUMBER;
	c->old_zeros = false;
}

int aipkg_version2_compare(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy)
{
	return aipkg_version2_compare_zeros(a, b, fuzzy, false);
}

int aipkg_version2_compare_zeros(struct aipkg_slice a, struct aipkg_slice b, bool fuzzy,
				 bool old_zeros)
{
	struct v2_cursor ca, cb, t;
	int64_t av = 0, bv = 0;

	v2_start(&ca, a);
	v2_start(&cb, b);
	ca.old_zeros = cb.old_zeros = old_zeros;
	while (ca.kind == cb.kind && ca.kind != V2_END && ca.kind != V2_INVALID && av == bv) {
		av = v2_take(&ca);
		bv = v2_take(&cb);
	}
	if (av != bv)
		return av < bv ? AIPKG_VER_LESS : AIPKG_VER_GREATER;
	if (ca.kind == cb.kind || fuzzy)
		return AIPKG_VER_EQUAL;
	/* a side going on with a pre-release (or a bad) suffix is older */
	t = ca;
	if (ca.kind == V2_SUFFIX && v2_take(&t) < 0)
		return AIPKG_VER_LESS;
	t = cb;
	if (cb.kind == V2_SUFFIX && v2_take(&t) < 0)
		return AIPKG_VER_GREATER;
	if (ca.kind != cb.kind)
		return ca.kind > cb.kind ? AIPKG_VER_LESS : AIPKG_VER_GREATER;
	return AIPKG_VER_EQUAL;
}

bool aipkg_version2_validate(struct aipkg_slice v)
{
	struct v2_cursor c;

	v2_start(&c, v);
	while (c.kind != V2_END && c.kind != V2_INVALID)
		v2_take(&c);
	return c.kind == V2_END;
}
