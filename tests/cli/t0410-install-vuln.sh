#!/bin/sh
# t0410: the vulnerability check before installs, and info's vulnerabilities.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='install checks the versions apk plans against the cached secdb

repo-a (old versions) and repo-b (fixed versions) are both configured;
curl 8.9.0-r0 and openssl 3.3.1-r0 are known-vulnerable, 8.10.1-r0 and
3.3.2-r0 are not.  Without a severity source every severity is unknown,
which counts as reaching vuln.fail_on (default high).'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JSONQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

installed () {
	grep -q "^P:$1\$" "$ROOT/lib/apk/db/installed"
}

test_expect_success 'setup: a root on repo-a and repo-b, the secdb served' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" "$REPO_B" &&
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main \
		"openssl 3.3.2-r0=CVE-2024-6119 3.3.1-r1=CVE-2024-5535 0=CVE-2022-1343" \
		"zlib 1.3.1-r1=CVE-2023-45853" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community \
		"curl 8.10.0-r0=CVE-2024-8096,CVE-2024-7264" &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'no secdb cached: one warning, and the install goes on' '
	aipkg --json --yes install htop >out.json 2>err &&
	test "$(grep -c "no security database for v3.20 is cached" err)" = 1 &&
	test_grep "installing without a vulnerability check" err &&
	"$JSONQ" .vulnerabilities <out.json >actual &&
	echo null >expect &&
	test_cmp expect actual &&
	installed htop &&
	test "$(secdb_requests)" = 0
'

test_expect_success 'info without a cache: vulnerabilities unknown' '
	aipkg info htop >out &&
	test_grep "^vulnerable: *unknown (no security database cached" out &&
	aipkg --json info htop >out.json &&
	"$JSONQ" .vulnerabilities <out.json >actual &&
	echo null >expect &&
	test_cmp expect actual
'

test_expect_success 'check-vuln fills the cache' '
	aipkg check-vuln >out &&
	test_path_is_file "$ROOT/var/lib/aipkg/secdb/main.json"
'

test_expect_success 'a known-vulnerable version is refused (exit 3), nothing changes' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	test_expect_code 3 aipkg --yes install curl=8.9.0-r0 >out 2>err &&
	test_grep "refusing to install known-vulnerable versions (at or above vuln.fail_on .high.)" err &&
	test_grep "curl 8.9.0-r0: CVE-2024-7264, CVE-2024-8096 (fixed in 8.10.0-r0, available now)" err &&
	test_grep ! "libcurl" err &&
	test_grep "or use --force" err &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success '--json: the refusal carries the plan and the vulnerabilities' '
	test_expect_code 3 aipkg --json --yes install curl=8.9.0-r0 >out.json 2>err &&
	"$JSONQ" .error.code .error.exit ".changes#" ".vulnerabilities#" \
		".vulnerabilities[0].package" ".vulnerabilities[0].fixed_in" \
		".vulnerabilities[0].fix_available" ".vulnerabilities[0].installed" <out.json >actual &&
	printf "vulnerable\n3\n0\n2\ncurl\n8.10.0-r0\ntrue\nfalse\n" >expect &&
	test_cmp expect actual &&
	"$JSONQ" ".plan#" <out.json >actual &&
	test "$(cat actual)" -ge 2
'

test_expect_success '--dry-run says the same' '
	test_expect_code 3 aipkg --dry-run install curl=8.9.0-r0 2>err &&
	test_grep "refusing to install" err
'

test_expect_success 'the newest version installs cleanly' '
	aipkg --json --yes install curl >out.json 2>err &&
	test_grep ! "vulnerab" err &&
	"$JSONQ" .vulnerabilities <out.json >actual &&
	echo "[]" >expect &&
	test_cmp expect actual &&
	installed curl &&
	grep -A1 "^P:curl$" "$ROOT/lib/apk/db/installed" >curl.rec &&
	test_grep "^V:8.10.1-r0$" curl.rec
'

test_expect_success '--force installs a known-vulnerable version, with a warning' '
	aipkg --yes --json install --force libcrypto3=3.3.1-r0 >out.json 2>err &&
	test_grep "installing known-vulnerable versions (--force): libcrypto3 3.3.1-r0: CVE-2024-5535, CVE-2024-6119 (fixed in 3.3.2-r0, available now)" err &&
	"$JSONQ" ".vulnerabilities#" ".changes[0].name" <out.json >actual &&
	printf "2\nlibcrypto3\n" >expect &&
	test_cmp expect actual &&
	installed libcrypto3
'

test_expect_success 'the tool takes "force" too' '
	"$AIPKG" --root "$ROOT" --allow-untrusted tool pkg.install \
		"{\"packages\":[\"zlib=1.3.1-r0\"],\"confirm\":true}" >out.json 2>err;
	test $? = 3 &&
	"$AIPKG" --root "$ROOT" --allow-untrusted tool pkg.install \
		"{\"packages\":[\"zlib=1.3.1-r0\"],\"confirm\":true,\"force\":true}" >out.json 2>err &&
	installed zlib
'

test_expect_success 'info lists the known vulnerabilities of the version shown' '
	aipkg info libcrypto3 >out &&
	test_grep "^vulnerable: *CVE-2024-5535 (fixed in 3.3.1-r1, available, severity unknown)$" out &&
	test_grep "^ *CVE-2024-6119 (fixed in 3.3.2-r0, available, severity unknown)$" out &&
	aipkg --json info libcrypto3 >out.json &&
	"$JSONQ" ".vulnerabilities#" ".vulnerabilities[1].cve" ".vulnerabilities[1].installed" \
		<out.json >actual &&
	printf "2\nCVE-2024-6119\ntrue\n" >expect &&
	test_cmp expect actual &&
	aipkg info pcre2 >out &&
	test_grep "^vulnerable: *none known$" out
'

test_expect_success 'vuln.fail_on never: warn, but install' '
	secdb_config "$ROOT" "$SECDB_URL" "fail_on: never" &&
	aipkg --yes install libssl3=3.3.1-r0 >out 2>err &&
	test_grep "installing known-vulnerable versions: libssl3 3.3.1-r0" err &&
	installed libssl3
'

test_expect_success 'vuln.fail_on critical with severities: below it installs' '
	aipkg --yes remove curl libcurl >out 2>&1 &&
	echo "{\"CVE-2024-8096\": \"medium\", \"CVE-2024-7264\": 6.5}" >cvss.json &&
	secdb_config "$ROOT" "$SECDB_URL" "fail_on: critical" "severity: file://$TRASH_DIRECTORY/cvss.json" &&
	aipkg --yes --json install curl=8.9.0-r0 >out.json 2>err &&
	"$JSONQ" ".vulnerabilities[0].severity" <out.json >actual &&
	echo medium >expect &&
	test_cmp expect actual &&
	echo "{\"CVE-2024-8096\": \"critical\"}" >cvss.json &&
	aipkg --yes remove curl libcurl >out 2>&1 &&
	test_expect_code 3 aipkg --yes install curl=8.9.0-r0 2>err &&
	test_grep "vuln.fail_on .critical." err
'

test_expect_success 'a bad vuln.fail_on is a configuration error' '
	secdb_config "$ROOT" "$SECDB_URL" "fail_on: severe" &&
	test_expect_code 2 aipkg --yes install htop 2>err &&
	test_grep "aipkg.yaml:3: .vuln.fail_on. must be one of any|critical|high|medium|low|never" err &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_done
