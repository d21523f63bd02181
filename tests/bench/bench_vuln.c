/* Benchmark: `aipkg check-vuln` on a generated 2,000-package root, and apk for comparison. */
/* SPDX-License-Identifier: MIT */
/*
 * Run by tests/bench/run (AIPKG names the built aipkg).  Generates in a
 * scratch directory a root with 2,000 installed
 * packages (lib/apk/db/installed with file lines, as a real one has), a
 * local repository whose APKINDEX.tar.gz holds newer versions of them
 * and 1,000 more, and secdb files (main.json and community.json) with
 * 5,000 package entries in all, served by file://.  One run warms the
 * cache; then RUNS (11) runs of `aipkg --json check-vuln` are
 * timed, each a fresh process (ru_maxrss of that child is its peak
 * memory).  With AIPKG_TEST_APK set, `apk --root ROOT list --installed`
 * is timed the same way for comparison.  Prints bench.h's result lines.
 */
#include <ftw.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "../tools/tool.h"
#include "bench.h"

#define INSTALLED	2000
#define EXTRA_AVAILABLE 1000
#define SECDB_MAIN	4000
#define SECDB_COMMUNITY 1000
#define TARGET_MS	50.0
#define TARGET_MB	30.0
#define RUNS		11

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* A fixed sequence, so every run of the benchmark sees the same data. */
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Package I's origin: three packages per origin (foo, foo-libs, foo-doc). */
static void origin_of(unsigned i, char *out, size_t size)
{
	snprintf(out, size, "origin%04u", i / 3);
}

static void version_of(unsigned i, unsigned bump, char *out, size_t size)
{
	snprintf(out, size, "%u.%u.%u-r%u", 1 + i % 7, i % 23, (i * 7) % 31 + bump, i % 4);
}

/* Write B to PATH (taken: freed here), making its directory. */
static void write_file(char *path, const struct aipkg_buf *b)
{
	char *slash = strrchr(path, '/');

	*slash = '\0';
	if (mkdir_p(path, 0755) < 0)
		die("cannot make %s", path);
	*slash = '/';
	if (file_write_atomic(path, b->data, b->len, 0644) < 0)
		die("cannot write %s", path);
	free(path);
}

static void installed_record(struct aipkg_buf *b, unsigned i)
{
	char origin[32], ver[32];

	origin_of(i, origin, sizeof(origin));
	version_of(i, 0, ver, sizeof(ver));
	bprintf(b,
		"C:Q1%027u=\nP:pkg%04u\nV:%s\nA:x86_64\nS:%u\nI:%u\nT:generated package %u\n"
		"U:https://example.org/\nL:MIT\no:%s\nm:Bench <bench@example.org>\nt:1700000000\n"
		"c:0123456789abcdef0123456789abcdef01234567\nD:so:libc.musl-x86_64.so.1\n",
		i, i, ver, 10000 + i, 40000 + i, i, origin);
	bprintf(b, "F:usr/lib/pkg%04u\n", i);
	for (unsigned f = 0; f < 20; f++)
		bprintf(b, "R:file%02u.so\na:0:0:755\nZ:Q1%027u=\n", f, i * 100 + f);
	bputs(b, "\n");
}

static void make_root(const char *root, const char *repo)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	for (unsigned i = 0; i < INSTALLED; i++)
		installed_record(&b, i);
	write_file(xasprintf("%s/lib/apk/db/installed", root), &b);
	aipkg_buf_reset(&b);
	bputs(&b, "3.20.3\n");
	write_file(xasprintf("%s/etc/alpine-release", root), &b);
	aipkg_buf_reset(&b);
	bputs(&b, "x86_64\n");
	write_file(xasprintf("%s/etc/apk/arch", root), &b);
	aipkg_buf_reset(&b);
	for (unsigned i = 0; i < INSTALLED; i += 7)
		bprintf(&b, "pkg%04u\n", i);
	write_file(xasprintf("%s/etc/apk/world", root), &b);
	aipkg_buf_reset(&b);
	bprintf(&b, "%s\n", repo);
	write_file(xasprintf("%s/etc/apk/repositories", root), &b);
	aipkg_buf_release(&b);
}

static void index_record(struct aipkg_buf *b, unsigned i, unsigned bump)
{
	char origin[32], ver[32];

	origin_of(i, origin, sizeof(origin));
	version_of(i, bump, ver, sizeof(ver));
	bprintf(b,
		"C:Q1%027u=\nP:pkg%04u\nV:%s\nA:x86_64\nS:%u\nI:%u\nT:generated package %u\n"
		"U:https://example.org/\nL:MIT\no:%s\nm:Bench <bench@example.org>\nt:1700000000\n"
		"c:0123456789abcdef0123456789abcdef01234567\nD:so:libc.musl-x86_64.so.1\n"
		"p:cmd:pkg%04u=%s\n\n",
		i, i, ver, 10000 + i, 40000 + i, i, origin, i, ver);
}

static void make_repo(const char *repo)
{
	struct aipkg_buf text = AIPKG_BUF_INIT, tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT;

	for (unsigned i = 0; i < INSTALLED + EXTRA_AVAILABLE; i++)
		index_record(&text, i, i % 2 ? 1 : 0);
	tar_apk_entry_add(&tar, "DESCRIPTION", "bench", 5, 0644, 1700000000);
	tar_apk_entry_add(&tar, "APKINDEX", text.data, text.len, 0644, 1700000000);
	tar_end(&tar);
	gzip_member(tar.data, tar.len, &gz);
	write_file(xasprintf("%s/x86_64/APKINDEX.tar.gz", repo), &gz);
	aipkg_buf_release(&text);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
}

/* One secdb package entry for origin number O: 1 to 8 fixed versions
 * around the installed ones, 1 to 4 CVEs each, now and then a "0". */
static void secdb_entry(struct aipkg_buf *b, unsigned o, bool first)
{
	unsigned nfix = 1 + rnd(8);

	bprintf(b, "%s\n    {\"pkg\": {\"name\": \"origin%04u\", \"secfixes\": {", first ? "" : ",",
		o);
	for (unsigned f = 0; f < nfix; f++) {
		unsigned ncve = 1 + rnd(4);
		char ver[32];

		if (f == 0 && rnd(10) == 0)
			snprintf(ver, sizeof(ver), "0");
		else
			version_of(o * 3, rnd(3), ver, sizeof(ver));
		bprintf(b, "%s\"%s\": [", f ? ", " : "", ver);
		for (unsigned c = 0; c < ncve; c++)
			bprintf(b, "%s\"CVE-20%02u-%u\"", c ? ", " : "", 10 + rnd(15),
				1000 + rnd(60000));
		bputs(b, "]");
	}
	bputs(b, "}}}");
}

static void make_secdb_file(char *path, const char *repo, unsigned from, unsigned n)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	bprintf(&b,
		"{\n  \"distroversion\": \"v3.20\",\n  \"reponame\": \"%s\",\n"
		"  \"archs\": [\"x86_64\"],\n  \"urlprefix\": "
		"\"https://dl-cdn.alpinelinux.org/alpine\",\n"
		"  \"apkurl\": "
		"\"{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/"
		"{{pkg.name}}-{{pkg.ver}}.apk\",\n"
		"  \"packages\": [",
		repo);
	/* origins 0..666 are installed; the rest of the entries name others */
	for (unsigned i = 0; i < n; i++)
		secdb_entry(&b, from + i, i == 0);
	bputs(&b, "\n  ]\n}\n");
	write_file(path, &b);
	aipkg_buf_release(&b);
}

static void make_secdb(const char *dir)
{
	make_secdb_file(xasprintf("%s/v3.20/main.json", dir), "main", 0, SECDB_MAIN);
	make_secdb_file(xasprintf("%s/v3.20/community.json", dir), "community", SECDB_MAIN,
			SECDB_COMMUNITY);
}

struct run {
	double ms;
	double rss_mb;
	int status;
};

/* Run ARGV with stdout on OUT (NULL: /dev/null); its wall time and peak memory. */
static struct run run_child_to(char *const *argv, const char *out)
{
	struct timespec t0, t1;
	struct rusage ru;
	struct run r = {0, 0, -1};
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;

		dup2(fd, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &r.status, 0, &ru) < 0)
		die("cannot run %s", argv[0]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r.ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	r.rss_mb = (double)ru.ru_maxrss / 1024.0;
	return r;
}

static struct run run_child(char *const *argv)
{
	return run_child_to(argv, NULL);
}

/* How many findings the JSON document at PATH lists. */
static unsigned count_findings(const char *path)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	unsigned n = 0;

	if (file_read(path, &b) < 0)
		die("cannot read %s", path);
	for (const char *p = aipkg_buf_str(&b); (p = strstr(p, "\"cve\":")); p++)
		n++;
	aipkg_buf_release(&b);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median wall time and the largest peak memory of RUNS runs. */
static void measure(char *const *argv, int runs, double *median_ms, double *max_mb, int *status)
{
	double *ms = xmalloc(sizeof(double) * (size_t)runs);

	*max_mb = 0;
	for (int i = 0; i < runs; i++) {
		struct run r = run_child(argv);

		ms[i] = r.ms;
		*status = r.status;
		if (r.rss_mb > *max_mb)
			*max_mb = r.rss_mb;
	}
	qsort(ms, (size_t)runs, sizeof(double), cmp_double);
	*median_ms = ms[runs / 2];
	free(ms);
}

static void write_config(const char *root, const char *secdb)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	bprintf(&b, "vuln:\n  secdb_url: file://%s/\n  max_age: 86400\n", secdb);
	write_file(xasprintf("%s/etc/aipkg/aipkg.yaml", root), &b);
	aipkg_buf_release(&b);
}

/* The apk command's words, then ARGS..., NULL-terminated; NULL without one. */
static char **apk_argv(const char *root, char **copy)
{
	const char *apk = getenv("AIPKG_TEST_APK");
	char **words = NULL;
	size_t n = 0;

	if (!apk || !*apk)
		return NULL;
	*copy = xstrdup(apk);
	for (char *w = strtok(*copy, " \t"); w; w = strtok(NULL, " \t")) {
		words = xrealloc(words, (n + 6) * sizeof(*words));
		words[n++] = w;
	}
	words[n++] = "--root";
	words[n++] = (char *)root;
	words[n++] = "list";
	words[n++] = "--installed";
	words[n] = NULL;
	return words;
}

static void compare_apk(const char *root)
{
	char *copy = NULL, **argv = apk_argv(root, &copy), fig[512];
	const char *apk_binary = "apk";
	double ms, mb;
	int status;

	if (!argv) {
		printf("BENCH\tapk --root ROOT list --installed, same root\tSKIPPED (set "
		       "AIPKG_TEST_APK)\t-\tinfo\n");
		return;
	}
	for (size_t i = 0; argv[i] && strcmp(argv[i], "--root") != 0; i++)
		apk_binary = argv[i]; /* the last word: the loader may come first */
	measure(argv, RUNS, &ms, &mb, &status);
	snprintf(fig, sizeof(fig), "apk list --installed, same root (%s, exit %d)",
		 strrchr(apk_binary, '/') ? strrchr(apk_binary, '/') + 1 : apk_binary,
		 WEXITSTATUS(status));
	bench_report(fig, ms, "ms", 0);
	bench_report("apk list --installed peak memory", mb, "MiB", 0);
	free(argv);
	free(copy);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

int main(int argc, char **argv)
{
	const char *aipkg = argc > 1 ? argv[1] : getenv("AIPKG");
	char work[] = "/tmp/aipkg-bench-vuln-XXXXXX";
	char *root, *repo, *secdb, *scan_out;
	double ms, mb;
	int status;

	tool_name = "bench_vuln";
	if (!aipkg || !mkdtemp(work))
		die("usage: AIPKG=path/to/aipkg bench_vuln (or bench_vuln AIPKG)");
	root = xasprintf("%s/root", work);
	repo = xasprintf("%s/repo", work);
	secdb = xasprintf("%s/secdb", work);
	scan_out = xasprintf("%s/scan.json", work);
	make_root(root, repo);
	make_repo(repo);
	make_secdb(secdb);
	write_config(root, secdb);

	char *scan[] = {(char *)aipkg, "--root", root, "--json", "check-vuln", NULL};
	struct run warm = run_child_to(scan, scan_out);

	if (!WIFEXITED(warm.status) || WEXITSTATUS(warm.status) != 0)
		die("the warm-up run failed (exit %d): %s --root %s check-vuln",
		    WEXITSTATUS(warm.status), aipkg, root);
	measure(scan, RUNS, &ms, &mb, &status);
	bench_report("check-vuln: 2,000 installed x 5,000 secdb entries, warm cache (process)", ms,
		     "ms", TARGET_MS);
	bench_report("check-vuln peak memory (ru_maxrss)", mb, "MiB", TARGET_MB);
	bench_report("check-vuln findings", count_findings(scan_out), "", 0);
	compare_apk(root);
	nftw(work, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
	free(repo);
	free(secdb);
	free(scan_out);
	return 0;
}
