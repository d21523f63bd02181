#!/bin/sh
# t0913: the agent gives rc-service only valid service names, never an init script named like an option (session 3 attack).
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='service names from a package reach rc-service validated

After an upgrade the agent restarts the services the package ships
(its etc/init.d files) that were running.  Those names come from the
package: a repository that ships etc/init.d/-Z had rc-service run as
"rc-service -Z restart" (-Z is its --dry-run), an option where a name
belongs.  Only names rc-service reads as a service (a letter or digit,
then letters, digits and ._+-) are restarted.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"
# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"
# shellcheck source=tests/cli/lib-agent.sh
. "$TEST_SRC/cli/lib-agent.sh"

trap 'secdb_stop' EXIT

ROOT=$TRASH_DIRECTORY/root
REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
SERVICES="svcd net.eth0 -Z --ifexists"

# svcd_pkg REPO VERSION: a daemon with init scripts named as SERVICES.
svcd_pkg () {
	_sp_repo=$1 _sp_version=$2
	set -- -x "usr/sbin/svcd=#!/bin/sh\nexit 0\n"
	for _sp in $SERVICES
	do
		set -- "$@" -x "etc/init.d/$_sp=#!/sbin/openrc-run\ncommand=/usr/sbin/svcd\n"
	done
	mkrepo_pkg "$_sp_repo" svcd "$_sp_version" -d "a daemon with odd init scripts" "$@" &&
	"$TEST_TOOLS/mkrepo" index "$_sp_repo/$FIXTURE_ARCH" -d "$(basename "$_sp_repo")"
}

# The stand-in for OpenRC's rc-service: every call's arguments logged to
# ROOT/rc-service.log; a service runs while run/openrc/started/NAME exists.
openrc_standin () {
	mkdir -p "$ROOT/sbin" "$ROOT/run/openrc/started" &&
	cat >"$ROOT/sbin/rc-service" <<-\EOF &&
	#!/bin/sh
	root=${AIPKG_ROOT:?}
	printf '[%s]' "$@" >>"$root/rc-service.log"
	echo >>"$root/rc-service.log"
	exit 0
	EOF
	chmod +x "$ROOT/sbin/rc-service" &&
	for _os in $SERVICES
	do
		: >"$ROOT/run/openrc/started/$_os" || return 1
	done
}

test_expect_success 'setup: svcd running with its four init scripts, a rebuild in B' '
	svcd_pkg "$REPO_A" 1.0-r0 &&
	svcd_pkg "$REPO_B" 1.0-r1 &&
	fixture_root "$ROOT" "$REPO_A" &&
	aipkg --yes install svcd >/dev/null &&
	for s in $SERVICES
	do
		test_path_is_file "$ROOT/etc/init.d/$s" || exit 1
	done &&
	openrc_standin &&
	fixture_use_repos "$ROOT" "$REPO_B" &&
	secdb_stub &&
	secdb_clean &&
	agent_config "restart_services: true"
'

test_expect_success 'agent run restarts the services with valid names only' '
	aipkg agent run >out 2>err &&
	test "$(version_of svcd)" = 1.0-r1 &&
	sort "$ROOT/rc-service.log" >actual &&
	printf "[net.eth0][restart]\n[net.eth0][status]\n[svcd][restart]\n[svcd][status]\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the report names only those services' '
	report=$(agent_last_report) &&
	"$TEST_TOOLS/jsonq" "packages[0].live.services[0].service" \
		"packages[0].live.services[1].service" <"$report" | sort >actual &&
	printf "net.eth0\nsvcd\n" >expect &&
	test_cmp expect actual &&
	test_grep ! -e "\"-Z\"" -e "\"--ifexists\"" "$report"
'

test_done
