#!/bin/sh
# t0169: at a 40- or 60-column terminal every command's output fits, and nothing that matters is lost.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='narrow terminals

A split tmux pane or a phone is 40 to 60 columns wide.  There,
check-vuln'"'"'s headings ran to 56 columns over cells cut to "py3...",
history'"'"'s to 42 with no room left for the command, every --help
option'"'"'s text past the edge, list cut its [installed] tag to "[i...",
and config, info'"'"'s vulnerabilities, check-vuln'"'"'s summary, info -W and
recover printed fixed lines.  A table whose headings cannot stand over
readable columns is shown as records ("HEADING: value", nothing cut);
everything else wraps at blanks.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_W=$TRASH_DIRECTORY/repo-w
PTY=$TEST_TOOLS/ptyrun
LONG_NAME=py3-a-package-with-a-rather-long-name

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# on_tty COLS ARGS...: aipkg on a terminal COLS wide; a prompt gets Ctrl-D.
on_tty () {
	_ot_cols=$1
	shift
	NO_COLOR=1 "$PTY" -c "$_ot_cols" -i "$(printf "\004")" \
		"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}


test_expect_success 'setup: a long name with two findings, a few operations' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_W" "$LONG_NAME" 0.0_git20240101-r10 \
		-d "A description long enough to run past the edge of a narrow terminal" \
		-o "$LONG_NAME-origin" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_W/$FIXTURE_ARCH" -d repo-w &&
	fixture_root "$ROOT" "$REPO_A" "$REPO_W" &&
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main \
		"$LONG_NAME-origin 0.0_git20240102-r0=CVE-2024-1000001 1.2.4-r0=CVE-2024-1000002" \
		"zlib 1.3.1-r1=CVE-2023-45853" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 2.0-r0=CVE-2019-9999" &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	aipkg check-vuln --refresh >out &&
	secdb_stop &&
	aipkg --yes install --force zlib "$LONG_NAME" >out 2>err &&
	aipkg --yes install --force nginx >out 2>err &&
	aipkg --yes lock zlib >out 2>err
'

test_expect_success 'check-vuln at 40 and 60 columns: records, every value whole' '
	on_tty 60 check-vuln >tty &&
	test_fits 60 tty &&
	test_grep "^PACKAGE: *$LONG_NAME$" tty &&
	test_grep "^ORIGIN: *$LONG_NAME-origin$" tty &&
	test_grep "^CVE: *CVE-2024-1000002$" tty &&
	test_grep "^FIXED IN: *0.0_git20240102-r0$" tty &&
	test_grep "^PACKAGE: *zlib$" tty &&
	on_tty 40 check-vuln >tty &&
	test_fits 40 tty &&
	test_grep "^CVE: *CVE-2024-1000002$" tty &&
	test_grep "^FIXED IN: *0.0_git20240102-r0$" tty &&
	# a value longer than the line goes on under itself
	sed -n "/^PACKAGE:/{N;p;q;}" tty | tr -d " \n" >name &&
	test "$(cat name)" = "PACKAGE:$LONG_NAME" &&
	# at 80 the table stays a table when its headings fit over it
	aipkg -X "$REPO_A" check-vuln zlib >pipe &&
	on_tty 80 check-vuln zlib >tty &&
	test_grep "^PACKAGE *VERSION *ORIGIN *CVE" tty
'

test_expect_success 'history at 40 columns: each operation whole, as records' '
	on_tty 40 history >tty &&
	test_fits 40 tty &&
	test_grep "^ID: *3$" tty &&
	test_grep "^Status: *committed$" tty &&
	tr "\n" " " <tty | tr -s " " >joined &&
	test_grep "Command: .*--yes lock zlib" joined &&
	# at 60 the table keeps its headings within the width
	on_tty 60 history >tty &&
	test_fits 60 tty &&
	test_grep "^ *ID Date (UTC)" tty
'

test_expect_success 'list at 40 columns: a tag is shown whole or not at all' '
	on_tty 40 list >tty &&
	test_fits 40 tty &&
	test_grep "^zlib  *1.3.1-r0" tty &&
	test_grep ! "\[i\.\.\." tty &&
	test_grep ! " $" tty
'

test_expect_success 'every command'"'"'s --help fits 40 and 60 columns' '
	"$AIPKG" --json help >commands.json &&
	n=$("$TEST_TOOLS/jsonq" "commands#" <commands.json) &&
	i=0 &&
	while test $i -lt "$n"
	do
		name=$("$TEST_TOOLS/jsonq" "commands[$i].name" <commands.json) &&
		for cols in 40 60
		do
			NO_COLOR=1 "$PTY" -c $cols "$AIPKG" "$name" --help >tty &&
			test_fits $cols tty || return 1
		done &&
		i=$((i + 1)) || return 1
	done &&
	NO_COLOR=1 "$PTY" -c 40 "$AIPKG" --help >tty &&
	test_fits 40 tty &&
	NO_COLOR=1 "$PTY" -c 40 "$AIPKG" help install >tty &&
	tr "\n" " " <tty | tr -s " " >joined &&
	test_grep "\-\-ask the arguments are a request in plain words, not package names" joined
'

test_expect_success 'the commands a person reads fit 40 and 60 columns' '
	for cols in 40 60
	do
		for cmd in "list" "list -a" "list -w" "list -l" "list -u" "search zlib" \
			"search -d description" "info zlib" "info -L zlib" \
			"info -W /usr/lib/libz.so.1" "history 1" "doctor" "doctor -v" \
			"update --plan" "agent status" "agent run --dry-run" \
			"--dry-run remove nginx" "remove nginx" "ask web server" \
			"--dry-run rollback" "recover" "version 1.0 2.0" "install nginx" \
			"install curl" "frob" "instal nginx" "--roo x list"
		do
			# shellcheck disable=SC2086 # each entry is several words
			on_tty $cols $cmd >tty
			test_fits $cols tty || { echo "in: $cmd at $cols" >&2; return 1; }
		done
	done
'

test_expect_success 'config at 40 columns: a long origin on lines of its own, still YAML comments' '
	AIPKG_APK=apk on_tty 40 config >tty &&
	test_fits 40 tty &&
	tr -d "\r" <tty >config.yaml &&
	test_grep "^  secdb_url: http://127.0.0.1:" config.yaml &&
	test_grep "^    # .*aipkg" config.yaml &&
	aipkg config --check config.yaml >out &&
	test_grep "a valid aipkg configuration" out
'

test_expect_success 'the confirmation at 40 columns: section titles whole, rollback'"'"'s lines fit' '
	aipkg --yes remove nginx >out 2>err &&
	test_expect_code 1 on_tty 40 install nginx >tty &&
	test_fits 40 tty &&
	test_grep "^Installing dependencies:$" tty &&
	# a name is not padded to the width of a section title
	test_grep "^  pcre2  *10.43-r0 " tty &&
	test "$(sed -n "s/^  pcre2\( *\).*/\1/p" tty | wc -c)" -lt 12 &&
	test_expect_code 1 on_tty 40 rollback >tty &&
	test_fits 40 tty &&
	test_grep "^Rolling back operation" tty
'

test_done
