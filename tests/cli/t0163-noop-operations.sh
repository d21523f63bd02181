#!/bin/sh
# t0163: an operation that changed nothing is not journalled, and says what was already so.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='no-op operations: not journalled, rollback passes over old ones

`install nginx` when nginx is installed and an `update` that finds nothing
were journalled, so a daily cron update filled the history with empty rows
and a plain `aipkg rollback` then refused ("operation 24 left nothing to
undo").  An operation that changes neither packages nor the world file is
no longer journalled; one that only changes the world file (install of a
package that was a dependency) is, and says so; rollback passes over the
empty entries an older aipkg left.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: a fresh root on repository A' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A"
'

test_expect_success 'an update that finds nothing is not journalled, however often it runs' '
	aipkg --yes update >out 2>err &&
	test_grep "^Nothing to upgrade" out &&
	aipkg --yes update >out 2>err &&
	aipkg --yes --json update >out 2>err &&
	test "$("$JQ" "changes#" <out)" = 0 &&
	test_must_fail "$JQ" id <out &&
	test "$(journal_count)" = 0 &&
	aipkg history >out 2>err &&
	test_grep ! "update" out
'

test_expect_success 'an install is journalled' '
	aipkg --yes install nginx >out 2>err &&
	test "$(journal_count)" = 1
'

test_expect_success 'installing what is installed says so, and is not journalled' '
	aipkg install nginx >out 2>err &&
	echo "nginx 1.26.2-r0 is already installed." >expect &&
	test_cmp expect out &&
	aipkg --json install nginx >out 2>err &&
	"$JQ" "already_installed[0].name" "already_installed[0].version" <out >actual &&
	printf "nginx\n1.26.2-r0\n" >expect &&
	test_cmp expect actual &&
	test_must_fail "$JQ" id <out &&
	test "$(journal_count)" = 1
'

test_expect_success 'a provider that is installed names its package' '
	aipkg --dry-run install cmd:nginx >out 2>err &&
	test_grep "^cmd:nginx is provided by nginx 1.26.2-r0, already installed" out
'

test_expect_success 'a dependency installed by name: it is now in world, journalled' '
	aipkg --dry-run install pcre2 >out 2>err &&
	test_grep "^pcre2 10.43-r0 is already installed; pcre2 would be in world" out &&
	test "$(journal_count)" = 1 &&
	aipkg install pcre2 >out 2>err &&
	test_grep "^pcre2 10.43-r0 is already installed; pcre2 is now in world, so it stays" out &&
	test_grep ! "Nothing changed" out &&
	test_grep "^pcre2$" "$ROOT/etc/apk/world" &&
	test "$(journal_count)" = 2 &&
	test_grep "^world-after: .*pcre2" "$(journal_newest)"
'

test_expect_success 'nothing installed: no warning that the vulnerability check was skipped' '
	aipkg install nginx >out 2>err &&
	test_grep ! "vulnerability check" err
'

test_expect_success 'a plain rollback undoes the world change' '
	aipkg --yes rollback >out 2>err &&
	test_grep "Rolled back operation 2" out &&
	test_grep ! "^pcre2$" "$ROOT/etc/apk/world" &&
	installed_list >now &&
	test_grep "^pcre2-10.43-r0$" now
'

test_expect_success 'setup: a no-op entry as an older aipkg journalled it' '
	n=$(journal_count) &&
	id=$((n + 1)) &&
	f=$ROOT/var/lib/aipkg/journal/0000/$(printf "%08d" "$id").txt &&
	world=$(tr "\n" " " <"$ROOT/etc/apk/world" | sed "s/ *$//") &&
	{
		echo "id: $id" &&
		echo "status: committed" &&
		echo "time: 2026-11-24T10:15:02Z" &&
		echo "end-time: 2026-11-24T10:15:03Z" &&
		echo "user: root" &&
		echo "command: aipkg update" &&
		echo "apk-exit: 0" &&
		echo "world-before: $world" &&
		echo "world-after: $world" &&
		echo "end"
	} >"$f" &&
	aipkg history "$id" >out 2>err
'

test_expect_success 'a plain rollback passes over it to the newest operation that changed something' '
	aipkg --yes rollback >out 2>err &&
	test_grep "^Rolled back operation 3;" out &&
	test_grep "^pcre2$" "$ROOT/etc/apk/world"
'

test_expect_success 'that entry by id: it changed nothing, so nothing to roll back' '
	test_expect_code 1 aipkg --yes rollback "$id" >out 2>err &&
	test_grep "operation $id changed nothing" err
'

test_expect_success 'the journal adds up to the installed database' '
	test_journal_matches_db
'

test_done
