# Generated secdb files and the loopback HTTP stub that serves them, for the CLI tests.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh.  Nothing here reads real secdb data: the files
# are written from the entries the tests name, in the shape Alpine's
# secdb.alpinelinux.org serves.  httpstub (tests/tools/httpstub.c) serves
# $SECDB_DIR under http://127.0.0.1:$SECDB_PORT/ok/ and logs each request
# to $SECDB_LOG ("GET /ok/v3.20/main.json inm=... ims=... -> 304").

SECDB_PID=
SECDB_DIR=$TRASH_DIRECTORY/secdb-srv
SECDB_LOG=$TRASH_DIRECTORY/secdb.log

# Loopback must not go through a proxy the environment names.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# secdb_file FILE REPONAME ENTRY...: write a secdb file; each ENTRY is
# "ORIGIN VERSION=ID,ID VERSION=ID ..." (an ID may hold blanks as "+":
# "CVE-2017-12122+TALOS-2017-0488").
secdb_file () {
	_sf_file=$1 _sf_repo=$2
	_sf_branch=$(basename "$(dirname "$_sf_file")")
	shift 2
	mkdir -p "$(dirname "$_sf_file")" || return 1
	{
		printf '{\n  "apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",\n'
		printf '  "archs": ["x86_64", "aarch64"],\n  "reponame": "%s",\n' "$_sf_repo"
		printf '  "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",\n'
		printf '  "distroversion": "%s",\n  "packages": [' "$_sf_branch"
		_sf_sep=
		for _sf_entry
		do
			printf '%s\n    {"pkg": {"name": "%s", "secfixes": {' "$_sf_sep" "${_sf_entry%% *}"
			_sf_fsep=
			for _sf_fix in ${_sf_entry#* }
			do
				printf '%s"%s": [' "$_sf_fsep" "${_sf_fix%%=*}"
				printf '%s' "${_sf_fix#*=}" | tr '+' ' ' |
					sed 's/\([^,][^,]*\)/"\1"/g; s/,/, /g'
				printf ']'
				_sf_fsep=', '
			done
			printf '}}}'
			_sf_sep=,
		done
		printf '\n  ]\n}\n'
	} >"$_sf_file"
}

# secdb_clean: v3.20's main and community files without any entry (no
# package has a known vulnerability).
secdb_clean () {
	secdb_file "$SECDB_DIR/v3.20/main.json" main &&
	secdb_file "$SECDB_DIR/v3.20/community.json" community
}

# secdb_fault BRANCH/REPO FAULT: make the stub fail that file (404, 500,
# garbage, half, short, loop, "slow N"); secdb_heal BRANCH/REPO undoes it.
secdb_fault () {
	printf '%s\n' "$2" >"$SECDB_DIR/$1.json.fault"
}

secdb_heal () {
	rm -f "$SECDB_DIR/$1.json.fault"
}

# secdb_stub: start the stub (once); sets SECDB_PORT and SECDB_URL.
secdb_stub () {
	mkdir -p "$SECDB_DIR" || return 1
	"$TEST_TOOLS/httpstub" -d "$SECDB_DIR" -l "$SECDB_LOG" -i 120 >"$SECDB_DIR.port" &
	SECDB_PID=$!
	server_wait "$SECDB_DIR.port" httpstub
	SECDB_PORT=$(cat "$SECDB_DIR.port")
	# shellcheck disable=SC2034 # for the scripts that source this
	SECDB_URL=http://127.0.0.1:$SECDB_PORT/ok/
}

secdb_stop () {
	if test -n "$SECDB_PID"
	then
		kill "$SECDB_PID" 2>/dev/null
		wait "$SECDB_PID" 2>/dev/null
	fi
	SECDB_PID=
}
trap secdb_stop EXIT

# secdb_config ROOT URL [YAML LINE...]: ROOT's configuration points
# vuln.secdb_url at URL; further lines go under "vuln:".
secdb_config () {
	_sc_root=$1 _sc_url=$2
	shift 2
	mkdir -p "$_sc_root/etc/aipkg" &&
	{
		printf 'vuln:\n  secdb_url: %s\n' "$_sc_url"
		for _sc_line
		do
			printf '  %s\n' "$_sc_line"
		done
	} >"$_sc_root/etc/aipkg/aipkg.yaml"
}

# secdb_requests: how many requests the stub logged.
secdb_requests () {
	if test -f "$SECDB_LOG"
	then
		wc -l <"$SECDB_LOG" | tr -d ' '
	else
		echo 0
	fi
}
