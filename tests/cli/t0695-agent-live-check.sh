#!/bin/sh
# t0695: an upgrade that breaks the live system (its check, or its running service) is rolled back by agent run.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run heals: live checks, service restarts, rollback, deferred version

nginx 1.26.2-r1 is a revision-only rebuild (low risk, applied without a
sandbox) whose configuration test fails on the live system: the agent runs
agent.checks there after the upgrade, rolls it back at once (journalled,
caller agent), restarts the service, defers that version with the reason
and says so in the report.  nginx 1.26.2-r2 passes its check but its
service does not start again: restarted (agent.restart_services), found
not running, rolled back, restarted.  OpenRC is a stand-in under the test
root (ROOT/sbin/rc-service), never the host'"'"'s.'

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
REPO_C=$TRASH_DIRECTORY/repo-c
JQ=$TEST_TOOLS/jsonq

# nginx_pkg REPO VERSION TEST START: an nginx whose "nginx -t" prints TEST
# (and fails when it starts with "FAIL"), and whose "nginx start" (what the
# OpenRC stand-in runs) fails when START is "fail".
nginx_pkg () {
	_np_t="echo \"$3\""
	case $3 in FAIL*) _np_t="echo \"$3\" >\&2; exit 1" ;; esac
	_np_s="exit 0"
	test "$4" = fail && _np_s="echo \"bind() to 0.0.0.0:80 failed\" >\&2; exit 1"
	mkrepo_pkg "$1" nginx "$2" -d "HTTP and reverse proxy server" \
		-x "usr/sbin/nginx=#!/bin/sh\ncase \$1 in\n-t) $_np_t ;;\nstart) $_np_s ;;\nesac\n" \
		-x "etc/init.d/nginx=#!/sbin/openrc-run\ncommand=/usr/sbin/nginx\n" \
		-f "etc/nginx/nginx.conf=worker_processes 1;\n"
}

# The stand-in for OpenRC's rc-service: NAME status|start|stop|restart,
# its state in ROOT/run/openrc/started/NAME (where OpenRC keeps it), each
# call logged to ROOT/rc-service.log.
openrc_standin () {
	mkdir -p "$ROOT/sbin" "$ROOT/run/openrc/started" &&
	cat >"$ROOT/sbin/rc-service" <<-\EOF &&
	#!/bin/sh
	root=${AIPKG_ROOT:?}
	svc=$1 act=$2
	started=$root/run/openrc/started/$svc
	printf '%s %s\n' "$svc" "$act" >>"$root/rc-service.log"
	case $act in
	status) test -e "$started" ;;
	stop) rm -f "$started" ;;
	start) cd "$root" && "$root/usr/sbin/$svc" start && : >"$started" ;;
	restart) "$0" "$svc" stop && "$0" "$svc" start ;;
	*) exit 1 ;;
	esac
	EOF
	chmod +x "$ROOT/sbin/rc-service" &&
	: >"$ROOT/run/openrc/started/nginx"
}

test_expect_success 'setup: nginx running from repository A; B has a broken rebuild' '
	nginx_pkg "$REPO_A" 1.26.2-r0 "nginx: configuration file test is successful" ok &&
	mkrepo_pkg "$REPO_A" zlib 1.3.1-r0 -f "usr/lib/libz.so.1=zlib\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	nginx_pkg "$REPO_B" 1.26.2-r1 "FAIL nginx: [emerg] unknown directive \\\"worker_processes\\\"" ok &&
	mkrepo_pkg "$REPO_B" zlib 1.3.1-r1 -f "usr/lib/libz.so.1=zlib r1\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_B/$FIXTURE_ARCH" -d repo-b &&
	nginx_pkg "$REPO_C" 1.26.2-r2 "nginx: configuration file test is successful" fail &&
	"$TEST_TOOLS/mkrepo" index "$REPO_C/$FIXTURE_ARCH" -d repo-c &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx zlib >/dev/null &&
	openrc_standin &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	secdb_stub &&
	secdb_clean &&
	agent_config "restart_services: true"
'

test_expect_success 'the live check fails after the upgrade: rolled back at once, the service runs again' '
	aipkg agent run >out 2>err &&
	test "$(version_of nginx)" = 1.26.2-r0 &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test_grep "^aipkg agent run at .*: ok; 1 upgraded, 0 deferred, 0 failed, 1 rolled back" out &&
	test_grep "^Rolled back (the upgrade broke the live system):" out &&
	test_grep "^  nginx 1.26.2-r0 -> 1.26.2-r1: the check .nginx -t. failed on the live system: FAIL nginx: \[emerg\] unknown directive .\{0,1\}worker_processes.\{0,1\}; rolled back" out &&
	test_grep "; rolled back by operation [0-9]*, nginx is 1.26.2-r0 again; nginx running again \[operation [0-9]*\]$" out &&
	test_grep "^  zlib 1.3.1-r0 -> 1.3.1-r1: " out &&
	test -e "$ROOT/run/openrc/started/nginx" &&
	printf "nginx restart\nnginx stop\nnginx start\nnginx status\n" >expect &&
	test_cmp expect "$ROOT/rc-service.log"
'

test_expect_success 'the report has the upgrade, the failure, the rollback and the final state' '
	report=$(agent_last_report) &&
	"$JQ" "packages[0].name" "packages[0].result" "packages[0].live.checks[0].exit" \
		"packages[0].live.rollback.ok" "packages[0].live.services_after_rollback[0].running" \
		"summary.rolled_back" attention <"$report" >actual &&
	printf "nginx\nrolled-back\n1\ntrue\ntrue\n1\ntrue\n" >expect &&
	test_cmp expect actual &&
	upgrade=$("$JQ" "packages[0].operation" <"$report") &&
	undo=$("$JQ" "packages[0].live.rollback.operation" <"$report") &&
	aipkg --json history "$undo" >op.json &&
	"$JQ" "transactions[0].caller" "transactions[0].undoes" "transactions[0].status" <op.json >actual &&
	printf "agent\n%s\ncommitted\n" "$upgrade" >expect &&
	test_cmp expect actual &&
	test_journal_matches_db
'

test_expect_success 'that version is deferred with the reason, and the next run does not try it again' '
	aipkg agent status >status &&
	test_grep "nginx .*1.26.2-r1" status &&
	journal_count >count.before &&
	aipkg agent run >out 2>err &&
	test_must_be_empty out &&
	journal_count >count.after &&
	test_cmp count.before count.after &&
	report=$(agent_last_report) &&
	test_grep "^  nginx 1.26.2-r0 -> 1.26.2-r1: this version was rolled back before: the check .nginx -t. failed" "${report%.json}.txt" &&
	test "$(version_of nginx)" = 1.26.2-r0
'

test_expect_success 'a service that does not run after its restart: rolled back, restarted, running' '
	fixture_use_repos "$ROOT" "$REPO_C" &&
	: >"$ROOT/rc-service.log" &&
	aipkg agent run >out 2>err &&
	test "$(version_of nginx)" = 1.26.2-r0 &&
	test_grep "^  nginx 1.26.2-r0 -> 1.26.2-r2: the service nginx does not run after its restart: bind() to 0.0.0.0:80 failed" out &&
	test_grep "nginx is 1.26.2-r0 again; nginx running again" out &&
	test -e "$ROOT/run/openrc/started/nginx" &&
	printf "%s\n" "nginx restart" "nginx stop" "nginx start" "nginx status" \
		"nginx restart" "nginx stop" "nginx start" "nginx status" >expect &&
	test_cmp expect "$ROOT/rc-service.log"
'

test_expect_success 'a service that was not running is not started by the agent' '
	rm "$ROOT/run/openrc/started/nginx" &&
	nginx_pkg "$REPO_C" 1.26.2-r3 "nginx: configuration file test is successful" ok &&
	"$TEST_TOOLS/mkrepo" index "$REPO_C/$FIXTURE_ARCH" -d repo-c &&
	: >"$ROOT/rc-service.log" &&
	aipkg agent run >out 2>err &&
	test "$(version_of nginx)" = 1.26.2-r3 &&
	test_must_be_empty "$ROOT/rc-service.log" &&
	test_path_is_missing "$ROOT/run/openrc/started/nginx"
'

test_done
