#!/bin/sh
# t0177: apk 3 stops reading a repositories file at a line it rejects; apk 2 reads on; aipkg uses what the apk in use uses.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='a bad line in etc/apk/repositories, as each apk reads it

apk 3 parses etc/apk/repositories line by line and stops at the first line
it rejects (an unknown keyword, a tag without a URL, a "set" it cannot
read, an undefined ${VAR}): the repositories after it are not used, and
it says nothing.  apk 2 takes every line as a URL and reads on.  aipkg
skipped only the bad line, so with apk 3 it offered packages from
repositories apk would not see.  It now drops them when the apk in use
is apk 3, naming each; with apk 2 it reads on as apk 2 does.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_W=$TRASH_DIRECTORY/repo-w

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

BASE_APK=$AIPKG_APK

# as_apk VERSION: aipkg runs an apk of VERSION's major: the double is told
# to be VERSION; a real apk under test must be of that major (else false)
as_apk () {
	if test "$TEST_MODE" = double
	then
		AIPKG_APK="env APK_DOUBLE_VERSION=$1 $BASE_APK" &&
		export AIPKG_APK
	else
		test_apk --version | grep -q "^apk-tools ${1%%.*}\." ||
		{ say "# the apk under test is not apk ${1%%.*}: nothing to compare"; false; }
	fi
}

test_expect_success 'setup: a repository after a line apk 3 rejects' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_W" onlyw 1.0-r0 -d "only in the second repository" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_W/$FIXTURE_ARCH" -d repo-w &&
	fixture_root "$ROOT" "$REPO_A" &&
	printf "%s\n@broken\n%s\n" "$REPO_A" "$REPO_W" >"$ROOT/etc/apk/repositories"
'

test_expect_success 'with apk 3 the repository after the bad line is not used, and named' '
	as_apk 3.0.6 || return 0
	aipkg search onlyw >out 2>err &&
	test_grep ! "^onlyw" out &&
	test_grep "repository $REPO_W is not used: an earlier line" err &&
	aipkg search nginx >out 2>err &&
	test_grep "^nginx" out &&
	if test "$TEST_MODE" != double
	then
		test_apk --root "$ROOT" --allow-untrusted search onlyw >apk.out 2>&1 &&
		test_grep ! "onlyw" apk.out
	fi
'

test_expect_success 'with apk 2 every other line is read' '
	as_apk 2.14.4 || return 0
	aipkg search onlyw >out 2>err &&
	test_grep "^onlyw" out &&
	test_grep ! "is not used" err &&
	if test "$TEST_MODE" != double
	then
		test_apk --root "$ROOT" --allow-untrusted search onlyw >apk.out 2>&1 &&
		test_grep "onlyw" apk.out
	fi
'

test_done
