/* How a change is shown to a person: sizes, what it did not need to change. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *cli_size(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes < 0 ? -bytes : bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%s%.*f %s", bytes < 0 ? "-" : "", u && v < 10 ? 1 : 0, v, units[u]);
	return buf;
}

static bool has(const json_t *list, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/* The atom of LIST for the same name as ATOM ("curl=8.9.0-r0" for
 * "curl"), or NULL. */
static const char *same_name(const json_t *list, const char *atom)
{
	size_t len = strcspn(atom, "=<>~@");
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		const char *s = json_string_value(v);

		if (strncmp(s, atom, len) == 0 && strchr("=<>~@", s[len]))
			return s;
	}
	return NULL;
}

/* "nginx 1.26.2-r0 is already installed."; for a provider "cmd:dig is
 * provided by bind-tools 9.18.27-r0, already installed.", and what the
 * world file gained. */
static void say_already(const json_t *a, const json_t *added, const json_t *removed, bool dry)
{
	const char *req = json_string_value(json_object_get(a, "requested"));
	const char *name = json_string_value(json_object_get(a, "name"));
	const char *old = has(added, req) ? same_name(removed, req) : NULL;

	if (strncmp(req, name, strlen(name)) == 0 && strchr("=<>~@", req[strlen(name)]))
		printf("%s %s is already installed", cli_safe(name), cli_str(a, "version"));
	else
		printf("%s is provided by %s %s, already installed", cli_safe(req), cli_safe(name),
		       cli_str(a, "version"));
	if (old)
		printf("; the world file %s %s instead of %s", dry ? "would hold" : "now holds",
		       cli_safe(req), cli_safe(old));
	else if (has(added, req))
		printf("; %s %s in world, so it stays when nothing else needs it", cli_safe(req),
		       dry ? "would be" : "is now");
	printf(".\n");
}

void cli_render_unchanged(struct cli *cli, json_t *result)
{
	const json_t *already = json_object_get(result, "already_installed"), *a;
	const json_t *added = json_object_get(result, "world_added");
	const json_t *removed = json_object_get(result, "world_removed");
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	size_t i;

	json_array_foreach(already, i, a) say_already(a, added, removed, dry);
	if (json_array_size(already))
		return;
	if (json_array_size(added) || json_array_size(removed)) {
		printf("No package %s; the world file %s:", dry ? "would change" : "changed",
		       dry ? "would change" : "changed");
		json_array_foreach(added, i, a) printf(" +%s", cli_safe(json_string_value(a)));
		json_array_foreach(removed, i, a) printf(" -%s", cli_safe(json_string_value(a)));
		printf(".\n");
		return;
	}
	printf("%s\n", dry ? "Nothing would change." : "Nothing changed.");
}
