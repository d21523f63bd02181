#!/bin/sh
# t0120: aipkg update refreshes the indexes and upgrades.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='update: upgrade all or named packages after the repository moves on'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

version_of () {
	sed -n "/^P:$1\$/,/^\$/s/^V://p" "$ROOT/lib/apk/db/installed"
}

test_expect_success 'setup: nginx and curl from repository A, then B appears' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx curl &&
	fixture_use_repos "$ROOT" "$REPO_B"
'

test_expect_success 'list --upgradable shows what B offers' '
	aipkg --json list --upgradable >out &&
	"$JQ" "packages#" <out >n && echo 6 >expect && test_cmp expect n &&
	aipkg list --upgradable >out &&
	test_grep "^nginx *1.26.2-r0 -> 1.27.0-r0$" out
'

test_expect_success 'update --dry-run shows the upgrades and changes nothing' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	aipkg --dry-run update >out &&
	test_grep "^Would upgrade *nginx *1.26.2-r0 -> 1.27.0-r0" out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'update NAME upgrades only that package' '
	aipkg --json update nginx >out &&
	test "$(version_of nginx)" = 1.27.0-r0 &&
	test "$(version_of curl)" = 8.9.0-r0 &&
	test "$("$JQ" "changes[0].name" "changes[0].action" "changes[0].from" "changes[0].to" <out | tr "\n" " ")" = "nginx upgrade 1.26.2-r0 1.27.0-r0 " &&
	"$ROOT/usr/sbin/nginx" >run && test_grep "nginx/1.27.0" run
'

test_expect_success 'update upgrades everything else' '
	aipkg --yes --json update >out &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test "$(version_of libcrypto3)" = 3.3.2-r0 &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	aipkg list --upgradable >out &&
	test ! -s out
'

test_expect_success 'a second update has nothing to do' '
	aipkg --yes update >out &&
	test_grep "^Nothing to upgrade: every package is at the newest version available.$" out
'

test_expect_success 'update of a package that is not installed is refused' '
	test_expect_code 1 aipkg update htop 2>err &&
	test_grep "htop. is not installed" err
'

test_done
