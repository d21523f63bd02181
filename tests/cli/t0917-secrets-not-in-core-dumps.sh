#!/bin/sh
# t0917: a crash of aipkg cannot write the API key or repository credentials to a core file.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='no core dump while aipkg holds secrets

aipkg holds the LLM API key (in its environment from the start, then in
the request headers) and credentials in repository URLs, and runs as
root from cron.  A crash wrote all of it to a core file, and any other
process of the same user could read it through ptrace or
/proc/PID/environ.  aipkg makes itself non-dumpable (PR_SET_DUMPABLE 0)
before it reads anything; the kernel gives every program it execs (apk,
checks, init scripts) the normal setting back, and the core size limit
(RLIMIT_CORE) is left alone, so apk behaves as it always does.

The kernel shows a process that is not dumpable by making the files of
/proc/PID owned by root: aipkg runs here as a user other than root
(uid 65534 when the test runs as root).'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"
# shellcheck source=tests/cli/lib-users.sh
. "$TEST_SRC/cli/lib-users.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
WRAP=$TRASH_DIRECTORY/apk-wrap
KEY=sk-test-core-0123456789abcdef

# as_runner CMD...: CMD as a user other than root (the other user when
# this runs as root, else this user).  as_runner_bg CMD...: the same in the
# background, its pid (CMD's own, exec'd in place) in RUNNER_PID.
if test "$(id -u)" != 0
then
	RUNNER_UID=$(id -u)
	test_set_prereq RUNNER
	as_runner () { "$@"; }
	as_runner_bg () { "$@" & RUNNER_PID=$!; }
elif test_have_prereq OTHER_USER && command -v setpriv >/dev/null 2>&1
then
	RUNNER_UID=$OTHER_UID
	test_set_prereq RUNNER
	as_runner () { as_other_user "$@"; }
	as_runner_bg () {
		setpriv --reuid="$OTHER_UID" --regid="$OTHER_UID" --clear-groups "$@" &
		RUNNER_PID=$!
	}
else
	say "# running aipkg as a user other than root needs setpriv: tests skipped"
fi

# AddressSanitizer lowers RLIMIT_CORE itself (its shadow memory would make
# a huge core) unless told not to: for an aipkg built with it.
NO_ASAN_CORE_LIMIT=${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0

# owner_of_status PID: the uid owning /proc/PID/status.
owner_of_status () {
	stat -c %u "/proc/$1/status"
}

test_expect_success RUNNER 'setup: a root, a model that keeps aipkg waiting' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	"$AIPKG" --root "$ROOT" --allow-untrusted --yes update </dev/null >out 2>err &&
	chmod -R a+rX "$TRASH_DIRECTORY" &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"zlib\",\"reason\":\"r\"}]}" &&
	llm_stub -k "$KEY" "content=plan.json,delay=60" &&
	llm_config "$ROOT" openai AIPKG_T_KEY 90 0
'

test_expect_success RUNNER 'aipkg waiting for the model with the key is not dumpable' '
	as_runner_bg env AIPKG_T_KEY=$KEY "$AIPKG" --root "$ROOT" --allow-untrusted \
		ask "compress things" </dev/null >ask.out 2>ask.err &&
	ask_pid=$RUNNER_PID &&
	wait_for 30 test -s "$LLM_LOG/1.req" &&
	test_grep "^Authorization: Bearer $KEY" "$LLM_LOG/1.req" &&
	owner=$(owner_of_status $ask_pid) &&
	grep "^Uid:[[:space:]]*$RUNNER_UID[[:space:]]" "/proc/$ask_pid/status" &&
	kill $ask_pid &&
	{ wait $ask_pid || :; } &&
	test "$owner" = 0
'

# The wrapper writes down, from inside the apk aipkg starts, who owns its
# /proc files (the runner when dumpable) and its core size limit; the soft
# limit is raised to the hard one first, so that a limit aipkg lowered
# shows.
test_expect_success RUNNER 'apk started by aipkg is dumpable, its core limit unchanged' '
	mkdir -m 1777 seen &&
	{
		echo "#!/bin/sh" &&
		echo "stat -c %u /proc/\$\$/status >\"$TRASH_DIRECTORY/seen/owner\"" &&
		echo "ulimit -c >\"$TRASH_DIRECTORY/seen/core\"" &&
		echo "exec $AIPKG_APK \"\$@\""
	} >"$WRAP" &&
	chmod 755 "$WRAP" &&
	(
		ulimit -S -c "$(ulimit -H -c)" &&
		ulimit -c >core.expect &&
		AIPKG_T_KEY=$KEY AIPKG_APK=$WRAP ASAN_OPTIONS=$NO_ASAN_CORE_LIMIT \
			as_runner "$AIPKG" --root "$ROOT" --allow-untrusted --dry-run \
			install zlib </dev/null >out 2>err
	) &&
	echo "$RUNNER_UID" >owner.expect &&
	test_cmp owner.expect seen/owner &&
	test_cmp core.expect seen/core
'

test_done
