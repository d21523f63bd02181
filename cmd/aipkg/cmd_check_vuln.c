/* aipkg check-vuln: installed (or named) packages against Alpine's security database. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

enum { O_REFRESH, O_FAIL_ON };

static const struct cli_option options[] = {
    {"refresh", 0, NULL, O_REFRESH, "download the security database now"},
    {"fail-on", 0, "LEVEL", O_FAIL_ON,
     "exit 3 when a finding is at or above LEVEL: any, critical, high, medium, low"},
    {NULL, 0, NULL, 0, NULL},
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static bool same_package(const json_t *a, const json_t *b)
{
	return a && strcmp(str(a, "package"), str(b, "package")) == 0;
}

static void table(json_t *found)
{
	const json_t *f, *prev = NULL;
	struct cli_table t;
	size_t i;

	cli_table_init(&t, stdout, 7);
	/* what a finding is: never cut to fit the terminal */
	t.keep[3] = t.keep[5] = t.keep[6] = CLI_KEEP;
	t.keep[1] = t.keep[4] = CLI_KEEP_SOFT;
	t.head = true;
	cli_table_add(&t, "PACKAGE", "VERSION", "ORIGIN", "CVE", "FIXED IN", "FIX", "SEVERITY");
	json_array_foreach(found, i, f)
	{
		bool first = !same_package(prev, f);

		cli_table_add(&t, first ? str(f, "package") : "", first ? str(f, "version") : "",
			      first ? str(f, "origin") : "", str(f, "cve"), str(f, "fixed_in"),
			      json_is_true(json_object_get(f, "fix_available")) ? "yes" : "no",
			      str(f, "severity"));
		prev = f;
	}
	cli_table_print(&t);
}

/* The packages whose fixes are in the repositories now, for one hint
 * (LOCKED: those a lock holds, which need an unlock before the update). */
static void update_hint(json_t *found, bool locked)
{
	const json_t *f, *prev = NULL;
	bool any = false;
	size_t i;

	json_array_foreach(found, i, f) {
		if (!json_is_true(json_object_get(f, "fix_available")) || same_package(prev, f) ||
		    json_is_true(json_object_get(f, "locked")) != locked)
			continue;
		if (locked)
			printf("%s%s is locked (%s): 'aipkg unlock %s' first, then 'aipkg update "
			       "%s'\n",
			       any ? "" : "\n", cli_str(f, "package"), cli_str(f, "lock"),
			       cli_str(f, "package"), cli_str(f, "package"));
		else
			printf("%s %s", any ? "" : "\nFixed versions are available now: aipkg update",
			       cli_str(f, "package"));
		any = true;
		prev = f;
	}
	if (any && !locked)
		printf("\n");
}

static void summary(json_t *r)
{
	json_t *found = json_object_get(r, "vulnerabilities"), *db = json_object_get(r, "secdb");
	json_int_t scanned = json_integer_value(json_object_get(r, "scanned"));
	json_int_t age = json_integer_value(json_object_get(db, "age_seconds"));
	char when[32];

	if (!json_array_size(found)) {
		cli_say(stdout, "No known vulnerabilities in %lld package%s.", (long long)scanned,
			scanned == 1 ? "" : "s");
	} else {
		putchar('\n');
		cli_say(stdout, "%zu known vulnerabilit%s in %lld package%s scanned.",
			json_array_size(found), json_array_size(found) == 1 ? "y" : "ies",
			(long long)scanned, scanned == 1 ? "" : "s");
	}
	cli_say(stdout, "Security database: %s from %s, %s old%s.", cli_str(db, "branch"),
		cli_str(db, "source"), aipkg_age_text((double)age, when, sizeof(when)),
		json_is_true(json_object_get(db, "offline")) ? " (could not refresh it)" : "");
	if (json_array_size(found) && json_is_null(json_object_get(r, "severity_source")))
		cli_say(stdout, "Severity: unknown (secdb has none; set vuln.severity to a CVSS "
				"source, see aipkg.yaml(5)).");
}

static void render(struct cli *cli, json_t *r)
{
	json_t *found = json_object_get(r, "vulnerabilities");

	if (cli->opts.verbose < 0) {
		const json_t *f;
		size_t i;

		json_array_foreach(found, i, f)
			printf("%s %s\n", cli_str(f, "package"), cli_str(f, "cve"));
		return;
	}
	if (json_array_size(found))
		table(found);
	update_hint(found, false);
	update_hint(found, true);
	summary(r);
}

static json_t *args_json(struct cli *cli)
{
	json_t *args = json_pack("{s:b}", "refresh", cli->opt_set[O_REFRESH]);

	if (cli->nargs)
		json_object_set_new(args, "packages", cli_args_json(cli));
	if (cli->opt_set[O_FAIL_ON])
		json_object_set_new(args, "fail_on", json_string(cli->opt[O_FAIL_ON]));
	return args;
}

static bool level_valid(const char *s)
{
	static const char *const levels[] = {"any", "critical", "high", "medium", "low"};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, levels[i]) == 0)
			return true;
	return false;
}

/* Print RESULT; exit 3 when findings reach --fail-on. */
static int show(struct cli *cli, json_t *result)
{
	json_int_t failing = json_integer_value(json_object_get(result, "failing"));

	if (cli->json)
		cli_print_json(result);
	else
		render(cli, result);
	if (failing)
		cli_error(cli, "%lld vulnerabilit%s at or above --fail-on %s", (long long)failing,
			  failing == 1 ? "y" : "ies", cli->opt[O_FAIL_ON]);
	return failing ? aipkg_exit_code(-AIPKG_E_VULNERABLE) : 0;
}

static int run(struct cli *cli)
{
	json_t *result = NULL, *args;
	int r;

	if (cli->opt_set[O_FAIL_ON] && !level_valid(cli->opt[O_FAIL_ON]))
		return cli_usage_error(
		    cli, "--fail-on takes any, critical, high, medium or low, not '%s'",
		    cli->opt[O_FAIL_ON]);
	args = args_json(cli);
	r = aipkg_tool_call(cli->ctx, "pkg.check_vuln", args, &result);
	r = r < 0 ? cli_fail(cli, r, result) : show(cli, result);
	json_decref(args);
	json_decref(result);
	return r;
}

const struct aipkg_cmd cmd_check_vuln = {
    "check-vuln",
    "[PKG...]",
    "check installed (or the named) packages against Alpine's security database",
    options,
    CLI_NEEDS_CTX,
    run,
};
