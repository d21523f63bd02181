#!/bin/sh
# t0890: the end-to-end scenario: "I need a web server" over HTTP, then update, rollback, vulnerabilities.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='nginx end to end

A fixture repository and a secdb are served over HTTP from a stub on
loopback, so apk really downloads.  A web server is asked for in natural
language (the stub language model, then the offline planner): nginx and
its dependencies are resolved, downloaded and installed, the nginx in the
root runs, and history shows the request.  Then the repository gains newer
versions and everything is updated, the update is rolled back (the old
versions come from the kept files, as the server no longer has them), and
the vulnerabilities are checked at each step.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
JSONQ=$TEST_TOOLS/jsonq

trap 'llm_stop; srv_stop' EXIT

# e2e_config [offline]: the stub model (tactical; none when offline) and
# the served secdb; vulnerable installs are warned about, not refused, so
# the scenario can go on.
e2e_config () {
	mkdir -p "$ROOT/etc/aipkg" &&
	{
		if test "${1:-}" != offline
		then
			echo "llm:"
			llm_tier tactical openai
		fi
		printf 'vuln:\n  secdb_url: %s\n  fail_on: never\n' "$SRV_URL/secdb/"
		printf 'journal:\n  keep_packages_mb: 64\n'
	} >"$ROOT/etc/aipkg/aipkg.yaml"
}

test_expect_success 'setup: repository A and a secdb served on loopback' '
	fixture_repo_a "$TRASH_DIRECTORY/repo-a" &&
	fixture_repo_b "$TRASH_DIRECTORY/repo-b" &&
	mkdir -p "$SRV/secdb/v3.20" &&
	cp -R "$TRASH_DIRECTORY/repo-a" "$SRV/repo" &&
	cat >"$SRV/secdb/v3.20/main.json" <<-\EOF &&
	{"apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
	 "archs": ["x86_64"], "reponame": "main", "urlprefix": "http://127.0.0.1",
	 "distroversion": "v3.20", "packages": [
	  {"pkg": {"name": "openssl", "secfixes": {"3.3.2-r0": ["CVE-2024-6119"]}}},
	  {"pkg": {"name": "nginx", "secfixes": {"0": ["CVE-2009-3896"]}}}]}
	EOF
	sed "s/\"main\"/\"community\"/; s/\"packages\": \[/\"packages\": [] , \"x\": [/" \
		"$SRV/secdb/v3.20/main.json" >"$SRV/secdb/v3.20/community.json" &&
	srv_start &&
	fixture_root "$ROOT" "$SRV_URL/repo" &&
	llm_answer plan.json "{\"packages\":[{\"name\":\"nginx\",\"reason\":\"a fast web server\"}]}" &&
	llm_stub "content=plan.json" &&
	e2e_config &&
	aipkg --yes update >out 2>err &&
	test_grep "GET /ok/repo/x86_64/APKINDEX.tar.gz" "$SRV_LOG"
'

test_expect_success 'ask for a web server: the model plans nginx, apk downloads and installs it' '
	aipkg --yes install "I need a web server" >out 2>err &&
	test "$(llm_requests)" = 1 &&
	test_grep "nginx" out &&
	installed_list >installed &&
	cat >expect <<-\EOF &&
	libcrypto3-3.3.1-r0
	libssl3-3.3.1-r0
	nginx-1.26.2-r0
	pcre2-10.43-r0
	zlib-1.3.1-r0
	EOF
	test_cmp expect installed &&
	test_grep "GET /ok/repo/x86_64/nginx-1.26.2-r0.apk" "$SRV_LOG" &&
	test_grep "GET /ok/repo/x86_64/pcre2-10.43-r0.apk" "$SRV_LOG"
'

test_expect_success 'the nginx in the root runs' '
	"$ROOT/usr/sbin/nginx" >out &&
	test_grep "nginx version: nginx/1.26.2" out
'

test_expect_success 'history shows the request, the planner and the changes' '
	aipkg history >out 2>err &&
	test_grep "I need a web server" out &&
	id=$(sed -n "s/^id: //p" "$(journal_newest)") &&
	aipkg history "$id" >out 2>err &&
	test_grep "^Request: *I need a web server" out &&
	test_grep "llm:tactical" out &&
	test_grep "^apk:.* add -- nginx$" out &&
	test_grep "^  *Installed  *nginx  *1.26.2-r0" out &&
	test_journal_matches_db
'

test_expect_success 'check-vuln: the installed openssl is vulnerable' '
	test_expect_code 3 aipkg check-vuln --fail-on any >out 2>err &&
	test_grep "CVE-2024-6119" out &&
	test_grep ! "CVE-2009-3896" out
'

test_expect_success 'offline: the same request without a model plans nginx too' '
	aipkg --yes remove nginx >out 2>err &&
	installed_list >installed &&
	test_grep ! "^nginx-" installed &&
	llm_stop &&
	e2e_config offline &&
	aipkg --yes install "I need a web server" >out 2>err &&
	installed_list >installed &&
	test_grep "^nginx-1.26.2-r0$" installed &&
	aipkg history "$(sed -n "s/^id: //p" "$(journal_newest)")" >out &&
	test_grep "^Planner: *offline" out &&
	test_journal_matches_db
'

test_expect_success 'the repository gains newer versions: update upgrades, openssl is fixed' '
	rm -rf "$SRV/repo" &&
	cp -R "$TRASH_DIRECTORY/repo-b" "$SRV/repo" &&
	aipkg --yes update >out 2>err &&
	installed_list >installed &&
	test_grep "^nginx-1.27.0-r0$" installed &&
	test_grep "^libcrypto3-3.3.2-r0$" installed &&
	test_grep "GET /ok/repo/x86_64/nginx-1.27.0-r0.apk" "$SRV_LOG" &&
	"$ROOT/usr/sbin/nginx" >out &&
	test_grep "nginx/1.27.0" out &&
	aipkg check-vuln --fail-on any >out 2>err &&
	test_journal_matches_db
'

test_expect_success 'rollback: the old versions come back though the server lost them' '
	aipkg --yes rollback >out 2>err &&
	installed_list >installed &&
	test_grep "^nginx-1.26.2-r0$" installed &&
	test_grep "^libcrypto3-3.3.1-r0$" installed &&
	"$ROOT/usr/sbin/nginx" >out &&
	test_grep "nginx/1.26.2" out &&
	test_expect_code 3 aipkg check-vuln --fail-on any >out 2>err &&
	test_grep "CVE-2024-6119" out &&
	test_journal_matches_db
'

test_done
