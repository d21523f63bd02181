/* Matching a package version against the secdb: origin, apk's version order, the "0" rule. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk/version.h"
#include "vuln/match.h"

struct hits {
	struct aipkg_vuln_hit *v;
	size_t n, cap;
};

/* Listed under "0" for this origin: never affected, whatever else says. */
static bool never_affected(const struct aipkg_secfix *f, size_t nf, struct aipkg_slice id)
{
	for (size_t i = 0; i < nf; i++)
		if (strcmp(f[i].version, "0") == 0 && aipkg_secdb_ids_has(f[i].ids, id))
			return true;
	return false;
}

static int hit_add(struct hits *h, struct aipkg_slice id, const char *fixed)
{
	for (size_t i = 0; i < h->n; i++) {
		struct aipkg_vuln_hit *o = &h->v[i];

		if (o->id.len != id.len || memcmp(o->id.ptr, id.ptr, id.len) != 0)
			continue;
		if (aipkg_version_compare(aipkg_slice_str(fixed), aipkg_slice_str(o->fixed_in)) ==
		    AIPKG_VER_LESS)
			o->fixed_in = fixed;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct aipkg_vuln_hit *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = (struct aipkg_vuln_hit){id, fixed};
	return 0;
}

/* Every id of fix F, unless the origin's "0" list names it. */
static int add_ids(struct hits *h, const struct aipkg_secfix *f, const struct aipkg_secfix *all,
		   size_t nall)
{
	for (const char *p = f->ids; *p;) {
		struct aipkg_slice id = {p, strcspn(p, " ")};
		int r = never_affected(all, nall, id) ? 0 : hit_add(h, id, f->version);

		if (r < 0)
			return r;
		p += id.len + (p[id.len] == ' ');
	}
	return 0;
}

int aipkg_vuln_match(const struct aipkg_secdb *db, const char *origin, const char *version,
		     struct aipkg_vuln_hit **hits, size_t *n)
{
	struct hits h = {NULL, 0, 0};
	struct aipkg_slice ver = aipkg_slice_str(version);
	size_t nf;
	const struct aipkg_secfix *f = aipkg_secdb_find(db, origin, &nf);
	int r = 0;

	for (size_t i = 0; r == 0 && i < nf; i++)
		if (strcmp(f[i].version, "0") != 0 &&
		    aipkg_version_compare(ver, aipkg_slice_str(f[i].version)) == AIPKG_VER_LESS)
			r = add_ids(&h, &f[i], f, nf);
	if (r < 0) {
		free(h.v);
		h.v = NULL;
		h.n = 0;
	}
	*hits = h.v;
	*n = h.n;
	return r;
}
