/* The operation context: options, configuration, callbacks, error detail. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_CTX_H
#define AIPKG_CTX_H

#include <jansson.h>
#include <stdarg.h>

#include "aipkg/aipkg.h"
#include "buf.h"
#include "config.h"

struct aipkg_state;
struct aipkg_apk;

struct aipkg_ctx {
	struct aipkg_opts opts;
	struct aipkg_callbacks cb;
	char *root;           /* absolute, no trailing slash; "" means "/" */
	struct aipkg_config cfg;
	struct aipkg_buf err; /* detail of the last failure */
	struct aipkg_apk *apk;     /* detected on first use (apk/runner.c) */
	int apk_major;             /* 2 or 3 once known, else 0 (apk/rules.c) */
	struct aipkg_state *state; /* loaded on first use (apk/state.c) */
	int lock_fd;               /* the state lock, -1 when not held */
	bool warned_untrusted;     /* said once that --allow-untrusted is unsafe */
	bool alpine;               /* aipkg_ctx_need_alpine() found apk's database */
	bool state_trusted;        /* the state directory passed aipkg_statedir_check */
	json_t *diagnosis;         /* what the last failing apk's output means
				      (lib/doctor/explain.c), or NULL */
	bool no_advice;            /* this call does not ask a model about a
				      failure (pkg.ask already asked it) */
	char **repos;              /* --repository, local paths made absolute;
				      opts.repos points here */
	char *apk_cache;           /* the --cache-dir apk is given whatever the
				      root has (a sandbox trial: the system's);
				      NULL: the root's own (apk/index.c) */
};

/* Record the detail of a failure and return ERR, so callers can write
 * `return aipkg_ctx_fail(ctx, -AIPKG_E_NOPKG, "no package '%s'", name);` */
int aipkg_ctx_fail(struct aipkg_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The detail of failure ERR to put into another message: the context's
 * message, or aipkg_strerror(ERR) when the failure left none (a bare
 * -errno from below), so no message ends in an empty reason. */
const char *aipkg_ctx_why(const struct aipkg_ctx *ctx, int err);
void aipkg_ctx_warn(struct aipkg_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void aipkg_ctx_note(struct aipkg_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Check that the root holds an Alpine system: apk's installed database,
 * ROOT/lib/apk/db/installed, which `apk --initdb` creates and every real
 * root has.  -AIPKG_E_NOT_ALPINE (exit 2) with a message otherwise.  Every
 * tool and the agent call it before they read or write anything under the
 * root, so aipkg never creates its state directory in a stray one.
 */
int aipkg_ctx_need_alpine(struct aipkg_ctx *ctx);

/*
 * aipkg_path_check_private() of PATH as a failure of the context: 0, or
 * -AIPKG_E_UNSAFE with "refusing WHAT PATH: REASON; STAKES: make it ...
 * (chown root, chmod go-w)", or OTHER_ERR when PATH cannot be examined.
 */
int aipkg_ctx_check_private(struct aipkg_ctx *ctx, const char *what, const char *path,
			    const char *stakes, int other_err);

/*
 * Whether this process may change the system under the root: apk writes
 * lib/apk/db and aipkg var/lib/aipkg.  Returns 0, or -AIPKG_E_NOT_ROOT
 * with a message naming the user and what to do, for a user who cannot
 * write them (root always may: its failures speak for themselves).
 */
int aipkg_ctx_may_change(struct aipkg_ctx *ctx);

/* ROOT/REL as a malloc'd path (REL without a leading '/'); NULL on ENOMEM. */
char *aipkg_ctx_path(const struct aipkg_ctx *ctx, const char *rel);

/* The state loaded for this context (installed db, world, repositories,
 * indexes), reading it on first use; NULL on failure with the detail set. */
struct aipkg_state *aipkg_ctx_state(struct aipkg_ctx *ctx, int *err);
/* Forget the loaded state (after apk changed it). */
void aipkg_ctx_state_drop(struct aipkg_ctx *ctx);

#endif
