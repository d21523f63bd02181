#!/bin/sh
# t0610: aipkg agent run with the network down upgrades nothing and says why.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: when the indexes cannot be refreshed nothing is upgraded on stale data'

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

# closed_port: a loopback port nobody listens on (a stub that came and went).
closed_port () {
	"$TEST_TOOLS/httpstub" -i 1 >closed.port &&
	cat closed.port
}

# snapshot / test_unchanged: the installed database, the world and the
# journal are as they were.
snapshot () {
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	cp "$ROOT/etc/apk/world" world.before &&
	journal_count >journal.before
}

test_unchanged () {
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_cmp world.before "$ROOT/etc/apk/world" &&
	journal_count >journal.after &&
	test_cmp journal.before journal.after
}

test_expect_success 'setup: repo A installed, the secdb stub running, repo B served over http' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	agent_config &&
	cp -R "$REPO_B" "$SECDB_DIR/repo-b" &&
	CLOSED=$(closed_port) &&
	test -n "$CLOSED"
'

test_expect_success 'a repository on a closed port: nothing upgraded, exit 1, the report says why' '
	fixture_use_repos "$ROOT" "$REPO_B" "http://127.0.0.1:$CLOSED/alpine" &&
	snapshot &&
	test_expect_code 1 aipkg agent run >out 2>err &&
	test_grep "^Indexes: NOT refreshed, so nothing was upgraded" out &&
	test_grep "^Error: could not refresh the repository indexes, so nothing was upgraded" out &&
	test_grep "^error: the agent run failed" err &&
	test_grep ! "^Upgraded:" out &&
	test_unchanged &&
	report=$(agent_last_report) &&
	"$JQ" status refreshed "packages#" summary.applied <"$report" >actual &&
	printf "failed\nfalse\n0\n0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the text report on disk says the same' '
	report=$(agent_last_report) &&
	test_grep "NOT refreshed, so nothing was upgraded" "${report%.json}.txt"
'

test_expect_success 'a cached index whose server answers 500 is not trusted either' '
	fixture_use_repos "$ROOT" "${SECDB_URL}repo-b" &&
	test_apk --root "$ROOT" --allow-untrusted --no-progress update >/dev/null &&
	aipkg --json update --plan >plan.json &&
	"$JQ" "packages#" <plan.json >n && echo 7 >expect && test_cmp expect n &&
	echo 500 >"$SECDB_DIR/repo-b/x86_64/APKINDEX.tar.gz.fault" &&
	test_must_fail aipkg agent run >out 2>err &&
	test_grep "^Indexes: NOT refreshed" out &&
	test_unchanged &&
	grep -c "GET /ok/repo-b/x86_64/APKINDEX.tar.gz.* -> 500" "$SECDB_LOG" >hits &&
	test "$(cat hits)" -ge 1
'

test_expect_success 'with the network back the same run upgrades and defers' '
	rm -f "$SECDB_DIR/repo-b/x86_64/APKINDEX.tar.gz.fault" &&
	aipkg agent run >out 2>err &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test "$(version_of htop)" = 3.3.0-r0 &&
	aipkg --json agent status >status.before &&
	"$JQ" "deferred#" <status.before >n && echo 2 >expect && test_cmp expect n
'

test_expect_success 'the network down again: the deferred updates are still on record' '
	fixture_use_repos "$ROOT" "${SECDB_URL}repo-b" "http://127.0.0.1:$CLOSED/alpine" &&
	snapshot &&
	test_must_fail aipkg agent run >out 2>err &&
	test_unchanged &&
	aipkg --json agent status >status.after &&
	"$JQ" deferred <status.before >expect &&
	"$JQ" deferred <status.after >actual &&
	test_cmp expect actual
'

test_done
