/* libaipkg public API: the Package Agent's scheduled pass and its cron job. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_PUBLIC_AGENT_H
#define AIPKG_PUBLIC_AGENT_H

#include <jansson.h>
#include <stdbool.h>

#include "aipkg/aipkg.h"

/*
 * One pass of the agent (aipkg(8), "agent run"): take the state lock at
 * once (-AIPKG_E_LOCKED when another aipkg holds it), refresh the indexes
 * (when that fails nothing is upgraded), refresh the security database
 * (offline: the cache, said so), assess every upgradable package, apply,
 * try in a sandbox or defer each as agent.policy says, each change
 * journalled with caller "agent", record the deferred updates, write the
 * report under ROOT/var/lib/aipkg/reports/ and notify.  A failed upgrade
 * stops the run.  With --dry-run only the plan is made: nothing is
 * refreshed, tried, changed or written.
 * *report (a new object, also on most failures; see aipkg(8), JSON
 * OUTPUT) has "status" "ok" or "failed" and "attention": true when a
 * person should read it.  Returns 0, -AIPKG_E_LOCKED, or the first
 * failure (the run's errors are in the report).
 */
AIPKG_API int aipkg_agent_run(struct aipkg_ctx *ctx, json_t **report);

/* REPORT (from aipkg_agent_run) as a person reads it, malloc'd. */
AIPKG_API char *aipkg_agent_report_format(const json_t *report);

/*
 * Write (or with UNINSTALL remove) ROOT/etc/periodic/daily/aipkg, the
 * busybox crond job running "AIPKG agent run" (AIPKG: the aipkg binary's
 * absolute path).  Only a file aipkg wrote is removed or replaced.
 * *result: {"path","installed":bool,"changed":bool}.
 */
AIPKG_API int aipkg_agent_cron(struct aipkg_ctx *ctx, const char *aipkg, bool uninstall,
			       json_t **result);

#endif
