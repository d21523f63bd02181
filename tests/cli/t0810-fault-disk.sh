#!/bin/sh
# t0810: a full disk at random points of journal writes, and a read-only state directory.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='disk full and read-only state

The faultfs shim (LD_PRELOAD) makes writes under ROOT/var/lib/aipkg fail
with ENOSPC after a random number of bytes, AIPKG_FAULT_RUNS times (default
20), during installs and removals: aipkg never crashes, a change refused
before apk runs changes nothing, and once the disk has room again aipkg
recover leaves a journal that agrees with the installed database.  With
the state directory read-only (EROFS) a change is refused before apk runs.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-fault.sh
. "$TEST_SRC/cli/lib-fault.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
FAULTFS=$TEST_TOOLS/faultfs.so

test -f "$FAULTFS" || skip_all "no $FAULTFS"
# an ASan build wants its runtime first; the shim only wraps libc calls
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# with_faultfs MODE [VAR=VALUE...] aipkg ARGS...: aipkg with the shim on
# the state directory.
with_faultfs () {
	_wf_mode=$1
	shift
	env LD_PRELOAD="$FAULTFS" FAULTFS_MODE="$_wf_mode" \
		FAULTFS_PATH="$ROOT/var/lib/aipkg" "$@"
}

fault_runs=0
fault_bad=0
fault_recovered=0

test_expect_success 'setup: repository A, a root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'the shim works: a write past the limit is ENOSPC' '
	mkdir -p "$ROOT/var/lib/aipkg" &&
	test_must_fail with_faultfs enospc FAULTFS_AFTER=3 \
		sh -c "printf 12345 | cat >\"\$1\"" sh "$ROOT/var/lib/aipkg/probe" 2>err &&
	test_grep "No space left" err &&
	rm -f "$ROOT/var/lib/aipkg/probe"
'

test_expect_success 'a journal that cannot be written at all: refused, nothing changed' '
	installed_list >before &&
	test_expect_code 1 with_faultfs enospc FAULTFS_AFTER=0 \
		"$AIPKG" --root "$ROOT" --allow-untrusted --yes install htop >out 2>err &&
	test_grep -i "full\|space" err &&
	test_grep "nothing was changed" err &&
	installed_list >after &&
	test_cmp before after
'

test_expect_success "$FAULT_RUNS random disk-full points: never a crash, always recoverable" '
	i=0 &&
	while test $i -lt "$FAULT_RUNS"
	do
		fault_i=$i
		case $(fault_random 2 "$i") in
		0) op="install nginx htop" ;;
		*) op="remove nginx htop" ;;
		esac
		# entries are a few hundred bytes to a few KiB: fail anywhere in them
		after=$(fault_random 6000 "$i$i")
		fault_what="$op, disk full after $after bytes"
		installed_list >before
		# shellcheck disable=SC2086
		with_faultfs enospc FAULTFS_AFTER=$after "$AIPKG" --root "$ROOT" \
			--allow-untrusted --yes $op >op.out 2>op.err
		rc=$?
		test $rc -lt 128 || fault_inconsistent "aipkg crashed: exit $rc"
		if test $rc != 0 && grep -q "nothing was changed" op.err
		then
			installed_list >after
			cmp -s before after || fault_inconsistent "said nothing was changed, but it was"
		fi
		fault_runs=$((fault_runs + 1))
		"$AIPKG" --root "$ROOT" recover >recover.out 2>recover.err ||
			fault_inconsistent "recover failed: $(tail -n 2 recover.err)"
		if grep -q "now \\(failed\\|interrupted\\|committed\\)" recover.out
		then
			fault_recovered=$((fault_recovered + 1))
		fi
		fault_check
		i=$((i + 1))
	done &&
	fault_summary "disk full"
'

test_expect_success 'a read-only state directory: refused before apk runs' '
	installed_list >before &&
	count=$(journal_count) &&
	test_expect_code 1 with_faultfs erofs \
		"$AIPKG" --root "$ROOT" --allow-untrusted --yes install bind-tools >out 2>err &&
	test_grep "nothing was changed" err &&
	installed_list >after &&
	test_cmp before after &&
	test "$(journal_count)" = "$count"
'

test_expect_success 'a read-only state directory: reading commands still work' '
	with_faultfs erofs "$AIPKG" --root "$ROOT" history >out 2>err &&
	with_faultfs erofs "$AIPKG" --root "$ROOT" list --installed >out 2>err &&
	with_faultfs erofs "$AIPKG" --root "$ROOT" info busybox >out 2>err
'

test_done
