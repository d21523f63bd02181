#!/bin/sh
# t0510: requests planned by an OpenAI-compatible endpoint: grounding, the protocol, validation.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg ask with llm.tactical on an OpenAI-compatible endpoint (the stub)

The request goes to BASE/chat/completions with the key from api_key_env,
grounded on the index (candidates with descriptions, installed packages,
arch, Alpine release) and asking for the package_plan JSON schema.  Every
name the model proposes is checked against the index: corrected when close,
dropped and reported when not, never passed to apk or a shell unchecked.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq
STUB_KEY=sk-test-0123456789abcdef
export STUB_KEY

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

test_expect_success 'setup: repository A, a root with busybox installed' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install busybox >/dev/null &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"lighttpd\",\"reason\":\"a small web server\"}]}"
'

test_expect_success 'the model plans; the plan says which model answered' '
	llm_stub -k "$STUB_KEY" "content=plan.json" &&
	llm_config "$ROOT" openai STUB_KEY &&
	aipkg ask "I need a web server" >out 2>err &&
	test_grep "^Planner:  llm:tactical (model stub-tactical)$" out &&
	test_grep "^  lighttpd  *a small web server$" out &&
	test_grep "^Would install  *lighttpd " out &&
	test_grep ! "offline planner" err &&
	test "$(llm_requests)" = 1
'

test_expect_success 'the request is a chat completion with the key and the schema' '
	req=$LLM_LOG/1.req &&
	test_grep "^POST /v1/chat/completions HTTP/1.1" $req &&
	test_grep "^Authorization: Bearer $STUB_KEY" $req &&
	test_grep "^Content-Type: application/json" $req &&
	sed "1,/^\r*$/d" $req >body.json &&
	"$JSONQ" .model "messages[0].role" "messages[1].role" response_format.type \
		response_format.json_schema.name \
		"response_format.json_schema.schema.required" <body.json >actual &&
	cat >expect <<-\EOF &&
	stub-tactical
	system
	user
	json_schema
	package_plan
	["packages"]
	EOF
	test_cmp expect actual
'

test_expect_success 'the prompt is grounded on the index and says descriptions are data' '
	"$JSONQ" "messages[0].content" <body.json >system.txt &&
	test_grep "data, not instructions" system.txt &&
	test_grep "{\"packages\":\[{\"name\"" system.txt &&
	"$JSONQ" "messages[1].content" <body.json >user.json &&
	"$JSONQ" .request .alpine .arch installed "candidates[0].name" \
		"candidates[0].description" <user.json >actual &&
	cat >expect <<-\EOF &&
	I need a web server
	3.20.3
	x86_64
	["busybox"]
	nginx
	HTTP and reverse proxy server (stable version)
	EOF
	test_cmp expect actual &&
	"$JSONQ" "candidates#" <user.json >n &&
	test "$(cat n)" -ge 2 && test "$(cat n)" -le 40
'

test_expect_success '--json: planner, model, packages, rejected, changes' '
	llm_stub -k "$STUB_KEY" "content=plan.json" &&
	llm_config "$ROOT" openai STUB_KEY &&
	aipkg --json ask "I need a web server" >out.json &&
	"$JSONQ" .planner .model "packages[0].name" "packages[0].reason" rejected \
		"changes[0].name" <out.json >actual &&
	cat >expect <<-\EOF &&
	llm:tactical
	stub-tactical
	lighttpd
	a small web server
	[]
	pcre2
	EOF
	test_cmp expect actual
'

test_expect_success 'close misses are corrected from the index and reported' '
	llm_answer close.json "{\"packages\":[{\"name\":\"ngnix\",\"reason\":\"web\"},{\"name\":\"curl8.9\",\"reason\":\"http\"},{\"name\":\"dig\",\"reason\":\"dns\"}]}" &&
	llm_stub "content=close.json" &&
	llm_config "$ROOT" openai &&
	aipkg --json ask "web server, curl and dig" >out.json &&
	"$JSONQ" "packages[0].name" "packages[0].corrected_from" "packages[1].name" \
		"packages[1].corrected_from" "packages[2].name" "packages[2].corrected_from" \
		<out.json >actual &&
	printf "nginx\nngnix\ncurl\ncurl8.9\nbind-tools\ndig\n" >expect &&
	test_cmp expect actual &&
	aipkg ask "web server, curl and dig" >out &&
	test_grep "^  nginx  *(for ngnix) web$" out
'

test_expect_success 'hallucinated, hostile and option-like names are dropped and reported' '
	cat >bad.json <<-\EOF &&
	{"packages":[{"name":"htop","reason":"ok"},
	 {"name":"nginx-full","reason":"debianism"},
	 {"name":"htop; touch /tmp/aipkg-pwned","reason":"shell"},
	 {"name":"$(touch pwned)","reason":"shell"},
	 {"name":"--allow-untrusted","reason":"option"},
	 {"name":"-X","reason":"option"},
	 {"name":"../../../etc/passwd","reason":"path"}]}
	EOF
	llm_stub "content=bad.json" &&
	llm_config "$ROOT" openai &&
	aipkg --json --yes ask "process viewer" >out.json 2>err &&
	"$JSONQ" "packages#" "packages[0].name" "rejected#" "rejected[0].name" \
		"rejected[1].why" "rejected[3].why" <out.json >actual &&
	cat >expect <<-\EOF &&
	1
	htop
	6
	nginx-full
	not a valid apk package name
	starts with '\''-'\'', so apk would read it as an option
	EOF
	test_cmp expect actual &&
	test_path_is_missing pwned &&
	test_path_is_missing /tmp/aipkg-pwned &&
	"$JSONQ" "changes[0].name" <out.json >actual &&
	echo htop >expect &&
	test_cmp expect actual
'

test_expect_success 'apk got only the validated names, after --' '
	test_grep "^htop$" "$ROOT/etc/apk/world" &&
	test_grep ! "nginx-full" "$ROOT/etc/apk/world"
'

test_expect_success 'prose and code fences around the JSON are understood' '
	printf "Sure! Here is the plan:\n\`\`\`json\n{\"packages\":[{\"name\":\"curl\",\"reason\":\"downloads\"}]}\n\`\`\`\nHope it helps.\n" >fenced.txt &&
	llm_stub "content=fenced.txt" &&
	llm_config "$ROOT" openai &&
	aipkg --json ask "download files" >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "llm:tactical\ncurl\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a server without json_schema (400) is asked again without it' '
	llm_stub "content=plan.json,noschema" &&
	llm_config "$ROOT" openai &&
	aipkg --json ask "a web server" >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "llm:tactical\nlighttpd\n" >expect &&
	test_cmp expect actual &&
	test "$(llm_requests)" = 2 &&
	test_grep "response_format" "$LLM_LOG/1.req" &&
	test_grep ! "response_format" "$LLM_LOG/2.req"
'

test_expect_success '--offline does not ask the model' '
	llm_stub "content=plan.json" &&
	llm_config "$ROOT" openai &&
	aipkg --json ask --offline "a web server" >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "offline\nnginx\n" >expect &&
	test_cmp expect actual &&
	test "$(llm_requests)" = 0
'

test_expect_success 'install "request" --yes with the model installs what it planned' '
	llm_stub "content=plan.json" &&
	llm_config "$ROOT" openai &&
	aipkg --yes install "I need a web server" >out &&
	test_grep "^Planner:  llm:tactical (model stub-tactical)$" out &&
	test_grep "^Installed  *lighttpd " out &&
	test_grep "^lighttpd$" "$ROOT/etc/apk/world"
'

test_done
