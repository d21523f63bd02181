#!/bin/sh
# t0911: completion never offers a package name holding shell syntax (session 3 attack).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='package names from a hostile index are not completed into a shell line

bash inserts what a completion offers as it is: a package named
"evil;touch${IFS}PWNED" in a repository index was offered by
aipkg __complete, and TAB then Enter ran the command after the ";".
Only names made of what a shell line takes literally are offered.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-complete.sh
. "$TEST_SRC/cli/lib-complete.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a

test_expect_success 'setup: a signed repository with names holding shell syntax' '
	pkg_nginx "$REPO_A" 1.26.2-r0 &&
	for n in "evil;touch\${IFS}PWNED" "evil\$(touch PWNED)" "evil|sh" "evil&&id" \
		"evil\`id\`" "evil>x" "evil*" "evil~1" "evil-ok_1.2+x"
	do
		mkrepo_pkg "$REPO_A" "$n" 1.0-r0 -d "a name to complete" || exit 1
	done &&
	"$TEST_TOOLS/mkrepo" index "$REPO_A/$FIXTURE_ARCH" -d repo-a &&
	fixture_root "$ROOT" "$REPO_A" &&
	"$AIPKG" --root "$ROOT" search evil >out 2>err &&
	test "$(grep -c "^evil" out)" -eq 9
'

test_expect_success '__complete offers only the plain name' '
	"$AIPKG" __complete --root "$ROOT" install evil >out 2>err &&
	cat >expect <<-\EOF &&
	words
	evil-ok_1.2+x
	EOF
	cut -f1 out >actual &&
	test_cmp expect actual
'

test_expect_success 'nginx still completes' '
	"$AIPKG" __complete --root "$ROOT" install ngi >out 2>err &&
	test_grep "^nginx" out
'

test_expect_success BASH_COMPLETION 'bash puts nothing with shell syntax on the line' '
	complete_bash c "aipkg --root $ROOT install evil" &&
	echo evil-ok_1.2+x >expect &&
	test_cmp expect c.1.bash &&
	test_path_is_missing PWNED
'

test_done
