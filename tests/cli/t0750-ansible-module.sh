#!/bin/sh
# t0750: aipkg ansible ARGS_FILE speaks Ansible's module protocol (no Ansible needed).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg ansible: the module protocol, driven as Ansible drives it

Ansible hands a WANT_JSON module the path of a JSON file of the task'"'"'s
arguments (its own _ansible_* keys among them) and reads one JSON object
from its stdout.  Every answer here is checked to be exactly that, also
for a missing file, bad JSON, unknown parameters, a failed apk and a
crash; changed is what the installed database and world file say, check
mode changes nothing, and a second identical task changes nothing.'

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
JSONQ=$TEST_TOOLS/jsonq

# args_file PARAMS: args.json, a task of the JSON members PARAMS (root:
# ROOT added), as Ansible writes it.
args_file () {
	printf '{"root": "%s", %s}\n' "$ROOT" "$1" >args.json
}

# task PARAMS: run the module on that task as Ansible would; the answer is
# in "out", its exit status in "rc".
task () {
	args_file "$1" &&
	module_run args.json
}

# module_run FILE: aipkg ansible FILE; stdout must be exactly one line of JSON.
module_run () {
	"$AIPKG" ansible "$1" >out 2>err
	echo $? >rc
	if test "$(wc -l <out)" -ne 1 || ! "$JSONQ" -c <out
	then
		echo "not one JSON line on stdout:"
		cat out
		return 1
	fi
}

# is KEY VALUE: the answer's KEY is VALUE.
is () {
	test "$("$JSONQ" ".$1" <out)" = "$2" ||
		{ echo "$1 is $("$JSONQ" ".$1" <out), wanted $2"; cat out; return 1; }
}

# state_snapshot NAME: the installed db, world file and journal, byte for byte.
state_snapshot () {
	cat "$ROOT/lib/apk/db/installed" "$ROOT/etc/apk/world" >"$1.state" || return 1
	{
		journal_files
		cat "$ROOT/var/lib/aipkg/journal"/*/*.txt
	} >>"$1.state" 2>/dev/null
	return 0
}

test_expect_success 'setup: repositories A and B, a root using A' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	fixture_root "$ROOT" "$REPO_A" &&
	secdb_file "$TRASH_DIRECTORY/secdb/v3.20/main.json" main \
		"curl 8.10.0-r0=CVE-2024-8096" "nginx 1.27.0-r0=CVE-2024-7347" &&
	secdb_file "$TRASH_DIRECTORY/secdb/v3.20/community.json" community &&
	secdb_config "$ROOT" "file://$TRASH_DIRECTORY/secdb/"
'

test_expect_success '--module prints a WANT_JSON sh module that runs aipkg ansible' '
	"$AIPKG" ansible --module >library-aipkg &&
	test "$(sed -n 1p library-aipkg)" = "#!/bin/sh" &&
	test_grep "^# WANT_JSON$" library-aipkg &&
	test_grep "exec \"\$aipkg\" ansible -- \"\$1\"" library-aipkg &&
	sh -n library-aipkg
'

test_expect_success 'the module without aipkg on the host: one failed JSON object' '
	args_file "\"name\": [\"nginx\"]" &&
	test_expect_code 1 env -u AIPKG_BIN PATH=/nonexistent /bin/sh library-aipkg args.json >out 2>err &&
	test "$(wc -l <out)" -eq 1 &&
	is failed true &&
	"$JSONQ" .msg <out >msg &&
	test_grep "aipkg is not installed on this host" msg
'

test_expect_success 'the module runs the aipkg it finds (AIPKG_BIN names one)' '
	state_snapshot before &&
	args_file "\"name\": [\"nginx\"], \"_ansible_check_mode\": true" &&
	AIPKG_BIN="$AIPKG" /bin/sh library-aipkg args.json >out 2>err &&
	"$JSONQ" -c <out &&
	is changed true &&
	state_snapshot after &&
	test_cmp before.state after.state
'

test_expect_success 'no file, a missing file, bad JSON, not an object: one failed object each' '
	test_expect_code 1 "$AIPKG" ansible >out 2>err &&
	test "$(wc -l <out)" -eq 1 && is failed true &&
	"$JSONQ" .msg <out | grep "usage: aipkg ansible ARGS_FILE" &&
	module_run nosuch.json && is failed true && is changed false && test "$(cat rc)" = 1 &&
	"$JSONQ" .msg <out | grep "cannot read the arguments file nosuch.json: No such file" &&
	printf "name=nginx state=present\n" >old-style &&
	module_run old-style && is failed true &&
	"$JSONQ" .msg <out | grep "is not JSON: .*WANT_JSON" &&
	printf "[\"nginx\"]\n" >list.json &&
	module_run list.json && is failed true &&
	"$JSONQ" .msg <out | grep "holds a JSON list, not an object" &&
	test_must_be_empty err
'

test_expect_success 'unknown parameters, bad values, exclusions: named, nothing runs' '
	state_snapshot before &&
	task "\"name\": \"nginx\", \"frob\": 1, \"nmae\": 2, \"_ansible_verbosity\": 3" &&
	is failed true &&
	is msg "Unsupported parameters for (aipkg) module: frob, nmae. Supported parameters include: available, check_vuln, force, lock_timeout, name, no_cache, plan_only, rdepends, repository, rollback, root, state, update_cache, upgrade, world." &&
	task "\"name\": \"nginx\", \"state\": \"gone\"" &&
	is msg "value of state must be one of: present, installed, absent, removed, latest, locked, unlocked, got: gone" &&
	task "\"update_cache\": \"maybe\"" &&
	"$JSONQ" .msg <out | grep "unable to convert to bool: the value .maybe. is not a valid boolean" &&
	task "\"name\": \"nginx\", \"upgrade\": true" &&
	is msg "parameters are mutually exclusive: name|upgrade" &&
	task "\"state\": \"absent\"" &&
	is msg "one of the following is required: name, update_cache, upgrade, rollback, check_vuln, plan_only" &&
	task "\"rollback\": \"first\"" &&
	"$JSONQ" .msg <out | grep "rollback takes an operation id .* or .last., not .first." &&
	task "\"name\": \"nginx=1.0\", \"state\": \"absent\"" &&
	is msg "state absent takes package names without a version, not '"'"'nginx=1.0'"'"'" &&
	task "\"name\": \"--allow-untrusted\"" &&
	is failed true &&
	task "\"name\": \"nginx\", \"world\": \"/etc/apk/world.custom\"" &&
	"$JSONQ" .msg <out | grep "give root:" &&
	task "\"check_vuln\": {\"fail_on\": \"huge\"}" &&
	is msg "value of check_vuln.fail_on must be one of: any, critical, high, medium, low, got: huge" &&
	state_snapshot after &&
	test_cmp before.state after.state
'

test_expect_success 'a root that is not Alpine is a failed task' '
	printf "{\"root\": \"%s\", \"name\": \"nginx\"}\n" "$TRASH_DIRECTORY" >args.json &&
	module_run args.json && is failed true &&
	"$JSONQ" .msg <out | grep "is not an Alpine root"
'

test_expect_success 'check mode plans, reports and changes nothing; diff only when asked' '
	state_snapshot before &&
	task "\"name\": \"nginx,curl\", \"_ansible_check_mode\": true, \"_ansible_diff\": false" &&
	is changed true &&
	is world_added "[\"nginx\",\"curl\"]" &&
	"$JSONQ" .packages <out | grep "\"libcrypto3\"" &&
	"$JSONQ" .msg <out | grep "^would install " &&
	test_must_fail "$JSONQ" .diff <out &&
	task "\"name\": [\"nginx\", \"curl\"], \"_ansible_check_mode\": true, \"_ansible_diff\": true" &&
	"$JSONQ" ".diff[0].after" <out >world.after &&
	printf "nginx\ncurl\n\n" >expect && test_cmp expect world.after &&
	"$JSONQ" ".diff[1].after" <out | grep "^nginx 1.26.2-r0$" &&
	"$JSONQ" ".diff[0].before_header" <out | grep "/etc/apk/world$" &&
	state_snapshot after &&
	test_cmp before.state after.state
'

test_expect_success 'install: changed, journalled with caller ansible; again: unchanged' '
	task "\"name\": [\"nginx\", \"curl\"], \"_ansible_diff\": true" &&
	is changed true && test "$(cat rc)" = 0 &&
	id=$("$JSONQ" .id <out) &&
	"$JSONQ" .diff[1].after <out | grep "^curl 8.9.0-r0$" &&
	aipkg --json history "$id" >h.json &&
	"$JSONQ" .transactions[0].caller <h.json >caller &&
	echo ansible >expect && test_cmp expect caller &&
	"$JSONQ" .transactions[0].command <h.json | grep "^aipkg ansible {\"name\":\[\"nginx\",\"curl\"\]" &&
	n=$(journal_count) &&
	task "\"name\": [\"nginx\", \"curl\"]" &&
	is changed false &&
	is packages "[]" &&
	"$JSONQ" .msg <out | grep "already installed: nginx, curl" &&
	test "$(journal_count)" = "$n"
'

test_expect_success 'changed is what changed: a dependency named goes into world' '
	task "\"name\": \"libcurl\"" &&
	is changed true &&
	is packages "[]" &&
	is world_added "[\"libcurl\"]" &&
	task "\"name\": \"libcurl\", \"state\": \"absent\", \"_ansible_check_mode\": true" &&
	is failed true &&
	"$JSONQ" .msg <out | grep "libcurl is needed by curl"
'

test_expect_success 'lock and unlock: once changed, then unchanged' '
	task "\"name\": \"curl\", \"state\": \"locked\"" &&
	is changed true && is world_added "[\"curl=8.9.0-r0\"]" &&
	task "\"name\": \"curl\", \"state\": \"locked\"" &&
	is changed false &&
	task "\"name\": [\"curl\", \"htop\"], \"state\": \"unlocked\", \"_ansible_check_mode\": true" &&
	is changed true && is world_removed "[\"curl=8.9.0-r0\"]" &&
	grep "^curl=8.9.0-r0$" "$ROOT/etc/apk/world"
'

test_expect_success 'state latest and upgrade: from an extra repository, idempotent' '
	task "\"name\": \"nginx\", \"state\": \"latest\"" &&
	is changed false &&
	task "\"name\": \"nginx\", \"state\": \"latest\", \"repository\": [\"$REPO_B\"]" &&
	is changed true &&
	"$JSONQ" .msg <out | grep "upgraded .*nginx 1.26.2-r0 -> 1.27.0-r0" &&
	task "\"name\": \"nginx\", \"state\": \"latest\", \"repository\": \"$REPO_B\"" &&
	is changed false &&
	task "\"upgrade\": \"yes\", \"repository\": [\"$REPO_B\"]" &&
	is changed true &&
	is skipped_locked[0].name curl &&
	task "\"upgrade\": true, \"repository\": [\"$REPO_B\"]" &&
	is changed false
'

test_expect_success 'the vulnerability gate fails the task (in check mode when nothing would change)' '
	task "\"check_vuln\": {}" &&
	is changed false &&
	is check_vuln.vulnerabilities[0].package curl &&
	task "\"check_vuln\": {\"fail_on\": \"high\"}" &&
	is failed true && test "$(cat rc)" = 1 &&
	"$JSONQ" .msg <out >msg &&
	test_grep "^vulnerability gate: 1 finding at or above fail_on high: curl 8.9.0-r0 CVE-2024-8096 (fixed in 8.10.0-r0)$" msg &&
	task "\"check_vuln\": {\"fail_on\": \"high\"}, \"_ansible_check_mode\": true" &&
	is failed true &&
	task "\"name\": \"htop\", \"check_vuln\": {\"fail_on\": \"high\"}, \"_ansible_check_mode\": true" &&
	is changed true &&
	test_must_fail "$JSONQ" .failed <out &&
	"$JSONQ" .warnings <out | grep "the versions installed now; the task would change packages"
'

test_expect_success 'rollback: ID and last, each only once' '
	n=$(journal_count) &&
	task "\"rollback\": \"last\"" &&
	is changed true &&
	undone=$("$JSONQ" .undoes <out) &&
	task "\"rollback\": \"last\"" &&
	is changed false &&
	"$JSONQ" .msg <out | grep "is the rollback of operation $undone: nothing to roll back" &&
	task "\"rollback\": \"$undone\"" &&
	is changed false &&
	"$JSONQ" .msg <out | grep "operation $undone was already undone by operation" &&
	test "$(journal_count)" = $((n + 1))
'

test_expect_success 'a broken dependency fails the task with apk'"'"'s reason, nothing half-done' '
	state_snapshot before &&
	task "\"name\": [\"htop\", \"broken\"]" &&
	is failed true && is changed false &&
	"$JSONQ" .msg <out | grep "libmissing" &&
	"$JSONQ" .diagnosis.what <out | grep "libmissing" &&
	state_snapshot after &&
	test_cmp before.state after.state
'

test_expect_success 'absent: removes once; names not installed are already absent' '
	task "\"name\": [\"htop\", \"lighttpd\"], \"state\": \"removed\"" &&
	is changed false &&
	task "\"name\": \"htop\"" && is changed true &&
	task "\"name\": [\"htop\", \"lighttpd\"], \"state\": \"absent\"" &&
	is changed true && is packages "[\"htop\"]" &&
	task "\"name\": [\"htop\", \"lighttpd\"], \"state\": \"absent\"" &&
	is changed false
'

test_expect_success 'update_cache in check mode runs no apk; plan_only changes nothing' '
	: >apk.log &&
	APK_DOUBLE_LOG=$TRASH_DIRECTORY/apk.log &&
	export APK_DOUBLE_LOG &&
	task "\"update_cache\": true, \"_ansible_check_mode\": true" &&
	unset APK_DOUBLE_LOG &&
	is changed false &&
	"$JSONQ" .msg <out | grep "would be refreshed" &&
	test_grep ! " update" apk.log &&
	state_snapshot before &&
	task "\"plan_only\": true, \"update_cache\": \"no\"" &&
	is changed false &&
	"$JSONQ" .plan <out >/dev/null &&
	state_snapshot after &&
	test_cmp before.state after.state
'

test_expect_success 'no_cache keeps no package file for rollback' '
	rm -rf "$ROOT/var/lib/aipkg/packages" &&
	task "\"name\": \"bind-tools\", \"no_cache\": true" &&
	is changed true &&
	! ls "$ROOT/var/lib/aipkg/packages"/bind-tools-* 2>/dev/null &&
	task "\"name\": \"htop\"" &&
	test_path_is_file "$ROOT/var/lib/aipkg/packages/htop-3.3.0-r0.apk"
'

# apk that kills aipkg (its parent) with SIGSEGV when the change starts,
# then makes the change: a crash half-way through.
test_expect_success 'a crash still answers one JSON object; the next task reconciles' '
	cat >crash-apk <<-EOF &&
	#!/bin/sh
	case " \$* " in
	*" --simulate "* | *" --version "*) ;;
	*" add "*) kill -SEGV \$PPID; $AIPKG_APK "\$@" >/dev/null 2>&1; : >"$TRASH_DIRECTORY/apk-done"; exit ;;
	esac
	exec $AIPKG_APK "\$@"
	EOF
	chmod +x crash-apk &&
	printf "{\"root\": \"%s\", \"name\": \"lighttpd\"}\n" "$ROOT" >args.json &&
	test_expect_code 139 env AIPKG_APK="$TRASH_DIRECTORY/crash-apk" "$AIPKG" ansible args.json \
		>out 2>err &&
	test "$(wc -l <out)" -eq 1 &&
	is failed true &&
	"$JSONQ" .msg <out | grep "crashed (signal 11" &&
	# the orphaned apk finishes the change: wait for it, not for a time
	_i=0 &&
	while ! test -f apk-done && test $_i -lt 600
	do
		sleep 0.1
		_i=$((_i + 1))
	done &&
	test -f apk-done &&
	task "\"name\": \"lighttpd\"" &&
	is changed false &&
	"$JSONQ" .warnings <out | grep "was interrupted and is still marked pending" &&
	task "\"name\": \"htop\", \"state\": \"absent\"" &&
	is changed true &&
	"$JSONQ" .warnings <out | grep "had been interrupted; reconciled" &&
	test_journal_matches_db
'

test_done
