/* The offline planner: catalogue intents, package names in the request, ranked index search. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/catalog.h"
#include "ai/planner.h"
#include "ai/rank.h"
#include "ai/resolve.h"
#include "ai/words.h"
#include "apk/search.h"

#define PHRASE_MAX 8
#define OFFLINE_SEARCH_MAX 3

/* A catalogue intent found in the request, at word POS, LEN words long. */
struct intent_hit {
	const struct aipkg_intent *intent;
	size_t pos, len;
};

struct matcher {
	struct aipkg_words words;
	bool used[AIPKG_WORDS_MAX]; /* words taken by an accepted intent */
	struct intent_hit hits[AIPKG_WORDS_MAX];
	size_t nhits;
};

/* Does PHRASE (already split) occur in the request at POS? */
static bool phrase_at(const struct matcher *m, const struct aipkg_words *phrase, size_t pos)
{
	if (pos + phrase->n > m->words.n)
		return false;
	for (size_t k = 0; k < phrase->n; k++)
		if (m->used[pos + k] || !aipkg_word_eq(m->words.w[pos + k], phrase->w[k]))
			return false;
	return true;
}

/* The phrase of INTENT at index I (of its '|' list) split into words;
 * false past the last one. */
static bool intent_phrase(const struct aipkg_intent *intent, size_t i, struct aipkg_words *out)
{
	const char *p = intent->phrases;
	char text[256];
	size_t len;

	while (i--) {
		p = strchr(p, '|');
		if (!p)
			return false;
		p++;
	}
	len = strcspn(p, "|");
	snprintf(text, sizeof(text), "%.*s", (int)len, p);
	aipkg_words_split(text, false, out);
	return true;
}

/* The longest unclaimed phrase of INTENT in the request, LEN words at *POS. */
static size_t intent_best(const struct matcher *m, const struct aipkg_intent *intent, size_t *pos)
{
	struct aipkg_words phrase;
	size_t best = 0;

	for (size_t i = 0; intent_phrase(intent, i, &phrase); i++) {
		if (phrase.n == 0 || phrase.n <= best)
			continue;
		for (size_t at = 0; at + phrase.n <= m->words.n; at++) {
			if (phrase_at(m, &phrase, at)) {
				best = phrase.n;
				*pos = at;
				break;
			}
		}
	}
	return best;
}

/* Every other place the request says one of INTENT's phrases is taken
 * too: "monitor cpu and memory usage" is all one need, not "monitor"
 * left over for a second intent. */
static void claim_all(struct matcher *m, const struct aipkg_intent *intent)
{
	struct aipkg_words phrase;

	for (size_t i = 0; intent_phrase(intent, i, &phrase); i++) {
		for (size_t at = 0; phrase.n && at + phrase.n <= m->words.n; at++) {
			size_t k = 0;

			while (k < phrase.n && aipkg_word_eq(m->words.w[at + k], phrase.w[k]))
				k++;
			for (size_t j = 0; k == phrase.n && j < k; j++)
				m->used[at + j] = true;
		}
	}
}

static int hit_order(const void *a, const void *b)
{
	const struct intent_hit *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Claim intents longest phrase first, so "dns server" beats "dns", then
 * keep them in the order the request names them. */
static void match_intents(struct matcher *m)
{
	const struct aipkg_intent *cat;
	size_t ncat;

	cat = aipkg_catalog(&ncat);
	for (size_t len = PHRASE_MAX; len > 0; len--) {
		for (size_t i = 0; i < ncat && m->nhits < AIPKG_WORDS_MAX; i++) {
			size_t pos = 0;
			bool seen = false;

			for (size_t h = 0; h < m->nhits; h++)
				seen |= m->hits[h].intent == &cat[i];
			if (seen || intent_best(m, &cat[i], &pos) != len)
				continue;
			for (size_t k = 0; k < len; k++)
				m->used[pos + k] = true;
			claim_all(m, &cat[i]);
			m->hits[m->nhits++] = (struct intent_hit){ &cat[i], pos, len };
		}
	}
	qsort(m->hits, m->nhits, sizeof(m->hits[0]), hit_order);
}

static void matcher_init(struct matcher *m, const char *request)
{
	memset(m, 0, sizeof(*m));
	aipkg_words_split(request, false, &m->words);
	match_intents(m);
}

/* The I-th alternative of SLOT ("nginx|lighttpd") into OUT; false past the end. */
static bool slot_alt(const char *slot, size_t slot_len, size_t i, char *out, size_t size)
{
	const char *p = slot, *end = slot + slot_len;

	while (i--) {
		p = memchr(p, '|', (size_t)(end - p));
		if (!p)
			return false;
		p++;
	}
	snprintf(out, size, "%.*s", (int)strcspn(p, "| "), p);
	return p < end;
}

const struct aipkg_pkg *aipkg_planner_slot(const struct aipkg_state *st, const char *slot,
					   size_t len, size_t *alt)
{
	char name[128];

	for (size_t i = 0; slot_alt(slot, len, i, name, sizeof(name)); i++) {
		/* an alternative is a name or a provided name, never a guess:
		 * "openjdk21" is not openjdk17, the next alternative is */
		const struct aipkg_pkg *p = aipkg_resolve(st, name, AIPKG_RESOLVE_NAMES, NULL);

		if (p) {
			if (alt)
				*alt = i;
			return p;
		}
	}
	return NULL;
}

static void reason_for(char *out, size_t size, const char *why, const struct aipkg_pkg *p)
{
	snprintf(out, size, "%s%s%s", why, *p->description ? ": " : "", p->description);
}

/* Is one of SLOT's alternatives (LEN bytes) the package NAME? */
static bool slot_offers(const char *slot, size_t len, const char *name)
{
	char alt[128];

	for (size_t i = 0; slot_alt(slot, len, i, alt, sizeof(alt)); i++)
		if (strcmp(alt, name) == 0)
			return true;
	return false;
}

/*
 * A slot of alternatives ("podman|docker") another matched intent already
 * answers with a package of its own ("docker containers": Docker's
 * docker) is one need met twice: skip it.  A slot of one package is a
 * need of its own and always planned.
 */
static bool slot_answered(const struct aipkg_state *st, const struct matcher *m,
			  const struct aipkg_intent *self, const char *slot, size_t len)
{
	if (!memchr(slot, '|', len))
		return false;
	for (size_t h = 0; h < m->nhits; h++) {
		const struct aipkg_intent *other = m->hits[h].intent;

		if (other == self)
			continue;
		for (const char *s = other->packages; *s;) {
			size_t l = strcspn(s, " ");
			const struct aipkg_pkg *p = memchr(s, '|', l)
							? NULL
							: aipkg_planner_slot(st, s, l, NULL);

			if (p && slot_offers(slot, len, p->name))
				return true;
			s += l;
			s += strspn(s, " ");
		}
	}
	return false;
}

static void plan_slot(const struct aipkg_state *st, const struct aipkg_intent *intent,
		      const char *slot, size_t len, struct aipkg_plan *plan)
{
	const struct aipkg_pkg *p = aipkg_planner_slot(st, slot, len, NULL);
	char text[512];

	if (p) {
		reason_for(text, sizeof(text), intent->what, p);
		aipkg_plan_add(plan, p->name, text, NULL);
	} else {
		slot_alt(slot, len, 0, text, sizeof(text));
		aipkg_plan_reject(plan, text, "suggested for '%s' but not in the indexes",
				  intent->what);
	}
}

static void plan_intent(const struct aipkg_state *st, const struct matcher *m,
			const struct aipkg_intent *intent, struct aipkg_plan *plan)
{
	for (const char *slot = intent->packages; *slot;) {
		size_t len = strcspn(slot, " ");

		if (!slot_answered(st, m, intent, slot, len))
			plan_slot(st, intent, slot, len, plan);
		slot += len;
		slot += strspn(slot, " ");
	}
}

static bool has_letter(const char *w)
{
	for (; *w; w++)
		if (isalpha((unsigned char)*w))
			return true;
	return false;
}

/* A word of the request that names a package: "htop", "python3.12", "dig". */
static void plan_word(const struct aipkg_state *st, const char *word, struct aipkg_plan *plan)
{
	enum aipkg_resolve_how how;
	const struct aipkg_pkg *p;
	char why[128], text[512];

	if (strlen(word) < 2 || !has_letter(word) || !aipkg_name_valid(aipkg_slice_str(word)))
		return;
	p = aipkg_resolve(st, word, 0, &how);
	/* two letters name a package only exactly ("go", "jq") */
	if (!p || (strlen(word) < 3 && how != AIPKG_RESOLVE_EXACT))
		return;
	if (how == AIPKG_RESOLVE_EXACT)
		snprintf(why, sizeof(why), "named in the request");
	else if (how == AIPKG_RESOLVE_COMMAND)
		snprintf(why, sizeof(why), "provides the command '%s'", word);
	else
		snprintf(why, sizeof(why), "'%s' in the request", word);
	reason_for(text, sizeof(text), why, p);
	aipkg_plan_add(plan, p->name, text, NULL);
}

/* Does TEXT hold WORD as a word of its own (plural-blind, case folded)? */
static bool text_has_word(const char *text, const char *word)
{
	struct aipkg_words *tw = malloc(sizeof(*tw));
	bool has = false;

	if (!tw)
		return false;
	aipkg_words_split(text, true, tw);
	for (size_t i = 0; i < tw->n && !has; i++)
		has = aipkg_word_eq(tw->w[i], word);
	free(tw);
	return has;
}

/* The ranked search's clear leaders.  After intents whose packages these
 * indexes lack (M), only a package whose description holds every word
 * they matched: "web server" without nginx, lighttpd and apache2 still
 * finds caddy, but "docker" finds no rsyslog-imdocker ("imdocker support
 * for rsyslog") and "rust" no uncrustify or p11-kit-trust. */
static void plan_search(const struct aipkg_state *st, const struct matcher *m,
			struct aipkg_plan *plan)
{
	struct aipkg_ranked top[OFFLINE_SEARCH_MAX];
	size_t n = aipkg_rank(st, &m->words, true, top, OFFLINE_SEARCH_MAX);
	char text[512];

	if (n == 0)
		n = aipkg_rank(st, &m->words, false, top, OFFLINE_SEARCH_MAX);
	for (size_t i = 0; i < n; i++) {
		bool fits = true;

		/* only the clear leaders: a weak tail is noise */
		if (top[i].score < AIPKG_RANK_DESC || top[i].score * 2 < top[0].score)
			break;
		for (size_t k = 0; m->nhits && fits && k < m->words.n; k++)
			if (m->used[k])
				fits = text_has_word(top[i].pkg->description, m->words.w[k]);
		if (!fits)
			continue;
		reason_for(text, sizeof(text), "best match in the index", top[i].pkg);
		aipkg_plan_add(plan, top[i].pkg->name, text, NULL);
	}
}

void aipkg_planner_offline(const struct aipkg_state *st, const char *request,
			   struct aipkg_plan *plan)
{
	struct matcher *m = malloc(sizeof(*m));

	if (!m)
		return;
	matcher_init(m, request);
	for (size_t i = 0; i < m->nhits; i++)
		plan_intent(st, m, m->hits[i].intent, plan);
	for (size_t i = 0; i < m->words.n; i++)
		if (!m->used[i] && !aipkg_word_weak(m->words.w[i]))
			plan_word(st, m->words.w[i], plan);
	if (!json_array_size(plan->packages) && m->words.n)
		plan_search(st, m, plan);
	if (!m->words.n) {
		/* all filler ("install make"): the words may still be names */
		aipkg_words_split(request, true, &m->words);
		for (size_t i = 0; i < m->words.n; i++) {
			enum aipkg_resolve_how how;

			if (aipkg_resolve(st, m->words.w[i], 0, &how) && how == AIPKG_RESOLVE_EXACT)
				plan_word(st, m->words.w[i], plan);
		}
	}
	free(m);
}

/* ---- grounding ---- */

static void candidate_add(json_t *out, const struct aipkg_pkg *p, size_t max)
{
	json_t *c;
	size_t i;
	char *desc;

	if (!p || json_array_size(out) >= max)
		return;
	json_array_foreach(out, i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), p->name) == 0)
			return;
	desc = aipkg_ai_clean(p->description, 160);
	c = json_pack("{s:s, s:s, s:s?}", "name", p->name, "version", p->version, "description",
		      desc);
	if (c)
		json_array_append_new(out, c);
	free(desc);
}

static void candidate_intent(const struct aipkg_state *st, const struct aipkg_intent *intent,
			     json_t *out, size_t max)
{
	char name[128];

	for (const char *slot = intent->packages; *slot;) {
		size_t len = strcspn(slot, " ");

		for (size_t i = 0; slot_alt(slot, len, i, name, sizeof(name)); i++)
			candidate_add(out, aipkg_resolve(st, name, 0, NULL), max);
		slot += len;
		slot += strspn(slot, " ");
	}
}

json_t *aipkg_planner_candidates(const struct aipkg_state *st, const char *request, size_t max)
{
	struct aipkg_ranked top[64];
	struct aipkg_plan plan;
	struct matcher *m = malloc(sizeof(*m));
	json_t *out = json_array(), *p;
	size_t i, n;

	if (!m)
		return out;
	aipkg_plan_init(&plan);
	aipkg_planner_offline(st, request, &plan);
	json_array_foreach(plan.packages, i, p)
		candidate_add(out, aipkg_resolve(st, json_string_value(json_object_get(p, "name")), 0,
						 NULL),
			      max);
	matcher_init(m, request);
	for (i = 0; i < m->nhits; i++)
		candidate_intent(st, m->hits[i].intent, out, max);
	n = aipkg_rank(st, &m->words, false, top, max < 64 ? max : 64);
	for (i = 0; i < n; i++)
		candidate_add(out, top[i].pkg, max);
	aipkg_plan_release(&plan);
	free(m);
	return out;
}
