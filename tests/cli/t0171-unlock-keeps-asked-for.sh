#!/bin/sh
# t0171: unlock of a package that was asked for and that others need keeps it in the world file.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='unlock keeps what was asked for

Found at a terminal: "aipkg install zlib nginx; aipkg lock zlib; aipkg
unlock zlib" left zlib out of the world file, because nginx needs it and
unlock took any needed package for one the lock had put there; a later
"aipkg remove nginx" then took zlib along.  The operation that made the
lock says whether the world file named the package before it.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: zlib asked for, nginx needing it' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install zlib nginx >out 2>err &&
	world_list >world &&
	test_grep "^zlib$" world &&
	test_grep "^nginx$" world
'

test_expect_success 'lock, unlock: zlib is in the world file as it was' '
	aipkg --yes lock zlib >out 2>err &&
	test_grep "^zlib=1.3.1-r0$" "$ROOT/etc/apk/world" &&
	aipkg --yes unlock zlib >out 2>err &&
	world_list >world &&
	printf "nginx\nzlib\n" >expect &&
	test_cmp expect world
'

test_expect_success 'a later remove of nginx keeps zlib installed' '
	aipkg --yes remove nginx >out 2>err &&
	installed_list >now &&
	test_grep "^zlib-1.3.1-r0$" now &&
	test_grep ! "^nginx-" now
'

test_expect_success 'a dependency the lock put into the world file still leaves it' '
	aipkg --yes install nginx >out 2>err &&
	aipkg --yes lock pcre2 >out 2>err &&
	test_grep "^pcre2=" "$ROOT/etc/apk/world" &&
	aipkg --yes unlock pcre2 >out 2>err &&
	world_list >world &&
	printf "nginx\nzlib\n" >expect &&
	test_cmp expect world &&
	installed_list >now &&
	test_grep "^pcre2-" now
'

test_done
