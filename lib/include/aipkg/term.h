/* The one terminal sanitiser: text from others made safe to show a person. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TERM_H
#define AIPKG_TERM_H

#include <stddef.h>

#include "aipkg/export.h"

/*
 * EVERY string that did not come from aipkg itself -- a repository's
 * names, versions, descriptions, url, license, origin, depends, provides;
 * secdb text; a language model's answer; the request and command line
 * read back from the journal; a file name; a user's argument echoed in a
 * message -- goes through this function where it is written for a person
 * (a terminal, a cron mail, a text report).  Nowhere else decides what is
 * safe: the CLI's renderers call it through cli_safe()/cli_str() and the
 * table printer (cmd/aipkg/term.c), and cli_error()/cli_warn() run every
 * message through it, so library messages that quote a name are covered.
 * JSON output is never escaped: it stays exact (jansson escapes what JSON
 * needs).
 *
 * Shown escaped, so nothing can move the cursor, change the title, clear
 * the screen, forge a line or reorder what is displayed:
 *   - C0 controls and DEL: \t \n \r by name, the rest as \xHH (ESC: \x1b);
 *   - C1 controls U+0080..U+009F (U+009B is CSI, U+0085 a line break on
 *     some terminals): \u009b;
 *   - bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E,
 *     U+2066..U+2069, and the separators U+2028, U+2029: \u202e;
 *   - every byte that is not part of valid, shortest-form UTF-8 (a stray
 *     0x9b, a truncated sequence, an overlong form, a surrogate, a code
 *     point above U+10FFFF): \xHH.
 * Everything else, printable UTF-8 included, is copied unchanged; a
 * backslash is not doubled (this is for reading, not for parsing back).
 *
 * Writes the escaped form of the LEN bytes at S into DST, at most SIZE - 1
 * bytes and a NUL (nothing when SIZE is 0; an escape is never cut in
 * half), and returns the length of the whole escaped text, as snprintf
 * does: a result >= SIZE means DST was too small.  S may hold NULs (\x00).
 */
AIPKG_API size_t aipkg_term_escape(char *dst, size_t size, const char *s, size_t len);

/* The escaped form of the string S (NULL is ""), malloc'd; NULL only when
 * out of memory.  The caller frees it. */
AIPKG_API char *aipkg_term_escaped(const char *s);

/*
 * The number of terminal columns the escaped (so printable) UTF-8 text S
 * of LEN bytes takes: 2 for East Asian wide and fullwidth characters and
 * most emoji, 0 for combining marks and zero-width characters, 1 for the
 * rest (and for any byte that is not valid UTF-8).  It does not depend on
 * the locale.
 */
AIPKG_API size_t aipkg_term_width(const char *s, size_t len);

/* How many bytes of the printable UTF-8 text S (LEN bytes) fit in COLS
 * columns without splitting a character; *used gets their width (may be
 * NULL). */
AIPKG_API size_t aipkg_term_fit(const char *s, size_t len, size_t cols, size_t *used);

#endif
