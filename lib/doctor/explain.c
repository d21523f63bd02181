/* Failure diagnosis: what apk's error text means, in one paragraph, and the command that fixes it. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctx.h"
#include "doctor/doctor.h"

/*
 * The rules are built on what apk-tools 2.14 and 3.0 really print (both
 * provoked on purpose; tests/cli/t0940 replays them):
 *   lock        "Unable to lock database: temporary error (try again later)" (2.14),
 *               "...: Resource temporarily unavailable" (3.0), "...: Interrupted
 *               system call" (both, when --wait N ran out)
 *   permission  "Unable to lock database: Permission denied", "Unable to open log:
 *               Permission denied" (3.0, not root)
 *   untrusted   "WARNING: opening URL: UNTRUSTED signature", then its packages are
 *               "(no such package)"
 *   nospace     "Failed to create PATH: No space left on device" (2.14), "failed to
 *               extract PATH: No space left on device" (3.0)
 *   network     "could not connect to server (check repositories file)", "DNS lookup
 *               error" (2.14; 2.10 and 2.12: "ERROR: URL: DNS lookup error");
 *               "Connection refused", "DNS: name does not exist" (3.0);
 *               for a repository ("opening URL: ...") or, when the index came from the
 *               cache, for each package ("ERROR: curl-8.5.0-r0: DNS lookup error")
 *   stale       "Not continuing due to stale/unavailable repositories."
 *   gone        "package mentioned in index not found (try 'apk update')"
 *   conflict    "  A-1.0-r0:\n    conflicts: B-2.0-r0[cmd:telnet=...]"
 *   version     "  curl-8.9.0-r0:\n    breaks: world[curl=9.9-r0]"
 *   missing     "  libmissing (no such package):\n    required by: broken-1.0-r0[libmissing]"
 */

struct failure {
	struct aipkg_ctx *ctx;
	const char *applet, *err, *out;
	int exit_code;
	char what[2048];
	char fix[1024];
};

__attribute__((format(printf, 2, 3))) static void what(struct failure *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void fix(struct failure *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->fix, sizeof(f->fix), fmt, ap);
	va_end(ap);
}

static bool said(const struct failure *f, const char *s)
{
	return strstr(f->err, s) || strstr(f->out, s);
}

/* The line of apk's output holding S, without its end, in BUF. */
static const char *line_with(const struct failure *f, const char *s, char *buf, size_t size)
{
	const char *text = strstr(f->err, s) ? f->err : f->out, *at = strstr(text, s), *b, *e;

	if (!at)
		return NULL;
	for (b = at; b > text && b[-1] != '\n'; b--)
		;
	e = strchr(at, '\n');
	snprintf(buf, size, "%.*s", (int)((e ? e : at + strlen(at)) - b), b);
	return buf;
}

/* The text between PREFIX and SUFFIX on the line holding SUFFIX:
 * "WARNING: opening URL: UNTRUSTED signature" -> "URL". */
static const char *between(const struct failure *f, const char *prefix, const char *suffix,
			   char *buf, size_t size)
{
	char line[1024];
	const char *l = line_with(f, suffix, line, sizeof(line)), *p, *s;

	if (!l || !(s = strstr(l, suffix)))
		return NULL;
	p = strstr(l, prefix);
	p = p && p < s ? p + strlen(prefix) : l;
	while (s > p && (s[-1] == ' ' || s[-1] == ':'))
		s--;
	snprintf(buf, size, "%.*s", (int)(s - p), p);
	return buf;
}

static const char *root_of(const struct failure *f)
{
	return *f->ctx->root ? f->ctx->root : "/";
}

/*
 * Who holds apk's lock: /proc/locks names the pid of each flock by the
 * file's device and inode.
 */
static long lock_holder(struct aipkg_ctx *ctx, char *cmd, size_t size)
{
	char *path = aipkg_ctx_path(ctx, "lib/apk/db/lock"), line[256];
	FILE *locks = fopen("/proc/locks", "re");
	struct stat st;
	long pid = 0;

	*cmd = '\0';
	if (!path || stat(path, &st) < 0 || !locks) {
		free(path);
		if (locks)
			fclose(locks);
		return 0;
	}
	free(path);
	while (!pid && fgets(line, sizeof(line), locks)) {
		unsigned maj, min;
		unsigned long ino;
		long p;

		if (sscanf(line, "%*s %*s %*s %*s %ld %x:%x:%lu", &p, &maj, &min, &ino) == 4 &&
		    ino == st.st_ino && makedev(maj, min) == st.st_dev)
			pid = p;
	}
	fclose(locks);
	if (pid > 0) {
		char file[64];
		FILE *c;
		size_t n;

		snprintf(file, sizeof(file), "/proc/%ld/cmdline", pid);
		if ((c = fopen(file, "re"))) {
			n = fread(cmd, 1, size - 1, c);
			for (size_t i = 0; i + 1 < n; i++)
				if (!cmd[i])
					cmd[i] = ' ';
			cmd[n] = '\0';
			fclose(c);
		}
	}
	return pid;
}

static bool rule_lock(struct failure *f)
{
	char cmd[512];
	long pid;

	/* without --wait: EAGAIN; with --wait N (aipkg passes apk.wait) the
	 * wait ends with the alarm: EINTR */
	if (!said(f, "nable to lock database") ||
	    !(said(f, "temporar") || said(f, "Resource temporarily unavailable") ||
	      said(f, "Interrupted system call")))
		return false;
	pid = lock_holder(f->ctx, cmd, sizeof(cmd));
	if (pid > 0) {
		what(f, "Another process (pid %ld: %s) holds apk's database lock on %s, and apk gave "
			"up waiting for it (apk.wait is %ld s). If it is still working, let it "
			"finish and run your command again; if it is stuck (an apk left behind by a "
			"killed session), stop it.",
		     pid, *cmd ? cmd : "command unknown", root_of(f), f->ctx->cfg.apk_wait);
		fix(f, "kill %ld", pid);
	} else {
		what(f, "Another apk holds the database lock on %s (%slib/apk/db/lock), and apk gave "
			"up waiting for it (apk.wait is %ld s); it has finished since, or runs where "
			"aipkg cannot see its process. Run your command again.",
		     root_of(f), *f->ctx->root ? "ROOT/" : "/", f->ctx->cfg.apk_wait);
		fix(f, "fuser -v %s/lib/apk/db/lock", f->ctx->root);
	}
	return true;
}

static bool rule_permission(struct failure *f)
{
	if (!said(f, "Permission denied"))
		return false;
	what(f, "apk was not allowed to change %s (\"Permission denied\"): changing packages needs "
		"root. Run the command again as root.",
	     root_of(f));
	fix(f, "doas %s", f->ctx->opts.cmdline && *f->ctx->opts.cmdline ? f->ctx->opts.cmdline
									 : "aipkg ...");
	return true;
}

static bool rule_readonly(struct failure *f)
{
	if (!said(f, "Read-only file system"))
		return false;
	what(f, "%s (or part of it) is mounted read-only, so apk could not write to it. Remount "
		"it read-write, run the command again, and remount it read-only afterwards if "
		"that is how the system runs.",
	     root_of(f));
	fix(f, "mount -o remount,rw %s", root_of(f));
	return true;
}

static bool rule_nospace(struct failure *f)
{
	struct statvfs vfs;
	char free_text[64] = "";

	if (!said(f, "No space left on device"))
		return false;
	if (statvfs(root_of(f), &vfs) == 0)
		snprintf(free_text, sizeof(free_text), " (%.1f MiB free now)",
			 (double)vfs.f_bavail * (double)vfs.f_frsize / 1048576);
	what(f, "The filesystem of %s is full%s: apk could not write a package's files, and the "
		"package it was installing is left incomplete. Free space (apk's package cache, "
		"old logs, unused packages), then repair what was half-installed.",
	     root_of(f), free_text);
	if (*f->ctx->root)
		fix(f, "apk --root %s cache clean && aipkg --root %s doctor --fix", f->ctx->root,
		    f->ctx->root);
	else
		fix(f, "apk cache clean && aipkg doctor --fix");
	return true;
}

static bool rule_untrusted(struct failure *f)
{
	char repo[512];

	if (!said(f, "UNTRUSTED signature"))
		return false;
	if (!between(f, "opening ", "UNTRUSTED signature", repo, sizeof(repo)))
		snprintf(repo, sizeof(repo), "a repository");
	what(f, "apk refused %s: it is not signed by a key in %s/etc/apk/keys, so its packages "
		"are invisible to apk (that is why they look missing). Install the repository's "
		"public key, or remove the repository from etc/apk/repositories if you do not "
		"trust it; --allow-untrusted skips the check and is unsafe.",
	     repo, f->ctx->root);
	fix(f, "cp THE-REPOSITORY-KEY.rsa.pub %s/etc/apk/keys/ && aipkg update", f->ctx->root);
	return true;
}

static bool rule_badsig(struct failure *f)
{
	if (!said(f, "BAD signature") && !said(f, "BAD archive"))
		return false;
	what(f, "A package or index apk downloaded does not match its signature or checksum: the "
		"download was corrupted or cut off, or the mirror is broken or tampered with. "
		"Refresh the indexes; if it persists, switch to another mirror.");
	fix(f, "aipkg update");
	return true;
}

static const char *network_reason(const struct failure *f, char *repo, size_t size)
{
	static const char *const reasons[] = {
		"could not connect to server", "Connection refused", "DNS lookup error",
		"DNS: name does not exist", "Network is unreachable", "network error",
		"Operation timed out", "timed out", "No route to host", "TLS", "certificate",
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (said(f, reasons[i])) {
			char line[1024];

			/* "opening URL: REASON", apk 3.0.6's and 2.14.4's
			 * "updating URL: REASON" and apk 2.10's and 2.12's
			 * "ERROR: URL: REASON" name the repository; any other
			 * line (a package's download, "ERROR: NAME-VER: ...")
			 * does not */
			const char *prefix = "opening ";

			if (!line_with(f, reasons[i], line, sizeof(line)))
				*line = '\0';
			if (!strstr(line, prefix) && strstr(line, "updating "))
				prefix = "updating ";
			else if (!strstr(line, prefix) && !strncmp(line, "ERROR: ", 7) &&
				 strchr(line, '/') && strchr(line, '/') < strstr(line, reasons[i]))
				prefix = "ERROR: ";
			if (!strstr(line, prefix) || !between(f, prefix, reasons[i], repo, size))
				snprintf(repo, size, "a repository");
			return reasons[i];
		}
	return NULL;
}

/* How many "ERROR: NAME-VER: REASON" lines (a package apk could not
 * download) there are; the first NAME-VER in PKG.  apk 2.14 and 3.0 print
 * one per package, and no repository, when the index came from the cache. */
static int download_failures(const struct failure *f, const char *why, char *pkg, size_t size)
{
	const char *text = strstr(f->err, why) ? f->err : f->out;
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *e = strchr(l, '\n'), *at = strstr(l, why), *colon;

		if (!at || (e && at > e) || strncmp(l, "ERROR: ", 7) != 0)
			continue;
		colon = strstr(l + 7, ": ");
		if (!colon || colon >= at || memchr(l + 7, ' ', (size_t)(colon - l - 7)) ||
		    memchr(l + 7, '/', (size_t)(colon - l - 7))) /* a URL: a repository */
			continue;
		if (n++ == 0)
			snprintf(pkg, size, "%.*s", (int)(colon - l - 7), l + 7);
	}
	return n;
}

static bool rule_network(struct failure *f)
{
	char repo[512], pkg[256];
	const char *why = network_reason(f, repo, sizeof(repo));
	bool stale = said(f, "stale/unavailable repositories");
	int npkgs = why && !strcmp(repo, "a repository")
			    ? download_failures(f, why, pkg, sizeof(pkg)) : 0;

	if (!why && !stale)
		return false;
	if (npkgs > 0) {
		char others[64] = "";

		if (npkgs > 1)
			snprintf(others, sizeof(others), " and %d other package%s", npkgs - 1,
				 npkgs == 2 ? "" : "s");
		what(f, "apk could not download %s%s (%s): %s repository is out of reach. Check the network, DNS and any proxy (http_proxy), or point "
			"etc/apk/repositories at another mirror, then refresh the indexes and run "
			"the command again.",
		     pkg, others, why, npkgs == 1 ? "its" : "their");
		fix(f, "aipkg update");
		return true;
	}
	if (!why)
		snprintf(repo, sizeof(repo), "a repository");
	what(f, "apk could not reach %s (%s)%s. Check the network, DNS and any proxy "
		"(http_proxy), or point etc/apk/repositories at another mirror, then refresh the "
		"indexes.",
	     repo, why ? why : "its index is stale or unavailable",
	     stale ? ", and apk does not upgrade from indexes it could not refresh"
		   : ", so it does not see that repository's packages");
	/* refreshing is what just failed: the next step is to find out which
	 * repository answers, not to run the same thing again */
	if (f->applet && !strcmp(f->applet, "update"))
		fix(f, "aipkg doctor --refresh");
	else
		fix(f, "aipkg update");
	return true;
}

static bool rule_gone(struct failure *f)
{
	char pkg[256];

	if (!said(f, "package mentioned in index not found"))
		return false;
	if (!between(f, "ERROR: ", "package mentioned in index not found", pkg, sizeof(pkg)))
		snprintf(pkg, sizeof(pkg), "a package");
	what(f, "The cached index lists %s, but its repository no longer has that file: the "
		"index is older than the repository (a new version replaced it). Refresh the "
		"indexes and run the command again.",
	     pkg);
	fix(f, "aipkg update");
	return true;
}

/* The "  NAME-VER:" header line above the first line containing S. */
static const char *subject_of(const struct failure *f, const char *s, char *buf, size_t size)
{
	const char *text = strstr(f->err, s) ? f->err : f->out, *at = strstr(text, s), *b, *e;

	if (!at)
		return NULL;
	for (b = at; b > text && b[-1] != '\n'; b--)
		;
	if (b == text)
		return NULL;
	for (e = b - 1, b = e; b > text && b[-1] != '\n'; b--)
		;
	while (*b == ' ')
		b++;
	snprintf(buf, size, "%.*s", (int)(e - b), b);
	if (*buf && buf[strlen(buf) - 1] == ':')
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

/* "B-2.0-r0[cmd:telnet=1.0-r0]" -> name B and the reason inside []. */
static void split_item(const char *item, char *name, size_t nsize, char *why, size_t wsize)
{
	const char *br = strchr(item, '['), *end = br ? strchr(br, ']') : NULL;
	const char *dash = NULL;

	for (const char *p = item; p < (br ? br : item + strlen(item)); p++)
		if (p[0] == '-' && p[1] >= '0' && p[1] <= '9')
			dash = dash ? dash : p; /* NAME-VERSION: the first -digit */
	snprintf(name, nsize, "%.*s", (int)((dash ? dash : br ? br : item + strlen(item)) - item),
		 item);
	snprintf(why, wsize, "%.*s", end ? (int)(end - br - 1) : 0, br ? br + 1 : "");
}

static bool rule_conflict(struct failure *f)
{
	char line[1024], subj[256], other[256], why[256], sname[256], dummy[8];
	const char *l = line_with(f, "conflicts: ", line, sizeof(line));

	if (!l || !subject_of(f, "conflicts: ", subj, sizeof(subj)))
		return false;
	split_item(strstr(l, "conflicts: ") + 11, other, sizeof(other), why, sizeof(why));
	split_item(subj, sname, sizeof(sname), dummy, sizeof(dummy));
	what(f, "%s and %s cannot be installed together (they conflict over %s): apk will not "
		"choose between them for you. Remove the one you do not want first, then install "
		"the other.",
	     sname, other, *why ? why : "a name both claim");
	fix(f, "aipkg remove %s", other);
	return true;
}

static bool rule_version(struct failure *f)
{
	char line[1024], subj[256], name[256], want[256];
	const char *l = line_with(f, "breaks: world[", line, sizeof(line)), *p;

	if (!l || !subject_of(f, "breaks: world[", subj, sizeof(subj)))
		return false;
	p = strstr(l, "world[") + 6;
	snprintf(want, sizeof(want), "%.*s", (int)strcspn(p, "]"), p);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(want, "=<>~"), want);
	what(f, "The world file asks for %s, but what apk can install is %s: no configured "
		"repository has a version that satisfies it (or it is locked to another one). Ask "
		"for an available version, or drop the constraint.",
	     want, subj);
	fix(f, "aipkg install %s", name);
	return true;
}

static bool rule_missing(struct failure *f)
{
	char line[1024], name[256], by[256], why[256];
	const char *l = line_with(f, "(no such package)", line, sizeof(line)), *r;

	if (!l)
		return false;
	while (*l == ' ')
		l++;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(l, " "), l);
	r = strstr(f->err, "required by: ");
	r = r ? r + 13 : "";
	split_item(r, by, sizeof(by), why, sizeof(why));
	if (!strncmp(r, "world[", 6)) {
		what(f, "No configured repository has a package or provider called %s. Check the "
			"name (search for it), or enable the repository that has it (community, or "
			"testing on edge) in etc/apk/repositories and refresh the indexes.",
		     name);
		fix(f, "aipkg search %s", name);
	} else {
		what(f, "%s needs %s, which no configured repository has: the repository that "
			"provides it is not enabled, or the indexes are older than %s. Refresh the "
			"indexes; if it persists, enable the repository that has %s.",
		     *by ? by : "A package", name, *by ? by : "it", name);
		fix(f, "aipkg update");
	}
	return true;
}

static bool rule_io(struct failure *f)
{
	if (!said(f, "IO ERROR") && !said(f, "I/O error"))
		return false;
	what(f, "apk hit an I/O error reading or writing files: a failing disk, a full or "
		"broken filesystem, or a corrupt download. Look at the kernel log; once the cause "
		"is fixed, check what was left half-done.");
	fix(f, "dmesg | tail; aipkg doctor");
	return true;
}

static bool rule_select(struct failure *f)
{
	if (!said(f, "unable to select packages"))
		return false;
	what(f, "apk could not find a set of packages that satisfies everything asked for (the "
		"world file included); nothing was changed. aipkg doctor shows world entries and "
		"dependencies that cannot be satisfied.");
	fix(f, "aipkg doctor");
	return true;
}

/* Most specific first: an untrusted index explains "no such package". */
static bool (*const rules[])(struct failure *) = {
	rule_lock,     rule_permission, rule_readonly, rule_nospace, rule_untrusted,
	rule_badsig,   rule_network,    rule_gone,     rule_conflict, rule_version,
	rule_missing,  rule_io,		rule_select,
};
static const char *const rule_names[] = {
	"lock",	    "permission", "read-only", "no-space", "untrusted",	    "bad-signature",
	"network",  "index-outdated", "conflict", "version", "missing-package", "io-error",
	"unsatisfiable",
};

json_t *aipkg_doctor_explain(struct aipkg_ctx *ctx, const char *applet, const char *err,
			     const char *out, int exit_code)
{
	struct failure f = { ctx, applet ? applet : "", err ? err : "", out ? out : "", exit_code,
			     "", "" };

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i](&f))
			return json_pack("{s:s, s:s, s:s}", "rule", rule_names[i], "what", f.what,
					 "fix", f.fix);
	return NULL;
}
