#!/bin/sh
# t0915: the LLM's API key variable is never in the environment of apk or any other child (session 3 attack).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the variable holding the API key stays with aipkg

aipkg reads the LLM key from the variable llm.TIER.api_key_env names.
Every child inherited it: apk, and through the agent the checks that run
a package'"'"'s own programs (agent.checks, "nginx -t") and the init
scripts rc-service starts, so a program from a hostile repository could
read the key, and a failing check could print it into the agent'"'"'s
report.  Children get the environment without those variables.  And an
endpoint that echoes the key in its answer (a proxy that shows what it
was sent) had it journalled for every user to read: it is masked in the
answer before anything else sees it.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
WRAP=$TRASH_DIRECTORY/apk-wrap
KEY=sk-test-aipkg-0123456789abcdef

aipkg () {
	AIPKG_APK=$WRAP AIPKG_T_TACTICAL_KEY=$KEY AIPKG_T_STRATEGIC_KEY=$KEY-s \
		"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

test_expect_success 'setup: an apk that writes down its environment, two tiers with keys' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	{
		echo "#!/bin/sh" &&
		echo "env >>\"$TRASH_DIRECTORY/apk-env\"" &&
		echo "exec $AIPKG_APK \"\$@\""
	} >"$WRAP" &&
	chmod +x "$WRAP" &&
	mkdir -p "$ROOT/etc/aipkg" &&
	cat >"$ROOT/etc/aipkg/aipkg.yaml" <<-\EOF
	llm:
	  tactical:
	    provider: openai
	    base_url: http://127.0.0.1:1/v1
	    model: small
	    api_key_env: AIPKG_T_TACTICAL_KEY
	  strategic:
	    provider: anthropic
	    base_url: http://127.0.0.1:1
	    model: large
	    api_key_env: AIPKG_T_STRATEGIC_KEY
	EOF
'

test_expect_success 'apk runs without either key variable' '
	rm -f apk-env &&
	aipkg --yes install zlib >out 2>err &&
	test_path_is_file apk-env &&
	test_grep "^PATH=" apk-env &&
	test_grep ! "AIPKG_T_TACTICAL_KEY" apk-env &&
	test_grep ! "AIPKG_T_STRATEGIC_KEY" apk-env &&
	test_grep ! "$KEY" apk-env
'

test_expect_success 'other variables still reach apk' '
	rm -f apk-env &&
	AIPKG_T_OTHER=kept aipkg --yes remove zlib >out 2>err &&
	test_grep "^AIPKG_T_OTHER=kept$" apk-env
'

test_expect_success 'config says whether the keys are set, never what they are' '
	aipkg config >out 2>err &&
	test_grep "api_key_env: AIPKG_T_TACTICAL_KEY" out &&
	test_grep ! "$KEY" out &&
	aipkg --json config >out 2>err &&
	test_grep ! "$KEY" out
'

test_expect_success 'a key the endpoint echoes in its plan is masked before the journal' '
	llm_answer plan.json "{\"packages\":[{\"name\":\"zlib\",\"reason\":\"you sent Bearer $KEY\"}]}" &&
	llm_stub -k "$KEY" "content=plan.json" &&
	llm_config "$ROOT" openai AIPKG_T_TACTICAL_KEY &&
	aipkg --yes --json ask "compress things" >out.json 2>err &&
	test_grep "you sent Bearer \*\*\*" out.json &&
	test_grep ! "$KEY" out.json &&
	grep -r "you sent Bearer \*\*\*" "$ROOT/var/lib/aipkg/journal" >plan &&
	test_grep "^.*plan: " plan &&
	test_must_fail grep -r "$KEY" "$ROOT/var/lib/aipkg" err
'

test_done
