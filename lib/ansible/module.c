/* aipkg as an Ansible module: a task's parameters run as pkg.* tool calls. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/tools.h"
#include "ansible/ansible.h"
#include "journal/journal.h"

/* A task as the journal's command line: what it asked, not the path of
 * Ansible's temporary arguments file. */
static char *command_line(const struct ans_params *p)
{
	char *json = json_dumps(p->given, JSON_COMPACT | JSON_SORT_KEYS), *line = NULL;

	if (json && asprintf(&line, "aipkg ansible %s", json) < 0)
		line = NULL;
	free(json);
	return line;
}

void aipkg_ansible_warn(struct task *t, const char *msg)
{
	const json_t *w;
	size_t i;

	json_array_foreach(t->warnings, i, w)
		if (strcmp(json_string_value(w), msg) == 0)
			return;
	json_array_append_new(t->warnings, json_string(msg));
}

void aipkg_ansible_say(struct task *t, const char *fmt, ...)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	aipkg_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (b.len)
		json_array_append_new(t->msgs, json_string(aipkg_buf_str(&b)));
	aipkg_buf_release(&b);
}

/* What a tool's result adds to the task's: the journal id, and in check
 * mode the plan. */
static void gather(struct task *t, const json_t *res)
{
	const json_t *id = json_object_get(res, "id");

	if (json_is_integer(id))
		json_array_append(t->ids, (json_t *)id);
	if (!json_is_true(json_object_get(res, "dry_run")))
		return;
	json_array_extend(t->planned, json_object_get(res, "changes"));
	json_array_extend(t->world_added, json_object_get(res, "world_added"));
	json_array_extend(t->world_removed, json_object_get(res, "world_removed"));
}

int aipkg_ansible_call(struct task *t, const char *tool, json_t *args, json_t **res)
{
	/* what a failure's result says beyond the message: why apk failed and
	 * what to do (aipkg doctor's diagnosis), who needs a package, which
	 * vulnerabilities refused an install */
	static const char *const detail[] = { "diagnosis", "required_by", "vulnerabilities" };
	int r = aipkg_tool_call(t->ctx, tool, args, res);

	json_decref(args);
	if (*res)
		gather(t, *res);
	if (r < 0)
		json_object_set_new(t->out, "msg", json_string(aipkg_ctx_why(t->ctx, r)));
	for (size_t i = 0; r < 0 && *res && i < sizeof(detail) / sizeof(detail[0]); i++)
		if (json_object_get(*res, detail[i]))
			json_object_set(t->out, detail[i], json_object_get(*res, detail[i]));
	return r;
}


static int run_steps(struct task *t)
{
	const struct ans_params *p = t->p;
	int r = 0;

	if (p->available && !p->upgrade)
		aipkg_ansible_warn(t, "available applies to upgrade: true only; it was ignored");
	if (p->update_cache && !p->upgrade)
		r = aipkg_ansible_step_refresh(t);
	if (r == 0 && p->rollback)
		r = aipkg_ansible_step_rollback(t);
	else if (r == 0 && p->plan_only)
		r = aipkg_ansible_step_plan(t);
	else if (r == 0 && p->upgrade)
		r = aipkg_ansible_step_upgrade(t);
	else if (r == 0 && p->name)
		r = aipkg_ansible_step_names(t);
	if (r == 0 && p->check_vuln)
		r = aipkg_ansible_step_vuln(t);
	return r;
}

static void on_warn(void *ud, const char *msg)
{
	aipkg_ansible_warn(ud, msg);
}

/* The context a task runs in: the command line's options, with the
 * task's root, repositories, check mode and lock timeout. */
static int task_ctx(struct task *t, const struct aipkg_opts *base, const char **repos,
		    const char *cmdline)
{
	const struct ans_params *p = t->p;
	struct aipkg_callbacks cb = { NULL, NULL, on_warn, NULL, t, NULL };
	struct aipkg_opts o = base ? *base : (struct aipkg_opts){ 0 };
	size_t n = base ? base->nrepos : 0;
	const json_t *v;
	size_t i;
	int r;

	for (i = 0; i < n; i++)
		repos[i] = base->repos[i];
	json_array_foreach(p->repository, i, v)
		repos[n++] = json_string_value(v);
	o.repos = repos;
	o.nrepos = n;
	if (p->root)
		o.root = p->root;
	o.dry_run = p->check_mode;
	o.yes = true;
	o.stream = o.interactive = false;
	o.batch = true;
	o.verbose = 0;
	o.lock_timeout = p->lock_timeout;
	o.caller = "ansible";
	o.cmdline = cmdline;
	r = aipkg_ctx_new(&t->ctx, &o, &cb);
	if (r == 0 && p->no_cache)
		t->ctx->cfg.keep_packages_mb = 0; /* nothing cached or kept: see aipkg(8) */
	if (r == 0)
		r = aipkg_ctx_need_alpine(t->ctx);
	if (r == 0) /* a task that needs no change still says so */
		aipkg_journal_check_pending(t->ctx);
	if (r == 0)
		r = aipkg_state_load(t->ctx, &t->before, AIPKG_STATE_INSTALLED | AIPKG_STATE_WORLD);
	if (r < 0)
		json_object_set_new(t->out, "msg", json_string(aipkg_ctx_why(t->ctx, r)));
	return r;
}

static void finish(struct task *t, int r)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	const json_t *m;
	size_t i;

	if (t->ctx && t->ctx->root)
		json_object_set_new(t->out, "root",
				    json_string(*t->ctx->root ? t->ctx->root : "/"));
	if (json_array_size(t->ids)) {
		json_object_set(t->out, "ids", t->ids);
		json_object_set(t->out, "id", json_array_get(t->ids, json_array_size(t->ids) - 1));
	}
	if (json_array_size(t->warnings))
		json_object_set(t->out, "warnings", t->warnings);
	if (r < 0) {
		json_object_set_new(t->out, "failed", json_true());
		return;
	}
	json_array_foreach(t->msgs, i, m)
		aipkg_buf_addf(&b, "%s%s", i ? "; " : "", json_string_value(m));
	json_object_set_new(t->out, "msg",
			    json_string(b.len ? aipkg_buf_str(&b) : "nothing to do"));
	aipkg_buf_release(&b);
}

json_t *aipkg_ansible_run(const json_t *args, const struct aipkg_opts *opts)
{
	struct aipkg_buf err = AIPKG_BUF_INIT;
	struct ans_params p;
	struct task t = { 0 };
	const char **repos = NULL;
	char *cmdline = NULL;
	int r;

	t.p = &p;
	t.out = json_pack("{s:b}", "changed", false);
	t.warnings = json_array();
	t.msgs = json_array();
	t.ids = json_array();
	t.planned = json_array();
	t.world_added = json_array();
	t.world_removed = json_array();
	r = aipkg_ansible_params(args, &p, &err);
	if (r < 0)
		json_object_set_new(t.out, "msg", json_string(aipkg_buf_str(&err)));
	if (r == 0) {
		repos = calloc((opts ? opts->nrepos : 0) + json_array_size(p.repository) + 1,
			       sizeof(*repos));
		cmdline = command_line(&p);
		r = repos && cmdline ? task_ctx(&t, opts, repos, cmdline) : -ENOMEM;
	}
	if (r == 0) {
		r = run_steps(&t);
		/* what changed, also after a failure: a step before may have */
		int cr = aipkg_ansible_conclude(&t);

		if (r == 0 && cr < 0)
			json_object_set_new(t.out, "msg", json_string(aipkg_ctx_why(t.ctx, cr)));
		r = r < 0 ? r : cr;
	}
	if (r == -ENOMEM && !json_object_get(t.out, "msg"))
		json_object_set_new(t.out, "msg", json_string(aipkg_strerror(r)));
	finish(&t, r);
	aipkg_state_release(&t.before);
	aipkg_ctx_free(t.ctx);
	aipkg_ansible_params_release(&p);
	aipkg_buf_release(&err);
	free(repos);
	free(cmdline);
	json_decref(t.warnings);
	json_decref(t.msgs);
	json_decref(t.ids);
	json_decref(t.planned);
	json_decref(t.world_added);
	json_decref(t.world_removed);
	return t.out;
}
