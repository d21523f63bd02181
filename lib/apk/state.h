/* apk's state read from its own files under the root, without forking apk. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_STATE_H
#define AIPKG_APK_STATE_H

#include <jansson.h>
#include <stdbool.h>

#include "apk/pkg.h"
#include "buf.h"

struct aipkg_ctx;

/*
 * One repository of etc/apk/repositories (or repositories.d/, or a
 * --repository option).  apk 3's syntax is understood too: "v2"/"ndx"/"v3"
 * keywords, "set VAR=value" with ${VAR}, and components
 * ("URL main community" is two repositories).
 */
struct aipkg_repo {
	char *url;         /* as written (${VAR}s expanded, trailing blanks
			    * dropped), without "@tag "; with components:
			    * base URL + "/" + component */
	char *tag;         /* "testing" for "@testing URL", NULL when untagged */
	char *line;        /* what apk 2 takes from the line: all after "@tag ",
			    * exactly as written (trailing blanks and CR kept);
			    * NULL for apk 3-only syntax (keywords, components) */
	const char *index_file; /* static: "APKINDEX.tar.gz" (read from
			    * URL/ARCH/APKINDEX.tar.gz), "Packages.adb" (apk 3's
			    * format, not readable by aipkg), or NULL when the
			    * URL names the index file itself ("ndx", or a URL
			    * ending in .tar.gz) */
	char *index_path;  /* the APKINDEX.tar.gz aipkg reads for it: a local
			    * path as given (apk does not prefix --root), or
			    * the cached copy under the name of whichever apk
			    * wrote it (aipkg_repo_cached_index); set by
			    * aipkg_state_load with AIPKG_STATE_INDEXES */
	char *description; /* the index's DESCRIPTION ("v3.20.3-..."), or NULL */
	bool remote;       /* a scheme:// URL other than file:, whose index
			    * comes from apk's cache */
	bool loaded;       /* the index was found and parsed */
	bool from_cli;     /* came from --repository */
	bool apk3_unread;  /* after a line apk 3 rejects in its file: apk 3 stops
			    * reading a repositories file there (apk 2 reads
			    * on), so with apk 3 it is not used */
	bool unsafe;       /* a local repository other users can write: not read,
			    * and no change runs apk with it (SECURITY) */
	int naming;        /* remote: the enum aipkg_cache_naming index_path
			    * follows (the apk in use's), -1 when no apk could
			    * say (then the newest cached file is read) */
	char *index_elsewhere; /* remote: a newer cached copy under another
			    * apk's name, which the apk in use does not read
			    * (aipkg_repo_cached_elsewhere), or NULL */
	int elsewhere_naming; /* its naming */
	int unread;        /* why the index was not loaded: 0, or the error of
			    * reading it (-ENOENT, -AIPKG_E_CORRUPT, ...) */
	int untrusted;     /* or the enum aipkg_index_trust apk refuses it for
			    * (0 when trusted or never checked) */
	char *signer;      /* then the key that signed it, or NULL */
};

struct aipkg_state {
	char *arch;    /* etc/apk/arch, else the build's own architecture */
	char *release; /* etc/alpine-release without newline, NULL when absent */
	struct aipkg_pkgset installed; /* lib/apk/db/installed */
	char **world;  /* etc/apk/world atoms */
	size_t nworld;
	struct aipkg_repo *repos;
	size_t nrepos;
	struct aipkg_pkgset available; /* all loaded indexes; pkg->repo says which */
};

enum aipkg_state_parts {
	AIPKG_STATE_INSTALLED = 1 << 0,
	AIPKG_STATE_WORLD = 1 << 1,
	AIPKG_STATE_INDEXES = 1 << 2,
	AIPKG_STATE_ALL = 7,
};

/*
 * Read the parts of the state named by PARTS under the context's root.
 * A missing installed db or world is an empty one (a fresh root); a corrupt
 * one fails with -AIPKG_E_CORRUPT naming the file and line.  Each
 * repository's index is read where the root's apk keeps it and only when
 * apk would trust it (apk/index.h); one that is missing, damaged, not a
 * regular file or untrusted is left unloaded with one warning naming it.
 * The repository list is read whatever PARTS says.  On failure *ST is left
 * released (empty).
 */
int aipkg_state_load(struct aipkg_ctx *ctx, struct aipkg_state *st, unsigned parts);
void aipkg_state_release(struct aipkg_state *st);

/* 0, or -AIPKG_E_UNSAFE (with the context's message naming it) when ST
 * lists a local repository other users can write, which aipkg skipped
 * (its index and packages could be anyone's) but apk would read: no apk
 * call that installs anything (a change, a sandbox trial) runs then. */
int aipkg_state_repos_safe(struct aipkg_ctx *ctx, const struct aipkg_state *st);

/* Whether ST read any repository's index (else aipkg cannot tell what
 * the repositories hold, and leaves that to apk). */
bool aipkg_state_any_index(const struct aipkg_state *st);

/* ST's world atoms as a new JSON array of strings, in the file's order. */
json_t *aipkg_state_world_json(const struct aipkg_state *st);

/* Parsers of the individual files, for tests and the fuzzers. */
int aipkg_world_parse(const char *text, char ***atoms, size_t *n);
void aipkg_world_free(char **atoms, size_t n);

/* What a world entry is (etc/apk/world holds more than names). */
enum aipkg_world_kind {
	AIPKG_WORLD_NAME,     /* "nginx": apk picks the version */
	AIPKG_WORLD_RANGE,    /* "curl>=8.0", "lua~5.4": a version range */
	AIPKG_WORLD_LOCK,     /* "nginx=1.26.2-r0": held at one version (aipkg lock) */
	AIPKG_WORLD_VIRTUAL,  /* ".python-rundeps=20221112.072824": the package
			       * `apk add --virtual NAME` made; not in any index */
	AIPKG_WORLD_CHECKSUM, /* "wget><Q1...=": pinned to one build, as apk
			       * records a package installed from a file */
	AIPKG_WORLD_CONFLICT, /* "!foo": must not be installed */
	AIPKG_WORLD_BAD,      /* not a dependency aipkg can read */
};

/* The kind of world entry ATOM on ST (the installed db tells virtual
 * packages: "virtual meta package", or a '.' name found in no index). */
enum aipkg_world_kind aipkg_world_kind(const struct aipkg_state *st, const char *atom);

/* "name", "range", "lock", "virtual", "checksum", "conflict", "bad". */
const char *aipkg_world_kind_name(enum aipkg_world_kind kind);

/* Drop etc/apk/world's atoms on NAME when no installed package is NAME:
 * what apk killed in the middle of `apk del NAME` can leave, after which
 * apk refuses every change.  Returns how many atoms went, or -errno. */
int aipkg_world_drop_orphan(struct aipkg_ctx *ctx, const char *name);
/* How many atoms aipkg_world_drop_orphan() would drop; changes nothing. */
int aipkg_world_orphan(struct aipkg_ctx *ctx, const char *name);
/* Parse repositories-file TEXT, appending to *repos / *n (NULL / 0 to start);
 * a URL already listed is not added twice.  Lines apk would reject are
 * skipped.  -ENOMEM is the only failure. */
int aipkg_repos_parse(const char *text, struct aipkg_repo **repos, size_t *n);
/* Append one --repository argument (no keywords, as apk; "@tag URL" and
 * components allowed); it is marked from_cli. */
int aipkg_repos_add_cli(const char *arg, struct aipkg_repo **repos, size_t *n);
void aipkg_repos_free(struct aipkg_repo *repos, size_t n);
/* What one repository holds, not the repository itself (an array element). */
void aipkg_repo_release(struct aipkg_repo *repo);
/*
 * The repositories apk uses, in apk's order: --repository options, then
 * ROOT/etc/apk/repositories, then the *.list files of
 * ROOT/etc/apk/repositories.d and ROOT/lib/apk/repositories.d (apk 3; a name
 * in etc/ hides the same name in lib/), sorted by name.  Missing files are
 * fine; an unreadable one fails with -errno and the detail in the ctx.
 */
int aipkg_repos_read(struct aipkg_ctx *ctx, struct aipkg_repo **repos, size_t *n);

/*
 * Read an APKINDEX.tar.gz (possibly signed: several concatenated gzip
 * members) from memory: the APKINDEX member's text is appended to *index
 * and the DESCRIPTION member's to *description (either may be NULL).
 * -AIPKG_E_CORRUPT for bad gzip/tar or no APKINDEX member.
 */
int aipkg_apkindex_extract(const void *data, size_t len, struct aipkg_buf *index,
			   struct aipkg_buf *description);

/*
 * How apk names its cached copy of an index, APKINDEX.<8 hex>.tar.gz, the
 * hex being the first 4 bytes of a digest (read from apk-tools' sources):
 *  V2_LINE  apk-tools 2.0 .. 2.14.0 (Alpine <= 3.19): SHA-1 of the
 *           repository as apk 2 took the line (aipkg_repo.line);
 *  V2_URL   2.14.1 .. 2.14.x: SHA-1 of the index URL, LINE[/]ARCH/APKINDEX.tar.gz;
 *  V3       3.x: SHA-256 of apk 3's index URL (trailing slashes of the URL
 *           trimmed, then /ARCH/APKINDEX.tar.gz unless it names the index).
 */
enum aipkg_cache_naming { AIPKG_CACHE_V2_LINE, AIPKG_CACHE_V2_URL, AIPKG_CACHE_V3 };

/* The naming of apk-tools APK_VERSION ("2.14.0", "3.0.6"). */
enum aipkg_cache_naming aipkg_cache_naming_of(const char *apk_version);

/* The cache file name for REPO under naming HOW, malloc'd; NULL when out of
 * memory or when that apk could not have used the line (V2_LINE for a line
 * in apk 3's syntax). */
char *aipkg_repo_cache_file(const struct aipkg_repo *repo, const char *arch,
			    enum aipkg_cache_naming how);

/* The same for apk major version 2 (2.14.1 and later) or 3; NULL for others. */
char *aipkg_repo_cache_name(const struct aipkg_repo *repo, const char *arch, int apk_major);

/* The URL apk APK_MAJOR fetches REPO's index from, malloc'd. */
char *aipkg_repo_index_url(const struct aipkg_repo *repo, const char *arch, int apk_major);

#endif
