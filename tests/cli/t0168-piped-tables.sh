#!/bin/sh
# t0168: tables through a pipe are as wide as an 80-column terminal's, and nothing is cut.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='tables through a pipe

Through a pipe (a file, less, grep, cron'"'"'s mail) every column of a table
was padded to its longest cell: one 50-character name and one
40-character version among the 20,000 packages of list -a padded every
line to 94 columns before its description.  Now a table that fits in 80
columns is aligned exactly, and a wider one is laid out as an 80-column
terminal would lay it out: each column as wide as most of its cells,
a longer cell pushing the rest of its row right, at least two blanks
between cells, nothing cut.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

ROOT=$TRASH_DIRECTORY/root
REPO=$TRASH_DIRECTORY/repo
LONG_NAME=py3-a-package-with-a-name-of-fifty-characters-xyz
LONG_VERSION=0.0.0_git20240101123456789012345678-r10
SHORT="pkg-a pkg-b pkg-c pkg-d pkg-e pkg-f pkg-g pkg-h pkg-i pkg-j pkg-k pkg-l"

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@"
}

# column_of TEXT FILE: the column (from 1) where TEXT starts on each line
# that has it, one a line.
column_of () {
	awk -v s="$1" 'index($0, s) { print index($0, s) }' "$2"
}

test_expect_success 'setup: twelve ordinary packages, a long name, a long version' '
	for p in $SHORT
	do
		mkrepo_pkg "$REPO" "$p" 1.0-r0 -d "Ordinary package $p" -o "$p" ||
		return 1
	done &&
	mkrepo_pkg "$REPO" "$LONG_NAME" 1.0-r0 -d "Long name" -o "$LONG_NAME" &&
	mkrepo_pkg "$REPO" pkg-long-version "$LONG_VERSION" -d "Long version" &&
	"$TEST_TOOLS/mkrepo" index "$REPO/$FIXTURE_ARCH" -d repo &&
	fixture_root "$ROOT" "$REPO" &&
	test_apk --root "$ROOT" --allow-untrusted add $SHORT "$LONG_NAME" >out
'

test_expect_success 'list -a: ordinary rows are not padded to the longest name and version' '
	aipkg list -a >pipe &&
	test "$(wc -l <pipe)" = 14 &&
	# each description starts where an 80-column layout puts it, not
	# after 50 + 40 columns of padding
	column_of "Ordinary package" pipe >cols &&
	test "$(wc -l <cols)" = 12 &&
	test "$(sort -u cols)" -lt 70 &&
	test "$(sort -u cols | wc -l)" = 1
'

test_expect_success 'list -a: the long cells whole, two blanks after each' '
	aipkg list -a >pipe &&
	test_grep "^$LONG_NAME  1.0-r0  *\[installed\]  Long name$" pipe &&
	test_grep "^pkg-long-version  *$LONG_VERSION  *Long version$" pipe &&
	# the first field is the name on every row, for awk and cut
	awk "{ print \$1 }" pipe >names &&
	aipkg -q list -a >q-names &&
	test_cmp q-names names &&
	test_grep ! " $" pipe
'

test_expect_success 'a table within 80 columns stays aligned exactly' '
	aipkg list -a pkg-a pkg-b pkg-c pkg-d >pipe &&
	test "$(wc -l <pipe)" = 4 &&
	column_of "[installed]" pipe | sort -u >cols &&
	test "$(wc -l <cols)" = 1 &&
	column_of "Ordinary" pipe | sort -u >cols &&
	test "$(wc -l <cols)" = 1
'

test_expect_success 'check-vuln: one long origin does not pad every finding' '
	secdb_stub &&
	secdb_file "$SECDB_DIR/v3.20/main.json" main \
		"$LONG_NAME 1.1-r0=CVE-2024-1000001" \
		"pkg-a 1.1-r0=CVE-2024-2000001" "pkg-b 1.1-r0=CVE-2024-2000002" \
		"pkg-c 1.1-r0=CVE-2024-2000003" "pkg-d 1.1-r0=CVE-2024-2000004" \
		"pkg-e 1.1-r0=CVE-2024-2000005" "pkg-f 1.1-r0=CVE-2024-2000006" \
		"pkg-g 1.1-r0=CVE-2024-2000007" "pkg-h 1.1-r0=CVE-2024-2000008" \
		"pkg-i 1.1-r0=CVE-2024-2000009" "pkg-j 1.1-r0=CVE-2024-2000010" \
		"pkg-k 1.1-r0=CVE-2024-2000011" "pkg-l 1.1-r0=CVE-2024-2000012" &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community "htop 2.0-r0=CVE-2019-9999" &&
	secdb_config "$ROOT" "$SECDB_URL" &&
	aipkg check-vuln --refresh >pipe &&
	secdb_stop &&
	test_grep "^PACKAGE  " pipe &&
	test_grep "^$LONG_NAME  1.0-r0  *$LONG_NAME  CVE-2024-1000001  1.1-r0 " pipe &&
	column_of "CVE-2024-2" pipe | sort -u >cols &&
	test "$(wc -l <cols)" = 1 &&
	test "$(cat cols)" -lt 60
'

test_done
