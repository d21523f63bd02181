/* apk-double's database: names, packages, dependencies, repositories and the files under --root. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TEST_DOUBLE_DB_H
#define AIPKG_TEST_DOUBLE_DB_H

/*
 * Included once, by apk-double.c.  The model follows apk's: a package is
 * one build (identified by its C: checksum) that may be installed and/or
 * in several repositories; a name has providers (packages of that name,
 * and packages whose p: provides it).  Nothing is freed: the process is
 * short-lived and everything stays reachable from `db`.
 */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>

#include <curl/curl.h>

#include "apk/state.h"
#include "apk/version.h"
#include "tool.h"

/* apk's version comparison bits and dependency masks */
enum { V_EQUAL = 1, V_LESS = 2, V_GREATER = 4, V_FUZZY = 8 };
#define DEPMASK_ANY	 (V_EQUAL | V_LESS | V_GREATER)
#define DEPMASK_CHECKSUM (V_LESS | V_GREATER)

struct name;
struct pkg;

struct dep {
	struct name *name;
	const char *version; /* NULL when any version */
	unsigned mask;
	bool conflict, fuzzy;
	int tag; /* repository tag id, 0 untagged */
};

struct deps {
	struct dep *v;
	size_t n, cap;
};

struct provider {
	struct pkg *pkg;
	const char *version; /* NULL: provided without a version (virtual) */
};

struct name {
	char *s;
	struct provider *prov;
	size_t nprov, cprov;
	struct name **rdeps; /* names whose packages depend on this one */
	size_t nrdeps, crdeps;
	/* solver */
	struct provider chosen;
	bool locked, seen;
	int requirers;
	unsigned sflags, sflags_inh; /* set on the command line (add -u, upgrade NAME) */
	unsigned pins;		     /* repository tags the requirers allow */
	bool queued;
	int chain; /* dependency depth below, -1 unknown */
	/* changeset */
	struct pkg *inst_pkg;
	struct name *inst_name;
	int cs_requirers;
	bool in_cs;
	/* error report and del */
	unsigned state;
	bool in_world;
	size_t order; /* creation order, for apk's hash-table walk */
};

struct pkg {
	struct name *name;
	const char *version, *arch, *desc, *url, *license, *origin, *maintainer, *commit;
	const char *csum;
	uint64_t size, isize, build_time;
	long priority;
	struct deps depends, provides, iif;
	unsigned repos; /* bit N: in repository N */
	bool installed, is_virtual;
	const char *file; /* a package file named on the command line */
	size_t inst_order;
	const char *inst_tag;	/* the installed db's s: */
	const char *broken;	/* the installed db's f: ("f": files failed to extract) */
	struct aipkg_buf extra; /* r:, q:, f: and unknown installed-db lines */
	struct aipkg_buf files; /* F:, M:, R:, a:, Z: lines */
	/* solver */
	bool seen, selectable, tag_ok, tag_pref, error, in_cs, marked;
	unsigned flags, flags_inh, pin_allowed, pin_pref;
	unsigned genid, state;
};

struct repo {
	char *url; /* as written */
	int tag;
	bool remote, ok;
	char *desc;
	char *index_url; /* the index's URL or path */
	char *cache;	 /* remote: the cached index's path */
};

struct tagdef {
	char *name;	  /* "" for the default */
	unsigned allowed; /* repositories carrying the tag */
};

static struct db {
	int major;  /* 2 or 3: which apk is mimicked */
	const char *version; /* "2.14.4", "3.0.6" or APK_DOUBLE_VERSION */
	char *root; /* without trailing '/' */
	char *arch;
	char *cache_dir; /* absolute */
	bool cache_packages; /* packages are cached in cache_dir */
	struct name **names;
	size_t nnames, cnames, hcap;
	struct name **hash;
	struct pkg **pkgs;
	size_t npkgs, cpkgs;
	struct pkg **inst; /* installed, in installed-db order */
	size_t ninst, cinst;
	struct deps world;
	struct repo *repos;
	size_t nrepos;
	struct tagdef tags[32];
	size_t ntags;
	unsigned available; /* repositories that may be used */
	unsigned local;
	int verbosity;
	bool allow_untrusted, no_network, no_cache, update_cache, simulate, initdb;
	unsigned genid;
	int lock_fd;
	int progress_fd; /* --progress-fd; 0: none, as in apk */
} db = {.major = 2, .ntags = 1, .verbosity = 1, .lock_fd = -1};

/* ---- messages, as apk prints them ---- */

__attribute__((format(printf, 1, 2), unused)) static void msg(const char *fmt, ...)
{
	va_list ap;

	if (db.verbosity < 1)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

__attribute__((format(printf, 1, 2), unused)) static void err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2), unused)) static void warn(const char *fmt, ...)
{
	va_list ap;

	if (db.verbosity < 1)
		return;
	fflush(stdout);
	fputs("WARNING: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* apk_error_str(): apk 2 has its own words for a few errnos */
TOOL_FN const char *apk_strerror(int e)
{
	if (db.major == 2 && e == EAGAIN)
		return "temporary error (try again later)";
	return strerror(e);
}

/* apk's "wrapped list" printer (apk_print_indented): 50 columns when
 * stdout is not a terminal. */
struct indent {
	FILE *f;
	int x, indent, width;
};

TOOL_FN void ind_init(struct indent *i, FILE *f)
{
	struct winsize w;

	i->f = f;
	i->x = i->indent = 0;
	i->width = 50;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 25)
		i->width = w.ws_col;
}

__attribute__((format(printf, 3, 4), unused)) static void ind_group(struct indent *i, int indent,
								    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	i->x = vfprintf(i->f, fmt, ap);
	va_end(ap);
	i->indent = indent ? indent : i->x + 1;
	if (fmt[strlen(fmt) - 1] == '\n')
		i->x = 0;
}

TOOL_FN void ind_word(struct indent *i, const char *w)
{
	int len = (int)strlen(w);

	if (i->x <= i->indent)
		i->x += fprintf(i->f, "%*s%s", i->indent - i->x, "", w);
	else if (i->x + len + 1 >= i->width)
		i->x = fprintf(i->f, "\n%*s%s", i->indent, "", w) - 1;
	else
		i->x += fprintf(i->f, " %s", w);
}

TOOL_FN void ind_end(struct indent *i)
{
	if (i->x) {
		fputc('\n', i->f);
		i->x = i->indent = 0;
	}
}

/* ---- strings ---- */

/* Strings that live as long as the process: package fields and
 * dependency versions, shared freely between copies of a record. */
static struct {
	char **v;
	size_t n, cap;
} strpool;

TOOL_FN const char *intern(const char *s, size_t len)
{
	char *p = xstrndup(s, len);

	*(char **)xgrow(&strpool.v, &strpool.cap, strpool.n++, sizeof(p)) = p;
	return p;
}

TOOL_FN const char *intern_str(const char *s)
{
	return intern(s, strlen(s));
}

/* ---- names and dependencies ---- */

static size_t name_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

TOOL_FN struct name *name_find(const char *s)
{
	if (!db.hcap)
		return NULL;
	for (size_t i = name_hash(s) & (db.hcap - 1); db.hash[i]; i = (i + 1) & (db.hcap - 1))
		if (!strcmp(db.hash[i]->s, s))
			return db.hash[i];
	return NULL;
}

static void name_rehash(void)
{
	db.hcap = db.hcap ? db.hcap * 2 : 1024;
	free(db.hash);
	db.hash = xmalloc(db.hcap * sizeof(*db.hash));
	for (size_t n = 0; n < db.nnames; n++) {
		size_t i = name_hash(db.names[n]->s) & (db.hcap - 1);
		while (db.hash[i])
			i = (i + 1) & (db.hcap - 1);
		db.hash[i] = db.names[n];
	}
}

TOOL_FN struct name *name_get(const char *s, size_t len)
{
	char *key = xstrndup(s, len);
	struct name *n = name_find(key);

	if (n) {
		free(key);
		return n;
	}
	if ((db.nnames + 1) * 2 > db.hcap)
		name_rehash();
	n = xmalloc(sizeof(*n));
	n->s = key;
	n->order = db.nnames;
	*(struct name **)xgrow(&db.names, &db.cnames, db.nnames++, sizeof(n)) = n;
	size_t i = name_hash(key) & (db.hcap - 1);
	while (db.hash[i])
		i = (i + 1) & (db.hcap - 1);
	db.hash[i] = n;
	return n;
}

/* apk_name_cmp_display */
TOOL_FN int name_cmp(const char *a, const char *b)
{
	int r = strcasecmp(a, b);

	return r ? r : strcmp(a, b);
}

TOOL_FN unsigned version_cmp(const char *a, const char *b, bool fuzzy)
{
	/* the rules of the apk the double plays: 2.14's or 3.0's */
	switch (aipkg_version_compare_rules(db.major >= 3 ? 3 : 2, aipkg_slice_str(a),
					    aipkg_slice_str(b), fuzzy)) {
	case AIPKG_VER_LESS:
		return V_LESS;
	case AIPKG_VER_EQUAL:
		return V_EQUAL;
	case AIPKG_VER_GREATER:
		return V_GREATER;
	default:
		return 0;
	}
}

TOOL_FN const char *op_string(unsigned mask)
{
	switch (mask) {
	case V_LESS:
		return "<";
	case V_LESS | V_EQUAL:
		return "<=";
	case V_EQUAL | V_FUZZY:
	case V_FUZZY:
		return "~";
	case V_EQUAL:
		return "=";
	case V_GREATER | V_EQUAL:
		return ">=";
	case V_GREATER:
		return ">";
	case DEPMASK_CHECKSUM:
		return "><";
	case V_LESS | V_EQUAL | V_FUZZY:
		return "<~";
	case V_GREATER | V_EQUAL | V_FUZZY:
		return ">~";
	default:
		return "";
	}
}

/* A dependency as apk prints it (apk_dep_snprintf); WITH_TAG adds
 * "@tag" the way the world file has it. */
TOOL_FN char *dep_str(const struct dep *d, bool with_tag)
{
	return xasprintf("%s%s%s%s%s%s", d->conflict ? "!" : "", d->name->s,
			 with_tag && d->tag ? "@" : "",
			 with_tag && d->tag ? db.tags[d->tag].name : "",
			 d->version ? op_string(d->mask) : "", d->version ? d->version : "");
}

TOOL_FN int tag_get(const char *s, size_t len)
{
	for (size_t i = 1; i < db.ntags; i++)
		if (strlen(db.tags[i].name) == len && !strncmp(db.tags[i].name, s, len))
			return (int)i;
	if (db.ntags >= sizeof(db.tags) / sizeof(db.tags[0]))
		die("too many repository tags");
	db.tags[db.ntags].name = xstrndup(s, len);
	return (int)db.ntags++;
}

/*
 * Parse one atom "[!]name[@tag][op version]" of LEN bytes (apk's
 * apk_blob_pull_dep).  False when it is not one.
 */
TOOL_FN bool dep_parse(const char *s, size_t len, struct dep *d)
{
	static const char ops[] = "<>=~";
	size_t i = 0, nlen, olen = 0;

	memset(d, 0, sizeof(*d));
	d->mask = DEPMASK_ANY;
	if (len && s[0] == '!') {
		d->conflict = true;
		s++, len--;
	}
	while (i < len && !strchr(ops, s[i]))
		i++;
	nlen = i;
	if (i < len) {
		d->mask = 0;
		for (; i + olen < len && strchr(ops, s[i + olen]); olen++) {
			char c = s[i + olen];
			d->mask |= c == '<'   ? V_LESS
				   : c == '>' ? V_GREATER
				   : c == '=' ? V_EQUAL
					      : V_EQUAL | V_FUZZY;
			d->fuzzy |= c == '~';
		}
		d->version = intern(s + i + olen, len - i - olen);
		if ((d->mask & DEPMASK_CHECKSUM) != DEPMASK_CHECKSUM &&
		    !aipkg_version_validate_rules(db.major >= 3 ? 3 : 2, aipkg_slice_str(d->version)))
			return false;
	}
	const char *at = memchr(s, '@', nlen);
	if (at) {
		d->tag = tag_get(at + 1, nlen - (size_t)(at + 1 - s));
		nlen = (size_t)(at - s);
	}
	if (!nlen || memchr(s, ' ', len))
		return false;
	d->name = name_get(s, nlen);
	return true;
}

TOOL_FN void deps_add(struct deps *ds, const struct dep *d)
{
	*(struct dep *)xgrow(&ds->v, &ds->cap, ds->n++, sizeof(*d)) = *d;
}

/* apk_deps_add: a dependency on the same name replaces the old one. */
TOOL_FN void deps_set(struct deps *ds, const struct dep *d)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->v[i].name == d->name) {
			ds->v[i] = *d;
			return;
		}
	deps_add(ds, d);
}

TOOL_FN bool deps_del(struct deps *ds, struct name *n)
{
	for (size_t i = 0; i < ds->n; i++)
		if (ds->v[i].name == n) {
			memmove(&ds->v[i], &ds->v[i + 1], (ds->n - i - 1) * sizeof(*ds->v));
			ds->n--;
			return true;
		}
	return false;
}

/* Parse a space-separated list (D:, p:, i: and .PKGINFO values). */
TOOL_FN void deps_parse_list(struct deps *ds, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, " \t\n");
		struct dep d;
		if (len && dep_parse(s, len, &d))
			deps_add(ds, &d);
		s += len;
		s += strspn(s, " \t\n");
	}
}

TOOL_FN char *deps_str(const struct deps *ds, const char *sep, bool with_tag)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	for (size_t i = 0; i < ds->n; i++) {
		char *s = dep_str(&ds->v[i], with_tag);
		bprintf(&b, "%s%s", i ? sep : "", s);
		free(s);
	}
	return aipkg_buf_detach(&b);
}

TOOL_FN int dep_cmp_name(const void *a, const void *b)
{
	return name_cmp(((const struct dep *)a)->name->s, ((const struct dep *)b)->name->s);
}

/* ---- matching (apk_dep_is_provided and friends) ---- */

TOOL_FN bool dep_match_version(const struct dep *d, const char *version)
{
	return (version_cmp(version, d->version, d->fuzzy) & d->mask) != 0;
}

TOOL_FN bool dep_is_provided(const struct dep *d, const struct provider *p)
{
	if (!p || !p->pkg)
		return d->conflict;
	if (d->mask == DEPMASK_CHECKSUM)
		return p->pkg->csum && !strcmp(d->version, p->pkg->csum);
	if (d->mask == DEPMASK_ANY)
		return !d->conflict;
	if (!p->version)
		return d->conflict;
	return dep_match_version(d, p->version) != d->conflict;
}

enum { DEP_IRRELEVANT = 1, DEP_SATISFIES = 2, DEP_CONFLICTS = 4 };

/* apk_dep_analyze: how dependency D relates to PKG. */
TOOL_FN unsigned dep_analyze(const struct dep *d, struct pkg *pkg)
{
	if (!pkg)
		return DEP_IRRELEVANT;
	if (d->name == pkg->name) {
		struct provider p = {pkg, pkg->version};
		return dep_is_provided(d, &p) ? DEP_SATISFIES : DEP_CONFLICTS;
	}
	for (size_t i = 0; i < pkg->provides.n; i++) {
		if (pkg->provides.v[i].name != d->name)
			continue;
		struct provider p = {pkg, pkg->provides.v[i].version};
		return dep_is_provided(d, &p) ? DEP_SATISFIES : DEP_CONFLICTS;
	}
	return DEP_IRRELEVANT;
}

/* ---- packages ---- */

TOOL_FN struct pkg *pkg_new(void)
{
	struct pkg *p = xmalloc(sizeof(*p));

	p->version = p->arch = p->desc = p->url = p->license = "";
	return p;
}

TOOL_FN const char *pkg_nv(const struct pkg *p)
{
	/* rotating buffers: a message may name a few packages */
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s-%s", p->name->s, p->version);
	return buf[k];
}

static void provider_add(struct name *n, struct pkg *p, const char *version)
{
	struct provider *pv = xgrow(&n->prov, &n->cprov, n->nprov++, sizeof(*pv));

	pv->pkg = p;
	pv->version = version;
}

static void rdep_add(struct name *n, struct name *rn)
{
	for (size_t i = 0; i < n->nrdeps; i++)
		if (n->rdeps[i] == rn)
			return;
	*(struct name **)xgrow(&n->rdeps, &n->crdeps, n->nrdeps++, sizeof(rn)) = rn;
}

/* Free a record that was merged into another (its strings are interned). */
TOOL_FN void pkg_free(struct pkg *p)
{
	free(p->depends.v);
	free(p->provides.v);
	free(p->iif.v);
	aipkg_buf_release(&p->extra);
	aipkg_buf_release(&p->files);
	free(p);
}

/* MurmurHash3 (x86, 32 bit) of a name: apk hashes names with it, seed
 * 5381, into 20000 buckets, and walks that table to build its reverse
 * dependencies, so their order (seen in "not removed due to: nginx curl")
 * follows it. */
static uint32_t murmur3_32(const char *key, uint32_t len, uint32_t seed)
{
	const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
	uint32_t h = seed, k, i;

	for (i = 0; i + 4 <= len; i += 4) {
		k = (uint32_t)(unsigned char)key[i] | (uint32_t)(unsigned char)key[i + 1] << 8 |
		    (uint32_t)(unsigned char)key[i + 2] << 16 |
		    (uint32_t)(unsigned char)key[i + 3] << 24;
		k *= c1;
		k = k << 15 | k >> 17;
		k *= c2;
		h ^= k;
		h = (h << 13 | h >> 19) * 5 + 0xe6546b64;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)(unsigned char)key[i + 2] << 16; /* fall through */
	case 2:
		k ^= (uint32_t)(unsigned char)key[i + 1] << 8; /* fall through */
	case 1:
		k ^= (uint32_t)(unsigned char)key[i];
		k *= c1;
		k = k << 15 | k >> 17;
		k *= c2;
		h ^= k;
	}
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static int name_cmp_apk_hash(const void *a, const void *b)
{
	const struct name *na = *(struct name *const *)a, *nb = *(struct name *const *)b;
	uint32_t ha = murmur3_32(na->s, (uint32_t)strlen(na->s), 5381) % 20000;
	uint32_t hb = murmur3_32(nb->s, (uint32_t)strlen(nb->s), 5381) % 20000;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	/* a bucket lists the newest name first */
	return na->order < nb->order ? 1 : na->order > nb->order ? -1 : 0;
}

/* Rebuild every name's reverse dependencies in apk's order: the names
 * whose providers depend on it, walked in apk's hash-table order. */
TOOL_FN void rdeps_rebuild(void)
{
	struct name **v = xmalloc((db.nnames + 1) * sizeof(*v));

	if (!db.nnames) {
		free(v);
		return;
	}
	memcpy(v, db.names, db.nnames * sizeof(*v));
	qsort(v, db.nnames, sizeof(*v), name_cmp_apk_hash);
	for (size_t i = 0; i < db.nnames; i++)
		db.names[i]->nrdeps = 0;
	for (size_t i = 0; i < db.nnames; i++)
		for (size_t k = 0; k < v[i]->nprov; k++) {
			const struct pkg *p = v[i]->prov[k].pkg;
			for (size_t j = 0; j < p->depends.n; j++)
				rdep_add(p->depends.v[j].name, v[i]);
		}
	free(v);
}

/*
 * Add a parsed package, or merge it into the known one with the same
 * identity (an installed package that is also in a repository); P is
 * consumed either way.
 */
TOOL_FN struct pkg *pkg_add(struct pkg *p)
{
	for (size_t i = 0; i < p->name->nprov; i++) {
		struct pkg *o = p->name->prov[i].pkg;
		if (o->name != p->name || strcmp(o->version, p->version))
			continue;
		if (o->csum && p->csum && strcmp(o->csum, p->csum))
			continue;
		o->repos |= p->repos;
		if (p->installed && !o->installed) {
			o->installed = true;
			o->inst_order = p->inst_order;
			o->inst_tag = p->inst_tag;
			o->broken = p->broken;
			aipkg_buf_release(&o->files);
			aipkg_buf_release(&o->extra);
			o->files = p->files;
			o->extra = p->extra;
			memset(&p->files, 0, sizeof(p->files));
			memset(&p->extra, 0, sizeof(p->extra));
		}
		pkg_free(p);
		return o;
	}
	*(struct pkg **)xgrow(&db.pkgs, &db.cpkgs, db.npkgs++, sizeof(p)) = p;
	provider_add(p->name, p, p->version);
	for (size_t i = 0; i < p->provides.n; i++)
		provider_add(p->provides.v[i].name, p, p->provides.v[i].version);
	for (size_t i = 0; i < p->depends.n; i++)
		rdep_add(p->depends.v[i].name, p->name);
	return p;
}

TOOL_FN void inst_add(struct pkg *p)
{
	p->installed = true;
	*(struct pkg **)xgrow(&db.inst, &db.cinst, db.ninst++, sizeof(p)) = p;
}

TOOL_FN void inst_del(struct pkg *p)
{
	for (size_t i = 0; i < db.ninst; i++)
		if (db.inst[i] == p) {
			memmove(&db.inst[i], &db.inst[i + 1], (db.ninst - i - 1) * sizeof(p));
			db.ninst--;
			break;
		}
	p->installed = false;
}

TOOL_FN struct pkg *installed_named(struct name *n)
{
	for (size_t i = 0; i < n->nprov; i++)
		if (n->prov[i].pkg->name == n && n->prov[i].pkg->installed)
			return n->prov[i].pkg;
	return NULL;
}

/* Set one field of a record (installed db or APKINDEX); false if unknown. */
static bool pkg_field(struct pkg *p, char field, const char *v)
{
	switch (field) {
	case 'P':
		p->name = name_get(v, strlen(v));
		break;
	case 'V':
		p->version = intern_str(v);
		break;
	case 'A':
		p->arch = intern_str(v);
		break;
	case 'T':
		p->desc = intern_str(v);
		break;
	case 'U':
		p->url = intern_str(v);
		break;
	case 'L':
		p->license = intern_str(v);
		break;
	case 'o':
		p->origin = intern_str(v);
		break;
	case 'm':
		p->maintainer = intern_str(v);
		break;
	case 'c':
		p->commit = intern_str(v);
		break;
	case 'C':
		p->csum = intern_str(v);
		break;
	case 'S':
		p->size = strtoull(v, NULL, 10);
		break;
	case 'I':
		p->isize = strtoull(v, NULL, 10);
		break;
	case 't':
		p->build_time = strtoull(v, NULL, 10);
		break;
	case 'k':
		p->priority = strtol(v, NULL, 10);
		break;
	case 'D':
		deps_parse_list(&p->depends, v);
		break;
	case 'p':
		deps_parse_list(&p->provides, v);
		break;
	case 'i':
		deps_parse_list(&p->iif, v);
		break;
	default:
		return false;
	}
	return true;
}

static void record_done(struct pkg *p, int repo)
{
	if (!p)
		return;
	if (!p->name) {
		pkg_free(p);
		return;
	}
	p = pkg_add(p);
	if (repo < 0)
		inst_add(p);
}

/*
 * Parse apk's "X:value" records.  REPO >= 0: an index; -1: the installed
 * db, whose file lines are kept verbatim.  False on a malformed line.
 */
TOOL_FN bool parse_records(char *text, int repo)
{
	struct pkg *p = NULL;
	char *line = text, *next;

	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line) {
			record_done(p, repo);
			p = NULL;
			continue;
		}
		if (strlen(line) < 2 || line[1] != ':')
			return false;
		if (!p) {
			p = pkg_new();
			if (repo >= 0)
				p->repos = 1u << repo;
			else {
				p->installed = true;
				p->inst_order = db.ninst;
			}
		}
		if (pkg_field(p, line[0], line + 2))
			continue;
		if (repo >= 0)
			continue;
		if (strchr("FMRaZ", line[0]))
			bprintf(&p->files, "%s\n", line);
		else if (line[0] == 's')
			p->inst_tag = intern_str(line + 2);
		else if (line[0] == 'f')
			p->broken = intern_str(line + 2);
		else
			bprintf(&p->extra, "%s\n", line);
	}
	record_done(p, repo);
	return true;
}

/* The installed-db/index record apk writes (apk_pkg_write_index_header). */
TOOL_FN void pkg_write_header(const struct pkg *p, struct aipkg_buf *b)
{
	char *s;

	if (p->csum)
		bprintf(b, "C:%s\n", p->csum);
	bprintf(b, "P:%s\nV:%s\n", p->name->s, p->version);
	if (*p->arch)
		bprintf(b, "A:%s\n", p->arch);
	bprintf(b, "S:%llu\nI:%llu\n", (unsigned long long)p->size, (unsigned long long)p->isize);
	bprintf(b, "T:%s\nU:%s\nL:%s\n", p->desc, p->url, p->license);
	if (p->origin)
		bprintf(b, "o:%s\n", p->origin);
	if (p->maintainer)
		bprintf(b, "m:%s\n", p->maintainer);
	if (p->build_time)
		bprintf(b, "t:%llu\n", (unsigned long long)p->build_time);
	if (p->commit)
		bprintf(b, "c:%s\n", p->commit);
	if (p->priority)
		bprintf(b, "k:%ld\n", p->priority);
	const struct deps *lists[] = {&p->depends, &p->provides, &p->iif};
	for (int i = 0; i < 3; i++) {
		if (!lists[i]->n)
			continue;
		s = deps_str(lists[i], " ", false);
		bprintf(b, "%c:%s\n", "Dpi"[i], s);
		free(s);
	}
}

/* ---- paths and files under the root ---- */

TOOL_FN char *root_path(const char *rel)
{
	return xasprintf("%s/%s", db.root, rel);
}

TOOL_FN int pkg_cmp_display(const void *a, const void *b)
{
	const struct pkg *pa = *(struct pkg *const *)a, *pb = *(struct pkg *const *)b;
	int r = name_cmp(pa->name->s, pb->name->s);

	if (!r) {
		unsigned v = version_cmp(pa->version, pb->version, false);
		r = v == V_LESS ? -1 : v == V_GREATER ? 1 : 0;
	}
	return r;
}

/* The installed packages in apk's display order (malloc'd array). */
TOOL_FN struct pkg **sorted_installed(void)
{
	struct pkg **v = xmalloc((db.ninst + 1) * sizeof(*v));

	if (db.ninst) {
		memcpy(v, db.inst, db.ninst * sizeof(*v));
		qsort(v, db.ninst, sizeof(*v), pkg_cmp_display);
	}
	return v;
}

/* Write lib/apk/db/installed as apk does: sorted, temp file + rename. */
TOOL_FN int write_installed(void)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	struct pkg **sorted = sorted_installed();
	char *path = root_path("lib/apk/db/installed");
	int r;

	for (size_t i = 0; i < db.ninst; i++) {
		struct pkg *p = sorted[i];
		pkg_write_header(p, &b);
		bput(&b, p->extra.data, p->extra.len);
		if (p->inst_tag)
			bprintf(&b, "s:%s\n", p->inst_tag);
		if (p->broken && *p->broken)
			bprintf(&b, "f:%s\n", p->broken);
		bput(&b, p->files.data, p->files.len);
		bputs(&b, "\n");
	}
	r = file_write_atomic(path, b.data ? b.data : "", b.len, 0644);
	free(path);
	free(sorted);
	aipkg_buf_release(&b);
	return r;
}

TOOL_FN int write_world(void)
{
	char *s = deps_str(&db.world, "\n", true), *text = xasprintf("%s\n", s);
	char *path = root_path("etc/apk/world");
	int r = file_write_atomic(path, text, strlen(text), 0644);

	free(s);
	free(text);
	free(path);
	return r;
}

/* ---- downloads ---- */

static size_t curl_sink(char *data, size_t size, size_t n, void *ud)
{
	if (aipkg_buf_add(ud, data, size * n) < 0)
		return 0;
	return size * n;
}

/* The HTTP status of the last failed download (apk 3 reports it). */
static long download_status;

/* Fetch URL (http, https, ftp or file) into OUT; 0 or a negative errno. */
TOOL_FN int download(const char *url, struct aipkg_buf *out)
{
	CURL *c = curl_easy_init();
	long status = 0;
	CURLcode rc;

	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST
			   ? -ECONNREFUSED
			   : -EIO;
	download_status = status;
	if (status == 404)
		return -ENOENT;
	if (status >= 400)
		return -EIO;
	return 0;
}

TOOL_FN bool url_is_remote(const char *url)
{
	return strstr(url, "://") && strncmp(url, "file:", 5);
}

/* A local repository's path: "file://" and "file:" prefixes dropped. */
TOOL_FN const char *url_local_path(const char *url)
{
	if (!strncmp(url, "file://", 7))
		return url + 7;
	if (!strncmp(url, "file:", 5))
		return url + 5;
	return url;
}

#endif
