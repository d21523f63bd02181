/* apk's progress on a terminal: one line at the bottom, redrawn in place, gone when done. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

bool cli_progress_wanted(const struct cli *cli)
{
	const char *term = getenv("TERM");

	/* as apk: a terminal that can move the cursor, and someone watching */
	return isatty(2) && cli->opts.verbose >= 0 && (!term || strcmp(term, "dumb") != 0);
}

/* " 45% [##########          ] apk add", cut to the terminal's width */
static void draw(const struct cli_progress *bar)
{
	int width = cli_columns(stderr) - 1, pct = 0, cells, filled, n;
	char line[512];

	if (width < 20)
		return;
	if (width > (int)sizeof(line) - 1)
		width = (int)sizeof(line) - 1;
	if (bar->total)
		pct = (int)(bar->done * 100 / bar->total);
	cells = width - 8 - (int)strlen(bar->step) - 2;
	if (cells > 50)
		cells = 50;
	if (cells < 10)
		cells = 10;
	filled = cells * pct / 100;
	n = snprintf(line, sizeof(line), "%3d%% [", pct);
	for (int i = 0; i < cells && n < width; i++)
		line[n++] = i < filled ? '#' : ' ';
	n += snprintf(line + n, sizeof(line) - (size_t)n, "] %s", bar->step);
	if (n > width)
		n = width;
	fprintf(stderr, "\r\033[K%.*s", n, line);
	fflush(stderr);
}

void cli_progress_clear(struct cli *cli)
{
	if (!cli->bar.shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	cli->bar.shown = false;
}

void cli_progress_update(struct cli *cli, const struct aipkg_progress *p)
{
	struct cli_progress *bar = &cli->bar;

	if (!cli->progress)
		return;
	if (p->end) {
		cli_progress_clear(cli);
		bar->active = false;
		return;
	}
	if (!bar->active)
		bar->since = aipkg_clock_now();
	bar->active = true;
	bar->done = p->done;
	bar->total = p->total;
	/* the step's name is ours ("apk add"): no need to sanitise it */
	snprintf(bar->step, sizeof(bar->step), "%s", p->step);
	/* a step over in a moment needs no bar flashing by */
	if (aipkg_clock_now() - bar->since < CLI_PROGRESS_DELAY)
		return;
	draw(bar);
	bar->shown = true;
}

void cli_progress_around_output(struct cli *cli, bool before)
{
	if (before)
		cli_progress_clear(cli);
	else if (cli->bar.active && aipkg_clock_now() - cli->bar.since >= CLI_PROGRESS_DELAY) {
		draw(&cli->bar);
		cli->bar.shown = true;
	}
}
