/* Which package apk would take for a dependency on this root: tags, providers, priorities, apk 2 and 3. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_SELECT_H
#define AIPKG_APK_SELECT_H

#include "apk/state.h"

enum aipkg_select_why {
	AIPKG_SELECT_OK,      /* pkg is what apk takes */
	AIPKG_SELECT_NONE,    /* nothing is, or provides, that name (in that version) */
	AIPKG_SELECT_TAGGED,  /* only in repositories tagged for other dependencies:
			       * pkg is the best of them, tag its repository's tag
			       * (apk takes it for "NAME@TAG" only) */
	AIPKG_SELECT_VIRTUAL, /* only providers apk will not choose among by itself
			       * (a name provided without a version or a
			       * provider_priority): the user must name one */
};

struct aipkg_selection {
	const struct aipkg_pkg *pkg; /* apk's choice (OK) or the refused one
				      * (TAGGED); NULL otherwise.  An available
				      * record when there is one, else the
				      * installed record */
	const struct aipkg_pkg *inst; /* the installed package pkg is, or NULL */
	enum aipkg_select_why why;
	const char *tag;             /* TAGGED: the tag; borrowed from the state */
	size_t nproviders;           /* how many packages could satisfy the name */
};

enum aipkg_select_flags {
	/* as `apk upgrade` or `apk add -u`: the newest over the installed one */
	AIPKG_SELECT_UPGRADE = 1 << 0,
	/* as apk 2.10.0 to 2.12.9: a virtual name's only provider is chosen
	 * (aipkg_select() sets it itself when that apk is in use) */
	AIPKG_SELECT_LONE_PROVIDER = 1 << 1,
};

/*
 * What apk would install for the dependency DEP (a world entry or an
 * `apk add` argument: "name", "name@tag", "name>=1.2", "name><Q1...") on
 * the state ST, choosing as apk-tools 2.14 and 3.0 do for one dependency:
 * packages of a repository tagged for other dependencies are only taken
 * for "name@tag"; providers apk cannot choose among by itself are not
 * chosen; then tag preference, the installed package (unless upgrading),
 * the version offered for the name, provider_priority (apk 2 and 3 order
 * these differently) and the repository order.  Where apk 2 and 3 would
 * choose differently, the rules of the apk in use decide
 * (aipkg_version_rules()).  A conflict atom ("!name") selects nothing.
 * Returns 0, or -ENOMEM.
 */
int aipkg_select(const struct aipkg_state *st, const struct aipkg_dep *dep, unsigned flags,
		 struct aipkg_selection *out);

/* The same for apk-tools MAJOR (2 or 3) only: for tests and comparisons. */
int aipkg_select_as(const struct aipkg_state *st, const struct aipkg_dep *dep, unsigned flags,
		    int major, struct aipkg_selection *out);

/* aipkg_select() for a bare NAME, with the tag its world entry gives it
 * ("name@testing" in etc/apk/world), else untagged. */
int aipkg_select_name(const struct aipkg_state *st, const char *name, unsigned flags,
		      struct aipkg_selection *out);

/*
 * The newest version `apk upgrade` and `apk list --upgradable` offer for
 * the installed package INST: a package of the same name, in a repository
 * INST's repository tag allows (untagged repositories for a package
 * installed without a tag), newer than INST; NULL when there is none.
 */
const struct aipkg_pkg *aipkg_select_upgrade(const struct aipkg_state *st,
					     const struct aipkg_pkg *inst);

/*
 * The newest package named NAME that apk would install or upgrade to on
 * ST: for an installed NAME, aipkg_select_upgrade() or else the installed
 * package; otherwise what apk picks for "NAME" (with its world entry's
 * tag) when that is a package of that name.  NULL when the repositories
 * an untagged (or its world-tagged) dependency may use have none: "fix
 * available", info's "available", the agent's upgrades all ask this.
 */
const struct aipkg_pkg *aipkg_select_newest(const struct aipkg_state *st, const char *name);

/*
 * The packages that are or provide NAME (available and installed), one per
 * package name (its newest version), in apk's order (installed first);
 * *n of them in a malloc'd array of borrowed pointers (free it), NULL when
 * out of memory.
 */
const struct aipkg_pkg **aipkg_select_providers(const struct aipkg_state *st,
						struct aipkg_slice name, size_t *n);

/* The tag of repository REPO (an index into st->repos), NULL when untagged
 * or out of range. */
const char *aipkg_repo_tag(const struct aipkg_state *st, int repo);

#endif
