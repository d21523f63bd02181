#!/bin/sh
# t0908: the configuration file: strict reading, aipkg config as seed YAML with origins, aipkg.yaml(5) (issue 12.8, 16.4, 16.20).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg.yaml: read strictly, shown as it is in effect, documented whole

A duplicate key was accepted, the last one winning (vuln.fail_on could
silently become never); deeply nested flow collections kept libyaml busy
for minutes.  "aipkg config" showed apk.command while AIPKG_APK overrode
it, printed lock_timeout -1.0, and was not YAML.  Now duplicates are errors
naming both lines, depth and size are capped before parsing, aipkg config
prints YAML that can seed a file with where each value came from, and
aipkg.yaml(5) documents every key it prints.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
CONFIG=$ROOT/etc/aipkg/aipkg.yaml
PAGE=$TEST_SRC/../man/aipkg.yaml.5
EXAMPLE=$TEST_SRC/../man/aipkg.yaml.example

aipkg () {
	"$AIPKG" --root "$ROOT" "$@" </dev/null
}

test_expect_success 'setup: a root' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	mkdir -p "$ROOT/etc/aipkg"
'

test_expect_success 'a key given twice is an error naming both lines' '
	printf "vuln:\n  fail_on: critical\n  timeout: 5\n  fail_on: never\n" >"$CONFIG" &&
	test_expect_code 2 aipkg list >out 2>err &&
	test_grep "aipkg.yaml:4: duplicate key .vuln.fail_on. (also at line 2)" err &&
	test_expect_code 2 aipkg config --check "$CONFIG" >out 2>err &&
	test_grep "aipkg.yaml:4: duplicate key" err
'

test_expect_success 'deep flow collections are refused at once' '
	awk "BEGIN { printf \"agent:\\n  deny: \"; for (i = 0; i < 200000; i++) printf \"[\"; print \"\" }" \
		>"$CONFIG" &&
	start=$(date +%s) &&
	test_expect_code 2 aipkg list >out 2>err &&
	test $(($(date +%s) - start)) -lt 5 &&
	test_grep "aipkg.yaml:2: lists and mappings nested more than 16 deep" err
'

test_expect_success 'so is a file of more than 256 KiB' '
	awk "BEGIN { for (i = 0; i < 7000; i++) print \"# padding padding padding padding padding\" }" \
		>"$CONFIG" &&
	test_expect_code 2 aipkg list >out 2>err &&
	test_grep "larger than 256 KiB" err
'

test_expect_success 'without a file: YAML of every default, nothing internal' '
	rm -f "$CONFIG" &&
	aipkg config >out 2>err &&
	test_grep "^# file: none" out &&
	test_grep "^  wait: 600  *# default$" out &&
	test_grep "^# lock_timeout:  *# default: 30 at a terminal, 0 otherwise$" out &&
	test_grep ! -- "-1" out &&
	test_grep "^  fail_on: high  *# default$" out &&
	test_grep "^  # tactical:  *# not set: the offline planner answers$" out
'

test_expect_success 'values say where they came from: file:line, AIPKG_APK, --lock-timeout' '
	cat >"$CONFIG" <<-\EOF &&
	apk:
	  command: [/sbin/apk]
	  wait: 60
	vuln:
	  fail_on: critical
	  secdb_url: https://me:S3CRET@mirror.example/secdb/?token=T0KEN
	agent:
	  checks:
	    nginx: nginx -t
	EOF
	AIPKG_APK="/lib/ld-musl-x86_64.so.1 /sbin/apk.static" \
		"$AIPKG" --root "$ROOT" --lock-timeout 7 config </dev/null >out 2>err &&
	test_grep "^  command: \[/lib/ld-musl-x86_64.so.1, /sbin/apk.static\]  *# environment AIPKG_APK$" out &&
	test_grep "^  wait: 60  *# .*/etc/aipkg/aipkg.yaml:3$" out &&
	test_grep "^lock_timeout: 7  *# --lock-timeout$" out &&
	test_grep "^  fail_on: critical  *# .*aipkg.yaml:5$" out &&
	test_grep "^  checks: {nginx: \"nginx -t\"}  *# .*aipkg.yaml:8$" out &&
	test_grep "secdb_url: \"https://\*\*\*@mirror.example/secdb/?token=\*\*\*\"" out &&
	test_grep ! "S3CRET\|T0KEN" out
'

test_expect_success 'the output seeds a valid file, which reads back the same' '
	aipkg config >seed.yaml 2>err &&
	aipkg config --check seed.yaml >out 2>err &&
	test_grep "seed.yaml: a valid aipkg configuration" out &&
	sed "/^#/d; s/  *#.*//" seed.yaml >values &&
	cp seed.yaml "$CONFIG" &&
	aipkg config >again.yaml 2>err &&
	sed "/^#/d; s/  *#.*//" again.yaml >values.again &&
	test_cmp values values.again
'

test_expect_success '--json: the settings, the file, and origins' '
	rm "$CONFIG" &&
	aipkg --json config >out.json 2>err &&
	test "$("$TEST_TOOLS/jsonq" .lock_timeout .vuln.fail_on .file <out.json | tr "\n" " ")" = \
		"null high null " &&
	test "$("$TEST_TOOLS/jsonq" "origins#" <out.json)" -gt 30 &&
	test_grep "\"vuln.fail_on\": \"default\"" out.json &&
	test_grep "\"apk.command\": \"environment AIPKG_APK\"" out.json
'

test_expect_success 'config --check reads no root: a broken root configuration does not matter' '
	printf "apk: [\n" >"$CONFIG" &&
	test_expect_code 2 aipkg config >out 2>err &&
	aipkg config --check "$EXAMPLE" >out 2>err &&
	"$AIPKG" --json config --check "$EXAMPLE" >out.json 2>err &&
	test "$("$TEST_TOOLS/jsonq" .valid <out.json)" = true &&
	rm "$CONFIG"
'

test_expect_success 'config --check says what is wrong, with the line' '
	printf "vuln:\n  fail_on: sometimes\n" >bad.yaml &&
	test_expect_code 2 "$AIPKG" config --check bad.yaml >out 2>err &&
	test_grep "bad.yaml:2: .vuln.fail_on. must be one of any|critical|high|medium|low|never" err &&
	test_expect_code 2 "$AIPKG" config --check nosuch.yaml >out 2>err &&
	test_grep "nosuch.yaml" err &&
	cp "$EXAMPLE" open.yaml && chmod 0666 open.yaml &&
	test_expect_code 2 "$AIPKG" config --check open.yaml >out 2>err &&
	test_grep "refusing the configuration open.yaml" err
'

test_expect_success 'the example configuration in the tree is valid' '
	"$AIPKG" config --check "$EXAMPLE" >out 2>err &&
	test_grep "a valid aipkg configuration" out
'

test_expect_success 'aipkg.yaml(5) documents every key aipkg config shows' '
	"$AIPKG" --root "$ROOT" --config "$EXAMPLE" --json config </dev/null >all.json &&
	"$TEST_TOOLS/jsonq" .origins <all.json | tr "," "\n" |
		sed -n "s/^[{ ]*\"\([a-z_.]*\)\":.*/\1/p" |
		sed "s/^llm\.\(tactical\|strategic\)\./llm.TIER./" | sort -u >keys &&
	test "$(wc -l <keys)" -gt 30 &&
	sed "s/\\\\%//g; s/\\\\-/-/g" "$PAGE" >page.txt &&
	missing= &&
	while read -r key
	do
		grep -q "^\.B.* $key\( \|$\)" page.txt || missing="$missing $key"
	done <keys &&
	test -z "$missing" || { say "not in aipkg.yaml(5):$missing" >&2; false; }
'

if command -v mandoc >/dev/null 2>&1
then
	test_set_prereq MANDOC
else
	say "# mandoc is not installed: its lint of aipkg.yaml(5) is skipped (tests/run-all installs it)"
fi
if command -v groff >/dev/null 2>&1
then
	test_set_prereq GROFF
else
	say "# groff is not installed: its lint of aipkg.yaml(5) is skipped (tests/run-all installs it)"
fi

test_expect_success MANDOC 'aipkg.yaml(5) is clean for mandoc -Tlint' '
	mandoc -Tlint "$PAGE" >lint 2>&1;
	test_must_be_empty lint
'

test_expect_success GROFF 'aipkg.yaml(5) is clean for groff -ww' '
	groff -ww -z -man "$PAGE" >lint 2>&1 &&
	test_must_be_empty lint
'

test_done
