#!/bin/sh
# t0850: a user who cannot change the system hears that it needs root, before anything is planned.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='changing the system as a user who may not

Run as root, the tests drop to nobody with setpriv; run as another user,
they take the write permission away from the root'"'"'s apk database.  A
change then fails at once with "changing the system needs root" (apk is
never asked for a plan), a dry run and the read-only commands work, and
over MCP the unconfirmed call returns the plan saying that the confirmed
call will fail, which it then does.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-mcp.sh
. "$TEST_SRC/cli/lib-mcp.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

if test "$(id -u)" = 0
then
	command -v setpriv >/dev/null 2>&1 ||
		skip_all "running as root, and there is no setpriv to become another user"
	# as_user CMD...: CMD as nobody
	as_user () {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
else
	as_user () {
		"$@"
	}
fi

test_expect_success 'setup: a root the user may read but not change' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	offline_config "$ROOT" &&
	chmod -R a+rX "$TRASH_DIRECTORY" &&
	chmod a-w "$ROOT" "$ROOT/lib/apk/db" &&
	cp "$ROOT/lib/apk/db/installed" installed.before
'

test_expect_success 'install says it needs root, before apk is asked anything' '
	: >apk.log &&
	chmod a+w apk.log &&
	test_expect_code 1 as_user env APK_DOUBLE_LOG="$TRASH_DIRECTORY/apk.log" \
		"$AIPKG" --root "$ROOT" --allow-untrusted install nginx >out 2>err &&
	test_grep "^error: changing the system needs root, and aipkg runs as .* (uid [0-9]*), who cannot write $ROOT/lib/apk/db: run it as root" err &&
	test_grep "nothing was changed" err &&
	test_must_be_empty out &&
	if test_have_prereq DOUBLE
	then
		test_must_be_empty apk.log
	fi &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_path_is_missing "$ROOT/var/lib/aipkg"
'

test_expect_success 'every change says so: remove, update, lock, rollback' '
	for cmd in "remove pcre2" "update" "lock pcre2" "rollback" "agent run"
	do
		# shellcheck disable=SC2086 # the command and its argument
		test_expect_code 1 as_user "$AIPKG" --root "$ROOT" --allow-untrusted --yes $cmd \
			>out 2>err &&
		test_grep "changing the system needs root" err || return 1
	done
'

test_expect_success 'a dry run and the read-only commands still work' '
	as_user "$AIPKG" --root "$ROOT" --allow-untrusted --dry-run install nginx >out 2>err &&
	test_grep "nginx" out &&
	as_user "$AIPKG" --root "$ROOT" search nginx >out &&
	test_grep "^nginx" out &&
	as_user "$AIPKG" --root "$ROOT" list >out
'

test_expect_success 'over MCP the plan says the confirmed call will fail, and it does' '
	{
		mcp_init 1 &&
		mcp_call 2 pkg_install "{\"packages\":[\"nginx\"]}" &&
		mcp_call 3 pkg_install "{\"packages\":[\"nginx\"],\"confirm\":true}"
	} | as_user "$AIPKG" --root "$ROOT" --allow-untrusted mcp >out 2>err &&
	test "$(mcp_tool_error 2 <out)" = refused &&
	mcp_get 2 .result.structuredContent.error.message <out >msg &&
	test_grep "the confirmed call will fail because this aipkg mcp is not running as root" msg &&
	mcp_get 2 .result.structuredContent.plan.changes <out >plan &&
	test_grep "\"name\":\"nginx\"" plan &&
	test "$(mcp_tool_error 3 <out)" = not_root &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_done
