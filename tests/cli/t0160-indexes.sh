#!/bin/sh
# t0160: the indexes aipkg reads: where every apk caches them, which apk trusts, damaged and odd files.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='indexes: cache names of every apk, signatures, damaged and odd index files

Shapes learned from real Alpine roots: indexes cached under the names
apk-tools 2.0-2.14.0 give them (Alpine 3.10 to 3.19), which apk 2.14.1
and later and apk 3 do not read (nor does aipkg then), an absolute
etc/apk/cache link, unsigned and badly signed local repositories, a
truncated cached index, a FIFO where an index should be.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
CACHE=$ROOT/var/cache/apk

# aipkg without --allow-untrusted: the fixtures are signed, so that is
# what a real system looks like.
aipkg () {
	"$AIPKG" --root "$ROOT" "$@" </dev/null
}

# cached: the names of the cached indexes, one a line.
cached () {
	for _c in "${1:-$CACHE}"/APKINDEX.*.tar.gz
	do
		test -f "$_c" && basename "$_c"
	done
	return 0
}

# sha NAME TEXT: the first 8 hex digits of sha1/sha256 of TEXT.
sha () {
	printf '%s' "$2" | "${1}sum" | cut -c1-8
}

test_expect_success 'setup: repository A signed and served over http, a root that trusts its key' '
	fixture_repo_a "$REPO_A" &&
	secdb_stub &&
	cp -R "$REPO_A" "$SECDB_DIR/repo-a" &&
	URL=${SECDB_URL}repo-a &&
	fixture_root "$ROOT" "$URL" &&
	test -f "$ROOT/etc/apk/keys/$FIXTURE_KEY_NAME"
'

test_expect_success 'apk update caches the index; aipkg reads what it wrote' '
	test_apk --root "$ROOT" --no-progress update >out 2>err &&
	cached >names &&
	test "$(wc -l <names)" -eq 1 &&
	aipkg search nginx >out 2>err &&
	test_grep "^nginx " out &&
	test_must_be_empty err
'

test_expect_success 'the signed fixtures install with no --allow-untrusted, by apk and by aipkg' '
	test_apk --root "$ROOT" --no-progress add busybox >out 2>err &&
	aipkg --yes install htop >out 2>err &&
	test_grep "htop" "$ROOT/etc/apk/world" &&
	test_grep ! "allow-untrusted" err
'

# The double names its cache as the version it claims; a real apk names it
# its own way, which the test above covered.  aipkg reads the name of the
# apk it runs, and only that one, as apk does.
for v in 2.10.6 2.14.0 2.14.4 3.0.6
do
	test_expect_success DOUBLE "the cache apk-tools $v writes is found when $v is in use" '
		rm -f "$CACHE"/APKINDEX.* &&
		APK_DOUBLE_VERSION='"$v"' test_apk --root "$ROOT" --no-progress update >out &&
		case '"$v"' in
		2.10.*|2.14.0) want=$(sha sha1 "$URL") ;;
		2.14.*) want=$(sha sha1 "$URL/x86_64/APKINDEX.tar.gz") ;;
		*) want=$(sha sha256 "$URL/x86_64/APKINDEX.tar.gz") ;;
		esac &&
		echo "APKINDEX.$want.tar.gz" >expect &&
		cached >actual &&
		test_cmp expect actual &&
		AIPKG_APK="env APK_DOUBLE_VERSION='"$v"' $AIPKG_APK" aipkg search nginx >out 2>err &&
		test_grep "^nginx " out &&
		test_must_be_empty err
	'
done

# An Alpine 3.19 root (apk-tools 2.14.0 cached its indexes under the
# line'"'"'s SHA-1) run by apk 2.14.4 or apk 3, which read other names:
# apk sees no index, so neither does aipkg, and doctor says why.
test_expect_success DOUBLE 'only 2.14.0 cached the index: apk 2.14.4 does not read it, nor aipkg' '
	rm -f "$CACHE"/APKINDEX.* &&
	APK_DOUBLE_VERSION=2.14.0 test_apk --root "$ROOT" --no-progress update >out &&
	old=APKINDEX.$(sha sha1 "$URL").tar.gz &&
	test_path_is_file "$CACHE/$old" &&
	aipkg list --upgradable >out 2>err &&
	test_must_be_empty out &&
	test_grep "no cached index of repository $URL that apk 2.14.4 reads: $old is the copy apk-tools 2.14.0 and older (Alpine 3.19 and older) cached, under a name it does not read; skipped, as apk does: run .aipkg update." err &&
	aipkg search -x nginx >out 2>err &&
	test_must_be_empty out
'

test_expect_success DOUBLE 'doctor names the old-named copy and the fix' '
	aipkg --json doctor >doc.json 2>err;
	"$TEST_TOOLS/jsonq" "problems" <doc.json >problems &&
	test_grep "one apk 2.14.4 does not read" problems &&
	test_grep "\"file\":\"$CACHE/$old\"" problems &&
	test_grep "\"fix\":\"aipkg update\"" problems &&
	aipkg doctor >out 2>err;
	test_grep "^the cached index of $URL is one apk 2.14.4 does not read \[warning\]$" out &&
	test_grep "^  fix: *aipkg update$" out
'

test_expect_success DOUBLE 'aipkg update fetches it under the name apk reads; doctor is content' '
	aipkg --yes update >out 2>err &&
	aipkg search -x nginx >out 2>err &&
	test_grep "^nginx " out &&
	aipkg --json doctor >doc.json 2>err;
	test_grep ! "does not read" doc.json
'

test_expect_success DOUBLE 'several cached names: the apk in use reads its own, however old' '
	rm -f "$CACHE"/APKINDEX.* &&
	test_apk --root "$ROOT" --no-progress update >/dev/null &&
	name=$(cached) &&
	fixture_repo_b repo-b &&
	for h in $(sha sha1 "$URL") $(sha sha1 "$URL/x86_64/APKINDEX.tar.gz") \
		$(sha sha256 "$URL/x86_64/APKINDEX.tar.gz")
	do
		test "APKINDEX.$h.tar.gz" = "$name" ||
		cp repo-b/x86_64/APKINDEX.tar.gz "$CACHE/APKINDEX.$h.tar.gz" || return 1
	done &&
	touch -d "2020-01-01 00:00" "$CACHE"/APKINDEX.* &&
	touch "$CACHE/$name" &&
	aipkg search -x nginx >out &&
	test_grep "^nginx *1.26.2-r0" out &&
	touch -d "2030-01-01 00:00" "$CACHE"/APKINDEX.* &&
	touch -d "2019-01-01 00:00" "$CACHE/$name" &&
	aipkg search -x nginx >out 2>err &&
	test_grep "^nginx *1.26.2-r0" out &&
	aipkg doctor >out 2>err;
	test_grep "newer than the one read" out &&
	rm "$CACHE"/APKINDEX.*
'

test_expect_success 'an absolute etc/apk/cache link is followed inside the root, by aipkg and the apk it runs' '
	mkdir -p "$ROOT/srv/apk-cache" &&
	ln -s /srv/apk-cache "$ROOT/etc/apk/cache" &&
	aipkg --yes update >out 2>err &&
	cached "$ROOT/srv/apk-cache" >names &&
	test "$(wc -l <names)" -eq 1 &&
	aipkg search nginx >out 2>err &&
	test_grep "^nginx " out &&
	test_must_be_empty err &&
	test_path_is_missing /srv/apk-cache/"$(cat names)"
'

test_expect_success 'a truncated cached index: one warning naming it and the fix, reads still work' '
	name=$(cached "$ROOT/srv/apk-cache") &&
	f=$ROOT/srv/apk-cache/$name &&
	head -c $(($(wc -c <"$f") / 2)) "$f" >cut && mv cut "$f" &&
	aipkg list --upgradable >out 2>err &&
	aipkg search nginx >out 2>err &&
	test_grep "$name: the index of repository $URL is truncated or corrupt; skipped: run .aipkg update." err &&
	test "$(grep -c . err)" = 1 &&
	aipkg info busybox >out 2>err &&
	test_grep "busybox" out
'

test_expect_success 'aipkg update repairs it' '
	aipkg --yes update >out 2>err &&
	aipkg search nginx >out 2>err &&
	test_grep "^nginx " out &&
	test_must_be_empty err
'

test_expect_success 'setup: a local repository, signed, unsigned, badly signed, by an unknown key' '
	for kind in signed unsigned bad other
	do
		mkdir -p "$kind" || return 1
	done &&
	mkrepo_pkg signed only-signed 1.0-r0 &&
	"$TEST_TOOLS/mkrepo" index signed/x86_64 -d signed &&
	mkrepo_pkg unsigned only-unsigned 1.0-r0 -U &&
	"$TEST_TOOLS/mkrepo" index unsigned/x86_64 -d unsigned -U &&
	mkrepo_pkg bad only-bad 1.0-r0 &&
	"$TEST_TOOLS/mkrepo" index bad/x86_64 -d bad -B &&
	"$TEST_TOOLS/mkrepo" key other.rsa &&
	MKREPO_KEY=$TRASH_DIRECTORY/other.rsa mkrepo_pkg other only-other 1.0-r0 &&
	MKREPO_KEY=$TRASH_DIRECTORY/other.rsa "$TEST_TOOLS/mkrepo" index other/x86_64 -d other
'

test_expect_success 'a signed local repository is read' '
	aipkg --repository "$TRASH_DIRECTORY/signed" search only-signed >out 2>err &&
	test_grep "^only-signed " out &&
	test_must_be_empty err
'

test_expect_success 'an unsigned one is skipped with one warning, as apk skips it' '
	aipkg --repository "$TRASH_DIRECTORY/unsigned" search only >out 2>err &&
	test_grep ! "only-unsigned" out &&
	test_grep "unsigned/x86_64/APKINDEX.tar.gz: the index of repository .* is not signed; skipped" err &&
	test "$(grep -c . err)" = 1 &&
	test_apk --root "$ROOT" --repository "$TRASH_DIRECTORY/unsigned" search only-unsigned >apk.out 2>apk.err;
	test_grep ! "only-unsigned" apk.out &&
	test_grep "UNTRUSTED signature" apk.err
'

test_expect_success 'with --allow-untrusted it is read, as apk reads it' '
	aipkg --allow-untrusted --repository "$TRASH_DIRECTORY/unsigned" search only >out 2>err &&
	test_grep "^only-unsigned " out &&
	test_apk --root "$ROOT" --allow-untrusted --repository "$TRASH_DIRECTORY/unsigned" \
		search only-unsigned >apk.out 2>apk.err &&
	test_grep "only-unsigned" apk.out
'

test_expect_success 'one signed by a key not in etc/apk/keys is skipped, naming the key' '
	aipkg --repository "$TRASH_DIRECTORY/other" search only >out 2>err &&
	test_grep ! "only-other" out &&
	test_grep "signed by other.rsa.pub, which is not in etc/apk/keys" err &&
	test_apk --root "$ROOT" --repository "$TRASH_DIRECTORY/other" search only-other >apk.out 2>apk.err;
	test_grep "UNTRUSTED signature" apk.err
'

# Every apk warns of a BAD signature; what it does next differs (2.10 and
# 2.12 install from the index anyway, 2.14 lists it in search but installs
# nothing from it, 3.0 installs from it): aipkg skips it unless the
# administrator says --allow-untrusted, and names it either way.
test_expect_success 'a BAD signature is skipped unless --allow-untrusted; apk warns of it' '
	aipkg --repository "$TRASH_DIRECTORY/bad" search only >out 2>err &&
	test_grep ! "only-bad" out &&
	test_grep "has a BAD signature (key $FIXTURE_KEY_NAME)" err &&
	aipkg --allow-untrusted --repository "$TRASH_DIRECTORY/bad" search only >out 2>err &&
	test_grep "only-bad" out &&
	test_grep "BAD signature (key $FIXTURE_KEY_NAME); read anyway because of --allow-untrusted" err &&
	test_apk --root "$ROOT" --repository "$TRASH_DIRECTORY/bad" \
		search only-bad >apk.out 2>apk.err;
	test_grep "BAD signature" apk.err
'

test_expect_success 'no reader sees an untrusted package: info, list -a, the planner' '
	for r in unsigned other bad
	do
		set -- "$@" --repository "$TRASH_DIRECTORY/$r"
	done &&
	test_expect_code 1 aipkg "$@" info only-unsigned >out 2>err &&
	aipkg "$@" list --available >out 2>err &&
	test_grep ! "^only-" out &&
	aipkg "$@" --json ask "only unsigned other bad" >out 2>err;
	test_grep ! "only-unsigned\|only-other\|only-bad" out
'

test_expect_success 'a FIFO where an index should be: skipped at once, no hang' '
	mkdir -p fifo/x86_64 &&
	mkfifo fifo/x86_64/APKINDEX.tar.gz &&
	timeout 20 "$AIPKG" --root "$ROOT" --repository "$TRASH_DIRECTORY/fifo" search nginx \
		</dev/null >out 2>err &&
	test_grep "^nginx " out &&
	test_grep "fifo/x86_64/APKINDEX.tar.gz: cannot read the index .* (it is not a regular file); skipped" err
'

test_expect_success 'list --available, streamed, says what pkg.list says' '
	aipkg --json list --available >streamed.json &&
	aipkg tool pkg.list "{\"filter\":\"available\"}" >tool.json &&
	test_cmp tool.json streamed.json &&
	"$TEST_TOOLS/jsonq" "packages#" <streamed.json >n &&
	test "$(cat n)" -gt 5 &&
	aipkg list --available >human &&
	test "$(wc -l <human)" = "$(cat n)" &&
	test_grep "^nginx  *1.26.2-r0  *HTTP and reverse proxy" human &&
	aipkg -q list --available >names &&
	test "$(wc -l <names)" = "$(cat n)"
'

test_expect_success 'the compact cache: made once, read after, remade when the index changes' '
	rm -rf "$ROOT/var/lib/aipkg/cache" &&
	aipkg search nginx >first &&
	ls "$ROOT/var/lib/aipkg/cache/index/"*.idx >made &&
	test "$(wc -l <made)" -ge 1 &&
	aipkg search nginx >second &&
	test_cmp first second &&
	aipkg --yes update >/dev/null 2>&1 &&
	aipkg search nginx >third &&
	test_cmp first third
'

test_expect_success 'a damaged cache file is made again, with the same answer' '
	for f in "$ROOT/var/lib/aipkg/cache/index/"*.idx
	do
		printf garbage | dd of="$f" bs=1 seek=200 conv=notrunc 2>/dev/null || return 1
	done &&
	aipkg search nginx >after 2>err &&
	test_cmp first after &&
	test_must_be_empty err
'

test_done
