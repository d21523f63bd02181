#!/bin/sh
# t0954: aipkg doctor says why a repository's index is not used: unsigned, unknown key, BAD signature, damaged, absent.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg doctor: why a repository gives no packages

On a real Alpine 3.18 root with a local repository of unsigned packages
added, doctor said "the directory has no readable APKINDEX.tar.gz; build
it with apk index" of a directory whose index was there and only
unsigned (apk refuses it too).  Each reason apk and aipkg skip an index
now has its own cause: not signed, signed by a key not in etc/apk/keys
(named), a BAD signature, a damaged file, another user'"'"'s directory,
and no index at all.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-doctor.sh
. "$TEST_SRC/cli/lib-doctor.sh"

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_X=$TRASH_DIRECTORY/repo-x

# doctor without --allow-untrusted (lib-doctor's aipkg gives it), as an
# administrator runs it
doctor_json () {
	"$AIPKG" --root "$ROOT" --json doctor >doc.json 2>err
}

# cause_of_repo FILE URL: the cause of the problem about repository URL
cause_of_repo () {
	doctor_field_of "$1" repository "$2" cause
}

# repo_x [mkrepo index options]: repository X with one package, indexed so
repo_x () {
	rm -rf "$REPO_X" &&
	mkrepo_pkg "$REPO_X" hello 1.0-r0 -x "usr/bin/hello=#!/bin/sh\necho hello\n" &&
	"$TEST_TOOLS/mkrepo" index "$REPO_X/$FIXTURE_ARCH" -d repo-x "$@" &&
	chmod -R go-w "$REPO_X"
}

test_expect_success 'setup: a root using repository A and repository X' '
	fixture_repo_a "$REPO_A" &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install zlib >/dev/null &&
	repo_x &&
	fixture_use_repos "$ROOT" "$REPO_A" "$REPO_X" &&
	doctor_json &&
	test "$("$JSONQ" healthy <doc.json)" = true
'

test_expect_success 'an unsigned index: not signed, as apk says; sign it' '
	repo_x -U &&
	test_expect_code 1 doctor_json &&
	doctor_checks doc.json >checks &&
	test_grep "^indexes warning: no usable index for the repository $REPO_X$" checks &&
	cause_of_repo doc.json "$REPO_X" >cause &&
	test_grep "its index is not signed: apk refuses it" cause &&
	test_grep "abuild-sign" cause &&
	test_grep ! "no APKINDEX.tar.gz" cause
'

test_expect_success 'an index signed by a key the root does not have: the key is named' '
	"$TEST_TOOLS/mkrepo" key other.rsa &&
	MKREPO_KEY=$TRASH_DIRECTORY/other.rsa repo_x &&
	test_expect_code 1 doctor_json &&
	cause_of_repo doc.json "$REPO_X" >cause &&
	test_grep "its index is signed by other.rsa.pub, which is not in etc/apk/keys" cause
'

test_expect_success 'a BAD signature: damaged or tampered with' '
	repo_x -B &&
	test_expect_code 1 doctor_json &&
	cause_of_repo doc.json "$REPO_X" >cause &&
	test_grep "its index has a BAD signature (key $FIXTURE_KEY_NAME)" cause &&
	test_grep "rebuild it with .apk index. and sign it again" cause
'

test_expect_success 'a truncated index: named, cannot be read' '
	repo_x &&
	head -c 300 "$REPO_X/$FIXTURE_ARCH/APKINDEX.tar.gz" >cut &&
	cat cut >"$REPO_X/$FIXTURE_ARCH/APKINDEX.tar.gz" &&
	test_expect_code 1 doctor_json &&
	cause_of_repo doc.json "$REPO_X" >cause &&
	test_grep "its index $REPO_X/$FIXTURE_ARCH/APKINDEX.tar.gz cannot be read (truncated or corrupt)" cause
'

test_expect_success 'a directory other users can write: not read, and why' '
	repo_x &&
	chmod o+w "$REPO_X/$FIXTURE_ARCH" &&
	test_expect_code 1 doctor_json &&
	cause_of_repo doc.json "$REPO_X" >cause &&
	test_grep "other users can write its directory" cause &&
	chmod o-w "$REPO_X/$FIXTURE_ARCH"
'

test_expect_success 'no index at all: build it with apk index' '
	rm "$REPO_X/$FIXTURE_ARCH/APKINDEX.tar.gz" &&
	test_expect_code 1 doctor_json &&
	cause_of_repo doc.json "$REPO_X" >cause &&
	test_grep "the directory has no APKINDEX.tar.gz; build it with .apk index." cause
'

test_expect_success 'signed again, the repository is healthy' '
	repo_x &&
	doctor_json &&
	test "$("$JSONQ" healthy <doc.json)" = true
'

test_done
