#!/bin/sh
# t0630: aipkg agent install-cron writes busybox crond's daily job, again and again, and removes it.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent install-cron: ROOT/etc/periodic/daily/aipkg, idempotent, --uninstall, documented'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JOB=$ROOT/etc/periodic/daily/aipkg
MAN=$TEST_SRC/../man/aipkg.8
JQ=$TEST_TOOLS/jsonq

test_expect_success 'setup: an empty root' '
	mkdir -p "$REPO_A/$FIXTURE_ARCH" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	fixture_root "$ROOT" "$REPO_A" &&
	test_path_is_missing "$ROOT/etc/periodic"
'

# The root here is not the running system, so the job runs the aipkg on
# that system's PATH; for --root / it runs this very binary by its path.
test_expect_success 'install-cron writes an executable daily job running "aipkg agent run"' '
	aipkg agent install-cron >out &&
	echo "Wrote $JOB" >expect &&
	test_cmp expect out &&
	test_path_is_file "$JOB" &&
	test -x "$JOB" &&
	head -n 1 "$JOB" >shebang &&
	echo "#!/bin/sh" >expect &&
	test_cmp expect shebang &&
	sh -n "$JOB" &&
	grep -v "^#" "$JOB" >commands &&
	echo "exec aipkg agent run" >expect &&
	test_cmp expect commands
'

test_expect_success 'the job runs the agent: a stand-in aipkg gets "agent run"' '
	mkdir -p bin &&
	printf "#!/bin/sh\necho \"\$*\" >%s/job.args\n" "$TRASH_DIRECTORY" >bin/aipkg &&
	chmod +x bin/aipkg &&
	PATH="$TRASH_DIRECTORY/bin:$PATH" sh "$JOB" &&
	echo "agent run" >expect &&
	test_cmp expect job.args
'

test_expect_success 'agent status says the job is installed' '
	aipkg agent status >status &&
	test_grep "^Cron job: installed" status &&
	aipkg --json agent status >status.json &&
	"$JQ" cron <status.json >actual &&
	echo true >expect && test_cmp expect actual
'

test_expect_success 'install-cron again rewrites the same job' '
	cp "$JOB" job.first &&
	aipkg --json agent install-cron >out.json &&
	"$JQ" installed changed <out.json >actual &&
	printf "true\ntrue\n" >expect && test_cmp expect actual &&
	test_cmp job.first "$JOB" &&
	test -x "$JOB" &&
	ls "$ROOT/etc/periodic/daily" >files &&
	echo aipkg >expect && test_cmp expect files
'

test_expect_success '--dry-run neither writes nor removes it' '
	aipkg --dry-run agent install-cron --uninstall >out &&
	echo "Would remove $JOB" >expect && test_cmp expect out &&
	test_cmp job.first "$JOB"
'

test_expect_success 'install-cron --uninstall removes it; a second time finds nothing' '
	aipkg agent install-cron --uninstall >out &&
	echo "Removed $JOB" >expect && test_cmp expect out &&
	test_path_is_missing "$JOB" &&
	aipkg agent install-cron --uninstall >out &&
	echo "No job at $JOB" >expect && test_cmp expect out &&
	aipkg agent status >status &&
	test_grep "^Cron job: not installed" status
'

test_expect_success 'a job the administrator wrote is neither replaced nor removed' '
	printf "#!/bin/sh\nmy-own-updater\n" >"$JOB" &&
	cp "$JOB" mine &&
	test_expect_code 2 aipkg agent install-cron 2>err &&
	test_grep "not written by aipkg" err &&
	test_cmp mine "$JOB" &&
	test_expect_code 2 aipkg agent install-cron --uninstall 2>err &&
	test_cmp mine "$JOB" &&
	rm "$JOB"
'

test_expect_success 'the man page documents install-cron, the job and --uninstall' '
	sed -n "/^\.SS agent run/,/^\.SS /p" "$MAN" >section &&
	test_grep "install\\\\-cron" section &&
	test_grep "ROOT/etc/periodic/daily/aipkg" section &&
	test_grep "aipkg agent run" section &&
	test_grep "^\.B \\\\%\\\\-\\\\-uninstall" section &&
	"$AIPKG" agent --help >help 2>&1 &&
	test_grep "install-cron" help
'

test_done
