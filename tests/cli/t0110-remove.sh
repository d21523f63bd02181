#!/bin/sh
# t0110: aipkg remove refuses to break dependents.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='remove: reverse dependencies, --rdepends, confirmation'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

test_expect_success 'setup: nginx and htop installed' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx htop &&
	cp "$ROOT/lib/apk/db/installed" installed.before
'

test_expect_success 'removing a package nginx needs is refused, naming nginx' '
	test_expect_code 1 aipkg remove pcre2 2>err &&
	test_grep "pcre2 is needed by nginx" err &&
	test_grep -e "--rdepends" err &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'the refusal in JSON lists the dependents' '
	test_expect_code 1 aipkg --json remove pcre2 >out &&
	test "$("$JQ" "required_by.pcre2[0]" <out)" = nginx &&
	test "$("$JQ" error.code <out)" = needed
'

test_expect_success 'a removal is never done without confirmation' '
	test_expect_code 1 aipkg remove htop 2>err &&
	test_grep "needs confirmation" err &&
	test -x "$ROOT/usr/bin/htop"
'

test_expect_success '--dry-run --rdepends shows nginx, pcre2 and the orphans going' '
	aipkg --dry-run --json remove --rdepends pcre2 >out &&
	"$JQ" "changes#" <out >n && echo 5 >expect && test_cmp expect n &&
	"$JQ" "changes[0].action" "changes[1].action" "changes[4].action" <out >actual &&
	printf "remove\nremove\nremove\n" >expect && test_cmp expect actual &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'remove --rdepends --yes removes pcre2 and nginx' '
	aipkg --yes --json remove --rdepends pcre2 >out &&
	"$JQ" "changes[0].name" "changes[0].action" >actual <out &&
	test_grep "remove" actual &&
	test_grep ! "^P:nginx$" "$ROOT/lib/apk/db/installed" &&
	test_grep ! "^P:pcre2$" "$ROOT/lib/apk/db/installed" &&
	test_path_is_missing "$ROOT/usr/sbin/nginx"
'

test_expect_success 'removing what is not installed says so' '
	test_expect_code 1 aipkg --yes remove curl 2>err &&
	test_grep "curl. is not installed" err
'

test_expect_success 'removing an unknown name suggests close ones' '
	test_expect_code 1 aipkg --yes remove htopp 2>err &&
	test_grep "did you mean: htop" err
'

test_expect_success 'remove takes names, not constraints' '
	test_expect_code 2 aipkg --yes remove htop=3.3.0-r0 2>err &&
	test_grep "without a version" err
'

test_expect_success 'remove --yes of a leaf package' '
	aipkg --yes remove htop >out &&
	test_grep "^Removed *htop *3.3.0-r0" out &&
	test_path_is_missing "$ROOT/usr/bin/htop"
'

test_done
