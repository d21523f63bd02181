# What zsh offers at TAB, without a person.
# usage: zsh -f zsh-complete.zsh FPATH STEM LINE...  (writes STEM.N.zsh for the Nth LINE)
# SPDX-License-Identifier: MIT
#
# One interactive zsh runs on a pseudo-terminal (zpty) with compinit and
# FPATH (where _aipkg is) first on fpath.  compadd is wrapped to append
# each candidate it adds to the file $__out names; TAB runs complete-word
# and then writes "<<done>>" there, which this script waits for (10 s at
# most) before it clears the line and types the next.

zmodload zsh/zpty zsh/zselect || exit 1
fpath_dir=$1 stem=$2
shift 2

zpty aipkg_zsh zsh -f -i
zpty -w aipkg_zsh "PS1='' PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w aipkg_zsh "fpath=(${(q)fpath_dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w aipkg_zsh "unsetopt auto_list list_beep; zstyle ':completion:*' menu no; bindkey -e"
# compadd: the matches it adds (-O gives them without adding), then add
zpty -w aipkg_zsh 'compadd () {
	if [[ ${@[(I)-[OAD]*]} -gt 0 ]]; then builtin compadd "$@"; return; fi
	local -a __hits
	builtin compadd -O __hits "$@"
	print -rl -- $__hits >>$__out
	builtin compadd "$@"
}'
zpty -w aipkg_zsh "zle -C aipkg-complete complete-word _main_complete"
zpty -w aipkg_zsh "aipkg-tab () { zle aipkg-complete; print -r -- '<<done>>' >>\$__out }"
zpty -w aipkg_zsh "zle -N aipkg-tab; bindkey '^I' aipkg-tab"

n=0
for line; do
	n=$((n + 1))
	out=$stem.$n.zsh
	: >$out
	zpty -w aipkg_zsh "__out=${(q)out}"
	zpty -w -n aipkg_zsh "$line"$'\t'
	for i in {1..1000}; do
		# drain what zsh draws, so it never blocks on a full terminal
		while zpty -r -t aipkg_zsh chunk 2>/dev/null; do :; done
		[[ $(<$out) == *'<<done>>'* ]] && break
		zselect -t 1
	done
	if ! grep -q '^<<done>>$' $out; then
		print -u2 "zsh-complete: no answer for: $line"
		zpty -d aipkg_zsh
		exit 1
	fi
	sed -i '/^<<done>>$/d' $out
	# clear the line for the next one
	zpty -w -n aipkg_zsh $'\025'
done
zpty -d aipkg_zsh
