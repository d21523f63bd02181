#!/bin/sh
# t0626: sandbox trials refuse what a change refuses: a repository or state directory others can write.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='agent run: no sandbox trial with an unsafe repository

A change refuses to run apk while a local repository other users can
write is configured (they could hand apk any index and packages).  The
agent'"'"'s sandbox trials ran apk on a scratch root with the same
repositories anyway, and then the package'"'"'s check there, as root:
another user'"'"'s package could run as root before anything refused.
A trial now refuses as the change does, and so with a state directory
others can write.'

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
REPO_C=$TRASH_DIRECTORY/repo-c
MARK=$TRASH_DIRECTORY/trial-ran
trap 'secdb_stop' EXIT

test_expect_success 'setup: curl sandboxed, its check leaves a mark; repo C writable by all' '
	agent_fixtures &&
	agent_root &&
	secdb_stub &&
	agent_secdb &&
	agent_config "allow: [curl]" &&
	sed -i "s|^    nginx: .*|    curl: \"touch $MARK\"|" "$ROOT/etc/aipkg/aipkg.yaml" &&
	cp -R "$REPO_A" "$REPO_C" &&
	chmod 0777 "$REPO_C" &&
	fixture_use_repos "$ROOT" "$REPO_B" "$REPO_C" &&
	cp "$ROOT/lib/apk/db/installed" installed.before
'

test_expect_success 'the trial refuses the repository: no apk, no check, nothing applied' '
	aipkg agent run >out 2>err &&
	test_path_is_missing "$MARK" &&
	test_grep "curl .*sandbox trial failed: .*repository $REPO_C, which other users can write" out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test -z "$(ls -A "$ROOT/var/lib/aipkg/sandbox" 2>/dev/null)"
'

test_expect_success 'once the repository is private again, the trial runs' '
	chmod 0755 "$REPO_C" &&
	aipkg agent run >out 2>err &&
	test_path_is_file "$MARK" &&
	test "$(version_of curl)" = 8.10.1-r0
'

test_expect_success 'a state directory others can write: no trial either' '
	rm -f "$MARK" &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	aipkg --yes unlock telnet-a >out 2>err &&
	agent_config "allow: [telnet-a]" &&
	sed -i "s|^    nginx: .*|    telnet-a: \"touch $MARK\"|" "$ROOT/etc/aipkg/aipkg.yaml" &&
	chmod o+w "$ROOT/var/lib/aipkg" &&
	test_must_fail aipkg agent run >out 2>err &&
	chmod o-w "$ROOT/var/lib/aipkg" &&
	test_path_is_missing "$MARK" &&
	test_grep "refusing the state directory" out &&
	test_grep ! "Unknown error" err &&
	test_grep "^error: the agent run failed; see the report above$" err
'

test_done
