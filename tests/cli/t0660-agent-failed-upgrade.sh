#!/bin/sh
# t0660: an upgrade that fails in the middle of aipkg agent run stops the run and says how to roll back.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: a failed upgrade stops the run, the journal marks it, the report names real rollbacks'

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

# The run goes zlib (low: applied), then the sandboxed ones by name: curl,
# lighttpd, nginx.  fail_apk_setup makes the real upgrade of lighttpd fail
# (not its --simulate, not its sandbox trial): with the double through
# APK_DOUBLE_FAIL_AT, with a real apk by breaking the package file just
# before apk reads it, so apk itself fails.
# rollback_ids: the operation ids of the report's rollback lines, in order.
rollback_ids () {
	sed -n "/^To undo this run.s changes, newest first:/,\$s/^  aipkg rollback \([0-9][0-9]*\)\$/\1/p" "$1"
}

test_expect_success 'setup: upgrades waiting, an apk that fails to upgrade lighttpd' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	agent_config &&
	journal_count >journal.before &&
	fail_apk_setup upgrade lighttpd "$REPO_B/$FIXTURE_ARCH/lighttpd-1.4.76-r1.apk" 0
'

test_expect_success 'the run stops at the failed upgrade and exits 1' '
	test_expect_code 1 aipkg agent run >out 2>err &&
	test_grep "^error: the agent run failed" err &&
	test_grep "^Error: an upgrade failed, so the run stopped" out &&
	test_grep "^Failed:" out &&
	test_grep "^  lighttpd 1.4.76-r0 -> 1.4.76-r1: the upgrade failed: " out &&
	test_grep "^Not tried (the run stopped):" out &&
	test_grep "^  nginx 1.26.2-r0 -> 1.27.0-r0: not tried: an earlier upgrade failed" out
'

test_expect_success 'what came before it stays applied, what came after is untouched' '
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test "$(version_of lighttpd)" = 1.4.76-r0 &&
	test "$(version_of nginx)" = 1.26.2-r0 &&
	test "$(version_of htop)" = 3.3.0-r0
'

test_expect_success 'the report agrees: status failed, one failure, one not tried' '
	report=$(agent_last_report) &&
	"$JQ" status summary.applied summary.failed "packages[3].name" "packages[3].result" \
		"packages[4].name" "packages[4].result" <"$report" >actual &&
	printf "failed\n2\n1\nlighttpd\nfailed\nnginx\nnot-run\n" >expect &&
	test_cmp expect actual &&
	test_cmp out "${report%.json}.txt"
'

test_expect_success 'the journal marks the failed operation and agrees with the database' '
	report=$(agent_last_report) &&
	failed_op=$("$JQ" "packages[3].operation" <"$report") &&
	aipkg --json history "$failed_op" >op.json &&
	"$JQ" "transactions[0].status" "transactions[0].caller" <op.json >actual &&
	printf "failed\nagent\n" >expect &&
	test_cmp expect actual &&
	test_journal_matches_db
'

test_expect_success 'the report names a rollback for each applied upgrade, newest first' '
	report=$(agent_last_report) &&
	rollback_ids out >ids &&
	"$JQ" "packages[1].operation" "packages[6].operation" <"$report" >applied &&
	test "$("$JQ" "packages[1].name" <"$report")" = curl &&
	test "$("$JQ" "packages[6].name" <"$report")" = zlib &&
	test_cmp applied ids &&
	test "$(sed -n 1p ids)" -gt "$(sed -n 2p ids)"
'

test_expect_success 'the ids are real: aipkg rollback undoes them' '
	AIPKG_APK=$FAIL_APK_REAL &&
	for id in $(cat ids)
	do
		aipkg --json history "$id" >op.json &&
		test "$("$JQ" "transactions[0].caller" <op.json)" = agent &&
		aipkg --yes rollback "$id" >/dev/null || return 1
	done &&
	test "$(version_of curl)" = 8.9.0-r0 &&
	test "$(version_of zlib)" = 1.3.1-r0 &&
	test_journal_matches_db
'

test_done
