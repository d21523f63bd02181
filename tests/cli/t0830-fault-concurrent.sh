#!/bin/sh
# t0830: three changing commands at once plus readers: they take turns, readers never fail.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='concurrent changes and readers

AIPKG_FAULT_RUNS / 10 rounds (at least one): three aipkg installs or
removals start together with --lock-timeout (their apk slowed down), while
readers run list, history and info in a loop.  Every changing command
succeeds in turn, every reader succeeds without waiting for the lock,
and afterwards the journal agrees with the installed database, ids run
without gaps and the lock is free.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-fault.sh
. "$TEST_SRC/cli/lib-fault.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
ROUNDS=$((FAULT_RUNS / 10))
test "$ROUNDS" -ge 1 || ROUNDS=1

fault_runs=0
fault_bad=0

# changer N OP...: one changing command in the background, its exit code
# written to rc.N.
changer () {
	_c_n=$1
	shift
	{
		env APK_DOUBLE_DELAY=0.1 "$AIPKG" --root "$ROOT" --allow-untrusted --yes \
			--lock-timeout 120 "$@" >"out.$_c_n" 2>"err.$_c_n"
		echo $? >"rc.$_c_n"
	} &
}

# readers: list, history and info until the file "stop" appears; each
# failure appends to reader.fail.
readers () {
	while ! test -f stop
	do
		for cmd in "list --installed" history "info busybox" "search web"
		do
			# shellcheck disable=SC2086
			"$AIPKG" --root "$ROOT" --lock-timeout 0 $cmd >r.out 2>r.err ||
				echo "$cmd: $(head -n 1 r.err)" >>reader.fail
		done
	done
}

test_expect_success 'setup: repository A, a root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err
'

test_expect_success "$ROUNDS rounds of three changers and readers" '
	r=0 &&
	while test $r -lt "$ROUNDS"
	do
		fault_i=$r
		fault_what="round $r"
		rm -f stop rc.* reader.fail
		readers &
		rpid=$!
		if test $((r % 2)) = 0
		then
			changer 1 install nginx
			changer 2 install htop bind-tools
			changer 3 install curl
		else
			changer 1 remove nginx
			changer 2 remove htop bind-tools
			changer 3 remove curl
		fi
		wait_for 120 test -f rc.1 -a -f rc.2 -a -f rc.3
		: >stop
		wait $rpid
		for n in 1 2 3
		do
			test "$(cat rc.$n 2>/dev/null)" = 0 ||
				fault_inconsistent "changer $n: exit $(cat rc.$n 2>/dev/null): $(head -n 2 err.$n)"
		done
		if test -s reader.fail
		then
			fault_inconsistent "a reader failed: $(head -n 2 reader.fail)"
		fi
		fault_runs=$((fault_runs + 3))
		fault_check
		r=$((r + 1))
	done &&
	fault_summary "concurrency"
'

test_done
