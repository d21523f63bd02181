# Helpers of the doctor tests (t09xx): what the doctor's JSON and apk audit say, in one sorted form.
# SPDX-License-Identifier: MIT
#
# Sourced after test-lib.sh and lib-fixtures.sh; ROOT names the root.

JSONQ=$TEST_TOOLS/jsonq

aipkg () {
	"$AIPKG" --root "$ROOT" --allow-untrusted "$@" </dev/null
}

# doctor_files FILE: "STATE PATH" of each damaged system file in the
# doctor's JSON report FILE (the output of aipkg --json doctor), sorted.
doctor_files () {
	_df_n=$("$JSONQ" "problems#" <"$1") || return 1
	_df_i=0
	while test "$_df_i" -lt "$_df_n"
	do
		if test "$("$JSONQ" "problems[$_df_i].check" <"$1")" = files
		then
			_df_m=$("$JSONQ" "problems[$_df_i].files#" <"$1")
			_df_k=0
			while test "$_df_k" -lt "$_df_m"
			do
				"$JSONQ" "problems[$_df_i].files[$_df_k].state" \
					"problems[$_df_i].files[$_df_k].path" <"$1" | paste -d ' ' - -
				_df_k=$((_df_k + 1))
			done
		fi
		_df_i=$((_df_i + 1))
	done | sort
}

# doctor_config FILE: "STATE PATH" of each configuration file the report
# says the administrator changed, sorted.
doctor_config () {
	_dc_n=$("$JSONQ" "config#" <"$1") || return 1
	_dc_i=0
	while test "$_dc_i" -lt "$_dc_n"
	do
		"$JSONQ" "config[$_dc_i].state" "config[$_dc_i].path" <"$1" | paste -d ' ' - -
		_dc_i=$((_dc_i + 1))
	done | sort
}

# doctor_checks FILE: "CHECK SEVERITY: SUMMARY" of each problem, in order.
doctor_checks () {
	_dk_n=$("$JSONQ" "problems#" <"$1") || return 1
	_dk_i=0
	while test "$_dk_i" -lt "$_dk_n"
	do
		printf '%s %s: %s\n' "$("$JSONQ" "problems[$_dk_i].check" <"$1")" \
			"$("$JSONQ" "problems[$_dk_i].severity" <"$1")" \
			"$("$JSONQ" "problems[$_dk_i].summary" <"$1")"
		_dk_i=$((_dk_i + 1))
	done
}

# doctor_field_of FILE KEY VALUE FIELD: FIELD of the first problem whose
# KEY is VALUE ("repository" URL "cause").
doctor_field_of () {
	_dx_n=$("$JSONQ" "problems#" <"$1") || return 1
	_dx_i=0
	while test "$_dx_i" -lt "$_dx_n"
	do
		if test "$("$JSONQ" "problems[$_dx_i].$2" <"$1" 2>/dev/null)" = "$3"
		then
			"$JSONQ" "problems[$_dx_i].$4" <"$1"
			return
		fi
		_dx_i=$((_dx_i + 1))
	done
	return 1
}

# doctor_fix_of FILE CHECK: the "fix" of the first problem of CHECK.
doctor_fix_of () {
	doctor_field_of "$1" check "$2" fix
}

# audit_system / audit_config: what the real apk's audit says, in the
# same form ("U" is changed, "X" missing; --system for system files, the
# default backup mode for configuration).
audit_system () {
	test_apk --root "$ROOT" audit --system |
	sed -n 's/^U /changed /p; s/^X /missing /p' | sort
}

audit_config () {
	test_apk --root "$ROOT" audit | sed -n 's/^U /changed /p' | sort
}

# checksum_ok PATH: the file's content matches its Z: line again, read
# straight from the installed db (a symlink: its target's text).
checksum_ok () {
	_co_dir=${1%/*} _co_name=${1##*/}
	_co_want=$(awk -v d="$_co_dir" -v n="$_co_name" '
		/^F:/ { dir = substr($0, 3) }
		/^R:/ { file = substr($0, 3) }
		/^Z:/ && dir == d && file == n { print substr($0, 3); exit }' \
		"$ROOT/lib/apk/db/installed")
	_co_got=$("$TEST_TOOLS/mkrepo" q1 "$ROOT/$1") || return 1
	test "$_co_got" = "$_co_want" ||
		{ say "checksum of $1: $_co_got, the db says $_co_want" >&2; return 1; }
}
