#!/bin/sh
# t0710: the pkg.* tools over MCP: read tools, confirmation, real changes, the lock.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the MCP server runs the pkg.* tools

Every tool that changes nothing answers through tools/call; a change
without "confirm": true changes nothing and returns the plan; with it, apk
(the double, or a real apk) really installs into the fixture root and the
journal records the caller as mcp; tool failures and a held lock are
results with isError, after which the server keeps serving.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b

# snapshot NAME: copy what apk keeps of the root's state.
snapshot () {
	cp "$ROOT/lib/apk/db/installed" "$1.installed" &&
	cp "$ROOT/etc/apk/world" "$1.world"
}

# unchanged_since NAME: the root's state is as snapshot NAME saw it.
unchanged_since () {
	test_cmp "$1.installed" "$ROOT/lib/apk/db/installed" &&
	test_cmp "$1.world" "$ROOT/etc/apk/world"
}

# hold_lock / release_lock: another process holds aipkg's state lock.  It
# says so through one fifo and waits on another for the word to let go: no
# sleeping, no polling, whatever the machine's load.
hold_lock () {
	mkdir -p "$ROOT/var/lib/aipkg" &&
	rm -f lock-ready lock-gate &&
	mkfifo lock-ready lock-gate &&
	{
		{ flock "$ROOT/var/lib/aipkg/lock" sh -c \
			"echo held >lock-ready; read -r _ <lock-gate; exit 0" ||
			echo "flock failed" >lock-ready; } &
	} &&
	lock_holder=$! &&
	read -r _hl_said <lock-ready &&
	test "$_hl_said" = held
}

release_lock () {
	: >lock-gate &&
	wait "$lock_holder"
}

test_expect_success 'setup: fixture repositories and a fresh root' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	offline_config "$ROOT"
'

test_expect_success 'every tool that changes nothing answers a call' '
	tool_names false >read-tools &&
	test_grep "^pkg.search$" read-tools &&
	{
		mcp_init 1 &&
		id=10 &&
		while read -r tool
		do
			mcp_call $id "$tool" "$(tool_args "$tool")" &&
			id=$((id + 1)) || return 1
		done <read-tools
	} | mcp_serve >out 2>err &&
	mcp_replies_are_json out &&
	id=10 &&
	while read -r tool
	do
		is_error=$(mcp_get $id .result.isError <out) &&
		mcp_get $id .result.structuredContent <out >/dev/null &&
		case $tool in
		pkg.search | pkg.info | pkg.list | pkg.history) test "$is_error" = false ;;
		*) test "$is_error" = false || test "$is_error" = true ;;
		esac || { echo "$tool: isError $is_error" >&2; return 1; }
		id=$((id + 1))
	done <read-tools
'

test_expect_success 'a result carries the JSON as text and as structuredContent' '
	{ mcp_init 1 && mcp_call 2 pkg.search "{\"query\":\"cmd:dig\"}"; } | mcp_serve >out &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	test "$(mcp_get 2 ".result.structuredContent.packages[0].name" <out)" = bind-tools &&
	mcp_get 2 ".result.content[0].type" <out >type &&
	echo text >expect && test_cmp expect type &&
	mcp_get 2 ".result.content[0].text" <out | "$TEST_TOOLS/jsonq" . >text &&
	mcp_get 2 .result.structuredContent <out >structured &&
	test_cmp structured text
'

test_expect_success 'a tool that fails is a result with isError, and the server goes on' '
	{
		mcp_init 1 &&
		mcp_call 2 pkg.info "{\"package\":\"ngnix\"}" &&
		mcp_call 3 pkg.install "{\"packages\":[\"-x\"],\"confirm\":true}" &&
		mcp_request 4 ping
	} | mcp_serve >out &&
	test "$(mcp_get 2 .result.isError <out)" = true &&
	test "$(mcp_tool_error 2 <out)" = nopkg &&
	mcp_get 2 .result.structuredContent.error.message <out >msg &&
	test_grep nginx msg &&
	test "$(mcp_get 3 .result.isError <out)" = true &&
	test "$(mcp_get 3 .result.structuredContent.error.exit <out)" = 2 &&
	test "$(mcp_get 4 .result <out)" = "{}"
'

test_expect_success 'a change without confirm changes nothing and returns the plan' '
	snapshot before &&
	{
		mcp_init 1 &&
		mcp_call 2 pkg.install "{\"packages\":[\"nginx\"]}" &&
		mcp_call 3 pkg.install "{\"packages\":[\"nginx\"],\"confirm\":false}"
	} | mcp_serve >out &&
	for id in 2 3
	do
		test "$(mcp_get $id .result.isError <out)" = true &&
		test "$(mcp_tool_error $id <out)" = refused || return 1
	done &&
	mcp_get 2 .result.structuredContent.error.message <out >msg &&
	test_grep "\"confirm\": true" msg &&
	test_grep "user" msg &&
	mcp_get 2 .result.structuredContent.plan.changes <out >plan &&
	test_grep "\"name\":\"nginx\",\"action\":\"install\"" plan &&
	test_grep "\"name\":\"pcre2\"" plan &&
	unchanged_since before &&
	test_path_is_missing "$ROOT/usr/sbin/nginx" &&
	"$AIPKG" --root "$ROOT" tool pkg.history "{}" >history &&
	test "$("$TEST_TOOLS/jsonq" ".transactions#" <history)" = 0
'

test_expect_success 'dry_run shows the plan without confirm and changes nothing' '
	{ mcp_init 1 && mcp_call 2 pkg.install "{\"packages\":[\"nginx\"],\"dry_run\":true}"; } |
		mcp_serve >out &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	test "$(mcp_get 2 .result.structuredContent.dry_run <out)" = true &&
	unchanged_since before
'

test_expect_success 'with confirm, apk installs into the root and the journal says mcp' '
	{ mcp_init 1 && mcp_call 2 pkg.install "{\"packages\":[\"nginx\"],\"confirm\":true}"; } |
		mcp_serve >out 2>err &&
	mcp_replies_are_json out &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	mcp_get 2 .result.structuredContent.changes <out >changes &&
	test_grep "\"name\":\"nginx\",\"action\":\"install\",\"from\":null,\"to\":\"1.26.2-r0\"" changes &&
	"$ROOT/usr/sbin/nginx" >version &&
	test_grep "nginx/1.26.2" version &&
	test_grep "^nginx$" "$ROOT/etc/apk/world" &&
	"$AIPKG" --root "$ROOT" tool pkg.history "{}" >history &&
	test "$("$TEST_TOOLS/jsonq" ".transactions[0].caller" <history)" = mcp &&
	"$TEST_TOOLS/jsonq" ".transactions[0].command" <history >command &&
	test_grep "mcp: pkg.install {\"packages\":\[\"nginx\"\],\"confirm\":true}" command
'

test_expect_success 'a removal others need is refused with who needs it' '
	snapshot before &&
	{ mcp_init 1 && mcp_call 2 pkg.remove "{\"packages\":[\"pcre2\"],\"confirm\":true}"; } |
		mcp_serve >out &&
	test "$(mcp_get 2 .result.isError <out)" = true &&
	test "$(mcp_tool_error 2 <out)" = needed &&
	test "$(mcp_get 2 ".result.structuredContent.required_by.pcre2[0]" <out)" = nginx &&
	unchanged_since before
'

test_expect_success FLOCK 'a call while another aipkg holds the lock: isError, and serving goes on' '
	snapshot before &&
	hold_lock &&
	{
		mcp_init 1 &&
		mcp_call 2 pkg.remove "{\"packages\":[\"nginx\"],\"confirm\":true}" &&
		mcp_call 3 pkg.list "{}"
	} | mcp_serve >out 2>err &&
	release_lock &&
	test "$(mcp_get 2 .result.isError <out)" = true &&
	test "$(mcp_tool_error 2 <out)" = locked &&
	test "$(mcp_get 2 .result.structuredContent.error.exit <out)" = 75 &&
	mcp_get 2 .result.structuredContent.error.message <out >msg &&
	test_grep "another aipkg" msg &&
	test "$(mcp_get 3 .result.isError <out)" = false &&
	unchanged_since before
'

test_expect_success 'the server holds the lock only between a call'\''s start and end' '
	mcp_open out err &&
	mcp_init 1 >&8 &&
	mcp_call 2 pkg.install "{\"packages\":[\"htop\"],\"confirm\":true}" >&8 &&
	mcp_wait_reply 2 out &&
	"$AIPKG" --root "$ROOT" --allow-untrusted tool pkg.remove \
		"{\"packages\":[\"htop\"],\"confirm\":true}" >result &&
	mcp_call 3 pkg.info "{\"package\":\"htop\"}" >&8 &&
	mcp_close &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	test_grep "\"name\": \"htop\"" result &&
	test "$(mcp_get 3 .result.structuredContent.installed <out)" = false
'

test_expect_success 'an update over MCP upgrades to the newer repository' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	{ mcp_init 1 && mcp_call 2 pkg.update "{\"confirm\":true}"; } | mcp_serve >out 2>err &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	mcp_get 2 .result.structuredContent.changes <out >changes &&
	test_grep "\"name\":\"nginx\",\"action\":\"upgrade\",\"from\":\"1.26.2-r0\",\"to\":\"1.27.0-r0\"" changes &&
	"$ROOT/usr/sbin/nginx" >version &&
	test_grep "nginx/1.27.0" version
'

test_expect_success 'a removal with confirm removes' '
	{ mcp_init 1 && mcp_call 2 pkg.remove "{\"packages\":[\"nginx\"],\"confirm\":true}"; } |
		mcp_serve >out 2>err &&
	test "$(mcp_get 2 .result.isError <out)" = false &&
	test_path_is_missing "$ROOT/usr/sbin/nginx" &&
	test_grep ! "^nginx$" "$ROOT/etc/apk/world"
'

test_done
