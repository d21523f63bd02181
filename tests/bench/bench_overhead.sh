#!/bin/sh
# aipkg's own overhead on install and remove: its wall time minus the time its apk runs took.
# Run by tests/bench/run (AIPKG, TEST_TOOLS set); prints BENCH lines.
# The apk test double runs behind timewrap, which logs how long each run
# took, so everything else (reading the state, the journal with its
# fsyncs, planning, kept files) is aipkg's.  Median of 9 installs/removes.
# SPDX-License-Identifier: MIT
set -eu

: "${AIPKG:?}" "${TEST_TOOLS:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
repo=$work/repo/x86_64
mk=$TEST_TOOLS/mkrepo
"$mk" pkg "$repo" htop 3.3.0-r0 -a x86_64 -p cmd:htop=3.3.0-r0 -x "usr/bin/htop=#!/bin/sh\n" >/dev/null
"$mk" pkg "$repo" ncurses 6.4-r0 -a x86_64 -f "usr/lib/libncursesw.so.6=x\n" >/dev/null
"$mk" index "$repo" >/dev/null
mkdir -p "$root/etc/apk/keys" "$root/lib/apk/db" "$root/etc/aipkg"
echo x86_64 >"$root/etc/apk/arch"
: >"$root/etc/apk/world"
: >"$root/lib/apk/db/installed"
echo "$work/repo" >"$root/etc/apk/repositories"
echo 3.20.3 >"$root/etc/alpine-release"
# no secdb download: vulnerability checks are the vuln benchmark's
printf 'vuln:\n  secdb_url: http://127.0.0.1:9/\n  timeout: 1\n  fail_on: never\n' >"$root/etc/aipkg/aipkg.yaml"
export AIPKG_APK="$TEST_TOOLS/timewrap $work/apk.ns $TEST_TOOLS/apk-double"
"$AIPKG" --root "$root" --allow-untrusted --yes update >/dev/null 2>&1

# one OP: prints aipkg's wall time minus its apk runs', in microseconds
overhead () {
	: >"$work/apk.ns"
	s=$(date +%s%N)
	"$AIPKG" --root "$root" --allow-untrusted --json --yes "$@" >/dev/null 2>&1
	e=$(date +%s%N)
	apk=$(awk '{ t += $1 } END { print t + 0 }' "$work/apk.ns")
	echo $(((e - s - apk) / 1000))
}

median () {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] / 1000 }'
}

: >"$work/inst"
: >"$work/rm"
i=0
while [ $i -lt 9 ]; do
	overhead install htop >>"$work/inst"
	overhead remove htop >>"$work/rm"
	i=$((i + 1))
done
fig() {
	v=$1
	awk -v f="$2" -v v="$v" 'BEGIN { printf "BENCH\t%s\t%.2f ms\t< 10 ms\t%s\n", f, v, v < 10 ? "ok" : "OVER" }'
}
fig "$(median <"$work/inst")" "aipkg overhead on install (apk's runs excluded)"
fig "$(median <"$work/rm")" "aipkg overhead on remove (apk's runs excluded)"
