#!/bin/sh
# t0000: the apk under test behaves as apk does on the fixture repositories.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the apk test double (or, in real mode, the real apk) on the fixtures

Runs the scenarios of the reference apk transcripts against the apk under
test: with TEST_MODE=double the test double, with TEST_MODE=real the apk
named by AIPKG_TEST_APK.  Every assertion holds for apk 2.14, apk 3.0 and
the double, which is what makes the double trustworthy.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b

# apk on the fixture root, untrusted fixtures allowed
fapk () {
	test_apk --root "$ROOT" --allow-untrusted "$@"
}

test_expect_success 'setup: fixture repositories and a fresh root' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	test_path_is_file "$REPO_A/x86_64/APKINDEX.tar.gz" &&
	test_path_is_file "$REPO_B/x86_64/nginx-1.27.0-r0.apk" &&
	fixture_root "$ROOT" "$REPO_A" &&
	test_path_is_file "$ROOT/etc/apk/world" &&
	test_path_is_file "$ROOT/lib/apk/db/installed"
'

test_expect_success 'the apk under test names its version' '
	test_apk --version >out &&
	test_grep "^apk-tools [23]\.[0-9]*\.[0-9]*, compiled for " out
'

test_expect_success 'search finds names, descriptions and command providers' '
	fapk search -v nginx >out &&
	echo "nginx-1.26.2-r0 - HTTP and reverse proxy server (stable version)" >expect &&
	test_cmp expect out &&
	fapk search -v -d web >out &&
	echo "lighttpd-1.4.76-r0 - Secure, fast, compliant and very flexible web-server" >expect &&
	test_cmp expect out &&
	fapk search cmd:dig >out &&
	echo bind-tools-9.18.27-r0 >expect &&
	test_cmp expect out
'

test_expect_success '--simulate shows the plan and changes nothing' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	fapk add --simulate nginx >out &&
	test_grep "^(5/5) Installing nginx (1.26.2-r0)$" out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_path_is_missing "$ROOT/usr/sbin/nginx" &&
	test_grep ! nginx "$ROOT/etc/apk/world"
'

test_expect_success 'add installs the dependencies first, then the package' '
	fapk add nginx >out &&
	cat >expect <<-\EOF &&
	(1/5) Installing pcre2 (10.43-r0)
	(2/5) Installing libcrypto3 (3.3.1-r0)
	(3/5) Installing libssl3 (3.3.1-r0)
	(4/5) Installing zlib (1.3.1-r0)
	(5/5) Installing nginx (1.26.2-r0)
	EOF
	head -n 5 out >actual &&
	test_cmp expect actual &&
	test_grep "^OK: .* in 5 packages$" out
'

test_expect_success 'the installed nginx runs' '
	test -x "$ROOT/usr/sbin/nginx" &&
	"$ROOT/usr/sbin/nginx" >out &&
	echo "nginx version: nginx/1.26.2" >expect &&
	test_cmp expect out &&
	test_path_is_file "$ROOT/etc/nginx/nginx.conf"
'

test_expect_success 'the world holds what was asked for' '
	echo nginx >expect &&
	test_cmp expect "$ROOT/etc/apk/world"
'

test_expect_success 'the installed db records packages and their files' '
	grep "^P:" "$ROOT/lib/apk/db/installed" >actual &&
	cat >expect <<-\EOF &&
	P:libcrypto3
	P:libssl3
	P:nginx
	P:pcre2
	P:zlib
	EOF
	test_cmp expect actual &&
	sed -n "/^P:nginx$/,/^$/p" "$ROOT/lib/apk/db/installed" >nginx.rec &&
	test_grep "^o:nginx$" nginx.rec &&
	test_grep "^D:pcre2 so:libcrypto.so.3 so:libssl.so.3 so:libz.so.1$" nginx.rec &&
	test_grep "^p:cmd:nginx=1.26.2-r0$" nginx.rec &&
	sed -n "/^F:usr\/sbin$/,/^Z:/p" nginx.rec >sbin.rec &&
	cat >expect <<-\EOF &&
	F:usr/sbin
	R:nginx
	a:0:0:755
	EOF
	sed -n 1,3p sbin.rec >actual &&
	test_cmp expect actual &&
	test_grep "^Z:Q1" sbin.rec
'

test_expect_success 'info reports an installed package' '
	fapk info -e nginx >out &&
	echo nginx >expect &&
	test_cmp expect out &&
	fapk info -R nginx >out &&
	cat >expect <<-\EOF &&
	nginx-1.26.2-r0 depends on:
	pcre2
	so:libcrypto.so.3
	so:libssl.so.3
	so:libz.so.1

	EOF
	test_cmp expect out &&
	fapk info -r pcre2 >out &&
	printf "pcre2-10.43-r0 is required by:\nnginx-1.26.2-r0\n\n" >expect &&
	test_cmp expect out &&
	test_expect_code 1 fapk info -e nosuchpkg
'

test_expect_success 'del refuses to remove a package others need' '
	fapk del pcre2 >out &&
	cat >expect <<-\EOF &&
	World updated, but the following packages are not removed due to:
	  pcre2: nginx

	EOF
	head -n 3 out >actual &&
	test_cmp expect actual &&
	fapk info -e pcre2
'

test_expect_success 'del of an unknown package' '
	test_expect_code 1 fapk del nosuchpkg 2>err &&
	echo "ERROR: No such package: nosuchpkg" >expect &&
	test_cmp expect err
'

test_expect_success 'add of an unknown package' '
	cp "$ROOT/etc/apk/world" world.before &&
	test_expect_code 1 fapk add nosuchpkg 2>err &&
	cat >expect <<-\EOF &&
	ERROR: unable to select packages:
	  nosuchpkg (no such package):
	    required by: world[nosuchpkg]
	EOF
	test_cmp expect err &&
	test_cmp world.before "$ROOT/etc/apk/world"
'

test_expect_success 'add of a package whose dependency is missing' '
	test_expect_code 2 fapk add broken 2>err &&
	cat >expect <<-\EOF &&
	ERROR: unable to select packages:
	  libmissing (no such package):
	    required by: broken-1.0-r0[libmissing]
	EOF
	test_cmp expect err
'

test_expect_success 'conflicting packages are refused' '
	fapk add telnet-a >out &&
	test_grep "^(1/1) Installing telnet-a (1.0-r0)$" out &&
	test_expect_code 2 fapk add telnet-b 2>err &&
	cat >expect <<-\EOF &&
	ERROR: unable to select packages:
	  telnet-b-2.0-r0:
	    conflicts: telnet-a-1.0-r0[cmd:telnet=2.0-r0]
	    breaks: telnet-a-1.0-r0[!telnet-b]
	    satisfies: world[telnet-b]
	  telnet-a-1.0-r0:
	    conflicts: telnet-b-2.0-r0[cmd:telnet=1.0-r0]
	    breaks: telnet-b-2.0-r0[!telnet-a]
	    satisfies: world[telnet-a]
	EOF
	test_cmp expect err &&
	fapk info -e telnet-a &&
	test_must_fail fapk info -e telnet-b
'

test_expect_success 'add with a version pins it in the world' '
	fapk add curl=8.9.0-r0 >out &&
	cat >expect <<-\EOF &&
	(1/2) Installing libcurl (8.9.0-r0)
	(2/2) Installing curl (8.9.0-r0)
	EOF
	head -n 2 out >actual &&
	test_cmp expect actual &&
	test_grep "^curl=8.9.0-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'a constraint nothing satisfies is refused' '
	test_expect_code 1 fapk add curl=9.9-r0 2>err &&
	cat >expect <<-\EOF &&
	ERROR: unable to select packages:
	  curl-8.9.0-r0:
	    breaks: world[curl=9.9-r0]
	EOF
	test_cmp expect err &&
	test_grep "^curl=8.9.0-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'switching to newer repositories: upgrade respects the pin' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	fapk list --upgradable >out &&
	test_grep "^nginx-1.27.0-r0 x86_64 {nginx} (MIT) \[upgradable from: nginx-1.26.2-r0\]$" out &&
	fapk upgrade --simulate nginx >out &&
	test_grep "^(1/1) Upgrading nginx (1.26.2-r0 -> 1.27.0-r0)$" out &&
	fapk upgrade >out &&
	cat >expect <<-\EOF &&
	(1/5) Upgrading zlib (1.3.1-r0 -> 1.3.1-r1)
	(2/5) Upgrading libcrypto3 (3.3.1-r0 -> 3.3.2-r0)
	(3/5) Upgrading libssl3 (3.3.1-r0 -> 3.3.2-r0)
	(4/5) Upgrading libcurl (8.9.0-r0 -> 8.10.1-r0)
	(5/5) Upgrading nginx (1.26.2-r0 -> 1.27.0-r0)
	EOF
	head -n 5 out >actual &&
	test_cmp expect actual &&
	test_grep "^OK: .* in 8 packages$" out &&
	"$ROOT/usr/sbin/nginx" >out &&
	echo "nginx version: nginx/1.27.0" >expect &&
	test_cmp expect out &&
	fapk info -e curl=8.9.0-r0
'

test_expect_success 'del purges what nothing needs any more' '
	fapk del nginx >out &&
	cat >expect <<-\EOF &&
	(1/2) Purging nginx (1.27.0-r0)
	(2/2) Purging pcre2 (10.43-r0)
	EOF
	head -n 2 out >actual &&
	test_cmp expect actual &&
	test_path_is_missing "$ROOT/usr/sbin/nginx" &&
	test_path_is_missing "$ROOT/etc/nginx/nginx.conf" &&
	test_grep ! "^P:pcre2$" "$ROOT/lib/apk/db/installed"
'

test_expect_success 'del --rdepends removes the packages that need it' '
	fapk del --rdepends libcrypto3 >out &&
	cat >expect <<-\EOF &&
	(1/5) Purging curl (8.9.0-r0)
	(2/5) Purging libcurl (8.10.1-r0)
	(3/5) Purging libssl3 (3.3.2-r0)
	(4/5) Purging zlib (1.3.1-r1)
	(5/5) Purging libcrypto3 (3.3.2-r0)
	EOF
	head -n 5 out >actual &&
	test_cmp expect actual &&
	echo telnet-a >expect &&
	test_cmp expect "$ROOT/etc/apk/world"
'

test_expect_success 'version -t orders versions as apk does' '
	test_apk version -t 1.2.3-r0 1.2.10-r0 >out &&
	test_apk version -t 1.0_rc1-r0 1.0-r0 >>out &&
	test_apk version -t 2.0_p1-r0 2.0-r0 >>out &&
	test_apk version -t 1.0-r1 1.0-r1 >>out &&
	printf "<\n<\n>\n=\n" >expect &&
	test_cmp expect out &&
	test_apk version -c 1.2.3-r0
'

test_expect_success 'fetch copies a package file' '
	mkdir fetched &&
	fapk fetch -o fetched htop >out &&
	echo "Downloading htop-3.3.0-r0" >expect &&
	test_cmp expect out &&
	cmp fetched/htop-3.3.0-r0.apk "$REPO_B/x86_64/htop-3.3.0-r0.apk"
'

test_expect_success FLOCK 'a held lock makes apk fail at once' '
	# the holder says it holds the lock, and lets go when told: no sleeping
	rm -f held let-go && mkfifo held let-go &&
	{ ( flock -x 9 && echo held >held && read -r _ <let-go ) 9>"$ROOT/lib/apk/db/lock" & } &&
	locker=$! &&
	read -r _ <held &&
	fapk add htop 2>err
	status=$?
	: >let-go
	wait $locker
	test "$status" -eq 99 &&
	test_grep "^ERROR: Unable to lock database: " err &&
	test_must_fail fapk info -e htop
'

test_expect_success DOUBLE 'APK_DOUBLE_LOG records each command line' '
	APK_DOUBLE_LOG=$TRASH_DIRECTORY/apk.log fapk add htop >out &&
	test_grep " --allow-untrusted add htop$" apk.log
'

test_expect_success DOUBLE 'APK_DOUBLE_FAIL_AT fails after the first changes' '
	fixture_use_repos "$ROOT" "$REPO_A" &&
	test_expect_code 1 env APK_DOUBLE_FAIL_AT=2 \
		"$TEST_TOOLS/apk-double" --root "$ROOT" --allow-untrusted add nginx >out 2>err &&
	test_grep "^ERROR: .*: IO ERROR$" err &&
	test_grep "^1 error; " out &&
	test_grep "^P:pcre2$" "$ROOT/lib/apk/db/installed" &&
	test_grep "^P:libcrypto3$" "$ROOT/lib/apk/db/installed" &&
	test_grep ! "^P:nginx$" "$ROOT/lib/apk/db/installed"
'

test_done
