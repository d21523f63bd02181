/* What a proposed name means in the indexes: the package itself, its provider, or a close spelling. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_RESOLVE_H
#define AIPKG_AI_RESOLVE_H

#include "apk/state.h"

enum aipkg_resolve_how {
	AIPKG_RESOLVE_EXACT,    /* a package of that name */
	AIPKG_RESOLVE_PROVIDER, /* a package provides the name (so:..., a virtual) */
	AIPKG_RESOLVE_COMMAND,  /* a package provides cmd:NAME (dig -> bind-tools) */
	AIPKG_RESOLVE_VERSION,  /* the name with its version dropped or added
				 * (python3.12 -> python3, postgresql -> postgresql16) */
	AIPKG_RESOLVE_CLOSE,    /* a close spelling (ngnix -> nginx) */
};

enum aipkg_resolve_flags {
	AIPKG_RESOLVE_FUZZY = 1 << 0, /* allow AIPKG_RESOLVE_CLOSE */
	AIPKG_RESOLVE_NAMES = 1 << 1, /* only AIPKG_RESOLVE_EXACT and _PROVIDER:
				       * a catalogue's alternatives say the rest */
};

/*
 * The package (in the indexes, else installed) that NAME stands for, trying
 * in the order of enum aipkg_resolve_how; NULL when none.  NAME must already
 * be a valid apk name (aipkg_name_valid).  *how may be NULL.
 */
const struct aipkg_pkg *aipkg_resolve(const struct aipkg_state *st, const char *name,
				      unsigned flags, enum aipkg_resolve_how *how);

/* Edit distance with transpositions (optimal string alignment), capped at
 * 9 and for names of up to 63 bytes; case-blind. */
unsigned aipkg_name_distance(const char *a, const char *b);

#endif
