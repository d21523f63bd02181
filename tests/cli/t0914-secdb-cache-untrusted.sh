#!/bin/sh
# t0914: a secdb cache in a state directory others can write is neither believed nor waited on (session 3 attack).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='check-vuln and a planted security database cache

aipkg refuses a state directory other users can write for its journal,
but check-vuln (read-only, run from cron as a gate) still believed the
secdb cache there: a planted copy of a clean secdb made it say "no known
vulnerabilities" and exit 0, and a FIFO planted at its meta file made it
wait for ever.  There the cache is not read, a download is not kept, and
the cache files are opened without following links, regular files only.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
CLEAN=$TRASH_DIRECTORY/clean
REPO_A=$TRASH_DIRECTORY/repo-a
STATE=$ROOT/var/lib/aipkg
CACHE=$STATE/secdb

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

vulnerable_secdb () {
	secdb_file "$SECDB_DIR/v3.20/main.json" main "nginx 1.27.0-r0=CVE-2024-7347" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community
}

test_expect_success 'setup: nginx 1.26.2-r0 installed, a secdb that fixes it in 1.27.0-r0' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	secdb_stub &&
	secdb_config "$ROOT" "$SECDB_URL" "max_age: 86400" &&
	secdb_clean &&
	aipkg --yes install nginx >out 2>err &&
	vulnerable_secdb &&
	test_expect_code 3 aipkg check-vuln --refresh --fail-on any >out 2>err &&
	test_grep "CVE-2024-7347" out &&
	test_path_is_file "$CACHE/main.meta"
'

test_expect_success 'setup: the cache files of a clean secdb, made by another root' '
	cp -R "$ROOT" "$CLEAN" &&
	rm -rf "$CLEAN/var/lib/aipkg/secdb" &&
	secdb_clean &&
	"$AIPKG" --root "$CLEAN" --allow-untrusted check-vuln --refresh >out 2>err &&
	test_grep "No known" out &&
	vulnerable_secdb
'

test_expect_success 'in a private state directory the cache is what counts' '
	cp "$CLEAN/var/lib/aipkg/secdb/"* "$CACHE/" &&
	aipkg check-vuln --fail-on any >out 2>err &&
	test_grep "No known" out
'

test_expect_success 'planted where every user can write, it is not believed' '
	chmod 0777 "$STATE" &&
	requests=$(secdb_requests) &&
	test_expect_code 3 aipkg check-vuln --fail-on any >out 2>err &&
	test_grep "CVE-2024-7347" out &&
	test_grep "not used and this download is not kept: other users can write there" err &&
	test "$(secdb_requests)" -gt "$requests" &&
	test_grep ! "CVE-2024-7347" "$CACHE/main.json"
'

test_expect_success 'a FIFO planted at the meta file is never waited on' '
	rm -f "$CACHE/main.meta" &&
	mkfifo "$CACHE/main.meta" &&
	test_expect_code 3 timeout 30 "$AIPKG" --root "$ROOT" --allow-untrusted check-vuln \
		--fail-on any </dev/null >out 2>err &&
	test_grep "CVE-2024-7347" out &&
	rm -f "$CACHE/main.meta" &&
	chmod 0755 "$STATE"
'

test_expect_success 'a plan that needs the cache fails closed there, naming the directory' '
	chmod 0777 "$STATE" &&
	test_must_fail aipkg --dry-run install curl >out 2>err &&
	test_grep "refusing the state directory $STATE" err &&
	chmod 0755 "$STATE"
'

test_done
