#!/bin/sh
# t0173: doctor says a long cause once for the packages that share it.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='doctor: one cause for many packages

Found on a real Alpine 3.20 root whose repositories did not carry its
packages: doctor printed the same five-line cause ("Alpine dropped it,
it was renamed, ...") under each of ten packages.  A problem whose cause
is the one above but for its own package now says "as for NAME above";
-v and --json still give every cause whole.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: nginx installed, then a repository without it' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install nginx >out 2>err &&
	mkrepo_pkg other htop 3.3.0-r0 -d "Interactive process viewer" &&
	"$TEST_TOOLS/mkrepo" index "other/$FIXTURE_ARCH" -d other &&
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/other"
'

test_expect_success 'the cause once, then "as for NAME above"' '
	test_expect_code 1 aipkg doctor >out 2>err &&
	test "$(grep -c "is in no configured repository" out)" -ge 3 &&
	test "$(grep -c "cause: *Alpine dropped it" out)" = 1 &&
	first=$(sed -n "s/^\([^ ]*\) .* is in no configured repository.*/\1/p" out | head -n 1) &&
	n=$(grep -c "is in no configured repository" out) &&
	test "$(grep -c "^  cause: *as for $first above$" out)" = $((n - 1))
'

test_expect_success '-v and --json: every cause whole' '
	test_expect_code 1 aipkg -v doctor >out 2>err &&
	n=$(grep -c "is in no configured repository" out) &&
	test "$(grep -c "cause: *Alpine dropped it" out)" = "$n" &&
	test_expect_code 1 aipkg --json doctor >json 2>err &&
	test "$(grep -c "Alpine dropped it" json)" = "$n"
'

test_done
