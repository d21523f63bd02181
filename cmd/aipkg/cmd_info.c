/* aipkg info: one package in full. */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

static void list_line(const char *label, json_t *a)
{
	json_t *v;
	size_t i;

	printf("%-14s", label);
	if (!json_array_size(a))
		printf(" -");
	json_array_foreach(a, i, v)
		printf(" %s", cli_safe(json_string_value(v)));
	printf("\n");
}

static void field(const char *label, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s && *s)
		printf("%-14s %s\n", label, cli_safe(s));
}

/* "CVE-2024-6119 (fixed in 3.3.2-r0, available)", one per line. */
static void vulns(json_t *a)
{
	json_t *v;
	size_t i;

	if (json_is_null(a)) {
		printf("%-14s unknown (no security database cached: run 'aipkg check-vuln "
		       "--refresh')\n",
		       "vulnerable:");
		return;
	}
	if (!json_array_size(a))
		printf("%-14s none known\n", "vulnerable:");
	json_array_foreach(a, i, v)
		printf("%-14s %s (fixed in %s%s, severity %s)\n", i ? "" : "vulnerable:",
		       cli_str(v, "cve"), cli_str(v, "fixed_in"),
		       json_is_true(json_object_get(v, "fix_available")) ? ", available" : "",
		       cli_str(v, "severity"));
}

static void render(struct cli *cli, json_t *r)
{
	bool inst = json_is_true(json_object_get(r, "installed"));
	const char *avail = json_string_value(json_object_get(r, "available"));
	const char *ver = json_string_value(json_object_get(r, "version"));
	const char *req = json_string_value(json_object_get(r, "provides_requested"));

	printf("%s-%s\n", cli_str(r, "name"), cli_safe(ver));
	if (req)
		printf("(%s is provided by %s)\n", cli_safe(req), cli_str(r, "name"));
	field("description:", r, "description");
	field("url:", r, "url");
	field("license:", r, "license");
	field("origin:", r, "origin");
	printf("%-14s %s\n", "installed:", inst ? "yes" : "no");
	if (json_is_true(json_object_get(r, "locked")))
		field("locked:", r, "lock");
	if (avail && (!inst || strcmp(avail, ver) != 0))
		printf("%-14s %s\n", "available:", cli_safe(avail));
	list_line("depends:", json_object_get(r, "depends"));
	list_line("provides:", json_object_get(r, "provides"));
	if (inst)
		list_line("required by:", json_object_get(r, "required_by"));
	if (json_object_get(r, "vulnerabilities"))
		vulns(json_object_get(r, "vulnerabilities"));
}

static int run(struct cli *cli)
{
	int r = 0;

	if (cli->nargs == 0)
		return cli_usage_error(cli, "info needs a package name");
	if (cli->nargs > 1 && cli->json)
		return cli_usage_error(cli, "info --json takes one package");
	for (int i = 0; i < cli->nargs; i++) {
		int one = cli_call_tool(cli, "pkg.info", json_pack("{s:s}", "package", cli->args[i]),
					render);

		if (one && !r)
			r = one;
		if (i + 1 < cli->nargs)
			printf("\n");
	}
	return r;
}

const struct aipkg_cmd cmd_info = {
	"info", "PKG...", "show a package: version, dependencies, reverse dependencies, provides",
	NULL, CLI_NEEDS_CTX, run,
};
