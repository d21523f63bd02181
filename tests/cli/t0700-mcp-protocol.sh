#!/bin/sh
# t0700: aipkg mcp speaks MCP over stdio: handshake, tools/list, ping, and every bad input.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the MCP server: the protocol and its bad inputs

A scripted client pipes newline-delimited JSON-RPC into aipkg mcp and reads
the replies: the handshake and version negotiation, tools/list against the
tool registry, ping, notifications, the JSON-RPC errors for every kind of
bad input (after which the server keeps serving), huge lines, input that
ends mid-message, and --read-only.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: a fixture repository and a fresh root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	offline_config "$ROOT"
'

test_expect_success 'the handshake: the client'\''s revision, server info, tools capability' '
	mcp_init 1 | mcp_serve >out 2>err &&
	mcp_replies_are_json out &&
	test "$(wc -l <out)" -eq 1 &&
	test "$(mcp_get 1 .result.protocolVersion <out)" = 2025-06-18 &&
	test "$(mcp_get 1 .result.serverInfo.name <out)" = aipkg &&
	"$AIPKG" --version >version &&
	test_grep "^aipkg $(mcp_get 1 .result.serverInfo.version <out)\$" version &&
	test "$(mcp_get 1 .result.capabilities.tools.listChanged <out)" = false
'

test_expect_success 'every supported revision is answered with itself, others with the newest' '
	{
		mcp_init 1 2025-11-25 &&
		mcp_init 2 2025-06-18 &&
		mcp_init 3 2025-03-26 &&
		mcp_init 4 2024-11-05 &&
		mcp_init 5 2099-01-01
	} | mcp_serve >out &&
	test "$(mcp_get 1 .result.protocolVersion <out)" = 2025-11-25 &&
	test "$(mcp_get 2 .result.protocolVersion <out)" = 2025-06-18 &&
	test "$(mcp_get 3 .result.protocolVersion <out)" = 2025-03-26 &&
	test "$(mcp_get 4 .result.protocolVersion <out)" = 2024-11-05 &&
	test "$(mcp_get 5 .result.protocolVersion <out)" = 2025-11-25
'

test_expect_success 'ping answers an empty result; ids may be strings' '
	{ mcp_init 1 && mcp_request 2 ping && mcp_request "\"p-3\"" ping; } | mcp_serve >out &&
	test "$(mcp_get 2 .result <out)" = "{}" &&
	test "$(mcp_get p-3 .result <out)" = "{}"
'

test_expect_success 'notifications and client responses get no reply' '
	{
		mcp_notify notifications/initialized &&
		mcp_notify notifications/cancelled &&
		mcp_notify no/such/notification &&
		printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}"
	} | mcp_serve >out &&
	test ! -s out
'

test_expect_success 'tools/list offers every registry tool with an object schema' '
	{ mcp_init 1 && mcp_request 2 tools/list; } | mcp_serve >out &&
	tool_names >names &&
	n=$(wc -l <names) &&
	test "$n" -ge 6 &&
	test "$(mcp_get 2 ".result.tools#" <out)" -eq "$n" &&
	i=0 &&
	while test $i -lt "$n"
	do
		name=$(mcp_get 2 ".result.tools[$i].name" <out) &&
		test "$name" = "$(sed -n "$((i + 1))p" names | tr . _)" &&
		mcp_get 2 ".result.tools[$i].title" <out >/dev/null &&
		test "$(mcp_get 2 ".result.tools[$i].inputSchema.type" <out)" = object &&
		mcp_get 2 ".result.tools[$i].inputSchema.properties" <out >/dev/null &&
		mcp_get 2 ".result.tools[$i].description" <out >/dev/null &&
		changes=$("$TEST_TOOLS/jsonq" ".tools[$i].changes" <tools.json) &&
		ro=$(mcp_get 2 ".result.tools[$i].annotations.readOnlyHint" <out) &&
		if test "$changes" = true
		then
			test "$ro" = false &&
			test "$(mcp_get 2 ".result.tools[$i].inputSchema.properties.confirm.type" <out)" = boolean
		else
			test "$ro" = true
		fi || return 1
		i=$((i + 1))
	done
'

test_expect_success 'tool names match the pattern clients enforce; titles are for people' '
	{ mcp_init 1 && mcp_request 2 tools/list; } | mcp_serve >out &&
	n=$(mcp_get 2 ".result.tools#" <out) &&
	i=0 &&
	while test $i -lt "$n"
	do
		mcp_get 2 ".result.tools[$i].name" <out || return 1
		i=$((i + 1))
	done >names &&
	test "$(wc -l <names)" -eq "$n" &&
	test_grep ! -v -E "^[a-zA-Z0-9_-]{1,64}\$" names &&
	test_grep "^pkg_install\$" names &&
	test_grep "^pkg_check_vuln\$" names &&
	test "$(mcp_get 2 ".result.tools[0].annotations.title" <out)" = \
		"$(mcp_get 2 ".result.tools[0].title" <out)"
'

test_expect_success 'tools/call takes both spellings: pkg_search and pkg.search' '
	{
		mcp_init 1 &&
		mcp_call 2 pkg_search "{\"query\":\"cmd:dig\"}" &&
		mcp_call 3 pkg.search "{\"query\":\"cmd:dig\"}"
	} | mcp_serve >out &&
	test "$(mcp_get 2 ".result.structuredContent.packages[0].name" <out)" = bind-tools &&
	test "$(mcp_get 3 ".result.structuredContent.packages[0].name" <out)" = bind-tools &&
	"$AIPKG" --root "$ROOT" tool pkg_search "{\"query\":\"cmd:dig\"}" >result &&
	test_grep "\"name\": \"bind-tools\"" result
'

test_expect_success 'a tool with a fixed result shape declares an outputSchema that covers errors' '
	{ mcp_init 1 && mcp_request 2 tools/list; } | mcp_serve >out &&
	n=$(mcp_get 2 ".result.tools#" <out) &&
	i=0 &&
	while test $i -lt "$n"
	do
		test "$(mcp_get 2 ".result.tools[$i].outputSchema.type" <out)" = object &&
		mcp_get 2 ".result.tools[$i].outputSchema.properties.error" <out >/dev/null &&
		mcp_get 2 ".result.tools[$i].outputSchema.properties.warnings" <out >/dev/null ||
		return 1
		i=$((i + 1))
	done &&
	test "$(mcp_get 2 ".result.tools[0].outputSchema.anyOf[1].required[0]" <out)" = error
'

test_expect_success 'the tools/list schemas are the ones aipkg tool --list prints' '
	{ mcp_init 1 && mcp_request 2 tools/list; } | mcp_serve >out &&
	n=$("$TEST_TOOLS/jsonq" ".tools#" <tools.json) &&
	i=0 &&
	while test $i -lt "$n"
	do
		mcp_get 2 ".result.tools[$i].inputSchema" <out >a &&
		"$TEST_TOOLS/jsonq" ".tools[$i].schema" <tools.json >b &&
		test_cmp b a || return 1
		i=$((i + 1))
	done
'

test_expect_success 'malformed JSON is a parse error naming the id it reached, and the server goes on' '
	{
		printf "%s\n" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" "not json" "{} {}" \
			"{\"jsonrpc\":\"2.0\",\"id\":3,\"id\":4,\"method\":\"ping\"}" &&
		mcp_request 5 ping
	} | mcp_serve >out &&
	mcp_replies_are_json out &&
	test "$(grep -c "\"code\":-32700" out)" -eq 4 &&
	test "$(mcp_error_code 1 <out)" = -32700 &&
	test_grep ! "\"id\":null" out &&
	test "$(grep -c "^{\"jsonrpc\":\"2.0\",\"error\"" out)" -eq 3 &&
	test "$(mcp_get 5 .result <out)" = "{}"
'

test_expect_success 'no error carries a null id: under 2025-06-18 one without an id is only logged' '
	{ mcp_init 1 2025-06-18 && printf "%s\n" "not json" && mcp_request 2 ping; } |
		mcp_serve >out 2>err &&
	test "$(wc -l <out)" -eq 2 &&
	test_grep ! "\"id\":null" out &&
	test_grep "not answered, as protocol 2025-06-18 has no error reply without" err &&
	{ mcp_init 1 2025-11-25 && printf "%s\n" "not json"; } | mcp_serve >out &&
	test "$(mcp_get none .error.code <out)" = -32700
'

test_expect_success 'a 2 MiB request, its id last as the TypeScript SDK writes it: too large, with the id' '
	{
		mcp_init 1 &&
		printf "{\"method\":\"tools/call\",\"params\":{\"name\":\"pkg_search\",\"arguments\":{\"query\":\"" &&
		dd if=/dev/zero bs=1024 count=2048 2>/dev/null | tr "\000" x &&
		printf "\"}},\"jsonrpc\":\"2.0\",\"id\":7}\n" &&
		mcp_request 8 ping
	} | mcp_serve >out 2>err &&
	test "$(mcp_error_code 7 <out)" = -32600 &&
	mcp_get 7 .error.message <out >msg &&
	test_grep "too large" msg &&
	test "$(mcp_get 8 .result <out)" = "{}"
'

test_expect_success 'a batch outside revision 2025-03-26: each request hears why, under its id' '
	{
		printf "%s\n" "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"ping\"}]" &&
		mcp_request 2 ping
	} | mcp_serve >out &&
	test "$(mcp_error_code 1 <out)" = -32600 &&
	test "$(mcp_get b .error.code <out)" = -32600 &&
	mcp_get 1 .error.message <out >msg &&
	test_grep "batches are part of MCP revision 2025-03-26" msg &&
	test "$(mcp_get 2 .result <out)" = "{}"
'

test_expect_success 'under revision 2025-03-26 a batch is answered with one array' '
	{
		mcp_init 1 2025-03-26 &&
		printf "%s\n" "[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"pkg_search\",\"arguments\":{\"query\":\"cmd:dig\"}}}]"
	} | mcp_serve >out &&
	"$TEST_TOOLS/jsonq" -n 2 ".#" <out >count &&
	echo 2 >expect && test_cmp expect count &&
	test "$("$TEST_TOOLS/jsonq" -n 2 "[0].id" <out)" = 2 &&
	test "$("$TEST_TOOLS/jsonq" -n 2 "[1].result.structuredContent.packages[0].name" <out)" = bind-tools
'

test_expect_success 'invalid requests: not an object, wrong jsonrpc, bad id, no method' '
	printf "%s\n" 42 "\"x\"" "{\"id\":1,\"method\":\"ping\"}" \
		"{\"jsonrpc\":\"1.0\",\"id\":2,\"method\":\"ping\"}" \
		"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":4}" \
		"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}" \
		"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}" | mcp_serve >out &&
	test "$(grep -c "\"code\":-32600" out)" -eq 7 &&
	test_grep ! "\"id\":null" out &&
	test "$(mcp_error_code 1 <out)" = -32600 &&
	test "$(mcp_error_code 2 <out)" = -32600 &&
	test "$(mcp_error_code 3 <out)" = -32600
'

test_expect_success 'an unknown method is -32601' '
	{ mcp_init 1 && mcp_request 2 resources/list && mcp_request 3 no/such; } | mcp_serve >out &&
	test "$(mcp_error_code 2 <out)" = -32601 &&
	test "$(mcp_error_code 3 <out)" = -32601
'

test_expect_success 'bad params: unknown tool, wrong types, missing and extra arguments' '
	{
		mcp_init 1 &&
		mcp_request 2 ping "[]" &&
		mcp_request 3 tools/call "{\"arguments\":{}}" &&
		mcp_call 4 pkg.no_such_tool "{}" &&
		mcp_call 5 pkg.info "{\"package\":42}" &&
		mcp_call 6 pkg.info "{}" &&
		mcp_call 7 pkg.info "{\"package\":\"nginx\",\"extra\":true}" &&
		mcp_call 8 pkg.list "[\"installed\"]" &&
		mcp_call 9 pkg.list "{\"filter\":\"everything\"}" &&
		mcp_call 10 pkg.install "{\"packages\":\"nginx\",\"confirm\":true}" &&
		mcp_request 11 initialize "{}" &&
		mcp_request 12 ping
	} | mcp_serve >out &&
	for id in 2 3 4 5 6 7 8 9 10 11
	do
		test "$(mcp_error_code $id <out)" = -32602 || return 1
	done &&
	mcp_get 4 .error.message <out >msg && test_grep "unknown tool" msg &&
	mcp_get 5 .error.message <out >msg && test_grep "must be a string, not an integer" msg &&
	mcp_get 6 .error.message <out >msg && test_grep "missing required argument .package." msg &&
	mcp_get 7 .error.message <out >msg && test_grep "unknown argument .extra." msg &&
	test "$(mcp_get 12 .result <out)" = "{}" &&
	test_path_is_missing "$ROOT/usr/sbin/nginx"
'

test_expect_success 'under revision 2025-11-25 bad arguments are tool errors the model reads' '
	{ mcp_init 1 2025-11-25 && mcp_call 2 pkg.info "{\"package\":42}"; } | mcp_serve >out &&
	test "$(mcp_get 2 .result.isError <out)" = true &&
	test "$(mcp_tool_error 2 <out)" = usage
'

test_expect_success 'a line over 1 MiB is refused unread and the server resyncs' '
	{
		mcp_init 1 2025-11-25 &&
		dd if=/dev/zero bs=1024 count=1100 2>/dev/null | tr "\000" x &&
		echo &&
		mcp_request 2 ping
	} | mcp_serve >out 2>err &&
	test "$(mcp_get none .error.code <out)" = -32600 &&
	mcp_get none .error.message <out >msg &&
	test_grep "too large" msg &&
	test "$(mcp_get 2 .result <out)" = "{}" &&
	test_grep "skipped a message" err
'

test_expect_success 'stdin closed mid-message: the server exits cleanly' '
	{ mcp_request 1 ping && printf "%s" "{\"jsonrpc\":\"2.0\",\"id\":2,\"meth"; } |
		mcp_serve >out 2>err &&
	test "$(mcp_get 1 .result <out)" = "{}" &&
	test "$(wc -l <out)" -eq 1 &&
	test_grep "ended in the middle of a message" err &&
	mcp_serve </dev/null >out &&
	test ! -s out
'

test_expect_success 'stdout carries only protocol messages, even with --verbose' '
	{ mcp_init 1 && mcp_request 2 tools/list && mcp_call 3 pkg.list "{}" &&
	  printf "%s\n" "garbage"; } | mcp_serve -v >out 2>err &&
	mcp_replies_are_json out &&
	test "$(wc -l <out)" -eq 3 &&
	test_grep "speaking 2025-06-18" err &&
	test_grep "not answered" err
'

test_expect_success '--read-only lists and runs only the tools that change nothing' '
	{
		mcp_init 1 &&
		mcp_request 2 tools/list &&
		mcp_call 3 pkg.install "{\"packages\":[\"nginx\"],\"confirm\":true}" &&
		mcp_call 4 pkg.list "{}"
	} | mcp_serve --read-only >out &&
	tool_names false >read-tools &&
	test "$(mcp_get 2 ".result.tools#" <out)" -eq "$(wc -l <read-tools)" &&
	! grep "\"readOnlyHint\":false" out &&
	test "$(mcp_error_code 3 <out)" = -32602 &&
	mcp_get 3 .error.message <out >msg && test_grep "read-only" msg &&
	test "$(mcp_get 4 .result.isError <out)" = false &&
	test_path_is_missing "$ROOT/usr/sbin/nginx" &&
	mcp_get 1 .result.instructions <out >msg && test_grep "read-only" msg
'

test_expect_success '--yes does not apply to mcp' '
	test_expect_code 2 mcp_serve --yes </dev/null >out 2>err &&
	test ! -s out &&
	test_grep "confirm" err
'

test_expect_success 'mcp takes no arguments' '
	test_expect_code 2 "$AIPKG" --root "$ROOT" mcp extra </dev/null >out 2>err &&
	test ! -s out
'

test_done
