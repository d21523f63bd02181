#!/bin/sh
# t0310: aipkg rollback restores exact versions and the world file, from kept files.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg rollback

install from repository A, switch the root to repository B (A is gone),
update, then roll back: the exact previous versions and world come back
from the package files aipkg kept; rolling back the rollback redoes it.
Refusals (later operations, failed or unknown operations, missing files)
change nothing.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JSONQ=$TEST_TOOLS/jsonq

# snapshot NAME: the installed versions and the world, for comparing later.
snapshot () {
	installed_list >"$1.installed" &&
	world_list >"$1.world"
}

# same_as NAME: the root is exactly as snapshot NAME saw it.
same_as () {
	installed_list >now.installed &&
	world_list >now.world &&
	test_cmp "$1.installed" now.installed &&
	test_cmp "$1.world" now.world
}

test_expect_success 'setup: repositories A and B; nginx and curl from A' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install nginx curl >out 2>err &&
	snapshot installed &&
	test_grep "^nginx-1.26.2-r0$" installed.installed
'

test_expect_success 'the installed packages were kept' '
	test_path_is_file "$ROOT/var/lib/aipkg/packages/nginx-1.26.2-r0.apk" &&
	test_path_is_file "$ROOT/var/lib/aipkg/packages/libcrypto3-3.3.1-r0.apk"
'

test_expect_success 'repository B replaces A; update upgrades' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes update >out 2>err &&
	snapshot updated &&
	test_grep "^nginx-1.27.0-r0$" updated.installed &&
	test_grep "^zlib-1.3.1-r1$" updated.installed
'

test_expect_success 'rollback --dry-run shows the plan and the apk commands, changes nothing' '
	n=$(journal_count) &&
	aipkg --dry-run rollback >out 2>err &&
	test_grep "^Would downgrade *nginx *1.27.0-r0 -> 1.26.2-r0$" out &&
	test_grep "^Would roll back operation 2 with:$" out &&
	test_grep "add --virtual .aipkg-rollback --force-non-repository -- .*/var/lib/aipkg/packages/nginx-1.26.2-r0.apk" out &&
	test_grep "del -- .aipkg-rollback$" out &&
	same_as updated &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'rollback needs a confirmation: refused without a terminal' '
	test_must_fail aipkg rollback </dev/null >out 2>err &&
	test_grep "needs confirmation .*rerun with --yes" err &&
	same_as updated
'

test_expect_success 'rollback brings back the exact versions and world, though A is gone' '
	aipkg --yes rollback >out 2>err &&
	test_grep "^Downgraded *nginx *1.27.0-r0 -> 1.26.2-r0$" out &&
	test_grep "^Rolled back operation 2; this is operation 3" out &&
	same_as installed &&
	test_grep ! "aipkg-rollback" "$ROOT/etc/apk/world" &&
	test_grep ! "[<>=~]" "$ROOT/etc/apk/world" &&
	f=$(journal_newest) &&
	test_grep "^undoes: 2$" "$f" &&
	test_grep "^status: committed$" "$f"
'

test_expect_success 'history shows the operation as undone' '
	aipkg history >out &&
	test_grep "^ *2 .* undone by 3 " out &&
	aipkg --json history 2 >out &&
	test "$("$JSONQ" ".transactions[0].undone_by" <out)" = 3
'

test_expect_success 'an already undone operation is not rolled back twice' '
	test_expect_code 1 aipkg --yes rollback 2 >out 2>err &&
	test_grep "already undone by operation 3" err &&
	same_as installed
'

test_expect_success 'rolling back the rollback redoes the update' '
	aipkg --yes rollback >out 2>err &&
	test_grep "^Rolled back operation 3; this is operation 4" out &&
	same_as updated &&
	aipkg --json history 2 >out &&
	test_must_fail "$JSONQ" ".transactions[0].undone_by" <out
'

test_expect_success 'an older operation: refused while later ones touched its packages' '
	n=$(journal_count) &&
	test_expect_code 1 aipkg --yes rollback 1 >out 2>err &&
	test_grep "operation 2 (.*update.*) changed .*nginx" err &&
	test_grep "use --force" err &&
	same_as updated &&
	test "$(journal_count)" = "$n"
'

test_expect_success '--force undoes it anyway: nginx and curl are removed' '
	aipkg --yes rollback --force 1 >out 2>err &&
	test_grep "^Removed *nginx *1.27.0-r0$" out &&
	installed_list >x &&
	test_grep ! "^nginx-" x &&
	world_list >w &&
	test_must_fail test -s w
'

test_expect_success 'a rollback is itself rolled back: the packages return' '
	aipkg --yes rollback >out 2>err &&
	same_as updated
'

test_expect_success 'an unknown operation: an error, nothing changed' '
	test_expect_code 1 aipkg --yes rollback 999 >out 2>err &&
	test_grep "no operation 999 in the journal" err &&
	same_as updated &&
	test_expect_code 2 aipkg rollback abc 2>err
'

test_expect_success 'a failed operation cannot be rolled back' '
	mkdir -p broken/x86_64 &&
	cp "$REPO_B/x86_64/"* broken/x86_64/ &&
	rm broken/x86_64/htop-3.3.0-r0.apk &&
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/broken" &&
	test_must_fail aipkg --yes install htop >out 2>err &&
	id=$(sed -n "s/^id: //p" "$(journal_newest)") &&
	test_grep "^status: failed$" "$(journal_newest)" &&
	test_expect_code 1 aipkg --yes rollback "$id" >out 2>err &&
	test_grep "operation $id failed" err &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	installed_list >now.installed &&
	test_cmp updated.installed now.installed &&
	# apk wrote htop into the world file before it failed: take it out
	test_apk --root "$ROOT" --allow-untrusted del htop >out 2>err &&
	same_as updated
'

test_expect_success 'a missing kept file: the exact versions are named, nothing changes' '
	redo=$(sed -n "s/^id: //p" "$(grep -l "^undoes: 3$" $(journal_files))") &&
	rm "$ROOT/var/lib/aipkg/packages/nginx-1.26.2-r0.apk" \
	   "$ROOT/var/lib/aipkg/packages/zlib-1.3.1-r0.apk" &&
	n=$(journal_count) &&
	test_expect_code 1 aipkg --yes rollback "$redo" >out 2>err &&
	test_grep "cannot be restored" err &&
	test_grep "nginx 1.26.2-r0 (" err &&
	test_grep "zlib 1.3.1-r0 (" err &&
	test_grep ! "libssl3 3.3.1-r0" err &&
	test "$(journal_count)" = "$n" &&
	same_as updated
'

test_expect_success 'nothing to roll back: an empty journal says so' '
	mv "$ROOT/var/lib/aipkg/journal" journal.saved &&
	test_expect_code 1 aipkg --yes rollback >out 2>err &&
	test_grep "nothing to roll back" err &&
	mv journal.saved "$ROOT/var/lib/aipkg/journal"
'

test_expect_success 'the journal adds up to the installed database' '
	test_journal_matches_db
'

test_done
