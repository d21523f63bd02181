#!/bin/sh
# t0902: --read-only and --dry-run change nothing, for every tool of the registry (issue 12.3).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='read-only modes change nothing, whatever the tool

pkg.recover was registered as a tool that changes nothing, so "aipkg mcp
--read-only" offered it and "aipkg --dry-run recover" ran apk del
.aipkg-rollback and rewrote journal entries.  This walks every tool that
"aipkg tool --list" names (tools added later included), with arguments
made from its schema and "confirm": true, under --dry-run, with
"dry_run": true, and through a read-only MCP server, and checks that the
installed database, world and journal stay byte for byte the same.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq
JDIR=$ROOT/var/lib/aipkg/journal

# The properties the walk knows how to fill; a tool that requires another
# one fails the walk, so whoever adds it adds a value here.
KNOWN_PROPS="packages package query request id limit since filter confirm force rdepends fix paths"

# value_for TOOL PROPERTY: JSON that gets the tool as far as it can go.
value_for () {
	case $1:$2 in
	pkg.remove:packages) echo '["htop"]' ;;
	pkg.update:packages) echo '["nginx"]' ;;
	*:packages) echo '["lighttpd"]' ;;
	*:package|*:query) echo '"nginx"' ;;
	*:request) echo '"a web server"' ;;
	*:id) echo 2 ;;
	*:limit) echo 5 ;;
	*:since) echo '"2000-01-01"' ;;
	*:filter) echo '"installed"' ;;
	*:paths) echo '["/usr/sbin/nginx"]' ;;
	*) echo true ;;
	esac
}

# tool_args TOOL INDEX: the arguments for the INDEXth tool of tools.json.
tool_args () {
	_ta=
	for _p in $KNOWN_PROPS
	do
		"$JSONQ" ".tools[$2].schema.properties.$_p" <tools.json >/dev/null 2>&1 || continue
		_ta="$_ta${_ta:+,}\"$_p\":$(value_for "$1" "$_p")"
	done
	printf '{%s}' "$_ta"
}

state_save () {
	rm -rf saved && mkdir saved &&
	cp -p "$ROOT/lib/apk/db/installed" "$ROOT/etc/apk/world" saved/ &&
	cp -pR "$JDIR" saved/journal
}

# state_same WHAT: the installed db, world and journal are as saved.
state_same () {
	if ! cmp -s saved/installed "$ROOT/lib/apk/db/installed" ||
	   ! cmp -s saved/world "$ROOT/etc/apk/world" ||
	   ! diff -r saved/journal "$JDIR" >diff.out 2>&1
	then
		say "$1 changed the system:" >&2
		diff saved/installed "$ROOT/lib/apk/db/installed" >&2
		diff saved/world "$ROOT/etc/apk/world" >&2
		cat diff.out >&2
		return 1
	fi
}

# walk MODE: call every tool in MODE (dry-run, dry_run-arg, mcp-read-only);
# fails naming each tool that changed something.
walk () {
	_w_n=$("$JSONQ" ".tools#" <tools.json) &&
	_w_i=0 &&
	_w_bad= &&
	while test "$_w_i" -lt "$_w_n"
	do
		_w_tool=$("$JSONQ" ".tools[$_w_i].name" <tools.json) &&
		_w_args=$(tool_args "$_w_tool" "$_w_i") &&
		case $1 in
		dry-run)
			aipkg --dry-run tool "$_w_tool" "$_w_args" </dev/null >"out.$_w_tool" 2>&1 ;;
		dry_run-arg)
			"$JSONQ" ".tools[$_w_i].schema.properties.dry_run" <tools.json \
				>/dev/null 2>&1 || { _w_i=$((_w_i + 1)); continue; }
			aipkg tool "$_w_tool" "${_w_args%\}},\"dry_run\":true}" \
				</dev/null >"out.$_w_tool" 2>&1 ;;
		mcp-read-only)
			{ mcp_init 1 && mcp_call 2 "$_w_tool" "$_w_args"; } |
				mcp_serve --read-only >"out.$_w_tool" 2>&1 ;;
		esac
		say "# $1: $_w_tool $_w_args: exit $?" &&
		state_same "$1 $_w_tool" || _w_bad="$_w_bad $_w_tool"
		_w_i=$((_w_i + 1))
	done &&
	test "$_w_i" -gt 10 &&
	test -z "$_w_bad"
}

test_expect_success 'setup: history, and a rollback a crash interrupted' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "vuln:\n  secdb_url: file://%s/no-secdb/\n" "$TRASH_DIRECTORY" \
		>"$ROOT/etc/aipkg/aipkg.yaml" &&
	aipkg --yes update </dev/null >out 2>err &&
	aipkg --yes install htop </dev/null >out 2>err &&
	aipkg --yes install nginx </dev/null >out 2>err &&
	test_apk --root "$ROOT" --allow-untrusted --no-progress add \
		--virtual .aipkg-rollback busybox >out 2>err &&
	id=$(($(journal_count) + 1)) &&
	file=$(printf "%s/%04d/%08d.txt" "$JDIR" $((id / 1000)) "$id") &&
	cat >"$file" <<-EOF &&
	# aipkg journal entry, see aipkg-journal(5)
	id: $id
	status: pending
	time: 2026-01-01T00:00:00Z
	user: root
	caller: cli
	pid: 2147483646
	command: aipkg rollback 3
	undoes: 3
	world-before: htop
	planned: remove nginx 1.26.2-r0 -
	end
	EOF
	aipkg tool --list >tools.json &&
	state_save
'

# tool_index NAME: where NAME is in tools.json.
tool_index () {
	_ti=0
	while _ti_name=$("$JSONQ" ".tools[$_ti].name" <tools.json 2>/dev/null)
	do
		test "$_ti_name" = "$1" && echo "$_ti" && return 0
		_ti=$((_ti + 1))
	done
	return 1
}

test_expect_success 'recover is a changing tool, offered by no read-only server' '
	i=$(tool_index pkg.recover) &&
	test "$("$JSONQ" ".tools[$i].changes" ".tools[$i].runs_apk" <tools.json |
		tr "\n" " ")" = "true true " &&
	{ mcp_init 1 && mcp_request 2 tools/list; } | mcp_serve --read-only >out 2>err &&
	"$JSONQ" -i 2 ".result.tools[0].name" <out >/dev/null &&
	test_grep ! "\"name\":\"pkg_recover\"" out &&
	{ mcp_init 1 && mcp_call 2 pkg_recover "{\"confirm\":true}"; } |
		mcp_serve --read-only >out 2>err &&
	test_grep "read-only" out &&
	state_same "mcp --read-only pkg_recover"
'

test_expect_success 'aipkg --dry-run recover says what it would do and does nothing' '
	aipkg --dry-run recover </dev/null >out 2>err &&
	test_grep "^Operation $id (.aipkg rollback 3.): would be" out &&
	test_grep "^Would apk del .aipkg-rollback (the last step of rollback $id)" out &&
	test_grep "Nothing changed (--dry-run)" out &&
	state_same "aipkg --dry-run recover" &&
	aipkg --dry-run --json recover </dev/null >out 2>err &&
	test "$("$JSONQ" .dry_run .recovered[0].id <out | tr "\n" " ")" = "true $id " &&
	state_same "aipkg --dry-run --json recover"
'

test_expect_success 'every tool under --dry-run changes nothing' '
	walk dry-run
'

test_expect_success 'every tool given "dry_run": true changes nothing' '
	walk dry_run-arg
'

test_expect_success 'every tool through aipkg mcp --read-only changes nothing' '
	walk mcp-read-only
'

test_expect_success 'no tool requires an argument the walk cannot fill' '
	n=$("$JSONQ" ".tools#" <tools.json) &&
	i=0 &&
	missing= &&
	while test "$i" -lt "$n"
	do
		for p in $("$JSONQ" ".tools[$i].schema.required" <tools.json 2>/dev/null |
			tr -d "[]\"" | tr "," " ")
		do
			case " $KNOWN_PROPS " in
			*" $p "*) ;;
			*) missing="$missing $("$JSONQ" ".tools[$i].name" <tools.json).$p" ;;
			esac
		done
		i=$((i + 1))
	done &&
	test -z "$missing" || { say "no value for:$missing (add them to KNOWN_PROPS)" >&2; false; }
'

test_expect_success 'and recover, for real, does what it said' '
	aipkg recover </dev/null >out 2>err &&
	test_grep "^Operation $id (.aipkg rollback 3.): now" out &&
	installed_list >installed &&
	test_grep ! "^\.aipkg-rollback" installed
'

test_done
