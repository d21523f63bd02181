#!/bin/sh
# t0680: agent.window: outside the maintenance window nothing is upgraded or tried, inside it is.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: outside agent.window everything waits with the window as reason'

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

# window FROM TO: "HH:00-HH:00", hours counted from the current local hour
# (aipkg reads the window in local time too).
window () {
	_w_h=$(date +%H) &&
	_w_h=${_w_h#0} &&
	printf '%02d:00-%02d:00' $(((_w_h + $1 + 24) % 24)) $(((_w_h + $2 + 24) % 24))
}

test_expect_success 'setup: upgrades waiting, a window two hours from now' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	LATER=$(window 2 3) &&
	agent_config "window: \"$LATER\"" &&
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	journal_count >journal.before
'

test_expect_success 'outside the window nothing is upgraded and nothing tried' '
	aipkg agent run >out 2>err &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	journal_count >journal.after &&
	test_cmp journal.before journal.after &&
	test_path_is_missing "$ROOT/var/lib/aipkg/sandbox" &&
	test_grep ! "^Upgraded:" out
'

test_expect_success 'each would-be upgrade waits with the window as reason' '
	for p in "zlib 1.3.1-r0" "curl 8.9.0-r0" "lighttpd 1.4.76-r0" "nginx 1.26.2-r0"
	do
		test_grep "^  $p -> .*: outside the maintenance window $LATER (agent.window)$" out ||
		return 1
	done &&
	test_grep "^  htop 3.3.0-r0 -> 4.0.0-r0: high risk (major version bump)" out &&
	test_grep "^  bind-tools .*: listed in agent.deny" out &&
	report=$(agent_last_report) &&
	"$JQ" summary.applied summary.deferred summary.skipped <"$report" >actual &&
	printf "0\n5\n2\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'agent status lists them with the window' '
	aipkg agent status >status &&
	test_grep "^zlib  *1.3.1-r0  *1.3.1-r1  *low .*outside the maintenance window $LATER" status
'

test_expect_success 'inside the window the run upgrades' '
	NOW=$(window -1 2) &&
	agent_config "window: \"$NOW\"" &&
	aipkg agent run >out 2>err &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test_grep ! "maintenance window" out &&
	aipkg --json agent status >status.json &&
	"$JQ" "deferred#" <status.json >n && echo 2 >expect && test_cmp expect n
'

test_done
