/* Package changes: what apk plans (--simulate) and what it really did. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "apk/changes.h"
#include "apk/version.h"

json_t *aipkg_change_new(const char *name, const char *action, const char *from,
			 const char *to)
{
	return json_pack("{s:s, s:s, s:s?, s:s?}", "name", name, "action", action, "from", from,
			 "to", to);
}

static const struct {
	const char *verb;
	const char *action;
	bool two_versions;
} plan_verbs[] = {
	{ "Installing ", "install", false },  { "Upgrading ", "upgrade", true },
	{ "Downgrading ", "downgrade", true }, { "Reinstalling ", "reinstall", false },
	{ "Purging ", "remove", false },      { "Removing ", "remove", false },
	{ "Replacing ", "reinstall", true },
};

/* "NAME (A -> B)" or "NAME (V)" after the verb. */
static json_t *plan_line(struct aipkg_slice rest, const char *action, bool two)
{
	struct aipkg_slice name, vers;
	char *n, *a, *b = NULL;
	const char *arrow;
	json_t *c;

	if (!aipkg_slice_split(&rest, ' ', &name) || !rest.len || rest.ptr[0] != '(')
		return NULL;
	vers.ptr = rest.ptr + 1;
	vers.len = rest.len - 1;
	while (vers.len && vers.ptr[vers.len - 1] != ')')
		vers.len--;
	if (!vers.len)
		return NULL;
	vers.len--;
	n = aipkg_slice_dup(name);
	arrow = two ? memmem(vers.ptr, vers.len, " -> ", 4) : NULL;
	if (arrow) {
		a = strndup(vers.ptr, (size_t)(arrow - vers.ptr));
		b = strndup(arrow + 4, vers.len - (size_t)(arrow - vers.ptr) - 4);
	} else {
		a = aipkg_slice_dup(vers);
	}
	if (strcmp(action, "install") == 0)
		c = aipkg_change_new(n, action, NULL, a);
	else if (strcmp(action, "remove") == 0)
		c = aipkg_change_new(n, action, a, NULL);
	else
		c = aipkg_change_new(n, action, a, b ? b : a);
	free(n);
	free(a);
	free(b);
	return c;
}

json_t *aipkg_changes_from_plan(const char *apk_stdout)
{
	struct aipkg_slice text = aipkg_slice_str(apk_stdout), line;
	json_t *changes = json_array();

	while (aipkg_slice_next_line(&text, &line)) {
		const char *close;

		line = aipkg_slice_trim(line);
		if (!line.len || line.ptr[0] != '(' ||
		    !(close = memchr(line.ptr, ')', line.len)) || close + 2 > line.ptr + line.len)
			continue;
		line.len -= (size_t)(close + 2 - line.ptr);
		line.ptr = close + 2;
		for (size_t i = 0; i < sizeof(plan_verbs) / sizeof(plan_verbs[0]); i++) {
			struct aipkg_slice rest = line;
			size_t vl = strlen(plan_verbs[i].verb);

			if (!aipkg_slice_starts_with(rest, plan_verbs[i].verb))
				continue;
			rest.ptr += vl;
			rest.len -= vl;
			json_array_append_new(changes, plan_line(rest, plan_verbs[i].action,
								 plan_verbs[i].two_versions));
			break;
		}
	}
	return changes;
}

static int pkg_by_name(const void *a, const void *b)
{
	const struct aipkg_pkg *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* The set's packages sorted by name (borrowed pointers; free the array). */
static const struct aipkg_pkg **sorted(const struct aipkg_pkgset *set)
{
	const struct aipkg_pkg **v = malloc((set->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		v[i] = &set->pkgs[i];
	qsort(v, set->n, sizeof(*v), pkg_by_name);
	return v;
}

static json_t *diff_pair(const struct aipkg_pkg *a, const struct aipkg_pkg *b)
{
	int cmp = aipkg_version_compare(aipkg_slice_str(a->version), aipkg_slice_str(b->version));

	if (cmp == AIPKG_VER_LESS)
		return aipkg_change_new(a->name, "upgrade", a->version, b->version);
	if (cmp == AIPKG_VER_GREATER)
		return aipkg_change_new(a->name, "downgrade", a->version, b->version);
	if (strcmp(a->version, b->version) != 0 || strcmp(a->checksum, b->checksum) != 0)
		return aipkg_change_new(a->name, "reinstall", a->version, b->version);
	return NULL;
}

json_t *aipkg_changes_diff(const struct aipkg_pkgset *before, const struct aipkg_pkgset *after)
{
	const struct aipkg_pkg **a = sorted(before), **b = sorted(after);
	json_t *changes = json_array();
	size_t i = 0, j = 0;

	while (a && b && (i < before->n || j < after->n)) {
		int cmp = i == before->n ? 1 : j == after->n ? -1 : strcmp(a[i]->name, b[j]->name);
		json_t *c;

		if (cmp < 0) {
			c = aipkg_change_new(a[i]->name, "remove", a[i]->version, NULL);
			i++;
		} else if (cmp > 0) {
			c = aipkg_change_new(b[j]->name, "install", NULL, b[j]->version);
			j++;
		} else {
			c = diff_pair(a[i++], b[j++]);
		}
		if (c)
			json_array_append_new(changes, c);
	}
	free(a);
	free(b);
	return changes;
}
