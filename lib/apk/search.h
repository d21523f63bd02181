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
 * Packages matching any of the NTERMS TERMS as apk search does: a term
 * matches a name or provided name containing it ("cmd:dig", "java" finds
 * openjdk17 through java-jdk), globs unanchored ("*nginx", "ngin?",
 * "[a]pk"); with AIPKG_SEARCH_EXACT equal to it (a glob anchored); with
 * AIPKG_SEARCH_DESCRIPTION the description too, a term with blanks being
 * a phrase.  One package per name: a version an untagged dependency may
 * get before one only a tagged repository has, then the newest; installed
 * packages no index has are included.  Ordered by how well they match
 * (the name itself, a provided name itself, a name starting with the term,
 * containing it, a provided name containing it, the description), then by
 * name.  Returns borrowed pointers in a malloc'd array (*n of them), NULL
 * when out of memory.
 */
const struct aipkg_pkg **aipkg_search(const struct aipkg_state *st, const char *const *terms,
				      size_t nterms, unsigned flags, size_t *n);

/* Split a search query on blanks into *terms (NULL-terminated, *n of
 * them; aipkg_strv_free), a double-quoted run being one term
 * ("\"web server\" nginx"); -ENOMEM. */
int aipkg_search_split(const char *query, char ***terms, size_t *n);

/* Up to MAX names close to NAME (edit distance, substrings), best first,
 * as a new JSON array of strings. */
json_t *aipkg_suggest(const struct aipkg_state *st, const char *name, size_t max);

/* Installed packages (other than PKG itself) that depend on PKG by its name
 * or anything it provides, as a new JSON array of names, sorted. */
json_t *aipkg_required_by(const struct aipkg_state *st, const struct aipkg_pkg *pkg);

#endif
