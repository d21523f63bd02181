#!/bin/sh
# t0670: agent.min_age holds back versions built too recently, by the index's build time.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: a version younger than agent.min_age waits; an old enough one goes ahead'

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
DAY=86400

# rebuild NAME VERSION BINARY-SCRIPT BUILT: repo B's package again, built
# at BUILT (seconds since the epoch); the caller re-indexes.
rebuild () {
	mkrepo_pkg "$REPO_B" "$1" "$2" -d "$1 for the agent tests" \
		-x "$(agent_bin "usr/bin/$1" "$3")" -t "$4"
}

# plan_field NAME KEY: KEY of NAME's entry in update --plan.
plan_field () {
	aipkg --json update --plan >plan.json &&
	_pf_n=$("$JQ" "packages#" <plan.json) &&
	_pf_i=0 &&
	while test "$_pf_i" -lt "$_pf_n"
	do
		if test "$("$JQ" "packages[$_pf_i].name" <plan.json)" = "$1"
		then
			"$JQ" "packages[$_pf_i].$2" <plan.json
			return
		fi
		_pf_i=$((_pf_i + 1))
	done
	return 1
}

test_expect_success 'setup: zlib and htop built just now, curl two days ago, the rest long ago' '
	agent_fixtures &&
	now=$(date +%s) &&
	rebuild zlib 1.3.1-r1 "echo zlib" "$now" &&
	rebuild htop 4.0.0-r0 "echo htop" "$now" &&
	rebuild curl 8.10.1-r0 "echo curl 8.10.1" $((now - 2 * DAY)) &&
	"$TEST_TOOLS/mkrepo" index "$REPO_B/$FIXTURE_ARCH" -d repo-b &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	agent_config "min_age: $((3 * DAY))"
'

test_expect_success 'update --plan: the young versions wait, with their age' '
	test "$(plan_field zlib action)" = defer &&
	plan_field zlib why >why &&
	test_grep "^version built 0 hours ago, younger than agent.min_age (72 hours)$" why &&
	plan_field curl why >why &&
	test_grep "^version built 48 hours ago, younger than agent.min_age (72 hours)$" why &&
	test "$(plan_field lighttpd action)" != defer &&
	test "$(plan_field zlib built)" -ge "$now"
'

test_expect_success 'a high risk keeps its own reason, however young' '
	plan_field htop why >why &&
	test_grep "^high risk (major version bump)" why
'

test_expect_success 'agent run: only the old enough are upgraded' '
	aipkg agent run >out 2>err &&
	test "$(version_of zlib)" = 1.3.1-r0 &&
	test "$(version_of curl)" = 8.9.0-r0 &&
	test "$(version_of lighttpd)" = 1.4.76-r1 &&
	test_grep "^  zlib 1.3.1-r0 -> 1.3.1-r1: version built 0 hours ago, younger than agent.min_age" out &&
	aipkg agent status >status &&
	test_grep "^curl  *8.9.0-r0  *8.10.1-r0  *medium .*younger than agent.min_age" status
'

test_expect_success 'a shorter min_age lets the two-day-old version through' '
	agent_config "min_age: $DAY" &&
	aipkg agent run >out 2>err &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test "$(version_of zlib)" = 1.3.1-r0 &&
	test_grep "^  zlib .*younger than agent.min_age (24 hours)" out
'

test_done
