/* etc/apk/world: the dependency atoms the user asked for, split on whitespace. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk/state.h"
#include "ctx.h"
#include "fileio.h"

static const char world_space[] = " \t\r\n\v\f";

static size_t world_count(const char *text)
{
	size_t n = 0;

	for (text += strspn(text, world_space); *text; text += strspn(text, world_space)) {
		text += strcspn(text, world_space);
		n++;
	}
	return n;
}

int aipkg_world_parse(const char *text, char ***atoms, size_t *n)
{
	size_t count = world_count(text), i = 0;
	char **v = calloc(count + 1, sizeof(*v));

	*atoms = NULL;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (text += strspn(text, world_space); *text; text += strspn(text, world_space)) {
		size_t len = strcspn(text, world_space);

		v[i] = strndup(text, len);
		if (!v[i]) {
			aipkg_world_free(v, i);
			return -ENOMEM;
		}
		i++;
		text += len;
	}
	*atoms = v;
	*n = i;
	return 0;
}

void aipkg_world_free(char **atoms, size_t n)
{
	if (!atoms)
		return;
	for (size_t i = 0; i < n; i++)
		free(atoms[i]);
	free(atoms);
}

static bool world_virtual(const struct aipkg_state *st, const struct aipkg_dep *dep)
{
	char *name = aipkg_slice_dup(dep->name);
	const struct aipkg_pkg *inst = name ? aipkg_pkgset_find(&st->installed, name) : NULL;
	bool v = inst && (strcmp(inst->description, "virtual meta package") == 0 ||
			  (name[0] == '.' && !aipkg_pkgset_find(&st->available, name)));

	free(name);
	return v;
}

enum aipkg_world_kind aipkg_world_kind(const struct aipkg_state *st, const char *atom)
{
	struct aipkg_dep dep;

	if (aipkg_dep_parse(aipkg_slice_str(atom), &dep) < 0)
		return AIPKG_WORLD_BAD;
	if (dep.conflict)
		return AIPKG_WORLD_CONFLICT;
	if (dep.op & AIPKG_DEP_CHECKSUM)
		return AIPKG_WORLD_CHECKSUM;
	if (dep.op == AIPKG_DEP_ANY)
		return world_virtual(st, &dep) ? AIPKG_WORLD_VIRTUAL : AIPKG_WORLD_NAME;
	if (dep.op != AIPKG_DEP_EQ)
		return AIPKG_WORLD_RANGE;
	return world_virtual(st, &dep) ? AIPKG_WORLD_VIRTUAL : AIPKG_WORLD_LOCK;
}

const char *aipkg_world_kind_name(enum aipkg_world_kind kind)
{
	static const char *const names[] = {
		[AIPKG_WORLD_NAME] = "name",	     [AIPKG_WORLD_RANGE] = "range",
		[AIPKG_WORLD_LOCK] = "lock",	     [AIPKG_WORLD_VIRTUAL] = "virtual",
		[AIPKG_WORLD_CHECKSUM] = "checksum", [AIPKG_WORLD_CONFLICT] = "conflict",
		[AIPKG_WORLD_BAD] = "bad",
	};

	return kind <= AIPKG_WORLD_BAD ? names[kind] : "bad";
}

/* Is ATOM a dependency on NAME (any version, any operator)? */
static bool atom_names(const char *atom, const char *name)
{
	struct aipkg_dep dep;

	return aipkg_dep_parse(aipkg_slice_str(atom), &dep) == 0 && aipkg_slice_eq(dep.name, name);
}

static int orphan_atoms(struct aipkg_ctx *ctx, const char *name, bool write)
{
	struct aipkg_state st = { 0 };
	struct aipkg_buf text = AIPKG_BUF_INIT;
	char *path = NULL;
	int r = aipkg_state_load(ctx, &st, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD), dropped = 0;

	if (r == 0 && aipkg_pkgset_find(&st.installed, name))
		goto out;
	for (size_t i = 0; r == 0 && i < st.nworld; i++) {
		if (atom_names(st.world[i], name))
			dropped++;
		else
			aipkg_buf_addf(&text, "%s\n", st.world[i]);
	}
	if (r == 0 && dropped && write) {
		path = aipkg_ctx_path(ctx, "etc/apk/world");
		r = path ? aipkg_file_write_atomic(path, aipkg_buf_str(&text), text.len) : -ENOMEM;
	}
out:
	free(path);
	aipkg_buf_release(&text);
	aipkg_state_release(&st);
	return r < 0 ? r : dropped;
}

int aipkg_world_drop_orphan(struct aipkg_ctx *ctx, const char *name)
{
	return orphan_atoms(ctx, name, true);
}

int aipkg_world_orphan(struct aipkg_ctx *ctx, const char *name)
{
	return orphan_atoms(ctx, name, false);
}
