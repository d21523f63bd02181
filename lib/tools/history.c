/* pkg.history and pkg.recover: the journal read back, and operations a crash left pending. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "journal/journal.h"
#include "tools/tools.h"

/* Members of an entry that the history list shows; the rest only in full. */
static const char *const summary_keys[] = { "id", "time", "user", "command", "request", "status",
					    "apk_exit", "changes" };

static json_t *entry_summary(const json_t *e)
{
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(summary_keys) / sizeof(summary_keys[0]); i++) {
		json_t *v = json_object_get(e, summary_keys[i]);

		json_object_set(o, summary_keys[i], v ? v : json_null());
	}
	if (!json_is_array(json_object_get(o, "changes")))
		json_object_set_new(o, "changes", json_array());
	if (json_object_get(e, "caller"))
		json_object_set(o, "caller", json_object_get(e, "caller"));
	if (json_object_get(e, "undoes"))
		json_object_set(o, "undoes", json_object_get(e, "undoes"));
	/* a lock changes no package: the list says the world file changed */
	json_object_set_new(o, "world_changed", json_boolean(aipkg_jentry_world_changed(e)));
	return o;
}

/* The whole entry: the summary's keys first, then everything recorded but
 * the installed packages a pending entry lists for aipkg recover. */
static json_t *entry_full(const json_t *e)
{
	json_t *o = entry_summary(e);

	json_object_update_missing(o, (json_t *)e);
	json_object_del(o, "installed_before");
	return o;
}

static bool touches(const json_t *e, const char *name)
{
	static const char *const lists[] = { "changes", "planned" };
	const json_t *c;
	size_t i;

	for (size_t l = 0; l < 2; l++)
		json_array_foreach(json_object_get(e, lists[l]), i, c) {
			const char *n = json_string_value(json_object_get(c, "name"));

			if (n && strcmp(n, name) == 0)
				return true;
		}
	return false;
}

struct history {
	long long id;      /* one operation, 0: the list */
	long long limit;   /* 0: no limit */
	const char *package;
	long long since;   /* -1: no bound */
	json_t *undone;    /* aipkg_journal_undone_by's map */
	json_t *out;       /* the transactions */
};

static bool wanted(const struct history *h, const json_t *e)
{
	const char *time = json_string_value(json_object_get(e, "time"));

	if (h->package && !touches(e, h->package))
		return false;
	return h->since < 0 || aipkg_jentry_parse_time(time) >= h->since;
}

static int history_add(void *ud, json_t *e)
{
	struct history *h = ud;
	long long id = json_integer_value(json_object_get(e, "id"));
	long long by = aipkg_journal_undone_by(h->undone, e);
	json_t *o;

	if (h->id && id != h->id)
		return id < h->id ? 1 : 0; /* passed it: not there */
	if (!h->id && !wanted(h, e))
		return 0;
	o = h->id ? entry_full(e) : entry_summary(e);
	if (by)
		json_object_set_new(o, "undone_by", json_integer(by));
	json_array_append_new(h->out, o);
	if (h->id)
		return 1;
	return h->limit && (long long)json_array_size(h->out) >= h->limit;
}

int aipkg_tool_history(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	const char *since = json_string_value(json_object_get(args, "since"));
	struct history h = { json_integer_value(json_object_get(args, "id")),
			     json_integer_value(json_object_get(args, "limit")),
			     json_string_value(json_object_get(args, "package")),
			     since ? aipkg_jentry_parse_time(since) : -1, json_object(), json_array() };
	int r = 0;

	if (since && h.since < 0)
		r = aipkg_ctx_fail(ctx, -AIPKG_E_USAGE, "'%s' is not a date: use YYYY-MM-DD, "
						       "'YYYY-MM-DD HH:MM' or YYYY-MM-DDTHH:MM:SSZ (UTC)",
				   since);
	if (r == 0)
		r = aipkg_journal_walk(ctx, history_add, &h);
	if (r >= 0 && h.id && !json_array_size(h.out))
		r = aipkg_ctx_fail(ctx, -AIPKG_E_NO_ENTRY,
				   "no operation %lld in the journal (see 'aipkg history')", h.id);
	if (r >= 0) {
		*result = json_pack("{s:O}", "transactions", h.out);
		r = 0;
	}
	json_decref(h.undone);
	json_decref(h.out);
	return r;
}

static json_t *recovered_summary(const json_t *report)
{
	json_t *out = json_array(), *e;
	size_t i;

	json_array_foreach(report, i, e)
		json_array_append_new(out, entry_summary(e));
	return out;
}

/* A dry run says what recover would do and changes nothing (it runs apk
 * and rewrites journal entries otherwise). */
int aipkg_tool_recover(struct aipkg_ctx *ctx, json_t *args, json_t **result)
{
	bool dry = ctx->opts.dry_run || aipkg_arg_bool(args, "dry_run");
	json_t *report = NULL, *would = dry ? json_array() : NULL;
	bool took = !dry && ctx->lock_fd < 0;
	int r = dry ? aipkg_journal_recover_preview(ctx, &report, would)
		    : aipkg_statelock_acquire(ctx);

	if (r == 0 && !dry)
		r = aipkg_journal_recover(ctx, true, &report);
	if (took)
		aipkg_statelock_release(ctx);
	if (r == 0)
		*result = json_pack("{s:o}", "recovered", recovered_summary(report));
	if (r == 0 && dry)
		json_object_set_new(*result, "dry_run", json_true());
	if (r == 0 && dry)
		json_object_set(*result, "would_run", would);
	json_decref(would);
	json_decref(report);
	return r;
}
