# Helpers of the journal tests (t03xx): what is installed, what the journal says, a slowed apk.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh and lib-fixtures.sh; ROOT names the root.

JOURNAL_DIR_REL=var/lib/aipkg/journal

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# installed_list: NAME-VERSION of every package installed in ROOT, sorted.
installed_list () {
	awk '/^P:/ { p = substr($0, 3) } /^V:/ { print p "-" substr($0, 3) }' \
		"$ROOT/lib/apk/db/installed" | sort
}

# world_list: ROOT's world file, one atom per line, sorted.
world_list () {
	awk '{ for (i = 1; i <= NF; i++) print $i }' "$ROOT/etc/apk/world" | sort
}

# journal_files: the entry files, oldest first (their names sort by id).
journal_files () {
	ls "$ROOT/$JOURNAL_DIR_REL"/*/*.txt 2>/dev/null
}

journal_count () {
	journal_files | wc -l | tr -d ' '
}

# journal_newest: the newest entry's file.
journal_newest () {
	journal_files | tail -n 1
}

# journal_replay: the installed packages the journal's "change:" lines add
# up to, from an empty root, oldest entry first, sorted like installed_list.
# Plain awk over plain text: the journal is meant to be read this way.
journal_replay () {
	cat "$ROOT/$JOURNAL_DIR_REL"/*/*.txt |
	awk '$1 == "change:" { if ($5 == "-") delete v[$3]; else v[$3] = $5 }
	     END { for (n in v) print n "-" v[n] }' | sort
}

# test_journal_matches_db: the journal adds up to what is installed.
test_journal_matches_db () {
	journal_replay >replayed &&
	installed_list >installed &&
	test_cmp installed replayed
}

# slow_apk_setup: $SLOW_APK runs the apk under test, first sleeping
# $SLOW_BEFORE and then $SLOW_AFTER seconds around a real change (not a
# --simulate, fetch, update or --version), touching $SLOW_MARK.before and
# .after when it starts sleeping, so a test can kill aipkg right there.
# It writes its pid to $SLOW_MARK.pid: aipkg runs apk in a process group of
# its own, which a test kills with "kill -KILL -PID".
slow_apk_setup () {
	SLOW_APK="sh $TRASH_DIRECTORY/slow-apk"
	SLOW_APK_REAL=$AIPKG_APK
	SLOW_MARK=$TRASH_DIRECTORY/slow-mark
	export SLOW_APK SLOW_APK_REAL SLOW_MARK
	cat >"$TRASH_DIRECTORY/slow-apk" <<-\EOS
	change=false
	for a
	do
		case $a in
		--simulate|fetch|update|--version) change=false; break ;;
		add|del|upgrade) change=true ;;
		esac
	done
	if $change
	then
		echo $$ >"$SLOW_MARK.pid"
	fi
	if $change && test -n "$SLOW_BEFORE"
	then
		: >"$SLOW_MARK.before"
		sleep "$SLOW_BEFORE"
	fi
	# shellcheck disable=SC2086
	$SLOW_APK_REAL "$@"
	rc=$?
	if $change && test -n "$SLOW_AFTER"
	then
		: >"$SLOW_MARK.after"
		sleep "$SLOW_AFTER"
	fi
	exit $rc
	EOS
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for () {
	_wf_left=$(($1 * 10))
	shift
	until "$@"
	do
		_wf_left=$((_wf_left - 1))
		test $_wf_left -gt 0 || return 1
		sleep 0.1
	done
}

# installed_count_at_least N
installed_count_at_least () {
	test "$(installed_list | wc -l)" -ge "$1"
}
