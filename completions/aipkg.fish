# fish completion for aipkg
# SPDX-License-Identifier: MIT

set -l commands config help info install list remove search update version

function __aipkg_packages
    aipkg list -q $argv 2>/dev/null
end

complete -c aipkg -f
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a config -d 'print the effective configuration'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a help -d 'show the commands or one command'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a info -d 'show a package'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a install -d 'install packages'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a list -d 'list packages'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a remove -d 'remove packages'
complete -c aipkg -n "not __fish_seen_subcommand_from $commands" -a search -d 'search packages and providers'
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
complete -c aipkg -n '__fish_seen_subcommand_from remove' -s r -l rdepends -d 'also remove what needs them'
complete -c aipkg -n '__fish_seen_subcommand_from version' -s t -l test -d 'compare two versions'
complete -c aipkg -n '__fish_seen_subcommand_from version' -s c -l check -d 'check versions'

# package names
complete -c aipkg -n '__fish_seen_subcommand_from remove update' -a '(__aipkg_packages)'
complete -c aipkg -n '__fish_seen_subcommand_from install info' -a '(__aipkg_packages --available)'
complete -c aipkg -n '__fish_seen_subcommand_from help' -a "$commands"
