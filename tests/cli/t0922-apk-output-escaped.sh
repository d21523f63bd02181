#!/bin/sh
# t0922: what apk prints as it runs reaches the terminal through the sanitiser, lines and characters whole.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='apk'"'"'s live output is escaped like everything else from outside

aipkg shows apk'"'"'s output as apk runs (at a terminal, or with -v).  That
output quotes names and versions from the indexes and whatever package
scripts print, so a hostile repository could put escape sequences in it
(retitle the window, clear the screen, forge a line).  It was written to
stderr raw; it now goes through the one sanitiser, line by line, and a
UTF-8 character that arrives in two reads is shown whole.  apk here is a
wrapper that prints hostile text around the real apk (or the double).'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

test_expect_success 'setup: a root, and an apk that says hostile things when it changes something' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	cat >loud-apk <<-\EOS &&
	change=false
	for a
	do
		case $a in
		add|del) change=true ;;
		-s|--simulate) change=false; break ;;
		esac
	done
	if $change
	then
		# a title change, a screen clear, a forged line; then a
		# character cut in two writes, on stdout and on stderr
		printf "(0/1) \033]0;pwned\007 \033[2J\rERROR: forged\n"
		printf "caf\303" && sleep 0.2 && printf "\251 au lait\n"
		printf "\033[31mred\033[0m on stderr \342\200\256 bidi\n" >&2
	fi
	# shellcheck disable=SC2086
	exec $LOUD_APK_REAL "$@"
	EOS
	LOUD_APK_REAL=$AIPKG_APK &&
	AIPKG_APK="sh $TRASH_DIRECTORY/loud-apk" &&
	export LOUD_APK_REAL AIPKG_APK
'

test_expect_success 'install -v: no escape byte reaches stderr, each shown as text' '
	aipkg -v --yes install htop >out 2>err &&
	test_grep "^P:htop$" "$ROOT/lib/apk/db/installed" &&
	! tr -d "\n" <err | grep -q "$(printf "[\001-\010\013-\037\177]")" &&
	test_grep "^(0/1) \\\\x1b\]0;pwned\\\\x07 \\\\x1b\[2J\\\\rERROR: forged$" err &&
	test_grep "\\\\x1b\[31mred\\\\x1b\[0m on stderr \\\\u202e bidi$" err &&
	# the character cut between two reads is whole, not two invalid bytes
	test_grep "^café au lait$" err &&
	test_grep "Installing htop" err
'

test_expect_success 'remove -v: the same for apk del' '
	aipkg -v --yes remove htop >out 2>err &&
	! tr -d "\n" <err | grep -q "$(printf "[\001-\010\013-\037\177]")" &&
	test_grep "^(0/1) \\\\x1b\]0;pwned" err &&
	test_grep "^café au lait$" err
'

test_done
