#!/bin/sh
# t0905: an API key is never sent over plain http to another machine unless allow_insecure says so (issue 12.7).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='API keys and plain http

A key was sent over plain http:// to any host, silently.  It now goes in
clear text only to this machine (localhost, 127.0.0.0/8, ::1: an Ollama or
llama.cpp server); to anything else aipkg refuses, says why, and the
offline planner answers, unless the tier says allow_insecure: true.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
CONFIG=$ROOT/etc/aipkg/aipkg.yaml
STUB_KEY=sk-test-0123456789
export STUB_KEY

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

# tier_at URL [EXTRA]: the tactical tier at URL, with the key.
tier_at () {
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "llm:\n  tactical:\n    provider: openai\n    base_url: %s\n    model: m\n    api_key_env: STUB_KEY\n    timeout: 5\n    retries: 0\n%b" \
		"$1" "${2:-}" >"$CONFIG"
}

test_expect_success 'setup: a root, a model on loopback' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"lighttpd\",\"reason\":\"a web server\"}]}" &&
	llm_stub -k "$STUB_KEY" "content=plan.json" "content=plan.json"
'

test_expect_success 'loopback over http gets the key' '
	tier_at "http://127.0.0.1:$LLM_PORT/v1" &&
	aipkg ask "a web server" >out 2>err &&
	test_grep "llm:tactical" out &&
	test_grep ! "refusing to send" err &&
	test_grep "^Authorization: Bearer $STUB_KEY" "$LLM_LOG/1.req"
'

test_expect_success 'another machine over http does not, and is told why' '
	tier_at "http://192.0.2.10:8000/v1" &&
	aipkg ask "a web server" >out 2>err &&
	test_grep "llm.tactical: refusing to send the API key in [\$]STUB_KEY over plain http to http://192.0.2.10:8000/v1/chat/completions" err &&
	test_grep "anyone on the network path could read it" err &&
	test_grep "allow_insecure: true" err &&
	test_grep "offline planner answers instead" err &&
	test_grep "^Planner: *offline" out &&
	test_grep ! "$STUB_KEY" out err
'

# 0.0.0.0 is not a name aipkg takes for loopback, yet Linux connects it
# to this machine: the stub stands in for a server on the network.
test_expect_success 'allow_insecure: true lets it go, and aipkg config says so' '
	tier_at "http://0.0.0.0:$LLM_PORT/v1" &&
	aipkg ask "a web server" >out 2>err &&
	test_grep "refusing to send the API key" err &&
	tier_at "http://0.0.0.0:$LLM_PORT/v1" "    allow_insecure: true\n" &&
	aipkg ask "a web server" >out 2>err &&
	test_grep ! "refusing to send" err &&
	test_grep ! "$STUB_KEY" out err &&
	aipkg config >out 2>err &&
	test_grep "allow_insecure" out &&
	"$AIPKG" --root "$ROOT" --json config </dev/null >out.json 2>err &&
	test "$("$TEST_TOOLS/jsonq" .llm.tactical.allow_insecure <out.json)" = true
'

test_expect_success 'allow_insecure must be true or false' '
	tier_at "http://192.0.2.10:8000/v1" "    allow_insecure: maybe\n" &&
	test_expect_code 2 aipkg config >out 2>err &&
	test_grep "aipkg.yaml:9: .llm.tactical.allow_insecure. must be true or false" err
'

test_done
