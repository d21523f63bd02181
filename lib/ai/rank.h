/* Ranked search of the index for a request's words: names, cmd: providers, descriptions. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_RANK_H
#define AIPKG_AI_RANK_H

#include "ai/words.h"
#include "apk/state.h"

struct aipkg_ranked {
	const struct aipkg_pkg *pkg; /* borrowed from the state */
	int score;
};

/* Scores for one word; a package's score is the sum over the words. */
enum aipkg_rank_score {
	AIPKG_RANK_NAME = 100,    /* the package's name is the word */
	AIPKG_RANK_COMMAND = 60,  /* it provides cmd:WORD */
	AIPKG_RANK_VERSIONED = 30,/* its name is the word and a version (python3) */
	AIPKG_RANK_IN_NAME = 15,  /* its name contains the word */
	AIPKG_RANK_DESC = 10,     /* its description has the word */
};

/*
 * The MAX (at most 64) best-scoring packages of the indexes for WORDS
 * (words shorter than 2 letters are skipped), best first: higher score,
 * then shorter name, then name.  Weak words ("server") add to a score,
 * but with NEED_STRONG a package must match some other word too.
 * One entry per name.  Documentation, debug, translation and
 * shell-completion subpackages are left out; -dev, -static, -libs and
 * -openrc ones count half.  Returns the count.
 */
size_t aipkg_rank(const struct aipkg_state *st, const struct aipkg_words *words, bool need_strong,
		  struct aipkg_ranked *out, size_t max);

#endif
