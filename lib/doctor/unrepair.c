/* Rolling back a repair: the files it replaced are put back, those that were missing go again. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apk/state.h"
#include "ctx.h"
#include "doctor/doctor.h"
#include "journal/journal.h"

/* "changed PATH" -> its state and path. */
static const char *line_split(const char *line, char *state, size_t size)
{
	const char *sp = strchr(line, ' ');

	if (!sp || (size_t)(sp - line) >= size)
		return NULL;
	snprintf(state, size, "%.*s", (int)(sp - line), line);
	return sp + 1;
}

static bool known_state(const char *state)
{
	return !strcmp(state, "changed") || !strcmp(state, "missing") || !strcmp(state, "config");
}

/* The plan: {"name": PATH, "action": "restore"|"remove"} each, checked
 * against what was saved. */
static int plan_of(struct aipkg_ctx *ctx, const json_t *entry, const char *dir, json_t *plan)
{
	const json_t *l;
	size_t i;

	json_array_foreach(json_object_get(entry, "files"), i, l) {
		char state[16], saved[8192];
		const char *path = line_split(json_string_value(l), state, sizeof(state));
		struct stat sb;

		if (!path || !known_state(state) || path[0] == '/' || strstr(path, "../"))
			return aipkg_ctx_fail(ctx, -AIPKG_E_CORRUPT,
					      "operation %lld: unreadable file line '%s'",
					      (long long)json_integer_value(json_object_get(entry, "id")),
					      json_string_value(l));
		snprintf(saved, sizeof(saved), "%s/%s", dir, path);
		if (strcmp(state, "missing") != 0 && lstat(saved, &sb) < 0)
			return aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO,
					      "operation %lld cannot be rolled back: the copy of %s "
					      "it saved (%s) is gone; nothing changed",
					      (long long)json_integer_value(json_object_get(entry, "id")),
					      path, saved);
		json_array_append_new(plan, json_pack("{s:s, s:s}", "name", path, "action",
						      strcmp(state, "missing") ? "restore" : "remove"));
	}
	return 0;
}

static int refuse(struct aipkg_ctx *ctx, const json_t *entry, const char *why)
{
	return aipkg_ctx_fail(ctx, -AIPKG_E_CANNOT_UNDO, "operation %lld %s; nothing changed",
			      (long long)json_integer_value(json_object_get(entry, "id")), why);
}

/* Only a repair of files is undone this way: its changes are reinstalls. */
static int check_entry(struct aipkg_ctx *ctx, const json_t *entry)
{
	const json_t *c;
	size_t i;

	if (json_object_get(entry, "undoes"))
		return refuse(ctx, entry, "put back files a repair had replaced; 'aipkg doctor "
					  "--fix' repairs them again");
	json_array_foreach(json_object_get(entry, "changes"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "action")), "reinstall") != 0)
			return refuse(ctx, entry, "also installed or removed packages: roll those "
						  "back with apk, or repair again");
	return 0;
}

static int confirm(struct aipkg_ctx *ctx, const json_t *plan, bool confirmed)
{
	json_t *doc;
	int answer;

	if (confirmed)
		return 0;
	doc = json_pack("{s:O}", "changes", (json_t *)plan);
	answer = ctx->cb.confirm ? ctx->cb.confirm(ctx->cb.ud, "Proceed?", doc) : -1;
	json_decref(doc);
	if (answer > 0)
		return 0;
	if (answer == 0)
		return aipkg_ctx_fail(ctx, -AIPKG_E_DECLINED, "nothing changed: you declined");
	return aipkg_ctx_fail(ctx, -AIPKG_E_REFUSED,
			      "this rollback needs confirmation (it would put back the files a "
			      "repair replaced); nothing changed: rerun with --yes to confirm, or "
			      "--dry-run to see the plan");
}

static int put_back(struct aipkg_ctx *ctx, const json_t *entry, const char *dir, json_t *done)
{
	int rootfd = aipkg_doctor_open_root(ctx), r = rootfd < 0 ? rootfd : 0;
	const json_t *l;
	size_t i;

	json_array_foreach(json_object_get(entry, "files"), i, l) {
		char state[16], saved[8192];
		const char *path = line_split(json_string_value(l), state, sizeof(state));
		int fr;

		if (r < 0 || !path)
			break;
		snprintf(saved, sizeof(saved), "%s/%s", dir, path);
		fr = !strcmp(state, "missing") ? aipkg_doctor_remove_file(rootfd, path)
					       : aipkg_doctor_restore_file(rootfd, saved, path);
		if (fr < 0)
			r = aipkg_ctx_fail(ctx, fr, "cannot put back %s: %s", path, strerror(-fr));
		else
			json_array_append(done, (json_t *)l);
	}
	if (rootfd >= 0)
		close(rootfd);
	return r;
}

static json_t *world_now(struct aipkg_ctx *ctx)
{
	struct aipkg_state st = { 0 };
	json_t *w = json_array();

	if (aipkg_state_load(ctx, &st, AIPKG_STATE_WORLD) == 0)
		for (size_t i = 0; i < st.nworld; i++)
			json_array_append_new(w, json_string(st.world[i]));
	aipkg_state_release(&st);
	return w;
}

int aipkg_doctor_unrepair(struct aipkg_ctx *ctx, const json_t *entry, bool dry_run,
			  bool confirmed, json_t **result)
{
	long long id = json_integer_value(json_object_get(entry, "id"));
	char *dir = aipkg_doctor_saved_dir(ctx, id);
	json_t *plan = json_array(), *rec = NULL, *done = json_array();
	int r = dir ? check_entry(ctx, entry) : -ENOMEM;

	if (r == 0)
		r = plan_of(ctx, entry, dir, plan);
	if (r == 0 && dry_run) {
		*result = json_pack("{s:[], s:O, s:b, s:I}", "changes", plan, "dry_run", 1, "undoes",
				    (json_int_t)id);
		goto out;
	}
	if (r == 0)
		r = confirm(ctx, plan, confirmed);
	if (r == 0) {
		rec = json_pack("{s:I, s:o}", "undoes", (json_int_t)id, "world_before",
				world_now(ctx));
		r = aipkg_journal_begin(ctx, rec, NULL);
	}
	if (r == 0) {
		int fr;

		r = put_back(ctx, entry, dir, done);
		json_object_set(rec, "files", done);
		json_object_set_new(rec, "changes", json_array()); /* no package changed */
		json_object_set_new(rec, "world_after", world_now(ctx));
		if (r < 0)
			json_object_set_new(rec, "error", json_string(aipkg_ctx_errmsg(ctx)));
		fr = aipkg_journal_finish(ctx, rec, r == 0 ? "committed" : "failed");
		if (fr < 0 && r == 0)
			r = fr;
		*result = json_pack("{s:[], s:O, s:I}", "changes", "files", done, "undoes",
				    (json_int_t)id);
		json_object_set(*result, "id", json_object_get(rec, "id"));
	}
out:
	json_decref(rec);
	json_decref(plan);
	json_decref(done);
	free(dir);
	return r;
}
