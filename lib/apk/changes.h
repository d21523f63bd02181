/* Package changes: what apk plans (--simulate) and what it really did. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_CHANGES_H
#define AIPKG_APK_CHANGES_H

#include <jansson.h>

#include "apk/pkg.h"

/*
 * The plan apk printed for a --simulate run ("(1/5) Installing pcre2
 * (10.43-r0)", "Upgrading nginx (1.26.2-r0 -> 1.27.0-r0)", "Purging ...")
 * as a new JSON array of {"name","action","from","to"}, in apk's order.
 * The wording is the same in apk 2.14 and 3.0.
 */
json_t *aipkg_changes_from_plan(const char *apk_stdout);

/*
 * What changed between two installed databases, as a new JSON array of
 * {"name","action","from","to"} sorted by name; action is install, remove,
 * upgrade, downgrade or reinstall (same version, other checksum).
 */
json_t *aipkg_changes_diff(const struct aipkg_pkgset *before, const struct aipkg_pkgset *after);

/* A change object; FROM/TO may be NULL (JSON null). */
json_t *aipkg_change_new(const char *name, const char *action, const char *from,
			 const char *to);

#endif
