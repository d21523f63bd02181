/* Unit tests of apk/runner.c and detect.c: finding apk, its version, its argv, its failures. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "apk/runner.h"
#include "ctx.h"
#include "interrupt.h"
#include "journal/journal.h"

/*
 * Fake apks are small shell scripts in BIN; each writes the arguments it
 * was run with to "$0.argv".  ROOT is the --root of every context.
 */
static char root[] = "/tmp/aipkg-test-runner-root-XXXXXX";
static char bin[] = "/tmp/aipkg-test-runner-bin-XXXXXX";
static char real_root[PATH_MAX];

#define APK2_VERSION "apk-tools 2.14.4, compiled for x86_64."
#define APK3_VERSION "apk-tools 3.0.6, compiled for x86_64."

/* What apk 2.14 and 3.0 print on stderr (reference transcripts). */
#define ERR_NOSUCHPKG                        \
	"ERROR: unable to select packages:\n" \
	"  nosuchpkg (no such package):\n"     \
	"    required by: world[nosuchpkg]"
#define ERR_CONFLICT                                            \
	"ERROR: unable to select packages:\n"                    \
	"  telnet-b-2.0-r0:\n"                                    \
	"    conflicts: telnet-a-1.0-r0[cmd:telnet=2.0-r0]\n"     \
	"    breaks: telnet-a-1.0-r0[!telnet-b]\n"                \
	"    satisfies: world[telnet-b]\n"                        \
	"  telnet-a-1.0-r0:\n"                                    \
	"    conflicts: telnet-b-2.0-r0[cmd:telnet=1.0-r0]\n"     \
	"    breaks: telnet-b-2.0-r0[!telnet-a]\n"                \
	"    satisfies: world[telnet-a]"
#define ERR_LOCKED "ERROR: Unable to lock database: Resource temporarily unavailable"

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	if (!mkdtemp(root) || !mkdtemp(bin) || !realpath(root, real_root))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return nftw(bin, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Each test starts from no AIPKG_APK, no configuration and no state
 * directory (so no remembered apk version). */
static int clean_env(void **state)
{
	char cfg[PATH_MAX];

	unsetenv("AIPKG_APK");
	snprintf(cfg, sizeof(cfg), "%s/etc/aipkg/aipkg.yaml", root);
	unlink(cfg);
	snprintf(cfg, sizeof(cfg), "%s/var", root);
	nftw(cfg, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* BIN/NAME: prints VERSION_LINE for --version; otherwise prints OUT and ERR
 * (either may be NULL) and exits with EXIT_CODE.  Returns its path. */
static const char *fake_apk(const char *name, const char *version_line, const char *out,
			    const char *err, int exit_code)
{
	static char path[PATH_MAX];
	struct aipkg_buf s = AIPKG_BUF_INIT;

	aipkg_buf_addf(&s, "#!/bin/sh\nprintf '%%s\\n' \"$@\" > \"$0.argv\"\n"
			   "if [ \"$1\" = --version ]; then echo '%s'; exit 0; fi\n",
		       version_line);
	if (out)
		aipkg_buf_addf(&s, "cat <<'EOF'\n%s\nEOF\n", out);
	if (err)
		aipkg_buf_addf(&s, "cat >&2 <<'EOF'\n%s\nEOF\n", err);
	aipkg_buf_addf(&s, "exit %d\n", exit_code);
	snprintf(path, sizeof(path), "%s/%s", bin, name);
	write_file(path, aipkg_buf_str(&s), 0755);
	aipkg_buf_release(&s);
	return path;
}

/* The arguments the fake apk at PATH was last run with, one a line. */
static char *last_argv(const char *path)
{
	char file[PATH_MAX];
	struct aipkg_buf b = AIPKG_BUF_INIT;

	snprintf(file, sizeof(file), "%s.argv", path);
	assert_int_equal(aipkg_buf_read_file(&b, file), 0);
	return aipkg_buf_detach(&b);
}

static struct aipkg_ctx *new_ctx(const struct aipkg_opts *extra)
{
	struct aipkg_opts opts = { 0 };
	struct aipkg_ctx *ctx;

	if (extra)
		opts = *extra;
	opts.root = root;
	if (aipkg_ctx_new(&ctx, &opts, NULL) != 0)
		fail_msg("aipkg_ctx_new: %s", aipkg_ctx_errmsg(ctx));
	return ctx;
}

/* The argv as one string, words joined by '|'. */
static char *joined(const json_t *argv)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	size_t i;
	json_t *w;

	json_array_foreach(argv, i, w)
		aipkg_buf_addf(&b, "%s%s", i ? "|" : "", json_string_value(w));
	return aipkg_buf_detach(&b);
}

static void expect_argv(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
			const char *want_fmt, ...) __attribute__((format(printf, 3, 4)));
static void expect_argv(struct aipkg_ctx *ctx, const struct aipkg_apk_call *call,
			const char *want_fmt, ...)
{
	struct aipkg_buf want = AIPKG_BUF_INIT;
	json_t *argv;
	char *got;
	va_list ap;

	va_start(ap, want_fmt);
	aipkg_buf_vaddf(&want, want_fmt, ap);
	va_end(ap);
	assert_int_equal(aipkg_apk_argv(ctx, call, &argv), 0);
	got = joined(argv);
	assert_string_equal(got, aipkg_buf_str(&want));
	free(got);
	json_decref(argv);
	aipkg_buf_release(&want);
}

/* ---- finding apk ---- */

static void test_apk_2_is_detected(void **state)
{
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	setenv("AIPKG_APK", fake_apk("apk", APK2_VERSION, NULL, NULL, 0), 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_int_equal(apk->major, 2);
	assert_string_equal(apk->version, "2.14.4");
	assert_int_equal(apk->ncmd, 1);
	assert_string_equal(apk->cmd[0], getenv("AIPKG_APK"));
	aipkg_ctx_free(ctx);
}

static void test_apk_3_is_detected(void **state)
{
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	setenv("AIPKG_APK", fake_apk("apk3", APK3_VERSION, NULL, NULL, 0), 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_int_equal(apk->major, 3);
	assert_string_equal(apk->version, "3.0.6");
	aipkg_ctx_free(ctx);
}

static void test_detection_runs_once_per_context(void **state)
{
	const char *path = fake_apk("apk-once", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;
	struct aipkg_apk *first, *again;

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &first), 0);
	unlink(path);
	assert_int_equal(aipkg_apk_get(ctx, &again), 0);
	assert_ptr_equal(first, again);
	aipkg_ctx_free(ctx);
}

/* ---- the version remembered per binary ---- */

/* ROOT/var/lib/aipkg, where a root keeps the versions it has seen. */
static void make_state_dir(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/var/lib/aipkg", root);
	assert_int_equal(aipkg_mkdir_p(path), 1);
}

/* Was the fake apk at PATH asked its version by the last aipkg_apk_get()?
 * (its argv file is removed here, ready for the next question) */
static bool asked_version(const char *path)
{
	char file[PATH_MAX];
	struct aipkg_buf b = AIPKG_BUF_INIT;
	bool asked;

	snprintf(file, sizeof(file), "%s.argv", path);
	asked = aipkg_buf_read_file(&b, file) == 0 && strcmp(aipkg_buf_str(&b), "--version\n") == 0;
	aipkg_buf_release(&b);
	unlink(file);
	return asked;
}

/* A new context's apk major version; ASKED says whether apk was asked. */
static int major_of_new_ctx(const char *path, bool *asked)
{
	struct aipkg_ctx *ctx = new_ctx(NULL);
	struct aipkg_apk *apk;
	int major;

	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	major = apk->major;
	aipkg_ctx_free(ctx);
	*asked = asked_version(path);
	return major;
}

static void test_the_version_is_remembered_in_the_root(void **state)
{
	const char *path = fake_apk("apk-kept", APK3_VERSION, NULL, NULL, 0);
	char file[PATH_MAX];
	bool asked;

	setenv("AIPKG_APK", path, 1);
	make_state_dir();
	assert_int_equal(major_of_new_ctx(path, &asked), 3);
	assert_true(asked);
	assert_int_equal(major_of_new_ctx(path, &asked), 3);
	assert_false(asked);
	snprintf(file, sizeof(file), "%s/var/lib/aipkg/cache/apk-version", root);
	assert_int_equal(access(file, F_OK), 0);
}

static void test_a_changed_apk_is_asked_again(void **state)
{
	const char *path = fake_apk("apk-changes", APK3_VERSION, NULL, NULL, 0);
	bool asked;

	setenv("AIPKG_APK", path, 1);
	make_state_dir();
	assert_int_equal(major_of_new_ctx(path, &asked), 3);
	fake_apk("apk-changes", APK2_VERSION, NULL, NULL, 0);
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_true(asked);
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_false(asked);
}

static void test_every_file_of_the_command_is_part_of_its_identity(void **state)
{
	const char *path = fake_apk("apk-loaded", APK2_VERSION, NULL, NULL, 0);
	char loader[PATH_MAX], line[2 * PATH_MAX];
	struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	bool asked;

	/* a "loader" in front, as a musl loader runs apk */
	snprintf(loader, sizeof(loader), "%s/loader", bin);
	write_file(loader, "#!/bin/sh\nexec \"$@\"\n", 0755);
	snprintf(line, sizeof(line), "%s %s", loader, path);
	setenv("AIPKG_APK", line, 1);
	make_state_dir();
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_true(asked);
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_false(asked);
	assert_int_equal(utimensat(AT_FDCWD, loader, times, 0), 0);
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_true(asked);
}

static void test_without_a_state_directory_nothing_is_written(void **state)
{
	const char *path = fake_apk("apk-nostate", APK2_VERSION, NULL, NULL, 0);
	char dir[PATH_MAX];
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;
	bool asked;

	setenv("AIPKG_APK", path, 1);
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_true(asked);
	snprintf(dir, sizeof(dir), "%s/var", root);
	assert_int_equal(access(dir, F_OK), -1);
	/* once the first change made the state directory, it is remembered */
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	make_state_dir();
	aipkg_apk_remember(ctx);
	aipkg_ctx_free(ctx);
	assert_true(asked_version(path));
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_false(asked);
}

static void test_a_remembered_line_that_is_not_a_version_is_ignored(void **state)
{
	const char *path = fake_apk("apk-bad", APK2_VERSION, NULL, NULL, 0);
	char file[PATH_MAX];
	struct aipkg_buf text = AIPKG_BUF_INIT;
	bool asked;

	setenv("AIPKG_APK", path, 1);
	make_state_dir();
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	snprintf(file, sizeof(file), "%s/var/lib/aipkg/cache/apk-version", root);
	assert_int_equal(aipkg_buf_read_file(&text, file), 0);
	/* the same key with a version apk never prints */
	text.data[65] = '1';
	write_file(file, aipkg_buf_str(&text), 0644);
	assert_int_equal(major_of_new_ctx(path, &asked), 2);
	assert_true(asked);
	aipkg_buf_release(&text);
}

static void test_argv_keeps_what_apk_downloads_in_its_cache(void **state)
{
	const char *const args[] = { "nginx" };
	struct aipkg_apk_call call = { .applet = "add", .args = args, .nargs = 1,
				       .flags = AIPKG_APK_CACHE };
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	/* apk 2 caches only in a directory it is given: its default, relative to --root */
	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "%s|--root|%s|--cache-dir|var/cache/apk|--no-progress|add|--|nginx",
		    path, real_root);
	aipkg_ctx_free(ctx);
	path = fake_apk("apk3", APK3_VERSION, NULL, NULL, 0);
	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "%s|--root|%s|--cache-packages|--no-progress|add|--|nginx", path,
		    real_root);
	aipkg_ctx_free(ctx);
}

static void test_something_else_is_not_apk(void **state)
{
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	setenv("AIPKG_APK", fake_apk("busybox", "BusyBox v1.36.1 multi-call binary.", NULL,
				     NULL, 0),
	       1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_NOT_APK);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "(from AIPKG_APK) is not apk"));
	assert_null(ctx->apk);
	aipkg_ctx_free(ctx);
}

static void test_an_apk_1_or_a_failing_version_is_not_apk(void **state)
{
	const char *path;
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	setenv("AIPKG_APK",
	       fake_apk("apk1", "apk-tools 1.9.0, compiled for x86_64.", NULL, NULL, 0), 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_NOT_APK);
	aipkg_ctx_free(ctx);

	path = fake_apk("apk-fails", APK2_VERSION, NULL, NULL, 0);
	write_file(path, "#!/bin/sh\necho 'apk-tools 2.14.4'; exit 1\n", 0755);
	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_NOT_APK);
	aipkg_ctx_free(ctx);
}

static void test_a_missing_apk(void **state)
{
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	setenv("AIPKG_APK", "/nonexistent/sbin/apk", 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_APK_MISSING);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "cannot run apk command '/nonexistent/sbin/apk' (from AIPKG_APK): "
			    "No such file or directory; install apk-tools or set AIPKG_APK or "
			    "apk.command in the configuration");
	aipkg_ctx_free(ctx);
}

static void test_an_apk_that_is_not_executable_is_missing(void **state)
{
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;
	const char *path = fake_apk("apk-noexec", APK2_VERSION, NULL, NULL, 0);

	chmod(path, 0644);
	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_APK_MISSING);
	aipkg_ctx_free(ctx);
}

static void test_a_command_of_several_words(void **state)
{
	char loader[PATH_MAX], line[2 * PATH_MAX + 8], *argv;
	const char *path = fake_apk("apk-loaded", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	/* a loader in a directory with a space, running the real apk it is given */
	snprintf(loader, sizeof(loader), "%s/my loader", bin);
	write_file(loader, "#!/bin/sh\nexec /bin/sh \"$@\"\n", 0755);
	snprintf(line, sizeof(line), "'%s' %s", loader, path);
	setenv("AIPKG_APK", line, 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_int_equal(apk->ncmd, 2);
	assert_string_equal(apk->cmd[0], loader);
	assert_string_equal(apk->cmd[1], path);
	assert_int_equal(apk->major, 2);
	argv = last_argv(path);
	assert_string_equal(argv, "--version\n");
	free(argv);
	aipkg_ctx_free(ctx);
}

static void test_a_badly_quoted_or_blank_command_is_a_config_error(void **state)
{
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	setenv("AIPKG_APK", "'/opt/apk", 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_CONFIG);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "the apk command from AIPKG_APK (''/opt/apk') is empty or badly "
			    "quoted");
	aipkg_ctx_free(ctx);

	setenv("AIPKG_APK", "  \t", 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), -AIPKG_E_CONFIG);
	aipkg_ctx_free(ctx);
}

static void test_option_then_environment_then_configuration(void **state)
{
	char dir[PATH_MAX], cfg[PATH_MAX + 32], yaml[PATH_MAX + 64];
	char *from_cfg, *from_env;
	const char *from_opt;
	struct aipkg_opts opts = { 0 };
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;

	snprintf(dir, sizeof(dir), "%s/etc", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/etc/aipkg", root);
	mkdir(dir, 0755);
	from_cfg = strdup(fake_apk("apk-cfg", APK2_VERSION, NULL, NULL, 0));
	snprintf(cfg, sizeof(cfg), "%s/aipkg.yaml", dir);
	snprintf(yaml, sizeof(yaml), "apk:\n  command: [%s]\n", from_cfg);
	write_file(cfg, yaml, 0644);

	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_string_equal(apk->cmd[0], from_cfg);
	aipkg_ctx_free(ctx);

	from_env = strdup(fake_apk("apk-env", APK2_VERSION, NULL, NULL, 0));
	setenv("AIPKG_APK", from_env, 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_string_equal(apk->cmd[0], from_env);
	aipkg_ctx_free(ctx);

	from_opt = fake_apk("apk-opt", APK3_VERSION, NULL, NULL, 0);
	opts.apk_command = from_opt;
	ctx = new_ctx(&opts);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_string_equal(apk->cmd[0], from_opt);
	assert_int_equal(apk->major, 3);
	aipkg_ctx_free(ctx);

	/* an empty AIPKG_APK is as good as none */
	setenv("AIPKG_APK", "", 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	assert_string_equal(apk->cmd[0], from_cfg);
	aipkg_ctx_free(ctx);
	free(from_cfg);
	free(from_env);
}

/* ---- the argv ---- */

static void test_argv_of_a_query(void **state)
{
	const char *const args[] = { "nginx" };
	struct aipkg_apk_call call = { .applet = "info", .args = args, .nargs = 1 };
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "%s|--root|%s|--no-progress|info|--|nginx", path, real_root);
	aipkg_ctx_free(ctx);
}

static void test_argv_of_a_change_with_every_global_option(void **state)
{
	const char *const repos[] = { "https://dl-cdn.alpinelinux.org/alpine/v3.20/main",
				      "/srv/repo" };
	const char *const options[] = { "--no-cache", "--virtual", ".build-deps", NULL };
	const char *const args[] = { "nginx", "curl=8.9.0-r0" };
	struct aipkg_opts opts = { .repos = repos, .nrepos = 2, .allow_untrusted = true };
	struct aipkg_apk_call call = { .applet = "add",
				       .options = options,
				       .args = args,
				       .nargs = 2,
				       .flags = AIPKG_APK_CHANGE | AIPKG_APK_SIMULATE };
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(&opts);
	expect_argv(ctx, &call,
		    "%s|--root|%s|--repository|%s|--repository|%s|--allow-untrusted|--wait|600|"
		    "--no-interactive|--no-progress|--simulate|add|--no-cache|--virtual|"
		    ".build-deps|--|nginx|curl=8.9.0-r0",
		    path, real_root, repos[0], repos[1]);
	ctx->cfg.apk_wait = 0;
	call.flags = AIPKG_APK_CHANGE;
	call.options = NULL;
	expect_argv(ctx, &call,
		    "%s|--root|%s|--repository|%s|--repository|%s|--allow-untrusted|--wait|0|"
		    "--no-interactive|--no-progress|add|--|nginx|curl=8.9.0-r0",
		    path, real_root, repos[0], repos[1]);
	aipkg_ctx_free(ctx);
}

/* apk 2.12.7 and 2.10.6 printed "unrecognized option: no-interactive" on
 * every change aipkg made: only apk 2.14 and later are given it. */
static void test_no_interactive_only_for_an_apk_that_knows_it(void **state)
{
	struct aipkg_apk_call call = { .applet = "add", .args = (const char *const[]){ "htop" },
				       .nargs = 1, .flags = AIPKG_APK_CHANGE };
	const char *path = fake_apk("apk212", "apk-tools 2.12.7, compiled for x86_64.", NULL,
				    NULL, 0);
	struct aipkg_ctx *ctx;

	(void)state;
	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "%s|--root|%s|--wait|600|--no-progress|add|--|htop", path,
		    real_root);
	aipkg_ctx_free(ctx);
	path = fake_apk("apk214", APK2_VERSION, NULL, NULL, 0);
	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "%s|--root|%s|--wait|600|--no-interactive|--no-progress|add|--|htop",
		    path, real_root);
	aipkg_ctx_free(ctx);
}

static void test_package_arguments_always_follow_a_double_dash(void **state)
{
	const char *const args[] = { "--allow-untrusted", "-X", "http://evil/repo" };
	struct aipkg_apk_call call = { .applet = "add", .args = args, .nargs = 3 };
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call,
		    "%s|--root|%s|--no-progress|add|--|--allow-untrusted|-X|http://evil/repo", path,
		    real_root);
	aipkg_ctx_free(ctx);
}

static void test_argv_without_arguments_has_no_double_dash(void **state)
{
	struct aipkg_apk_call call = { .applet = "update" };
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "%s|--root|%s|--no-progress|update", path, real_root);
	aipkg_ctx_free(ctx);
}

/* apk 2.12 (Alpine 3.15) and older say why on two streams: the ERROR line
 * on stderr, what it announces indented on stdout; 2.14 and 3.0 put both
 * on stderr. */
static void test_the_reason_of_apk_2_12_is_whole(void **state)
{
	struct aipkg_spawn_result res = { 0 };
	char *reason;

	(void)state;
	aipkg_buf_addstr(&res.err, "WARNING: Ignoring http://dl-cdn.alpinelinux.org/alpine/v3.11/"
				   "main: cache not available\nERROR: unable to select packages:\n");
	aipkg_buf_addstr(&res.out, "  nginx (no such package):\n    required by: world[nginx]\n");
	reason = aipkg_apk_reason(&res);
	assert_string_equal(reason, "unable to select packages: nginx (no such package): "
				    "required by: world[nginx]");
	free(reason);
	aipkg_spawn_result_release(&res);
	aipkg_buf_addstr(&res.err, "ERROR: unable to select packages:\n  nginx (no such package):\n"
				   "    required by: world[nginx]\n");
	aipkg_buf_addstr(&res.out, "  something else\n");
	reason = aipkg_apk_reason(&res);
	assert_string_equal(reason, "unable to select packages: nginx (no such package): "
				    "required by: world[nginx]");
	free(reason);
	aipkg_spawn_result_release(&res);
}

static void test_argv_without_root_for_version_tests(void **state)
{
	const char *const repos[] = { "/srv/repo" };
	const char *const options[] = { "-t", NULL };
	const char *const args[] = { "1.2.3-r0", "1.2.10-r0" };
	struct aipkg_opts opts = { .repos = repos, .nrepos = 1, .allow_untrusted = true };
	struct aipkg_apk_call call = { .applet = "version",
				       .options = options,
				       .args = args,
				       .nargs = 2,
				       .flags = AIPKG_APK_NOROOT };
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(&opts);
	expect_argv(ctx, &call, "%s|--no-progress|version|-t|--|1.2.3-r0|1.2.10-r0", path);
	aipkg_ctx_free(ctx);
}

static void test_argv_with_the_loader_in_front(void **state)
{
	struct aipkg_apk_call call = { .applet = "update" };
	char line[PATH_MAX];
	const char *path = fake_apk("apk", APK2_VERSION, NULL, NULL, 0);
	struct aipkg_ctx *ctx;

	snprintf(line, sizeof(line), "/bin/sh %s", path);
	setenv("AIPKG_APK", line, 1);
	ctx = new_ctx(NULL);
	expect_argv(ctx, &call, "/bin/sh|%s|--root|%s|--no-progress|update", path, real_root);
	aipkg_ctx_free(ctx);
}

static void test_an_argument_that_is_not_utf8_is_refused_not_dropped(void **state)
{
	const char *const args[] = { "caf\xe9", "nginx" };
	struct aipkg_apk_call call = { .applet = "add", .args = args, .nargs = 2 };
	struct aipkg_ctx *ctx;
	json_t *argv = NULL;

	setenv("AIPKG_APK", fake_apk("apk", APK2_VERSION, NULL, NULL, 0), 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_argv(ctx, &call, &argv), -AIPKG_E_USAGE);
	assert_null(argv);
	assert_string_equal(aipkg_ctx_errmsg(ctx), "argument 6 of apk add is not valid UTF-8");
	aipkg_ctx_free(ctx);
}

/* ---- running apk and mapping its failures ---- */

/* Run "apk add nosuchpkg" against a fake apk that answers OUT/ERR/EXIT_CODE. */
static int run_add(struct aipkg_ctx **ctx, const char *out, const char *err, int exit_code,
		   struct aipkg_spawn_result *res)
{
	const char *const args[] = { "nosuchpkg" };
	struct aipkg_apk_call call = { .applet = "add", .args = args, .nargs = 1,
				       .flags = AIPKG_APK_CHANGE };

	setenv("AIPKG_APK", fake_apk("apk", APK2_VERSION, out, err, exit_code), 1);
	*ctx = new_ctx(NULL);
	return aipkg_apk_run(*ctx, &call, res);
}

static void test_success_runs_exactly_the_argv(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;
	struct aipkg_buf want = AIPKG_BUF_INIT;
	char *argv;

	assert_int_equal(run_add(&ctx,
				 "(1/1) Installing nosuchpkg (1.0-r0)\n"
				 "OK: 1 MiB in 1 packages",
				 NULL, 0, &res),
			 0);
	assert_string_equal(aipkg_buf_str(&res.out),
			    "(1/1) Installing nosuchpkg (1.0-r0)\nOK: 1 MiB in 1 packages\n");
	assert_int_equal(res.exit_code, 0);
	aipkg_buf_addf(&want, "--root\n%s\n--wait\n600\n--no-interactive\n--no-progress\nadd\n--\n"
			      "nosuchpkg\n",
		       real_root);
	argv = last_argv(getenv("AIPKG_APK"));
	assert_string_equal(argv, aipkg_buf_str(&want));
	free(argv);
	aipkg_buf_release(&want);
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_no_such_package_is_nopkg_with_one_paragraph(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL, ERR_NOSUCHPKG, 1, &res), -AIPKG_E_NOPKG);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk add failed (exit 1): unable to select packages: nosuchpkg "
			    "(no such package): required by: world[nosuchpkg]");
	assert_int_equal(res.exit_code, 1);
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_a_missing_dependency_is_nopkg(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL,
				 "ERROR: unable to select packages:\n"
				 "  libmissing (no such package):\n"
				 "    required by: broken-1.0-r0[libmissing]",
				 2, &res),
			 -AIPKG_E_NOPKG);
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_del_of_an_unknown_package_is_nopkg(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL, "ERROR: No such package: nosuchpkg", 1, &res),
			 -AIPKG_E_NOPKG);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk add failed (exit 1): No such package: nosuchpkg");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_conflicts_are_conflict(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL, ERR_CONFLICT, 2, &res), -AIPKG_E_CONFLICT);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk add failed (exit 2): unable to select packages: telnet-b-2.0-r0: "
			    "conflicts: telnet-a-1.0-r0[cmd:telnet=2.0-r0] breaks: "
			    "telnet-a-1.0-r0[!telnet-b] satisfies: world[telnet-b] "
			    "telnet-a-1.0-r0: conflicts: telnet-b-2.0-r0[cmd:telnet=1.0-r0] "
			    "breaks: telnet-b-2.0-r0[!telnet-a] satisfies: world[telnet-a]");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_a_version_that_breaks_world_is_conflict(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL,
				 "ERROR: unable to select packages:\n"
				 "  curl-8.9.0-r0:\n"
				 "    breaks: world[curl=9.9-r0]",
				 1, &res),
			 -AIPKG_E_CONFLICT);
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_a_locked_database_is_apk_locked(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL, ERR_LOCKED, 99, &res), -AIPKG_E_APK_LOCKED);
	assert_string_equal(aipkg_ctx_errmsg(ctx), "apk add failed (exit 99): Unable to lock "
						   "database: Resource temporarily unavailable");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_any_other_failure_is_apk_failed(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, "(1/1) Installing x (1.0-r0)",
				 "ERROR: x-1.0-r0: trying to overwrite etc/x owned by y-1.0-r0.\n"
				 "WARNING: 1 error; 1 MiB in 1 packages",
				 1, &res),
			 -AIPKG_E_APK_FAILED);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk add failed (exit 1): x-1.0-r0: trying to overwrite etc/x owned by "
			    "y-1.0-r0.");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_a_silent_failure_says_so(void **state)
{
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	assert_int_equal(run_add(&ctx, NULL, NULL, 3, &res), -AIPKG_E_APK_FAILED);
	assert_string_equal(aipkg_ctx_errmsg(ctx), "apk add failed (exit 3): no reason given");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

/* A fake apk that answers --version, then runs SCRIPT. */
static void fake_apk_running(const char *name, const char *script)
{
	const char *path = fake_apk(name, APK2_VERSION, NULL, NULL, 0);
	struct aipkg_buf s = AIPKG_BUF_INIT;

	aipkg_buf_addf(&s, "#!/bin/sh\n[ \"$1\" = --version ] && { echo '%s'; exit 0; }\n%s\n",
		       APK2_VERSION, script);
	write_file(path, aipkg_buf_str(&s), 0755);
	setenv("AIPKG_APK", path, 1);
	aipkg_buf_release(&s);
}

static void test_an_apk_killed_by_a_signal(void **state)
{
	struct aipkg_apk_call call = { .applet = "upgrade" };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	fake_apk_running("apk-killed", "kill -KILL $$");
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), -AIPKG_E_APK_FAILED);
	assert_int_equal(res.term_signal, SIGKILL);
	assert_string_equal(aipkg_ctx_errmsg(ctx), "apk upgrade was killed by signal 9 (Killed)");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_an_apk_killed_by_a_signal_says_what_it_said(void **state)
{
	struct aipkg_apk_call call = { .applet = "add" };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	/* an abort's message (an assertion, a library) is the only clue */
	fake_apk_running("apk-aborted",
			 "echo 'apk: db.c:42: apk_db_open: Assertion `x` failed.' >&2; kill -ABRT $$");
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), -AIPKG_E_APK_FAILED);
	assert_int_equal(res.term_signal, SIGABRT);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk add was killed by signal 6 (Aborted): apk: db.c:42: apk_db_open: "
			    "Assertion `x` failed.");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_an_apk_that_takes_too_long_is_timeout(void **state)
{
	struct aipkg_apk_call call = { .applet = "update" };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	fake_apk_running("apk-slow", "sleep 10");
	ctx = new_ctx(NULL);
	ctx->cfg.apk_timeout = 0.2;
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), -AIPKG_E_TIMEOUT);
	assert_true(res.timed_out);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk update took longer than 0.2 s and was stopped (apk.timeout)");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

static void test_a_sigint_during_apk_is_interrupted(void **state)
{
	struct aipkg_apk_call call = { .applet = "add", .flags = AIPKG_APK_CHANGE };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	/* the user presses ^C: the terminal sends SIGINT to aipkg, the parent */
	fake_apk_running("apk-int", "kill -INT $PPID; sleep 5");
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), -AIPKG_E_INTERRUPTED);
	assert_int_equal(res.interrupted, SIGINT);
	assert_string_equal(aipkg_ctx_errmsg(ctx), "apk add was stopped by Ctrl-C (SIGINT)");
	aipkg_spawn_result_release(&res);
	/* the operation stops as a whole: the next apk run does not start */
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), -AIPKG_E_INTERRUPTED);
	assert_true(res.not_started);
	assert_string_equal(aipkg_ctx_errmsg(ctx),
			    "apk add was not started: Ctrl-C (SIGINT) had stopped the operation");
	aipkg_spawn_result_release(&res);
	aipkg_interrupt_clear();
	aipkg_ctx_free(ctx);
}

static void test_running_a_vanished_apk_is_apk_missing(void **state)
{
	struct aipkg_apk_call call = { .applet = "update" };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;
	struct aipkg_apk *apk;
	const char *path = fake_apk("apk-gone", APK2_VERSION, NULL, NULL, 0);

	setenv("AIPKG_APK", path, 1);
	ctx = new_ctx(NULL);
	assert_int_equal(aipkg_apk_get(ctx, &apk), 0);
	unlink(path);
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), -AIPKG_E_APK_MISSING);
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

struct streamed {
	struct aipkg_buf out;
};

static void on_output(void *ud, enum aipkg_stream stream, const char *data, size_t len)
{
	struct streamed *s = ud;

	if (stream == AIPKG_STDOUT)
		aipkg_buf_add(&s->out, data, len);
}

static void test_output_is_streamed_only_when_asked(void **state)
{
	struct streamed seen = { AIPKG_BUF_INIT };
	struct aipkg_callbacks cb = { .output = on_output, .ud = &seen };
	struct aipkg_opts opts = { .root = root, .stream = true };
	struct aipkg_apk_call call = { .applet = "upgrade", .flags = AIPKG_APK_CHANGE };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;

	setenv("AIPKG_APK", fake_apk("apk", APK2_VERSION, "(1/1) Upgrading zlib", NULL, 0), 1);
	assert_int_equal(aipkg_ctx_new(&ctx, &opts, &cb), 0);
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), 0);
	assert_string_equal(aipkg_buf_str(&seen.out), "(1/1) Upgrading zlib\n");
	aipkg_spawn_result_release(&res);

	aipkg_buf_reset(&seen.out);
	call.flags |= AIPKG_APK_QUIET;
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), 0);
	assert_string_equal(aipkg_buf_str(&seen.out), "");
	assert_string_equal(aipkg_buf_str(&res.out), "(1/1) Upgrading zlib\n");
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
	aipkg_buf_release(&seen.out);
}

/* ---- progress ---- */

struct progress_seen {
	int events, ends;
	unsigned long long done, total;
	char message[128], step[32];
};

static void on_progress(void *ud, const struct aipkg_progress *p)
{
	struct progress_seen *seen = ud;

	seen->events++;
	seen->ends += p->end;
	seen->done = p->done;
	seen->total = p->total;
	snprintf(seen->step, sizeof(seen->step), "%s", p->step);
	if (p->message)
		snprintf(seen->message, sizeof(seen->message), "%s", p->message);
}

/* apk 3 writes "DONE/TOTAL STAGE" to --progress-fd, apk 2 "DONE/TOTAL",
 * and "(N/M) Installing ..." on stdout. */
static void test_progress_comes_from_the_progress_fd_and_the_step_lines(void **state)
{
	struct progress_seen seen = { 0 };
	struct aipkg_callbacks cb = { .progress = on_progress, .ud = &seen };
	struct aipkg_opts opts = { .root = root };
	struct aipkg_apk_call call = { .applet = "add", .flags = AIPKG_APK_CHANGE };
	struct aipkg_spawn_result res;
	struct aipkg_ctx *ctx;
	json_t *argv;
	char *words;

	fake_apk_running("apk-progress",
			 "for a in \"$@\"; do echo \"$a\"; done >\"$0.argv\"\n"
			 "echo '(1/2) Installing pcre2 (10.43-r0)'; echo 512/2048 >&3\n"
			 "echo '(2/2) Installing nginx (1.26.2-r0)'; echo '2048/2048 install' >&3\n"
			 "exit 0");
	assert_int_equal(aipkg_ctx_new(&ctx, &opts, &cb), 0);
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), 0);
	assert_int_equal(seen.ends, 1);
	assert_true(seen.events >= 3);
	assert_int_equal(seen.done, 2048);
	assert_int_equal(seen.total, 2048);
	assert_string_equal(seen.step, "apk add");
	assert_string_equal(seen.message, "(2/2) Installing nginx (1.26.2-r0)");
	words = last_argv(getenv("AIPKG_APK"));
	assert_non_null(strstr(words, "--no-progress\n--progress-fd\n3\n"));
	free(words);
	aipkg_spawn_result_release(&res);
	/* the journal's argv is the command without it */
	assert_int_equal(aipkg_apk_argv(ctx, &call, &argv), 0);
	words = joined(argv);
	assert_null(strstr(words, "progress-fd"));
	free(words);
	json_decref(argv);
	/* a simulation shows no progress */
	seen.events = 0;
	call.flags |= AIPKG_APK_SIMULATE;
	assert_int_equal(aipkg_apk_run(ctx, &call, &res), 0);
	assert_int_equal(seen.events, 0);
	words = last_argv(getenv("AIPKG_APK"));
	assert_null(strstr(words, "progress-fd"));
	free(words);
	aipkg_spawn_result_release(&res);
	aipkg_ctx_free(ctx);
}

/* ---- aipkg_apk_reason ---- */

static void test_reason_falls_back_to_errors_on_stdout(void **state)
{
	struct aipkg_spawn_result res = { 0 };
	char *reason;

	aipkg_buf_addstr(&res.out, "(1/1) Purging x\nERROR: x: script failed\nOK: 0 MiB\n");
	reason = aipkg_apk_reason(&res);
	assert_string_equal(reason, "x: script failed");
	free(reason);
	aipkg_spawn_result_release(&res);
}

/* apk prints one ERROR per package it could not download (real apk 3.0.6
 * on an Alpine 3.18 root without network): each is its own clause, not
 * one run of words. */
static void test_each_error_of_apk_is_its_own_clause(void **state)
{
	struct aipkg_spawn_result res = { 0 };
	char *reason;

	(void)state;
	aipkg_buf_addstr(&res.err, "WARNING: The indexes contain broken packages which are not "
				   "installable.\nERROR: libidn2-2.3.4-r1: DNS: name does not exist\n"
				   "ERROR: curl-8.5.0-r0: DNS: name does not exist\n"
				   "ERROR: unable to select packages:\n  nginx (no such package):\n"
				   "    required by: world[nginx]\n");
	reason = aipkg_apk_reason(&res);
	assert_string_equal(reason, "libidn2-2.3.4-r1: DNS: name does not exist; curl-8.5.0-r0: "
				    "DNS: name does not exist; unable to select packages: nginx "
				    "(no such package): required by: world[nginx]");
	free(reason);
	aipkg_spawn_result_release(&res);
}

#define T(fn) cmocka_unit_test_setup(fn, clean_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_apk_2_is_detected),
		T(test_each_error_of_apk_is_its_own_clause),
		T(test_apk_3_is_detected),
		T(test_detection_runs_once_per_context),
		T(test_the_version_is_remembered_in_the_root),
		T(test_a_changed_apk_is_asked_again),
		T(test_every_file_of_the_command_is_part_of_its_identity),
		T(test_without_a_state_directory_nothing_is_written),
		T(test_a_remembered_line_that_is_not_a_version_is_ignored),
		T(test_argv_keeps_what_apk_downloads_in_its_cache),
		T(test_something_else_is_not_apk),
		T(test_an_apk_1_or_a_failing_version_is_not_apk),
		T(test_a_missing_apk),
		T(test_an_apk_that_is_not_executable_is_missing),
		T(test_a_command_of_several_words),
		T(test_a_badly_quoted_or_blank_command_is_a_config_error),
		T(test_option_then_environment_then_configuration),
		T(test_argv_of_a_query),
		T(test_argv_of_a_change_with_every_global_option),
		T(test_no_interactive_only_for_an_apk_that_knows_it),
		T(test_package_arguments_always_follow_a_double_dash),
		T(test_argv_without_arguments_has_no_double_dash),
		T(test_the_reason_of_apk_2_12_is_whole),
		T(test_argv_without_root_for_version_tests),
		T(test_argv_with_the_loader_in_front),
		T(test_an_argument_that_is_not_utf8_is_refused_not_dropped),
		T(test_success_runs_exactly_the_argv),
		T(test_no_such_package_is_nopkg_with_one_paragraph),
		T(test_a_missing_dependency_is_nopkg),
		T(test_del_of_an_unknown_package_is_nopkg),
		T(test_conflicts_are_conflict),
		T(test_a_version_that_breaks_world_is_conflict),
		T(test_a_locked_database_is_apk_locked),
		T(test_any_other_failure_is_apk_failed),
		T(test_a_silent_failure_says_so),
		T(test_an_apk_killed_by_a_signal),
		T(test_an_apk_killed_by_a_signal_says_what_it_said),
		T(test_an_apk_that_takes_too_long_is_timeout),
		T(test_a_sigint_during_apk_is_interrupted),
		T(test_running_a_vanished_apk_is_apk_missing),
		T(test_output_is_streamed_only_when_asked),
		T(test_progress_comes_from_the_progress_fd_and_the_step_lines),
		T(test_reason_falls_back_to_errors_on_stdout),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
