#!/bin/sh
# t0002: the man pages are lint clean for mandoc (Alpine's man) and groff, and never hyphenate a name.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='man pages: mandoc -Tlint, groff -ww, no hyphen inside a name

Alpine reads man pages with mandoc, most other systems with groff: both
must read every page without a message.  Option names, paths, JSON keys
and configuration keys are words a reader copies, so \% keeps the
formatter from hyphenating them (a "\-\-lock\-time-" at a line end, or a
"ROOT/var/lib/aipkg/sand-" is not what to type).'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"

MAN_DIR=$TEST_SRC/../man
command -v mandoc >/dev/null && test_set_prereq MANDOC
command -v groff >/dev/null && test_set_prereq GROFF
test_have_prereq MANDOC,GROFF ||
	say "# mandoc or groff is missing (tests/run-all installs both): those checks are skipped"

test_expect_success 'the pages' '
	ls "$MAN_DIR"/*.[1-9] >pages &&
	test "$(wc -l <pages)" -ge 2
'

test_expect_success MANDOC 'mandoc -Tlint has nothing to say about any page' '
	(
		while read -r page
		do
			mandoc -Tlint "$page" >out 2>&1
			if test -s out
			then
				cat out
				exit 1
			fi
		done <pages
	)
'

test_expect_success GROFF 'groff -ww has nothing to say about any page' '
	(
		while read -r page
		do
			groff -ww -z -man "$page" >out 2>&1
			if test -s out
			then
				cat out
				exit 1
			fi
		done <pages
	)
'

# unprotected PAGE: the words of PAGE that name something (an option, a
# path, a JSON shape, a key with "_" or ".", a cmd:/so: name) and do not
# start with \%.  A word is what the reader sees: the arguments of .BR,
# .IR and the like run together, those of .B and .I are joined by blanks.
# Headings (.TH .SH .SS) and comments are not filled, so not hyphenated.
unprotected () {
	awk '
	function shown(line,    macro, alt, out, q, i, c) {
		if (line !~ /^\./)
			return line
		macro = line; sub(/[ \t].*/, "", macro)
		alt = macro ~ /^\.(BR|RB|BI|IB|IR|RI)$/
		if (!alt && macro !~ /^\.(B|I)$/)
			return ""
		line = substr(line, length(macro) + 1)
		out = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			# a quote opens an argument only at its start
			if (c == "\"" && (q || i == 1 || substr(line, i - 1, 1) ~ /[ \t]/)) {
				q = !q
				continue
			}
			if (!q && (c == " " || c == "\t")) {
				if (!alt && out != "" && out !~ / $/) out = out " "
				continue
			}
			out = out c
		}
		return out
	}
	/^\.(TH|SH|SS|\\")/ { next }
	{
		n = split(shown($0), w, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			t = w[i]
			if (t ~ /^\\%/)
				continue
			if (t ~ /\\-\\-?[A-Za-z0-9]/ || t ~ /[A-Za-z0-9]\/[A-Za-z0-9*]/ ||
			    t ~ /(^|[(])\/[A-Za-z]/ || t ~ /^[(]?\{/ || t ~ /[A-Za-z0-9]_[A-Za-z0-9]/ ||
			    t ~ /[a-z0-9]\.[a-z]/ || t ~ /[a-z]:[a-z]/)
				printf "%s:%d: %s\n", FILENAME, FNR, t
		}
	}' "$1"
}

test_expect_success 'options, paths, JSON and keys are never hyphenated' '
	(
		while read -r page
		do
			unprotected "$page"
		done <pages
	) >bare &&
	if test -s bare
	then
		echo "words to protect with \\% (then neither mandoc nor groff splits them):"
		head -20 bare
		false
	fi
'

test_expect_success GROFF 'rendered at 60 columns, no option or path ends a line with a hyphen' '
	(
		while read -r page
		do
			groff -man -Tascii -rLL=60n "$page" 2>/dev/null | col -b
		done <pages
	) >rendered &&
	test_grep ! -E "(--[a-z-]*|/[A-Za-z0-9/._-]*|[a-z]+_[a-z_]*)-$" rendered
'

test_done
