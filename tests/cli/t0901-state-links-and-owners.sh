#!/bin/sh
# t0901: planted links in the state directory, and state, config and repositories others can write (issue 12.2, 12.8).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='links planted in the state directory, files others can write

When root runs aipkg with --root on a tree a user controls, a link at
var/lib/aipkg/lock made aipkg truncate its target, and one at
var/lib/aipkg/packages/.fetch-PID made it empty the directory it pointed
to.  State files are opened without following links, scratch directories
get names nobody can guess (mkdtemp), and a state directory, configuration
or local repository another user can write is refused, as ssh and sudo
refuse such files.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-users.sh
. "$TEST_SRC/cli/lib-users.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
STATE=$ROOT/var/lib/aipkg
CONFIG=$ROOT/etc/aipkg/aipkg.yaml

# unchanged: the installed db, world and journal are as saved by save_state.
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

test_expect_success 'setup: repository A, a root with aipkg state' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install htop </dev/null >out 2>err &&
	test_path_is_dir "$STATE/journal" &&
	printf "secret\n" >victim
'

test_expect_success 'a link planted at the lock is refused, its target untouched' '
	rm -f "$STATE/lock" &&
	ln -s "$TRASH_DIRECTORY/victim" "$STATE/lock" &&
	save_state &&
	test_expect_code 1 aipkg --yes install lighttpd </dev/null >out 2>err &&
	test_grep "lock: it is a symbolic link" err &&
	test_grep "nothing was changed" err &&
	test "$(cat victim)" = secret &&
	unchanged &&
	rm "$STATE/lock"
'

# The fetch directory was PACKAGES/.fetch-PID: a shell that plants the link
# for its own pid and then execs aipkg gives aipkg that pid.  apk fetch runs
# only for a version aipkg did not install (the others come from apk's
# cache), so busybox is installed with apk itself first.
test_expect_success 'a link planted at the fetch directory is never used' '
	mkdir -p bait "$STATE/packages" &&
	printf "x\n" >bait/precious &&
	test_apk --root "$ROOT" --allow-untrusted --no-progress add busybox >out 2>err &&
	sh -c "ln -s \"\$0\" \"\$1/.fetch-\$\$\" && exec \"\$2\" --root \"\$3\" \
		--allow-untrusted --yes remove busybox" \
		"$TRASH_DIRECTORY/bait" "$STATE/packages" "$AIPKG" "$ROOT" </dev/null >out 2>err &&
	installed_list >installed &&
	test_grep ! "^busybox-" installed &&
	test_path_is_file bait/precious &&
	ls -a "$STATE/packages" >listed &&
	test "$(grep -c "^\.fetch-" listed)" = 1 &&
	test_path_is_file "$STATE/packages/busybox-1.36.1-r29.apk" &&
	rm -f "$STATE"/packages/.fetch-*
'

test_expect_success 'a FIFO or a link among journal entries is skipped, never waited on' '
	shard=$(ls -d "$STATE"/journal/0000) &&
	mkfifo "$shard/00000098.txt" &&
	ln -s "$TRASH_DIRECTORY/victim" "$shard/00000099.txt" &&
	timeout 20 "$AIPKG" --root "$ROOT" history </dev/null >out 2>err &&
	test_grep "00000098.txt: it is not a regular file" err &&
	test_grep "00000099.txt: it is a symbolic link" err &&
	rm "$shard/00000098.txt" "$shard/00000099.txt"
'

test_expect_success 'a state directory every user can write is refused' '
	chmod 0777 "$STATE" &&
	save_state &&
	test_expect_code 2 aipkg --yes install curl </dev/null >out 2>err &&
	test_grep "refusing the state directory .*/var/lib/aipkg" err &&
	test_grep "is writable by every user (mode 0777)" err &&
	unchanged &&
	chmod 0755 "$STATE"
'

test_expect_success 'so is one under a directory every user can write' '
	chmod 0777 "$ROOT/var" &&
	test_expect_code 2 aipkg --yes --json install curl </dev/null >out 2>err &&
	test "$("$TEST_TOOLS/jsonq" .error.code <out)" = unsafe &&
	test_grep "var is writable by every user" out &&
	unchanged &&
	chmod 0755 "$ROOT/var"
'

test_expect_success 'a sticky directory (as /tmp) above it is fine' '
	chmod 01777 "$ROOT/var" &&
	aipkg --yes install curl </dev/null >out 2>err &&
	chmod 0755 "$ROOT/var"
'

test_expect_success OTHER_USER 'a state directory another user owns is refused' '
	chown -R $OTHER_UID "$STATE" &&
	save_state &&
	test_expect_code 2 aipkg --yes install bind-tools </dev/null >out 2>err &&
	test_grep "(uid $OTHER_UID), not by root" err &&
	unchanged &&
	chown -R 0 "$STATE"
'

test_expect_success 'a configuration every user can write is refused' '
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "lock_timeout: 1\n" >"$CONFIG" &&
	chmod 0666 "$CONFIG" &&
	test_expect_code 2 aipkg list --installed >out 2>err &&
	test_grep "refusing the configuration .*aipkg.yaml" err &&
	test_grep "writable by every user (mode 0666)" err &&
	chmod 0644 "$CONFIG" &&
	aipkg list --installed >out 2>err
'

test_expect_success 'so is one in a directory every user can write, or named by --config' '
	chmod 0777 "$ROOT/etc/aipkg" &&
	test_expect_code 2 aipkg list >out 2>err &&
	test_grep "etc/aipkg is writable by every user" err &&
	chmod 0755 "$ROOT/etc/aipkg" &&
	cp "$CONFIG" other.yaml &&
	chmod 0666 other.yaml &&
	test_expect_code 2 aipkg --config other.yaml list >out 2>err &&
	test_grep "refusing the configuration other.yaml" err &&
	aipkg --config /dev/null list >out 2>err
'

test_expect_success OTHER_USER 'a configuration another user owns is refused' '
	chown $OTHER_UID "$CONFIG" &&
	test_expect_code 2 aipkg list >out 2>err &&
	test_grep "aipkg.yaml is owned by .*(uid $OTHER_UID)" err &&
	chown 0 "$CONFIG"
'

test_expect_success 'a local repository every user can write is skipped, and no change uses it' '
	chmod 0777 "$REPO_A/x86_64" &&
	save_state &&
	aipkg search telnet >out 2>err &&
	test_grep "skipping repository .*repo-a: .*x86_64 is writable by every user" err &&
	test_must_be_empty out &&
	test_expect_code 2 aipkg --yes install bind-tools </dev/null >out 2>err &&
	test_grep "refusing to run apk with repository .*repo-a" err &&
	unchanged &&
	test_expect_code 2 aipkg --repository "$REPO_A" --yes install bind-tools \
		</dev/null >out 2>err &&
	unchanged &&
	chmod 0755 "$REPO_A/x86_64" &&
	aipkg --yes install bind-tools </dev/null >out 2>err
'

test_done
