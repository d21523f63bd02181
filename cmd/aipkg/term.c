/* Writing for a person: sanitised strings, the terminal's width, tables. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "aipkg/term.h"
#include "cli.h"

#define SAFE_SLOTS 8

const char *cli_safe(const char *s)
{
	static char *slot[SAFE_SLOTS];
	static size_t cap[SAFE_SLOTS];
	static unsigned next;
	unsigned i = next++ % SAFE_SLOTS;
	size_t len = s ? strlen(s) : 0;
	size_t need = aipkg_term_escape(NULL, 0, s, len) + 1;

	if (need > cap[i]) {
		char *grown = realloc(slot[i], need);

		if (!grown)
			return "?";
		slot[i] = grown;
		cap[i] = need;
	}
	aipkg_term_escape(slot[i], cap[i], s, len);
	return slot[i];
}

const char *cli_str(const json_t *o, const char *key)
{
	return cli_safe(json_string_value(json_object_get(o, key)));
}
