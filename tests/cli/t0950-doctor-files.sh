#!/bin/sh
# t0950: aipkg doctor finds changed and deleted files, --fix restores them through apk, rollback undoes it.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg doctor: installed files against the checksums of the installed database

A system file changed and one deleted are found (with apk audit --system
agreeing, on a real apk), a changed configuration file is listed as the
administrator'"'"'s and left alone, doctor --fix reinstalls through apk
(journalled, confirmed, from the kept package file when the repositories
moved on) so that the checksums match again, and aipkg rollback puts the
replaced files back.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-doctor.sh
. "$TEST_SRC/cli/lib-doctor.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b

# damage: the shapes of the issue, on files of three packages
damage () {
	printf 'echo patched\n' >>"$ROOT/usr/sbin/nginx" &&
	rm "$ROOT/usr/lib/libpcre2-8.so.0" &&
	ln -sf libfoo.so.9 "$ROOT/usr/lib/libfoo.so" &&
	printf 'worker_processes 4;\n' >"$ROOT/etc/nginx/nginx.conf"
}

test_expect_success 'setup: repository A (and a package with a symlink), nginx installed' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_A" libfoo 1.0-r0 -f "usr/lib/libfoo.so.1=foo 1\n" \
		-L "usr/lib/libfoo.so=libfoo.so.1" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx libfoo >/dev/null
'

test_expect_success 'a healthy system: exit 0, nothing to report' '
	aipkg doctor >out &&
	test_grep "^No problems found: 6 packages, [0-9]* files checked" out &&
	aipkg --json doctor >doc.json &&
	test "$("$JSONQ" healthy "problems#" "config#" <doc.json | tr "\n" " ")" = "true 0 0 "
'

test_expect_success 'a changed and a deleted system file are found, each with its cause and fix' '
	damage &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	test "$("$JSONQ" healthy <doc.json)" = false &&
	doctor_files doc.json >actual &&
	printf "%s\n" "changed usr/lib/libfoo.so" "changed usr/sbin/nginx" \
		"missing usr/lib/libpcre2-8.so.0" >expect &&
	test_cmp expect actual &&
	test_expect_code 1 aipkg doctor >out &&
	test_grep "^nginx 1.26.2-r0: 1 system file damaged (1 changed) \[error\]" out &&
	test_grep "^  changed  usr/sbin/nginx" out &&
	test_grep "^  cause:   changed outside apk" out &&
	test_grep "^  fix:     aipkg doctor --fix nginx" out &&
	test_grep "^pcre2 10.43-r0: 1 system file damaged (1 missing) \[error\]" out &&
	test_grep "^  cause:   deleted outside apk" out
'

test_expect_success 'a changed configuration file is the administrator'"'"'s: listed with -v only' '
	aipkg --json doctor >doc.json;
	doctor_config doc.json >actual &&
	echo "changed etc/nginx/nginx.conf" >expect &&
	test_cmp expect actual &&
	test_expect_code 1 aipkg doctor >out &&
	test_grep "^1 configuration file changed by the administrator (left alone" out &&
	test_grep ! "etc/nginx/nginx.conf" out &&
	test_expect_code 1 aipkg -v doctor >out &&
	test_grep "^  changed  etc/nginx/nginx.conf  *nginx 1.26.2-r0" out
'

test_expect_success REALAPK 'doctor agrees with the real apk audit --system and apk audit' '
	aipkg --json doctor >doc.json;
	doctor_files doc.json >doctor.system &&
	audit_system >apk.system &&
	test_cmp apk.system doctor.system &&
	doctor_config doc.json >doctor.config &&
	audit_config >apk.config &&
	test_cmp apk.config doctor.config
'

test_expect_success 'doctor --fix without a terminal and without --yes changes nothing' '
	journal_before=$(ls "$ROOT"/var/lib/aipkg/journal/*/*.txt | wc -l) &&
	test_expect_code 1 aipkg doctor --fix >out 2>err &&
	test_grep "needs confirmation" err &&
	test "$(ls "$ROOT"/var/lib/aipkg/journal/*/*.txt | wc -l)" = "$journal_before" &&
	test_path_is_missing "$ROOT/usr/lib/libpcre2-8.so.0"
'

test_expect_success 'doctor --fix --dry-run shows the repair and changes nothing' '
	aipkg --dry-run doctor --fix >out &&
	test_grep "^  reinstall 3 packages to restore damaged files (apk fix --reinstall)" out &&
	test_grep "fix --reinstall -- .*nginx" out &&
	test_grep "^Would reinstall  *nginx" out &&
	test "$(ls "$ROOT"/var/lib/aipkg/journal/*/*.txt | wc -l)" = "$journal_before" &&
	test_path_is_missing "$ROOT/usr/lib/libpcre2-8.so.0"
'

test_expect_success 'doctor --fix restores the system files: their checksums match again' '
	aipkg --yes doctor --fix >out &&
	test_grep "^Repaired:" out &&
	test_grep "^  reinstall 3 packages to restore damaged files (apk fix --reinstall) \[operation [0-9]*\]" out &&
	test_grep "^Now: No problems found" out &&
	checksum_ok usr/sbin/nginx &&
	checksum_ok usr/lib/libpcre2-8.so.0 &&
	checksum_ok usr/lib/libfoo.so &&
	aipkg --json doctor --rehash >doc.json &&
	test "$("$JSONQ" healthy <doc.json)" = true
'

test_expect_success '... and leaves the administrator'"'"'s configuration alone' '
	echo "worker_processes 4;" >expect &&
	test_cmp expect "$ROOT/etc/nginx/nginx.conf" &&
	doctor_config doc.json >actual &&
	echo "changed etc/nginx/nginx.conf" >expect &&
	test_cmp expect actual
'

test_expect_success REALAPK '... as the real apk audit --system sees too' '
	audit_system >apk.system &&
	test_must_be_empty apk.system
'

test_expect_success 'the repair is in history, with the files it saved' '
	repair=$(sed -n "s/.*\[operation \([0-9]*\)\]$/\1/p" out) &&
	aipkg history "$repair" >hist &&
	test_grep "^Status:  *committed" hist &&
	test_grep "^Caller:  *cli" hist &&
	test_grep "fix --reinstall" hist &&
	test_grep "^Files:  *changed usr/lib/libfoo.so" hist &&
	test_grep "missing usr/lib/libpcre2-8.so.0" hist &&
	test_grep "^  *Reinstalled  *nginx  *1.26.2-r0" hist
'

test_expect_success 'rolling the repair back puts the replaced files back, and the doctor sees them' '
	aipkg --yes rollback "$repair" >out &&
	test_grep "^Put back changed usr/sbin/nginx" out &&
	test_grep "^Rolled back repair $repair" out &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_files doc.json >actual &&
	printf "%s\n" "changed usr/lib/libfoo.so" "changed usr/sbin/nginx" \
		"missing usr/lib/libpcre2-8.so.0" >expect &&
	test_cmp expect actual &&
	test_grep "echo patched" "$ROOT/usr/sbin/nginx"
'

test_expect_success 'rolling back that rollback is refused: doctor --fix repairs again' '
	test_expect_code 1 aipkg --yes rollback 2>err &&
	test_grep "put back files a repair had replaced" err &&
	aipkg --yes doctor --fix >out &&
	test_grep "^Now: No problems found" out
'

test_expect_success 'a configuration file named explicitly is restored; its rollback gives the administrator'"'"'s back' '
	aipkg --yes doctor --fix etc/nginx/nginx.conf >out &&
	test_grep "^Repaired:" out &&
	echo "worker_processes 1;" >expect &&
	test_cmp expect "$ROOT/etc/nginx/nginx.conf" &&
	aipkg --json doctor >doc.json &&
	test "$("$JSONQ" "config#" <doc.json)" = 0 &&
	aipkg --yes rollback >out &&
	echo "worker_processes 4;" >expect &&
	test_cmp expect "$ROOT/etc/nginx/nginx.conf"
'

test_expect_success 'a version no repository has any more is repaired from its kept file' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	printf "echo patched\n" >>"$ROOT/usr/sbin/nginx" &&
	aipkg --yes doctor --fix nginx >out &&
	test_grep "^  reinstall 1 package to restore damaged files" out &&
	checksum_ok usr/sbin/nginx &&
	test "$(sed -n "/^P:nginx$/,/^$/s/^V://p" "$ROOT/lib/apk/db/installed")" = 1.26.2-r0 &&
	aipkg history "$(sed -n "s/.*\[operation \([0-9]*\)\]$/\1/p" out)" >hist &&
	test_grep "fix --reinstall --cache-dir $ROOT/var/lib/aipkg/doctor/cache\." hist &&
	test_path_is_missing "$(ls -d "$ROOT"/var/lib/aipkg/doctor/cache.* 2>/dev/null)"
'

test_expect_success 'with no kept file and no repository, doctor says what it could not repair and why' '
	rm "$ROOT"/var/lib/aipkg/packages/libfoo-1.0-r0.apk &&
	ln -sf libfoo.so.9 "$ROOT/usr/lib/libfoo.so" &&
	test_expect_code 1 aipkg --yes doctor --fix >out &&
	test_grep "^Not repaired:" out &&
	test_grep "^  libfoo 1.0-r0: 1 system file damaged (1 changed): no configured repository has the installed version of libfoo and aipkg kept no file of it: .aipkg update libfoo." out &&
	test "$(readlink "$ROOT/usr/lib/libfoo.so")" = libfoo.so.9 &&
	ln -sf libfoo.so.1 "$ROOT/usr/lib/libfoo.so" &&
	fixture_use_repos "$ROOT" "$REPO_A"
'

test_expect_success 'a kept file a rollback needs is fetched again while a repository has it' '
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_checks doc.json >checks &&
	test_grep "^kept warning: the kept file of libfoo 1.0-r0, which rolling back operation [0-9]* needs, is gone" checks &&
	aipkg --yes doctor --fix >out &&
	test_grep "^  keep libfoo 1.0-r0 again for rollbacks" out &&
	test_path_is_file "$ROOT/var/lib/aipkg/packages/libfoo-1.0-r0.apk" &&
	aipkg doctor >/dev/null
'

# A file changed in the last two seconds is read again every time (a change
# in the same clock tick as the look would go unseen): wait that long.
test_expect_success 'files found intact are not read again; a change that keeps size and time is still seen' '
	sleep 3 &&
	aipkg --json doctor >/dev/null &&
	aipkg --json doctor >doc.json &&
	test "$("$JSONQ" healthy <doc.json)" = true &&
	total=$("$JSONQ" checked.files.total <doc.json) &&
	test "$("$JSONQ" checked.files.cached <doc.json)" -gt 0 &&
	aipkg --json doctor --rehash >doc.json &&
	test "$("$JSONQ" checked.files.cached checked.files.hashed <doc.json | tr "\n" " ")" = "0 $total " &&
	touch -r "$ROOT/usr/sbin/nginx" stamp &&
	sed "s/nginx/NGINX/" "$ROOT/usr/sbin/nginx" >tmp &&
	test "$(wc -c <tmp)" = "$(wc -c <"$ROOT/usr/sbin/nginx")" &&
	cat tmp >"$ROOT/usr/sbin/nginx" &&
	touch -r stamp "$ROOT/usr/sbin/nginx" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_files doc.json >actual &&
	echo "changed usr/sbin/nginx" >expect &&
	test_cmp expect actual &&
	aipkg --yes doctor --fix nginx >/dev/null
'

test_expect_success 'an absolute symlink in the root is followed inside it, never to the host' '
	mv "$ROOT/usr/lib" "$ROOT/usr/lib.moved" &&
	cp -R "$ROOT/usr/lib.moved" outside &&
	ln -s "$TRASH_DIRECTORY/outside" "$ROOT/usr/lib" &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	doctor_files doc.json >actual &&
	test_grep "^missing usr/lib/libpcre2-8.so.0" actual &&
	rm "$ROOT/usr/lib" &&
	mv "$ROOT/usr/lib.moved" "$ROOT/usr/lib"
'

# A real Alpine 3.18 root whose usr/share was wiped: ca-certificates alone
# had 143 missing files, and doctor printed 2,166 lines for 46 problems.
test_expect_success 'a package whose files were all deleted: ten listed, the rest counted; -v and --json list all' '
	set -- &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14
	do
		set -- "$@" -f "usr/share/certs/cert$i.crt=cert $i\n" || return 1
	done &&
	mkrepo_pkg "$REPO_A" certs 1.0-r0 "$@" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	aipkg --yes install certs >/dev/null &&
	rm -r "$ROOT/usr/share/certs" &&
	test_expect_code 1 aipkg doctor >out &&
	test_grep "^certs 1.0-r0: 14 system files damaged (14 missing) \[error\]" out &&
	test "$(grep -c "^  missing  usr/share/certs/" out)" = 10 &&
	test_grep "^  missing  usr/share/certs/cert10.crt" out &&
	test_grep "^  \.\.\. and 4 more (.aipkg doctor -v. lists them)" out &&
	test_grep "^  fix:     aipkg doctor --fix certs" out &&
	test_expect_code 1 aipkg -v doctor >out &&
	test "$(grep -c "^  missing  usr/share/certs/" out)" = 14 &&
	test_grep ! "more (.aipkg doctor -v" out &&
	test_expect_code 1 aipkg --json doctor >doc.json &&
	test "$(doctor_files doc.json | grep -c " usr/share/certs/")" = 14 &&
	aipkg --yes doctor --fix certs >/dev/null &&
	aipkg doctor >/dev/null
'

test_done
