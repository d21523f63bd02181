#!/bin/sh
# t0730: long MCP calls: progress notifications, pings answered at once, cancellation.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='a slow install over MCP: progress, ping and cancellation

The repository is served over HTTP behind a gate: apk waits for its
downloads until the test opens the gate, so what happens while apk runs is
tested without racing a clock, however loaded the machine.  A call with a
progressToken gets notifications/progress as apk works, with increasing
values; a ping sent meanwhile is answered before the call ends;
notifications/cancelled stops apk as Ctrl-C does (no answer follows, the
journal says what happened), and a call still waiting in line never runs.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
GATE=$SECDB_DIR/pkgs.open

# gate_open / gate_close: let apk's downloads through, or hold them.
gate_open () {
	: >"$GATE"
}

gate_close () {
	rm -f "$GATE"
}

# progress_values TOKEN < OUT: the progress values notified for TOKEN.
progress_values () {
	grep "\"method\":\"notifications/progress\"" | grep "\"progressToken\":\"$1\"" |
		sed "s/.*\"progress\":\([0-9.e+]*\).*/\1/"
}

test_expect_success 'setup: a repository served behind a gate, a root using it' '
	fixture_repo_a "$SECDB_DIR/repo" &&
	secdb_stub &&
	fixture_root "$ROOT" "http://127.0.0.1:$SECDB_PORT/gate/pkgs/repo" &&
	secdb_config "$ROOT" http://127.0.0.1:9/ &&
	gate_open &&
	test_apk --root "$ROOT" --allow-untrusted --no-progress update >/dev/null 2>&1
'

test_expect_success 'progress notifications as apk installs, and a ping answered meanwhile' '
	gate_close &&
	mcp_open out err &&
	mcp_init 1 >&8 &&
	mcp_call_progress 2 pkg_install "{\"packages\":[\"nginx\"],\"confirm\":true}" tok-2 >&8 &&
	mcp_wait_for "notifications/progress" out &&
	mcp_request 3 ping >&8 &&
	mcp_wait_reply 3 out &&
	! mcp_replied 2 out &&
	gate_open &&
	mcp_wait_reply 2 out &&
	mcp_close &&
	mcp_replies_are_json out &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	progress_values tok-2 <out >values &&
	test "$(wc -l <values)" -ge 2 &&
	sort -g values >sorted && test_cmp sorted values &&
	test "$(sort -u -g values | wc -l)" = "$(wc -l <values)" &&
	test_grep "Installing nginx" out &&
	test_grep "^P:nginx$" "$ROOT/lib/apk/db/installed" ||
	mcp_failed out err
'

test_expect_success 'a call without a progressToken gets no notifications' '
	mcp_open out err &&
	mcp_init 1 >&8 &&
	mcp_call 2 pkg_install "{\"packages\":[\"lighttpd\"],\"confirm\":true}" >&8 &&
	mcp_close &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	test_grep ! "notifications/progress" out
'

test_expect_success 'cancelled while apk runs: no answer, apk stopped, the journal says what happened' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	gate_close &&
	mcp_open out err &&
	mcp_init 1 >&8 &&
	mcp_call_progress 2 pkg_install "{\"packages\":[\"curl\",\"busybox\",\"telnet-a\"],\"confirm\":true}" tok-c >&8 &&
	mcp_wait_for "Installing" out &&
	mcp_cancel 2 >&8 &&
	mcp_request 3 ping >&8 &&
	mcp_wait_reply 3 out &&
	mcp_call 4 pkg_history "{\"limit\":1}" >&8 &&
	mcp_wait_reply 4 out &&
	gate_open &&
	mcp_close &&
	! mcp_replied 2 out &&
	test_grep "the client cancelled a call" err &&
	mcp_get 4 .result.structuredContent <out >entry &&
	status=$("$TEST_TOOLS/jsonq" ".transactions[0].status" <entry) &&
	"$TEST_TOOLS/jsonq" ".transactions[0].command" <entry >command &&
	test_grep "pkg_install\\|pkg.install" command &&
	"$AIPKG" --root "$ROOT" --json history "$("$TEST_TOOLS/jsonq" ".transactions[0].id" <entry)" >full &&
	"$TEST_TOOLS/jsonq" ".transactions[0].error" <full >why &&
	test_grep "stopped by the client.s cancellation" why &&
	# apk was stopped while it waited for its first download
	test "$status" = failed &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_grep ! "^P:telnet-a$" "$ROOT/lib/apk/db/installed" ||
	mcp_failed out err
'

test_expect_success 'a call cancelled while it waits in line never runs' '
	gate_close &&
	mcp_open out err &&
	mcp_init 1 >&8 &&
	mcp_call_progress 2 pkg_install "{\"packages\":[\"bind-tools\",\"curl\",\"busybox\"],\"confirm\":true}" tok-q >&8 &&
	mcp_call 3 pkg_install "{\"packages\":[\"htop\"],\"confirm\":true}" >&8 &&
	mcp_wait_for "notifications/progress" out &&
	mcp_cancel 3 >&8 &&
	mcp_request 4 ping >&8 &&
	mcp_wait_reply 4 out &&
	gate_open &&
	mcp_close &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	! mcp_replied 3 out &&
	test_grep "^P:bind-tools$" "$ROOT/lib/apk/db/installed" &&
	test_grep ! "^P:htop$" "$ROOT/lib/apk/db/installed" &&
	"$AIPKG" --root "$ROOT" --json history >history &&
	test_grep ! "htop" history ||
	mcp_failed out err
'

test_expect_success 'a slow secdb download says it is alive too' '
	secdb_file "$SECDB_DIR/v3.20/main.json" main "nginx 1.26.3-r0=CVE-2025-23419" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	secdb_fault v3.20/main "late 4" &&
	mcp_open out err &&
	mcp_init 1 >&8 &&
	mcp_call_progress 2 pkg_check_vuln "{\"refresh\":true}" tok-s >&8 &&
	mcp_wait_reply 2 out &&
	mcp_close &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	test "$(mcp_get 2 ".result.structuredContent.vulnerabilities[0].cve" <out)" = CVE-2025-23419 &&
	progress_values tok-s <out >values &&
	test "$(wc -l <values)" -ge 2 &&
	test_grep "still running" out &&
	sort -g values >sorted && test_cmp sorted values ||
	mcp_failed out err
'

test_done
