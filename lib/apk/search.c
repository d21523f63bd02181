/* Looking packages up in the loaded state: best versions, providers, search. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apk/search.h"
#include "apk/select.h"
#include "apk/version.h"
#include "config.h"
#include "jsonutil.h"

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

/*
 * apk's search (apk-tools 2.14 app_search.c, 3.0 query.c): each term T
 * matches a package whose name or provided name matches the pattern
 * "*T*" (fnmatch, case-blind), so globs are unanchored; with -x the name
 * or a provided name must equal T (a glob in T matches anchored); -d also
 * matches "*T*" against the description, so a term with blanks is a
 * phrase.  apk 2.14's -d looks at names and descriptions, apk 3's at
 * provided names too: aipkg takes the union, and also finds installed
 * packages no index has (apk search reads only the indexes).
 */
/* A pattern?  Searching, "*?[" glob as fnmatch does.  With -x, '*'
 * makes a pattern, '?' only to apk 3 (apk 2 looks the name up as
 * written), '[' to neither. */
static bool has_glob(const char *s, unsigned flags)
{
	if (!(flags & AIPKG_SEARCH_EXACT))
		return strpbrk(s, "*?[") != NULL;
	return strchr(s, '*') || (strchr(s, '?') && aipkg_version_rules() >= 3);
}

/* Rank of a match, best first: the sort key before the name. */
enum hit_rank {
	HIT_NAME_EXACT,
	HIT_PROVIDES_EXACT,
	HIT_NAME_PREFIX,
	HIT_NAME,
	HIT_PROVIDES,
	HIT_DESCRIPTION,
	HIT_NONE,
};

struct term {
	char *text;    /* as given */
	char *pattern; /* "*text*" for fnmatch, or text itself with -x */
	bool glob;     /* text holds * ? or [ */
};

/* Does VALUE[LEN] hold TEXT, case folded as strcasestr() folds it?  In
 * place: a search tries every name and provided name of a real system's
 * 20,000 packages, and strcasestr's set-up per call cost more than the
 * comparisons of these short strings. */
static bool holds_nocase(const char *value, size_t len, const char *text)
{
	size_t n = strlen(text);
	int first = tolower((unsigned char)text[0]);

	if (!n)
		return true;
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (tolower((unsigned char)value[i]) == first && strncasecmp(value + i, text, n) == 0)
			return true;
	return false;
}

static bool text_matches(const char *value, size_t len, const struct term *t, unsigned flags)
{
	char buf[512];

	if (len >= sizeof(buf))
		return false;
	if (!t->glob && !(flags & AIPKG_SEARCH_EXACT))
		return holds_nocase(value, len, t->text);
	memcpy(buf, value, len);
	buf[len] = '\0';
	if (!t->glob)
		return strcmp(buf, t->text) == 0;
	return fnmatch(t->pattern, buf, FNM_CASEFOLD) == 0;
}

/* The best rank at which PKG matches T. */
static enum hit_rank term_rank(const struct aipkg_pkg *pkg, const struct term *t, unsigned flags)
{
	enum hit_rank best = HIT_NONE;

	if (strcmp(pkg->name, t->text) == 0)
		return HIT_NAME_EXACT;
	if (text_matches(pkg->name, strlen(pkg->name), t, flags))
		best = strncasecmp(pkg->name, t->text, strlen(t->text)) == 0 ? HIT_NAME_PREFIX
									   : HIT_NAME;
	for (size_t i = 0; i < pkg->provides.n && best > HIT_PROVIDES_EXACT; i++) {
		const char *p = pkg->provides.v[i];
		size_t len = strcspn(p, "=");

		if (strlen(t->text) == len && strncmp(p, t->text, len) == 0)
			best = HIT_PROVIDES_EXACT;
		else if (best > HIT_PROVIDES && text_matches(p, len, t, flags))
			best = HIT_PROVIDES;
	}
	if (best == HIT_NONE && (flags & AIPKG_SEARCH_DESCRIPTION) &&
	    text_matches(pkg->description, strlen(pkg->description), t, flags & ~AIPKG_SEARCH_EXACT))
		best = HIT_DESCRIPTION;
	return best;
}

struct hit {
	const struct aipkg_pkg *pkg;
	enum hit_rank rank;
};

struct hits {
	struct hit *v;
	size_t n, cap;
	struct term *terms;
	size_t nterms;
	const struct aipkg_state *st;
};

/* Which record of a name to show: one from a repository an untagged
 * dependency may use (or the installed one) before one only a tagged
 * repository has, then the newest. */
static bool record_better(const struct aipkg_state *st, const struct aipkg_pkg *a,
			  const struct aipkg_pkg *b)
{
	const char *ta = a->repo >= 0 ? aipkg_repo_tag(st, a->repo) : NULL;
	const char *tb = b->repo >= 0 ? aipkg_repo_tag(st, b->repo) : NULL;

	if (!ta != !tb)
		return !ta;
	return aipkg_version_compare(aipkg_slice_str(a->version), aipkg_slice_str(b->version)) ==
	       AIPKG_VER_GREATER;
}

/* Every matching record; hits_merge() keeps one per name. */
static int hits_add(struct hits *h, const struct aipkg_pkg *pkg, enum hit_rank rank)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		struct hit *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = (struct hit){ pkg, rank };
	return 0;
}

static int hit_by_name(const void *a, const void *b)
{
	return strcmp(((const struct hit *)a)->pkg->name, ((const struct hit *)b)->pkg->name);
}

/* One hit per name: the record to show, the best rank of its records. */
static void hits_merge(struct hits *h)
{
	size_t out = 0;

	if (h->n > 1)
		qsort(h->v, h->n, sizeof(*h->v), hit_by_name);
	for (size_t i = 0; i < h->n; i++) {
		struct hit *keep = out ? &h->v[out - 1] : NULL;

		if (!keep || strcmp(keep->pkg->name, h->v[i].pkg->name) != 0) {
			h->v[out++] = h->v[i];
			continue;
		}
		if (record_better(h->st, h->v[i].pkg, keep->pkg))
			keep->pkg = h->v[i].pkg;
		if (h->v[i].rank < keep->rank)
			keep->rank = h->v[i].rank;
	}
	h->n = out;
}

static int hit_order(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->pkg->name, y->pkg->name);
}

static void scan_set(const struct aipkg_pkgset *set, struct hits *h, unsigned flags)
{
	for (size_t i = 0; i < set->n; i++) {
		enum hit_rank best = HIT_NONE;

		for (size_t k = 0; k < h->nterms; k++) {
			enum hit_rank r = term_rank(&set->pkgs[i], &h->terms[k], flags);

			if (r < best)
				best = r;
		}
		if (best != HIT_NONE)
			hits_add(h, &set->pkgs[i], best);
	}
}

static int term_init(struct term *t, const char *text, size_t len, unsigned flags)
{
	t->text = strndup(text, len);
	t->glob = t->text && has_glob(t->text, flags);
	t->pattern = NULL;
	if (t->text && t->glob && asprintf(&t->pattern, (flags & AIPKG_SEARCH_EXACT) ? "%s" : "*%s*",
					   t->text) < 0)
		t->pattern = NULL;
	return t->text && (!t->glob || t->pattern) ? 0 : -1;
}

int aipkg_search_split(const char *query, char ***terms, size_t *n)
{
	const char *p = query;
	char **v = NULL;

	*terms = NULL;
	*n = 0;
	for (;;) {
		size_t len;
		char **nv;

		p += strspn(p, " \t\n");
		if (!*p)
			break;
		if (*p == '"') {
			/* a double-quoted phrase is one term */
			len = strcspn(++p, "\"");
		} else {
			len = strcspn(p, " \t\n");
		}
		nv = realloc(v, (*n + 2) * sizeof(*v));
		if (!nv || !(nv[*n] = strndup(p, len))) {
			aipkg_strv_free(nv ? nv : v, *n);
			*n = 0;
			return -ENOMEM;
		}
		v = nv;
		v[++*n] = NULL;
		p += len;
		if (*p == '"')
			p++;
	}
	*terms = v;
	return 0;
}

/*
 * apk 2.10 and 2.12 (before 2.14.0) searched otherwise (app_search.c,
 * database.c of 2.12.14): a term is "*T*" (with -x: T, a glob only when
 * some term holds '*'), matched case-sensitively against every name of
 * the database, package names and provided names alike; each name that
 * matches shows one package: of its providers in the order apk met
 * them, each one whose provided version is higher than the package
 * version of the one before (legacy_higher()).  -d matched
 * the phrase in descriptions and package names (strstr, case kept).
 */
struct legacy_entry {
	const char *name; /* a package name or a provided name, NAMELEN long */
	size_t namelen;
	const char *ver;  /* the version it has or provides; NULL when none */
	size_t verlen;
	const struct aipkg_pkg *pkg;
	size_t seq;       /* the order apk met it in */
	enum hit_rank rank;
};

struct legacy {
	struct legacy_entry *v;
	size_t n, cap;
	char **pattern; /* one per term */
	bool glob;
};

static bool legacy_matches(const struct legacy *l, const struct hits *h, const char *name,
			   size_t len, enum hit_rank *rank, bool provided)
{
	char buf[512];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (size_t k = 0; k < h->nterms; k++) {
		const char *text = h->terms[k].text;

		if (l->glob ? fnmatch(l->pattern[k], buf, 0) != 0 : strcmp(buf, text) != 0)
			continue;
		if (strcmp(buf, text) == 0)
			*rank = provided ? HIT_PROVIDES_EXACT : HIT_NAME_EXACT;
		else if (provided)
			*rank = HIT_PROVIDES;
		else
			*rank = strncmp(buf, text, strlen(text)) == 0 ? HIT_NAME_PREFIX : HIT_NAME;
		return true;
	}
	return false;
}

static int legacy_add(struct legacy *l, struct legacy_entry e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct legacy_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	e.seq = l->n;
	l->v[l->n++] = e;
	return 0;
}

static int legacy_scan(struct legacy *l, const struct hits *h, const struct aipkg_pkgset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct aipkg_pkg *pkg = &set->pkgs[i];
		enum hit_rank rank;

		if (legacy_matches(l, h, pkg->name, strlen(pkg->name), &rank, false) &&
		    legacy_add(l, (struct legacy_entry){ pkg->name, strlen(pkg->name), pkg->version,
							 strlen(pkg->version), pkg, 0, rank }) < 0)
			return -1;
		for (size_t k = 0; k < pkg->provides.n; k++) {
			const char *p = pkg->provides.v[k], *eq = strchr(p, '=');
			size_t len = eq ? (size_t)(eq - p) : strlen(p);

			if (legacy_matches(l, h, p, len, &rank, true) &&
			    legacy_add(l, (struct legacy_entry){ p, len, eq ? eq + 1 : NULL,
								 eq ? strlen(eq + 1) : 0, pkg, 0,
								 rank }) < 0)
				return -1;
		}
	}
	return 0;
}

static int legacy_order(const void *a, const void *b)
{
	const struct legacy_entry *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c = memcmp(x->name, y->name, n);

	if (c)
		return c;
	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* apk 2.12's test, in the order it met the providers: is E's provided
 * version higher than the *package* version of the best so far (no
 * version is the lowest)?  So on real 3.15 "postgresql" shows
 * postgresql14 (unversioned, first) over postgresql-bdr's
 * "postgresql=9.4.14_p1-r12", which is lower than 14.2-r0. */
static bool legacy_higher(const struct legacy_entry *e, const struct legacy_entry *best)
{
	if (!e->ver)
		return false;
	return aipkg_version_compare((struct aipkg_slice){ e->ver, e->verlen },
				     aipkg_slice_str(best->pkg->version)) == AIPKG_VER_GREATER;
}

static void legacy_search(const struct aipkg_state *st, struct hits *h, unsigned flags)
{
	struct legacy l = { 0 };
	bool ok = true;

	if (flags & AIPKG_SEARCH_DESCRIPTION) {
		const struct aipkg_pkgset *sets[] = { &st->available, &st->installed };

		for (size_t s = 0; s < 2; s++)
			for (size_t i = 0; i < sets[s]->n; i++) {
				const struct aipkg_pkg *pkg = &sets[s]->pkgs[i];

				for (size_t k = 0; k < h->nterms; k++) {
					bool named = strstr(pkg->name, h->terms[k].text) != NULL;

					if (named || strstr(pkg->description, h->terms[k].text)) {
						hits_add(h, pkg, named ? HIT_NAME : HIT_DESCRIPTION);
						break;
					}
				}
			}
		return;
	}
	l.pattern = calloc(h->nterms + 1, sizeof(*l.pattern));
	l.glob = !(flags & AIPKG_SEARCH_EXACT);
	for (size_t k = 0; k < h->nterms; k++)
		l.glob = l.glob || strchr(h->terms[k].text, '*');
	for (size_t k = 0; l.pattern && k < h->nterms && ok; k++)
		ok = asprintf(&l.pattern[k], (flags & AIPKG_SEARCH_EXACT) ? "%s" : "*%s*",
			      h->terms[k].text) >= 0;
	if (l.pattern && ok && legacy_scan(&l, h, &st->available) == 0 &&
	    legacy_scan(&l, h, &st->installed) == 0) {
		if (l.n > 1)
			qsort(l.v, l.n, sizeof(*l.v), legacy_order);
		for (size_t i = 0; i < l.n;) {
			size_t best = i, j = i + 1;

			for (; j < l.n && l.v[j].namelen == l.v[i].namelen &&
			       memcmp(l.v[j].name, l.v[i].name, l.v[i].namelen) == 0;
			     j++)
				if (legacy_higher(&l.v[j], &l.v[best]))
					best = j;
			hits_add(h, l.v[best].pkg, l.v[best].rank);
			i = j;
		}
	}
	for (size_t k = 0; l.pattern && k < h->nterms; k++)
		free(l.pattern[k]);
	free(l.pattern);
	free(l.v);
}

const struct aipkg_pkg **aipkg_search(const struct aipkg_state *st, const char *const *terms,
				      size_t nterms, unsigned flags, size_t *n)
{
	struct hits h = { .st = st };
	const struct aipkg_pkg **out = NULL;

	h.terms = calloc(nterms + 1, sizeof(*h.terms));
	for (size_t i = 0; h.terms && i < nterms; i++) {
		if (!*terms[i] || term_init(&h.terms[h.nterms], terms[i], strlen(terms[i]), flags) == 0)
			h.nterms += *terms[i] != '\0';
	}
	if (h.nterms && aipkg_version_apk_before_2_14()) {
		legacy_search(st, &h, flags);
	} else {
		scan_set(&st->available, &h, flags);
		scan_set(&st->installed, &h, flags);
	}
	hits_merge(&h);
	if (h.n)
		qsort(h.v, h.n, sizeof(*h.v), hit_order);
	out = malloc((h.n + 1) * sizeof(*out));
	for (size_t i = 0; out && i < h.n; i++)
		out[i] = h.v[i].pkg;
	for (size_t i = 0; i < h.nterms; i++) {
		free(h.terms[i].text);
		free(h.terms[i].pattern);
	}
	free(h.terms);
	free(h.v);
	*n = out ? h.n : 0;
	return out;
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
