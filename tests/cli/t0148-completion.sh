#!/bin/sh
# t0148: bash, zsh and fish complete every command, its options, packages and ids, from the root on the line.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='shell completion in bash (with bash-completion), zsh and fish

zsh never completed package names (_arguments handed compadd options to
aipkg list, which refused them), --root earlier on the line was ignored
by history/rollback ids in bash, by --root=DIR and ~ paths, and entirely
by zsh and fish, and fish kept offering "run status install-cron" after
"agent run".  Each shell is driven without a person (bash through
_aipkg, zsh on a pseudo-terminal with zpty, fish with complete -C), over
every command of the command table.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-commands.sh
. "$TEST_SRC/cli/lib-commands.sh"
# shellcheck source=tests/cli/lib-complete.sh
. "$TEST_SRC/cli/lib-complete.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
HOME=$TRASH_DIRECTORY
export HOME

if ! test_have_prereq BASH_COMPLETION || ! test_have_prereq ZSH || ! test_have_prereq FISH
then
	say "# not every shell is installed (tests/run-all installs bash-completion, zsh, fish):"
	say "# the missing ones are skipped"
fi

test_expect_success 'setup: a root elsewhere, with installed packages, a lock and a journal' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	"$AIPKG" --root "$ROOT" --allow-untrusted --yes install nginx curl >out 2>err &&
	"$AIPKG" --root "$ROOT" --allow-untrusted --yes lock curl >out 2>err &&
	command_table
'

test_expect_success 'every command of the table completes from its first letters' '
	sed "s/^\(...\).*/aipkg \1/" commands >lines &&
	(
		IFS="
"
		# shellcheck disable=SC2046
		complete $(cat lines) || exit 1
		n=0
		while read -r cmd
		do
			n=$((n + 1))
			each_shell $n "$cmd" || exit 1
		done <commands
	)
'

test_expect_success 'every option of every command completes after the command' '
	sed "s/.*/aipkg & --/" commands >lines &&
	(
		IFS="
"
		# shellcheck disable=SC2046
		complete $(cat lines) || exit 1
		n=0
		while read -r cmd
		do
			n=$((n + 1))
			{ command_options ""; command_options "$cmd"; } |
				sed "s/ .*//; s/^/--/" >want || exit 1
			IFS=" "
			# shellcheck disable=SC2046
			each_shell $n $(cat want) || exit 1
		done <commands
	)
'

test_expect_success 'package names from the root given earlier: --root DIR, --root=DIR, ~' '
	complete "aipkg --root $ROOT remove " "aipkg --root=$ROOT remove ng" \
		"aipkg --root ~/root -q remove " "aipkg remove --root=~/root n" \
		"aipkg --root $ROOT install li" "aipkg --root $ROOT unlock " &&
	each_shell 1 nginx pcre2 &&
	each_shell 2 nginx &&
	each_shell 3 nginx pcre2 &&
	each_shell 4 nginx &&
	each_shell 5 libcurl lighttpd &&
	each_shell 6 curl &&
	test_grep ! "^nginx$" c.6.*
'

test_expect_success 'doctor --fix PKG and search: package names (they completed nothing)' '
	complete "aipkg --root $ROOT doctor --fix ng" "aipkg --root $ROOT doctor --fix " \
		"aipkg --root $ROOT search li" &&
	each_shell 1 nginx &&
	each_shell 2 nginx pcre2 &&
	each_shell 3 libcurl lighttpd
'

test_expect_success 'history and rollback ids from the root given earlier' '
	ids=$("$AIPKG" --root "$ROOT" history -q) &&
	test -n "$ids" &&
	complete "aipkg --root $ROOT history " "aipkg --root $ROOT rollback " \
		"aipkg --root=~/root history " "aipkg history --root $ROOT " &&
	# shellcheck disable=SC2086
	each_shell 1 $ids && each_shell 2 $ids && each_shell 3 $ids && each_shell 4 $ids
'

test_expect_success 'agent: its three words once, nothing after "agent run"' '
	complete "aipkg agent " "aipkg agent run " &&
	each_shell 1 run status install-cron &&
	for f in c.2.*
	do
		test_grep ! -e "^run$" -e "^status$" -e "^install-cron$" "$f" || return 1
	done
'

test_expect_success 'values: directories for --root, levels for --fail-on, paths for info' '
	mkdir -p dirs/alpha dirs/beta &&
	complete "aipkg --root dirs/al" "aipkg check-vuln --fail-on h" "aipkg help ins" \
		"aipkg info $TRASH_DIRECTORY/dirs/al" "aipkg info -W $TRASH_DIRECTORY/dirs/al" \
		"aipkg search $TRASH_DIRECTORY/dirs/al" &&
	for f in c.1.* c.4.* c.5.* c.6.*
	do
		grep -q "alpha" "$f" || { echo "$f: no alpha"; cat "$f"; return 1; }
	done &&
	each_shell 2 high &&
	each_shell 3 install
'

test_expect_success 'completion prints no raw escapes, and nothing on stderr' '
	"$AIPKG" __complete --root "$ROOT" install "" >out 2>err &&
	test "$(head -n 1 out)" = words &&
	grep -q "^nginx	" out &&
	test_grep ! "$(printf "\033")" out &&
	"$AIPKG" __complete --root /nonexistent remove "" >out 2>err &&
	test ! -s err &&
	test "$(cat out)" = words
'

test_done
