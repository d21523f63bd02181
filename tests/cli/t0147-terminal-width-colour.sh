#!/bin/sh
# t0147: output fits an 80-column terminal and is never cut elsewhere; colour only where it belongs.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the width of the terminal, and colour

Alpine'"'"'s console is 80 columns: check-vuln'"'"'s table was 105, and --help,
list and history ran past the edge.  On a terminal (ptyrun gives aipkg a
pseudo-terminal of a chosen width) every line fits; through a pipe nothing
is cut.  Colour needs a terminal, a TERM other than dumb, and no
non-empty NO_COLOR (no-color.org).'

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
LONGER_NAME=py3-a-package-with-a-name-too-long-for-a-line-with-its-version
LONG_DESC="A description long enough to run past the edge of an eighty column console unless it is cut"

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# on_tty COLS ARGS...: aipkg on a terminal COLS wide.
on_tty () {
	_ot_cols=$1
	shift
	"$PTY" -c "$_ot_cols" "$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}


test_expect_success 'setup: long names, versions and descriptions; a vulnerable one' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_W" "$LONG_NAME" 0.0_git20240101-r10 -d "$LONG_DESC" \
		-o "$LONG_NAME-origin" &&
	mkrepo_pkg "$REPO_W" "$LONGER_NAME" 0.0_git20240101-r10 -d "$LONG_DESC" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_W/$FIXTURE_ARCH" -d repo-w &&
	fixture_root "$ROOT" "$REPO_A" "$REPO_W" &&
	test_apk --root "$ROOT" --allow-untrusted add zlib "$LONG_NAME" >out &&
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main \
		"$LONG_NAME-origin 0.0_git20240102-r0=CVE-2024-1000001 1.2.4-r0=CVE-2024-1000002" \
		"zlib 1.3.1-r1=CVE-2023-45853" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 2.0-r0=CVE-2019-9999" &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	aipkg check-vuln --refresh >wide &&
	awk "length(\$0) > 80" wide >long-lines &&
	test -s long-lines
'

test_expect_success 'check-vuln: the table fits 80 columns on a terminal, whole in a pipe' '
	on_tty 80 check-vuln >tty &&
	test_fits 80 tty &&
	test_grep "CVE-2024-1000001" tty &&
	test_grep "CVE-2023-45853" tty &&
	test_grep "0.0_git20240102-r0" tty &&
	test_grep "$LONG_NAME-origin" wide &&
	test_grep "^$LONG_NAME  " wide
'

test_expect_success '--help fits 80 columns, and the pipe has each summary on one line' '
	"$PTY" -c 80 "$AIPKG" --help >tty &&
	test_fits 80 tty &&
	"$PTY" -c 60 "$AIPKG" --help >tty60 &&
	test_fits 60 tty60 &&
	"$AIPKG" --help >pipe &&
	summary=$("$AIPKG" --json help | "$TEST_TOOLS/jsonq" "commands[0].summary") &&
	test_grep -F "$summary" pipe &&
	"$PTY" -c 80 "$AIPKG" check-vuln --help >tty &&
	test_fits 80 tty
'

test_expect_success 'list -a fits; the description is cut on the terminal only' '
	on_tty 80 list -a >tty &&
	test_fits 80 tty &&
	test_grep "^$LONG_NAME .*\.\.\.$" tty &&
	test_grep "^$LONGER_NAME 0.0_git" tty &&
	aipkg list -a >pipe &&
	test_grep "^$LONG_NAME .*$LONG_DESC$" pipe &&
	test_grep "^$LONGER_NAME .*$LONG_DESC$" pipe
'

test_expect_success 'history fits; the command is whole in a pipe' '
	aipkg --yes install nginx "$LONG_NAME" >out 2>err &&
	on_tty 80 history >tty &&
	test_fits 80 tty &&
	aipkg history >pipe &&
	test_grep "install nginx $LONG_NAME$" pipe
'

test_expect_success 'colour on a terminal with a TERM that has it' '
	TERM=xterm "$PTY" "$AIPKG" frob >tty;
	test_grep "$(printf "\033")\[1;31merror:" tty
'

test_expect_success 'no colour with TERM=dumb, no TERM, NO_COLOR=1 or --no-color' '
	esc=$(printf "\033") &&
	{ TERM=dumb "$PTY" "$AIPKG" frob >tty; test_grep ! "$esc" tty; } &&
	{ env -u TERM "$PTY" "$AIPKG" frob >tty; test_grep ! "$esc" tty; } &&
	{ TERM=xterm NO_COLOR=1 "$PTY" "$AIPKG" frob >tty; test_grep ! "$esc" tty; } &&
	{ TERM=xterm "$PTY" "$AIPKG" --no-color frob >tty; test_grep ! "$esc" tty; } &&
	{ TERM=xterm "$AIPKG" frob 2>pipe; test_grep ! "$esc" pipe; }
'

test_expect_success 'an empty NO_COLOR does not turn colour off (no-color.org)' '
	TERM=xterm NO_COLOR= "$PTY" "$AIPKG" frob >tty;
	test_grep "$(printf "\033")\[1;31merror:" tty
'

test_done
