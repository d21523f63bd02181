#!/bin/sh
# t0161: a directory that is not an Alpine root is refused, and nothing is created in it.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='--root of a directory without an apk database

`aipkg --root /tmp/empty list` printed nothing and exited 0, install ran apk
into an error, and aipkg created its state directory there.  Every command
that reads or changes the root now says it is not an Alpine root (no apk
database) and exits 2, leaving the directory as it was; a fresh
`apk --initdb` root is one.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

EMPTY=$TRASH_DIRECTORY/empty
ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$EMPTY" --allow-untrusted "$@" </dev/null
}

listing () {
	(cd "$1" && find . | sort)
}

test_expect_success 'setup: an empty directory, one with only etc/apk, a real root' '
	mkdir -p "$EMPTY" half/etc/apk &&
	echo nginx >half/etc/apk/world &&
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	listing "$EMPTY" >empty.before &&
	listing half >half.before
'

for cmd in 'list' 'list --world' 'search nginx' 'info nginx' \
	'install nginx' '--yes install nginx' 'remove nginx' 'update' 'lock nginx' \
	'unlock nginx' 'history' 'rollback' 'recover' 'check-vuln' 'ask web server' \
	'agent run' 'agent status' 'agent install-cron' 'tool pkg.list {}'
do
	test_expect_success "$cmd: exit 2, says it is not an Alpine root, creates nothing" "
		test_expect_code 2 aipkg $cmd >out 2>err &&
		test_grep \"^error: .*empty. is not an Alpine root: it has no apk database\" err &&
		test_grep -e \"--initdb\" err &&
		listing \"\$EMPTY\" >empty.after &&
		test_cmp empty.before empty.after
	"
done

test_expect_success '--json: the error document, code not_alpine' '
	test_expect_code 2 aipkg --json list >out 2>err &&
	"$JQ" error.code error.exit <out >actual &&
	printf "not_alpine\n2\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a directory with etc/apk but no installed database is refused too' '
	test_expect_code 2 "$AIPKG" --root half --yes install nginx </dev/null 2>err &&
	test_grep "is not an Alpine root" err &&
	listing half >half.after &&
	test_cmp half.before half.after
'

test_expect_success 'commands that do not read the root still work there' '
	aipkg version -t 1.0 1.1 >out &&
	echo "<" >expect && test_cmp expect out &&
	aipkg --help >/dev/null &&
	aipkg tool --list >/dev/null
'

test_expect_success 'a fresh root made by apk --initdb is an Alpine root' '
	"$AIPKG" --root "$ROOT" --allow-untrusted list </dev/null >out &&
	test_must_be_empty out &&
	"$AIPKG" --root "$ROOT" --allow-untrusted --json list --world </dev/null >out &&
	"$JQ" "packages#" <out >n && echo 0 >expect && test_cmp expect n
'

test_expect_success 'an installed database reached through a symlink counts' '
	mkdir -p linked/etc/apk linked/var/db linked/lib/apk &&
	cp "$ROOT/lib/apk/db/installed" linked/var/db/installed &&
	mkdir linked/lib/apk/db &&
	ln -s ../../../var/db/installed linked/lib/apk/db/installed &&
	"$AIPKG" --root linked list </dev/null >out
'

test_expect_success 'a --root that is missing or a file: named, and what --root is for' '
	test_expect_code 2 "$AIPKG" --root "$TRASH_DIRECTORY/no-such-dir" list >out 2>err &&
	test_grep "root .*no-such-dir.: No such file or directory; --root names the directory an Alpine system is installed in" err &&
	: >a-file &&
	test_expect_code 2 "$AIPKG" --root a-file list >out 2>err &&
	test_grep "root .a-file. is not a directory; --root names the directory" err &&
	test ! -s out
'

test_done
