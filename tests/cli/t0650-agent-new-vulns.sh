#!/bin/sh
# t0650: aipkg agent run reports the vulnerabilities that are new since the last run, and only those.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: the first run reports every vulnerability, later runs only new ones, cron stays quiet'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JQ=$TEST_TOOLS/jsonq
MAIN=$SECDB_DIR/v3.20/main.json

# new_ids: the ids of the newest report's new vulnerabilities, sorted.
new_ids () {
	_ni_report=$(agent_last_report) &&
	_ni_n=$("$JQ" "new_vulnerabilities#" <"$_ni_report") &&
	_ni_i=0 &&
	while test "$_ni_i" -lt "$_ni_n"
	do
		"$JQ" "new_vulnerabilities[$_ni_i].id" <"$_ni_report" || return 1
		_ni_i=$((_ni_i + 1))
	done | sort
}

test_expect_success 'setup: repo A installed and nothing to upgrade, two vulnerabilities known' '
	agent_fixtures &&
	agent_root &&
	fixture_use_repos "$ROOT" "$REPO_A" &&
	secdb_stub &&
	secdb_file "$MAIN" main "zlib 1.3.2-r0=CVE-2024-1000" "curl 8.99.0-r0=CVE-2024-2000" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 2.0-r0=CVE-2019-9999" &&
	agent_config
'

test_expect_success 'the first run reports every vulnerability as new' '
	aipkg agent run >out 2>err &&
	test_grep "^New vulnerabilities since the last run:" out &&
	test_grep "^  zlib 1.3.1-r0 CVE-2024-1000 (fixed in 1.3.2-r0)" out &&
	test_grep "^  curl 8.9.0-r0 CVE-2024-2000 (fixed in 8.99.0-r0)" out &&
	test_grep ! "CVE-2019-9999" out &&
	new_ids >actual &&
	printf "CVE-2024-1000\nCVE-2024-2000\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a second run with nothing new is quiet, and remembers both' '
	aipkg agent run >out 2>err &&
	test_must_be_empty out &&
	new_ids >actual &&
	test_must_be_empty actual &&
	report=$(agent_last_report) &&
	"$JQ" "vulnerabilities#" attention <"$report" >actual &&
	printf "2\nfalse\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a new secdb entry: the next run reports only that one' '
	secdb_file "$MAIN" main "zlib 1.3.2-r0=CVE-2024-1000" "curl 8.99.0-r0=CVE-2024-2000" \
		"nginx 1.30.0-r0=CVE-2024-3000" &&
	aipkg agent run >out 2>err &&
	test_grep "^  nginx 1.26.2-r0 CVE-2024-3000 (fixed in 1.30.0-r0)" out &&
	test_grep ! "CVE-2024-1000" out &&
	test_grep ! "CVE-2024-2000" out &&
	new_ids >actual &&
	echo CVE-2024-3000 >expect &&
	test_cmp expect actual
'

test_expect_success 'and the run after that is quiet again' '
	aipkg agent run >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'a second id for a package already listed is new' '
	secdb_file "$MAIN" main "zlib 1.3.2-r0=CVE-2024-1000,CVE-2024-1001" \
		"curl 8.99.0-r0=CVE-2024-2000" "nginx 1.30.0-r0=CVE-2024-3000" &&
	aipkg agent run >out 2>err &&
	new_ids >actual &&
	echo CVE-2024-1001 >expect &&
	test_cmp expect actual
'

test_expect_success 'secdb unreachable: the cache is used, the report says so, nothing is new' '
	secdb_fault v3.20/main 500 &&
	secdb_fault v3.20/community 500 &&
	aipkg -v agent run >out 2>err &&
	test_grep "^Security database: v3.20, .*(offline: could not refresh it, used the cache)" out &&
	test_grep ! "^New vulnerabilities" out &&
	report=$(agent_last_report) &&
	"$JQ" secdb.offline "vulnerabilities#" <"$report" >actual &&
	printf "true\n4\n" >expect &&
	test_cmp expect actual &&
	secdb_heal v3.20/main &&
	secdb_heal v3.20/community
'

test_done
