#!/bin/sh
# t0150: aipkg version compares and checks versions as apk does.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='version -t and -c, against the apk under test too'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"

test_expect_success 'the transcript'"'"'s comparisons' '
	test "$("$AIPKG" version -t 1.2.3-r0 1.2.10-r0)" = "<" &&
	test "$("$AIPKG" version -t 1.0_rc1-r0 1.0-r0)" = "<" &&
	test "$("$AIPKG" version -t 2.0_p1-r0 2.0-r0)" = ">" &&
	test "$("$AIPKG" version -t 1.0-r0 1.0-r0)" = "="
'

test_expect_success 'an invalid version exits 2 and names it' '
	test_expect_code 2 "$AIPKG" version -t 1.2.x 1.0 2>err &&
	test_grep "1.2.x" err
'

test_expect_success 'version -c prints the invalid ones' '
	test_expect_code 2 "$AIPKG" version -c 1.2.3-r0 1.2.x >out &&
	echo 1.2.x >expect &&
	test_cmp expect out &&
	"$AIPKG" version -c 1.2.3-r0 3.0_rc1
'

test_expect_success 'usage errors' '
	test_expect_code 2 "$AIPKG" version -t 1.0 2>err &&
	test_expect_code 2 "$AIPKG" version 2>err
'

# With a real apk 3 (or the double), the answers must agree pair by pair.
test_expect_success 'agrees with the apk under test on a sample' '
	(
	for pair in "1.0 1.0.0" "1.2a 1.2" "1.2_alpha 1.2_beta" "1.2_p1 1.2-r1" \
		"0.9.8 0.10" "1.0_rc1_p2 1.0_rc1" "2.3.4-r10 2.3.4-r9" "1.01 1.1"
	do
		# shellcheck disable=SC2086
		a=$(test_apk version -t $pair) &&
		# shellcheck disable=SC2086
		b=$("$AIPKG" version -t $pair) || exit 1
		if test_apk --version | grep -q "apk-tools 2" && test "$pair" = "1.01 1.1"
		then
			continue # apk 2 orders leading zeros differently; aipkg follows apk 3
		fi
		test "$a" = "$b" || { echo "$pair: apk says $a, aipkg $b"; exit 1; }
	done
	)
'

test_done
