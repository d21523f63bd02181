/* apk's package model as aipkg reads it: packages, package sets, dependencies. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_PKG_H
#define AIPKG_APK_PKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A NULL-terminated array of borrowed strings (tokens of a D:/p:/i: line). */
struct aipkg_strv {
	const char **v;
	size_t n;
};

/*
 * Bounds on what one record may hold, so that a hostile or broken index
 * (a 10 MB description) cannot make every reader print or keep it whole.
 * Far above real records: in Alpine 3.18 main and community the longest
 * description is 161 bytes, URL 94, license 193, maintainer 59; the
 * longest D: line 4,103 bytes and p: line 8,918.  A longer T:, U:, L: or
 * m: is cut at a character boundary; a longer D:, p: or i: line loses its
 * entries past the bound (whole entries only).
 */
#define AIPKG_TEXT_FIELD_MAX ((size_t)1024)
#define AIPKG_LIST_FIELD_MAX ((size_t)64 << 10)

/*
 * One package record of lib/apk/db/installed or an APKINDEX.  Every string
 * points into the owning aipkg_pkgset's text and lives as long as the set;
 * absent fields are "" (never NULL), absent lists have n == 0.
 */
struct aipkg_pkg {
	const char *name;        /* P: */
	const char *version;     /* V: */
	const char *arch;        /* A: */
	const char *description; /* T: */
	const char *url;         /* U: */
	const char *license;     /* L: */
	const char *origin;      /* o: (falls back to name) */
	const char *maintainer;  /* m: */
	const char *commit;      /* c: */
	const char *checksum;    /* C: */
	const char *tag;         /* s: the repository tag it was installed
				  * with ("testing"; installed db only) */
	struct aipkg_strv depends;    /* D: */
	struct aipkg_strv provides;   /* p: */
	struct aipkg_strv install_if; /* i: */
	uint64_t size;           /* S: */
	uint64_t installed_size; /* I: */
	uint64_t build_time;     /* t: (seconds since the epoch) */
	uint64_t provider_priority; /* k: which provider of a name apk
				  * prefers; 0 when absent */
	size_t nfiles;           /* R: lines (installed db only) */
	int repo;                /* index into the state's repositories; -1 installed */
};

/* A mapped file the strings of some packages point into (apk/idxcache.c). */
struct aipkg_pkgset_map {
	void *addr;
	size_t len;
};

/*
 * A set of packages read from one file.  Owns the text it was parsed from
 * (modified in place) and the token arrays.  Released with
 * aipkg_pkgset_release().
 */
struct aipkg_pkgset {
	struct aipkg_pkg *pkgs;
	size_t n;
	size_t cap;
	char **texts; /* owned buffers the strings point into */
	size_t ntexts;
	struct aipkg_pkgset_map *maps; /* owned mappings (munmap'd), likewise */
	size_t nmaps;
	const char **tokens; /* one pool for every strv */
	size_t ntokens;
	size_t tokens_cap;
	/* name -> package index, open addressing; built by aipkg_pkgset_index */
	uint32_t *hash;
	size_t hash_cap;
	/* provided name (p: entry without "=version") -> package index, one
	 * slot per entry; built on the first lookup after aipkg_pkgset_index
	 * (most commands never ask who provides a name) */
	uint32_t *phash;
	size_t phash_cap;
	bool phash_wanted;
};

void aipkg_pkgset_init(struct aipkg_pkgset *set);
void aipkg_pkgset_release(struct aipkg_pkgset *set);

/*
 * Parse apk's "key:value" package records (installed db or APKINDEX) from
 * TEXT, LEN bytes malloc'd (no NUL needed), which the set takes ownership of
 * (it is modified in place, may be realloc'd, and is freed with the set,
 * also on failure).  REPO is stored in each package.  Keys aipkg does not
 * use (F Z a M r q, and any of a newer apk) are skipped.  Several parses
 * may add to one set; call aipkg_pkgset_index() again after them.
 * Fails with -AIPKG_E_CORRUPT when a record lacks P: or V: (*bad_line: the
 * record's first line), on a line that is not "X:value" or a non-numeric
 * S:/I:/t: (*bad_line: that line); *bad_line may be NULL.  The records
 * before the bad one stay in the set.
 */
int aipkg_pkgset_parse(struct aipkg_pkgset *set, char *text, size_t len, int repo,
		       size_t *bad_line);

/*
 * Room for NPKGS more packages at pkgs[n..] and NTOKENS more list tokens at
 * tokens[ntokens..], for packages made elsewhere (the compact cache): the
 * caller fills them, each non-empty list NULL-terminated in the pool, then
 * adds the counts to n and ntokens.  Existing lists stay valid.
 * -ENOMEM, -AIPKG_E_TOOBIG.
 */
int aipkg_pkgset_reserve(struct aipkg_pkgset *set, size_t npkgs, size_t ntokens);

/* The set takes a mapping some of its strings point into: munmap'd with it. */
int aipkg_pkgset_adopt_map(struct aipkg_pkgset *set, void *addr, size_t len);

/* Build the name lookup, and let the provided-name lookup be built when
 * first used; call after the last parse. */
int aipkg_pkgset_index(struct aipkg_pkgset *set);

/* The package named NAME (the one with the highest version when a set
 * holds several), or NULL.  Needs aipkg_pkgset_index(). */
const struct aipkg_pkg *aipkg_pkgset_find(const struct aipkg_pkgset *set, const char *name);

/* Call FN for every package with that name (all versions). */
void aipkg_pkgset_each_named(const struct aipkg_pkgset *set, const char *name,
			     void (*fn)(const struct aipkg_pkg *pkg, void *ud), void *ud);

/* Call FN for every package whose p: line offers NAME (so:libz.so.1,
 * cmd:dig, a virtual name), in the set's order, once per package;
 * *VERSION (for FN, valid during the call) is the version offered, ""
 * when none.  Packages named NAME are not included.  Uses the index of
 * aipkg_pkgset_index() (scans without it). */
void aipkg_pkgset_each_provider(const struct aipkg_pkgset *set, struct aipkg_slice name,
				void (*fn)(const struct aipkg_pkg *pkg, struct aipkg_slice version,
					   void *ud),
				void *ud);

/* A parsed dependency atom: [!]name[op version], as in D:, world and CLI. */
enum aipkg_dep_op {
	AIPKG_DEP_ANY = 0,
	AIPKG_DEP_EQ = 1,    /* = */
	AIPKG_DEP_LT = 2,    /* < */
	AIPKG_DEP_GT = 4,    /* > */
	AIPKG_DEP_LE = 3,    /* <= */
	AIPKG_DEP_GE = 5,    /* >= */
	AIPKG_DEP_FUZZY = 8, /* ~  (prefix match of the version) */
	AIPKG_DEP_CHECKSUM = 16, /* ><  (pinned by checksum, world only) */
};

struct aipkg_dep {
	struct aipkg_slice name;    /* includes any "so:"/"cmd:"/"pc:" prefix */
	struct aipkg_slice version; /* empty for AIPKG_DEP_ANY */
	struct aipkg_slice tag;     /* "@testing" repository tag, without '@' */
	unsigned op;                /* enum aipkg_dep_op */
	bool conflict;              /* leading '!' */
};

/* Parse one atom; -AIPKG_E_BADDEP for malformed text or an invalid name or
 * version.  The slices point into TEXT. */
int aipkg_dep_parse(struct aipkg_slice text, struct aipkg_dep *dep);

/* true when NAME is a valid apk package name (what apk accepts in world:
 * letters, digits and "+-_.:" after a first letter or digit, no '/'). */
bool aipkg_name_valid(struct aipkg_slice name);

/*
 * ARG as aipkg lets it reach apk in a package's place, from a user, a
 * model or the journal alike: never an option (-AIPKG_E_BADNAME for a
 * leading '-'), an atom aipkg_dep_parse() accepts whose name is a package
 * name (no path, no .apk file: -AIPKG_E_BADDEP).  *DEP as parsed.
 */
int aipkg_atom_check(const char *arg, struct aipkg_dep *dep);

/* true when VERSION satisfies the op/version of DEP (ignores the name). */
bool aipkg_dep_version_match(const struct aipkg_dep *dep, const char *version);

/* Does PKG provide NAME (its own name or a p: entry, version-less or
 * "name=ver")?  *provided_version gets the version the provider offers
 * ("" when none); may be NULL. */
bool aipkg_pkg_provides(const struct aipkg_pkg *pkg, struct aipkg_slice name,
			struct aipkg_slice *provided_version);

#endif
