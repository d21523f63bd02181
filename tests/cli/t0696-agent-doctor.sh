#!/bin/sh
# t0696: the agent's pass runs the doctor: new problems are reported once, agent.heal repairs damaged files.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: the doctor in the nightly pass

A damaged file is reported by the next run, like a new vulnerability
(once: the run after stays quiet); with agent.heal the agent repairs it
itself, journalled with caller agent, and the report says how to undo it.'

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
JQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: nginx installed, nothing to upgrade, a quiet first run' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx >/dev/null &&
	secdb_stub &&
	secdb_clean &&
	agent_config &&
	aipkg agent run >out &&
	test_must_be_empty out
'

test_expect_success 'a damaged file is a new problem: reported, with its fix' '
	printf "echo patched\n" >>"$ROOT/usr/sbin/nginx" &&
	aipkg agent run >out &&
	test_grep "^New problems since the last run (aipkg doctor):" out &&
	test_grep "^  nginx 1.26.2-r0: 1 system file damaged (1 changed) \[error\]; fix: aipkg doctor --fix nginx" out &&
	report=$(agent_last_report) &&
	"$JQ" "new_problems[0].check" "summary.new_problems" attention <"$report" >actual &&
	printf "files\n1\ntrue\n" >expect &&
	test_cmp expect actual &&
	test_grep "echo patched" "$ROOT/usr/sbin/nginx"
'

test_expect_success 'the next run knows it: quiet' '
	aipkg agent run >out &&
	test_must_be_empty out
'

test_expect_success 'with agent.heal the agent repairs it, journalled, and says how to undo it' '
	agent_config "heal: true" &&
	aipkg agent run >out &&
	test_grep "^Repaired (agent.heal):" out &&
	test_grep "^  reinstall 1 package to restore damaged files (apk fix --reinstall) \[operation [0-9]*\]" out &&
	op=$(sed -n "s/^  reinstall .*\[operation \([0-9]*\)\]$/\1/p" out) &&
	test_grep "^  aipkg rollback $op$" out &&
	test_grep ! "echo patched" "$ROOT/usr/sbin/nginx" &&
	aipkg --json history "$op" >op.json &&
	test "$("$JQ" "transactions[0].caller" <op.json)" = agent &&
	aipkg doctor >/dev/null
'

test_done
