# fish completion for aipkg
# SPDX-License-Identifier: MIT
#
# aipkg itself says what may come next (aipkg __complete WORD... CURRENT,
# from its command table): commands, options, packages from the root the
# line names (--root DIR, --root=DIR, ~), operation ids, option values,
# and the files inside that root for info --who-owns and search /PATH.

function __aipkg_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    command -q $tokens[1]; or return
    set -l out ($tokens[1] __complete $tokens[2..-1] "$cur" 2>/dev/null)
    # --root=DIR: complete what follows the "=", keep the option in front
    set -l prefix (string match -r -- '^--[^=]*=' "$cur")
    set -l value (string replace -r -- '^--[^=]*=' '' "$cur")
    switch "$out[1]"
        case dirs
            for d in (__fish_complete_directories "$value")
                echo "$prefix$d"
            end
        case files
            for f in (__fish_complete_path "$value")
                echo "$prefix$f"
            end
        case words paths
            # paths: inside the root on the line, a directory ending in "/"
            for w in $out[2..-1]
                echo "$prefix$w"
            end
    end
end

complete -c aipkg -f -a '(__aipkg_complete)'
