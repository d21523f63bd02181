#!/bin/sh
# t0340: one aipkg changes the system at a time; the others wait or exit 75.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the state lock

While one aipkg installs (its apk slowed down), a second changing command
without --lock-timeout (no terminal: no wait) exits 75 naming the holder,
one with --lock-timeout waits and then succeeds, and read-only commands
(list, history, a dry run) never wait.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq

# start_holder SECONDS: install nginx in the background, holding the lock
# about SECONDS while its apk sleeps after the change.
start_holder () {
	rm -f "$SLOW_MARK.after" &&
	{
		env AIPKG_APK="$SLOW_APK" SLOW_AFTER="$1" "$AIPKG" --root "$ROOT" \
			--allow-untrusted --yes install nginx >holder.out 2>holder.err &
	} &&
	holder=$! &&
	wait_for 30 test -f "$SLOW_MARK.after"
}

test_expect_success 'setup: repository A, a slowed apk' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	slow_apk_setup
'

test_expect_success 'a second change exits 75 at once, naming the holder' '
	start_holder 4 &&
	test_expect_code 75 aipkg --yes install curl >out 2>err &&
	test_grep "another aipkg holds .*/var/lib/aipkg/lock" err &&
	test_grep "pid $holder (.*install nginx" err &&
	test_expect_code 75 aipkg --yes --json install curl >out 2>err &&
	test "$("$JSONQ" .error.code .error.exit <out | tr "\n" " ")" = "locked 75 " &&
	test_expect_code 75 aipkg --yes rollback >out 2>err &&
	test_expect_code 75 aipkg lock busybox >out 2>err &&
	test_expect_code 75 aipkg recover >out 2>err
'

test_expect_success 'read-only commands and dry runs do not wait' '
	aipkg list >out 2>err &&
	aipkg history >out 2>err &&
	aipkg --dry-run --yes install curl >out 2>err &&
	test_grep "^Would install *curl" out &&
	kill -0 "$holder"
'

test_expect_success 'a holder that finishes frees the lock' '
	wait "$holder" &&
	test_grep "^status: committed$" "$(journal_newest)" &&
	aipkg --yes install curl >out 2>err
'

test_expect_success 'with --lock-timeout the second one waits, then runs' '
	start_holder 1 &&
	aipkg --lock-timeout 30 --yes install htop >out 2>err &&
	test_grep "waiting up to 30 s for another aipkg" err &&
	wait "$holder" &&
	test_grep "^Installed *htop" out &&
	ls "$ROOT/var/lib/aipkg/journal/0000" >ids &&
	# nginx, curl, htop: the update found nothing and the holder'"'"'s second
	# nginx was installed already, so neither is an operation
	test "$(grep -c txt ids)" = 3 &&
	test_journal_matches_db
'

test_expect_success 'a lock-timeout that runs out: exit 75 after it' '
	start_holder 2 &&
	test_expect_code 75 aipkg --lock-timeout 0.3 --yes install busybox >out 2>err &&
	test_grep "still holds .* after 0.3 s" err &&
	wait "$holder"
'

test_expect_success 'lock_timeout in the configuration is a default' '
	mkdir -p "$ROOT/etc/aipkg" &&
	echo "lock_timeout: 30" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	start_holder 1 &&
	aipkg --yes install busybox >out 2>err &&
	wait "$holder" &&
	rm "$ROOT/etc/aipkg/aipkg.yaml" &&
	test_journal_matches_db
'

test_done
