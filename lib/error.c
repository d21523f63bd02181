/* Messages, exit codes and stable names for aipkg's error codes. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "aipkg/error.h"

struct error_info {
	const char *name;
	int exit;
	const char *msg;
};

static const struct error_info errors[] = {
#define AIPKG_X_INFO(name, exit, msg) { #name, exit, msg },
	AIPKG_ERRORS(AIPKG_X_INFO)
#undef AIPKG_X_INFO
};

static const struct error_info *error_lookup(int err)
{
	int e = -err;

	if (e > AIPKG_E_BASE && e < AIPKG_E_LAST)
		return &errors[e - AIPKG_E_BASE - 1];
	return NULL;
}

const char *aipkg_strerror(int err)
{
	const struct error_info *info = error_lookup(err);

	if (info)
		return info->msg;
	if (err < 0)
		return strerror(-err);
	return "success";
}

int aipkg_exit_code(int err)
{
	const struct error_info *info = error_lookup(err);

	if (err >= 0)
		return 0;
	return info ? info->exit : 1;
}

const char *aipkg_error_name(int err)
{
	static char names[AIPKG_E_LAST - AIPKG_E_BASE][24];
	static char errno_name[32];
	const struct error_info *info = error_lookup(err);
	char *out;

	if (!info) {
		snprintf(errno_name, sizeof(errno_name), "errno_%d", err < 0 ? -err : err);
		return errno_name;
	}
	out = names[-err - AIPKG_E_BASE];
	if (!out[0])
		for (size_t i = 0; info->name[i] && i + 1 < sizeof(names[0]); i++)
			out[i] = (char)tolower((unsigned char)info->name[i]);
	return out;
}
