/* The journal entry's text form: "key: value" lines, one change per line, then "end". */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aipkg/error.h"
#include "aipkg/term.h"
#include "apk/pkg.h"
#include "apk/changes.h"
#include "journal/journal.h"
#include "url.h"

enum jfield_type {
	JF_STRING, /* one line of text */
	JF_INT,    /* a whole number */
	JF_EXIT,   /* a whole number, or "-" when unknown */
	JF_WORDS,  /* words separated by spaces, on one line */
	JF_LINES,  /* the key repeated, one string each */
	JF_CHANGE, /* repeated: ACTION NAME FROM TO, "-" for none */
	JF_PKG,    /* repeated: NAME VERSION [REASON] */
};

struct jfield {
	const char *key;    /* in the file */
	const char *member; /* in the JSON object */
	enum jfield_type type;
	bool required;
};

/* The order entries are written in; aipkg-journal(5) documents each key. */
static const struct jfield jfields[] = {
	{ "id", "id", JF_INT, true },
	{ "status", "status", JF_STRING, true },
	{ "time", "time", JF_STRING, true },
	{ "end-time", "end_time", JF_STRING, false },
	{ "user", "user", JF_STRING, false },
	{ "caller", "caller", JF_STRING, false },
	{ "pid", "pid", JF_INT, false },
	{ "command", "command", JF_STRING, false },
	{ "request", "request", JF_STRING, false },
	{ "planner", "planner", JF_STRING, false },
	{ "model", "model", JF_STRING, false },
	{ "plan", "plan", JF_STRING, false },
	{ "undoes", "undoes", JF_INT, false },
	{ "apk", "apk", JF_LINES, false },
	{ "apk-exit", "apk_exit", JF_EXIT, false },
	{ "world-before", "world_before", JF_WORDS, false },
	{ "world-after", "world_after", JF_WORDS, false },
	{ "planned", "planned", JF_CHANGE, false },
	{ "change", "changes", JF_CHANGE, false },
	{ "file", "files", JF_LINES, false },
	{ "kept", "kept", JF_PKG, false },
	{ "unkept", "unkept", JF_PKG, false },
	{ "error", "error", JF_STRING, false },
	{ "recovered", "recovered", JF_STRING, false },
	{ "installed-before", "installed_before", JF_PKG, false },
};

#define NFIELDS (sizeof(jfields) / sizeof(jfields[0]))

static const char *const jstatuses[] = { "pending", "committed", "failed", "interrupted" };
static const char *const jactions[] = { "install", "remove", "upgrade", "downgrade", "reinstall" };

static bool one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* Backslash, newlines and other control characters (and in a WORD, spaces)
 * are escaped, so a value never leaves its line or splits. */
static int put_escaped(struct aipkg_buf *out, const char *s, bool word)
{
	int r = 0;

	for (; s && *s && r == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			r = aipkg_buf_addstr(out, "\\\\");
		else if (c == '\n')
			r = aipkg_buf_addstr(out, "\\n");
		else if (c < 0x20 || c == 0x7f || (word && c == ' '))
			r = aipkg_buf_addf(out, "\\x%02x", c);
		else
			r = aipkg_buf_addch(out, (char)c);
	}
	return r;
}

/* A missing version is written "-". */
static int put_word(struct aipkg_buf *out, const json_t *v)
{
	const char *s = json_string_value(v);
	int r = aipkg_buf_addch(out, ' ');

	if (r == 0)
		r = s && *s ? put_escaped(out, s, true) : aipkg_buf_addch(out, '-');
	return r;
}

static int put_change(struct aipkg_buf *out, const char *key, const json_t *c)
{
	int r = aipkg_buf_addf(out, "%s:", key);

	if (r == 0)
		r = put_word(out, json_object_get(c, "action"));
	if (r == 0)
		r = put_word(out, json_object_get(c, "name"));
	if (r == 0)
		r = put_word(out, json_object_get(c, "from"));
	if (r == 0)
		r = put_word(out, json_object_get(c, "to"));
	return r ? r : aipkg_buf_addch(out, '\n');
}

static int put_pkg(struct aipkg_buf *out, const char *key, const json_t *p)
{
	const char *reason = json_string_value(json_object_get(p, "reason"));
	int r = aipkg_buf_addf(out, "%s:", key);

	if (r == 0)
		r = put_word(out, json_object_get(p, "name"));
	if (r == 0)
		r = put_word(out, json_object_get(p, "version"));
	if (r == 0 && reason && *reason && (r = aipkg_buf_addch(out, ' ')) == 0)
		r = put_escaped(out, reason, false);
	return r ? r : aipkg_buf_addch(out, '\n');
}

/* A line of text; a URL in it (a --repository on the command line, an
 * error naming a server) is stored masked: the journal is read by people
 * and copied around, and nothing in it is ever run again. */
static int put_line(struct aipkg_buf *out, const char *key, const char *s)
{
	char *masked = strstr(s, "://") ? aipkg_url_mask_text(s) : NULL;
	int r = aipkg_buf_addf(out, "%s:%s", key, *s ? " " : "");

	if (r == 0)
		r = put_escaped(out, masked ? masked : s, false);
	free(masked);
	return r ? r : aipkg_buf_addch(out, '\n');
}

static int put_words(struct aipkg_buf *out, const char *key, const json_t *a)
{
	const json_t *w;
	size_t i;
	int r = aipkg_buf_addf(out, "%s:", key);

	json_array_foreach(a, i, w)
		if (r == 0 && json_is_string(w))
			r = put_word(out, w);
	return r ? r : aipkg_buf_addch(out, '\n');
}

static int put_list(struct aipkg_buf *out, const struct jfield *f, const json_t *a)
{
	const json_t *v;
	size_t i;
	int r = 0;

	json_array_foreach(a, i, v) {
		if (f->type == JF_CHANGE)
			r = put_change(out, f->key, v);
		else if (f->type == JF_PKG)
			r = put_pkg(out, f->key, v);
		else if (json_is_string(v))
			r = put_line(out, f->key, json_string_value(v));
		if (r < 0)
			break;
	}
	return r;
}

static int put_field(struct aipkg_buf *out, const struct jfield *f, const json_t *v)
{
	switch (f->type) {
	case JF_STRING:
		return json_is_string(v) ? put_line(out, f->key, json_string_value(v)) : 0;
	case JF_INT:
		return json_is_integer(v) ? aipkg_buf_addf(out, "%s: %lld\n", f->key,
							   (long long)json_integer_value(v)) : 0;
	case JF_EXIT:
		if (json_is_null(v))
			return aipkg_buf_addf(out, "%s: -\n", f->key);
		return json_is_integer(v) ? aipkg_buf_addf(out, "%s: %lld\n", f->key,
							   (long long)json_integer_value(v)) : 0;
	case JF_WORDS:
		return json_is_array(v) ? put_words(out, f->key, v) : 0;
	default:
		return json_is_array(v) ? put_list(out, f, v) : 0;
	}
}

int aipkg_jentry_format(const json_t *entry, struct aipkg_buf *out)
{
	int r = aipkg_buf_addstr(out, "# aipkg journal entry, see aipkg-journal(5)\n");

	for (size_t i = 0; r == 0 && i < NFIELDS; i++) {
		const json_t *v = json_object_get(entry, jfields[i].member);

		if (v)
			r = put_field(out, &jfields[i], v);
	}
	return r ? r : aipkg_buf_addstr(out, "end\n");
}

/*
 * Parsing.
 */

struct parser {
	json_t *entry;
	struct aipkg_buf *why;
	size_t line;
	bool ended;
};

__attribute__((format(printf, 2, 3))) static int bad(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	aipkg_buf_reset(p->why);
	if (p->line)
		aipkg_buf_addf(p->why, "line %zu: ", p->line);
	va_start(ap, fmt);
	aipkg_buf_vaddf(p->why, fmt, ap);
	va_end(ap);
	return -AIPKG_E_CORRUPT;
}

/* One escape at S (after the backslash, N bytes left): the byte, and how
 * many bytes it used in *used; -1 when malformed. */
static int unescape_one(const char *s, size_t n, size_t *used)
{
	*used = 1;
	if (n >= 1 && s[0] == '\\')
		return '\\';
	if (n >= 1 && s[0] == 'n')
		return '\n';
	if (n >= 3 && s[0] == 'x' && aipkg_hex_digit(s[1]) >= 0 && aipkg_hex_digit(s[2]) >= 0) {
		int c = aipkg_hex_digit(s[1]) * 16 + aipkg_hex_digit(s[2]);

		*used = 3;
		return c ? c : -1;
	}
	return -1;
}

/* The unescaped copy of V as a new JSON string; NULL when malformed. */
static json_t *unescape(struct parser *p, struct aipkg_slice v)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	json_t *s = NULL;
	size_t i = 0;
	int r = 0;

	while (r == 0 && i < v.len) {
		size_t used = 0;
		int c = v.ptr[i] == '\\' ? unescape_one(v.ptr + i + 1, v.len - i - 1, &used)
					 : (unsigned char)v.ptr[i];

		if (c < 0)
			r = bad(p, "bad escape sequence in '%.*s'", (int)v.len, v.ptr);
		else
			r = aipkg_buf_addch(&b, (char)c);
		i += 1 + used;
	}
	if (r == 0)
		s = json_stringn(aipkg_buf_str(&b), b.len);
	aipkg_buf_release(&b);
	return s;
}

/* The space-separated words of V as new JSON strings ("-" as null when
 * DASH_NULL); NULL when malformed. */
static json_t *split_words(struct parser *p, struct aipkg_slice v, bool dash_null)
{
	json_t *words = json_array();
	struct aipkg_slice w;

	while (words && v.len) {
		json_t *s;

		aipkg_slice_split(&v, ' ', &w);
		if (!w.len)
			continue;
		s = dash_null && aipkg_slice_eq(w, "-") ? json_null() : unescape(p, w);
		if (!s || json_array_append_new(words, s) < 0) {
			json_decref(words);
			return NULL;
		}
	}
	return words;
}

static int parse_int(struct parser *p, const struct jfield *f, struct aipkg_slice v,
		     json_t **out)
{
	char buf[32], *end;
	long long n;

	if (f->type == JF_EXIT && aipkg_slice_eq(v, "-")) {
		*out = json_null();
		return 0;
	}
	if (!v.len || v.len >= sizeof(buf))
		return bad(p, "'%s' is not a number", f->key);
	memcpy(buf, v.ptr, v.len);
	buf[v.len] = '\0';
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (*end || errno || (f->type == JF_INT && n < 0))
		return bad(p, "'%s' is not a number: '%s'", f->key, buf);
	*out = json_integer(n);
	return 0;
}

static int parse_change(struct parser *p, const struct jfield *f, struct aipkg_slice v,
			json_t **out)
{
	json_t *w = split_words(p, v, true);
	const char *action = json_string_value(json_array_get(w, 0));

	if (!w)
		return -AIPKG_E_CORRUPT;
	if (json_array_size(w) != 4 || !json_is_string(json_array_get(w, 1))) {
		json_decref(w);
		return bad(p, "'%s' needs ACTION NAME FROM TO", f->key);
	}
	if (!one_of(action, jactions, sizeof(jactions) / sizeof(jactions[0]))) {
		/* ACTION lives in W: say it before letting W go */
		int r = bad(p, "unknown action '%s'", action ? action : "-");

		json_decref(w);
		return r;
	}
	*out = aipkg_change_new(json_string_value(json_array_get(w, 1)), action,
				json_string_value(json_array_get(w, 2)),
				json_string_value(json_array_get(w, 3)));
	json_decref(w);
	return 0;
}

static int parse_pkg(struct parser *p, const struct jfield *f, struct aipkg_slice v,
		     json_t **out)
{
	struct aipkg_slice name, version;
	json_t *n, *ver, *reason = NULL;

	aipkg_slice_split(&v, ' ', &name);
	aipkg_slice_split(&v, ' ', &version);
	if (!name.len || !version.len)
		return bad(p, "'%s' needs NAME VERSION", f->key);
	n = unescape(p, name);
	ver = n ? unescape(p, version) : NULL;
	if (ver && v.len)
		reason = unescape(p, v);
	if (!ver || (v.len && !reason)) {
		json_decref(n);
		json_decref(ver);
		return -AIPKG_E_CORRUPT;
	}
	*out = json_pack("{s:o, s:o}", "name", n, "version", ver);
	if (reason)
		json_object_set_new(*out, "reason", reason);
	return 0;
}

static int parse_value(struct parser *p, const struct jfield *f, struct aipkg_slice v,
		       json_t **out)
{
	switch (f->type) {
	case JF_STRING:
	case JF_LINES:
		*out = unescape(p, v);
		return *out ? 0 : -AIPKG_E_CORRUPT;
	case JF_INT:
	case JF_EXIT:
		return parse_int(p, f, v, out);
	case JF_WORDS:
		*out = split_words(p, v, false);
		return *out ? 0 : -AIPKG_E_CORRUPT;
	case JF_CHANGE:
		return parse_change(p, f, v, out);
	case JF_PKG:
		return parse_pkg(p, f, v, out);
	}
	return -EINVAL;
}

static bool repeated(const struct jfield *f)
{
	return f->type == JF_LINES || f->type == JF_CHANGE || f->type == JF_PKG;
}

static int store_value(struct parser *p, const struct jfield *f, json_t *v)
{
	json_t *list;

	if (!repeated(f)) {
		if (json_object_get(p->entry, f->member)) {
			json_decref(v);
			return bad(p, "'%s' is given twice", f->key);
		}
		return json_object_set_new(p->entry, f->member, v) < 0 ? -ENOMEM : 0;
	}
	list = json_object_get(p->entry, f->member);
	if (!list) {
		list = json_array();
		if (json_object_set_new(p->entry, f->member, list) < 0)
			list = NULL;
	}
	return list && json_array_append_new(list, v) == 0 ? 0 : -ENOMEM;
}

static const struct jfield *field_find(struct aipkg_slice key)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (aipkg_slice_eq(key, jfields[i].key))
			return &jfields[i];
	return NULL;
}

static int parse_line(struct parser *p, struct aipkg_slice line)
{
	struct aipkg_slice key;
	const struct jfield *f;
	json_t *v = NULL;
	int r;

	if (line.len && line.ptr[line.len - 1] == '\r')
		line.len--;
	if (!line.len || line.ptr[0] == '#')
		return 0;
	if (p->ended)
		return bad(p, "text after 'end'");
	if (aipkg_slice_eq(line, "end")) {
		p->ended = true;
		return 0;
	}
	if (!aipkg_slice_split(&line, ':', &key) || !key.len)
		return bad(p, "not 'key: value'");
	if (line.len && line.ptr[0] == ' ') {
		line.ptr++;
		line.len--;
	}
	f = field_find(key);
	if (!f)
		return 0; /* a key from a newer aipkg */
	r = parse_value(p, f, line, &v);
	return r < 0 ? r : store_value(p, f, v);
}

static int check_entry(struct parser *p)
{
	const char *status = json_string_value(json_object_get(p->entry, "status"));

	p->line = 0;
	if (!p->ended)
		return bad(p, "truncated: no 'end' line");
	for (size_t i = 0; i < NFIELDS; i++)
		if (jfields[i].required && !json_object_get(p->entry, jfields[i].member))
			return bad(p, "no '%s'", jfields[i].key);
	if (json_integer_value(json_object_get(p->entry, "id")) < 1)
		return bad(p, "'id' must be 1 or more");
	if (!one_of(status, jstatuses, sizeof(jstatuses) / sizeof(jstatuses[0])))
		return bad(p, "unknown status '%s'", status);
	if (aipkg_jentry_parse_time(json_string_value(json_object_get(p->entry, "time"))) < 0)
		return bad(p, "'time' is not YYYY-MM-DDTHH:MM:SSZ");
	return 0;
}

/* Whether TEXT has its "end" line: a file cut short by a crash or a full
 * disk is told from a hand-edited one by its missing end. */
static bool has_end(const char *text, size_t len)
{
	struct aipkg_slice in = { text, len }, line;

	while (aipkg_slice_next_line(&in, &line))
		if (aipkg_slice_eq(aipkg_slice_trim(line), "end"))
			return true;
	return false;
}

static void say_truncated(struct parser *p, const char *text, size_t len)
{
	char *reason;

	if (has_end(text, len) || strncmp(aipkg_buf_str(p->why), "truncated", 9) == 0)
		return;
	reason = strdup(aipkg_buf_str(p->why));
	aipkg_buf_reset(p->why);
	aipkg_buf_addf(p->why, "truncated (no 'end' line); %s", reason ? reason : "");
	free(reason);
}

int aipkg_jentry_parse(const char *text, size_t len, json_t **entry, struct aipkg_buf *why)
{
	struct parser p = { json_object(), why, 0, false };
	struct aipkg_slice in = { text, len }, line;
	int r = 0;

	*entry = NULL;
	if (!p.entry)
		return -ENOMEM;
	if (memchr(text, '\0', len))
		r = bad(&p, "binary data");
	while (r == 0 && aipkg_slice_next_line(&in, &line)) {
		p.line++;
		r = parse_line(&p, line);
	}
	if (r == 0)
		r = check_entry(&p);
	if (r == -AIPKG_E_CORRUPT)
		say_truncated(&p, text, len);
	if (r < 0)
		json_decref(p.entry);
	else
		*entry = p.entry;
	return r;
}

/*
 * Times and command lines.
 */

void aipkg_jentry_now(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long long aipkg_jentry_parse_time(const char *text)
{
	static const char *const formats[] = {
		"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
	};

	for (size_t i = 0; text && i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct tm tm;
		const char *end;

		memset(&tm, 0, sizeof(tm));
		end = strptime(text, formats[i], &tm);
		if (end && !*end)
			return (long long)timegm(&tm);
	}
	return -1;
}

/* Words a shell takes as they are. */
static bool word_plain(const char *s)
{
	return *s && !s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_@%+=:,./-")];
}

static int put_quoted(struct aipkg_buf *b, const char *s)
{
	int r = aipkg_buf_addch(b, '\'');

	for (; *s && r == 0; s++)
		r = *s == '\'' ? aipkg_buf_addstr(b, "'\\''") : aipkg_buf_addch(b, *s);
	return r ? r : aipkg_buf_addch(b, '\'');
}

char *aipkg_jentry_argv_line(const json_t *argv)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const json_t *w;
	size_t i;
	int r = 0;

	json_array_foreach(argv, i, w) {
		const char *s = json_string_value(w);

		if (!s)
			continue;
		if (b.len)
			r = aipkg_buf_addch(&b, ' ');
		if (r == 0)
			r = word_plain(s) ? aipkg_buf_addstr(&b, s) : put_quoted(&b, s);
		if (r < 0) {
			aipkg_buf_release(&b);
			return NULL;
		}
	}
	return aipkg_buf_detach(&b);
}

bool aipkg_jentry_status_is(const json_t *entry, const char *s)
{
	const char *status = json_string_value(json_object_get(entry, "status"));

	return status && strcmp(status, s) == 0;
}

/*
 * What a rollback takes from an entry to apk.
 */

#define unsafe(why, ...) aipkg_buf_fail((why), -AIPKG_E_CORRUPT, __VA_ARGS__)

/* The text of S as a message may quote it: escaped, cut short. */
static const char *quoted(const char *s, char *buf, size_t size)
{
	aipkg_term_escape(buf, size, s ? s : "", s ? strlen(s) : 0);
	return buf;
}

/* A version as the journal records it: what apk prints (apk 2's looser
 * versions included), never anything a path, an option or a second
 * argument could be made of. */
static bool version_plain(const char *v)
{
	if (!v || !*v || strlen(v) > 128 || !isalnum((unsigned char)v[0]))
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-+~", *p))
			return false;
	return true;
}

static int check_atoms(const json_t *list, const char *key, struct aipkg_buf *why)
{
	const json_t *v;
	struct aipkg_dep dep;
	char q[160];
	size_t i;

	json_array_foreach(list, i, v)
		if (aipkg_atom_check(json_string_value(v), &dep) < 0)
			return unsafe(why, "%s: '%s' is not a package name or constraint", key,
				      quoted(json_string_value(v), q, sizeof(q)));
	return 0;
}

/* The packages of LIST ({"name", VERSION_KEYS...}). */
static int check_pkgs(const json_t *list, const char *key, const char *const *versions,
		      struct aipkg_buf *why)
{
	const json_t *p;
	char q[160];
	size_t i;

	json_array_foreach(list, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (!name || !aipkg_name_valid(aipkg_slice_str(name)))
			return unsafe(why, "%s: '%s' is not a package name", key,
				      quoted(name, q, sizeof(q)));
		for (const char *const *k = versions; *k; k++) {
			const json_t *v = json_object_get(p, *k);

			if (v && !json_is_null(v) && !version_plain(json_string_value(v)))
				return unsafe(why, "%s: %s: '%s' is not a version", key, name,
					      quoted(json_string_value(v), q, sizeof(q)));
		}
	}
	return 0;
}

int aipkg_jentry_check_apk_input(const json_t *entry, struct aipkg_buf *why)
{
	static const char *const change_versions[] = { "from", "to", NULL };
	static const char *const pkg_versions[] = { "version", NULL };
	int r = check_atoms(json_object_get(entry, "world_before"), "world-before", why);

	if (r == 0)
		r = check_atoms(json_object_get(entry, "world_after"), "world-after", why);
	if (r == 0)
		r = check_pkgs(json_object_get(entry, "changes"), "change", change_versions, why);
	if (r == 0)
		r = check_pkgs(json_object_get(entry, "planned"), "planned", change_versions, why);
	if (r == 0)
		r = check_pkgs(json_object_get(entry, "kept"), "kept", pkg_versions, why);
	if (r == 0)
		r = check_pkgs(json_object_get(entry, "unkept"), "unkept", pkg_versions, why);
	return r;
}
