/* apk's progress as it runs: its --progress-fd counts and "(3/12) Installing ..." lines. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/progress.h"
#include "clock.h"
#include "ctx.h"

#define LINE_MAX_KEPT 512

void aipkg_apk_progress_init(struct aipkg_apk_progress *p, struct aipkg_ctx *ctx,
			     const char *applet)
{
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	snprintf(p->step, sizeof(p->step), "apk %s", applet);
	for (int i = 0; i < 2; i++)
		aipkg_buf_init(&p->partial[i], LINE_MAX_KEPT);
}

static void report(struct aipkg_apk_progress *p, bool end)
{
	struct aipkg_progress ev = { p->step, p->done, p->total, p->message, end };

	p->last = aipkg_clock_now();
	p->fresh = false;
	if (p->ctx->cb.progress)
		p->ctx->cb.progress(p->ctx->cb.ud, &ev);
}

/* "(3/12) Installing nginx (1.26.2-r0)", apk 3's "( 3/12) ..." too */
static bool is_step_line(struct aipkg_slice line)
{
	size_t i = 1;

	if (!line.len || line.ptr[0] != '(')
		return false;
	while (i < line.len && line.ptr[i] == ' ')
		i++;
	if (i >= line.len || line.ptr[i] < '0' || line.ptr[i] > '9')
		return false;
	return memchr(line.ptr, ')', line.len) != NULL;
}

/* apk 2: "DONE/TOTAL"; apk 3: "DONE/TOTAL STAGE" */
static void take_count(struct aipkg_apk_progress *p, const char *line)
{
	unsigned long long done, total;

	if (sscanf(line, "%llu/%llu", &done, &total) != 2 || done > total)
		return;
	p->fresh |= done != p->done || total != p->total;
	p->done = done;
	p->total = total;
}

static void take_line(struct aipkg_apk_progress *p, enum aipkg_stream stream,
		      struct aipkg_slice line)
{
	line = aipkg_slice_trim(line);
	if (stream == AIPKG_SPAWN_FD3) {
		char text[64];

		snprintf(text, sizeof(text), "%.*s", (int)(line.len < 63 ? line.len : 63), line.ptr);
		take_count(p, text);
	} else if (is_step_line(line)) {
		free(p->message);
		p->message = aipkg_slice_dup(line);
		/* a new package is news: say it at once */
		report(p, false);
	}
}

void aipkg_apk_progress_feed(struct aipkg_apk_progress *p, enum aipkg_stream stream,
			     const char *data, size_t len)
{
	struct aipkg_buf *part;

	if (stream != AIPKG_STDOUT && stream != AIPKG_SPAWN_FD3)
		return;
	part = &p->partial[stream == AIPKG_STDOUT ? 0 : 1];
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			take_line(p, stream, aipkg_slice_of(part));
			aipkg_buf_reset(part);
		} else if (aipkg_buf_addch(part, data[i]) < 0) {
			/* not a line we look for: drop it */
		}
	}
	if (p->fresh && aipkg_clock_now() - p->last >= AIPKG_PROGRESS_INTERVAL)
		report(p, false);
}

void aipkg_apk_progress_end(struct aipkg_apk_progress *p)
{
	report(p, true);
	free(p->message);
	p->message = NULL;
	for (int i = 0; i < 2; i++)
		aipkg_buf_release(&p->partial[i]);
}
