/* One change through apk: simulate, confirm, run, and see what really changed. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TOOLS_TXN_H
#define AIPKG_TOOLS_TXN_H

#include <jansson.h>
#include <stdbool.h>

struct aipkg_ctx;

struct aipkg_txn {
	const char *applet;          /* "add", "del", "upgrade" */
	const char *const *options;  /* applet options, NULL-terminated */
	const char *const *args;     /* validated package arguments */
	size_t nargs;
	/* Whether a planned change was asked for (no confirmation needed for it);
	 * NULL means every install/upgrade/reinstall was asked for. */
	bool (*asked)(const struct aipkg_txn *txn, const json_t *change);
	void *ud;                    /* for asked() and check() */
	/* Inspect apk's plan before anything changes (the vulnerability check
	 * before an install); a negative return stops the change.  May add
	 * keys to *extra, which are merged into the result.  NULL: none. */
	int (*check)(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, const json_t *plan,
		     json_t *extra);
	bool dry_run;
	bool confirmed;              /* --yes or "confirm": true */
	const char *what;            /* "install", "remove", "upgrade": for messages */
};

/*
 * Simulate TXN with apk, ask for confirmation when it does more than was
 * asked or removes anything, run it, and return in *result
 * {"changes":[...], "apk_exit":N} derived from the installed database
 * before and after (with --dry-run: apk's plan and "dry_run": true).
 * *result is set on failure too when apk ran.
 */
int aipkg_txn_run(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t **result);

#endif
