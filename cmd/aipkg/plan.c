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

/* Is NAME one of the locked packages install kept at their lock? */
static bool kept_locked(const json_t *result, const char *name)
{
	const json_t *k;
	size_t i;

	json_array_foreach(json_object_get(result, "kept_locked"), i, k)
		if (strcmp(cli_str(k, "name"), name) == 0)
			return true;
	return false;
}

void cli_render_kept_locked(const json_t *result)
{
	const json_t *k;
	size_t i;

	json_array_foreach(json_object_get(result, "kept_locked"), i, k)
		cli_say(stdout, "%s is locked at %s: the lock stays ('aipkg unlock %s' lets it move).",
			cli_str(k, "name"), cli_str(k, "version"), cli_str(k, "name"));
}

void cli_render_unchanged(struct cli *cli, json_t *result)
{
	const json_t *already = json_object_get(result, "already_installed"), *a;
	const json_t *added = json_object_get(result, "world_added");
	const json_t *removed = json_object_get(result, "world_removed");
	bool dry = json_is_true(json_object_get(result, "dry_run"));
	size_t i;

	json_array_foreach(already, i, a)
		if (!kept_locked(result, cli_str(a, "name")))
			say_already(a, added, removed, dry);
	if (json_array_size(already))
		return;
	if (json_array_size(added) || json_array_size(removed)) {
		struct cli_text t;
		FILE *f = cli_text_open(&t, stdout);

		fprintf(f, "No package %s; the world file %s:", dry ? "would change" : "changed",
			dry ? "would change" : "changed");
		json_array_foreach(added, i, a) fprintf(f, " +%s", cli_safe(json_string_value(a)));
		json_array_foreach(removed, i, a) fprintf(f, " -%s", cli_safe(json_string_value(a)));
		fputc('.', f);
		cli_text_say(&t, 0);
		return;
	}
	printf("%s\n", dry ? "Nothing would change." : "Nothing changed.");
}

/* The confirmation's sections, in the order apk works. */
static const struct {
	const char *title;
	const char *action;
	int named; /* 1: named, 0: not named, -1: either */
} sections[] = {
	{ "Installing", "install", 1 },
	{ "Installing dependencies", "install", 0 },
	{ "Upgrading", "upgrade", -1 },
	{ "Downgrading", "downgrade", -1 },
	{ "Reinstalling", "reinstall", -1 },
	{ "Removing", "remove", 1 },
	{ "Removing along with them", "remove", 0 },
};

static bool in_section(size_t s, const json_t *c, bool any_named)
{
	bool named = !any_named || json_is_true(json_object_get(c, "named"));

	return strcmp(cli_str(c, "action"), sections[s].action) == 0 &&
	       (sections[s].named < 0 || sections[s].named == named);
}

static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* One section's rows: name, version (or FROM -> TO), the size it weighs
 * (to download; for a removal, what it frees). */
static size_t add_section(struct cli_table *t, const json_t *changes, size_t s, bool any_named)
{
	const json_t *c;
	size_t i, n = 0;

	json_array_foreach(changes, i, c) {
		const char *from = json_string_value(json_object_get(c, "from"));
		const char *to = json_string_value(json_object_get(c, "to"));
		bool remove = strcmp(cli_str(c, "action"), "remove") == 0;
		json_int_t size = remove ? num(c, "installed_size_before") : num(c, "size");
		char name[300], ver[300], sz[32], title[64];

		if (!in_section(s, c, any_named))
			continue;
		snprintf(title, sizeof(title), "%s:", sections[s].title);
		if (!n++)
			cli_table_add_title(t, title);
		snprintf(name, sizeof(name), "  %s", json_string_value(json_object_get(c, "name")));
		if (from && to && strcmp(from, to))
			snprintf(ver, sizeof(ver), "%s -> %s", from, to);
		else
			snprintf(ver, sizeof(ver), "%s", to ? to : from ? from : "");
		cli_table_add(t, name, ver,
			      size > 0 ? cli_size((double)size, sz, sizeof(sz)) : NULL);
	}
	return n;
}

/* "5 to install (1 named, 4 dependencies), 1 to remove." and the sizes. */
static void plan_totals(FILE *out, const json_t *changes, bool any_named)
{
	static const char *const verbs[] = { "install", "upgrade", "downgrade", "reinstall",
					     "remove" };
	json_int_t download = 0, disk = 0;
	bool unknown = false;
	const json_t *c;
	const char *sep = "";
	size_t i;
	char a[32], b[32];
	struct cli_text text;
	FILE *f = cli_text_open(&text, out);

	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
		size_t n = 0, named = 0;

		json_array_foreach(changes, i, c)
			if (strcmp(cli_str(c, "action"), verbs[v]) == 0) {
				n++;
				named += json_is_true(json_object_get(c, "named"));
			}
		if (!n)
			continue;
		fprintf(f, "%s%zu to %s", sep, n, verbs[v]);
		if (any_named && named && named < n)
			fprintf(f, " (%zu named, %zu %s)", named, n - named,
				v == 4 ? "along with them"
				: n - named == 1 ? "dependency" : "dependencies");
		sep = ", ";
	}
	json_array_foreach(changes, i, c) {
		if (strcmp(cli_str(c, "action"), "remove") != 0)
			download += num(c, "size");
		disk += num(c, "installed_size") - num(c, "installed_size_before");
		unknown |= json_is_true(json_object_get(c, "size_unknown"));
	}
	fputc('.', f);
	cli_text_say(&text, 0);
	if (download > 0)
		fprintf(out, "Download: %s%s", cli_size((double)download, a, sizeof(a)),
			unknown ? ".\n" : "; ");
	/* a total missing a size would be a wrong number: none then */
	if (!unknown && (download > 0 || disk))
		fprintf(out, "%s: %s%s.\n", download > 0 ? "disk space" : "Disk space",
			disk > 0 ? "+" : "", cli_size((double)disk, b, sizeof(b)));
}

/* A rollback's confirmation: which operation, and its world change. */
static void plan_undoes(FILE *out, const json_t *doc)
{
	const json_t *u = json_object_get(doc, "undoes"), *w;
	struct cli_text text;
	char when[32];
	size_t i;
	FILE *f;

	if (!u)
		return;
	/* "2026-11-24T10:15:02Z" as history shows it */
	snprintf(when, sizeof(when), "%.10s %.5s UTC", cli_str(u, "time"),
		 strlen(cli_str(u, "time")) > 11 ? cli_str(u, "time") + 11 : "");
	f = cli_text_open(&text, out);
	fprintf(f, "Rolling back operation %lld, %s %s:", (long long)num(u, "id"),
		cli_str(u, "status"), when);
	cli_text_say(&text, 0);
	fputs("  ", out);
	cli_put_wrapped(out, cli_str(u, "command"), 4, cli_columns(out));
	if (!json_array_size(json_object_get(doc, "world_added")) &&
	    !json_array_size(json_object_get(doc, "world_removed")))
		return;
	f = cli_text_open(&text, out);
	fputs("World file:", f);
	json_array_foreach(json_object_get(doc, "world_added"), i, w)
		fprintf(f, " +%s", cli_safe(json_string_value(w)));
	json_array_foreach(json_object_get(doc, "world_removed"), i, w)
		fprintf(f, " -%s", cli_safe(json_string_value(w)));
	cli_text_say(&text, 2);
}

void cli_show_plan(FILE *out, const json_t *doc)
{
	const json_t *changes = json_object_get(doc, "changes"), *c;
	bool any_named = false;
	struct cli_table t;
	size_t i;

	/* a plan made from a request: what was asked, who planned it and why */
	if (json_object_get(doc, "request"))
		cli_show_request_plan(out, doc);
	plan_undoes(out, doc);
	json_array_foreach(changes, i, c)
		any_named |= json_is_true(json_object_get(c, "named"));
	cli_table_init(&t, out, 3);
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++)
		add_section(&t, changes, s, any_named);
	cli_table_print(&t);
	if (json_array_size(changes))
		plan_totals(out, changes, any_named);
}
