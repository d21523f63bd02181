/* Ranked search of the index for a request's words: names, cmd: providers, descriptions. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ai/rank.h"
#include "apk/select.h"

#define RANK_MAX 64

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

/* 0: leave out, 1: count half, 2: full weight. */
static int name_weight(const char *name)
{
	static const char *const skip[] = { "-doc", "-dbg", "-lang", "-pyc", "-bash-completion",
					    "-zsh-completion", "-fish-completion", "-man" };
	static const char *const half[] = { "-dev", "-static", "-libs", "-openrc" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (ends_with(name, skip[i]))
			return 0;
	for (size_t i = 0; i < sizeof(half) / sizeof(half[0]); i++)
		if (ends_with(name, half[i]))
			return 1;
	return 2;
}

static bool provides_command(const struct aipkg_pkg *pkg, const char *word)
{
	size_t len = strlen(word);

	for (size_t i = 0; i < pkg->provides.n; i++) {
		const char *p = pkg->provides.v[i];

		if (strncmp(p, "cmd:", 4) == 0 && strncmp(p + 4, word, len) == 0 &&
		    (p[4 + len] == '\0' || p[4 + len] == '='))
			return true;
	}
	return false;
}

static int name_score(const struct aipkg_pkg *pkg, const char *word)
{
	size_t len = strlen(word);

	if (strcmp(pkg->name, word) == 0)
		return AIPKG_RANK_NAME;
	if (provides_command(pkg, word))
		return AIPKG_RANK_COMMAND;
	if (len >= 3 && strncmp(pkg->name, word, len) == 0 && isdigit((unsigned char)pkg->name[len]))
		return AIPKG_RANK_VERSIONED;
	if (len >= 3 && strstr(pkg->name, word))
		return AIPKG_RANK_IN_NAME;
	return 0;
}

/* Mark in HIT[] the request words the description contains as words. */
static void desc_hits(const char *desc, const struct aipkg_words *w, const bool *use, bool *hit)
{
	char word[AIPKG_WORD_LEN];
	size_t len = 0;

	for (const char *p = desc;; p++) {
		if (*p && (isalnum((unsigned char)*p) || *p == '+')) {
			if (len + 1 < sizeof(word))
				word[len++] = (char)tolower((unsigned char)*p);
			continue;
		}
		word[len] = '\0';
		for (size_t i = 0; len && i < w->n; i++)
			if (use[i] && !hit[i] && aipkg_word_eq(word, w->w[i]))
				hit[i] = true;
		len = 0;
		if (!*p)
			break;
	}
}

/* The score of PKG; *strong says a word that is not weak matched. */
/* The words without a plural ending, to find them in a description fast:
 * most descriptions hold none of them and need no closer look. */
struct stems {
	char s[AIPKG_WORDS_MAX][AIPKG_WORD_LEN];
	size_t n;
};

static void stems_make(const struct aipkg_words *w, const bool *use, struct stems *out)
{
	out->n = 0;
	for (size_t i = 0; i < w->n; i++) {
		size_t len = strlen(w->w[i]);

		if (!use[i])
			continue;
		if (len > 4 && strcmp(w->w[i] + len - 2, "es") == 0)
			len -= 2;
		else if (len > 3 && w->w[i][len - 1] == 's')
			len--;
		memcpy(out->s[out->n], w->w[i], len);
		out->s[out->n++][len] = '\0';
	}
}

static bool any_stem_in(const char *desc, const struct stems *st)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcasestr(desc, st->s[i]))
			return true;
	return false;
}

static int pkg_score(const struct aipkg_pkg *pkg, const struct aipkg_words *w, const bool *use,
		     const struct stems *stems, bool *strong)
{
	bool hit[AIPKG_WORDS_MAX] = { false };
	int score = 0;

	*strong = false;
	if (any_stem_in(pkg->description, stems))
		desc_hits(pkg->description, w, use, hit);
	for (size_t i = 0; i < w->n; i++) {
		int s = use[i] ? name_score(pkg, w->w[i]) : 0;

		s = s ? s : hit[i] ? AIPKG_RANK_DESC : 0;
		if (s && !aipkg_word_weak(w->w[i]))
			*strong = true;
		score += s;
	}
	return score;
}

static bool ranked_before(const struct aipkg_ranked *a, const struct aipkg_ranked *b)
{
	size_t la = strlen(a->pkg->name), lb = strlen(b->pkg->name);

	if (a->score != b->score)
		return a->score > b->score;
	if (la != lb)
		return la < lb;
	return strcmp(a->pkg->name, b->pkg->name) < 0;
}

/* Insert into the sorted top list OUT[0..*n), one entry per name. */
static void top_insert(struct aipkg_ranked *out, size_t *n, size_t max, struct aipkg_ranked r)
{
	size_t i;

	/* most hits do not make the list: no need to look for their name */
	if (*n == max && !ranked_before(&r, &out[max - 1]))
		return;
	for (i = 0; i < *n; i++) {
		if (strcmp(out[i].pkg->name, r.pkg->name) != 0)
			continue;
		if (r.score <= out[i].score)
			return;
		memmove(&out[i], &out[i + 1], (--*n - i) * sizeof(*out));
		break;
	}
	for (i = *n; i > 0 && ranked_before(&r, &out[i - 1]); i--)
		if (i < max)
			out[i] = out[i - 1];
	if (i >= max)
		return;
	out[i] = r;
	if (*n < max)
		(*n)++;
}

size_t aipkg_rank(const struct aipkg_state *st, const struct aipkg_words *words, bool need_strong,
		  struct aipkg_ranked *out, size_t max)
{
	const struct aipkg_pkgset *set = &st->available;
	bool use[AIPKG_WORDS_MAX];
	struct stems stems;
	size_t n = 0;

	if (max > RANK_MAX)
		max = RANK_MAX;
	for (size_t i = 0; i < words->n; i++)
		use[i] = strlen(words->w[i]) >= 2;
	stems_make(words, use, &stems);
	for (size_t i = 0; max && i < set->n; i++) {
		int weight = name_weight(set->pkgs[i].name), score;
		bool strong;

		/* apk takes a tagged repository's package only for "name@tag" */
		if (!weight || aipkg_repo_tag(st, set->pkgs[i].repo))
			continue;
		score = pkg_score(&set->pkgs[i], words, use, &stems, &strong) * weight / 2;
		if (score > 0 && (strong || !need_strong))
			top_insert(out, &n, max, (struct aipkg_ranked){ &set->pkgs[i], score });
	}
	return n;
}
