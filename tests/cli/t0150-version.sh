#!/bin/sh
# t0150: aipkg version compares and checks versions as the apk in use does (apk 2 or 3).
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='version -t and -c by the rules of the apk under test, apk 2 or 3'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"

# The double plays apk 2.14 or 3.0 (APK_DOUBLE_MAJOR); a real apk is what it is.
if test "$TEST_MODE" = real
then
	majors=real
else
	majors="2 3"
fi

# with_apk MAJOR CMD...: CMD with the apk of that major (the real one: as it is)
with_apk () {
	_wa_major=$1
	shift
	if test "$_wa_major" = real
	then
		"$@"
	else
		APK_DOUBLE_MAJOR=$_wa_major "$@"
	fi
}

apk_major () {
	with_apk "$1" test_apk --version | sed -n 's/^apk-tools \([0-9]\).*/\1/p'
}

test_expect_success 'the transcript'"'"'s comparisons' '
	test "$("$AIPKG" version -t 1.2.3-r0 1.2.10-r0)" = "<" &&
	test "$("$AIPKG" version -t 1.0_rc1-r0 1.0-r0)" = "<" &&
	test "$("$AIPKG" version -t 2.0_p1-r0 2.0-r0)" = ">" &&
	test "$("$AIPKG" version -t 1.0-r0 1.0-r0)" = "="
'

test_expect_success 'an invalid version exits 2 and names it (apk 3)' '
	for m in $majors
	do
		test "$(apk_major $m)" = 3 || continue
		with_apk $m test_expect_code 2 "$AIPKG" version -t 1.2.x 1.0 2>err &&
		test_grep "1.2.x" err || exit 1
	done
'

test_expect_success 'version -c prints the invalid ones' '
	for m in $majors
	do
		with_apk $m test_expect_code 2 "$AIPKG" version -c 1.2.3-r0 _x >out &&
		echo _x >expect &&
		test_cmp expect out &&
		with_apk $m "$AIPKG" version -c 1.2.3-r0 3.0_rc1 || exit 1
	done
'

# Real Alpine packages (arpwatch, tcptraceroute, opensmtpd on 3.18 and
# older): apk 2 orders these versions, apk 3 calls them invalid.
test_expect_success 'apk-2-only versions follow the apk in use' '
	for m in $majors
	do
		if test "$(apk_major $m)" = 2
		then
			test "$(with_apk $m "$AIPKG" version -t 2.1a15-r16 2.1a15-r17)" = "<" &&
			test "$(with_apk $m "$AIPKG" version -t 1.5b7-r4 1.5.1-r0)" = "<" &&
			test "$(with_apk $m "$AIPKG" version -t 6.8.0p2-r7 6.8.0-r0)" = ">" &&
			with_apk $m "$AIPKG" version -c 2.1a15-r16 1.5b7-r1 6.8.0p2-r7 || exit 1
		else
			with_apk $m test_expect_code 2 "$AIPKG" version -t 2.1a15-r16 2.1a15-r17 &&
			with_apk $m test_expect_code 2 "$AIPKG" version -c 6.8.0p2-r7 || exit 1
		fi
	done
'

# apk 2.10.6 and 2.12.7 (Alpine 3.10 to 3.15) stripped every zero of a
# part: "1.0_rc1" > "1.0" there (fixed in 2.12.11); aipkg said "<".
test_expect_success !REALAPK 'apk before 2.12.11: its order of "1.0_rc1" and "1.0"' '
	for v in 2.10.6 2.12.7 2.12.14 2.14.4
	do
		cp "$AIPKG_APK" "apk-$v" &&
		r=$(AIPKG_APK=$PWD/apk-$v APK_DOUBLE_VERSION=$v "$AIPKG" version -t 1.0_rc1 1.0) &&
		r2=$(AIPKG_APK=$PWD/apk-$v APK_DOUBLE_VERSION=$v "$AIPKG" version -t 1.0_rc1-r0 1.0-r0) &&
		echo "$v $r $r2" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	2.10.6 > <
	2.12.7 > <
	2.12.14 < <
	2.14.4 < <
	EOF
	test_cmp expect actual
'

test_expect_success 'usage errors' '
	test_expect_code 2 "$AIPKG" version -t 1.0 2>err &&
	test_expect_code 2 "$AIPKG" version 2>err
'

# The answers (or refusals) must agree with the apk under test pair by pair,
# including where apk 2 and 3 differ.
test_expect_success 'agrees with the apk under test on a sample' '
	for m in $majors
	do
		for pair in "1.0 1.0.0" "1.2a 1.2" "1.2_alpha 1.2_beta" "1.2_p1 1.2-r1" \
			"0.9.8 0.10" "1.0_rc1_p2 1.0_rc1" "2.3.4-r10 2.3.4-r9" "1.01 1.1" \
			"1.0 1.00" "1.010 1.09" "1.0a 1.0~abc" "2.1a15-r16 2.1a15-r17" \
			"1.0.0b1-r5 1.0.0-r0" "6.8.0p2 6.8.0_p2" "1.2.x 1.2" "x 1" \
			"1.0_rc1 1.0" "6.0_pre1 6.0" "1.0_rc1-r0 1.0-r0" "0.0_rc1 0"
		do
			# shellcheck disable=SC2086
			a=$(with_apk $m test_apk version -t -- $pair) || a=refused
			# shellcheck disable=SC2086
			b=$(with_apk $m "$AIPKG" version -t -- $pair 2>/dev/null) || b=refused
			test "$a" = "$b" || { echo "apk $m, $pair: apk says $a, aipkg $b"; exit 1; }
		done
	done
'

test_done
