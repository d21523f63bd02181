#!/bin/sh
# t0625: an agent run's sandbox trials download each package once, and the upgrades after them none.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: sandbox trials share the root'"'"'s apk cache

Each sandbox trial installs the whole world into a scratch root.  With no
cache of its own it downloaded every package and the indexes again, once
per trial, and the upgrade that followed a passing trial downloaded the
package once more: a run with three trials over HTTP made about thirty
package downloads where seven are new.  Now the trials share a cache of
the run'"'"'s own, made of the root'"'"'s (read only: indexes copied,
packages linked) and the packages aipkg kept: the first trial downloads
what is missing, the next ones and the upgrades nothing (a passing
trial'"'"'s downloads are kept for the upgrade), and the root'"'"'s cache
never changes during a trial, apk 2'"'"'s list of the packages it caches
that no repository has ("installed") included.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
trap 'srv_stop; secdb_stop' EXIT

# gets: "COUNT FILE" for every file of the repository requested since the
# log was emptied
gets () {
	sed -n 's|^GET /ok/repo/x86_64/\([^ ]*\) .*|\1|p' "$SRV_LOG" | sort | uniq -c |
	awk '{ print $1, $2 }'
}

# cached_packages DIR: the package files in an apk cache directory
cached_packages () {
	(cd "$1" 2>/dev/null && ls) | grep '\.apk$' | sed 's/\.[0-9a-f]\{8\}\.apk$//' | sort
}

# serve DIR: the repository the server offers is DIR's
serve () {
	rm -rf "$SRV/repo" &&
	cp -R "$1" "$SRV/repo"
}

# newest: the packages repository B has, as NAME-VERSION.apk
newest () {
	(cd "$REPO_B/$FIXTURE_ARCH" && ls -- *.apk) | sort
}

# admin_cache_root: $ROOT with an apk cache its administrator turned on
# (etc/apk/cache), repo A served and installed.
# shellcheck disable=SC2086 # AGENT_PKGS is a list of names
admin_cache_root () {
	serve "$REPO_A" &&
	fixture_root "$ROOT" "$SRV_URL/repo" &&
	mkdir -p "$ROOT/var/cache/apk" &&
	ln -s /var/cache/apk "$ROOT/etc/apk/cache" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install $AGENT_PKGS >out 2>err
}

test_expect_success 'setup: repo A served and installed, then repo B served in its place' '
	agent_fixtures &&
	mkdir -p "$SRV" &&
	serve "$REPO_A" &&
	srv_start &&
	fixture_root "$ROOT" "$SRV_URL/repo" &&
	aipkg --yes update >out 2>err &&
	aipkg --yes install $AGENT_PKGS >out 2>err &&
	aipkg --yes lock telnet-a >out 2>err &&
	serve "$REPO_B" &&
	secdb_stub &&
	agent_secdb &&
	agent_config
'

test_expect_success 'three trials and three upgrades: each new package downloaded once' '
	: >"$SRV_LOG" &&
	aipkg agent run >out 2>err &&
	test "$(version_of curl)" = 8.10.1-r0 &&
	test "$(version_of lighttpd)" = 1.4.76-r1 &&
	test "$(version_of zlib)" = 1.3.1-r1 &&
	test "$(version_of nginx)" = 1.26.2-r0 &&
	test_grep "nginx .*sandbox trial failed" out &&
	gets >actual &&
	{ echo "1 APKINDEX.tar.gz" && newest | sed "s/^/1 /"; } | sort -k2 >expect &&
	test_cmp expect actual
'

test_expect_success 'the cache aipkg turned on holds no package afterwards' '
	cached_packages "$ROOT/var/cache/apk" >actual &&
	test_must_be_empty actual &&
	test_path_is_missing "$ROOT/var/cache/apk/installed" &&
	test -z "$(ls -A "$ROOT/var/lib/aipkg/sandbox")"
'

test_expect_success 'an administrator'"'"'s cache: the run adds only what is installed' '
	ROOT=$TRASH_DIRECTORY/root2 &&
	admin_cache_root &&
	aipkg --yes lock telnet-a >out 2>err &&
	mkrepo_pkg local localpkg 1.0-r0 -d "installed from a file" \
		-f "usr/share/localpkg/README=local\\n" &&
	# (apk would follow the link on the host: it is given the directory)
	test_apk --root "$ROOT" --cache-dir "$ROOT/var/cache/apk" --allow-untrusted \
		--no-progress add "$TRASH_DIRECTORY/local/$FIXTURE_ARCH/localpkg-1.0-r0.apk" \
		>out 2>err &&
	serve "$REPO_B" &&
	agent_config &&
	cached_packages "$ROOT/var/cache/apk" >cached.before &&
	: >"$SRV_LOG" &&
	aipkg agent run >out 2>err &&
	test_grep "nginx .*sandbox trial failed" out &&
	gets >actual &&
	{ echo "1 APKINDEX.tar.gz" && newest | sed "s/^/1 /"; } | sort -k2 >expect &&
	test_cmp expect actual &&
	installed_list >installed &&
	cached_packages "$ROOT/var/cache/apk" >cached &&
	comm -13 cached.before cached >added &&
	test_grep "^curl-8.10.1-r0$" added &&
	comm -23 added installed >not-installed &&
	test_must_be_empty not-installed
'

# The run ends with the nginx trial, which fails: without the list put
# back, apk 2 would leave the scratch root'"'"'s (no package only the cache
# has) in the system'"'"'s cache.
test_expect_success 'apk 2'"'"'s list of packages only the cache has still names the one from a file' '
	if test -f "$ROOT/var/cache/apk/installed"
	then
		test_grep "^P:localpkg$" "$ROOT/var/cache/apk/installed"
	fi
'

# cache_state DIR: what a trial must not change in DIR: its files and
# their contents (the run's own refresh of the indexes, before the
# trials, may rewrite them as they were).
cache_state () {
	(cd "$1" && ls -A && cksum ./*)
}

test_expect_success 'a trial only reads the root'"'"'s cache: nothing in it changes while it runs' '
	ROOT=$TRASH_DIRECTORY/root3 &&
	admin_cache_root &&
	serve "$REPO_B" &&
	aipkg --yes update --refresh-only >out 2>err &&
	agent_config "allow: [nginx]" &&
	sed -i "s|^    nginx: .*|    nginx: \"(cd $ROOT/var/cache/apk \&\& ls -A \&\& cksum ./*) >$TRASH_DIRECTORY/during; nginx -t\"|" \
		"$ROOT/etc/aipkg/aipkg.yaml" &&
	cache_state "$ROOT/var/cache/apk" >before &&
	aipkg agent run >out 2>err &&
	test_grep "nginx .*sandbox trial failed" out &&
	test_cmp before during &&
	cache_state "$ROOT/var/cache/apk" >after &&
	test_cmp before after &&
	test -z "$(ls -A "$ROOT/var/lib/aipkg/sandbox")"
'

test_done
