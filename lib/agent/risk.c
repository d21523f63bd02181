/* Risk of an upgrade: how far the version moves, what kind of package it is, who needs it. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "apk/version.h"

#define VER_MAX_PARTS 16

/* The packages whose upgrade can stop a machine from booting or being
 * reached, or break every other package: never applied without a trial. */
static const char *const core_default[] = {
	"musl",	     "musl-utils", "openssl",	       "libcrypto3", "libssl3",
	"apk-tools", "busybox",	   "busybox-binsh",    "openrc",     "linux-*",
	"alpine-baselayout", "alpine-baselayout-data", "ca-certificates", "ca-certificates-bundle",
};

/* An apk version taken apart: numbers, then the rest of the upstream
 * version (letter, suffixes, hash), then the revision. */
struct ver_parts {
	unsigned long long num[VER_MAX_PARTS];
	size_t nnum;
	size_t num_len0;     /* digits of the first number (a date is 8) */
	const char *tail;    /* after the numbers, up to "-r" */
	size_t tail_len;
	bool pre;            /* an _alpha, _beta, _pre or _rc suffix */
};

/* Does the upstream tail S (LEN bytes) hold a pre-release suffix? */
static bool has_pre(const char *s, size_t len)
{
	static const char *const pre[] = { "_alpha", "_beta", "_pre", "_rc" };
	char tail[128];

	snprintf(tail, sizeof(tail), "%.*s", (int)len, s);
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (strstr(tail, pre[i]))
			return true;
	return false;
}

static void ver_split(const char *v, struct ver_parts *p)
{
	const char *rev = strstr(v, "-r"), *s = v;

	memset(p, 0, sizeof(*p));
	while (*s >= '0' && *s <= '9' && p->nnum < VER_MAX_PARTS) {
		const char *start = s;

		p->num[p->nnum] = strtoull(s, (char **)&s, 10);
		if (p->nnum++ == 0)
			p->num_len0 = (size_t)(s - start);
		if (*s != '.' || !(s[1] >= '0' && s[1] <= '9'))
			break;
		s++;
	}
	p->tail = s;
	p->tail_len = rev && rev >= s ? (size_t)(rev - s) : strlen(s);
	p->pre = has_pre(s, p->tail_len);
}

/* The first number that differs: 0 major, 1 minor, 2+ patch; -1 none. */
static int first_difference(const struct ver_parts *a, const struct ver_parts *b)
{
	size_t n = a->nnum > b->nnum ? a->nnum : b->nnum;

	for (size_t i = 0; i < n; i++) {
		if (i >= a->nnum || i >= b->nnum || a->num[i] != b->num[i])
			return (int)i;
	}
	return -1;
}

static bool date_version(const struct ver_parts *p)
{
	return p->nnum == 1 && p->num_len0 == 8 && p->num[0] >= 19000000 && p->num[0] < 30000000;
}

enum aipkg_bump aipkg_agent_bump(const char *from, const char *to)
{
	struct ver_parts a, b;
	int d;

	if (aipkg_version_compare(aipkg_slice_str(from), aipkg_slice_str(to)) != AIPKG_VER_LESS)
		return AIPKG_BUMP_NONE;
	ver_split(from, &a);
	ver_split(to, &b);
	d = first_difference(&a, &b);
	if (d == 0)
		return date_version(&a) && date_version(&b) ? AIPKG_BUMP_MINOR : AIPKG_BUMP_MAJOR;
	if (d == 1)
		return AIPKG_BUMP_MINOR;
	if (d >= 2)
		return AIPKG_BUMP_PATCH;
	if (a.tail_len == b.tail_len && strncmp(a.tail, b.tail, a.tail_len) == 0)
		return AIPKG_BUMP_REVISION;
	/* same numbers: a pre-release on either side is a real change of code */
	return a.pre || b.pre ? AIPKG_BUMP_MINOR : AIPKG_BUMP_PATCH;
}

static bool is_core(const struct aipkg_agent_config *cfg, const char *name)
{
	if (cfg->core_packages)
		return aipkg_agent_glob_any(cfg->core_packages, cfg->core_packages_n, name);
	return aipkg_agent_glob_any((char *const *)core_default,
				    sizeof(core_default) / sizeof(core_default[0]), name);
}

__attribute__((format(printf, 2, 3))) static void reason_add(struct aipkg_risk_result *out,
								  const char *fmt, ...)
{
	size_t len = strlen(out->reason);
	va_list ap;

	if (len)
		snprintf(out->reason + len, sizeof(out->reason) - len, "; ");
	len = strlen(out->reason);
	va_start(ap, fmt);
	vsnprintf(out->reason + len, sizeof(out->reason) - len, fmt, ap);
	va_end(ap);
}

static void raise_to(struct aipkg_risk_result *out, enum aipkg_risk r)
{
	if (r > out->risk)
		out->risk = r;
}

static const char *const bump_reason[] = {
	[AIPKG_BUMP_NONE] = "not an upgrade",
	[AIPKG_BUMP_REVISION] = "revision-only rebuild",
	[AIPKG_BUMP_PATCH] = "patch release",
	[AIPKG_BUMP_MINOR] = "minor version bump",
	[AIPKG_BUMP_MAJOR] = "major version bump",
};

void aipkg_agent_assess(const struct aipkg_agent_config *cfg, const struct aipkg_risk_input *in,
			struct aipkg_risk_result *out)
{
	memset(out, 0, sizeof(*out));
	out->bump = aipkg_agent_bump(in->from, in->to);
	out->risk = out->bump == AIPKG_BUMP_MAJOR   ? AIPKG_RISK_HIGH
		    : out->bump == AIPKG_BUMP_MINOR ? AIPKG_RISK_MEDIUM
						    : AIPKG_RISK_LOW;
	reason_add(out, "%s", bump_reason[out->bump]);
	if ((out->core = is_core(cfg, in->name))) {
		raise_to(out, AIPKG_RISK_MEDIUM);
		reason_add(out, "core package");
	}
	if (aipkg_agent_glob_any(cfg->high_packages, cfg->high_packages_n, in->name)) {
		raise_to(out, AIPKG_RISK_HIGH);
		reason_add(out, "listed in agent.high_packages");
	}
	if (cfg->reverse_deps_high > 0 && in->reverse_deps >= (size_t)cfg->reverse_deps_high) {
		raise_to(out, AIPKG_RISK_HIGH);
		reason_add(out, "%zu installed package%s on it", in->reverse_deps,
			   aipkg_plural(in->reverse_deps, " depends", "s depend"));
	}
	if ((out->security = in->fixes > 0))
		reason_add(out, "fixes %zu known vulnerabilit%s", in->fixes,
			   in->fixes == 1 ? "y" : "ies");
}

static const char *const risk_names[] = { "low", "medium", "high" };
static const char *const action_names[] = { "apply", "sandbox", "defer" };
static const char *const bump_names[] = { "none", "revision", "patch", "minor", "major" };

const char *aipkg_agent_risk_name(enum aipkg_risk risk)
{
	return risk_names[risk];
}

const char *aipkg_agent_action_name(enum aipkg_action action)
{
	return action_names[action];
}

const char *aipkg_agent_bump_name(enum aipkg_bump bump)
{
	return bump_names[bump];
}

int aipkg_agent_action_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(s, action_names[i]) == 0)
			return (int)i;
	return -1;
}
