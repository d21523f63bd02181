# The command table as the tests walk it: commands and their options, from aipkg help --json.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  command_table writes table.json and
# commands (one name a line) in the current directory; command_options
# CMD prints "LONG SHORT ARG" for each option of CMD ("-" for none), or
# of the global table when CMD is empty.  New commands are walked too.

command_table () {
	"$AIPKG" --json help >table.json || return 1
	_ct_n=$("$TEST_TOOLS/jsonq" "commands#" <table.json) || return 1
	_ct_i=0
	while test "$_ct_i" -lt "$_ct_n"
	do
		"$TEST_TOOLS/jsonq" "commands[$_ct_i].name" <table.json || return 1
		_ct_i=$((_ct_i + 1))
	done >commands
	test "$(wc -l <commands)" -gt 10
}

command_options () {
	if test -z "$1"
	then
		_co_path=global_options
	else
		_co_i=$(grep -n "^$1\$" commands | cut -d: -f1) &&
		_co_path="commands[$((_co_i - 1))].options"
	fi
	_co_n=$("$TEST_TOOLS/jsonq" "$_co_path#" <table.json) || return 1
	test "$_co_n" -gt 0 || return 0
	_co_j=0 _co_paths=
	while test "$_co_j" -lt "$_co_n"
	do
		_co_p="${_co_path}[$_co_j]"
		_co_paths="$_co_paths $_co_p.long $_co_p.short $_co_p.arg"
		_co_j=$((_co_j + 1))
	done
	# shellcheck disable=SC2086 # the paths hold no blanks
	"$TEST_TOOLS/jsonq" $_co_paths <table.json | sed "s/^null$/-/" | paste -d " " - - -
}
