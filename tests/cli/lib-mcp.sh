# A scripted MCP client for the CLI tests: requests as lines, replies picked with jsonq.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  A session is the requests printed one per
# line into `aipkg mcp`; its replies land in a file, one per line, and
# mcp_get picks values out of the reply to a given id:
#
#	{ mcp_init 1 && mcp_call 2 pkg.list "{}"; } | mcp_serve >out 2>err &&
#	test "$(mcp_get 2 .result.isError <out)" = false

# Loopback must not go through a proxy the environment names.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# offline_config ROOT: pkg.check_vuln and friends find no server, at once,
# rather than reach secdb.alpinelinux.org from a test.
offline_config () {
	mkdir -p "$1/etc/aipkg" &&
	printf 'vuln:\n  secdb_url: http://127.0.0.1:9/\n' >"$1/etc/aipkg/aipkg.yaml"
}

# The protocol revision the sessions speak unless a test says otherwise.
MCP_VERSION=2025-06-18

# mcp_serve [OPTIONS...]: aipkg mcp on $ROOT, untrusted fixtures allowed.
mcp_serve () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" mcp
}

# mcp_request ID METHOD [PARAMS]: one request line.
mcp_request () {
	_mr_params=${3-}
	test -n "$_mr_params" || _mr_params='{}'
	printf '{"jsonrpc":"2.0","id":%s,"method":"%s","params":%s}\n' "$1" "$2" "$_mr_params"
}

# mcp_notify METHOD: one notification line.
mcp_notify () {
	printf '{"jsonrpc":"2.0","method":"%s"}\n' "$1"
}

# mcp_init ID [VERSION]: the client's half of the handshake.
mcp_init () {
	mcp_request "$1" initialize \
		"{\"protocolVersion\":\"${2:-$MCP_VERSION}\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t07\",\"version\":\"1\"}}" &&
	mcp_notify notifications/initialized
}

# mcp_call ID TOOL ARGS: tools/call.
mcp_call () {
	mcp_request "$1" tools/call "{\"name\":\"$2\",\"arguments\":$3}"
}

# mcp_get ID PATH... < REPLIES: values from the reply to request ID.
mcp_get () {
	_mg_id=$1
	shift
	"$TEST_TOOLS/jsonq" -i "$_mg_id" "$@"
}

# mcp_error_code ID < REPLIES: the JSON-RPC error code answered to ID.
mcp_error_code () {
	mcp_get "$1" .error.code
}

# mcp_tool_error ID < REPLIES: the aipkg error code of a failed tool call.
mcp_tool_error () {
	mcp_get "$1" .result.structuredContent.error.code
}

# mcp_replies_are_json FILE: stdout held nothing but protocol messages.
mcp_replies_are_json () {
	"$TEST_TOOLS/jsonq" -c <"$1" && test_grep '"jsonrpc":"2.0"' "$1" &&
	test_grep ! -v '^{"jsonrpc":"2.0",' "$1"
}

# tool_args TOOL: arguments that make sense for TOOL on the fixtures.
tool_args () {
	case $1 in
	pkg.search) echo '{"query":"nginx"}' ;;
	pkg.info) echo '{"package":"nginx"}' ;;
	pkg.ask) echo '{"request":"a web server"}' ;;
	pkg.who_owns) echo '{"paths":["/usr/sbin/nginx"]}' ;;
	*) echo '{}' ;;
	esac
}

# The tools, and those that change nothing, as the registry lists them.
tool_names () {
	"$AIPKG" tool --list >tools.json &&
	_tn_n=$("$TEST_TOOLS/jsonq" '.tools#' <tools.json) &&
	_tn_i=0 &&
	while test "$_tn_i" -lt "$_tn_n"
	do
		if test -z "$1" ||
		   test "$("$TEST_TOOLS/jsonq" ".tools[$_tn_i].changes" <tools.json)" = "$1"
		then
			"$TEST_TOOLS/jsonq" ".tools[$_tn_i].name" <tools.json || return 1
		fi
		_tn_i=$((_tn_i + 1))
	done
}

# A session that stays open: the requests go through a fifo, written as
# the test goes, so that it can act while a call runs.
#
#	mcp_open out err [OPTIONS...] && mcp_init 1 >&8 && ... && mcp_close
mcp_open () {
	_mo_out=$1 _mo_err=$2
	shift 2
	# emptied here, not by the server's own redirections: those happen
	# in the background, after this returns, and a wait on OUT must not
	# match what an earlier session left there
	rm -f requests "$_mo_out" "$_mo_err" && mkfifo requests &&
	: >"$_mo_out" && : >"$_mo_err" &&
	# aipkg itself in the background (not mcp_serve, a function, which
	# would leave a subshell between): $mcp_server is the server's pid
	{ "$AIPKG" --root "$ROOT" --allow-untrusted "$@" mcp <requests \
		>>"$_mo_out" 2>>"$_mo_err" & } &&
	mcp_server=$! &&
	exec 8>requests
}

# mcp_close: end the input, as a client does, and wait for the server.
mcp_close () {
	exec 8>&-
	_mc_pid=$mcp_server
	mcp_server=
	wait "$_mc_pid"
}

# mcp_failed OUT ERR: after a step of an open session failed, end the
# session (the server must not hold the next test's gate or lock) and show
# what it said; fails, for the end of a test: ... || mcp_failed out err
mcp_failed () {
	exec 8>&-
	if test -n "$mcp_server"
	then
		kill "$mcp_server" 2>/dev/null
		wait "$mcp_server" 2>/dev/null
		mcp_server=
	fi
	echo "# the server's replies:" >&2 && sed "s/^/#   /" "$1" >&2
	echo "# its stderr:" >&2 && sed "s/^/#   /" "$2" >&2
	false
}

# mcp_wait_for PATTERN FILE: FILE gets a line matching PATTERN within 30 s.
mcp_wait_for () {
	_mw_i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null && test $_mw_i -lt 300
	do
		sleep 0.1
		_mw_i=$((_mw_i + 1))
	done
	grep -q -- "$1" "$2"
}

# mcp_wait_reply ID FILE: FILE gets the reply to request ID within 30 s
# (the reply's own "id", never an "id" inside some result's content).
mcp_wait_reply () {
	mcp_wait_for "^{\"jsonrpc\":\"2.0\",\"id\":$1," "$2"
}

# mcp_replied ID FILE: FILE holds a reply to request ID.
mcp_replied () {
	grep -q "^{\"jsonrpc\":\"2.0\",\"id\":$1," "$2"
}

# mcp_call_progress ID TOOL ARGS TOKEN: tools/call asking for progress.
mcp_call_progress () {
	mcp_request "$1" tools/call \
		"{\"name\":\"$2\",\"arguments\":$3,\"_meta\":{\"progressToken\":\"$4\"}}"
}

# mcp_cancel ID: notifications/cancelled for request ID.
mcp_cancel () {
	printf '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%s,"reason":"the user stopped it"}}\n' "$1"
}
