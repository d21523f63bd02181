#!/bin/sh
# t0001: every command has help, a man entry and completions.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='help that cannot drift: walk the command table'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-commands.sh
. "$TEST_SRC/cli/lib-commands.sh"

MAN=$TEST_SRC/../man/aipkg.8

test_expect_success 'the command table' '
	"$AIPKG" --help >help &&
	command_table
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

# The completion scripts relay "aipkg __complete" (t0148 drives them in
# bash, zsh and fish): every command and option is offered there.
test_expect_success 'every command has a man entry and completes' '
	"$AIPKG" __complete "" >completed &&
	(
		while read -r cmd
		do
			grep -q "^\.SS $cmd\b" "$MAN" || { echo "no .SS $cmd in aipkg.8"; exit 1; }
			grep -q "^$cmd	" completed || { echo "$cmd does not complete"; exit 1; }
		done <commands
	)
'

test_expect_success 'every option is documented and completes' '
	(
		sed "s/\\\\-/-/g; s/\\\\%//g" "$MAN" >man.txt
		while read -r cmd
		do
			"$AIPKG" __complete "$cmd" -- >completed || exit 1
			{ command_options ""; command_options "$cmd"; } >opts || exit 1
			while read -r opt short arg
			do
				grep -q -- "--$opt\b" man.txt || { echo "--$opt not in aipkg.8"; exit 1; }
				grep -q "^--$opt	" completed ||
					{ echo "--$opt does not complete after $cmd"; exit 1; }
			done <opts
		done <commands
	)
'

test_expect_success 'help for an unknown command is a usage error' '
	test_expect_code 2 "$AIPKG" help nosuch 2>err
'

test_expect_success '--help lists the same table' '
	sed -n "/^Commands:/,/^$/s/^  \([a-z-][a-z-]*\) .*/\1/p" help >listed &&
	test_cmp commands listed
'

test_expect_success '--version' '
	"$AIPKG" --version >out &&
	test_grep "^aipkg [0-9]" out
'

test_done
