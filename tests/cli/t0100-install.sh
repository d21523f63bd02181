#!/bin/sh
# t0100: aipkg install over the apk under test.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='install: dependencies, confirmation, dry runs, constraints, conflicts

Installs into a fresh --root from the fixture repository with the apk under
test, checks that the installed binary runs, that the changes are read from
the installed database, and that refused or failing installs change nothing.'

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

snapshot () {
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	cp "$ROOT/etc/apk/world" world.before
}

unchanged () {
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_cmp world.before "$ROOT/etc/apk/world"
}

test_expect_success 'setup' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A"
'

test_expect_success 'without a terminal or --yes, an install that adds dependencies is refused' '
	snapshot &&
	test_expect_code 1 aipkg install nginx 2>err &&
	test_grep "needs confirmation (it would install " err &&
	test_grep "pcre2" err &&
	test_grep -e "--yes" err &&
	unchanged
'

test_expect_success '--dry-run shows apk'"'"'s plan and changes nothing' '
	aipkg --dry-run --json install nginx >out &&
	test "$("$JQ" .dry_run <out)" = true &&
	"$JQ" "changes#" <out >n && echo 5 >expect && test_cmp expect n &&
	"$JQ" "changes[4].name" "changes[4].action" "changes[4].to" <out >actual &&
	printf "nginx\ninstall\n1.26.2-r0\n" >expect &&
	test_cmp expect actual &&
	unchanged &&
	test_path_is_missing "$ROOT/usr/sbin/nginx"
'

test_expect_success 'install --yes installs nginx with its dependencies, and it runs' '
	aipkg --yes --json install nginx >out &&
	test "$("$JQ" apk_exit <out)" = 0 &&
	"$JQ" "changes#" <out >n && echo 5 >expect && test_cmp expect n &&
	"$ROOT/usr/sbin/nginx" >run &&
	echo "nginx version: nginx/1.26.2" >expect &&
	test_cmp expect run &&
	echo nginx >expect &&
	test_cmp expect "$ROOT/etc/apk/world"
'

test_expect_success 'the changes come from the installed db, sorted by name' '
	"$JQ" "changes[0].name" "changes[0].action" "changes[0].from" "changes[0].to" <out >actual &&
	printf "libcrypto3\ninstall\nnull\n3.3.1-r0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'installing what is installed changes nothing and succeeds' '
	snapshot &&
	aipkg install nginx >out &&
	test_grep "^nginx 1.26.2-r0 is already installed.$" out &&
	unchanged
'

test_expect_success 'a package with no extra dependencies needs no confirmation' '
	aipkg install htop >out &&
	test_grep "^Installed *htop *3.3.0-r0" out &&
	"$ROOT/usr/bin/htop" >run && test_grep "htop 3.3.0" run
'

test_expect_success 'a cmd: provider installs the package that provides it' '
	aipkg --json install cmd:dig >out &&
	test "$("$JQ" "changes[0].name" <out)" = bind-tools
'

test_expect_success 'a version constraint is passed to apk and kept in world' '
	aipkg --yes install curl=8.9.0-r0 >out &&
	test_grep "^Installed *curl *8.9.0-r0" out &&
	test_grep "^curl=8.9.0-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'a constraint no version satisfies is refused before apk runs' '
	snapshot &&
	test_expect_code 1 aipkg install curl=9.9-r0 2>err &&
	test_grep "no version of curl satisfies .curl=9.9-r0. (available: 8.9.0-r0)" err &&
	unchanged
'

test_expect_success 'a conflicting install fails with apk'"'"'s reason and changes nothing' '
	aipkg install telnet-a &&
	snapshot &&
	test_expect_code 1 aipkg --yes install telnet-b 2>err &&
	test_grep "conflicts" err &&
	test_grep "telnet-a" err &&
	test $(grep -c "^error:" err) = 1 &&
	unchanged
'

test_expect_success 'a package whose dependency is missing fails, naming it' '
	snapshot &&
	test_expect_code 1 aipkg --yes install broken 2>err &&
	test_grep "libmissing" err &&
	unchanged
'

test_expect_success 'an unknown package is refused with close names' '
	snapshot &&
	test_expect_code 1 aipkg install ngimx 2>err &&
	test_grep "no package .ngimx.*did you mean: nginx" err &&
	unchanged
'

test_expect_success 'a failed install in --json mode prints one error document' '
	test_expect_code 1 aipkg --json install ngimx >out 2>err &&
	"$JQ" . <out >/dev/null &&
	test "$("$JQ" error.code <out)" = nopkg &&
	test "$("$JQ" error.exit <out)" = 1
'

test_expect_success DOUBLE 'package names reach apk after "--"' '
	APK_DOUBLE_LOG=$TRASH_DIRECTORY/apk.log aipkg --yes install lighttpd &&
	grep " add " apk.log >adds &&
	test_grep -e " add -- lighttpd$" adds &&
	test_grep -e "--root $ROOT" adds
'

test_done
