/* apk-double's commit: fetch, verify and extract packages under --root, purge, record it all. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TEST_DOUBLE_COMMIT_H
#define AIPKG_TEST_DOUBLE_COMMIT_H

/* Included once, by apk-double.c.  Each applied change rewrites
 * lib/apk/db/installed (temp file + rename), so a kill leaves a readable
 * database that names the changes done so far. */
#include "double-solver.h"

/* One member of a package's data tar, pointing into the inflated archive. */
struct fent {
	char *path;
	char type;
	unsigned mode;
	const unsigned char *data;
	size_t size;
	uint64_t mtime;
	char *link;
	char csum[32]; /* Q1 form */
};

struct archive {
	struct aipkg_buf file, plain;
	struct fent *ents;
	size_t n, cap;
};

static void archive_release(struct archive *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->ents[i].path);
		free(a->ents[i].link);
	}
	free(a->ents);
	aipkg_buf_release(&a->file);
	aipkg_buf_release(&a->plain);
	memset(a, 0, sizeof(*a));
}

/* The first usable repository holding P, or -1. */
static int pkg_repo(const struct pkg *p)
{
	for (size_t i = 0; i < db.nrepos; i++)
		if (db.repos[i].ok && (p->repos & db.available & (1u << i)))
			return (int)i;
	return -1;
}

/* Where P's file is: REPO/ARCH/NAME-VERSION.apk (malloc'd). */
static char *pkg_url(const struct pkg *p, int repo)
{
	const char *url = db.repos[repo].url;
	size_t l = strlen(url);

	return xasprintf("%s%s%s/%s-%s.apk", url, l && url[l - 1] == '/' ? "" : "/",
			 *p->arch ? p->arch : db.arch, p->name->s, p->version);
}

/* P's file in the package cache, NAME-VERSION.HASH.apk with the first 4
 * bytes of its identity (malloc'd); NULL when P has no identity. */
static char *pkg_cache_path(const struct pkg *p)
{
	unsigned char raw[64];
	size_t len = p->csum ? strlen(p->csum) : 0;

	if (len < 8 || len - 2 > 88 || p->csum[0] != 'Q' ||
	    EVP_DecodeBlock(raw, (const unsigned char *)p->csum + 2, (int)(len - 2)) < 4)
		return NULL;
	return xasprintf("%s/%s-%s.%02x%02x%02x%02x.apk", db.cache_dir, p->name->s, p->version,
			 raw[0], raw[1], raw[2], raw[3]);
}

/* apk takes a package no repository has from its cache directory (a
 * file put there, or --cache-dir naming one). */
static bool pkg_cached(const struct pkg *p)
{
	char *path = pkg_cache_path(p);
	bool ok = path && access(path, R_OK) == 0;

	free(path);
	return ok;
}

/* Read P's .apk into A->file; 0 or -errno.  *CACHED says whether it came
 * from the package cache. */
static int pkg_get_file(const struct pkg *p, struct archive *a, bool *cached)
{
	int repo = pkg_repo(p);
	char *url, *path = db.cache_packages ? pkg_cache_path(p) : NULL;
	int r;

	*cached = path && file_read(path, &a->file) == 0;
	free(path);
	if (*cached)
		return 0;
	if (p->file)
		return file_read(p->file, &a->file);
	if (repo < 0 && pkg_cached(p)) {
		url = pkg_cache_path(p);
		r = file_read(url, &a->file);
		free(url);
		*cached = r == 0;
		return r;
	}
	if (repo < 0)
		return -ENOENT;
	url = pkg_url(p, repo);
	if (db.repos[repo].remote)
		r = download(url, &a->file);
	else
		r = file_read(url_local_path(url), &a->file);
	free(url);
	return r;
}

static const char *pkginfo_value(const char *info, size_t len, const char *key, char *out,
				 size_t outlen)
{
	size_t kl = strlen(key);

	for (const char *l = info; l && l < info + len;) {
		const char *nl = memchr(l, '\n', (size_t)(info + len - l));
		size_t ll = nl ? (size_t)(nl - l) : (size_t)(info + len - l);
		if (ll > kl + 3 && !strncmp(l, key, kl) && !strncmp(l + kl, " = ", 3)) {
			snprintf(out, outlen, "%.*s", (int)(ll - kl - 3), l + kl + 3);
			return out;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/*
 * Check A->file as apk does with --allow-untrusted: a signature member
 * (if any), a control member whose SHA-1 is the package's identity (CSUM,
 * when known) and a data member matching the control's datahash.  Fills
 * A->ents; *INFO gets .PKGINFO (malloc'd).  Returns NULL or the reason.
 */
static const char *archive_open(struct archive *a, const char *csum, char **info)
{
	struct gz_member m[16];
	struct tar_iter it;
	struct tar_entry e;
	int n = gunzip_members(a->file.data, a->file.len, &a->plain, m, 16), ctl = -1;
	bool signed_pkg = false;
	char q1[32] = "", hash[80];
	unsigned char sha[EVP_MAX_MD_SIZE];

	*info = NULL;
	if (n < 2 || n > 16)
		return "BAD archive";
	it = (struct tar_iter){(const unsigned char *)a->plain.data, a->plain.len, 0};
	while (tar_next(&it, &e) > 0) {
		size_t at = (size_t)(e.data - (const unsigned char *)a->plain.data);
		int mi = 0;
		while (mi < n - 1 && at >= m[mi + 1].plain_off)
			mi++;
		if (!strncmp(e.name, ".SIGN.", 6) && ctl < 0) {
			signed_pkg = true;
			continue;
		}
		if (!strcmp(e.name, ".PKGINFO")) {
			ctl = mi;
			*info = xstrndup((const char *)e.data, e.size);
			continue;
		}
		if (e.name[0] == '.' || ctl < 0 || mi <= ctl)
			continue;
		struct fent *f = xgrow(&a->ents, &a->cap, a->n++, sizeof(*f));
		size_t l = strlen(e.name);
		f->path = xstrndup(e.name, l && e.name[l - 1] == '/' ? l - 1 : l);
		f->type = e.type;
		f->mode = e.mode;
		f->data = e.data;
		f->size = e.size;
		f->mtime = e.mtime;
		f->link = e.type == '2' ? xstrdup(e.link) : NULL;
		if (e.sha1[0])
			q1_from_hex(e.sha1, f->csum);
		else if (e.type == '2')
			q1_checksum(e.link, strlen(e.link), f->csum);
		else
			q1_checksum(e.data, e.size, f->csum);
	}
	if (ctl < 0 || ctl + 2 != n)
		return "BAD archive";
	if (!signed_pkg && !db.allow_untrusted)
		return "UNTRUSTED signature";
	q1_checksum(a->file.data + m[ctl].off, m[ctl].len, q1);
	if (csum && csum[0] == 'Q' && strcmp(q1, csum))
		return "BAD signature";
	if (!pkginfo_value(*info, strlen(*info), "datahash", hash, sizeof(hash)))
		return "BAD archive";
	char hex[65];
	digest("SHA256", a->file.data + m[ctl + 1].off, m[ctl + 1].len, sha);
	hex_encode(sha, 32, hex);
	if (strcmp(hex, hash))
		return "BAD signature";
	return NULL;
}

/* ---- who owns what ---- */

struct owned {
	char **paths;
	struct pkg **owner;
	size_t n, cap;
};

static void files_each(const struct pkg *p, void (*fn)(const char *path, bool dir, void *ud),
		       void *ud)
{
	const char *s = aipkg_buf_str(&p->files);
	char dir[4096] = "";

	while (*s) {
		size_t l = strcspn(s, "\n");
		if (l > 2 && s[0] == 'F')
			snprintf(dir, sizeof(dir), "%.*s", (int)(l - 2), s + 2);
		if (s[0] == 'F')
			fn(dir, true, ud);
		if (l > 2 && s[0] == 'R') {
			char path[8192];
			snprintf(path, sizeof(path), "%s%s%.*s", dir, dir[0] ? "/" : "",
				 (int)(l - 2), s + 2);
			fn(path, false, ud);
		}
		s += l + (s[l] == '\n');
	}
}

static struct pkg *owned_pkg;

static void owned_add(const char *path, bool dir, void *ud)
{
	struct owned *o = ud;

	*(char **)xgrow(&o->paths, &o->cap, o->n, sizeof(char *)) =
	    xasprintf("%s%s", path, dir ? "/" : "");
	o->owner = xrealloc(o->owner, o->cap * sizeof(*o->owner));
	o->owner[o->n++] = owned_pkg;
}

/* Paths owned by installed packages other than A and B ("dir/" for dirs). */
static void owned_build(struct owned *o, const struct pkg *a, const struct pkg *b)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < db.ninst; i++) {
		if (db.inst[i] == a || db.inst[i] == b)
			continue;
		owned_pkg = db.inst[i];
		files_each(db.inst[i], owned_add, o);
	}
}

static struct pkg *owned_by(const struct owned *o, const char *path, bool dir)
{
	size_t l = strlen(path);

	for (size_t i = 0; i < o->n; i++)
		if (!strncmp(o->paths[i], path, l) && o->paths[i][l] == (dir ? '/' : '\0') &&
		    (!dir || o->paths[i][l + 1] == '\0'))
			return o->owner[i];
	return NULL;
}

static void owned_release(struct owned *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->paths[i]);
	free(o->paths);
	free(o->owner);
}

/* ---- extraction ---- */

struct fdb_dir {
	char *path;
	unsigned mode;
	struct aipkg_buf files;
};

static struct fdb_dir *fdb_dir_get(struct fdb_dir **dirs, size_t *n, size_t *cap, const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*dirs)[i].path, path))
			return &(*dirs)[i];
	struct fdb_dir *d = xgrow(dirs, cap, (*n)++, sizeof(**dirs));
	d->path = xstrdup(path);
	d->mode = 0755;
	return d;
}

static int write_entry(const struct fent *f)
{
	char *path = root_path(f->path), *slash = strrchr(path, '/');
	char *tmp = xasprintf("%.*s/.apk.%08lx", (int)(slash - path), path,
			      (unsigned long)name_hash(f->path));
	int fd, r = 0;

	unlink(tmp);
	if (f->type == '2') {
		if (symlink(f->link, tmp) < 0)
			r = -errno;
	} else {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			r = -errno;
		else {
			r = write_all(fd, f->data, f->size);
			if (r == 0 && fchmod(fd, f->mode & 07777) < 0)
				r = -errno;
			close(fd);
		}
	}
	if (r == 0 && f->type != '2') {
		/* the archive's time, as apk keeps it */
		struct timespec ts[2] = {{(time_t)f->mtime, 0}, {(time_t)f->mtime, 0}};
		(void)utimensat(AT_FDCWD, tmp, ts, AT_SYMLINK_NOFOLLOW);
	}
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return r;
}

/* The Z: OLD's database lines record for PATH, in OUT; false when none. */
static bool old_csum(const struct pkg *old, const char *path, char out[32])
{
	const char *s = old ? aipkg_buf_str(&old->files) : "";
	char dir[4096] = "", full[8192] = "";

	while (*s) {
		size_t l = strcspn(s, "\n");

		if (l > 2 && s[0] == 'F')
			snprintf(dir, sizeof(dir), "%.*s", (int)(l - 2), s + 2);
		else if (l > 2 && s[0] == 'R')
			snprintf(full, sizeof(full), "%s%s%.*s", dir, *dir ? "/" : "", (int)(l - 2),
				 s + 2);
		else if (l > 2 && s[0] == 'Z' && !strcmp(full, path)) {
			snprintf(out, 32, "%.*s", (int)(l - 2), s + 2);
			return true;
		}
		s += l + (s[l] == '\n');
	}
	return false;
}

/* The Q1 checksum of what is at PATH under the root now (a symlink's
 * target), or false when nothing is there. */
static bool disk_csum(const char *path, char out[32])
{
	char *full = root_path(path), target[4096];
	struct aipkg_buf b = AIPKG_BUF_INIT;
	struct stat st;
	ssize_t n;
	bool ok = lstat(full, &st) == 0;

	if (ok && S_ISLNK(st.st_mode) && (n = readlink(full, target, sizeof(target))) >= 0)
		q1_checksum(target, (size_t)n, out);
	else if (ok && S_ISREG(st.st_mode) && file_read(full, &b) == 0)
		q1_checksum(b.data ? b.data : "", b.len, out);
	else
		ok = false;
	aipkg_buf_release(&b);
	free(full);
	return ok;
}

/*
 * apk's protected paths (the built-in "+etc", "@etc/init.d", "!etc/apk"):
 * a file there that the administrator changed (it differs from what the
 * database recorded, or the database has none) is not overwritten; the
 * package's version goes to FILE.apk-new, unless it is the same.  Returns
 * the path to write F to (malloc'd), or NULL to keep what is there.
 */
static char *protected_target(const struct fent *f, const struct pkg *old)
{
	char disk[32], was[32];

	if (strncmp(f->path, "etc/", 4) != 0 || !disk_csum(f->path, disk))
		return xstrdup(f->path);
	if (old_csum(old, f->path, was) && !strcmp(was, disk))
		return xstrdup(f->path);
	if (!strcmp(disk, f->csum))
		return NULL;
	if (db.major >= 3)
		msg("  Installing file to %s.apk-new", f->path);
	return xasprintf("%s.apk-new", f->path);
}

/*
 * Put A's files under the root for NEW (replacing OLD, which may be NULL)
 * and build NEW's F:/R: lines in FDB.  Returns the number of errors.
 */
static int extract(struct pkg *new, struct pkg *old, const struct archive *a, struct aipkg_buf *fdb)
{
	struct fdb_dir *dirs = NULL;
	size_t ndirs = 0, cdirs = 0;
	struct owned o;
	int errors = 0;

	owned_build(&o, old, new);
	for (size_t i = 0; i < a->n; i++) {
		const struct fent *f = &a->ents[i];
		char *path = root_path(f->path);
		if (db.verbosity >= 3)
			msg(f->type == '5' ? "%s/ (dir)" : "%s", f->path);
		if (f->type == '5') {
			fdb_dir_get(&dirs, &ndirs, &cdirs, f->path)->mode = f->mode;
			if (mkdir_p(path, 0755) < 0 || chmod(path, f->mode & 07777) < 0) {
				err("%s: failed to create directory %s: %s", pkg_nv(new), f->path,
				    strerror(errno));
				errors++;
			}
			free(path);
			continue;
		}
		free(path);
		const char *slash = strrchr(f->path, '/');
		const char *base = slash ? slash + 1 : f->path;
		char *dn = slash ? xstrndup(f->path, (size_t)(slash - f->path)) : xstrdup("");
		struct fdb_dir *d = fdb_dir_get(&dirs, &ndirs, &cdirs, dn);
		struct pkg *owner = owned_by(&o, f->path, false);
		char *to = owner ? NULL : protected_target(f, old);
		struct fent fw = *f;

		fw.path = to;
		if (owner) {
			err("%s: trying to overwrite %s owned by %s.", pkg_nv(new), f->path,
			    pkg_nv(owner));
			errors++;
		} else if (to && write_entry(&fw) < 0) {
			err("%s: failed to extract %s: %s", pkg_nv(new), f->path, strerror(errno));
			errors++;
		} else {
			bprintf(&d->files, "R:%s\n", base);
			if (f->type == '2')
				bprintf(&d->files, "a:0:0:777\n");
			else if ((f->mode & 07777) != 0644)
				bprintf(&d->files, "a:0:0:%o\n", f->mode & 07777);
			bprintf(&d->files, "Z:%s\n", f->csum);
		}
		free(to);
		free(dn);
	}
	for (size_t i = 0; i < ndirs; i++) {
		bprintf(fdb, "F:%s\n", dirs[i].path);
		if ((dirs[i].mode & 07777) != 0755)
			bprintf(fdb, "M:0:0:%o\n", dirs[i].mode & 07777);
		bput(fdb, dirs[i].files.data, dirs[i].files.len);
		aipkg_buf_release(&dirs[i].files);
		free(dirs[i].path);
	}
	free(dirs);
	owned_release(&o);
	return errors;
}

struct purge_ctx {
	const struct archive *keep;
	struct owned o;
	char **dirs;
	size_t ndirs, cdirs;
};

static bool archive_has(const struct archive *a, const char *path)
{
	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(a->ents[i].path, path))
			return true;
	return false;
}

static void purge_one(const char *path, bool dir, void *ud)
{
	struct purge_ctx *pc = ud;

	if (archive_has(pc->keep, path) || owned_by(&pc->o, path, dir))
		return;
	if (dir) {
		*(char **)xgrow(&pc->dirs, &pc->cdirs, pc->ndirs++, sizeof(char *)) = xstrdup(path);
		return;
	}
	char *full = root_path(path);
	unlink(full);
	free(full);
}

/* Remove OLD's files and directories that KEEP (the new version's
 * archive, or NULL) does not have and no other package owns. */
static void purge(struct pkg *old, struct pkg *new, const struct archive *keep)
{
	struct purge_ctx pc = {.keep = keep};

	owned_build(&pc.o, old, new);
	files_each(old, purge_one, &pc);
	for (size_t i = pc.ndirs; i-- > 0;) {
		char *full = root_path(pc.dirs[i]);
		if (*pc.dirs[i])
			rmdir(full);
		free(full);
		free(pc.dirs[i]);
	}
	free(pc.dirs);
	owned_release(&pc.o);
}

/* ---- applying a change list ---- */

static const char *change_verb(const struct change *c)
{
	if (!c->old)
		return "Installing";
	if (!c->new)
		return "Purging";
	if (c->new == c->old) {
		if (c->reinstall)
			return pkg_repo(c->new) >= 0 || c->new->is_virtual || c->new->file ||
					   pkg_cached(c->new)
				   ? "Reinstalling"
				   : "[APK unavailable, skipped] Reinstalling";
		return c->old_tag != c->new_tag ? "Updating pinning" : NULL;
	}
	switch (version_cmp(c->new->version, c->old->version, false)) {
	case V_LESS:
		return "Downgrading";
	case V_EQUAL:
		return "Replacing";
	default:
		return "Upgrading";
	}
}

static bool change_counts(const struct change *c)
{
	return c->new != c->old || c->reinstall || c->new_tag != c->old_tag;
}

/* Keep P's verified FILE in the package cache, as apk does for what it
 * downloaded or was given as a file (never from a local repository). */
static void cache_store(const struct pkg *p, const struct aipkg_buf *file)
{
	int repo = pkg_repo(p);
	char *path;

	if (!db.cache_packages || (!p->file && (repo < 0 || !db.repos[repo].remote)))
		return;
	path = pkg_cache_path(p);
	if (path && file_write_atomic(path, file->data, file->len, 0644) < 0)
		warn("%s: unable to cache: %s", pkg_nv(p), strerror(errno));
	free(path);
}

/* apk 2 lists in the cache's "installed" the installed packages only the
 * cache has (a virtual one, one installed from a file). */
static void cache_write_index(void)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path;

	if (db.major >= 3 || !db.cache_packages)
		return;
	for (size_t i = 0; i < db.ninst; i++) {
		if (db.inst[i]->repos)
			continue;
		pkg_write_header(db.inst[i], &b);
		bputs(&b, "\n");
	}
	path = xasprintf("%s/installed", db.cache_dir);
	(void)file_write_atomic(path, b.data ? b.data : "", b.len, 0644);
	free(path);
	aipkg_buf_release(&b);
}

/* Install, upgrade or purge one package; the number of errors. */
static int apply_change(const struct change *c)
{
	struct archive a = {0};
	struct aipkg_buf fdb = AIPKG_BUF_INIT;
	char *info = NULL;
	const char *why;
	bool cached = false;
	int errors = 0, r;

	if (c->new && !c->new->is_virtual) {
		if ((r = pkg_get_file(c->new, &a, &cached)) < 0) {
			err("%s: %s", pkg_nv(c->new), apk_strerror(-r));
			archive_release(&a);
			return 1;
		}
		if ((why = archive_open(&a, c->new->csum, &info))) {
			err("%s: %s", pkg_nv(c->new), why);
			free(info);
			archive_release(&a);
			return 1;
		}
		if (!cached)
			cache_store(c->new, &a.file);
		errors += extract(c->new, c->old, &a, &fdb);
	}
	if (c->old)
		purge(c->old, c->new, c->new ? &a : NULL);
	if (c->old) {
		aipkg_buf_release(&c->old->files);
		inst_del(c->old);
	}
	if (c->new) {
		aipkg_buf_release(&c->new->files);
		c->new->files = fdb;
		/* apk keeps reporting a package whose files did not all land */
		c->new->broken = errors ? "f" : NULL;
		c->new->inst_tag = c->new_tag ? db.tags[c->new_tag].name : NULL;
		inst_add(c->new);
	}
	free(info);
	archive_release(&a);
	return errors;
}

static double env_number(const char *name, double dflt)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (!s || !*s)
		return dflt;
	v = strtod(s, &end);
	return *end ? dflt : v;
}

/* apk 3's human-readable size (apk_fmt_human_size). */
static char *human_size(uint64_t v)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double s = (double)v;
	int i = 0;

	for (; i < 4 && s >= 10000; i++)
		s /= 1024, v /= 1024;
	if (i < 2)
		return xasprintf("%llu %s", (unsigned long long)v, units[i]);
	return xasprintf("%.1f %s", s, units[i]);
}

static void count_files(size_t *ndirs, size_t *nfiles)
{
	struct owned o;

	*ndirs = *nfiles = 0;
	owned_build(&o, NULL, NULL);
	for (size_t i = 0; i < o.n; i++) {
		size_t l = strlen(o.paths[i]);
		if (!l || o.paths[i][l - 1] != '/') {
			(*nfiles)++;
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(o.paths[i], o.paths[j]);
		*ndirs += !dup;
	}
	owned_release(&o);
	if (*ndirs)
		(*ndirs)++; /* apk counts the root directory too */
}

/* apk's closing line: "OK: 0 MiB in 5 packages" and its variants. */
static void print_ok(int errors, int64_t size_diff, int pkg_diff)
{
	uint64_t bytes = 0;
	int packages = (int)db.ninst;
	char prefix[32], *size;
	size_t ndirs, nfiles;

	for (size_t i = 0; i < db.ninst; i++)
		bytes += db.inst[i]->isize;
	if (db.major >= 3 && db.simulate) {
		bytes += (uint64_t)size_diff;
		packages += pkg_diff;
	}
	if (errors)
		snprintf(prefix, sizeof(prefix), "%d error%s;", errors, errors > 1 ? "s" : "");
	else
		snprintf(prefix, sizeof(prefix), "OK:");
	size = db.major >= 3 ? human_size(bytes)
			     : xasprintf("%llu MiB", (unsigned long long)(bytes / (1024 * 1024)));
	if (db.verbosity > 1) {
		count_files(&ndirs, &nfiles);
		msg("%s %d packages, %zu dirs, %zu files, %s", prefix, packages, ndirs, nfiles,
		    size);
	} else {
		msg("%s %s in %d packages", prefix, size, packages);
	}
	free(size);
}

static bool change_is(const struct change *c, int kind)
{
	switch (kind) {
	case 0: /* no longer in a repository (apk 3) */
		if (!c->new)
			return false;
		for (size_t i = 0; i < c->new->name->nprov; i++)
			if (c->new->name->prov[i].pkg->repos)
				return false;
		return db.verbosity >= 2 || c->new->name->s[0] != '.';
	case 1:
		return !c->new;
	case 2:
		return c->new &&
		       c->old &&version_cmp(c->new->version, c->old->version, false) == V_LESS;
	case 3:
		return !c->old;
	case 4:
		return c->new && c->old &&
		       c->new != c->old &&version_cmp(c->new->version, c->old->version, false) !=
			   V_LESS;
	default:
		return c->reinstall;
	}
}

static int change_cmp_name(const void *a, const void *b)
{
	const struct change *ca = *(struct change *const *)a, *cb = *(struct change *const *)b;

	return name_cmp((ca->old ? ca->old : ca->new)->name->s,
			(cb->old ? cb->old : cb->new)->name->s);
}

/* The lists apk prints before a commit with -v (dump_packages). */
static size_t dump_changes(const struct changeset *cs, int kind, const char *title)
{
	struct indent i;
	struct change **sorted = xmalloc((cs->n + 1) * sizeof(*sorted));
	size_t n = 0;
	bool details = db.major >= 3 && kind > 0;

	for (size_t k = 0; k < cs->n; k++)
		if (change_is(&cs->v[k], kind))
			sorted[n++] = &cs->v[k];
	if (n)
		qsort(sorted, n, sizeof(*sorted), change_cmp_name);
	ind_init(&i, stdout);
	for (size_t k = 0; k < n; k++) {
		const struct change *c = sorted[k];
		const struct pkg *p = c->new ? c->new : c->old;
		if (!k)
			ind_group(&i, 2, "%s:\n", title);
		if (!details)
			ind_word(&i, p->name->s);
		else if (c->new && c->old && !c->reinstall)
			printf("  %s (%s -> %s)\n", p->name->s, c->old->version, c->new->version);
		else
			printf("  %s (%s)\n", p->name->s, p->version);
	}
	ind_end(&i);
	free(sorted);
	return n;
}

/* apk 2's whole-unit size, apk 3's pretty one. */
static char *size_text(uint64_t v)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	if (db.major >= 3)
		return human_size(v);
	while (v >= 10000 && u < 4)
		v /= 1024, u++;
	return xasprintf("%llu %s", (unsigned long long)v, units[u]);
}

/* What apk -v says before committing: removals and downgrades, and with
 * those (or -vv) everything else and the sizes. */
static void dump_plan(const struct changeset *cs, int64_t size_diff)
{
	uint64_t download = 0;
	size_t r;
	char *s;

	if (db.major >= 3)
		dump_changes(cs, 0,
			     "NOTE: Consider running apk upgrade with --prune and/or "
			     "--available.\nThe following packages are no longer available "
			     "from a repository");
	r = dump_changes(cs, 1, "The following packages will be REMOVED");
	r += dump_changes(cs, 2, "The following packages will be DOWNGRADED");
	if (!r && db.verbosity <= 2)
		return;
	dump_changes(cs, 3, "The following NEW packages will be installed");
	dump_changes(cs, 4, "The following packages will be upgraded");
	dump_changes(cs, 5, "The following packages will be reinstalled");
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].new && cs->v[i].new != cs->v[i].old &&
		    !(cs->v[i].new->repos &db.local) && !cs->v[i].new->file)
			download += cs->v[i].new->size;
	if (download) {
		s = size_text(download);
		msg("Need to download %s of packages.", s);
		free(s);
	}
	s = size_text((uint64_t)(size_diff < 0 ? -size_diff : size_diff));
	msg("After this operation, %s of %s.", s,
	    size_diff < 0 ? "disk space will be freed" : "additional disk space will be used");
	free(s);
}

/* apk_print_progress() to --progress-fd */
static void progress(uint64_t done, uint64_t total)
{
	char line[64];
	int n;

	if (db.progress_fd <= 0)
		return;
	n = snprintf(line, sizeof(line), "%llu/%llu%s\n", (unsigned long long)done,
		     (unsigned long long)total, db.major >= 3 ? " install" : "");
	if (write(db.progress_fd, line, (size_t)n) != n)
		db.progress_fd = 0;
}

/* What a change counts for in the progress: the bytes of its package. */
static uint64_t change_bytes(const struct change *c)
{
	const struct pkg *p = c->new ? c->new : c->old;

	return p && p->size ? p->size : 1;
}

/*
 * apk_solver_commit_changeset(): print and apply CS, then write the world
 * and the installed db.  Test knobs: APK_DOUBLE_FAIL_AT and
 * APK_DOUBLE_DELAY (see apk-double.c).  Returns the number of errors.
 */
static int commit(const struct changeset *cs, const struct deps *world)
{
	size_t total = 0, done = 0;
	uint64_t bytes_total = 0, bytes_done = 0;
	int64_t size_diff = 0;
	int pkg_diff = 0, errors = 0, digits = 1;
	double fail_at = env_number("APK_DOUBLE_FAIL_AT", -1);
	double delay = env_number("APK_DOUBLE_DELAY", 0);

	for (size_t i = 0; i < cs->n; i++) {
		const struct change *c = &cs->v[i];
		total += change_counts(c);
		if (!db.simulate && (c->old != c->new || c->reinstall))
			bytes_total += change_bytes(c);
		if (c->new != c->old) {
			size_diff += (int64_t)(c->new ? c->new->isize : 0) -
				     (int64_t)(c->old ? c->old->isize : 0);
			pkg_diff += (c->new != NULL) - (c->old != NULL);
		}
	}
	/* apk 3 pads the counter: "( 1/12)" */
	for (size_t t = total; db.major >= 3 && t >= 10; t /= 10)
		digits++;
	if (db.verbosity > 1 && (db.major >= 3 || !db.simulate) && total)
		dump_plan(cs, size_diff);
	if (!db.simulate)
		progress(0, bytes_total);
	for (size_t i = 0; i < cs->n; i++) {
		const struct change *c = &cs->v[i];
		const struct pkg *p = c->new ? c->new : c->old;
		const char *verb = change_verb(c);
		int r = c->old && c->old->broken && strchr(c->old->broken, 'f');
		if (verb) {
			char *tag =
			    c->new_tag ? xasprintf("@%s", db.tags[c->new_tag].name) : xstrdup("");
			if (c->new && c->old && c->new != c->old)
				msg("(%*zu/%zu) %s %s%s (%s -> %s)", digits, done + 1, total, verb,
				    p->name->s, tag, c->old->version, c->new->version);
			else
				msg("(%*zu/%zu) %s %s%s (%s)", digits, done + 1, total, verb,
				    p->name->s, tag, p->version);
			free(tag);
			if (!db.simulate && (c->old != c->new || c->reinstall)) {
				if (fail_at >= 0 && (double)done >= fail_at) {
					err("%s: IO ERROR", pkg_nv(p));
					errors++;
					break;
				}
				r = apply_change(c) != 0;
				if (write_installed() < 0)
					r++;
				bytes_done += change_bytes(c);
				progress(bytes_done, bytes_total);
				if (delay > 0)
					usleep((useconds_t)(delay * 1e6));
			} else if (c->new && c->new == c->old && !db.simulate) {
				c->new->inst_tag = c->new_tag ? db.tags[c->new_tag].name : NULL;
			}
		}
		errors += r;
		done += change_counts(c);
	}
	if (db.world.v != world->v)
		free(db.world.v);
	db.world = *world;
	if (!db.simulate) {
		if (write_world() < 0 || write_installed() < 0)
			errors++;
		cache_write_index();
	}
	print_ok(errors, size_diff, pkg_diff);
	return errors;
}

#endif
