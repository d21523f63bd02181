/* The Package Agent: risk assessment, policy, sandbox trials, reports for unattended updates. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AGENT_AGENT_H
#define AIPKG_AGENT_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"

struct aipkg_ctx;
struct aipkg_state;
struct aipkg_secdb;

/* How far apart two versions are, from the smallest step to the largest. */
enum aipkg_bump {
	AIPKG_BUMP_NONE,     /* equal, or not an upgrade */
	AIPKG_BUMP_REVISION, /* only -rN: Alpine's rebuild of the same upstream */
	AIPKG_BUMP_PATCH,    /* the third number or later, a letter, a _p/_git suffix */
	AIPKG_BUMP_MINOR,    /* the second number, a date-based version, a pre-release */
	AIPKG_BUMP_MAJOR,    /* the first number */
};

enum aipkg_risk { AIPKG_RISK_LOW, AIPKG_RISK_MEDIUM, AIPKG_RISK_HIGH };

enum aipkg_action { AIPKG_ACTION_APPLY, AIPKG_ACTION_SANDBOX, AIPKG_ACTION_DEFER };

/*
 * The step from FROM to TO, both apk versions
 * (digits {.digits} [letter] {_suffix[N]} [~hash] [-rN]).  An invalid
 * version, a downgrade or an equal version is AIPKG_BUMP_NONE.
 */
enum aipkg_bump aipkg_agent_bump(const char *from, const char *to);

/* What the risk of one upgrade depends on. */
struct aipkg_risk_input {
	const char *name;
	const char *from, *to;
	size_t reverse_deps; /* installed packages that need it */
	size_t fixes;        /* known vulnerabilities the upgrade fixes */
};

struct aipkg_risk_result {
	enum aipkg_risk risk;
	enum aipkg_bump bump;
	bool core;     /* one of agent.core_packages (or the built-in list) */
	bool security; /* fixes a known vulnerability */
	char reason[512]; /* every reason, "; "-separated, for a person */
};

/* Assess one upgrade under CFG's lists and thresholds; deterministic. */
void aipkg_agent_assess(const struct aipkg_agent_config *cfg, const struct aipkg_risk_input *in,
			struct aipkg_risk_result *out);

/* The action CFG's policy takes for RISK (or for a security fix). */
enum aipkg_action aipkg_agent_policy(const struct aipkg_agent_config *cfg, enum aipkg_risk risk,
				     bool security);

/* The more careful of two actions (defer > sandbox > apply). */
enum aipkg_action aipkg_agent_careful(enum aipkg_action a, enum aipkg_action b);

const char *aipkg_agent_risk_name(enum aipkg_risk risk);
const char *aipkg_agent_action_name(enum aipkg_action action);
const char *aipkg_agent_bump_name(enum aipkg_bump bump);
/* "apply", "sandbox", "defer" -> the action; -1 for anything else. */
int aipkg_agent_action_parse(const char *s);

/* Does NAME match one of the N names or globs (fnmatch) in V? */
bool aipkg_agent_glob_any(char *const *v, size_t n, const char *name);

/* Is the local time of NOW inside WINDOW ("HH:MM-HH:MM", may wrap
 * midnight)?  A NULL or invalid window is always open. */
bool aipkg_agent_in_window(const char *window, time_t now);

/* The check command CFG configures for NAME (an exact name first, then
 * the first glob that matches), or NULL. */
const char *aipkg_agent_check_for(const struct aipkg_agent_config *cfg, const char *name);

/*
 * The plan: every upgradable installed package with its risk and the
 * action policy gives it, as a new JSON array of
 *   {"name","from","to","origin","bump","risk","reason","reverse_deps",
 *    "fixes":[IDS],"built":EPOCH|null,"action","why"}
 * sorted by name.  "action" is apply, sandbox, defer or skip (denied, not
 * allowed, locked) and "why" says why in one line; an entry deferred only
 * by agent.max_packages also has "held":{"action","why"}, what the policy
 * said (a run gives it the turn of an upgrade that was not applied).  DB (may be NULL: no
 * security information) is the loaded secdb.  NOW decides min_age and the
 * window.  Nothing is changed; the strategic review is not asked here.
 */
json_t *aipkg_agent_plan(struct aipkg_ctx *ctx, const struct aipkg_state *st,
			 const struct aipkg_secdb *db, time_t now);

/*
 * The strategic model's review of PKG (a plan entry whose action is
 * sandbox or defer, or apply with a risk above low): when agent.review is
 * set and a model is configured, ask it; an answer can only make the
 * action more careful (PKG's "action" and "why" are updated and
 * "review" set).  Never fails: a model that is absent or fails leaves PKG
 * as it was, with "review" saying so.
 */
void aipkg_agent_review(struct aipkg_ctx *ctx, json_t *pkg);

/*
 * The apk cache one run's sandbox trials share (trialcache.c): each trial
 * installs the whole world into a scratch root; with this cache apk
 * downloads a package once per run, and the upgrade after a passing trial
 * none.  A directory of the run's own under var/lib/aipkg/sandbox/, given
 * the root's cached indexes (copied) and packages (linked) and the files
 * aipkg kept: the root's cache is only read.  AIPKG_SANDBOX_INIT, then
 * aipkg_agent_sandbox() for each trial, then aipkg_agent_sandbox_end().
 */
struct aipkg_sandbox {
	char *cache;  /* the run's cache; NULL until the first trial made it
			 (or could not: trials then download) */
	char *source; /* the root's apk cache (real path), read only; NULL: none */
	bool tried;   /* the first trial came */
};

#define AIPKG_SANDBOX_INIT { NULL, NULL, false }

/* Before a trial: the run's cache made (the first time), what the root's
 * cache holds that it lacks put in, and the kept files of what the trial
 * installs.  The directory to give apk, or NULL when there is none (the
 * trial then downloads). */
const char *aipkg_sandbox_cache_enter(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
				      const struct aipkg_state *st, const json_t *pkg);

/* After a trial passed in the scratch root of SCTX: the package files it
 * downloaded of versions the root does not have installed are kept
 * (var/lib/aipkg/packages, when journal.keep_packages_mb allows), so the
 * upgrade that follows takes them from there. */
void aipkg_sandbox_cache_passed(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
				struct aipkg_ctx *sctx);

/* The result of a sandbox trial, a new object:
 *   {"passed":bool, "root":DIR, "apk_exit":N, "checks":[{"command",
 *    "exit","timed_out","output"}], "reason":TEXT}
 * The scratch root under ROOT/var/lib/aipkg/sandbox/ is removed in every
 * case.  Returns 0 (look at "passed") or -ENOMEM. */
int aipkg_agent_sandbox(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb,
			const struct aipkg_state *st, const json_t *pkg, json_t **trial);

/* After the run: the run's cache removed.  Releases SB. */
void aipkg_agent_sandbox_end(struct aipkg_ctx *ctx, struct aipkg_sandbox *sb);

/*
 * The admin's check command CMD run for the tree ROOT (a sandbox, or the
 * live root; NULL or "/" is the host), with /bin/sh -c: chrooted when
 * aipkg is root and ROOT has a /bin/sh, else in ROOT with its bin
 * directories first in PATH and ENV_NAME naming it.  A new object
 * {"command","exit","timed_out","output","chroot"}.
 */
json_t *aipkg_agent_check_run(struct aipkg_ctx *ctx, const char *root, const char *env_name,
			      const char *cmd);

/* The check C (from aipkg_agent_check_run) exited 0 in time. */
bool aipkg_agent_check_passed(const json_t *c);

/*
 * OpenRC on the live root (lib/agent/service.c).  A service runs when
 * ROOT/run/openrc/started/SVC exists; it is restarted and asked about with
 * the root's own ROOT/sbin/rc-service (chrooted as root when ROOT has a
 * /bin/sh, else run directly with AIPKG_ROOT=ROOT).
 */
struct aipkg_filedb;
/* Is SVC a name rc-service may be given: a letter or digit, then letters,
 * digits and "._+-" (net.eth0, agetty.tty1, lvm-monitoring), at most 255
 * bytes?  A file a package ships under etc/init.d is not one when it could
 * be read as an option ("-Z" is rc-service's --dry-run) or a path. */
bool aipkg_agent_service_name_valid(const char *svc);
bool aipkg_agent_service_started(struct aipkg_ctx *ctx, const char *svc);
/* The services package NAME ships (its etc/init.d files with valid
 * names), only those running with RUNNING_ONLY, as a new array of names. */
json_t *aipkg_agent_services(struct aipkg_ctx *ctx, const struct aipkg_filedb *fdb,
			     const char *name, bool running_only);
/* rc-service SVC ACTION: {"service","action","exit","timed_out","output"};
 * an invalid SVC is never run (exit 127, the output says why). */
json_t *aipkg_agent_service(struct aipkg_ctx *ctx, const char *svc, const char *action);
/* Restart SVC, then ask whether it runs: {"service","restart","running"}. */
json_t *aipkg_agent_service_restart(struct aipkg_ctx *ctx, const char *svc);

/* Versions whose upgrade the agent rolled back because it broke the live
 * system (ROOT/var/lib/aipkg/agent/broken.json): the reason, or NULL. */
const char *aipkg_agent_broken_reason(const json_t *broken, const char *name,
				      const char *version);

/* The agent's files under ROOT/var/lib/aipkg/agent/: NAME.json read as a
 * new reference (NULL when missing or unreadable), and written atomically. */
json_t *aipkg_agent_load(struct aipkg_ctx *ctx, const char *name);
int aipkg_agent_save(struct aipkg_ctx *ctx, const char *name, const json_t *doc);

/* The deferred updates as recorded by the last run: a new array of
 * {"name","from","to","risk","reason","since","time"}. */
json_t *aipkg_agent_deferred(struct aipkg_ctx *ctx);

/* Write REPORT as ROOT/var/lib/aipkg/reports/STAMP.{json,txt}; sets
 * REPORT's "files".  The text form is appended to TEXT (may be NULL). */
int aipkg_agent_report_write(struct aipkg_ctx *ctx, json_t *report, struct aipkg_buf *text);

/* Remove the reports (both files of a run) older than agent.keep_reports
 * days at NOW, by the time in their names; files of other names stay.
 * Returns how many files went (0 when keep_reports is 0: kept for ever). */
int aipkg_agent_reports_prune(struct aipkg_ctx *ctx, time_t now);

/* The plain-text form of REPORT. */
void aipkg_agent_report_text(const json_t *report, struct aipkg_buf *out);

/* Tell the configured recipients (syslog, webhook, command) about REPORT,
 * whose text form is in the file TEXT_FILE.  Failures are warnings and
 * are added to REPORT's "notify_errors". */
void aipkg_agent_notify(struct aipkg_ctx *ctx, json_t *report, const char *text_file);

#endif
