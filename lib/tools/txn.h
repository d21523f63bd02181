/* One change through apk: simulate, confirm, run, and see what really changed. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TOOLS_TXN_H
#define AIPKG_TOOLS_TXN_H

#include <jansson.h>
#include <stdbool.h>

#include "apk/runner.h"

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
	/* Members the confirmation shows before the changes (a rollback's
	 * "undoes": the operation it undoes); NULL: none. */
	const json_t *about;
	const char *what;            /* "install", "remove", "upgrade": for messages */
	/* Members for the journal entry of a planned request ("request",
	 * "planner", "model", "plan": see lib/journal/journal.h); NULL: none. */
	const json_t *journal;
	/* A rollback: the operation it undoes (journalled as "undoes"), the
	 * apk calls to run after the first one, in order, while each succeeds,
	 * and the plan to show and confirm instead of apk's simulation of the
	 * first call (which is still simulated, to check it).  0/NULL: none. */
	long long undoes;
	const struct aipkg_apk_call *more;
	size_t nmore;
	const json_t *plan;
	/* apk's plan for this very call, from a dry run of it moments before
	 * under the same state lock (ask simulates before it confirms): used
	 * instead of simulating again.  NULL: simulate. */
	const json_t *simulated;
	/* Called once the pending journal entry is written (it has its "id")
	 * and before apk runs (a repair saves what apk will overwrite); a
	 * negative return stops the change before apk runs.  NULL: none. */
	int (*prepare)(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t *entry);
	/* Called after apk ran (R: its result) and the installed database was
	 * read back into the entry's "changes", before the entry is finished:
	 * it may add what the database cannot show (a reinstall of the same
	 * package, verified file by file).  NULL: none. */
	void (*verify)(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t *entry, int r);
};

/*
 * Simulate TXN with apk, ask for confirmation when it does more than was
 * asked or removes anything, keep the package files it replaces, journal it
 * (pending), run it, keep the files it installed, finish the journal entry,
 * and return in *result {"changes":[...], "apk_exit":N, "id":JOURNAL_ID}
 * derived from the installed database before and after (with --dry-run:
 * the plan, "dry_run": true and the "apk" command lines; nothing is
 * journalled).  When the journal entry cannot be written nothing runs.
 * The caller should hold the state lock (aipkg_tool_call takes it).
 * *result is set on failure too when apk ran.
 */
int aipkg_txn_run(struct aipkg_ctx *ctx, const struct aipkg_txn *txn, json_t **result);

#endif
