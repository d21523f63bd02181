#!/bin/sh
# t0952: aipkg doctor on aipkg's own state: pending operations, kept files, caches, repositories, space, vulnerabilities.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg doctor: aipkg'"'"'s state, the caches, free space and known vulnerabilities

An operation a crash left pending, kept package files over their budget,
a stale index and security database, a repository that does not answer
(only with --refresh: no network otherwise), free space below what the
upgrades need, and vulnerabilities with a fix in the repositories; --fix
reconciles, trims and refreshes.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-doctor.sh
. "$TEST_SRC/cli/lib-doctor.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b

# config [YAML LINE...]: the secdb stub, then further top-level lines.
config () {
	secdb_config "$ROOT" "$SECDB_URL" &&
	for _c_line
	do
		printf '%s\n' "$_c_line" >>"$ROOT/etc/aipkg/aipkg.yaml"
	done
}

# pending_entry: a journal entry as a crash leaves it: pending, its aipkg gone.
pending_entry () {
	sh -c 'exit 0' &
	_pe_pid=$!
	wait "$_pe_pid"
	_pe_last=$(find "$ROOT/var/lib/aipkg/journal" -name "[0-9]*.txt" | sort | tail -n 1) &&
	_pe_id=$(($(sed -n "s/^id: //p" "$_pe_last") + 1)) &&
	printf 'id: %s\nstatus: pending\ntime: 2026-01-02T03:04:05Z\npid: %s\ncommand: aipkg install htop\nend\n' \
		"$_pe_id" "$_pe_pid" >"$(dirname "$_pe_last")/$(printf %08d "$_pe_id").txt"
}

test_expect_success 'setup: repositories A and B, nginx and curl from A, the secdb stub' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_A" huge 1.0-r0 -f "usr/share/huge/a=small\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx curl huge >/dev/null &&
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main "curl 8.10.1-r0=CVE-2024-1111" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community &&
	config &&
	aipkg --json doctor >doc.json &&
	test "$("$JSONQ" healthy <doc.json)" = true
'

test_expect_success 'an operation a crash left pending: the fix is aipkg recover' '
	pending_entry &&
	test_expect_code 1 aipkg --json doctor >doc.json 2>err &&
	doctor_checks doc.json >checks &&
	test_grep "^journal error: operation $_pe_id (.aipkg install htop.) was interrupted and is still pending" checks &&
	test "$(doctor_fix_of doc.json journal)" = "aipkg recover" &&
	aipkg --yes doctor --fix >out &&
	test_grep "^Reconciled interrupted operation $_pe_id with the installed database: [a-z]*$" out &&
	aipkg doctor >/dev/null
'

test_expect_success 'kept package files over journal.keep_packages_mb are trimmed, oldest first' '
	config "journal:" "  keep_packages_mb: 1" &&
	head -c 2097152 /dev/zero >"$ROOT/var/lib/aipkg/packages/old-1.0-r0.apk" &&
	touch -t 202001010000 "$ROOT/var/lib/aipkg/packages/old-1.0-r0.apk" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^kept warning: the kept package files take 2.[0-9] MiB, over journal.keep_packages_mb (1 MiB)" checks &&
	aipkg --yes doctor --fix >out &&
	test_grep "^  trim the kept package files to journal.keep_packages_mb" out &&
	test_path_is_missing "$ROOT/var/lib/aipkg/packages/old-1.0-r0.apk" &&
	test_path_is_file "$ROOT/var/lib/aipkg/packages/nginx-1.26.2-r0.apk" &&
	config
'

test_expect_success 'a repository with no index, and one that does not answer (--refresh only)' '
	fixture_use_repos "$ROOT" "$REPO_A" http://127.0.0.1:1/nothing &&
	test_expect_code 1 aipkg --json doctor >doc.json 2>err &&
	doctor_checks doc.json >checks &&
	test_grep "^indexes warning: no usable index for the repository http://127.0.0.1:1/nothing" checks &&
	test_grep ! "does not answer" checks &&
	test_expect_code 1 aipkg --json doctor --refresh >doc.json 2>err &&
	doctor_checks doc.json >checks &&
	test_grep "^indexes error: the repository http://127.0.0.1:1/nothing does not answer" checks &&
	fixture_use_repos "$ROOT" "$REPO_A"
'

test_expect_success 'a cached index older than doctor.index_max_age' '
	cp -R "$REPO_B" "$SECDB_DIR/repo-b" &&
	fixture_use_repos "$ROOT" "${SECDB_URL}repo-b" &&
	test_apk --root "$ROOT" --allow-untrusted update >/dev/null 2>&1 &&
	{ aipkg --json doctor >doc.json || :; } &&
	doctor_checks doc.json >checks &&
	test_grep ! "^indexes" checks &&
	touch -t 202001010000 "$ROOT"/var/cache/apk/APKINDEX.*.tar.gz &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^indexes warning: the cached index of ${SECDB_URL}repo-b is [0-9]* days old" checks &&
	test "$(doctor_fix_of doc.json indexes)" = "aipkg update" &&
	test_expect_code 1 aipkg --yes doctor --fix >out &&
	test_grep "^  huge 1.0-r0 is in no configured repository: " out &&
	test_grep "^  refresh the repository indexes" out &&
	{ aipkg --json doctor >doc.json || :; } &&
	doctor_checks doc.json >checks &&
	test_grep ! "^indexes" checks
'

test_expect_success 'vulnerabilities with a fix in the repositories: one line pointing at check-vuln' '
	{ aipkg check-vuln >/dev/null || :; } &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^vulnerabilities warning: 2 known vulnerabilities in 2 installed packages have a fix in the repositories" checks &&
	test "$(doctor_fix_of doc.json vulnerabilities)" = "aipkg check-vuln"
'

test_expect_success 'a security database older than vuln.max_age' '
	config "vuln:" &&
	secdb_config "$ROOT" "$SECDB_URL" "max_age: 1" &&
	sleep 2 &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^secdb warning: the security database is [0-9]* seconds\{0,1\} old" checks &&
	test "$(doctor_fix_of doc.json secdb)" = "aipkg check-vuln --refresh" &&
	test_expect_code 1 aipkg --yes doctor --fix >out &&
	test_grep "^  refresh the security database" out &&
	test_grep "^Not repaired:" out &&
	test_grep "doctor repairs, it does not upgrade" out &&
	config
'

test_expect_success 'free space below what the upgrades need' '
	mkrepo_pkg "$SECDB_DIR/repo-b" huge 1.0-r1 -f "usr/share/huge/a=small\n" \
		-S 1000000000000000000 &&
	"$TEST_TOOLS/mkrepo" index "$SECDB_DIR/repo-b/$FIXTURE_ARCH" -d repo-b &&
	test_apk --root "$ROOT" --allow-untrusted update >/dev/null 2>&1 &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^space error: [0-9.]* MiB free on the root, but the [0-9]* upgradable packages need [0-9.]* MiB" checks
'

test_done
