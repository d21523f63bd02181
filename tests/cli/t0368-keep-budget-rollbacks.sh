#!/bin/sh
# t0368: the kept-file budget never drops what rolling back the newest operations needs, and counts repairs' saved files.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='journal.keep_packages_mb and the rollbacks that need the files

The trim after each change dropped the oldest kept files, sparing only
that change'"'"'s own: the file the previous operation'"'"'s rollback needed
went first, and with the repositories moved on that rollback could no
longer restore anything.  What the newest journal.keep_rollbacks
operations need now stays, doctor says when it alone is over the bound,
and the files doctor --fix saved from its repairs count in the bound.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
KEPT=$ROOT/var/lib/aipkg/packages
JSONQ=$TEST_TOOLS/jsonq

# big_repo DIR VERSION: big1 and big2 at VERSION, 420 kB each (incompressible).
big_repo () {
	mkrepo_pkg "$1" big1 "$2" -d "big one" -s 430080 &&
	mkrepo_pkg "$1" big2 "$2" -d "big two" -s 430080 &&
	"$TEST_TOOLS/mkrepo" index "$1/$FIXTURE_ARCH"
}

# budget YAML...: the configuration (journal: keep_packages_mb 1, and YAML lines).
budget () {
	mkdir -p "$ROOT/etc/aipkg" &&
	{
		printf 'vuln:\n  secdb_url: http://127.0.0.1:9/\njournal:\n  keep_packages_mb: 1\n'
		for _b
		do
			printf '  %s\n' "$_b"
		done
	} >"$ROOT/etc/aipkg/aipkg.yaml"
}

test_expect_success 'setup: big1 and big2 1.0 from A; then only B, with 2.0, is configured' '
	big_repo "$REPO_A" 1.0-r0 &&
	big_repo "$REPO_B" 2.0-r0 &&
	fixture_root "$ROOT" "$REPO_A" &&
	budget &&
	aipkg --yes install big1 big2 >out 2>err &&
	test_path_is_file "$KEPT/big1-1.0-r0.apk" &&
	test_path_is_file "$KEPT/big2-1.0-r0.apk" &&
	fixture_use_repos "$ROOT" "$REPO_B"
'

test_expect_success 'two upgrades over the bound: every file their rollbacks need stays' '
	aipkg --yes update big1 >out 2>err &&
	aipkg --yes update big2 >out 2>err &&
	test_grep "^big1-2.0-r0$" "$(installed_list >now && echo now)" &&
	for f in big1-1.0-r0 big1-2.0-r0 big2-1.0-r0 big2-2.0-r0
	do
		test_path_is_file "$KEPT/$f.apk" || return 1
	done
'

test_expect_success 'doctor says the files are over the bound because those rollbacks need them' '
	aipkg --json doctor >doc.json 2>err;
	"$JSONQ" problems <doc.json >problems &&
	test_grep "\"check\":\"kept\"" problems &&
	test_grep "needs (journal.keep_rollbacks), which is kept whatever the size" problems &&
	aipkg doctor >out 2>err;
	test_grep "^the kept package files take 1.6 MiB, over journal.keep_packages_mb (1 MiB) \[warning\]$" out
'

test_expect_success 'the older upgrade is rolled back from its kept file (the repository moved on)' '
	aipkg --yes rollback 2 >out 2>err &&
	installed_list >now &&
	test_grep "^big1-1.0-r0$" now &&
	test_grep "^big2-2.0-r0$" now
'

test_expect_success 'keep_rollbacks 1: only the newest operation'"'"'s files are spared' '
	budget "keep_rollbacks: 1" &&
	aipkg --yes update big1 >out 2>err &&
	test_grep "^big1-2.0-r0$" "$(installed_list >now && echo now)" &&
	ls "$KEPT" >left &&
	test_grep "big1-1.0-r0.apk" left &&
	test_grep "big1-2.0-r0.apk" left &&
	test "$(wc -l <left)" -le 3
'

test_expect_success 'doctor --fix saves a repair'"'"'s files: they count in the bound' '
	budget "keep_rollbacks: 10" &&
	f=$ROOT/usr/share/big2/padding &&
	head -c 200000 "$f" >cut && mv cut "$f" &&
	aipkg --yes doctor --fix >out 2>err &&
	test "$(wc -c <"$f")" -eq 430080 &&
	aipkg --json doctor >doc.json 2>err;
	"$JSONQ" problems <doc.json >problems &&
	saved=$(sed -n "s/.*\"saved_bytes\":\([0-9]*\).*/\1/p" problems) &&
	test "$saved" -ge 200000 &&
	total=$(sed -n "s/.*\"bytes\":\([0-9]*\).*/\1/p" problems) &&
	kept=$(cat "$KEPT"/*.apk | wc -c) &&
	test "$total" -eq $((kept + saved))
'

test_done
