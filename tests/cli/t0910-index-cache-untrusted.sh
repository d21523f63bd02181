#!/bin/sh
# t0910: the packages of an unsigned index, cached by an --allow-untrusted run, stay out of runs without it (session 3 attack).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the compact index cache keeps the trust of the run reading it

One run with --allow-untrusted stored the packages of an unsigned index
in the compact cache; every later run, without --allow-untrusted, took
them from there: search, list --available and the name suggestions
showed a repository aipkg said it skipped.  A cached index is read for
its packages only when this run would trust it.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_U=$TRASH_DIRECTORY/repo-u
IDX=$ROOT/var/lib/aipkg/cache/index

aipkg () {
	"$AIPKG" --root "$ROOT" "$@" </dev/null
}

test_expect_success 'setup: a signed repository and an unsigned one' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_U" planted 6.6-r0 -d "from the unsigned repository" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_U/$FIXTURE_ARCH" -U &&
	fixture_root "$ROOT" "$REPO_A" "$REPO_U"
'

test_expect_success 'with --allow-untrusted the unsigned index is read and cached' '
	aipkg --allow-untrusted search planted >out 2>err &&
	test_grep "^planted " out &&
	ls "$IDX"/*.idx >cached &&
	test "$(wc -l <cached)" -eq 2
'

test_expect_success 'without it, search finds nothing of it and says it was skipped' '
	aipkg search planted >out 2>err &&
	test_grep ! planted out &&
	test_grep "is not signed; skipped" err
'

test_expect_success 'list --available and info do not show it either' '
	aipkg list --available >out 2>err &&
	test_grep ! planted out &&
	test_grep "^nginx " out &&
	test_must_fail aipkg info planted >out 2>err &&
	test_grep "no package named .planted." err &&
	aipkg --json search plant >out 2>err &&
	test_grep ! planted out
'

test_expect_success 'the cache still serves the signed index, and the unsigned one with --allow-untrusted' '
	aipkg search nginx >out 2>err &&
	test_grep "^nginx " out &&
	aipkg --allow-untrusted search planted >out 2>err &&
	test_grep "^planted " out
'

test_done
