/* aipkg error codes: one list that generates the enum, messages and exit codes. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_ERROR_H
#define AIPKG_ERROR_H

#include "aipkg/export.h"

/*
 * Library functions return 0 on success and a negative value on failure:
 * either -errno or -AIPKG_E_*.  The detail (file, line, package, URL) of the
 * most recent failure is kept in the context: aipkg_ctx_errmsg().
 *
 * X(name, exit code, message).  Exit codes are the documented contract:
 * 0 ok, 1 operation failed, 2 usage or configuration, 3 vulnerabilities,
 * 75 another aipkg holds the lock, 130 interrupted (Ctrl-C) while apk ran.
 */
#define AIPKG_ERRORS(X)                                                           \
	X(USAGE, 2, "invalid usage")                                              \
	X(CONFIG, 2, "invalid configuration")                                     \
	X(UNSAFE, 2, "a file or directory others can write is refused")          \
	X(BADNAME, 2, "invalid package name")                                     \
	X(BADVERSION, 2, "invalid version")                                       \
	X(BADDEP, 2, "invalid package constraint")                                \
	X(NOROOT, 2, "root directory is missing or unreadable")                   \
	X(NOT_ALPINE, 2, "not an Alpine root (no apk database)")                  \
	X(NOT_ROOT, 1, "changing the system needs root")                          \
	X(NOPKG, 1, "no such package")                                            \
	X(NOTINSTALLED, 1, "package is not installed")                            \
	X(CORRUPT, 1, "file is corrupt")                                          \
	X(APK_MISSING, 1, "apk command not found")                                \
	X(NOT_APK, 1, "command is not apk")                                       \
	X(APK_FAILED, 1, "apk failed")                                            \
	X(APK_LOCKED, 1, "apk database is locked by another process")             \
	X(CONFLICT, 1, "packages conflict")                                       \
	X(NEEDED, 1, "package is required by other installed packages")           \
	X(REFUSED, 1, "confirmation required")                                    \
	X(DECLINED, 1, "declined")                                                \
	X(INTERRUPTED, 130, "interrupted")                                        \
	X(TIMEOUT, 1, "timed out")                                                \
	X(TOOBIG, 1, "input too large")                                           \
	X(NETWORK, 1, "network failure")                                          \
	X(HTTP, 1, "server returned an error")                                    \
	X(AUTH, 1, "the server refused the credentials")                          \
	X(BADANSWER, 1, "unusable answer from the language model")                \
	X(JOURNAL, 1, "journal error")                                            \
	X(NOSPACE, 1, "not enough disk space")                                    \
	X(NO_ENTRY, 1, "no such operation in the journal")                        \
	X(CANNOT_UNDO, 1, "the operation cannot be undone")                       \
	X(VULNERABLE, 3, "vulnerabilities found")                                 \
	X(AGENT, 1, "the agent run had errors")                                   \
	X(LOCKED, 75, "another aipkg holds the lock")

enum aipkg_error {
	AIPKG_E_BASE = 1000,
#define AIPKG_X_ENUM(name, exit, msg) AIPKG_E_##name,
	AIPKG_ERRORS(AIPKG_X_ENUM)
#undef AIPKG_X_ENUM
	AIPKG_E_LAST
};

/* Message for a negative return value (-errno or -AIPKG_E_*); never NULL. */
AIPKG_API const char *aipkg_strerror(int err);

/* The process exit code for a negative return value (0 for err >= 0). */
AIPKG_API int aipkg_exit_code(int err);

/* Stable machine-readable name ("no_such_package", "errno_2"...) for JSON. */
AIPKG_API const char *aipkg_error_name(int err);

#endif
