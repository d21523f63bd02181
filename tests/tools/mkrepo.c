/* mkrepo: build real apk v2 packages and APKINDEX.tar.gz files for the test fixtures. */
/* SPDX-License-Identifier: MIT */

/*
 * usage:
 *   mkrepo pkg OUTDIR NAME VERSION [options]   writes OUTDIR/NAME-VERSION.apk
 *     -d DESC  -u URL  -l LICENSE  -o ORIGIN  -a ARCH (x86_64)  -t BUILDDATE
 *     -m MAINTAINER  -c COMMIT  -k PROVIDER_PRIORITY
 *     -D DEP  -p PROVIDES  -i INSTALL_IF        (each repeatable)
 *     -f PATH=CONTENT   a regular file, mode 0644 ("\n", "\t", "\\" escapes)
 *     -x PATH=CONTENT   an executable, mode 0755
 *     -L PATH=TARGET    a symbolic link
 *     -s SIZE           add SIZE bytes of incompressible padding
 *     -S SIZE           claim SIZE bytes installed (.PKGINFO size, the index's
 *                       I:) whatever the files add up to, as a package whose
 *                       files are created by its scripts does
 *     -U                unsigned, whatever MKREPO_KEY says
 *   mkrepo index DIR [-d DESCRIPTION] [-U] [-T TYPE] [-B]
 *                                              writes DIR/APKINDEX.tar.gz
 *   mkrepo key FILE    a new 2048-bit RSA key: FILE (private) and FILE.pub
 *   mkrepo bigindex DIR [-n N] [-I INSTALLED -i M] [-d DESCRIPTION] [-U]
 *                      DIR/APKINDEX.tar.gz of N (20,000) made-up packages
 *                      shaped like Alpine 3.18 main+community (see
 *                      bigindex_record); with -I, an installed db of M of
 *                      them, a third at an older version (for list -u)
 *   mkrepo sign FILE [-T TYPE] [-B]            signs FILE (an index) in place
 *   mkrepo q1 PATH     prints apk's "Q1..." checksum of PATH as the installed
 *                      db records it (not following a symlink: its target's text)
 *
 * Signing, as abuild-sign does: with the private key named by MKREPO_KEY
 * (-U: do not sign), a gzip member holding only ".SIGN.TYPE.NAME.pub" (NAME
 * the key file's base name, TYPE RSA = SHA-1 by default or RSA256 =
 * SHA-256, -T) is put before what it signs: a package's control member, an
 * index's one member.  -B signs other bytes than those that follow: a BAD
 * signature.  The public key FILE.pub goes into a root's etc/apk/keys.
 *
 * A package is what abuild makes: a control gzip member (a tar of
 * .PKGINFO without end-of-archive blocks, carrying the datahash) followed
 * by a data gzip member (the files, each with abuild-tar's
 * APK-TOOLS.checksum.SHA1 PAX record), signed as above or not (apk 2 and
 * 3 then install it only with --allow-untrusted).  The index is what `apk
 * index` writes: one gzip member holding DESCRIPTION and APKINDEX, records
 * sorted by name then version, C: being "Q1" + base64(SHA-1 of the control
 * member), signed or not.
 */
#include <getopt.h>
#include <time.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "apk/version.h"
#include "tool.h"

#define DEFAULT_BUILDDATE 1717243200 /* 2024-06-01, so fixtures are reproducible */

struct entry {
	char *path;
	char type; /* '0' file, '5' directory, '2' symlink */
	unsigned mode;
	char *data;
	size_t len;
};

struct pkgspec {
	const char *name, *version, *desc, *url, *license, *origin, *arch;
	char *owned[2]; /* defaults made up for desc and url */
	const char *maintainer, *commit, *priority;
	unsigned long long builddate, padding, claimed;
	const char **deps, **provides, **iif;
	size_t ndeps, nprovides, niif, cdeps, cprovides, ciif;
	struct entry *ents;
	size_t nents, cents;
};

static void usage(void)
{
	fputs("usage: mkrepo pkg OUTDIR NAME VERSION [-d DESC] [-u URL] [-l LICENSE]\n"
	      "         [-o ORIGIN] [-a ARCH] [-t BUILDDATE] [-m MAINTAINER] [-c COMMIT]\n"
	      "         [-k PRIO] [-D DEP]... [-p PROVIDES]... [-i INSTALL_IF]...\n"
	      "         [-f PATH=CONTENT]... [-x PATH=CONTENT]... [-L PATH=TARGET]...\n"
	      "         [-s SIZE] [-S SIZE] [-U]\n"
	      "       mkrepo index DIR [-d DESCRIPTION] [-U] [-T RSA|RSA256] [-B]\n"
	      "       mkrepo key FILE\n"
	      "       mkrepo bigindex DIR [-n N] [-I INSTALLED -i M] [-d DESC] [-U]\n"
	      "       mkrepo sign FILE [-T RSA|RSA256] [-B]\n"
	      "       mkrepo q1 PATH\n",
	      stderr);
	exit(2);
}

static void strv_add(const char ***v, size_t *n, size_t *cap, const char *s)
{
	*(const char **)xgrow(v, cap, *n, sizeof(**v)) = s;
	(*n)++;
}

/* CONTENT with the shell-friendly escapes \n, \t and \\ turned into bytes. */
static char *unescape(const char *s, size_t *len)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
	}
	*len = (size_t)(o - out);
	return out;
}

static struct entry *find_entry(struct pkgspec *ps, const char *path)
{
	for (size_t i = 0; i < ps->nents; i++)
		if (!strcmp(ps->ents[i].path, path))
			return &ps->ents[i];
	return NULL;
}

static void add_entry(struct pkgspec *ps, const char *path, char type, unsigned mode, char *data,
		      size_t len)
{
	struct entry *e;

	while (*path == '/')
		path++;
	if (!*path || find_entry(ps, path))
		die("duplicate or empty path '%s'", path);
	e = xgrow(&ps->ents, &ps->cents, ps->nents++, sizeof(*e));
	*e = (struct entry){xstrdup(path), type, mode, data, len};
}

/* Parse "PATH=CONTENT" into a file, executable or symlink entry. */
static void add_file_arg(struct pkgspec *ps, const char *arg, char type, unsigned mode)
{
	const char *eq = strchr(arg, '=');
	char *path, *data;
	size_t len;

	if (!eq)
		die("'%s': expected PATH=CONTENT", arg);
	path = xstrndup(arg, (size_t)(eq - arg));
	data = unescape(eq + 1, &len);
	add_entry(ps, path, type, mode, data, len);
	free(path);
}

/* Directories that the files imply, so the tar has them as abuild's does. */
static void add_parent_dirs(struct pkgspec *ps)
{
	size_t n = ps->nents;

	for (size_t i = 0; i < n; i++) {
		char *p = xstrdup(ps->ents[i].path), *s;
		for (s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			if (!find_entry(ps, p))
				add_entry(ps, p, '5', 0755, NULL, 0);
			*s = '/';
		}
		free(p);
	}
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* Deterministic incompressible bytes (xorshift), so packages have a size. */
static void add_padding(struct pkgspec *ps)
{
	unsigned long long n = ps->padding, x = 0x9e3779b97f4a7c15ULL;
	char *data = xmalloc(n), *path;

	for (unsigned long long i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (char)(x >> 24);
	}
	path = xasprintf("usr/share/%s/padding", ps->name);
	add_entry(ps, path, '0', 0644, data, n);
	free(path);
}

/* ---- signatures, as abuild-sign makes them ---- */

struct signer {
	EVP_PKEY *key; /* NULL: unsigned */
	char *name;    /* "aipkg-tests-5f0c1a2b.rsa.pub" */
	const char *type;
	bool bad;
};

/* The key of MKREPO_KEY (unless UNSIGNED), signing as TYPE. */
static void signer_init(struct signer *sg, bool unsigned_, const char *type, bool bad)
{
	const char *path = getenv("MKREPO_KEY"), *base;
	FILE *f;

	*sg = (struct signer){NULL, NULL, type ? type : "RSA", bad};
	if (strcmp(sg->type, "RSA") != 0 && strcmp(sg->type, "RSA256") != 0)
		die("signature type '%s': RSA or RSA256", sg->type);
	if (unsigned_ || !path || !*path)
		return;
	if (!(f = fopen(path, "r")))
		die("%s: %s", path, strerror(errno));
	sg->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!sg->key)
		die("%s: not a PEM private key", path);
	base = strrchr(path, '/');
	sg->name = xasprintf("%s.pub", base ? base + 1 : path);
}

static void signer_release(struct signer *sg)
{
	EVP_PKEY_free(sg->key);
	free(sg->name);
}

/* OUT = a signature member over DATA (or, for a BAD one, over DATA with its
 * last byte changed), then DATA. */
static void sign_prepend(const struct signer *sg, const void *data, size_t len,
			 struct aipkg_buf *out)
{
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	struct aipkg_buf tar = AIPKG_BUF_INIT, signed_data = AIPKG_BUF_INIT;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *name;

	bput(&signed_data, data, len);
	if (sg->bad && len)
		signed_data.data[len - 1] ^= 1;
	if (!md ||
	    EVP_DigestSignInit(md, NULL, strcmp(sg->type, "RSA") ? EVP_sha256() : EVP_sha1(), NULL,
			       sg->key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (unsigned char *)signed_data.data, len) != 1)
		die("signing failed");
	EVP_MD_CTX_free(md);
	name = xasprintf(".SIGN.%s.%s", sg->type, sg->name);
	/* abuild-sign: tar of the one file, end blocks cut, gzip -9 */
	tar_entry_add(&tar, name, '0', 0644, (const char *)sig, siglen, DEFAULT_BUILDDATE, NULL,
		      NULL);
	gzip_member(tar.data, tar.len, out);
	bput(out, data, len);
	free(name);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&signed_data);
}

/* The options of index and sign: -d DESCRIPTION -U -T TYPE -B, then one
 * operand (argv[optind]). */
struct signopts {
	const char *desc, *type;
	bool unsigned_, bad;
};

static struct signopts signopts_parse(int argc, char **argv)
{
	struct signopts so = {NULL, NULL, false, false};
	int c;

	if (argc < 2)
		usage();
	optind = 1;
	while ((c = getopt(argc, argv, "d:UT:B")) != -1) {
		if (c == 'd')
			so.desc = optarg;
		else if (c == 'U')
			so.unsigned_ = true;
		else if (c == 'T')
			so.type = optarg;
		else if (c == 'B')
			so.bad = true;
		else
			usage();
	}
	if (optind != argc - 1)
		usage();
	return so;
}

/* mkrepo key FILE */
static int cmd_key(int argc, char **argv)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	EVP_PKEY *key = NULL;
	char *pub;
	FILE *f;

	if (argc != 2)
		usage();
	if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(kc, 2048) != 1 ||
	    EVP_PKEY_keygen(kc, &key) != 1)
		die("RSA key generation failed");
	EVP_PKEY_CTX_free(kc);
	f = fopen(argv[1], "w");
	if (!f || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 || fclose(f) != 0)
		die("%s: cannot write the key", argv[1]);
	pub = xasprintf("%s.pub", argv[1]);
	f = fopen(pub, "w");
	if (!f || PEM_write_PUBKEY(f, key) != 1 || fclose(f) != 0)
		die("%s: cannot write the key", pub);
	free(pub);
	EVP_PKEY_free(key);
	return 0;
}

static void build_data_tar(struct pkgspec *ps, struct aipkg_buf *tar, uint64_t *installed)
{
	*installed = 0;
	for (size_t i = 0; i < ps->nents; i++) {
		struct entry *e = &ps->ents[i];
		struct aipkg_buf pax = AIPKG_BUF_INIT;
		unsigned char sha[EVP_MAX_MD_SIZE];
		char hex[41], *dirname = NULL;

		if (e->type == '0' || e->type == '2') {
			/* abuild-tar --hash: a symlink's checksum is of its target */
			digest("SHA1", e->data, e->len, sha);
			hex_encode(sha, 20, hex);
			pax_record(&pax, "APK-TOOLS.checksum.SHA1", hex);
		}
		if (e->type == '5')
			dirname = xasprintf("%s/", e->path);
		if (e->type == '2')
			tar_entry_add(tar, e->path, '2', 0777, NULL, 0, ps->builddate, e->data,
				      &pax);
		else
			tar_entry_add(tar, dirname ? dirname : e->path, e->type, e->mode, e->data,
				      e->type == '0' ? e->len : 0, ps->builddate, NULL, &pax);
		if (e->type == '0')
			*installed += e->len;
		free(dirname);
		aipkg_buf_release(&pax);
	}
	tar_end(tar);
}

static void build_pkginfo(struct pkgspec *ps, uint64_t installed, const char *datahash,
			  struct aipkg_buf *out)
{
	bprintf(out, "# Generated by mkrepo (aipkg test fixtures)\n");
	bprintf(out, "pkgname = %s\npkgver = %s\n", ps->name, ps->version);
	bprintf(out, "pkgdesc = %s\nurl = %s\n", ps->desc, ps->url);
	bprintf(out, "builddate = %llu\n", ps->builddate);
	bprintf(out, "packager = aipkg tests <tests@aipkg.invalid>\n");
	bprintf(out, "size = %llu\narch = %s\norigin = %s\n",
		ps->claimed ? ps->claimed : (unsigned long long)installed, ps->arch, ps->origin);
	if (ps->commit)
		bprintf(out, "commit = %s\n", ps->commit);
	if (ps->maintainer)
		bprintf(out, "maintainer = %s\n", ps->maintainer);
	if (ps->priority)
		bprintf(out, "provider_priority = %s\n", ps->priority);
	bprintf(out, "license = %s\n", ps->license);
	for (size_t i = 0; i < ps->ndeps; i++)
		bprintf(out, "depend = %s\n", ps->deps[i]);
	for (size_t i = 0; i < ps->nprovides; i++)
		bprintf(out, "provides = %s\n", ps->provides[i]);
	if (ps->niif) {
		bputs(out, "install_if =");
		for (size_t i = 0; i < ps->niif; i++)
			bprintf(out, " %s", ps->iif[i]);
		bputs(out, "\n");
	}
	bprintf(out, "datahash = %s\n", datahash);
}

static void write_package(struct pkgspec *ps, const char *outdir, const struct signer *sg)
{
	struct aipkg_buf data = AIPKG_BUF_INIT, datagz = AIPKG_BUF_INIT;
	struct aipkg_buf info = AIPKG_BUF_INIT, control = AIPKG_BUF_INIT, apk = AIPKG_BUF_INIT;
	struct aipkg_buf ctlgz = AIPKG_BUF_INIT;
	unsigned char sha[EVP_MAX_MD_SIZE];
	char hex[65], *path;
	uint64_t installed;
	int r;

	build_data_tar(ps, &data, &installed);
	gzip_member(data.data, data.len, &datagz);
	digest("SHA256", datagz.data, datagz.len, sha);
	hex_encode(sha, 32, hex);
	build_pkginfo(ps, installed, hex, &info);

	/* no end-of-archive blocks: apk reads control and data as one tar */
	tar_entry_add(&control, ".PKGINFO", '0', 0644, info.data, info.len, ps->builddate, NULL,
		      NULL);
	gzip_member(control.data, control.len, &ctlgz);
	if (sg->key)
		sign_prepend(sg, ctlgz.data, ctlgz.len, &apk);
	else
		bput(&apk, ctlgz.data, ctlgz.len);
	bput(&apk, datagz.data, datagz.len);

	if ((r = mkdir_p(outdir, 0755)) < 0)
		die("%s: %s", outdir, strerror(-r));
	path = xasprintf("%s/%s-%s.apk", outdir, ps->name, ps->version);
	if ((r = file_write_atomic(path, apk.data, apk.len, 0644)) < 0)
		die("%s: %s", path, strerror(-r));
	free(path);
	aipkg_buf_release(&data);
	aipkg_buf_release(&datagz);
	aipkg_buf_release(&info);
	aipkg_buf_release(&control);
	aipkg_buf_release(&ctlgz);
	aipkg_buf_release(&apk);
}

static void pkgspec_release(struct pkgspec *ps)
{
	for (size_t i = 0; i < ps->nents; i++) {
		free(ps->ents[i].path);
		free(ps->ents[i].data);
	}
	free(ps->ents);
	free(ps->deps);
	free(ps->provides);
	free(ps->iif);
	free(ps->owned[0]);
	free(ps->owned[1]);
}

static unsigned long long parse_ull(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !*s || *end)
		die("invalid %s '%s'", what, s);
	return v;
}

static int cmd_pkg(int argc, char **argv)
{
	struct pkgspec ps = {.arch = "x86_64", .license = "MIT", .builddate = DEFAULT_BUILDDATE};
	struct signer sg;
	bool unsigned_ = false;
	int c;

	if (argc < 4)
		usage();
	ps.name = argv[2];
	ps.version = argv[3];
	/* apk 2 built real packages of versions apk 3 refuses (6.8.0p2-r7) */
	if (!aipkg_version_validate_rules(3, aipkg_slice_str(ps.version)) &&
	    !aipkg_version_validate_rules(2, aipkg_slice_str(ps.version)))
		die("invalid version '%s'", ps.version);
	optind = 4;
	while ((c = getopt(argc, argv, "d:u:l:o:a:t:m:c:k:D:p:i:f:x:L:s:S:U")) != -1) {
		switch (c) {
		case 'U':
			unsigned_ = true;
			break;
		case 'd':
			ps.desc = optarg;
			break;
		case 'u':
			ps.url = optarg;
			break;
		case 'l':
			ps.license = optarg;
			break;
		case 'o':
			ps.origin = optarg;
			break;
		case 'a':
			ps.arch = optarg;
			break;
		case 't':
			ps.builddate = parse_ull(optarg, "build date");
			break;
		case 'm':
			ps.maintainer = optarg;
			break;
		case 'c':
			ps.commit = optarg;
			break;
		case 'k':
			ps.priority = optarg;
			break;
		case 'D':
			strv_add(&ps.deps, &ps.ndeps, &ps.cdeps, optarg);
			break;
		case 'p':
			strv_add(&ps.provides, &ps.nprovides, &ps.cprovides, optarg);
			break;
		case 'i':
			strv_add(&ps.iif, &ps.niif, &ps.ciif, optarg);
			break;
		case 'f':
			add_file_arg(&ps, optarg, '0', 0644);
			break;
		case 'x':
			add_file_arg(&ps, optarg, '0', 0755);
			break;
		case 'L':
			add_file_arg(&ps, optarg, '2', 0777);
			break;
		case 's':
			ps.padding = parse_ull(optarg, "size");
			break;
		case 'S':
			ps.claimed = parse_ull(optarg, "size");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!ps.desc)
		ps.desc = ps.owned[0] = xasprintf("The %s test package", ps.name);
	if (!ps.url)
		ps.url = ps.owned[1] = xasprintf("https://example.org/%s", ps.name);
	if (!ps.origin)
		ps.origin = ps.name;
	if (ps.padding)
		add_padding(&ps);
	add_parent_dirs(&ps);
	if (ps.nents) /* a package without files has no array to sort */
		qsort(ps.ents, ps.nents, sizeof(*ps.ents), cmp_entry);
	signer_init(&sg, unsigned_, NULL, false);
	write_package(&ps, argv[1], &sg);
	signer_release(&sg);
	pkgspec_release(&ps);
	return 0;
}

/* ---- index ---- */

struct record {
	char *name, *version;
	struct aipkg_buf text;
};

static const char *pkginfo_get(const char *info, const char *key, struct aipkg_buf *all,
			       const char *sep)
{
	const char *line = info;
	size_t kl = strlen(key);

	aipkg_buf_reset(all);
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		if (ll > kl + 3 && !strncmp(line, key, kl) && !strncmp(line + kl, " = ", 3)) {
			if (all->len)
				bputs(all, sep);
			bput(all, line + kl + 3, ll - kl - 3);
		}
		line = nl ? nl + 1 : NULL;
	}
	return aipkg_buf_str(all);
}

/* The index record apk writes for one package (apk_pkg_write_index_header). */
static void index_record(const char *info, const char *csum, uint64_t size, struct record *rec)
{
	static const struct {
		const char *key;
		char field;
		bool always;
	} fields[] = {
	    {"pkgname", 'P', true},
	    {"pkgver", 'V', true},
	    {"arch", 'A', false},
	    {NULL, 'S', true},
	    {"size", 'I', true},
	    {"pkgdesc", 'T', true},
	    {"url", 'U', true},
	    {"license", 'L', true},
	    {"origin", 'o', false},
	    {"maintainer", 'm', false},
	    {"builddate", 't', false},
	    {"commit", 'c', false},
	    {"provider_priority", 'k', false},
	    {"depend", 'D', false},
	    {"provides", 'p', false},
	    {"install_if", 'i', false},
	};
	struct aipkg_buf v = AIPKG_BUF_INIT;

	bprintf(&rec->text, "C:%s\n", csum);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fields[i].key) {
			bprintf(&rec->text, "S:%llu\n", (unsigned long long)size);
			continue;
		}
		pkginfo_get(info, fields[i].key, &v, " ");
		if (!v.len && !fields[i].always)
			continue;
		if (strchr("tk", fields[i].field) && !strcmp(aipkg_buf_str(&v), "0"))
			continue;
		bprintf(&rec->text, "%c:%s\n", fields[i].field, aipkg_buf_str(&v));
	}
	bputs(&rec->text, "\n");
	rec->name = xstrdup(pkginfo_get(info, "pkgname", &v, ""));
	rec->version = xstrdup(pkginfo_get(info, "pkgver", &v, ""));
	aipkg_buf_release(&v);
}

/* Read one .apk: its .PKGINFO and the identity of its control member. */
static int read_package(const char *path, struct record *rec)
{
	struct aipkg_buf file = AIPKG_BUF_INIT, plain = AIPKG_BUF_INIT;
	struct gz_member m[8];
	struct tar_iter it;
	struct tar_entry e;
	char csum[32] = "", *info = NULL;
	int n, ctl = -1;

	if (file_read(path, &file) < 0)
		return -1;
	n = gunzip_members(file.data, file.len, &plain, m, 8);
	it = (struct tar_iter){(const unsigned char *)plain.data, plain.len, 0};
	while (n > 0 && tar_next(&it, &e) > 0) {
		size_t at = (size_t)(e.data - (const unsigned char *)plain.data);
		if (strcmp(e.name, ".PKGINFO"))
			continue;
		info = xstrndup((const char *)e.data, e.size);
		for (int i = 0; i < n && i < 8; i++)
			if (at >= m[i].plain_off && at < m[i].plain_off + m[i].plain_len)
				ctl = i;
		break;
	}
	if (info && ctl >= 0) {
		q1_checksum(file.data + m[ctl].off, m[ctl].len, csum);
		index_record(info, csum, file.len, rec);
	}
	free(info);
	aipkg_buf_release(&file);
	aipkg_buf_release(&plain);
	return csum[0] ? 0 : -1;
}

static int cmp_record(const void *a, const void *b)
{
	const struct record *ra = a, *rb = b;
	int r = strcasecmp(ra->name, rb->name);

	if (!r)
		r = strcmp(ra->name, rb->name);
	if (!r)
		r = aipkg_version_compare_rules(2, aipkg_slice_str(ra->version),
						aipkg_slice_str(rb->version), false);
	return r;
}

static int cmd_index(int argc, char **argv)
{
	const char *desc = NULL;
	struct record *recs = NULL;
	struct aipkg_buf text = AIPKG_BUF_INIT, tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT;
	size_t n = 0, cap = 0, nfiles;
	char **files, *path;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	uint64_t mtime = epoch ? strtoull(epoch, NULL, 10) : (uint64_t)time(NULL);
	struct signopts so = signopts_parse(argc, argv);
	struct signer sg;
	int r;

	desc = so.desc;
	files = dir_list(argv[optind], ".apk", &nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		struct record *rec = xgrow(&recs, &cap, n, sizeof(*recs));
		path = xasprintf("%s/%s", argv[optind], files[i]);
		if (read_package(path, rec) < 0)
			die("%s: not an apk v2 package", path);
		free(path);
		n++;
	}
	if (n)
		qsort(recs, n, sizeof(*recs), cmp_record);
	for (size_t i = 0; i < n; i++)
		bput(&text, recs[i].text.data, recs[i].text.len);
	if (desc)
		tar_apk_entry_add(&tar, "DESCRIPTION", desc, strlen(desc), 0644, mtime);
	tar_apk_entry_add(&tar, "APKINDEX", text.data, text.len, 0644, mtime);
	tar_end(&tar);
	gzip_member(tar.data, tar.len, &gz);
	signer_init(&sg, so.unsigned_, so.type, so.bad);
	if (sg.key) {
		aipkg_buf_reset(&tar);
		sign_prepend(&sg, gz.data, gz.len, &tar);
		aipkg_buf_reset(&gz);
		bput(&gz, tar.data, tar.len);
	}
	signer_release(&sg);
	path = xasprintf("%s/APKINDEX.tar.gz", argv[optind]);
	if ((r = file_write_atomic(path, gz.data, gz.len, 0644)) < 0)
		die("%s: %s", path, strerror(-r));
	free(path);
	for (size_t i = 0; i < n; i++) {
		free(recs[i].name);
		free(recs[i].version);
		aipkg_buf_release(&recs[i].text);
	}
	free(recs);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	aipkg_buf_release(&text);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
	return 0;
}

/* ---- a realistic index, for the benchmarks ---- */

/*
 * What Alpine 3.18's main and community indexes hold (20,069 packages,
 * 8.3 MB of text, 415 bytes a record), measured with awk over the real
 * files: how many D:, p: and i: entries a package has, what kinds they
 * are, how long descriptions are.  The generator draws from these, so the
 * made-up index has the real one's size, record length and list shapes.
 */
static const unsigned depends_hist[] = {/* 0..20+ entries */ 6104, 2433, 3290, 2180, 1309, 925,
					685,  559,  420,  301,  265,	 212,  167, 144, 104, 122,
					97,   75,   71,   57,   549};
static const unsigned provides_hist[] = {/* 0..30+ */ 11432, 5288, 1502, 548, 345, 190, 101, 91,
					 71,	49,   46,   45,	 41,  29,  22,	27,  21,  15,
					 15,	16,   7,    15,	 9,   7,   6,	9,   4,	  8,
					 8,	83};
static const unsigned desc_hist[] = {/* length / 10 */ 3,  533, 3400, 3534, 4537, 3134,
				     2105, 1316, 733, 392, 208,	 101,  50,   15,   7,	 1};
static const char *const stems[] = {
    "py3",  "perl", "font",  "gnome",  "lua5.4", "ruby", "linux", "qemu", "qt5", "php82", "abseil",
    "sane", "lua5.1", "collectd", "mate", "uwsgi", "tesseract", "qt6", "xfce4", "plasma", "git",
    "xf86", "nagios", "acf", "rust", "go", "libxml2", "openssl", "curl", "zlib", "musl", "busybox",
    "apache2", "postgresql15", "mariadb", "redis", "nodejs", "openjdk17", "gcc", "llvm16",
    "ffmpeg", "gstreamer", "gtk+3.0", "kde", "samba", "bind", "openssh", "dovecot", "postfix"};
static const char *const words[] = {
    "core", "utils", "tools", "common", "data", "extra", "client", "server", "gui", "cli",
    "plugin", "module", "bindings", "parser", "http", "json", "yaml", "xml", "crypto", "net",
    "image", "audio", "video", "sql", "cache", "proxy", "auth", "mail", "dns", "log"};
static const char *const suffixes[] = {"", "", "", "", "", "-dev", "-dev", "-doc", "-doc", "-doc",
				       "-libs", "-openrc", "-lang", "-static", "-dbg", "-pyc"};
static const char *const licenses[] = {"MIT", "GPL-2.0-or-later", "BSD-3-Clause", "Apache-2.0",
				       "LGPL-2.1-or-later", "GPL-3.0-or-later AND MIT",
				       "Artistic-1.0-Perl OR GPL-1.0-or-later", "ISC", "MPL-2.0"};
static const char *const lorem[] = {
    "library",	"for",	    "the",	"and",	   "parsing",  "support", "implementation",
    "of",	"a",	    "fast",	"simple",  "small",    "server",  "client",
    "tools",	"Python",   "Perl",	"module",  "documentation", "development", "files",
    "bindings", "GNOME",    "protocol", "web",	   "image",    "manipulation", "network",
    "secure",	"command-line", "utility", "with",  "plugins",  "data",	   "interface"};

static unsigned long long bi_state = 0x243f6a8885a308d3ULL;

static unsigned bi_rand(void)
{
	bi_state ^= bi_state << 13;
	bi_state ^= bi_state >> 7;
	bi_state ^= bi_state << 17;
	return (unsigned)(bi_state >> 11);
}

/* A draw from histogram H of N buckets. */
static unsigned bi_hist(const unsigned *h, size_t n)
{
	unsigned long total = 0, pick;

	for (size_t i = 0; i < n; i++)
		total += h[i];
	pick = bi_rand() % total;
	for (size_t i = 0; i < n; i++) {
		if (pick < h[i])
			return (unsigned)i;
		pick -= h[i];
	}
	return (unsigned)(n - 1);
}

#define PICK(a) ((a)[bi_rand() % (sizeof(a) / sizeof((a)[0]))])

/* A made-up identity in apk's form: "Q1" + base64 of 20 bytes. */
static void bi_checksum(char out[32])
{
	unsigned char sha[20];

	for (size_t i = 0; i < sizeof(sha); i++)
		sha[i] = (unsigned char)bi_rand();
	out[0] = 'Q';
	out[1] = '1';
	EVP_EncodeBlock((unsigned char *)out + 2, sha, 20);
}

static char *bi_name(size_t i)
{
	/* the first few are ones a person looks for, as on a real system */
	static const char *const known[] = {"nginx", "nginx-doc", "nginx-openrc", "nginx-mod-http-geoip",
					    "nginx-mod-stream", "perl-test-nginx", "curl", "musl",
					    "busybox", "openssl", "libcrypto3", "postgresql15"};

	if (i < sizeof(known) / sizeof(known[0]))
		return xstrdup(known[i]);
	return xasprintf("%s-%s%zu%s", PICK(stems), PICK(words), i % 997, PICK(suffixes));
}

static void bi_words(struct aipkg_buf *b, size_t len)
{
	size_t start = b->len;

	while (b->len - start < len)
		bprintf(b, "%s%s", b->len > start ? " " : "", PICK(lorem));
}

/* One record: fields in the order apk index writes them. */
static void bigindex_record(struct aipkg_buf *b, char **names, size_t n, size_t i,
			    const char *version, char csum[32])
{
	unsigned nd = bi_hist(depends_hist, sizeof(depends_hist) / sizeof(depends_hist[0]));
	unsigned np = bi_hist(provides_hist, sizeof(provides_hist) / sizeof(provides_hist[0]));
	unsigned dl = bi_hist(desc_hist, sizeof(desc_hist) / sizeof(desc_hist[0])) * 10 + 5;

	if (nd == 20)
		nd += bi_rand() % 40;
	if (np == 30)
		np += bi_rand() % 60;
	bi_checksum(csum);
	bprintf(b, "C:%s\nP:%s\nV:%s\nA:x86_64\nS:%u\nI:%u\nT:", csum, names[i], version,
		2000 + bi_rand() % 900000, 8000 + bi_rand() % 4000000);
	bi_words(b, dl);
	bprintf(b, "\nU:https://www.%s.org/projects/%s\nL:%s\no:%s\n", PICK(words), names[i],
		PICK(licenses), names[i]);
	if (bi_rand() % 100 < 97)
		bprintf(b, "m:%s %s <%s@alpinelinux.org>\n", PICK(words), PICK(lorem), PICK(words));
	bprintf(b, "t:%u\nc:%08x%08x%08x%08x%08x\n", 1680000000 + bi_rand() % 20000000, bi_rand(),
		bi_rand(), bi_rand(), bi_rand(), bi_rand());
	if (bi_rand() % 100 < 3)
		bprintf(b, "k:%u\n", 10 + bi_rand() % 90);
	if (nd) {
		bputs(b, "D:");
		for (unsigned k = 0; k < nd; k++) {
			unsigned kind = bi_rand() % 100;
			const char *sep = k ? " " : "";

			/* 59% so:, 37% package names, 3% pc:, a few conflicts */
			if (kind < 59)
				bprintf(b, "%sso:lib%s%u.so.%u", sep, PICK(words), bi_rand() % 400,
					bi_rand() % 4);
			else if (kind < 96)
				bprintf(b, "%s%s", sep, names[bi_rand() % n]);
			else if (kind < 99)
				bprintf(b, "%spc:%s-%u", sep, PICK(words), bi_rand() % 200);
			else
				bprintf(b, "%s!%s", sep, names[bi_rand() % n]);
		}
		bputs(b, "\n");
	}
	if (np) {
		bputs(b, "p:");
		for (unsigned k = 0; k < np; k++) {
			unsigned kind = bi_rand() % 100;
			const char *sep = k ? " " : "";

			/* 58% cmd:, 22% so:, 10% pc:, 10% plain names */
			if (kind < 58)
				bprintf(b, "%scmd:%s%u=%s", sep, PICK(words), bi_rand() % 3000, version);
			else if (kind < 80)
				bprintf(b, "%sso:lib%s%u.so.%u=%u.%u", sep, PICK(words), bi_rand() % 400,
					bi_rand() % 4, bi_rand() % 9, bi_rand() % 30);
			else if (kind < 90)
				bprintf(b, "%spc:%s-%u=%s", sep, PICK(words), bi_rand() % 200, version);
			else
				bprintf(b, "%s%s-%s%u", sep, PICK(stems), PICK(words), bi_rand() % 50);
		}
		bputs(b, "\n");
	}
	if (bi_rand() % 100 < 36)
		bprintf(b, "i:%s=%s %s\n", names[bi_rand() % n], version, PICK(stems));
	bputs(b, "\n");
}

/* Write DIR/APKINDEX.tar.gz of N packages; with INSTALLED, an installed db
 * of M of them (every third one version older). */
static int cmd_bigindex(int argc, char **argv)
{
	struct aipkg_buf text = AIPKG_BUF_INIT, tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT;
	struct aipkg_buf inst = AIPKG_BUF_INIT, signed_gz = AIPKG_BUF_INIT;
	const char *installed = NULL, *desc = "v3.18.5-bench";
	size_t n = 20000, m = 300;
	char **names, *path;
	struct signer sg;
	bool unsigned_ = false;
	size_t ninst = 0;
	int c, r;

	optind = 1;
	while ((c = getopt(argc, argv, "n:I:i:d:U")) != -1) {
		if (c == 'n')
			n = (size_t)parse_ull(optarg, "count");
		else if (c == 'I')
			installed = optarg;
		else if (c == 'i')
			m = (size_t)parse_ull(optarg, "count");
		else if (c == 'd')
			desc = optarg;
		else if (c == 'U')
			unsigned_ = true;
		else
			usage();
	}
	if (optind != argc - 1 || n == 0 || m > n)
		usage();
	names = xmalloc(n * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = bi_name(i);
	for (size_t i = 0; i < n; i++) {
		char *v = xasprintf("%u.%u.%u-r%u", 1 + (unsigned)(i % 9), (unsigned)(i % 23),
				    (unsigned)(i % 7), (unsigned)(i % 3) + 1);

		char csum[32];

		bigindex_record(&text, names, n, i, v, csum);
		if (installed && m && i % (n / m) == 0 && ninst++ < m) {
			/* every third installed one is a release behind (another
			 * package, so another identity): upgradable */
			if (ninst % 3 == 0) {
				v[strlen(v) - 1] = '0';
				bi_checksum(csum);
			}
			bprintf(&inst, "C:%s\nP:%s\nV:%s\nA:x86_64\nS:1\nI:1\nT:x\no:%s\n\n",
				csum, names[i], v, names[i]);
		}
		free(v);
	}
	tar_apk_entry_add(&tar, "DESCRIPTION", desc, strlen(desc), 0644, DEFAULT_BUILDDATE);
	tar_apk_entry_add(&tar, "APKINDEX", text.data, text.len, 0644, DEFAULT_BUILDDATE);
	tar_end(&tar);
	gzip_member(tar.data, tar.len, &gz);
	signer_init(&sg, unsigned_, NULL, false);
	if (sg.key)
		sign_prepend(&sg, gz.data, gz.len, &signed_gz);
	else
		bput(&signed_gz, gz.data, gz.len);
	signer_release(&sg);
	if ((r = mkdir_p(argv[optind], 0755)) < 0)
		die("%s: %s", argv[optind], strerror(-r));
	path = xasprintf("%s/APKINDEX.tar.gz", argv[optind]);
	if ((r = file_write_atomic(path, signed_gz.data, signed_gz.len, 0644)) < 0)
		die("%s: %s", path, strerror(-r));
	if (installed && (r = file_write_atomic(installed, inst.data, inst.len, 0644)) < 0)
		die("%s: %s", installed, strerror(-r));
	printf("%zu packages, %zu bytes of index text, %zu compressed\n", n, text.len,
	       signed_gz.len);
	free(path);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	aipkg_buf_release(&text);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
	aipkg_buf_release(&signed_gz);
	aipkg_buf_release(&inst);
	return 0;
}

/* mkrepo sign FILE [-T TYPE] [-B]: sign an index (or anything) in place. */
static int cmd_sign(int argc, char **argv)
{
	struct aipkg_buf in = AIPKG_BUF_INIT, out = AIPKG_BUF_INIT;
	struct signopts so = signopts_parse(argc, argv);
	struct signer sg;
	int r;

	signer_init(&sg, false, so.type, so.bad);
	if (!sg.key)
		die("sign: MKREPO_KEY names no key");
	if ((r = file_read(argv[optind], &in)) < 0)
		die("%s: %s", argv[optind], strerror(-r));
	sign_prepend(&sg, in.data, in.len, &out);
	if ((r = file_write_atomic(argv[optind], out.data, out.len, 0644)) < 0)
		die("%s: %s", argv[optind], strerror(-r));
	signer_release(&sg);
	aipkg_buf_release(&in);
	aipkg_buf_release(&out);
	return 0;
}

static int cmd_q1(const char *path)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char target[4096], q1[32];
	ssize_t n = readlink(path, target, sizeof(target));

	if (n >= 0)
		q1_checksum(target, (size_t)n, q1);
	else if (file_read(path, &b) == 0)
		q1_checksum(b.data ? b.data : "", b.len, q1);
	else
		die("%s: %s", path, strerror(errno));
	printf("%s\n", q1);
	aipkg_buf_release(&b);
	return 0;
}

int main(int argc, char **argv)
{
	tool_name = "mkrepo";
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "pkg"))
		return cmd_pkg(argc - 1, argv + 1);
	if (!strcmp(argv[1], "index"))
		return cmd_index(argc - 1, argv + 1);
	if (!strcmp(argv[1], "key"))
		return cmd_key(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sign"))
		return cmd_sign(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bigindex"))
		return cmd_bigindex(argc - 1, argv + 1);
	if (!strcmp(argv[1], "q1") && argc == 3)
		return cmd_q1(argv[2]);
	usage();
}
