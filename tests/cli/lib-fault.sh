# Helpers of the fault-injection tests (t08xx): random numbers, the invariants checked after each fault.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh, lib-fixtures.sh and lib-journal.sh; ROOT names
# the root.  AIPKG_FAULT_RUNS (default 20) says how many faults a script
# injects; AIPKG_FAULT_SEED (default 1) picks the operations and kill points.

# shellcheck disable=SC2034 # FAULT_RUNS is for the scripts; they count fault_runs
FAULT_RUNS=${AIPKG_FAULT_RUNS:-20}
FAULT_SEED=${AIPKG_FAULT_SEED:-1}
FAULT_LOG=$TRASH_DIRECTORY/faults.log

# fault_random N I: a number in [0, N) for iteration I, from the seed.
fault_random () {
	awk -v n="$1" -v s="$FAULT_SEED" -v i="$2" 'BEGIN { srand(s * 7919 + i); print int(rand() * n) }'
}

# fault_inconsistent WHY: count one inconsistency, logged with the iteration.
fault_inconsistent () {
	fault_bad=$((fault_bad + 1))
	printf 'run %s (%s): %s\n' "${fault_i:-?}" "${fault_what:-?}" "$*" >>"$FAULT_LOG"
}

# fault_check: after `aipkg recover`, the journal must agree with the
# installed db, no entry may be pending, lost (ids run 1..N) or unreadable,
# and the state lock must be free.  Records what is wrong; returns 0.
fault_check () {
	journal_replay >replayed 2>/dev/null
	installed_list >installed
	cmp -s installed replayed ||
		fault_inconsistent "journal disagrees with the db: $(diff installed replayed | grep '^[<>]' | tr '\n' ' ')"
	if grep -l '^status: pending' "$ROOT/$JOURNAL_DIR_REL"/*/*.txt >/dev/null 2>&1
	then
		fault_inconsistent "an entry is still pending after recover"
	fi
	_fc_n=$(journal_count)
	_fc_newest=$(journal_newest)
	_fc_newest=${_fc_newest##*/}
	_fc_newest=$(printf '%s' "${_fc_newest%.txt}" | sed 's/^0*//')
	test "$_fc_n" = "${_fc_newest:-0}" ||
		fault_inconsistent "journal has $_fc_n entries but the newest is ${_fc_newest:-none}"
	"$AIPKG" --root "$ROOT" history >hist.out 2>hist.err ||
		fault_inconsistent "history failed: $(head -n 2 hist.err)"
	if test -s hist.err
	then
		fault_inconsistent "history warned: $(head -n 2 hist.err)"
	fi
	# a world apk cannot satisfy wedges every later change (see t0801)
	if world_list 2>/dev/null | grep -q '^\.aipkg-rollback' &&
		! grep -q '^P:\.aipkg-rollback$' "$ROOT/lib/apk/db/installed"
	then
		fault_inconsistent "world names .aipkg-rollback, which is not installed"
	fi
	if test_have_prereq FLOCK && ! flock -n "$ROOT/var/lib/aipkg/lock" true
	then
		fault_inconsistent "the state lock is still held"
	fi
	return 0
}

# fault_summary WHAT: print and check the count of inconsistencies.
# shellcheck disable=SC2154 # fault_runs is the script's count
fault_summary () {
	say "# $1: $fault_runs faults injected, ${fault_recovered:-0} left an entry to recover," \
		"$fault_bad inconsistencies (seed $FAULT_SEED)" >&7
	if test "$fault_bad" -gt 0
	then
		cat "$FAULT_LOG" >&2
		return 1
	fi
}
