/* libaipkg public API: the context every operation runs in. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AIPKG_H
#define AIPKG_AIPKG_H

#include <stdbool.h>
#include <stddef.h>

#include "aipkg/error.h"
#include "aipkg/export.h"

#define AIPKG_VERSION_STRING "0.1.0"

struct aipkg_ctx;

/* Where a line of apk's output came from. */
enum aipkg_stream { AIPKG_STDOUT = 1, AIPKG_STDERR = 2 };

/*
 * How far a long step has come: apk installing or downloading (from apk's
 * --progress-fd and its "(3/12) Installing ..." lines), a download.
 */
struct aipkg_progress {
	const char *step;          /* "apk add", "secdb download": what runs */
	unsigned long long done;   /* how far, in the step's own units (apk: bytes) */
	unsigned long long total;  /* of how much; 0 when not known */
	const char *message;       /* the latest line about it, e.g. "(3/12) Installing
				      nginx (1.26.2-r0)", or NULL; from apk: not sanitised */
	bool end;                  /* the step is over (a bar is cleared) */
};

/*
 * How the library talks to its user.  Every member may be NULL.
 *
 * output:  apk's live output, called only when opts.stream is set.
 * confirm: asks a yes/no question about a plan (a JSON object with
 *          "changes"); returns 1 for yes, 0 for no and -1 when nobody can
 *          be asked (no terminal), which refuses the change.
 * warn:    a warning for a person (already formatted, no prefix, no newline).
 * note:    progress information ("fetching APKINDEX...").
 * progress: how far a long step has come, as it moves (several times a
 *          second at most) and once with "end" when it is over.  Called
 *          from the thread running the operation.
 */
struct aipkg_callbacks {
	void (*output)(void *ud, enum aipkg_stream stream, const char *data, size_t len);
	int (*confirm)(void *ud, const char *question, const void *plan_json);
	void (*warn)(void *ud, const char *msg);
	void (*note)(void *ud, const char *msg);
	void *ud;
	/* last, so that positional initialisers of the members above still work */
	void (*progress)(void *ud, const struct aipkg_progress *p);
};

/* Options shared by every command; strings are borrowed for the ctx's life. */
struct aipkg_opts {
	const char *root;            /* NULL means "/" */
	const char *config;          /* NULL means ROOT/etc/aipkg/aipkg.yaml */
	const char *const *repos;    /* extra --repository URLs */
	size_t nrepos;
	const char *apk_command;     /* overrides AIPKG_APK and apk.command */
	bool allow_untrusted;
	bool dry_run;
	bool yes;                    /* answer confirmations with yes */
	bool force;
	bool stream;                 /* pass apk's output live to callbacks.output */
	bool interactive;            /* a person is at a terminal */
	bool batch;                  /* a program reads the output (--json): the
					state lock is not waited for by default */
	int verbose;                 /* -1 quiet, 0 normal, >0 verbose */
	double lock_timeout;         /* seconds to wait for the state lock; <0 default */
	const char *caller;          /* "cli", "tool", "mcp", "agent" (journal) */
	const char *cmdline;         /* the command line, for the journal */
};

/*
 * Create a context: reads the configuration and checks the root.
 * On failure *out is still set (so the message can be read with
 * aipkg_ctx_errmsg) and must be freed with aipkg_ctx_free().
 */
AIPKG_API int aipkg_ctx_new(struct aipkg_ctx **out, const struct aipkg_opts *opts,
			    const struct aipkg_callbacks *cb);
AIPKG_API void aipkg_ctx_free(struct aipkg_ctx *ctx);

/*
 * Check the configuration file PATH as aipkg would read it: the YAML, every
 * key, type and value, and that only root or the user running aipkg can
 * change it.  No root is read.  0, or a negative error (exit code as
 * usual) with the message ("FILE:LINE: ...") in *msg, malloc'd: the
 * caller frees it.
 */
AIPKG_API int aipkg_config_check_file(const char *path, char **msg);

/* Who asks for the operations that follow, as the journal records it:
 * "cli", "tool", "mcp", "agent" (borrowed, usually a string constant). */
AIPKG_API void aipkg_ctx_set_caller(struct aipkg_ctx *ctx, const char *caller);

/* The detail of the last failure ("/etc/aipkg/aipkg.yaml:3: unknown key
 * 'foo'"); "" when there is none.  Owned by the context. */
AIPKG_API const char *aipkg_ctx_errmsg(const struct aipkg_ctx *ctx);

/* Version comparison exactly as `apk version -t`: returns '<', '=' or '>',
 * or 0 when either version is invalid. */
AIPKG_API int aipkg_version_compare_str(const char *a, const char *b);

/* SECONDS as words ("3 days", "1 hour") in BUF, for messages; returns BUF. */
AIPKG_API const char *aipkg_age_text(double seconds, char *buf, size_t size);

/* Seconds on the monotonic clock, for intervals: only differences mean
 * anything. */
AIPKG_API double aipkg_clock_now(void);

/* true when VERSION is a valid apk version. */
AIPKG_API bool aipkg_version_valid(const char *version);

#endif
