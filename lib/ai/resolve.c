/* What a proposed name means in the indexes: the package itself, its provider, or a close spelling. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/resolve.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/version.h"

/* The package of that name apk would install for it (not one only a
 * tagged repository has), else the installed one. */
static const struct aipkg_pkg *find_exact(const struct aipkg_state *st, const char *name)
{
	struct aipkg_selection sel;

	if (aipkg_select_name(st, name, 0, &sel) == 0 && sel.why == AIPKG_SELECT_OK &&
	    strcmp(sel.pkg->name, name) == 0)
		return sel.pkg;
	return aipkg_state_installed(st, name);
}

/* A package of a repository an untagged dependency may use, or installed. */
static bool usable(const struct aipkg_state *st, const struct aipkg_pkg *p)
{
	return p->repo < 0 || !aipkg_repo_tag(st, p->repo);
}

/*
 * Who provides NAME, for a plan: a provider the distribution ranks
 * (provider_priority: postgresql15 over postgresql14) wins, the newest
 * among equals, so a fork that merely offers the name with a version
 * (postgresql-bdr on 3.18, which apk 3 itself would take) is not what a
 * request gets; without ranks, what apk picks; where apk will not choose,
 * the first provider by name, so the answer is the same on every run.
 */
static const struct aipkg_pkg *provider_of(const struct aipkg_state *st, const char *name)
{
	struct aipkg_selection sel;
	const struct aipkg_pkg *best = NULL, *first = NULL;
	size_t n;
	const struct aipkg_pkg **v = aipkg_select_providers(st, aipkg_slice_str(name), &n);

	for (size_t i = 0; v && i < n; i++) {
		const struct aipkg_pkg *p = v[i];

		if (!usable(st, p) || strcmp(p->name, name) == 0)
			continue;
		if (!first || strcmp(p->name, first->name) < 0)
			first = p;
		if (p->provider_priority &&
		    (!best || p->provider_priority > best->provider_priority ||
		     (p->provider_priority == best->provider_priority &&
		      aipkg_version_compare(aipkg_slice_str(p->version),
					    aipkg_slice_str(best->version)) == AIPKG_VER_GREATER)))
			best = p;
	}
	free(v);
	if (best || !first)
		return best;
	if (aipkg_select_name(st, name, 0, &sel) == 0 && sel.why == AIPKG_SELECT_OK)
		return sel.pkg;
	return sel.why == AIPKG_SELECT_VIRTUAL ? first : NULL;
}

/* The provider of NAME, else of cmd:NAME. */
static const struct aipkg_pkg *find_provider(const struct aipkg_state *st, const char *name,
					     enum aipkg_resolve_how *how)
{
	const struct aipkg_pkg *p = provider_of(st, name);
	char cmd[256];

	*how = AIPKG_RESOLVE_PROVIDER;
	if (p || strchr(name, ':') || snprintf(cmd, sizeof(cmd), "cmd:%s", name) >= (int)sizeof(cmd))
		return p;
	*how = AIPKG_RESOLVE_COMMAND;
	return provider_of(st, cmd);
}

/* Drop one trailing version group: "python3.12" -> "python3",
 * "nodejs-20" -> "nodejs", "postgresql16" -> "postgresql"; false when
 * there is none or nothing would be left. */
static bool drop_version(char *name)
{
	size_t len = strlen(name), end = len;

	while (end && isdigit((unsigned char)name[end - 1]))
		end--;
	if (end == len || end == 0)
		return false;
	if (name[end - 1] == '.' || name[end - 1] == '-' || name[end - 1] == '_')
		end--;
	if (end == 0 || !isalnum((unsigned char)name[end - 1]))
		return false;
	name[end] = '\0';
	return true;
}

/* NAME followed only by a version ("postgresql" -> postgresql17, "lua" ->
 * lua5.4): the highest such version. */
static const struct aipkg_pkg *find_versioned(const struct aipkg_state *st, const char *name)
{
	const struct aipkg_pkgset *set = &st->available;
	const struct aipkg_pkg *best = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < set->n; i++) {
		const char *n = set->pkgs[i].name, *tail = n + len;

		if (strncmp(n, name, len) != 0 || !isdigit((unsigned char)*tail) ||
		    !aipkg_version_validate(aipkg_slice_str(tail)) || !usable(st, &set->pkgs[i]))
			continue;
		if (!best || aipkg_version_compare(aipkg_slice_str(tail),
						   aipkg_slice_str(best->name + len)) ==
				     AIPKG_VER_GREATER)
			best = &set->pkgs[i];
	}
	return best;
}

static const struct aipkg_pkg *find_by_version(const struct aipkg_state *st, const char *name)
{
	const struct aipkg_pkg *p = find_versioned(st, name);
	char stem[256];

	if (p || snprintf(stem, sizeof(stem), "%s", name) >= (int)sizeof(stem))
		return p;
	while (!p && drop_version(stem)) {
		p = find_exact(st, stem);
		if (!p)
			p = find_versioned(st, stem);
	}
	return p;
}

unsigned aipkg_name_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned d[64][64];

	if (la > 63 || lb > 63)
		return 9;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			unsigned v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > 9 ? 9 : d[la][lb];
}

/* A spelling close enough to be a typo: one edit, two for long names. */
static const struct aipkg_pkg *find_close(const struct aipkg_state *st, const char *name)
{
	json_t *close = aipkg_suggest(st, name, 5), *v;
	unsigned limit = strlen(name) >= 6 ? 2 : 1;
	const struct aipkg_pkg *p = NULL;
	size_t i;

	if (strlen(name) < 4)
		limit = 0;
	json_array_foreach(close, i, v) {
		if (aipkg_name_distance(name, json_string_value(v)) <= limit) {
			p = find_exact(st, json_string_value(v));
			break;
		}
	}
	json_decref(close);
	return p;
}

const struct aipkg_pkg *aipkg_resolve(const struct aipkg_state *st, const char *name,
				      unsigned flags, enum aipkg_resolve_how *how)
{
	const struct aipkg_pkg *p;
	enum aipkg_resolve_how h;

	if ((p = find_exact(st, name)))
		h = AIPKG_RESOLVE_EXACT;
	else if ((flags & AIPKG_RESOLVE_NAMES) && (p = provider_of(st, name)))
		h = AIPKG_RESOLVE_PROVIDER;
	else if (flags & AIPKG_RESOLVE_NAMES)
		return NULL;
	else if ((p = find_provider(st, name, &h)))
		;
	else if ((p = find_by_version(st, name)))
		h = AIPKG_RESOLVE_VERSION;
	else if ((flags & AIPKG_RESOLVE_FUZZY) && (p = find_close(st, name)))
		h = AIPKG_RESOLVE_CLOSE;
	else
		return NULL;
	if (how)
		*how = h;
	return p;
}
