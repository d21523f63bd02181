#!/bin/sh
# t0918: what aipkg sends a language model (apk's errors, the request) holds no repository password, token or API key.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='secrets stay out of the text sent to a model

Messages, the journal and the terminal masked the secrets of URLs, but
what aipkg sent to the language model did not: apk'"'"'s error about a
repository (apk quotes its URL with the user name and the query, a
token), sent with the question for advice, and the request as typed,
went out whole, and the diagnosis in --json (which MCP clients pass on
to their model) kept apk'"'"'s text raw.  Every question now leaves with
URL secrets masked, and with the values of the API keys and of the
passwords and tokens of the configured repositories masked wherever they
stand.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq
KEY=sk-test-sent-0123456789abcdef
PASSWORD=Pa55-word-4711
TOKEN=tok-Secret-8472-xyz
DEAD_REPO="http://bob:$PASSWORD@127.0.0.1:1/alpine?token=$TOKEN"

aipkg () {
	AIPKG_T_KEY=$KEY "$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

# body N: the body of the stub's Nth request.
body () {
	sed "1,/^\r*$/d" "$LLM_LOG/$1.req"
}

# no_secret FILE: FILE holds none of the secrets, and says where one was.
no_secret () {
	test_grep ! -e "$PASSWORD" -e "$TOKEN" -e "$KEY" -e "bob:" "$1"
}

test_expect_success 'setup: a root, a model with a key' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	llm_answer advice.json "{\"advice\":\"check the repository\"}" &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"zlib\",\"reason\":\"compression\"}]}"
'

test_expect_success 'apk'"'"'s error about a repository goes to the model masked' '
	fixture_use_repos "$ROOT" "$DEAD_REPO" &&
	llm_stub -k "$KEY" "content=advice.json" &&
	llm_config "$ROOT" openai AIPKG_T_KEY &&
	test_expect_code 1 aipkg --yes update >out 2>err &&
	test "$(llm_requests)" = 1 &&
	body 1 >body.json &&
	"$JSONQ" "messages[1].content" <body.json >question.json &&
	"$JSONQ" apk_error <question.json >apk_error &&
	test_grep "127.0.0.1:1/alpine" apk_error &&
	test_grep "token=\*\*\*" apk_error &&
	no_secret body.json &&
	test_grep "^Authorization: Bearer $KEY" "$LLM_LOG/1.req"
'

test_expect_success 'the diagnosis in --json keeps no secret of apk'"'"'s text' '
	llm_stub -k "$KEY" "content=advice.json" &&
	llm_config "$ROOT" openai AIPKG_T_KEY &&
	test_expect_code 1 aipkg --json --yes update >out.json 2>err &&
	"$JSONQ" diagnosis.apk_error <out.json >apk_error &&
	test_grep "127.0.0.1:1/alpine" apk_error &&
	no_secret out.json &&
	no_secret err
'

# ask_model REQUEST: ask a fresh stub; the request as the model got it
# into request.txt, the whole body into body.json.
ask_model () {
	llm_stub -k "$KEY" "content=plan.json" &&
	llm_config "$ROOT" openai AIPKG_T_KEY &&
	aipkg --json ask "$1" >out.json 2>err &&
	body 1 >body.json &&
	"$JSONQ" "messages[1].content" <body.json >question.json &&
	"$JSONQ" request <question.json >request.txt
}

test_expect_success 'a request quoting a URL with a password, a token and the key' '
	fixture_use_repos "$ROOT" "$REPO_A" "$DEAD_REPO" &&
	ask_model "a client for $DEAD_REPO and for the key $KEY" &&
	test_grep "a client for http://\*\*\*@127.0.0.1:1/alpine?token=\*\*\* and for the key \*\*\*" request.txt &&
	no_secret body.json
'

test_expect_success 'a repository password quoted outside its URL is masked too' '
	ask_model "compress with $PASSWORD or $TOKEN" &&
	test_grep "compress with \*\*\* or \*\*\*" request.txt &&
	no_secret body.json
'

test_done
