#!/bin/sh
# t0907: what rollback and recover read from the journal is checked like user input before apk sees it (issue 12.11).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='journal data is checked before it reaches apk

On rollback, world atoms read from the journal went to apk without the
checks command-line names get (--allow-untrusted and paths to .apk files
were passed), and names and versions made the paths of kept files.  Every
atom, name and version a rollback or recover could hand to apk is now
checked as user input is; an entry that fails is refused, naming what is
wrong, and nothing changes.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

save_state () {
	installed_list >installed.saved &&
	cp "$ROOT/etc/apk/world" world.saved &&
	journal_count >journal.saved
}

unchanged () {
	installed_list >installed.now &&
	test_cmp installed.saved installed.now &&
	test_cmp world.saved "$ROOT/etc/apk/world" &&
	journal_count >journal.now &&
	test_cmp journal.saved journal.now
}

# tamper SED: edit the entry of the htop install, from its saved copy.
tamper () {
	sed "$1" entry.orig >"$ENTRY"
}

# refused WHAT: the rollback of that entry is refused naming WHAT.
refused () {
	save_state &&
	test_expect_code 1 aipkg --yes rollback "$ID" </dev/null >out 2>err &&
	test_grep "operation $ID cannot be rolled back: its journal entry holds what aipkg never writes" err &&
	test_grep -F "$1" err &&
	test_grep "nothing was changed" err &&
	unchanged
}

test_expect_success 'setup: htop installed, its journal entry saved' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update </dev/null >out 2>err &&
	aipkg --yes install htop </dev/null >out 2>err &&
	ENTRY=$(journal_newest) &&
	ID=$(sed -n "s/^id: //p" "$ENTRY") &&
	cp "$ENTRY" entry.orig
'

test_expect_success 'an option among the world atoms is refused' '
	tamper "s/^world-before:.*/world-before: --allow-untrusted/" &&
	refused "world-before: '"'"'--allow-untrusted'"'"' is not a package name or constraint"
'

test_expect_success 'so is a path to a package file' '
	tamper "s|^world-before:.*|world-before: /tmp/evil.apk|" &&
	refused "/tmp/evil.apk"
'

test_expect_success 'a package name that is a path is refused' '
	tamper "s|^change: install htop - |change: install ../../../etc/evil - |" &&
	refused "change: '"'"'../../../etc/evil'"'"' is not a package name"
'

test_expect_success 'a version with a path in it is refused' '
	tamper "s|^change: install htop - \(.*\)|change: upgrade htop 1.0/../../../x \1|" &&
	refused "change: htop: '"'"'1.0/../../../x'"'"' is not a version"
'

test_expect_success 'a control character in an atom is refused, shown escaped' '
	printf "s/^world-before:.*/world-before: evil\\\\\\\\x1b[2J/\n" >sed.script &&
	sed -f sed.script entry.orig >"$ENTRY" &&
	save_state &&
	test_expect_code 1 aipkg --yes rollback "$ID" </dev/null >out 2>err &&
	test_grep "holds what aipkg never writes" err &&
	test_grep ! "$(printf "\033")" err &&
	unchanged
'

test_expect_success 'the entry as aipkg wrote it still rolls back' '
	cp entry.orig "$ENTRY" &&
	aipkg --yes rollback "$ID" </dev/null >out 2>err &&
	installed_list >installed &&
	test_grep ! "^htop-" installed
'

test_expect_success 'recover runs no apk for an entry it cannot trust' '
	test_apk --root "$ROOT" --allow-untrusted --no-progress add \
		--virtual .aipkg-rollback busybox >out 2>err &&
	id=$(($(journal_count) + 1)) &&
	file=$(printf "%s/%s/%04d/%08d.txt" "$ROOT" "$JOURNAL_DIR_REL" $((id / 1000)) "$id") &&
	cat >"$file" <<-EOF &&
	# aipkg journal entry, see aipkg-journal(5)
	id: $id
	status: pending
	time: 2026-01-01T00:00:00Z
	pid: 2147483646
	command: aipkg rollback 1
	undoes: 1
	world-before: --force-broken-world
	end
	EOF
	aipkg recover </dev/null >out 2>err &&
	test_grep "operation $id holds what aipkg never writes" err &&
	test_grep "apk is not run for it" err &&
	installed_list >installed &&
	test_grep "^\.aipkg-rollback-" installed &&
	test_grep "^status: " "$file" &&
	test_grep ! "^status: pending" "$file"
'

test_done
