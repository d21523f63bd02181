#!/bin/sh
# t0550: when apk refuses a model's plan, the model is asked once for another; else apk's reason stops it.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='conflicts in a planned request

The plan is simulated with apk --simulate.  When apk refuses it (packages
that conflict, a dependency nobody provides) the tactical model is asked
once, with apk'"'"'s reason, for another set among the indexed alternatives;
when that fails too, or the offline planner made the plan, apk'"'"'s reason is
shown and nothing changes.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

test_expect_success 'setup' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	llm_answer both.json "{\"packages\":[{\"name\":\"telnet-a\",\"reason\":\"a\"},{\"name\":\"telnet-b\",\"reason\":\"b\"}]}" &&
	llm_answer one.json "{\"packages\":[{\"name\":\"telnet-b\",\"reason\":\"the newer client\"}]}"
'

test_expect_success 'a conflict is resolved by asking the model once more' '
	llm_stub "content=both.json" "content=one.json" &&
	llm_config "$ROOT" openai &&
	aipkg --json ask "a telnet client" >out.json 2>err &&
	test_grep "conflict" err &&
	test_grep "asking the model for another set" err &&
	"$JSONQ" "packages#" "packages[0].name" "conflict.tried" "changes[0].name" <out.json >actual &&
	cat >expect <<-\EOF &&
	1
	telnet-b
	["telnet-a","telnet-b"]
	telnet-b
	EOF
	test_cmp expect actual &&
	"$JSONQ" conflict.apk_error <out.json >apk_error &&
	test_grep "telnet" apk_error &&
	test "$(llm_requests)" = 2
'

test_expect_success 'the second question carries what apk said and what was tried' '
	sed "1,/^\r*$/d" "$LLM_LOG/2.req" >body.json &&
	"$JSONQ" "messages[1].content" <body.json >user.json &&
	"$JSONQ" tried <user.json >actual &&
	echo "[\"telnet-a\",\"telnet-b\"]" >expect &&
	test_cmp expect actual &&
	"$JSONQ" apk_error <user.json >apk_error &&
	test_grep "telnet" apk_error &&
	"$JSONQ" "messages[0].content" <body.json >system.txt &&
	test_grep "apk refused the packages" system.txt
'

test_expect_success 'the resolved plan installs with --yes' '
	llm_stub "content=both.json" "content=one.json" &&
	llm_config "$ROOT" openai &&
	aipkg --yes install "a telnet client" >out &&
	test_grep "^Installed  *telnet-b " out &&
	test_grep "^telnet-b$" "$ROOT/etc/apk/world"
'

test_expect_success 'when the answer still conflicts, apk'"'"'s reason stops it' '
	fixture_root "$ROOT" "$REPO_A" &&
	llm_stub "content=both.json" &&
	llm_config "$ROOT" openai &&
	test_expect_code 1 aipkg --yes install "a telnet client" >out 2>err &&
	test_grep "error: apk add failed" err &&
	test_grep "telnet" err &&
	test "$(llm_requests)" = 2 &&
	test_must_fail grep . "$ROOT/etc/apk/world"
'

test_expect_success 'a missing dependency is resolved the same way' '
	llm_answer broken.json "{\"packages\":[{\"name\":\"broken\",\"reason\":\"x\"}]}" &&
	llm_answer htop.json "{\"packages\":[{\"name\":\"htop\",\"reason\":\"works\"}]}" &&
	llm_stub "content=broken.json" "content=htop.json" &&
	llm_config "$ROOT" openai &&
	aipkg --json ask "some tool" >out.json 2>err &&
	"$JSONQ" "packages[0].name" <out.json >actual &&
	echo htop >expect &&
	test_cmp expect actual
'

test_expect_success 'the offline planner does not guess: apk'"'"'s reason, exit 1' '
	rm -f "$ROOT/etc/aipkg/aipkg.yaml" &&
	test_expect_code 1 aipkg ask "telnet-a and telnet-b" >out 2>err &&
	test_grep "error: apk add failed" err &&
	test_grep ! "asking the model" err
'

test_done
