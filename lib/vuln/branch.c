/* Which Alpine branch's secdb applies: etc/alpine-release, overridden by the repositories. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/state.h"
#include "buf.h"
#include "vuln/db.h"

/* "3.20" of "3.20.3" (digits.digits.digits, nothing else), or NULL. */
static char *release_minor(const char *s)
{
	size_t a = strspn(s, "0123456789"), b, c;

	if (!a || s[a] != '.')
		return NULL;
	b = strspn(s + a + 1, "0123456789");
	if (!b || s[a + 1 + b] != '.')
		return NULL;
	c = strspn(s + a + b + 2, "0123456789");
	if (!c || s[a + b + 2 + c])
		return NULL;
	return strndup(s, a + 1 + b);
}

char *aipkg_vuln_release_branch(const char *release)
{
	char *minor = release ? release_minor(release) : NULL;
	struct aipkg_buf b = AIPKG_BUF_INIT;

	/* edge says "3.21_alpha20240807" or "edge"; anything unknown is edge */
	aipkg_buf_addf(&b, minor ? "v%s" : "edge", minor);
	free(minor);
	return aipkg_buf_detach(&b);
}

/* A path component naming a branch: "edge" or "v" digits "." digits. */
static bool branch_word(struct aipkg_slice w)
{
	size_t i = 1, dots = 0;

	if (aipkg_slice_eq(w, "edge"))
		return true;
	if (w.len < 4 || w.ptr[0] != 'v' || !isdigit((unsigned char)w.ptr[1]))
		return false;
	for (; i < w.len; i++) {
		if (w.ptr[i] == '.' && isdigit((unsigned char)w.ptr[i - 1]))
			dots++;
		else if (!isdigit((unsigned char)w.ptr[i]))
			return false;
	}
	return dots == 1 && isdigit((unsigned char)w.ptr[w.len - 1]);
}

char *aipkg_vuln_repo_branch(const char *url, bool *is_main)
{
	const char *p = strstr(url, "://");
	struct aipkg_slice rest = aipkg_slice_str(p ? p + 3 : url), w, peek, next;

	if (p) /* not the host */
		aipkg_slice_split(&rest, '/', &w);
	/* the branch is the component followed by the repository's name:
	 * .../alpine/v3.19/main, .../edge/community */
	while (rest.len) {
		aipkg_slice_split(&rest, '/', &w);
		peek = rest;
		aipkg_slice_split(&peek, '/', &next);
		if (branch_word(w) && next.len) {
			if (is_main)
				*is_main = aipkg_slice_eq(next, "main");
			return aipkg_slice_dup(w);
		}
	}
	return NULL;
}

/* The branch the repositories point at: the main repository's, else the
 * first one found; NULL when none names a branch (local repositories). */
static char *repos_branch(const struct aipkg_state *st)
{
	char *first = NULL;

	for (size_t i = 0; i < st->nrepos; i++) {
		bool is_main = false;
		char *b = aipkg_vuln_repo_branch(st->repos[i].url, &is_main);

		if (b && is_main) {
			free(first);
			return b;
		}
		if (!first)
			first = b;
		else
			free(b);
	}
	return first;
}

char *aipkg_vuln_branch(const struct aipkg_state *st, char **warning)
{
	char *rel = aipkg_vuln_release_branch(st->release), *repo = repos_branch(st);
	struct aipkg_buf w = AIPKG_BUF_INIT;

	*warning = NULL;
	if (!repo || !rel || strcmp(repo, rel) == 0) {
		free(repo);
		return rel;
	}
	aipkg_buf_addf(&w,
		       "etc/apk/repositories points at %s but etc/alpine-release says %s; "
		       "checking against %s's security database, as apk installs from there",
		       repo, st->release ? st->release : "nothing (edge)", repo);
	*warning = aipkg_buf_detach(&w);
	free(rel);
	return repo;
}
