/* apk's progress as it runs: its --progress-fd counts and "(3/12) Installing ..." lines. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_PROGRESS_H
#define AIPKG_APK_PROGRESS_H

#include "buf.h"
#include "spawn.h"

struct aipkg_ctx;

/* One apk run's progress, reported through the context's progress callback
 * at most every AIPKG_PROGRESS_INTERVAL seconds and on each new line. */
struct aipkg_apk_progress {
	struct aipkg_ctx *ctx;
	char step[48];                /* "apk add" */
	struct aipkg_buf partial[2];  /* an unfinished line of stdout, of descriptor 3 */
	char *message;                /* the latest "(N/M) ..." line */
	unsigned long long done, total;
	double last;                  /* when it was last reported */
	bool fresh;                   /* something to report since then */
};

#define AIPKG_PROGRESS_INTERVAL 0.2

void aipkg_apk_progress_init(struct aipkg_apk_progress *p, struct aipkg_ctx *ctx,
			     const char *applet);
/* Take DATA that apk wrote on STREAM (stdout or AIPKG_SPAWN_FD3). */
void aipkg_apk_progress_feed(struct aipkg_apk_progress *p, enum aipkg_stream stream,
			     const char *data, size_t len);
/* The run is over: report the end, and free P's memory. */
void aipkg_apk_progress_end(struct aipkg_apk_progress *p);

#endif
