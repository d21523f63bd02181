#!/bin/sh
# t0400: aipkg check-vuln against generated secdb files served on loopback.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg check-vuln: matching by origin, the table, --json, --fail-on

The root has the packages of repo-a installed (nginx, openssl 3.3.1-r0 as
libcrypto3 and libssl3, curl 8.9.0-r0, busybox) and repo-b configured,
which holds the fixed versions.  The secdb files are generated here and
served by httpstub.'

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

# The secdb of the fixtures' branch, v3.20: openssl, zlib, nginx and curl
# have fixes in repo-b; busybox's only entry never affected Alpine ("0");
# two fixed versions are typos invalid to apk 2 and 3 alike, shaped as in
# the real data (python2 2.7.16-33, xen 4.10-1-r1).
write_secdb () {
	secdb_file "$SECDB_DIR/v3.20/main.json" main \
		"openssl 3.3.2-r0=CVE-2024-6119 3.3.1-r1=CVE-2024-5535+TALOS-2024-0001,CVE-2024-4741 0=CVE-2022-1343" \
		"zlib 1.3.1-r1=CVE-2023-45853" \
		"nginx 1.27.0-r0=CVE-2024-7347" \
		"busybox 0=CVE-2021-42373" \
		"mariadb 10.2.24-33=CVE-2019-2614 10.3.1-r0=CVE-2019-2627" \
		"py3-django 4.10-1-r1=CVE-2019-0001" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community \
		"curl 8.10.0-r0=CVE-2024-8096,CVE_2024-7264" \
		"htop 2.0-r0=CVE-2019-9999"
}

test_expect_success 'setup: repo-a installed, repo-b configured, secdb served' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	test_apk --root "$ROOT" --allow-untrusted add nginx curl busybox >out &&
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_B" &&
	secdb_stub &&
	write_secdb &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'no cache and no server: an error, never "no vulnerabilities"' '
	secdb_config "$ROOT" "http://127.0.0.1:1/" &&
	test_expect_code 1 aipkg check-vuln >out 2>err &&
	test_grep "cannot download the security database" err &&
	test_grep "nothing was checked" err &&
	test_grep ! "No known" out &&
	test_expect_code 1 aipkg --json check-vuln >out.json 2>err &&
	"$JSONQ" .error.code .error.exit <out.json >actual &&
	printf "network\n1\n" >expect &&
	test_cmp expect actual &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'an unknown branch is a clear error' '
	echo 3.99.0 >"$ROOT/etc/alpine-release" &&
	test_expect_code 1 aipkg check-vuln 2>err &&
	test_grep "no security database for branch .v3.99." err &&
	echo 3.20.3 >"$ROOT/etc/alpine-release"
'

test_expect_success 'the table: by package, through the origin, with the fixes' '
	aipkg check-vuln >out 2>err &&
	test_grep "^PACKAGE  *VERSION  *ORIGIN  *CVE  *FIXED IN  *FIX  *SEVERITY$" out &&
	test_grep "^libcrypto3  *3.3.1-r0  *openssl  *CVE-2024-4741  *3.3.1-r1  *yes  *unknown$" out &&
	test_grep "^  *CVE-2024-5535  *3.3.1-r1  *yes  *unknown$" out &&
	test_grep "^  *CVE-2024-6119  *3.3.2-r0  *yes  *unknown$" out &&
	test_grep "^libssl3  *3.3.1-r0  *openssl " out &&
	test_grep "^nginx  *1.26.2-r0  *nginx  *CVE-2024-7347  *1.27.0-r0  *yes" out &&
	test_grep "^zlib  *1.3.1-r0  *zlib  *CVE-2023-45853  *1.3.1-r1  *yes" out &&
	test_grep "^curl  *8.9.0-r0  *curl  *CVE-2024-7264  *8.10.0-r0  *yes" out &&
	test_grep "^libcurl  *8.9.0-r0  *curl " out &&
	test_grep "Fixed versions are available now: aipkg update curl libcrypto3 libcurl libssl3 nginx zlib" out &&
	test_grep "Severity: unknown" out &&
	test_grep "Security database: v3.20 from $SECDB_URL" out
'

test_expect_success 'never affected ("0") and clean packages are not reported' '
	aipkg check-vuln >out &&
	test_grep ! "CVE-2022-1343" out &&
	test_grep ! "CVE-2021-42373" out &&
	test_grep ! "^busybox" out &&
	test_grep ! "^pcre2" out
'

test_expect_success 'invalid fixed versions are skipped, counted and reported once' '
	aipkg check-vuln >out 2>err &&
	test_grep "2 fixed versions that are not valid apk versions (the first: mariadb 10.2.24-33)" err &&
	test "$(grep -c "not valid apk versions" err)" = 1 &&
	aipkg --json check-vuln >out.json 2>/dev/null &&
	"$JSONQ" .skipped_invalid <out.json >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success '--json: the documented shape' '
	aipkg --json check-vuln >out.json 2>err &&
	"$JSONQ" ".vulnerabilities#" .scanned .secdb.branch .secdb.source .secdb.offline \
		.severity_source .fail_on .failing <out.json >actual &&
	printf "12\n8\nv3.20\n%sv3.20/\nfalse\nnull\nnull\n0\n" "$SECDB_URL" >expect &&
	test_cmp expect actual &&
	"$JSONQ" ".vulnerabilities[0]" <out.json >actual &&
	echo "{\"package\":\"curl\",\"version\":\"8.9.0-r0\",\"origin\":\"curl\",\"cve\":\"CVE-2024-7264\",\"fixed_in\":\"8.10.0-r0\",\"fix_available\":true,\"severity\":\"unknown\",\"installed\":true,\"locked\":false}" >expect &&
	test_cmp expect actual &&
	"$JSONQ" .secdb.fetched_at <out.json >actual &&
	test_grep "^20[0-9-]*T[0-9:]*Z$" actual
'

test_expect_success 'a locked package: unlock it first, not a plain update' '
	aipkg --yes lock curl >out 2>err &&
	aipkg check-vuln >out 2>err &&
	test_grep "^Fixed versions are available now: aipkg update libcrypto3 libcurl libssl3 nginx zlib$" out &&
	test_grep "^curl is locked (curl=8.9.0-r0): .aipkg unlock curl. first, then .aipkg update curl.$" out &&
	aipkg --json check-vuln curl >out.json 2>err &&
	"$JSONQ" ".vulnerabilities[0].locked" ".vulnerabilities[0].lock" <out.json >actual &&
	printf "true\ncurl=8.9.0-r0\n" >expect &&
	test_cmp expect actual &&
	aipkg --yes unlock curl >out 2>err &&
	aipkg check-vuln >out 2>err &&
	test_grep ! "is locked" out
'

test_expect_success 'named packages only; an available one by its newest version' '
	aipkg --json check-vuln curl htop >out.json &&
	"$JSONQ" ".vulnerabilities#" .scanned ".vulnerabilities[0].package" \
		".vulnerabilities[1].cve" <out.json >actual &&
	printf "2\n2\ncurl\nCVE-2024-8096\n" >expect &&
	test_cmp expect actual &&
	test_expect_code 1 aipkg check-vuln nginxx 2>err &&
	test_grep "no package .nginxx. is installed or available; did you mean nginx" err &&
	test_expect_code 2 aipkg check-vuln "-x" 2>err
'

test_expect_success '--fail-on any exits 3 on findings, 0 without' '
	test_expect_code 3 aipkg check-vuln --fail-on any >out 2>err &&
	test_grep "12 vulnerabilities at or above --fail-on any" err &&
	aipkg check-vuln --fail-on any busybox pcre2 >out 2>err &&
	test_grep "No known vulnerabilities in 2 packages" out &&
	test_expect_code 3 aipkg --json check-vuln --fail-on any >out.json &&
	"$JSONQ" .failing .fail_on <out.json >actual &&
	printf "12\nany\n" >expect &&
	test_cmp expect actual &&
	test_expect_code 2 aipkg check-vuln --fail-on severe 2>err &&
	test_grep "fail-on takes any, critical, high, medium or low" err
'

test_expect_success '--fail-on high without a severity source: unknown counts, and says so' '
	test_expect_code 3 aipkg check-vuln --fail-on high >out 2>err &&
	test_grep "no severity source is configured (vuln.severity)" err
'

test_expect_success 'vuln.severity from a local file decides --fail-on levels' '
	cat >cvss.json <<-\EOF &&
	{"CVE-2024-6119": "high", "CVE-2024-5535": {"severity": "LOW"},
	 "CVE-2024-4741": 9.8, "CVE-2024-7347": "medium", "CVE-2023-45853": "critical",
	 "CVE-2024-7264": "low", "CVE-2024-8096": "medium"}
	EOF
	secdb_config "$ROOT" "$SECDB_URL" "severity: $TRASH_DIRECTORY/cvss.json" &&
	aipkg check-vuln >out 2>err &&
	test_grep "^libcrypto3 .* CVE-2024-4741 .* critical$" out &&
	test_grep ! "Severity: unknown" out &&
	test_expect_code 3 aipkg --json check-vuln --fail-on critical >out.json &&
	"$JSONQ" .failing <out.json >actual &&
	echo 3 >expect &&
	test_cmp expect actual &&
	aipkg check-vuln --fail-on critical curl &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'a fresh cache is used without asking the server' '
	before=$(secdb_requests) &&
	aipkg check-vuln >out &&
	test "$(secdb_requests)" = "$before"
'

test_expect_success 'an old cache is revalidated: 304 Not Modified' '
	secdb_config "$ROOT" "$SECDB_URL" "max_age: 0" &&
	aipkg check-vuln >out 2>err &&
	tail -n 2 "$SECDB_LOG" >log &&
	test_grep "^GET /ok/v3.20/main.json inm=\"[0-9a-f-]*\" .* -> 304$" log &&
	test_grep "^GET /ok/v3.20/community.json inm=\"[0-9a-f-]*\" .* -> 304$" log &&
	test_grep "CVE-2024-6119" out &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'a changed secdb is downloaded again (200)' '
	secdb_config "$ROOT" "$SECDB_URL" "max_age: 0" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "curl 8.10.0-r0=CVE-2024-8096" &&
	aipkg check-vuln curl >out &&
	tail -n 1 "$SECDB_LOG" >log &&
	test_grep "community.json inm=\"[0-9a-f-]*\" .* -> 200$" log &&
	test_grep ! CVE-2024-7264 out &&
	write_secdb &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success '--refresh downloads without a conditional request' '
	aipkg check-vuln --refresh >out &&
	tail -n 2 "$SECDB_LOG" >log &&
	test_grep "^GET /ok/v3.20/main.json inm=- ims=- -> 200$" log &&
	test_grep "^GET /ok/v3.20/community.json inm=- ims=- -> 200$" log &&
	test_grep CVE-2024-7264 out
'

test_expect_success 'a failing server: the cache is used, and its age said' '
	cp "$ROOT/var/lib/aipkg/secdb/main.json" main.before &&
	for fault in 500 404 garbage half short loop
	do
		secdb_fault v3.20/main "$fault" &&
		aipkg --json check-vuln --refresh >out.json 2>err &&
		test_grep "could not refresh the security database: .*; using the copy cached on .* (.* old)" err &&
		"$JSONQ" .secdb.offline ".vulnerabilities#" <out.json >actual &&
		printf "true\n12\n" >expect &&
		test_cmp expect actual &&
		test_cmp main.before "$ROOT/var/lib/aipkg/secdb/main.json" || return 1
	done &&
	secdb_heal v3.20/main
'

test_expect_success 'a slow server times out (vuln.timeout) and the cache is used' '
	secdb_config "$ROOT" "$SECDB_URL" "timeout: 1" &&
	secdb_fault v3.20/main "slow 4" &&
	aipkg check-vuln --refresh >out 2>err &&
	test_grep "timed out" err &&
	test_grep "could not refresh it" out &&
	secdb_heal v3.20/main &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'repositories on another branch win, with a warning' '
	mkdir -p "$SECDB_DIR/v3.19" &&
	secdb_file "$SECDB_DIR/v3.19/main.json" main "nginx 1.26.3-r0=CVE-2019-0001" &&
	secdb_file "$SECDB_DIR/v3.19/community.json" community &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	cp "$ROOT/etc/apk/repositories" repositories.saved &&
	echo "https://dl-cdn.alpinelinux.org/alpine/v3.19/main" >>"$ROOT/etc/apk/repositories" &&
	aipkg --json check-vuln nginx >out.json 2>err &&
	test_grep "etc/apk/repositories points at v3.19 but etc/alpine-release says 3.20.3" err &&
	"$JSONQ" .secdb.branch ".vulnerabilities[0].cve" <out.json >actual &&
	printf "v3.19\nCVE-2019-0001\n" >expect &&
	test_cmp expect actual &&
	cp repositories.saved "$ROOT/etc/apk/repositories"
'

test_expect_success 'edge: from an edge alpine-release' '
	mkdir -p "$SECDB_DIR/edge" &&
	secdb_file "$SECDB_DIR/edge/main.json" main "zlib 1.3.2-r0=CVE-2099-0001" &&
	secdb_file "$SECDB_DIR/edge/community.json" community &&
	echo 3.21_alpha20240807 >"$ROOT/etc/alpine-release" &&
	aipkg --json check-vuln zlib >out.json &&
	"$JSONQ" .secdb.branch ".vulnerabilities[0].cve" <out.json >actual &&
	printf "edge\nCVE-2099-0001\n" >expect &&
	test_cmp expect actual &&
	echo 3.20.3 >"$ROOT/etc/alpine-release"
'

test_expect_success 'the secdb may come from a file:// URL' '
	secdb_config "$ROOT" "file://$SECDB_DIR" &&
	aipkg --json check-vuln libcrypto3 >out.json &&
	"$JSONQ" ".vulnerabilities#" <out.json >actual &&
	echo 3 >expect &&
	test_cmp expect actual &&
	secdb_config "$ROOT" "$SECDB_URL"
'

test_expect_success 'the tool answers the same' '
	"$AIPKG" --root "$ROOT" tool pkg.check_vuln "{\"packages\":[\"zlib\"],\"fail_on\":\"any\"}" >out.json &&
	"$JSONQ" ".vulnerabilities[0].cve" .failing <out.json >actual &&
	printf "CVE-2023-45853\n1\n" >expect &&
	test_cmp expect actual &&
	test_expect_code 2 "$AIPKG" --root "$ROOT" tool pkg.check_vuln "{\"fail_on\":\"severe\"}" >out.json
'

test_expect_success 'offline (the server is gone): the cache is used' '
	secdb_stop &&
	aipkg check-vuln --refresh >out 2>err &&
	test_grep "could not refresh the security database: http://127.0.0.1:$SECDB_PORT/ok/v3.20/main.json: " err &&
	test_grep "(.* old)" err &&
	test_grep "CVE-2024-6119" out &&
	test_grep "could not refresh it" out
'

test_done
