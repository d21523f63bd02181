#!/bin/sh
# t0140: bad input gets a clear error and changes nothing.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='bad input: names, constraints, roots, apk commands, corrupt files, config'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

snapshot () {
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	cp "$ROOT/etc/apk/world" world.before
}

unchanged () {
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_cmp world.before "$ROOT/etc/apk/world"
}

test_expect_success 'setup' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg install htop &&
	snapshot
'

test_expect_success 'a name starting with - is never passed on' '
	test_expect_code 2 aipkg --yes install -- --force-broken-world 2>err &&
	test_grep "never start with" err &&
	test_expect_code 2 aipkg --yes install -- -x 2>err &&
	unchanged
'

test_expect_success 'shell metacharacters are not a name' '
	test_expect_code 2 aipkg --yes install "nginx;reboot" 2>err &&
	test_grep "not a valid package name" err &&
	test_expect_code 2 aipkg --yes install "\$(id)" 2>err &&
	unchanged
'

test_expect_success 'an invalid constraint is a usage error' '
	test_expect_code 2 aipkg --yes install "curl=1.0_foo" 2>err &&
	test_grep "curl=1.0_foo" err &&
	test_expect_code 2 aipkg --yes install "curl==" 2>err &&
	unchanged
'

test_expect_success 'a missing root is named' '
	test_expect_code 2 "$AIPKG" --root "$TRASH_DIRECTORY/nowhere" list 2>err &&
	test_grep "nowhere" err
'

test_expect_success 'a root that is a file is named' '
	: >afile &&
	test_expect_code 2 "$AIPKG" --root afile list 2>err &&
	test_grep "not a directory" err
'

test_expect_success 'an apk command that does not exist' '
	test_expect_code 1 env AIPKG_APK=/nonexistent/apk "$AIPKG" --root "$ROOT" --yes install curl 2>err &&
	test_grep "/nonexistent/apk" err &&
	test_grep "AIPKG_APK" err &&
	unchanged
'

test_expect_success 'a command that is not apk' '
	test_expect_code 1 env AIPKG_APK=true "$AIPKG" --root "$ROOT" --yes install curl 2>err &&
	test_grep "is not apk" err &&
	unchanged
'

# A damaged index is skipped with one warning; the other repositories
# still answer, as apk carries on with them.
test_expect_success 'a corrupt APKINDEX.tar.gz is named and skipped' '
	mkdir -p badrepo/x86_64 &&
	printf "\037\213garbage" >badrepo/x86_64/APKINDEX.tar.gz &&
	aipkg --repository "$TRASH_DIRECTORY/badrepo" search nginx >out 2>err &&
	test_grep "^nginx " out &&
	test_grep "badrepo/x86_64/APKINDEX.tar.gz: the index of repository .* is truncated or corrupt; skipped" err &&
	test "$(grep -c . err)" = 1
'

test_expect_success 'a truncated APKINDEX.tar.gz is named and skipped' '
	mkdir -p cutrepo/x86_64 &&
	head -c 100 "$REPO_A/x86_64/APKINDEX.tar.gz" >cutrepo/x86_64/APKINDEX.tar.gz &&
	aipkg --repository "$TRASH_DIRECTORY/cutrepo" search nginx >out 2>err &&
	test_grep "^nginx " out &&
	test_grep "cutrepo/x86_64/APKINDEX.tar.gz: .* truncated or corrupt" err
'

test_expect_success 'a corrupt installed database is named with its line' '
	cp -R "$ROOT" badroot &&
	printf "P:x\nV:1.0-r0\nthis is not a field\n" >>badroot/lib/apk/db/installed &&
	test_expect_code 1 "$AIPKG" --root badroot list 2>err &&
	test_grep "lib/apk/db/installed:[0-9]" err
'

test_expect_success 'a malformed config file: file, line and key' '
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "apk:\n  comand: apk\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	test_expect_code 2 aipkg list 2>err &&
	test_grep "aipkg.yaml:2: unknown key .apk.comand." err &&
	printf "apk:\n  wait: soon\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	test_expect_code 2 aipkg list 2>err &&
	test_grep "aipkg.yaml:2: .apk.wait. must be" err &&
	printf "apk: [unclosed\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	test_expect_code 2 aipkg list 2>err &&
	test_grep "aipkg.yaml:" err &&
	rm "$ROOT/etc/aipkg/aipkg.yaml"
'

test_expect_success 'a --config file that does not exist' '
	test_expect_code 2 aipkg --config nothere.yaml list 2>err &&
	test_grep "nothere.yaml" err
'

test_expect_success 'unknown options and commands are usage errors' '
	test_expect_code 2 aipkg --frobnicate list 2>err &&
	test_grep "unknown option .--frobnicate." err &&
	test_expect_code 2 aipkg frobnicate 2>err &&
	test_grep "unknown command .frobnicate." err &&
	test_expect_code 2 aipkg --root 2>err
'

test_expect_success 'nothing was changed by any of it' '
	unchanged
'

test_done
