#!/bin/sh
# Write the fuzz seeds that come from the test fixtures into BUILD/tests/fuzz/seeds-gen/.
# usage: tests/fuzz/gen-seeds.sh BUILD_DIR
# The small hand-written seeds live in tests/fuzz/seeds/; these are built
# (an APKINDEX.tar.gz by mkrepo, ...), so no binary is committed.
# SPDX-License-Identifier: MIT
set -eu

build=$1
src=$(cd "$(dirname "$0")" && pwd)
out=$build/tests/fuzz/seeds-gen
mkrepo=$build/tests/tools/mkrepo
mkdir -p "$out/apkindex" "$out/installed" "$out/world" "$out/version" "$out/idxcache"
if [ ! -x "$mkrepo" ]; then
	echo "gen-seeds: no $mkrepo (AIPKG_TESTS=OFF?): only the committed seeds" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ASan's leak check would fail a tool over something the fuzzers do not care about
export ASAN_OPTIONS=detect_leaks=0
"$mkrepo" pkg "$tmp/r/x86_64" nginx 1.26.2-r0 -a x86_64 -d "HTTP and reverse proxy server" \
	-D pcre2 -D so:libcrypto.so.3 -p cmd:nginx=1.26.2-r0 -x "usr/sbin/nginx=#!/bin/sh\n" >/dev/null
"$mkrepo" pkg "$tmp/r/x86_64" pcre2 10.43-r0 -a x86_64 -p so:libpcre2-8.so.0=0.12.0 >/dev/null
"$mkrepo" pkg "$tmp/r/x86_64" libcrypto3 3.3.2-r0 -a x86_64 -o openssl -p so:libcrypto.so.3=3 \
	-i "nginx openssl" >/dev/null
"$mkrepo" index "$tmp/r/x86_64" -U -d "v3.20.3-fuzz" >/dev/null
# fuzz_apkindex: a first byte with bit 0 set selects the .tar.gz
{ printf '\001'; cat "$tmp/r/x86_64/APKINDEX.tar.gz"; } >"$out/apkindex/index.tar.gz"
# signed (bit 1: checked against the target's keyring, whose key of this
# name is another one, so the signature is found, hashed and rejected)
"$mkrepo" key "$tmp/aipkg-fuzz.rsa" >/dev/null
MKREPO_KEY=$tmp/aipkg-fuzz.rsa "$mkrepo" index "$tmp/r/x86_64" -d "v3.20.3-fuzz" >/dev/null
{ printf '\003'; cat "$tmp/r/x86_64/APKINDEX.tar.gz"; } >"$out/apkindex/signed.tar.gz"
# fuzz_idxcache: the compact cache aipkg keeps of that index, from a root
# that trusts its key
mkdir -p "$tmp/root/etc/apk/keys" "$tmp/root/lib/apk/db"
: >"$tmp/root/lib/apk/db/installed"
cp "$tmp/aipkg-fuzz.rsa.pub" "$tmp/root/etc/apk/keys/"
echo x86_64 >"$tmp/root/etc/apk/arch"
echo "$tmp/r" >"$tmp/root/etc/apk/repositories"
if "$build/aipkg" --root "$tmp/root" search nginx >/dev/null 2>&1; then
	for f in "$tmp/root/var/lib/aipkg/cache/index/"*.idx; do
		[ -f "$f" ] && cp "$f" "$out/idxcache/fixture.idx"
	done
fi
# its text: the installed db has the same records
tar -xzOf "$tmp/r/x86_64/APKINDEX.tar.gz" APKINDEX >"$out/installed/apkindex" 2>/dev/null || true
{ printf '\000'; cat "$out/installed/apkindex"; } >"$out/apkindex/text"
sed -n 's/^V://p' "$out/installed/apkindex" | paste -sd'\n' - >"$out/version/fixture"
sed -n 's/^[Dp]://p' "$out/installed/apkindex" | tr ' ' '\n' >"$out/world/fixture"
n=$(find "$out" "$src/seeds" -type f | wc -l)
echo "gen-seeds: $n seeds ($out and $src/seeds)"
