#!/bin/sh
# t0820: an apk that hangs (apk.timeout) or prints garbage: aipkg stops it or refuses, journal intact.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='misbehaving apk

An apk that never returns is stopped after apk.timeout with its whole
process group, the entry is marked failed and the lock is free.  An apk
whose output is random bytes (on stdout, stderr or both, with exit codes
0 and 1, before or after really doing the work) never crashes aipkg, and
the journal still agrees with the installed database after recover.'

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
BAD_APK=$TRASH_DIRECTORY/bad-apk

fault_runs=0
fault_bad=0

# bad-apk: BAD_HOW says what goes wrong with a change (add, del, upgrade):
# hang, or garbage-<when>-<exit> where WHEN is before (instead of apk),
# after (once apk did its work) and EXIT the exit code.
test_expect_success 'setup: repository A, a root, a bad apk' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	cat >"$BAD_APK" <<-\EOS &&
	change=false
	for a
	do
		case $a in
		--simulate|--version) change=false; break ;;
		add|del|upgrade) change=true ;;
		esac
	done
	$change || exec $BAD_APK_REAL "$@"
	echo $$ >"$BAD_MARK.pid"
	garbage () {
		head -c 3000 /dev/urandom
		printf "ERROR: \001\002 (1/3) Installing \n((((( OK: -1 MiB in packages\n"
		head -c 3000 /dev/urandom >&2
	}
	case $BAD_HOW in
	hang) sleep 600 ;;
	garbage-before-*) garbage ;;
	garbage-after-*) $BAD_APK_REAL "$@" >/dev/null 2>&1; garbage ;;
	esac
	exit "${BAD_HOW##*-}"
	EOS
	BAD_APK_REAL=$AIPKG_APK BAD_MARK=$TRASH_DIRECTORY/bad-mark &&
	export BAD_APK_REAL BAD_MARK
'

test_expect_success 'a hanging apk is stopped after apk.timeout' '
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "apk:\n  timeout: 2\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	rm -f "$BAD_MARK.pid" &&
	start=$(date +%s) &&
	test_expect_code 1 env AIPKG_APK="sh $BAD_APK" BAD_HOW=hang \
		"$AIPKG" --root "$ROOT" --allow-untrusted --yes install htop >out 2>err &&
	test $(($(date +%s) - start)) -lt 30 &&
	test_grep "apk.timeout" err &&
	! kill -0 "$(cat "$BAD_MARK.pid")" 2>/dev/null &&
	test_grep "^status: failed" "$(journal_newest)" &&
	"$AIPKG" --root "$ROOT" recover >out 2>err &&
	fault_check &&
	test $fault_bad = 0 &&
	rm "$ROOT/etc/aipkg/aipkg.yaml"
'

test_expect_success "$FAULT_RUNS apks printing garbage: no crash, the journal holds" '
	i=0 &&
	while test $i -lt "$FAULT_RUNS"
	do
		fault_i=$i
		case $(fault_random 4 "$i") in
		0) how=garbage-before-0 ;;
		1) how=garbage-before-1 ;;
		2) how=garbage-after-0 ;;
		*) how=garbage-after-1 ;;
		esac
		case $(fault_random 2 "$i$i") in
		0) op="install nginx htop" ;;
		*) op="remove nginx htop" ;;
		esac
		fault_what="$op, $how"
		# shellcheck disable=SC2086
		env AIPKG_APK="sh $BAD_APK" BAD_HOW=$how "$AIPKG" --root "$ROOT" \
			--allow-untrusted --yes $op >op.out 2>op.err
		rc=$?
		test $rc -lt 128 || fault_inconsistent "aipkg crashed: exit $rc"
		fault_runs=$((fault_runs + 1))
		"$AIPKG" --root "$ROOT" recover >recover.out 2>recover.err ||
			fault_inconsistent "recover failed: $(tail -n 2 recover.err)"
		fault_check
		i=$((i + 1))
	done &&
	fault_summary "garbage"
'

test_expect_success 'the json output stays one document with a garbage apk' '
	env AIPKG_APK="sh $BAD_APK" BAD_HOW=garbage-before-1 "$AIPKG" --root "$ROOT" \
		--allow-untrusted --yes --json install bind-tools >out 2>err;
	test $? -lt 128 &&
	"$TEST_TOOLS/jsonq" "." <out >/dev/null
'

test_done
