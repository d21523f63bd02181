#!/bin/sh
# t0919: the agent's report (terminal, files, webhook) holds no password, token or API key a check or apk quoted.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='secrets stay out of the report sent to a webhook

The agent'"'"'s report file masked the secrets of URLs, but the report
POSTed to agent.notify.webhook, and the one printed for cron to mail,
were the one in memory, unmasked: a check'"'"'s command and what it printed
(a service'"'"'s configuration test quoting an upstream URL with its
password and token, a health check with a key) went out whole.  The
report is now masked once, before it is shown, written or sent: URL
secrets, and the values of the API keys and of the configured
repositories'"'"' passwords and tokens wherever they stand.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JQ=$TEST_TOOLS/jsonq
HOOK=$SECDB_DIR/hook.json
KEY=sk-test-hook-0123456789abcdef
PASSWORD=Pa55-hook-4711
TOKEN=tok-Hook-8472-xyz
UPSTREAM="http://bob:$PASSWORD@10.0.0.1/api?token=$TOKEN"

test_expect_success 'setup: upgrades waiting, a check that quotes secrets, a webhook' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	mkdir -p "$ROOT/etc/aipkg" &&
	cat >"$ROOT/etc/aipkg/aipkg.yaml" <<-EOF
	vuln:
	  secdb_url: $SECDB_URL
	  max_age: 0
	agent:
	  deny: [bind-tools]
	  checks:
	    nginx: "echo upstream $UPSTREAM refused, key \$AIPKG_T_KEY $KEY; exit 1"
	  notify:
	    webhook: http://127.0.0.1:$SECDB_PORT/post/hook.json
	llm:
	  strategic:
	    provider: openai
	    base_url: http://127.0.0.1:1/v1
	    model: m
	    api_key_env: AIPKG_T_KEY
	EOF
'

test_expect_success 'the report the webhook gets masks them' '
	AIPKG_T_KEY=$KEY aipkg agent run >out 2>err &&
	test_path_is_file "$HOOK" &&
	test_grep "upstream http://\*\*\*@10.0.0.1/api?token=\*\*\* refused, key \*\*\*" "$HOOK" &&
	test_grep ! -e "$PASSWORD" -e "$TOKEN" -e "$KEY" "$HOOK"
'

test_expect_success 'and so do the report files and what cron mails' '
	report=$(agent_last_report) &&
	test_grep ! -e "$PASSWORD" -e "$TOKEN" -e "$KEY" "$report" "${report%.json}.txt" &&
	test_grep "nginx 1.26.2-r0 -> 1.27.0-r0: .*upstream http://\*\*\*@10.0.0.1/api?token=\*\*\* refused" out &&
	test_grep ! -e "$PASSWORD" -e "$TOKEN" -e "$KEY" out err
'

test_done
