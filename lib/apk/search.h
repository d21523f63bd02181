/* Looking packages up in the loaded state: best versions, providers, search. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_SEARCH_H
#define AIPKG_APK_SEARCH_H

#include <jansson.h>
#include <stdbool.h>

#include "apk/state.h"

/* The highest available version of NAME in the indexes, or NULL. */
const struct aipkg_pkg *aipkg_state_best(const struct aipkg_state *st, const char *name);

/* The installed package NAME, or NULL. */
const struct aipkg_pkg *aipkg_state_installed(const struct aipkg_state *st, const char *name);

/* Is NAME (a package or a provided name such as cmd:dig) offered by any
 * available or installed package? */
bool aipkg_state_provided(const struct aipkg_state *st, struct aipkg_slice name);

enum aipkg_search_flags {
	AIPKG_SEARCH_DESCRIPTION = 1 << 0, /* also match descriptions */
	AIPKG_SEARCH_EXACT = 1 << 1,       /* names must equal the term */
};

/*
 * Packages matching any of the whitespace-separated TERMS, one per name
 * (its best version), installed ones included, ordered exact matches first
 * then by name.  A term with a "cmd:"/"so:"/"pc:" prefix matches providers;
 * '*' and '?' glob.  Returns borrowed pointers in a malloc'd array.
 */
const struct aipkg_pkg **aipkg_search(const struct aipkg_state *st, const char *terms,
				      unsigned flags, size_t *n);

/* Up to MAX names close to NAME (edit distance, substrings), best first,
 * as a new JSON array of strings. */
json_t *aipkg_suggest(const struct aipkg_state *st, const char *name, size_t max);

/* Installed packages (other than PKG itself) that depend on PKG by its name
 * or anything it provides, as a new JSON array of names, sorted. */
json_t *aipkg_required_by(const struct aipkg_state *st, const struct aipkg_pkg *pkg);

#endif
