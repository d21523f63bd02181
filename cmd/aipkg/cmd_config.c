/* aipkg config: the effective configuration as YAML that can seed a file, each value's origin, secrets masked. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

enum { O_CHECK };

static const struct cli_option options[] = {
	{ "check", 0, "FILE", O_CHECK, "check FILE as aipkg would read it, and say what is wrong" },
	{ NULL, 0, NULL, 0, NULL },
};

/* The comments start in this column, so origins read as one column. */
#define COMMENT_COLUMN 44

/* YAML 1.1 reads these plain words as booleans or null. */
static bool yaml_word(const char *s)
{
	static const char *const words[] = { "y", "n", "yes", "no", "on", "off", "true",
					     "false", "null", "~" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

/* A string YAML reads back as the same string without quotes. */
static bool plain_ok(const char *s)
{
	if (!*s || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_/.", s[0]))
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_./:@+~=-",
			    *p))
			return false;
	return !strstr(s, ": ") && !yaml_word(s);
}

/* V as a YAML flow value: plain where safe, else double-quoted with JSON's
 * escapes (which YAML reads the same, and which leave no control
 * character for a terminal). */
static void yaml_value(FILE *out, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	char *text;

	if (json_is_string(v) && plain_ok(json_string_value(v))) {
		fputs(json_string_value(v), out);
	} else if (json_is_array(v)) {
		fputc('[', out);
		json_array_foreach(v, i, item) {
			fputs(i ? ", " : "", out);
			yaml_value(out, item);
		}
		fputc(']', out);
	} else if (json_is_object(v)) {
		fputc('{', out);
		i = 0;
		json_object_foreach((json_t *)v, key, item) {
			json_t *k = json_string(key);

			fputs(i++ ? ", " : "", out);
			yaml_value(out, k);
			fputs(": ", out);
			yaml_value(out, item);
			json_decref(k);
		}
		fputc('}', out);
	} else {
		text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fputs(text ? text : "null", out);
		free(text);
	}
}

/* The comment SAFE as lines "# ...", INDENT columns in, wrapped at blanks
 * to COLUMNS (0: never). */
static void comment_lines(int indent, const char *safe, int columns)
{
	char *text = NULL, *line, *next;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	cli_put_wrapped(f, safe, 0, columns > indent + 2 ? columns - indent - 2 : 0);
	fclose(f);
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		printf("%*s# %s\n", indent, "", line);
	}
	free(text);
}

/* "  key: value" padded, then "# comment"; on a terminal too narrow for
 * the comment beside the value (40 columns, a long path), the comment
 * follows on lines of its own, under the value. */
static void yaml_line(int depth, bool commented, const char *name, const char *value,
		      const char *comment)
{
	int columns = cli_columns(stdout);
	int n = printf("%*s%s%s:%s%s", depth * 2, "", commented ? "# " : "", name,
		       value ? " " : "", value ? value : "");
	int pad = n < COMMENT_COLUMN ? COMMENT_COLUMN - n : 2;
	const char *safe = comment ? cli_safe(comment) : NULL;

	if (!safe) {
		putchar('\n');
	} else if (columns <= 0 || n + pad + 2 + (int)cli_width(safe) <= columns) {
		printf("%*s# %s\n", pad, "", safe);
	} else if (n + 4 + (int)cli_width(safe) <= columns) {
		printf("  # %s\n", safe);
	} else {
		putchar('\n');
		comment_lines(depth * 2 + 2, safe, columns);
	}
}

static int depth_of(const char *key)
{
	int d = 0;

	for (; *key; key++)
		d += *key == '.';
	return d;
}

/* One row of aipkg_ctx_config_settings(); *off is the key of an optional
 * section that is not set, whose rows are shown commented out. */
static void show_row(const json_t *row, char *off, size_t size)
{
	const char *key = cli_str(row, "key"), *name = strrchr(key, '.');
	const char *note = json_string_value(json_object_get(row, "note"));
	const char *origin = json_string_value(json_object_get(row, "origin"));
	const char *api_key = json_string_value(json_object_get(row, "api_key"));
	const json_t *value = json_object_get(row, "value");
	bool in_off = *off && strncmp(key, off, strlen(off)) == 0 && key[strlen(off)] == '.';
	char *v = NULL, *c = NULL;
	size_t vlen = 0, clen = 0;
	FILE *vf, *cf;

	name = name ? name + 1 : key;
	if (!in_off)
		off[0] = '\0';
	if (json_is_true(json_object_get(row, "map"))) {
		if (note && !in_off)
			snprintf(off, size, "%s", key);
		yaml_line(depth_of(key), in_off || note, name, NULL, note);
		return;
	}
	vf = open_memstream(&v, &vlen);
	cf = open_memstream(&c, &clen);
	if (!vf || !cf) {
		if (vf)
			fclose(vf);
		free(v);
		return;
	}
	if (!json_is_null(value))
		yaml_value(vf, value);
	fputs(origin ? origin : "default", cf);
	if (note)
		fprintf(cf, ": %s", note);
	if (api_key)
		fprintf(cf, "; the key: %s, never shown", api_key);
	fclose(vf);
	fclose(cf);
	yaml_line(depth_of(key), in_off || json_is_null(value), name, vlen ? v : NULL, c);
	free(v);
	free(c);
}

static void show_yaml(struct cli *cli)
{
	json_t *rows = aipkg_ctx_config_settings(cli->ctx), *doc = aipkg_ctx_config_json(cli->ctx);
	const char *file = json_string_value(json_object_get(doc, "file"));
	int columns = cli_columns(stdout);
	char off[256] = "", *line = NULL;
	json_t *row;
	size_t i;

	/* a comment of ours, in 80 columns through a pipe */
	comment_lines(0, "aipkg configuration in effect (aipkg.yaml(5)), secrets masked; each "
			 "value's origin follows it: a copy is a valid aipkg.yaml to start from.",
		      columns ? columns : 80);
	if (asprintf(&line, "root: %s", cli_safe(json_string_value(json_object_get(doc, "root")))) >= 0)
		comment_lines(0, line, columns);
	free(line);
	if (asprintf(&line, "file: %s",
		     file ? cli_safe(file) : "none (every value is aipkg's default)") < 0)
		line = NULL;
	comment_lines(0, line ? line : "file: ?", columns);
	free(line);
	json_array_foreach(rows, i, row)
		show_row(row, off, sizeof(off));
	json_decref(rows);
	json_decref(doc);
}

/* config --check FILE: as aipkg would read it, without a root. */
static int check(struct cli *cli, const char *file)
{
	char *msg = NULL;
	int r = aipkg_config_check_file(file, &msg);
	json_t *doc;

	if (r < 0) {
		r = cli_fail_msg(cli, r, msg, NULL);
		free(msg);
		return r;
	}
	if (cli->json) {
		doc = json_pack("{s:s, s:b}", "file", file, "valid", true);
		cli_print_json(doc);
		json_decref(doc);
	} else if (cli->opts.verbose >= 0) {
		printf("%s: a valid aipkg configuration\n", cli_safe(file));
	}
	return 0;
}

static int run(struct cli *cli)
{
	json_t *doc;
	int r;

	if (cli->nargs)
		return cli_usage_error(cli, "config takes no arguments (config --check FILE "
					    "checks a file)");
	if (cli->opt_set[O_CHECK])
		return check(cli, cli->opt[O_CHECK]);
	r = cli_ctx_open(cli);
	if (r)
		return r;
	if (!cli->json) {
		show_yaml(cli);
		return 0;
	}
	doc = aipkg_ctx_config_json(cli->ctx);
	cli_print_json(doc);
	json_decref(doc);
	return 0;
}

const struct aipkg_cmd cmd_config = {
	"config", NULL, "print the effective configuration as YAML (origins, secrets masked)",
	options, CLI_CTX_LATER, run,
};
