/* aipkg.yaml: defaults, then the file, checked key by key against a table. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include <yaml.h>

#include "aipkg/error.h"
#include "ai/llm.h"
#include "config.h"
#include "fileio.h"
#include "url.h"

enum key_type { KEY_MAP, KEY_STRING, KEY_WORDS, KEY_SECONDS, KEY_INT, KEY_LIST, KEY_DICT,
		KEY_BOOL, KEY_WINDOW };

struct config_key {
	const char *path;
	enum key_type type;
	size_t offset;
	size_t count_offset; /* KEY_WORDS: where the word count goes */
	const char *choices; /* KEY_STRING: "a|b|c", the values allowed; NULL: any */
	/* What an unset key (NULL, or lock_timeout's -1) means, for `aipkg
	 * config`: the value aipkg uses (as JSON), or in words when it is no
	 * single value.  On a mapping, NOTE makes it an optional section. */
	const char *dflt;
	const char *note;
};

/* Flow collections ("[[[...", "{a: {a: ...") nest at most this deep: a
 * configuration needs two levels, and libyaml takes minutes on a few
 * hundred thousand. */
#define CONFIG_FLOW_DEPTH_MAX 16
#define CONFIG_SIZE_MAX ((size_t)256 << 10) /* a real one is a few KiB */

#define OFF(field) offsetof(struct aipkg_config, field)
#define AGENT_ACTIONS "apply|sandbox|defer"
#define LLM_UNSET_tactical "not set: the offline planner answers"
#define LLM_UNSET_strategic "not set: the tactical model decides"
#define LLM_KEYS(tier)                                                                  \
	{ "llm." #tier, KEY_MAP, 0, 0, NULL, NULL, LLM_UNSET_##tier },                  \
	{ "llm." #tier ".allow_insecure", KEY_BOOL, OFF(llm_##tier.allow_insecure), 0, NULL, \
	  NULL, NULL },                                                                 \
	{ "llm." #tier ".api_key_env", KEY_STRING, OFF(llm_##tier.api_key_env), 0, NULL, NULL, \
	  "none (no key is sent)" },                                                     \
	{ "llm." #tier ".base_url", KEY_STRING, OFF(llm_##tier.base_url), 0, NULL, NULL, NULL }, \
	{ "llm." #tier ".model", KEY_STRING, OFF(llm_##tier.model), 0, NULL, NULL, NULL }, \
	{ "llm." #tier ".provider", KEY_STRING, OFF(llm_##tier.provider), 0,            \
	  "openai|anthropic", NULL, NULL },                                             \
	{ "llm." #tier ".retries", KEY_INT, OFF(llm_##tier.retries), 0, NULL, NULL, NULL }, \
	{ "llm." #tier ".timeout", KEY_SECONDS, OFF(llm_##tier.timeout), 0, NULL, NULL, NULL }

/* Every key aipkg understands; anything else is an error, so a typo never
 * silently falls back to a default. */
static const struct config_key config_keys[] = {
	{ "apk", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "apk.command", KEY_WORDS, OFF(apk_command), OFF(apk_command_n), NULL, "[\"apk\"]", NULL },
	{ "apk.timeout", KEY_SECONDS, OFF(apk_timeout), 0, NULL, NULL, NULL },
	{ "apk.wait", KEY_INT, OFF(apk_wait), 0, NULL, NULL, NULL },
	{ "doctor", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "doctor.index_max_age", KEY_SECONDS, OFF(doctor_index_max_age), 0, NULL, NULL, NULL },
	{ "journal", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "journal.keep_packages_mb", KEY_INT, OFF(keep_packages_mb), 0, NULL, NULL, NULL },
	{ "journal.keep_rollbacks", KEY_INT, OFF(keep_rollbacks), 0, NULL, NULL, NULL },
	{ "lock_timeout", KEY_SECONDS, OFF(lock_timeout), 0, NULL, NULL,
	  "30 at a terminal, 0 otherwise" },
	{ "vuln", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "vuln.fail_on", KEY_STRING, OFF(vuln_fail_on), 0, "any|critical|high|medium|low|never",
	  "\"high\"", NULL },
	{ "vuln.max_age", KEY_SECONDS, OFF(vuln_max_age), 0, NULL, NULL, NULL },
	{ "vuln.secdb_url", KEY_STRING, OFF(vuln_secdb_url), 0, NULL, "\"" AIPKG_SECDB_URL_DEFAULT "\"",
	  NULL },
	{ "vuln.severity", KEY_STRING, OFF(vuln_severity), 0, NULL, NULL,
	  "none (every severity is unknown)" },
	{ "vuln.timeout", KEY_SECONDS, OFF(vuln_timeout), 0, NULL, NULL, NULL },
	{ "llm", KEY_MAP, 0, 0, NULL, NULL, NULL },
	LLM_KEYS(tactical),
	LLM_KEYS(strategic),
	{ "agent", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "agent.allow", KEY_LIST, OFF(agent.allow), OFF(agent.allow_n), NULL, NULL,
	  "all (every package may be upgraded)" },
	{ "agent.checks", KEY_DICT, OFF(agent.checks), 0, NULL, "{}", NULL },
	{ "agent.core_packages", KEY_LIST, OFF(agent.core_packages), OFF(agent.core_packages_n),
	  NULL, NULL, "the built-in list (musl, openssl, busybox, linux-*, ...)" },
	{ "agent.deny", KEY_LIST, OFF(agent.deny), OFF(agent.deny_n), NULL, "[]", NULL },
	{ "agent.heal", KEY_BOOL, OFF(agent.heal), 0, NULL, NULL, NULL },
	{ "agent.high_packages", KEY_LIST, OFF(agent.high_packages), OFF(agent.high_packages_n),
	  NULL, "[]", NULL },
	{ "agent.keep_reports", KEY_INT, OFF(agent.keep_reports), 0, NULL, NULL, NULL },
	{ "agent.max_packages", KEY_INT, OFF(agent.max_packages), 0, NULL, NULL, NULL },
	{ "agent.min_age", KEY_SECONDS, OFF(agent.min_age), 0, NULL, NULL, NULL },
	{ "agent.notify", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "agent.notify.command", KEY_WORDS, OFF(agent.notify_command),
	  OFF(agent.notify_command_n), NULL, NULL, "none" },
	{ "agent.notify.syslog", KEY_BOOL, OFF(agent.notify_syslog), 0, NULL, NULL, NULL },
	{ "agent.notify.webhook", KEY_STRING, OFF(agent.notify_webhook), 0, NULL, NULL, "none" },
	{ "agent.policy", KEY_MAP, 0, 0, NULL, NULL, NULL },
	{ "agent.policy.high", KEY_STRING, OFF(agent.policy_high), 0, AGENT_ACTIONS, "\"defer\"", NULL },
	{ "agent.policy.low", KEY_STRING, OFF(agent.policy_low), 0, AGENT_ACTIONS, "\"apply\"", NULL },
	{ "agent.policy.medium", KEY_STRING, OFF(agent.policy_medium), 0, AGENT_ACTIONS,
	  "\"sandbox\"", NULL },
	{ "agent.policy.security", KEY_STRING, OFF(agent.policy_security), 0, AGENT_ACTIONS,
	  "\"sandbox\"", NULL },
	{ "agent.restart_services", KEY_BOOL, OFF(agent.restart_services), 0, NULL, NULL, NULL },
	{ "agent.reverse_deps_high", KEY_INT, OFF(agent.reverse_deps_high), 0, NULL, NULL, NULL },
	{ "agent.review", KEY_BOOL, OFF(agent.review), 0, NULL, NULL, NULL },
	{ "agent.sandbox_timeout", KEY_SECONDS, OFF(agent.sandbox_timeout), 0, NULL, NULL, NULL },
	{ "agent.window", KEY_WINDOW, OFF(agent.window), 0, NULL, NULL, "any time" },
};

struct loader {
	struct aipkg_config *cfg;
	yaml_document_t *doc;
	const char *file;
	struct aipkg_buf *err;
};

static const char *type_name(enum key_type t)
{
	switch (t) {
	case KEY_MAP:
		return "a mapping";
	case KEY_STRING:
		return "a string";
	case KEY_WORDS:
		return "a command (a string or a list of strings)";
	case KEY_SECONDS:
		return "a number of seconds";
	case KEY_INT:
		return "a whole number";
	case KEY_LIST:
		return "a list of names";
	case KEY_DICT:
		return "a mapping of names to strings";
	case KEY_BOOL:
		return "true or false";
	case KEY_WINDOW:
		return "a time window such as \"02:00-05:00\"";
	}
	return "?";
}

__attribute__((format(printf, 3, 4))) static int fail_at(struct loader *ld, yaml_node_t *node,
							  const char *fmt, ...)
{
	va_list ap;

	aipkg_buf_reset(ld->err);
	aipkg_buf_addf(ld->err, "%s:%zu: ", ld->file, node->start_mark.line + 1);
	va_start(ap, fmt);
	aipkg_buf_vaddf(ld->err, fmt, ap);
	va_end(ap);
	return -AIPKG_E_CONFIG;
}

static const struct config_key *key_lookup(const char *path)
{
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].path, path) == 0)
			return &config_keys[i];
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The key of MAP's pair P when an earlier pair has the same one, else NULL:
 * with two, which counts would be a guess (vuln.fail_on: never, below a
 * fail_on: critical, silently won). */
static yaml_node_t *earlier_same_key(struct loader *ld, yaml_node_t *map, yaml_node_pair_t *p,
				     const char *key)
{
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, q->key);

		if (k && scalar(k) && strcmp(scalar(k), key) == 0)
			return k;
	}
	return NULL;
}

int aipkg_split_words(const char *s, char ***words, size_t *n)
{
	struct aipkg_buf w = AIPKG_BUF_INIT;
	char **v = NULL;
	size_t count = 0;
	int r = 0;

	while (*s) {
		char quote = 0;
		bool any = false;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
			if (!quote && (*s == '\'' || *s == '"')) {
				quote = *s;
				any = true;
			} else if (quote && *s == quote) {
				quote = 0;
			} else if (aipkg_buf_addch(&w, *s) < 0) {
				r = -ENOMEM;
				goto out;
			} else {
				any = true;
			}
		}
		if (quote) {
			r = -EINVAL;
			goto out;
		}
		if (any) {
			char **nv = realloc(v, (count + 2) * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				goto out;
			}
			v = nv;
			v[count++] = aipkg_buf_detach(&w);
			v[count] = NULL;
		}
	}
out:
	aipkg_buf_release(&w);
	if (r < 0) {
		aipkg_strv_free(v, count);
		return r;
	}
	*words = v;
	*n = count;
	return 0;
}

int aipkg_strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	char **grown = realloc(*v, (*n + 1) * sizeof(**v));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	if (!(grown[*n] = strndup(s, len)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

void aipkg_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int set_words(struct loader *ld, yaml_node_t *node, const char *path, char ***words,
		     size_t *n)
{
	struct aipkg_buf line = AIPKG_BUF_INIT;
	int r;

	if (scalar(node)) {
		aipkg_buf_addstr(&line, scalar(node));
	} else if (node->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		     it < node->data.sequence.items.top; it++) {
			yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
			if (!item || !scalar(item) || strpbrk(scalar(item), " \t'\"")) {
				aipkg_buf_release(&line);
				return fail_at(ld, node, "'%s' must be %s", path,
					       "a list of words without spaces or quotes");
			}
			aipkg_buf_addf(&line, "%s%s", line.len ? " " : "", scalar(item));
		}
	} else {
		return fail_at(ld, node, "'%s' must be %s", path, type_name(KEY_WORDS));
	}
	aipkg_strv_free(*words, *n);
	*words = NULL;
	*n = 0;
	r = aipkg_split_words(aipkg_buf_str(&line), words, n);
	aipkg_buf_release(&line);
	if (r < 0)
		return fail_at(ld, node, "'%s': %s", path, "unbalanced quotes");
	if (*n == 0)
		return fail_at(ld, node, "'%s' must not be %s", path, "empty");
	return 0;
}

static int set_number(struct loader *ld, yaml_node_t *node, const struct config_key *key,
		      void *slot)
{
	const char *s = scalar(node);
	char *end;
	double v;

	if (!s || !*s)
		return fail_at(ld, node, "'%s' must be %s", key->path, type_name(key->type));
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v) || v < 0 || (key->type == KEY_INT && v != floor(v)) ||
	    v > 1e9)
		return fail_at(ld, node, "'%s' must be %s (0 or more)", key->path,
			       type_name(key->type));
	if (key->type == KEY_INT)
		*(long *)slot = (long)v;
	else
		*(double *)slot = v;
	return 0;
}

static bool clock_parse(const char *s, int *minutes)
{
	if (!(s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
	      s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9'))
		return false;
	*minutes = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
	return *minutes < 24 * 60;
}

bool aipkg_config_window_parse(const char *s, int *start, int *end)
{
	int a, b;

	if (strlen(s) != 11 || s[5] != '-' || !clock_parse(s, &a) || !clock_parse(s + 6, &b) ||
	    a == b)
		return false;
	if (start)
		*start = a;
	if (end)
		*end = b;
	return true;
}

/* Is S one of the '|'-separated CHOICES? */
static bool is_choice(const char *s, const char *choices)
{
	size_t n = strlen(s);

	for (const char *c = choices; *c;) {
		size_t len = strcspn(c, "|");

		if (len == n && strncmp(c, s, n) == 0)
			return true;
		c += len + (c[len] == '|');
	}
	return false;
}

/* A name or glob: what apk allows in names, plus the glob characters. */
static bool list_item_ok(const char *s)
{
	return *s && strlen(s) < 256 && !s[strcspn(s, " \t\n'\"")];
}

/* A list of names (or one name alone). */
static int set_list(struct loader *ld, yaml_node_t *node, const struct config_key *key,
		    void *slot)
{
	size_t *n = (size_t *)((char *)ld->cfg + key->count_offset);
	char ***v = slot;

	aipkg_strv_free(*v, *n);
	*v = NULL;
	*n = 0;
	if (scalar(node))
		return *scalar(node) ? aipkg_split_words(scalar(node), v, n) : 0;
	if (node->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, node, "'%s' must be %s", key->path, type_name(key->type));
	*v = calloc(node->data.sequence.items.top - node->data.sequence.items.start + 1,
		    sizeof(char *));
	if (!*v)
		return -ENOMEM;
	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

		if (!item || !scalar(item) || !list_item_ok(scalar(item)))
			return fail_at(ld, item ? item : node, "'%s' must be %s", key->path,
				       "a list of names or globs (no blanks or quotes)");
		if (!((*v)[(*n)++] = strdup(scalar(item))))
			return -ENOMEM;
	}
	return 0;
}

/* {NAME: "string"}: keys are package names or globs. */
static int set_dict(struct loader *ld, yaml_node_t *node, const struct config_key *key,
		    void *slot)
{
	json_t **obj = slot;

	if (node->type != YAML_MAPPING_NODE)
		return fail_at(ld, node, "'%s' must be %s", key->path, type_name(key->type));
	json_decref(*obj);
	*obj = json_object();
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);

		if (!k || !v || !scalar(k) || !list_item_ok(scalar(k)) || !scalar(v) ||
		    !*scalar(v))
			return fail_at(ld, k ? k : node, "'%s' must be %s", key->path,
				       type_name(key->type));
		if (json_object_get(*obj, scalar(k)))
			return fail_at(ld, k, "duplicate key '%s.%s' (also at line %zu): aipkg "
					      "does not guess which one counts; keep one",
				       key->path, scalar(k),
				       earlier_same_key(ld, node, p, scalar(k))->start_mark.line + 1);
		json_object_set_new(*obj, scalar(k), json_string(scalar(v)));
	}
	return 0;
}

static int set_bool(struct loader *ld, yaml_node_t *node, const struct config_key *key,
		    void *slot)
{
	const char *s = scalar(node);

	if (s && (is_choice(s, "true|yes|on|True|TRUE") || is_choice(s, "false|no|off|False|FALSE"))) {
		*(bool *)slot = is_choice(s, "true|yes|on|True|TRUE");
		return 0;
	}
	return fail_at(ld, node, "'%s' must be %s", key->path, type_name(key->type));
}

static int set_value(struct loader *ld, yaml_node_t *node, const struct config_key *key)
{
	void *slot = (char *)ld->cfg + key->offset;

	switch (key->type) {
	case KEY_STRING:
		if (!scalar(node))
			return fail_at(ld, node, "'%s' must be %s", key->path, type_name(key->type));
		if (key->choices && !is_choice(scalar(node), key->choices))
			return fail_at(ld, node, "'%s' must be one of %s", key->path, key->choices);
		free(*(char **)slot);
		*(char **)slot = strdup(scalar(node));
		return *(char **)slot ? 0 : -ENOMEM;
	case KEY_WORDS:
		return set_words(ld, node, key->path, slot,
				 (size_t *)((char *)ld->cfg + key->count_offset));
	case KEY_SECONDS:
	case KEY_INT:
		return set_number(ld, node, key, slot);
	case KEY_LIST:
		return set_list(ld, node, key, slot);
	case KEY_DICT:
		return set_dict(ld, node, key, slot);
	case KEY_BOOL:
		return set_bool(ld, node, key, slot);
	case KEY_WINDOW:
		if (!scalar(node) || !aipkg_config_window_parse(scalar(node), NULL, NULL))
			return fail_at(ld, node, "'%s' must be %s", key->path, type_name(key->type));
		free(*(char **)slot);
		*(char **)slot = strdup(scalar(node));
		return *(char **)slot ? 0 : -ENOMEM;
	case KEY_MAP:
		break;
	}
	return 0;
}

static int load_map(struct loader *ld, yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, p->value), *first;
		const struct config_key *key;
		char path[256];
		int r;

		if (!k || !v || !scalar(k))
			return fail_at(ld, k ? k : map, "%s%s", "keys must be plain strings", "");
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", scalar(k));
		key = key_lookup(path);
		if (!key)
			return fail_at(ld, k, "unknown key '%s'%s", path,
				       " (see aipkg.yaml(5))");
		if ((first = earlier_same_key(ld, map, p, scalar(k))))
			return fail_at(ld, k, "duplicate key '%s' (also at line %zu): aipkg does not "
					      "guess which one counts; keep one",
				       path, first->start_mark.line + 1);
		json_object_set_new(ld->cfg->origins, path,
				    json_integer((json_int_t)k->start_mark.line + 1));
		if (key->type != KEY_MAP) {
			r = set_value(ld, v, key);
		} else if (v->type == YAML_MAPPING_NODE) {
			r = load_map(ld, v, path);
		} else if (scalar(v) && !*scalar(v)) {
			r = 0; /* "apk:" with nothing under it */
		} else {
			r = fail_at(ld, v, "'%s' must be %s", path, type_name(KEY_MAP));
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Is S..S+i at the start of a token, where a quote opens a scalar? */
static bool token_start(const char *s, size_t i)
{
	return i == 0 || strchr(" \t\n[{,", s[i - 1]);
}

/*
 * Before libyaml sees the text: flow collections nested deeper than any
 * configuration needs are refused, since libyaml's scanner takes time
 * quadratic in their depth (400 KB of '[' took minutes).  A lexical pass:
 * brackets inside quoted scalars and comments do not count.
 */
static int depth_check(struct loader *ld, const char *s, size_t len)
{
	size_t depth = 0, line = 1;
	char quote = 0;
	bool comment = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n') {
			line++;
			comment = false;
		} else if (comment) {
			continue;
		} else if (quote) {
			if (quote == '"' && c == '\\')
				i++;
			else if (c == quote && quote == '\'' && i + 1 < len && s[i + 1] == '\'')
				i++;
			else if (c == quote)
				quote = 0;
		} else if (c == '#' && (i == 0 || strchr(" \t", s[i - 1]))) {
			comment = true;
		} else if ((c == '"' || c == '\'') && token_start(s, i)) {
			quote = c;
		} else if (c == '[' || c == '{') {
			if (++depth > CONFIG_FLOW_DEPTH_MAX) {
				aipkg_buf_reset(ld->err);
				aipkg_buf_addf(ld->err, "%s:%zu: lists and mappings nested more than %d "
							"deep: no configuration needs that",
					       ld->file, line, CONFIG_FLOW_DEPTH_MAX);
				return -AIPKG_E_CONFIG;
			}
		} else if (c == ']' || c == '}') {
			depth -= depth > 0;
		}
	}
	return 0;
}

static int parse_text(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int r = 0;

	if (len > CONFIG_SIZE_MAX) {
		aipkg_buf_reset(ld->err);
		aipkg_buf_addf(ld->err, "%s: larger than %zu KiB, which no configuration needs",
			       ld->file, CONFIG_SIZE_MAX >> 10);
		return -AIPKG_E_CONFIG;
	}
	r = depth_check(ld, text, len);
	if (r < 0)
		return r;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		aipkg_buf_reset(ld->err);
		aipkg_buf_addf(ld->err, "%s:%zu: %s", ld->file, parser.problem_mark.line + 1,
			       parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return -AIPKG_E_CONFIG;
	}
	ld->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		r = load_map(ld, root, "");
	else if (root && !(scalar(root) && !*scalar(root)))
		r = fail_at(ld, root, "%s%s", "the configuration must be a mapping of keys", "");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return r;
}

static void config_defaults(struct aipkg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->origins = json_object();
	cfg->apk_wait = 600;
	cfg->lock_timeout = -1;
	cfg->keep_packages_mb = 256;
	cfg->keep_rollbacks = 10;
	cfg->vuln_max_age = 86400;
	cfg->vuln_timeout = 60;
	cfg->doctor_index_max_age = 7 * 86400;
	aipkg_llm_config_defaults(&cfg->llm_tactical);
	aipkg_llm_config_defaults(&cfg->llm_strategic);
	cfg->agent.reverse_deps_high = 10;
	cfg->agent.sandbox_timeout = 600;
	cfg->agent.keep_reports = 90;
}

int aipkg_config_load_text(struct aipkg_config *cfg, const char *name, const char *text,
			   size_t len, struct aipkg_buf *err)
{
	struct loader ld = { cfg, NULL, name, err };
	int r;

	config_defaults(cfg);
	r = parse_text(&ld, text, len);
	return r < 0 ? r : aipkg_llm_config_check(cfg, err);
}

int aipkg_config_load(struct aipkg_config *cfg, const char *path, bool required,
		      struct aipkg_buf *err)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	struct loader ld = { cfg, NULL, path, err };
	int r;

	config_defaults(cfg);
	if (!path)
		return 0;
	aipkg_buf_init(&text, CONFIG_SIZE_MAX);
	r = aipkg_buf_read_file(&text, path);
	if (r == -ENOENT && !required) {
		aipkg_buf_release(&text);
		return 0;
	}
	if (r < 0) {
		aipkg_buf_reset(err);
		/* "/etc/x: No such file or directory" said neither what the
		 * file was for nor what to do */
		aipkg_buf_addf(err, "cannot read the configuration file %s: %s%s", path,
			       r == -AIPKG_E_TOOBIG ? "larger than 256 KiB, which no configuration needs"
						    : aipkg_file_strerror(r),
			       r == -ENOENT ? " (name an existing file; see aipkg.yaml(5))" : "");
		aipkg_buf_release(&text);
		return -AIPKG_E_CONFIG;
	}
	cfg->path = strdup(path);
	r = parse_text(&ld, aipkg_buf_str(&text), text.len);
	aipkg_buf_release(&text);
	return r < 0 ? r : aipkg_llm_config_check(cfg, err);
}

static void agent_release(struct aipkg_agent_config *a)
{
	free(a->policy_low);
	free(a->policy_medium);
	free(a->policy_high);
	free(a->policy_security);
	aipkg_strv_free(a->core_packages, a->core_packages_n);
	aipkg_strv_free(a->high_packages, a->high_packages_n);
	aipkg_strv_free(a->deny, a->deny_n);
	aipkg_strv_free(a->allow, a->allow_n);
	json_decref(a->checks);
	free(a->notify_webhook);
	aipkg_strv_free(a->notify_command, a->notify_command_n);
	free(a->window);
}

void aipkg_config_release(struct aipkg_config *cfg)
{
	json_decref(cfg->origins);
	free(cfg->path);
	aipkg_strv_free(cfg->apk_command, cfg->apk_command_n);
	free(cfg->vuln_secdb_url);
	free(cfg->vuln_severity);
	free(cfg->vuln_fail_on);
	aipkg_llm_config_release(&cfg->llm_tactical);
	aipkg_llm_config_release(&cfg->llm_strategic);
	agent_release(&cfg->agent);
	memset(cfg, 0, sizeof(*cfg));
}

/*
 * The settings as `aipkg config` shows them: every key of the table from
 * its slot, so a key added to the table is shown without more code.
 */

static json_t *strv_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* A string setting as shown: a URL's user:password@ and query values masked. */
static json_t *shown_string(const char *s)
{
	char *masked = strstr(s, "://") ? aipkg_url_mask(s) : NULL;
	json_t *v = json_string(masked ? masked : s);

	free(masked);
	return v;
}

/* A number of seconds as a person writes it: 30, not 30.0. */
static json_t *seconds_json(double d)
{
	return d == floor(d) && fabs(d) < 1e15 ? json_integer((json_int_t)d) : json_real(d);
}

/* KEY's value in CFG, or NULL when it is unset (a NULL slot, a negative
 * number of seconds: what the key's dflt or note says applies). */
static json_t *key_value(const struct aipkg_config *cfg, const struct config_key *key)
{
	const char *slot = (const char *)cfg + key->offset;
	const size_t *n = (const size_t *)((const char *)cfg + key->count_offset);

	switch (key->type) {
	case KEY_STRING:
	case KEY_WINDOW:
		return *(char *const *)slot ? shown_string(*(char *const *)slot) : NULL;
	case KEY_WORDS:
	case KEY_LIST:
		return *(char **const *)slot ? strv_json(*(char **const *)slot, *n) : NULL;
	case KEY_SECONDS:
		return *(const double *)slot < 0 ? NULL : seconds_json(*(const double *)slot);
	case KEY_INT:
		return json_integer((json_int_t) * (const long *)slot);
	case KEY_BOOL:
		return json_boolean(*(const bool *)slot);
	case KEY_DICT:
		return *(json_t *const *)slot ? json_deep_copy(*(json_t *const *)slot) : NULL;
	case KEY_MAP:
		break;
	}
	return NULL;
}

/* Did the file set anything under the mapping PATH? */
static bool section_set(const struct aipkg_config *cfg, const char *path)
{
	size_t len = strlen(path);
	const char *key;
	json_t *v;

	json_object_foreach(cfg->origins, key, v)
		if (strncmp(key, path, len) == 0 && key[len] == '.')
			return true;
	return false;
}

static json_t *setting_row(const struct aipkg_config *cfg, const struct config_key *key)
{
	json_t *row = json_pack("{s:s}", "key", key->path), *line, *v;

	if (key->type == KEY_MAP) {
		json_object_set_new(row, "map", json_true());
		if (key->note && !section_set(cfg, key->path)) /* an optional section, unset */
			json_object_set_new(row, "note", json_string(key->note));
		return row;
	}
	v = key_value(cfg, key);
	if (!v && key->dflt)
		v = json_loads(key->dflt, JSON_DECODE_ANY, NULL);
	line = json_object_get(cfg->origins, key->path);
	json_object_set_new(row, "value", v ? v : json_null());
	json_object_set_new(row, "origin", line ? json_sprintf("%s:%lld", cfg->path ? cfg->path : "?",
							       (long long)json_integer_value(line))
						: json_string("default"));
	if (!v && key->note)
		json_object_set_new(row, "note", json_string(key->note));
	return row;
}

json_t *aipkg_config_settings(const struct aipkg_config *cfg)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		json_array_append_new(rows, setting_row(cfg, &config_keys[i]));
	return rows;
}

/* The object for the dotted PATH's parent inside DOC ("vuln.fail_on" ->
 * DOC.vuln), and its last name in *name; NULL when a parent is null (an
 * unset optional section). */
static json_t *parent_of(json_t *doc, const char *path, const char **name)
{
	char part[256];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(part, sizeof(part), "%.*s", (int)(dot - path), path);
		doc = json_object_get(doc, part);
		if (!json_is_object(doc))
			return NULL;
		path = dot + 1;
	}
	*name = path;
	return doc;
}

json_t *aipkg_config_settings_nest(const json_t *settings)
{
	json_t *doc = json_object(), *row, *parent;
	const char *name;
	size_t i;

	json_array_foreach(settings, i, row) {
		parent = parent_of(doc, json_string_value(json_object_get(row, "key")), &name);
		if (!parent)
			continue;
		if (!json_is_true(json_object_get(row, "map")))
			json_object_set(parent, name, json_object_get(row, "value"));
		else
			json_object_set_new(parent, name,
					    json_object_get(row, "note") ? json_null() : json_object());
	}
	return doc;
}

json_t *aipkg_config_json(const struct aipkg_config *cfg)
{
	json_t *settings = aipkg_config_settings(cfg);
	json_t *doc = aipkg_config_settings_nest(settings);

	json_object_set_new(doc, "file", cfg->path ? json_string(cfg->path) : json_null());
	json_decref(settings);
	return doc;
}
