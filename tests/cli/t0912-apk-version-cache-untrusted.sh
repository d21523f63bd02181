#!/bin/sh
# t0912: the remembered apk version is believed only in a state directory no other user can write (session 3 attack).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='a planted apk-version cache does not choose apk options

aipkg remembers the version of the apk it runs in
var/lib/aipkg/cache/apk-version.  In a state directory every user can
write (which aipkg refuses for its journal) that file was still
believed: a line naming apk 3 for an apk 2 made aipkg pass
--cache-packages, which apk 2 refuses, so every install failed; the other
way round it changes the rules versions are compared by.  The file is now
read and written only where the journal would be.  (--force: the
secdb cache there is not believed either, see t0914.)'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

if test "$TEST_MODE" = real
then
	skip_all "the lie is chosen against the test double's apk 2.14.4"
fi

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
STATE=$ROOT/var/lib/aipkg
REMEMBERED=$STATE/cache/apk-version

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

test_expect_success 'setup: a root whose apk version aipkg remembered' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes update >out 2>err &&
	test_grep " 2\.14\.4\$" "$REMEMBERED"
'

test_expect_success 'in a private state directory the remembered version is used' '
	key=$(cut -d" " -f1 "$REMEMBERED") &&
	echo "$key 3.0.6" >"$REMEMBERED" &&
	test_must_fail aipkg --dry-run install nginx >out 2>err &&
	test_grep "cache-packages" err &&
	echo "$key 2.14.4" >"$REMEMBERED"
'

test_expect_success 'a line planted where every user can write is not believed' '
	chmod 0777 "$STATE" &&
	key=$(cut -d" " -f1 "$REMEMBERED") &&
	echo "$key 3.0.6" >"$REMEMBERED" &&
	aipkg --dry-run install --force nginx >out 2>err &&
	test_grep ! "cache-packages" err &&
	test_grep "nginx" out &&
	test_grep " 3\.0\.6\$" "$REMEMBERED"
'

test_expect_success 'nor is one written there' '
	rm -f "$REMEMBERED" &&
	aipkg --dry-run install --force nginx >out 2>err &&
	test_path_is_missing "$REMEMBERED" &&
	chmod 0755 "$STATE"
'

test_done
