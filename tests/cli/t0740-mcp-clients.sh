#!/bin/sh
# t0740: aipkg mcp with real clients: the official TypeScript SDK client and the MCP Inspector CLI.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the official MCP SDK client and the Inspector CLI against aipkg mcp

tests/mcp-client/client-test.mjs drives aipkg mcp with the client of
@modelcontextprotocol/sdk and the CLI of @modelcontextprotocol/inspector,
at the versions package-lock.json pins, installed with npm ci into
tests/mcp-client/node_modules (ignored by git; tests/run-all installs node
and npm): the handshake at every
revision, tools/list (names, titles, schemas compiled with ajv and held to
the Anthropic and OpenAI function-calling rules), every tool called under
both names with good and bad arguments, each result validated by the SDK
against its outputSchema, a confirmed install, progress during a slow
install that outlives the request timeout, a ping answered within 200 ms
meanwhile, calls cancelled while waiting and while apk runs, a client that
goes away mid-install, a 2 MiB request, a flood, batches, invalid UTF-8,
and every message checked with the protocol schemas the SDK exports.
What happens while apk runs is held at a gate the client opens, not raced
against a clock.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

NODE_DIR=$TEST_SRC/mcp-client
STAMP=$NODE_DIR/node_modules/.aipkg-package-lock.json

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1
then
	skip_all "node and npm are not installed (tests/run-all installs them: apk add nodejs npm, apt-get install nodejs npm)"
fi
node_major=$(node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null) ||
	skip_all "node does not run: $(node -e 1 2>&1 | head -n 1)"
test "$node_major" -ge 18 ||
	skip_all "node $(node --version) is older than 18, which the MCP SDK needs"

# npm ci once per lockfile, into the ignored node_modules that every build
# shares; runs of this script that start together wait for one another.
install_clients () {
	_ic_i=0
	while ! mkdir "$NODE_DIR/.lock" 2>/dev/null
	do
		_ic_i=$((_ic_i + 1))
		test $_ic_i -lt 600 || return 1
		sleep 1
	done
	_ic_r=0
	if ! cmp -s "$NODE_DIR/package-lock.json" "$STAMP"
	then
		if (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) \
			>"$TRASH_DIRECTORY/npm.log" 2>&1
		then
			cp "$NODE_DIR/package-lock.json" "$STAMP" || _ic_r=1
		else
			_ic_r=1
		fi
	fi
	rmdir "$NODE_DIR/.lock"
	return $_ic_r
}

install_clients ||
	skip_all "npm ci in tests/mcp-client failed: $(tail -n 3 "$TRASH_DIRECTORY/npm.log" 2>/dev/null | tr '\n' ' ')"
say "# node $(node --version), SDK $(sed -n 's/.*"version": "\(.*\)".*/\1/p' \
	"$NODE_DIR/node_modules/@modelcontextprotocol/sdk/package.json" | head -n 1)"

ROOT=$TRASH_DIRECTORY/root
SLOW_ROOT=$TRASH_DIRECTORY/slow-root
# apk's downloads from GATED_ROOT's repository wait until GATE exists: the
# client opens it when it has done what it wanted while apk runs
GATED_ROOT=$TRASH_DIRECTORY/gated-root
GATE=$SECDB_DIR/pkgs.open
INSPECTOR=$NODE_DIR/node_modules/.bin/mcp-inspector
export AIPKG ROOT SLOW_ROOT GATED_ROOT GATE INSPECTOR

# client CASE: run one case of client-test.mjs, its checks in the output.
client () {
	node "$NODE_DIR/client-test.mjs" "$1"
}

test_expect_success 'setup: a root on a local repository, one on a slow one' '
	fixture_repo_a "$SECDB_DIR/repo" &&
	fixture_root "$ROOT" "$SECDB_DIR/repo" &&
	offline_config "$ROOT" &&
	secdb_stub &&
	fixture_root "$SLOW_ROOT" "http://127.0.0.1:$SECDB_PORT/trickle/60/repo" &&
	offline_config "$SLOW_ROOT" &&
	test_apk --root "$SLOW_ROOT" --allow-untrusted --no-progress update >/dev/null 2>&1 &&
	fixture_root "$GATED_ROOT" "http://127.0.0.1:$SECDB_PORT/gate/pkgs/repo" &&
	offline_config "$GATED_ROOT" &&
	: >"$GATE" &&
	test_apk --root "$GATED_ROOT" --allow-untrusted --no-progress update >/dev/null 2>&1
'

test_expect_success 'the handshake at every revision, raw and with the SDK client' '
	client handshake
'

test_expect_success 'tools/list and every tool through the SDK client' '
	client tools
'

test_expect_success 'a slow install: progress keeps the call alive, a ping is answered within 200 ms' '
	client progress
'

test_expect_success 'cancelled while waiting in line and while apk runs: nothing changes, no answer' '
	client cancelGated
'

test_expect_success 'a client that goes away mid-install: no change, and the journal says so' '
	client disconnect
'

test_expect_success 'stdin closed or stdout closed mid-install: the call ends, nothing more runs' '
	client halfClosed
'

test_expect_success 'a 2 MiB request, a flood of calls and pings, batches and invalid UTF-8' '
	client limits
'

test_expect_success 'the MCP Inspector CLI lists and calls the tools' '
	client inspector
'

test_done
