/* Which apk the command runs: its words, and its version, detected once per binary. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "apk/rules.h"
#include "apk/runner.h"
#include "ctx.h"
#include "digest.h"
#include "fileio.h"
#include "journal/journal.h"

#define APK_DETECT_TIMEOUT 30.0
/* Beside aipkg's state; a cache: deleting it costs one "apk --version". */
#define APK_VERSION_DIR "var/lib/aipkg/cache"
#define APK_VERSION_FILE APK_VERSION_DIR "/apk-version"
#define APK_VERSION_MAX_LINES 16
#define APK_VERSION_MAX_BYTES (16 << 10)

void aipkg_apk_free(struct aipkg_apk *apk)
{
	if (!apk)
		return;
	aipkg_strv_free(apk->cmd, apk->ncmd);
	free(apk->version);
	free(apk);
}

static int apk_words(struct aipkg_ctx *ctx, struct aipkg_apk *apk, const char **source)
{
	const char *env = getenv("AIPKG_APK");
	const char *line = ctx->opts.apk_command;

	*source = "--apk";
	if (!line && env && *env) {
		line = env;
		*source = "AIPKG_APK";
	}
	if (!line && ctx->cfg.apk_command_n) {
		*source = "apk.command";
		apk->cmd = calloc(ctx->cfg.apk_command_n + 1, sizeof(char *));
		if (!apk->cmd)
			return -ENOMEM;
		for (size_t i = 0; i < ctx->cfg.apk_command_n; i++)
			if (!(apk->cmd[apk->ncmd++] = strdup(ctx->cfg.apk_command[i])))
				return -ENOMEM;
		return 0;
	}
	if (!line) {
		line = "apk";
		*source = "the default";
	}
	if (aipkg_split_words(line, &apk->cmd, &apk->ncmd) < 0 || apk->ncmd == 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_CONFIG,
				      "the apk command from %s ('%s') is empty or badly quoted",
				      *source, line);
	return 0;
}

/* "2.14.4": a major version 2-9, a dot, then what apk's versions hold. */
static bool version_valid(const char *v, size_t n)
{
	if (n < 3 || n > 32 || v[0] < '2' || v[0] > '9' || v[1] != '.')
		return false;
	for (size_t i = 2; i < n; i++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz._-", v[i]))
			return false;
	return true;
}

static int apk_set_version(struct aipkg_apk *apk, const char *v, size_t n)
{
	if (!version_valid(v, n))
		return -AIPKG_E_NOT_APK;
	free(apk->version);
	apk->major = v[0] - '0';
	apk->version = strndup(v, n);
	return apk->version ? 0 : -ENOMEM;
}

/* "apk-tools 2.14.4, compiled for x86_64." -> "2.14.4", major 2 */
static int apk_parse_version(struct aipkg_apk *apk, const char *out)
{
	const char *p = strstr(out, "apk-tools ");

	if (!p)
		return -AIPKG_E_NOT_APK;
	p += strlen("apk-tools ");
	return apk_set_version(apk, p, strcspn(p, ", \n"));
}

static int apk_detect(struct aipkg_ctx *ctx, struct aipkg_apk *apk, const char *source)
{
	struct aipkg_spawn_result res;
	struct aipkg_spawn sp = { 0 };
	const char **argv;
	int r;

	argv = calloc(apk->ncmd + 2, sizeof(char *));
	if (!argv)
		return -ENOMEM;
	memcpy(argv, apk->cmd, apk->ncmd * sizeof(char *));
	argv[apk->ncmd] = "--version";
	sp.argv = argv;
	sp.timeout = APK_DETECT_TIMEOUT;
	sp.capture_limit = 64 << 10;
	r = aipkg_spawn_run(&sp, &res);
	free(argv);
	if (r == -ENOENT || r == -EACCES || r == -ENOTDIR)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_APK_MISSING,
				   "cannot run apk command '%s' (from %s): %s; install apk-tools "
				   "or set AIPKG_APK or apk.command in the configuration",
				   apk->cmd[0], source, strerror(-r));
	else if (r == 0 && (res.exit_code != 0 || apk_parse_version(apk, aipkg_buf_str(&res.out)) < 0))
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NOT_APK,
				   "'%s' (from %s) is not apk: '%s --version' did not print "
				   "\"apk-tools X.Y\"; set AIPKG_APK or apk.command to apk",
				   apk->cmd[0], source, apk->cmd[0]);
	else if (r < 0)
		r = aipkg_ctx_fail(ctx, r, "cannot run '%s': %s", apk->cmd[0], strerror(-r));
	aipkg_spawn_result_release(&res);
	return r;
}

/*
 * The remembered versions.  apk's version is a property of the files the
 * command runs: the binary, and a loader or wrapper script given before
 * it.  Each is identified by its path, size, mtime, device and inode, so a
 * replaced or rebuilt apk is detected again.
 */

/* The file WORD names, as execvp would find it for the first word. */
static char *word_file(const char *word, bool first, struct stat *sb)
{
	const char *path = getenv("PATH");
	char *p = NULL;

	if (strchr(word, '/') || !first)
		return strchr(word, '/') && stat(word, sb) == 0 && S_ISREG(sb->st_mode) ? strdup(word)
										    : NULL;
	for (const char *d = path && *path ? path : "/bin:/usr/bin"; *d;) {
		size_t n = strcspn(d, ":");

		free(p);
		if (asprintf(&p, "%.*s%s%s", (int)n, d, n ? "/" : "", word) < 0)
			return NULL;
		if (stat(p, sb) == 0 && S_ISREG(sb->st_mode) && access(p, X_OK) == 0)
			return p;
		d += n + (d[n] == ':');
	}
	free(p);
	return NULL;
}

/* Not the ctime: a hard link made to apk, or a chmod, changes it and not
 * what apk is. */
static void key_add_file(struct aipkg_sha256 *md, const char *path, const struct stat *sb)
{
	long long v[5] = { (long long)sb->st_dev, (long long)sb->st_ino, (long long)sb->st_size,
			   (long long)sb->st_mtim.tv_sec, (long long)sb->st_mtim.tv_nsec };

	aipkg_sha256_update(md, "f", 1);
	aipkg_sha256_update(md, path, strlen(path) + 1);
	aipkg_sha256_update(md, v, sizeof(v));
}

/* The command's identity as 64 hex digits; false when no word names a
 * file (nothing to tell a changed apk by). */
static bool command_key(const struct aipkg_apk *apk, char key[65])
{
	unsigned char raw[AIPKG_SHA256_LEN];
	struct aipkg_sha256 md;
	bool files = false;

	aipkg_sha256_init(&md);
	for (size_t i = 0; i < apk->ncmd; i++) {
		struct stat sb;
		char *file = word_file(apk->cmd[i], i == 0, &sb);

		aipkg_sha256_update(&md, "w", 1);
		aipkg_sha256_update(&md, apk->cmd[i], strlen(apk->cmd[i]) + 1);
		if (file)
			key_add_file(&md, file, &sb);
		files |= file != NULL;
		free(file);
	}
	aipkg_sha256_final(&md, raw);
	for (unsigned int i = 0; files && i < AIPKG_SHA256_LEN; i++)
		snprintf(key + 2 * i, 3, "%02x", raw[i]);
	return files;
}

/* The remembered versions are believed (and written) only in a state
 * directory no other user can write: there, a planted line naming apk 3
 * for an apk 2 (or the reverse) would choose the options apk is given and
 * the rules versions are compared by.  apk is asked otherwise. */
/* The remembered lines ("KEY VERSION"), read without following a link. */
static int remembered_read(struct aipkg_ctx *ctx, struct aipkg_buf *text)
{
	char *path;
	int r;

	aipkg_buf_init(text, APK_VERSION_MAX_BYTES);
	if (!aipkg_statedir_trusted(ctx))
		return -EPERM;
	path = aipkg_ctx_path(ctx, APK_VERSION_FILE);
	r = path ? aipkg_buf_read_state(text, path) : -ENOMEM;
	free(path);
	return r;
}

/* KEY's version from TEXT into APK; 0 when found. */
static int remembered_find(const struct aipkg_buf *text, const char *key, struct aipkg_apk *apk)
{
	struct aipkg_slice in = aipkg_slice_of(text), line;

	while (aipkg_slice_next_line(&in, &line)) {
		if (line.len > 65 && line.ptr[64] == ' ' && memcmp(line.ptr, key, 64) == 0)
			return apk_set_version(apk, line.ptr + 65, line.len - 65);
	}
	return -ENOENT;
}

static int apk_recall(struct aipkg_ctx *ctx, struct aipkg_apk *apk)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	int r = remembered_read(ctx, &text);

	if (r == 0)
		r = remembered_find(&text, apk->key, apk);
	aipkg_buf_release(&text);
	return r;
}

/* Is ROOT/var/lib/aipkg/cache a directory we may write into, making it
 * when the state directory exists?  A link there is refused. */
static bool cache_dir_ready(struct aipkg_ctx *ctx)
{
	char *dir = aipkg_ctx_path(ctx, APK_VERSION_DIR);
	bool ok = false;
	struct stat sb;

	if (dir && lstat(dir, &sb) < 0 && errno == ENOENT) {
		char *parent = strndup(dir, strlen(dir) - strlen("/cache"));

		if (parent && lstat(parent, &sb) == 0 && S_ISDIR(sb.st_mode))
			(void)mkdir(dir, 0755);
		free(parent);
	}
	ok = dir && lstat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && access(dir, W_OK) == 0;
	free(dir);
	return ok;
}

void aipkg_apk_remember(struct aipkg_ctx *ctx)
{
	struct aipkg_apk *apk = ctx->apk;
	struct aipkg_buf old = AIPKG_BUF_INIT, out = AIPKG_BUF_INIT;
	struct aipkg_slice in, line;
	char *path;
	int lines = 1;

	if (!apk || apk->remembered || !apk->key[0] || !aipkg_statedir_trusted(ctx) ||
	    !cache_dir_ready(ctx))
		return;
	(void)remembered_read(ctx, &old);
	aipkg_buf_addf(&out, "%s %s\n", apk->key, apk->version);
	/* newest first; the others after it, the oldest dropped */
	for (in = aipkg_slice_of(&old); aipkg_slice_next_line(&in, &line);) {
		if (line.len <= 65 || line.ptr[64] != ' ' || memcmp(line.ptr, apk->key, 64) == 0 ||
		    !version_valid(line.ptr + 65, line.len - 65) ||
		    ++lines > APK_VERSION_MAX_LINES)
			continue;
		aipkg_buf_add(&out, line.ptr, line.len);
		aipkg_buf_addch(&out, '\n');
	}
	path = aipkg_ctx_path(ctx, APK_VERSION_FILE);
	/* a cache: when it cannot be written, apk is asked again next time */
	if (path && aipkg_file_write_atomic(path, out.data, out.len) == 0)
		apk->remembered = true;
	free(path);
	aipkg_buf_release(&old);
	aipkg_buf_release(&out);
}

int aipkg_apk_get(struct aipkg_ctx *ctx, struct aipkg_apk **out)
{
	struct aipkg_apk *apk;
	const char *source;
	int r;

	if (ctx->apk) {
		*out = ctx->apk;
		return 0;
	}
	apk = calloc(1, sizeof(*apk));
	if (!apk)
		return -ENOMEM;
	r = apk_words(ctx, apk, &source);
	if (r == 0 && !command_key(apk, apk->key))
		apk->key[0] = '\0';
	if (r == 0 && apk->key[0] && apk_recall(ctx, apk) == 0)
		apk->remembered = true;
	else if (r == 0)
		r = apk_detect(ctx, apk, source);
	if (r < 0) {
		aipkg_apk_free(apk);
		return r;
	}
	*out = ctx->apk = apk;
	aipkg_rules_apk_known(ctx, apk->major, apk->version);
	aipkg_apk_remember(ctx);
	return 0;
}
