/* Fuzz target: the terminal sanitiser and the display width of what it lets through. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>

#include "aipkg/term.h"
#include "fuzz.h"

/* What the sanitiser promises: no C0, DEL, C1 or bidi control and nothing
 * but shortest-form UTF-8 in its output. */
static bool safe(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (c < 0x20 || c == 0x7f || (c >= 0x80 && (c < 0xc2 || c > 0xf4)) || i + n > len)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if (c == 0xc2 && s[i + 1] <= 0x9f)
			return false; /* C1 */
		if (c == 0xe2 && s[i + 1] == 0x80 && s[i + 2] >= 0xa8 && s[i + 2] <= 0xae)
			return false; /* U+2028..U+202E */
		if (c == 0xe2 && s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)
			return false; /* U+2066..U+2069 */
		i += n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_memdup(data, size), *out, *again;
	size_t need = aipkg_term_escape(NULL, 0, in, size), n, used, small;

	out = malloc(need + 1);
	if (!out || aipkg_term_escape(out, need + 1, in, size) != need || strlen(out) != need)
		abort();
	if (!safe((const unsigned char *)out, need))
		abort();
	/* escaping what is already safe changes nothing */
	again = malloc(need + 1);
	if (!again || aipkg_term_escape(again, need + 1, out, need) != need ||
	    memcmp(again, out, need) != 0)
		abort();
	/* a short buffer gets a prefix of the whole, cut between escapes */
	small = size % 17 < need + 1 ? size % 17 : need + 1;
	if (aipkg_term_escape(again, small, in, size) != need ||
	    (small && strncmp(again, out, strlen(again)) != 0))
		abort();
	/* fitting never splits a character or passes the width */
	n = aipkg_term_fit(out, need, size % 80, &used);
	if (n > need || used > size % 80 || aipkg_term_width(out, n) != used)
		abort();
	free(again);
	free(out);
	free(in);
	return 0;
}
