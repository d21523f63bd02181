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
	static char *slot[SAFE_SLOTS];
	static size_t cap[SAFE_SLOTS];
	static unsigned next;
	unsigned i = next++ % SAFE_SLOTS;
	size_t len = s ? strlen(s) : 0;
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

void cli_table_add(struct cli_table *t, ...)
{
	va_list ap;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));
		size_t *widths = cells ? realloc(t->widths, cap * t->ncols * sizeof(*widths)) : NULL;

		if (cells)
			t->cells = cells;
		if (!widths)
			return;
		t->widths = widths;
		t->cap = cap;
	}
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

/* The width 9 cells in 10 of column C fit in: the rare long one (a
 * 37-character version) need not push every row's description away.  Of
 * a few rows (a header and one operation) that is every cell: rounding
 * down gave the header's width and pushed each row past its heading. */
static size_t typical_width(const struct cli_table *t, size_t c)
{
	size_t *w = malloc(t->nrows * sizeof(*w)), typical;

	if (!w)
		return t->width[c];
	for (size_t r = 0; r < t->nrows; r++)
		w[r] = t->widths[r * t->ncols + c];
	qsort(w, t->nrows, sizeof(*w), by_size);
	typical = w[(t->nrows * 9 + 9) / 10 - 1];
	free(w);
	return typical;
}

/*
 * Narrow the table until a row fits in MAX columns: one blank between
 * columns instead of two; then, with a flexible last column, the other
 * columns take their typical width (a longer cell pushes the rest of its
 * row right rather than being cut) and the flexible one is cut, row by
 * row, to what is left; without one, the widest column that may be cut
 * loses a column at a time.
 */
#define CUT_MIN 6
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
		t->overflow = true;
		for (size_t c = 0; c + 1 < t->ncols; c++)
			t->width[c] = typical_width(t, c);
		return;
	}
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

static void print_row(struct cli_table *t, size_t r, size_t max)
{
	char **row = &t->cells[r * t->ncols];
	size_t end = t->ncols, pos = strlen(t->indent), start = pos;

	/* no trailing blanks: the row ends at its last non-empty cell */
	while (end > 1 && row[end - 1] && !*row[end - 1])
		end--;
	fputs(t->indent, t->out);
	for (size_t c = 0; c < end; c++) {
		const char *cell = row[c] ? row[c] : "?";
		bool last = c + 1 == end;

		if (t->overflow && start + 4 > max)
			break; /* no room left on this row */
		for (; pos < start; pos++)
			fputc(' ', t->out);
		if (t->overflow) {
			size_t room = max > pos ? max - pos : 0, w = t->widths[r * t->ncols + c];

			/* the flexible cell takes what is left; any other only
			 * loses what would pass the edge */
			if (w > room && room < 4)
				break; /* no room for even "x..." */
			w = (int)c == t->flex || w > room ? room : w;
			cli_put_cell(t->out, cell, w, false);
			pos += w;
			if (pos >= max)
				break;
		} else {
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
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, r, max > 0 ? (size_t)max : 0);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->widths);
	t->cells = NULL;
	t->widths = NULL;
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
