/* The apk runner: builds apk's argv, runs it, maps its result. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_RUNNER_H
#define AIPKG_APK_RUNNER_H

#include <jansson.h>

#include "spawn.h"

struct aipkg_ctx;

/* The apk in use, detected once per context (apk/detect.c). */
struct aipkg_apk {
	char **cmd;       /* the command's words (loader + binary allowed) */
	size_t ncmd;
	int major;        /* 2 or 3 */
	char *version;    /* "2.14.4" */
	char key[65];     /* the identity of the files it runs; "" when none */
	bool remembered;  /* the version is in the root's cache */
};

enum aipkg_apk_flags {
	AIPKG_APK_CHANGE = 1 << 0,   /* changes the system: --wait, --no-interactive, stream */
	AIPKG_APK_SIMULATE = 1 << 1, /* --simulate */
	AIPKG_APK_NOROOT = 1 << 2,   /* no --root/--repository (version -t) */
	AIPKG_APK_QUIET = 1 << 3,    /* never stream, whatever the options say */
	/* keep what apk downloads in its default cache ROOT/var/cache/apk
	 * (apk 3: --cache-packages; apk 2: --cache-dir var/cache/apk, relative
	 * to the root), for aipkg to keep for rollback */
	AIPKG_APK_CACHE = 1 << 4,
	/* set by aipkg_apk_run itself when someone watches progress:
	 * --progress-fd 3, read as the run goes (not in the journal's argv) */
	AIPKG_APK_PROGRESS_FD = 1 << 5,
};

struct aipkg_apk_call {
	const char *applet;          /* "add", "del", "upgrade", "update", "fetch" */
	const char *const *options;  /* applet options, NULL-terminated; may be NULL */
	const char *const *args;     /* package arguments, placed after "--" */
	size_t nargs;
	unsigned flags;              /* enum aipkg_apk_flags */
};

/*
 * The apk command (--apk, AIPKG_APK, then apk.command, then "apk") and its
 * version, kept in the context.  The version comes from "apk --version"
 * once per apk binary: it is remembered under ROOT/var/lib/aipkg/cache,
 * keyed on the command's words and the identity (path, size, mtime,
 * device, inode) of each file they name, so a loader, wrapper or apk that
 * changes is asked again.  Errors: -AIPKG_E_APK_MISSING, -AIPKG_E_NOT_APK,
 * -AIPKG_E_CONFIG (an unusable command line), with the message set.
 */
int aipkg_apk_get(struct aipkg_ctx *ctx, struct aipkg_apk **apk);
void aipkg_apk_free(struct aipkg_apk *apk);

/* Remember the detected version when it could not be yet (no state
 * directory in the root before the first change); quietly nothing when it
 * cannot be written. */
void aipkg_apk_remember(struct aipkg_ctx *ctx);

/* The full argv for CALL as a new JSON array of strings (for the journal
 * and --dry-run output). */
int aipkg_apk_argv(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call, json_t **argv);

/*
 * Run CALL.  Returns 0 when apk exited 0; otherwise a negative error with
 * apk's reason condensed into the context's message: -AIPKG_E_APK_FAILED,
 * -AIPKG_E_APK_LOCKED, -AIPKG_E_CONFLICT, -AIPKG_E_NOPKG,
 * -AIPKG_E_INTERRUPTED (the interruption was raised: apk was stopped, or
 * not started), -AIPKG_E_TIMEOUT, -AIPKG_E_APK_MISSING.
 * A run that is not a simulation reports its progress through the
 * context's progress callback, when it has one.
 * res holds the captured output in every case; release it.
 */
int aipkg_apk_run(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
		  struct aipkg_spawn_result *res);

/* apk's ERROR/WARNING text of RES condensed to one readable paragraph
 * (malloc'd). */
char *aipkg_apk_reason(const struct aipkg_spawn_result *res);

#endif
