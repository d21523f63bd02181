/* compare-apk: run aipkg and a real apk on the same root and report where their answers differ. */
/* SPDX-License-Identifier: MIT */

/*
 * usage: compare-apk [options] ROOT
 *
 *   --apk CMD        the real apk (several words allowed); default $AIPKG_TEST_APK
 *   --aipkg PATH     the aipkg binary; default $AIPKG, else "aipkg"
 *   --terms LIST     search terms, blank-separated (default: a built-in list)
 *   --names LIST     names for info and the provider choice (default: the
 *                    world's names and the root's provided-only names)
 *   --providers N    at most N provided names to install-simulate (default 60;
 *                    each is one `apk add --simulate`)
 *   --allow-untrusted  give both programs --allow-untrusted (unsigned fixtures)
 *   --as-is          leave the cached indexes under the names the root's apk
 *                    gave them (an Alpine 3.19 root run by a newer apk, which
 *                    reads other names: both should see no index)
 *   --keep           keep the scratch copy and say where it is
 *   -v               list every difference, not the first 12 of each check
 *
 * ROOT is never changed: its apk state (etc, lib/apk, the apk cache,
 * usr/share/apk) is copied into a scratch root, where each cached index is
 * also linked under the name every apk gives it (apk 2.14.0 and older,
 * 2.14.1 and later, apk 3), so both programs read the same indexes
 * (unless --as-is).  aipkg
 * runs with AIPKG_APK set to the same apk, so it follows that apk's rules.
 *
 * Checks: list --installed (name-version sets), list --upgradable (names
 * and the newest version), info NAME (the version shown, and for a
 * provided name the providers), search TERM (names; -x; -d), list -I
 * PATTERN (globs, case), info --who-owns (a file and a directory of each
 * installed package), version -t / -c (tricky pairs and each installed
 * version against the newest indexed), and which package `apk add NAME`
 * takes for provided names (or why it refuses).
 * Differences aipkg documents are not counted: search also finds
 * installed packages no index has; -d returns one version per name.
 *
 * Exit 0 when nothing differs, 1 when something does, 2 on a usage or
 * setup error.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "tool.h"

#include "aipkg/aipkg.h"
#include "apk/search.h"
#include "apk/select.h"
#include "apk/state.h"
#include "apk/version.h"
#include "ctx.h"
#include "spawn.h"

#define SHOW_MAX 12

static const char *const default_terms[] = {
	"java", "nginx", "*ssl", "ngin?", "[a]pk-tools", "python3", "cmd:dig", "so:libz.so.1",
	"postgresql", "docker", "lib*crypto", "busybox", "py3-*", "BUSYBOX", "Py3-Six", "g++",
	"libstdc++", "pc:zlib", "cmd:sh", "xz-libs", "lib?cc", "gtk+3.0", "libsigc++3",
	"python3.1*", NULL,
};

/* names info and add are also asked about: case, '+', '.', prefixed
 * provided names (those the root has none of are answered by both as
 * unknown) */
static const char *const odd_names[] = {
	"BUSYBOX", "Busybox", "gtk+3.0", "libsigc++3", "python3.11", "so:libz.so.1",
	"so:libc.musl-x86_64.so.1", "cmd:sh", "cmd:dig", "pc:zlib", "pc:libcrypto", NULL,
};

/* apk list's patterns: globs over the whole name, case folded; else exact */
static const char *const list_patterns[] = {
	"lib*", "LIB*", "py3-*", "busybox", "BUSYBOX", "*-doc", "[a-c]*", "lib?cc", "g++",
	"libstdc++", "*ssl*", NULL,
};

/* versions apk orders in its own way (apk 2 and 3 differ on some) */
static const char *const version_pairs[][2] = {
	{ "1.0", "1.00" }, { "1.0-r1", "1.0-r01" }, { "2.1a15-r16", "2.1a15-r17" },
	{ "1.5b7-r4", "1.5-r0" }, { "6.8.0p2-r7", "6.8.0-r0" }, { "1.0_rc1", "1.0" },
	{ "1.0_p1", "1.0" }, { "1.2.3_git20230101", "1.2.3" }, { "0.1_alpha", "0.1_beta" },
	{ "1.0_pre1", "1.0_rc1" }, { "2.0_cvs", "2.0_svn" }, { "1.9.5p2-r0", "1.9.5-r0" },
	{ "1.0a", "1.0" }, { "1.0.0", "1.0" }, { "1.01", "1.1" }, { "20230101", "1.0" },
	{ "1.0_p1_rc1", "1.0_p1" }, { "1.0-r", "1.0" }, { "abc", "1.0" }, { "1..2", "1.2" },
	{ "1.0~1", "1.0" }, { "1.0_beta2", "1.0_beta10" }, { "3.0.0_alpha20240101", "3.0.0" },
	{ "1.2_p20230506-r0", "1.2_p20230506-r1" }, { "0", "0.0" },
};

struct strset {
	char **v;
	size_t n, cap;
};

struct cfg {
	char **apk;       /* the real apk's words */
	size_t napk;
	const char *apk_line;
	const char *aipkg;
	const char *terms;
	const char *names;
	size_t providers;
	bool keep, verbose, untrusted, as_is;
	char *scratch;
	int major;        /* the real apk's */
	int diffs;        /* checks that differ */
};

/* ---- small sets of strings ---- */

static void set_add(struct strset *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return;
	xgrow(&s->v, &s->cap, s->n, sizeof(*s->v));
	s->v[s->n++] = xstrdup(str);
}

static bool set_has(const struct strset *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return true;
	return false;
}

static void set_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int str_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Items of A not in B, sorted, into OUT. */
static void set_minus(const struct strset *a, const struct strset *b, struct strset *out)
{
	for (size_t i = 0; i < a->n; i++)
		if (!set_has(b, a->v[i]))
			set_add(out, a->v[i]);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), str_order);
}

/* ---- running the two programs ---- */

struct out {
	int code;
	struct aipkg_buf text, err;
};

static void run_argv(const char *const *argv, const char *const *env, struct out *o)
{
	struct aipkg_spawn sp = { .argv = argv, .timeout = 300, .env = env };
	struct aipkg_spawn_result res;
	int r = aipkg_spawn_run(&sp, &res);

	if (r < 0)
		die("cannot run %s: %s", argv[0], strerror(-r));
	o->code = res.exit_code;
	o->text = res.out;
	o->err = res.err;
}

static void out_release(struct out *o)
{
	aipkg_buf_release(&o->text);
	aipkg_buf_release(&o->err);
}

/* apk --root SCRATCH ARGS... */
static void run_apk(const struct cfg *c, const char *const *args, struct out *o)
{
	const char **argv = xmalloc((c->napk + 16) * sizeof(*argv));
	size_t n = 0;

	for (size_t i = 0; i < c->napk; i++)
		argv[n++] = c->apk[i];
	argv[n++] = "--root";
	argv[n++] = c->scratch;
	if (c->untrusted)
		argv[n++] = "--allow-untrusted";
	for (size_t i = 0; args[i] && n < c->napk + 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	run_argv(argv, NULL, o);
	free(argv);
}

/* aipkg --root SCRATCH --json ARGS..., parsed; NULL when not JSON. */
static json_t *run_aipkg(const struct cfg *c, const char *const *args, int *code)
{
	const char *argv[16] = { c->aipkg, "--root", c->scratch, "--json" };
	char *env_apk = NULL;
	const char *env[2];
	struct out o;
	json_t *doc;
	size_t n = 4;

	if (c->untrusted)
		argv[n++] = "--allow-untrusted";
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (asprintf(&env_apk, "AIPKG_APK=%s", c->apk_line) < 0)
		die("out of memory");
	env[0] = env_apk;
	env[1] = NULL;
	run_argv(argv, env, &o);
	*code = o.code;
	doc = json_loads(aipkg_buf_str(&o.text), 0, NULL);
	out_release(&o);
	free(env_apk);
	return doc;
}

/* ---- the scratch root ---- */

static void copy_tree(const char *from, const char *to)
{
	const char *argv[] = { "cp", "-a", from, to, NULL };
	struct out o;

	if (!path_exists(from))
		return;
	run_argv(argv, NULL, &o);
	if (o.code != 0)
		die("cp -a %s %s failed: %s", from, to, aipkg_buf_str(&o.err));
	out_release(&o);
}

static char *path2(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* The first 4 bytes of DIGEST(TEXT) in hex: apk's cache file names. */
static void digest_name(const char *text, const EVP_MD *md, char out[9])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(text, strlen(text), d, &len, md, NULL);
	snprintf(out, 9, "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
}

/* Link DIR's cached index of REPO under each apk's name for it. */
static void link_cache_names(const char *dir, const struct aipkg_repo *repo, const char *arch)
{
	char *url = aipkg_repo_index_url(repo, arch, 2), names[3][9], *have = NULL;

	if (!url)
		return;
	digest_name(repo->url, EVP_sha1(), names[0]); /* apk 2.14.0 and older */
	digest_name(url, EVP_sha1(), names[1]);       /* apk 2.14.1 and later */
	digest_name(url, EVP_sha256(), names[2]);     /* apk 3 */
	free(url);
	for (int i = 0; i < 3 && !have; i++) {
		char *p;

		if (asprintf(&p, "%s/APKINDEX.%s.tar.gz", dir, names[i]) < 0)
			die("out of memory");
		if (path_exists(p))
			have = p;
		else
			free(p);
	}
	for (int i = 0; have && i < 3; i++) {
		char *p;

		if (asprintf(&p, "%s/APKINDEX.%s.tar.gz", dir, names[i]) < 0)
			die("out of memory");
		if (!path_exists(p) && link(have, p) < 0)
			die("cannot link %s: %s", p, strerror(errno));
		free(p);
	}
	free(have);
}

static struct aipkg_ctx *open_ctx(const struct cfg *c)
{
	struct aipkg_opts opts = { .root = c->scratch, .caller = "compare-apk", .lock_timeout = -1 };
	struct aipkg_ctx *ctx;

	if (aipkg_ctx_new(&ctx, &opts, NULL) < 0)
		die("%s: %s", c->scratch, aipkg_ctx_errmsg(ctx));
	return ctx;
}

static void make_scratch(struct cfg *c, const char *root)
{
	static const char *const parts[] = { "etc", "lib/apk", "var/cache/apk", "usr/share/apk" };
	char tmpl[] = "/tmp/compare-apk.XXXXXX";
	struct aipkg_state st = { 0 };
	struct aipkg_ctx *ctx;
	char *cache;

	if (!mkdtemp(tmpl))
		die("mkdtemp: %s", strerror(errno));
	c->scratch = xstrdup(tmpl);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		char *from = path2(root, parts[i]), *to = path2(c->scratch, parts[i]);
		char *parent = xstrndup(to, (size_t)(strrchr(to, '/') - to));

		mkdir_p(parent, 0755);
		copy_tree(from, to);
		free(parent);
		free(from);
		free(to);
	}
	ctx = open_ctx(c);
	if (aipkg_state_load(ctx, &st, 0) < 0)
		die("%s: %s", root, aipkg_ctx_errmsg(ctx));
	cache = path2(c->scratch, "var/cache/apk");
	mkdir_p(cache, 0755);
	for (size_t i = 0; !c->as_is && i < st.nrepos; i++)
		if (st.repos[i].remote)
			link_cache_names(cache, &st.repos[i], st.arch);
	free(cache);
	aipkg_state_release(&st);
	aipkg_ctx_free(ctx);
}

/* ---- reporting ---- */

static void report(struct cfg *c, const char *check, const char *what, const struct strset *s)
{
	if (!s->n)
		return;
	c->diffs++;
	printf("DIFF %s: %s (%zu):", check, what, s->n);
	for (size_t i = 0; i < s->n && (c->verbose || i < SHOW_MAX); i++)
		printf(" %s", s->v[i]);
	printf("%s\n", !c->verbose && s->n > SHOW_MAX ? " ..." : "");
}

static void same(const char *check, size_t n)
{
	printf("same %s (%zu)\n", check, n);
}

/* The first word of each line of apk's output that is not a message. */
static void first_words(const char *text, struct strset *out)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n"), w = strcspn(p, " \t\n");

		if (w && strncmp(p, "WARNING:", 8) != 0 && strncmp(p, "ERROR:", 6) != 0 &&
		    strncmp(p, "fetch ", 6) != 0) {
			char *word = xstrndup(p, w);

			set_add(out, word);
			free(word);
		}
		p += len + (p[len] == '\n');
	}
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* ---- the checks ---- */

/* list -I [PATTERN] by both, as name-version sets; the names aipkg lists
 * go to INST_NAMES when given. */
static void check_installed(struct cfg *c, const char *pattern, struct strset *inst_names)
{
	const char *apk_args[] = { "list", "-I", pattern ? "--" : NULL, pattern, NULL };
	const char *aipkg_args[] = { "list", "--installed", pattern ? "--" : NULL, pattern, NULL };
	struct strset a = { 0 }, b = { 0 }, d1 = { 0 }, d2 = { 0 };
	char label[96];
	struct out o;
	json_t *doc, *p;
	size_t i;
	int code;

	run_apk(c, apk_args, &o);
	first_words(aipkg_buf_str(&o.text), &a);
	out_release(&o);
	doc = run_aipkg(c, aipkg_args, &code);
	json_array_foreach(json_object_get(doc, "packages"), i, p) {
		char *nv;

		if (asprintf(&nv, "%s-%s", jstr(p, "name"), jstr(p, "version")) < 0)
			die("out of memory");
		set_add(&b, nv);
		if (inst_names)
			set_add(inst_names, jstr(p, "name"));
		free(nv);
	}
	json_decref(doc);
	set_minus(&a, &b, &d1);
	set_minus(&b, &a, &d2);
	if (pattern)
		snprintf(label, sizeof(label), "list -I '%s'", pattern);
	else
		snprintf(label, sizeof(label), "list --installed");
	report(c, label, "only apk lists", &d1);
	report(c, label, "only aipkg lists", &d2);
	if (!d1.n && !d2.n)
		same(label, a.n);
	set_free(&a), set_free(&b), set_free(&d1), set_free(&d2);
}

/* "name-1.2-r0": the version, given the names it may belong to. */
static const char *version_of(const char *nv, const struct strset *names, const char **name)
{
	const char *best = NULL;

	for (size_t i = 0; i < names->n; i++) {
		size_t len = strlen(names->v[i]);

		if (strncmp(nv, names->v[i], len) == 0 && nv[len] == '-' &&
		    (!best || len > strlen(*name))) {
			*name = names->v[i];
			best = nv + len + 1;
		}
	}
	return best;
}

/* apk lists every newer version; aipkg the newest: compare "name newest".
 * Short options: apk 2.12 knows only -u and --upgradeable. */
static void apk_upgradable(struct cfg *c, const struct strset *inst, struct strset *out)
{
	static const char *const args[] = { "list", "-u", NULL };
	/* parallel: names[k]'s newest version is newest[k] (no dedupe) */
	struct strset names = { 0 }, newest = { 0 };
	struct out o;

	run_apk(c, args, &o);
	for (const char *p = aipkg_buf_str(&o.text); *p;) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *sp = strchr(line, ' '), *name = NULL;
		const char *ver;

		p += len + (p[len] == '\n');
		if (!sp || !strstr(line, "[upgradable from:")) {
			free(line);
			continue;
		}
		*sp = '\0';
		ver = version_of(line, inst, (const char **)&name);
		if (ver) {
			size_t k;

			for (k = 0; k < names.n && strcmp(names.v[k], name) != 0; k++)
				;
			if (k == names.n) {
				set_add(&names, name);
				xgrow(&newest.v, &newest.cap, newest.n, sizeof(*newest.v));
				newest.v[newest.n++] = xstrdup(ver);
			} else if (aipkg_version_compare_rules(c->major, aipkg_slice_str(ver),
							       aipkg_slice_str(newest.v[k]),
							       false) == AIPKG_VER_GREATER) {
				free(newest.v[k]);
				newest.v[k] = xstrdup(ver);
			}
		}
		free(line);
	}
	out_release(&o);
	for (size_t i = 0; i < names.n; i++) {
		char *s;

		if (asprintf(&s, "%s %s", names.v[i], newest.v[i]) < 0)
			die("out of memory");
		set_add(out, s);
		free(s);
	}
	set_free(&names);
	set_free(&newest);
}

static void check_upgradable(struct cfg *c, const struct strset *inst)
{
	static const char *const args[] = { "list", "--upgradable", NULL };
	struct strset a = { 0 }, b = { 0 }, d1 = { 0 }, d2 = { 0 };
	json_t *doc, *p;
	size_t i;
	int code;

	apk_upgradable(c, inst, &a);
	doc = run_aipkg(c, args, &code);
	json_array_foreach(json_object_get(doc, "packages"), i, p) {
		char *s;

		if (asprintf(&s, "%s %s", jstr(p, "name"), jstr(p, "available")) < 0)
			die("out of memory");
		set_add(&b, s);
		free(s);
	}
	json_decref(doc);
	set_minus(&a, &b, &d1);
	set_minus(&b, &a, &d2);
	report(c, "list --upgradable", "only apk (name newest)", &d1);
	report(c, "list --upgradable", "only aipkg (name newest)", &d2);
	if (!d1.n && !d2.n)
		same("list --upgradable", a.n);
	set_free(&a), set_free(&b), set_free(&d1), set_free(&d2);
}

/* Is NAME installed at a version no index holds? */
static bool installed_unindexed(const struct aipkg_state *st, const char *name)
{
	const struct aipkg_pkg *inst = aipkg_pkgset_find(&st->installed, name);

	for (size_t i = 0; inst && i < st->available.n; i++)
		if (strcmp(st->available.pkgs[i].name, name) == 0 &&
		    strcmp(st->available.pkgs[i].version, inst->version) == 0)
			return false;
	return inst != NULL;
}

/* search: apk's names against aipkg's, an installed-only extra allowed. */
static void check_search(struct cfg *c, const char *term, const char *flag,
			 const struct strset *inst, const struct aipkg_state *st)
{
	const char *apk_args[6] = { "search", "-q", NULL }, *aipkg_args[5] = { "search", NULL };
	struct strset a = { 0 }, b = { 0 }, d1 = { 0 }, d2 = { 0 }, extra = { 0 };
	char label[160];
	struct out o;
	json_t *doc, *p;
	size_t i, n = 2, m = 1;
	int code;

	if (flag) {
		apk_args[n++] = flag;
		aipkg_args[m++] = flag;
	}
	apk_args[n++] = "--";
	apk_args[n++] = term;
	aipkg_args[m++] = "--";
	aipkg_args[m++] = term;
	run_apk(c, apk_args, &o);
	first_words(aipkg_buf_str(&o.text), &a);
	out_release(&o);
	doc = run_aipkg(c, aipkg_args, &code);
	json_array_foreach(json_object_get(doc, "packages"), i, p)
		set_add(&b, jstr(p, "name"));
	json_decref(doc);
	set_minus(&a, &b, &d1);
	set_minus(&b, &a, &extra);
	/* apk search does not read the installed db: an installed version no
	 * index has (nginx 1.27.4 from nginx.org, the index 1.26.3) is aipkg's */
	for (i = 0; i < extra.n; i++)
		if (!set_has(inst, extra.v[i]) || !installed_unindexed(st, extra.v[i]))
			set_add(&d2, extra.v[i]);
	snprintf(label, sizeof(label), "search %s%s'%s'", flag ? flag : "", flag ? " " : "", term);
	report(c, label, "only apk finds", &d1);
	report(c, label, "only aipkg finds", &d2);
	if (!d1.n && !d2.n)
		same(label, a.n);
	set_free(&a), set_free(&b), set_free(&d1), set_free(&d2), set_free(&extra);
}

/* Does apk's output name package NAME as one it installs or would? */
static bool apk_took(const char *out, const char *name)
{
	char *installing, *required;
	bool took;

	if (asprintf(&installing, "Installing %s (", name) < 0 ||
	    asprintf(&required, "required by: %s-", name) < 0)
		die("out of memory");
	took = strstr(out, installing) || strstr(out, required);
	free(installing);
	free(required);
	return took;
}

/* Is LINE "  NAME (WHAT)" in apk's error? */
static bool apk_says(const char *out, const char *name, const char *what)
{
	char *needle;
	bool says;

	if (asprintf(&needle, "  %s %s", name, what) < 0)
		die("out of memory");
	says = strstr(out, needle) != NULL;
	free(needle);
	return says;
}

/* Does apk's error concern the world's NAME itself ("world[NAME]")? */
static bool apk_says_world(const char *out, const char *name)
{
	char *needle;
	bool says;

	if (asprintf(&needle, "world[%s]", name) < 0)
		die("out of memory");
	says = strstr(out, needle) != NULL;
	free(needle);
	return says;
}

/*
 * What `apk add --simulate NAME` says, in aipkg_choice()'s words: the
 * provider aipkg named (MINE) when apk installs it or fails only on its
 * dependencies, "=" when apk has nothing to do for NAME, "!virtual",
 * "!none", "!tagged" when apk refuses NAME itself, "!deps" when it fails
 * on a dependency only (no answer for NAME), else the first other
 * provider apk installs, else "!error".
 */
static char *apk_choice(struct cfg *c, const char *name, const char *mine,
			const struct aipkg_state *st)
{
	const char *args[] = { "add", "--simulate", "--", name, NULL };
	struct aipkg_buf all = AIPKG_BUF_INIT;
	const struct aipkg_pkg **prov;
	char *res = NULL;
	struct out o;
	size_t n;

	run_apk(c, args, &o);
	aipkg_buf_addf(&all, "%s\n%s", aipkg_buf_str(&o.text), aipkg_buf_str(&o.err));
	if (apk_says(all.data, name, "(virtual)"))
		res = xstrdup("!virtual");
	else if (apk_says(all.data, name, "(no such package)"))
		res = xstrdup("!none");
	else if (o.code != 0 && strstr(all.data, "masked in: @") &&
		 strstr(all.data, "satisfies: world["))
		res = xstrdup("!tagged");
	else if (mine[0] != '!' && mine[0] != '=' && apk_took(all.data, mine))
		res = xstrdup(mine);
	else if (o.code != 0 && !apk_says_world(all.data, name))
		res = xstrdup("!deps"); /* apk failed on a dependency: no answer for NAME */
	else if (o.code == 0 && !strstr(all.data, "Installing "))
		res = xstrdup("=");
	prov = res ? NULL : aipkg_select_providers(st, aipkg_slice_str(name), &n);
	for (size_t i = 0; prov && i < n && !res; i++)
		if (apk_took(all.data, prov[i]->name))
			res = xstrdup(prov[i]->name);
	free(prov);
	if (!res)
		res = xstrdup(o.code == 0 && mine[0] == '=' ? "=" : "!error");
	aipkg_buf_release(&all);
	out_release(&o);
	return res;
}

/* aipkg's answer in the same words, from info. */
static char *aipkg_choice(struct cfg *c, const char *name)
{
	const char *args[] = { "info", "--", name, NULL };
	int code;
	json_t *doc = run_aipkg(c, args, &code), *e = json_object_get(doc, "error");
	char *res;

	if (e)
		res = xstrdup(strstr(jstr(e, "message"), "virtual name") ? "!virtual" : "!none");
	else if (json_object_get(doc, "repository_tag"))
		res = xstrdup("!tagged");
	else if (json_is_true(json_object_get(doc, "installed")))
		res = xstrdup("=");
	else
		res = xstrdup(jstr(doc, "name"));
	json_decref(doc);
	return res;
}

static void check_choices(struct cfg *c, const struct strset *names, const struct aipkg_state *st)
{
	struct strset d = { 0 }, deps = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < names->n && n < c->providers; i++, n++) {
		char *b = aipkg_choice(c, names->v[i]), *a = apk_choice(c, names->v[i], b, st);

		if (strcmp(a, "!deps") == 0) {
			set_add(&deps, names->v[i]);
		} else if (strcmp(a, b) != 0) {
			char *s;

			if (asprintf(&s, "%s:apk=%s,aipkg=%s", names->v[i], a, b) < 0)
				die("out of memory");
			set_add(&d, s);
			free(s);
		}
		free(a);
		free(b);
	}
	report(c, "add NAME (provider chosen)", "differs", &d);
	if (!d.n)
		same("add NAME (provider chosen)", n - deps.n);
	if (deps.n)
		printf("note add NAME: apk fails on a dependency, not compared (%zu):", deps.n);
	for (size_t i = 0; i < deps.n; i++)
		printf(" %s", deps.v[i]);
	if (deps.n)
		printf("\n");
	set_free(&d);
	set_free(&deps);
}

/* aipkg's error for a virtual name apk will not choose for names every
 * provider apk's info lists (and apk lists one at least); any other error
 * agrees only with apk listing nothing. */
static bool virtual_named(const json_t *doc, const struct strset *listed)
{
	const char *msg = jstr(json_object_get(doc, "error"), "message");

	if (!strstr(msg, "virtual name"))
		return listed->n == 0;
	for (size_t i = 0; i < listed->n; i++) {
		char *name = xstrndup(listed->v[i], strcspn(listed->v[i], "-"));
		bool named = strstr(msg, name) != NULL;

		free(name);
		if (!named)
			return false;
	}
	return listed->n > 0;
}

/* info NAME: apk prints every package that is or provides NAME; aipkg
 * the one apk would take, and names the other providers. */
static void check_info(struct cfg *c, const struct strset *names)
{
	struct strset d = { 0 };

	for (size_t i = 0; i < names->n; i++) {
		const char *apk_args[] = { "info", "--", names->v[i], NULL };
		const char *aipkg_args[] = { "info", "--", names->v[i], NULL };
		struct strset a = { 0 };
		struct out o;
		int code;
		json_t *doc, *v;
		size_t k;
		char *nv;

		run_apk(c, apk_args, &o);
		for (const char *p = aipkg_buf_str(&o.text); (p = strstr(p, " description:"));) {
			const char *s = p;

			while (s > aipkg_buf_str(&o.text) && s[-1] != '\n')
				s--;
			nv = xstrndup(s, (size_t)(p - s));
			set_add(&a, nv);
			free(nv);
			p++;
		}
		out_release(&o);
		doc = run_aipkg(c, aipkg_args, &code);
		if (asprintf(&nv, "%s-%s", jstr(doc, "name"), jstr(doc, "version")) < 0)
			die("out of memory");
		if (json_object_get(doc, "error") ? !virtual_named(doc, &a) : !set_has(&a, nv)) {
			char *s;

			if (asprintf(&s, "%s:aipkg=%s", names->v[i],
				     json_object_get(doc, "error") ? "(none)" : nv) < 0)
				die("out of memory");
			set_add(&d, s);
			free(s);
		}
		/* every other provider apk lists is named by aipkg */
		json_array_foreach(json_object_get(doc, "other_providers"), k, v) {
			bool listed = false;

			for (size_t j = 0; j < a.n && !listed; j++)
				listed = strncmp(a.v[j], json_string_value(v),
						 strlen(json_string_value(v))) == 0;
			if (!listed) {
				char *s;

				if (asprintf(&s, "%s:aipkg-extra-provider=%s", names->v[i],
					     json_string_value(v)) < 0)
					die("out of memory");
				set_add(&d, s);
				free(s);
			}
		}
		free(nv);
		json_decref(doc);
		set_free(&a);
	}
	report(c, "info NAME", "differs", &d);
	if (!d.n)
		same("info NAME", names->n);
	set_free(&d);
}

/* ---- names to ask about ---- */

static void provided_names(const struct aipkg_state *st, struct strset *out, bool with_prefixed)
{
	for (size_t i = 0; i < st->available.n; i++) {
		const struct aipkg_pkg *p = &st->available.pkgs[i];

		for (size_t k = 0; k < p->provides.n; k++) {
			char *n = xstrndup(p->provides.v[k], strcspn(p->provides.v[k], "="));

			if ((with_prefixed || !strchr(n, ':')) && n[0] != '/' &&
			    !aipkg_pkgset_find(&st->available, n) && !set_has(out, n))
				set_add(out, n);
			free(n);
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), str_order);
}

static void world_names(const struct aipkg_state *st, struct strset *out)
{
	for (size_t i = 0; i < st->nworld; i++) {
		struct aipkg_dep d;
		char *n;

		if (aipkg_dep_parse(aipkg_slice_str(st->world[i]), &d) < 0 || d.conflict)
			continue;
		n = aipkg_slice_dup(d.name);
		set_add(out, n);
		free(n);
	}
}

static void split_list(const char *list, struct strset *out)
{
	for (const char *p = list; *p;) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if (len) {
			char *w = xstrndup(p, len);

			set_add(out, w);
			free(w);
		}
		p += len;
	}
}

static int detect_major(struct cfg *c)
{
	const char *args[] = { "--version", NULL };
	const char **argv = xmalloc((c->napk + 2) * sizeof(*argv));
	struct out o;
	const char *v;
	int major;

	for (size_t i = 0; i < c->napk; i++)
		argv[i] = c->apk[i];
	argv[c->napk] = args[0];
	argv[c->napk + 1] = NULL;
	run_argv(argv, NULL, &o);
	free(argv);
	v = strstr(aipkg_buf_str(&o.text), "apk-tools ");
	if (!v)
		die("'%s --version' does not say apk-tools", c->apk_line);
	major = v[10] - '0';
	printf("# apk: %.*s", (int)strcspn(v, "\n"), v);
	out_release(&o);
	return major >= 3 ? 3 : 2;
}

/* apk's own refusal to open the root, or NULL when it opens it. */
static char *apk_refuses(struct cfg *c)
{
	static const char *const args[] = { "info", "--installed", "apk-tools", NULL };
	struct out o;
	char *why = NULL;

	run_apk(c, args, &o);
	if (strstr(aipkg_buf_str(&o.err), "Failed to open apk database")) {
		const char *e = aipkg_buf_str(&o.err);

		why = xstrndup(e, strcspn(e, "\n"));
	}
	out_release(&o);
	return why;
}


/* One path of an installed db's files a package, "dir/file" or "dir". */
struct owned {
	char *path, *nv;
};

/* Up to MAX paths from ROOT's installed db, with their owner: a
 * package's first file and first directory, and a few paths no package
 * owns or named relatively. */
static size_t owned_paths(const char *root, struct owned *v, size_t max)
{
	char *db = path2(root, "lib/apk/db/installed"), line[4096], name[4096] = "", ver[4096] = "",
	     dir[4096] = "";
	FILE *f = fopen(db, "r");
	bool file_done = false, dir_done = false;
	size_t n = 0;

	free(db);
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0]) {
			file_done = dir_done = false;
			name[0] = ver[0] = '\0';
		} else if (line[0] == 'P' && line[1] == ':') {
			snprintf(name, sizeof(name), "%s", line + 2);
		} else if (line[0] == 'V' && line[1] == ':') {
			snprintf(ver, sizeof(ver), "%s", line + 2);
		} else if (line[0] == 'F' && line[1] == ':') {
			snprintf(dir, sizeof(dir), "%s", line + 2);
			if (!dir_done && dir[0] && name[0]) {
				v[n].path = xasprintf("/%s", dir);
				v[n++].nv = xasprintf("%s-%s", name, ver);
				dir_done = true;
			}
		} else if (line[0] == 'R' && line[1] == ':' && !file_done && name[0] && n < max) {
			/* the first file of each package, the second one relatively */
			v[n].path = xasprintf("%s%s%s%s", n % 2 ? "/" : "", dir, dir[0] ? "/" : "",
					      line + 2);
			v[n++].nv = xasprintf("%s-%s", name, ver);
			file_done = true;
		}
	}
	fclose(f);
	if (n + 2 <= max) {
		v[n].path = xstrdup("/nonexistent/file");
		v[n++].nv = xstrdup("");
		v[n].path = xstrdup("/etc/apk/world");
		v[n++].nv = xstrdup("");
	}
	return n;
}

/* info --who-owns: each path's owner (or none) by apk and by aipkg */
static void check_who_owns(struct cfg *c, const char *root)
{
	struct owned v[240];
	size_t n = owned_paths(root, v, sizeof(v) / sizeof(v[0]));
	const char **apk_args = xmalloc((n + 4) * sizeof(*apk_args));
	struct strset a = { 0 }, b = { 0 }, d1 = { 0 }, d2 = { 0 };
	struct out o;
	json_t *doc, *e;
	size_t i;
	int code;

	if (!n) {
		free(apk_args);
		return;
	}
	apk_args[0] = "info";
	apk_args[1] = "--who-owns";
	apk_args[2] = "--";
	for (i = 0; i < n; i++)
		apk_args[3 + i] = v[i].path;
	apk_args[3 + n] = NULL;
	{
		/* more words than run_apk takes: its own argv */
		const char **argv = xmalloc((c->napk + n + 8) * sizeof(*argv));
		size_t k = 0;

		for (i = 0; i < c->napk; i++)
			argv[k++] = c->apk[i];
		argv[k++] = "--root";
		argv[k++] = c->scratch;
		for (i = 0; apk_args[i]; i++)
			argv[k++] = apk_args[i];
		argv[k] = NULL;
		run_argv(argv, NULL, &o);
		free(argv);
	}
	/* "PATH is owned by NAME-VERSION" */
	for (const char *p = aipkg_buf_str(&o.text); *p;) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *by = strstr(line, " is owned by ");

		if (by) {
			char *s;

			*by = '\0';
			s = xasprintf("%s=%s", line, by + 13);
			set_add(&a, s);
			free(s);
		}
		free(line);
		p += len + (p[len] == '\n');
	}
	out_release(&o);
	{
		const char *argv[260] = { c->aipkg, "--root", c->scratch, "--json", "info",
					  "--who-owns", "--" };
		char *env_apk = xasprintf("AIPKG_APK=%s", c->apk_line);
		const char *env[] = { env_apk, NULL };
		size_t k = 7;

		for (i = 0; i < n && k < 259; i++)
			argv[k++] = v[i].path;
		argv[k] = NULL;
		run_argv(argv, env, &o);
		code = o.code;
		doc = json_loads(aipkg_buf_str(&o.text), 0, NULL);
		out_release(&o);
		free(env_apk);
	}
	json_array_foreach(json_object_get(doc, "owners"), i, e) {
		char *s = xasprintf("%s=%s-%s", jstr(e, "path"), jstr(e, "package"), jstr(e, "version"));

		set_add(&b, s);
		free(s);
	}
	json_decref(doc);
	(void)code;
	set_minus(&a, &b, &d1);
	set_minus(&b, &a, &d2);
	report(c, "info --who-owns", "only apk (path=owner)", &d1);
	report(c, "info --who-owns", "only aipkg (path=owner)", &d2);
	if (!d1.n && !d2.n)
		same("info --who-owns", n);
	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].nv);
	}
	free(apk_args);
	set_free(&a), set_free(&b), set_free(&d1), set_free(&d2);
}

/* version -t A B and version -c V: the fixed pairs, and each installed
 * package's version against the newest one the indexes hold */
static void check_versions(struct cfg *c, const struct aipkg_state *st)
{
	struct strset pairs = { 0 }, d = { 0 };
	size_t npairs = 0;

	for (size_t i = 0; i < sizeof(version_pairs) / sizeof(version_pairs[0]); i++) {
		char *s = xasprintf("%s %s", version_pairs[i][0], version_pairs[i][1]);

		set_add(&pairs, s);
		free(s);
	}
	for (size_t i = 0; i < st->installed.n; i++) {
		const struct aipkg_pkg *inst = &st->installed.pkgs[i], *best = aipkg_state_best(st, inst->name);
		char *s;

		if (!best || strcmp(best->version, inst->version) == 0)
			continue;
		s = xasprintf("%s %s", inst->version, best->version);
		set_add(&pairs, s);
		free(s);
	}
	for (size_t i = 0; i < pairs.n; i++) {
		char *x = xstrdup(pairs.v[i]), *y = strchr(x, ' ');
		const char *apk_t[] = { "version", "-t", "--", x, y + 1, NULL };
		const char *aipkg_t[] = { "version", "-t", "--", x, y + 1, NULL };
		const char *apk_c[] = { "version", "-c", "--", x, NULL };
		const char *aipkg_c[] = { "version", "-c", "--", x, NULL };
		struct out o;
		json_t *doc;
		char ra[8] = "", rb[8] = "";
		int code, ca, cb;

		*y = '\0';
		run_apk(c, apk_t, &o);
		snprintf(ra, sizeof(ra), "%.*s", (int)strcspn(aipkg_buf_str(&o.text), "\n"),
			 aipkg_buf_str(&o.text));
		out_release(&o);
		doc = run_aipkg(c, aipkg_t, &code);
		snprintf(rb, sizeof(rb), "%s", jstr(doc, "result"));
		json_decref(doc);
		if (strcmp(ra, rb) != 0) {
			char *s = xasprintf("'%s'%s'%s'(aipkg %s)", x, ra[0] ? ra : "?", y + 1,
					    rb[0] ? rb : "?");

			set_add(&d, s);
			free(s);
		}
		/* -c: apk prints the invalid ones */
		run_apk(c, apk_c, &o);
		ca = aipkg_buf_str(&o.text)[0] != '\0';
		out_release(&o);
		doc = run_aipkg(c, aipkg_c, &code);
		cb = json_array_size(json_object_get(doc, "invalid")) > 0;
		json_decref(doc);
		if (ca != cb) {
			char *s = xasprintf("-c '%s': apk %s, aipkg %s", x, ca ? "invalid" : "valid",
					    cb ? "invalid" : "valid");

			set_add(&d, s);
			free(s);
		}
		free(x);
		npairs++;
	}
	report(c, "version -t/-c", "differs", &d);
	if (!d.n)
		same("version -t/-c", npairs);
	set_free(&pairs);
	set_free(&d);
}

static void run_checks(struct cfg *c, const char *root)
{
	struct strset inst = { 0 }, names = { 0 }, provided = { 0 }, terms = { 0 }, odd = { 0 };
	struct aipkg_ctx *ctx = open_ctx(c);
	struct aipkg_state st;
	char *refused;

	if (aipkg_state_load(ctx, &st, AIPKG_STATE_ALL) < 0)
		die("%s: %s", c->scratch, aipkg_ctx_errmsg(ctx));
	printf(" on %s (Alpine %s, %s, %zu installed, %zu in the indexes)\n", c->scratch,
	       st.release ? st.release : "?", st.arch, st.installed.n, st.available.n);
	/* nothing to compare with: say why apk will not read the root */
	if ((refused = apk_refuses(c))) {
		printf("DIFF apk refuses this root: %s\n", refused);
		c->diffs++;
		free(refused);
		aipkg_state_release(&st);
		aipkg_ctx_free(ctx);
		return;
	}
	check_installed(c, NULL, &inst);
	check_upgradable(c, &inst);
	for (size_t k = 0; list_patterns[k]; k++)
		check_installed(c, list_patterns[k], NULL);
	check_who_owns(c, root);
	check_versions(c, &st);
	if (c->terms)
		split_list(c->terms, &terms);
	for (size_t i = 0; !c->terms && default_terms[i]; i++)
		set_add(&terms, default_terms[i]);
	for (size_t i = 0; i < terms.n; i++) {
		check_search(c, terms.v[i], NULL, &inst, &st);
		check_search(c, terms.v[i], "-x", &inst, &st);
	}
	check_search(c, "web server", "-d", &inst, &st);
	if (c->names) {
		split_list(c->names, &names);
	} else {
		world_names(&st, &names);
		provided_names(&st, &provided, false);
	}
	for (size_t i = 0; !c->names && odd_names[i]; i++) {
		set_add(&names, odd_names[i]);
		set_add(&odd, odd_names[i]);
	}
	check_info(c, &names);
	check_choices(c, c->names ? &names : &odd, &st);
	if (!c->names)
		check_choices(c, &provided, &st);
	aipkg_state_release(&st);
	aipkg_ctx_free(ctx);
	set_free(&inst), set_free(&names), set_free(&provided), set_free(&terms);
	set_free(&odd);
}

static void usage(void)
{
	fprintf(stderr, "usage: compare-apk [--apk CMD] [--aipkg PATH] [--terms LIST] "
			"[--names LIST] [--providers N] [--allow-untrusted] [--as-is] [--keep] [-v] "
			"ROOT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct cfg c = { .providers = 60 };
	const char *root = NULL;

	tool_name = "compare-apk";
	c.apk_line = getenv("AIPKG_TEST_APK");
	c.aipkg = getenv("AIPKG") ? getenv("AIPKG") : "aipkg";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--apk") == 0 && i + 1 < argc)
			c.apk_line = argv[++i];
		else if (strcmp(argv[i], "--aipkg") == 0 && i + 1 < argc)
			c.aipkg = argv[++i];
		else if (strcmp(argv[i], "--terms") == 0 && i + 1 < argc)
			c.terms = argv[++i];
		else if (strcmp(argv[i], "--names") == 0 && i + 1 < argc)
			c.names = argv[++i];
		else if (strcmp(argv[i], "--providers") == 0 && i + 1 < argc)
			c.providers = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--keep") == 0)
			c.keep = true;
		else if (strcmp(argv[i], "--allow-untrusted") == 0)
			c.untrusted = true;
		else if (strcmp(argv[i], "--as-is") == 0)
			c.as_is = true;
		else if (strcmp(argv[i], "-v") == 0)
			c.verbose = true;
		else if (argv[i][0] == '-' || root)
			usage();
		else
			root = argv[i];
	}
	if (!root || !c.apk_line || !*c.apk_line)
		usage();
	if (aipkg_split_words(c.apk_line, &c.apk, &c.napk) < 0 || !c.napk)
		die("cannot read the apk command '%s'", c.apk_line);
	/* aipkg's own reading of the root follows the same apk */
	setenv("AIPKG_APK", c.apk_line, 1);
	c.major = detect_major(&c);
	make_scratch(&c, root);
	run_checks(&c, root);
	printf("%s: %d check%s differ%s\n", root, c.diffs, c.diffs == 1 ? "" : "s",
	       c.diffs == 1 ? "s" : "");
	if (c.keep) {
		printf("# scratch root kept: %s\n", c.scratch);
	} else {
		const char *rm[] = { "rm", "-rf", c.scratch, NULL };
		struct out o;

		run_argv(rm, NULL, &o);
		out_release(&o);
	}
	aipkg_strv_free(c.apk, c.napk);
	free(c.scratch);
	return c.diffs ? 1 : 0;
}
