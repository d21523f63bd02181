/* libaipkg public API: aipkg as an Ansible module. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_ANSIBLE_H
#define AIPKG_ANSIBLE_H

#include <jansson.h>

#include "aipkg/aipkg.h"

/*
 * Run one Ansible task.  ARGS is the object of the arguments file Ansible
 * hands a non-Python module (WANT_JSON): the task's parameters and
 * Ansible's own "_ansible_*" keys (_ansible_check_mode: a dry run;
 * _ansible_diff: return before/after of the world file and the installed
 * versions).  OPTS: the options the task starts from (the apk command,
 * --config, --repository, --root when the task names no root:); the
 * module sets its own caller ("ansible"), confirmation (the task is the
 * agreement), batch mode and, from the parameters, the root, dry run,
 * repositories and lock timeout.  Parameters are checked as Ansible
 * checks a module's (types, choices, unknown names, exclusions) before
 * anything runs; then the same pkg.* tools as the CLI run.
 *
 * Returns the module's result, a new object: "changed" (whether the
 * installed database or world file differ after the task from before it;
 * in check mode, whether they would), "msg", "failed": true when the task
 * failed (with aipkg's message), and the return values aipkg(8), ANSIBLE
 * MODULE lists.  NULL only when out of memory.  Never prints anything.
 */
AIPKG_API json_t *aipkg_ansible_run(const json_t *args, const struct aipkg_opts *opts);

#endif
