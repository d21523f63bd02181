/* The agent's policy: what each risk gets, name lists and globs, the maintenance window. */
/* SPDX-License-Identifier: MIT */
#include <fnmatch.h>
#include <string.h>

#include "agent/agent.h"

static enum aipkg_action action_or(const char *configured, enum aipkg_action dflt)
{
	int a = aipkg_agent_action_parse(configured);

	return a < 0 ? dflt : (enum aipkg_action)a;
}

enum aipkg_action aipkg_agent_policy(const struct aipkg_agent_config *cfg, enum aipkg_risk risk,
				     bool security)
{
	if (security)
		return action_or(cfg->policy_security, AIPKG_ACTION_SANDBOX);
	switch (risk) {
	case AIPKG_RISK_LOW:
		return action_or(cfg->policy_low, AIPKG_ACTION_APPLY);
	case AIPKG_RISK_MEDIUM:
		return action_or(cfg->policy_medium, AIPKG_ACTION_SANDBOX);
	case AIPKG_RISK_HIGH:
		break;
	}
	return action_or(cfg->policy_high, AIPKG_ACTION_DEFER);
}

enum aipkg_action aipkg_agent_careful(enum aipkg_action a, enum aipkg_action b)
{
	return a > b ? a : b;
}

bool aipkg_agent_glob_any(char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(v[i], name, 0) == 0)
			return true;
	return false;
}

bool aipkg_agent_in_window(const char *window, time_t now)
{
	struct tm tm;
	int start, end, m;

	if (!window || !aipkg_config_window_parse(window, &start, &end) || !localtime_r(&now, &tm))
		return true;
	m = tm.tm_hour * 60 + tm.tm_min;
	if (start < end)
		return m >= start && m < end;
	return m >= start || m < end; /* "22:00-02:00" wraps midnight */
}

const char *aipkg_agent_check_for(const struct aipkg_agent_config *cfg, const char *name)
{
	const char *key;
	json_t *v;

	if (!cfg->checks)
		return NULL;
	if ((v = json_object_get(cfg->checks, name)))
		return json_string_value(v);
	json_object_foreach(cfg->checks, key, v)
		if (fnmatch(key, name, 0) == 0)
			return json_string_value(v);
	return NULL;
}
