#!/bin/sh
# t0720: aipkg tool NAME [JSON] and aipkg tool --list, for every tool.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg tool: every pkg.* tool with JSON arguments

--list prints every tool with its schema; each tool answers one JSON
document; arguments come from the command line or stdin and are checked
against the schema; errors are JSON with the documented exit codes; without
a terminal a change needs "confirm": true or --yes, as MCP does.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

tool () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" 2>tool.err
}

# change_args TOOL: arguments that would change the fixture root.
change_args () {
	case $1 in
	pkg.install | pkg.remove) echo '{"packages":["nginx"]}' ;;
	pkg.lock | pkg.unlock) echo '{"package":"nginx"}' ;;
	pkg.ask) echo '{"request":"a web server"}' ;;
	*) echo '{}' ;;
	esac
}

# error_is CODE EXIT FILE: FILE is an aipkg error document.
error_is () {
	test "$("$TEST_TOOLS/jsonq" .error.code <"$3")" = "$1" &&
	test "$("$TEST_TOOLS/jsonq" .error.exit <"$3")" = "$2" &&
	"$TEST_TOOLS/jsonq" .error.message <"$3" >/dev/null
}

test_expect_success 'setup: a fixture repository and a fresh root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	offline_config "$ROOT" &&
	cp "$ROOT/lib/apk/db/installed" installed.empty
'

test_expect_success '--list: every tool, its schema, and whether it changes the system' '
	tool tool --list >list &&
	n=$("$TEST_TOOLS/jsonq" ".tools#" <list) &&
	test "$n" -ge 6 &&
	i=0 &&
	while test $i -lt "$n"
	do
		"$TEST_TOOLS/jsonq" ".tools[$i].name" <list >>names &&
		"$TEST_TOOLS/jsonq" ".tools[$i].description" <list >/dev/null &&
		test "$("$TEST_TOOLS/jsonq" ".tools[$i].schema.type" <list)" = object &&
		changes=$("$TEST_TOOLS/jsonq" ".tools[$i].changes" <list) &&
		{ test "$changes" = true || test "$changes" = false; } || return 1
		i=$((i + 1))
	done &&
	sort names >sorted && test_cmp sorted names &&
	for t in pkg.search pkg.info pkg.list pkg.install pkg.remove pkg.update
	do
		test_grep "^$t\$" names || return 1
	done
'

test_expect_success 'every tool that changes nothing prints one JSON document' '
	tool_names false >read-tools &&
	while read -r t
	do
		tool tool "$t" "$(tool_args "$t")" >out
		code=$? &&
		"$TEST_TOOLS/jsonq" . <out >/dev/null &&
		case $t in
		pkg.search | pkg.info | pkg.list | pkg.history) test $code = 0 ;;
		*) test $code -lt 128 && { test $code = 0 || error_is "$("$TEST_TOOLS/jsonq" .error.code <out)" $code out; } ;;
		esac || { echo "$t exited $code" >&2; cat out tool.err >&2; return 1; }
	done <read-tools
'

test_expect_success 'a tool prints what the command prints with --json' '
	tool tool pkg.search "{\"query\":\"nginx\"}" >tool.out &&
	tool --json search nginx >cmd.out &&
	test_cmp cmd.out tool.out &&
	tool tool pkg.info "{\"package\":\"nginx\"}" >tool.out &&
	tool --json info nginx >cmd.out &&
	test_cmp cmd.out tool.out
'

test_expect_success 'arguments from stdin, "-" or nothing' '
	echo "{\"query\":\"cmd:dig\"}" | tool tool pkg.search >out &&
	test "$("$TEST_TOOLS/jsonq" ".packages[0].name" <out)" = bind-tools &&
	echo "{\"query\":\"cmd:dig\"}" | tool tool pkg.search - >out &&
	test "$("$TEST_TOOLS/jsonq" ".packages[0].name" <out)" = bind-tools &&
	tool tool pkg.list </dev/null >out &&
	"$TEST_TOOLS/jsonq" ".packages" <out >/dev/null &&
	# only white space on stdin: {} (read_args ran strspn past the bytes read)
	printf " \n\t\n" | tool tool pkg.list >out &&
	"$TEST_TOOLS/jsonq" ".packages" <out >/dev/null
'

test_expect_success 'bad arguments are JSON errors with exit 2, before anything runs' '
	test_expect_code 2 tool tool pkg.search "{\"query\":" >out &&
	error_is usage 2 out && test_grep "not valid JSON" tool.err &&
	test_expect_code 2 tool tool pkg.no_such "{}" >out &&
	error_is usage 2 out && test_grep "unknown tool" tool.err &&
	test_expect_code 2 tool tool pkg.info "{\"package\":1}" >out &&
	error_is usage 2 out && test_grep "must be a string, not an integer" tool.err &&
	test_expect_code 2 tool tool pkg.info "{}" >out &&
	error_is usage 2 out && test_grep "missing required argument" tool.err &&
	test_expect_code 2 tool tool pkg.info "{\"package\":\"nginx\",\"x\":1}" >out &&
	error_is usage 2 out && test_grep "unknown argument .x." tool.err &&
	test_expect_code 2 tool tool pkg.list "[]" >out &&
	error_is usage 2 out &&
	test_expect_code 2 tool tool pkg.install "{\"packages\":[\"nginx\"],\"confirm\":1}" >out &&
	error_is usage 2 out &&
	test_expect_code 2 tool tool >out &&
	error_is usage 2 out &&
	test_expect_code 2 tool tool --list pkg.info >out &&
	error_is usage 2 out &&
	test_cmp installed.empty "$ROOT/lib/apk/db/installed"
'

test_expect_success 'arguments over 1 MiB are refused' '
	{
		printf "{\"query\":\"" &&
		dd if=/dev/zero bs=1024 count=1100 2>/dev/null | tr "\000" x &&
		printf "\"}"
	} >big.json &&
	test_expect_code 1 tool tool pkg.search <big.json >out &&
	error_is toobig 1 out
'

test_expect_success 'without a terminal every change needs confirm, and nothing changes' '
	tool_names true >change-tools &&
	test_grep "^pkg.install$" change-tools &&
	while read -r t
	do
		test_expect_code 1 tool tool "$t" "$(change_args "$t")" </dev/null >out &&
		error_is refused 1 out &&
		test_grep "confirm" tool.err || return 1
	done <change-tools &&
	test_cmp installed.empty "$ROOT/lib/apk/db/installed" &&
	test_path_is_missing "$ROOT/usr/sbin/nginx"
'

test_expect_success 'dry_run and --dry-run show the plan without confirm' '
	tool tool pkg.install "{\"packages\":[\"nginx\"],\"dry_run\":true}" </dev/null >out &&
	test "$("$TEST_TOOLS/jsonq" .dry_run <out)" = true &&
	test_grep "\"name\": \"nginx\"" out &&
	tool --dry-run tool pkg.install "{\"packages\":[\"nginx\"]}" </dev/null >out &&
	test "$("$TEST_TOOLS/jsonq" .dry_run <out)" = true &&
	test_cmp installed.empty "$ROOT/lib/apk/db/installed"
'

test_expect_success '"confirm": true installs, and the journal says tool' '
	tool tool pkg.install "{\"packages\":[\"nginx\"],\"confirm\":true}" </dev/null >out &&
	test_grep "\"name\": \"nginx\"" out &&
	"$ROOT/usr/sbin/nginx" >version &&
	test_grep "nginx/1.26.2" version &&
	tool tool pkg.history "{\"limit\":1}" >history &&
	test "$("$TEST_TOOLS/jsonq" ".transactions[0].caller" <history)" = tool
'

test_expect_success 'a tool that fails prints its error and detail, exit 1' '
	test_expect_code 1 tool tool pkg.remove "{\"packages\":[\"pcre2\"],\"confirm\":true}" >out &&
	error_is needed 1 out &&
	test "$("$TEST_TOOLS/jsonq" ".required_by.pcre2[0]" <out)" = nginx
'

test_expect_success '--yes is the same as "confirm": true' '
	tool --yes tool pkg.remove "{\"packages\":[\"nginx\"]}" </dev/null >out &&
	test_path_is_missing "$ROOT/usr/sbin/nginx"
'

test_expect_success FLOCK 'a change while another aipkg holds the lock exits 75' '
	mkdir -p "$ROOT/var/lib/aipkg" &&
	flock "$ROOT/var/lib/aipkg/lock" "$AIPKG" --root "$ROOT" --allow-untrusted tool \
		pkg.install "{\"packages\":[\"htop\"],\"confirm\":true}" >out 2>err
	test $? = 75 &&
	error_is locked 75 out &&
	test_path_is_missing "$ROOT/usr/bin/htop"
'

test_done
