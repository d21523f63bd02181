#!/bin/sh
# t0530: a model that is down, slow, refusing, rate-limited or answering nonsense: clear words, the offline planner.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='every fault of the llm endpoint ends in the offline planner, said so

Down, too slow, 401, 429 (Retry-After honoured, or past the deadline),
500, a hang-up, a body that is not JSON, JSON of the wrong shape, an empty
list, names that do not exist, a cut-off answer, a huge answer: each gets a
warning naming what went wrong and the offline planner answers; nothing is
installed without a yes.  Broken llm configuration is exit 2.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq
LLM_KEY=sk-fault-test-key
export LLM_KEY

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# ask_falls_back WARNING: ask for a web server; the offline planner must
# answer with nginx, after a warning matching WARNING.
ask_falls_back () {
	aipkg --json ask "I need a web server" >out.json 2>err &&
	test_grep "$1" err &&
	test_grep "the offline planner answers instead" err &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "offline\nnginx\n" >expect &&
	test_cmp expect actual &&
	"$JSONQ" .fallback <out.json >fallback &&
	test_grep "$1" fallback
}

test_expect_success 'setup' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"lighttpd\",\"reason\":\"small\"}]}"
'

test_expect_success 'endpoint down' '
	llm_stub "content=plan.json" &&
	llm_config "$ROOT" openai LLM_KEY 5 1 &&
	llm_stop &&
	ask_falls_back "cannot reach the endpoint"
'

test_expect_success 'a model slower than the timeout' '
	llm_stub "content=plan.json,delay=4" &&
	llm_config "$ROOT" openai LLM_KEY 1 0 &&
	start=$(date +%s) &&
	ask_falls_back "did not answer within 1 s (llm.tactical.timeout)" &&
	test $(($(date +%s) - start)) -lt 4
'

test_expect_success '429 with Retry-After is retried after the wait' '
	llm_stub "status=429,retry-after=1" "content=plan.json" &&
	llm_config "$ROOT" openai LLM_KEY 10 2 &&
	aipkg --json ask "I need a web server" >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "llm:tactical\nlighttpd\n" >expect &&
	test_cmp expect actual &&
	test "$(llm_requests)" = 2
'

test_expect_success '429 asking for a wait past the deadline is not waited for' '
	llm_stub "status=429,retry-after=120" "content=plan.json" &&
	llm_config "$ROOT" openai LLM_KEY 5 2 &&
	start=$(date +%s) &&
	ask_falls_back "asked to retry in 120 s (HTTP 429), past the 5 s deadline" &&
	test $(($(date +%s) - start)) -lt 3 &&
	test "$(llm_requests)" = 1
'

test_expect_success '500 is retried, then given up' '
	llm_stub "status=500" &&
	llm_config "$ROOT" openai LLM_KEY 10 2 &&
	ask_falls_back "answered HTTP 500: scripted failure" &&
	test "$(llm_requests)" = 3
'

test_expect_success 'a hang-up without an answer' '
	llm_stub "close" &&
	llm_config "$ROOT" openai LLM_KEY 5 0 &&
	ask_falls_back "cannot reach the endpoint"
'

test_expect_success '401: the key is wrong, and not printed' '
	llm_stub -k the-right-key "content=plan.json" &&
	llm_config "$ROOT" openai LLM_KEY 5 2 &&
	ask_falls_back "refused the API key in \$LLM_KEY (HTTP 401)" &&
	test_grep ! "$LLM_KEY" err &&
	test_grep ! "$LLM_KEY" out.json &&
	test "$(llm_requests)" = 1
'

test_expect_success 'the key variable is not set: no request at all' '
	llm_stub "content=plan.json" &&
	llm_config "$ROOT" openai UNSET_KEY_VARIABLE 5 2 &&
	ask_falls_back "the API key variable \$UNSET_KEY_VARIABLE (llm.tactical.api_key_env) is not set" &&
	test "$(llm_requests)" = 0
'

test_expect_success 'a body that is not JSON' '
	echo "<html><body>502 Bad Gateway</body></html>" >html.txt &&
	llm_stub "raw=html.txt" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "is not JSON"
'

test_expect_success 'JSON that is not a chat completion' '
	echo "{\"result\":\"ok\"}" >other.json &&
	llm_stub "raw=other.json" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "is not a chat completion"
'

test_expect_success 'an answer without a JSON object' '
	echo "I am sorry, but I cannot help with installing software." >sorry.txt &&
	llm_stub "content=sorry.txt" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "holds no JSON object"
'

test_expect_success 'JSON of the wrong shape' '
	llm_answer shape.json "{\"pkgs\":[\"lighttpd\"]}" &&
	llm_stub "content=shape.json" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "has no \"packages\" list"
'

test_expect_success 'an empty list' '
	llm_answer empty.json "{\"packages\":[]}" &&
	llm_stub "content=empty.json" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "the model proposed no package"
'

test_expect_success 'only names that do not exist: listed as rejected, offline answers' '
	llm_answer fake.json "{\"packages\":[{\"name\":\"apache-httpd-pro\",\"reason\":\"x\"},{\"name\":\"webserverd\",\"reason\":\"y\"}]}" &&
	llm_stub "content=fake.json" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "all 2 packages the model proposed were rejected: .apache-httpd-pro. (not in the indexes), .webserverd. (not in the indexes)" &&
	"$JSONQ" "rejected[0].name" "rejected[1].name" <out.json >actual &&
	printf "apache-httpd-pro\nwebserverd\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'an answer cut off at the token limit' '
	printf "{\"packages\":[{\"name\":\"lig" >cut.txt &&
	llm_stub "content=cut.txt,finish=length" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "was cut off before its JSON object ended"
'

test_expect_success 'a huge answer is capped, not read' '
	llm_stub "huge=8000000" &&
	llm_config "$ROOT" openai &&
	ask_falls_back "is larger than 1024 KiB; ignored"
'

test_expect_success 'none of the faults installed anything' '
	test_must_fail grep . "$ROOT/etc/apk/world"
'

test_expect_success 'llm: {} is offline, without a warning' '
	mkdir -p "$ROOT/etc/aipkg" &&
	echo "llm: {}" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	aipkg --json ask "a web server" >out.json 2>err &&
	test_grep ! "warning: llm" err &&
	"$JSONQ" .planner <out.json >actual &&
	echo offline >expect &&
	test_cmp expect actual
'

test_expect_success 'a broken llm configuration is exit 2 naming the key' '
	cfg=$ROOT/etc/aipkg/aipkg.yaml &&
	printf "llm:\n  tactical:\n    provider: gemini\n    base_url: http://x\n    model: m\n" >"$cfg" &&
	test_expect_code 2 aipkg ask "a web server" 2>err &&
	test_grep "aipkg.yaml:3: .llm.tactical.provider. must be one of openai|anthropic" err &&
	printf "llm:\n  tactical:\n    provider: openai\n    base_url: http://x\n" >"$cfg" &&
	test_expect_code 2 aipkg ask "a web server" 2>err &&
	test_grep "llm.tactical needs provider, base_url and model together" err &&
	printf "llm:\n  strategic:\n    provider: openai\n    base_url: ftp://x\n    model: m\n" >"$cfg" &&
	test_expect_code 2 aipkg ask "a web server" 2>err &&
	test_grep "llm.strategic base_url must be an http:// or https:// URL" err &&
	printf "llm:\n  tactical:\n    api_key: sk-in-the-file\n" >"$cfg" &&
	test_expect_code 2 aipkg ask "a web server" 2>err &&
	test_grep "unknown key .llm.tactical.api_key." err &&
	rm "$cfg"
'

test_done
