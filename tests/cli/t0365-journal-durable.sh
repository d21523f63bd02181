#!/bin/sh
# t0365: a change makes its journal entry durable before apk runs, with three fsyncs in all.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='what a change makes durable, and when

The design: the journal entry is written pending before apk runs and
finalised after, each atomically (a file written, synced, then renamed
or linked into place, and a new name made durable by syncing its
directory).  The installed packages recover diffs against are part of
the pending entry, so that write is the only one before apk: the entry
and its directory before apk, the finished entry after, three fsyncs
(there were five: the snapshot of installed packages was a file of its
own).  The faultfs shim logs every fsync; the apk command logs its runs
into the same file, so the order shows.  An entry left pending by an
older aipkg, with its snapshot file, still recovers.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
LOG=$TRASH_DIRECTORY/sync.log
# an ASan build wants its runtime first; the shim only wraps libc calls
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
JDIR=$ROOT/$JOURNAL_DIR_REL

# logged aipkg ARGS...: aipkg with every fsync logged to $LOG, and every
# apk run ("apk ARGS") logged there too (apk itself without the shim: a
# real apk 2 runs under musl's loader).
logged () {
	: >"$LOG"
	env LD_PRELOAD="$TEST_TOOLS/faultfs.so" FAULTFS_LOG="$LOG" \
		AIPKG_APK="sh $TRASH_DIRECTORY/apk-logged" "$AIPKG" --root "$ROOT" \
		--allow-untrusted --yes "$@"
}

# journal_syncs: the fsyncs of the journal, in order, as "file NAME" (an
# entry's temporary file) or "dir NAME", and the apk runs between them
journal_syncs () {
	sed -n -e "s|^fsync $JDIR/[0-9]*/\.[0-9]*\.txt\..*\.tmp\$|file entry|p" \
		-e "s|^fsync $JDIR/[0-9]*\$|dir shard|p" \
		-e "s|^fsync $JDIR\$|dir journal|p" \
		-e "s|^fsync $JDIR/.*|other &|p" \
		-e 's/^apk .*--simulate.*/apk simulate/p' \
		-e 's/^apk .* add .*/apk change/p' -e 's/^apk .* del .*/apk change/p' "$LOG"
}

test_expect_success 'setup: repository A, an apk that logs its runs' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	cat >"$TRASH_DIRECTORY/apk-logged" <<-EOS &&
	echo "apk \$*" >>"$LOG"
	unset LD_PRELOAD
	exec $AIPKG_APK "\$@"
	EOS
	aipkg --yes update >out 2>err &&
	aipkg --yes install zlib >out 2>err
'

test_expect_success 'an install: the entry and its directory synced before apk, the end after' '
	logged install nginx >out 2>err &&
	cat >expect <<-\EOF &&
	apk simulate
	file entry
	dir shard
	apk change
	file entry
	EOF
	journal_syncs >actual &&
	test_cmp expect actual &&
	test_grep "^status: committed" "$(journal_newest)"
'

test_expect_success 'a remove: the same three' '
	logged remove nginx >out 2>err &&
	journal_syncs >actual &&
	test_cmp expect actual
'

test_expect_success 'the pending entry lists what was installed; the finished one does not' '
	test_grep ! "^installed-before:" "$(journal_newest)" &&
	test_grep ! "installed_before" out &&
	cat >"$TRASH_DIRECTORY/apk-peek" <<-EOS &&
	case "\$*" in
	*--simulate*) ;;
	*" add "*) cp "\$(ls $JDIR/*/*.txt | tail -n 1)" "$TRASH_DIRECTORY/pending" ;;
	esac
	exec $AIPKG_APK "\$@"
	EOS
	AIPKG_APK="sh $TRASH_DIRECTORY/apk-peek" aipkg --yes install htop >out 2>err &&
	test_grep "^status: pending" pending &&
	sed -n "s/^installed-before: \([^ ]*\) \([^ ]*\)\$/\1-\2/p" pending | sort >listed &&
	test -s listed &&
	aipkg --yes remove htop >out 2>err &&
	installed_list >installed &&
	test_cmp installed listed &&
	test_grep ! "^installed-before:" "$(journal_newest)" &&
	aipkg --json history "$(sed -n "s/^id: //p" pending)" >out 2>err &&
	test_grep ! installed_before out
'

test_expect_success 'an entry left pending by an older aipkg recovers with its snapshot file' '
	aipkg --yes install htop >out 2>err &&
	entry=$(journal_newest) &&
	id=$(sed -n "s/^id: //p" "$entry") &&
	sed -e "s/^status: .*/status: pending/" -e "/^change:/d" -e "/^end-time:/d" \
		-e "s/^pid: .*/pid: 999999/" "$entry" >"$entry.new" &&
	mv "$entry.new" "$entry" &&
	{
		echo "id $id" &&
		installed_list | grep -v "^htop-" | sed "s/-\([^-]*-r[0-9]*\)\$/ \1/" &&
		echo "ghost 1.0-r0"
	} >"$JDIR/snapshot" &&
	aipkg recover >out 2>err &&
	test_grep "now interrupted" out &&
	test_grep "^change: install htop - 3.3.0-r0\$" "$entry" &&
	test_grep "^change: remove ghost 1.0-r0 -\$" "$entry" &&
	test_path_is_missing "$JDIR/snapshot"
'

test_done
