# The stub language model endpoint for the CLI tests: start it, point a root's configuration at it.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  llmstub (tests/tools/llmstub.c) speaks the
# real OpenAI and Anthropic HTTP protocols on 127.0.0.1 and answers each
# request with the next scripted response; every request is kept in
# $LLM_LOG/N.req (head and body) for the tests to read.

LLM_PID=
LLM_N=0

# Loopback must not go through a proxy the environment names.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# llm_stub [-k KEY] RESPONSE...: start a fresh stub (stopping the last one);
# sets LLM_PORT and LLM_LOG.
llm_stub () {
	llm_stop
	LLM_N=$((LLM_N + 1))
	LLM_LOG=$TRASH_DIRECTORY/llm-log-$LLM_N
	mkdir -p "$LLM_LOG" || return 1
	"$TEST_TOOLS/llmstub" -l "$LLM_LOG" -i 60 "$@" >"$LLM_LOG.port" &
	LLM_PID=$!
	server_wait "$LLM_LOG.port" llmstub
	LLM_PORT=$(cat "$LLM_LOG.port")
}

llm_stop () {
	if test -n "$LLM_PID"
	then
		kill "$LLM_PID" 2>/dev/null
		wait "$LLM_PID" 2>/dev/null
	fi
	LLM_PID=
}
trap llm_stop EXIT

# llm_requests: how many requests the current stub received.
llm_requests () {
	find "$LLM_LOG" -name '*.req' | wc -l | tr -d ' '
}

# llm_tier TIER PROVIDER [KEY_ENV] [TIMEOUT] [RETRIES]: YAML for one tier
# pointing at the current stub.
llm_tier () {
	_lt_base=http://127.0.0.1:$LLM_PORT
	test "$2" = openai && _lt_base=$_lt_base/v1
	printf '  %s:\n    provider: %s\n    base_url: %s\n    model: stub-%s\n' \
		"$1" "$2" "$_lt_base" "$1"
	test -n "${3:-}" && printf '    api_key_env: %s\n' "$3"
	printf '    timeout: %s\n    retries: %s\n' "${4:-5}" "${5:-2}"
}

# llm_config ROOT PROVIDER [KEY_ENV] [TIMEOUT] [RETRIES]: the root's
# configuration names the stub as the tactical model (nothing else).
llm_config () {
	_lc_root=$1
	shift
	mkdir -p "$_lc_root/etc/aipkg" &&
	{
		echo 'llm:'
		llm_tier tactical "$@"
	} >"$_lc_root/etc/aipkg/aipkg.yaml"
}

# llm_answer FILE JSON: a model answer (the text the stub wraps).
llm_answer () {
	printf '%s\n' "$2" >"$1"
}
