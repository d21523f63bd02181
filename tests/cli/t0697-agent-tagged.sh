#!/bin/sh
# t0697: with a tagged repository the agent reports only what the installed database shows it did.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run with @testing: no "upgraded" for what apk did not do

zlib 1.3.1-r1 is only in a tagged repository (@testing), and zlib is an
untagged world entry, so apk never upgrades it.  The agent used to report
"upgraded zlib ... [operation 2]" for an operation that changed nothing,
every night; now nothing is journalled, nothing is reported as upgraded,
and a run with nothing new stays quiet for cron.'

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
REPO_T=$TRASH_DIRECTORY/repo-testing
JQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: zlib from A; a newer zlib only in @testing' '
	mkrepo_pkg "$REPO_A" zlib 1.3.1-r0 -f "usr/lib/libz.so.1=zlib\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	mkrepo_pkg "$REPO_T" zlib 1.3.1-r1 -f "usr/lib/libz.so.1=zlib r1\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_T/$FIXTURE_ARCH" -d repo-testing &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install zlib >/dev/null &&
	printf "@testing %s\n" "$REPO_T" >>"$ROOT/etc/apk/repositories" &&
	secdb_stub &&
	secdb_clean &&
	agent_config
'

test_expect_success 'agent run: nothing upgraded, nothing journalled, nothing claimed' '
	journal_count >count.before &&
	aipkg agent run >out &&
	test_grep ! "^Upgraded:" out &&
	test_grep ! "zlib .*\[operation" out &&
	journal_count >count.after &&
	test_cmp count.before count.after &&
	test "$(version_of zlib)" = 1.3.1-r0 &&
	report=$(agent_last_report) &&
	test "$("$JQ" summary.applied <"$report")" = 0 &&
	test_grep ! "aipkg rollback" "${report%.json}.txt"
'

test_expect_success 'the nights after: quiet' '
	aipkg agent run >out &&
	test_must_be_empty out
'

test_expect_success 'aipkg update does not claim it either' '
	journal_count >count.before &&
	aipkg --yes update >out &&
	test_grep ! "^Upgraded" out &&
	journal_count >count.after &&
	test_cmp count.before count.after &&
	test "$(version_of zlib)" = 1.3.1-r0
'

test_expect_success 'a constraint apk honours: not claimed, not journalled, said once' '
	grep -v "^@testing" "$ROOT/etc/apk/repositories" >repos &&
	echo "$REPO_T" >>repos &&
	cp repos "$ROOT/etc/apk/repositories" &&
	echo "zlib<1.3.1-r1" >"$ROOT/etc/apk/world" &&
	journal_count >count.before &&
	aipkg agent run >out &&
	journal_count >count.after &&
	test_cmp count.before count.after &&
	test "$(version_of zlib)" = 1.3.1-r0 &&
	test_grep ! "^Upgraded:" out &&
	report=$(agent_last_report) &&
	test_grep "^Not upgraded by apk:" "${report%.json}.txt" &&
	test_grep "^  zlib 1.3.1-r0 -> 1.3.1-r1: apk would not upgrade zlib: a constraint holds it" "${report%.json}.txt" &&
	test "$("$JQ" summary.applied summary.unchanged <"$report" | tr "\n" " ")" = "0 1 "
'

test_done
