/* Alpine's secdb: checking the JSON with jansson, compiling it to aipkg's index, lookups. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "aipkg/error.h"
#include "aipkg/term.h"
#include "apk/pkg.h"
#include "apk/version.h"
#include "vuln/secdb.h"

#define INDEX_MAGIC "aipkg-secdb-index 1"
#define ID_MAX	    64

void aipkg_secdb_init(struct aipkg_secdb *db)
{
	memset(db, 0, sizeof(*db));
}

void aipkg_secdb_release(struct aipkg_secdb *db)
{
	for (size_t i = 0; i < db->ntexts; i++)
		free(db->texts[i]);
	free(db->texts);
	free(db->fixes);
	memset(db, 0, sizeof(*db));
}

/* ---- ids ---- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* "CVE-2017-12122" or the typo "CVE_2019-2426" (any case) as CVE-YYYY-N. */
static bool cve_token(struct aipkg_slice t, struct aipkg_buf *out)
{
	const char *p = t.ptr;

	if (t.len < 13 || t.len > ID_MAX || strncasecmp(p, "CVE", 3) != 0 ||
	    (p[3] != '-' && p[3] != '_') || !all_digits(p + 4, 4) || (p[8] != '-' && p[8] != '_') ||
	    !all_digits(p + 9, t.len - 9))
		return false;
	aipkg_buf_addf(out, "%sCVE-%.4s-%.*s", out->len ? " " : "", p + 4, (int)(t.len - 9), p + 9);
	return true;
}

/* Another advisory id: XSA-247, TALOS-2017-0488, GHSA-...: a letter first,
 * a digit somewhere, nothing but letters, digits and "-_.:". */
static bool other_token(struct aipkg_slice t)
{
	bool digit = false;

	if (!t.len || t.len > ID_MAX || !isalpha((unsigned char)t.ptr[0]))
		return false;
	for (size_t i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.ptr[i];

		if (!isalnum(c) && !strchr("-_.:", c))
			return false;
		digit |= isdigit(c) != 0;
	}
	return digit;
}

static bool next_token(const char **s, struct aipkg_slice *t)
{
	static const char seps[] = " \t\r\n(),;[]";

	*s += strspn(*s, seps);
	t->ptr = *s;
	t->len = strcspn(*s, seps);
	*s += t->len;
	return t->len > 0;
}

size_t aipkg_secdb_ids(const char *entry, struct aipkg_buf *out)
{
	struct aipkg_slice t, other = {NULL, 0};
	const char *s = entry;
	size_t n = 0;

	while (next_token(&s, &t)) {
		if (cve_token(t, out))
			n++;
		else if (!other.ptr && other_token(t))
			other = t;
	}
	if (n == 0 && other.ptr) {
		aipkg_buf_addf(out, "%s%.*s", out->len ? " " : "", (int)other.len, other.ptr);
		n = 1;
	}
	return n;
}

bool aipkg_secdb_ids_has(const char *ids, struct aipkg_slice id)
{
	for (const char *p = ids; *p;) {
		size_t len = strcspn(p, " ");

		if (len == id.len && memcmp(p, id.ptr, len) == 0)
			return true;
		p += len + (p[len] == ' ');
	}
	return false;
}

/* ---- compiling the JSON ---- */

struct compiler {
	struct aipkg_buf body;
	struct aipkg_buf *why;
	size_t packages;
	size_t skipped;
	char example[160];
};

#define shape_error(c, ...) aipkg_buf_fail((c)->why, -AIPKG_E_CORRUPT, __VA_ARGS__)

/* The first skipped key is kept for messages, escaped: it goes into the
 * index header, one line, and a newline in it (JSON allows one in a key)
 * made that index unreadable for ever. */
static void skip_invalid(struct compiler *c, const char *origin, const char *version)
{
	char raw[160];
	int n;

	if (c->skipped++)
		return;
	n = snprintf(raw, sizeof(raw), "%.64s %.64s", origin, version);
	aipkg_term_escape(c->example, sizeof(c->example), raw,
			  n < 0 ? 0 : (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1);
}

/* One "VERSION": ["ID", ...] of ORIGIN (entry I). */
static int compile_fix(struct compiler *c, size_t i, const char *origin, const char *version,
		       json_t *list)
{
	struct aipkg_buf ids = AIPKG_BUF_INIT;
	json_t *id;
	size_t k;
	int r = 0;

	if (!json_is_array(list))
		return shape_error(c, "packages[%zu].pkg.secfixes.%s: not a list of ids", i,
				   version);
	json_array_foreach(list, k, id)
	{
		if (!json_is_string(id)) {
			r = shape_error(c, "packages[%zu].pkg.secfixes.%s[%zu]: not a string", i,
					version, k);
			break;
		}
		aipkg_secdb_ids(json_string_value(id), &ids);
	}
	if (r == 0 && ids.len &&
	    aipkg_buf_addf(&c->body, "%s\t%s\t%s\n", origin, version, aipkg_buf_str(&ids)) < 0)
		r = -ENOMEM;
	aipkg_buf_release(&ids);
	return r;
}

static bool version_usable(const char *v)
{
	return strcmp(v, "0") == 0 || aipkg_version_validate(aipkg_slice_str(v));
}

static int compile_package(struct compiler *c, size_t i, json_t *entry)
{
	json_t *pkg = json_object_get(entry, "pkg"), *name, *fixes, *list;
	const char *origin, *version;
	int r = 0;

	if (!json_is_object(pkg))
		return shape_error(c, "packages[%zu]: no \"pkg\" object", i);
	name = json_object_get(pkg, "name");
	fixes = json_object_get(pkg, "secfixes");
	if (!json_is_string(name))
		return shape_error(c, "packages[%zu].pkg.name: not a string", i);
	if (fixes && !json_is_object(fixes) && !json_is_null(fixes))
		return shape_error(c, "packages[%zu].pkg.secfixes: not an object", i);
	origin = json_string_value(name);
	c->packages++;
	json_object_foreach(fixes, version, list)
	{
		if (!aipkg_name_valid(aipkg_slice_str(origin)) || !version_usable(version))
			skip_invalid(c, origin, version);
		else
			r = compile_fix(c, i, origin, version, list);
		if (r < 0)
			break;
	}
	return r;
}

struct named {
	const char *name;
	size_t i;
};

static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The entries of PACKAGES ordered by name, so the index comes out sorted. */
static struct named *sorted_entries(json_t *packages)
{
	size_t n = json_array_size(packages);
	struct named *v = calloc(n + 1, sizeof(*v));
	json_t *e;
	size_t i;

	if (!v)
		return NULL;
	json_array_foreach(packages, i, e)
	{
		const char *name =
		    json_string_value(json_object_get(json_object_get(e, "pkg"), "name"));

		v[i].name = name ? name : "";
		v[i].i = i;
	}
	qsort(v, n, sizeof(*v), by_name);
	return v;
}

static int compile_packages(struct compiler *c, json_t *packages)
{
	struct named *order = sorted_entries(packages);
	int r = order ? 0 : -ENOMEM;

	for (size_t k = 0; r == 0 && k < json_array_size(packages); k++)
		r = compile_package(c, order[k].i, json_array_get(packages, order[k].i));
	free(order);
	return r;
}

static int compile_root(struct compiler *c, json_t *root)
{
	json_t *packages;

	if (!json_is_object(root))
		return shape_error(c, "%s", "not a secdb file: the document is not a JSON object");
	packages = json_object_get(root, "packages");
	if (!json_is_array(packages))
		return shape_error(c, "%s", "not a secdb file: no \"packages\" list");
	return compile_packages(c, packages);
}

int aipkg_secdb_compile(const char *json, size_t len, const char *stamp, struct aipkg_buf *out,
			struct aipkg_buf *why)
{
	struct compiler c = {AIPKG_BUF_INIT, why, 0, 0, ""};
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	int r;

	if (!root)
		return shape_error(&c, "not valid JSON: line %d: %s", jerr.line, jerr.text);
	r = compile_root(&c, root);
	json_decref(root);
	if (r == 0)
		r = aipkg_buf_addf(out, "%s\nstamp %s\npackages %zu\nskipped %zu %s\n\n%s",
				   INDEX_MAGIC, stamp, c.packages, c.skipped, c.example,
				   aipkg_buf_str(&c.body));
	aipkg_buf_release(&c.body);
	return r;
}

/* ---- loading the index ---- */

static int add_fix(struct aipkg_secdb *db, char *line)
{
	char *ver = strchr(line, '\t'), *ids = ver ? strchr(ver + 1, '\t') : NULL;

	if (!ids || ver == line || ids == ver + 1 || !ids[1] || strchr(ids + 1, '\t'))
		return -AIPKG_E_CORRUPT;
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 4096;
		struct aipkg_secfix *v = realloc(db->fixes, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		db->fixes = v;
		db->cap = cap;
	}
	*ver++ = '\0';
	*ids++ = '\0';
	db->fixes[db->n++] = (struct aipkg_secfix){line, ver, ids};
	return 0;
}

static int header_line(struct aipkg_secdb *db, char *line, const char *want_stamp)
{
	char example[160] = "";
	size_t n;
	int o = 0;

	if (strncmp(line, "stamp ", 6) == 0)
		return want_stamp && strcmp(line + 6, want_stamp) != 0 ? -ESTALE : 0;
	if (sscanf(line, "packages %zu", &n) == 1) {
		db->packages += n;
		return 0;
	}
	if (sscanf(line, "skipped %zu %n", &n, &o) >= 1) {
		if (n && !db->skipped_invalid && o)
			snprintf(example, sizeof(example), "%s", line + o);
		if (example[0])
			memcpy(db->skipped_example, example, sizeof(example));
		db->skipped_invalid += n;
	}
	return 0; /* unknown keys are for later versions */
}

static int add_text(struct aipkg_secdb *db, char *text)
{
	char **v = realloc(db->texts, (db->ntexts + 1) * sizeof(*v));

	if (!v) {
		free(text);
		return -ENOMEM;
	}
	db->texts = v;
	db->texts[db->ntexts++] = text;
	return 0;
}

static int parse_index(struct aipkg_secdb *db, char *text, const char *want_stamp)
{
	bool header = true;
	char *line = text, *nl;
	int r = 0;

	if (strncmp(text, INDEX_MAGIC "\n", sizeof(INDEX_MAGIC)) != 0)
		return -AIPKG_E_CORRUPT;
	for (line = strchr(text, '\n') + 1; r == 0 && *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			return -AIPKG_E_CORRUPT; /* a truncated last line */
		*nl = '\0';
		if (header && !*line)
			header = false;
		else
			r = header ? header_line(db, line, want_stamp) : add_fix(db, line);
	}
	return r == 0 && header ? -AIPKG_E_CORRUPT : r;
}

int aipkg_secdb_add_index(struct aipkg_secdb *db, char *text, size_t len, const char *want_stamp)
{
	size_t n0 = db->n, p0 = db->packages, s0 = db->skipped_invalid;
	int r = add_text(db, text);

	if (r == 0 && strlen(text) != len)
		r = -AIPKG_E_CORRUPT;
	if (r == 0)
		r = parse_index(db, text, want_stamp);
	if (r < 0) { /* as it was */
		db->n = n0;
		db->packages = p0;
		db->skipped_invalid = s0;
	}
	return r;
}

static int by_origin(const void *a, const void *b)
{
	const struct aipkg_secfix *x = a, *y = b;
	/* the order among one origin's fixes does not matter to matching */
	return strcmp(x->origin, y->origin);
}

static bool is_sorted(const struct aipkg_secdb *db)
{
	for (size_t i = 1; i < db->n; i++)
		if (strcmp(db->fixes[i - 1].origin, db->fixes[i].origin) > 0)
			return false;
	return true;
}

void aipkg_secdb_finish(struct aipkg_secdb *db)
{
	/* one compiled file is sorted already; two need sorting together */
	if (!is_sorted(db))
		qsort(db->fixes, db->n, sizeof(*db->fixes), by_origin);
}

const struct aipkg_secfix *aipkg_secdb_find(const struct aipkg_secdb *db, const char *origin,
					    size_t *n)
{
	size_t lo = 0, hi = db->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(db->fixes[mid].origin, origin) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < db->n && strcmp(db->fixes[end].origin, origin) == 0; end++)
		;
	*n = end - lo;
	return *n ? &db->fixes[lo] : NULL;
}
