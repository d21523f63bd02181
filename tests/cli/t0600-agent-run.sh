#!/bin/sh
# t0600: aipkg agent run applies, sandboxes and defers per policy, and reports it.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: the low is applied, the medium tried in a sandbox, the high deferred'

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

test_expect_success 'setup: repo A installed, telnet-a locked, repo B configured' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	agent_config
'

test_expect_success 'update --plan shows each risk and changes nothing' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	aipkg check-vuln >/dev/null &&
	aipkg update --plan >plan &&
	test_grep "^zlib .* low .*apply .*revision-only" plan &&
	test_grep "^curl .* medium .*sandbox .*minor version bump" plan &&
	test_grep "^htop .* high .*defer .*major version bump" plan &&
	test_grep "^lighttpd .*sandbox .*fixes 1 known vulnerability" plan &&
	test_grep "^bind-tools .*skip .*agent.deny" plan &&
	test_grep "^telnet-a .*skip .*locked" plan &&
	aipkg --json update --plan >plan.json &&
	"$JQ" "packages#" <plan.json >n && echo 7 >expect && test_cmp expect n &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'agent run: low applied, mediums tried, high deferred' '
	aipkg agent run >out 2>err; echo $? >rc &&
	cat out err &&
	echo 0 >expect && test_cmp expect rc &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test "$(version_of lighttpd)" = 1.4.76-r1 &&
	test "$(version_of nginx)" = 1.26.2-r0 &&
	test "$(version_of htop)" = 3.3.0-r0 &&
	test "$(version_of bind-tools)" = 9.18.27-r0 &&
	test "$(version_of telnet-a)" = 1.0-r0 &&
	test_grep "^Upgraded:" out &&
	test_grep "nginx 1.26.2-r0 -> 1.27.0-r0: medium risk .*sandbox trial failed: the check .nginx -t. failed" out &&
	test_grep "htop 3.3.0-r0 -> 4.0.0-r0: high risk (major version bump)" out &&
	test_grep "aipkg rollback" out
'

test_expect_success 'the sandbox is gone' '
	test_path_is_dir "$ROOT/var/lib/aipkg/sandbox" &&
	test -z "$(ls "$ROOT/var/lib/aipkg/sandbox")"
'

test_expect_success 'the report and the journal agree with the installed database' '
	ls "$ROOT"/var/lib/aipkg/reports/*.json >reports &&
	test "$(wc -l <reports)" -eq 1 &&
	report=$(cat reports) &&
	test_path_is_file "${report%.json}.txt" &&
	"$JQ" summary.applied summary.deferred summary.skipped summary.failed <"$report" >actual &&
	printf "3\n2\n2\n0\n" >expect && test_cmp expect actual &&
	test_journal_matches_db &&
	grep -h "^caller:" "$ROOT/$JOURNAL_DIR_REL"/*/*.txt | sort -u >callers &&
	test_grep "agent" callers
'

test_expect_success 'agent status lists the deferred updates with their reasons' '
	aipkg agent status >out &&
	test_grep "^htop  *3.3.0-r0  *4.0.0-r0  *high" out &&
	test_grep "^nginx  *1.26.2-r0  *1.27.0-r0  *medium .*sandbox trial failed" out &&
	aipkg --json agent status >out.json &&
	"$JQ" "deferred#" <out.json >n && echo 2 >expect && test_cmp expect n
'

test_expect_success 'agent status at a terminal: the table fits, each reason whole below it' '
	NO_COLOR=1 "$TEST_TOOLS/ptyrun" -c 80 "$AIPKG" --root "$ROOT" --allow-untrusted \
		agent status >tty &&
	test_fits 80 tty &&
	# SINCE as history shows a time; the check'"'"'s last newline is not
	# part of the reason ("directive\n")
	test_grep "^nginx  *1.26.2-r0 1.27.0-r0 medium 20[0-9-]* [0-9][0-9]:[0-9][0-9] medium" tty &&
	tr "\n" " " <tty | tr -s " " >joined &&
	test_grep "nginx: medium risk (minor version bump): sandbox trial failed: .*emerg unknown directive $" joined &&
	test_grep ! "directive\\\\n" joined
'

test_expect_success 'a second run with nothing new prints nothing' '
	aipkg agent run >out 2>err &&
	test_must_be_empty out &&
	aipkg -v agent run >out 2>err &&
	test_grep "Deferred:" out
'

test_expect_success 'a second agent exits 75 at once' '
	mkdir -p "$ROOT/var/lib/aipkg" &&
	# the holder says it holds the lock, and lets go when told: no sleeping
	rm -f locked let-go && mkfifo locked let-go &&
	{ (
		flock 9 && echo held >locked && { read -r _ <let-go || :; }
	) 9>"$ROOT/var/lib/aipkg/lock" & } &&
	holder=$! &&
	read -r _ <locked &&
	# the holder is let go whatever the agent did: a failure must not
	# leave it waiting on its FIFO, and the test run with it
	{ test_expect_code 75 aipkg agent run 2>err; status=$?; } ;
	: >let-go &&
	wait "$holder" &&
	test "$status" = 0 &&
	test_grep "lock" err
'

test_done
