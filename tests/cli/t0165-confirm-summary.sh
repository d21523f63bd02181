#!/bin/sh
# t0165: the confirmation separates what was named from dependencies, with counts and sizes.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the confirmation: named and dependencies apart, counts, sizes; rollback says what

The prompt listed every change in apk'"'"'s order, and a rollback asked
"Proceed?" without saying which operation it undoes.  On a terminal (ptyrun)
the plan is now in sections (what was named, its dependencies, upgrades,
removals), each package with its version and size, then the counts and
the download and disk space; a rollback names the operation, its command
and the world file'"'"'s change first.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
PTY=$TEST_TOOLS/ptyrun

# on_tty INPUT ARGS...: aipkg on a terminal, INPUT typed at its prompt.
on_tty () {
	_ot_in=$1
	shift
	"$PTY" -c 100 -i "$_ot_in" "$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# size_of NAME: the S: of NAME in repository A's index, as aipkg shows it.
size_of () {
	tar -xzOf "$REPO_A/$FIXTURE_ARCH/APKINDEX.tar.gz" APKINDEX |
	awk -v p="$1" '/^P:/ { n = substr($0, 3) } /^S:/ && n == p { s = substr($0, 3) }
		END { if (s + 0 < 1024) print s " B"; else printf "%.1f KiB\n", s / 1024 }'
}

test_expect_success 'setup: repository A, an empty root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	cp "$ROOT/lib/apk/db/installed" installed.before
'

test_expect_success 'install: the named package, then its dependencies, counts and sizes' '
	test_expect_code 1 on_tty "n
" install nginx >out &&
	test_grep "^Installing:$" out &&
	test_grep "^  nginx  *1.26.2-r0  *$(size_of nginx)$" out &&
	test_grep "^Installing dependencies:$" out &&
	test_grep "^  pcre2  *10.43-r0  *$(size_of pcre2)$" out &&
	test_grep "^  libcrypto3  *3.3.1-r0 " out &&
	test_grep "^5 to install (1 named, 4 dependencies).$" out &&
	test_grep "^Download: [0-9.]* [KM]*i*B; disk space: +[0-9.]* [KM]*i*B.$" out &&
	test_grep "Proceed? \[y/N\]" out &&
	test_grep "declined" out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'the sections come in order: named first' '
	sed -n "/^Installing:/,/^5 to install/p" out >plan &&
	test "$(sed -n 2p plan | awk "{ print \$1 }")" = nginx &&
	test "$(sed -n 3p plan)" = "Installing dependencies:"
'

test_expect_success 'yes installs it' '
	on_tty "y
" install nginx >out &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now
'

test_expect_success 'remove --rdepends: the named package, then what goes with it' '
	test_expect_code 1 on_tty "n
" remove --rdepends pcre2 >out &&
	test_grep "^Removing:$" out &&
	test_grep "^  pcre2  *10.43-r0" out &&
	test_grep "^Removing along with them:$" out &&
	test_grep "^  nginx  *1.26.2-r0" out &&
	test_grep "^5 to remove (1 named, 4 along with them).$" out &&
	test_grep "^Disk space: -" out
'

test_expect_success 'rollback says which operation it undoes, and what it will change' '
	test_expect_code 1 on_tty "n
" rollback >out &&
	test_grep "^Rolling back operation 1, committed [0-9-]* [0-9:]* UTC:$" out &&
	# the command wraps under itself at the terminal'"'"'s edge
	test_fits 100 out &&
	sed -n "/^Rolling back/,/^World file:/p" out | sed "1d;\$d" | tr -s " \n" "  " >command &&
	test_grep "^ .*aipkg .*install nginx $" command &&
	test_grep "^World file: -nginx$" out &&
	test_grep "^Removing:$" out &&
	test_grep "^5 to remove.$" out &&
	test_grep "Proceed? \[y/N\]" out &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now
'

test_expect_success 'a rollback that changes only the world file asks too' '
	aipkg --yes lock nginx >out 2>err &&
	test_expect_code 1 on_tty "n
" rollback >out &&
	test_grep "^Rolling back operation 2, committed" out &&
	test_grep "^World file: +nginx -nginx=1.26.2-r0$" out &&
	test_grep "^nginx=1.26.2-r0$" "$ROOT/etc/apk/world" &&
	test_expect_code 1 aipkg rollback </dev/null >out 2>err &&
	test_grep "this rollback needs confirmation; nothing changed" err &&
	aipkg --yes rollback >out 2>err &&
	test_grep "^nginx$" "$ROOT/etc/apk/world"
'

test_done
