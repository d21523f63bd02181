#!/bin/sh
# Queries on a real-size root: search, info, list --upgradable, cold and warm, against apk.
# Run by tests/bench/run (AIPKG, TEST_TOOLS set); prints BENCH lines.
# The root has one repository served over loopback HTTP and cached by apk
# itself (`apk update`): 20,000 packages shaped like Alpine 3.18 main and
# community (mkrepo bigindex), signed, and an installed db of 300 of them,
# a third a release behind.  Cold: the first run after the index changed
# (aipkg's compact cache removed); warm: the runs after, once the cache is
# more than 2 s old, as it is in use (one run then notes it checked, so
# the next ones do not read it whole for its CRC).  Each figure is the
# median of 9 runs (timewrap, no shell in between): wall time, CPU time
# (user + system: what the command costs, whatever else the machine runs;
# the targets are checked on it) and peak memory.  With AIPKG_TEST_APK the same queries run with that apk
# (apk search, apk info, apk list --upgradable) and the ratio is given.
# SPDX-License-Identifier: MIT
set -eu

: "${AIPKG:?}" "${TEST_TOOLS:?}"
work=$(mktemp -d)
stub=
cleanup () {
	[ -n "$stub" ] && kill "$stub" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
mk=$TEST_TOOLS/mkrepo
apk=${AIPKG_TEST_APK:-$TEST_TOOLS/apk-double}
runs=9
# "apk 3.0.6": which apk each comparison row is about
# shellcheck disable=SC2086 # AIPKG_TEST_APK may be several words
A="apk $($apk --version 2>/dev/null | sed -n 's/^apk-tools \([^ ,]*\).*/\1/p')"

"$mk" key "$work/bench.rsa"
MKREPO_KEY=$work/bench.rsa "$mk" bigindex "$work/srv/repo/x86_64" -I "$work/installed" -i 300 \
	>"$work/shape"
"$TEST_TOOLS/httpstub" -d "$work/srv" -i 300 >"$work/port" &
stub=$!
while ! [ -s "$work/port" ]; do sleep 0.05; done
# apk 2 wants the database it makes itself
# shellcheck disable=SC2086 # AIPKG_TEST_APK may be several words
$apk --root "$root" --arch x86_64 --initdb --allow-untrusted --no-progress add >/dev/null 2>&1 || :
mkdir -p "$root/etc/apk/keys" "$root/lib/apk/db" "$root/etc/aipkg"
cp "$work/bench.rsa.pub" "$root/etc/apk/keys/"
echo x86_64 >"$root/etc/apk/arch"
echo "http://127.0.0.1:$(cat "$work/port")/ok/repo" >"$root/etc/apk/repositories"
cp "$work/installed" "$root/lib/apk/db/installed"
sed -n 's/^P://p' "$work/installed" >"$root/etc/apk/world"
echo 3.18.5 >"$root/etc/alpine-release"
# shellcheck disable=SC2086 # AIPKG_TEST_APK may be several words
$apk --root "$root" --no-progress update >/dev/null 2>&1
# aipkg reads the cached index under the name the apk it runs gave it:
# without this it followed Alpine 3.18's apk (2.14.0 names), found no index
# and the figures timed a command that read nothing (2 ms, 4.5 MiB)
export AIPKG_APK="$apk"
# so a figure is only taken of a command that read the whole index
"$AIPKG" --root "$root" search nginx >"$work/check" 2>"$work/check.err" || :
if [ -s "$work/check.err" ] || [ "$(wc -l <"$work/check")" -lt 2 ]; then
	printf 'BENCH\tbench_index.sh: aipkg read no index (%s)\tfailed\t-\tFAIL\n' \
		"$(head -n 1 "$work/check.err")"
	exit 1
fi

# run LOG CMD...: one timed run, its "ns kib" appended to LOG
run () {
	_log=$1
	shift
	"$TEST_TOOLS/timewrap" "$_log" "$@" >/dev/null 2>&1 || :
}

# median LOG COLUMN: the median of that column (ns -> ms, KiB -> MiB)
median () {
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
		END { m = v[int((NR + 1) / 2)]; printf "%.2f", c == 2 ? m / 1024 : m / 1e6 }'
}

fig () {
	printf 'BENCH\t%s\t%s %s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}

# under VALUE LIMIT: ok when VALUE < LIMIT
under () {
	awk -v v="$1" -v l="$2" 'BEGIN { print v < l ? "ok" : "OVER" }'
}

for q in "search nginx" "info nginx" "list --upgradable"; do
	# shellcheck disable=SC2086 # the query's words
	set -- $q
	: >"$work/cold" && : >"$work/warm" && : >"$work/apk"
	i=0
	while [ $i -lt $runs ]; do
		rm -rf "$root/var/lib/aipkg/cache/index"
		run "$work/cold" "$AIPKG" --root "$root" "$@"
		i=$((i + 1))
	done
	sleep 2
	"$AIPKG" --root "$root" "$@" >/dev/null 2>&1 || :
	i=0
	while [ $i -lt $runs ]; do
		run "$work/warm" "$AIPKG" --root "$root" "$@"
		i=$((i + 1))
	done
	cold=$(median "$work/cold" 3) warm=$(median "$work/warm" 3)
	fig "aipkg $q, 20,000 pkgs: cold (index just changed), CPU" "$cold" ms - info
	fig "aipkg $q, 20,000 pkgs: warm, CPU" "$warm" ms "< 15 ms" "$(under "$warm" 15)"
	fig "aipkg $q, 20,000 pkgs: warm, wall" "$(median "$work/warm" 1)" ms - info
	fig "aipkg $q, 20,000 pkgs: warm, peak memory" "$(median "$work/warm" 2)" MiB - info
	if [ -z "${AIPKG_TEST_APK:-}" ]; then
		continue
	fi
	i=0
	while [ $i -lt $runs ]; do
		# shellcheck disable=SC2086 # AIPKG_TEST_APK may be several words
		run "$work/apk" $AIPKG_TEST_APK --root "$root" --no-network "$@"
		i=$((i + 1))
	done
	a=$(median "$work/apk" 3)
	fig "$A $q, same root, CPU" "$a" ms - info
	fig "$A $q, same root, wall" "$(median "$work/apk" 1)" ms - info
	fig "$A $q, peak memory" "$(median "$work/apk" 2)" MiB - info
	ratio=$(awk -v w="$warm" -v a="$a" 'BEGIN { printf "%.3f", w / a }')
	fig "aipkg/$A $q, warm (ratio)" "$ratio" x "< 0.1 x" "$(under "$ratio" 0.1)"
	fig "aipkg/$A $q, cold (ratio)" \
		"$(awk -v c="$cold" -v a="$a" 'BEGIN { printf "%.3f", c / a }')" x - info
done

# The Ansible module on the same root: aipkg ansible ARGS_FILE is the
# process Ansible starts for each task on each host.  A task with nothing
# to do (a package installed and in world: what a second run of a playbook
# asks) against apk add of that package, which answers the same; CPU time.
# (A change is apk's work plus bench_overhead.sh's overhead.)
name=$(sed -n 's/^P://p' "$work/installed" | head -n 1)
printf '{"root": "%s", "name": ["%s"]}\n' "$root" "$name" >"$work/present.json"
: >"$work/mod" && : >"$work/apk"
i=0
while [ $i -lt $runs ]; do
	run "$work/mod" "$AIPKG" ansible "$work/present.json"
	i=$((i + 1))
done
m=$(median "$work/mod" 3)
fig "aipkg ansible, present, nothing to do, 20,000 pkgs, CPU" "$m" ms - info
if [ -n "${AIPKG_TEST_APK:-}" ]; then
	i=0
	while [ $i -lt $runs ]; do
		# shellcheck disable=SC2086 # AIPKG_TEST_APK may be several words
		run "$work/apk" $AIPKG_TEST_APK --root "$root" --no-network add "$name"
		i=$((i + 1))
	done
	a=$(median "$work/apk" 3)
	ratio=$(awk -v w="$m" -v a="$a" 'BEGIN { printf "%.3f", w / a }')
	fig "$A add of an installed package, same root, CPU" "$a" ms - info
	fig "aipkg ansible/$A add, nothing to do (ratio)" "$ratio" x "< 0.1 x" \
		"$(under "$ratio" 0.1)"
fi
