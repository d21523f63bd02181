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
	t->indent = "";
}

void cli_table_add(struct cli_table *t, ...)
{
	va_list ap;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **grown = realloc(t->cells, cap * t->ncols * sizeof(*grown));

		if (!grown)
			return;
		t->cells = grown;
		t->cap = cap;
	}
	va_start(ap, t);
	for (size_t c = 0; c < t->ncols; c++) {
		char **cell = &t->cells[t->nrows * t->ncols + c];
		const char *s = va_arg(ap, const char *);
		size_t w;

		*cell = aipkg_term_escaped(s);
		w = *cell ? cli_width(*cell) : 0;
		if (w > t->width[c])
			t->width[c] = w;
	}
	va_end(ap);
	t->nrows++;
}

/* Narrow the columns until the line fits in MAX: the flexible column first
 * (down to FLEX_MIN), then the widest that may be cut, one at a time. */
#define FLEX_MIN 12
#define CUT_MIN 6
static void fit(struct cli_table *t, size_t max)
{
	size_t total = strlen(t->indent) + (t->ncols - 1) * 2;

	for (size_t c = 0; c < t->ncols; c++)
		total += t->width[c];
	if (t->flex >= 0 && total > max) {
		size_t *w = &t->width[t->flex], room = *w > FLEX_MIN ? *w - FLEX_MIN : 0;
		size_t cut = total - max < room ? total - max : room;

		*w -= cut;
		total -= cut;
	}
	while (total > max) {
		size_t widest = t->ncols;

		for (size_t c = 0; c < t->ncols; c++)
			if (!t->keep[c] && t->width[c] > CUT_MIN &&
			    (widest == t->ncols || t->width[c] > t->width[widest]))
				widest = c;
		if (widest == t->ncols)
			return; /* as narrow as it gets: the terminal wraps the rest */
		t->width[widest]--;
		total--;
	}
}

void cli_table_print(struct cli_table *t)
{
	int max = cli_columns(t->out);

	if (max > 0)
		fit(t, (size_t)max);
	for (size_t r = 0; r < t->nrows; r++) {
		char **row = &t->cells[r * t->ncols];
		size_t end = t->ncols;

		/* no trailing blanks: the row ends at its last non-empty cell */
		while (end > 1 && row[end - 1] && !*row[end - 1])
			end--;
		fputs(t->indent, t->out);
		for (size_t c = 0; c < end; c++) {
			const char *cell = row[c];
			bool last = c + 1 == end;

			cli_put_cell(t->out, cell ? cell : "?", t->width[c], !last);
			if (!last)
				fputs("  ", t->out);
		}
		fputc('\n', t->out);
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
