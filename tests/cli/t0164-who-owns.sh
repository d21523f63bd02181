#!/bin/sh
# t0164: which package owns a file (info --who-owns, search /path), info's size and -L.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='info --who-owns, search of a path, info -L and sizes

`aipkg search /usr/sbin/nginx` printed nothing and there was no way to ask
which package owns a file, which `apk info --who-owns` answers.  Both now
answer from the installed database as apk does: files, directories (as
apk 3 owns them; apk 2 owns none), symlinks by their absolute target.  With a real apk the
answers are compared with its own.'

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

test_expect_success 'setup: nginx and lighttpd installed, links beside them' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx lighttpd htop >out 2>err &&
	mkdir -p "$ROOT/usr/local/bin" &&
	ln -s /usr/sbin/nginx "$ROOT/usr/local/bin/web" &&
	ln -s ../../sbin/nginx "$ROOT/usr/local/bin/web-relative" &&
	ln -s /nowhere "$ROOT/usr/local/bin/dangling"
'

test_expect_success 'a file: as apk says it' '
	aipkg info --who-owns /usr/sbin/nginx >out &&
	echo "/usr/sbin/nginx is owned by nginx-1.26.2-r0" >expect &&
	test_cmp expect out
'

test_expect_success 'several files; a relative path is taken from the root' '
	aipkg info -W /usr/bin/htop usr/sbin/lighttpd /etc/nginx/nginx.conf >out &&
	cat >expect <<-\EOF &&
	/usr/bin/htop is owned by htop-3.3.0-r0
	usr/sbin/lighttpd is owned by lighttpd-1.4.76-r0
	/etc/nginx/nginx.conf is owned by nginx-1.26.2-r0
	EOF
	test_cmp expect out
'

test_expect_success 'a symlink nothing owns: by its absolute target' '
	aipkg info --who-owns /usr/local/bin/web >out &&
	echo "/usr/local/bin/web symlink target is owned by nginx-1.26.2-r0" >expect &&
	test_cmp expect out &&
	aipkg --json info --who-owns /usr/local/bin/web >out &&
	"$JQ" "owners[0].package" "owners[0].symlink_target" <out >actual &&
	printf "nginx\n/usr/sbin/nginx\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a relative or dangling symlink, a missing file: nobody owns it, exit 1' '
	test_expect_code 1 aipkg info -W /usr/local/bin/web-relative /usr/local/bin/dangling \
		/usr/sbin/nginx /no/such/file >out 2>err &&
	echo "/usr/sbin/nginx is owned by nginx-1.26.2-r0" >expect &&
	test_cmp expect out &&
	test_grep "^error: no installed package owns /usr/local/bin/web-relative, /usr/local/bin/dangling, /no/such/file$" err
'

test_expect_success '--json: owners, and the unowned in the error document' '
	test_expect_code 1 aipkg --json info -W /usr/sbin/nginx /no/such/file >out 2>err &&
	"$JQ" "owners[0].path" "owners[0].package" "owners[0].version" "unowned[0]" \
		error.code <out >actual &&
	printf "/usr/sbin/nginx\nnginx\n1.26.2-r0\n/no/such/file\nnopkg\n" >expect &&
	test_cmp expect actual
'

# aipkg remembers the version of each apk binary: apk 3 is a copy of the double
test_expect_success !REALAPK 'a directory with apk 3: the package it names (q:, origin, then name order)' '
	cp "$AIPKG_APK" apk3-double &&
	AIPKG_APK=$PWD/apk3-double APK_DOUBLE_MAJOR=3 aipkg info -W /usr/sbin /etc/nginx/ >out &&
	cat >expect <<-\EOF &&
	/usr/sbin is owned by lighttpd-1.4.76-r0
	/etc/nginx/ is owned by nginx-1.26.2-r0
	EOF
	test_cmp expect out
'

# apk 2.10 to 2.14.4 own no directory (real 3.18 root, apk 2.14.4: "ERROR:
# /etc: Could not find owner package"); aipkg said alpine-baselayout.
test_expect_success !REALAPK 'a directory with apk 2: nobody owns it, as apk 2 says' '
	test_expect_code 1 aipkg info -W /usr/sbin /etc/nginx/ /usr/sbin/nginx >out 2>err &&
	echo "/usr/sbin/nginx is owned by nginx-1.26.2-r0" >expect &&
	test_cmp expect out &&
	test_grep "^error: no installed package owns /usr/sbin, /etc/nginx/$" err
'

test_expect_success '-q: the names, each once' '
	aipkg -q info -W /usr/sbin/nginx /etc/nginx/nginx.conf /usr/bin/htop >out &&
	printf "nginx\nhtop\n" >expect &&
	test_cmp expect out
'

test_expect_success 'search of an absolute path: the owning package' '
	aipkg search /usr/sbin/nginx >out &&
	test_grep "^nginx  *1.26.2-r0  *\[installed\]" out &&
	aipkg --json search /usr/bin/htop /no/such/file >out &&
	"$JQ" "packages#" "packages[0].name" "packages[0].owns" <out >actual &&
	printf "1\nhtop\n/usr/bin/htop\n" >expect &&
	test_cmp expect actual &&
	aipkg search /no/such/file >out &&
	test_must_be_empty out
'

test_expect_success 'the tool answers the same' '
	aipkg tool pkg.who_owns "{\"paths\":[\"/usr/sbin/nginx\"]}" >out &&
	test "$("$JQ" "owners[0].package" <out)" = nginx
'

test_expect_success 'info -L lists the files, info shows the installed size' '
	aipkg info -L nginx >out &&
	test_grep "^files:$" out &&
	test_grep "^  /usr/sbin/nginx$" out &&
	test_grep "^  /etc/nginx/nginx.conf$" out &&
	test_grep "^size: *[0-9.]* [KM]*i*B installed$" out &&
	aipkg --json info -L nginx >out &&
	"$JQ" "files#" <out >n && echo 2 >expect && test_cmp expect n &&
	test "$("$JQ" installed_size <out)" -gt 0
'

test_expect_success 'info of a package not installed: its sizes, no files' '
	aipkg info -L curl >out &&
	test_grep "^size: .* installed, .* to download$" out &&
	test_grep "^files: *none (not installed)$" out
'

test_expect_success 'more paths than one call takes (a glob): all answered' '
	i=0 &&
	while test $i -lt 1100
	do
		echo "/no/such/$i" || return 1
		i=$((i + 1))
	done >many &&
	test_expect_code 1 aipkg -q info -W /usr/bin/htop $(cat many) >out 2>err &&
	echo htop >expect &&
	test_cmp expect out &&
	test_grep "/no/such/1099$" err
'

test_expect_success REALAPK 'files and symlinks: the same owners as the real apk' '
	for p in /usr/sbin/nginx /usr/bin/htop usr/sbin/lighttpd usr/local/bin/web \
		/etc/nginx/nginx.conf /no/such/file
	do
		test_apk --root "$ROOT" info --who-owns "$p" 2>&1 |
			sed "s/^ERROR: \(.*\): Could not find owner package$/\1 unowned/" || return 1
	done >apk.out &&
	for p in /usr/sbin/nginx /usr/bin/htop usr/sbin/lighttpd usr/local/bin/web \
		/etc/nginx/nginx.conf /no/such/file
	do
		aipkg info --who-owns "$p" 2>&1 |
			sed "s/^error: no installed package owns \(.*\)$/\1 unowned/" || return 1
	done >aipkg.out &&
	test_cmp apk.out aipkg.out
'

test_expect_success REALAPK 'directories: the same owner as apk 3, none as apk 2' '
	if test_apk --version | grep "apk-tools 3" >/dev/null
	then
		test_apk --root "$ROOT" info --who-owns /usr/sbin /etc/nginx >apk.out &&
		aipkg info --who-owns /usr/sbin /etc/nginx >aipkg.out &&
		test_cmp apk.out aipkg.out
	else
		test_must_fail test_apk --root "$ROOT" info --who-owns /usr/sbin 2>err &&
		test_grep "Could not find owner package" err &&
		test_must_fail aipkg info --who-owns /usr/sbin 2>err &&
		test_grep "no installed package owns /usr/sbin" err
	fi
'

test_done
