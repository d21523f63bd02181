/* What a proposed name means in the indexes: the package itself, its provider, or a close spelling. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ai/resolve.h"
#include "apk/search.h"
#include "apk/version.h"

static const struct aipkg_pkg *find_exact(const struct aipkg_state *st, const char *name)
{
	const struct aipkg_pkg *p = aipkg_state_best(st, name);

	return p ? p : aipkg_state_installed(st, name);
}

/* Does the p: entry P offer NAME (LEN bytes), with or without a version? */
static bool entry_offers(const char *p, const char *name, size_t len)
{
	return strncmp(p, name, len) == 0 && strchr("=<>~", p[len]) != NULL;
}

/* Who provides NAME, and who provides cmd:NAME, in one pass over SET.
 * Several providers (cmd:telnet): the first by name, so the answer is the
 * same on every run; apk still has the last word. */
struct providers {
	const struct aipkg_pkg *direct, *command;
};

static void keep_first(const struct aipkg_pkg **slot, const struct aipkg_pkg *p)
{
	if (!*slot || strcmp(p->name, (*slot)->name) < 0)
		*slot = p;
}

static void set_providers(const struct aipkg_pkgset *set, const char *name, const char *cmd,
			  struct providers *out)
{
	size_t nlen = strlen(name), clen = cmd ? strlen(cmd) : 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < set->n; i++) {
		const struct aipkg_pkg *pkg = &set->pkgs[i];

		for (size_t k = 0; k < pkg->provides.n; k++) {
			if (entry_offers(pkg->provides.v[k], name, nlen))
				keep_first(&out->direct, pkg);
			else if (cmd && entry_offers(pkg->provides.v[k], cmd, clen))
				keep_first(&out->command, pkg);
		}
	}
}

/* The provider of NAME (else of cmd:NAME), installed ones first. */
static const struct aipkg_pkg *find_provider(const struct aipkg_state *st, const char *name,
					     enum aipkg_resolve_how *how)
{
	struct providers inst, avail;
	char cmd[256];
	bool with_cmd = !strchr(name, ':') &&
			snprintf(cmd, sizeof(cmd), "cmd:%s", name) < (int)sizeof(cmd);

	set_providers(&st->installed, name, with_cmd ? cmd : NULL, &inst);
	set_providers(&st->available, name, with_cmd ? cmd : NULL, &avail);
	*how = AIPKG_RESOLVE_PROVIDER;
	if (inst.direct || avail.direct)
		return inst.direct ? inst.direct : avail.direct;
	*how = AIPKG_RESOLVE_COMMAND;
	return inst.command ? inst.command : avail.command;
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
		    !aipkg_version_validate(aipkg_slice_str(tail)))
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
