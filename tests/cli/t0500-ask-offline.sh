#!/bin/sh
# t0500: requests in plain words with no language model: the offline planner, the plan, the install.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg ask and aipkg install "request" with the offline planner

With no llm configuration the offline planner answers (and says so): the
catalogue of intents, names and commands in the request, ranked search.
The plan shows each package, why, and what apk adds; --dry-run and a plain
ask change nothing; install "request" installs only with a yes; plain names
stay plain installs.  Runs against the apk double and, with AIPKG_TEST_APK,
a real apk.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
JSONQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

test_expect_success 'setup: repository A and a fresh root without llm configuration' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg config >out &&
	test_grep "^  # tactical: *# not set: the offline planner answers$" out
'

test_expect_success 'ask plans a web server offline and says so' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	aipkg ask "I need a web server" >out 2>err &&
	test_grep "^Planner:  offline$" out &&
	test_grep "^  nginx  *web server: HTTP and reverse proxy server" out &&
	test_grep "^Would install  *pcre2 " out &&
	test_grep "^Would install  *nginx  *1.26.2-r0$" out &&
	test_grep "^Nothing was installed: aipkg install .I need a web server. installs it" out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_grep ! nginx "$ROOT/etc/apk/world"
'

test_expect_success 'ask --json has the documented shape' '
	aipkg --json ask "I need a web server" >out.json &&
	"$JSONQ" .request .planner .model "packages[0].name" "packages[0].reason" \
		rejected "changes#" .dry_run <out.json >actual &&
	cat >expect <<-\EOF &&
	I need a web server
	offline
	null
	nginx
	web server: HTTP and reverse proxy server (stable version)
	[]
	5
	true
	EOF
	test_cmp expect actual &&
	"$JSONQ" "changes[4]" <out.json >actual &&
	echo "{\"name\":\"nginx\",\"action\":\"install\",\"from\":null,\"to\":\"1.26.2-r0\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'words that name commands and packages are planned too' '
	aipkg --json ask "I need dig and htop" >out.json &&
	"$JSONQ" "packages[0].name" "packages[1].name" <out.json >actual &&
	printf "bind-tools\nhtop\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a request nothing answers fails with a hint, exit 1' '
	test_expect_code 1 aipkg ask "a quantum flux capacitor" >out 2>err &&
	test_grep "no package in the indexes answers" err &&
	test_grep "aipkg search" err
'

test_expect_success 'an empty request is a usage error (exit 2)' '
	test_expect_code 2 aipkg ask "   " 2>err &&
	test_grep "say what you need" err &&
	test_expect_code 2 aipkg ask 2>err &&
	test_grep "ask needs a request" err
'

test_expect_success 'install "request" without a terminal and without --yes changes nothing' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	test_expect_code 1 aipkg install "I need a web server" </dev/null >out 2>err &&
	test_grep "needs confirmation" err &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'install "request" --dry-run shows the plan and changes nothing' '
	aipkg --dry-run install "I need a web server" >out &&
	test_grep "^Planner:  offline$" out &&
	test_grep "^Would install  *nginx " out &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed"
'

test_expect_success 'install "request" --yes installs the plan through apk' '
	aipkg --yes install "I need a web server" >out 2>err &&
	test_grep "^Installed  *nginx  *1.26.2-r0$" out &&
	test_grep "^nginx$" "$ROOT/etc/apk/world" &&
	test -x "$ROOT/usr/sbin/nginx"
'

test_expect_success 'ask --yes installs too' '
	aipkg --json --yes ask "I need the htop command" >out.json &&
	"$JSONQ" "packages[0].name" "changes[0].name" "changes[0].action" .apk_exit <out.json >actual &&
	printf "htop\nhtop\ninstall\n0\n" >expect &&
	test_cmp expect actual &&
	test_grep "^htop$" "$ROOT/etc/apk/world"
'

test_expect_success 'plain names stay plain installs; --ask makes them a request' '
	test_expect_code 1 aipkg install "curl" </dev/null 2>err &&
	test_grep "nothing changed" err &&
	test_grep ! "request" err &&
	aipkg --json --dry-run install --ask curl >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "offline\ncurl\n" >expect &&
	test_cmp expect actual
'

# ask plans installs: "remove nginx --yes" installed nginx, "upgrade
# everything" installed ostree and exoscale, "is openssl up to date" date
test_expect_success 'a request to remove, upgrade or a question: refused, exit 2, nothing changed' '
	cp "$ROOT/lib/apk/db/installed" installed.before &&
	cp "$ROOT/etc/apk/world" world.before &&
	test_expect_code 2 aipkg --yes ask "please remove nginx" 2>err &&
	test_grep "asks to remove packages, and ask only plans installs: nothing changed; to remove them: aipkg remove nginx$" err &&
	test_expect_code 2 aipkg --yes ask "uninstall curl" 2>err &&
	test_grep "not installed: curl$" err &&
	test_expect_code 2 aipkg --yes ask "upgrade everything" 2>err &&
	test_grep "asks to upgrade packages.*aipkg update. upgrades all" err &&
	test_expect_code 2 aipkg --yes ask "update nginx" 2>err &&
	test_grep "to upgrade them: aipkg update nginx$" err &&
	test_expect_code 2 aipkg --yes ask "why is htop installed" 2>err &&
	test_grep "is a question.*aipkg info htop. shows a package" err &&
	test_expect_code 2 aipkg --yes ask "is curl up to date" 2>err &&
	test_grep "aipkg list --upgradable. lists what has a newer version" err &&
	test_expect_code 2 aipkg --yes ask "which package provides /usr/sbin/nginx?" 2>err &&
	test_grep "aipkg info --who-owns /usr/sbin/nginx. names the package of a file" err &&
	aipkg --json --yes ask "what depends on zlib" >out.json 2>err ||
	test "$?" = 2 &&
	"$JSONQ" error.code <out.json >actual &&
	echo usage >expect &&
	test_cmp expect actual &&
	test_cmp installed.before "$ROOT/lib/apk/db/installed" &&
	test_cmp world.before "$ROOT/etc/apk/world"
'

test_expect_success 'through the tool API a request goes to pkg.ask, never pkg.install' '
	test_expect_code 2 "$AIPKG" --root "$ROOT" --allow-untrusted tool pkg.install \
		"{\"packages\":[\"I need dns tools\"],\"dry_run\":true}" >out.json &&
	test_grep "use pkg.ask" out.json &&
	"$AIPKG" --root "$ROOT" --allow-untrusted tool pkg.ask \
		"{\"request\":\"I need dns tools\",\"dry_run\":true}" >out.json &&
	"$JSONQ" .planner "packages[0].name" <out.json >actual &&
	printf "offline\nbind-tools\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'without any repository index a request is refused' '
	fixture_root empty-root &&
	test_expect_code 1 "$AIPKG" --root empty-root ask "a web server" 2>err &&
	test_grep "run .aipkg update. first" err
'

test_done
