#!/bin/sh
# t0135: repository tags, provided names, world entries and apk-2-only versions, as the apk under test sees them.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='tags, providers and world entries the way apk resolves them

The shapes of real Alpine systems (fixture_repos_names): a "@testing"
repository with newer versions apk takes only for "name@testing"; a name
only provided (postgresql: ranked providers and a fork offering a version;
apk 2 and 3 choose differently); a virtual name apk refuses to choose for
(xdvi); versions apk 2 orders and apk 3 refuses (opensmtpd 6.8.0p2); world
entries of a virtual package and a checksum pin.  Every answer is checked
against the apk under test, and compare-apk runs over the whole root.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
MAIN=$TRASH_DIRECTORY/main
TESTING=$TRASH_DIRECTORY/testing
JQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

apk_root () {
	test_apk --root "$ROOT" --allow-untrusted "$@"
}

# 2 or 3: the apk under test
apk_major () {
	test_apk --version | sed -n 's/^apk-tools \([0-9]\).*/\1/p'
}

installed () {
	grep -q "^P:$1\$" "$ROOT/lib/apk/db/installed"
}

# apk's list --upgradable as "name newest" lines (apk lists each newer version)
apk_upgradable () {
	apk_root list --upgradable 2>/dev/null |
	sed -n 's/^\([^ ]*\) .*\[upgradable from: \(.*\)\]$/\1 \2/p' |
	while read -r new old
	do
		name=${old%-*}
		name=${name%-*}
		echo "$name ${new#"$name"-}"
	done | sort -u | awk '{ v[$1] = $2 } END { for (n in v) print n, v[n] }' | sort
}

aipkg_upgradable () {
	aipkg --json list --upgradable >up.json &&
	i=0 &&
	while "$JQ" ".packages[$i].name" ".packages[$i].available" <up.json >pair 2>/dev/null
	do
		tr '\n' ' ' <pair | sed 's/ $//'
		echo
		i=$((i + 1))
	done | sort
}

test_expect_success 'setup: main and @testing, zlib and opensmtpd installed' '
	fixture_repos_names "$MAIN" "$TESTING" &&
	fixture_root "$ROOT" "$MAIN" "@testing $TESTING" &&
	aipkg --yes install zlib opensmtpd &&
	installed zlib && installed opensmtpd
'

test_expect_success 'a newer version only @testing has is no upgrade (list -u as apk)' '
	aipkg_upgradable >actual &&
	apk_upgradable >expect &&
	test_cmp expect actual &&
	test_grep ! "^zlib" actual
'

test_expect_success 'info marks a package only @testing has; install names the tag' '
	aipkg info newtool >out &&
	test_grep "only in the repository tagged @testing" out &&
	aipkg --json info newtool >out.json &&
	"$JQ" repository_tag <out.json >actual &&
	echo testing >expect &&
	test_cmp expect actual &&
	test_expect_code 1 aipkg --yes install newtool 2>err &&
	test_grep "newtool@testing" err &&
	! installed newtool &&
	test_must_fail apk_root add --simulate newtool >/dev/null 2>&1
'

test_expect_success 'name@testing installs from the tagged repository' '
	aipkg --yes install newtool@testing &&
	installed newtool &&
	test_grep "^newtool@testing$" "$ROOT/etc/apk/world"
'

test_expect_success 'installed from @testing (s:), it upgrades from @testing' '
	aipkg --yes install zlib@testing &&
	grep -A20 "^P:zlib$" "$ROOT/lib/apk/db/installed" >rec &&
	test_grep "^V:1.3.2-r0$" rec &&
	mkrepo_pkg "$TESTING" zlib 1.3.3-r0 -p so:libz.so.1=1.3.3 \
		-f "usr/share/zlib3/README=zlib3\n" &&
	"$TEST_TOOLS/mkrepo" index "$TESTING/$FIXTURE_ARCH" -d testing &&
	aipkg_upgradable >actual &&
	apk_upgradable >expect &&
	test_cmp expect actual &&
	test_grep "^zlib 1.3.3-r0$" actual
'

test_expect_success 'a provided name: the provider this apk would install, the others named' '
	if test "$(apk_major)" = 2
	then
		want=postgresql15
	else
		want=postgresql-bdr
	fi &&
	aipkg --json info postgresql >out.json &&
	"$JQ" name provides_requested <out.json >actual &&
	printf "%s\npostgresql\n" "$want" >expect &&
	test_cmp expect actual &&
	"$JQ" other_providers <out.json >others &&
	test_grep postgresql14 others &&
	apk_root add --simulate postgresql >plan 2>&1 &&
	test_grep "Installing $want " plan &&
	aipkg --dry-run install postgresql >dry 2>&1 &&
	test_grep "$want" dry
'

test_expect_success 'a virtual name apk will not choose for: who provides it, no guess' '
	test_expect_code 1 aipkg info xdvi 2>err &&
	test_grep "virtual name, provided by xdvik" err &&
	test_expect_code 1 aipkg --yes install xdvi 2>err &&
	test_grep "provided by xdvik" err &&
	! installed xdvik &&
	test_must_fail apk_root add --simulate xdvi >out 2>&1 &&
	test_grep "xdvi (virtual)" out
'

test_expect_success 'apk-2-only versions are ordered as the apk under test orders them' '
	mkrepo_pkg "$MAIN" opensmtpd 6.8.0p3-r0 -d "Secure SMTP server" \
		-f "usr/share/smtpd3/README=smtpd3\n" &&
	"$TEST_TOOLS/mkrepo" index "$MAIN/$FIXTURE_ARCH" -d main &&
	aipkg_upgradable >actual &&
	apk_upgradable >expect &&
	test_cmp expect actual &&
	if test "$(apk_major)" = 2
	then
		test_grep "^opensmtpd 6.8.0p3-r0$" actual
	else
		test_grep ! "^opensmtpd" actual
	fi
'

test_expect_success 'check-vuln orders apk-2-only versions as the apk under test does' '
	secdb_file "$SECDB_DIR/v3.20/main.json" main "opensmtpd 6.8.0p3-r0=CVE-2020-7247" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community &&
	secdb_config "$ROOT" "file://$SECDB_DIR" &&
	aipkg --json check-vuln >vuln.json 2>err &&
	"$JQ" "vulnerabilities#" skipped_invalid <vuln.json >actual &&
	if test "$(apk_major)" = 2
	then
		printf "1\n0\n" >expect &&
		test_cmp expect actual &&
		"$JQ" ".vulnerabilities[0].package" ".vulnerabilities[0].fix_available" \
			<vuln.json >actual &&
		printf "opensmtpd\ntrue\n" >expect
	else
		printf "0\n1\n" >expect
	fi &&
	test_cmp expect actual
'

test_expect_success 'world: a virtual package and a checksum pin are not locks' '
	apk_root add --virtual .build-deps zlib >/dev/null &&
	apk_root add "$MAIN/$FIXTURE_ARCH/xdvik-22.87.06-r1.apk" >/dev/null &&
	test_grep "^xdvik><Q1" "$ROOT/etc/apk/world" &&
	aipkg list --world >out &&
	test_grep "^\.build-deps=.*\[virtual\]" out &&
	test_grep "^xdvik><Q1.*\[pinned build\]" out &&
	test_grep ! "\[locked\]" out &&
	aipkg --json list --locked >locked.json &&
	"$JQ" "packages#" <locked.json >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	aipkg --json info xdvik >out.json &&
	"$JQ" locked world.kind <out.json >actual &&
	printf "false\nchecksum\n" >expect &&
	test_cmp expect actual &&
	aipkg --json info .build-deps >out.json &&
	"$JQ" world.kind <out.json >actual &&
	echo virtual >expect &&
	test_cmp expect actual
'

test_expect_success 'unlock says what pins a build; lock refuses a virtual package' '
	cp "$ROOT/etc/apk/world" world.before &&
	aipkg unlock xdvik >out &&
	test_grep "pins it to one build" out &&
	test_cmp world.before "$ROOT/etc/apk/world" &&
	test_expect_code 2 aipkg lock .build-deps 2>err &&
	test_grep "virtual package" err &&
	test_cmp world.before "$ROOT/etc/apk/world"
'

test_expect_success 'update keeps a pinned build and says it is pinned, not locked' '
	mkrepo_pkg "$MAIN" xdvik 22.87.06-r2 -p xdvi -d "DVI previewer" \
		-f "usr/share/xdvik2/README=xdvik2\n" &&
	"$TEST_TOOLS/mkrepo" index "$MAIN/$FIXTURE_ARCH" -d main &&
	aipkg --yes update >out 2>err &&
	test_grep "^Kept pinned *xdvik *22.87.06-r1 (22.87.06-r2 available" out &&
	grep -A3 "^P:xdvik$" "$ROOT/lib/apk/db/installed" >rec &&
	test_grep "^V:22.87.06-r1$" rec
'

test_expect_success 'compare-apk finds no difference on this root' '
	"$TEST_TOOLS/compare-apk" --allow-untrusted --apk "$AIPKG_APK" --aipkg "$AIPKG" \
		--names "postgresql xdvi newtool zlib opensmtpd so:libz.so.1 .build-deps xdvik" \
		--terms "postgresql *sql zlib newtool ngin? z" "$ROOT" >report &&
	test_grep " 0 checks differ" report
'

test_done
