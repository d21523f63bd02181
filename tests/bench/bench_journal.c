/* Benchmark: aipkg history --limit 20 over 100,000 journal entries, and the journal's cost per operation. */
/* SPDX-License-Identifier: MIT */
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aipkg/tools.h"
#include "bench.h"
#include "ctx.h"
#include "journal/journal.h"

#define ENTRIES 100000
#define RUNS 20

static char root[] = "/tmp/aipkg-bench-journal-XXXXXX";

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "bench_journal: %s\n", what);
	exit(1);
}

/* An operation of ordinary size: a world of 40 atoms, 12 package changes. */
static json_t *gen_entry(long long id)
{
	json_t *world = json_array(), *changes = json_array();
	char name[64], v1[32], v2[32];

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "package-%d", i);
		json_array_append_new(world, json_string(name));
	}
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "lib%lld-%d", id % 997, i);
		snprintf(v1, sizeof(v1), "1.%d.%lld-r0", i, id % 50);
		snprintf(v2, sizeof(v2), "1.%d.%lld-r1", i, id % 50);
		json_array_append_new(changes, json_pack("{s:s, s:s, s:s, s:s}", "name", name,
							 "action", "upgrade", "from", v1, "to", v2));
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:[s], s:i, s:O, s:o, s:O, s:o}",
			 "id", (json_int_t)id, "status", "committed", "time",
			 "2026-11-24T10:15:02Z", "end_time", "2026-11-24T10:15:04Z", "user", "root",
			 "caller", "cli", "pid", (json_int_t)4242, "command", "aipkg update --yes",
			 "apk", "/sbin/apk --root / --wait 600 --no-interactive --no-progress upgrade",
			 "apk_exit", 0, "world_before", world, "world_after", world, "planned", changes,
			 "changes", changes);
}

static void gen_journal(const struct aipkg_jstore *js)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;

	for (long long id = 1; id <= ENTRIES; id++) {
		json_t *e = gen_entry(id);

		if (aipkg_jstore_write(js, e, true, &err) < 0)
			die(aipkg_buf_str(&err));
		json_decref(e);
	}
	aipkg_buf_release(&err);
}

/* The command itself, as a person runs it: process start included. */
static double time_cli(const char *aipkg)
{
	double best = 1e9;

	for (int k = 0; k < RUNS; k++) {
		double t0, t1;
		pid_t pid;
		int status;

		fflush(stdout); /* or the child repeats what is buffered */
		t0 = bench_now_ms();
		pid = fork();

		if (pid == 0) {
			if (!freopen("/dev/null", "w", stdout))
				_exit(127);
			execl(aipkg, aipkg, "--root", root, "history", "--limit", "20", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		t1 = bench_now_ms();
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			die("aipkg history failed");
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

/* pkg.history in-process: the library's share of the command. */
static double time_tool(void)
{
	struct aipkg_opts opts = { .root = root, .lock_timeout = -1 };
	double best = 1e9;

	for (int k = 0; k < RUNS; k++) {
		struct aipkg_ctx *ctx;
		json_t *res = NULL, *args = json_pack("{s:i}", "limit", 20);
		double t0 = bench_now_ms(), t1;

		if (aipkg_ctx_new(&ctx, &opts, NULL) < 0 ||
		    aipkg_tool_call(ctx, "pkg.history", args, &res) < 0 ||
		    json_array_size(json_object_get(res, "transactions")) != 20)
			die("pkg.history failed");
		aipkg_ctx_free(ctx);
		t1 = bench_now_ms();
		json_decref(res);
		json_decref(args);
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

/*
 * One operation's journal work, as txn.c and the registry do it: notice a
 * pending entry (read the newest), find the next id, write the entry
 * pending, write it again finished.  NOSYNC leaves out the fsyncs.
 */
static double time_operation(struct aipkg_jstore *js, bool nosync, long long *next)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	double best = 1e9;

	js->nosync = nosync;
	for (int k = 0; k < RUNS; k++) {
		json_t *e = gen_entry(0), *newest_entry;
		double t0 = bench_now_ms(), t1;
		long long newest;
		char *path;

		if (aipkg_jstore_newest(js, &newest) < 0 || !(path = aipkg_jstore_path(js, newest)) ||
		    aipkg_jstore_read(path, newest, &newest_entry, &err) < 0)
			die("reading the newest entry failed");
		json_object_set_new(e, "id", json_integer(newest + 1));
		json_object_set_new(e, "status", json_string("pending"));
		if (aipkg_jstore_write(js, e, true, &err) < 0)
			die(aipkg_buf_str(&err));
		json_object_set_new(e, "status", json_string("committed"));
		if (aipkg_jstore_write(js, e, false, &err) < 0)
			die(aipkg_buf_str(&err));
		t1 = bench_now_ms();
		if (t1 - t0 < best)
			best = t1 - t0;
		*next = newest + 2;
		free(path);
		json_decref(newest_entry);
		json_decref(e);
	}
	aipkg_buf_release(&err);
	return best;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	const char *aipkg = getenv("AIPKG");
	char dir[sizeof(root) + 32];
	struct aipkg_jstore js;
	double t_gen;
	long long next = 0;

	if (!mkdtemp(root))
		die("mkdtemp failed");
	snprintf(dir, sizeof(dir), "%s/var/lib/aipkg/journal", root);
	if (aipkg_mkdir_p(dir) < 0 || aipkg_jstore_init(&js, dir) < 0)
		die("cannot create the journal directory");
	js.nosync = true;
	t_gen = bench_now_ms();
	gen_journal(&js);
	t_gen = bench_now_ms() - t_gen;
	bench_report("journal: write 100,000 entries (no fsync), per entry", t_gen / ENTRIES, "ms",
		     0);
	if (aipkg && access(aipkg, X_OK) == 0)
		bench_report("aipkg history --limit 20, 100,000 entries (whole command)",
			     time_cli(aipkg), "ms", 20);
	else
		printf("BENCH\taipkg history --limit 20: SKIPPED (set AIPKG to the binary)\t-\t-\tinfo\n");
	bench_report("pkg.history limit 20, 100,000 entries (in-process)", time_tool(), "ms", 20);
	bench_report("journal cost per operation, fsync aside", time_operation(&js, true, &next),
		     "ms", 5);
	bench_report("journal cost per operation, with its fsyncs (file, directory)",
		     time_operation(&js, false, &next), "ms", 0);
	aipkg_jstore_release(&js);
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
