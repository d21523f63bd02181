/* Dependency atoms ("!name@tag>=1.2") and the names a package provides. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "aipkg/error.h"
#include "apk/pkg.h"
#include "apk/version.h"

/*
 * The operators apk writes (apk-tools' apk_version_op_string).  apk parses
 * any run of "<>=~", but it only ever writes these back into world and
 * indexes, so anything else is a typo worth refusing.  "~" implies "=":
 * ">~1.2" is "newer than 1.2, or 1.2-something".
 */
static const struct {
	const char *text;
	unsigned op;
} dep_ops[] = {
	{ "<", AIPKG_DEP_LT },
	{ "<=", AIPKG_DEP_LE },
	{ "<~", AIPKG_DEP_LT | AIPKG_DEP_FUZZY },
	{ "=", AIPKG_DEP_EQ },
	{ "~", AIPKG_DEP_FUZZY },
	{ ">", AIPKG_DEP_GT },
	{ ">=", AIPKG_DEP_GE },
	{ ">~", AIPKG_DEP_GT | AIPKG_DEP_FUZZY },
	{ "><", AIPKG_DEP_CHECKSUM },
};

static const struct aipkg_slice dep_empty = { "", 0 };

static void dep_clear(struct aipkg_dep *dep)
{
	*dep = (struct aipkg_dep){
		.name = dep_empty, .version = dep_empty, .tag = dep_empty,
		.op = AIPKG_DEP_ANY, .conflict = false,
	};
}

static bool dep_is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool dep_is_op(char c)
{
	return c == '<' || c == '>' || c == '=' || c == '~';
}

/* Whether every byte of S is alphanumeric or in EXTRA. */
static bool dep_all_in(struct aipkg_slice s, const char *extra)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		char c = s.ptr[i];

		/* strchr() finds the terminator: a NUL must not pass */
		if (!dep_is_alnum(c) && (c == '\0' || !strchr(extra, c)))
			return false;
	}
	return true;
}

/* apk 2 installs any argument containing ".apk" as a package file. */
static bool dep_names_file(struct aipkg_slice s)
{
	return s.len >= 4 && memmem(s.ptr, s.len, ".apk", 4) != NULL;
}

/* First byte of a name: a letter or digit, or '.' and one (apk's
 * virtual packages such as ".build-deps").  Never '-', which is an option. */
static bool dep_name_start(struct aipkg_slice s)
{
	if (!s.len)
		return false;
	if (s.ptr[0] == '.')
		return s.len > 1 && dep_is_alnum(s.ptr[1]);
	return dep_is_alnum(s.ptr[0]);
}

bool aipkg_name_valid(struct aipkg_slice name)
{
	return dep_name_start(name) && dep_all_in(name, "+-._:") && !dep_names_file(name);
}

int aipkg_atom_check(const char *arg, struct aipkg_dep *dep)
{
	if (!arg || arg[0] == '-')
		return -AIPKG_E_BADNAME;
	if (aipkg_dep_parse(aipkg_slice_str(arg), dep) < 0 || !aipkg_name_valid(dep->name))
		return -AIPKG_E_BADDEP;
	return 0;
}

/*
 * Names in D:, p: and world lines may also hold what apk 3 calls
 * dependency-name characters: ",[]" for provider namespaces ("cmd:[") and
 * '/' for files ("/bin/sh").  A path must hold no '.': apk 3 installs any
 * argument with a '.' that names an existing file as a package file.
 * Still no blanks, no shell syntax, no leading '-'.
 */
static bool dep_name_valid(struct aipkg_slice name)
{
	if (name.len && name.ptr[0] == '/')
		return name.len > 1 && dep_all_in(name, "+-_/");
	return dep_name_start(name) && dep_all_in(name, "+-._:,[]") && !dep_names_file(name);
}

static bool dep_tag_valid(struct aipkg_slice tag)
{
	return tag.len && dep_is_alnum(tag.ptr[0]) && dep_all_in(tag, "+-._") &&
	       !dep_names_file(tag);
}

/* An identity pin is a base64 digest, "Q1" and 27 more for SHA-1. */
static bool dep_checksum_valid(struct aipkg_slice sum)
{
	return sum.len && dep_all_in(sum, "+/=");
}

static int dep_op_parse(struct aipkg_slice text, unsigned *op)
{
	size_t i;

	for (i = 0; i < sizeof(dep_ops) / sizeof(dep_ops[0]); i++) {
		if (aipkg_slice_eq(text, dep_ops[i].text)) {
			*op = dep_ops[i].op;
			return 0;
		}
	}
	return -AIPKG_E_BADDEP;
}

/* Split "op version" off the end of S, which is left holding the name. */
static int dep_parse_constraint(struct aipkg_slice *s, struct aipkg_dep *dep)
{
	size_t at = 0, end;
	struct aipkg_slice op;
	bool ok;

	while (at < s->len && !dep_is_op(s->ptr[at]))
		at++;
	if (at == s->len)
		return 0;
	for (end = at; end < s->len && dep_is_op(s->ptr[end]); end++)
		;
	op = (struct aipkg_slice){ s->ptr + at, end - at };
	dep->version = (struct aipkg_slice){ s->ptr + end, s->len - end };
	s->len = at;
	if (dep_op_parse(op, &dep->op))
		return -AIPKG_E_BADDEP;
	if (dep->op == AIPKG_DEP_CHECKSUM)
		ok = dep_checksum_valid(dep->version);
	else
		ok = aipkg_version_validate(dep->version);
	return ok ? 0 : -AIPKG_E_BADDEP;
}

/* "name@tag": the tag names a repository in /etc/apk/repositories. */
static int dep_parse_tag(struct aipkg_slice *s, struct aipkg_dep *dep)
{
	const char *at = s->len ? memchr(s->ptr, '@', s->len) : NULL;

	if (!at)
		return 0;
	dep->tag = (struct aipkg_slice){ at + 1, (size_t)(s->ptr + s->len - at - 1) };
	s->len = (size_t)(at - s->ptr);
	return dep_tag_valid(dep->tag) ? 0 : -AIPKG_E_BADDEP;
}

int aipkg_dep_parse(struct aipkg_slice text, struct aipkg_dep *dep)
{
	struct aipkg_slice s = text;

	dep_clear(dep);
	if (!s.ptr)
		return -AIPKG_E_BADDEP;
	if (s.len && s.ptr[0] == '!') {
		dep->conflict = true;
		s.ptr++;
		s.len--;
	}
	if (dep_parse_constraint(&s, dep) || dep_parse_tag(&s, dep) || !dep_name_valid(s)) {
		dep_clear(dep);
		return -AIPKG_E_BADDEP;
	}
	dep->name = s;
	return 0;
}

/*
 * Is VERSION inside the range the atom names?  An empty version is a
 * provider without one ("p:so:foo"); apk 3 orders it below every version,
 * so only "<" and "<=" take it.  A checksum pin cannot be decided from a
 * version, so it never matches.
 */
static bool dep_in_range(const struct aipkg_dep *dep, const char *version)
{
	struct aipkg_slice v = aipkg_slice_str(version ? version : "");
	unsigned op = dep->op;
	int r;

	if (op == AIPKG_DEP_ANY)
		return true;
	if (op & AIPKG_DEP_CHECKSUM)
		return false;
	if (!v.len)
		return op & AIPKG_DEP_LT;
	r = aipkg_version_compare_fuzzy(v, dep->version, op & AIPKG_DEP_FUZZY);
	if (r == AIPKG_VER_LESS)
		return op & AIPKG_DEP_LT;
	if (r == AIPKG_VER_GREATER)
		return op & AIPKG_DEP_GT;
	return r == AIPKG_VER_EQUAL && (op & (AIPKG_DEP_EQ | AIPKG_DEP_FUZZY));
}

/* As apk_version_match: a '!' atom is satisfied by what is outside its range. */
bool aipkg_dep_version_match(const struct aipkg_dep *dep, const char *version)
{
	bool in = dep_in_range(dep, version);

	return dep->conflict ? !in : in;
}

/* Does the p: entry ENTRY ("name" or "name=version") provide NAME? */
static bool dep_entry_provides(const char *entry, struct aipkg_slice name,
			       struct aipkg_slice *version)
{
	const char *eq = strchr(entry, '=');
	size_t len = eq ? (size_t)(eq - entry) : strlen(entry);

	if (len != name.len || memcmp(entry, name.ptr, len) != 0)
		return false;
	*version = eq ? aipkg_slice_str(eq + 1) : dep_empty;
	return true;
}

bool aipkg_pkg_provides(const struct aipkg_pkg *pkg, struct aipkg_slice name,
			struct aipkg_slice *provided_version)
{
	struct aipkg_slice ver = dep_empty;
	bool found = false;
	size_t i;

	if (!name.len)
		return false;
	if (aipkg_slice_eq(name, pkg->name)) {
		ver = aipkg_slice_str(pkg->version);
		found = true;
	}
	for (i = 0; !found && i < pkg->provides.n; i++)
		found = dep_entry_provides(pkg->provides.v[i], name, &ver);
	if (found && provided_version)
		*provided_version = ver;
	return found;
}
