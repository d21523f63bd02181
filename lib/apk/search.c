/* Looking packages up in the loaded state: best versions, providers, search. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apk/search.h"
#include "jsonutil.h"
#include "apk/version.h"

const struct aipkg_pkg *aipkg_state_best(const struct aipkg_state *st, const char *name)
{
	return aipkg_pkgset_find(&st->available, name);
}

const struct aipkg_pkg *aipkg_state_installed(const struct aipkg_state *st, const char *name)
{
	return aipkg_pkgset_find(&st->installed, name);
}

static bool set_provides(const struct aipkg_pkgset *set, struct aipkg_slice name)
{
	for (size_t i = 0; i < set->n; i++)
		if (aipkg_pkg_provides(&set->pkgs[i], name, NULL))
			return true;
	return false;
}

bool aipkg_state_provided(const struct aipkg_state *st, struct aipkg_slice name)
{
	return set_provides(&st->available, name) || set_provides(&st->installed, name);
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool name_matches(const char *name, const char *term, unsigned flags)
{
	if (flags & AIPKG_SEARCH_EXACT)
		return strcmp(name, term) == 0;
	if (has_glob(term))
		return fnmatch(term, name, FNM_CASEFOLD) == 0;
	return strcasestr(name, term) != NULL;
}

/* cmd:dig, so:libssl.so.3, pc:zlib: compare with the provided names */
static bool provider_matches(const struct aipkg_pkg *pkg, const char *term)
{
	for (size_t i = 0; i < pkg->provides.n; i++) {
		const char *p = pkg->provides.v[i];
		size_t len = strcspn(p, "=<>~");
		char buf[512];

		if (len >= sizeof(buf))
			continue;
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (has_glob(term) ? fnmatch(term, buf, 0) == 0 : strcmp(buf, term) == 0)
			return true;
	}
	return false;
}

static bool is_provider_term(const char *t)
{
	const char *colon = strchr(t, ':');

	return colon && colon > t && strspn(t, "abcdefghijklmnopqrstuvwxyz") == (size_t)(colon - t);
}

static bool pkg_matches(const struct aipkg_pkg *pkg, char **terms, size_t nterms,
			unsigned flags)
{
	for (size_t i = 0; i < nterms; i++) {
		if (is_provider_term(terms[i])) {
			if (provider_matches(pkg, terms[i]))
				return true;
			continue;
		}
		if (name_matches(pkg->name, terms[i], flags))
			return true;
		if ((flags & AIPKG_SEARCH_DESCRIPTION) && strcasestr(pkg->description, terms[i]))
			return true;
	}
	return false;
}

struct hits {
	const struct aipkg_pkg **v;
	size_t n, cap;
	char **terms;
	size_t nterms;
};

static int hits_add(struct hits *h, const struct aipkg_pkg *pkg)
{
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->v[i]->name, pkg->name) != 0)
			continue;
		if (aipkg_version_compare(aipkg_slice_str(pkg->version),
					  aipkg_slice_str(h->v[i]->version)) == AIPKG_VER_GREATER)
			h->v[i] = pkg;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		const struct aipkg_pkg **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = pkg;
	return 0;
}

static bool is_exact(const struct hits *h, const char *name)
{
	for (size_t i = 0; i < h->nterms; i++)
		if (strcmp(h->terms[i], name) == 0)
			return true;
	return false;
}

static const struct hits *sort_hits;

static int hit_order(const void *a, const void *b)
{
	const struct aipkg_pkg *const *x = a, *const *y = b;
	bool ex = is_exact(sort_hits, (*x)->name), ey = is_exact(sort_hits, (*y)->name);

	if (ex != ey)
		return ex ? -1 : 1;
	return strcmp((*x)->name, (*y)->name);
}

static void split_terms(const char *terms, struct hits *h)
{
	char *copy = strdup(terms), *save = NULL;

	h->terms = NULL;
	h->nterms = 0;
	for (char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL; t;
	     t = strtok_r(NULL, " \t\n", &save)) {
		char **v = realloc(h->terms, (h->nterms + 1) * sizeof(*v));

		if (!v)
			break;
		h->terms = v;
		h->terms[h->nterms++] = strdup(t);
	}
	free(copy);
}

static void scan_set(const struct aipkg_pkgset *set, struct hits *h, unsigned flags)
{
	for (size_t i = 0; i < set->n; i++)
		if (pkg_matches(&set->pkgs[i], h->terms, h->nterms, flags))
			hits_add(h, &set->pkgs[i]);
}

const struct aipkg_pkg **aipkg_search(const struct aipkg_state *st, const char *terms,
				      unsigned flags, size_t *n)
{
	struct hits h = { 0 };

	split_terms(terms, &h);
	scan_set(&st->available, &h, flags);
	scan_set(&st->installed, &h, flags);
	sort_hits = &h;
	if (h.n)
		qsort(h.v, h.n, sizeof(*h.v), hit_order);
	sort_hits = NULL;
	for (size_t i = 0; i < h.nterms; i++)
		free(h.terms[i]);
	free(h.terms);
	*n = h.n;
	if (!h.v)
		h.v = malloc(sizeof(*h.v));
	return h.v;
}

/* Levenshtein distance, capped: names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) !=
							  tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

struct suggestion {
	const char *name;
	size_t score;
};

static int suggestion_order(const void *a, const void *b)
{
	const struct suggestion *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void suggest_from(const struct aipkg_pkgset *set, const char *name,
			 struct suggestion *best, size_t max, size_t *n)
{
	size_t limit = strlen(name) / 3 + 1;

	for (size_t i = 0; i < set->n; i++) {
		const char *cand = set->pkgs[i].name;
		size_t d = distance(name, cand);
		bool dup = false;

		if (d > limit && !(strlen(name) >= 3 && strcasestr(cand, name)))
			continue;
		if (d > limit)
			d = limit + 1 + strlen(cand) - strlen(name);
		for (size_t k = 0; k < *n && !dup; k++)
			dup = strcmp(best[k].name, cand) == 0;
		if (dup)
			continue;
		if (*n < max) {
			best[(*n)++] = (struct suggestion){ cand, d };
		} else if (d < best[max - 1].score) {
			best[max - 1] = (struct suggestion){ cand, d };
		} else {
			continue;
		}
		qsort(best, *n, sizeof(*best), suggestion_order);
	}
}

json_t *aipkg_suggest(const struct aipkg_state *st, const char *name, size_t max)
{
	struct suggestion best[16];
	json_t *out = json_array();
	size_t n = 0;

	if (max > 16)
		max = 16;
	if (max == 0)
		return out;
	suggest_from(&st->available, name, best, max, &n);
	suggest_from(&st->installed, name, best, max, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_string(best[i].name));
	return out;
}

static bool depends_on(const struct aipkg_pkg *user, const struct aipkg_pkg *pkg)
{
	for (size_t i = 0; i < user->depends.n; i++) {
		struct aipkg_dep dep;

		if (aipkg_dep_parse(aipkg_slice_str(user->depends.v[i]), &dep) < 0 || dep.conflict)
			continue;
		if (aipkg_pkg_provides(pkg, dep.name, NULL))
			return true;
	}
	return false;
}

static int name_order(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

json_t *aipkg_required_by(const struct aipkg_state *st, const struct aipkg_pkg *pkg)
{
	json_t *out = json_array();

	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *user = &st->installed.pkgs[i];

		if (strcmp(user->name, pkg->name) != 0 && depends_on(user, pkg))
			json_array_append_new(out, json_string(user->name));
	}
	aipkg_json_sort(out, name_order);
	return out;
}
