/* The aipkg command line: the command table, options and rendering. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_CLI_H
#define AIPKG_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "aipkg/aipkg.h"
#include "aipkg/tools.h"

#define CLI_MAX_OPTS 16

/* A command's own option; its value lands in cli->opt[id]. */
struct cli_option {
	const char *long_name;
	char short_name;  /* 0 for none */
	const char *arg;  /* the value's name ("N", "DATE") or NULL for a flag */
	int id;           /* index into cli->opt, < CLI_MAX_OPTS */
	const char *help;
};

enum cli_needs {
	CLI_NEEDS_CTX = 1 << 0, /* a context: root and configuration */
	CLI_JSON_OUT = 1 << 1,  /* prints JSON whatever --json says, errors too */
	CLI_PROTOCOL_OUT = 1 << 2, /* stdout carries a protocol: never a --json document */
	CLI_CTX_LATER = 1 << 3, /* the command opens the context itself (cli_ctx_open), when
				 * it needs one: config --check reads no root */
};

struct cli;

/* Create cli->ctx (root, configuration, the CLI's callbacks); the exit code
 * of the failure (printed), or 0. */
int cli_ctx_open(struct cli *cli);

struct cli;

struct aipkg_cmd {
	const char *name;
	const char *args;    /* "PKG..." for the usage line */
	const char *summary; /* one line, also the man page's and completions' */
	const struct cli_option *options; /* terminated by a zero entry; may be NULL */
	unsigned needs;      /* enum cli_needs */
	int (*run)(struct cli *cli);
};

/* The progress bar on the terminal (progress.c). */
/* Seconds a step runs before its bar appears. */
#define CLI_PROGRESS_DELAY 0.5

struct cli_progress {
	bool active;       /* a step runs: redraw the bar after apk's lines */
	double since;      /* when the step started (monotonic seconds) */
	bool shown;        /* the bar is on the screen */
	unsigned long long done, total;
	char step[48];
};

struct cli {
	const struct aipkg_cmd *cmd;
	struct aipkg_opts opts;
	const char **repos;
	size_t nrepos;
	bool json;
	bool color;
	bool plan_shown;     /* a confirmation showed the plan on stderr */
	bool progress;     /* draw apk's progress on stderr (a terminal) */
	struct cli_progress bar;
	/* apk's output as it runs: an unfinished UTF-8 character at the end
	 * of a read, per stream (stdout, stderr), waiting for its rest */
	char apk_tail[2][4];
	size_t apk_tail_len[2];
	struct aipkg_ctx *ctx;
	/* the command's positional arguments */
	char **args;
	int nargs;
	/* the command's own options: set and value */
	bool opt_set[CLI_MAX_OPTS];
	const char *opt[CLI_MAX_OPTS];
};

/* The options every command takes (parse.c). */
extern const struct cli_option cli_global_options[];
/* The option named LNAME (or with the short name SNAME) in table T, or NULL. */
const struct cli_option *cli_option_find(const struct cli_option *t, const char *lname,
					 char sname);

/*
 * Parse the command line (parse.c) into P->cli: the command, its
 * positional arguments and options, the global options.  Reads argv[1] to
 * argv[argc - 1] only.  A usage error is printed (with a suggestion for a
 * typo) and returns 2; 0 otherwise.  cli->args is malloc'd (the caller
 * frees it), its strings borrowed from argv.
 */
struct cli_parse {
	struct cli *cli;
	bool help, version;
	const char *lock_timeout; /* --lock-timeout's text, checked later */
};
int cli_parse(struct cli_parse *p, int argc, char **argv);

/*
 * Suggestions for a mistyped word (suggest.c): add the candidates, then
 * cli_suggest_text() says "; did you mean 'install'?" (or "" when none is
 * near).  cli_command_hint() does it for a command name, and turns apk's
 * verbs (add, del, upgrade, fix, audit, ...) into aipkg's; it returns the
 * length of the hint in OUT ("" for none).
 */
#define CLI_SUGGEST_MAX 3
struct cli_suggest {
	const char *typed;
	size_t best;
	const char *match[CLI_SUGGEST_MAX];
	size_t n;
};
void cli_suggest_init(struct cli_suggest *s, const char *typed);
void cli_suggest_add(struct cli_suggest *s, const char *candidate);
const char *cli_suggest_text(const struct cli_suggest *s, const char *prefix, char *out,
			     size_t size);
int cli_command_hint(const char *name, char *out, size_t size);

/* The sorted command table (cmd/aipkg/commands.c). */
extern const struct aipkg_cmd *const cli_commands[];
const struct aipkg_cmd *cli_command_find(const char *name);

/* Each command, defined in its cmd_<name>.c. */
extern const struct aipkg_cmd cmd_config, cmd_help, cmd_info, cmd_install, cmd_list,
	cmd_remove, cmd_search, cmd_update, cmd_version;
extern const struct aipkg_cmd cmd_mcp, cmd_tool;
extern const struct aipkg_cmd cmd_check_vuln;
extern const struct aipkg_cmd cmd_doctor;
extern const struct aipkg_cmd cmd_ask;
extern const struct aipkg_cmd cmd_agent;
extern const struct aipkg_cmd cmd_ansible;
extern const struct aipkg_cmd cmd_history, cmd_lock, cmd_recover, cmd_rollback, cmd_unlock;

/*
 * Text for a person (cmd/aipkg/term.c).  Every string that came from
 * outside aipkg (a repository, secdb, a model, the journal, an argument)
 * is printed through these, never raw: they run it through the one
 * sanitiser, aipkg_term_escape() (aipkg/term.h says what it escapes).
 * --json output is printed exact, never through these.
 *
 * cli_safe: S escaped (NULL gives ""), in one of 8 rotating buffers: valid
 *           until 8 more calls, so up to 8 may share one printf.
 * cli_str:  the same for the string member KEY of object O ("" if none).
 */
const char *cli_safe(const char *s);
/* cli_safe of the LEN bytes at S, which may hold NULs (shown as \x00). */
const char *cli_safe_n(const char *s, size_t len);
const char *cli_str(const json_t *o, const char *key);

/* The width of the terminal OUT writes to, in columns; 0 when OUT is not a
 * terminal (a pipe, a file: nothing is ever cut there). */
int cli_columns(FILE *out);
/* Colour on OUT: a terminal, TERM set and not "dumb", NO_COLOR unset or
 * empty (no-color.org); --no-color turns it off after. */
bool cli_color_wanted(FILE *out);
/* TEXT (ours, already safe) ending a line that starts INDENT columns in,
 * wrapped at blanks to COLUMNS (0: never) with the next lines indented
 * as much; ends with a newline. */
void cli_put_wrapped(FILE *out, const char *text, size_t indent, int columns);
/* A sentence (FMT's arguments already safe: cli_safe) as a line of its
 * own, wrapped at blanks to the terminal's width. */
void cli_say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A sentence written in pieces (a list of names), then said as one,
 * wrapped at blanks on a terminal:
 *	FILE *f = cli_text_open(&t, out); fprintf(f, ...); ...; cli_text_say(&t, INDENT);
 * The pieces are safe text (cli_safe).  cli_text_say() writes the text
 * (continuation lines INDENT columns in; the first line starts where the
 * cursor is) and a newline to OUT, and frees it.  Out of memory, the
 * pieces go straight to OUT, unwrapped.
 */
struct cli_text {
	FILE *out, *f;
	char *buf;
	size_t len;
};
FILE *cli_text_open(struct cli_text *t, FILE *out);
void cli_text_say(struct cli_text *t, size_t indent);
/* Forget the text: nothing is written. */
void cli_text_drop(struct cli_text *t);
/* "LABEL  value": LABEL padded to WIDTH, a blank, then the escaped value
 * SAFE, which on a terminal wraps at blanks in its own column (history ID,
 * info) rather than the terminal breaking it in mid-word under the labels. */
void cli_put_field(FILE *out, const char *label, size_t width, const char *safe);
/* The columns the sanitised text SAFE takes on a terminal. */
size_t cli_width(const char *safe);
/* Write SAFE in COLS columns: cut with "..." when longer, padded with
 * blanks to COLS when PAD. */
void cli_put_cell(FILE *out, const char *safe, size_t cols, bool pad);

/*
 * A table for a person: each column as wide as its widest cell (in
 * terminal columns), two blanks between columns, every cell sanitised.
 * On a terminal a table wider than it gets one blank between columns;
 * then, when the last column is FLEX (a description, a command), the
 * other columns take the width most of their cells need (a longer cell
 * pushes its row right) and the FLEX cell is cut with "..." to the room
 * left on its row (a row too long without it is cut at the edge);
 * without a FLEX column, the widest column is cut, those marked
 * CLI_KEEP_SOFT last and CLI_KEEP never.  A table with headings (HEAD: the
 * first row) that this would leave unreadable -- a column cut below its
 * heading, a FLEX column with less than 16 columns, a row still past the
 * edge -- is printed as records instead, one "HEADING: value" line per
 * cell, nothing cut; a table without headings whose rows still pass the
 * edge has each row wrapped at blanks.
 * When OUT is not a terminal nothing is cut: a table within 80 columns is
 * aligned exactly, a wider one is laid out as for 80 columns (the typical
 * widths, a longer cell pushing its row right, two blanks on).
 * The rows are kept until cli_table_print(), which prints and frees them.
 */
#define CLI_TABLE_MAX 8
#define CLI_KEEP_SOFT 1
#define CLI_KEEP 2
struct cli_table {
	FILE *out;
	size_t ncols;
	int flex;            /* the last column, cut first to fit; -1: none */
	const char *indent;  /* printed before every row ("") */
	/* how much a column resists cutting: 0 none, CLI_KEEP_SOFT cut only
	 * when the others cannot give more, CLI_KEEP never (a CVE id) */
	unsigned char keep[CLI_TABLE_MAX];
	size_t width[CLI_TABLE_MAX];
	size_t gap;          /* blanks between columns */
	bool head;           /* the first row holds the headings */
	bool overflow;       /* long cells push their row right (FLEX cut) */
	bool records;        /* too narrow: each row as "HEADING: value" lines */
	bool wrap;           /* too narrow, no headings: each row wrapped */
	bool cut;            /* a cell was cut or left out (after printing) */
	bool fitted;         /* the layout is decided (the first print) */
	char **cells;
	size_t *widths;      /* each cell's width */
	bool *title;         /* each row: a title spanning the table */
	size_t nrows, cap;
};
void cli_table_init(struct cli_table *t, FILE *out, size_t ncols);
/* One row: NCOLS strings (NULL is an empty cell), raw: the table escapes them. */
void cli_table_add(struct cli_table *t, ...);
/* A title row (a section of the table: "Installing dependencies:"), raw:
 * on a line of its own, whole, in no column's width. */
void cli_table_add_title(struct cli_table *t, const char *text);
void cli_table_print(struct cli_table *t);

/* Diagnostics on stderr: "error: ..." / "warning: ...".  The formatted
 * message is escaped whole (cli_safe), so a name quoted in it, or a
 * library message passed on, cannot forge a line or move the cursor. */
void cli_error(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Call tool NAME with ARGS (reference stolen) and render: the JSON document
 * with --json, else RENDER(cli, result).  On failure print the error (and in
 * JSON mode an {"error":...} document).  Returns the exit code.
 */
int cli_call_tool(struct cli *cli, const char *name, json_t *args,
		  void (*render)(struct cli *cli, json_t *result));

/* A usage error: "error: MSG" on stderr and, with --json, the error
 * document (code "usage", exit 2) on stdout; returns 2. */
int cli_usage_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --version: "aipkg 0.1.0", or {"name","version"} with --json. */
void cli_print_version(const struct cli *cli);

/* The command table as JSON (cmd_help.c): every command, or only CMD. */
void cli_print_command_table(const struct aipkg_cmd *cmd);

/* Print an error for code R and return its exit code. */
int cli_fail(struct cli *cli, int r, json_t *detail);
/* The same with the command's own MSG rather than the context's. */
int cli_fail_msg(struct cli *cli, int r, const char *msg, json_t *detail);

/* After table T (printed) of ROWS: when it cut a cell, each row's TEXT
 * member whole, "NAME: TEXT" a sentence (update --plan's WHY, agent
 * status's REASON, the point of those tables). */
void cli_say_cut_whole(const struct cli_table *t, const json_t *rows, const char *name,
		       const char *text);
/* "2026-11-24 10:15" from "2026-11-24T10:15:02Z", in OUT. */
const char *cli_short_time(const char *iso, char out[17]);

/* Renderers shared by several commands. */
void cli_render_packages(struct cli *cli, json_t *result);
void cli_render_changes(struct cli *cli, json_t *result);
/* A change result without package changes (plan.c): the targets already
 * installed, what the world file gained or lost, else "Nothing changed." */
void cli_render_unchanged(struct cli *cli, json_t *result);
/* The locked packages an install kept at their lock ("kept_locked"). */
void cli_render_kept_locked(const json_t *result);
/* "Installed" for the action "install", "Would install" when DRY. */
/* "[installed]" for package P of a list or search that is installed at the
 * version shown, "[installed VERSION]" when another version is (the row
 * shows the newest available), "" when none is; in BUF, raw (for a table,
 * which escapes its cells). */
const char *cli_installed_tag(const json_t *p, char *buf, size_t size);
const char *cli_change_verb(const char *action, bool dry);
/* A plan to confirm (plan.c), on OUT: a request's plan, the operation a
 * rollback undoes, the changes by section (named, dependencies, upgrades,
 * removals) with versions and sizes, then the counts and sizes. */
void cli_show_plan(FILE *out, const json_t *doc);
/* BYTES as "780 B", "4.2 KiB", "12 MiB" in BUF (negative: "-1.5 MiB"). */
const char *cli_size(double bytes, char *buf, size_t size);
void cli_print_json(json_t *doc);

/* Natural-language requests (cmd_ask.c): plan REQUEST with pkg.ask and
 * render it (PLAN_ONLY: a dry run); the plan of a request as a person reads
 * it (for the confirmation too); the positional arguments joined by spaces
 * (malloc'd). */
int cli_ask(struct cli *cli, const char *request, bool plan_only, bool offline, bool force);
void cli_show_request_plan(FILE *out, const json_t *plan);
char *cli_args_joined(const struct cli *cli);

/* aipkg __complete WORD... CURRENT: what the shells' completion scripts
 * ask (complete.c); argv as main() got it.  Returns the exit code. */
int cli_complete(int argc, char **argv);

/* apk's progress as a bar on stderr (progress.c): wanted only on a
 * terminal, cleared before anything else is written there and redrawn
 * after apk's own lines. */
bool cli_progress_wanted(const struct cli *cli);
void cli_progress_update(struct cli *cli, const struct aipkg_progress *p);
void cli_progress_clear(struct cli *cli);
void cli_progress_around_output(struct cli *cli, bool before);

/* Usage text for a command (or the overview when cmd is NULL). */
void cli_usage(FILE *out, const struct aipkg_cmd *cmd);

/* The positional arguments as a new JSON array of strings. */
json_t *cli_args_json(const struct cli *cli);

#endif
