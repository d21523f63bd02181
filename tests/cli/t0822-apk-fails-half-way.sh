#!/bin/sh
# t0822: apk that fails half-way keeps what it did: aipkg says so, and rollback undoes it.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='a change apk completes only in part

On a real Alpine 3.18 root without network, "aipkg remove htop" with a
world that also asked for curl made apk 3.0.6 remove htop and fail on
curl'"'"'s downloads (exit 4): the journal recorded "failed" with the
removal as its change, the error said only that apk failed, and "aipkg
rollback" answered that there was nothing to roll back.  Now the error
names what apk did before it failed and the operation that undoes it, and
rollback undoes it.  Here one package file is broken (with the test
double, its APK_DOUBLE_FAIL_AT) while the others install.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: repository A, a root with busybox, an apk that cannot get lighttpd' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install busybox >/dev/null &&
	installed_list >before &&
	fail_apk_setup add lighttpd "$REPO_A/$FIXTURE_ARCH/lighttpd-1.4.76-r0.apk" 1
'

test_expect_success 'the failure names what apk did before it failed, and the operation that undoes it' '
	test_expect_code 1 aipkg --yes install htop lighttpd >out 2>err &&
	installed_list >after &&
	! test_cmp before after &&
	test_grep ! "lighttpd-1.4.76-r0" after &&
	id=$(sed -n "s/^id: //p" "$(journal_newest)") &&
	test_grep "^status: failed" "$(journal_newest)" &&
	test_grep "^change: " "$(journal_newest)" &&
	test_grep "apk had installed .* before it failed: .aipkg rollback $id. undoes that" err &&
	test_journal_matches_db
'

test_expect_success 'rollback undoes the part apk did, and the world it wrote' '
	aipkg --yes rollback >out 2>err &&
	test_grep "undoes: $id" "$(journal_newest)" &&
	installed_list >now &&
	test_cmp before now &&
	world_list >world &&
	echo busybox >expect &&
	test_cmp expect world &&
	test_journal_matches_db
'

test_done
