#!/bin/sh
# t0130: search, info and list read apk's files, without apk.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='search, info and list: names, descriptions, providers, JSON shapes'

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

test_expect_success 'setup: nginx installed' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx
'

test_expect_success 'search matches names' '
	aipkg -q search nginx >out &&
	echo nginx >expect &&
	test_cmp expect out
'

test_expect_success 'search -d also matches descriptions' '
	aipkg -q search web >out &&
	test ! -s out &&
	aipkg -q search -d web >out &&
	echo lighttpd >expect &&
	test_cmp expect out
'

test_expect_success 'search cmd:dig finds bind-tools, so: finds the library' '
	aipkg -q search cmd:dig >out &&
	echo bind-tools >expect &&
	test_cmp expect out &&
	aipkg -q search so:libssl.so.3 >out &&
	echo libssl3 >expect &&
	test_cmp expect out
'

test_expect_success 'search globs and lists exact matches first' '
	aipkg -q search "telnet-*" >out &&
	printf "telnet-a\ntelnet-b\n" >expect &&
	test_cmp expect out &&
	aipkg -q search curl >out &&
	printf "curl\nlibcurl\n" >expect &&
	test_cmp expect out
'

test_expect_success 'search --json has the documented shape' '
	aipkg --json search nginx >out &&
	"$JQ" "packages[0].name" "packages[0].version" "packages[0].origin" "packages[0].installed" <out >actual &&
	printf "nginx\n1.26.2-r0\nnginx\ntrue\n" >expect &&
	test_cmp expect actual &&
	"$JQ" "packages[0].description" <out
'

test_expect_success 'search without a term is a usage error' '
	test_expect_code 2 aipkg search 2>err &&
	test_grep "search needs a term" err
'

test_expect_success 'info of an installed package: depends, provides, required by' '
	aipkg --json info pcre2 >out &&
	test "$("$JQ" installed <out)" = true &&
	test "$("$JQ" "required_by[0]" <out)" = nginx &&
	aipkg --json info nginx >out &&
	"$JQ" name version url license origin "depends[0]" "provides[0]" <out >actual &&
	printf "nginx\n1.26.2-r0\nhttps://example.org/nginx\nMIT\nnginx\npcre2\ncmd:nginx=1.26.2-r0\n" >expect &&
	test_cmp expect actual &&
	"$JQ" "required_by#" <out >n && echo 0 >expect && test_cmp expect n
'

test_expect_success 'info of an available package says it is not installed' '
	aipkg info curl >out &&
	test_grep "^installed: *no" out &&
	test_grep "^available: *8.9.0-r0" out &&
	test_grep "^depends: *so:libcurl.so.4" out
'

test_expect_success 'info of a provided name shows its provider' '
	aipkg --json info cmd:dig >out &&
	"$JQ" name provides_requested installed <out >actual &&
	printf "bind-tools\ncmd:dig\nfalse\n" >expect &&
	test_cmp expect actual &&
	aipkg info so:libssl.so.3 >out &&
	test_grep "^(so:libssl.so.3 is provided by libssl3)$" out
'

test_expect_success 'info of an unknown package suggests close names' '
	test_expect_code 1 aipkg info curll 2>err &&
	test_grep "did you mean: curl" err
'

test_expect_success 'list shows the installed packages sorted' '
	aipkg -q list >out &&
	printf "libcrypto3\nlibssl3\nnginx\npcre2\nzlib\n" >expect &&
	test_cmp expect out
'

test_expect_success 'list --world shows what was asked for' '
	aipkg --json list --world >out &&
	"$JQ" "packages[0].name" "packages[0].constraint" "packages[0].installed" <out >actual &&
	printf "nginx\nnginx\ntrue\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'list --available shows each name once' '
	aipkg -q list --available >out &&
	test "$(grep -c "^nginx$" out)" = 1 &&
	test_grep "^bind-tools$" out
'

test_expect_success 'list takes one filter' '
	test_expect_code 2 aipkg list --world --available 2>err
'

# "aipkg list lib*" was a usage error; apk list takes patterns (globs over
# the whole name when one holds a "*", case folded; else the exact name)
test_expect_success 'list PATTERN: globs over the name, case folded; else exact' '
	aipkg -q list "lib*" >out &&
	printf "libcrypto3\nlibssl3\n" >expect &&
	test_cmp expect out &&
	aipkg -q list "LIB*" >out &&
	if test "$TEST_MODE" = real && test_apk --version | grep -q "apk-tools 2\.1[0-2]\."
	then
		test_must_be_empty out # apk before 2.14 folds no case
	else
		test_cmp expect out
	fi &&
	aipkg -q list nginx "z*" >out &&
	printf "nginx\nzlib\n" >expect &&
	test_cmp expect out &&
	aipkg -q list NGINX >out &&
	test_must_be_empty out &&
	aipkg -q list -a "c*" >out &&
	echo curl >expect &&
	test_cmp expect out &&
	aipkg --json list --world "ngin*" >out &&
	"$JQ" "packages#" "packages[0].name" <out >actual &&
	printf "1\nnginx\n" >expect &&
	test_cmp expect actual
'

# apk 2 takes "?" as a glob only beside a pattern holding "*"; apk 3 always
test_expect_success !REALAPK 'list PATTERN: "?" alone is a glob to apk 3 only' '
	aipkg -q list "lib?sl3" >out &&
	test_must_be_empty out &&
	aipkg -q list "lib?sl3" "z*" >out &&
	printf "libssl3\nzlib\n" >expect &&
	test_cmp expect out &&
	cp "$AIPKG_APK" apk3-double &&
	AIPKG_APK=$PWD/apk3-double APK_DOUBLE_MAJOR=3 aipkg -q list "lib?sl3" >out &&
	echo libssl3 >expect &&
	test_cmp expect out
'

test_expect_success REALAPK 'list PATTERN: the packages apk list -I PATTERN prints' '
	for pat in "lib*" "LIB*" nginx NGINX "lib?sl3" "*ssl*" "[l-n]*"
	do
		test_apk --root "$ROOT" list -I "$pat" 2>/dev/null | cut -d" " -f1 | sort &&
		aipkg list "$pat" >l &&
		awk "{ print \"aipkg \" \$1 \"-\" \$2 }" <l | sort || return 1
	done >both &&
	grep -v "^aipkg " both >apk.out &&
	sed -n "s/^aipkg //p" both >aipkg.out &&
	test_cmp apk.out aipkg.out
'

test_expect_success 'queries need no apk at all' '
	AIPKG_APK=/nonexistent/apk aipkg -q list >out &&
	test_grep nginx out
'

test_done
