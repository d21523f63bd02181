#!/bin/sh
# t0904: passwords and tokens in URLs are masked wherever a URL is shown or stored (issue 12.6).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='secrets in URLs

"aipkg config" (secrets masked) printed https://user:PASSWORD@host/?token=...
for vuln.secdb_url, an LLM base URL query and the webhook in full, warnings
(cron mail) and the 0644 reports repeated them, and a secdb_url with a query
got /v3.20/main.json appended after the query.  user:password@ and query
values are masked in aipkg config, messages, the journal and the lock;
reports are 0600; URLs are built with the path before the query.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
CONFIG=$ROOT/etc/aipkg/aipkg.yaml
SECRETS='PASSW0RD\|T0KEN\|K3Y\|S1G\|HUNTER2'

# no_secret FILE...: none of the secrets the configuration holds is there.
no_secret () {
	for _ns
	do
		test_grep ! "$SECRETS" "$_ns" || return 1
	done
}

test_expect_success 'setup: a configuration full of credentials, the secdb served' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main "curl 8.10.0-r0=CVE-2024-8096" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 9.0-r0=CVE-2024-0002" &&
	base=${SECDB_URL#http://} &&
	mkdir -p "$ROOT/etc/aipkg" &&
	cat >"$CONFIG" <<-EOF &&
	vuln:
	  secdb_url: http://reader:PASSW0RD@${base}?token=T0KEN
	llm:
	  tactical:
	    provider: openai
	    base_url: https://llm.example/v1?key=K3Y
	    model: m
	agent:
	  notify:
	    webhook: https://hooks.example/services/T0/B0?sig=S1G
	EOF
	aipkg --yes update >out 2>err
'

test_expect_success 'aipkg config masks them, as text and as JSON' '
	aipkg config >out 2>err &&
	no_secret out err &&
	test_grep "reader:\\*\\*\\*\\|\\*\\*\\*@127.0.0.1" out &&
	test_grep "token=\\*\\*\\*" out &&
	test_grep "key=\\*\\*\\*" out &&
	test_grep "sig=\\*\\*\\*" out &&
	aipkg --json config >out 2>err &&
	no_secret out err
'

test_expect_success 'the secdb path goes before the query' '
	aipkg check-vuln --refresh curl >out 2>err &&
	test_grep "^GET /ok/v3.20/main.json?token=T0KEN " "$SECDB_LOG" &&
	test_grep "^GET /ok/v3.20/community.json?token=T0KEN " "$SECDB_LOG" &&
	no_secret out err &&
	aipkg --json check-vuln curl >out 2>err &&
	no_secret out err &&
	test_grep "\\*\\*\\*@127.0.0.1" out
'

test_expect_success 'a failing download is reported without them' '
	secdb_fault v3.20/main 500 &&
	aipkg check-vuln --refresh curl >out 2>err &&
	test_grep "could not refresh the security database" err &&
	test_grep "token=\\*\\*\\*" err &&
	no_secret out err &&
	aipkg --json check-vuln --refresh curl >out 2>err &&
	no_secret out err &&
	secdb_heal v3.20/main
'

test_expect_success 'the journal and the lock keep the command line masked' '
	aipkg --repository "http://me:HUNTER2@127.0.0.1:9/alpine?tok=T0KEN" --yes \
		install busybox </dev/null >out 2>err &&
	no_secret out err &&
	test_grep "^command: .*--repository .http://\\*\\*\\*@127.0.0.1:9/alpine?tok=\\*\\*\\*" \
		"$(journal_newest)" &&
	no_secret "$(journal_newest)" "$ROOT/var/lib/aipkg/lock" &&
	aipkg history >out 2>err &&
	no_secret out err
'

test_expect_success 'agent reports are private (0600) and masked' '
	aipkg agent run </dev/null >out 2>err;
	ls "$ROOT"/var/lib/aipkg/reports/*.txt "$ROOT"/var/lib/aipkg/reports/*.json >reports &&
	test -s reports &&
	while read -r f
	do
		test "$(stat -c %a "$f")" = 600 || { say "$f is not 0600" >&2; return 1; }
		no_secret "$f" || return 1
	done <reports &&
	no_secret out err
'

test_expect_success 'cleanup' '
	secdb_stop
'

test_done
