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
 *     -U                unsigned, whatever MKREPO_KEY says
 *   mkrepo index DIR [-d DESCRIPTION] [-U] [-T TYPE] [-B]
 *                                              writes DIR/APKINDEX.tar.gz
 *   mkrepo key FILE    a new 2048-bit RSA key: FILE (private) and FILE.pub
 *   mkrepo sign FILE [-T TYPE] [-B]            signs FILE (an index) in place
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
	unsigned long long builddate, padding;
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
	      "         [-s SIZE] [-U]\n"
	      "       mkrepo index DIR [-d DESCRIPTION] [-U] [-T RSA|RSA256] [-B]\n"
	      "       mkrepo key FILE\n"
	      "       mkrepo sign FILE [-T RSA|RSA256] [-B]\n",
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
	bprintf(out, "size = %llu\narch = %s\norigin = %s\n", (unsigned long long)installed,
		ps->arch, ps->origin);
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
	if (!aipkg_version_validate(aipkg_slice_str(ps.version)))
		die("invalid version '%s'", ps.version);
	optind = 4;
	while ((c = getopt(argc, argv, "d:u:l:o:a:t:m:c:k:D:p:i:f:x:L:s:U")) != -1) {
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
		r = aipkg_version_compare(aipkg_slice_str(ra->version),
					  aipkg_slice_str(rb->version));
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
	usage();
}
