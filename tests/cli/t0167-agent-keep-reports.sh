#!/bin/sh
# t0167: the agent's reports are kept agent.keep_reports days, not for ever.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent.keep_reports: old reports go, recent ones and foreign files stay

Every agent run writes var/lib/aipkg/reports/TIME.{txt,json}; a daily cron
job piled them up for ever.  A run now removes the reports older than
agent.keep_reports days (default 90), judged by the time in their names;
0 keeps them all, and a file that is not a report is never touched.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPORTS=$ROOT/var/lib/aipkg/reports

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

# stamp DAYS: a report's name for DAYS days ago (UTC).
stamp () {
	date -u -d "@$(($(date +%s) - $1 * 86400))" +%Y%m%dT%H%M%SZ
}

# config [LINE]: the secdb from a file, and LINE under agent:.
config () {
	mkdir -p "$ROOT/etc/aipkg" &&
	{
		printf 'vuln:\n  secdb_url: file://%s/\n' "$SECDB_DIR" &&
		if test -n "$1"
		then
			printf 'agent:\n  %s\n' "$1"
		fi
	} >"$ROOT/etc/aipkg/aipkg.yaml"
}

# old_reports: reports of 400, 120 (two in one second) and 10 days ago,
# and files that are not reports.
old_reports () {
	mkdir -p "$REPORTS" &&
	for s in "$S400" "$S120" "$S10"
	do
		echo "{}" >"$REPORTS/$s.json" &&
		echo "report" >"$REPORTS/$s.txt" || return 1
	done &&
	echo "{}" >"$REPORTS/$S120-2.json" &&
	echo "notes" >"$REPORTS/README" &&
	echo "{}" >"$REPORTS/20200101T000000Z.json.bak" &&
	mkdir -p "$REPORTS/20200101T000000Z.txt.d"
}

# fixed once: a name is a second's stamp
S400=$(stamp 400)
S120=$(stamp 120)
S10=$(stamp 10)

# count GLOB: how many names in the reports directory match GLOB.
count () {
	_n=0
	for _f in "$REPORTS"/*
	do
		# shellcheck disable=SC2254 # GLOB is a pattern
		case ${_f##*/} in $1) _n=$((_n + 1)) ;; esac
	done
	echo "$_n"
}

test_expect_success 'setup: a root, a secdb from a file, old reports' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install htop >out 2>err &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main "zlib 1.3.1-r1=CVE-2023-45853" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community &&
	config &&
	old_reports
'

test_expect_success 'a run keeps 90 days by default: the 400- and 120-day-old ones go' '
	aipkg agent run >out 2>err &&
	test "$(count "$S400.*")" = 0 &&
	test "$(count "$S120*")" = 0 &&
	test "$(count "$S10.*")" = 2 &&
	test_path_is_file "$REPORTS/README" &&
	test_path_is_file "$REPORTS/20200101T000000Z.json.bak" &&
	test_path_is_dir "$REPORTS/20200101T000000Z.txt.d" &&
	test "$(count "*Z.json")" = 2 &&
	test "$(count "*Z.txt")" = 2
'

test_expect_success '-v says what it removed' '
	old_reports &&
	aipkg -v agent run >out 2>err &&
	test_grep "removed 5 report files older than 90 days (agent.keep_reports)" err
'

test_expect_success 'agent.keep_reports: 0 keeps every report' '
	old_reports &&
	config "keep_reports: 0" &&
	aipkg agent run >out 2>err &&
	test "$(count "$S400.*")" = 2 &&
	test "$(count "$S120*")" = 3
'

test_expect_success 'agent.keep_reports: 5 removes the 10-day-old ones too' '
	config "keep_reports: 5" &&
	aipkg --json agent run >out 2>err &&
	test "$(count "$S10.*")" = 0 &&
	test "$(count "$S400.*")" = 0 &&
	test_path_is_file "$("$TEST_TOOLS/jsonq" files.json <out)" &&
	test_path_is_file "$("$TEST_TOOLS/jsonq" files.text <out)"
'

test_expect_success 'a dry run removes nothing' '
	old_reports &&
	aipkg --dry-run agent run >out 2>err &&
	test "$(count "$S400.*")" = 2
'

test_expect_success 'a bad value is refused, naming the key' '
	config "keep_reports: soon" &&
	test_expect_code 2 aipkg agent run >out 2>err &&
	test_grep "agent.keep_reports" err &&
	test "$(count "$S400.*")" = 2
'

test_done
