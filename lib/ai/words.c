/* Words of a natural-language request: tokens, filler words, plural-blind matching. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ai/words.h"

/* Words that carry no intent; sorted for bsearch.  Adjectives such as
 * "lightweight" are here too: they would only drag unrelated packages in
 * through their descriptions. */
static const char *const filler[] = {
	"a", "able", "about", "add", "all", "also", "am", "an", "and", "any", "are", "as",
	"at", "available", "basic", "be", "been", "being", "best", "better", "box", "but", "by",
	"can", "could", "do", "does", "each", "easy", "every", "fast", "few", "for", "from",
	"get", "give", "going", "good", "got", "great", "had", "has", "have", "help", "here",
	"how", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "install", "installed",
	"installing", "is", "it", "it's", "its", "just", "latest", "let", "lets",
	"lightweight", "like", "lot", "lots", "machine", "make", "many", "me", "might",
	"mine", "minimal", "modern", "more", "most", "much", "must", "my", "myself", "need",
	"needed", "needs", "new", "nice", "no", "not", "now", "of", "on", "one", "only", "or",
	"other", "our", "out", "over", "own", "please", "popular", "quick", "quickly",
	"really", "recommend", "recommended", "run", "running", "same", "set", "setup",
	"should", "simple", "small", "so", "some", "something", "stable", "such", "suggest",
	"system", "than", "that", "the", "their", "them", "then", "there", "there's", "these",
	"thing", "this", "tiny", "to", "too", "try", "trying", "up", "us", "use", "using",
	"very", "wanna", "want", "was", "way", "ways", "we", "were", "what", "when", "where",
	"which", "while", "who", "why", "will", "with", "without", "would", "you", "you're",
	"your",
};

/* Also the verbs of everyday requests ("convert", "send", "scan"):
 * packages provide commands of those names (imagemagick's convert,
 * nmh's send, util-linux's look) that a request never means by them. */
static const char *const weak[] = {
	"app", "application", "applications", "browse", "build", "capture", "check", "client",
	"command", "commands", "connect", "convert", "create", "crop", "development", "download",
	"edit", "environment", "extract", "file", "files", "find", "host", "http", "https", "into",
	"keep",
	"language", "library", "line", "list", "look", "manage", "open", "package", "packages", "program",
	"programs", "read", "resize", "rotate", "scan", "schedule", "see", "send", "serve",
	"server", "servers", "service", "share", "software", "store", "support", "sync", "tool",
	"tools", "trace", "unpack", "upload", "utilities", "utility", "view", "watch", "write",
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool in_list(const char *w, const char *const *list, size_t n)
{
	return bsearch(w, list, n, sizeof(*list), cmp_word) != NULL;
}

bool aipkg_word_weak(const char *w)
{
	return in_list(w, weak, sizeof(weak) / sizeof(weak[0]));
}

static bool word_char(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '.' || c == '_' || c == '-' || c == '\'';
}

/* Keep a finished word unless it is filler, empty or too long. */
static void words_take(struct aipkg_words *out, char *w, size_t len, bool keep_filler)
{
	while (len && strchr(".-_'", w[len - 1]))
		len--;
	while (len && strchr(".-_'", w[0]))
		memmove(w, w + 1, len--);
	w[len] = '\0';
	if (!len || len >= AIPKG_WORD_LEN || out->n >= AIPKG_WORDS_MAX)
		return;
	if (!keep_filler && in_list(w, filler, sizeof(filler) / sizeof(filler[0])))
		return;
	memcpy(out->w[out->n++], w, len + 1);
}

void aipkg_words_split(const char *text, bool keep_filler, struct aipkg_words *out)
{
	char w[AIPKG_WORD_LEN * 2];
	size_t len = 0;
	bool skip = false; /* inside a word too long to keep */

	out->n = 0;
	for (const unsigned char *p = (const unsigned char *)text;; p++) {
		if (*p && word_char(*p)) {
			if (len + 1 < sizeof(w))
				w[len++] = (char)tolower(*p);
			else
				skip = true;
			continue;
		}
		if (len && !skip)
			words_take(out, w, len, keep_filler);
		len = 0;
		skip = false;
		if (!*p)
			break;
	}
}

static bool plural_of(const char *plural, const char *single)
{
	size_t ls = strlen(single), lp = strlen(plural);

	if (lp <= ls || strncmp(plural, single, ls) != 0)
		return false;
	return strcmp(plural + ls, "s") == 0 || strcmp(plural + ls, "es") == 0;
}

bool aipkg_word_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0 || plural_of(a, b) || plural_of(b, a);
}

/* Words before the verb of a request ("please", "can you", "I'd like
 * to"); sorted for bsearch. */
static const char *const polite[] = {
	"ahead", "and", "can", "could", "go", "hello", "hey", "hi", "i", "i'd", "i'm", "id",
	"just", "kindly", "let's", "lets", "like", "me", "need", "now", "ok", "okay", "please",
	"pls", "so", "to", "u", "wanna", "want", "we", "will", "would", "you",
};

static const char *const remove_verbs[] = {
	"deinstall", "delete", "drop", "erase", "purge", "remove", "rm", "uninstall",
};

static const char *const upgrade_verbs[] = { "update", "upgrade" };

/* Verbs and question words that ask about packages rather than for them
 * ("find", "list", "show" are needs too: "find memory leaks", "list open
 * files", "show me what eats the CPU"). */
static const char *const query_words[] = {
	"are", "describe", "did", "does", "explain", "is", "search", "was", "what's", "whats",
	"where", "which", "who", "why",
};

/* After "what": the words of a question ("what is", "what depends on"),
 * not of a need ("what do I need for ..."). */
static const char *const what_questions[] = {
	"are", "depends", "is", "needs", "owns", "provides", "requires", "uses", "version",
	"versions",
};

#define IN(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

enum aipkg_request_kind aipkg_request_kind(const char *request)
{
	struct aipkg_words *w = malloc(sizeof(*w));
	enum aipkg_request_kind kind = AIPKG_REQUEST_INSTALL;
	size_t i = 0;

	if (!w)
		return kind;
	aipkg_words_split(request, true, w);
	while (i < w->n && IN(w->w[i], polite))
		i++;
	if (i < w->n) {
		const char *v = w->w[i], *next = i + 1 < w->n ? w->w[i + 1] : "";

		if (IN(v, remove_verbs) ||
		    (strcmp(v, "get") == 0 && strcmp(next, "rid") == 0))
			kind = AIPKG_REQUEST_REMOVE;
		else if (IN(v, upgrade_verbs))
			kind = AIPKG_REQUEST_UPGRADE;
		else if ((IN(v, query_words) && strcmp(next, "there") != 0) ||
			 (strcmp(v, "what") == 0 && IN(next, what_questions)))
			kind = AIPKG_REQUEST_QUERY; /* "is there a pdf viewer" is a need */
	}
	free(w);
	return kind;
}
