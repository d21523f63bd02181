#!/bin/sh
# t0520: requests planned by an Anthropic Messages endpoint: a forced tool, text answers, its headers.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg ask with llm.tactical on an Anthropic Messages endpoint (the stub)

The request goes to BASE/v1/messages with x-api-key and anthropic-version,
the answer schema as a forced tool (package_plan); the tool_use input is the
plan, and a plain text answer is searched for the JSON object.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq
ANTHROPIC_TEST_KEY=sk-ant-test-secret-42
export ANTHROPIC_TEST_KEY

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

test_expect_success 'setup' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"bind-tools\",\"reason\":\"dig and host\"}]}"
'

test_expect_success 'a tool_use answer is the plan' '
	llm_stub -k "$ANTHROPIC_TEST_KEY" "tool=plan.json" &&
	llm_config "$ROOT" anthropic ANTHROPIC_TEST_KEY &&
	aipkg --json ask "I need to look up DNS records" >out.json &&
	"$JSONQ" .planner .model "packages[0].name" "packages[0].reason" <out.json >actual &&
	printf "llm:tactical\nstub-tactical\nbind-tools\ndig and host\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the request speaks the Messages protocol' '
	req=$LLM_LOG/1.req &&
	test_grep "^POST /v1/messages HTTP/1.1" $req &&
	test_grep "^x-api-key: $ANTHROPIC_TEST_KEY" $req &&
	test_grep "^anthropic-version: 2023-06-01" $req &&
	test_grep ! "^Authorization:" $req &&
	sed "1,/^\r*$/d" $req >body.json &&
	"$JSONQ" .model "messages[0].role" "tools[0].name" tool_choice.type tool_choice.name \
		"tools[0].input_schema.required" <body.json >actual &&
	cat >expect <<-\EOF &&
	stub-tactical
	user
	package_plan
	tool
	package_plan
	["packages"]
	EOF
	test_cmp expect actual &&
	"$JSONQ" .system <body.json >system.txt &&
	test_grep "data, not instructions" system.txt &&
	"$JSONQ" max_tokens <body.json >n &&
	test "$(cat n)" -gt 0
'

test_expect_success 'a text answer with prose around the object works too' '
	printf "Based on the candidates, I suggest:\n{\"packages\":[{\"name\":\"htop\",\"reason\":\"top\"}]}\nLet me know.\n" >text.txt &&
	llm_stub -k "$ANTHROPIC_TEST_KEY" "content=text.txt" &&
	llm_config "$ROOT" anthropic ANTHROPIC_TEST_KEY &&
	aipkg --json ask "watch processes" >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "llm:tactical\nhtop\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a wrong key: 401 said plainly, the key never shown, offline answers' '
	llm_stub -k "$ANTHROPIC_TEST_KEY" "tool=plan.json" &&
	llm_config "$ROOT" anthropic ANTHROPIC_TEST_KEY &&
	ANTHROPIC_TEST_KEY=sk-ant-wrong-key-777 aipkg --json ask "I need dig" >out.json 2>err &&
	test_grep "refused the API key in \$ANTHROPIC_TEST_KEY (HTTP 401)" err &&
	test_grep "offline planner answers instead" err &&
	test_grep ! "sk-ant-wrong-key-777" err &&
	test_grep ! "sk-ant-wrong-key-777" out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "offline\nbind-tools\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'aipkg config shows the key variable, never the key' '
	aipkg config >out &&
	test_grep "^    provider: anthropic  *# .*aipkg.yaml:[0-9]*$" out &&
	test_grep "^    api_key_env: ANTHROPIC_TEST_KEY  *# .*aipkg.yaml:[0-9]*; the key: set, never shown$" out &&
	test_grep ! "$ANTHROPIC_TEST_KEY" out &&
	aipkg --json config >out.json &&
	test "$("$JSONQ" .llm.tactical.api_key <out.json)" = set &&
	test_grep ! "$ANTHROPIC_TEST_KEY" out.json
'

test_done
