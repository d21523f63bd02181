#!/bin/sh
# t0802: aipkg killed between a rollback's apk steps; recover finishes the cleanup, the journal stays true (found by t0800).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg killed between the steps of a rollback

A rollback first adds the versions to restore under the virtual package
.aipkg-rollback (its version is a date apk picks), then adds the world
atoms, then deletes the virtual package.  apk runs in a process group of
its own: when aipkg alone is killed after the first step, apk finishes it
and the virtual package stays installed, pinning the restored versions.
t0800 found, with seed 4242 and 200 runs, that the journal then disagreed
with the installed database.  aipkg recover must finish the cleanup
through apk and record it: the journal adds up to the installed database,
no .aipkg-rollback is left installed or in world, and later rollbacks work.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
MARK=$TRASH_DIRECTORY/pin-mark

# no_rollback_virtual: neither installed nor in world.
no_rollback_virtual () {
	test_grep ! "^P:\.aipkg-rollback" "$ROOT/lib/apk/db/installed" &&
	test_grep ! "aipkg-rollback" "$ROOT/etc/apk/world"
}

# kill_after_pins: run "aipkg rollback ARGS", kill aipkg (not apk) once
# apk has finished the first step, then recover.
kill_after_pins () {
	rm -f "$MARK" &&
	{ env AIPKG_APK="sh $TRASH_DIRECTORY/pin-apk" "$AIPKG" --root "$ROOT" \
		--allow-untrusted --yes rollback "$@" >out 2>err & } &&
	pid=$! &&
	wait_for 60 test -s "$MARK" &&
	grep -q "^P:\.aipkg-rollback" "$ROOT/lib/apk/db/installed" &&
	kill -KILL "$pid" &&
	{ wait "$pid"; true; } &&
	{ kill "$(cat "$MARK")" 2>/dev/null; true; } &&
	aipkg recover >recover.out 2>recover.err
}

test_expect_success DOUBLE 'setup: nginx installed, then updated from repository B' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install nginx >out 2>err &&
	installed_list >before-update &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes update >out 2>err &&
	installed_list | grep -q "^nginx-1.27.0-r0$" &&
	cat >pin-apk <<-EOS &&
	"$AIPKG_APK" "\$@"
	rc=\$?
	case "\$*" in
	*--simulate*) ;;
	*" add "*"--virtual .aipkg-rollback"*) echo \$\$ >"$MARK"; sleep 3 ;;
	esac
	exit \$rc
	EOS
	test_journal_matches_db
'

test_expect_success DOUBLE 'aipkg killed after the pins: recover removes .aipkg-rollback and records it' '
	kill_after_pins &&
	test_grep "now \(committed\|interrupted\)" recover.out &&
	no_rollback_virtual &&
	test_journal_matches_db &&
	installed_list >now &&
	test_cmp before-update now &&
	entry=$(journal_newest) &&
	test_grep "^undoes: " "$entry" &&
	test_grep "^apk: .* del .*\.aipkg-rollback" "$entry" &&
	test_grep "^recovered: .*removed the rollback" "$entry" &&
	aipkg history >out 2>err &&
	test_must_be_empty err
'

test_expect_success DOUBLE 'the recovered rollback can itself be rolled back' '
	aipkg --yes rollback >out 2>err &&
	installed_list | grep -q "^nginx-1.27.0-r0$" &&
	no_rollback_virtual &&
	test_journal_matches_db
'

test_expect_success DOUBLE 'killed again: the journal still adds up, later operations work' '
	kill_after_pins &&
	test_grep "now committed" recover.out &&
	no_rollback_virtual &&
	test_journal_matches_db &&
	installed_list | grep -q "^nginx-1.26.2-r0$" &&
	aipkg --yes rollback >out 2>err &&
	installed_list | grep -q "^nginx-1.27.0-r0$" &&
	aipkg --yes install htop >out 2>err &&
	no_rollback_virtual &&
	test_journal_matches_db
'

test_done
