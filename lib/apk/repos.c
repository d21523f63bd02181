/* etc/apk/repositories (apk 2 and 3 syntax) and the names apk gives cached indexes. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aipkg/error.h"
#include "apk/state.h"
#include "ctx.h"
#include "digest.h"
#include "fileio.h"

#define REPOS_FILE_MAX ((size_t)1 << 20)

static const char repos_v2_index[] = "APKINDEX.tar.gz";
static const char repos_v3_index[] = "Packages.adb";

struct repos_var {
	char *name;
	char *value;
};

/* One parse: the array being appended to and apk 3's "set" variables. */
struct repos_parser {
	struct aipkg_repo **repos;
	size_t *n;
	struct repos_var *vars;
	size_t nvars;
	bool keywords; /* a file line (keywords allowed), not --repository */
	struct aipkg_slice v2line; /* the line as apk 2 takes it, {NULL, 0} if none */
	bool rejected; /* a line apk 3 rejects came: it reads no further */
};

static void repos_vars_free(struct repos_parser *rp)
{
	for (size_t i = 0; i < rp->nvars; i++) {
		free(rp->vars[i].name);
		free(rp->vars[i].value);
	}
	free(rp->vars);
}

/* The next word separated by spaces/tabs, as apk 3's get_word(). */
static bool repos_word(struct aipkg_slice *line, struct aipkg_slice *word)
{
	size_t i = 0;

	while (i < line->len && line->ptr[i] != ' ' && line->ptr[i] != '\t')
		i++;
	word->ptr = line->ptr;
	word->len = i;
	while (i < line->len && (line->ptr[i] == ' ' || line->ptr[i] == '\t'))
		i++;
	line->ptr += i;
	line->len -= i;
	return word->len > 0;
}

static bool repos_is_url(struct aipkg_slice w)
{
	return (w.len && w.ptr[0] == '/') || memmem(w.ptr, w.len, "://", 3) != NULL;
}

static bool repos_ends_with(struct aipkg_slice s, const char *suffix)
{
	size_t n = strlen(suffix);

	return s.len >= n && memcmp(s.ptr + s.len - n, suffix, n) == 0;
}

static struct aipkg_slice repos_trim_slashes(struct aipkg_slice s)
{
	while (s.len && s.ptr[s.len - 1] == '/')
		s.len--;
	return s;
}

static const struct repos_var *repos_var_find(const struct repos_parser *rp,
					      struct aipkg_slice name)
{
	for (size_t i = 0; i < rp->nvars; i++)
		if (aipkg_slice_eq(name, rp->vars[i].name))
			return &rp->vars[i];
	return NULL;
}

/* Append the value of ${KEY} (KEY may be "NAME:MAXLEN").  ${APK_ARCH} stays
 * as written: the loader, which knows the architecture, expands it. */
static int repos_var_value(const struct repos_parser *rp, struct aipkg_slice key,
			   struct aipkg_buf *out)
{
	struct aipkg_slice name = key;
	const struct repos_var *var;
	size_t max = SIZE_MAX, len;
	const char *colon = memchr(key.ptr, ':', key.len);

	if (colon) {
		name.len = (size_t)(colon - key.ptr);
		max = strtoul(colon + 1, NULL, 10);
	}
	if (aipkg_slice_eq(name, "APK_ARCH"))
		return aipkg_buf_addf(out, "${%.*s}", (int)key.len, key.ptr);
	var = repos_var_find(rp, name);
	if (!var)
		return -EINVAL;
	len = strlen(var->value);
	return aipkg_buf_add(out, var->value, len < max ? len : max);
}

/* apk 3 expands a value or a URL into PATH_MAX bytes and refuses the line
 * when it does not fit: a file that doubles a variable line after line
 * ("set A=${A}${A}") must not take all memory, whoever wrote it. */
#define REPOS_EXPANDED_MAX 4095

static int repos_subst_all(const struct repos_parser *rp, struct aipkg_slice in,
			   struct aipkg_buf *out)
{
	out->limit = REPOS_EXPANDED_MAX;
	for (;;) {
		const char *start = memmem(in.ptr, in.len, "${", 2);
		struct aipkg_slice key;
		int r;

		if (!start)
			return aipkg_buf_add(out, in.ptr, in.len);
		r = aipkg_buf_add(out, in.ptr, (size_t)(start - in.ptr));
		in.len -= (size_t)(start + 2 - in.ptr);
		in.ptr = start + 2;
		if (r == 0 && !aipkg_slice_split(&in, '}', &key))
			r = -EINVAL;
		if (r == 0)
			r = repos_var_value(rp, key, out);
		if (r < 0)
			return r;
	}
}

/* Expand ${VAR}s of IN into OUT (a fresh buffer); -EINVAL for an undefined
 * or unclosed one, or an expansion longer than apk takes. */
static int repos_subst(const struct repos_parser *rp, struct aipkg_slice in, struct aipkg_buf *out)
{
	int r = repos_subst_all(rp, in, out);

	return r == -AIPKG_E_TOOBIG ? -EINVAL : r;
}

static bool repos_var_name_ok(struct aipkg_slice key)
{
	if (!key.len || aipkg_slice_starts_with(key, "APK_") ||
	    !((key.ptr[0] | 0x20) >= 'a' && (key.ptr[0] | 0x20) <= 'z'))
		return false;
	for (size_t i = 0; i < key.len; i++) {
		char c = key.ptr[i];

		if (!(c == '_' || (c >= '0' && c <= '9') ||
		      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return false;
	}
	return true;
}

static int repos_var_store(struct repos_parser *rp, struct aipkg_slice key, char *value,
			   bool overwrite)
{
	struct repos_var *var = (struct repos_var *)repos_var_find(rp, key);
	struct repos_var *vars;

	if (var) {
		if (overwrite) {
			free(var->value);
			var->value = value;
		} else {
			free(value);
		}
		return 0;
	}
	vars = realloc(rp->vars, (rp->nvars + 1) * sizeof(*vars));
	if (vars)
		rp->vars = vars;
	if (!vars || !(vars[rp->nvars].name = aipkg_slice_dup(key))) {
		free(value);
		return -ENOMEM;
	}
	vars[rp->nvars++].value = value;
	return 0;
}

/* "set [-default] NAME=VALUE" (apk 3); a bad definition is skipped. */
static int repos_set(struct repos_parser *rp, struct aipkg_slice line, bool *bad)
{
	struct aipkg_buf value = AIPKG_BUF_INIT;
	struct aipkg_slice opt, key;
	bool overwrite = true;
	int r;

	while (line.len && line.ptr[0] == '-') {
		repos_word(&line, &opt);
		if (!aipkg_slice_eq(opt, "-default")) {
			*bad = true;
			return 0;
		}
		overwrite = false;
	}
	if (!aipkg_slice_split(&line, '=', &key) || !repos_var_name_ok(key)) {
		*bad = true;
		return 0;
	}
	r = repos_subst(rp, line, &value);
	if (r == 0)
		r = aipkg_buf_add(&value, "", 0);
	if (r < 0) {
		aipkg_buf_release(&value);
		*bad = r == -EINVAL;
		return r == -EINVAL ? 0 : r;
	}
	return repos_var_store(rp, key, aipkg_buf_detach(&value), overwrite);
}

/* apk 3's rule: a "scheme://" URL is fetched (file: aside), the rest are
 * paths on this machine. */
static bool repos_is_remote(const char *url)
{
	return strncmp(url, "file:", 5) != 0 && strstr(url, "://") != NULL;
}

static struct aipkg_repo *repos_find(struct aipkg_repo *repos, size_t n, const char *url,
				     const char *index_file)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(repos[i].url, url) == 0 && repos[i].index_file == index_file)
			return &repos[i];
	return NULL;
}

/* Add URL (taking it), unless listed: then an untagged listing wins, as
 * apk then lets untagged dependencies use it. */
static int repos_add(struct repos_parser *rp, char *url, struct aipkg_slice tag,
		     const char *index_file)
{
	struct aipkg_repo *repo = repos_find(*rp->repos, *rp->n, url, index_file), *v;

	if (repo) {
		free(url);
		repo->apk3_unread &= rp->rejected; /* apk 3 reads it here */
		if (!tag.len) {
			free(repo->tag);
			repo->tag = NULL;
		}
		return 0;
	}
	v = realloc(*rp->repos, (*rp->n + 1) * sizeof(*v));
	if (!v) {
		free(url);
		return -ENOMEM;
	}
	*rp->repos = v;
	repo = &v[(*rp->n)++];
	memset(repo, 0, sizeof(*repo));
	repo->url = url;
	repo->index_file = index_file;
	repo->from_cli = !rp->keywords;
	repo->apk3_unread = rp->rejected;
	repo->remote = repos_is_remote(url);
	repo->tag = tag.len ? aipkg_slice_dup(tag) : NULL;
	repo->line = rp->v2line.ptr ? aipkg_slice_dup(rp->v2line) : NULL;
	return (tag.len && !repo->tag) || (rp->v2line.ptr && !repo->line) ? -ENOMEM : 0;
}

/* "URL comp1 comp2": one repository per component, under the URL. */
static int repos_add_components(struct repos_parser *rp, struct aipkg_slice url,
				struct aipkg_slice comps, struct aipkg_slice tag,
				const char *index_file)
{
	struct aipkg_buf all = AIPKG_BUF_INIT;
	struct aipkg_slice rest, comp;
	int r = repos_subst(rp, comps, &all);

	url = repos_trim_slashes(url);
	rest = aipkg_slice_of(&all);
	rp->v2line.ptr = NULL; /* apk 2 has no components */
	while (r == 0 && repos_word(&rest, &comp)) {
		struct aipkg_buf one = AIPKG_BUF_INIT;

		r = aipkg_buf_addf(&one, "%.*s/%.*s", (int)url.len, url.ptr, (int)comp.len,
				   comp.ptr);
		if (r == 0)
			r = repos_add(rp, aipkg_buf_detach(&one), tag, index_file);
	}
	aipkg_buf_release(&all);
	return r == -EINVAL ? 0 : r;
}

/* A keyword ("v2", "ndx", "v3") selects the index format; false if unknown. */
static bool repos_keyword(struct aipkg_slice word, const char **index_file)
{
	if (aipkg_slice_eq(word, "v2"))
		*index_file = repos_v2_index;
	else if (aipkg_slice_eq(word, "ndx"))
		*index_file = NULL;
	else if (aipkg_slice_eq(word, "v3"))
		*index_file = repos_v3_index;
	else
		return false;
	return true;
}

static int repos_add_line(struct repos_parser *rp, struct aipkg_slice word, struct aipkg_slice rest,
			  struct aipkg_slice tag, const char *index_file, bool *bad)
{
	struct aipkg_buf url = AIPKG_BUF_INIT;
	int r = repos_subst(rp, word, &url);

	if (r == 0)
		r = aipkg_buf_add(&url, "", 0);
	if (r == 0 && rp->keywords && !repos_is_url(aipkg_slice_of(&url)))
		r = -EINVAL;
	if (r == 0 && rest.len)
		r = repos_add_components(rp, aipkg_slice_of(&url), rest, tag, index_file);
	else if (r == 0)
		return repos_add(rp, aipkg_buf_detach(&url), tag, index_file);
	aipkg_buf_release(&url);
	*bad = r == -EINVAL;
	return r == -EINVAL ? 0 : r;
}

/* apk 2 (apk_db_add_repository) takes each line whole: after "@tag" and
 * the blanks or colons that follow it, the rest as written, trailing blanks
 * and a CR included.  apk <= 2.14.0 names its cache after exactly that. */
static struct aipkg_slice repos_v2_line(struct aipkg_slice raw)
{
	size_t i = 0;

	if (raw.len && raw.ptr[0] == '@') {
		while (i < raw.len && !memchr(" \t:", raw.ptr[i], 3))
			i++;
		while (i < raw.len && memchr(" \t:", raw.ptr[i], 3))
			i++;
	}
	raw.ptr += i;
	raw.len -= i;
	return raw;
}

static int repos_line_parse(struct repos_parser *rp, struct aipkg_slice line, bool *bad)
{
	struct aipkg_slice word, tag = {"", 0};
	const char *index_file = repos_v2_index;
	bool typed = false;

	rp->v2line = repos_v2_line(line);
	line = aipkg_slice_trim(line);
	if (!line.len || line.ptr[0] == '#')
		return 0;
	repos_word(&line, &word);
	if (rp->keywords && word.ptr[0] != '@' && !repos_is_url(word)) {
		if (aipkg_slice_eq(word, "set"))
			return repos_set(rp, line, bad);
		if (!repos_keyword(word, &index_file) || !repos_word(&line, &word)) {
			*bad = true;
			return 0;
		}
		typed = true;
		rp->v2line.ptr = NULL; /* keywords are apk 3's */
	}
	if (word.ptr[0] == '@') {
		tag.ptr = word.ptr + 1;
		tag.len = word.len - 1;
		if (!repos_word(&line, &word)) {
			*bad = true;
			return 0;
		}
	}
	if (!typed && (repos_ends_with(word, ".tar.gz") || repos_ends_with(word, ".adb")))
		index_file = NULL;
	return repos_add_line(rp, word, line, tag, index_file, bad);
}

/* One line.  A line apk 3 rejects (an unknown keyword, a tag or keyword
 * without a URL, a bad "set", an undefined or too long ${VAR}) is skipped,
 * as apk 2 would read on; the lines after it are marked, because apk 3
 * stops reading the file there (database.c: apk_db_parse_istream). */
static int repos_line(struct repos_parser *rp, struct aipkg_slice line)
{
	bool bad = false;
	int r = repos_line_parse(rp, line, &bad);

	rp->rejected |= bad && rp->keywords;
	return r;
}

int aipkg_repos_parse(const char *text, struct aipkg_repo **repos, size_t *n)
{
	struct repos_parser rp = {repos, n, NULL, 0, true, {NULL, 0}, false};
	struct aipkg_slice in = aipkg_slice_str(text), line;
	int r = 0;

	while (r == 0 && aipkg_slice_next_line(&in, &line))
		r = repos_line(&rp, line);
	repos_vars_free(&rp);
	return r;
}

int aipkg_repos_add_cli(const char *arg, struct aipkg_repo **repos, size_t *n)
{
	struct repos_parser rp = {repos, n, NULL, 0, false, {NULL, 0}, false};

	return repos_line(&rp, aipkg_slice_str(arg));
}

void aipkg_repo_release(struct aipkg_repo *repo)
{
	free(repo->url);
	free(repo->tag);
	free(repo->line);
	free(repo->index_path);
	free(repo->index_elsewhere);
	free(repo->description);
	free(repo->signer);
}

void aipkg_repos_free(struct aipkg_repo *repos, size_t n)
{
	if (!repos)
		return;
	for (size_t i = 0; i < n; i++)
		aipkg_repo_release(&repos[i]);
	free(repos);
}

/* A repositories file under the root; a missing one is an empty one. */
static int repos_read_file(struct aipkg_ctx *ctx, const char *path, struct aipkg_repo **repos,
			   size_t *n)
{
	struct aipkg_buf text;
	int r;

	aipkg_buf_init(&text, REPOS_FILE_MAX);
	r = aipkg_buf_read_file(&text, path);
	if (r == -ENOENT) {
		aipkg_buf_release(&text);
		return 0;
	}
	if (r == 0)
		r = aipkg_repos_parse(aipkg_buf_str(&text), repos, n);
	else
		aipkg_ctx_fail(ctx, r, "cannot read %s: %s", path, aipkg_file_strerror(r));
	aipkg_buf_release(&text);
	return r;
}

/* A repositories.d entry: NAME.list in DIR (one of the two directories). */
struct repos_dfile {
	char *name;
	const char *dir;
};

static int repos_dfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct repos_dfile *)a)->name, ((const struct repos_dfile *)b)->name);
}

static bool repos_dfile_wanted(const char *name, const struct repos_dfile *have, size_t n)
{
	size_t len = strlen(name);

	if (name[0] == '.' || len < 5 || strcmp(name + len - 5, ".list") != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(have[i].name, name) == 0)
			return false; /* etc/ hides lib/ */
	return true;
}

static int repos_dfiles_scan(const char *dirpath, struct repos_dfile **files, size_t *n)
{
	DIR *dir = opendir(dirpath);
	struct dirent *de;
	int r = 0;

	if (!dir)
		return 0;
	while (r == 0 && (de = readdir(dir))) {
		struct repos_dfile *v;

		if (!repos_dfile_wanted(de->d_name, *files, *n))
			continue;
		v = realloc(*files, (*n + 1) * sizeof(*v));
		if (!v || !(v[*n].name = strdup(de->d_name))) {
			r = -ENOMEM;
			if (v)
				*files = v;
			break;
		}
		v[*n].dir = dirpath;
		*files = v;
		(*n)++;
	}
	closedir(dir);
	return r;
}

static int repos_read_dfiles(struct aipkg_ctx *ctx, const char *etc_dir, const char *lib_dir,
			     struct aipkg_repo **repos, size_t *n)
{
	struct repos_dfile *files = NULL;
	size_t nfiles = 0, i;
	int r = repos_dfiles_scan(etc_dir, &files, &nfiles);

	if (r == 0)
		r = repos_dfiles_scan(lib_dir, &files, &nfiles);
	if (nfiles)
		qsort(files, nfiles, sizeof(*files), repos_dfile_cmp);
	for (i = 0; r == 0 && i < nfiles; i++) {
		struct aipkg_buf path = AIPKG_BUF_INIT;

		r = aipkg_buf_addf(&path, "%s/%s", files[i].dir, files[i].name);
		if (r == 0)
			r = repos_read_file(ctx, aipkg_buf_str(&path), repos, n);
		aipkg_buf_release(&path);
	}
	for (i = 0; i < nfiles; i++)
		free(files[i].name);
	free(files);
	return r;
}

int aipkg_repos_read(struct aipkg_ctx *ctx, struct aipkg_repo **repos, size_t *n)
{
	char *file = aipkg_ctx_path(ctx, "etc/apk/repositories");
	char *etc_d = aipkg_ctx_path(ctx, "etc/apk/repositories.d");
	char *lib_d = aipkg_ctx_path(ctx, "lib/apk/repositories.d");
	int r = file && etc_d && lib_d ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < ctx->opts.nrepos; i++)
		r = aipkg_repos_add_cli(ctx->opts.repos[i], repos, n);
	if (r == 0)
		r = repos_read_file(ctx, file, repos, n);
	if (r == 0)
		r = repos_read_dfiles(ctx, etc_d, lib_d, repos, n);
	free(file);
	free(etc_d);
	free(lib_d);
	return r;
}

/* apk 2 appends to the repository as it took the line (repo->line; the
 * parsed URL for lines apk 2 cannot read): URL[/]ARCH/APKINDEX.tar.gz. */
static int repos_v2_url(const struct aipkg_repo *repo, const char *arch, struct aipkg_buf *b)
{
	const char *url = repo->line ? repo->line : repo->url;
	size_t len = strlen(url);

	return aipkg_buf_addf(b, "%s%s%s/APKINDEX.tar.gz", url,
			      len && url[len - 1] == '/' ? "" : "/", arch);
}

/* apk 3: trailing slashes trimmed, then /ARCH/INDEX unless the URL names
 * the index itself. */
static int repos_v3_url(const struct aipkg_repo *repo, const char *arch, struct aipkg_buf *b)
{
	struct aipkg_slice url = repos_trim_slashes(aipkg_slice_str(repo->url));
	int r;

	if (!repo->index_file)
		return aipkg_buf_addstr(b, repo->url);
	r = aipkg_buf_add(b, url.ptr, url.len);
	return r == 0 ? aipkg_buf_addf(b, "/%s/%s", arch, repo->index_file) : r;
}

char *aipkg_repo_index_url(const struct aipkg_repo *repo, const char *arch, int apk_major)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int r = apk_major == 2 ? repos_v2_url(repo, arch, &b) : repos_v3_url(repo, arch, &b);

	if (r < 0) {
		aipkg_buf_release(&b);
		return NULL;
	}
	return aipkg_buf_detach(&b);
}

enum aipkg_cache_naming aipkg_cache_naming_of(const char *apk_version)
{
	unsigned long major = strtoul(apk_version, NULL, 10), minor = 0, patch = 0;
	const char *p = strchr(apk_version, '.');

	if (major >= 3)
		return AIPKG_CACHE_V3;
	if (p) {
		minor = strtoul(p + 1, NULL, 10);
		p = strchr(p + 1, '.');
	}
	if (p)
		patch = strtoul(p + 1, NULL, 10);
	/* 2.14.1 moved from the line to the index URL */
	return minor > 14 || (minor == 14 && patch >= 1) ? AIPKG_CACHE_V2_URL : AIPKG_CACHE_V2_LINE;
}

char *aipkg_repo_cache_file(const struct aipkg_repo *repo, const char *arch,
			    enum aipkg_cache_naming how)
{
	unsigned char md[AIPKG_SHA256_LEN];
	struct aipkg_buf what = AIPKG_BUF_INIT;
	char *name = NULL;
	int r;

	if (how == AIPKG_CACHE_V2_LINE && !repo->line)
		return NULL; /* a line apk 2 cannot read: it never cached it */
	if (how == AIPKG_CACHE_V2_LINE)
		r = aipkg_buf_addstr(&what, repo->line);
	else
		r = how == AIPKG_CACHE_V2_URL ? repos_v2_url(repo, arch, &what)
					      : repos_v3_url(repo, arch, &what);
	if (r == 0 && how == AIPKG_CACHE_V3)
		aipkg_sha256(what.data, what.len, md);
	else if (r == 0)
		aipkg_sha1(what.data, what.len, md);
	if (r == 0 &&
	    asprintf(&name, "APKINDEX.%02x%02x%02x%02x.tar.gz", md[0], md[1], md[2], md[3]) < 0)
		name = NULL;
	aipkg_buf_release(&what);
	return name;
}

char *aipkg_repo_cache_name(const struct aipkg_repo *repo, const char *arch, int apk_major)
{
	if (apk_major != 2 && apk_major != 3)
		return NULL;
	return aipkg_repo_cache_file(repo, arch, apk_major == 2 ? AIPKG_CACHE_V2_URL : AIPKG_CACHE_V3);
}
