#!/bin/sh
# t0300: every change is journalled in plain text, and aipkg history reads it back.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the journal and aipkg history

Installs, removals and updates each leave one plain-text file under
ROOT/var/lib/aipkg/journal/, readable with grep; history lists them newest
first, shows one in full, filters, and prints the documented JSON.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_C=$TRASH_DIRECTORY/repo-c
JSONQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: repository A and an empty root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'an empty journal: history says so' '
	rm -rf "$ROOT/var/lib/aipkg/journal" &&
	aipkg history >out &&
	echo "No operations in the journal." >expect &&
	test_cmp expect out &&
	aipkg --json history >out &&
	test "$("$JSONQ" ".transactions#" <out)" = 0
'

test_expect_success 'install writes one committed entry: argv, world, changes' '
	aipkg --yes install nginx >out 2>err &&
	test "$(journal_count)" = 1 &&
	f=$(journal_newest) &&
	case $f in */journal/0000/00000001.txt) ;; *) false ;; esac &&
	test_grep "^id: 1$" "$f" &&
	test_grep "^status: committed$" "$f" &&
	test_grep "^time: 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z$" "$f" &&
	test_grep "^user: " "$f" &&
	test_grep "^caller: cli$" "$f" &&
	test_grep "^command: .* install nginx$" "$f" &&
	test_grep "^apk: .* --root $ROOT .* add -- nginx$" "$f" &&
	test_grep "^apk-exit: 0$" "$f" &&
	test_grep "^world-before:$" "$f" &&
	test_grep "^world-after: nginx$" "$f" &&
	test_grep "^planned: install nginx - 1.26.2-r0$" "$f" &&
	test_grep "^change: install nginx - 1.26.2-r0$" "$f" &&
	test_grep "^change: install pcre2 - 10.43-r0$" "$f" &&
	test_grep "^kept: nginx 1.26.2-r0$" "$f" &&
	test_grep "^end$" "$f"
'

test_expect_success 'the change results carry the journal id' '
	aipkg --yes --json install curl >out 2>err &&
	test "$("$JSONQ" .id <out)" = 2
'

test_expect_success 'remove and a dry run: only the real change is journalled' '
	aipkg --dry-run --yes remove curl >out 2>err &&
	test "$(journal_count)" = 2 &&
	aipkg --yes remove curl >out 2>err &&
	test "$(journal_count)" = 3 &&
	test_grep "^change: remove curl 8.9.0-r0 -$" "$(journal_newest)"
'

test_expect_success 'a change refused for want of confirmation is not journalled' '
	test_must_fail aipkg remove nginx </dev/null >out 2>err &&
	test_grep "needs confirmation .*rerun with --yes" err &&
	test "$(journal_count)" = 3
'

test_expect_success 'history lists the operations newest first' '
	aipkg history >out &&
	sed -n 1p out >header &&
	test_grep "ID *Date (UTC) *Status *Changes *Command" header &&
	sed -n "2,4p" out | awk "{print \$1, \$4}" >actual &&
	cat >expect <<-\EOF &&
	3 committed
	2 committed
	1 committed
	EOF
	test_cmp expect actual &&
	aipkg -q history >actual &&
	printf "3\n2\n1\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'history --json has the documented shape' '
	aipkg --json history >out &&
	test "$("$JSONQ" ".transactions#" <out)" = 3 &&
	test "$("$JSONQ" ".transactions[0].id" <out)" = 3 &&
	test "$("$JSONQ" ".transactions[0].status" <out)" = committed &&
	test "$("$JSONQ" ".transactions[0].apk_exit" <out)" = 0 &&
	test "$("$JSONQ" ".transactions[0].request" <out)" = null &&
	"$JSONQ" ".transactions[0].time" ".transactions[0].user" ".transactions[0].command" <out &&
	test "$("$JSONQ" ".transactions[0].changes[0]" <out)" = \
		"{\"name\":\"curl\",\"action\":\"remove\",\"from\":\"8.9.0-r0\",\"to\":null}" &&
	test "$("$JSONQ" ".transactions[2].changes#" <out)" = 5
'

test_expect_success 'history ID shows one operation in full' '
	aipkg history 1 >out &&
	test_grep "^Operation 1$" out &&
	test_grep "^Status: *committed (apk exit 0)$" out &&
	test_grep "^apk: .* add -- nginx$" out &&
	test_grep "^World after: *nginx$" out &&
	test_grep "^Changes: *Installed *libcrypto3 *3.3.1-r0$" out &&
	test_grep "^  *Installed *nginx *1.26.2-r0$" out &&
	aipkg --json history 1 >out &&
	test "$("$JSONQ" ".transactions[0].world_after" <out)" = "[\"nginx\"]" &&
	"$JSONQ" ".transactions[0].apk[0]" ".transactions[0].planned" <out
'

test_expect_success '--limit, --package and --since filter' '
	aipkg -q history --limit 2 >actual &&
	printf "3\n2\n" >expect &&
	test_cmp expect actual &&
	aipkg -q history --package curl >actual &&
	printf "3\n2\n" >expect &&
	test_cmp expect actual &&
	aipkg -q history --package pcre2 >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	aipkg -q history --since 2000-01-01 >actual &&
	test "$(wc -l <actual)" -eq 3 &&
	aipkg -q history --since "2999-01-01 00:00" >actual &&
	test_must_fail test -s actual
'

test_expect_success 'bad history arguments: usage errors (exit 2)' '
	test_expect_code 2 aipkg history nope 2>err &&
	test_expect_code 2 aipkg history --limit 0 2>err &&
	test_expect_code 2 aipkg history --since yesterday 2>err &&
	test_grep "not a date" err
'

test_expect_success 'an unknown id is an error (exit 1)' '
	test_expect_code 1 aipkg history 99 2>err &&
	test_grep "no operation 99 in the journal" err &&
	test_expect_code 1 aipkg --json history 99 >out 2>err &&
	test "$("$JSONQ" .error.code <out)" = no_entry
'

test_expect_success 'setup: a repository whose htop file is gone after indexing' '
	cp -R "$REPO_A" "$REPO_C" &&
	rm "$REPO_C/x86_64/htop-3.3.0-r0.apk" &&
	fixture_use_repos "$ROOT" "$REPO_C" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'a failed apk call leaves an entry marked failed' '
	test_must_fail aipkg --yes install htop >out 2>err &&
	f=$(journal_newest) &&
	test_grep "^status: failed$" "$f" &&
	test_grep "^apk-exit: [1-9]" "$f" &&
	test_grep "^error: apk add failed" "$f" &&
	test_grep "^planned: install htop - 3.3.0-r0$" "$f" &&
	test_grep ! "^change: install htop" "$f" &&
	aipkg history >out &&
	sed -n 2p out >first &&
	test_grep "failed .* install htop" first
'

test_expect_success 'the journal adds up to the installed database' '
	test_journal_matches_db
'

test_done
