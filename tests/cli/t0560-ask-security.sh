#!/bin/sh
# t0560: a plan with known vulnerabilities: the strategic model decides, or the answer is no.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='the security decision for a planned request

The plan'"'"'s versions are checked against the cached secdb.  A finding at
or above vuln.fail_on (high by default; an unknown severity counts) goes to
the strategic model (the tactical one when no strategic is configured):
proceed, an alternative, or refuse.  Without a model, or when it fails,
aipkg refuses with exit 3 and says why; --force overrides.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
SECDB=$TRASH_DIRECTORY/secdb
JSONQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# config [TIERS...]: the vulnerability settings, then the stub as each tier.
config () {
	{
		printf "vuln:\n  secdb_url: file://%s/\n" "$SECDB"
		test $# -gt 0 && echo "llm:"
		for tier
		do
			llm_tier "$tier" openai
		done
	} >"$ROOT/etc/aipkg/aipkg.yaml"
}

test_expect_success 'setup: nginx 1.26.2-r0 has a known vulnerability, fixed in 1.26.3-r0' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	mkdir -p "$SECDB/v3.20" "$ROOT/etc/aipkg" &&
	cat >"$SECDB/v3.20/main.json" <<-\EOF &&
	{"apkurl":"{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
	 "archs":["x86_64"],"reponame":"main","urlprefix":"https://dl-cdn.alpinelinux.org/alpine",
	 "distroversion":"v3.20",
	 "packages":[{"pkg":{"name":"nginx","secfixes":{"1.26.3-r0":["CVE-2099-0001"]}}}]}
	EOF
	sed "s/\"main\"/\"community\"/; s/\"nginx\"/\"nothing-here\"/" \
		"$SECDB/v3.20/main.json" >"$SECDB/v3.20/community.json" &&
	config &&
	aipkg check-vuln --refresh >out &&
	llm_answer nginx.json "{\"packages\":[{\"name\":\"nginx\",\"reason\":\"web\"}]}"
'

test_expect_success 'without a model: refused, exit 3, saying why' '
	test_expect_code 3 aipkg --json --yes install "I need a web server" >out.json 2>err &&
	test_grep "nginx 1.26.2-r0 has 1 known vulnerability" err &&
	test_grep "CVE-2099-0001" err &&
	test_grep "no language model is configured to weigh the risk" err &&
	"$JSONQ" security.decision "vulnerabilities[0].cve" "packages[0].name" <out.json >actual &&
	printf "refuse\nCVE-2099-0001\nnginx\n" >expect &&
	test_cmp expect actual &&
	test_must_fail grep . "$ROOT/etc/apk/world"
'

test_expect_success 'the plan shows the vulnerability' '
	test_expect_code 3 aipkg ask "I need a web server" >out 2>err &&
	test_grep "error: nginx 1.26.2-r0 has 1 known vulnerability" err
'

test_expect_success '--force installs anyway' '
	aipkg --json --dry-run ask --force "I need a web server" >out.json &&
	"$JSONQ" "packages[0].name" "vulnerabilities[0].cve" <out.json >actual &&
	printf "nginx\nCVE-2099-0001\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the strategic model may proceed' '
	llm_answer proceed.json "{\"decision\":\"proceed\",\"packages\":[],\"reason\":\"the CVE needs a module this setup does not load\"}" &&
	llm_stub "content=nginx.json" "content=proceed.json" &&
	config tactical strategic &&
	aipkg --json --yes ask "I need a web server" >out.json 2>err &&
	test_grep "installing despite known vulnerabilities: the CVE needs a module" err &&
	"$JSONQ" security.decision "changes[2].name" <out.json >actual &&
	printf "proceed\nnginx\n" >expect &&
	test_cmp expect actual &&
	test_grep "^nginx$" "$ROOT/etc/apk/world"
'

test_expect_success 'the security question names the findings and wants a decision' '
	sed "1,/^\r*$/d" "$LLM_LOG/2.req" >body.json &&
	"$JSONQ" .model response_format.json_schema.name <body.json >actual &&
	printf "stub-strategic\nsecurity_decision\n" >expect &&
	test_cmp expect actual &&
	"$JSONQ" "messages[1].content" <body.json >user.json &&
	"$JSONQ" "vulnerabilities[0].cve" "plan[0].name" <user.json >actual &&
	printf "CVE-2099-0001\nnginx\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the strategic model may pick an alternative' '
	fixture_root "$ROOT" "$REPO_A" && mkdir -p "$ROOT/etc/aipkg" &&
	llm_answer alt.json "{\"decision\":\"alternative\",\"packages\":[{\"name\":\"lighttpd\",\"reason\":\"no known CVE\"}],\"reason\":\"avoid the CVE\"}" &&
	llm_stub "content=nginx.json" "content=alt.json" &&
	config tactical strategic &&
	aipkg check-vuln >/dev/null &&
	aipkg --json --yes ask "I need a web server" >out.json 2>err &&
	"$JSONQ" security.decision "packages[0].name" <out.json >actual &&
	printf "alternative\nlighttpd\n" >expect &&
	test_cmp expect actual &&
	test_grep "^lighttpd$" "$ROOT/etc/apk/world" &&
	test_grep ! "^nginx$" "$ROOT/etc/apk/world"
'

test_expect_success 'the strategic model may refuse: exit 3 with its reason' '
	llm_answer refuse.json "{\"decision\":\"refuse\",\"packages\":[],\"reason\":\"remotely exploitable\"}" &&
	llm_stub "content=nginx.json" "content=refuse.json" &&
	config tactical strategic &&
	test_expect_code 3 aipkg --yes ask "I need a web server" >out 2>err &&
	test_grep "nothing installed: remotely exploitable" err
'

test_expect_success 'a strategic model that fails means no' '
	llm_stub "content=nginx.json" "status=500" &&
	config tactical strategic &&
	test_expect_code 3 aipkg --yes ask "I need a web server" >out 2>err &&
	test_grep "nothing installed: llm.strategic: .* answered HTTP 500" err
'

test_expect_success 'an alternative that does not exist means no' '
	llm_answer fake.json "{\"decision\":\"alternative\",\"packages\":[{\"name\":\"nginx-secure-edition\",\"reason\":\"x\"}],\"reason\":\"safer\"}" &&
	llm_stub "content=nginx.json" "content=fake.json" &&
	config tactical strategic &&
	test_expect_code 3 aipkg --yes ask "I need a web server" >out 2>err &&
	test_grep "nothing installed" err
'

test_expect_success 'without llm.strategic the tactical model decides' '
	llm_stub "content=nginx.json" "content=proceed.json" &&
	config tactical &&
	aipkg --json --dry-run ask "I need a web server" >out.json 2>err &&
	"$JSONQ" security.decision <out.json >actual &&
	echo proceed >expect &&
	test_cmp expect actual &&
	test "$(llm_requests)" = 2
'

test_done
