# Running a command as another local user (nobody), for the tests of what other users can do.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  Sets the prerequisite OTHER_USER when this
# script runs as root, setpriv (util-linux) or su can switch to uid 65534,
# and that user can reach the trash directory; otherwise says why the
# tests that need it are skipped.

OTHER_UID=65534

# as_other_user CMD ARGS...: run CMD as uid/gid 65534, no supplementary groups.
as_other_user () {
	if command -v setpriv >/dev/null 2>&1
	then
		setpriv --reuid=$OTHER_UID --regid=$OTHER_UID --clear-groups "$@"
	else
		# shellcheck disable=SC2016 # expanded by the other user's shell
		su -s /bin/sh "$(id -nu $OTHER_UID 2>/dev/null || echo nobody)" \
			-c 'exec "$0" "$@"' "$@"
	fi
}

if test "$(id -u)" != 0
then
	say "# tests as another user need root (to switch to uid $OTHER_UID): they are skipped"
elif ! command -v setpriv >/dev/null 2>&1 && ! command -v su >/dev/null 2>&1
then
	say "# tests as another user need setpriv or su: they are skipped"
elif ! as_other_user test -x "$TRASH_DIRECTORY" 2>/dev/null
then
	say "# uid $OTHER_UID cannot reach $TRASH_DIRECTORY: tests as another user are skipped"
else
	test_set_prereq OTHER_USER
fi
