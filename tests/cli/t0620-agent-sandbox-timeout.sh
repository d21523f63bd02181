#!/bin/sh
# t0620: a sandbox trial that hangs is stopped at agent.sandbox_timeout and the upgrade deferred.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: a hanging sandbox check or apk times out, defers, applies nothing, cleans up'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JQ=$TEST_TOOLS/jsonq
SANDBOXES=$ROOT/var/lib/aipkg/sandbox

# hang_config CHECK: only curl is looked at (a medium: sandboxed), its
# check is CHECK, and a trial may take 2 seconds.
hang_config () {
	mkdir -p "$ROOT/etc/aipkg" &&
	cat >"$ROOT/etc/aipkg/aipkg.yaml" <<-EOC
	vuln:
	  secdb_url: $SECDB_URL
	  max_age: 0
	agent:
	  allow: [curl]
	  sandbox_timeout: 2
	  checks:
	    curl: '$1'
	EOC
}

# The curl entry of the newest report (the packages are sorted by name).
curl_entry () {
	_ce=$(agent_last_report) &&
	"$JQ" "$@" <"$_ce"
}

test_no_sandbox_left () {
	test_path_is_dir "$SANDBOXES" &&
	test -z "$(ls -A "$SANDBOXES")"
}

test_expect_success 'setup: repo A installed, repo B configured, a check that never ends' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	hang_config "echo \$\$ >$TRASH_DIRECTORY/check.pid; exec sleep 60" &&
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	journal_count >journal.before
'

test_expect_success 'the hanging check is stopped after agent.sandbox_timeout' '
	start=$(date +%s) &&
	aipkg agent run >out 2>err &&
	end=$(date +%s) &&
	test $((end - start)) -lt 15 &&
	test_grep "curl 8.9.0-r0 -> 8.10.1-r0: medium risk (minor version bump): sandbox trial failed: the check .echo .* timed out (agent.sandbox_timeout)" out
'

test_expect_success 'the check and what it started are gone' '
	test_path_is_file check.pid &&
	pid=$(cat check.pid) &&
	wait_for 10 eval "! kill -0 $pid 2>/dev/null"
'

test_expect_success 'nothing was applied and the sandbox is cleaned up' '
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	journal_count >journal.after &&
	test_cmp journal.before journal.after &&
	test_no_sandbox_left
'

test_expect_success 'the report records the timed-out check and the deferral' '
	curl_entry "packages[1].name" "packages[1].result" \
		"packages[1].sandbox.passed" "packages[1].sandbox.checks[1].timed_out" \
		summary.applied summary.deferred >actual &&
	printf "curl\ndeferred\nfalse\ntrue\n0\n1\n" >expect &&
	test_cmp expect actual &&
	aipkg agent status >status &&
	test_grep "^curl  *8.9.0-r0  *8.10.1-r0  *medium .*timed out (agent.sandbox_timeout)" status
'

test_expect_success 'an apk that hangs in the sandbox is stopped too' '
	cat >hang-apk <<-\EOS &&
	case " $* " in
	*" --initdb "*) exec sleep 60 ;;
	esac
	# shellcheck disable=SC2086
	exec $HANG_APK_REAL "$@"
	EOS
	hang_config true &&
	start=$(date +%s) &&
	(
		HANG_APK_REAL=$AIPKG_APK AIPKG_APK="sh $TRASH_DIRECTORY/hang-apk" &&
		export HANG_APK_REAL AIPKG_APK &&
		aipkg -v agent run >out 2>err
	) &&
	end=$(date +%s) &&
	test $((end - start)) -lt 15 &&
	test_grep "curl .*sandbox trial failed: apk did not finish in the sandbox within 2 s (agent.sandbox_timeout)" out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_no_sandbox_left
'

test_done
