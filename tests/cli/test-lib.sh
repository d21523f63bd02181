# test-lib.sh: the CLI tests' harness, in the style of git's t/test-lib.sh (POSIX sh, TAP).
# SPDX-License-Identifier: MIT
#
# A script sets test_description, sources this file, declares tests with
# test_expect_success and ends with test_done:
#
#	test_description='what this script covers'
#	. "$TEST_SRC/cli/test-lib.sh"
#	test_expect_success 'title' '
#		commands &&
#		more commands
#	'
#	test_done
#
# Environment (CTest sets it): AIPKG (the built aipkg), TEST_TOOLS (mkrepo
# and apk-double), TEST_SRC (tests/), TEST_TRASH (where trash directories
# go), TEST_MODE ("double" or "real") and, in real mode, AIPKG_TEST_APK (a
# real apk command, possibly several words).  AIPKG_APK is exported for
# aipkg: the test double, or the real apk.  TEST_VERBOSE=1 shows every
# test's output, not only a failing one's.
#
# Each script runs in its own trash directory, $TEST_TRASH/<script name>,
# emptied at start; tests run in the script's shell (variables persist)
# with the trash directory as the working directory.

: "${TEST_SRC:?TEST_SRC must name the tests/ source directory}"
: "${TEST_TOOLS:?TEST_TOOLS must name the directory holding mkrepo and apk-double}"
TEST_MODE=${TEST_MODE:-double}
TEST_NAME=$(basename "$0" .sh)
TRASH_DIRECTORY=${TEST_TRASH:-${TMPDIR:-/tmp}/aipkg-trash}/$TEST_NAME

test_count=0
test_passed=0
test_failed=0
test_broken=0
test_fixed=0
test_skipped=0
test_prereqs=' '

say () {
	printf '%s\n' "$*"
}

# error MESSAGE: a bug in the test script or its fixtures, not a failed
# test; stops the script, saying why on the original stderr (fd 7) even
# from inside a test whose output is captured.
error () {
	say "error: $*" >&2
	say "error: $*" >&7
	exit 1
}

# skip_all REASON: skip the whole script (CTest reports it as skipped).
skip_all () {
	say "1..0 # SKIP $*"
	exit 77
}

test_set_prereq () {
	test_prereqs="$test_prereqs$1 "
}

# test_have_prereq A,B,!C: true when every listed prerequisite holds.
test_have_prereq () {
	_thp_list=$(printf '%s' "$1" | tr ',' ' ')
	for _thp in $_thp_list
	do
		case $_thp in
		!*)
			case $test_prereqs in *" ${_thp#!} "*) return 1 ;; esac
			;;
		*)
			case $test_prereqs in *" $_thp "*) ;; *) return 1 ;; esac
			;;
		esac
	done
	return 0
}

# test_apk ARGS...: run the apk under test (the double or a real apk).
test_apk () {
	# shellcheck disable=SC2086 # AIPKG_APK may be several words
	$AIPKG_APK "$@"
}

# server_wait FILE WHAT: wait until a test server started in the background
# (httpstub, llmstub) has written its port to FILE; error after 10 s.
server_wait () {
	_sw_tries=0
	while ! test -s "$1"
	do
		_sw_tries=$((_sw_tries + 1))
		test $_sw_tries -lt 200 || error "$2 did not start"
		sleep 0.05
	done
}

# ---- assertions ----

# test_must_fail CMD...: CMD must exit non-zero, but not by a crash (a
# signal or an exit code of 128 and above) nor "command not found".
test_must_fail () {
	"$@"
	_tmf=$?
	if test $_tmf -eq 0
	then
		say "test_must_fail: command succeeded: $*" >&2
		return 1
	elif test $_tmf -ge 128
	then
		say "test_must_fail: command crashed (exit $_tmf): $*" >&2
		return 1
	elif test $_tmf -eq 127 || test $_tmf -eq 126
	then
		say "test_must_fail: command not found or not runnable: $*" >&2
		return 1
	fi
	return 0
}

# test_expect_code CODE CMD...: CMD must exit with exactly CODE.
test_expect_code () {
	_tec_want=$1
	shift
	"$@"
	_tec=$?
	if test "$_tec" -eq "$_tec_want"
	then
		return 0
	fi
	say "test_expect_code: command exited $_tec, wanted $_tec_want: $*" >&2
	return 1
}

# test_cmp EXPECTED ACTUAL: the files must be identical.
test_cmp () {
	if ! test -f "$2"
	then
		say "test_cmp: missing file $2" >&2
		return 1
	fi
	diff -u "$1" "$2" >&2
}

# test_fits COLS FILE: no line of FILE (ASCII: a byte is a column) is
# wider than COLS; the lines that are go to stderr.
test_fits () {
	awk -v max="$1" 'length($0) > max { print "too wide (" length($0) "): " $0; bad = 1 }
		END { exit bad }' "$2" >&2
}

# test_grep [!] [GREP OPTIONS] PATTERN FILE: FILE must (with "!": must
# not) have a line matching; on failure the file is shown.
test_grep () {
	_tg_negate=
	if test "$1" = '!'
	then
		_tg_negate=t
		shift
	fi
	for _tg_file
	do
		:
	done
	if ! test -f "$_tg_file"
	then
		say "test_grep: missing file $_tg_file" >&2
		return 1
	fi
	if test -z "$_tg_negate"
	then
		grep "$@" >/dev/null && return 0
		say "test_grep: no line matches: grep $*" >&2
	else
		grep "$@" >/dev/null || return 0
		say "test_grep: a line matches: grep $*" >&2
	fi
	say "test_grep: $_tg_file is:" >&2
	sed 's/^/| /' "$_tg_file" >&2
	return 1
}

# test_must_be_empty FILE: FILE exists and is empty.
test_must_be_empty () {
	if ! test -f "$1"
	then
		say "test_must_be_empty: missing file $1" >&2
		return 1
	elif test -s "$1"
	then
		say "test_must_be_empty: $1 is not empty:" >&2
		sed 's/^/| /' "$1" >&2
		return 1
	fi
}

# test_path_is_file / _is_dir / _is_missing PATH
test_path_is_file () {
	test -f "$1" || { say "test_path_is_file: $1 is not a file" >&2; return 1; }
}

test_path_is_dir () {
	test -d "$1" || { say "test_path_is_dir: $1 is not a directory" >&2; return 1; }
}

test_path_is_missing () {
	if test -e "$1" || test -L "$1"
	then
		say "test_path_is_missing: $1 exists" >&2
		return 1
	fi
}

# ---- running tests ----

_test_run () {
	_tr_out="$TRASH_DIRECTORY/.test-$test_count.out"
	cd "$TRASH_DIRECTORY" || error "cannot enter $TRASH_DIRECTORY"
	eval "$1" >"$_tr_out" 2>&1
	_tr_status=$?
	cd "$TRASH_DIRECTORY" || error "cannot enter $TRASH_DIRECTORY"
	if test "$_tr_status" -ne 0 || test -n "$TEST_VERBOSE"
	then
		sed 's/^/# /' "$_tr_out"
	fi
	return $_tr_status
}

# _test_prereq_ok PREREQ TITLE: false (and reports a skip) when unmet.
_test_prereq_ok () {
	test -z "$1" && return 0
	test_have_prereq "$1" && return 0
	test_skipped=$((test_skipped + 1))
	say "ok $test_count # skip $2 (missing $1)"
	return 1
}

# test_expect_success [PREREQ] TITLE COMMANDS
test_expect_success () {
	_te_prereq=
	if test $# -eq 3
	then
		_te_prereq=$1
		shift
	fi
	test $# -eq 2 || error "bug in the test script: test_expect_success needs a title and commands"
	test_count=$((test_count + 1))
	_test_prereq_ok "$_te_prereq" "$1" || return 0
	if _test_run "$2"
	then
		test_passed=$((test_passed + 1))
		say "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $1"
		printf '%s\n' "$2" | sed 's/^/#	/'
	fi
}

# test_expect_failure [PREREQ] TITLE COMMANDS: a known breakage.
test_expect_failure () {
	_te_prereq=
	if test $# -eq 3
	then
		_te_prereq=$1
		shift
	fi
	test $# -eq 2 || error "bug in the test script: test_expect_failure needs a title and commands"
	test_count=$((test_count + 1))
	_test_prereq_ok "$_te_prereq" "$1" || return 0
	if _test_run "$2"
	then
		test_fixed=$((test_fixed + 1))
		say "ok $test_count - $1 # TODO known breakage vanished"
	else
		test_broken=$((test_broken + 1))
		say "not ok $test_count - $1 # TODO known breakage"
	fi
}

# test_done: the TAP plan and a summary; non-zero when a test failed.
test_done () {
	say "1..$test_count"
	if test $test_broken -gt 0 || test $test_fixed -gt 0 || test $test_skipped -gt 0
	then
		say "# $test_broken known breakage(s), $test_fixed fixed, $test_skipped skipped"
	fi
	say "# $test_passed passed, $test_failed failed"
	test $test_failed -eq 0 || exit 1
	exit 0
}

# ---- setup ----

case $TEST_MODE in
double)
	AIPKG_APK=$TEST_TOOLS/apk-double
	test -x "$AIPKG_APK" || error "no apk test double at $AIPKG_APK"
	test_set_prereq DOUBLE
	;;
real)
	test -n "$AIPKG_TEST_APK" || skip_all "TEST_MODE=real needs AIPKG_TEST_APK (a real apk command)"
	AIPKG_APK=$AIPKG_TEST_APK
	test_set_prereq REALAPK
	;;
*)
	error "TEST_MODE must be 'double' or 'real', not '$TEST_MODE'"
	;;
esac
export AIPKG_APK

# Never let a test reach the network or the host's apk configuration.
unset APK_DOUBLE_ROOT APK_DOUBLE_LOG APK_DOUBLE_DELAY APK_DOUBLE_FAIL_AT
export LC_ALL=C

exec 7>&2
if ! rm -rf "$TRASH_DIRECTORY" || ! mkdir -p "$TRASH_DIRECTORY"
then
	error "cannot create $TRASH_DIRECTORY"
fi
TRASH_DIRECTORY=$(cd "$TRASH_DIRECTORY" && pwd) || error "cannot enter $TRASH_DIRECTORY"
cd "$TRASH_DIRECTORY" || error "cannot enter $TRASH_DIRECTORY"
HOME=$TRASH_DIRECTORY
export HOME

if command -v flock >/dev/null 2>&1
then
	test_set_prereq FLOCK
fi

say "# $TEST_NAME: $(printf '%s\n' "${test_description:-}" | sed -n 1p)"
say "# apk: $AIPKG_APK ($(test_apk --version 2>&1 | sed -n 1p))"
