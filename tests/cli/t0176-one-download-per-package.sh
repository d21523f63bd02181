#!/bin/sh
# t0176: every package a change installs is downloaded once and kept from apk's own cache.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='one download per package

Installing from a repository served over HTTP used to download every
package twice: apk to install it, then apk fetch again so aipkg could keep
it for rollback.  apk keeps what it downloads in its cache: the one the
administrator configured (etc/apk/cache), which aipkg links from, or the
default one aipkg turns on for the change and empties again.  A package
from a local repository is linked from there, one aipkg kept already is
not downloaded again, and only a version installed without aipkg is
fetched (into a scratch directory nobody can plant a link at).'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
KEPT_REL=var/lib/aipkg/packages
trap 'srv_stop' EXIT

# gets: "COUNT NAME" for every .apk requested since the log was emptied
gets () {
	sed -n 's|^GET /ok/repo/x86_64/\([^ ]*\.apk\) .*|\1|p' "$SRV_LOG" | sort | uniq -c |
	awk '{ print $1, $2 }'
}

# each_once NAME...: exactly these packages were downloaded, once each
each_once () {
	for _eo in "$@"
	do
		echo "1 $_eo.apk"
	done | sort -k2 >expect-gets &&
	gets >actual-gets &&
	test_cmp expect-gets actual-gets
}

# kept_list ROOT: the kept package files
kept_list () {
	(cd "$1/$KEPT_REL" 2>/dev/null && ls -- *.apk) | sort
}

# cached_packages DIR: the package files in an apk cache directory
cached_packages () {
	(cd "$1" 2>/dev/null && ls) | grep '\.apk$' | sort
}

test_expect_success 'setup: repository A served on loopback, a root using it' '
	fixture_repo_a "$TRASH_DIRECTORY/repo-a" &&
	fixture_repo_b "$TRASH_DIRECTORY/repo-b" &&
	mkdir -p "$SRV" &&
	cp -R "$TRASH_DIRECTORY/repo-a" "$SRV/repo" &&
	srv_start &&
	fixture_root "$ROOT" "$SRV_URL/repo" &&
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "journal:\n  keep_packages_mb: 64\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'install: each package is downloaded once, and kept' '
	: >"$SRV_LOG" &&
	aipkg --yes install nginx >out 2>err &&
	each_once libcrypto3-3.3.1-r0 libssl3-3.3.1-r0 nginx-1.26.2-r0 pcre2-10.43-r0 \
		zlib-1.3.1-r0 &&
	cat >expect <<-\EOF &&
	libcrypto3-3.3.1-r0.apk
	libssl3-3.3.1-r0.apk
	nginx-1.26.2-r0.apk
	pcre2-10.43-r0.apk
	zlib-1.3.1-r0.apk
	EOF
	kept_list "$ROOT" >actual &&
	test_cmp expect actual &&
	test_grep "^kept: nginx 1.26.2-r0$" "$(journal_newest)" &&
	test_grep ! "^unkept:" "$(journal_newest)"
'

test_expect_success 'the kept files are what the repository serves' '
	for f in nginx-1.26.2-r0 pcre2-10.43-r0
	do
		cmp "$SRV/repo/x86_64/$f.apk" "$ROOT/$KEPT_REL/$f.apk" || return 1
	done
'

test_expect_success 'the cache aipkg turned on is left as apk without one leaves it' '
	cached_packages "$ROOT/var/cache/apk" >actual &&
	test_must_be_empty actual &&
	test_path_is_missing "$ROOT/var/cache/apk/installed" &&
	test_grep "^apk: .* add -- nginx$" "$(journal_newest)"
'

test_expect_success 'remove downloads nothing; installing again takes the kept files' '
	: >"$SRV_LOG" &&
	aipkg --yes remove nginx >out 2>err &&
	aipkg --yes install nginx >out 2>err &&
	gets >actual &&
	test_must_be_empty actual &&
	installed_list >installed &&
	test_grep "^nginx-1.26.2-r0$" installed &&
	cached_packages "$ROOT/var/cache/apk" >actual &&
	test_must_be_empty actual
'

test_expect_success 'upgrade: one download per new version, none for the old ones' '
	rm -rf "$SRV/repo" &&
	cp -R "$TRASH_DIRECTORY/repo-b" "$SRV/repo" &&
	: >"$SRV_LOG" &&
	aipkg --yes update >out 2>err &&
	each_once libcrypto3-3.3.2-r0 libssl3-3.3.2-r0 nginx-1.27.0-r0 zlib-1.3.1-r1 &&
	test_grep "^kept: nginx 1.26.2-r0$" "$(journal_newest)" &&
	test_grep "^kept: nginx 1.27.0-r0$" "$(journal_newest)" &&
	test_grep ! "^unkept:" "$(journal_newest)"
'

test_expect_success 'rollback after the repository moved on downloads nothing' '
	: >"$SRV_LOG" &&
	aipkg --yes rollback >out 2>err &&
	installed_list >installed &&
	test_grep "^nginx-1.26.2-r0$" installed &&
	test_grep "^libcrypto3-3.3.1-r0$" installed &&
	gets >actual &&
	test_must_be_empty actual &&
	cached_packages "$ROOT/var/cache/apk" >actual &&
	test_must_be_empty actual &&
	test_journal_matches_db
'

test_expect_success 'the cache the administrator configured stays full: kept files are links' '
	# as setup-apkcache makes it: an absolute link, read inside the root
	ROOT2=$TRASH_DIRECTORY/root2 &&
	fixture_root "$ROOT2" "$SRV_URL/repo" &&
	mkdir -p "$ROOT2/var/cache/apk" &&
	ln -s /var/cache/apk "$ROOT2/etc/apk/cache" &&
	"$AIPKG" --root "$ROOT2" --allow-untrusted --yes update >out 2>err &&
	: >"$SRV_LOG" &&
	"$AIPKG" --root "$ROOT2" --allow-untrusted --yes install curl >out 2>err &&
	gets >actual-gets &&
	test_grep "^1 curl-8.10.1-r0.apk$" actual-gets &&
	test_grep ! "^[02-9]" actual-gets &&
	cached_packages "$ROOT2/var/cache/apk" >cached &&
	test_grep "^curl-8.10.1-r0\.[0-9a-f]\{8\}\.apk$" cached &&
	test "$ROOT2/var/cache/apk/$(grep "^curl-" cached)" -ef \
		"$ROOT2/$KEPT_REL/curl-8.10.1-r0.apk"
'

test_expect_success 'a package from a local repository is linked from it, not fetched' '
	ROOT3=$TRASH_DIRECTORY/root3 &&
	fixture_root "$ROOT3" "$TRASH_DIRECTORY/repo-a" &&
	printf "%s\n" "#!/bin/sh" "echo \"\$*\" >>\"$TRASH_DIRECTORY/apk3.log\"" \
		"exec $AIPKG_APK \"\$@\"" >apk-logged &&
	AIPKG_APK="sh $TRASH_DIRECTORY/apk-logged" \
		"$AIPKG" --root "$ROOT3" --allow-untrusted --yes install htop >out 2>err &&
	test "$TRASH_DIRECTORY/repo-a/x86_64/htop-3.3.0-r0.apk" -ef \
		"$ROOT3/$KEPT_REL/htop-3.3.0-r0.apk" &&
	test_grep ! " fetch " apk3.log
'

test_expect_success 'a version installed without aipkg is fetched once before it is removed' '
	test_apk --root "$ROOT" --allow-untrusted --no-progress add htop >out 2>err &&
	: >"$SRV_LOG" &&
	aipkg --yes remove htop >out 2>err &&
	each_once htop-3.3.0-r0 &&
	test_path_is_file "$ROOT/$KEPT_REL/htop-3.3.0-r0.apk" &&
	test_grep "^kept: htop 3.3.0-r0$" "$(journal_newest)"
'

# Before the fix, the scratch directory was .fetch-PID: a link planted
# there made aipkg fetch into, and then empty, the directory it names.
test_expect_success 'a link planted where the scratch directory used to be is left alone' '
	test_apk --root "$ROOT" --allow-untrusted --no-progress add htop >out 2>err &&
	rm -f "$ROOT/$KEPT_REL/htop-3.3.0-r0.apk" &&
	mkdir -p victim &&
	echo precious >victim/file &&
	sh -c "ln -s \"\$1\" \"\$2/.fetch-\$\$\" && shift 2 && exec \"\$@\"" sh \
		"$TRASH_DIRECTORY/victim" "$ROOT/$KEPT_REL" \
		"$AIPKG" --root "$ROOT" --allow-untrusted --yes remove htop >out 2>err &&
	test "$(cat victim/file)" = precious &&
	ls victim >actual &&
	echo file >expect &&
	test_cmp expect actual &&
	test_path_is_file "$ROOT/$KEPT_REL/htop-3.3.0-r0.apk" &&
	ls -a "$ROOT/$KEPT_REL" | grep "^\.fetch-" >scratch &&
	test "$(wc -l <scratch)" -eq 1 &&
	test -L "$ROOT/$KEPT_REL/$(cat scratch)"
'

test_done
