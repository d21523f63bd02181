/* aipkg info: one package in full. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_WHO_OWNS, O_CONTENTS };

static const struct cli_option options[] = {
	{ "who-owns", 'W', NULL, O_WHO_OWNS,
	  "the installed packages that own the files named (as apk info --who-owns)" },
	{ "contents", 'L', NULL, O_CONTENTS, "also list the files an installed package holds" },
	{ NULL, 0, NULL, 0, NULL },
};

/* "depends:      a b c" (or "-"), wrapped in the value column at a terminal */
static void list_line(const char *label, json_t *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *v;
	size_t i;

	if (!f)
		return;
	json_array_foreach(a, i, v)
		fprintf(f, "%s%s", i ? " " : "", cli_safe(json_string_value(v)));
	fclose(f);
	cli_put_field(stdout, label, 14, len ? text : "-");
	free(text);
}

static void field(const char *label, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s && *s)
		cli_put_field(stdout, label, 14, cli_safe(s));
}

/* "CVE-2024-6119 (fixed in 3.3.2-r0, available)", one per line. */
static void vulns(json_t *a)
{
	json_t *v;
	size_t i;

	if (json_is_null(a)) {
		cli_put_field(stdout, "vulnerable:", 14,
			      "unknown (no security database cached: run 'aipkg check-vuln "
			      "--refresh')");
		return;
	}
	if (!json_array_size(a))
		printf("%-14s none known\n", "vulnerable:");
	json_array_foreach(a, i, v) {
		char *line = NULL;

		if (asprintf(&line, "%s (fixed in %s%s, severity %s)", cli_str(v, "cve"),
			     cli_str(v, "fixed_in"),
			     json_is_true(json_object_get(v, "fix_available")) ? ", available" : "",
			     cli_str(v, "severity")) < 0)
			line = NULL;
		cli_put_field(stdout, i ? "" : "vulnerable:", 14, line ? line : "?");
		free(line);
	}
}

/* "1.2 MiB installed", and for a package not installed its download. */
static void size_line(const json_t *o, bool inst)
{
	json_int_t disk = json_integer_value(json_object_get(o, "installed_size"));
	json_int_t file = json_integer_value(json_object_get(o, "size"));
	char a[32], b[32];

	if (disk <= 0)
		return;
	printf("%-14s %s installed", "size:", cli_size((double)disk, a, sizeof(a)));
	if (!inst && file > 0)
		printf(", %s to download", cli_size((double)file, b, sizeof(b)));
	printf("\n");
}

/* -L: the files, as apk info -L lists them. */
static void files(const json_t *a)
{
	const json_t *f;
	size_t i;

	if (!a)
		return;
	if (json_array_size(a))
		printf("files:\n");
	else
		printf("%-14s none (not installed)\n", "files:");
	json_array_foreach(a, i, f)
		printf("  %s\n", cli_safe(json_string_value(f)));
}

static void render(struct cli *cli, json_t *r)
{
	bool inst = json_is_true(json_object_get(r, "installed"));
	const char *avail = json_string_value(json_object_get(r, "available"));
	const char *ver = json_string_value(json_object_get(r, "version"));
	const char *req = json_string_value(json_object_get(r, "provides_requested"));
	const char *tag = json_string_value(json_object_get(r, "repository_tag"));
	json_t *world = json_object_get(r, "world");

	printf("%s-%s\n", cli_str(r, "name"), cli_safe(ver));
	if (req)
		printf("(%s is provided by %s)\n", cli_safe(req), cli_str(r, "name"));
	if (tag)
		cli_say(stdout, "(only in the repository tagged @%s: apk installs it for '%s@%s' only)",
			cli_safe(tag), req ? cli_safe(req) : cli_str(r, "name"), cli_safe(tag));
	field("description:", r, "description");
	field("url:", r, "url");
	field("license:", r, "license");
	field("origin:", r, "origin");
	printf("%-14s %s\n", "installed:", inst ? "yes" : "no");
	if (json_is_true(json_object_get(r, "locked")))
		field("locked:", r, "lock");
	if (world)
		printf("%-14s %s (%s)\n", "world:", cli_str(world, "constraint"),
		       strcmp(cli_str(world, "kind"), "checksum") == 0
			   ? "pinned to one build, as apk records a package installed from a file"
			   : "a virtual package made by 'apk add --virtual'");
	if (avail && (!inst || strcmp(avail, ver) != 0))
		printf("%-14s %s\n", "available:", cli_safe(avail));
	size_line(r, inst);
	list_line("depends:", json_object_get(r, "depends"));
	list_line("provides:", json_object_get(r, "provides"));
	if (req)
		list_line("also provided:", json_object_get(r, "other_providers"));
	if (inst)
		list_line("required by:", json_object_get(r, "required_by"));
	if (json_object_get(r, "vulnerabilities"))
		vulns(json_object_get(r, "vulnerabilities"));
	files(json_object_get(r, "files"));
}

/* "/usr/sbin/nginx is owned by nginx-1.26.2-r0", as apk says it; -q: the
 * names, each once. */
static void render_owners(struct cli *cli, const json_t *owners)
{
	const json_t *o, *prev;
	size_t i, k;

	json_array_foreach(owners, i, o) {
		bool seen = false;

		json_array_foreach(owners, k, prev)
			if (k < i && json_equal(json_object_get(prev, "package"),
						json_object_get(o, "package")))
				seen = true;
		if (cli->opts.verbose < 0 && !seen)
			printf("%s\n", cli_str(o, "package"));
		else if (cli->opts.verbose >= 0)
			cli_say(stdout, "%s %sis owned by %s-%s", cli_str(o, "path"),
				json_is_string(json_object_get(o, "symlink_target")) ? "symlink target "
										  : "",
				cli_str(o, "package"), cli_str(o, "version"));
	}
}

/* pkg.who_owns takes WHO_OWNS_CHUNK paths a call; a shell glob may give more. */
#define WHO_OWNS_CHUNK 1000

/* The paths FROM.. of the arguments, into ALL's owners and unowned. */
static int who_owns_chunk(struct cli *cli, int from, json_t *all)
{
	json_t *paths = json_array(), *args = json_pack("{s:o}", "paths", paths), *result = NULL;
	int r;

	for (int i = from; i < cli->nargs && i < from + WHO_OWNS_CHUNK; i++)
		json_array_append_new(paths, json_string(cli->args[i]));
	r = aipkg_tool_call(cli->ctx, "pkg.who_owns", args, &result);
	json_array_extend(json_object_get(all, "owners"), json_object_get(result, "owners"));
	json_array_extend(json_object_get(all, "unowned"), json_object_get(result, "unowned"));
	json_decref(result);
	json_decref(args);
	return r == -AIPKG_E_NOPKG ? 0 : r; /* said once, for all of them, at the end */
}

static int who_owns(struct cli *cli)
{
	json_t *all = json_pack("{s:[], s:[]}", "owners", "unowned"), *u;
	char *msg = NULL;
	size_t i, len;
	FILE *none;
	int r = 0;

	if (!cli->nargs) {
		json_decref(all);
		return cli_usage_error(cli, "info --who-owns needs a file, such as /usr/sbin/nginx");
	}
	for (int from = 0; r == 0 && from < cli->nargs; from += WHO_OWNS_CHUNK)
		r = who_owns_chunk(cli, from, all);
	if (r < 0) {
		json_decref(all);
		return cli_fail(cli, r, NULL);
	}
	if (!cli->json)
		render_owners(cli, json_object_get(all, "owners"));
	else if (!json_array_size(json_object_get(all, "unowned")))
		cli_print_json(all);
	if (json_array_size(json_object_get(all, "unowned")) && (none = open_memstream(&msg, &len))) {
		fputs("no installed package owns ", none);
		json_array_foreach(json_object_get(all, "unowned"), i, u)
			fprintf(none, "%s%s", i ? ", " : "", json_string_value(u));
		fclose(none);
		r = cli_fail_msg(cli, -AIPKG_E_NOPKG, msg, all);
	}
	free(msg);
	json_decref(all);
	return r;
}

static int run(struct cli *cli)
{
	int r = 0;

	if (cli->opt_set[O_WHO_OWNS])
		return who_owns(cli);
	if (cli->nargs == 0)
		return cli_usage_error(cli, "info needs a package name");
	if (cli->nargs > 1 && cli->json)
		return cli_usage_error(cli, "info --json takes one package");
	for (int i = 0; i < cli->nargs; i++) {
		json_t *args = json_pack("{s:s}", "package", cli->args[i]);
		int one;

		if (cli->opt_set[O_CONTENTS])
			json_object_set_new(args, "files", json_true());
		one = cli_call_tool(cli, "pkg.info", args, render);

		if (one && !r)
			r = one;
		if (i + 1 < cli->nargs)
			printf("\n");
	}
	return r;
}

const struct aipkg_cmd cmd_info = {
	"info", "PKG...|--who-owns PATH...",
	"show a package: version, size, dependencies, reverse dependencies, provides; "
	"or who owns a file",
	options, CLI_NEEDS_CTX, run,
};
