/* The Ansible module's result: what changed (before against after), the diff, the messages. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "ansible/ansible.h"
#include "apk/changes.h"
#include "jsonutil.h"

static int by_string(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/* {"name": "version"} of the installed packages. */
static json_t *installed_map(const struct aipkg_state *st)
{
	json_t *m = json_object();

	for (size_t i = 0; i < st->installed.n; i++)
		json_object_set_new(m, st->installed.pkgs[i].name,
				    json_string(st->installed.pkgs[i].version));
	return m;
}

/* The lines of a diff side: the world atoms, one a line, or "NAME VERSION"
 * of each installed package, sorted by name. */
static char *world_text(const json_t *world)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const json_t *v;
	size_t i;

	json_array_foreach(world, i, v)
		aipkg_buf_addf(&b, "%s\n", json_string_value(v));
	return aipkg_buf_detach(&b);
}

static char *installed_text(const json_t *map)
{
	json_t *lines = json_array(), *v;
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *name;
	size_t i;
	char *text;

	json_object_foreach((json_t *)map, name, v) {
		if (asprintf(&text, "%s %s", name, json_string_value(v)) < 0)
			continue;
		json_array_append_new(lines, json_string(text));
		free(text);
	}
	aipkg_json_sort(lines, by_string);
	json_array_foreach(lines, i, v)
		aipkg_buf_addf(&b, "%s\n", json_string_value(v));
	json_decref(lines);
	return aipkg_buf_detach(&b);
}

/* What a dry run's changes would make of the installed map and world. */
static void predict(const struct task *t, json_t *installed, json_t *world)
{
	const json_t *c, *v;
	size_t i;

	json_array_foreach(t->planned, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const json_t *to = json_object_get(c, "to");

		if (name && json_is_string(to))
			json_object_set(installed, name, (json_t *)to);
		else if (name)
			json_object_del(installed, name);
	}
	json_array_foreach(t->world_removed, i, v)
		for (size_t k = json_array_size(world); k-- > 0;)
			if (json_equal(json_array_get(world, k), v))
				json_array_remove(world, k);
	json_array_foreach(t->world_added, i, v) {
		bool has = false;

		for (size_t k = 0; k < json_array_size(world); k++)
			has |= json_equal(json_array_get(world, k), v);
		if (!has)
			json_array_append(world, (json_t *)v);
	}
}

static json_t *diff_part(const char *header, char *before, char *after)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "before_header", header, "after_header",
			      header, "before", before ? before : "", "after", after ? after : "");

	free(before);
	free(after);
	return d;
}

/* Ansible's diff: a list of {before_header, after_header, before, after},
 * which its callbacks show as unified diffs. */
static json_t *diff_json(const struct task *t, const json_t *inst_before,
			 const json_t *inst_after, const json_t *world_before,
			 const json_t *world_after)
{
	char *world = aipkg_ctx_path(t->ctx, "etc/apk/world");
	char *installed = aipkg_ctx_path(t->ctx, "lib/apk/db/installed");
	char *inst_header = NULL;
	json_t *d;

	if (!installed || asprintf(&inst_header, "%s (installed versions)", installed) < 0)
		inst_header = NULL;
	d = json_pack("[o, o]",
		      diff_part(world ? world : "etc/apk/world", world_text(world_before),
				world_text(world_after)),
		      diff_part(inst_header ? inst_header : "installed versions",
				installed_text(inst_before), installed_text(inst_after)));
	free(world);
	free(installed);
	free(inst_header);
	return d;
}

/* The names of the changed packages, as community.general.apk returns them. */
static json_t *changed_names(const json_t *changes)
{
	json_t *names = json_array(), *c;
	size_t i;

	json_array_foreach(changes, i, c)
		json_array_append(names, json_object_get(c, "name"));
	return names;
}

int aipkg_ansible_conclude(struct task *t)
{
	json_t *inst_before = installed_map(&t->before);
	json_t *world_before = aipkg_state_world_json(&t->before);
	json_t *inst_after, *world_after, *changes;
	struct aipkg_state after = { 0 };
	int r = 0;

	if (t->p->check_mode) {
		inst_after = json_deep_copy(inst_before);
		world_after = json_deep_copy(world_before);
		predict(t, inst_after, world_after);
		changes = json_incref(t->planned);
	} else {
		r = aipkg_state_load(t->ctx, &after, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);
		inst_after = r == 0 ? installed_map(&after) : json_deep_copy(inst_before);
		world_after = r == 0 ? aipkg_state_world_json(&after)
				     : json_deep_copy(world_before);
		changes = r == 0 ? aipkg_changes_diff(&t->before.installed, &after.installed)
				 : json_array();
	}
	json_object_set_new(t->out, "changes", changes);
	json_object_set_new(t->out, "packages", changed_names(changes));
	json_object_set_new(t->out, "world_added", aipkg_json_minus(world_after, world_before));
	json_object_set_new(t->out, "world_removed", aipkg_json_minus(world_before, world_after));
	json_object_set_new(t->out, "changed",
			    json_boolean(t->assumed || !json_equal(inst_before, inst_after) ||
					 !json_equal(world_before, world_after)));
	if (t->p->diff)
		json_object_set_new(t->out, "diff", diff_json(t, inst_before, inst_after,
							      world_before, world_after));
	aipkg_state_release(&after);
	json_decref(inst_before);
	json_decref(inst_after);
	json_decref(world_before);
	json_decref(world_after);
	return r;
}

/*
 * Messages.
 */

static const char *verb(const char *action, bool dry)
{
	static const char *const verbs[][3] = {
		{ "install", "installed", "would install" },
		{ "remove", "removed", "would remove" },
		{ "upgrade", "upgraded", "would upgrade" },
		{ "downgrade", "downgraded", "would downgrade" },
		{ "reinstall", "reinstalled", "would reinstall" },
	};

	for (size_t i = 0; action && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i][0], action) == 0)
			return verbs[i][dry ? 2 : 1];
	return action ? action : "?";
}

static void add_change(struct aipkg_buf *b, const json_t *c)
{
	const char *from = json_string_value(json_object_get(c, "from"));
	const char *to = json_string_value(json_object_get(c, "to"));

	aipkg_buf_addstr(b, json_string_value(json_object_get(c, "name")));
	if (from && to && strcmp(from, to) != 0)
		aipkg_buf_addf(b, " %s -> %s", from, to);
	else if (to || from)
		aipkg_buf_addf(b, " %s", to ? to : from);
}

static void add_world(struct aipkg_buf *b, const json_t *list, char sign)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		aipkg_buf_addf(b, " %c%s", sign, json_string_value(v));
}

char *aipkg_ansible_describe(const json_t *result, bool dry)
{
	const json_t *changes = json_object_get(result, "changes"), *c;
	const json_t *added = json_object_get(result, "world_added");
	const json_t *removed = json_object_get(result, "world_removed");
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const char *last = NULL;
	size_t i;

	json_array_foreach(changes, i, c) {
		const char *action = json_string_value(json_object_get(c, "action"));

		if (!last || !action || strcmp(last, action) != 0)
			aipkg_buf_addf(&b, "%s%s ", b.len ? "; " : "", verb(action, dry));
		else
			aipkg_buf_addstr(&b, ", ");
		add_change(&b, c);
		last = action;
	}
	if (json_array_size(added) || json_array_size(removed)) {
		aipkg_buf_addf(&b, "%s%s", b.len ? "; " : "",
			       dry ? "world file would change:" : "world file:");
		add_world(&b, added, '+');
		add_world(&b, removed, '-');
	}
	return aipkg_buf_detach(&b);
}
