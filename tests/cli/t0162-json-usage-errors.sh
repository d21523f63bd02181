#!/bin/sh
# t0162: with --json, a usage error is a JSON document on stdout too, whatever failed.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='--json usage errors print {"error":...} on stdout

`aipkg --json frob`, `--json history abc` and `--json version -t 1.0 abc`
printed nothing on stdout, so a script reading it got no document; and
`--version --json` printed text.  Every usage error, from the option parser
or from a command, now prints the documented error document (code, message,
exit 2) on stdout and the message on stderr.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
JQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: an Alpine root' '
	fixture_root "$ROOT"
'

# usage_case CODE ARGS...: aipkg --root ROOT ARGS exits 2 with exactly one
# JSON document on stdout whose error has CODE and exit 2, and an error on
# stderr with the same message.
usage_case () {
	_uc_code=$1
	shift
	test_expect_code 2 "$AIPKG" --root "$ROOT" "$@" </dev/null >out 2>err &&
	"$JQ" error.code error.exit <out >actual &&
	printf "%s\n2\n" "$_uc_code" >expect &&
	test_cmp expect actual &&
	"$JQ" error.message <out >msg &&
	test -s msg &&
	grep -F "error: $(cat msg)" err >/dev/null
}

test_expect_success 'an unknown command, --json first' '
	usage_case usage --json frob &&
	test_grep "unknown command .frob." msg
'

test_expect_success 'an unknown command, --json after it' '
	usage_case usage frob --json
'

test_expect_success 'an unknown option' '
	usage_case usage --json list --frob &&
	test_grep "unknown option" msg
'

test_expect_success 'an option without its value' '
	usage_case usage list --json --root
'

test_expect_success 'no command at all' '
	usage_case usage --json
'

test_expect_success 'history with an id that is not a number' '
	usage_case usage --json history abc &&
	test_grep "abc" msg
'

test_expect_success 'history --limit that is not a number' '
	usage_case usage --json history --limit x
'

# apk 3 refuses an invalid version; apk 2 orders anything (t0150), so the
# double plays apk 3 here and a real apk 2 has nothing to refuse.
test_expect_success 'version -t with an invalid version (apk 3)' '
	if test "$TEST_MODE" = real && ! test_apk --version | grep -q "apk-tools 3"
	then
		say "# apk 2 orders any version"
	else
		(
			APK_DOUBLE_MAJOR=3 &&
			export APK_DOUBLE_MAJOR &&
			usage_case badversion --json version -t 1.0 abc
		) &&
		test_grep "abc. is not a valid apk version" msg
	fi
'

test_expect_success 'version with neither -t nor -c' '
	usage_case usage --json version
'

test_expect_success 'commands missing their arguments' '
	for cmd in install remove search ask info lock unlock
	do
		usage_case usage --json "$cmd" || return 1
	done
'

test_expect_success 'commands given arguments they do not take' '
	usage_case usage --json recover now &&
	usage_case usage --json config x &&
	usage_case usage --json list --installed --world &&
	usage_case usage --json rollback 1 2 &&
	usage_case usage --json agent frob &&
	usage_case usage --json check-vuln --fail-on severe &&
	usage_case usage --json update --plan nginx &&
	usage_case usage --json help frob &&
	usage_case usage --json --lock-timeout soon list
'

test_expect_success '--version --json prints the version as JSON' '
	"$AIPKG" --version --json >out &&
	"$JQ" name version <out >actual &&
	test "$(sed -n 1p actual)" = aipkg &&
	test -n "$(sed -n 2p actual)" &&
	"$AIPKG" --version >text &&
	test_grep "^aipkg $(sed -n 2p actual)$" text
'

test_expect_success 'version -t --json is a JSON document' '
	"$AIPKG" --json version -t 1.0 1.1 >out &&
	test "$("$JQ" result <out)" = "<"
'

test_expect_success '--help --json is the command table' '
	"$AIPKG" --help --json >out &&
	"$JQ" "commands#" <out >n &&
	test "$(cat n)" -gt 10 &&
	"$AIPKG" install --help --json >out &&
	test "$("$JQ" "commands[0].name" <out)" = install
'

test_expect_success 'without --json a usage error prints nothing on stdout' '
	test_expect_code 2 "$AIPKG" frob >out 2>err &&
	test_must_be_empty out &&
	test_grep "unknown command" err
'

test_done
