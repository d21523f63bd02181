#!/bin/sh
# t0170: info --who-owns and search /PATH complete the files inside the root on the line, in bash, zsh and fish.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='completing a path inside --root

"aipkg --root R info --who-owns <TAB>" offered the host'"'"'s files, from the
current directory: the shell listed them, while aipkg looks the path up
inside R (a relative path from R too).  aipkg now lists the paths itself,
inside the root the line names (--root DIR, --root=DIR, ~), following a
symlink as it would be followed with R as "/" (an absolute target stays
in R, ".." stops at R); without --root the root is the host'"'"'s "/".'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-complete.sh
. "$TEST_SRC/cli/lib-complete.sh"

ROOT=$TRASH_DIRECTORY/root
HOME=$TRASH_DIRECTORY
export HOME

test_expect_success 'setup: a root with its own files, an absolute symlink, a host directory' '
	fixture_root "$ROOT" &&
	mkdir -p "$ROOT/opt/inside-root/sub" "$ROOT/var/cache/apk" host/elsewhere &&
	: >"$ROOT/opt/inside-root/tool" &&
	: >"$ROOT/var/cache/apk/APKINDEX.in-root.tar.gz" &&
	ln -s /var/cache/apk "$ROOT/etc/apk/cache" &&
	: >host/elsewhere/host-file &&
	# the host has none of the root'"'"'s names
	test ! -e /opt/inside-root &&
	test ! -e /var/cache/apk/APKINDEX.in-root.tar.gz
'

test_expect_success 'info --who-owns, -W, search /PATH: the paths inside --root DIR' '
	complete "aipkg --root $ROOT info --who-owns /opt/ins" \
		"aipkg --root $ROOT info -W /opt/inside-root/" \
		"aipkg --root $ROOT search /opt/inside-root/t" \
		"aipkg --root $ROOT info /opt/i" &&
	each_shell 1 /opt/inside-root/ &&
	each_shell 2 /opt/inside-root/sub/ /opt/inside-root/tool &&
	each_shell 3 /opt/inside-root/tool &&
	each_shell 4 /opt/inside-root/
'

test_expect_success '--root=DIR, ~ and a relative path (taken from the root, as info takes it)' '
	complete "aipkg --root=$ROOT info -W /opt/ins" "aipkg --root ~/root info -W /opt/ins" \
		"aipkg info --root $ROOT -W opt/ins" "aipkg --root $ROOT info -W opt/inside-root/t" &&
	each_shell 1 /opt/inside-root/ &&
	each_shell 2 /opt/inside-root/ &&
	each_shell 3 opt/inside-root/ &&
	each_shell 4 opt/inside-root/tool
'

test_expect_success 'a symlink is followed inside the root; ".." stops at the root' '
	complete "aipkg --root $ROOT info -W /etc/apk/cache/APK" \
		"aipkg --root $ROOT info -W /../../" &&
	each_shell 1 /etc/apk/cache/APKINDEX.in-root.tar.gz &&
	each_shell 2 /../../opt/ /../../etc/ &&
	# the host'"'"'s /usr is not the root'"'"'s (no package installed one)
	test -d /usr && test ! -e "$ROOT/usr" &&
	no_shell 2 "^/\.\./\.\./usr/$"
'

test_expect_success 'without --root: the host'"'"'s paths' '
	complete "aipkg info -W $TRASH_DIRECTORY/host/else" \
		"aipkg search $TRASH_DIRECTORY/host/elsewhere/h" "aipkg info -W /opt/inside-r" &&
	each_shell 1 "$TRASH_DIRECTORY/host/elsewhere/" &&
	each_shell 2 "$TRASH_DIRECTORY/host/elsewhere/host-file" &&
	no_shell 3 inside-root
'

test_expect_success '__complete: "paths", directories with a slash, nothing for a missing one' '
	"$AIPKG" __complete --root "$ROOT" info -W /opt/inside-root/ >out 2>err &&
	printf "%s\n" paths /opt/inside-root/sub/ /opt/inside-root/tool >want &&
	{ head -n 1 out && sed 1d out | sort; } >got &&
	test_cmp want got &&
	test ! -s err &&
	"$AIPKG" __complete --root "$ROOT" info -W /no/such/dir/ >out 2>err &&
	test "$(cat out)" = paths &&
	test ! -s err
'

test_done
