#!/bin/sh
# t0690: agent.max_packages: only so many upgrades per run, the rest wait for the next.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: at most agent.max_packages upgrades a run; a failed trial does not use the turn'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JQ=$TEST_TOOLS/jsonq
LIMIT='agent.max_packages (1) reached in this run'

# The upgrades policy lets through: zlib (apply), then curl, lighttpd and
# nginx (sandbox; nginx's check always fails).

# summary: applied and deferred of the newest report.
summary () {
	_s_report=$(agent_last_report) &&
	"$JQ" summary.applied summary.deferred <"$_s_report"
}

test_expect_success 'setup: four upgrades policy lets through, one a run' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	agent_config "max_packages: 1" &&
	journal_count >journal.before
'

test_expect_success 'update --plan: the low one first, the others wait' '
	{ aipkg check-vuln >/dev/null || test $? -eq 3; } &&
	aipkg update --plan >plan &&
	test_grep "^zlib .*apply" plan &&
	for p in curl lighttpd nginx
	do
		test_grep "^$p .*defer .*agent.max_packages (1)" plan || return 1
	done
'

test_expect_success 'the first run upgrades one, the low risk, and the rest wait' '
	aipkg agent run >out 2>err &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test "$(version_of curl)" = 8.9.0-r0 &&
	test "$(version_of lighttpd)" = 1.4.76-r0 &&
	summary >actual && printf "1\n4\n" >expect && test_cmp expect actual &&
	test "$(grep -c "$LIMIT" out)" -eq 3 &&
	test "$(($(journal_count) - $(cat journal.before)))" -eq 1 &&
	aipkg agent status >status &&
	test_grep "^curl  *8.9.0-r0  *8.10.1-r0  *medium .*$LIMIT" status
'

test_expect_success 'a trial that fails gives its turn to the next one waiting' '
	agent_config "  curl: \"exit 1\"" "max_packages: 1" &&
	aipkg agent run >out 2>err &&
	test_grep "^  curl 8.9.0-r0 -> 8.10.1-r0: .*sandbox trial failed: the check .exit 1. failed" out &&
	test "$(version_of curl)" = 8.9.0-r0 &&
	test "$(version_of lighttpd)" = 1.4.76-r1 &&
	test_grep "^  nginx .*$LIMIT" out &&
	summary >actual && printf "1\n3\n" >expect && test_cmp expect actual
'

test_expect_success 'with every trial failing nothing waits for the limit' '
	aipkg -v agent run >out 2>err &&
	test_grep "^  curl .*sandbox trial failed" out &&
	test_grep "^  nginx .*sandbox trial failed" out &&
	test_grep ! "$LIMIT" out &&
	summary >actual && printf "0\n3\n" >expect && test_cmp expect actual
'

test_expect_success 'once the trial passes the limit holds the rest back again' '
	agent_config "max_packages: 1" &&
	aipkg agent run >out 2>err &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test_grep "^  nginx .*$LIMIT" out &&
	test_journal_matches_db
'

test_expect_success 'a limit above the count holds nothing back' '
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install $AGENT_PKGS >/dev/null &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	agent_config "max_packages: 10" &&
	aipkg agent run >out 2>err &&
	test_grep ! "agent.max_packages" out &&
	summary >actual && printf "4\n2\n" >expect && test_cmp expect actual
'

test_done
