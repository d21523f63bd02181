#!/bin/sh
# t0166: history ID and ask read as a person needs them; counts say "1 change", not "1 changes".
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the layout of history ID and ask, and plurals

`history ID` had "World before:" and "World after:" out of line with the
other fields, the plan of a request as raw JSON, and changes and plans in
different layouts; recover said "1 changes"; ask warned that it installed
without a vulnerability check when it installed nothing, printed a literal
`aipkg install "..."`, and after an install printed the plan a second time.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JDIR=$ROOT/var/lib/aipkg/journal/0000
PTY=$TEST_TOOLS/ptyrun
# the request quoted for a shell, as ask prints it
HTOP_HINT="Nothing was installed: aipkg install 'I'\\''d like htop' installs it"

# aligned FILE: every "Label: value" line has its value in column 15.
aligned () {
	awk '/^[A-Z][A-Za-z ]*:/ && !/^Operation/ {
		if (substr($0, 14, 1) != " " || substr($0, 15, 1) == " ") { print "not aligned: " $0; bad = 1 }
	} END { exit bad }' "$1"
}

test_expect_success 'setup: a request installed, a lock, a failed install' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes ask "I need a web server" >out 2>err &&
	aipkg --yes lock nginx >out 2>err &&
	mkdir -p broken/x86_64 &&
	cp "$REPO_A/x86_64/"* broken/x86_64/ &&
	rm broken/x86_64/htop-3.3.0-r0.apk &&
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/broken" &&
	test_must_fail aipkg --yes install htop >out 2>err &&
	fixture_use_repos "$ROOT" "$REPO_A" &&
	test_grep "^status: failed$" "$(journal_newest)" &&
	# apk wrote htop into the world file before it failed: take it out
	test_apk --root "$ROOT" --allow-untrusted del htop >out 2>err
'

test_expect_success 'history ID: every field in one column, world lines too' '
	aipkg history 1 >out 2>err &&
	test_grep "^World before: (empty)$" out &&
	test_grep "^World after:  nginx$" out &&
	aligned out
'

test_expect_success 'history ID: the plan of a request, one package a line, not JSON' '
	test_grep "^Plan:  *nginx (" out &&
	test_grep ! "\[{" out &&
	test_grep ! "\"name\"" out
'

test_expect_success 'history ID: the changes in the layout of every change summary' '
	test_grep "^Changes:  *Installed  *libcrypto3  *3.3.1-r0$" out &&
	test_grep "^  *Installed  *nginx  *1.26.2-r0$" out &&
	test_grep ! "^Planned:" out
'

test_expect_success 'a failed operation: what apk planned, then what changed' '
	id=$(sed -n "s/^id: //p" "$(journal_newest)") &&
	aipkg history "$id" >out 2>err &&
	test_grep "^Status:  *failed" out &&
	test_grep "^Planned:  *Would install  *htop  *3.3.0-r0$" out &&
	test_grep "^Changes:  *none$" out &&
	aligned out
'

test_expect_success 'the list: a lock changed the world file, not "0" packages' '
	aipkg history >out 2>err &&
	test_grep "^ *2 .* committed  *world  " out &&
	aipkg --json history >out &&
	test "$("$TEST_TOOLS/jsonq" ".transactions[1].world_changed" <out)" = true
'

test_expect_success 'recover: "1 change", not "1 changes"' '
	aipkg --yes install busybox >out 2>err &&
	f=$(journal_newest) &&
	sed -e "s/^status: committed$/status: pending/" -e "/^end-time: /d" \
		-e "s/^pid: .*/pid: 999999999/" "$f" >t && mv t "$f" &&
	aipkg recover >out 2>err &&
	test_grep "^Operation [0-9]* (.*install busybox.*): now committed, 1 change found" out
'

test_expect_success 'ask of what is installed: says so, warns of no check it did not need' '
	aipkg ask "I need a web server" >out 2>err &&
	test_grep "^Nothing to install: nginx is installed already.$" out &&
	test_grep ! "vulnerability check" err &&
	test_grep ! "would change" out &&
	# it checked nothing, and no security database is cached: no
	# "Vulnerabilities: none known" (found at a terminal on a 3.20 root)
	test_grep ! "^Vulnerabilities:" out
'

test_expect_success 'ask: the command that installs it, with the request itself' '
	aipkg ask "I'"'"'d like htop" >out 2>err &&
	test_grep "^apk.s plan:$" out &&
	test_grep "^Would install  *htop  *3.3.0-r0$" out &&
	grep -F "$HTOP_HINT" out >/dev/null &&
	test_grep ! "\.\.\." out &&
	test_grep ! "installing without a vulnerability check" err
'

test_expect_success 'ask at a terminal: the plan once, in the confirmation' '
	"$PTY" -i "y
" "$AIPKG" --root "$ROOT" --allow-untrusted install "I need lighttpd" >out 2>&1 &&
	test_grep "Install these packages? \[y/N\]" out &&
	test_grep "^Installed  *lighttpd  *1.4.76-r0$" out &&
	test "$(grep -c "^Request:" out)" = 1 &&
	test "$(grep -c "^Packages:" out)" = 1
'

test_done
