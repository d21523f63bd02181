/* Writing for a person: sanitised strings, the terminal's width, tables. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "aipkg/term.h"
#include "cli.h"

#define SAFE_SLOTS 8

const char *cli_safe(const char *s)
{
	return cli_safe_n(s, s ? strlen(s) : 0);
}

const char *cli_safe_n(const char *s, size_t len)
{
	static char *slot[SAFE_SLOTS];
	static size_t cap[SAFE_SLOTS];
	static unsigned next;
	unsigned i = next++ % SAFE_SLOTS;
	size_t need = aipkg_term_escape(NULL, 0, s, len) + 1;

	if (need > cap[i]) {
		char *grown = realloc(slot[i], need);

		if (!grown)
			return "?";
		slot[i] = grown;
		cap[i] = need;
	}
	aipkg_term_escape(slot[i], cap[i], s, len);
	return slot[i];
}

const char *cli_str(const json_t *o, const char *key)
{
	return cli_safe(json_string_value(json_object_get(o, key)));
}

int cli_columns(FILE *out)
{
	struct winsize ws;
	const char *env;
	int fd = fileno(out);

	if (fd < 0 || !isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	env = getenv("COLUMNS");
	if (env && atoi(env) > 0)
		return atoi(env);
	return 80;
}

size_t cli_width(const char *safe)
{
	return aipkg_term_width(safe, strlen(safe));
}

void cli_put_cell(FILE *out, const char *safe, size_t cols, bool pad)
{
	size_t used, len = strlen(safe);
	size_t n = aipkg_term_fit(safe, len, cols, &used);

	if (n < len) {
		/* cut: room for "..." */
		size_t dots = cols < 3 ? cols : 3;

		n = aipkg_term_fit(safe, len, cols - dots, &used);
		fwrite(safe, 1, n, out);
		fwrite("...", 1, dots, out);
		used += dots;
	} else {
		fwrite(safe, 1, n, out);
	}
	for (; pad && used < cols; used++)
		fputc(' ', out);
}

void cli_table_init(struct cli_table *t, FILE *out, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->ncols = ncols < CLI_TABLE_MAX ? ncols : CLI_TABLE_MAX;
	t->flex = -1;
	t->gap = 2;
	t->indent = "";
}

/* Room for one more row; false when out of memory. */
static bool grow(struct cli_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	char **cells;
	size_t *widths;
	bool *title;

	if (t->nrows < t->cap)
		return true;
	cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
	if (cells)
		t->cells = cells;
	widths = cells ? realloc(t->widths, cap * t->ncols * sizeof(*widths)) : NULL;
	if (widths)
		t->widths = widths;
	title = widths ? realloc(t->title, cap * sizeof(*title)) : NULL;
	if (!title)
		return false;
	t->title = title;
	t->cap = cap;
	return true;
}

void cli_table_add_title(struct cli_table *t, const char *text)
{
	if (!grow(t))
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		t->cells[t->nrows * t->ncols + c] = c ? NULL : aipkg_term_escaped(text);
		t->widths[t->nrows * t->ncols + c] = 0;
	}
	t->title[t->nrows++] = true;
}

void cli_table_add(struct cli_table *t, ...)
{
	va_list ap;

	if (!grow(t))
		return;
	t->title[t->nrows] = false;
	va_start(ap, t);
	for (size_t c = 0; c < t->ncols; c++) {
		size_t at = t->nrows * t->ncols + c;
		const char *s = va_arg(ap, const char *);

		t->cells[at] = aipkg_term_escaped(s);
		t->widths[at] = t->cells[at] ? cli_width(t->cells[at]) : 0;
		/* a layout once decided stays (the blocks of a long listing) */
		if (!t->fitted && t->widths[at] > t->width[c])
			t->width[c] = t->widths[at];
	}
	va_end(ap);
	t->nrows++;
}

static size_t total_width(const struct cli_table *t)
{
	size_t total = strlen(t->indent) + (t->ncols - 1) * t->gap;

	for (size_t c = 0; c < t->ncols; c++)
		total += t->width[c];
	return total;
}

static int by_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* The width of column C's heading (0 without headings). */
static size_t heading_width(const struct cli_table *t, size_t c)
{
	return t->head && t->nrows ? t->widths[c] : 0;
}

/* The width PERCENT of the cells of column C fit in: with 90, the rare
 * long one (a 37-character version) need not push every row's
 * description away.  Of a few rows (a header and one operation) that is
 * every cell: rounding down gave the header's width and pushed each row
 * past its heading.  A heading is never narrower than its column. */
static size_t share_width(const struct cli_table *t, size_t c, size_t percent)
{
	size_t *w = malloc(t->nrows * sizeof(*w)), share, n = 0;

	if (!w)
		return t->width[c];
	for (size_t r = 0; r < t->nrows; r++)
		if (!t->title[r])
			w[n++] = t->widths[r * t->ncols + c];
	if (!n) {
		free(w);
		return t->width[c];
	}
	qsort(w, n, sizeof(*w), by_size);
	share = w[(n * percent + 99) / 100 - 1];
	free(w);
	return share > heading_width(t, c) ? share : heading_width(t, c);
}

/* Every column but the last as wide as 9 cells in 10 need (or, with
 * SLACK, as 99 in 100 do, at most SLACK more), a longer cell pushing the
 * rest of its row right. */
static void overflow(struct cli_table *t, size_t slack)
{
	t->overflow = true;
	for (size_t c = 0; c + 1 < t->ncols; c++) {
		size_t most = share_width(t, c, 90), nearly_all = slack ? share_width(t, c, 99) : 0;

		t->width[c] = nearly_all > most + slack ? most + slack
			    : nearly_all > most		? nearly_all
							: most;
	}
}

/* On a narrow terminal the columns before the flexible one give up to
 * half their cells' width, the widest first, until the flexible one has
 * FLEX_MIN columns: one 37-character name among six left the versions of
 * the other five no room at 40 columns. */
#define FLEX_MIN 16
static void make_room(struct cli_table *t, size_t max)
{
	size_t median[CLI_TABLE_MAX], fixed;

	for (size_t c = 0; c + 1 < t->ncols; c++)
		median[c] = share_width(t, c, 50);
	for (;;) {
		size_t widest = t->ncols;

		fixed = total_width(t) - t->width[t->ncols - 1];
		if (fixed + FLEX_MIN <= max)
			return;
		for (size_t c = 0; c + 1 < t->ncols; c++)
			if (t->width[c] > median[c] &&
			    (widest == t->ncols || t->width[c] > t->width[widest]))
				widest = c;
		if (widest == t->ncols)
			return;
		t->width[widest]--;
	}
}

/*
 * Through a pipe nothing is cut.  A table within 80 columns is aligned
 * exactly; in a wider one (list -a, where one 50-character name padded
 * twenty thousand lines) each column is as wide as 99 cells in 100 need
 * but at most PIPE_SLACK more than 9 in 10 (a list of 70 stays aligned,
 * a rare long name does not pad the rest), and a longer cell pushes its
 * row right, two blanks on.
 */
#define PIPE_COLUMNS 80
#define PIPE_SLACK 12
static void fit_pipe(struct cli_table *t)
{
	if (t->fitted)
		return;
	t->fitted = true;
	if (t->nrows && total_width(t) > PIPE_COLUMNS)
		overflow(t, PIPE_SLACK);
}

/* A table with headings that keeps them over readable columns: none cut
 * below its heading, the flexible one FLEX_MIN wide at least, within MAX. */
static bool readable(const struct cli_table *t, size_t max)
{
	size_t fixed = strlen(t->indent), need;

	for (size_t c = 0; c < t->ncols; c++) {
		if (t->width[c] < heading_width(t, c))
			return false;
		if (!t->overflow || c + 1 < t->ncols)
			fixed += t->width[c] + (c + 1 < t->ncols ? t->gap : 0);
	}
	if (!t->overflow)
		return fixed <= max;
	need = heading_width(t, t->ncols - 1) > FLEX_MIN ? heading_width(t, t->ncols - 1)
							   : FLEX_MIN;
	return fixed + need <= max;
}

/*
 * Narrow the table until a row fits in MAX columns: one blank between
 * columns instead of two; then, with a flexible last column, the other
 * columns take their typical width (a longer cell pushes the rest of its
 * row right rather than being cut) and the flexible one is cut, row by
 * row, to what is left; without one, the widest column that may be cut
 * loses a column at a time.  A table with headings that this leaves
 * unreadable (40 columns: "PAC... VER..." and headings past the edge) is
 * shown as records; one without headings that still passes the edge has
 * its rows wrapped.
 */
#define CUT_MIN 6
static void cut_widest(struct cli_table *t, size_t max)
{
	for (unsigned char level = 0; level < CLI_KEEP; level++)
		while (total_width(t) > max) {
			size_t widest = t->ncols;

			for (size_t c = 0; c < t->ncols; c++)
				if (t->keep[c] <= level && t->width[c] > CUT_MIN &&
				    (widest == t->ncols || t->width[c] > t->width[widest]))
					widest = c;
			if (widest == t->ncols)
				break; /* this level gives no more */
			t->width[widest]--;
		}
}

static void fit(struct cli_table *t, size_t max)
{
	/* once: a table printed in blocks (list --available) keeps the
	 * layout its first block got */
	if (t->fitted)
		return;
	t->fitted = true;
	if (total_width(t) > max)
		t->gap = 1;
	if (total_width(t) <= max || !t->nrows)
		return;
	if (t->flex >= 0 && (size_t)t->flex + 1 == t->ncols) {
		overflow(t, 0);
		make_room(t, max);
	} else {
		cut_widest(t, max);
	}
	if (t->head && !readable(t, max)) {
		t->records = true;
		t->overflow = false; /* every cell is shown whole */
	} else if (!t->overflow && total_width(t) > max) {
		t->wrap = true;
	}
}

/* S without the blanks that right-align it in its column ("    ID"). */
static const char *trimmed(const char *s)
{
	while (s && *s == ' ')
		s++;
	return s ? s : "";
}

/* Row R as a record: "HEADING: value" a line, each value whole and
 * wrapped in its column; a blank line before each record but a row that
 * continues the one before (an empty first cell: check-vuln's next CVE). */
static void print_record(struct cli_table *t, size_t r)
{
	char **row = &t->cells[r * t->ncols];
	size_t label = 0;

	for (size_t c = 0; c < t->ncols; c++)
		if (cli_width(trimmed(t->cells[c])) + 1 > label)
			label = cli_width(trimmed(t->cells[c])) + 1;
	if (r > 1 && *trimmed(row[0]))
		fputc('\n', t->out);
	for (size_t c = 0; c < t->ncols; c++) {
		char head[128];

		if (!*trimmed(row[c]))
			continue;
		snprintf(head, sizeof(head), "%s%s:", t->indent, trimmed(t->cells[c]));
		cli_put_field(t->out, head, strlen(t->indent) + label, trimmed(row[c]));
	}
}

/* Row R, which passes the edge, wrapped at blanks: its cells one blank
 * apart, the next lines two columns further in than the first. */
static void print_wrapped(struct cli_table *t, size_t r, size_t max)
{
	char **row = &t->cells[r * t->ncols];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	for (size_t c = 0; c < t->ncols; c++)
		if (*trimmed(row[c]))
			fprintf(f, "%s%s", ftell(f) ? " " : "", trimmed(row[c]));
	fclose(f);
	fputs(t->indent, t->out);
	cli_put_wrapped(t->out, text ? text : "", strlen(t->indent) + 2, (int)max);
	free(text);
}

static void print_row(struct cli_table *t, size_t r, size_t max)
{
	char **row = &t->cells[r * t->ncols];
	size_t end = t->ncols, pos = strlen(t->indent), start = pos;

	if (t->title[r]) {
		/* a section's title spans the table, whole: "Installing
		 * dependencies:" was cut to "Installing dependen..." */
		fputs(t->indent, t->out);
		cli_put_wrapped(t->out, row[0] ? row[0] : "", strlen(t->indent) + 2, (int)max);
		return;
	}
	if (t->records) {
		if (r > 0)
			print_record(t, r);
		return;
	}
	if (t->wrap) {
		print_wrapped(t, r, max);
		return;
	}
	/* no trailing blanks: the row ends at its last non-empty cell */
	while (end > 1 && row[end - 1] && !*row[end - 1])
		end--;
	fputs(t->indent, t->out);
	for (size_t c = 0; c < end; c++) {
		const char *cell = row[c] ? row[c] : "?";
		bool last = c + 1 == end;
		size_t w = t->widths[r * t->ncols + c];

		if (t->overflow && max && start + 4 > max) {
			t->cut = true;
			break; /* no room left on this row */
		}
		if (t->overflow) {
			size_t room = max > start ? max - start : 0;

			/* the flexible cell takes what is left; any other only
			 * loses what would pass the edge, and ends the row when
			 * less than half of it would show ("[i..." at 40
			 * columns); through a pipe nothing is cut */
			if (max && w > room && (room < 4 || (c && (int)c != t->flex &&
							      (room - 3) * 2 < w))) {
				t->cut = true;
				break;
			}
			for (; pos < start; pos++)
				fputc(' ', t->out);
			if (max && w > room) {
				w = room;
				t->cut = true;
			}
			cli_put_cell(t->out, cell, w, false);
			pos += w;
			if (max && pos >= max)
				break;
		} else {
			for (; pos < start; pos++)
				fputc(' ', t->out);
			t->cut |= w > t->width[c];
			cli_put_cell(t->out, cell, t->width[c], !last);
			pos += t->width[c];
		}
		start += t->width[c] + t->gap;
		if (!last && pos + t->gap > start)
			start = pos + t->gap; /* pushed right by a long cell */
	}
	fputc('\n', t->out);
}

void cli_table_print(struct cli_table *t)
{
	int max = cli_columns(t->out);

	if (max > 0)
		fit(t, (size_t)max);
	else
		fit_pipe(t);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, r, max > 0 ? (size_t)max : 0);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->widths);
	free(t->title);
	t->cells = NULL;
	t->widths = NULL;
	t->title = NULL;
	t->nrows = t->cap = 0;
}

bool cli_color_wanted(FILE *out)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	int fd = fileno(out);

	/* no-color.org: only a non-empty NO_COLOR turns colour off */
	if (no_color && *no_color)
		return false;
	/* no TERM (cron, a service) or TERM=dumb: a terminal without escapes */
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return false;
	return fd >= 0 && isatty(fd);
}

void cli_put_wrapped(FILE *out, const char *text, size_t indent, int columns)
{
	size_t room = columns > 0 && (size_t)columns > indent + 20 ? (size_t)columns - indent : 0;
	const char *p = text;

	while (room && cli_width(p) > room) {
		/* the last blank that leaves the line within ROOM columns */
		size_t fit = aipkg_term_fit(p, strlen(p), room, NULL), cut = fit;

		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = fit; /* one long word: cut it where it must be */
		fprintf(out, "%.*s\n%*s", (int)cut, p, (int)indent, "");
		p += cut;
		while (*p == ' ')
			p++;
	}
	fprintf(out, "%s\n", p);
}

void cli_put_field(FILE *out, const char *label, size_t width, const char *safe)
{
	fprintf(out, "%-*s ", (int)width, label);
	cli_put_wrapped(out, safe, width + 1, cli_columns(out));
}

FILE *cli_text_open(struct cli_text *t, FILE *out)
{
	t->out = out;
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	return t->f ? t->f : out;
}

void cli_text_say(struct cli_text *t, size_t indent)
{
	if (!t->f) {
		fputc('\n', t->out);
		return;
	}
	fclose(t->f);
	cli_put_wrapped(t->out, t->buf ? t->buf : "", indent, cli_columns(t->out));
	free(t->buf);
	t->f = NULL;
	t->buf = NULL;
}

void cli_text_drop(struct cli_text *t)
{
	if (t->f)
		fclose(t->f);
	free(t->buf);
	t->f = NULL;
	t->buf = NULL;
}

void cli_say(FILE *out, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	cli_put_wrapped(out, text ? text : "", 0, cli_columns(out));
	free(text);
}
