/* Words of a natural-language request: tokens, filler words, plural-blind matching. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_WORDS_H
#define AIPKG_AI_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#define AIPKG_WORDS_MAX 64
#define AIPKG_WORD_LEN 48

/*
 * A request split into lower-case words, filler words ("i", "need", "a",
 * "lightweight") dropped.  Letters, digits and "+._-'" make up a word
 * ("c++", "node.js", "python3.12", "let's"); punctuation around one is
 * dropped.  Words past AIPKG_WORDS_MAX, or longer than AIPKG_WORD_LEN - 1,
 * are ignored: no package intent needs them.
 */
struct aipkg_words {
	char w[AIPKG_WORDS_MAX][AIPKG_WORD_LEN];
	size_t n;
};

/* KEEP_FILLER keeps the filler words too (to find "make" in "install make"). */
void aipkg_words_split(const char *text, bool keep_filler, struct aipkg_words *out);

/* Equal, or equal but for a plural "s"/"es" on either side ("servers"). */
bool aipkg_word_eq(const char *a, const char *b);

/* A word that is part of a phrase but too vague to search the index for on
 * its own ("tool", "server", "files"). */
bool aipkg_word_weak(const char *w);

/* What a request asks for: ask plans installs only. */
enum aipkg_request_kind {
	AIPKG_REQUEST_INSTALL,
	AIPKG_REQUEST_REMOVE,  /* "remove apache", "uninstall curl", "get rid of x" */
	AIPKG_REQUEST_UPGRADE, /* "upgrade everything", "update openssl" */
	AIPKG_REQUEST_QUERY,   /* "why is libgcc installed", "what depends on zlib" */
};

/*
 * The kind of REQUEST, from its first words once the polite ones are set
 * aside ("please", "can you", "I want to"): a verb that removes, upgrades
 * or asks.  Anything else is an install ("I need to compile C programs",
 * "how do I get dig", "what do I need for a web server").
 */
enum aipkg_request_kind aipkg_request_kind(const char *request);

#endif
