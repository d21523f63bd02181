#!/bin/sh
# t0570: the journal records a planned request: the words, the planner, the model, the plan; never the key.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='journal entries of installs made from requests'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq
JOURNAL_TEST_KEY=sk-journal-never-written-1234
export JOURNAL_TEST_KEY

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# entry ID: the journal file of operation ID.
entry () {
	find "$ROOT/var/lib/aipkg/journal" -name "$(printf %08d "$1").txt"
}

test_expect_success 'setup' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A"
'

test_expect_success 'an offline plan: request and planner, no model' '
	aipkg --yes install "I need a web server" >out &&
	f=$(entry 1) &&
	test_grep "^request: I need a web server$" "$f" &&
	test_grep "^planner: offline$" "$f" &&
	test_grep ! "^model:" "$f" &&
	test_grep "^plan: \[{\"name\":\"nginx\",\"reason\":\"web server: HTTP and reverse proxy" "$f" &&
	test_grep "^change: install nginx - 1.26.2-r0$" "$f"
'

test_expect_success 'a model'"'"'s plan: planner and model too, never the key' '
	llm_answer plan.json "{\"packages\":[{\"name\":\"htop\",\"reason\":\"watch processes\"}]}" &&
	llm_stub -k "$JOURNAL_TEST_KEY" "content=plan.json" &&
	llm_config "$ROOT" openai JOURNAL_TEST_KEY &&
	aipkg --yes ask "show me what eats the CPU" >out &&
	f=$(entry 2) &&
	test_grep "^request: show me what eats the CPU$" "$f" &&
	test_grep "^planner: llm:tactical$" "$f" &&
	test_grep "^model: stub-tactical$" "$f" &&
	test_grep "^plan: \[{\"name\":\"htop\",\"reason\":\"watch processes\"}\]$" "$f" &&
	test_must_fail grep -r "$JOURNAL_TEST_KEY" "$ROOT/var/lib/aipkg"
'

test_expect_success 'the plan in the journal is exact JSON; only the terminal escapes it' '
	llm_answer plan.json "{\"packages\":[{\"name\":\"zlib\",\"reason\":\"packs \\u001b[31mdata\\u001b[0m\\nfast\"}]}" &&
	llm_stub -k "$JOURNAL_TEST_KEY" "content=plan.json" &&
	llm_config "$ROOT" openai JOURNAL_TEST_KEY &&
	aipkg --yes ask "compress things" >out &&
	id=$("$JSONQ" "transactions[0].id" <"$(aipkg --json history >h.json && echo h.json)") &&
	aipkg --json history "$id" >one.json &&
	"$JSONQ" "transactions[0].plan" <one.json >plan.txt &&
	"$JSONQ" "[0].reason" <plan.txt >reason &&
	printf "packs \033[31mdata\033[0m\nfast\n" >expect &&
	test_cmp expect reason &&
	aipkg history "$id" >text &&
	test_grep "packs .x1b\[31mdata.x1b\[0m.nfast" text &&
	test_must_fail grep "$(printf "\033")" text out
'

test_expect_success 'history shows the request' '
	aipkg --json history >out.json &&
	"$JSONQ" "transactions[0].request" "transactions[1].request" "transactions[2].request" <out.json >actual &&
	printf "compress things\nshow me what eats the CPU\nI need a web server\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a plain install has no request' '
	aipkg --yes install curl >out &&
	f=$(entry 4) &&
	test_grep ! "^request:" "$f" &&
	test_grep ! "^planner:" "$f"
'

test_expect_success 'a dry run writes no entry' '
	aipkg --dry-run ask "a DNS lookup tool" >out &&
	test -z "$(entry 5)"
'

test_done
