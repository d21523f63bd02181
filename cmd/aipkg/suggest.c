/* What a mistyped command or option was probably meant to be, and apk's verbs in aipkg's words. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WORD_MAX 64

/* Edit distance with adjacent transpositions counted as one edit
 * (optimal string alignment), so "isntall" is one edit from "install". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[WORD_MAX + 1][WORD_MAX + 1];

	if (la > WORD_MAX || lb > WORD_MAX)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			size_t best = sub < del ? sub : del;

			best = ins < best ? ins : best;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* How far a typo may be from what was meant: one edit in a short word,
 * two in a longer one (git allows about as much). */
static size_t allowed(const char *typed)
{
	return strlen(typed) <= 4 ? 1 : 2;
}

void cli_suggest_init(struct cli_suggest *s, const char *typed)
{
	memset(s, 0, sizeof(*s));
	s->typed = typed;
	s->best = allowed(typed) + 1;
}

void cli_suggest_add(struct cli_suggest *s, const char *candidate)
{
	size_t d = distance(s->typed, candidate);
	size_t n = strlen(s->typed);

	/* a unique start of a word counts as near: "inst" for install */
	if (d > allowed(s->typed) && n >= 3 && strncmp(s->typed, candidate, n) == 0)
		d = allowed(s->typed);
	if (d > s->best || d == 0)
		return;
	if (d < s->best)
		s->n = 0;
	s->best = d;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->match[i], candidate) == 0)
			return;
	if (s->n < CLI_SUGGEST_MAX)
		s->match[s->n++] = candidate;
}

/* "; did you mean 'install'?" or "; did you mean 'lock' or 'list'?" (or
 * "") in OUT, each candidate after PREFIX ("" or "--"). */
const char *cli_suggest_text(const struct cli_suggest *s, const char *prefix, char *out,
			     size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < s->n && at < size; i++)
		at += (size_t)snprintf(out + at, size - at, "%s'%s%s'",
				       i == 0 ? "; did you mean " : i + 1 == s->n ? " or " : ", ",
				       prefix, s->match[i]);
	if (s->n && at < size)
		snprintf(out + at, size - at, "?");
	return out;
}

/* apk's commands, and words of other package managers, in aipkg's terms:
 * WORD is run as 'aipkg CALL' (CMD is CALL's command, which must exist). */
static const struct {
	const char *word, *cmd, *call;
	bool apk;
} verbs[] = {
	{ "add", "install", "install", true },
	{ "del", "remove", "remove", true },
	{ "upgrade", "update", "update", true },
	{ "fix", "doctor", "doctor --fix", true },
	{ "audit", "doctor", "doctor", true },
	{ "policy", "info", "info", true },
	{ "uninstall", "remove", "remove", false },
	{ "erase", "remove", "remove", false },
	{ "purge", "remove", "remove", false },
	{ "show", "info", "info", false },
	{ "provides", "search", "search cmd:NAME", false },
	{ "whatprovides", "search", "search cmd:NAME", false },
	{ "undo", "rollback", "rollback", false },
	{ "log", "history", "history", false },
};

/* apk commands aipkg leaves to apk. */
static const char *const apk_only[] = {
	"cache", "fetch", "index", "stats", "verify", "manifest", "mkpkg", "mkndx",
	"extract", "convndx", "convdb", "adbdump", "adbsign", "query", "dot",
};

static bool is_verb(const char *name)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].apk && strcmp(name, verbs[i].word) == 0)
			return true;
	return false;
}

int cli_command_hint(const char *name, char *out, size_t size)
{
	struct cli_suggest s;

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(name, verbs[i].word) != 0)
			continue;
		if (!cli_command_find(verbs[i].cmd))
			break; /* not in this aipkg: apk's own */
		if (verbs[i].apk)
			return snprintf(out, size, " (apk %s is 'aipkg %s')", name, verbs[i].call);
		return snprintf(out, size, "; did you mean 'aipkg %s'?", verbs[i].call);
	}
	for (size_t i = 0; i < sizeof(apk_only) / sizeof(apk_only[0]); i++)
		if (strcmp(name, apk_only[i]) == 0 || (i == 0 && is_verb(name)))
			return snprintf(out, size, " (apk %s is apk's own: run 'apk %s')", name,
					name);
	cli_suggest_init(&s, name);
	for (const struct aipkg_cmd *const *c = cli_commands; *c; c++)
		cli_suggest_add(&s, (*c)->name);
	cli_suggest_text(&s, "", out, size);
	return (int)strlen(out);
}
