#!/bin/sh
# t0175: a change runs apk twice (the simulation and the change); apk's version is asked once per binary.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='apk runs per change

Every change used to run apk three times: apk --version, apk --simulate,
then apk.  The version is now remembered per apk binary (its words and the
identity of the files they name), so a change is the simulation, shown,
confirmed and checked, then the change itself.  A request planned in plain
words is simulated once; update refreshes the indexes first; commands that
only read run no apk at all.  A changed apk, or a cache file that is
damaged or a link, is not trusted.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
APK_LOG=$TRASH_DIRECTORY/apk.log
REMEMBERED=$ROOT/var/lib/aipkg/cache/apk-version

# apk_runs: what apk was run for since the log was emptied, one a line:
# "version", the applet, or "simulate APPLET"
apk_runs () {
	awk '/(^| )--version( |$)/ { print "version"; next }
	     { sim = / --simulate / ? "simulate " : ""
	       for (i = 2; i <= NF; i++)
		   if ($i ~ /^(add|del|upgrade|update|fetch|fix|version|info|list|search)$/) {
			   print sim $i; next } }' "$APK_LOG"
}

# runs_are LINE...: apk was run exactly for these, in this order
runs_are () {
	printf '%s\n' "$@" >expect-runs &&
	apk_runs >actual-runs &&
	test_cmp expect-runs actual-runs
}

test_expect_success 'setup: a root, and the apk under test behind a logging wrapper' '
	fixture_repo_a "$TRASH_DIRECTORY/repo-a" &&
	fixture_repo_b "$TRASH_DIRECTORY/repo-b" &&
	fixture_root "$ROOT" "$TRASH_DIRECTORY/repo-a" &&
	printf "%s\n" "#!/bin/sh" "echo \"\$*\" >>\"$APK_LOG\"" "exec $AIPKG_APK \"\$@\"" \
		>apk-logged &&
	mkdir -p "$ROOT/etc/aipkg" secdb/v3.20 &&
	echo "{\"packages\": []}" >secdb/v3.20/main.json &&
	echo "{\"packages\": []}" >secdb/v3.20/community.json &&
	printf "vuln:\n  secdb_url: file://%s/secdb/\n" "$TRASH_DIRECTORY" \
		>"$ROOT/etc/aipkg/aipkg.yaml" &&
	AIPKG_APK="sh $TRASH_DIRECTORY/apk-logged" &&
	export AIPKG_APK
'

test_expect_success 'the first change on a fresh root asks apk its version, once' '
	: >"$APK_LOG" &&
	aipkg --yes install htop >out 2>err &&
	runs_are version "simulate add" add &&
	test_path_is_file "$REMEMBERED" &&
	test_grep "^[0-9a-f]\{64\} [23]\.[0-9]" "$REMEMBERED"
'

test_expect_success 'install: the simulation and the change' '
	: >"$APK_LOG" &&
	aipkg --yes install nginx >out 2>err &&
	runs_are "simulate add" add
'

test_expect_success 'remove: the simulation and the change' '
	: >"$APK_LOG" &&
	aipkg --yes remove htop >out 2>err &&
	runs_are "simulate del" del
'

test_expect_success 'lock and unlock: the simulation and the change' '
	: >"$APK_LOG" &&
	aipkg --yes lock nginx >out 2>err &&
	runs_are "simulate add" add &&
	: >"$APK_LOG" &&
	aipkg --yes unlock nginx >out 2>err &&
	runs_are "simulate add" add
'

test_expect_success 'a request in plain words is simulated once' '
	: >"$APK_LOG" &&
	aipkg --yes install "I need dns tools" >out 2>err &&
	installed_list >installed &&
	test_grep "^bind-tools-" installed &&
	runs_are "simulate add" add
'

test_expect_success 'a dry run is the simulation alone' '
	: >"$APK_LOG" &&
	aipkg --dry-run install curl >out 2>err &&
	runs_are "simulate add"
'

test_expect_success 'reading commands run no apk' '
	: >"$APK_LOG" &&
	aipkg list --installed >out 2>err &&
	aipkg info nginx >out 2>err &&
	aipkg search nginx >out 2>err &&
	aipkg history >out 2>err &&
	test_must_be_empty "$APK_LOG"
'

test_expect_success 'update: the refresh of the indexes, then the simulation and the change' '
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/repo-b" &&
	: >"$APK_LOG" &&
	aipkg --yes update >out 2>err &&
	runs_are update "simulate upgrade" upgrade &&
	installed_list >installed &&
	test_grep "^nginx-1.27.0-r0$" installed
'

test_expect_success 'rollback: the simulation, then the steps of the rollback' '
	: >"$APK_LOG" &&
	aipkg --yes rollback >out 2>err &&
	installed_list >installed &&
	test_grep "^nginx-1.26.2-r0$" installed &&
	runs_are "simulate add" add del
'

test_expect_success 'agent run: the refresh, then for each upgrade its simulation and change' '
	aipkg --yes remove --rdepends nginx >out 2>err &&
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/repo-a" &&
	aipkg --yes install zlib >out 2>err &&
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/repo-b" &&
	: >"$APK_LOG" &&
	aipkg --yes agent run >out 2>err &&
	installed_list >installed &&
	test_grep "^zlib-1.3.1-r1$" installed &&
	runs_are update "simulate upgrade" upgrade
'

test_expect_success 'an apk that changed is asked its version again, once' '
	touch -d "2001-02-03 04:05:06" apk-logged &&
	: >"$APK_LOG" &&
	aipkg --yes install htop >out 2>err &&
	runs_are version "simulate add" add &&
	test "$(wc -l <"$REMEMBERED")" -eq 2 &&
	: >"$APK_LOG" &&
	aipkg --yes remove htop >out 2>err &&
	runs_are "simulate del" del
'

test_expect_success 'a damaged cache file is not trusted, and is rewritten' '
	printf "garbage\n%s 9.9.9\n" "$(printf "%064d" 0)" >"$REMEMBERED" &&
	: >"$APK_LOG" &&
	aipkg --yes install htop >out 2>err &&
	runs_are version "simulate add" add &&
	test_grep ! garbage "$REMEMBERED" &&
	head -n 1 "$REMEMBERED" >first &&
	test_grep "^[0-9a-f]\{64\} [23]\.[0-9]" first
'

test_expect_success 'a link at the cache file is neither read nor written through' '
	cp "$REMEMBERED" elsewhere &&
	cp elsewhere expect &&
	rm "$REMEMBERED" &&
	ln -s "$TRASH_DIRECTORY/elsewhere" "$REMEMBERED" &&
	: >"$APK_LOG" &&
	aipkg --yes remove htop >out 2>err &&
	runs_are version "simulate del" del &&
	test_cmp expect elsewhere &&
	test ! -L "$REMEMBERED" &&
	test_path_is_file "$REMEMBERED"
'

test_done
