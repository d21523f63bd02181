/* Unit tests of lib/journal: the entry format, atomic writes, ids, bad files, the state lock, kept files. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aipkg/error.h"
#include "apk/runner.h"
#include "ctx.h"
#include "journal/journal.h"

static char root[] = "/tmp/aipkg-test-journal-XXXXXX";
static char jdir[sizeof(root) + 32];

/* Warnings the context passes on, one per line. */
static char warnings[8192];

static void on_warn(void *ud, const char *msg)
{
	size_t len = strlen(warnings);

	snprintf(warnings + len, sizeof(warnings) - len, "%s\n", msg);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	snprintf(jdir, sizeof(jdir), "%s/var/lib/aipkg/journal", root);
	return 0;
}

static int teardown(void **state)
{
	return nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Each test starts from an empty root. */
static int reset(void **state)
{
	char sub[sizeof(root) + 8];

	snprintf(sub, sizeof(sub), "%s/var", root);
	nftw(sub, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	warnings[0] = '\0';
	return 0;
}

static struct aipkg_ctx *ctx_new(void)
{
	struct aipkg_callbacks cb = { .warn = on_warn };
	struct aipkg_opts opts = { .root = root, .lock_timeout = -1, .cmdline = "aipkg test" };
	struct aipkg_ctx *ctx;

	if (aipkg_ctx_new(&ctx, &opts, &cb) != 0)
		fail_msg("aipkg_ctx_new: %s", aipkg_ctx_errmsg(ctx));
	return ctx;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static json_t *sample_entry(long long id)
{
	json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)id,
			      "status", "committed", "time", "2026-11-24T10:15:02Z", "end_time",
			      "2026-11-24T10:15:04Z", "user", "root (sudo by alice)", "caller", "cli",
			      "pid", (json_int_t)4242, "command", "aipkg install 'two words' nginx");

	json_object_set_new(e, "request", json_string("a web server\nwith\\backslashes\tand tabs"));
	json_object_set_new(e, "undoes", json_integer(7));
	json_object_set_new(e, "apk", json_pack("[s, s]", "apk --root / add -- nginx",
						"apk --root / del -- pcre2"));
	json_object_set_new(e, "apk_exit", json_integer(0));
	json_object_set_new(e, "world_before", json_pack("[s, s]", "curl", "busybox"));
	json_object_set_new(e, "world_after", json_pack("[s, s, s]", "curl", "busybox",
							"nginx=1.26.2-r0"));
	json_object_set_new(e, "planned", json_pack("[{s:s, s:s, s:n, s:s}]", "name", "nginx",
						    "action", "install", "from", "to",
						    "1.26.2-r0"));
	json_object_set_new(e, "changes",
			    json_pack("[{s:s, s:s, s:n, s:s}, {s:s, s:s, s:s, s:s}]", "name", "nginx",
				      "action", "install", "from", "to", "1.26.2-r0", "name",
				      "zlib", "action", "upgrade", "from", "1.3.1-r0", "to",
				      "1.3.1-r1"));
	json_object_set_new(e, "kept", json_pack("[{s:s, s:s}]", "name", "zlib", "version",
						 "1.3.1-r0"));
	json_object_set_new(e, "unkept", json_pack("[{s:s, s:s, s:s}]", "name", "pcre2",
						   "version", "10.43-r0", "reason",
						   "no repository has it"));
	return e;
}

/*
 * The format.
 */

static void test_round_trip(void **state)
{
	struct aipkg_buf text = AIPKG_BUF_INIT, why = AIPKG_BUF_INIT;
	json_t *e = sample_entry(42), *back;

	assert_int_equal(aipkg_jentry_format(e, &text), 0);
	/* readable with grep: one fact per line */
	assert_non_null(strstr(text.data, "\nid: 42\n"));
	assert_non_null(strstr(text.data, "\nchange: upgrade zlib 1.3.1-r0 1.3.1-r1\n"));
	assert_non_null(strstr(text.data, "\nchange: install nginx - 1.26.2-r0\n"));
	assert_non_null(strstr(text.data, "\nworld-after: curl busybox nginx=1.26.2-r0\n"));
	assert_non_null(strstr(text.data, "\nrequest: a web server\\nwith\\\\backslashes\\x09and tabs\n"));
	assert_non_null(strstr(text.data, "\nunkept: pcre2 10.43-r0 no repository has it\n"));
	assert_int_equal(aipkg_jentry_parse(text.data, text.len, &back, &why), 0);
	assert_true(json_equal(e, back));
	json_decref(back);
	json_decref(e);
	aipkg_buf_release(&text);
	aipkg_buf_release(&why);
}

static void test_minimal_and_unknown_keys(void **state)
{
	const char *text = "# hand-written\nid: 3\nstatus: failed\ntime: 2026-01-02T03:04:05Z\n"
			   "apk-exit: -\nworld-before:\nfrom-the-future: something\nend\n";
	struct aipkg_buf why = AIPKG_BUF_INIT;
	json_t *e;

	assert_int_equal(aipkg_jentry_parse(text, strlen(text), &e, &why), 0);
	assert_true(json_is_null(json_object_get(e, "apk_exit")));
	assert_int_equal(json_array_size(json_object_get(e, "world_before")), 0);
	assert_null(json_object_get(e, "from-the-future"));
	json_decref(e);
	aipkg_buf_release(&why);
}

/* Each bad text is refused with a reason; none crashes. */
static void test_corrupt_texts(void **state)
{
	static const char *const cases[][2] = {
		{ "id: 1\nstatus: committed\ntime: 2026-01-02T03:04:05Z\n", "truncated" },
		{ "id: 1\nstatus: committed\ntime: 2026-01-02T03:04:05Z\nchange: install ng", "truncated" },
		{ "id: 1\nstatus: done\ntime: 2026-01-02T03:04:05Z\nend\n", "unknown status" },
		{ "id: x\nstatus: failed\ntime: 2026-01-02T03:04:05Z\nend\n", "not a number" },
		{ "status: failed\ntime: 2026-01-02T03:04:05Z\nend\n", "no 'id'" },
		{ "id: 1\nid: 2\nstatus: failed\ntime: 2026-01-02T03:04:05Z\nend\n", "twice" },
		{ "id: 1\nstatus: failed\ntime: yesterday\nend\n", "'time'" },
		{ "id: 1\nstatus: failed\ntime: 2026-01-02T03:04:05Z\nchange: explode a b c\nend\n",
		  "unknown action" },
		{ "id: 1\nstatus: failed\ntime: 2026-01-02T03:04:05Z\nchange: install a b\nend\n",
		  "ACTION NAME FROM TO" },
		{ "id: 1\nstatus: failed\ntime: 2026-01-02T03:04:05Z\ncommand: bad \\q\nend\n",
		  "escape" },
		{ "id: 1\nstatus: failed\ntime: 2026-01-02T03:04:05Z\nend\nmore: text\n", "after 'end'" },
		{ "just some garbage\x01\x02", "not 'key: value'" },
		{ "", "truncated" },
	};
	struct aipkg_buf why = AIPKG_BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *e = (json_t *)1;

		aipkg_buf_reset(&why);
		assert_int_equal(aipkg_jentry_parse(cases[i][0], strlen(cases[i][0]), &e, &why),
				 -AIPKG_E_CORRUPT);
		assert_null(e);
		if (!strstr(aipkg_buf_str(&why), cases[i][1]))
			fail_msg("case %zu: '%s' lacks '%s'", i, aipkg_buf_str(&why), cases[i][1]);
	}
	aipkg_buf_release(&why);
}

/* Found by fuzz_journal: the message named an action that had been freed. */
static void test_unknown_action_use_after_free(void **state)
{
	const char *text = "id: 2\nstatus: pending\ntime: 2026-01-02T03:04:05Z\n"
			   "planned: remo.ve curl 4.9.0-r0 -\nend\n";
	struct aipkg_buf why = AIPKG_BUF_INIT;
	json_t *e;

	assert_int_equal(aipkg_jentry_parse(text, strlen(text), &e, &why), -AIPKG_E_CORRUPT);
	assert_non_null(strstr(aipkg_buf_str(&why), "unknown action 'remo.ve'"));
	aipkg_buf_release(&why);
}

static void test_binary_garbage(void **state)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	char junk[4096];
	json_t *e;

	srand(7);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (char)(rand() % 256);
		assert_int_equal(aipkg_jentry_parse(junk, sizeof(junk), &e, &why), -AIPKG_E_CORRUPT);
	}
	aipkg_buf_release(&why);
}

static void test_times_and_argv(void **state)
{
	json_t *argv = json_pack("[s, s, s, s]", "/sbin/apk", "--root", "/mnt/my root", "it's");
	char *line = aipkg_jentry_argv_line(argv);

	assert_string_equal(line, "/sbin/apk --root '/mnt/my root' 'it'\\''s'");
	assert_int_equal(aipkg_jentry_parse_time("1970-01-02"), 86400);
	assert_int_equal(aipkg_jentry_parse_time("1970-01-01T00:01:00Z"), 60);
	assert_int_equal(aipkg_jentry_parse_time("1970-01-01 00:02"), 120);
	assert_int_equal(aipkg_jentry_parse_time("1970-01-01 00:00:03"), 3);
	assert_int_equal(aipkg_jentry_parse_time("last week"), -1);
	assert_int_equal(aipkg_jentry_parse_time("1970-01-01 00:00:03 extra"), -1);
	free(line);
	json_decref(argv);
}

/*
 * The store.
 */

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_atomic_write(void **state)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	json_t *e = sample_entry(1000), *back;
	char *path;

	assert_int_equal(aipkg_jstore_init(&js, jdir), 0);
	assert_int_equal(aipkg_jstore_write(&js, e, true, &err), 0);
	path = aipkg_jstore_path(&js, 1000);
	assert_non_null(strstr(path, "/journal/0001/00001000.txt"));
	/* a new entry never replaces an existing one */
	assert_int_equal(aipkg_jstore_write(&js, e, true, &err), -EEXIST);
	json_object_set_new(e, "status", json_string("failed"));
	assert_int_equal(aipkg_jstore_write(&js, e, false, &err), 0);
	assert_int_equal(aipkg_jstore_read(path, 1000, &back, &err), 0);
	assert_string_equal(json_string_value(json_object_get(back, "status")), "failed");
	/* no temporary file is left behind */
	*strrchr(path, '/') = '\0';
	assert_int_equal(count_files(path), 1);
	json_decref(back);
	json_decref(e);
	free(path);
	aipkg_jstore_release(&js);
	aipkg_buf_release(&err);
}

static void test_read_wrong_id(void **state)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	json_t *e = sample_entry(5), *back;
	char *p5, *p6;

	assert_int_equal(aipkg_jstore_init(&js, jdir), 0);
	assert_int_equal(aipkg_jstore_write(&js, e, true, &err), 0);
	p5 = aipkg_jstore_path(&js, 5);
	p6 = aipkg_jstore_path(&js, 6);
	assert_int_equal(rename(p5, p6), 0);
	assert_int_equal(aipkg_jstore_read(p6, 6, &back, &err), -AIPKG_E_CORRUPT);
	assert_non_null(strstr(aipkg_buf_str(&err), "00000006.txt: its 'id' does not match"));
	assert_int_equal(aipkg_jstore_read(p5, 5, &back, &err), -ENOENT);
	free(p5);
	free(p6);
	json_decref(e);
	aipkg_jstore_release(&js);
	aipkg_buf_release(&err);
}

/* Ids across shards come back newest first; foreign names are ignored. */
static void test_iterate_newest_first(void **state)
{
	static const long long ids[] = { 1, 2, 999, 1000, 1001, 2500 };
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	struct aipkg_jiter it;
	char junk[256];
	long long id, newest;

	assert_int_equal(aipkg_jstore_init(&js, jdir), 0);
	js.nosync = true;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		json_t *e = sample_entry(ids[i]);

		assert_int_equal(aipkg_jstore_write(&js, e, true, &err), 0);
		json_decref(e);
	}
	snprintf(junk, sizeof(junk), "%s/0000/notes.txt", jdir);
	write_text(junk, "mine\n");
	snprintf(junk, sizeof(junk), "%s/0000/.00000003.txt.1.tmp", jdir);
	write_text(junk, "half");
	snprintf(junk, sizeof(junk), "%s/99", jdir);
	mkdir(junk, 0755);
	assert_int_equal(aipkg_jstore_newest(&js, &newest), 0);
	assert_int_equal(newest, 2500);
	assert_int_equal(aipkg_jiter_init(&it, &js), 0);
	for (int i = (int)(sizeof(ids) / sizeof(ids[0])) - 1; i >= 0; i--) {
		assert_int_equal(aipkg_jiter_next(&it, &id), 1);
		assert_int_equal(id, ids[i]);
	}
	assert_int_equal(aipkg_jiter_next(&it, &id), 0);
	aipkg_jiter_release(&it);
	aipkg_jstore_release(&js);
	aipkg_buf_release(&err);
}

static void test_empty_store(void **state)
{
	struct aipkg_jstore js;
	long long id = 99;

	assert_int_equal(aipkg_jstore_init(&js, jdir), 0);
	assert_int_equal(aipkg_jstore_newest(&js, &id), 0);
	assert_int_equal(id, 0);
	aipkg_jstore_release(&js);
}

/*
 * Operations on a context.
 */

static int collect_ids(void *ud, json_t *e)
{
	json_array_append_new(ud, json_integer(json_integer_value(json_object_get(e, "id"))));
	return 0;
}

static void test_begin_finish_ids(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();
	json_t *e1 = json_object(), *e2 = json_object(), *got;

	assert_int_equal(aipkg_journal_begin(ctx, e1, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(e1, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(e1, "status")), "pending");
	assert_string_equal(json_string_value(json_object_get(e1, "command")), "aipkg test");
	assert_int_equal(aipkg_journal_finish(ctx, e1, "committed"), 0);
	assert_int_equal(aipkg_journal_begin(ctx, e2, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(e2, "id")), 2);
	assert_int_equal(aipkg_journal_get(ctx, 1, &got), 0);
	assert_string_equal(json_string_value(json_object_get(got, "status")), "committed");
	assert_non_null(json_object_get(got, "end_time"));
	json_decref(got);
	assert_int_equal(aipkg_journal_get(ctx, 9, &got), -AIPKG_E_NO_ENTRY);
	json_decref(e1);
	json_decref(e2);
	aipkg_ctx_free(ctx);
}

/* A corrupt file is reported by name, skipped, and left as it was. */
static void test_walk_skips_corrupt(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();
	json_t *e, *ids = json_array();
	char path[512];
	struct stat before, after;

	for (int i = 0; i < 3; i++) {
		e = json_object();
		assert_int_equal(aipkg_journal_begin(ctx, e, NULL), 0);
		assert_int_equal(aipkg_journal_finish(ctx, e, "committed"), 0);
		json_decref(e);
	}
	snprintf(path, sizeof(path), "%s/0000/00000002.txt", jdir);
	write_text(path, "id: 2\nstatus: comm");
	stat(path, &before);
	assert_int_equal(aipkg_journal_walk(ctx, collect_ids, ids), 0);
	assert_int_equal(json_array_size(ids), 2);
	assert_int_equal(json_integer_value(json_array_get(ids, 0)), 3);
	assert_int_equal(json_integer_value(json_array_get(ids, 1)), 1);
	assert_non_null(strstr(warnings, "00000002.txt"));
	assert_non_null(strstr(warnings, "truncated"));
	/* never rewritten, and the next id is still new */
	e = json_object();
	assert_int_equal(aipkg_journal_begin(ctx, e, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(e, "id")), 4);
	stat(path, &after);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtime, after.st_mtime);
	json_decref(e);
	json_decref(ids);
	aipkg_ctx_free(ctx);
}

/* Undo bookkeeping: an undo that was itself undone no longer counts. */
static void test_undone_by(void **state)
{
	json_t *map = json_object();
	json_t *redo = json_pack("{s:i, s:s, s:i}", "id", 4, "status", "committed", "undoes", 3);
	json_t *undo = json_pack("{s:i, s:s, s:i}", "id", 3, "status", "committed", "undoes", 2);
	json_t *op = json_pack("{s:i, s:s}", "id", 2, "status", "committed");
	json_t *failed = json_pack("{s:i, s:s, s:i}", "id", 5, "status", "failed", "undoes", 2);

	assert_int_equal(aipkg_journal_undone_by(map, failed), 0);
	assert_int_equal(aipkg_journal_undone_by(map, redo), 0);
	assert_int_equal(aipkg_journal_undone_by(map, undo), 4);
	assert_int_equal(aipkg_journal_undone_by(map, op), 0);
	json_decref(map);
	json_decref(redo);
	json_decref(undo);
	json_decref(op);
	json_decref(failed);
}

/* A pending entry whose writer is gone is noticed and reconciled. */
static void test_pending_recover(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();
	json_t *e = json_object(), *report = NULL, *got;
	char path[512];

	json_object_set_new(e, "planned", json_pack("[{s:s, s:s, s:n, s:s}]", "name", "nginx",
						    "action", "install", "from", "to", "1.0-r0"));
	json_object_set_new(e, "world_before", json_array());
	assert_int_equal(aipkg_journal_begin(ctx, e, NULL), 0);
	/* the writer: a pid that cannot exist */
	json_object_set_new(e, "pid", json_integer(0x7ffffff0));
	assert_int_equal(aipkg_journal_finish(ctx, e, "pending"), 0);
	aipkg_journal_check_pending(ctx);
	assert_non_null(strstr(warnings, "operation 1"));
	assert_non_null(strstr(warnings, "aipkg recover"));
	/* nothing happened: no db, empty world */
	snprintf(path, sizeof(path), "%s/lib/apk/db", root);
	assert_int_equal(aipkg_journal_recover(ctx, true, &report), 0);
	assert_int_equal(json_array_size(report), 1);
	assert_int_equal(aipkg_journal_get(ctx, 1, &got), 0);
	assert_string_equal(json_string_value(json_object_get(got, "status")), "failed");
	assert_non_null(json_object_get(got, "recovered"));
	json_decref(got);
	json_decref(report);
	json_decref(e);
	aipkg_ctx_free(ctx);
}

/*
 * The state lock.
 */

static void test_statelock(void **state)
{
	struct aipkg_ctx *a = ctx_new(), *b = ctx_new();
	char lock[512], text[256] = "";
	int fd;

	assert_int_equal(aipkg_statelock_acquire(a), 0);
	snprintf(lock, sizeof(lock), "%s/var/lib/aipkg/lock", root);
	fd = open(lock, O_RDONLY);
	assert_true(read(fd, text, sizeof(text) - 1) > 0);
	close(fd);
	assert_non_null(strstr(text, "aipkg test"));
	b->opts.lock_timeout = 0.2;
	assert_int_equal(aipkg_statelock_acquire(b), -AIPKG_E_LOCKED);
	assert_non_null(strstr(aipkg_ctx_errmsg(b), "after 0.2 s"));
	assert_non_null(strstr(aipkg_ctx_errmsg(b), "aipkg test"));
	aipkg_statelock_release(a);
	assert_int_equal(aipkg_statelock_acquire(b), 0);
	aipkg_ctx_free(a);
	aipkg_ctx_free(b);
}

static void test_lock_timeout_defaults(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();

	ctx->opts.interactive = true;
	assert_true(aipkg_statelock_timeout(ctx) == 30);
	ctx->opts.batch = true;
	assert_true(aipkg_statelock_timeout(ctx) == 0);
	ctx->cfg.lock_timeout = 5;
	assert_true(aipkg_statelock_timeout(ctx) == 5);
	ctx->opts.lock_timeout = 1;
	assert_true(aipkg_statelock_timeout(ctx) == 1);
	aipkg_ctx_free(ctx);
}

/* A state directory that cannot be created is a clear error. */
static void test_statedir_blocked(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();
	char path[512];

	snprintf(path, sizeof(path), "%s/var", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/lib", root);
	write_text(path, "a file where a directory should be\n");
	assert_int_equal(aipkg_statelock_acquire(ctx), -AIPKG_E_JOURNAL);
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "cannot create"));
	assert_non_null(strstr(aipkg_ctx_errmsg(ctx), "nothing was changed"));
	unlink(path);
	aipkg_ctx_free(ctx);
}

/*
 * Kept package files.
 */

static void make_kept(const char *dir, const char *name, size_t size, time_t age)
{
	char path[512];
	struct timespec t[2] = { { time(NULL) - age, 0 }, { time(NULL) - age, 0 } };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('x', f);
	fclose(f);
	utimensat(AT_FDCWD, path, t, 0);
}

static void test_keep_trim(void **state)
{
	char dir[256], path[512];
	json_t *protect = json_pack("[{s:s, s:s}]", "name", "old", "version", "1.0-r0");
	json_t *dropped = json_array();

	snprintf(dir, sizeof(dir), "%s/kept", root);
	mkdir(dir, 0755);
	make_kept(dir, "old-1.0-r0.apk", 400, 500);   /* oldest, but protected */
	make_kept(dir, "older-2.0-r0.apk", 300, 400);
	make_kept(dir, "mid-3.0-r0.apk", 300, 300);
	make_kept(dir, "new-4.0-r0.apk", 300, 100);
	make_kept(dir, "notes.txt", 5000, 1000);      /* not a package: not counted */
	assert_int_equal(aipkg_keep_trim_dir(dir, 900, protect, dropped), 0);
	assert_int_equal(json_array_size(dropped), 2);
	assert_string_equal(json_string_value(json_array_get(dropped, 0)), "older-2.0-r0.apk");
	assert_string_equal(json_string_value(json_array_get(dropped, 1)), "mid-3.0-r0.apk");
	snprintf(path, sizeof(path), "%s/old-1.0-r0.apk", dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/new-4.0-r0.apk", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* within the bound: nothing goes */
	json_array_clear(dropped);
	assert_int_equal(aipkg_keep_trim_dir(dir, 900, protect, dropped), 0);
	assert_int_equal(json_array_size(dropped), 0);
	json_decref(protect);
	json_decref(dropped);
}

/* ROOT/REL with TEXT, its directories made. */
static void put_file(const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	*strrchr(path, '/') = '\0';
	assert_true(aipkg_mkdir_p(path) >= 0);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	write_text(path, text);
}

static void root_unlink(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

static bool root_has(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

/* With ROOT/etc/apk/cache a link to LINK (NULL: none), kept files come
 * from CACHE_DIR (ROOT-relative), the administrator's cache when OWN is
 * false, else the one aipkg turns on. */
static void expect_keep_cache(struct aipkg_ctx *ctx, const char *link, const char *cache_dir,
			      bool own)
{
	char path[512], want[512];
	struct aipkg_keep kp;

	snprintf(path, sizeof(path), "%s/etc/apk/cache", root);
	unlink(path);
	if (link)
		assert_int_equal(symlink(link, path), 0);
	snprintf(want, sizeof(want), "%s/%s", root, cache_dir);
	assert_int_equal(aipkg_keep_begin(ctx, &kp), 0);
	assert_string_equal(kp.cache_dir, want);
	assert_int_equal(kp.own, own);
	assert_int_equal(kp.apk_flags, own ? AIPKG_APK_CACHE : 0);
	aipkg_keep_end(&kp, NULL);
}

static void test_keep_uses_the_cache_the_administrator_made(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();
	struct aipkg_keep kp;

	put_file("var/cache/apk/APKINDEX.0017ed82.tar.gz", "index");
	put_file("etc/apk/repositories", "");
	/* none: aipkg turns apk's default cache on, and tidies it after */
	expect_keep_cache(ctx, NULL, "var/cache/apk", true);
	/* a link to a directory; absolute, as setup-apkcache makes it, is
	 * resolved inside the root as by a chroot */
	expect_keep_cache(ctx, "../../var/cache/apk", "var/cache/apk", false);
	expect_keep_cache(ctx, "/var/cache/apk", "var/cache/apk", false);
	/* a dangling link is no cache, for apk either */
	expect_keep_cache(ctx, "../../nowhere", "var/cache/apk", true);
	expect_keep_cache(ctx, NULL, "var/cache/apk", true);
	/* keeping nothing: apk runs as it is */
	ctx->cfg.keep_packages_mb = 0;
	assert_int_equal(aipkg_keep_begin(ctx, &kp), 0);
	assert_null(kp.cache_dir);
	assert_int_equal(kp.apk_flags, 0);
	aipkg_keep_end(&kp, NULL);
	aipkg_ctx_free(ctx);
}

static void test_keep_end_leaves_the_cache_it_turned_on_as_it_found_it(void **state)
{
	struct aipkg_ctx *ctx = ctx_new();
	json_t *installed = json_pack("[{s:s, s:s}]", "name", "nginx", "version", "1.26.2-r0");
	struct aipkg_keep kp;

	put_file("var/cache/apk/APKINDEX.0017ed82.tar.gz", "index");
	put_file("var/cache/apk/zlib-1.3.1-r0.65b3423e.apk", "not this change's");
	assert_int_equal(aipkg_keep_begin(ctx, &kp), 0);
	/* before apk runs nothing is removed, whatever happens */
	put_file("var/cache/apk/installed", "apk 2's");
	aipkg_keep_end(&kp, installed);
	assert_true(root_has("var/cache/apk/installed"));
	/* after: apk 2's index of cached packages goes when it is new, and
	 * the change's package files go; nothing else does */
	root_unlink("var/cache/apk/installed");
	assert_int_equal(aipkg_keep_begin(ctx, &kp), 0);
	aipkg_keep_prepare(ctx, &kp, NULL, NULL);
	put_file("var/cache/apk/installed", "apk 2's");
	put_file("var/cache/apk/nginx-1.26.2-r0.f35a5caa.apk", "cached by apk");
	aipkg_keep_end(&kp, installed);
	assert_false(root_has("var/cache/apk/installed"));
	assert_false(root_has("var/cache/apk/nginx-1.26.2-r0.f35a5caa.apk"));
	assert_true(root_has("var/cache/apk/zlib-1.3.1-r0.65b3423e.apk"));
	assert_true(root_has("var/cache/apk/APKINDEX.0017ed82.tar.gz"));
	/* an index that was there before stays */
	assert_int_equal(aipkg_keep_begin(ctx, &kp), 0);
	put_file("var/cache/apk/installed", "apk 2's");
	aipkg_keep_prepare(ctx, &kp, NULL, NULL);
	aipkg_keep_end(&kp, installed);
	assert_true(root_has("var/cache/apk/installed"));
	json_decref(installed);
	aipkg_ctx_free(ctx);
}

/* What a rollback hands to apk passes the checks user input passes. */
static void test_apk_input_checked(void **state)
{
	static const struct {
		const char *member, *json, *why;
	} bad[] = {
		{ "world_before", "[\"curl\", \"--allow-untrusted\"]", "world-before: '--allow-untrusted'" },
		{ "world_after", "[\"/tmp/evil.apk\"]", "world-after: '/tmp/evil.apk'" },
		{ "world_before", "[\"a b\"]", "'a b' is not a package name or constraint" },
		{ "world_before", "[\"x\\u001b[2J\"]", "'x\\x1b[2J'" },
		{ "changes", "[{\"name\":\"../etc/x\",\"action\":\"install\",\"from\":null,\"to\":\"1-r0\"}]",
		  "change: '../etc/x' is not a package name" },
		{ "changes", "[{\"name\":\"zlib\",\"action\":\"upgrade\",\"from\":\"1/../x\",\"to\":\"1-r0\"}]",
		  "change: zlib: '1/../x' is not a version" },
		{ "planned", "[{\"name\":\"-x\",\"action\":\"install\",\"from\":null,\"to\":\"1\"}]",
		  "planned: '-x'" },
		{ "kept", "[{\"name\":\"zlib\",\"version\":\"-rf\"}]", "kept: zlib: '-rf' is not a version" },
	};
	struct aipkg_buf why = AIPKG_BUF_INIT;
	json_t *e = sample_entry(1);

	assert_int_equal(aipkg_jentry_check_apk_input(e, &why), 0);
	json_decref(e);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = sample_entry(1);
		json_object_set_new(e, bad[i].member, json_loads(bad[i].json, 0, NULL));
		assert_int_equal(aipkg_jentry_check_apk_input(e, &why), -AIPKG_E_CORRUPT);
		if (!strstr(aipkg_buf_str(&why), bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, aipkg_buf_str(&why), bad[i].why);
		json_decref(e);
	}
	aipkg_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apk_input_checked),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_minimal_and_unknown_keys),
		cmocka_unit_test(test_corrupt_texts),
		cmocka_unit_test(test_unknown_action_use_after_free),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_times_and_argv),
		cmocka_unit_test_setup(test_atomic_write, reset),
		cmocka_unit_test_setup(test_read_wrong_id, reset),
		cmocka_unit_test_setup(test_iterate_newest_first, reset),
		cmocka_unit_test_setup(test_empty_store, reset),
		cmocka_unit_test_setup(test_begin_finish_ids, reset),
		cmocka_unit_test_setup(test_walk_skips_corrupt, reset),
		cmocka_unit_test(test_undone_by),
		cmocka_unit_test_setup(test_pending_recover, reset),
		cmocka_unit_test_setup(test_statelock, reset),
		cmocka_unit_test_setup(test_lock_timeout_defaults, reset),
		cmocka_unit_test_setup(test_statedir_blocked, reset),
		cmocka_unit_test_setup(test_keep_trim, reset),
		cmocka_unit_test_setup(test_keep_uses_the_cache_the_administrator_made, reset),
		cmocka_unit_test_setup(test_keep_end_leaves_the_cache_it_turned_on_as_it_found_it,
				       reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
