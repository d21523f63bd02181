#!/bin/sh
# t0916: only regular files are kept for rollback, never a link someone planted.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='kept package files are regular files

aipkg keeps the package files a change installs (for rollback) by linking
them from apk'"'"'s cache or a local repository.  link() takes a symbolic
link as it is: a package file that is a symlink (planted in a cache or a
repository directory) would have been kept as that link, whose target
whoever planted it can change before a rollback installs "the kept file".
Only a regular file is kept; what was not is fetched or said unkept.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-journal.sh
. "$TEST_SRC/cli/lib-journal.sh"

ROOT=$TRASH_DIRECTORY/root
REPO=$TRASH_DIRECTORY/repo
KEPT=$ROOT/var/lib/aipkg/packages

test_expect_success 'setup: a local repository whose nginx file is a symlink' '
	fixture_repo_a "$REPO" &&
	mkdir -p "$TRASH_DIRECTORY/elsewhere" &&
	mv "$REPO/$FIXTURE_ARCH/nginx-1.26.2-r0.apk" "$TRASH_DIRECTORY/elsewhere/" &&
	ln -s "$TRASH_DIRECTORY/elsewhere/nginx-1.26.2-r0.apk" \
		"$REPO/$FIXTURE_ARCH/nginx-1.26.2-r0.apk" &&
	fixture_root "$ROOT" "$REPO" &&
	mkdir -p "$ROOT/etc/aipkg" &&
	printf "journal:\n  keep_packages_mb: 64\n" >"$ROOT/etc/aipkg/aipkg.yaml" &&
	aipkg --yes update >out 2>err
'

test_expect_success 'install: no kept file is a symbolic link' '
	aipkg --yes install nginx >out 2>err &&
	test -e "$KEPT/pcre2-10.43-r0.apk" &&
	find "$KEPT" -type l >links &&
	test_must_be_empty links
'

test_expect_success 'the planted link was not kept as a link; the journal says what was kept' '
	if test -e "$KEPT/nginx-1.26.2-r0.apk"
	then
		test -f "$KEPT/nginx-1.26.2-r0.apk" && ! test -h "$KEPT/nginx-1.26.2-r0.apk" &&
		cmp "$TRASH_DIRECTORY/elsewhere/nginx-1.26.2-r0.apk" "$KEPT/nginx-1.26.2-r0.apk"
	else
		test_grep "^unkept: nginx 1.26.2-r0" "$(journal_newest)"
	fi
'

test_done
