/* aipkg doctor: what is broken on a root (files, dependencies, aipkg's state) and its repair. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_DOCTOR_DOCTOR_H
#define AIPKG_DOCTOR_DOCTOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

struct aipkg_ctx;
struct aipkg_state;

/*
 * apk's protected paths (etc/apk/protected_paths.d and the built-in
 * "+etc", "@etc/init.d", "!etc/apk"): how a file in a directory is
 * treated.  Files whose mode is NONE or IGNORE are system files, the rest
 * configuration (apk writes FILE.apk-new rather than overwrite one the
 * administrator changed).
 */
enum aipkg_protect {
	AIPKG_PROTECT_NONE,     /* a system file */
	AIPKG_PROTECT_IGNORE,   /* "-path": a system file, not reported missing */
	AIPKG_PROTECT_CHANGED,  /* "+path" or "path": configuration */
	AIPKG_PROTECT_SYMLINKS, /* "@path": configuration, symlinks only audited by apk */
	AIPKG_PROTECT_ALL,      /* "!path": configuration */
};

/* What the check of one file found. */
enum aipkg_file_state {
	AIPKG_FILE_OK,
	AIPKG_FILE_CHANGED,    /* content (or link target, or type) differs from Z: */
	AIPKG_FILE_MISSING,
	AIPKG_FILE_UNREADABLE, /* exists but could not be read (permissions, I/O) */
};

/* One R: line of lib/apk/db/installed.  Strings point into the db text. */
struct aipkg_dbfile {
	const char *name;  /* R: */
	const char *csum;  /* Z: ("Q1...", "Q2...", "X1...", hex MD5), NULL when none */
	uint32_t dir;      /* index into aipkg_filedb.dirs */
	uint8_t protect;   /* enum aipkg_protect of this file */
	uint8_t state;     /* enum aipkg_file_state, set by aipkg_filedb_verify */
	uint8_t cached;    /* verified by the cache of unchanged files, not hashed */
};

/* One F: block: a directory of one package. */
struct aipkg_dbdir {
	const char *path;  /* F: ("" for the root directory) */
	uint32_t pkg;      /* index into aipkg_filedb.pkgs */
	uint32_t first;    /* its files: files[first .. first + n) */
	uint32_t n;
};

struct aipkg_dbpkg {
	const char *name, *version;
	uint32_t first_dir, ndirs;
	uint32_t first_file, nfiles;
};

/* Every installed package's files with their checksums and protection. */
struct aipkg_filedb {
	char *text; /* the installed db, owned; the strings point into it */
	struct aipkg_dbpkg *pkgs;
	size_t npkgs;
	struct aipkg_dbdir *dirs;
	size_t ndirs;
	struct aipkg_dbfile *files;
	size_t nfiles;
};

/*
 * Read ROOT/lib/apk/db/installed's file lists (F:, R:, Z:) and classify
 * each file with the root's protected paths.  A missing db is an empty
 * one.  -AIPKG_E_CORRUPT (with the line in the context) for a record
 * without P:/V: or an R: before any F:.
 */
int aipkg_filedb_load(struct aipkg_ctx *ctx, struct aipkg_filedb *fdb);
void aipkg_filedb_release(struct aipkg_filedb *fdb);

/* The package NAME in FDB, or NULL. */
const struct aipkg_dbpkg *aipkg_filedb_pkg(const struct aipkg_filedb *fdb, const char *name);

/* "DIR/NAME" of FILE into BUF (SIZE bytes); BUF. */
const char *aipkg_filedb_path(const struct aipkg_filedb *fdb, const struct aipkg_dbfile *f,
			      char *buf, size_t size);

/* Parse apk's protected-path lines (TEXT: one "+etc", "-var", "@x", "!y"
 * or plain path per line, # comments) and compute the mode of the file
 * PATH; for the unit tests and the reader. */
struct aipkg_protect_rules;
struct aipkg_protect_rules *aipkg_protect_rules_new(void);
void aipkg_protect_rules_add(struct aipkg_protect_rules *pr, const char *text, size_t len);
enum aipkg_protect aipkg_protect_of(struct aipkg_protect_rules *pr, const char *dir,
				    const char *name);
void aipkg_protect_rules_free(struct aipkg_protect_rules *pr);

/* Decode a Z: value: the digest ("sha1", "sha256", "md5") and its bytes
 * in OUT (at least 32 bytes); the digest length, or 0 when unreadable. */
size_t aipkg_csum_decode(const char *z, const char **alg, unsigned char *out);

/* How the files are checked. */
struct aipkg_verify_opts {
	bool rehash;     /* hash every file, whatever the cache of unchanged files says */
	bool save_cache; /* remember the files found intact (needs a writable state dir) */
	int threads;     /* 0: one per online CPU, at most 8 */
	const char *const *only; /* check only these packages (NULL-terminated); NULL: all */
};

struct aipkg_verify_stats {
	size_t files, hashed, cached, bytes;
	double seconds;
	int threads;
};

/*
 * Check every file of FDB under the context's root against its checksum,
 * as `apk audit` does (without following symbolic links; a symlink's
 * checksum is of its target), setting each file's state.  Paths are
 * resolved inside the root (an absolute symlink in the root never reaches
 * the host).  Files whose inode, size and times are those of a file found
 * intact before (ROOT/var/lib/aipkg/doctor/verified) are not read again.
 * Returns 0 or -errno (the root cannot be opened).
 */
int aipkg_filedb_verify(struct aipkg_ctx *ctx, struct aipkg_filedb *fdb,
			const struct aipkg_verify_opts *opts, struct aipkg_verify_stats *stats);

/* The directory DIR (relative to the root ROOTFD, "" for the root itself)
 * opened O_PATH, resolved inside the root: an absolute symlink on the way
 * means ROOT/target, never the host's.  A new fd, or -1 with errno. */
int aipkg_doctor_open_dir(int rootfd, const char *dir);

/* The root of the context, opened O_PATH; -errno with the message set. */
int aipkg_doctor_open_root(struct aipkg_ctx *ctx);

/* Copy the file REL of the root (a regular file or a symlink, not
 * followed) to DST (a host path; its directories are made), keeping mode,
 * owner and times.  -errno. */
int aipkg_doctor_save_file(int rootfd, const char *rel, const char *dst);

/* Put SRC (made by aipkg_doctor_save_file) back as REL of the root,
 * atomically (a temporary name in the same directory, then rename).  -errno. */
int aipkg_doctor_restore_file(int rootfd, const char *src, const char *rel);

/* Remove REL of the root (not following a symlink); a missing one is fine. */
int aipkg_doctor_remove_file(int rootfd, const char *rel);

/* Options of a doctor pass (pkg.doctor's arguments). */
struct aipkg_doctor_opts {
	bool refresh;  /* check the repositories over the network */
	bool rehash;   /* see aipkg_verify_opts */
	bool files;    /* check files (default true) */
	bool state;    /* check aipkg's own state and the vulnerabilities (default true) */
};

/*
 * One read-only pass over the root.  *report (a new object; aipkg(8), JSON
 * OUTPUT, doctor) has "healthy", "problems" (each with "check", "severity",
 * "summary", "cause", "fix" and details), "config" (configuration files the
 * administrator changed) and "checked".  Returns 0 (look at "healthy") or
 * a negative error when the root cannot be read at all.
 */
int aipkg_doctor_scan(struct aipkg_ctx *ctx, const struct aipkg_doctor_opts *opts,
		      json_t **report);

/* The same, keeping the files as checked in FDB (released by the caller,
 * also on failure). */
int aipkg_doctor_scan_keep(struct aipkg_ctx *ctx, const struct aipkg_doctor_opts *opts,
			   struct aipkg_filedb *fdb, json_t **report);

/*
 * Internal steps of the scan, each appending problems to PROBLEMS (a JSON
 * array); see scan.c.
 */
void aipkg_doctor_files(struct aipkg_ctx *ctx, const struct aipkg_filedb *fdb, json_t *problems,
			json_t *config);
void aipkg_doctor_deps(struct aipkg_ctx *ctx, const struct aipkg_state *st,
		       const struct aipkg_filedb *fdb, json_t *problems);
void aipkg_doctor_own_state(struct aipkg_ctx *ctx, const struct aipkg_state *st, bool refresh,
			    json_t *problems);

/* A problem object: check, severity ("error", "warning"), summary, cause,
 * fix (a command, or "" when nothing aipkg can run fixes it). */
json_t *aipkg_doctor_problem(const char *check, const char *severity, const char *fix,
			     const char *summary_fmt, ...) __attribute__((format(printf, 4, 5)));
/* Set PROBLEM's "cause" from a printf format. */
void aipkg_doctor_cause(json_t *problem, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The repairs (pkg.doctor_fix): scan, then through apk, each a journalled
 * operation confirmed as any change: recover pending operations; install
 * missing dependencies (apk fix); reinstall the packages whose system files
 * are damaged (apk fix --reinstall, from the kept package file when no
 * repository has that version), saving what it overwrites so a rollback
 * can put it back; remove a .aipkg-rollback left behind; trim the kept
 * package files; refresh stale indexes and the security database.
 * Configuration files the administrator changed are restored only when
 * their path is in TARGETS.  TARGETS (may be empty) limits the repair to
 * those packages and paths.  *result: {"fixed":[...], "not_fixed":[...],
 * "operations":[ids], "before": scan, "after": scan}.
 */
struct aipkg_doctor_fix_opts {
	const char *const *targets;
	size_t ntargets;
	bool dry_run;
	bool confirmed;
	bool rehash;
};
int aipkg_doctor_fix(struct aipkg_ctx *ctx, const struct aipkg_doctor_fix_opts *opts,
		     json_t **result);

/*
 * Undo a repair (aipkg rollback of a doctor operation): put back the files
 * operation ENTRY saved before it reinstalled their packages, and remove
 * again the ones that were missing; journalled as an operation undoing
 * it.  Called by pkg.rollback for entries with "files".
 */
int aipkg_doctor_unrepair(struct aipkg_ctx *ctx, const json_t *entry, bool dry_run,
			  bool confirmed, json_t **result);

/* Where a repair keeps the files it replaced: ROOT/var/lib/aipkg/doctor/saved/ID. */
char *aipkg_doctor_saved_dir(struct aipkg_ctx *ctx, long long id);

/*
 * Failure diagnosis: what apk's output (ERR, OUT: its stderr and stdout,
 * EXIT its exit code) of the applet APPLET says happened, as a new object
 * {"rule","what","fix"} (one paragraph and one command), or NULL when no
 * rule knows it.  Works offline, from apk 2.14 and 3.0's messages.
 */
json_t *aipkg_doctor_explain(struct aipkg_ctx *ctx, const char *applet, const char *err,
			     const char *out, int exit_code);

/* With a tactical model configured, the model's advice on DIAGNOSIS (apk's
 * error text and the index's candidates), added as "advice" {"text",
 * "model"}; never run.  Nothing happens without a model or when it fails. */
void aipkg_doctor_advise(struct aipkg_ctx *ctx, json_t *diagnosis);

#endif
