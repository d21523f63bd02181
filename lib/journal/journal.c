/* The context's journal: begin and finish operations, walk history, notice and recover crashes. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "apk/changes.h"
#include "apk/runner.h"
#include "apk/search.h"
#include "apk/state.h"
#include "apk/version.h"
#include "ctx.h"
#include "fileio.h"
#include "journal/journal.h"
#include "jsonutil.h"

#define JOURNAL_DIR "var/lib/aipkg/journal"

int aipkg_journal_open(struct aipkg_ctx *ctx, struct aipkg_jstore *js)
{
	char *dir = aipkg_ctx_path(ctx, JOURNAL_DIR);
	int r = dir ? aipkg_jstore_init(js, dir) : -ENOMEM;

	free(dir);
	return r;
}

/* "root", or "root (sudo by alice)", or "uid 1000" without a passwd entry. */
static json_t *journal_user(void)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *sudo = getenv("SUDO_USER");
	char buf[256];

	if (pw)
		snprintf(buf, sizeof(buf), "%s", pw->pw_name);
	else
		snprintf(buf, sizeof(buf), "uid %ld", (long)getuid());
	if (getuid() == 0 && sudo && *sudo)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " (sudo by %s)", sudo);
	return json_string(buf);
}

static void set_now(json_t *entry, const char *member)
{
	char now[32];

	aipkg_jentry_now(now, sizeof(now));
	json_object_set_new(entry, member, json_string(now));
}

static int journal_write_fail(struct aipkg_ctx *ctx, int r, const struct aipkg_buf *why,
			      const char *consequence)
{
	return aipkg_ctx_fail(ctx, r == -AIPKG_E_NOSPACE ? r : -AIPKG_E_JOURNAL,
			      "cannot write the journal entry %s%s; %s", aipkg_buf_str(why),
			      r == -AIPKG_E_NOSPACE ? " (the disk is full)" : "", consequence);
}

/* Who, when and how: what every entry records about its start. */
static void entry_stamp(struct aipkg_ctx *ctx, json_t *entry)
{
	json_object_set_new(entry, "status", json_string("pending"));
	set_now(entry, "time");
	json_object_set_new(entry, "user", journal_user());
	json_object_set_new(entry, "caller", json_string(ctx->opts.caller ? ctx->opts.caller : "cli"));
	json_object_set_new(entry, "pid", json_integer(getpid()));
	json_object_set_new(entry, "command", json_string(ctx->opts.cmdline ? ctx->opts.cmdline : ""));
}

/* Write ENTRY as the next id; a clash can only come from a writer that
 * ignored the lock, and then the id after is taken. */
static int write_new(const struct aipkg_jstore *js, json_t *entry, struct aipkg_buf *why)
{
	long long newest = 0;
	int r = aipkg_jstore_newest(js, &newest);

	if (r < 0) {
		aipkg_buf_addf(why, "(cannot read %s: %s)", js->dir, strerror(-r));
		return r;
	}
	for (int tries = 0; tries < 3; tries++) {
		json_object_set_new(entry, "id", json_integer(newest + 1 + tries));
		r = aipkg_jstore_write(js, entry, true, why);
		if (r != -EEXIST)
			break;
	}
	return r;
}

/*
 * The installed packages when the pending operation began: recover diffs
 * them with what is installed to record every change that really
 * happened, not only the planned ones (a rollback's cleanup removes what
 * no plan listed).  They are written in the pending entry itself
 * ("installed_before"), so the one write that must be durable before apk
 * runs carries them (one file and one directory fsync instead of two
 * each), and dropped from the finished entry.  Earlier versions kept them
 * in journal/snapshot ("id N", then one "name version" a line): recover
 * still reads that file for an entry one of them left pending.
 */
#define SNAPSHOT_MEMBER "installed_before"

static int snapshot_add(struct aipkg_ctx *ctx, json_t *entry, const struct aipkg_pkgset *installed)
{
	struct aipkg_state st = { 0 };
	json_t *list = json_array();
	int r = list ? 0 : -ENOMEM;

	if (r == 0 && !installed) {
		r = aipkg_state_load(ctx, &st, AIPKG_STATE_INSTALLED);
		installed = &st.installed;
	}
	for (size_t i = 0; r == 0 && i < installed->n; i++)
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "name",
							  installed->pkgs[i].name, "version",
							  installed->pkgs[i].version)) < 0)
			r = -ENOMEM;
	if (r == 0)
		r = json_object_set_new(entry, SNAPSHOT_MEMBER, list) < 0 ? -ENOMEM : 0;
	else
		json_decref(list);
	aipkg_state_release(&st);
	return r;
}

static char *snapshot_legacy_path(struct aipkg_ctx *ctx)
{
	return aipkg_ctx_path(ctx, "var/lib/aipkg/journal/snapshot");
}

static void snapshot_legacy_drop(struct aipkg_ctx *ctx)
{
	char *path = snapshot_legacy_path(ctx);

	if (path)
		unlink(path);
	free(path);
}

/* {name: version} from the legacy snapshot file of entry ID, or NULL. */
static json_t *snapshot_legacy_read(struct aipkg_ctx *ctx, long long id)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	struct aipkg_slice all, line, name;
	char *path = snapshot_legacy_path(ctx), head[48];
	json_t *map = NULL;

	snprintf(head, sizeof(head), "id %lld", id);
	if (path && aipkg_buf_read_state(&text, path) == 0) {
		all = aipkg_slice_of(&text);
		if (aipkg_slice_next_line(&all, &line) && aipkg_slice_eq(line, head))
			map = json_object();
		while (map && aipkg_slice_next_line(&all, &line)) {
			char *n, *v;

			if (!aipkg_slice_split(&line, ' ', &name))
				continue;
			n = aipkg_slice_dup(name);
			v = aipkg_slice_dup(line);
			if (n && v)
				json_object_set_new(map, n, json_string(v));
			free(n);
			free(v);
		}
	}
	aipkg_buf_release(&text);
	free(path);
	return map;
}

/* {name: version} of what was installed when pending ENTRY began, or NULL
 * when it does not say (recover then trusts its plan). */
static json_t *snapshot_read(struct aipkg_ctx *ctx, const json_t *entry)
{
	const json_t *list = json_object_get(entry, SNAPSHOT_MEMBER), *p;
	json_t *map;
	size_t i;

	if (!json_is_array(list))
		return snapshot_legacy_read(ctx, json_integer_value(json_object_get(entry, "id")));
	map = json_object();
	json_array_foreach(list, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *v = json_string_value(json_object_get(p, "version"));

		if (n && v)
			json_object_set_new(map, n, json_string(v));
	}
	return map;
}

static json_t *change_to(const char *name, const char *from, const char *cur);

static int change_by_name(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));

	return strcmp(x ? x : "", y ? y : "");
}

/* Every difference between SNAP ({name: version}) and what is installed,
 * sorted by name as every other change list. */
static json_t *snapshot_changes(const json_t *snap, const struct aipkg_state *st)
{
	json_t *changes = json_array(), *seen = json_object(), *v;
	const char *name;

	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *p = &st->installed.pkgs[i];
		const char *before = json_string_value(json_object_get(snap, p->name));

		json_object_set_new(seen, p->name, json_true());
		if (!before || strcmp(before, p->version) != 0)
			json_array_append_new(changes, change_to(p->name, before, p->version));
	}
	json_object_foreach((json_t *)snap, name, v)
		if (!json_object_get(seen, name))
			json_array_append_new(changes,
					      change_to(name, json_string_value(v), NULL));
	json_decref(seen);
	aipkg_json_sort(changes, change_by_name);
	return changes;
}

int aipkg_journal_begin(struct aipkg_ctx *ctx, json_t *entry,
			const struct aipkg_pkgset *installed)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	int r = aipkg_statedir_make(ctx, "journal");

	if (r == 0)
		r = aipkg_journal_open(ctx, &js);
	if (r < 0)
		return r;
	entry_stamp(ctx, entry);
	r = snapshot_add(ctx, entry, installed);
	if (r < 0)
		aipkg_buf_addf(&why, "(cannot list the installed packages: %s)", strerror(-r));
	if (r == 0)
		r = write_new(&js, entry, &why);
	/* only the pending entry carries it */
	json_object_del(entry, SNAPSHOT_MEMBER);
	if (r < 0)
		r = journal_write_fail(ctx, r, &why, "nothing was changed");
	aipkg_jstore_release(&js);
	aipkg_buf_release(&why);
	return r;
}

int aipkg_journal_finish(struct aipkg_ctx *ctx, json_t *entry, const char *status)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	int r = aipkg_journal_open(ctx, &js);

	if (r < 0)
		return r;
	json_object_set_new(entry, "status", json_string(status));
	set_now(entry, "end_time");
	r = aipkg_jstore_write(&js, entry, false, &why);
	if (r < 0)
		r = journal_write_fail(ctx, r, &why,
				       "apk has run, and the entry still says 'pending': run "
				       "'aipkg recover' once that is fixed");
	aipkg_jstore_release(&js);
	aipkg_buf_release(&why);
	return r;
}

int aipkg_journal_discard(struct aipkg_ctx *ctx, json_t *entry)
{
	long long id = json_integer_value(json_object_get(entry, "id"));
	struct aipkg_jstore js;
	char *path = NULL;
	int r = aipkg_journal_open(ctx, &js);

	if (r < 0)
		return r;
	path = aipkg_jstore_path(&js, id);
	r = !path ? -ENOMEM : unlink(path) < 0 ? -errno : 0;
	if (r == 0)
		json_object_del(entry, "id");
	free(path);
	aipkg_jstore_release(&js);
	return r;
}

int aipkg_journal_walk(struct aipkg_ctx *ctx, int (*fn)(void *ud, json_t *entry), void *ud)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	struct aipkg_jiter it;
	long long id;
	int r = aipkg_journal_open(ctx, &js);

	if (r < 0)
		return r;
	r = aipkg_jiter_init(&it, &js);
	while (r >= 0 && (r = aipkg_jiter_next(&it, &id)) > 0) {
		json_t *entry;
		int rr = aipkg_jstore_read(it.path, id, &entry, &err);

		if (rr == -ENOENT)
			continue;
		if (rr < 0) {
			aipkg_ctx_warn(ctx, "skipped a journal entry that cannot be read (left as it "
					    "is): %s", aipkg_buf_str(&err));
			continue;
		}
		r = fn(ud, entry);
		json_decref(entry);
		if (r)
			break;
	}
	if (r < 0 && r != -ENOMEM)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_JOURNAL, "cannot read the journal in %s: %s",
				   js.dir, strerror(-r));
	aipkg_jiter_release(&it);
	aipkg_jstore_release(&js);
	aipkg_buf_release(&err);
	return r;
}

int aipkg_journal_get(struct aipkg_ctx *ctx, long long id, json_t **entry)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct aipkg_jstore js;
	char *path;
	int r = aipkg_journal_open(ctx, &js);

	*entry = NULL;
	if (r < 0)
		return r;
	path = aipkg_jstore_path(&js, id);
	r = path ? aipkg_jstore_read(path, id, entry, &err) : -ENOMEM;
	if (r == -ENOENT)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NO_ENTRY,
				   "no operation %lld in the journal (see 'aipkg history')", id);
	else if (r < 0 && err.len)
		aipkg_ctx_fail(ctx, r, "journal entry %lld cannot be read (left as it is): %s", id,
			       aipkg_buf_str(&err));
	aipkg_jstore_release(&js);
	aipkg_buf_release(&err);
	free(path);
	return r;
}

/* The newest entry, NULL when the journal is empty or it cannot be read. */
static json_t *journal_newest(struct aipkg_ctx *ctx)
{
	struct aipkg_jstore js;
	long long id = 0;
	json_t *entry = NULL;

	if (aipkg_journal_open(ctx, &js) < 0)
		return NULL;
	if (aipkg_jstore_newest(&js, &id) == 0 && id > 0 && aipkg_journal_get(ctx, id, &entry) < 0)
		entry = NULL;
	aipkg_jstore_release(&js);
	return entry;
}

/* The aipkg that wrote a pending entry is still running. */
static bool writer_alive(const json_t *entry)
{
	json_int_t pid = json_integer_value(json_object_get(entry, "pid"));

	if (pid <= 0 || pid == getpid())
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

json_t *aipkg_journal_interrupted(struct aipkg_ctx *ctx)
{
	json_t *entry = journal_newest(ctx);

	if (entry && aipkg_jentry_status_is(entry, "pending") && !writer_alive(entry))
		return entry;
	json_decref(entry);
	return NULL;
}

void aipkg_journal_check_pending(struct aipkg_ctx *ctx)
{
	json_t *entry = aipkg_journal_interrupted(ctx);

	if (entry)
		aipkg_ctx_warn(ctx, "operation %lld ('%s', %s) was interrupted and is still marked "
				    "pending; run 'aipkg recover' to reconcile it with the installed "
				    "database",
			       (long long)json_integer_value(json_object_get(entry, "id")),
			       json_string_value(json_object_get(entry, "command")),
			       json_string_value(json_object_get(entry, "time")));
	json_decref(entry);
}

/*
 * Recovery.
 */

/* Wait until no apk works on the root: apk holds an flock on
 * ROOT/lib/apk/db/lock while it runs, also when aipkg was killed under it. */
static int wait_for_apk(struct aipkg_ctx *ctx)
{
	struct timespec pause = { 0, 100 * 1000 * 1000L };
	char *path = aipkg_ctx_path(ctx, "lib/apk/db/lock");
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	long waited = 0;
	int r = 0;

	while (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		if (waited++ == 0)
			aipkg_ctx_warn(ctx, "waiting for the apk that is still running on this root");
		if (waited > ctx->cfg.apk_wait * 10) {
			r = aipkg_ctx_fail(ctx, -AIPKG_E_APK_LOCKED,
					   "apk still holds %s after %ld s; run 'aipkg recover' "
					   "once it has finished",
					   path, ctx->cfg.apk_wait);
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return r;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool same(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The change from FROM to CUR (either may be NULL: not installed). */
static json_t *change_to(const char *name, const char *from, const char *cur)
{
	int cmp;

	if (!from)
		return aipkg_change_new(name, "install", NULL, cur);
	if (!cur)
		return aipkg_change_new(name, "remove", from, NULL);
	cmp = aipkg_version_compare(aipkg_slice_str(from), aipkg_slice_str(cur));
	if (cmp == AIPKG_VER_LESS)
		return aipkg_change_new(name, "upgrade", from, cur);
	if (cmp == AIPKG_VER_GREATER)
		return aipkg_change_new(name, "downgrade", from, cur);
	return aipkg_change_new(name, "reinstall", from, cur);
}

static bool planned_name(const json_t *entry, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(entry, "planned"), i, c)
		if (same(str(c, "name"), name))
			return true;
	return false;
}

/* What of ENTRY's plan the installed database shows; *done counts the
 * planned changes found. */
static json_t *recovered_changes(const json_t *entry, const struct aipkg_state *st, size_t *done)
{
	json_t *changes = json_array(), *c;
	size_t i;

	*done = 0;
	json_array_foreach(json_object_get(entry, "planned"), i, c) {
		const struct aipkg_pkg *pkg = aipkg_state_installed(st, str(c, "name"));
		const char *cur = pkg ? pkg->version : NULL;

		if (same(cur, str(c, "to"))) {
			json_array_append(changes, c);
			(*done)++;
		} else if (!same(cur, str(c, "from"))) {
			json_array_append_new(changes, change_to(str(c, "name"), str(c, "from"), cur));
		}
	}
	/* a rollback's virtual package is not in its plan (apk picks its
	 * version when it runs); a rollback that starts with one left over
	 * plans its removal, else it starts without it */
	if (json_object_get(entry, "undoes") && !planned_name(entry, AIPKG_ROLLBACK_VIRTUAL)) {
		const struct aipkg_pkg *v = aipkg_state_installed(st, AIPKG_ROLLBACK_VIRTUAL);

		if (v)
			json_array_append_new(changes,
					      change_to(AIPKG_ROLLBACK_VIRTUAL, NULL, v->version));
	}
	return changes;
}

/* committed, failed or interrupted, from what was found. */
static const char *recovered_status(size_t planned, size_t done, size_t changed, bool world_moved)
{
	if (planned ? done == planned && changed == done : world_moved)
		return "committed";
	if (!changed && !world_moved)
		return "failed";
	return "interrupted";
}

static void reconcile(json_t *entry, const struct aipkg_state *st, const char *finished,
		      const json_t *snap)
{
	size_t planned = json_array_size(json_object_get(entry, "planned")), done;
	json_t *changes = recovered_changes(entry, st, &done), *world = aipkg_state_world_json(st);

	if (snap) { /* the whole truth, not only what was planned */
		json_decref(changes);
		changes = snapshot_changes(snap, st);
	}
	bool moved = !json_equal(world, json_object_get(entry, "world_before"));
	const char *status = recovered_status(planned, done, json_array_size(changes), moved);
	char now[32], note[256];

	aipkg_jentry_now(now, sizeof(now));
	snprintf(note, sizeof(note), "%s by aipkg recover: %s%zu of %zu planned change%s found in "
		 "the installed database", now, finished ? finished : "", done, planned,
		 aipkg_plural(planned, "", "s"));
	json_object_set_new(entry, "changes", changes);
	json_object_set_new(entry, "world_after", world);
	json_object_set_new(entry, "apk_exit", json_null());
	json_object_set_new(entry, "recovered", json_string(note));
	json_object_set_new(entry, "status", json_string(status));
	json_object_set_new(entry, "end_time", json_string(now));
	if (strcmp(status, "committed") != 0 && !json_object_get(entry, "error"))
		json_object_set_new(entry, "error",
				    json_string("aipkg or apk was interrupted (killed, or the "
						"system went down) before the operation finished"));
}

struct pending {
	json_t *entries; /* pending entries found */
	bool all;
	json_t *dry;     /* NULL, or a dry run's list of what it would do */
};

/* The caller holds the state lock, so no pending entry is being written:
 * whatever process has the writer's pid now, the writer is gone.  A dry
 * run holds no lock: an entry whose writer runs is no crash's. */
static int collect_pending(void *ud, json_t *entry)
{
	struct pending *p = ud;

	if (aipkg_jentry_status_is(entry, "pending") && !(p->dry && writer_alive(entry)))
		json_array_append(p->entries, entry);
	return p->all ? 0 : 1;
}



/*
 * An interrupted rollback: aipkg died between its apk steps (apk, in its own
 * process group, finished the step it was on), so .aipkg-rollback and its
 * pins stay installed.  Finish the cleanup the rollback's last step does:
 * apk del .aipkg-rollback, recorded in the entry as one more apk line.
 * Returns 1 when it ran, 0 when there was nothing to do; *ST is reloaded.
 */
static int finish_rollback(struct aipkg_ctx *ctx, json_t *entry, struct aipkg_state *st,
			   json_t *dry)
{
	static const char *const args[] = { AIPKG_ROLLBACK_VIRTUAL, NULL };
	struct aipkg_apk_call call = { "del", NULL, args, 1, AIPKG_APK_CHANGE | AIPKG_APK_QUIET };
	struct aipkg_spawn_result res;
	json_t *argv = NULL, *lines = json_object_get(entry, "apk");
	char *line;
	int r;

	if (!json_object_get(entry, "undoes") ||
	    !aipkg_state_installed(st, AIPKG_ROLLBACK_VIRTUAL))
		return 0;
	if (dry) {
		char what[160];

		snprintf(what, sizeof(what), "apk del %s (the last step of rollback %lld)",
			 AIPKG_ROLLBACK_VIRTUAL,
			 (long long)json_integer_value(json_object_get(entry, "id")));
		json_array_append_new(dry, json_string(what));
		return 0;
	}
	if (aipkg_apk_argv(ctx, &call, &argv) == 0) {
		line = aipkg_jentry_argv_line(argv);
		if (!json_is_array(lines)) {
			lines = json_array();
			json_object_set_new(entry, "apk", lines);
		}
		json_array_append_new(lines, json_string(line ? line : ""));
		free(line);
		json_decref(argv);
	}
	r = aipkg_apk_run(ctx, &call, &res);
	aipkg_spawn_result_release(&res);
	if (r < 0)
		aipkg_ctx_warn(ctx, "could not remove %s left by interrupted operation %lld: %s",
			       AIPKG_ROLLBACK_VIRTUAL,
			       (long long)json_integer_value(json_object_get(entry, "id")),
			       aipkg_ctx_why(ctx, r));
	aipkg_state_release(st);
	memset(st, 0, sizeof(*st));
	r = aipkg_state_load(ctx, st, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);
	return r < 0 ? r : 1;
}

static int recover_one(struct aipkg_ctx *ctx, const struct aipkg_jstore *js, json_t *entry,
		       struct aipkg_state *st, json_t *dry)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;
	int r = 0;
	json_t *snap;

	/* an entry aipkg did not write as it is makes no apk run happen */
	if (aipkg_jentry_check_apk_input(entry, &why) < 0)
		aipkg_ctx_warn(ctx, "operation %lld holds what aipkg never writes (%s); it is "
				    "reconciled with the installed database, and apk is not run for it",
			       (long long)json_integer_value(json_object_get(entry, "id")),
			       aipkg_buf_str(&why));
	else
		r = finish_rollback(ctx, entry, st, dry);
	aipkg_buf_release(&why);
	if (r < 0)
		return r;
	snap = snapshot_read(ctx, entry);
	json_object_del(entry, SNAPSHOT_MEMBER);
	reconcile(entry, st,
		  r ? "removed the rollback's virtual package " AIPKG_ROLLBACK_VIRTUAL
		      " (its last step); "
		    : NULL,
		  snap);
	json_decref(snap);
	if (dry)
		return 0;
	r = aipkg_jstore_write(js, entry, false, &why);
	if (r < 0)
		r = journal_write_fail(ctx, r, &why, "the entry still says 'pending'");
	else
		snapshot_legacy_drop(ctx);
	aipkg_buf_release(&why);
	return r;
}

/* A rollback whose apk was killed while deleting its virtual package can
 * leave world naming a package that is gone, and apk then refuses every
 * change; drop that atom (apk already removed the package). */
static int repair_rollback_world(struct aipkg_ctx *ctx, json_t *dry)
{
	struct aipkg_buf world = AIPKG_BUF_INIT;
	char *path = aipkg_ctx_path(ctx, "etc/apk/world");
	bool suspect = path && aipkg_buf_read_file(&world, path) == 0 &&
		       strstr(aipkg_buf_str(&world), AIPKG_ROLLBACK_VIRTUAL);
	int r;

	free(path);
	aipkg_buf_release(&world);
	if (!suspect) /* the usual case: one read, nothing else */
		return 0;
	if (dry) {
		if (aipkg_world_orphan(ctx, AIPKG_ROLLBACK_VIRTUAL) > 0)
			json_array_append_new(dry, json_string("remove " AIPKG_ROLLBACK_VIRTUAL
							       " from etc/apk/world"));
		return 0;
	}
	r = wait_for_apk(ctx);
	if (r == 0)
		r = aipkg_world_drop_orphan(ctx, AIPKG_ROLLBACK_VIRTUAL);

	if (r > 0)
		aipkg_ctx_warn(ctx, "removed %s from etc/apk/world, left there by an interrupted "
				    "rollback whose virtual package apk had already removed",
			       AIPKG_ROLLBACK_VIRTUAL);
	return r < 0 ? r : 0;
}

static int recover(struct aipkg_ctx *ctx, bool all, json_t *dry, json_t **report)
{
	struct pending p = { json_array(), all, dry };
	struct aipkg_state st = { 0 };
	struct aipkg_jstore js = { 0 };
	json_t *entry;
	size_t i;
	int r = aipkg_journal_walk(ctx, collect_pending, &p);

	if (r >= 0 && json_array_size(p.entries)) {
		r = dry ? 0 : wait_for_apk(ctx);
		if (r == 0)
			r = aipkg_state_load(ctx, &st, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);
		if (r == 0)
			r = aipkg_journal_open(ctx, &js);
	}
	json_array_foreach(p.entries, i, entry)
		if (r >= 0)
			r = recover_one(ctx, &js, entry, &st, dry);
	if (r >= 0)
		r = repair_rollback_world(ctx, dry);
	if (report)
		*report = json_incref(p.entries);
	aipkg_state_release(&st);
	aipkg_jstore_release(&js);
	json_decref(p.entries);
	return r < 0 ? r : 0;
}

int aipkg_journal_recover(struct aipkg_ctx *ctx, bool all, json_t **report)
{
	return recover(ctx, all, NULL, report);
}

int aipkg_journal_recover_preview(struct aipkg_ctx *ctx, json_t **report, json_t *would_run)
{
	return recover(ctx, true, would_run, report);
}

bool aipkg_jentry_world_changed(const json_t *entry)
{
	const json_t *before = json_object_get(entry, "world_before");
	const json_t *after = json_object_get(entry, "world_after");
	json_t *gone = aipkg_json_minus(before, after), *came = aipkg_json_minus(after, before);
	bool changed = json_array_size(gone) || json_array_size(came);

	json_decref(gone);
	json_decref(came);
	return changed;
}

bool aipkg_jentry_changed(const json_t *entry)
{
	/* a repair's files (aipkg doctor --fix) change the system too */
	if (json_array_size(json_object_get(entry, "changes")) ||
	    json_array_size(json_object_get(entry, "files")))
		return true;
	/* without both world files nobody can tell: assume it did */
	if (!json_is_array(json_object_get(entry, "world_before")) ||
	    !json_is_array(json_object_get(entry, "world_after")))
		return true;
	return aipkg_jentry_world_changed(entry);
}

bool aipkg_jentry_undoable(const json_t *entry)
{
	/* apk that fails half-way (one package out of reach) keeps what it
	 * did before: those changes are undone like an interruption's */
	return (aipkg_jentry_status_is(entry, "committed") && aipkg_jentry_changed(entry)) ||
	       ((aipkg_jentry_status_is(entry, "interrupted") ||
		 aipkg_jentry_status_is(entry, "failed")) &&
		json_array_size(json_object_get(entry, "changes")));
}

long long aipkg_journal_undone_by(json_t *map, const json_t *entry)
{
	long long id = json_integer_value(json_object_get(entry, "id"));
	long long target = json_integer_value(json_object_get(entry, "undoes"));
	char key[32];
	long long by;

	snprintf(key, sizeof(key), "%lld", id);
	by = json_integer_value(json_object_get(map, key));
	/* an undo that was itself undone no longer counts */
	if (!by && target > 0 && aipkg_jentry_undoable(entry)) {
		snprintf(key, sizeof(key), "%lld", target);
		if (!json_object_get(map, key))
			json_object_set_new(map, key, json_integer(id));
	}
	return by;
}
