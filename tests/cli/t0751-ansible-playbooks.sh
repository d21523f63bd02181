#!/bin/sh
# t0751: real ansible-playbook runs with library/aipkg against three roots as three hosts.
# SPDX-License-Identifier: MIT
# Test bodies are single-quoted and eval'd later, by design (as in git's t/).
# shellcheck disable=SC2016,SC2034,SC2317

test_description='aipkg as an Ansible module: playbooks across three roots

Three Alpine roots are three inventory hosts (ansible_connection: local,
root: per host); library/aipkg is what "aipkg ansible --module" prints and
the aipkg on PATH does the work, as on a real fleet.  install.yml runs in
check mode with --diff (nothing changes, the diff shows what would), then
for real, then again (changed=0 everywhere).  fleet.yml upgrades behind a
vulnerability gate that fails one host, whose rescue rolls the upgrade
back; writes one vulnerability report for the fleet; and a broken
dependency fails one host alone.'

# shellcheck source=tests/cli/test-lib.sh
. "$TEST_SRC/cli/test-lib.sh"

command -v ansible-playbook >/dev/null 2>&1 ||
	skip_all "ansible-core is not installed (tests/run-all installs it: apt-get install ansible-core, apk add ansible-core)"

# shellcheck source=tests/cli/lib-fixtures.sh
. "$TEST_SRC/cli/lib-fixtures.sh"
# shellcheck source=tests/cli/lib-secdb.sh
. "$TEST_SRC/cli/lib-secdb.sh"

REPO_A=$TRASH_DIRECTORY/repo-a
REPO_B=$TRASH_DIRECTORY/repo-b
JSONQ=$TEST_TOOLS/jsonq
HOSTS="web1 web2 web3"

# Ansible's own state and settings stay in the trash directory (HOME is
# there too), whatever the machine's /etc/ansible says.
ANSIBLE_CONFIG=$TRASH_DIRECTORY/ansible.cfg
ANSIBLE_NOCOLOR=1
export ANSIBLE_CONFIG ANSIBLE_NOCOLOR
unset ANSIBLE_STDOUT_CALLBACK ANSIBLE_INVENTORY ANSIBLE_LIBRARY

# playbook ARGS...: ansible-playbook on the inventory, the aipkg under test
# first on PATH (the module runs the one it finds); output in "run.out".
playbook () {
	# Ansible insists on a UTF-8 locale; the suite runs in C
	LC_ALL=C.UTF-8 PATH="$TRASH_DIRECTORY/bin:$PATH" \
		ansible-playbook -i inventory.yml "$@" >run.out 2>&1
	_pb=$?
	sed -n "/^PLAY RECAP/,\$p" run.out >recap
	return "$_pb"
}

# recap HOST FIELD=N...: the PLAY RECAP line of HOST says so.
recap () {
	_rh=$1
	shift
	for _rf
	do
		grep "^$_rh  *:.* ${_rf} " recap >/dev/null ||
			{ echo "recap of $_rh lacks $_rf:"; cat run.out; return 1; }
	done
}

# root_state NAME: every root's installed db, world and journal, byte for byte.
root_state () {
	for _h in $HOSTS
	do
		cat "$TRASH_DIRECTORY/$_h/lib/apk/db/installed" \
			"$TRASH_DIRECTORY/$_h/etc/apk/world" || return 1
		cat "$TRASH_DIRECTORY/$_h/var/lib/aipkg/journal"/*/*.txt 2>/dev/null
	done >"$1.state"
	return 0
}

# installed HOST NAME-VERSION: the root of HOST has that package.
installed () {
	awk '/^P:/ { p = substr($0, 3) } /^V:/ { print p "-" substr($0, 3) }' \
		"$TRASH_DIRECTORY/$1/lib/apk/db/installed" | grep -x "$2" >/dev/null ||
		{ echo "$1 lacks $2"; return 1; }
}

test_expect_success 'setup: three roots on repository A, the module, the inventory' '
	fixture_repo_a "$REPO_A" &&
	fixture_repo_b "$REPO_B" &&
	for h in $HOSTS
	do
		fixture_root "$TRASH_DIRECTORY/$h" "$REPO_A" || return 1
	done &&
	mkdir -p bin library &&
	ln -s "$AIPKG" bin/aipkg &&
	"$AIPKG" ansible --module >library/aipkg &&
	cat >ansible.cfg <<-EOF &&
	[defaults]
	retry_files_enabled = False
	interpreter_python = auto_silent
	local_tmp = $TRASH_DIRECTORY/.ansible/tmp
	remote_tmp = $TRASH_DIRECTORY/.ansible/remote-tmp
	forks = 3
	EOF
	cat >inventory.yml <<-EOF &&
	all:
	  hosts:
	    web1: {root: $TRASH_DIRECTORY/web1, pkgs: [nginx], extra: bind-tools}
	    web2: {root: $TRASH_DIRECTORY/web2, pkgs: "nginx,curl", extra: broken}
	    web3: {root: $TRASH_DIRECTORY/web3, pkgs: [nginx, curl, htop], hold: [curl], extra: lighttpd}
	  vars:
	    ansible_connection: local
	    ansible_python_interpreter: "{{ ansible_playbook_python }}"
	EOF
	cat >install.yml <<-\EOF
	- hosts: all
	  gather_facts: false
	  tasks:
	    - name: packages present
	      aipkg:
	        root: "{{ root }}"
	        name: "{{ pkgs }}"
	    - name: held at their versions
	      aipkg:
	        root: "{{ root }}"
	        name: "{{ hold }}"
	        state: locked
	      when: hold is defined
	EOF
'

test_expect_success 'check mode with --diff: what would change, on every host; nothing changes' '
	root_state before &&
	playbook install.yml --check --diff &&
	recap web1 ok=1 changed=1 failed=0 &&
	recap web2 ok=1 changed=1 failed=0 &&
	recap web3 ok=2 changed=2 failed=0 &&
	test_grep "^+++ after: $TRASH_DIRECTORY/web2/etc/apk/world$" run.out &&
	test_grep "^+curl$" run.out &&
	test_grep "^+nginx 1.26.2-r0$" run.out &&
	test_grep "^+htop 3.3.0-r0$" run.out &&
	test_grep "WARNING.*curl: not installed now" run.out &&
	root_state after &&
	test_cmp before.state after.state
'

test_expect_success 'install on all hosts, each root its own' '
	playbook install.yml &&
	recap web1 ok=1 changed=1 failed=0 &&
	recap web2 ok=1 changed=1 failed=0 &&
	recap web3 ok=2 changed=2 failed=0 &&
	installed web1 nginx-1.26.2-r0 && ! installed web1 curl-8.9.0-r0 &&
	installed web2 curl-8.9.0-r0 &&
	installed web3 htop-3.3.0-r0 &&
	grep -x "curl=8.9.0-r0" web3/etc/apk/world &&
	! grep -x "curl=8.9.0-r0" web2/etc/apk/world
'

test_expect_success 'a second run changes nothing on any host' '
	root_state before &&
	playbook install.yml --diff &&
	recap web1 ok=1 changed=0 failed=0 &&
	recap web2 ok=1 changed=0 failed=0 &&
	recap web3 ok=2 changed=0 failed=0 &&
	test_grep ! "^+++ after" run.out &&
	root_state after &&
	test_cmp before.state after.state
'

test_expect_success 'fleet: repository B, a security database, the fleet playbook' '
	secdb_file "$TRASH_DIRECTORY/secdb/v3.20/main.json" main \
		"openssl 3.3.2-r0=CVE-2024-6119" "nginx 1.27.0-r0=CVE-2024-7347" \
		"curl 8.10.0-r0=CVE-2024-8096" &&
	secdb_file "$TRASH_DIRECTORY/secdb/v3.20/community.json" community &&
	for h in $HOSTS
	do
		fixture_use_repos "$h" "$REPO_A" "$REPO_B" &&
		secdb_config "$h" "file://$TRASH_DIRECTORY/secdb/" || return 1
	done &&
	cat >fleet.yml <<-\EOF
	- hosts: all
	  gather_facts: false
	  tasks:
	    - name: upgrade behind the vulnerability gate
	      block:
	        - name: upgrade
	          aipkg:
	            root: "{{ root }}"
	            upgrade: true
	            check_vuln: {fail_on: high}
	          register: upgrade
	      rescue:
	        - name: roll the upgrade back
	          aipkg:
	            root: "{{ root }}"
	            rollback: "{{ upgrade.id }}"
	          when: upgrade.id is defined
	        - name: roll back again changes nothing
	          aipkg:
	            root: "{{ root }}"
	            rollback: "{{ upgrade.id }}"
	    - name: upgrades the agent would make
	      aipkg:
	        root: "{{ root }}"
	        plan_only: true
	    - name: vulnerabilities
	      aipkg:
	        root: "{{ root }}"
	        check_vuln: {}
	      register: vuln
	    - name: one vulnerability report for the fleet
	      run_once: true
	      delegate_to: localhost
	      ansible.builtin.copy:
	        dest: "{{ report }}"
	        content: >-
	          {{ dict(ansible_play_hosts | zip(ansible_play_hosts
	             | map('"'"'extract'"'"', hostvars, ['"'"'vuln'"'"', '"'"'check_vuln'"'"'])))
	             | to_nice_json }}
	    - name: one more package each
	      aipkg:
	        root: "{{ root }}"
	        name: "{{ extra }}"
	EOF
'

test_expect_success 'the gate fails web3 (curl held back), its rescue rolls back; web2 fails alone' '
	test_must_fail playbook fleet.yml -e report="$TRASH_DIRECTORY/report.json" &&
	recap web1 changed=3 failed=0 rescued=0 &&
	recap web2 failed=1 rescued=0 &&
	recap web3 failed=0 rescued=1 &&
	test_grep "fatal: \[web3\]: FAILED!.*vulnerability gate: 1 finding at or above fail_on high: curl 8.9.0-r0 CVE-2024-8096 (fixed in 8.10.0-r0)" run.out &&
	test_grep "fatal: \[web2\]: FAILED!.*libmissing" run.out &&
	installed web1 nginx-1.27.0-r0 && installed web1 bind-tools-9.18.27-r0 &&
	installed web2 nginx-1.27.0-r0 && installed web2 curl-8.10.1-r0 &&
	! installed web2 broken-1.0-r0 &&
	installed web3 nginx-1.26.2-r0 && installed web3 libcrypto3-3.3.1-r0 &&
	installed web3 lighttpd-1.4.76-r0 &&
	sed -n "/^TASK \[roll back again changes nothing\]/,/^TASK/p" run.out >again &&
	test_grep "^ok: \[web3\]" again
'

test_expect_success 'the rollback is journalled on web3 only, with caller ansible' '
	"$AIPKG" --root web3 --json history >h3.json &&
	"$JSONQ" ".transactions[1].undoes" <h3.json >undoes &&
	"$JSONQ" ".transactions[2].id" <h3.json >upgraded &&
	test_cmp upgraded undoes &&
	"$JSONQ" ".transactions[1].caller" <h3.json | grep -x ansible &&
	"$AIPKG" --root web1 --json history >h1.json &&
	test_must_fail "$JSONQ" ".transactions[0].undoes" <h1.json
'

test_expect_success 'one report for the fleet: check-vuln of every host' '
	"$JSONQ" ".web1.vulnerabilities#" <report.json >n1 && echo 0 >expect && test_cmp expect n1 &&
	"$JSONQ" ".web2.vulnerabilities#" <report.json >n2 && test_cmp expect n2 &&
	"$JSONQ" ".web3.vulnerabilities#" <report.json >n3 && test "$(cat n3)" -ge 3 &&
	"$JSONQ" ".web3.secdb.branch" <report.json | grep -x v3.20 &&
	i=0 &&
	while test $i -lt "$(cat n3)"
	do
		"$JSONQ" ".web3.vulnerabilities[$i].package" <report.json || return 1
		i=$((i + 1))
	done >pkgs3 &&
	test_grep -x curl pkgs3 &&
	test_grep -x nginx pkgs3 &&
	test_grep -x libcrypto3 pkgs3
'

test_done
