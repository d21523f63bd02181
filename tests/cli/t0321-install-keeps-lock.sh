#!/bin/sh
# t0321: installing a locked package keeps its lock (it was lost to apk add).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='install and a locked package

apk add NAME replaces the world entry NAME=VERSION with plain NAME: an
aipkg install of a locked package silently dropped the lock, and the next
update moved it.  Installing a locked package by its plain name keeps the
lock and says so; another version or constraint of it is refused until
it is unlocked.  The CLI, the pkg.install tool over MCP and a request in
words all take the same path.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JSONQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: nginx locked at 1.26.2-r0, 1.27.0-r0 available' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	offline_config "$ROOT" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install nginx >out 2>err &&
	aipkg lock nginx >out 2>err &&
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_B" &&
	aipkg --yes update >out 2>err &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'install NAME of a locked package keeps the lock and says so' '
	aipkg --yes install nginx >out 2>err &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world" &&
	test_grep "nginx is locked at 1.26.2-r0: the lock stays" out &&
	aipkg --yes update >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now
'

test_expect_success 'install NAME among others: the others install, the lock stays' '
	aipkg --yes --json install curl nginx >out 2>err &&
	world_list >actual &&
	printf "curl\nnginx=1.26.2-r0\n" >expect &&
	test_cmp expect actual &&
	test "$("$JSONQ" ".kept_locked#" ".kept_locked[0].name" ".kept_locked[0].constraint" <out |
		tr "\n" " ")" = "1 nginx nginx=1.26.2-r0 "
'

test_expect_success 'another version of a locked package is refused: unlock first' '
	cp "$ROOT/etc/apk/world" world.before &&
	n=$(journal_count) &&
	test_expect_code 1 aipkg --yes install nginx=1.27.0-r0 >out 2>err &&
	test_grep "nginx is locked at 1.26.2-r0 (world nginx=1.26.2-r0).*aipkg unlock nginx" err &&
	test_expect_code 1 aipkg --yes install "nginx>=1.26" 2>err &&
	test_grep "unlock nginx first" err &&
	test_expect_code 1 aipkg --yes install --upgrade curl nginx=1.27.0-r0 2>err &&
	test_cmp world.before "$ROOT/etc/apk/world" &&
	test "$(journal_count)" = "$n" &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now
'

test_expect_success 'the lock atom itself is the lock: accepted, nothing changes' '
	aipkg --yes install nginx=1.26.2-r0 >out 2>err &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'pkg.install over MCP keeps the lock and refuses another version' '
	{
		mcp_init 1 &&
		mcp_call 2 pkg.install "{\"packages\":[\"nginx\"],\"confirm\":true}" &&
		mcp_call 3 pkg.install "{\"packages\":[\"nginx>1.26.2-r0\"],\"confirm\":true}"
	} | mcp_serve >out 2>err &&
	test "$(mcp_get 2 .result.isError .result.structuredContent.kept_locked[0].name <out |
		tr "\n" " ")" = "false nginx " &&
	test "$(mcp_get 3 .result.isError <out)" = true &&
	mcp_get 3 .result.structuredContent.error.message <out >msg &&
	test_grep "unlock nginx first" msg &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'a request in words that plans a locked package keeps the lock' '
	aipkg --yes install "a web server" >out 2>err &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world" &&
	test_grep "nginx is locked at 1.26.2-r0" out &&
	aipkg --json --dry-run ask "a web server" >out 2>err &&
	test "$("$JSONQ" ".kept_locked[0].constraint" <out)" = nginx=1.26.2-r0
'

test_expect_success 'once unlocked, install takes the new version' '
	aipkg --yes unlock nginx >out 2>err &&
	aipkg --yes install nginx=1.27.0-r0 >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.27.0-r0$" now
'

test_expect_success 'the journal adds up to the installed database' '
	test_journal_matches_db
'

test_done
