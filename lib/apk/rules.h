/* Which apk's rules (versions, provider choice) a context follows: the apk it runs, else the root's. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_APK_RULES_H
#define AIPKG_APK_RULES_H

struct aipkg_ctx;

/*
 * 2 or 3: the major version of the apk this context runs (asking it with
 * `apk --version` the first time, which costs a run of apk); when no apk
 * can be run, the root's installed apk-tools, else its Alpine release
 * (3.22 and older: apk 2), else 3.  Never fails; the context's error
 * detail is left as it was.
 */
int aipkg_rules_major(struct aipkg_ctx *ctx);

/* The context's apk was detected (detect.c): its rules are in force;
 * RELEASE ("2.14.4") may be NULL. */
void aipkg_rules_apk_known(struct aipkg_ctx *ctx, int major, const char *release);

/* Make the context decide the version rules (apk/version.h) when they
 * first matter; detach before the context goes away. */
void aipkg_rules_attach(struct aipkg_ctx *ctx);
void aipkg_rules_detach(struct aipkg_ctx *ctx);

#endif
