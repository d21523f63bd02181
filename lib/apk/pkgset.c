/* apk's package records (installed db, APKINDEX): a zero-copy parser and a name index. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aipkg/error.h"
#include "apk/pkg.h"
#include "apk/version.h"

/* What every absent list points at, so callers may always walk v[]. */
static const char *pkgset_no_tokens[1] = {NULL};

struct pkgset_parser {
	struct aipkg_pkgset *set;
	struct aipkg_pkg *pkg; /* the record being read, NULL between records */
	size_t line;
	size_t rec_line; /* where the current record began */
	int repo;
};

void aipkg_pkgset_init(struct aipkg_pkgset *set)
{
	memset(set, 0, sizeof(*set));
}

void aipkg_pkgset_release(struct aipkg_pkgset *set)
{
	for (size_t i = 0; i < set->ntexts; i++)
		free(set->texts[i]);
	free(set->texts);
	for (size_t i = 0; i < set->nmaps; i++)
		munmap(set->maps[i].addr, set->maps[i].len);
	free(set->maps);
	free(set->pkgs);
	free(set->tokens);
	free(set->hash);
	free(set->phash);
	aipkg_pkgset_init(set);
}

/*
 * The token pool may move while a parse appends to it, so during a parse
 * every list holds its offset in the pool instead of a pointer; these two
 * convert all lists of the set between the forms.
 */
static void strv_to_offset(const struct aipkg_pkgset *set, struct aipkg_strv *sv)
{
	if (sv->n)
		sv->v = (const char **)(uintptr_t)(sv->v - set->tokens);
}

static void strv_to_pointer(const struct aipkg_pkgset *set, struct aipkg_strv *sv)
{
	sv->v = sv->n ? set->tokens + (uintptr_t)sv->v : pkgset_no_tokens;
}

static void pkgset_lists_map(struct aipkg_pkgset *set,
			     void (*fn)(const struct aipkg_pkgset *, struct aipkg_strv *))
{
	for (size_t i = 0; i < set->n; i++) {
		fn(set, &set->pkgs[i].depends);
		fn(set, &set->pkgs[i].provides);
		fn(set, &set->pkgs[i].install_if);
	}
}

static int pkgset_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Take ownership of TEXT, making it end in '\n' (growing it by one byte
 * when it does not), so the line scan never needs a bounds check. */
static char *pkgset_own_text(struct aipkg_pkgset *set, char *text, size_t *len)
{
	char **texts = realloc(set->texts, (set->ntexts + 1) * sizeof(*texts));
	char *t = text;

	if (texts)
		set->texts = texts;
	if (texts && (*len == 0 || text[*len - 1] != '\n'))
		t = realloc(text, *len + 1);
	if (!texts || !t) {
		free(text);
		return NULL;
	}
	if (*len == 0 || t[*len - 1] != '\n')
		t[(*len)++] = '\n';
	set->texts[set->ntexts++] = t;
	return t;
}

int aipkg_pkgset_reserve(struct aipkg_pkgset *set, size_t npkgs, size_t ntokens)
{
	size_t cap = set->cap;
	int r;

	if (npkgs > SIZE_MAX / 2 - set->n || ntokens > SIZE_MAX / 2 - set->ntokens)
		return -AIPKG_E_TOOBIG;
	if (pkgset_grow((void **)&set->pkgs, &cap, set->n + npkgs, sizeof(*set->pkgs)) < 0)
		return -ENOMEM;
	set->cap = cap;
	/* the pool may move: lists hold offsets while it does */
	pkgset_lists_map(set, strv_to_offset);
	r = pkgset_grow((void **)&set->tokens, &set->tokens_cap, set->ntokens + ntokens,
			sizeof(*set->tokens));
	pkgset_lists_map(set, strv_to_pointer);
	return r;
}

int aipkg_pkgset_adopt_map(struct aipkg_pkgset *set, void *addr, size_t len)
{
	struct aipkg_pkgset_map *v = realloc(set->maps, (set->nmaps + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	set->maps = v;
	v[set->nmaps].addr = addr;
	v[set->nmaps++].len = len;
	return 0;
}

static int pkgset_record_begin(struct pkgset_parser *ps)
{
	struct aipkg_pkgset *set = ps->set;
	struct aipkg_pkg *pkg;
	size_t cap = set->cap;

	if (pkgset_grow((void **)&set->pkgs, &cap, set->n + 1, sizeof(*set->pkgs)) < 0)
		return -ENOMEM;
	set->cap = cap;
	pkg = &set->pkgs[set->n++];
	memset(pkg, 0, sizeof(*pkg));
	pkg->name = pkg->version = pkg->arch = pkg->description = "";
	pkg->url = pkg->license = pkg->origin = pkg->maintainer = "";
	pkg->commit = pkg->checksum = pkg->tag = "";
	pkg->repo = ps->repo;
	ps->pkg = pkg;
	ps->rec_line = ps->line;
	return 0;
}

static int pkgset_record_end(struct pkgset_parser *ps)
{
	struct aipkg_pkg *pkg = ps->pkg;

	if (!pkg)
		return 0;
	if (!pkg->name[0] || !pkg->version[0]) {
		ps->line = ps->rec_line;
		return -AIPKG_E_CORRUPT;
	}
	ps->pkg = NULL;
	if (!pkg->origin[0])
		pkg->origin = pkg->name;
	return 0;
}

static int pkgset_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -AIPKG_E_CORRUPT;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -AIPKG_E_CORRUPT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Split VALUE on spaces in place into the pool; SV gets the pool offset. */
static int pkgset_tokens(struct aipkg_pkgset *set, char *value, struct aipkg_strv *sv)
{
	size_t start = set->ntokens;
	char *p = value;

	for (;;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (pkgset_grow((void **)&set->tokens, &set->tokens_cap, set->ntokens + 2,
				sizeof(*set->tokens)) < 0)
			return -ENOMEM;
		set->tokens[set->ntokens++] = p;
		p += strcspn(p, " ");
	}
	sv->n = set->ntokens - start;
	sv->v = (const char **)(uintptr_t)start;
	if (sv->n)
		set->tokens[set->ntokens++] = NULL;
	return 0;
}

/* Where each string key's value goes: offset in the package, plus one so
 * that 0 means "not a string key". */
#define PKGSET_STR(field) (offsetof(struct aipkg_pkg, field) + 1)
static const size_t pkgset_strings[128] = {
    ['P'] = PKGSET_STR(name),	     ['V'] = PKGSET_STR(version),    ['A'] = PKGSET_STR(arch),
    ['T'] = PKGSET_STR(description), ['U'] = PKGSET_STR(url),	     ['L'] = PKGSET_STR(license),
    ['o'] = PKGSET_STR(origin),	     ['m'] = PKGSET_STR(maintainer), ['c'] = PKGSET_STR(commit),
    ['C'] = PKGSET_STR(checksum),    ['s'] = PKGSET_STR(tag),
};

/* Cut VALUE (LEN bytes) to at most MAX, on a UTF-8 character boundary. */
static void pkgset_cut_text(char *value, size_t len, size_t max)
{
	if (len <= max)
		return;
	while (max && ((unsigned char)value[max] & 0xc0) == 0x80)
		max--;
	value[max] = '\0';
}

/* Cut a list (LEN bytes) to at most MAX, at the last blank before it, so
 * no entry is cut in half. */
static void pkgset_cut_list(char *value, size_t len, size_t max)
{
	if (len <= max)
		return;
	while (max && value[max] != ' ')
		max--;
	value[max] = '\0';
}

static int pkgset_field(struct pkgset_parser *ps, unsigned char key, char *value, size_t len)
{
	struct aipkg_pkg *pkg = ps->pkg;
	size_t off = key < 128 ? pkgset_strings[key] : 0;

	if (key == 'T' || key == 'U' || key == 'L' || key == 'm')
		pkgset_cut_text(value, len, AIPKG_TEXT_FIELD_MAX);
	else if (key == 'D' || key == 'p' || key == 'i')
		pkgset_cut_list(value, len, AIPKG_LIST_FIELD_MAX);
	if (off) {
		*(const char **)((char *)pkg + off - 1) = value;
		return 0;
	}
	switch (key) {
	case 'R':
		pkg->nfiles++;
		return 0;
	case 'S':
		return pkgset_number(value, &pkg->size);
	case 'I':
		return pkgset_number(value, &pkg->installed_size);
	case 't':
		return pkgset_number(value, &pkg->build_time);
	case 'k':
		/* apk reads the leading digits and ignores the rest */
		pkg->provider_priority = strtoull(value, NULL, 10);
		return 0;
	case 'D':
		return pkgset_tokens(ps->set, value, &pkg->depends);
	case 'p':
		return pkgset_tokens(ps->set, value, &pkg->provides);
	case 'i':
		return pkgset_tokens(ps->set, value, &pkg->install_if);
	default:
		/* F Z a M r q ... and keys of future apk versions */
		return 0;
	}
}

static int pkgset_line(struct pkgset_parser *ps, char *line, size_t len)
{
	int r;

	if (len == 0)
		return pkgset_record_end(ps);
	if (len < 2 || line[1] != ':')
		return -AIPKG_E_CORRUPT;
	if (!ps->pkg && (r = pkgset_record_begin(ps)) < 0)
		return r;
	return pkgset_field(ps, (unsigned char)line[0], line + 2, len - 2);
}

static int pkgset_parse_text(struct pkgset_parser *ps, char *text, size_t len)
{
	char *p = text, *end = text + len;
	int r = 0;

	/* the last byte is a '\n' (see pkgset_own_text), so memchr finds one */
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		*nl = '\0';
		ps->line++;
		r = pkgset_line(ps, p, (size_t)(nl - p));
		if (r < 0)
			return r;
		p = nl + 1;
	}
	return pkgset_record_end(ps);
}

int aipkg_pkgset_parse(struct aipkg_pkgset *set, char *text, size_t len, int repo, size_t *bad_line)
{
	struct pkgset_parser ps = {set, NULL, 0, 0, repo};
	int r;

	if (bad_line)
		*bad_line = 0;
	text = pkgset_own_text(set, text, &len);
	if (!text)
		return -ENOMEM;
	pkgset_lists_map(set, strv_to_offset);
	r = pkgset_parse_text(&ps, text, len);
	if (r < 0 && ps.pkg)
		set->n--; /* the half-read record */
	pkgset_lists_map(set, strv_to_pointer);
	if (r < 0 && bad_line)
		*bad_line = ps.line;
	return r;
}

static uint32_t pkgset_hash_len(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static uint32_t pkgset_hash(const char *s)
{
	return pkgset_hash_len(s, strlen(s));
}

/* The name part of a p: entry ("so:libz.so.1=1.3.1" -> 12 bytes). */
static size_t pkgset_entry_name_len(const char *entry)
{
	return strcspn(entry, "=");
}

/* A table of at least twice N slots, zeroed. */
static int pkgset_table(uint32_t **tab, size_t *cap, size_t n)
{
	size_t c = 16;

	while (c < n * 2)
		c *= 2;
	free(*tab);
	*tab = calloc(c, sizeof(**tab));
	*cap = *tab ? c : 0;
	return *tab ? 0 : -ENOMEM;
}

static void pkgset_table_put(uint32_t *tab, size_t cap, uint32_t h, size_t i)
{
	h &= (uint32_t)(cap - 1);
	while (tab[h])
		h = (h + 1) & (uint32_t)(cap - 1);
	tab[h] = (uint32_t)i + 1;
}

static int pkgset_index_provides(struct aipkg_pkgset *set)
{
	size_t n = 0;
	int r;

	for (size_t i = 0; i < set->n; i++)
		n += set->pkgs[i].provides.n;
	r = pkgset_table(&set->phash, &set->phash_cap, n);
	for (size_t i = 0; r == 0 && i < set->n; i++) {
		const struct aipkg_strv *pv = &set->pkgs[i].provides;

		for (size_t k = 0; k < pv->n; k++)
			pkgset_table_put(set->phash, set->phash_cap,
					 pkgset_hash_len(pv->v[k], pkgset_entry_name_len(pv->v[k])), i);
	}
	return r;
}

int aipkg_pkgset_index(struct aipkg_pkgset *set)
{
	int r;

	if (set->n >= UINT32_MAX / 4)
		return -AIPKG_E_TOOBIG;
	r = pkgset_table(&set->hash, &set->hash_cap, set->n);
	for (size_t i = 0; r == 0 && i < set->n; i++)
		pkgset_table_put(set->hash, set->hash_cap, pkgset_hash(set->pkgs[i].name), i);
	free(set->phash);
	set->phash = NULL;
	set->phash_cap = 0;
	set->phash_wanted = r == 0;
	return r;
}

/*
 * Call FN for each package named NAME: through the hash when it is built,
 * else by a scan (a set that was never indexed still answers).
 */
static void pkgset_walk(const struct aipkg_pkgset *set, const char *name,
			void (*fn)(const struct aipkg_pkg *pkg, void *ud), void *ud)
{
	size_t mask = set->hash_cap - 1, h;

	if (!set->hash) {
		for (size_t i = 0; i < set->n; i++)
			if (strcmp(set->pkgs[i].name, name) == 0)
				fn(&set->pkgs[i], ud);
		return;
	}
	for (h = pkgset_hash(name) & mask; set->hash[h]; h = (h + 1) & mask) {
		const struct aipkg_pkg *pkg = &set->pkgs[set->hash[h] - 1];

		if (strcmp(pkg->name, name) == 0)
			fn(pkg, ud);
	}
}

void aipkg_pkgset_each_named(const struct aipkg_pkgset *set, const char *name,
			     void (*fn)(const struct aipkg_pkg *pkg, void *ud), void *ud)
{
	if (set && name)
		pkgset_walk(set, name, fn, ud);
}

/* Keep the highest version; on a tie the earlier package (repository). */
static void pkgset_pick_newest(const struct aipkg_pkg *pkg, void *ud)
{
	const struct aipkg_pkg **best = ud;
	int cmp;

	if (!*best) {
		*best = pkg;
		return;
	}
	cmp =
	    aipkg_version_compare(aipkg_slice_str(pkg->version), aipkg_slice_str((*best)->version));
	if (cmp == AIPKG_VER_GREATER || (cmp == AIPKG_VER_EQUAL && pkg < *best))
		*best = pkg;
}

/* Does PKG's p: line offer NAME?  *version gets the version offered. */
static bool pkgset_offers(const struct aipkg_pkg *pkg, struct aipkg_slice name,
			  struct aipkg_slice *version)
{
	for (size_t k = 0; k < pkg->provides.n; k++) {
		const char *e = pkg->provides.v[k];
		size_t len = pkgset_entry_name_len(e);

		if (len == name.len && memcmp(e, name.ptr, len) == 0) {
			*version = aipkg_slice_str(e[len] ? e + len + 1 : e + len);
			return true;
		}
	}
	return false;
}

static int pkgset_index_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct pkgset_offerers {
	uint32_t *v;
	size_t n, cap;
	bool failed;
};

static void offerers_consider(const struct aipkg_pkgset *set, struct aipkg_slice name,
			      uint32_t at, struct pkgset_offerers *o)
{
	struct aipkg_slice ver;
	uint32_t *nv;

	if (o->failed || !pkgset_offers(&set->pkgs[at], name, &ver))
		return;
	if (o->n == o->cap) {
		nv = realloc(o->v, (o->cap ? o->cap * 2 : 8) * sizeof(*nv));
		if (!nv) {
			o->failed = true;
			return;
		}
		o->v = nv;
		o->cap = o->cap ? o->cap * 2 : 8;
	}
	o->v[o->n++] = at;
}

/* The packages offering NAME, by index (unsorted, maybe repeated). */
static void pkgset_offerers(const struct aipkg_pkgset *set, struct aipkg_slice name,
			    struct pkgset_offerers *o)
{
	size_t mask;

	/* the table is built on the first lookup; every set is a variable of
	 * its owner's, so writing through the cast is defined */
	if (set->phash_wanted && !set->phash &&
	    pkgset_index_provides((struct aipkg_pkgset *)set) < 0) {
		free(set->phash);
		((struct aipkg_pkgset *)set)->phash = NULL;
	}
	((struct aipkg_pkgset *)set)->phash_wanted = false;
	mask = set->phash_cap - 1;
	if (!set->phash) {
		for (size_t i = 0; i < set->n; i++)
			offerers_consider(set, name, (uint32_t)i, o);
		return;
	}
	for (size_t h = pkgset_hash_len(name.ptr, name.len) & mask; set->phash[h];
	     h = (h + 1) & mask)
		offerers_consider(set, name, set->phash[h] - 1, o);
}

void aipkg_pkgset_each_provider(const struct aipkg_pkgset *set, struct aipkg_slice name,
				void (*fn)(const struct aipkg_pkg *pkg, struct aipkg_slice version,
					   void *ud),
				void *ud)
{
	struct pkgset_offerers o = { NULL, 0, 0, false };

	if (!set || !name.len)
		return;
	pkgset_offerers(set, name, &o);
	if (o.n > 1)
		qsort(o.v, o.n, sizeof(*o.v), pkgset_index_order);
	for (size_t i = 0; !o.failed && i < o.n; i++) {
		struct aipkg_slice ver;

		if (i && o.v[i] == o.v[i - 1])
			continue;
		pkgset_offers(&set->pkgs[o.v[i]], name, &ver);
		fn(&set->pkgs[o.v[i]], ver, ud);
	}
	free(o.v);
}

const struct aipkg_pkg *aipkg_pkgset_find(const struct aipkg_pkgset *set, const char *name)
{
	const struct aipkg_pkg *best = NULL;

	if (set && name)
		pkgset_walk(set, name, pkgset_pick_newest, &best);
	return best;
}
