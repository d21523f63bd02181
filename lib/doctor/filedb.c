/* The installed db's file lists (F:, R:, Z:) and apk's protected paths, for checking files. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "doctor/doctor.h"

/*
 * Protected paths, as apk-tools 2.14 and 3.0 compute them (database.c,
 * apk_db_dir_get): each directory inherits its parent's mode; a rule
 * without '/' sets the mode of the entries it matches (fnmatch, one path
 * component), and a rule "a/b" is handed down to the directories matching
 * "a" as "b".  The rules are the built-in "+etc", "@etc/init.d",
 * "!etc/apk", then each ROOT/etc/apk/protected_paths.d/NAME.list, in order.
 */
struct protect_rule {
	const char *pattern; /* points into an owned rule text */
	enum aipkg_protect mode;
};

struct protect_dir {
	char *path;
	enum aipkg_protect mode;
	struct protect_rule *rules; /* what applies below it */
	size_t nrules;
};

struct aipkg_protect_rules {
	char **texts;
	size_t ntexts;
	struct protect_rule *top;
	size_t ntop;
	struct protect_dir *dirs; /* open addressing on path */
	size_t cap, used;
};

struct aipkg_protect_rules *aipkg_protect_rules_new(void)
{
	return calloc(1, sizeof(struct aipkg_protect_rules));
}

static int rule_push(struct protect_rule **v, size_t *n, const char *pattern, enum aipkg_protect m)
{
	struct protect_rule *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = (struct protect_rule){ pattern, m };
	*v = nv;
	return 0;
}

/* One line of a protected-paths list, as apk's add_protected_path. */
static void rule_line(struct aipkg_protect_rules *pr, char *line)
{
	enum aipkg_protect m = AIPKG_PROTECT_CHANGED;
	size_t len;

	switch (line[0]) {
	case '\0':
	case '#':
		return;
	case '-':
		m = AIPKG_PROTECT_IGNORE;
		break;
	case '+':
		break;
	case '@':
		m = AIPKG_PROTECT_SYMLINKS;
		break;
	case '!':
		m = AIPKG_PROTECT_ALL;
		break;
	default:
		line--; /* no mode character: the whole line is the path */
	}
	line++;
	while (*line == '/')
		line++;
	len = strlen(line);
	while (len && line[len - 1] == '/')
		line[--len] = '\0';
	rule_push(&pr->top, &pr->ntop, line, m);
}

void aipkg_protect_rules_add(struct aipkg_protect_rules *pr, const char *text, size_t len)
{
	char **texts = realloc(pr->texts, (pr->ntexts + 1) * sizeof(*texts));
	char *copy = texts ? strndup(text, len) : NULL, *line, *save = NULL;

	if (texts)
		pr->texts = texts;
	if (!copy)
		return;
	pr->texts[pr->ntexts++] = copy;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		rule_line(pr, line);
}

static uint64_t path_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct protect_dir *dir_slot(struct aipkg_protect_rules *pr, const char *path, size_t len)
{
	size_t i = (size_t)path_hash(path, len) & (pr->cap - 1);

	while (pr->dirs[i].path &&
	       (strlen(pr->dirs[i].path) != len || memcmp(pr->dirs[i].path, path, len) != 0))
		i = (i + 1) & (pr->cap - 1);
	return &pr->dirs[i];
}

static int dirs_grow(struct aipkg_protect_rules *pr)
{
	struct aipkg_protect_rules old = *pr;

	pr->cap = old.cap ? old.cap * 2 : 256;
	pr->dirs = calloc(pr->cap, sizeof(*pr->dirs));
	if (!pr->dirs) {
		*pr = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.dirs[i].path)
			*dir_slot(pr, old.dirs[i].path, strlen(old.dirs[i].path)) = old.dirs[i];
	free(old.dirs);
	return 0;
}

/* The rules below PARENT's directory applied to its child BASE (LEN bytes). */
static void dir_derive(const struct protect_rule *rules, size_t nrules, const char *base,
		       size_t len, struct protect_dir *d)
{
	char name[256];

	snprintf(name, sizeof(name), "%.*s", (int)len, base);
	for (size_t i = 0; i < nrules; i++) {
		const char *pat = rules[i].pattern, *slash = strchr(pat, '/');
		char first[256];

		if (!slash) {
			if (fnmatch(pat, name, FNM_PATHNAME) == 0)
				d->mode = rules[i].mode;
			continue;
		}
		snprintf(first, sizeof(first), "%.*s", (int)(slash - pat), pat);
		if (fnmatch(first, name, FNM_PATHNAME) == 0)
			rule_push(&d->rules, &d->nrules, slash + 1, rules[i].mode);
	}
}

/* The directory PATH (LEN bytes, no trailing '/'), computed once. */
static const struct protect_dir *dir_get(struct aipkg_protect_rules *pr, const char *path,
					 size_t len)
{
	static const struct protect_dir none = { NULL, AIPKG_PROTECT_NONE, NULL, 0 };
	const struct protect_rule *rules = pr->top;
	size_t nrules = pr->ntop, plen = 0;
	enum aipkg_protect mode = AIPKG_PROTECT_NONE;
	struct protect_dir *d, nd = { 0 };
	const char *slash;

	if (len == 0)
		return &none;
	if ((pr->used + 1) * 2 > pr->cap && dirs_grow(pr) < 0)
		return &none;
	d = dir_slot(pr, path, len);
	if (d->path)
		return d;
	slash = memrchr(path, '/', len);
	if (slash) {
		const struct protect_dir *parent = dir_get(pr, path, (size_t)(slash - path));

		rules = parent->rules;
		nrules = parent->nrules;
		mode = parent->mode;
		plen = (size_t)(slash - path) + 1;
	}
	nd.mode = mode;
	dir_derive(rules, nrules, path + plen, len - plen, &nd);
	nd.path = strndup(path, len);
	if (!nd.path) {
		free(nd.rules);
		return &none;
	}
	d = dir_slot(pr, path, len); /* the recursion may have grown the table */
	*d = nd;
	pr->used++;
	return d;
}

enum aipkg_protect aipkg_protect_of(struct aipkg_protect_rules *pr, const char *dir,
				    const char *name)
{
	/* the root directory itself has no rules (apk_db_dir_get gives it
	 * none), so its files are system files */
	const struct protect_dir *d = dir_get(pr, dir, strlen(dir));
	enum aipkg_protect mode = d->mode;

	for (size_t i = 0; i < d->nrules; i++)
		if (!strchr(d->rules[i].pattern, '/') &&
		    fnmatch(d->rules[i].pattern, name, FNM_PATHNAME) == 0)
			mode = d->rules[i].mode;
	return mode;
}

void aipkg_protect_rules_free(struct aipkg_protect_rules *pr)
{
	if (!pr)
		return;
	for (size_t i = 0; i < pr->cap; i++) {
		free(pr->dirs[i].path);
		free(pr->dirs[i].rules);
	}
	for (size_t i = 0; i < pr->ntexts; i++)
		free(pr->texts[i]);
	free(pr->dirs);
	free(pr->texts);
	free(pr->top);
	free(pr);
}

static int name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The built-in rules, then ROOT/etc/apk/protected_paths.d/NAME.list by name. */
static struct aipkg_protect_rules *rules_load(struct aipkg_ctx *ctx)
{
	static const char builtin[] = "+etc\n@etc/init.d\n!etc/apk\n";
	struct aipkg_protect_rules *pr = aipkg_protect_rules_new();
	char *dir = aipkg_ctx_path(ctx, "etc/apk/protected_paths.d");
	DIR *d = pr && dir ? opendir(dir) : NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;

	if (pr)
		aipkg_protect_rules_add(pr, builtin, sizeof(builtin) - 1);
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **nv;

		if (l < 6 || strcmp(e->d_name + l - 5, ".list") != 0 ||
		    !(nv = realloc(names, (n + 1) * sizeof(*nv))))
			continue;
		names = nv;
		if ((names[n] = strdup(e->d_name)))
			n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_order);
	for (size_t i = 0; i < n; i++) {
		struct aipkg_buf b = AIPKG_BUF_INIT;
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (aipkg_buf_read_file(&b, path) == 0)
			aipkg_protect_rules_add(pr, aipkg_buf_str(&b), b.len);
		aipkg_buf_release(&b);
		free(names[i]);
	}
	free(names);
	free(dir);
	return pr;
}

/*
 * Reading the db.
 */

struct reader {
	struct aipkg_filedb *fdb;
	size_t cap_pkgs, cap_dirs, cap_files;
	struct aipkg_dbpkg *pkg; /* the record being read */
	struct aipkg_dbdir *dir; /* its last F: */
	struct aipkg_dbfile *file; /* its last R: (for Z:) */
};

static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return arr;
	while (ncap < need)
		ncap *= 2;
	p = realloc(arr, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

static int rec_begin(struct reader *rd)
{
	struct aipkg_filedb *fdb = rd->fdb;
	struct aipkg_dbpkg *v = grow(fdb->pkgs, &rd->cap_pkgs, fdb->npkgs + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	fdb->pkgs = v;
	rd->pkg = &fdb->pkgs[fdb->npkgs++];
	*rd->pkg = (struct aipkg_dbpkg){ "", "", (uint32_t)fdb->ndirs, 0, (uint32_t)fdb->nfiles, 0 };
	rd->dir = NULL;
	rd->file = NULL;
	return 0;
}

static int add_dir(struct reader *rd, const char *path)
{
	struct aipkg_filedb *fdb = rd->fdb;
	struct aipkg_dbdir *v = grow(fdb->dirs, &rd->cap_dirs, fdb->ndirs + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	fdb->dirs = v;
	rd->dir = &fdb->dirs[fdb->ndirs++];
	*rd->dir = (struct aipkg_dbdir){ path, (uint32_t)(rd->pkg - fdb->pkgs),
					 (uint32_t)fdb->nfiles, 0 };
	rd->pkg->ndirs++;
	rd->file = NULL;
	return 0;
}

static int add_file(struct reader *rd, const char *name)
{
	struct aipkg_filedb *fdb = rd->fdb;
	struct aipkg_dbfile *v = grow(fdb->files, &rd->cap_files, fdb->nfiles + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	fdb->files = v;
	rd->file = &fdb->files[fdb->nfiles++];
	*rd->file = (struct aipkg_dbfile){ name, NULL, (uint32_t)(rd->dir - fdb->dirs), 0, 0, 0 };
	rd->dir->n++;
	rd->pkg->nfiles++;
	return 0;
}

/* One "K:value" line (NUL-terminated); LINENO for messages. */
static int read_line(struct aipkg_ctx *ctx, struct reader *rd, char *line, size_t lineno)
{
	char *v = line + 2;

	if (!rd->pkg && rec_begin(rd) < 0)
		return -ENOMEM;
	switch (line[0]) {
	case 'P':
		rd->pkg->name = v;
		return 0;
	case 'V':
		rd->pkg->version = v;
		return 0;
	case 'F':
		return add_dir(rd, v);
	case 'R':
		if (!rd->dir)
			return aipkg_ctx_fail(ctx, -AIPKG_E_CORRUPT,
					      "lib/apk/db/installed:%zu: a file (R:) before its "
					      "directory (F:)",
					      lineno);
		return add_file(rd, v);
	case 'Z':
		if (rd->file)
			rd->file->csum = v;
		return 0;
	}
	return 0;
}

static int rec_end(struct aipkg_ctx *ctx, struct reader *rd, size_t lineno)
{
	if (!rd->pkg)
		return 0;
	if (!*rd->pkg->name || !*rd->pkg->version)
		return aipkg_ctx_fail(ctx, -AIPKG_E_CORRUPT,
				      "lib/apk/db/installed: the record ending at line %zu has no "
				      "P: or V:",
				      lineno);
	rd->pkg = NULL;
	return 0;
}

static int parse(struct aipkg_ctx *ctx, struct aipkg_filedb *fdb, size_t len)
{
	struct reader rd = { .fdb = fdb };
	char *p = fdb->text, *end = fdb->text + len;
	size_t lineno = 0;
	int r = 0;

	while (r == 0 && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		*nl = '\0';
		lineno++;
		if (*p == '\0')
			r = rec_end(ctx, &rd, lineno);
		else if (nl - p >= 2 && p[1] == ':')
			r = read_line(ctx, &rd, p, lineno);
		p = nl + 1;
	}
	if (r == 0)
		r = rec_end(ctx, &rd, lineno);
	return r;
}

static void classify(struct aipkg_ctx *ctx, struct aipkg_filedb *fdb)
{
	struct aipkg_protect_rules *pr = rules_load(ctx);

	for (size_t i = 0; pr && i < fdb->nfiles; i++) {
		struct aipkg_dbfile *f = &fdb->files[i];

		f->protect = (uint8_t)aipkg_protect_of(pr, fdb->dirs[f->dir].path, f->name);
	}
	aipkg_protect_rules_free(pr);
}

int aipkg_filedb_load(struct aipkg_ctx *ctx, struct aipkg_filedb *fdb)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path = aipkg_ctx_path(ctx, "lib/apk/db/installed");
	int r = path ? aipkg_buf_read_file(&b, path) : -ENOMEM;

	memset(fdb, 0, sizeof(*fdb));
	if (r == -ENOENT)
		r = 0;
	else if (r < 0)
		aipkg_ctx_fail(ctx, r, "cannot read %s: %s", path, strerror(-r));
	free(path);
	if (r < 0) {
		aipkg_buf_release(&b);
		return r;
	}
	fdb->text = aipkg_buf_detach(&b);
	r = fdb->text ? parse(ctx, fdb, strlen(fdb->text)) : -ENOMEM;
	if (r == 0)
		classify(ctx, fdb);
	else
		aipkg_filedb_release(fdb);
	return r;
}

void aipkg_filedb_release(struct aipkg_filedb *fdb)
{
	free(fdb->text);
	free(fdb->pkgs);
	free(fdb->dirs);
	free(fdb->files);
	memset(fdb, 0, sizeof(*fdb));
}

const struct aipkg_dbpkg *aipkg_filedb_pkg(const struct aipkg_filedb *fdb, const char *name)
{
	for (size_t i = 0; i < fdb->npkgs; i++)
		if (strcmp(fdb->pkgs[i].name, name) == 0)
			return &fdb->pkgs[i];
	return NULL;
}

const char *aipkg_filedb_path(const struct aipkg_filedb *fdb, const struct aipkg_dbfile *f,
			      char *buf, size_t size)
{
	const char *dir = fdb->dirs[f->dir].path;

	snprintf(buf, size, "%s%s%s", dir, *dir ? "/" : "", f->name);
	return buf;
}
