#!/bin/sh
# aipkg against the real apk: a change's time as a ratio, downloads per package, apk runs per change.
# Run by tests/bench/run (AIPKG, TEST_TOOLS set); prints BENCH lines.
#
# Needs a real apk: AIPKG_BENCH_APKS (apk commands separated by ';', each
# possibly several words, e.g. "/opt/apk-2.14;/opt/apk-3.0"), else
# AIPKG_TEST_APK; without one it says so and measures nothing.  For each:
#  - install and remove one small package, aipkg against the same apk's add
#    and del on the same root, interleaved, 15 rounds: the ratio of the
#    medians of (install + remove) to (add + del), every process timed
#    from outside by timewrap; and apk's own simulations of that add and
#    del (what aipkg runs before each change), so the CPU ratio splits
#    into apk's share and aipkg's own time per change;
#  - GETs per installed .apk over a loopback HTTP repository (httpstub):
#    nginx and its libraries installed, then upgraded;
#  - apk processes per change (install, remove), counted by a wrapper.
# The root is shaped like Alpine's minirootfs (14 packages, about 100
# files, installed by that apk with --initdb); AIPKG_BENCH_INDEX=N adds a
# second repository of N packages shaped like Alpine's main and community
# (mkrepo bigindex): a real system's 20,000.
# SPDX-License-Identifier: MIT
set -eu

: "${AIPKG:?}" "${TEST_TOOLS:?}"
apks=${AIPKG_BENCH_APKS:-${AIPKG_TEST_APK:-}}
rounds=${AIPKG_BENCH_ROUNDS:-15}
filler=${AIPKG_BENCH_INDEX:-0}
if [ -z "$apks" ]; then
	printf 'BENCH\t%s\t-\t-\tinfo\n' "install+remove against apk add+del: set AIPKG_TEST_APK"
	exit 0
fi
work=$(mktemp -d)
srv_pid=
trap '[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"' EXIT
mk=$TEST_TOOLS/mkrepo
tw=$TEST_TOOLS/timewrap
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# pkg DIR NAME VERSION NFILES [mkrepo options]: a package with NFILES files
pkg () {
	_d=$1 _n=$2 _v=$3 _nf=$4
	shift 4
	_i=0
	while [ $_i -lt "$_nf" ]; do
		set -- "$@" -f "usr/share/$_n/file$_i=$_n $_v file $_i\n"
		_i=$((_i + 1))
	done
	"$mk" pkg "$_d/x86_64" "$_n" "$_v" -a x86_64 -d "$_n, as in Alpine's minirootfs" "$@" \
		>/dev/null
}

# repo DIR NGINX LIBS: the minirootfs' packages, htop, and nginx's set
repo () {
	pkg "$1" musl 1.2.5-r0 3 -p so:libc.musl-x86_64.so.1=1
	pkg "$1" musl-utils 1.2.5-r0 6 -D musl
	pkg "$1" busybox 1.36.1-r29 20 -D musl -p cmd:busybox=1.36.1-r29 \
		-x "bin/busybox=#!/bin/sh\necho BusyBox\n"
	pkg "$1" busybox-binsh 1.36.1-r29 2 -D busybox -p cmd:sh=1.36.1-r29
	pkg "$1" alpine-baselayout-data 3.6.5-r0 12
	pkg "$1" alpine-baselayout 3.6.5-r0 10 -D alpine-baselayout-data -D busybox
	pkg "$1" alpine-keys 2.4-r1 10
	pkg "$1" ca-certificates-bundle 20240226-r0 2
	pkg "$1" libcrypto3 "$3" 4 -o openssl -p so:libcrypto.so.3=3
	pkg "$1" libssl3 "$3" 2 -o openssl -D so:libcrypto.so.3 -p so:libssl.so.3=3
	pkg "$1" zlib 1.3.1-r1 2 -p so:libz.so.1=1.3.1
	pkg "$1" apk-tools 2.14.4-r0 8 -D musl -D ca-certificates-bundle -D so:libcrypto.so.3 \
		-D so:libssl.so.3 -D so:libz.so.1
	pkg "$1" scanelf 1.3.7-r2 2 -D musl
	pkg "$1" ssl_client 1.36.1-r29 2 -D so:libssl.so.3
	pkg "$1" htop 3.3.0-r0 6 -D musl -p cmd:htop=3.3.0-r0
	pkg "$1" pcre2 10.43-r0 3 -p so:libpcre2-8.so.0=0.12.0
	pkg "$1" nginx "$2" 30 -D pcre2 -D so:libcrypto.so.3 -D so:libssl.so.3 -D so:libz.so.1 \
		-p "cmd:nginx=$2"
	"$mk" index "$1/x86_64" -d "bench repository" >/dev/null
}

# ai ARGS: aipkg on the benchmark's root
ai () {
	"$AIPKG" --root "$root" --allow-untrusted --yes "$@"
}

median () {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# sums A B COL: the per-round sums of two timewrap logs' column COL
# (1: wall time, 3: CPU time of the process and all it ran)
sums () {
	paste -d ' ' "$1" "$2" | awk -v c="$3" '{ print $c + $(c + 3) }'
}

bench_one () {
	apk=$1
	# shellcheck disable=SC2086 # an apk command may be several words
	ver=$($apk --version 2>/dev/null | sed -n 's/^apk-tools \([^ ,]*\).*/\1/p')
	[ -n "$ver" ] || { printf 'BENCH\tapk: %s\tfailed\t-\tFAIL\n' "$apk"; return 0; }
	w=$work/$ver
	mkdir -p "$w"
	repo "$w/repo-a" 1.26.2-r0 3.3.1-r0
	repo "$w/repo-b" 1.27.0-r0 3.3.2-r0
	root=$w/root
	# shellcheck disable=SC2086
	$apk --root "$root" --arch x86_64 --initdb --allow-untrusted --no-progress \
		--repository "$w/repo-a" add alpine-baselayout busybox-binsh alpine-keys apk-tools \
		musl-utils scanelf ssl_client >/dev/null
	echo "$w/repo-a" >"$root/etc/apk/repositories"
	if [ "$filler" -gt 0 ]; then
		"$mk" bigindex "$w/big/x86_64" -n "$filler" -U -d "bench index" >/dev/null
		echo "$w/big" >>"$root/etc/apk/repositories"
	fi
	echo 3.20.3 >"$root/etc/alpine-release"
	mkdir -p "$root/etc/aipkg"
	printf 'vuln:\n  secdb_url: http://127.0.0.1:9/\n  timeout: 1\n' >"$root/etc/aipkg/aipkg.yaml"
	export AIPKG_APK="$apk"
	# the first change makes the state directory and remembers apk's version
	ai install htop >/dev/null 2>&1 && ai remove htop >/dev/null 2>&1
	for f in ai ar pa pd sa sd; do : >"$w/t.$f"; done
	i=0
	while [ $i -lt "$rounds" ]; do
		"$tw" "$w/t.ai" "$AIPKG" --root "$root" --allow-untrusted --yes install htop \
			>/dev/null 2>&1
		"$tw" "$w/t.ar" "$AIPKG" --root "$root" --allow-untrusted --yes remove htop \
			>/dev/null 2>&1
		# the simulations aipkg runs first, alone: apk's share of the ratio
		# shellcheck disable=SC2086
		"$tw" "$w/t.sa" $apk --root "$root" --allow-untrusted --simulate --quiet add htop \
			>/dev/null 2>&1
		# shellcheck disable=SC2086
		"$tw" "$w/t.pa" $apk --root "$root" --allow-untrusted add htop >/dev/null 2>&1
		# shellcheck disable=SC2086
		"$tw" "$w/t.sd" $apk --root "$root" --allow-untrusted --simulate --quiet del htop \
			>/dev/null 2>&1
		# shellcheck disable=SC2086
		"$tw" "$w/t.pd" $apk --root "$root" --allow-untrusted del htop >/dev/null 2>&1
		i=$((i + 1))
	done
	ai=$(sums "$w/t.ai" "$w/t.ar" 1 | median)
	pa=$(sums "$w/t.pa" "$w/t.pd" 1 | median)
	aic=$(sums "$w/t.ai" "$w/t.ar" 3 | median)
	pac=$(sums "$w/t.pa" "$w/t.pd" 3 | median)
	sac=$(sums "$w/t.sa" "$w/t.sd" 3 | median)
	awk -v a="$ai" -v p="$pa" -v ac="$aic" -v pc="$pac" -v sc="$sac" -v v="$ver" \
		-v n="$rounds" -v idx="$filler" 'BEGIN {
		x = idx ? sprintf(", index +%d", idx) : ""
		printf "BENCH\taipkg install+remove (apk %s%s), median of %d\t%.2f ms\t-\tinfo\n",
			v, x, n, a / 1e6
		printf "BENCH\tapk add+del, same root (apk %s%s), median of %d\t%.2f ms\t-\tinfo\n",
			v, x, n, p / 1e6
		r = a / p
		printf "BENCH\taipkg / apk, install+remove (apk %s%s)\t%.2f x\t<= 2.0 x\t%s\n", v, x, r,
			r <= 2.0 ? "ok" : "OVER"
		printf "BENCH\taipkg / apk, install+remove, CPU time (apk %s%s)\t%.2f x\t-\tinfo\n",
			v, x, ac / pc
		# what apk alone costs a tool that simulates each change first,
		# and what is left for aipkg itself (not with the big index, where
		# apk'"'"'s own runs vary by more than all of aipkg'"'"'s part)
		printf "BENCH\tof which apk: (add+del + their simulations) / (add+del), CPU (apk %s%s)\t%.2f x\t-\tinfo\n",
			v, x, (pc + sc) / pc
		if (!idx)
			printf "BENCH\taipkg'"'"'s own CPU per change, apk'"'"'s runs aside (apk %s)\t%.2f ms\t-\tinfo\n",
				v, (ac - pc - sc) / 2e6 }'

	# apk processes per change, counted by a logging wrapper
	printf '#!/bin/sh\necho "$*" >>"%s"\nexec %s "$@"\n' "$w/apk.log" "$apk" >"$w/apk-logged"
	: >"$w/apk.log"
	AIPKG_APK="sh $w/apk-logged" ai install htop >/dev/null 2>&1
	: >"$w/apk.log"
	AIPKG_APK="sh $w/apk-logged" ai remove htop >/dev/null 2>&1
	n1=$(wc -l <"$w/apk.log")
	: >"$w/apk.log"
	AIPKG_APK="sh $w/apk-logged" ai install htop >/dev/null 2>&1
	n2=$(wc -l <"$w/apk.log")
	n=$((n1 > n2 ? n1 : n2))
	printf 'BENCH\tapk processes per change, install or remove (apk %s)\t%d\t2\t%s\n' "$ver" "$n" \
		"$([ "$n" -le 2 ] && echo ok || echo OVER)"

	# GETs per installed package over loopback HTTP
	mkdir -p "$w/srv"
	cp -R "$w/repo-a" "$w/srv/repo"
	"$TEST_TOOLS/httpstub" -d "$w/srv" -l "$w/srv.log" -i 120 >"$w/srv.port" &
	srv_pid=$!
	tries=0
	while [ ! -s "$w/srv.port" ] && [ $tries -lt 200 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
	url=http://127.0.0.1:$(cat "$w/srv.port")/ok/repo
	echo "$url" >"$root/etc/apk/repositories"
	ai update >/dev/null 2>&1
	: >"$w/srv.log"
	n1=$(ai --json install nginx 2>/dev/null | "$TEST_TOOLS/jsonq" 'changes#' || echo 0)
	rm -rf "$w/srv/repo"
	cp -R "$w/repo-b" "$w/srv/repo"
	n2=$(ai --json update 2>/dev/null | "$TEST_TOOLS/jsonq" 'changes#' || echo 0)
	inst=$((n1 + n2))
	gets=$(grep -c 'GET /ok/repo/x86_64/[^ ]*\.apk ' "$w/srv.log" || true)
	kill "$srv_pid" 2>/dev/null
	srv_pid=
	awk -v g="$gets" -v n="$inst" -v v="$ver" 'BEGIN {
		r = n ? g / n : 0
		printf "BENCH\tGETs per installed .apk, HTTP install+upgrade (apk %s, %d/%d)\t%.2f\t1\t%s\n",
			v, g, n, r, r == 1 ? "ok" : "OVER" }'
}

IFS=';'
for apk in $apks; do
	IFS=' '
	bench_one "$apk"
	IFS=';'
done
