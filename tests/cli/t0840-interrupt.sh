#!/bin/sh
# t0840: Ctrl-C while apk runs: what happened to the system, said plainly, the journal, exit 130.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='an install interrupted by Ctrl-C (SIGINT) while apk runs

The repository is served over HTTP behind a gate the test opens, so apk is
still fetching and unpacking packages when aipkg gets SIGINT, as from
Ctrl-C at a terminal.  aipkg stops apk the same way, says what happened
to the system (nothing recorded, or which packages changed) and which
operation the journal recorded, and exits 130.  What it says agrees with
the journal and with the installed database.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root

# wait_for PATTERN FILE: FILE gets a line matching PATTERN within 30 s.
wait_for () {
	_wf_i=0
	while ! grep -q "$1" "$2" 2>/dev/null && test "$_wf_i" -lt 300
	do
		sleep 0.1
		_wf_i=$((_wf_i + 1))
	done
	grep -q "$1" "$2"
}

test_expect_success 'setup: a repository behind a gate, a root using it' '
	fixture_repo_a "$SECDB_DIR/repo" &&
	secdb_stub &&
	fixture_root "$ROOT" "http://127.0.0.1:$SECDB_PORT/gate/pkgs/repo" &&
	secdb_config "$ROOT" http://127.0.0.1:9/ &&
	: >"$SECDB_DIR/pkgs.open" &&
	test_apk --root "$ROOT" --allow-untrusted --no-progress update >/dev/null 2>&1 &&
	# from now on apk downloads nothing until a test opens the gate
	rm "$SECDB_DIR/pkgs.open" &&
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	cp "$ROOT/etc/apk/world" world.before
'

test_expect_success 'Ctrl-C while apk installs: exit 130 and a message saying what happened' '
	{ "$AIPKG" -v --root "$ROOT" --allow-untrusted --yes install nginx >out 2>err & } &&
	pid=$! &&
	wait_for "Installing" err &&
	kill -INT $pid &&
	{ wait $pid; code=$?; } &&
	: >"$SECDB_DIR/pkgs.open" &&
	test "$code" = 130 &&
	test_grep "^error: apk add was stopped by Ctrl-C (SIGINT)" err &&
	test_grep "operation 1 is recorded as" err &&
	# stderr is not a terminal: apk'"'"'s lines, but no progress bar
	test_grep "Installing" err &&
	test_grep ! "$(printf "\033")" err
'

test_expect_success 'what it said is what the journal and the installed database say' '
	"$AIPKG" --root "$ROOT" --json history 1 >entry &&
	status=$("$TEST_TOOLS/jsonq" ".transactions[0].status" <entry) &&
	"$TEST_TOOLS/jsonq" ".transactions[0].changes#" <entry >n &&
	if test "$(cat n)" = 0
	then
		# apk writes its database only at the end (real apk 2.14 and 3.0 alike)
		test "$status" = failed &&
		test_grep "before it recorded any change: the installed packages and world are as they were" err &&
		test_grep "had begun to install" err &&
		test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
		test_cmp world.before "$ROOT/etc/apk/world"
	else
		# the test double records each package as it goes
		test "$status" = interrupted &&
		test_grep "after it had installed" err &&
		test_grep "rollback 1" err &&
		for name in $("$TEST_TOOLS/jsonq" ".transactions[0].changes[0].name" <entry)
		do
			test_grep "^P:$name\$" "$ROOT/lib/apk/db/installed" || return 1
		done
	fi &&
	"$TEST_TOOLS/jsonq" ".transactions[0].error" <entry >error &&
	test_grep "stopped by Ctrl-C" error
'

test_expect_success 'the next command finds nothing pending, and the same install finishes the job' '
	fixture_use_repos "$ROOT" "$SECDB_DIR/repo" &&
	"$AIPKG" --root "$ROOT" --allow-untrusted --yes install nginx >out 2>err &&
	test_grep ! "interrupted; reconciled" err &&
	test_grep "^P:nginx$" "$ROOT/lib/apk/db/installed" &&
	test_grep "^nginx$" "$ROOT/etc/apk/world"
'

if script --version 2>/dev/null | grep -q util-linux
then
	test_set_prereq SCRIPT
fi

test_expect_success SCRIPT 'on a terminal a slow install shows apk'"'"'s progress as a bar' '
	fixture_use_repos "$ROOT" "http://127.0.0.1:$SECDB_PORT/slow/1/repo" &&
	test_apk --root "$ROOT" --allow-untrusted --no-progress update >/dev/null 2>&1 &&
	TERM=xterm script -qec "\"$AIPKG\" --root \"$ROOT\" --allow-untrusted --yes install htop" \
		/dev/null >screen &&
	test_grep "Installing htop" screen &&
	test_grep "%.*\] apk add" screen &&
	test_grep "$(printf "\r\033\\[K")" screen &&
	TERM=dumb script -qec "\"$AIPKG\" --root \"$ROOT\" --allow-untrusted --yes install bind-tools" \
		/dev/null >screen &&
	test_grep "Installing bind-tools" screen &&
	test_grep ! "\] apk add" screen &&
	fixture_use_repos "$ROOT" "$SECDB_DIR/repo" &&
	TERM=xterm script -qec "\"$AIPKG\" --root \"$ROOT\" --allow-untrusted --yes install busybox" \
		/dev/null >screen &&
	# a step over in a moment gets no bar
	test_grep "Installing busybox" screen &&
	test_grep ! "\] apk add" screen
'

test_done
