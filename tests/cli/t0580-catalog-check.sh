#!/bin/sh
# t0580: catalog-check, the planner catalogue's check against indexes, on generated ones.
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2034,SC2317

test_description='catalog-check reads real-format indexes and finds empty slots

The tool is run by hand on real Alpine indexes (README: the planner on
real indexes); here it runs on indexes mkrepo writes, so it keeps working:
one holding every catalogue name fills every slot, one missing a slot'"'"'s
only package fails naming it, and one with only an alternative says so.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"

CHECK=$TEST_TOOLS/catalog-check

# index_all DIR: one package for every catalogue name
index_all () {
	"$CHECK" --names >names &&
	while read -r name
	do
		mkrepo_pkg "$1" "$name" 1.0-r0 -d "$name for the catalogue" \
			-f "usr/share/$name/README=$name\n" || return 1
	done <names &&
	"$TEST_TOOLS/mkrepo" index "$1/$FIXTURE_ARCH" -d full
}

# index_without DIR NAME: the full one without NAME
index_without () {
	cp -R full "$1" &&
	rm "$1/$FIXTURE_ARCH/$2-1.0-r0.apk" "$1/$FIXTURE_ARCH/APKINDEX.tar.gz" &&
	"$TEST_TOOLS/mkrepo" index "$1/$FIXTURE_ARCH" -d "without $2"
}

test_expect_success 'every catalogue name: every slot filled, exit 0' '
	index_all full &&
	"$CHECK" "all=full/$FIXTURE_ARCH/APKINDEX.tar.gz" >out &&
	test_grep "^all: [0-9]* slots, 0 empty$" out &&
	test_grep ! "EMPTY" out
'

test_expect_success 'a slot with nothing to fill it: EMPTY, the name, exit 1' '
	index_without nokubectl kubectl &&
	test_expect_code 1 "$CHECK" "r=nokubectl/$FIXTURE_ARCH/APKINDEX.tar.gz" >out &&
	test_grep "Kubernetes client.*EMPTY.*kubectl" out &&
	test_grep "no release holds .kubectl." out
'

test_expect_success 'an alternative fills a slot: ALT says which, --partial forgives' '
	index_without nonginx nginx &&
	"$CHECK" -v "r=nonginx/$FIXTURE_ARCH/APKINDEX.tar.gz" "f=full/$FIXTURE_ARCH/APKINDEX.tar.gz" >out &&
	test_grep "web server.*ALT.*lighttpd.*instead of nginx" out &&
	test_expect_code 1 "$CHECK" "r=nokubectl/$FIXTURE_ARCH/APKINDEX.tar.gz" \
		"f=full/$FIXTURE_ARCH/APKINDEX.tar.gz" >out &&
	"$CHECK" --partial r "r=nokubectl/$FIXTURE_ARCH/APKINDEX.tar.gz" \
		"f=full/$FIXTURE_ARCH/APKINDEX.tar.gz" >out
'

test_expect_success 'requests are planned on each release' '
	printf "I need a web server\ndocker containers\n" >requests &&
	"$CHECK" --requests requests "r=nonginx/$FIXTURE_ARCH/APKINDEX.tar.gz" \
		"f=full/$FIXTURE_ARCH/APKINDEX.tar.gz" >out &&
	test_grep "^  r  *lighttpd$" out &&
	test_grep "^  f  *nginx$" out &&
	test_grep "^  f  *docker docker-cli-compose$" out
'

test_done
