#!/bin/sh
# t0953: when apk fails, aipkg says in one paragraph what happened and the command that fixes it.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='failure diagnosis: apk'"'"'s error explained, offline; a model'"'"'s advice shown, never run

An untrusted repository, two conflicting packages, a missing dependency,
apk'"'"'s lock held by a stray process and an unreachable repository each get
a "hint:" paragraph and a fix on stderr (a "diagnosis" object with --json);
with llm.tactical configured, the model'"'"'s advice is added as advice.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"
# shellcheck source=tests/cli/lib-doctor.sh
. "$TEST_SRC/cli/lib-doctor.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: repository A, an empty root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A"
'

test_expect_success 'a repository signed by a key the root does not have: the key is what is missing' '
	rm "$ROOT/etc/apk/keys/$FIXTURE_KEY_NAME" &&
	test_expect_code 1 "$AIPKG" --root "$ROOT" --yes install nginx </dev/null >out 2>err &&
	test_grep "^hint: apk refused $REPO_A.*: it is not signed by a key in $ROOT/etc/apk/keys" err &&
	test_grep "^  fix: cp THE-REPOSITORY-KEY.rsa.pub $ROOT/etc/apk/keys/ && aipkg update" err &&
	test_expect_code 1 "$AIPKG" --root "$ROOT" --json --yes install nginx </dev/null >out.json 2>/dev/null &&
	"$JSONQ" diagnosis.rule error.code <out.json >actual &&
	printf "untrusted\nnopkg\n" >expect &&
	test_cmp expect actual &&
	fixture_trust "$ROOT"
'

test_expect_success 'two conflicting packages: remove one first' '
	aipkg --yes install telnet-a >/dev/null &&
	test_expect_code 1 aipkg --yes install telnet-b >out 2>err &&
	test_grep "^hint: telnet-b and telnet-a cannot be installed together" err &&
	test_grep "^  fix: aipkg remove telnet-a" err
'

test_expect_success 'a dependency no repository has' '
	test_expect_code 1 aipkg --yes install broken >out 2>err &&
	test_grep "^hint: broken needs libmissing, which no configured repository has" err &&
	test_grep "^  fix: aipkg update" err
'

test_expect_success FLOCK 'apk'"'"'s lock held by a stray process: its pid, and how to stop it' '
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "apk:\n  wait: 1\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	: >>"$ROOT/lib/apk/db/lock" &&
	# stdio away from the test: ctest waits for whatever holds its output
	flock "$ROOT/lib/apk/db/lock" sleep 30 </dev/null >/dev/null 2>&1 &
	holder=$! &&
	# until flock holds it (a condition, not a guess at how long that takes)
	while flock -n "$ROOT/lib/apk/db/lock" true
	do
		kill -0 "$holder" || return 1
		sleep 0.05
	done &&
	test_expect_code 1 aipkg --yes install htop >out 2>err;
	# sleep holds the lock too (flock passes it on): stop both
	pkill -P "$holder" 2>/dev/null;
	kill "$holder" 2>/dev/null;
	wait "$holder";
	rm -f "$ROOT/etc/aipkg/aipkg.yaml" &&
	test_grep "^hint: Another process (pid $holder: flock $ROOT/lib/apk/db/lock sleep 30) holds apk.s database lock" err &&
	test_grep "^  fix: kill $holder$" err
'

test_expect_success 'a repository that does not answer' '
	fixture_use_repos "$ROOT" http://127.0.0.1:1/alpine &&
	test_expect_code 1 aipkg --yes update >out 2>err &&
	test_grep "^hint: apk could not reach http://127.0.0.1:1/alpine" err &&
	# not "aipkg update" again, which is what just failed: the command
	# that tells which repository answers
	test_grep "^  fix: aipkg doctor --refresh$" err &&
	test_expect_code 1 aipkg doctor --refresh >out 2>err &&
	test_grep "127.0.0.1:1/alpine" out &&
	fixture_use_repos "$ROOT" "$REPO_A"
'

test_expect_success 'with a model configured, its advice is shown as advice and nothing runs' '
	llm_answer advice.json "{\"advice\":\"libmissing is not packaged: ask the maintainer of broken.\",\"command\":\"aipkg remove broken\"}" &&
	llm_stub "content=advice.json" &&
	llm_config "$ROOT" openai &&
	ls "$ROOT"/var/lib/aipkg/journal/*/*.txt >journal.before &&
	test_expect_code 1 aipkg --yes install broken >out 2>err &&
	test_grep "^hint: broken needs libmissing" err &&
	test_grep "^  advice from stub-tactical (not run; check it first): libmissing is not packaged" err &&
	test_grep "^    aipkg remove broken$" err &&
	test "$(llm_requests)" = 1 &&
	test_grep "libmissing (no such package)" "$LLM_LOG"/1.req &&
	ls "$ROOT"/var/lib/aipkg/journal/*/*.txt >journal.after &&
	test_cmp journal.before journal.after &&
	test_expect_code 1 aipkg --json --yes install broken >out.json 2>/dev/null &&
	test "$("$JSONQ" diagnosis.advice.model <out.json)" = stub-tactical
'

test_done
