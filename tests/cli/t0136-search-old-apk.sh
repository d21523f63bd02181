#!/bin/sh
# t0136: search and list as apk 2.10 and 2.12 (Alpine 3.10 to 3.15) answer them.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='search and list follow the apk in use when it is older than 2.14

On real Alpine 3.10 to 3.15 roots apk 2.10.6 and 2.12.7 answered
otherwise than 2.14 and 3.0, and aipkg answered as 2.14: they fold no
case ("search BUSYBOX", "list LIB*" find nothing), each name a term
matches shows one provider (on real 3.15 "search -x postgresql" is
postgresql14 alone, aipkg listed postgresql-bdr, 12 and 13 too), and -d
matches the phrase in descriptions and names with its case.  The shapes
here reproduce what the real binaries answered on real roots.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
MAIN=$TRASH_DIRECTORY/main

# aipkg with the apk under test, or the double claiming apk-tools V (a copy
# of the binary per version: aipkg remembers the version of each binary)
aipkg_as () {
	_v=$1
	shift
	if test "$TEST_MODE" = real
	then
		"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
	else
		test -x "apk-$_v" || cp "$AIPKG_APK" "apk-$_v" || return 1
		AIPKG_APK=$PWD/apk-$_v APK_DOUBLE_VERSION=$_v \
			"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
	fi
}

# the names QUERY finds, sorted on one line
found () {
	_v=$1
	shift
	aipkg_as "$_v" -q search "$@" | sort | tr "\n" " "
}

test_expect_success 'setup: providers of postgresql met in index order, a mixed-case description' '
	mkrepo_pkg "$MAIN" postgresql14 14.2-r0 -p postgresql \
		-d "A sophisticated object-relational DBMS" &&
	mkrepo_pkg "$MAIN" postgresql-bdr 9.4.14_p1-r12 -p postgresql=9.4.14_p1-r12 \
		-d "PostgreSQL with Bi-Directional Replication" &&
	mkrepo_pkg "$MAIN" postgresql13 13.6-r0 -p postgresql \
		-d "A sophisticated object-relational DBMS" &&
	mkrepo_pkg "$MAIN" libecpg 14.2-r0 -p postgresql-libs -d "ECPG library" &&
	mkrepo_pkg "$MAIN" busybox 1.36.1-r0 \
		-d "Size optimized toolbox of many common UNIX utilities" &&
	mkrepo_pkg "$MAIN" libbsd 0.11-r0 -d "BSD functions" &&
	mkrepo_pkg "$MAIN" perl-plack 1.0-r0 \
		-d "Perl Superglue for Web frameworks and Web Servers (PSGI toolkit)" &&
	mkrepo_pkg "$MAIN" lighttpd 1.4-r0 \
		-d "A secure, fast, compliant and very flexible web server" &&
	"$TEST_TOOLS/mkrepo" index "$MAIN/$FIXTURE_ARCH" -d main &&
	fixture_root "$ROOT" "$MAIN" &&
	aipkg_as 2.14.4 --yes install busybox libbsd >out
'

if test "$TEST_MODE" = real
then
	if test_apk --version | grep -q "apk-tools 2\.1[0-2]\."
	then
		versions=old
	else
		versions=new
	fi
else
	versions="2.10.6 2.12.7 2.14.4 3.0.6"
fi

# what apk-tools 2.10.6/2.12.7 and 2.14.4/3.0.6 print for each query here
expect_for () {
	case $1 in
	2.1[0-2].*|old)
		cat <<-\EOF
		postgresql: libecpg postgresql-bdr postgresql13 postgresql14 
		-x postgresql: postgresql-bdr 
		BUSYBOX: 
		Busy*: 
		-d Web Servers: perl-plack 
		-d web server: lighttpd 
		sql: libecpg postgresql-bdr postgresql13 postgresql14 
		EOF
		;;
	*)
		cat <<-\EOF
		postgresql: libecpg postgresql-bdr postgresql13 postgresql14 
		-x postgresql: postgresql-bdr postgresql13 postgresql14 
		BUSYBOX: busybox 
		Busy*: busybox 
		-d Web Servers: perl-plack 
		-d web server: lighttpd perl-plack 
		sql: libecpg postgresql-bdr postgresql13 postgresql14 
		EOF
		;;
	esac
}

test_expect_success 'search: case, one provider per name, -d as each apk' '
	for v in $versions
	do
		{
			echo "postgresql: $(found $v postgresql)" &&
			echo "-x postgresql: $(found $v -x postgresql)" &&
			echo "BUSYBOX: $(found $v BUSYBOX)" &&
			echo "Busy*: $(found $v "Busy*")" &&
			echo "-d Web Servers: $(found $v -d "Web Servers")" &&
			echo "-d web server: $(found $v -d "web server")" &&
			echo "sql: $(found $v sql)"
		} >actual &&
		expect_for $v >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success REALAPK 'search: the names the apk under test prints' '
	for q in postgresql "-x postgresql" BUSYBOX "Busy*" sql
	do
		# shellcheck disable=SC2086
		test_apk --root "$ROOT" --allow-untrusted search -q $q 2>/dev/null |
			sort | tr "\n" " " &&
		echo &&
		# shellcheck disable=SC2086
		found real $q &&
		echo || return 1
	done >both &&
	awk "NR % 2 == 1" both >apk.out &&
	awk "NR % 2 == 0" both >aipkg.out &&
	test_cmp apk.out aipkg.out
'

test_expect_success 'list PATTERN: case folded from apk 2.14 on' '
	for v in $versions
	do
		aipkg_as $v -q list "LIB*" >out &&
		case $v in
		2.1[0-2].*|old) test_must_be_empty out ;;
		*) echo libbsd >expect && test_cmp expect out ;;
		esac || return 1
	done
'

test_done
