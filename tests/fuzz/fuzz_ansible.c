/* Fuzz target: an Ansible task's arguments (ansible/params.c), as the module reads them. */
/* SPDX-License-Identifier: MIT */
#include <jansson.h>
#include <string.h>

#include "ansible/ansible.h"
#include "fuzz.h"

/* Every input is one arguments file: a JSON document of any shape.  What
 * is checked must be typed as the task runs it: names and repositories
 * strings without NUL, a state among the choices, a rollback id >= 1. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *args = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;
	const json_t *v;
	size_t i;

	if (!args)
		return 0;
	if (aipkg_ansible_params(args, &p, &err) == 0) {
		json_array_foreach(p.name, i, v)
			if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
			    !*json_string_value(v))
				abort();
		json_array_foreach(p.repository, i, v)
			if (!json_is_string(v))
				abort();
		if (p.rollback != ANS_ROLLBACK_NONE && p.rollback != ANS_ROLLBACK_LAST &&
		    p.rollback < 1)
			abort();
		if (p.lock_timeout < 0 || p.lock_timeout > 1e9 || p.lock_timeout != p.lock_timeout)
			abort();
		(void)aipkg_ansible_state_name(p.state);
	} else if (!err.len) {
		abort(); /* a refusal always says why */
	}
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
	json_decref(args);
	return 0;
}
