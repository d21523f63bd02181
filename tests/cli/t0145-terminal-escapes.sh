#!/bin/sh
# t0145: text from repositories, secdb, models and the journal reaches a terminal escaped, JSON exact.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='terminal escapes in untrusted text

A hostile repository, secdb mirror or model, or a request typed with a
newline, must not change the terminal title, clear the screen, reorder
the text with bidi overrides or forge a line: every renderer shows such
text escaped (\x1b, \u009b, \u202e, \n), and --json keeps it exact.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-llm.sh
. "$TEST_SRC/cli/lib-llm.sh"

# both stubs stop at the end (each library's own trap would replace the other's)
trap 'llm_stop; secdb_stop' EXIT

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_E=$TRASH_DIRECTORY/repo-e
JSONQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

ESC=$(printf '\033')
BEL=$(printf '\007')
CSI8=$(printf '\302\233')   # U+009B, C1 CSI as UTF-8
NEL=$(printf '\302\205')    # U+0085
RLO=$(printf '\342\200\256')  # U+202E RIGHT-TO-LEFT OVERRIDE
LRI=$(printf '\342\201\246')  # U+2066 LEFT-TO-RIGHT ISOLATE

# no_raw_controls FILE: none of the bytes a terminal acts on is in FILE.
no_raw_controls () {
	for _nrc in "$ESC" "$BEL" "$CSI8" "$NEL" "$RLO" "$LRI"
	do
		if LC_ALL=C grep -F -q -e "$_nrc" "$1"
		then
			echo "raw control $(printf '%s' "$_nrc" | od -An -tx1) in $1:"
			od -c "$1" | head -20
			return 1
		fi
	done
}

test_expect_success 'setup: a repository whose fields carry escapes' '
	fixture_repo_a "$REPO_A" &&
	mkrepo_pkg "$REPO_E" evil 1.0-r0 \
		-d "title ${ESC}]0;owned${BEL} clear ${ESC}[2J c1 ${CSI8}31m nel${NEL}x rlo ${RLO}gnp.exe" \
		-u "https://example.org/${ESC}[31mred" -l "MIT${CSI8}2J" -o "evil${RLO}src" \
		-D "zlib" -p "cmd:evil${LRI}x=1.0-r0" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_E/$FIXTURE_ARCH" -d repo-e &&
	fixture_root "$ROOT" "$REPO_A" "$REPO_E"
'

test_expect_success 'search, list -a and info show the fields escaped' '
	aipkg search -d title >out &&
	no_raw_controls out &&
	test_grep "title \\\\x1b\]0;owned\\\\x07 clear \\\\x1b\[2J c1 \\\\u009b31m nel\\\\u0085x rlo \\\\u202egnp.exe" out &&
	aipkg list -a >out &&
	no_raw_controls out &&
	aipkg info evil >out &&
	no_raw_controls out &&
	test_grep "^url: *https://example.org/\\\\x1b\[31mred$" out &&
	test_grep "^license: *MIT\\\\u009b2J$" out &&
	test_grep "^origin: *evil\\\\u202esrc$" out &&
	test_grep "cmd:evil\\\\u2066x" out
'

test_expect_success '--json keeps the text exact' '
	aipkg --json info evil >out.json &&
	"$JSONQ" .license .origin <out.json >actual &&
	printf "MIT%s2J\nevil%ssrc\n" "$CSI8" "$RLO" >expect &&
	test_cmp expect actual
'

test_expect_success 'a request with a newline is one line in history, escaped' '
	aipkg --yes install "$(printf "zlib\nforged: row")" >out 2>err &&
	aipkg history >out &&
	test "$(wc -l <out)" = 2 &&
	test_grep "zlib\\\\nforged: row" out &&
	aipkg history 1 >out &&
	test_grep "^Request: *zlib\\\\nforged: row$" out &&
	test_grep ! "^forged" out
'

test_expect_success 'an error quoting an argument escapes it' '
	test_expect_code 2 aipkg "$(printf "frob\033]0;t\007")" 2>err &&
	no_raw_controls err &&
	test_grep "frob\\\\x1b\]0;t\\\\x07" err
'

test_expect_success 'secdb text is escaped where check-vuln shows it' '
	secdb_stub &&
	mkdir -p "$SECDB_DIR/v3.20" &&
	cat >"$SECDB_DIR/v3.20/main.json" <<-\EOF &&
	{"apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
	 "archs": ["x86_64"], "reponame": "main", "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
	 "distroversion": "v3.20", "packages": [
	 {"pkg": {"name": "zlib", "secfixes": {"1.3.1-r1": ["CVE-2023-45853"],
	   "9\u001b]0;owned\u0007\u009b2J\u202e": ["CVE-2024-0001"]}}}]}
	EOF
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 2.0-r0=CVE-2019-9999" &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	aipkg check-vuln >out 2>err &&
	no_raw_controls out &&
	no_raw_controls err &&
	test_grep "^zlib  *1.3.1-r0  *zlib  *CVE-2023-45853  *1.3.1-r1 " out &&
	test_grep "zlib 9\\\\x1b\]0;owned\\\\x07\\\\u009b2J\\\\u202e" err
'

test_expect_success 'every name a model proposed rejected: the warning says which and why, escaped' '
	rm -f "$ROOT/etc/aipkg/aipkg.yaml" &&
	printf "{\"packages\":[{\"name\":\"web\\\\u009bserver\",\"reason\":\"x\"},{\"name\":\"--force\",\"reason\":\"y\"},{\"name\":\"nginx\\\\u202e\",\"reason\":\"z\"}]}" >bad.json &&
	llm_stub "content=bad.json" &&
	llm_config "$ROOT" openai &&
	aipkg ask "a web server" >out 2>err &&
	no_raw_controls err &&
	no_raw_controls out &&
	test_grep "all 3 packages the model proposed were rejected: .web\\\\u009bserver. (" err &&
	test_grep "nginx\\\\u202e. (" err &&
	test_grep "^Dropped:" out &&
	test_grep "^  web\\\\u009bserver " out
'

test_done
