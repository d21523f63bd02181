#!/bin/sh
# t0360: no journal, no change: a read-only or full state directory stops aipkg before apk runs.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='journal faults and kept files

When ROOT/var/lib/aipkg cannot be created, or the disk holding it is full,
a change is refused before apk runs and nothing changes.  With
journal.keep_packages_mb set to 0 nothing is kept, and a rollback that
needs an old version says exactly which versions it cannot restore.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
STATE=$ROOT/var/lib/aipkg

# A tiny tmpfs needs a mount namespace: root, or unprivileged user namespaces.
mkdir -p "$TRASH_DIRECTORY/probe"
if unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs "$1"' sh "$TRASH_DIRECTORY/probe" \
	>/dev/null 2>&1
then
	test_set_prereq TINYFS
fi

# full_disk_run DIR CMD...: CMD with a full 64 KiB tmpfs on DIR.
full_disk_run () {
	unshare -rm sh -c '
		mount -t tmpfs -o size=64k tmpfs "$1" || exit 125
		dd if=/dev/zero of="$1/filler" bs=1024 2>/dev/null
		shift
		exec "$@"' sh "$@"
}

test_expect_success 'setup: repositories A and B, an empty root' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A"
'

test_expect_success 'a state directory that cannot be created: refused before apk runs' '
	mkdir -p "$ROOT/var/lib" &&
	echo "not a directory" >"$STATE" &&
	installed_list >before &&
	test_expect_code 1 aipkg --yes install htop >out 2>err &&
	test_grep "cannot create $STATE" err &&
	test_grep "nothing was changed" err &&
	installed_list >after &&
	test_cmp before after &&
	rm "$STATE"
'

test_expect_success TINYFS 'a full disk: refused before apk runs, nothing changed' '
	mkdir -p "$STATE" &&
	installed_list >before &&
	world_list >world.before &&
	test_expect_code 1 full_disk_run "$STATE" "$AIPKG" --root "$ROOT" --allow-untrusted \
		--yes install htop >out 2>err &&
	test_grep "cannot write the journal entry .*No space left on device (the disk is full)" err &&
	test_grep "nothing was changed" err &&
	installed_list >after &&
	test_cmp before after &&
	world_list >world.after &&
	test_cmp world.before world.after
'

test_expect_success TINYFS 'a full disk: --json names the error' '
	test_expect_code 1 full_disk_run "$STATE" "$AIPKG" --root "$ROOT" --allow-untrusted \
		--yes --json install htop >out 2>err &&
	test "$("$TEST_TOOLS/jsonq" .error.code <out)" = nospace
'

test_expect_success 'with journal.keep_packages_mb: 0 nothing is kept' '
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "journal:\n  keep_packages_mb: 0\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	aipkg --yes install nginx >out 2>err &&
	test_must_fail ls "$STATE/packages/"*.apk 2>/dev/null &&
	test_grep ! "^kept:" "$(journal_newest)"
'

test_expect_success 'then a rollback past the repositories names what it cannot restore' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes update >out 2>err &&
	installed_list >before &&
	n=$(journal_count) &&
	test_expect_code 1 aipkg --yes rollback >out 2>err &&
	test_grep "these package versions cannot be restored" err &&
	test_grep "nginx 1.26.2-r0 (it was not kept)" err &&
	test_grep "zlib 1.3.1-r0 (it was not kept)" err &&
	installed_list >after &&
	test_cmp before after &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'while the old repository is configured, it restores from there' '
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_B" &&
	aipkg --yes rollback >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now &&
	test_grep "nginx=1.26.2-r0" "$(journal_newest)" &&
	world_list >w &&
	echo nginx >expect &&
	test_cmp expect w &&
	rm "$ROOT/etc/aipkg/aipkg.yaml"
'

test_expect_success 'an unknown configuration key under journal is an error' '
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "journal:\n  keep_packages: 5\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	test_expect_code 2 aipkg history 2>err &&
	test_grep "unknown key .journal.keep_packages." err &&
	rm "$ROOT/etc/aipkg/aipkg.yaml"
'

test_done
