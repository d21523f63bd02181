#!/bin/sh
# t0320: aipkg lock and unlock hold packages with apk's own world constraint.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg lock, unlock, list --locked, and update skipping locked packages

A lock is the world entry NAME=VERSION, so aipkg update and a plain
apk upgrade both keep the package; unlock lets it move again.  Both are
journalled and can be rolled back.'

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

test_expect_success 'setup: nginx and curl from A' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install nginx curl >out 2>err
'

test_expect_success 'lock puts NAME=VERSION into the world file, journalled' '
	aipkg lock nginx >out 2>err &&
	test_grep "^Locked nginx at 1.26.2-r0" out &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world" &&
	f=$(journal_newest) &&
	test_grep "^status: committed$" "$f" &&
	test_grep "^world-before: curl nginx$" "$f" &&
	test_grep "^world-after: curl nginx=1.26.2-r0$" "$f" &&
	test_grep "^apk: .* add -- nginx=1.26.2-r0$" "$f"
'

test_expect_success 'locking again changes nothing and is not journalled' '
	n=$(journal_count) &&
	aipkg lock nginx >out 2>err &&
	test_grep "already locked at 1.26.2-r0" out &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'a dependency can be locked too' '
	aipkg lock libcrypto3 >out 2>err &&
	test_grep "^libcrypto3=3.3.1-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'list --locked, list and info show the locks' '
	aipkg -q list --locked >actual &&
	printf "libcrypto3\nnginx\n" >expect &&
	test_cmp expect actual &&
	aipkg --json list >out &&
	test "$("$JSONQ" ".packages[4].name" ".packages[4].locked" <out | tr "\n" " ")" = "nginx true " &&
	test "$("$JSONQ" ".packages[0].name" ".packages[0].locked" <out | tr "\n" " ")" = "curl false " &&
	aipkg info nginx >out 2>err &&
	test_grep "^locked: *nginx=1.26.2-r0$" out &&
	aipkg --json info curl >out 2>err &&
	test "$("$JSONQ" .locked <out)" = false
'

test_expect_success 'update keeps the locked packages and says which it skipped' '
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_B" &&
	aipkg --yes update >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now &&
	test_grep "^libcrypto3-3.3.1-r0$" now &&
	test_grep "^curl-8.10.1-r0$" now &&
	test_grep "^Kept locked *nginx *1.26.2-r0 (1.27.0-r0 available" out &&
	aipkg --yes --json update >out 2>err &&
	test "$("$JSONQ" ".skipped_locked#" <out)" = 2 &&
	test "$("$JSONQ" ".skipped_locked[1].name" ".skipped_locked[1].available" <out | tr "\n" " ")" = \
		"nginx 1.27.0-r0 "
'

test_expect_success 'list --locked shows the version each lock holds back' '
	aipkg list --locked >out 2>err &&
	test_grep "^nginx=1.26.2-r0 *1.26.2-r0 *\[locked\] *1.27.0-r0 available, held back$" out &&
	test_grep "^libcrypto3=3.3.1-r0 *3.3.1-r0 *\[locked\] *3.3.2-r0 available, held back$" out
'

test_expect_success 'a plain apk upgrade keeps them too' '
	test_apk --root "$ROOT" --allow-untrusted upgrade >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now &&
	test_grep "^libcrypto3-3.3.1-r0$" now
'

test_expect_success 'unlock releases nginx; update then upgrades it' '
	aipkg --yes unlock nginx >out 2>err &&
	test_grep "^Unlocked nginx" out &&
	test_grep "^nginx$" "$ROOT/etc/apk/world" &&
	test_grep "^status: committed$" "$(journal_newest)" &&
	aipkg --yes update >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.27.0-r0$" now
'

test_expect_success 'unlocking a dependency takes it out of the world file' '
	aipkg --yes unlock libcrypto3 >out 2>err &&
	test_grep ! "libcrypto3" "$ROOT/etc/apk/world" &&
	installed_list >now &&
	test_grep "^libcrypto3-" now
'

test_expect_success 'unlocking what is not locked changes nothing' '
	n=$(journal_count) &&
	aipkg unlock curl >out 2>err &&
	test_grep "curl was not locked" out &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'only installed packages can be locked' '
	test_expect_code 1 aipkg lock htop 2>err &&
	test_grep "not installed" err &&
	test_expect_code 2 aipkg lock "nginx=1.0" 2>err &&
	test_expect_code 2 aipkg lock 2>err
'

test_expect_success 'lock takes several packages, in one journalled operation' '
	n=$(journal_count) &&
	aipkg lock nginx curl zlib >out 2>err &&
	test_grep "^Locked nginx at 1.27.0-r0, curl at 8.10.1-r0, zlib at 1.3.1-r1: the world file now holds nginx=1.27.0-r0 curl=8.10.1-r0 zlib=1.3.1-r1," out &&
	test "$(journal_count)" = $((n + 1)) &&
	world_list >actual &&
	printf "curl=8.10.1-r0\nnginx=1.27.0-r0\nzlib=1.3.1-r1\n" >expect &&
	test_cmp expect actual &&
	test_grep "^apk: .* add -- nginx=1.27.0-r0 curl=8.10.1-r0 zlib=1.3.1-r1$" "$(journal_newest)"
'

test_expect_success 'locking several that are locked already changes nothing' '
	n=$(journal_count) &&
	aipkg --json lock nginx zlib >out 2>err &&
	test "$("$JSONQ" unchanged "packages#" "packages[0].unchanged" "packages[1].constraint" <out | tr "\n" " ")" = \
		"true 2 true zlib=1.3.1-r1 " &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'one name that is not installed stops them all' '
	cp "$ROOT/etc/apk/world" world.before &&
	n=$(journal_count) &&
	test_expect_code 1 aipkg unlock nginx htop 2>err &&
	test_grep "htop. is not installed" err &&
	test_cmp world.before "$ROOT/etc/apk/world" &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'unlock takes several: named ones stay in world, dependencies leave it' '
	n=$(journal_count) &&
	aipkg --yes unlock nginx zlib curl >out 2>err &&
	test "$(journal_count)" = $((n + 1)) &&
	test_grep "^Unlocked nginx, zlib, curl: .aipkg update. may upgrade them again.$" out &&
	world_list >actual &&
	printf "curl\nnginx\n" >expect &&
	test_cmp expect actual &&
	installed_list >now &&
	test_grep "^zlib-1.3.1-r1$" now
'

test_expect_success 'a lock is rolled back like any change' '
	aipkg lock curl >out 2>err &&
	test_grep "^curl=8.10.1-r0$" "$ROOT/etc/apk/world" &&
	aipkg --yes rollback >out 2>err &&
	test_grep "^curl$" "$ROOT/etc/apk/world" &&
	test_grep ! "curl=" "$ROOT/etc/apk/world"
'

test_expect_success 'the journal adds up to the installed database' '
	test_journal_matches_db
'

test_done
