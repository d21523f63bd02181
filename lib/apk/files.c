/* Files in apk's installed database: who owns a path, what a package holds. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apk/files.h"
#include "apk/rules.h"
#include "ctx.h"

/* One package record of the database, as far as ownership goes. */
struct rec {
	struct aipkg_slice name, version, origin;
	long q;                 /* q: replaces priority */
	struct aipkg_slice dir; /* the F: the R: lines that follow are in */
};

/* An owner found for a path: the record's fields, kept as slices of the
 * database text, which outlives the lookup. */
struct owner {
	struct rec pkg;
	bool set;
};

/* One path asked for: the path itself (0) and its symlink's target (1). */
struct query {
	const char *path;
	char *key[2];   /* database form: no leading or trailing '/' */
	char *target;   /* the symlink target as read, or NULL */
	struct owner dir[2], file[2];
};

/* A match inside the record being read, settled when the record ends
 * (the fields it needs may come after the F: or R: line). */
struct pending {
	size_t query;
	int key;
	bool is_dir;
};

struct scan {
	struct query *q;
	size_t n;
	struct pending *pend;
	size_t npend, cap;
};

static bool slice_is(struct aipkg_slice s, const char *str, size_t len)
{
	return s.len == len && memcmp(s.ptr, str, len) == 0;
}

static bool slice_same(struct aipkg_slice a, struct aipkg_slice b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static int slice_cmp(struct aipkg_slice a, struct aipkg_slice b)
{
	int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);

	return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* "/usr/sbin/" -> "usr/sbin", as apk looks paths up. */
static char *db_key(const char *path)
{
	size_t len;

	while (*path == '/')
		path++;
	len = strlen(path);
	while (len && path[len - 1] == '/')
		len--;
	return strndup(path, len);
}

/* apk 3's apk_pkg_replaces_dir() for two installed packages: does B take
 * the directory over from A? */
static bool takes_dir(const struct rec *a, const struct rec *b)
{
	if (slice_same(a->name, b->name))
		return true;
	if (a->q != b->q)
		return a->q < b->q;
	if (a->origin.len && slice_same(a->origin, b->origin)) {
		if (slice_same(a->origin, a->name))
			return false;
		if (slice_same(b->origin, b->name))
			return true;
	}
	return slice_cmp(a->name, b->name) > 0;
}

static int pend(struct scan *s, size_t query, int key, bool is_dir)
{
	if (s->npend == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct pending *p = realloc(s->pend, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->pend = p;
		s->cap = cap;
	}
	s->pend[s->npend++] = (struct pending){ query, key, is_dir };
	return 0;
}

/* The record R ended: its matches take effect. */
static void settle(struct scan *s, const struct rec *r)
{
	for (size_t i = 0; i < s->npend; i++) {
		struct query *q = &s->q[s->pend[i].query];
		int k = s->pend[i].key;

		if (s->pend[i].is_dir && (!q->dir[k].set || takes_dir(&q->dir[k].pkg, r)))
			q->dir[k] = (struct owner){ *r, true };
		else if (!s->pend[i].is_dir && !q->file[k].set)
			q->file[k] = (struct owner){ *r, true }; /* the first one listed keeps it */
	}
	s->npend = 0;
}

/* An F: (IS_DIR) or R: line VALUE of the record R: which paths it is. */
static int match(struct scan *s, const struct rec *r, struct aipkg_slice value, bool is_dir)
{
	for (size_t i = 0; i < s->n; i++)
		for (int k = 0; k < 2; k++) {
			const char *key = s->q[i].key[k], *slash;
			size_t dlen;
			int rc;

			if (!key)
				continue;
			if (is_dir) {
				if (slice_is(value, key, strlen(key)) && (rc = pend(s, i, k, true)) < 0)
					return rc;
				continue;
			}
			slash = strrchr(key, '/');
			dlen = slash ? (size_t)(slash - key) : 0;
			if (slice_is(r->dir, key, dlen) &&
			    slice_is(value, slash ? slash + 1 : key, strlen(slash ? slash + 1 : key)) &&
			    (rc = pend(s, i, k, false)) < 0)
				return rc;
		}
	return 0;
}

/* Read TEXT record by record, calling match() for F: and R: lines. */
static int scan_db(struct scan *s, struct aipkg_slice text)
{
	struct rec r = { 0 };
	struct aipkg_slice line;
	int rc = 0;

	while (rc == 0 && aipkg_slice_next_line(&text, &line)) {
		struct aipkg_slice v = { line.ptr + 2, line.len >= 2 ? line.len - 2 : 0 };

		if (line.len < 2 || line.ptr[1] != ':') {
			if (!line.len) {
				settle(s, &r);
				r = (struct rec){ 0 };
			}
			continue;
		}
		switch (line.ptr[0]) {
		case 'P':
			r.name = v;
			break;
		case 'V':
			r.version = v;
			break;
		case 'o':
			r.origin = v;
			break;
		case 'q':
			r.q = strtol(v.ptr, NULL, 10);
			break;
		case 'F':
			r.dir = v;
			rc = match(s, &r, v, true);
			break;
		case 'R':
			rc = match(s, &r, v, false);
			break;
		}
	}
	settle(s, &r);
	return rc;
}

/* The symlink under ROOT at KEY, when it points at an absolute path. */
static char *link_target(const char *root, const char *key)
{
	char *path = NULL, buf[PATH_MAX];
	ssize_t n;

	if (!*key || asprintf(&path, "%s/%s", root, key) < 0)
		return NULL;
	n = readlink(path, buf, sizeof(buf) - 1);
	free(path);
	if (n <= 0 || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static const struct owner *owner_of(const struct query *q, int k, bool dirs)
{
	return dirs && q->dir[k].set ? &q->dir[k] : q->file[k].set ? &q->file[k] : NULL;
}

static json_t *owner_json(const struct query *q, bool dirs)
{
	const struct owner *o = owner_of(q, 0, dirs);
	bool via = !o && (o = owner_of(q, 1, dirs));

	if (!o)
		return NULL;
	return json_pack("{s:s, s:s%, s:s%, s:s?}", "path", q->path, "package",
			 o->pkg.name.ptr, o->pkg.name.len, "version", o->pkg.version.ptr,
			 o->pkg.version.len, "symlink_target", via ? q->target : NULL);
}

int aipkg_files_who_owns_text(struct aipkg_slice text, const char *root,
			      const char *const *paths, size_t n, bool dirs, json_t **owners,
			      json_t **unowned)
{
	struct scan s = { calloc(n ? n : 1, sizeof(struct query)), n, NULL, 0, 0 };
	int r = s.q ? 0 : -ENOMEM;

	*owners = json_array();
	*unowned = json_array();
	for (size_t i = 0; r == 0 && i < n; i++) {
		s.q[i].path = paths[i];
		s.q[i].key[0] = db_key(paths[i]);
		if (!s.q[i].key[0])
			r = -ENOMEM;
		else if ((s.q[i].target = link_target(root, s.q[i].key[0])))
			s.q[i].key[1] = db_key(s.q[i].target);
	}
	if (r == 0)
		r = scan_db(&s, text);
	for (size_t i = 0; r == 0 && i < n; i++) {
		json_t *o = owner_json(&s.q[i], dirs);

		if (o)
			json_array_append_new(*owners, o);
		else
			json_array_append_new(*unowned, json_string(paths[i]));
	}
	for (size_t i = 0; s.q && i < n; i++) {
		free(s.q[i].key[0]);
		free(s.q[i].key[1]);
		free(s.q[i].target);
	}
	free(s.q);
	free(s.pend);
	return r;
}

json_t *aipkg_files_of_text(struct aipkg_slice text, const char *name)
{
	struct aipkg_slice line, pkg = { 0 }, dir = { 0 };
	json_t *files = json_array();

	while (aipkg_slice_next_line(&text, &line)) {
		if (!line.len) {
			pkg = (struct aipkg_slice){ 0 };
			dir = pkg;
		} else if (line.len >= 2 && line.ptr[1] == ':') {
			struct aipkg_slice v = { line.ptr + 2, line.len - 2 };

			if (line.ptr[0] == 'P')
				pkg = v;
			else if (line.ptr[0] == 'F')
				dir = v;
			else if (line.ptr[0] == 'R' && slice_is(pkg, name, strlen(name)))
				json_array_append_new(files, json_sprintf("/%.*s%s%.*s", (int)dir.len,
									  dir.ptr, dir.len ? "/" : "",
									  (int)v.len, v.ptr));
		}
	}
	return files;
}

static int read_db(struct aipkg_ctx *ctx, struct aipkg_buf *text)
{
	char *path = aipkg_ctx_path(ctx, "lib/apk/db/installed");
	int r = path ? aipkg_buf_read_file(text, path) : -ENOMEM;

	if (r < 0 && path)
		aipkg_ctx_fail(ctx, r, "cannot read %s: %s", path, aipkg_strerror(r));
	free(path);
	return r;
}

int aipkg_files_who_owns(struct aipkg_ctx *ctx, const char *const *paths, size_t n,
			 json_t **owners, json_t **unowned)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	int r = read_db(ctx, &text);

	*owners = *unowned = NULL;
	/* apk 2 owns no directory, apk 3 does: follow the one in use */
	if (r == 0)
		r = aipkg_files_who_owns_text(aipkg_slice_of(&text), ctx->root, paths, n,
					      aipkg_rules_major(ctx) >= 3, owners, unowned);
	aipkg_buf_release(&text);
	return r;
}

int aipkg_files_of(struct aipkg_ctx *ctx, const char *name, json_t **files)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;
	int r = read_db(ctx, &text);

	*files = r == 0 ? aipkg_files_of_text(aipkg_slice_of(&text), name) : NULL;
	aipkg_buf_release(&text);
	return *files || r < 0 ? r : -ENOMEM;
}
