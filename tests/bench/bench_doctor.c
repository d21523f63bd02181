/* Benchmark: `aipkg doctor` on a generated root of 2,000 packages and 200,000 files, and apk audit. */
/* SPDX-License-Identifier: MIT */
/*
 * Run by tests/bench/run (AIPKG names the built aipkg).  Generates a root
 * (under $TMPDIR, or AIPKG_BENCH_DOCTOR_ROOT to keep and reuse one) with
 * 2,000 installed packages of 100 files each, in 20 directories a
 * package, with lib/apk/db/installed recording their SHA-1 as apk does.
 * File sizes follow the shape of real Alpine systems (most files small, a
 * few large; the real installed databases gathered average 25 to 40 KiB
 * a file counted in 4 KiB blocks): 60% of 128 B-4 KiB, 28% of 4-32 KiB,
 * 10.5% of 32-256 KiB, 1.5% of 256 KiB-1 MiB, an octave at random then
 * uniform within it, about 4 GiB in all, and one file in 1,000 is a
 * symlink.
 *
 * The page cache is warmed by one run; then each figure is the median of
 * RUNS fresh processes: `aipkg doctor` (files unchanged since they were
 * found intact are not read again: the usual run), `aipkg doctor --rehash`
 * (every file read and hashed), and with AIPKG_TEST_APK `apk audit
 * --system` on the same root; wall and CPU time (user + system), since on
 * a shared machine the wall time mostly measures the others.
 */
#include <ftw.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "../tools/tool.h"
#include "bench.h"

#define PACKAGES 2000
#define FILES	 100 /* per package */
#define DIRS	 20  /* per package */
#define RUNS	 5
#define TARGET_MS 2000.0
#define BLOCK	 ((size_t)1 << 20)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Log-uniform in [LO, LO << OCTAVES): an octave at random, then uniform in it. */
static size_t log_uniform(size_t lo, unsigned octaves)
{
	size_t base = lo << (rnd64() % octaves);

	return base + (size_t)(rnd64() % base);
}

static size_t file_size(void)
{
	unsigned p = (unsigned)(rnd64() % 1000);

	if (p < 600)
		return log_uniform(128, 5);    /* 128 B - 4 KiB */
	if (p < 880)
		return log_uniform(4096, 3);   /* 4 - 32 KiB */
	if (p < 985)
		return log_uniform(32768, 3);  /* 32 - 256 KiB */
	return log_uniform(262144, 2);         /* 256 KiB - 1 MiB */
}

static void fill(unsigned char *buf, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t v = rnd64();

		memcpy(buf + i, &v, 8);
	}
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write_all(fd, data, len) < 0 || close(fd) < 0)
		die("cannot write %s: %s", path, strerror(errno));
}

/* ROOT/REL... formatted into BUF (PATH_SIZE bytes). */
#define PATH_SIZE 4096
__attribute__((format(printf, 3, 4))) static const char *at(char *buf, const char *root,
							    const char *fmt, ...)
{
	size_t n = (size_t)snprintf(buf, PATH_SIZE, "%s/", root);
	va_list ap;

	va_start(ap, fmt);
	if (n < PATH_SIZE)
		vsnprintf(buf + n, PATH_SIZE - n, fmt, ap);
	va_end(ap);
	return buf;
}

/* The root and its installed db; returns the bytes written. */
static uint64_t generate(const char *root)
{
	struct aipkg_buf db = AIPKG_BUF_INIT;
	unsigned char *buf = xmalloc(BLOCK);
	uint64_t bytes = 0;
	char path[PATH_SIZE], q1[32];
	size_t off;

	fill(buf, BLOCK);
	for (int p = 0; p < PACKAGES; p++) {
		/* an identity as random as a real one: apk 2.14 and 3.0 crash on
		 * installed packages whose identities share their first bytes */
		snprintf(path, sizeof(path), "package-%d", p);
		q1_checksum(path, strlen(path), q1);
		bprintf(&db, "C:%s\nP:package-%d\nV:1.%d.3-r0\n"
			     "A:x86_64\nS:8515\nI:315392\nT:package %d\nU:https://example.org/\n"
			     "L:MIT\no:package-%d\nt:1714981135\n",
			q1, p, p % 50, p, p);
		/* every ancestor directory is listed, as apk writes it */
		bprintf(&db, "F:usr\nF:usr/share\nF:usr/share/package-%d\n", p);
		for (int f = 0; f < FILES; f++) {
			size_t n;

			if (f % (FILES / DIRS) == 0) {
				at(path, root, "usr/share/package-%d/dir%d", p,
					 f / (FILES / DIRS));
				mkdir_p(path, 0755);
				bprintf(&db, "F:usr/share/package-%d/dir%d\n", p, f / (FILES / DIRS));
			}
			at(path, root, "usr/share/package-%d/dir%d/file-%d", p,
				 f / (FILES / DIRS), f);
			if ((p * FILES + f) % 1000 == 999) {
				if (symlink("file-0", path) < 0 && errno != EEXIST)
					die("symlink %s: %s", path, strerror(errno));
				q1_checksum("file-0", 6, q1);
				bprintf(&db, "R:file-%d\na:0:0:777\nZ:%s\n", f, q1);
				continue;
			}
			n = file_size();
			if (n > BLOCK - 64)
				n = BLOCK - 64;
			/* a different content per file: where in the random block it starts */
			off = (size_t)(rnd64() % 64);
			write_file(path, buf + off, n);
			q1_checksum(buf + off, n, q1);
			bytes += n;
			bprintf(&db, "R:file-%d\nZ:%s\n", f, q1);
		}
		bputs(&db, "\n");
	}
	at(path, root, "lib/apk/db");
	mkdir_p(path, 0755);
	at(path, root, "lib/apk/db/installed");
	write_file(path, db.data, db.len);
	at(path, root, "etc/apk");
	mkdir_p(path, 0755);
	at(path, root, "etc/apk/world");
	write_file(path, "package-0\n", 10);
	at(path, root, "etc/apk/arch");
	write_file(path, "x86_64\n", 7);
	at(path, root, "etc/apk/repositories");
	write_file(path, "", 0);
	at(path, root, "etc/alpine-release");
	write_file(path, "3.20.3\n", 7);
	at(path, root, "ready");
	write_file(path, "", 0);
	aipkg_buf_release(&db);
	free(buf);
	return bytes;
}

/* CPU time (user + system) of the last child run_ms ran, in ms. */
static double last_cpu_ms;

static double run_ms(char *const *argv, int *status)
{
	double t0 = bench_now_ms();
	struct rusage ru;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, status, 0, &ru) < 0)
		die("cannot run %s", argv[0]);
	last_cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return bench_now_ms() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median wall time of RUNS runs; *cpu_ms the median CPU time. */
static double median_ms(char *const *argv, int *status, double *cpu_ms)
{
	double ms[RUNS], cpu[RUNS];

	run_ms(argv, status); /* warm: page cache, and the cache of intact files */
	for (int i = 0; i < RUNS; i++) {
		ms[i] = run_ms(argv, status);
		cpu[i] = last_cpu_ms;
	}
	qsort(ms, RUNS, sizeof(double), cmp_double);
	qsort(cpu, RUNS, sizeof(double), cmp_double);
	*cpu_ms = cpu[RUNS / 2];
	return ms[RUNS / 2];
}

/* The load average, for reading wall times on a shared machine. */
static double loadavg(void)
{
	double l = 0;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f && fscanf(f, "%lf", &l) != 1)
		l = 0;
	if (f)
		fclose(f);
	return l;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	return remove(path);
}

static void compare_apk(const char *root, double doctor_ms)
{
	const char *apk = getenv("AIPKG_TEST_APK");
	char *copy, *argv[16], fig[256];
	int n = 0, status;
	double ms, cpu;

	if (!apk || !*apk) {
		printf("BENCH\tapk audit --system, same root\tSKIPPED (set AIPKG_TEST_APK)\t-\tinfo\n");
		return;
	}
	copy = xstrdup(apk);
	for (char *w = strtok(copy, " \t"); w && n < 10; w = strtok(NULL, " \t"))
		argv[n++] = w;
	argv[n++] = "--root";
	argv[n++] = (char *)root;
	argv[n++] = "audit";
	argv[n++] = "--system";
	argv[n] = NULL;
	ms = median_ms(argv, &status, &cpu);
	snprintf(fig, sizeof(fig), "apk audit --system, same root (%s, %s %d)",
		 strrchr(argv[n - 5], '/') ? strrchr(argv[n - 5], '/') + 1 : argv[n - 5],
		 WIFSIGNALED(status) ? "signal" : "exit",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	bench_report(fig, ms, "ms", 0);
	bench_report("apk audit --system, CPU time (user + system)", cpu, "ms", 0);
	bench_report("aipkg doctor --rehash / apk audit --system, wall (ratio)", doctor_ms / ms,
		     "x", 0);
	free(copy);
}

int main(void)
{
	const char *keep = getenv("AIPKG_BENCH_DOCTOR_ROOT"), *aipkg = getenv("AIPKG");
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char root[4096], ready[4200];
	double rehash, cached, t0;
	int status;

	tool_name = "bench_doctor";
	if (!aipkg)
		die("AIPKG must name the built aipkg");
	if (keep)
		snprintf(root, sizeof(root), "%s", keep);
	else if (snprintf(root, sizeof(root), "%s/aipkg-bench-doctor-XXXXXX", tmp) < 0 ||
		 !mkdtemp(root))
		die("cannot make a scratch root in %s", tmp);
	snprintf(ready, sizeof(ready), "%s/ready", root);
	if (!path_exists(ready)) {
		t0 = bench_now_ms();
		bench_report("doctor root: GiB of file content generated",
			     (double)generate(root) / (1024.0 * 1024 * 1024), "GiB", 0);
		bench_report("doctor root: seconds to generate", (bench_now_ms() - t0) / 1e3, "s",
			     0);
	}
	{
		char *rehash_argv[] = { (char *)aipkg, "--root", root, "doctor", "--rehash", NULL };
		char *plain_argv[] = { (char *)aipkg, "--root", root, "doctor", NULL };

		double cpu;

		bench_report("load average while measuring (2 cores: above 2, wall times stretch)",
			     loadavg(), "", 0);
		cached = median_ms(plain_argv, &status, &cpu);
		bench_report("aipkg doctor, 2,000 pkgs, 200,000 files, warm cache", cached, "ms",
			     TARGET_MS);
		bench_report("aipkg doctor, CPU time (user + system)", cpu, "ms", 0);
		rehash = median_ms(rehash_argv, &status, &cpu);
		bench_report("aipkg doctor --rehash (every file read and hashed), wall", rehash, "ms",
			     0);
		bench_report("aipkg doctor --rehash, CPU time (user + system, 2 threads)", cpu, "ms",
			     0);
		if (WEXITSTATUS(status) != 0)
			printf("BENCH\taipkg doctor --rehash exit status\t%d\t0\tOVER\n",
			       WEXITSTATUS(status));
	}
	compare_apk(root, rehash);
	if (!keep)
		nftw(root, rm_one, 64, FTW_DEPTH | FTW_PHYS);
	return 0;
}
