#!/bin/sh
# t0001: every command has help, a man entry and completions.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='help that cannot drift: walk the command table'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"

MAN=$TEST_SRC/../man/aipkg.8
COMP=$TEST_SRC/../completions

test_expect_success 'the command table' '
	"$AIPKG" --help >help &&
	sed -n "/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p" help >commands &&
	test -s commands
'

test_expect_success 'every command answers --help with exit 0' '
	(
		while read -r cmd
		do
			"$AIPKG" "$cmd" --help >out || { echo "$cmd --help failed"; exit 1; }
			test_grep "^usage: aipkg $cmd" out || exit 1
		done <commands
	)
'

test_expect_success 'every command has a man entry and completions' '
	(
		while read -r cmd
		do
			grep -q "^\.SS $cmd\b" "$MAN" || { echo "no .SS $cmd in aipkg.8"; exit 1; }
			grep -q "\b$cmd\b" "$COMP/aipkg.bash" || { echo "$cmd missing in bash"; exit 1; }
			grep -q "'"'"'$cmd:" "$COMP/_aipkg" || { echo "$cmd missing in zsh"; exit 1; }
			grep -q -- "-a $cmd\b" "$COMP/aipkg.fish" || { echo "$cmd missing in fish"; exit 1; }
		done <commands
	)
'

test_expect_success 'every option is documented and completed' '
	{ cat help; while read -r cmd; do "$AIPKG" "$cmd" --help; done <commands; } |
	sed -n "s/^ *\(-[a-zA-Z], \)\{0,1\}--\([a-z-]*\).*/\2/p" | sort -u >options &&
	test -s options &&
	sed "s/\\\\-/-/g" "$MAN" >man.txt &&
	(
		while read -r opt
		do
			grep -q -- "--$opt\b" man.txt || { echo "--$opt not in aipkg.8"; exit 1; }
			grep -q -- "--$opt\b" "$COMP/aipkg.bash" || { echo "--$opt not in bash"; exit 1; }
			grep -q -- "--$opt\b" "$COMP/_aipkg" || { echo "--$opt not in zsh"; exit 1; }
			grep -q -- "-l $opt\b" "$COMP/aipkg.fish" || { echo "--$opt not in fish"; exit 1; }
		done <options
	)
'

test_expect_success 'help for an unknown command is a usage error' '
	test_expect_code 2 "$AIPKG" help nosuch 2>err
'

test_expect_success 'help --json is the same table' '
	"$AIPKG" --json help >table.json &&
	"$TEST_TOOLS/jsonq" "commands#" <table.json >n &&
	test "$(cat n)" = "$(wc -l <commands | tr -d " ")"
'

test_expect_success '--version' '
	"$AIPKG" --version >out &&
	test_grep "^aipkg [0-9]" out
'

test_done
