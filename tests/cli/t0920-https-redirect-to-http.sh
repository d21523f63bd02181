#!/bin/sh
# t0920: a redirect from https to plain http is refused, for the security database and a model endpoint.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='https is never followed to plain http

An https URL is followed only to https: a redirect to http would let
anyone on the path change the security database (and hide a
vulnerability) or read a model request with its key.  The suite had no
TLS server, so nothing tested it.  httpstub -t now serves HTTPS with a
certificate signed by a CA it makes for the run, and aipkg trusts that CA
the way apk does, through SSL_CERT_FILE (OpenSSL'"'"'s variable; libcurl
hides it behind its compiled-in bundle).  Nothing else is trusted: without
the variable the same server is refused.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
CA=$TRASH_DIRECTORY/test-ca.pem
TLS_LOG=$TRASH_DIRECTORY/tls.log
TLS_PID=
KEY=sk-test-tls-0123456789abcdef
unset SSL_CERT_FILE SSL_CERT_DIR

aipkg () {
	AIPKG_T_KEY=$KEY "$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

tls_stop () {
	test -z "$TLS_PID" || { kill "$TLS_PID" 2>/dev/null; wait "$TLS_PID" 2>/dev/null; }
	TLS_PID=
	secdb_stop
	llm_stop
}
trap tls_stop EXIT

# tier_at URL: the tactical model at URL, with a key.
tier_at () {
	printf "llm:\n  tactical:\n    provider: openai\n    base_url: %s\n    model: m\n    api_key_env: AIPKG_T_KEY\n    timeout: 10\n    retries: 0\n" \
		"$1" >>"$ROOT/etc/aipkg/aipkg.yaml"
}

test_expect_success 'setup: the secdb over https (a throwaway CA) and over http' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	secdb_stub &&
	secdb_clean &&
	# only the server in the background: a bare "&" would put the whole
	# list before it there, secdb_stub included, and its pid and port
	# would never reach this shell
	{ "$TEST_TOOLS/httpstub" -d "$SECDB_DIR" -l "$TLS_LOG" -i 120 -t "$CA" >tls.port & } &&
	TLS_PID=$! &&
	server_wait tls.port httpstub &&
	HTTPS=https://127.0.0.1:$(cat tls.port) &&
	test -n "$SECDB_PORT" &&
	PLAIN=127.0.0.1:$SECDB_PORT &&
	test_grep "BEGIN CERTIFICATE" "$CA"
'

test_expect_success 'the server is refused unless its CA is trusted' '
	secdb_config "$ROOT" "$HTTPS/ok/" &&
	test_expect_code 1 aipkg check-vuln --refresh >out 2>err &&
	test_grep -i "certificate" err &&
	SSL_CERT_FILE=$CA &&
	export SSL_CERT_FILE &&
	aipkg check-vuln --refresh >out 2>err &&
	test_grep "^GET /ok/v3.20/main.json .* -> 200" "$TLS_LOG"
'

test_expect_success 'https to https is followed' '
	: >"$TLS_LOG" &&
	secdb_config "$ROOT" "$HTTPS/redirect/" &&
	aipkg check-vuln --refresh >out 2>err &&
	test_grep "^GET /redirect/v3.20/main.json .* -> 302" "$TLS_LOG" &&
	test_grep "^GET /ok/v3.20/main.json .* -> 200" "$TLS_LOG"
'

test_expect_success 'the secdb: https to http is refused, and says so' '
	: >"$SECDB_LOG" &&
	secdb_config "$ROOT" "$HTTPS/goto/http/$PLAIN/ok/" &&
	test_expect_code 1 aipkg check-vuln --refresh >out 2>err &&
	test_grep "redirected to http://$PLAIN/ok/v3.20/main.json, which is not https: refused" err &&
	test_grep "only followed to https" err &&
	test_must_be_empty "$SECDB_LOG"
'

test_expect_success 'a model endpoint: its redirect to http is not followed, the key stays' '
	llm_answer plan.json "{\"packages\":[{\"name\":\"zlib\",\"reason\":\"r\"}]}" &&
	llm_stub -k "$KEY" "content=plan.json" &&
	secdb_config "$ROOT" "$HTTPS/ok/" &&
	tier_at "$HTTPS/goto/http/127.0.0.1:$LLM_PORT/v1" &&
	test_expect_code 1 aipkg ask "compress files" >out 2>err &&
	test_grep "llm.tactical: $HTTPS/goto/http/127.0.0.1:$LLM_PORT/v1/chat/completions answered HTTP 302, a redirect from https to plain http (http://127.0.0.1:$LLM_PORT/v1/chat/completions): refused, the request carries the API key" err &&
	test_grep "check llm.tactical.base_url; the offline planner answers instead" err &&
	test "$(llm_requests)" = 0 &&
	test_grep "^POST /goto/http/127.0.0.1:$LLM_PORT/v1/chat/completions .* -> 302" "$TLS_LOG"
'

test_expect_success 'a model endpoint over https answers (the CA is all that differs)' '
	mkdir -p "$SECDB_DIR/model/v1/chat" &&
	cat >"$SECDB_DIR/model/v1/chat/completions" <<-\EOF &&
	{"choices":[{"message":{"content":"{\"packages\":[{\"name\":\"zlib\",\"reason\":\"r\"}]}"},"finish_reason":"stop"}]}
	EOF
	secdb_config "$ROOT" "$HTTPS/ok/" &&
	tier_at "$HTTPS/ok/model/v1" &&
	aipkg ask "compress files" >out 2>err &&
	test_grep "^Planner:  llm:tactical" out &&
	test_grep "^POST /ok/model/v1/chat/completions .* -> 200" "$TLS_LOG"
'

test_done
