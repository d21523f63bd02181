# bash completion for aipkg                                  -*- shell-script -*-
# SPDX-License-Identifier: MIT

_aipkg_packages()
{
	# installed names for remove/info, the indexes' names for the rest
	local root="" i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		[[ ${COMP_WORDS[i]} == --root ]] && root=${COMP_WORDS[i + 1]}
	done
	aipkg ${root:+--root "$root"} list -q "$@" 2>/dev/null
}

_aipkg_ids()
{
	aipkg history -q --limit 20 2>/dev/null
}

_aipkg_tools()
{
	aipkg tool --list 2>/dev/null | sed -n 's/^ *"name": "\(pkg\.[^"]*\)".*/\1/p'
}

_aipkg()
{
	local cur prev words cword
	_init_completion || return

	local commands="agent ask check-vuln config help history info install list lock mcp recover remove
		rollback search tool unlock update version"
	local globals="--root --repository -X --allow-untrusted --config --json --yes -y
		--dry-run -n --quiet -q --verbose -v --no-color --lock-timeout --help -h
		--version -V"
	case $prev in
	--root | --config)
		_filedir
		return
		;;
	--repository | -X | --lock-timeout | --limit | --since)
		return
		;;
	--package | -p)
		[[ ${words[1]} == history || " ${words[*]} " == *" history "* ]] &&
			mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_packages)" -- "$cur")
		return
		;;
	--fail-on)
		mapfile -t COMPREPLY < <(compgen -W "any critical high medium low" -- "$cur")
		return
		;;
	esac

	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--root | --config | --repository | -X | --lock-timeout) ((i++)) ;;
		-*) ;;
		*)
			cmd=${words[i]}
			break
			;;
		esac
	done

	local opts=""
	case $cmd in
	search) opts="--description -d --exact -x" ;;
	list) opts="--installed -I --upgradable -u --available -a --world -w --locked -l" ;;
	history) opts="--limit --package -p --since" ;;
	rollback) opts="--force -f" ;;
	remove) opts="--rdepends -r" ;;
	info) opts="--who-owns -W --contents -L" ;;
	version) opts="--test -t --check -c" ;;
	check-vuln) opts="--refresh --fail-on" ;;
	install) opts="--force --ask" ;;
	ask) opts="--offline --force" ;;
	mcp) opts="--read-only -r" ;;
	tool) opts="--list -l" ;;
	agent) opts="--uninstall" ;;
	update) opts="--plan" ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$globals $opts" -- "$cur")
		return
	fi
	case $cmd in
	"") mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
	agent) mapfile -t COMPREPLY < <(compgen -W "run status install-cron" -- "$cur") ;;
	help) mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
	remove | update | check-vuln) mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_packages)" -- "$cur") ;;
	info | search) [[ $cur == /* ]] && mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;&
	install | info) [[ $cur == /* ]] ||
		mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_packages --available)" -- "$cur") ;;
	lock) mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_packages)" -- "$cur") ;;
	unlock) mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_packages --locked)" -- "$cur") ;;
	history | rollback) mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_ids)" -- "$cur") ;;
	tool) [[ ${words[cword - 1]} == tool ]] &&
		mapfile -t COMPREPLY < <(compgen -W "$(_aipkg_tools)" -- "$cur") ;;
	esac
}
complete -F _aipkg aipkg
