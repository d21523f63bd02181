#!/bin/sh
# t0800: SIGKILL at random points of install/remove/update/rollback; recover always reconciles.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='kill -9 at random points

AIPKG_FAULT_RUNS times (default 20) an operation chosen at random (install,
remove, update against the other repository, rollback) is started and,
after a random delay, apk alone, aipkg alone, or both (a power loss) are
killed with SIGKILL.  After each, aipkg recover reconciles the journal:
it agrees with the installed database, nothing is pending, lost or
unreadable, and the state lock is free.  The operations go on from
whatever state the last one left.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-fault.sh
. "$TEST_SRC/cli/lib-fault.sh"

command -v setsid >/dev/null 2>&1 || skip_all "no setsid to run aipkg in a process group"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b

# The operation of iteration I, as aipkg arguments.
fault_op () {
	case $(fault_random 6 "$1") in
	0) echo "install nginx" ;;
	1) echo "install curl htop" ;;
	2) echo "remove nginx" ;;
	3) echo "remove curl htop" ;;
	4) echo "update" ;;
	*) echo "rollback" ;;
	esac
}

# fault_run I: one operation, one SIGKILL, one recover, the checks.
fault_run () {
	fault_i=$1
	op=$(fault_op "$1")
	mode=$(fault_random 3 "$1$1")
	# up to 1.5 s: before apk, inside it (0.1 s per change), after it
	delay=$(awk -v r="$(fault_random 150 "$1$1$1")" "BEGIN { print r / 100 }")
	fault_what="$op, kill $(echo "apk aipkg both" | cut -d" " -f$((mode + 1))) at ${delay}s"
	if test "$op" = update
	then
		# each update moves to the other repository: upgrades or downgrades
		if grep -q repo-b "$ROOT/etc/apk/repositories"
		then
			fixture_use_repos "$ROOT" "$REPO_A"
		else
			fixture_use_repos "$ROOT" "$REPO_B"
		fi
	fi
	rm -f "$SLOW_MARK.pid"
	# shellcheck disable=SC2086 # $op is several words
	setsid env AIPKG_APK="$SLOW_APK" APK_DOUBLE_DELAY=0.1 "$AIPKG" --root "$ROOT" \
		--allow-untrusted --yes $op >op.out 2>op.err &
	pid=$!
	sleep "$delay"
	apk_pid=$(cat "$SLOW_MARK.pid" 2>/dev/null)
	case $mode in
	0) test -n "$apk_pid" && kill -KILL "-$apk_pid" 2>/dev/null ;;
	1) kill -KILL "$pid" 2>/dev/null ;;
	*) kill -KILL "-$pid" 2>/dev/null
	   test -n "$apk_pid" && kill -KILL "-$apk_pid" 2>/dev/null ;;
	esac
	wait "$pid"
	rc=$?
	test "$rc" -lt 128 || test "$rc" = 137 ||
		fault_inconsistent "aipkg crashed with exit $rc: $(tail -n 2 op.err)"
	fault_runs=$((fault_runs + 1))
	if ! "$AIPKG" --root "$ROOT" --lock-timeout 60 recover >recover.out 2>recover.err
	then
		fault_inconsistent "recover failed: $(tail -n 2 recover.err)"
	fi
	if grep -q "now \(failed\|interrupted\|committed\)" recover.out
	then
		fault_recovered=$((fault_recovered + 1))
	fi
	fault_check
}

fault_runs=0
fault_bad=0
fault_recovered=0

test_expect_success DOUBLE 'setup: repositories A and B, a root with nginx' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	slow_apk_setup &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install nginx >out 2>err &&
	test_journal_matches_db
'

test_expect_success DOUBLE "$FAULT_RUNS random SIGKILLs: the journal always recovers" '
	i=0 &&
	while test $i -lt "$FAULT_RUNS"
	do
		fault_run $i
		i=$((i + 1))
	done &&
	fault_summary "kill -9"
'

test_done
