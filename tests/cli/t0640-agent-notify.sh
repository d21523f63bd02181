#!/bin/sh
# t0640: aipkg agent run tells agent.notify's webhook and command about a run that needs a person.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: the webhook gets the JSON report, the command the text report, syslog does no harm'

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
HOOK=$SECDB_DIR/hook.json
NOTIFIED=$TRASH_DIRECTORY/notified.txt

# notify_config WEBHOOK COMMAND: the usual agent settings, and these.
notify_config () {
	agent_config "notify:" "  webhook: $1" "  command: $2" "  syslog: true"
}

test_expect_success 'setup: upgrades waiting, a webhook receiver and a notify command' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	HTTP=http://127.0.0.1:$SECDB_PORT &&
	printf "#!/bin/sh\ncat >%s\n" "$NOTIFIED" >notify.sh &&
	notify_config "$HTTP/post/hook.json" "[sh, $TRASH_DIRECTORY/notify.sh]"
'

test_expect_success 'a run that upgrades notifies' '
	aipkg agent run >out 2>err &&
	test_grep "^Upgraded:" out &&
	test_grep ! "warning: .*notify" err &&
	test_grep "^POST /post/hook.json .* -> 200" "$SECDB_LOG"
'

test_expect_success 'the webhook got the JSON report' '
	test_path_is_file "$HOOK" &&
	"$JQ" -c <"$HOOK" &&
	report=$(agent_last_report) &&
	"$JQ" . <"$report" >expect &&
	"$JQ" . <"$HOOK" >actual &&
	test_cmp expect actual &&
	"$JQ" status summary.applied attention <"$HOOK" >actual &&
	printf "ok\n3\ntrue\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the command got the text report on its stdin' '
	report=$(agent_last_report) &&
	test_cmp "${report%.json}.txt" "$NOTIFIED" &&
	test_cmp out "$NOTIFIED"
'

test_expect_success 'a run with nothing new notifies nobody' '
	rm -f "$HOOK" "$NOTIFIED" &&
	aipkg agent run >out 2>err &&
	test_must_be_empty out &&
	test_path_is_missing "$HOOK" &&
	test_path_is_missing "$NOTIFIED"
'

test_expect_success 'recipients that fail are warnings: the run itself succeeded' '
	notify_config "$HTTP/status/500/hook" "$TRASH_DIRECTORY/no-such-notifier" &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main "lighttpd 1.4.76-r1=CVE-2024-0001" \
		"nginx 1.99.0-r0=CVE-2024-7777" &&
	aipkg agent run >out 2>err &&
	test_grep "CVE-2024-7777" out &&
	test_grep "^warning: the webhook agent.notify.webhook failed" err &&
	test_grep "^warning: the command agent.notify.command failed" err &&
	test_grep "^POST /status/500/hook .* -> 500" "$SECDB_LOG"
'

test_expect_success 'a notify command that exits non-zero is a warning too' '
	printf "#!/bin/sh\ncat >/dev/null\nexit 3\n" >notify-fails.sh &&
	notify_config "$HTTP/post/hook.json" "[sh, $TRASH_DIRECTORY/notify-fails.sh]" &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main "lighttpd 1.4.76-r1=CVE-2024-0001" \
		"nginx 1.99.0-r0=CVE-2024-7777,CVE-2024-7778" &&
	aipkg --json agent run >out.json 2>err &&
	test_grep "^warning: the command agent.notify.command failed: .sh. exited with 3" err &&
	"$JQ" "notify_errors#" <out.json >n && echo 1 >expect && test_cmp expect n &&
	test_path_is_file "$HOOK"
'

test_done
