#!/bin/sh
# t0801: apk killed during a rollback's last step must not leave .aipkg-rollback in world (found by t0800).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='a killed rollback cleanup

A rollback adds the old versions under the virtual package .aipkg-rollback,
then deletes it.  When apk is killed during that delete, after it removed
the virtual package from the installed database but before it rewrote the
world, the world keeps ".aipkg-rollback=DATE", which no repository has:
every later apk add, del or upgrade fails.  t0800 found this with seed
4242.  aipkg recover must leave a world that apk can satisfy.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
MARK=$TRASH_DIRECTORY/del-mark

test_expect_success DOUBLE 'setup: nginx installed, then updated from repository B' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install nginx >out 2>err &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes update >out 2>err &&
	installed_list | grep -q "^nginx-1.27.0-r0$" &&
	cat >del-apk <<-EOS
	case "\$*" in
	*" del "*.aipkg-rollback*) echo \$\$ >"$MARK"; APK_DOUBLE_DELAY=3; export APK_DOUBLE_DELAY ;;
	esac
	exec "$AIPKG_APK" "\$@"
	EOS
	true
'

test_expect_success DOUBLE 'apk killed while deleting .aipkg-rollback: recover leaves a usable world' '
	{ env AIPKG_APK="sh $TRASH_DIRECTORY/del-apk" "$AIPKG" --root "$ROOT" --allow-untrusted \
		--yes rollback >out 2>err & } &&
	pid=$! &&
	wait_for 60 test -s "$MARK" &&
	wait_for 20 sh -c "! grep -q \"^P:.aipkg-rollback\" \"$ROOT/lib/apk/db/installed\"" &&
	kill -KILL "$(cat "$MARK")" &&
	{ wait $pid; true; } &&
	aipkg recover >out 2>err &&
	test_journal_matches_db &&
	test_grep ! "aipkg-rollback" "$ROOT/etc/apk/world" &&
	aipkg --yes install htop >out 2>err
'

test_done
