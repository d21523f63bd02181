/* The journal: one plain-text file per operation under ROOT/var/lib/aipkg/journal/. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_JOURNAL_H
#define AIPKG_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"

struct aipkg_pkgset;

struct aipkg_ctx;

/*
 * An entry in memory is a JSON object with these members, each optional
 * unless marked (aipkg-journal(5) describes the text form):
 *   id* (integer >= 1), status* ("pending", "committed", "failed",
 *   "interrupted"), time* and end_time (UTC, "2026-11-24T10:15:02Z"),
 *   user, caller, pid (integer), command, request, planner, model, plan,
 *   undoes (integer), apk (array of shell-quoted command lines), apk_exit
 *   (integer, or null when unknown), world_before and world_after (arrays
 *   of atoms), planned and changes (arrays of {"name","action","from",
 *   "to"}), kept ([{"name","version"}]), unkept ([{"name","version",
 *   "reason"}]), error, recovered.
 */

/* Entries per shard directory: journal/0000/00000042.txt holds id 42. */
#define AIPKG_JOURNAL_SHARD 1000

/* Append the text form of ENTRY to OUT (-ENOMEM or -AIPKG_E_TOOBIG). */
int aipkg_jentry_format(const json_t *entry, struct aipkg_buf *out);

/*
 * Parse the text form; *entry is a new object owned by the caller.  A
 * truncated, hand-broken or foreign text fails with -AIPKG_E_CORRUPT and
 * the reason ("line 7: unknown status 'done'") in WHY.
 */
int aipkg_jentry_parse(const char *text, size_t len, json_t **entry, struct aipkg_buf *why);

/* The current time as "2026-11-24T10:15:02Z" in BUF (at least 32 bytes). */
void aipkg_jentry_now(char *buf, size_t size);

/* seconds since the epoch for TEXT: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]"
 * or "YYYY-MM-DDTHH:MM:SSZ", all UTC; -1 when TEXT is none of them. */
long long aipkg_jentry_parse_time(const char *text);

/* ARGV (a JSON array of strings) as one shell-quoted line, malloc'd. */
char *aipkg_jentry_argv_line(const json_t *argv);

/* The store: shard directories of entry files. */
struct aipkg_jstore {
	char *dir;   /* ROOT/var/lib/aipkg/journal, owned */
	bool nosync; /* skip fsync (tests and benchmarks only) */
};

/* Point JS at DIR (copied); release with aipkg_jstore_release. */
int aipkg_jstore_init(struct aipkg_jstore *js, const char *dir);
void aipkg_jstore_release(struct aipkg_jstore *js);

/* DIR/SHARD/ID.txt for ID, malloc'd (NULL when out of memory). */
char *aipkg_jstore_path(const struct aipkg_jstore *js, long long id);

/*
 * Write ENTRY (its "id" names the file) atomically: a temporary file in the
 * same directory, fsync, rename into place (with CREATE: link, so an
 * existing entry is never replaced: -EEXIST, and an fsync of the directory).
 * Directories are created as needed.  A full disk is -AIPKG_E_NOSPACE,
 * anything else -errno; the detail (path and reason) is in ERR.  Nothing
 * is left behind on failure.
 */
int aipkg_jstore_write(const struct aipkg_jstore *js, const json_t *entry, bool create,
		       struct aipkg_buf *err);

/*
 * Read and parse the entry file PATH, which must hold entry ID.  -ENOENT
 * when it does not exist; -AIPKG_E_CORRUPT (or -errno) with "PATH: reason"
 * in ERR.
 */
int aipkg_jstore_read(const char *path, long long id, json_t **entry, struct aipkg_buf *err);

/* Walking the store newest first without reading every directory. */
struct aipkg_jiter {
	const struct aipkg_jstore *js;
	long long *shards; /* shard numbers, ascending; consumed from the end */
	size_t nshards;
	long long *ids;    /* ids of the current shard, ascending */
	size_t nids;
	char *path;        /* the current entry's file */
};

int aipkg_jiter_init(struct aipkg_jiter *it, const struct aipkg_jstore *js);
/* The next entry (newest first): 1 with *id and it->path set, 0 at the
 * end, -errno when a directory cannot be read. */
int aipkg_jiter_next(struct aipkg_jiter *it, long long *id);
void aipkg_jiter_release(struct aipkg_jiter *it);

/* The highest id in the store, 0 when it is empty. */
int aipkg_jstore_newest(const struct aipkg_jstore *js, long long *id);

/*
 * Operations on the context's journal (ROOT/var/lib/aipkg/journal).
 */

/* Open the context's store (the directory need not exist yet). */
int aipkg_journal_open(struct aipkg_ctx *ctx, struct aipkg_jstore *js);

/*
 * Start an operation: give ENTRY the next id, status "pending", time, user,
 * caller, pid and command, and write it before apk runs.  The caller holds
 * the state lock.  Fails with -AIPKG_E_NOSPACE or -AIPKG_E_JOURNAL (and a
 * message saying nothing was changed); then apk must not run.  INSTALLED
 * is the installed db as read under the lock (kept as the snapshot recover
 * diffs against); NULL reads it.
 */
int aipkg_journal_begin(struct aipkg_ctx *ctx, json_t *entry,
			const struct aipkg_pkgset *installed);

/* Finish it: STATUS ("committed", "failed"), end_time, written over the
 * pending entry.  On failure the message says to run 'aipkg recover'. */
int aipkg_journal_finish(struct aipkg_ctx *ctx, json_t *entry, const char *status);

/* Remove ENTRY, written by aipkg_journal_begin, instead of finishing it:
 * an operation that changed neither packages nor the world file leaves no
 * trace (a daily update finding nothing must not fill the history).  Its
 * "id" member goes too.  -errno when the file cannot be removed. */
int aipkg_journal_discard(struct aipkg_ctx *ctx, json_t *entry);

/*
 * Call FN with every readable entry, newest first, until it returns
 * non-zero (which is returned; 1 means "stop, fine").  Unreadable files are
 * reported with aipkg_ctx_warn, by name, and skipped.
 */
int aipkg_journal_walk(struct aipkg_ctx *ctx, int (*fn)(void *ud, json_t *entry), void *ud);

/* Entry ID (a new reference): -AIPKG_E_NO_ENTRY when there is none, or
 * -AIPKG_E_CORRUPT naming the file; the message is in the context. */
int aipkg_journal_get(struct aipkg_ctx *ctx, long long id, json_t **entry);

/* The newest entry when it is pending and the aipkg that wrote it is gone
 * (a new reference), else NULL. */
json_t *aipkg_journal_interrupted(struct aipkg_ctx *ctx);

/*
 * When the newest entry is pending and the aipkg that wrote it is gone,
 * warn that it was interrupted and how to reconcile it.  Never fails.
 */
void aipkg_journal_check_pending(struct aipkg_ctx *ctx);

/*
 * Reconcile pending entries with the installed database: each becomes
 * "committed" (every planned change happened), "failed" (none did and the
 * world is unchanged) or "interrupted" (some did), with the changes that
 * really happened.  Waits for a running apk first (its database lock).
 * ALL: every pending entry (aipkg recover); else only the newest, which is
 * the only one a crash can leave when every change recovers first.
 * *report (may be NULL) gets a new array of the entries rewritten.  The
 * caller holds the state lock.
 */
int aipkg_journal_recover(struct aipkg_ctx *ctx, bool all, json_t **report);

/*
 * What aipkg_journal_recover(ctx, true, ...) would do, changing nothing
 * (--dry-run): *report gets the pending entries as they would be
 * rewritten, and WOULD_RUN (an array) one string for each other thing it
 * would do ("apk del .aipkg-rollback (the last step of rollback 7)").
 * Takes no lock, waits for nothing, and skips entries whose writer is
 * still running.
 */
int aipkg_journal_recover_preview(struct aipkg_ctx *ctx, json_t **report, json_t *would_run);

/* The virtual package a rollback holds the restored versions with. */
#define AIPKG_ROLLBACK_VIRTUAL ".aipkg-rollback"

/*
 * Which operations are undone, tracked along a walk newest first: call it
 * for each entry in turn with the same MAP (a JSON object, initially
 * empty).  Returns the id of the operation that undid ENTRY, 0 when none
 * did (or its undoing was itself undone: a redo).
 */
long long aipkg_journal_undone_by(json_t *map, const json_t *entry);

/* ENTRY's world_before and world_after differ (false when either is
 * missing). */
bool aipkg_jentry_world_changed(const json_t *entry);

/* ENTRY changed packages or the world file (or, lacking a world file
 * before or after, may have). */
bool aipkg_jentry_changed(const json_t *entry);

/* ENTRY did something that can be undone: committed with a change (a
 * journal may hold no-op entries written before they were discarded), or
 * interrupted half-way with changes. */
bool aipkg_jentry_undoable(const json_t *entry);

/* true when ENTRY's status is S. */
bool aipkg_jentry_status_is(const json_t *entry, const char *s);

/*
 * Check what of ENTRY a rollback or recover may hand to apk, exactly as a
 * user's arguments are checked, since anyone who could write the journal
 * (or damage it) would otherwise choose apk's arguments: every world atom
 * (world_before, world_after) passes aipkg_atom_check(), every package
 * name in changes, planned, kept and unkept is a package name, every
 * version a plain version (no blank, path or option).  0, or
 * -AIPKG_E_CORRUPT with "world-before: '--allow-untrusted' is not a
 * package name or constraint" (escaped) in WHY.
 */
int aipkg_jentry_check_apk_input(const json_t *entry, struct aipkg_buf *why);

/*
 * The state lock: ROOT/var/lib/aipkg/lock, held with flock by every
 * changing operation.  Waits as long as the --lock-timeout option, else the
 * lock_timeout setting, else 30 s when a person is at a terminal and 0
 * otherwise; then -AIPKG_E_LOCKED naming the holder (its pid and command,
 * which the holder writes into the file).  -AIPKG_E_JOURNAL when the state
 * directory cannot be created (a read-only root), -AIPKG_E_UNSAFE when
 * others can write it.  The lock file is 0600 and never opened through a
 * symbolic link.  Held until released or
 * the context is freed.
 */
int aipkg_statelock_acquire(struct aipkg_ctx *ctx);
void aipkg_statelock_release(struct aipkg_ctx *ctx);

/* Seconds the state lock is waited for under the context's options. */
double aipkg_statelock_timeout(const struct aipkg_ctx *ctx);

/* mkdir -p PATH (0755): 1 when the last directory was created, 0 when it
 * existed, -errno. */
int aipkg_mkdir_p(const char *path);

/* Create ROOT/var/lib/aipkg/REL (and its parents); -AIPKG_E_JOURNAL with a
 * message naming the directory when that is impossible, -AIPKG_E_UNSAFE
 * when aipkg_statedir_check() refuses the state directory. */
int aipkg_statedir_make(struct aipkg_ctx *ctx, const char *rel);

/* 0 when ROOT/var/lib/aipkg (or, before it exists, the nearest directory
 * above it) and every directory above it are writable by root or the user
 * running aipkg only (aipkg_path_check_private); else -AIPKG_E_UNSAFE with
 * a message naming the directory and how to fix it.  Once per context. */
int aipkg_statedir_check(struct aipkg_ctx *ctx);

/* aipkg_statedir_check() as a question, for the caches a read-only command
 * uses (index, apk version, secdb): true when their files may be believed
 * and written.  The context's message is left as it was. */
bool aipkg_statedir_trusted(struct aipkg_ctx *ctx);

/*
 * Kept package files, for rollback: ROOT/var/lib/aipkg/packages/NAME-VERSION.apk.
 */

struct aipkg_state;

/* The kept file of NAME at VERSION (it may not exist), malloc'd. */
char *aipkg_keep_path(struct aipkg_ctx *ctx, const char *name, const char *version);

/* Copy SRC to DST through a temporary name; a hard link when possible
 * (an existing DST is kept).  -errno. */
int aipkg_keep_copy(const char *src, const char *dst);

/* The name apk gives PKG's file in its cache, "NAME-VERSION.1a2b3c4d.apk"
 * (the start of its C: identity in hex), malloc'd; NULL when PKG has no
 * identity apk would use. */
struct aipkg_pkg;
char *aipkg_keep_cache_name(const struct aipkg_pkg *pkg);

/*
 * Where the packages apk installs in a change are kept from: apk's own
 * cache, so each is downloaded once.  When the administrator configured
 * one (ROOT/etc/apk/cache is a directory, links resolved inside the root),
 * apk fills it by itself and kept files are hard links to its files.  Otherwise aipkg
 * turns apk's cache on for the change (AIPKG_APK_CACHE: the default
 * ROOT/var/cache/apk) and moves the files out afterwards, leaving the
 * cache as apk without one leaves it.
 */
struct aipkg_keep {
	char *cache_dir;    /* where apk leaves what it downloads; NULL: nothing is kept */
	bool own;           /* aipkg turned the cache on: files are moved out of it */
	bool prepared;      /* apk may have changed something since */
	bool had_index;     /* own: apk 2's index of cached packages was there before */
	unsigned apk_flags; /* for every apk call of the change: AIPKG_APK_CACHE or 0 */
};

/* Decide, for one change, before apk is first run (nothing is touched):
 * nothing when journal.keep_packages_mb is 0.  -ENOMEM only. */
int aipkg_keep_begin(struct aipkg_ctx *ctx, struct aipkg_keep *kp);

/* Just before apk changes anything: make the cache directory aipkg turns
 * on (apk 2 caches nothing without it), note what is in it, and link there
 * the kept files of WANTED ([{"name","version"}]: what apk will install),
 * so apk does not download them again.  ST names their cache files. */
void aipkg_keep_prepare(struct aipkg_ctx *ctx, struct aipkg_keep *kp, const struct aipkg_state *st,
			const json_t *wanted);

/* Link into CACHE_DIR, under the names apk gives its cached packages, the
 * kept files of WANTED ([{"name","version"}]) that ST has a record of
 * (installed, else in an index: its checksum names the file), so
 * apk takes them from there rather than downloading them.  A file that
 * cannot be linked (none kept, there already, another file system) is
 * left to apk. */
void aipkg_keep_seed(struct aipkg_ctx *ctx, const char *cache_dir, const struct aipkg_state *st,
		     const json_t *wanted);

/*
 * Keep the files of WANTED ([{"name","version"}]): already kept; else from
 * apk's cache (linked, or moved out of the one aipkg turned on); else from
 * a local repository (linked, or copied across file systems); else
 * fetched with one `apk fetch` into a scratch directory made by mkdtemp.
 * Each is recorded in ENTRY's "kept", or "unkept" with the reason; a
 * package that cannot be kept never stops the change.  ST is the state
 * before the change (its indexes name the files and say what apk can
 * fetch).  Fails only when out of memory or the packages directory cannot
 * be made.
 */
int aipkg_keep_packages(struct aipkg_ctx *ctx, const struct aipkg_keep *kp,
			const struct aipkg_state *st, const json_t *wanted, json_t *entry);

/* After the change: with the cache aipkg turned on, remove the cached
 * files of INSTALLED ([{"name","version"}]: what the change planned and
 * did install) left there and apk 2's index of cached packages when it
 * was not there before.  Releases KP. */
void aipkg_keep_end(struct aipkg_keep *kp, const json_t *installed);

/*
 * Delete the oldest (by modification time) *.apk files of DIR until their
 * sizes add up to at most LIMIT bytes, sparing those named in PROTECT
 * ([{"name","version"}]); the names deleted are appended to DROPPED (may be
 * NULL).
 */
int aipkg_keep_trim_dir(const char *dir, long long limit, const json_t *protect, json_t *dropped);

/* Where doctor's repairs save the files apk overwrites: ROOT/AIPKG_SAVED_DIR/ID/. */
#define AIPKG_SAVED_DIR "var/lib/aipkg/doctor/saved"

/*
 * What rolling back the newest journal.keep_rollbacks operations that can
 * still be undone (not undone since) needs, a new object:
 * {"packages":[{"name","version"}] (their kept files), "repairs":[ID]
 * (the repairs among them, whose saved files a rollback puts back)}.
 */
json_t *aipkg_keep_needed(struct aipkg_ctx *ctx);

/* What journal.keep_packages_mb bounds, in bytes: the kept package files
 * and the repairs' saved files (total), those saved files alone, and what
 * the newest journal.keep_rollbacks operations need of them. */
struct aipkg_keep_usage {
	long long total, saved, needed;
};
int aipkg_keep_usage(struct aipkg_ctx *ctx, struct aipkg_keep_usage *u);

/*
 * Bound the kept files to journal.keep_packages_mb: the oldest package
 * files and repairs' saved files go first, but never those of ENTRY (the
 * change being finished, or NULL: its "kept" files, and its saved files
 * when it is a repair) nor what rolling back the newest
 * journal.keep_rollbacks operations needs (aipkg_keep_needed), even when
 * that leaves them over the bound (a note says so).
 */
void aipkg_keep_trim(struct aipkg_ctx *ctx, const json_t *entry);

#endif
