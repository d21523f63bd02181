/* The apk runner: builds apk's argv, runs it, maps its result. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_RUNNER_H
#define AIPKG_APK_RUNNER_H

#include <jansson.h>

#include "spawn.h"

struct aipkg_ctx;

/* The apk in use, detected once per context. */
struct aipkg_apk {
	char **cmd;       /* the command's words (loader + binary allowed) */
	size_t ncmd;
	int major;        /* 2 or 3 */
	char *version;    /* "2.14.4" */
};

enum aipkg_apk_flags {
	AIPKG_APK_CHANGE = 1 << 0,   /* changes the system: --wait, --no-interactive, stream */
	AIPKG_APK_SIMULATE = 1 << 1, /* --simulate */
	AIPKG_APK_NOROOT = 1 << 2,   /* no --root/--repository (version -t) */
	AIPKG_APK_QUIET = 1 << 3,    /* never stream, whatever the options say */
};

struct aipkg_apk_call {
	const char *applet;          /* "add", "del", "upgrade", "update", "fetch" */
	const char *const *options;  /* applet options, NULL-terminated; may be NULL */
	const char *const *args;     /* package arguments, placed after "--" */
	size_t nargs;
	unsigned flags;              /* enum aipkg_apk_flags */
};

/* Detect the apk command (AIPKG_APK, then apk.command, then "apk") and its
 * major version; the result is cached in the context. */
int aipkg_apk_get(struct aipkg_ctx *ctx, struct aipkg_apk **apk);
void aipkg_apk_free(struct aipkg_apk *apk);

/* The full argv for CALL as a new JSON array of strings (for the journal
 * and --dry-run output). */
int aipkg_apk_argv(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call, json_t **argv);

/*
 * Run CALL.  Returns 0 when apk exited 0; otherwise a negative error with
 * apk's reason condensed into the context's message: -AIPKG_E_APK_FAILED,
 * -AIPKG_E_APK_LOCKED, -AIPKG_E_CONFLICT, -AIPKG_E_NOPKG,
 * -AIPKG_E_INTERRUPTED, -AIPKG_E_TIMEOUT, -AIPKG_E_APK_MISSING.
 * res holds the captured output in every case; release it.
 */
int aipkg_apk_run(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
		  struct aipkg_spawn_result *res);

/* apk's ERROR/WARNING text of RES condensed to one readable paragraph
 * (malloc'd). */
char *aipkg_apk_reason(const struct aipkg_spawn_result *res);

#endif
