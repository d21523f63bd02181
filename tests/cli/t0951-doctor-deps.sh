#!/bin/sh
# t0951: aipkg doctor finds broken dependencies, unsatisfied world entries and orphans; --fix installs what is missing.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg doctor: dependencies, world entries and repositories

A package removed under its dependents is found and installed again with
apk fix; a so: library whose file is gone is named with its provider; a
world entry nothing installed satisfies, an installed package no
repository carries and a .aipkg-rollback left behind are reported.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-doctor.sh
. "$TEST_SRC/cli/lib-doctor.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b

# remove_by_hand NAME: NAME's record and files gone from under the
# packages that need it.  apk 2.10 to 3.0 refuse this themselves ("apk del
# --force pcre2" answers "not removed due to: pcre2: nginx"): it is what
# a package database edited by hand, a restored backup of / without
# lib/apk/db, or another tool removing files leaves.
remove_by_hand () {
	sed -n "/^P:$1\$/,/^\$/s/^R://p" "$ROOT/lib/apk/db/installed" >files.removed &&
	awk -v name="$1" 'BEGIN { RS = ""; ORS = "\n\n" } $0 !~ "(^|\n)P:" name "\n"' \
		"$ROOT/lib/apk/db/installed" >db.new &&
	mv db.new "$ROOT/lib/apk/db/installed" &&
	rm -f "$ROOT/usr/lib/libpcre2-8.so.0"
}

installed () {
	grep -q "^P:$1\$" "$ROOT/lib/apk/db/installed"
}

test_expect_success 'setup: repository A, nginx and its libraries installed' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_A" libfoo 1.0-r0 -f "usr/lib/libfoo.so.1=foo 1\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx libfoo >/dev/null &&
	aipkg doctor >/dev/null
'

test_expect_success 'a dependency removed under its dependents is found, with cause and fix' '
	remove_by_hand pcre2 &&
	! installed pcre2 &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^dependencies error: nginx 1.26.2-r0 needs pcre2, which nothing installed provides" checks &&
	test "$(doctor_fix_of doc.json dependencies)" = "aipkg doctor --fix nginx" &&
	test_expect_code 1 aipkg doctor >out &&
	test_grep "^  cause:   pcre2 was removed while nginx still needs it" out
'

test_expect_success 'doctor --fix installs it again through apk, journalled' '
	aipkg --yes doctor --fix >out &&
	test_grep "^  install the missing dependencies (apk fix) \[operation [0-9]*\]" out &&
	test_grep "^Now: No problems found" out &&
	installed pcre2 &&
	checksum_ok usr/lib/libpcre2-8.so.0 &&
	op=$(sed -n "s/.*\[operation \([0-9]*\)\]$/\1/p" out) &&
	aipkg history "$op" >hist &&
	test_grep "^Changes:  *Installed  *pcre2  *10.43-r0" hist &&
	test_grep " fix$" hist
'

test_expect_success 'a so: library whose file is gone names the package that provides it' '
	rm "$ROOT/usr/lib/libz.so.1" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^dependencies error: so:libz.so.1 is gone: its file usr/lib/libz.so.1 (zlib 1.3.1-r0) is missing, and nginx needs it" checks &&
	test_grep "^files error: zlib 1.3.1-r0: 1 system file damaged (1 missing)" checks &&
	test "$(grep -c "^dependencies" checks)" = 1 &&
	aipkg --yes doctor --fix nginx >out &&
	test_grep "^Now: No problems found" out &&
	checksum_ok usr/lib/libz.so.1
'

test_expect_success 'a world entry nothing installed satisfies' '
	cp "$ROOT/etc/apk/world" world.saved &&
	echo htop >>"$ROOT/etc/apk/world" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^world error: world entry .htop. is not satisfied by anything installed" checks &&
	test "$(doctor_fix_of doc.json world)" = "aipkg install htop" &&
	aipkg --yes doctor --fix >out &&
	installed htop
'

test_expect_success 'a world entry no repository offers: the fix drops it, doctor --fix does not guess' '
	echo nosuchthing >>"$ROOT/etc/apk/world" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	test "$(doctor_fix_of doc.json world)" = "apk del nosuchthing" &&
	test_expect_code 1 aipkg --yes doctor --fix >out &&
	test_grep "^Not repaired:" out &&
	test_grep "nosuchthing" "$ROOT/etc/apk/world" &&
	cp world.saved "$ROOT/etc/apk/world" &&
	echo htop >>"$ROOT/etc/apk/world"
'

test_expect_success 'an installed package no configured repository carries' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^repositories warning: libfoo 1.0-r0 is in no configured repository" checks &&
	test_grep ! "^repositories warning: nginx" checks &&
	fixture_use_repos "$ROOT" "$REPO_A"
'

test_expect_success 'a .aipkg-rollback left behind is found and removed' '
	test_apk --root "$ROOT" --allow-untrusted add --virtual .aipkg-rollback zlib >/dev/null 2>&1 &&
	installed .aipkg-rollback &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^journal warning: .aipkg-rollback is still installed" checks &&
	aipkg --yes doctor --fix >out &&
	test_grep "^  remove .aipkg-rollback left by an interrupted rollback \[operation" out &&
	! installed .aipkg-rollback &&
	aipkg doctor >/dev/null
'

test_done
