# Drive the completion scripts of bash (with bash-completion), zsh and fish without a person.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  complete_bash, complete_zsh and complete_fish
# STEM LINE... write what the shell would offer when TAB is pressed at the
# end of each LINE (a line starting with "aipkg") to STEM.N.SHELL, one
# candidate a line, without descriptions; one shell process answers all
# the lines.  "aipkg" is the built binary, found through PATH as a user
# would find it.  Each shell's prerequisite (BASH_COMPLETION, ZSH, FISH) is
# set when it is installed; tests/run-all installs all three.

COMP=$TEST_SRC/../completions
BASH_COMPLETION_SCRIPT=
for _bc in /usr/share/bash-completion/bash_completion /etc/bash_completion
do
	if test -f "$_bc" && command -v bash >/dev/null
	then
		BASH_COMPLETION_SCRIPT=$_bc
		test_set_prereq BASH_COMPLETION
		break
	fi
done
command -v zsh >/dev/null && test_set_prereq ZSH
command -v fish >/dev/null && test_set_prereq FISH

if ! mkdir -p "$TRASH_DIRECTORY/bin" || ! ln -sf "$AIPKG" "$TRASH_DIRECTORY/bin/aipkg"
then
	error "cannot put aipkg on PATH"
fi
PATH=$TRASH_DIRECTORY/bin:$PATH
export PATH

# complete_bash STEM LINE...: for the Nth LINE, STEM.N.bash gets what
# _aipkg offers, with COMP_WORDS split as bash splits them (blanks, and
# COMP_WORDBREAKS' "=" and ":" as words of their own).
complete_bash () {
	# shellcheck disable=SC2016 # bash expands these, not sh
	bash --norc --noprofile -c '
		. "$1" && . "$2" || exit 1
		stem=$3
		shift 3
		n=0
		for COMP_LINE; do
			n=$((n + 1))
			COMP_POINT=${#COMP_LINE}
			COMP_WORDS=()
			w=
			for ((i = 0; i < ${#COMP_LINE}; i++)); do
				c=${COMP_LINE:i:1}
				case $c in
				" ") [[ -n $w ]] && COMP_WORDS+=("$w"); w= ;;
				[=:]) [[ -n $w ]] && COMP_WORDS+=("$w"); COMP_WORDS+=("$c"); w= ;;
				*) w+=$c ;;
				esac
			done
			COMP_WORDS+=("$w")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			_aipkg aipkg "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
			printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" >"$stem.$n.bash"
		done
	' complete_bash "$BASH_COMPLETION_SCRIPT" "$COMP/aipkg.bash" "$@"
}

# complete_zsh STEM LINE...: an interactive zsh on a pseudo-terminal
# (zpty, tests/cli/zsh-complete.zsh) presses TAB after each LINE.
complete_zsh () {
	zsh -f "$TEST_SRC/cli/zsh-complete.zsh" "$COMP" "$@"
}

# complete_fish STEM LINE...: fish's own "complete -C".
complete_fish () {
	# shellcheck disable=SC2016 # fish expands these, not sh
	fish --no-config -c '
		source $argv[1]
		set -l stem $argv[2]
		set -l n 0
		for line in $argv[3..-1]
			set n (math $n + 1)
			# (string replace fails when no line had a description)
			complete -C $line | string replace -r "\t.*" "" >$stem.$n.fish
		end
		true
	' "$COMP/aipkg.fish" "$@"
}

# complete_all_shells STEM LINE...: each installed shell completes each
# LINE; STEM.N.SHELL holds what it offered for the Nth (sorted, no
# duplicates); a shell that is missing leaves no file.
complete_all_shells () {
	for _cas in bash zsh fish
	do
		case $_cas in
		bash) test_have_prereq BASH_COMPLETION || continue ;;
		zsh) test_have_prereq ZSH || continue ;;
		fish) test_have_prereq FISH || continue ;;
		esac
		"complete_$_cas" "$@" || return 1
		_cas_n=0
		while test "$_cas_n" -lt $(($# - 1))
		do
			_cas_n=$((_cas_n + 1))
			sed "/^$/d" "$1.$_cas_n.$_cas" | sort -u >"$1.$_cas_n.$_cas.sorted" &&
			mv "$1.$_cas_n.$_cas.sorted" "$1.$_cas_n.$_cas" || return 1
		done
	done
}

# offered FILE WORD...: each WORD is among what the shell offered (FILE).
offered () {
	_of_file=$1
	shift
	for _of_w
	do
		grep -qxF -e "$_of_w" "$_of_file" || {
			echo "$_of_file: '$_of_w' not offered; it offered:"
			sed "s/^/  /" "$_of_file" | head -20
			return 1
		}
	done
}

# each_shell N WORD...: every shell that ran offered each WORD for line N
# of the last complete_all_shells c ... (files c.N.SHELL).
each_shell () {
	_es_n=$1
	shift
	for _es_f in c."$_es_n".bash c."$_es_n".zsh c."$_es_n".fish
	do
		test -f "$_es_f" || continue
		offered "$_es_f" "$@" || return 1
	done
}

# no_shell N PATTERN: no shell offered a word matching PATTERN for line N.
no_shell () {
	for _ns_f in c."$1".bash c."$1".zsh c."$1".fish
	do
		test -f "$_ns_f" || continue
		test_grep ! -e "$2" "$_ns_f" || return 1
	done
}

# complete LINE...: every installed shell completes each LINE (c.N.SHELL).
complete () {
	rm -f c.* &&
	complete_all_shells c "$@"
}
