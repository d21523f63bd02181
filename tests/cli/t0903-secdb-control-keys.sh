#!/bin/sh
# t0903: secdb keys with control characters never break the cache, and a cache aipkg wrote never fails open (issue 12.5).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='a secdb whose keys hold newlines and escapes

A fixed-version key with a newline passed the download checks, went
unescaped into the compiled index header, and the index then never
loaded: check-vuln exited 1 for ever and installs went on "without a
vulnerability check".  Such keys are skipped, named escaped; and a cache
aipkg wrote that cannot be read refuses installs (fail closed) instead of
skipping the check.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
CACHE=$ROOT/var/lib/aipkg/secdb
ESC=$(printf '\033')

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

test_expect_success 'setup: a secdb with a key holding a newline and a terminal escape' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main \
		"aaa-evil 1.0-r0\\nskipped+9+x\\n\\n\\u001b]0;owned\\u0007=CVE-2024-0001" \
		"curl 8.10.0-r0=CVE-2024-8096" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 9.0-r0=CVE-2024-0002" &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'check-vuln loads it, skipping the key, named escaped' '
	test_expect_code 0 aipkg check-vuln --refresh curl htop >out 2>err &&
	test_grep "fixed version that is not a valid apk version (aaa-evil 1.0-r0\\\\n" err &&
	test_grep ! "$ESC" err &&
	test "$(grep -c "" err)" = 1
'

test_expect_success 'and again from the cache it wrote' '
	aipkg check-vuln curl >out 2>err &&
	test_grep ! "not a usable\\|cannot be used" err &&
	head -n 4 "$CACHE/main.idx" >header &&
	test_grep "^skipped 1 aaa-evil 1.0-r0\\\\nskipped" header &&
	test "$(grep -c "" header)" = 4
'

test_expect_success 'an install of a known-vulnerable version is still refused' '
	test_expect_code 3 aipkg --yes install curl >out 2>err &&
	test_grep "refusing to install known-vulnerable versions" err &&
	test_grep ! "without a vulnerability check" err
'

test_expect_success 'a cache aipkg wrote that cannot be read refuses installs' '
	printf "garbage\n" >"$CACHE/main.idx" &&
	printf "{\"packages\":" >"$CACHE/main.json" &&
	test_expect_code 1 aipkg --yes install htop >out 2>err &&
	test_grep "security database cached in .*secdb.* cannot be used" err &&
	test_grep "check-vuln --refresh" err &&
	test_grep ! "installing without a vulnerability check" err &&
	test_grep ! "^P:htop" "$ROOT/lib/apk/db/installed"
'

test_expect_success 'unless --force, which says so' '
	aipkg --yes install --force htop >out 2>err &&
	test_grep "cannot be used.*installing without a vulnerability check (--force)" err &&
	test_grep "^P:htop" "$ROOT/lib/apk/db/installed"
'

test_expect_success 'check-vuln --refresh repairs it' '
	aipkg check-vuln --refresh curl >out 2>err &&
	aipkg --yes install bind-tools >out 2>err &&
	test_grep ! "cannot be used" err
'

test_expect_success 'cleanup' '
	secdb_stop
'

test_done
