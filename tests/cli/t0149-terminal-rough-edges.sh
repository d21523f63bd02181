#!/bin/sh
# t0149: what a new administrator met at an 80-column terminal, each fixed.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='rough edges at a real terminal

Found by using aipkg at an 80-column terminal (tmux) with apk 2.14.4 and
3.0.6 on a copy of an Alpine 3.20 minirootfs: the history table put its
headings where the rows were not (the columns were narrowed to the
header'"'"'s width when there were few rows); history ID let the terminal
break a long apk command line in mid-word under the labels; remove of a
name nothing knows advised refreshing the indexes; Ctrl-D at a prompt put
"error: nothing changed" on the prompt'"'"'s line; search and list
--available marked a version "[installed]" when another one was; a
rollback to a version only a kept file has showed a disk space total that
counted that version as 0 bytes; a Ctrl-C while apk ran put "error:"
after the echoed "^C", wrapping two columns late; hint: lines, doctor'"'"'s
causes, the agent'"'"'s report and the mcp banner ran past the edge and broke
in mid-word; update --plan cut WHY, its point, to "minor version bump;
f..."; agent run --dry-run printed no plan at all, and agent run and ask
warned twice of the same repository; through one pipe
(2>&1, cron'"'"'s mail) check-vuln'"'"'s error came before its table; info
of an unknown name and a missing --config file said nothing to do;
install --ask without words asked for a package name, rollback 0 did not
say which word was wrong, version alone did not say where aipkg'"'"'s own
version is;
doctor --fix and rollback dry runs printed reasons and apk command lines
of 300 columns, lock and update the locks they made or kept in 100 and
more, info a long depends list
in as many as it had, doctor -v a changed configuration file in 88.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
PTY=$TEST_TOOLS/ptyrun

# on_tty COLS INPUT ARGS...: aipkg on a terminal COLS wide, INPUT typed
# (no colour: the lines are compared as text).
on_tty () {
	_ot_cols=$1 _ot_in=$2
	shift 2
	NO_COLOR=1 "$PTY" -c "$_ot_cols" -i "$_ot_in" "$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# on_tty_after COLS TEXT INPUT ARGS...: as on_tty, INPUT typed once TEXT
# was shown (a Ctrl-C at a prompt); the typed input is echoed, as it is
# to a person.
on_tty_after () {
	_ot_cols=$1 _ot_text=$2 _ot_in=$3
	shift 3
	NO_COLOR=1 "$PTY" -E -c "$_ot_cols" -w "$_ot_text" -i "$_ot_in" \
		"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}


test_expect_success 'setup: nginx installed from A' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	# no security database anywhere: nothing here may use the network
	secdb_config "$ROOT" http://127.0.0.1:9/ &&
	aipkg --yes install nginx >out 2>err
'

test_expect_success 'history: each heading stands over its column, with one operation' '
	on_tty 80 "" history >tty &&
	test_fits 80 tty &&
	head -n 1 tty >head &&
	sed -n 2p tty >row &&
	test_grep "committed" row &&
	# "Status" starts where "committed" starts, "Command" where the command does
	hs=$(awk "{ print index(\$0, \"Status\") }" head) &&
	rs=$(awk "{ print index(\$0, \"committed\") }" row) &&
	test "$hs" = "$rs" &&
	hc=$(awk "{ print index(\$0, \"Command\") }" head) &&
	rc=$(awk -v a="$AIPKG" "{ print index(\$0, substr(a, 1, 8)) }" row) &&
	test "$hc" = "$rc"
'

test_expect_success 'history ID: a long apk command line wraps in the value column' '
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes update nginx >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.27.0-r0$" now &&
	on_tty 80 "" history 2 >tty &&
	test_fits 80 tty &&
	sed -n "/^apk:/,/^World before:/p" tty >apk-lines &&
	test "$(wc -l <apk-lines)" -gt 2 &&
	sed "1d;\$d" apk-lines >rest &&
	# each further line goes on under the value, 14 columns in
	awk "substr(\$0, 1, 14) != \"              \" || substr(\$0, 15, 1) == \" \" { bad = 1 }
		END { exit bad }" rest &&
	# nothing was cut: the words are those of the journal
	tr -s " \n" "  " <apk-lines >joined &&
	test_grep "no-progress upgrade.* nginx" joined &&
	aipkg history 2 >pipe &&
	test "$(grep -c "^apk:" pipe)" = 1 &&
	test "$(sed -n "/^apk:/,/^World before:/p" pipe | wc -l)" = 2
'

test_expect_success 'remove of a name nothing knows: not installed, a close name, no update advice' '
	test_expect_code 1 aipkg remove ngin >out 2>err &&
	test_grep "'"'"'ngin'"'"' is not installed; did you mean: nginx?" err &&
	test_grep ! "aipkg update" err &&
	test_expect_code 1 aipkg remove nosuchthing >out 2>err &&
	test_grep "'"'"'nosuchthing'"'"' is not installed (see '"'"'aipkg list --installed'"'"')" err
'

test_expect_success 'info of a name with no close one, a missing --config: what to do next' '
	test_expect_code 1 aipkg info nosuchthing >out 2>err &&
	test_grep "no package named '"'"'nosuchthing'"'"' (try '"'"'aipkg search nosuchthing'"'"'" err &&
	test_expect_code 2 aipkg --config "$TRASH_DIRECTORY/none.yaml" list >out 2>err &&
	test_grep "cannot read the configuration file $TRASH_DIRECTORY/none.yaml: No such file" err &&
	test_grep "see aipkg.yaml(5)" err
'

test_expect_success 'install --ask without words, rollback 0: the message names the mistake' '
	test_expect_code 2 aipkg install --ask >out 2>err &&
	test_grep "install --ask needs a request" err &&
	test_expect_code 2 aipkg rollback 0 >out 2>err &&
	test_grep "'"'"'0'"'"' is not an id: rollback takes" err &&
	test_expect_code 2 "$AIPKG" version >out 2>err &&
	test_grep "aipkg'"'"'s own version is '"'"'aipkg --version'"'"'" err
'

test_expect_success 'Ctrl-D at the prompt: the message starts on a line of its own' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	test_expect_code 1 on_tty 80 "$(printf "\004")" remove nginx >tty &&
	test_grep "^error: nothing changed: you declined" tty &&
	test_grep ! "\] error:" tty &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'Ctrl-C at the prompt: exit 130, nothing changed, nothing journalled' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	cp "$ROOT/etc/apk/world" world.before &&
	journal_files >journal.before &&
	test_expect_code 130 on_tty_after 80 "Proceed?" "$(printf "\003")" remove nginx >tty &&
	test_grep "Proceed?" tty &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_cmp world.before "$ROOT/etc/apk/world" &&
	journal_files >journal.after &&
	test_cmp journal.before journal.after &&
	# and the state lock went with it (installing what is installed takes
	# the lock and journals nothing)
	aipkg --lock-timeout 0 --yes install nginx >out 2>err &&
	test_grep "already installed" out
'

test_expect_success 'search and list --available: another installed version is named' '
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_B" &&
	aipkg --yes rollback >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now &&
	aipkg search -x nginx >out &&
	test_grep "^nginx  1.27.0-r0  \[installed 1.26.2-r0\]  HTTP" out &&
	aipkg list --available >out &&
	test_grep "^nginx  *1.27.0-r0  *\[installed 1.26.2-r0\]" out &&
	test_grep "^pcre2  *10.43-r0  *\[installed\] " out
'

test_expect_success 'rollback to a version only a kept file has: no made-up disk space' '
	aipkg --yes rollback 3 >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.27.0-r0$" now &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	test_expect_code 1 on_tty 80 "n
" rollback >tty &&
	test_grep "^  nginx  *1.27.0-r0 -> 1.26.2-r0" tty &&
	test_grep ! "Disk space" tty &&
	test_grep "declined" tty
'

# wrapped COLS INDENT FILE LABEL: FILE fits COLS, and the lines that
# continue a line starting with LABEL (those after it that start with
# blanks and are no other label) start INDENT blanks in.
wrapped () {
	test_fits "$1" "$3" &&
	awk -v n="$2" -v label="$4" '
		index($0, label) == 1 { inside = 1; next }
		inside && /^ / && !/^ *[a-z]+: / {
			if (substr($0, 1, n) !~ /^ *$/ || substr($0, n + 1, 1) == " ") {
				print "continued at the wrong column: " $0; bad = 1
			}
			conts++
			next
		}
		{ inside = 0 }
		END { if (!conts) { print "no continuation line after " label; bad = 1 }; exit bad }' "$3"
}

test_expect_success 'a failed apk: its hint wraps under the hint, its fix under the fix' '
	aipkg --yes install telnet-a >out 2>err &&
	test_expect_code 1 on_tty 80 "" --yes install telnet-b >tty &&
	test_grep "^hint: " tty &&
	wrapped 80 6 tty "hint: "
'

test_expect_success 'doctor: a long cause continues in the value column' '
	fixture_use_repos "$ROOT" "$REPO_B" "$TRASH_DIRECTORY/no-such-repo" &&
	test_expect_code 1 on_tty 80 "" doctor >tty &&
	test_grep "^  cause:   " tty &&
	wrapped 80 11 tty "  cause:   " &&
	fixture_use_repos "$ROOT" "$REPO_B"
'

test_expect_success 'update --plan: the reason whole when the table cut it' '
	aipkg --json history --package nginx --limit 1 >last &&
	aipkg --yes rollback "$("$TEST_TOOLS/jsonq" ".transactions[0].id" <last)" >out 2>err &&
	installed_list >now &&
	test_grep "^nginx-1.26.2-r0$" now &&
	on_tty 80 "" update --plan >tty &&
	test_fits 80 tty &&
	test_grep "^nginx  *1.26.2-r0 1.27.0-r0 medium" tty &&
	tr "\n" " " <tty >joined &&
	test_grep "nginx: medium risk (minor version bump)" joined &&
	aipkg update --plan >pipe &&
	test_grep "medium risk (minor version bump)" pipe &&
	test_grep ! "^nginx:" pipe
'

test_expect_success 'agent run --dry-run: the plan, each line within 80 columns' '
	on_tty 80 "" agent run --dry-run >tty &&
	test_fits 80 tty &&
	test_grep "^Indexes: not refreshed (--dry-run)" tty &&
	test_grep "^The plan (--dry-run: nothing was done):" tty &&
	test_grep "^  nginx 1.26.2-r0 -> 1.27.0-r0: sandbox (medium risk)" tty &&
	aipkg agent run --dry-run >pipe &&
	test_grep "^  nginx 1.26.2-r0 -> 1.27.0-r0: sandbox (medium risk): " pipe
'

test_expect_success 'agent run and ask warn once of a repository without an index' '
	fixture_use_repos "$ROOT" "$REPO_B" "$TRASH_DIRECTORY/no-such-repo" &&
	aipkg agent run --dry-run >out 2>err &&
	test "$(grep -c "has no index" err)" = 1 &&
	aipkg ask web server >out 2>err &&
	test "$(grep -c "has no index" err)" = 1 &&
	fixture_use_repos "$ROOT" "$REPO_B"
'

test_expect_success 'mcp at a terminal: the banner within 80 columns' '
	on_tty 80 "$(printf "\004")" mcp >tty &&
	test_grep "an MCP server reading JSON-RPC" tty &&
	test_fits 80 tty
'

test_expect_success 'check-vuln --fail-on through one pipe: the table, then the error' '
	secdb_file secdb/v3.20/main.json main "nginx 1.27.0-r0=CVE-2024-7347" &&
	secdb_file secdb/v3.20/community.json community "htop 2.0-r0=CVE-2019-9999" &&
	secdb_config "$ROOT" "file://$TRASH_DIRECTORY/secdb/" &&
	test_expect_code 3 aipkg check-vuln --refresh --fail-on any >all 2>&1 &&
	secdb_config "$ROOT" http://127.0.0.1:9/ &&
	table=$(grep -n "^nginx  *1.26.2-r0  *nginx  *CVE-2024-7347" all | cut -d: -f1) &&
	error=$(grep -n "^error: 1 vulnerability at or above --fail-on any" all | cut -d: -f1) &&
	test -n "$table" && test -n "$error" &&
	test "$table" -lt "$error"
'

test_expect_success 'doctor --fix and rollback, dry runs: long steps and apk lines wrap' '
	# a repository without the installed packages: each is a long reason
	mkrepo_pkg repo-c htop 3.3.0-r0 -d "Interactive process viewer" \
		-f "usr/share/htop/README=htop\n" &&
	"$TEST_TOOLS/mkrepo" index "repo-c/$FIXTURE_ARCH" -d repo-c &&
	fixture_use_repos "$ROOT" "$TRASH_DIRECTORY/repo-c" &&
	test_expect_code 1 on_tty 80 "" --dry-run doctor --fix >tty &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	test_fits 80 tty &&
	tr "\n" " " <tty | tr -s " " >joined &&
	test_grep "nginx 1.26.2-r0 is in no configured repository: " joined &&
	on_tty 80 "" --dry-run rollback >tty &&
	wrapped 80 4 tty "  /"
'

test_expect_success 'lock of five packages, update keeping them: the lines fit the terminal' '
	on_tty 80 "" --yes lock nginx pcre2 zlib libcrypto3 libssl3 >tty &&
	test_fits 80 tty &&
	tr "\n" " " <tty | tr -s " " >joined &&
	test_grep "Locked nginx at 1.26.2-r0, pcre2 at 10.43-r0, .*: the world file now holds nginx=1.26.2-r0 pcre2=10.43-r0 " joined &&
	on_tty 80 "" --dry-run update >tty &&
	test_fits 80 tty &&
	tr "\n" " " <tty | tr -s " " >joined &&
	test_grep "Kept locked nginx 1.26.2-r0 (1.27.0-r0 available; '"'"'aipkg unlock nginx'"'"' lets it move)" joined
'

test_expect_success 'info: a long depends list wraps in the value column' '
	mkrepo_pkg repo-d gnome-like 44-r0 -d "A meta package with many dependencies" \
		-D bolt -D dbus-x11 -D gdm -D gnome-backgrounds -D gnome-browser-connector \
		-D gnome-control-center -D gnome-initial-setup -D gnome-keyring \
		-D gnome-online-accounts -D gnome-remote-desktop -D gnome-shell \
		-f "usr/share/gnome-like/README=gnome\n" &&
	"$TEST_TOOLS/mkrepo" index "repo-d/$FIXTURE_ARCH" -d repo-d &&
	on_tty 80 "" -X "$TRASH_DIRECTORY/repo-d" info gnome-like >tty &&
	wrapped 80 15 tty "depends:" &&
	aipkg -X "$TRASH_DIRECTORY/repo-d" info gnome-like >pipe &&
	test_grep "^depends:       bolt dbus-x11 .* gnome-shell$" pipe
'

test_expect_success 'doctor -v: the changed configuration as a table within 80 columns' '
	mkrepo_pkg repo-e alpine-baselayout-data-like 3.6.5-r0 -d "Base data" \
		-f "etc/shadow-like=root:*::0:::::\n" &&
	"$TEST_TOOLS/mkrepo" index "repo-e/$FIXTURE_ARCH" -d repo-e &&
	aipkg -X "$TRASH_DIRECTORY/repo-e" --yes install alpine-baselayout-data-like >out 2>err &&
	echo "root:x::0:::::" >"$ROOT/etc/shadow-like" &&
	{ on_tty 80 "" -v -X "$TRASH_DIRECTORY/repo-e" doctor >tty; test $? -le 1; } &&
	test_fits 80 tty &&
	test_grep "^  changed  etc/shadow-like  alpine-baselayout-data-like 3.6.5-r0$" tty
'

test_expect_success 'Ctrl-C while apk runs: the message starts after the echoed ^C' '
	srv_start &&
	fixture_repo_a "$SRV/repo" &&
	fixture_root slow "${SRV_URL%/ok}/slow/1/repo" &&
	test_apk --root slow --allow-untrusted --no-progress update >/dev/null 2>&1 &&
	test_expect_code 130 env NO_COLOR=1 "$PTY" -E -c 80 -w "(1/" -i "$(printf "\003")" \
		"$AIPKG" --root slow --allow-untrusted --yes install nginx >tty &&
	srv_stop &&
	test_grep "^error: apk add was stopped by Ctrl-C" tty &&
	test_fits 80 tty
'

test_done
