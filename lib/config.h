/* aipkg.yaml: the configuration, read with libyaml against a table of keys. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_CONFIG_H
#define AIPKG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "ai/llm.h"
#include "buf.h"

/* agent: the Package Agent's policy (lib/agent/, aipkg.yaml(5)). */
struct aipkg_agent_config {
	char *policy_low;      /* agent.policy.*: "apply", "sandbox" or "defer"; */
	char *policy_medium;   /* NULL: the default (apply, sandbox, defer, sandbox) */
	char *policy_high;
	char *policy_security;
	char **core_packages;  /* names or globs; NULL: the built-in list */
	size_t core_packages_n;
	char **high_packages;
	size_t high_packages_n;
	char **deny;
	size_t deny_n;
	char **allow;          /* NULL: every package may be upgraded */
	size_t allow_n;
	json_t *checks;        /* {"nginx": "nginx -t"}: the admin's shell commands */
	char *notify_webhook;
	char **notify_command; /* words, run without a shell, the report on stdin */
	size_t notify_command_n;
	bool notify_syslog;
	double min_age;        /* seconds a new version must have been built ago */
	char *window;          /* "02:00-05:00" (local time), or NULL: any time */
	long max_packages;     /* upgrades per run; 0: no limit */
	long reverse_deps_high; /* this many reverse dependencies make it high */
	double sandbox_timeout; /* seconds for a sandbox's apk and for each check */
	bool review;           /* ask the strategic model about medium and high */
	bool heal;             /* repair damaged files the doctor finds (aipkg doctor --fix) */
	bool restart_services; /* restart an upgraded package's running OpenRC services */
	long keep_reports;     /* days a run's report is kept; 0: for ever */
};

struct aipkg_config {
	char *path;          /* the file read, NULL when none existed */
	json_t *origins;     /* {"vuln.fail_on": LINE}: where the file set each key */
	char **apk_command;  /* apk.command split into words; NULL: default */
	size_t apk_command_n;
	double apk_timeout;  /* apk.timeout: seconds an apk run may take; 0 none */
	long apk_wait;       /* apk.wait: seconds apk waits for its own lock */
	double lock_timeout; /* lock_timeout: seconds to wait for aipkg's lock */
	long keep_packages_mb; /* journal.keep_packages_mb: kept package files; 0 none */
	long keep_rollbacks;   /* journal.keep_rollbacks: the newest operations whose
				* rollback keeps its files whatever the size */
	char *vuln_secdb_url; /* vuln.secdb_url: secdb base URL */
	char *vuln_severity;  /* vuln.severity: CVSS source (URL or file); NULL: none */
	char *vuln_fail_on;   /* vuln.fail_on: refuse installs at or above this */
	double vuln_max_age;  /* vuln.max_age: seconds before the secdb is refreshed */
	double vuln_timeout;  /* vuln.timeout: seconds a secdb download may take */
	double doctor_index_max_age; /* doctor.index_max_age: a cached index older is stale */
	struct aipkg_llm_config llm_tactical;  /* llm.tactical: planning; NULL provider: offline */
	struct aipkg_llm_config llm_strategic; /* llm.strategic: security decisions */
	struct aipkg_agent_config agent;       /* agent: the Package Agent */
};

#define AIPKG_SECDB_URL_DEFAULT "https://secdb.alpinelinux.org/"

/*
 * Defaults, then PATH if it exists (REQUIRED: it must exist).  Unknown keys,
 * wrong types and YAML errors fail with -AIPKG_E_CONFIG and a message
 * "FILE:LINE: ..." in *err.  Release with aipkg_config_release().
 */
int aipkg_config_load(struct aipkg_config *cfg, const char *path, bool required,
		      struct aipkg_buf *err);
void aipkg_config_release(struct aipkg_config *cfg);

/* The same from TEXT (LEN bytes, no NUL needed) instead of a file; NAME
 * is the file name messages use.  Release CFG in every case. */
int aipkg_config_load_text(struct aipkg_config *cfg, const char *name, const char *text,
			   size_t len, struct aipkg_buf *err);

/* A maintenance window "HH:MM-HH:MM": *start and *end (may be NULL) get
 * minutes after midnight; false when S is not one.  It may wrap midnight. */
bool aipkg_config_window_parse(const char *s, int *start, int *end);

/* Split a command line into words (whitespace-separated, with '...' and
 * "..." quoting, no other shell syntax).  -EINVAL on unbalanced quotes. */
int aipkg_split_words(const char *s, char ***words, size_t *n);
void aipkg_strv_free(char **v, size_t n);
/* A copy of the LEN bytes at S appended to the string array *V of *N: 0
 * or -ENOMEM (*V and *N as they were). */
int aipkg_strv_add(char ***v, size_t *n, const char *s, size_t len);

/*
 * Every setting in the table's order, as a new array of rows: a mapping
 * {"key":"vuln","map":true} (with "note" when it is an optional section
 * the file did not set: "llm.tactical"), or a value
 * {"key":"vuln.fail_on","value":V,"origin":"default"|"FILE:LINE"} with
 * "note" when it is unset and no single value says what applies
 * ("lock_timeout": "30 at a terminal, 0 otherwise").  Secrets in URLs are
 * masked; API keys are never in a configuration.
 */
json_t *aipkg_config_settings(const struct aipkg_config *cfg);

/* Rows of aipkg_config_settings() as one nested object ({"vuln":
 * {"fail_on": "high"}}; an unset optional section is null). */
json_t *aipkg_config_settings_nest(const json_t *settings);

/* The effective settings as a new JSON object (nested, with "file"),
 * secrets masked. */
json_t *aipkg_config_json(const struct aipkg_config *cfg);

#endif
