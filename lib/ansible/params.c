/* The Ansible module's parameters, checked and converted as Ansible checks a module's. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aipkg/error.h"
#include "ansible/ansible.h"
#include "apk/pkg.h"

enum ptype { T_BOOL, T_STR, T_LIST, T_ROLLBACK, T_VULN, T_SECONDS };

struct pspec {
	const char *name;
	enum ptype type;
};

/* Sorted: the order Ansible lists them in "Supported parameters include". */
static const struct pspec specs[] = {
	{ "available", T_BOOL },    { "check_vuln", T_VULN },	   { "force", T_BOOL },
	{ "lock_timeout", T_SECONDS }, { "name", T_LIST },	   { "no_cache", T_BOOL },
	{ "plan_only", T_BOOL },    { "rdepends", T_BOOL },	   { "repository", T_LIST },
	{ "rollback", T_ROLLBACK }, { "root", T_STR },		   { "state", T_STR },
	{ "update_cache", T_BOOL }, { "upgrade", T_BOOL },	   { "world", T_STR },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static const char *const states[] = { "present", "installed", "absent", "removed",
				      "latest",	 "locked",    "unlocked" };
static const enum ans_state state_of[] = { ANS_PRESENT, ANS_PRESENT, ANS_ABSENT,  ANS_ABSENT,
					   ANS_LATEST,	ANS_LOCKED,  ANS_UNLOCKED };
static const char *const levels[] = { "any", "critical", "high", "medium", "low" };
static const char *const vuln_keys[] = { "fail_on", "packages", "refresh" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define WORLD_FILE "/etc/apk/world"
#define LOCK_TIMEOUT_DEFAULT 30

const char *aipkg_ansible_state_name(enum ans_state s)
{
	for (size_t i = 0; i < NELEM(states); i++)
		if (state_of[i] == s)
			return states[i];
	return "?";
}

/* A bad argument: ERR says why, as Ansible's own checks word it. */
#define fail(err, ...) aipkg_buf_fail((err), -AIPKG_E_USAGE, __VA_ARGS__)

/* Python's name for a JSON value's type, as Ansible's messages say it. */
static const char *py_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "dict";
	case JSON_ARRAY:
		return "list";
	case JSON_STRING:
		return "str";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_NULL:
		return "NoneType";
	}
	return "?";
}

static int find(const char *const *set, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(set[i], s) == 0)
			return (int)i;
	return -1;
}

static void join(struct aipkg_buf *b, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		aipkg_buf_addf(b, "%s%s", i ? ", " : "", set[i]);
}

/*
 * Conversions, as AnsibleModule converts a parameter of each type.
 */

/* Ansible's BOOLEANS_TRUE and BOOLEANS_FALSE: JSON booleans, 1 and 0, and
 * the strings y/yes/on/1/true/t and n/no/off/0/false/f in any case. */
static int to_bool(const char *key, const json_t *v, bool *out, struct aipkg_buf *err)
{
	static const char *const yes[] = { "y", "yes", "on", "1", "true", "t" };
	static const char *const no[] = { "n", "no", "off", "0", "false", "f" };
	const char *s = json_string_value(v);

	if (json_is_boolean(v) || (json_is_number(v) && (json_number_value(v) == 1 ||
							  json_number_value(v) == 0))) {
		*out = json_is_boolean(v) ? json_is_true(v) : json_number_value(v) == 1;
		return 0;
	}
	for (size_t i = 0; s && i < NELEM(yes); i++)
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			*out = strcasecmp(s, yes[i]) == 0;
			return 0;
		}
	if (s)
		return fail(err, "argument '%s' is of type str and we were unable to convert to "
				 "bool: the value '%s' is not a valid boolean; use true or false "
				 "(yes/no, on/off, 1/0 work too)",
			    key, s);
	return fail(err, "argument '%s' is of type %s and we were unable to convert to bool; "
			 "use true or false",
		    key, py_type(v));
}

/* One item of a list: blanks around it dropped (apk never sees them),
 * numbers as their text, an empty item skipped. */
static int list_add(json_t *list, const char *key, const json_t *item, struct aipkg_buf *err)
{
	struct aipkg_slice s;
	char *text;

	if (json_is_integer(item) || json_is_real(item)) {
		text = json_dumps(item, JSON_ENCODE_ANY);
	} else if (json_is_string(item)) {
		s = aipkg_slice_trim((struct aipkg_slice){ json_string_value(item),
							   json_string_length(item) });
		if (memchr(s.ptr, '\0', s.len))
			return fail(err, "an element of '%s' holds a NUL character", key);
		text = aipkg_slice_dup(s);
	} else {
		return fail(err, "elements of '%s' must be strings, not %s", key, py_type(item));
	}
	if (!text)
		return -ENOMEM;
	if (*text)
		json_array_append_new(list, json_string(text));
	free(text);
	return 0;
}

/* A list of strings: a JSON array, or a string of comma-separated items
 * ("foo,bar"), as Ansible's type='list' takes both. */
static int to_list(const char *key, const json_t *v, json_t **out, struct aipkg_buf *err)
{
	json_t *list = json_array(), *item;
	size_t i;
	int r = 0;

	if (!list)
		return -ENOMEM;
	if (json_is_string(v)) {
		struct aipkg_slice rest = { json_string_value(v), json_string_length(v) }, one;
		bool more;

		do {
			json_t *s;

			more = aipkg_slice_split(&rest, ',', &one);
			s = json_stringn(one.ptr, one.len);
			r = s ? list_add(list, key, s, err) : -ENOMEM;
			json_decref(s);
		} while (r == 0 && more);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if (r == 0)
				r = list_add(list, key, item, err);
	} else if (json_is_number(v)) {
		r = list_add(list, key, v, err);
	} else {
		r = fail(err, "argument '%s' is of type %s and we were unable to convert to list; "
			      "give a list of names or \"name1,name2\"",
			 key, py_type(v));
	}
	if (r == 0)
		*out = list;
	else
		json_decref(list);
	return r;
}

static int to_str(const char *key, const json_t *v, const char **out, struct aipkg_buf *err)
{
	if (!json_is_string(v))
		return fail(err, "argument '%s' is of type %s and must be a string", key,
			    py_type(v));
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(err, "argument '%s' holds a NUL character", key);
	*out = json_string_value(v);
	return 0;
}

/* rollback: an operation id (an integer, or its digits as a string, as a
 * template such as "{{ result.id }}" renders it) or "last". */
static int to_rollback(const json_t *v, long long *out, struct aipkg_buf *err)
{
	const char *s = json_string_value(v);
	char *end = NULL;

	if (s && strcmp(s, "last") == 0) {
		*out = ANS_ROLLBACK_LAST;
		return 0;
	}
	errno = 0;
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (s && *s >= '0' && *s <= '9')
		*out = strtoll(s, &end, 10);
	if ((json_is_integer(v) || (end && !*end && errno == 0)) && *out >= 1)
		return 0;
	if (s)
		return fail(err, "rollback takes an operation id (see 'aipkg history') or 'last', "
				 "not '%s'",
			    s);
	return fail(err, "rollback takes an operation id (see 'aipkg history') or 'last', not "
			 "a value of type %s",
		    py_type(v));
}

static int to_seconds(const char *key, const json_t *v, double *out, struct aipkg_buf *err)
{
	const char *s = json_string_value(v);
	char *end = NULL;

	if (json_is_number(v))
		*out = json_number_value(v);
	else if (s && *s)
		*out = strtod(s, &end);
	if ((json_is_number(v) || (end && !*end)) && *out >= 0 && *out <= 1e9 && !isnan(*out))
		return 0;
	return fail(err, "argument '%s' takes a number of seconds from 0 to 1000000000", key);
}

/* check_vuln: true (check, no gate), false, or {fail_on, refresh, packages}. */
static int to_vuln(const json_t *v, struct ans_params *p, struct aipkg_buf *err)
{
	const char *key;
	json_t *item;
	int r = 0;

	if (!json_is_object(v)) {
		r = to_bool("check_vuln", v, &p->check_vuln, err);
		if (r < 0)
			return fail(err,
				    "check_vuln takes a dictionary such as {fail_on: high} (or "
				    "true: report without a gate), not a value of type %s",
				    py_type(v));
		return 0;
	}
	p->check_vuln = true;
	json_object_foreach((json_t *)v, key, item) {
		if (find(vuln_keys, NELEM(vuln_keys), key) < 0) {
			fail(err, "Unsupported parameters for (aipkg) module: check_vuln.%s. "
				  "Supported parameters include: ",
			     key);
			join(err, vuln_keys, NELEM(vuln_keys));
			return -AIPKG_E_USAGE;
		}
		if (json_is_null(item))
			continue;
		if (strcmp(key, "refresh") == 0)
			r = to_bool("check_vuln.refresh", item, &p->vuln_refresh, err);
		else if (strcmp(key, "packages") == 0)
			r = to_list("check_vuln.packages", item, &p->vuln_packages, err);
		else if ((r = to_str("check_vuln.fail_on", item, &p->fail_on, err)) == 0 &&
			 find(levels, NELEM(levels), p->fail_on) < 0) {
			fail(err, "value of check_vuln.fail_on must be one of: ");
			join(err, levels, NELEM(levels));
			aipkg_buf_addf(err, ", got: %s", p->fail_on);
			r = -AIPKG_E_USAGE;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int to_state(const json_t *v, struct ans_params *p, struct aipkg_buf *err)
{
	const char *s = NULL;
	int i, r = to_str("state", v, &s, err);

	if (r < 0)
		return r;
	if ((i = find(states, NELEM(states), s)) >= 0) {
		p->state = state_of[i];
		p->state_given = true;
		return 0;
	}
	fail(err, "value of state must be one of: ");
	join(err, states, NELEM(states));
	aipkg_buf_addf(err, ", got: %s", s);
	return -AIPKG_E_USAGE;
}

/* world: apk's own world file is the only one aipkg reads and changes. */
static int to_world(const json_t *v, struct aipkg_buf *err)
{
	const char *s = NULL;
	int r = to_str("world", v, &s, err);

	if (r < 0 || strcmp(s, WORLD_FILE) == 0)
		return r;
	return fail(err, "world: aipkg reads and changes the world file apk uses, "
			 "ROOT" WORLD_FILE ", never '%s'; to manage another system's packages "
			 "give root: (the directory it is installed under)",
		    s);
}

static int convert(const struct pspec *spec, const json_t *v, struct ans_params *p,
		   struct aipkg_buf *err)
{
	static const struct {
		const char *name;
		size_t offset;
	} bools[] = {
		{ "available", offsetof(struct ans_params, available) },
		{ "force", offsetof(struct ans_params, force) },
		{ "no_cache", offsetof(struct ans_params, no_cache) },
		{ "plan_only", offsetof(struct ans_params, plan_only) },
		{ "rdepends", offsetof(struct ans_params, rdepends) },
		{ "update_cache", offsetof(struct ans_params, update_cache) },
		{ "upgrade", offsetof(struct ans_params, upgrade) },
	};

	for (size_t i = 0; spec->type == T_BOOL && i < NELEM(bools); i++)
		if (strcmp(spec->name, bools[i].name) == 0)
			return to_bool(spec->name, v, (bool *)((char *)p + bools[i].offset), err);
	if (strcmp(spec->name, "name") == 0)
		return to_list("name", v, &p->name, err);
	if (strcmp(spec->name, "repository") == 0)
		return to_list("repository", v, &p->repository, err);
	if (strcmp(spec->name, "root") == 0)
		return to_str("root", v, &p->root, err);
	if (strcmp(spec->name, "state") == 0)
		return to_state(v, p, err);
	if (strcmp(spec->name, "world") == 0)
		return to_world(v, err);
	if (spec->type == T_ROLLBACK)
		return to_rollback(v, &p->rollback, err);
	if (spec->type == T_VULN)
		return to_vuln(v, p, err);
	return to_seconds(spec->name, v, &p->lock_timeout, err);
}

static const struct pspec *spec_find(const char *key)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (strcmp(specs[i].name, key) == 0)
			return &specs[i];
	return NULL;
}

/* Ansible's own keys; the two that matter here are read, the rest
 * (verbosity, version, tmpdir, ... and any a newer Ansible adds) ignored. */
static int ansible_key(const char *key, const json_t *v, struct ans_params *p,
		       struct aipkg_buf *err)
{
	if (strcmp(key, "_ansible_check_mode") == 0 && !json_is_null(v))
		return to_bool(key, v, &p->check_mode, err);
	if (strcmp(key, "_ansible_diff") == 0 && !json_is_null(v))
		return to_bool(key, v, &p->diff, err);
	return 0;
}

static int unsupported(const json_t *args, struct aipkg_buf *err)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	aipkg_buf_reset(err);
	json_object_foreach((json_t *)args, key,
			    v) if (strncmp(key, "_ansible_", 9) != 0 && !spec_find(key))
	    aipkg_buf_addf(err, "%s%s",
			   n++ ? ", "
			       : "Unsupported parameters for (aipkg) "
				 "module: ",
			   key);
	if (!n)
		return 0;
	aipkg_buf_addstr(err, ". Supported parameters include: ");
	for (size_t i = 0; i < NSPECS; i++)
		aipkg_buf_addf(err, "%s%s", i ? ", " : "", specs[i].name);
	aipkg_buf_addch(err, '.');
	return -AIPKG_E_USAGE;
}

/* Which of the parameters A and B (named, set) are both given. */
static int exclusive(struct aipkg_buf *err, const char *a, bool has_a, const char *b, bool has_b)
{
	if (has_a && has_b)
		return fail(err, "parameters are mutually exclusive: %s|%s", a, b);
	return 0;
}

/* A name to remove, lock or unlock: a package's name, never a constraint,
 * a provider or an option. */
static int plain_names(const struct ans_params *p, struct aipkg_buf *err)
{
	const json_t *v;
	size_t i;

	json_array_foreach(p->name, i, v)
		if (!aipkg_name_valid(aipkg_slice_str(json_string_value(v))))
			return fail(err, "state %s takes package names without a version, not '%s'",
				    aipkg_ansible_state_name(p->state), json_string_value(v));
	return 0;
}

static int cross_checks(const struct ans_params *p, struct aipkg_buf *err)
{
	bool name = p->name, rollback = p->rollback != ANS_ROLLBACK_NONE;
	int r = exclusive(err, "name", name, "upgrade", p->upgrade);

	if (r == 0)
		r = exclusive(err, "rollback", rollback, "name", name);
	if (r == 0)
		r = exclusive(err, "rollback", rollback, "upgrade", p->upgrade);
	if (r == 0)
		r = exclusive(err, "plan_only", p->plan_only, "name", name);
	if (r == 0)
		r = exclusive(err, "plan_only", p->plan_only, "upgrade", p->upgrade);
	if (r == 0)
		r = exclusive(err, "plan_only", p->plan_only, "rollback", rollback);
	if (r == 0 && !name && !p->update_cache && !p->upgrade && !rollback && !p->check_vuln &&
	    !p->plan_only)
		r = fail(err, "one of the following is required: name, update_cache, upgrade, "
			      "rollback, check_vuln, plan_only");
	if (r == 0 && p->state_given && p->state != ANS_PRESENT && !name)
		r = fail(err, "state %s needs name: the packages to act on",
			 aipkg_ansible_state_name(p->state));
	if (r == 0 && name && p->state != ANS_PRESENT && p->state != ANS_LATEST)
		r = plain_names(p, err);
	return r;
}

int aipkg_ansible_params(const json_t *args, struct ans_params *p, struct aipkg_buf *err)
{
	const char *key;
	json_t *v;
	int r;

	memset(p, 0, sizeof(*p));
	p->lock_timeout = LOCK_TIMEOUT_DEFAULT;
	if (!json_is_object(args))
		return fail(err, "the arguments file holds a JSON %s, not an object of parameters",
			    py_type(args));
	r = unsupported(args, err);
	if (r == 0)
		p->given = json_object();
	json_object_foreach((json_t *)args, key, v) {
		const struct pspec *spec = spec_find(key);

		if (r == 0 && strncmp(key, "_ansible_", 9) == 0)
			r = ansible_key(key, v, p, err);
		/* null is "not given", as a task's "name: ~" or an omitted default */
		else if (r == 0 && spec && !json_is_null(v)) {
			json_object_set(p->given, key, v);
			r = convert(spec, v, p, err);
		}
	}
	if (r == 0)
		r = cross_checks(p, err);
	return r;
}

void aipkg_ansible_params_release(struct ans_params *p)
{
	json_decref(p->name);
	json_decref(p->repository);
	json_decref(p->vuln_packages);
	json_decref(p->given);
	memset(p, 0, sizeof(*p));
}
