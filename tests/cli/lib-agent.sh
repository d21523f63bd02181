# Fixtures of the agent tests (t06xx): repositories with one upgrade of each risk, a secdb, a config.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh, lib-fixtures.sh and lib-secdb.sh.  ROOT names
# the root, REPO_A and REPO_B the repositories.
#   zlib        1.3.1-r0 -> 1.3.1-r1     low (revision only): applied
#   curl        8.9.0-r0 -> 8.10.1-r0    medium (minor): sandboxed, applied
#   nginx       1.26.2-r0 -> 1.27.0-r0   medium, its check "nginx -t" fails
#                                        in 1.27.0: deferred
#   htop        3.3.0-r0 -> 4.0.0-r0     high (major): deferred
#   lighttpd    1.4.76-r0 -> 1.4.76-r1   fixes CVE-2024-0001: security
#   bind-tools  9.18.27-r0 -> 9.18.28-r0 low, but in agent.deny
#   telnet-a    1.0-r0 -> 1.0-r1         low, but locked

AGENT_PKGS="zlib curl nginx htop lighttpd bind-tools telnet-a"

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

agent_bin () {
	printf '%s=#!/bin/sh\\n%s\\n' "$1" "$2"
}

agent_repo () {
	_ar_dir=$1
	shift
	while test $# -gt 0
	do
		mkrepo_pkg "$_ar_dir" "$1" "$2" -d "$1 for the agent tests" \
			-x "$(agent_bin "usr/bin/$1" "$3")" || return 1
		shift 3
	done
	"$TEST_TOOLS/mkrepo" index "$_ar_dir/$FIXTURE_ARCH" -d "$(basename "$_ar_dir")" ||
		error "mkrepo could not index $_ar_dir"
}

agent_fixtures () {
	agent_repo "$REPO_A" zlib 1.3.1-r0 "echo zlib" curl 8.9.0-r0 "echo curl 8.9.0" \
		nginx 1.26.2-r0 "echo nginx ok" htop 3.3.0-r0 "echo htop" \
		lighttpd 1.4.76-r0 "echo lighttpd" bind-tools 9.18.27-r0 "echo dig" \
		telnet-a 1.0-r0 "echo telnet" &&
	agent_repo "$REPO_B" zlib 1.3.1-r1 "echo zlib" curl 8.10.1-r0 "echo curl 8.10.1" \
		nginx 1.27.0-r0 "echo nginx: emerg unknown directive >\&2; exit 1" \
		htop 4.0.0-r0 "echo htop" lighttpd 1.4.76-r1 "echo lighttpd" \
		bind-tools 9.18.28-r0 "echo dig" telnet-a 1.0-r1 "echo telnet"
}

# agent_root: everything from repo A installed, telnet-a locked, repo B
# configured; the secdb stub running.
# shellcheck disable=SC2086 # AGENT_PKGS is a list of names
agent_root () {
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install $AGENT_PKGS >/dev/null &&
	aipkg --yes lock telnet-a >/dev/null &&
	fixture_use_repos "$ROOT" "$REPO_B"
}

agent_secdb () {
	secdb_file "$SECDB_DIR/v3.20/main.json" main "lighttpd 1.4.76-r1=CVE-2024-0001" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 2.0-r0=CVE-2019-9999"
}

# agent_config [YAML LINE...]: the secdb and the agent's settings; further
# lines go under "agent:".
agent_config () {
	mkdir -p "$ROOT/etc/aipkg" &&
	{
		printf 'vuln:\n  secdb_url: %s\n  max_age: 0\n' "$SECDB_URL"
		printf 'agent:\n  deny: [bind-tools]\n  checks:\n    nginx: "nginx -t"\n'
		for _ac_line
		do
			printf '  %s\n' "$_ac_line"
		done
	} >"$ROOT/etc/aipkg/aipkg.yaml"
}

# version_of NAME: the installed version.
version_of () {
	sed -n "/^P:$1\$/,/^\$/s/^V://p" "$ROOT/lib/apk/db/installed"
}

# agent_last_report: the newest report's JSON file, as agent status names it.
agent_last_report () {
	aipkg --json agent status >"$TRASH_DIRECTORY/.last-run.json" &&
	"$TEST_TOOLS/jsonq" last_run.file <"$TRASH_DIRECTORY/.last-run.json"
}
