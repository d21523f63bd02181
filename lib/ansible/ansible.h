/* Private declarations of the Ansible module: its parameters, checked. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_ANSIBLE_PRIV_H
#define AIPKG_ANSIBLE_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "aipkg/ansible.h"
#include "apk/state.h"
#include "buf.h"
#include "ctx.h"

/* state: present (installed), absent (removed), latest, locked, unlocked. */
enum ans_state { ANS_PRESENT, ANS_ABSENT, ANS_LATEST, ANS_LOCKED, ANS_UNLOCKED };

/* rollback: none, the newest operation, or one id. */
#define ANS_ROLLBACK_NONE 0
#define ANS_ROLLBACK_LAST (-1)

/*
 * A task's parameters once checked, typed.  Strings are borrowed from the
 * arguments object; the arrays are owned (aipkg_ansible_params_release).
 */
struct ans_params {
	json_t *name;          /* array of package strings; NULL: not given */
	enum ans_state state;
	bool state_given;      /* state: was written in the task */
	bool update_cache, upgrade, available, no_cache, plan_only, force, rdepends;
	json_t *repository;    /* array of strings; NULL: not given */
	long long rollback;    /* ANS_ROLLBACK_NONE, ANS_ROLLBACK_LAST or an id */
	bool check_vuln;       /* check the packages against secdb at the end */
	const char *fail_on;   /* check_vuln.fail_on: the gate's level; NULL: no gate */
	bool vuln_refresh;     /* check_vuln.refresh */
	json_t *vuln_packages; /* check_vuln.packages; NULL: every installed package */
	const char *root;      /* NULL: the one the command line gave */
	double lock_timeout;   /* seconds to wait for another aipkg */
	bool check_mode;       /* _ansible_check_mode */
	bool diff;             /* _ansible_diff */
	json_t *given;         /* the task's own parameters (no _ansible_ keys), for the
				  journal's command line */
};

/*
 * Check ARGS as Ansible checks a module's arguments: unknown parameters
 * (those not starting with "_ansible_") named with the supported ones,
 * types converted as Ansible converts them (booleans from yes/no/on/off/
 * 1/0..., lists from "a,b" strings), choices, mutually exclusive and
 * required parameters.  0 and *P filled, or -AIPKG_E_USAGE with the
 * message in ERR; release *P in both cases.
 */
int aipkg_ansible_params(const json_t *args, struct ans_params *p, struct aipkg_buf *err);
void aipkg_ansible_params_release(struct ans_params *p);

/* The state as the task wrote it ("present" for ANS_PRESENT). */
const char *aipkg_ansible_state_name(enum ans_state s);

/*
 * One task being run (module.c): the context it made, its parameters,
 * and what its steps gathered for the result.
 */
struct task {
	struct aipkg_ctx *ctx;
	const struct ans_params *p;
	json_t *out;           /* the module's result */
	json_t *warnings;      /* the library's warnings, for Ansible to show */
	json_t *msgs;          /* one sentence a step, joined into "msg" */
	json_t *ids;           /* the journal ids of the operations made */
	/* check mode: what the dry runs planned, from the state before */
	json_t *planned, *world_added, *world_removed;
	struct aipkg_state before; /* installed database and world before the task */
	bool assumed;          /* check mode: a change is predicted that the plans
				  cannot show (the lock of a package not yet installed) */
};

/* The library's warning MSG, once, into T's "warnings" (Ansible shows them). */
void aipkg_ansible_warn(struct task *t, const char *msg);
/* A step's sentence for T's "msg". */
void aipkg_ansible_say(struct task *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Call TOOL with ARGS (stolen).  A failure is the task's failure, with
 * aipkg's message and the result's detail; *RES is what the tool returned
 * (also on a failure), for the caller to release.  The journal id of an
 * operation made, and in check mode the plan, are gathered into T.
 */
int aipkg_ansible_call(struct task *t, const char *tool, json_t *args, json_t **res);

/* The steps of a task (steps.c), in the order module.c runs them:
 * refresh (update_cache), one action (rollback, plan_only, upgrade or the
 * names' state), then the vulnerability check.  Each says what it did
 * (aipkg_ansible_say) and returns 0 or the task's failure. */
int aipkg_ansible_step_refresh(struct task *t);
int aipkg_ansible_step_rollback(struct task *t);
int aipkg_ansible_step_plan(struct task *t);
int aipkg_ansible_step_upgrade(struct task *t);
int aipkg_ansible_step_names(struct task *t);
int aipkg_ansible_step_vuln(struct task *t);

/* Fill T->out's "changed", "changes", "packages", "world_added",
 * "world_removed" and (with _ansible_diff) "diff": the installed database
 * and world file read again after the task against T->before, or in check
 * mode against what the dry runs planned.  0 or a negative error. */
int aipkg_ansible_conclude(struct task *t);

/* "installed nginx 1.26.2-r0, pcre2 10.43-r0; world file: +nginx" of a
 * tool's RESULT ("would install ..." when DRY); "" when it changed
 * nothing.  malloc'd. */
char *aipkg_ansible_describe(const json_t *result, bool dry);

#endif
