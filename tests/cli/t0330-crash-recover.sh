#!/bin/sh
# t0330: kill -9 during an install, then aipkg recover: history matches the installed db.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='crash recovery

aipkg (and its apk, as a power loss would) is killed with SIGKILL at
several points of an install of nginx and its four dependencies: before apk
starts, half-way through (the test double applies one change a second),
and after apk finished but before aipkg finalised the journal.  Each time
the pending entry is noticed, aipkg recover reconciles it with the
installed database, and the journal adds up to what is installed.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq

# fresh_root: an empty root using repository A, its index fetched.
fresh_root () {
	fixture_root "$ROOT" "$REPO_A" &&
	rm -f "$SLOW_MARK.before" "$SLOW_MARK.after" "$SLOW_MARK.pid" &&
	aipkg --yes update >out 2>err
}

# start_install [VAR=VALUE...]: aipkg --yes install nginx in the background
# with those variables set, in a session (and process group) of its own,
# so the whole group can be killed as a power loss would.
start_install () {
	setsid env "$@" "$AIPKG" --root "$ROOT" --allow-untrusted --yes install nginx \
		>install.out 2>install.err &
	install_pid=$!
}

# crash: SIGKILL to aipkg and to the apk it runs (in a process group of
# its own), as a power loss would stop both; wait for the end.
crash () {
	kill -KILL "-$install_pid"
	if test -f "$SLOW_MARK.pid"
	then
		kill -KILL "-$(cat "$SLOW_MARK.pid")"
	fi
	wait "$install_pid"
	rm -f "$SLOW_MARK.pid"
	true
}

if command -v setsid >/dev/null 2>&1
then
	test_set_prereq SETSID
fi

status_of_newest () {
	sed -n "s/^status: //p" "$(journal_newest)"
}

test_expect_success 'setup: repository A, a slowed apk' '
	fixture_repo_a "$REPO_A" &&
	slow_apk_setup
'

test_expect_success SETSID 'killed before apk started: recover marks it failed' '
	fresh_root &&
	start_install AIPKG_APK="$SLOW_APK" SLOW_BEFORE=30 &&
	wait_for 20 test -f "$SLOW_MARK.before" &&
	test "$(status_of_newest)" = pending &&
	crash &&
	aipkg list >out 2>err &&
	test_grep "operation 1 .* was interrupted and is still marked pending" err &&
	test_grep "aipkg recover" err &&
	aipkg recover >out 2>err &&
	test_grep "^Operation 1 (.*install nginx.*): now failed, 0 changes" out &&
	test "$(status_of_newest)" = failed &&
	test_grep "^recovered: .*0 of 5 planned changes" "$(journal_newest)" &&
	test_journal_matches_db
'

test_expect_success SETSID 'a second recover has nothing to do' '
	aipkg recover >out 2>err &&
	test_grep "Nothing to recover" out &&
	aipkg --json recover >out 2>err &&
	test "$("$JSONQ" ".recovered#" <out)" = 0
'

test_expect_success DOUBLE,SETSID 'killed half-way through apk: recover marks it interrupted' '
	fresh_root &&
	start_install AIPKG_APK="$SLOW_APK" APK_DOUBLE_DELAY=1 &&
	wait_for 30 installed_count_at_least 2 &&
	crash &&
	installed_list >now &&
	test "$(wc -l <now)" -ge 2 &&
	test "$(wc -l <now)" -lt 5 &&
	aipkg recover >out 2>err &&
	test_grep "now interrupted" out &&
	test "$(status_of_newest)" = interrupted &&
	test_journal_matches_db
'

test_expect_success DOUBLE,SETSID 'an interrupted install can be rolled back' '
	aipkg --yes rollback >out 2>err &&
	installed_list >now &&
	test_must_fail test -s now &&
	test_journal_matches_db
'

test_expect_success SETSID 'killed after apk finished: recover marks it committed' '
	fresh_root &&
	start_install AIPKG_APK="$SLOW_APK" SLOW_AFTER=30 &&
	wait_for 30 test -f "$SLOW_MARK.after" &&
	crash &&
	test "$(status_of_newest)" = pending &&
	aipkg recover >out 2>err &&
	test_grep "now committed, 5 changes" out &&
	test "$(status_of_newest)" = committed &&
	test_grep "^change: install nginx - 1.26.2-r0$" "$(journal_newest)" &&
	test_journal_matches_db
'

test_expect_success SETSID 'a change after a crash reconciles the pending entry first' '
	fresh_root &&
	start_install AIPKG_APK="$SLOW_APK" SLOW_AFTER=30 &&
	wait_for 30 test -f "$SLOW_MARK.after" &&
	crash &&
	aipkg --yes install htop >out 2>err &&
	test_grep "operation 1 (.*) had been interrupted; reconciled .* now .committed." err &&
	test_grep "^change: install htop - 3.3.0-r0$" "$(journal_newest)" &&
	test_grep ! "^change: .*nginx" "$(journal_newest)" &&
	test_journal_matches_db
'

test_expect_success DOUBLE 'only aipkg killed: its apk is waited for, or dies with it' '
	fresh_root &&
	{
		env APK_DOUBLE_DELAY=1 "$AIPKG" --root "$ROOT" --allow-untrusted --yes \
			install nginx >out 2>err &
	} &&
	pid=$! &&
	wait_for 30 installed_count_at_least 1 &&
	kill -KILL "$pid" &&
	{ wait "$pid"; true; } &&
	aipkg --lock-timeout 30 recover >out 2>err &&
	test_grep "^Operation 1 " out &&
	test_journal_matches_db
'

test_done
