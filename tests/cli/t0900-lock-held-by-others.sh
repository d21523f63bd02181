#!/bin/sh
# t0900: another local user cannot hold aipkg's lock (issue 12.1).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the state lock is private

flock() works on a read-only descriptor, so a lock file others can open is
one any user can hold to make every change (and the nightly agent run) exit
75.  aipkg creates ROOT/var/lib/aipkg/lock 0600, as apk does its own, and
narrows a lock an older aipkg left 0644; another user can then neither open
nor hold it.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-users.sh
. "$TEST_SRC/cli/lib-users.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
LOCK=$ROOT/var/lib/aipkg/lock

mode_of () {
	stat -c %a "$1"
}

test_expect_success 'setup: repository A, a root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'the lock a change creates is 0600' '
	rm -f "$LOCK" &&
	aipkg --yes install htop </dev/null >out 2>err &&
	test_path_is_file "$LOCK" &&
	test "$(mode_of "$LOCK")" = 600
'

test_expect_success 'a lock an older aipkg left 0644 is narrowed to 0600' '
	chmod 0644 "$LOCK" &&
	aipkg --yes install lighttpd </dev/null >out 2>err &&
	test "$(mode_of "$LOCK")" = 600
'

test_expect_success OTHER_USER,FLOCK 'another user cannot hold the lock to block changes' '
	mkdir -p shared && chmod 0777 shared &&
	{
		as_other_user flock -n "$LOCK" sh -c ": >shared/holding; sleep 3" \
			>shared/out 2>shared/err &
	} &&
	other=$! &&
	wait_for 10 sh -c "test -e shared/holding || test -s shared/err" &&
	{ aipkg --yes install bind-tools </dev/null >out 2>err; status=$?; } &&
	wait $other;
	test "$status" = 0 &&
	installed_list >installed &&
	test_grep "^bind-tools-9" installed &&
	test_path_is_missing shared/holding &&
	test_grep -i "permission denied" shared/err
'

test_done
