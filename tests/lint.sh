#!/bin/sh
# Static checks: banned functions in lib/ and cmd/, shellcheck of the scripts.
# SPDX-License-Identifier: MIT
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
fail=0

# strcpy/sprintf/gets overflow, system/popen go through a shell
# (a call is written name(, so prose in strings such as "the system (" is not one)
banned=$(grep -nE '(^|[^a-zA-Z0-9_])(strcpy|strcat|sprintf|vsprintf|gets|system|popen)\(' \
	lib/*.c lib/*/*.c cmd/*/*.c 2>/dev/null)
if [ -n "$banned" ]; then
	echo "banned functions:"
	echo "$banned"
	fail=1
fi

if command -v shellcheck >/dev/null 2>&1; then
	shellcheck -s sh tests/run-all tests/lint.sh tests/cli/*.sh .ci/run tests/valgrind-run \
		tests/fuzz/run tests/fuzz/run-one tests/fuzz/gen-seeds.sh tests/bench/*.sh || fail=1
	shellcheck -s bash completions/aipkg.bash || fail=1
else
	echo "shellcheck: SKIPPED (not installed)"
fi
[ $fail = 0 ] && echo "lint: 1 passed, 0 failed" || echo "lint: 0 passed, 1 failed"
exit $fail
