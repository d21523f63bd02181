#!/bin/sh
# t0921: a FIFO where apk's file or the configuration should be is refused, never read (a planted one hung every command).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='FIFOs in a root are refused, not waited on

aipkg read etc/apk/arch, etc/alpine-release, etc/apk/world,
etc/apk/repositories and its configuration with a
plain open(): a FIFO planted at any of them (in a root another user
prepared) made every command, the nightly agent included, wait forever
for a writer.  They are now opened without waiting and refused unless
they are regular files, with a message naming the file.  (apk itself
still waits on such a FIFO.)  Each command runs under timeout(1) only so
that the old behaviour fails instead of hanging the suite.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

aipkg () {
	timeout 20 "$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

# fifo_refused REL: a FIFO at ROOT/REL makes 'list' fail at once, naming it.
fifo_refused () {
	mv "$ROOT/$1" saved 2>/dev/null
	mkfifo "$ROOT/$1" &&
	aipkg list >out 2>err
	rc=$?
	rm -f "$ROOT/$1"
	{ ! test -e saved || mv saved "$ROOT/$1"; } &&
	test "$rc" != 124 &&
	test "$rc" != 0 &&
	test_grep "$ROOT/$1: it is not a regular file" err
}

test_expect_success 'setup: a root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install zlib >out 2>err &&
	aipkg list >out 2>err
'

mkdir -p "$ROOT/etc/aipkg"
for rel in etc/apk/arch etc/alpine-release etc/apk/world etc/apk/repositories \
	etc/aipkg/aipkg.yaml
do
	test_expect_success "a FIFO at $rel is refused" "
		fifo_refused $rel
	"
done

test_expect_success 'the root works again once the FIFOs are gone' '
	aipkg list --installed >out 2>err &&
	test_grep "^zlib " out
'

test_done
