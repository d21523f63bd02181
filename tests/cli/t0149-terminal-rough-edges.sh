#!/bin/sh
# t0149: what a new administrator met at an 80-column terminal, each fixed.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='rough edges at a real terminal

Found by using aipkg at an 80-column terminal (tmux) with apk 2.14.4 and
3.0.6 on a copy of an Alpine 3.20 minirootfs: the history table put its
headings where the rows were not (the columns were narrowed to the
header'"'"'s width when there were few rows); history ID let the terminal
break a long apk command line in mid-word under the labels; remove of a
name nothing knows advised refreshing the indexes; Ctrl-D at a prompt put
"error: nothing changed" on the prompt'"'"'s line; search and list
--available marked a version "[installed]" when another one was; a
rollback to a version only a kept file has showed a disk space total that
counted that version as 0 bytes.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
PTY=$TEST_TOOLS/ptyrun

# on_tty COLS INPUT ARGS...: aipkg on a terminal COLS wide, INPUT typed
# (no colour: the lines are compared as text).
on_tty () {
	_ot_cols=$1 _ot_in=$2
	shift 2
	NO_COLOR=1 "$PTY" -c "$_ot_cols" -i "$_ot_in" "$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# fits COLS FILE: no line of FILE is wider than COLS.
fits () {
	awk -v max="$1" 'length($0) > max { print "too wide (" length($0) "): " $0; bad = 1 }
		END { exit bad }' "$2"
}

test_expect_success 'setup: nginx installed from A' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx >out 2>err
'

test_expect_success 'history: each heading stands over its column, with one operation' '
	on_tty 80 "" history >tty &&
	fits 80 tty &&
	head -n 1 tty >head &&
	sed -n 2p tty >row &&
	test_grep "committed" row &&
	# "Status" starts where "committed" starts, "Command" where the command does
	hs=$(awk "{ print index(\$0, \"Status\") }" head) &&
	rs=$(awk "{ print index(\$0, \"committed\") }" row) &&
	test "$hs" = "$rs" &&
	hc=$(awk "{ print index(\$0, \"Command\") }" head) &&
	rc=$(awk -v a="$AIPKG" "{ print index(\$0, substr(a, 1, 8)) }" row) &&
	test "$hc" = "$rc"
'

test_expect_success 'history ID: a long apk command line wraps in the value column' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes update nginx >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.27.0-r0$" now &&
	on_tty 80 "" history 2 >tty &&
	fits 80 tty &&
	sed -n "/^apk:/,/^World before:/p" tty >apk-lines &&
	test "$(wc -l <apk-lines)" -gt 2 &&
	sed "1d;\$d" apk-lines >rest &&
	# each further line goes on under the value, 14 columns in
	awk "substr(\$0, 1, 14) != \"              \" || substr(\$0, 15, 1) == \" \" { bad = 1 }
		END { exit bad }" rest &&
	# nothing was cut: the words are those of the journal
	tr -s " \n" "  " <apk-lines >joined &&
	test_grep "no-progress upgrade.* nginx" joined &&
	aipkg history 2 >pipe &&
	test "$(grep -c "^apk:" pipe)" = 1 &&
	test "$(sed -n "/^apk:/,/^World before:/p" pipe | wc -l)" = 2
'

test_expect_success 'remove of a name nothing knows: not installed, a close name, no update advice' '
	test_expect_code 1 aipkg remove ngin >out 2>err &&
	test_grep "'"'"'ngin'"'"' is not installed; did you mean: nginx?" err &&
	test_grep ! "aipkg update" err &&
	test_expect_code 1 aipkg remove nosuchthing >out 2>err &&
	test_grep "'"'"'nosuchthing'"'"' is not installed (see '"'"'aipkg list --installed'"'"')" err
'

test_expect_success 'Ctrl-D at the prompt: the message starts on a line of its own' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	test_expect_code 1 on_tty 80 "$(printf "\004")" remove nginx >tty &&
	test_grep "^error: nothing changed: you declined" tty &&
	test_grep ! "\] error:" tty &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'search and list --available: another installed version is named' '
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_B" &&
	aipkg --yes rollback >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now &&
	aipkg search -x nginx >out &&
	test_grep "^nginx  1.27.0-r0  \[installed 1.26.2-r0\]  HTTP" out &&
	aipkg list --available >out &&
	test_grep "^nginx  *1.27.0-r0  *\[installed 1.26.2-r0\]" out &&
	test_grep "^pcre2  *10.43-r0  *\[installed\] " out
'

test_expect_success 'rollback to a version only a kept file has: no made-up disk space' '
	aipkg --yes rollback 3 >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.27.0-r0$" now &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	test_expect_code 1 on_tty 80 "n
" rollback >tty &&
	test_grep "^  nginx  *1.27.0-r0 -> 1.26.2-r0" tty &&
	test_grep ! "Disk space" tty &&
	test_grep "declined" tty
'

test_done
