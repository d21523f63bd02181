#!/bin/sh
# t0146: the command line stays within argv, and a typo'd command or option gets a suggestion.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='option parsing: argv bounds, typos, apk verbs

aipkg --root (a value-taking option last) read argv[argc + 1], the first
environment variable, and printed it as an unknown command: an API key
in the environment reached the terminal.  A mistyped command or option
now gets a suggestion, apk verbs point at aipkg commands, and the error
blames the option that is wrong, never its value.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-commands.sh
. "$TEST_SRC/cli/lib-commands.sh"

KEY=sk-test-0123456789-do-not-print

test_expect_success 'setup: the command table' '
	command_table
'

# options CMD: the options of CMD (or the global ones), "LONG SHORT ARG".
options () {
	command_options "$@"
}

test_expect_success 'a value-taking option last never reads the environment' '
	(
		options "" >globals &&
		test_grep "^root - DIR$" globals &&
		while read -r long short arg
		do
			test "$arg" = - && continue
			for form in "--$long" ${short#-} "-q --$long"
			do
				case $form in ?) form=-$form ;; esac
				# shellcheck disable=SC2086
				test_expect_code 2 env -i "OPENAI_API_KEY=$KEY" "$AIPKG" $form \
					>out 2>err || exit 1
				test_grep ! -e "$KEY" out err || exit 1
				test_grep "needs a value" err || exit 1
			done
		done <globals
	)
'

test_expect_success 'a command option last that takes a value: the same' '
	(
		while read -r cmd
		do
			options "$cmd" >opts || exit 1
			while read -r long short arg
			do
				test "$arg" = - && continue
				test_expect_code 2 env -i "K=$KEY" "$AIPKG" "$cmd" "--$long" \
					>out 2>err || exit 1
				test_grep ! -e "$KEY" out err || exit 1
				test_grep "option .--$long. needs a value" err || exit 1
			done <opts
		done <commands
	)
'

test_expect_success 'a typo of a command suggests it' '
	test_expect_code 2 "$AIPKG" instal nginx 2>err &&
	test_grep "unknown command .instal.; did you mean .install.?" err &&
	test_expect_code 2 "$AIPKG" isntall nginx 2>err &&
	test_grep "did you mean .install.?" err &&
	test_expect_code 2 "$AIPKG" help histroy 2>err &&
	test_grep "did you mean .history.?" err
'

# typo WORD: WORD with its last two letters swapped (one edit).
typo () {
	printf "%s\n" "$1" | sed "s/\(.\)\(.\)$/\2\1/"
}

test_expect_success 'every command of the table is suggested for its typo' '
	(
		while read -r cmd
		do
			t=$(typo "$cmd")
			test "$t" = "$cmd" && continue
			test_expect_code 2 "$AIPKG" "$t" 2>err || exit 1
			test_grep "did you mean .*.$cmd." err || exit 1
		done <commands
	)
'

test_expect_success 'every long option is suggested for its typo' '
	(
		options "" | sed "s/^/list /" >opts &&
		while read -r cmd
		do
			options "$cmd" | sed "s/^/$cmd /" || exit 1
		done <commands >>opts &&
		while read -r cmd long short arg
		do
			t=$(typo "$long")
			test "$t" = "$long" && continue
			test_expect_code 2 "$AIPKG" "$cmd" "--$t" 2>err </dev/null || exit 1
			test_grep "unknown option .--$t. for .$cmd.; did you mean .*.--$long." err ||
				exit 1
		done <opts
	)
'

test_expect_success 'a typo of an option suggests it, before or after the command' '
	test_expect_code 2 "$AIPKG" install --forse nginx 2>err &&
	test_grep "unknown option .--forse. for .install.; did you mean .--force.?" err &&
	test_expect_code 2 "$AIPKG" --forse install nginx 2>err &&
	test_grep "did you mean .--force.?" err
'

test_expect_success 'an unknown option is blamed, not the word after it' '
	test_expect_code 2 "$AIPKG" --roo /x list 2>err &&
	test_grep "unknown option .--roo. for .list.; did you mean .--root.?" err &&
	test_grep ! "/x" err &&
	test_expect_code 2 "$AIPKG" --roo /x 2>err &&
	test_grep "unknown option .--roo.; did you mean .--root.?" err
'

test_expect_success 'an option of another command says whose it is' '
	test_expect_code 2 "$AIPKG" install --plan 2>err &&
	test_grep "it is an option of .aipkg update." err
'

test_expect_success 'a command option before the command, with its value' '
	mkdir -p empty &&
	test_expect_code 2 "$AIPKG" --limit 0 history 2>err &&
	test_grep "limit takes a number" err
'

test_expect_success 'no message says COMMAND; the help hint names the command' '
	test_expect_code 2 "$AIPKG" list --bogus 2>err &&
	test_grep "^Try .aipkg list --help.\.$" err &&
	test_expect_code 2 "$AIPKG" frob 2>err &&
	test_grep "^Try .aipkg --help.\.$" err &&
	test_grep ! COMMAND err
'

test_expect_success 'apk verbs point at aipkg commands' '
	(
		for pair in add:install del:remove upgrade:update policy:info
		do
			test_expect_code 2 "$AIPKG" "${pair%%:*}" x 2>err || exit 1
			test_grep "apk ${pair%%:*} is .aipkg ${pair#*:}" err || exit 1
		done &&
		test_expect_code 2 "$AIPKG" fetch x 2>err &&
		test_grep "run .apk fetch." err &&
		test_expect_code 2 "$AIPKG" uninstall x 2>err &&
		test_grep "did you mean .aipkg remove.?" err
	)
'

test_expect_success 'apk fix and audit: aipkg doctor when there is one, else apk' '
	(
		for verb in fix audit
		do
			test_expect_code 2 "$AIPKG" "$verb" 2>err || exit 1
			if grep -q "^doctor$" commands
			then
				test_grep "apk $verb is .aipkg doctor" err || exit 1
			else
				test_grep "run .apk $verb." err || exit 1
			fi
		done
	)
'

test_done
