# bash completion for aipkg                                  -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# aipkg itself says what may come next (aipkg __complete WORD... CURRENT,
# from its command table): commands, options, packages from the root the
# line names (--root DIR, --root=DIR, ~), operation ids, option values,
# and the files inside that root for info --who-owns and search /PATH.

_aipkg()
{
	# shellcheck disable=SC2034 # set by _init_completion, read by _filedir
	local cur prev words cword split
	# -s: "--root=DIR" stays one word before the cursor, and at the cursor
	# cur is what follows the "="
	_init_completion -s || return

	local -a out
	local IFS=$'\n'
	mapfile -t out < <("${words[0]}" __complete "${words[@]:1:cword-1}" "${words[cword]}" \
		2>/dev/null)
	case ${out[0]-} in
	dirs) _filedir -d ;;
	files) _filedir ;;
	words)
		COMPREPLY=("${out[@]:1}")
		COMPREPLY=("${COMPREPLY[@]%%$'\t'*}")
		# "--root=": the value follows without a blank
		[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace
		;;
	paths)
		# paths inside the root on the line (aipkg lists them: the
		# host's are not the system's); a directory ends in "/" and
		# the path goes on without a blank
		COMPREPLY=("${out[@]:1}")
		[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == */ ]] && compopt -o nospace
		;;
	esac
	return 0
}
complete -F _aipkg aipkg
