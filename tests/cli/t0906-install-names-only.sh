#!/bin/sh
# t0906: pkg.install takes names and constraints only; a request goes through pkg.ask, "!NAME" is refused (issue 12.9).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='pkg.install does not turn names into a request

aipkg tool pkg.install {"packages":["htop","python 3"],"confirm":true}
installed htop, python3, py3-pip and zlib: a blank in one name made the
whole call a request in plain words.  Through the tool API and MCP such an
item is now an error naming it (requests go through pkg.ask), and "!nginx",
apk'"'"'s "must not be installed" atom that removed nginx and what needs
it, is refused: install never removes.  A request'"'"'s vulnerability
warning no longer says "(--force)" when nobody gave --force.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq

save_state () {
	installed_list >installed.saved &&
	cp "$ROOT/etc/apk/world" world.saved &&
	journal_count >journal.saved
}

unchanged () {
	installed_list >installed.now &&
	test_cmp installed.saved installed.now &&
	test_cmp world.saved "$ROOT/etc/apk/world" &&
	journal_count >journal.now &&
	test_cmp journal.saved journal.now
}

test_expect_success 'setup: a root with nginx' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update </dev/null >out 2>err &&
	aipkg --yes install nginx </dev/null >out 2>err &&
	save_state
'

test_expect_success 'aipkg tool: a name with a blank is an error naming it, nothing installed' '
	test_expect_code 2 aipkg tool pkg.install \
		"{\"packages\":[\"htop\",\"lighttpd 1\"],\"confirm\":true}" </dev/null >out 2>err &&
	test "$("$JSONQ" .error.code <out)" = badname &&
	test_grep "lighttpd 1.* is not a package name or constraint" out &&
	test_grep "use pkg.ask" out &&
	unchanged
'

test_expect_success 'MCP: the same, as a tool error' '
	{ mcp_init 1 && mcp_call 2 pkg.install \
		"{\"packages\":[\"htop\",\"a web server\"],\"confirm\":true}"; } |
		mcp_serve >out 2>err &&
	test "$(mcp_get 2 .result.isError <out)" = true &&
	test "$(mcp_tool_error 2 <out)" = badname &&
	mcp_get 2 .result.structuredContent.error.message <out >msg &&
	test_grep "a web server" msg &&
	unchanged
'

test_expect_success '"!nginx" is refused by install, from the CLI and through the tool' '
	test_expect_code 2 aipkg --yes install "!nginx" </dev/null >out 2>err &&
	test_grep "must not be installed. atom: it would remove nginx and everything that needs it" err &&
	test_grep "aipkg remove nginx" err &&
	unchanged &&
	test_expect_code 2 aipkg tool pkg.install "{\"packages\":[\"!nginx\"],\"confirm\":true}" \
		</dev/null >out 2>err &&
	test "$("$JSONQ" .error.code <out)" = baddep &&
	unchanged &&
	installed_list >installed &&
	test_grep "^nginx-1.26.2-r0" installed
'

test_expect_success 'names and constraints still install' '
	aipkg tool pkg.install "{\"packages\":[\"htop\",\"lighttpd>=1.4\"],\"confirm\":true}" \
		</dev/null >out 2>err &&
	installed_list >installed &&
	test_grep "^htop-" installed &&
	test_grep "^lighttpd-" installed
'

test_expect_success 'setup: curl 8.9.0-r0 is known-vulnerable' '
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main "curl 8.10.0-r0=CVE-2024-8096" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "zzz 1.0-r0=CVE-2024-1" &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	aipkg check-vuln --refresh </dev/null >out 2>err
'

test_expect_success 'a request names the vulnerable version without claiming --force' '
	test_expect_code 3 aipkg --dry-run ask curl </dev/null >out 2>err &&
	test_grep ! "(--force)" err out &&
	test_grep "CVE-2024-8096" out err &&
	aipkg --dry-run ask --force curl </dev/null >out 2>err &&
	test_grep "installing known-vulnerable versions (--force)" err
'

test_expect_success 'cleanup' '
	secdb_stop
'

test_done
