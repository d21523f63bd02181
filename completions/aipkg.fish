# fish completion for aipkg
# SPDX-License-Identifier: MIT

set -l commands agent ask check-vuln config help history info install list lock mcp recover remove rollback search tool unlock update version

function __aipkg_packages
    aipkg list -q $argv 2>/dev/null
end

function __aipkg_ids
    aipkg history -q --limit 20 2>/dev/null
end

function __aipkg_tools
    aipkg tool --list 2>/dev/null | string replace -rf '^ *"name": "(pkg\.[^"]*)".*' '$1'
end

complete -c aipkg -f
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a agent -d 'the Package Agent: run, status, install-cron'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a ask -d 'plan packages for a request in plain words'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a check-vuln -d 'check packages against the security database'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a config -d 'print the effective configuration'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a help -d 'show the commands or one command'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a history -d 'list the operations aipkg made'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a info -d 'show a package'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a install -d 'install packages'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a list -d 'list packages'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a lock -d 'hold a package at its version'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a mcp -d 'serve the pkg.* tools over MCP'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a recover -d 'reconcile operations a crash left pending'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a remove -d 'remove packages'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a rollback -d 'undo an operation'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a search -d 'search packages and providers'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a tool -d 'call a pkg.* tool with JSON'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a unlock -d 'release a locked package'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a update -d 'refresh indexes and upgrade'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a version -d 'compare or check versions'

# global options
complete -c aipkg -l root -r -F -d 'operate on the system under DIR'
complete -c aipkg -s X -l repository -r -d 'use an extra repository'
complete -c aipkg -l allow-untrusted -d 'let apk install unsigned packages'
complete -c aipkg -l config -r -F -d 'configuration file'
complete -c aipkg -l json -d 'print one JSON document'
complete -c aipkg -s y -l yes -d 'answer yes to confirmations'
complete -c aipkg -s n -l dry-run -d 'show what would be done'
complete -c aipkg -s q -l quiet -d 'print less'
complete -c aipkg -s v -l verbose -d 'print more'
complete -c aipkg -l no-color -d 'no colour'
complete -c aipkg -l lock-timeout -r -d 'seconds to wait for another aipkg'
complete -c aipkg -s h -l help -d 'show help'
complete -c aipkg -s V -l version -d 'show the version'

# command options
complete -c aipkg -n '__fish_seen_subcommand_from search' -s d -l description -d 'also search descriptions'
complete -c aipkg -n '__fish_seen_subcommand_from search' -s x -l exact -d 'match names exactly'
complete -c aipkg -n '__fish_seen_subcommand_from list' -s I -l installed -d 'installed packages'
complete -c aipkg -n '__fish_seen_subcommand_from list' -s u -l upgradable -d 'upgradable packages'
complete -c aipkg -n '__fish_seen_subcommand_from list' -s a -l available -d 'available packages'
complete -c aipkg -n '__fish_seen_subcommand_from list' -s w -l world -d 'the world file'
complete -c aipkg -n '__fish_seen_subcommand_from list' -s l -l locked -d 'locked packages'
complete -c aipkg -n '__fish_seen_subcommand_from history' -l limit -x -d 'at most N operations'
complete -c aipkg -n '__fish_seen_subcommand_from history' -s p -l package -x -a '(__aipkg_packages)' -d 'only operations that changed it'
complete -c aipkg -n '__fish_seen_subcommand_from history' -l since -x -d 'only operations since DATE (UTC)'
complete -c aipkg -n '__fish_seen_subcommand_from rollback' -s f -l force -d 'even when later operations changed the same packages'
complete -c aipkg -n '__fish_seen_subcommand_from remove' -s r -l rdepends -d 'also remove what needs them'
complete -c aipkg -n '__fish_seen_subcommand_from info' -s W -l who-owns -r -F -d 'the installed packages that own the files named'
complete -c aipkg -n '__fish_seen_subcommand_from info' -s L -l contents -d 'also list the files an installed package holds'
complete -c aipkg -n '__fish_seen_subcommand_from version' -s t -l test -d 'compare two versions'
complete -c aipkg -n '__fish_seen_subcommand_from version' -s c -l check -d 'check versions'
complete -c aipkg -n '__fish_seen_subcommand_from mcp' -s r -l read-only -d 'offer only the tools that change nothing'
complete -c aipkg -n '__fish_seen_subcommand_from tool' -s l -l list -d 'list every tool and its schema'

complete -c aipkg -n '__fish_seen_subcommand_from check-vuln' -l refresh -d 'download the security database now'
complete -c aipkg -n '__fish_seen_subcommand_from check-vuln' -l fail-on -x -a 'any critical high medium low' -d 'exit 3 at or above this severity'
complete -c aipkg -n '__fish_seen_subcommand_from install' -l force -d 'install even known-vulnerable versions'
complete -c aipkg -n '__fish_seen_subcommand_from install' -l ask -d 'the arguments are a request in plain words'
complete -c aipkg -n '__fish_seen_subcommand_from ask' -l offline -d 'plan without the language model'
complete -c aipkg -n '__fish_seen_subcommand_from ask' -l force -d 'install even known-vulnerable versions'

complete -c aipkg -n '__fish_seen_subcommand_from update' -l plan -d 'show the risk of each upgrade, change nothing'
complete -c aipkg -n '__fish_seen_subcommand_from agent' -l uninstall -d 'install-cron: remove the job'
complete -c aipkg -n '__fish_seen_subcommand_from agent' -a 'run status install-cron'

# package names
complete -c aipkg -n '__fish_seen_subcommand_from remove update check-vuln' -a '(__aipkg_packages)'
complete -c aipkg -n '__fish_seen_subcommand_from install info' -a '(__aipkg_packages --available)'
complete -c aipkg -n '__fish_seen_subcommand_from lock' -a '(__aipkg_packages)'
complete -c aipkg -n '__fish_seen_subcommand_from unlock' -a '(__aipkg_packages --locked)'
complete -c aipkg -n '__fish_seen_subcommand_from history rollback' -a '(__aipkg_ids)'
complete -c aipkg -n '__fish_seen_subcommand_from help' -a "$commands"
complete -c aipkg -n '__fish_seen_subcommand_from tool' -a '(__aipkg_tools)'
