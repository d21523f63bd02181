#!/bin/sh
# t0350: truncated, garbage and hand-edited journal files are named, skipped, never rewritten.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='corrupted journal files

history and rollback report every unreadable entry file by name on stderr
and go on with the others; the files stay exactly as they were, and new
operations get new ids.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JDIR=$ROOT/var/lib/aipkg/journal/0000

test_expect_success 'setup: five operations' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install pcre2 >out 2>err &&
	aipkg --yes install htop >out 2>err &&
	aipkg --yes install busybox >out 2>err &&
	aipkg --yes install bind-tools >out 2>err &&
	aipkg --yes install lighttpd >out 2>err &&
	test "$(journal_count)" = 5
'

test_expect_success 'setup: break entries 2, 3 and 4 in three ways' '
	head -c 150 "$JDIR/00000002.txt" >t && mv t "$JDIR/00000002.txt" &&
	printf "\001\002\003 not a journal \377\376\n" >"$JDIR/00000003.txt" &&
	sed "s/^status: committed$/status: maybe/" "$JDIR/00000004.txt" >t &&
	mv t "$JDIR/00000004.txt" &&
	cksum "$JDIR"/*.txt >sums.before
'

test_expect_success 'history names each bad file, skips it and lists the rest' '
	aipkg history >out 2>err &&
	awk "NR > 1 { print \$1 }" out >ids &&
	printf "5\n1\n" >expect &&
	test_cmp expect ids &&
	test_grep "00000002.txt: truncated" err &&
	test_grep "00000003.txt: .*not .key: value." err &&
	test_grep "00000004.txt: .*unknown status .maybe." err &&
	test "$(grep -c "skipped a journal entry" err)" = 3
'

test_expect_success 'history of a bad entry: an error naming the file (exit 1)' '
	test_expect_code 1 aipkg history 3 >out 2>err &&
	test_grep "00000003.txt" err
'

test_expect_success 'rollback skips them and undoes the newest good operation' '
	aipkg --yes rollback >out 2>err &&
	test_grep "^Removed *lighttpd" out &&
	test_grep "^undoes: 5$" "$(journal_newest)"
'

test_expect_success 'rollback of a bad entry is refused, nothing changed' '
	installed_list >before &&
	test_expect_code 1 aipkg --yes rollback 4 >out 2>err &&
	installed_list >after &&
	test_cmp before after
'

test_expect_success 'new operations get new ids; the bad files are untouched' '
	aipkg --yes install curl >out 2>err &&
	test_path_is_file "$JDIR/00000007.txt" &&
	cksum "$JDIR/00000002.txt" "$JDIR/00000003.txt" "$JDIR/00000004.txt" >sums.after &&
	grep "0000000[234].txt" sums.before >expect &&
	test_cmp expect sums.after
'

test_expect_success 'a garbage file with the newest name only shifts the next id' '
	echo "garbage" >"$JDIR/00000009.txt" &&
	aipkg --yes install telnet-a >out 2>err &&
	test_path_is_file "$JDIR/00000010.txt" &&
	test "$(cat "$JDIR/00000009.txt")" = garbage
'

test_expect_success 'hand-edited but well-formed entries are read' '
	{
		echo "# a note someone added" &&
		sed "s/^end$/note-from-admin: checked\nend/" "$JDIR/00000001.txt"
	} >t && mv t "$JDIR/00000001.txt" &&
	aipkg -q history >out 2>err &&
	test_grep "^1$" out
'

test_expect_success 'files that are not entries are ignored' '
	echo "notes" >"$JDIR/README" &&
	mkdir "$ROOT/var/lib/aipkg/journal/scratch" &&
	: >"$JDIR/.00000011.txt.123.tmp" &&
	aipkg history >out 2>err &&
	test_grep ! "journal/README\|journal/scratch\|\.00000011\.txt" err
'

test_done
