# Fixture repositories and roots for the CLI tests, built with mkrepo in the real apk formats.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  Modelled on the repositories of the reference
# apk transcripts:
#   repo-a  nginx 1.26.2-r0 and its libraries, curl 8.9.0-r0, two
#           conflicting telnets, a package with a missing dependency, ...
#   repo-b  the same names, with newer nginx, curl/libcurl, openssl's
#           libcrypto3/libssl3 and zlib.
# Every package is built with the same build date, so a package that is
# the same in both repositories is byte-identical and has one identity.

FIXTURE_ARCH=x86_64

# Every fixture package and index is signed, as Alpine's are, with the key
# the build made (tests/CMakeLists.txt); fixture roots trust it, so neither
# aipkg nor a real apk needs --allow-untrusted.  `mkrepo ... -U` makes an
# unsigned one.
FIXTURE_KEY_NAME=aipkg-tests-5f0c1a2b.rsa.pub
MKREPO_KEY=$TEST_TOOLS/aipkg-tests-5f0c1a2b.rsa
export MKREPO_KEY
test -f "$MKREPO_KEY.pub" || error "no fixture key $MKREPO_KEY.pub: build the tests first"

# fixture_trust ROOT: install the fixtures' public key in ROOT/etc/apk/keys.
fixture_trust () {
	mkdir -p "$1/etc/apk/keys" &&
	cp "$MKREPO_KEY.pub" "$1/etc/apk/keys/$FIXTURE_KEY_NAME"
}

# mkrepo_pkg DIR NAME VERSION [mkrepo options...]
mkrepo_pkg () {
	_mp_dir=$1 _mp_name=$2 _mp_version=$3
	shift 3
	"$TEST_TOOLS/mkrepo" pkg "$_mp_dir/$FIXTURE_ARCH" "$_mp_name" "$_mp_version" \
		-a "$FIXTURE_ARCH" "$@" ||
		error "mkrepo could not build $_mp_name-$_mp_version"
}

# The mkrepo arguments shared by both repositories, with versions as
# arguments: pkg_nginx DIR VERSION and so on.
pkg_nginx () {
	mkrepo_pkg "$1" nginx "$2" -d "HTTP and reverse proxy server (stable version)" \
		-D pcre2 -D so:libcrypto.so.3 -D so:libssl.so.3 -D so:libz.so.1 \
		-p "cmd:nginx=$2" -o nginx \
		-x "usr/sbin/nginx=#!/bin/sh\necho nginx version: nginx/${2%-r*}\n" \
		-f "etc/nginx/nginx.conf=worker_processes 1;\n"
}

pkg_openssl () {
	mkrepo_pkg "$1" libcrypto3 "$2" -d "Crypto library from openssl" -o openssl \
		-p so:libcrypto.so.3=3 -f "usr/lib/libcrypto.so.3=libcrypto ${2}\n"
	mkrepo_pkg "$1" libssl3 "$2" -d "SSL shared libraries" -o openssl \
		-D so:libcrypto.so.3 -p so:libssl.so.3=3 -f "usr/lib/libssl.so.3=libssl ${2}\n"
}

pkg_zlib () {
	mkrepo_pkg "$1" zlib "$2" -d "A compression/decompression Library" \
		-p so:libz.so.1=1.3.1 -f "usr/lib/libz.so.1=zlib ${2}\n"
}

pkg_curl () {
	mkrepo_pkg "$1" libcurl "$2" -d "The multiprotocol file transfer library" -o curl \
		-D so:libz.so.1 -D so:libssl.so.3 -D so:libcrypto.so.3 \
		-p so:libcurl.so.4=4.8.0 -f "usr/lib/libcurl.so.4=libcurl ${2}\n"
	mkrepo_pkg "$1" curl "$2" -d "URL retrieval utility and library" -o curl \
		-D so:libcurl.so.4 -p "cmd:curl=$2" \
		-x "usr/bin/curl=#!/bin/sh\necho curl ${2%-r*}\n"
}

# The packages whose versions do not change between the repositories.
pkg_common () {
	mkrepo_pkg "$1" pcre2 10.43-r0 -d "Perl-compatible regular expression library" \
		-p so:libpcre2-8.so.0=0.12.0 -f "usr/lib/libpcre2-8.so.0=pcre2\n"
	mkrepo_pkg "$1" telnet-a 1.0-r0 -d "Telnet client, flavour A" \
		-D '!telnet-b' -p cmd:telnet=1.0-r0 -x "usr/bin/telnet=#!/bin/sh\necho telnet-a\n"
	mkrepo_pkg "$1" telnet-b 2.0-r0 -d "Telnet client, flavour B" \
		-D '!telnet-a' -p cmd:telnet=2.0-r0 -x "usr/bin/telnet=#!/bin/sh\necho telnet-b\n"
	mkrepo_pkg "$1" broken 1.0-r0 -d "A package whose dependency is missing" \
		-D libmissing -f "usr/share/broken/README=broken\n"
	mkrepo_pkg "$1" bind-tools 9.18.27-r0 -d "The ISC DNS tools" -o bind \
		-p cmd:dig=9.18.27-r0 -p cmd:host=9.18.27-r0 \
		-x "usr/bin/dig=#!/bin/sh\necho dig 9.18.27\n" \
		-x "usr/bin/host=#!/bin/sh\necho host 9.18.27\n"
	mkrepo_pkg "$1" lighttpd 1.4.76-r0 \
		-d "Secure, fast, compliant and very flexible web-server" \
		-D pcre2 -p cmd:lighttpd=1.4.76-r0 \
		-x "usr/sbin/lighttpd=#!/bin/sh\necho lighttpd/1.4.76\n"
	mkrepo_pkg "$1" htop 3.3.0-r0 -d "Interactive process viewer" -p cmd:htop=3.3.0-r0 \
		-x "usr/bin/htop=#!/bin/sh\necho htop 3.3.0\n"
	mkrepo_pkg "$1" busybox 1.36.1-r29 -d "Size optimized toolbox of many common UNIX utilities" \
		-p cmd:busybox=1.36.1-r29 \
		-x "bin/busybox=#!/bin/sh\necho BusyBox v1.36.1\n"
}

# fixture_repo_a DIR: repository A (DIR/x86_64/APKINDEX.tar.gz and packages).
fixture_repo_a () {
	pkg_nginx "$1" 1.26.2-r0
	pkg_openssl "$1" 3.3.1-r0
	pkg_zlib "$1" 1.3.1-r0
	pkg_curl "$1" 8.9.0-r0
	pkg_common "$1"
	"$TEST_TOOLS/mkrepo" index "$1/$FIXTURE_ARCH" -d repo-a ||
		error "mkrepo could not index $1"
}

# fixture_repo_b DIR: repository B, the same names with newer versions.
fixture_repo_b () {
	pkg_nginx "$1" 1.27.0-r0
	pkg_openssl "$1" 3.3.2-r0
	pkg_zlib "$1" 1.3.1-r1
	pkg_curl "$1" 8.10.1-r0
	pkg_common "$1"
	"$TEST_TOOLS/mkrepo" index "$1/$FIXTURE_ARCH" -d repo-b ||
		error "mkrepo could not index $1"
}

# fixture_root ROOT REPO...: a fresh Alpine root using the given local
# repositories.  With a real apk, apk itself creates the database.
fixture_root () {
	_fr_root=$1
	shift
	rm -rf "$_fr_root" || return 1
	if test "$TEST_MODE" = real
	then
		# apk 2 will not --initdb over a half-made lib/apk/db
		# shellcheck disable=SC2086 # AIPKG_TEST_APK may be several words
		$AIPKG_TEST_APK --root "$_fr_root" --arch "$FIXTURE_ARCH" --initdb \
			--allow-untrusted --no-progress add >/dev/null ||
			error "apk --initdb failed in $_fr_root"
		mkdir -p "$_fr_root/etc/apk/keys" || return 1
	else
		mkdir -p "$_fr_root/etc/apk/keys" "$_fr_root/lib/apk/db" &&
		printf '%s\n' "$FIXTURE_ARCH" >"$_fr_root/etc/apk/arch" &&
		: >"$_fr_root/etc/apk/world" &&
		: >"$_fr_root/lib/apk/db/installed" || return 1
	fi
	fixture_trust "$_fr_root" &&
	fixture_use_repos "$_fr_root" "$@" &&
	printf '3.20.3\n' >"$_fr_root/etc/alpine-release"
}

# fixture_use_repos ROOT REPO...: point ROOT at other repositories
# (the transcript's "repositories switched to repo-b").
fixture_use_repos () {
	_fr_root=$1
	shift
	: >"$_fr_root/etc/apk/repositories"
	for _fr_repo
	do
		printf '%s\n' "$_fr_repo" >>"$_fr_root/etc/apk/repositories"
	done
}

# fail_apk_setup APPLET PKG FILE N: AIPKG_APK becomes a wrapper of the apk
# under test whose real APPLET run (not --simulate) naming PKG (or PKG=...)
# fails on PKG alone: the double applies N changes first (its
# APK_DOUBLE_FAIL_AT), a real apk finds PKG's FILE is not a package.  The
# apk under test stays in FAIL_APK_REAL.
fail_apk_setup () {
	cat >"$TRASH_DIRECTORY/fail-apk" <<-\EOS
	change=false pkg=false
	for a
	do
		case $a in
		"$FAIL_APK_APPLET") change=true ;;
		"$FAIL_APK_PKG"|"$FAIL_APK_PKG"=*) pkg=true ;;
		-s|--simulate) change=false; break ;;
		esac
	done
	if $change && $pkg
	then
		if test "$TEST_MODE" = double
		then
			APK_DOUBLE_FAIL_AT=$FAIL_APK_AT
			export APK_DOUBLE_FAIL_AT
		else
			printf 'not a package\n' >"$FAIL_APK_BREAK"
		fi
	fi
	# shellcheck disable=SC2086
	exec $FAIL_APK_REAL "$@"
	EOS
	FAIL_APK_APPLET=$1 FAIL_APK_PKG=$2 FAIL_APK_BREAK=$3 FAIL_APK_AT=$4
	FAIL_APK_REAL=$AIPKG_APK
	AIPKG_APK="sh $TRASH_DIRECTORY/fail-apk"
	export FAIL_APK_APPLET FAIL_APK_PKG FAIL_APK_BREAK FAIL_APK_AT FAIL_APK_REAL AIPKG_APK \
		TEST_MODE
}

# A directory served over HTTP on loopback (httpstub), so apk really
# downloads: srv_start serves $SRV (put the repositories in it) and logs
# each request to $SRV_LOG ("GET /ok/repo/x86_64/nginx-1.26.2-r0.apk ...");
# SRV_URL is then http://127.0.0.1:PORT/ok.  srv_stop ends it; a script
# that starts it traps srv_stop on EXIT.
SRV=$TRASH_DIRECTORY/srv
SRV_LOG=$TRASH_DIRECTORY/srv.log
SRV_PID=

srv_start () {
	mkdir -p "$SRV" || return 1
	rm -f "$SRV.port"
	"$TEST_TOOLS/httpstub" -d "$SRV" -l "$SRV_LOG" -i 300 >"$SRV.port" &
	SRV_PID=$!
	server_wait "$SRV.port" httpstub
	# shellcheck disable=SC2034 # for the scripts that source this
	SRV_URL=http://127.0.0.1:$(cat "$SRV.port")/ok
}

srv_stop () {
	test -n "$SRV_PID" && kill "$SRV_PID" 2>/dev/null
	SRV_PID=
}

# fixture_repos_names MAIN TESTING: the shapes real Alpine repositories have
# that a plain name does not show (learnt from real 3.18 indexes and roots):
#   MAIN     zlib 1.3.1-r0; postgresql14/15 providing "postgresql" without a
#            version, ranked with k: (14, 15), and postgresql-bdr offering
#            "postgresql=9.4.14_p1-r15" without k: (apk 2.14 installs
#            postgresql15 for "postgresql", apk 3.0 postgresql-bdr); xdvik,
#            the only provider of "xdvi", without a version or k: (both
#            apks refuse to choose); opensmtpd 6.8.0p2-r7, a version apk 2
#            orders and apk 3 calls invalid.
#   TESTING  (a repository used as "@testing") zlib 1.3.2-r0, newtool
#            0.9-r0 and opensmtpd 6.8.0p10-r0: newer, but apk takes them
#            only for "name@testing".
# Each package holds a file: apk treats a package of size 0 as virtual,
# which any repository may offer whatever its tag.
fixture_repos_names () {
	_fn_file () { printf 'usr/share/%s/README=%s\\n' "$1" "$1"; }
	{
	mkrepo_pkg "$1" zlib 1.3.1-r0 -d "A compression/decompression Library" \
		-p so:libz.so.1=1.3.1 -f "$(_fn_file zlib)" &&
	mkrepo_pkg "$1" postgresql14 14.10-r0 -k 14 -p postgresql -f "$(_fn_file pg14)" \
		-d "A sophisticated object-relational DBMS, version 14" &&
	mkrepo_pkg "$1" postgresql15 15.5-r0 -k 15 -p postgresql -f "$(_fn_file pg15)" \
		-d "A sophisticated object-relational DBMS, version 15" &&
	mkrepo_pkg "$1" postgresql-bdr 9.4.14_p1-r15 -p postgresql=9.4.14_p1-r15 \
		-d "A sophisticated object-relational DBMS with bidirectional replication support (BDR)" \
		-f "$(_fn_file bdr)" &&
	mkrepo_pkg "$1" xdvik 22.87.06-r1 -p xdvi -d "DVI previewer" -f "$(_fn_file xdvik)" &&
	mkrepo_pkg "$1" opensmtpd 6.8.0p2-r7 -d "Secure SMTP server" -f "$(_fn_file smtpd2)" &&
	"$TEST_TOOLS/mkrepo" index "$1/$FIXTURE_ARCH" -d main
	} || error "mkrepo could not build $1"
	{
	mkrepo_pkg "$2" zlib 1.3.2-r0 -d "A compression/decompression Library" \
		-p so:libz.so.1=1.3.2 -f "$(_fn_file zlib2)" &&
	mkrepo_pkg "$2" newtool 0.9-r0 -d "A tool only the testing repository has" \
		-f "$(_fn_file newtool)" &&
	mkrepo_pkg "$2" opensmtpd 6.8.0p10-r0 -d "Secure SMTP server" -f "$(_fn_file smtpd10)" &&
	"$TEST_TOOLS/mkrepo" index "$2/$FIXTURE_ARCH" -d testing
	} || error "mkrepo could not build $2"
}
