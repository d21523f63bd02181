#!/bin/sh
# t0172: remove of a name the world file asks for but that is not installed takes it out of the world file.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='remove of a world entry that is not installed

Found on a real Alpine 3.12 root with apk 2.12.7, offline: "aipkg install
htop" failed to download, but apk had written htop into the world file;
doctor then said "world entry htop is not satisfied" and apk tries to
install it at every later change, yet "aipkg remove htop" answered
"htop is not installed" and left no way to give it up.  It now runs apk
del, which takes the entry out, journalled (rollback puts it back).'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: nginx installed, lighttpd in the world file only' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx >out 2>err &&
	echo lighttpd >>"$ROOT/etc/apk/world" &&
	installed_list >before &&
	test_grep ! "^lighttpd-" before
'

test_expect_success 'remove takes the entry out of the world file, and nothing else' '
	aipkg --dry-run remove lighttpd >out 2>err &&
	test_grep "world file would change: -lighttpd" out &&
	test_grep "^lighttpd$" "$ROOT/etc/apk/world" &&
	aipkg remove lighttpd >out 2>err &&
	test_grep "world file changed: -lighttpd" out &&
	world_list >world &&
	echo nginx >expect &&
	test_cmp expect world &&
	installed_list >after &&
	test_cmp before after
'

test_expect_success 'journalled: rollback puts the entry back' '
	f=$(journal_newest) &&
	test_grep "^status: committed$" "$f" &&
	test_grep "^world-before: .*lighttpd" "$f" &&
	aipkg --yes --dry-run rollback >out 2>err &&
	test_grep "world file would change: +lighttpd" out
'

test_expect_success 'a name neither installed nor in the world file is still refused' '
	test_expect_code 1 aipkg remove lighttpd >out 2>err &&
	test_grep "'"'"'lighttpd'"'"' is not installed" err
'

test_done
