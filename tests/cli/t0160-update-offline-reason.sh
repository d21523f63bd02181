#!/bin/sh
# t0160: a failed index refresh says why (it used to end in an empty reason).
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='update offline: the error names the repository and the reason

With a mirror that cannot be reached, `aipkg update` used to end with
"could not refresh the repository indexes, so nothing was upgraded: " and
nothing after the colon, in text and in --json, because the message was
formatted from the detail it had just cleared.  The agent run reports the
same failure.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JQ=$TEST_TOOLS/jsonq
# nothing listens on the discard port of the loopback: refused at once
DEAD=http://127.0.0.1:9/alpine/v3.20/main

aipkg () {
	"$AIPKG" --root "$ROOT" "$@" </dev/null
}

test_expect_success 'setup: a root whose only repository is a dead mirror' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	"$AIPKG" --root "$ROOT" --allow-untrusted --yes install htop </dev/null &&
	fixture_use_repos "$ROOT" "$DEAD" &&
	cp "$ROOT/lib/apk/db/installed" installed.before
'

test_expect_success 'update names the mirror and why after the colon' '
	test_expect_code 1 aipkg update 2>err &&
	test_grep "^error: could not refresh the repository indexes, so nothing was upgraded: ." err &&
	test_grep ! ": *$" err &&
	test_grep "127.0.0.1:9" err &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'update --refresh-only names the mirror, and no upgrade it never meant' '
	test_expect_code 1 aipkg update --refresh-only 2>err &&
	test_grep "^error: could not refresh the repository indexes: ." err &&
	test_grep ! "nothing was upgraded" err &&
	test_grep "127.0.0.1:9" err
'

test_expect_success 'update --json carries the same reason in its message' '
	test_expect_code 1 aipkg --json update >out 2>err &&
	"$JQ" error.code error.exit <out >actual &&
	printf "apk_failed\n1\n" >expect &&
	test_cmp expect actual &&
	"$JQ" error.message <out >msg &&
	test_grep "nothing was upgraded: .*127.0.0.1:9" msg
'

test_expect_success 'the agent run reports the refresh failure with its reason' '
	test_expect_code 1 aipkg agent run >out 2>err &&
	report=$(ls "$ROOT"/var/lib/aipkg/reports/*.json) &&
	"$JQ" "errors[0]" <"$report" >actual &&
	test_grep "nothing was upgraded: .*127.0.0.1:9" actual
'

test_done
