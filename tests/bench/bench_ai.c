/* Benchmark: offline planning over 25,000 packages, and aipkg's own time around an LLM call. */
/* SPDX-License-Identifier: MIT */
/*
 * usage: bench_ai [LLMSTUB]   (default: $TEST_TOOLS/llmstub; without one the
 *                              LLM figure is skipped)
 *
 * The index is generated: the packages the catalogue names, among 25,000
 * others whose names and descriptions are made of common words (so that
 * searches have something to wade through), each providing a command.
 * The LLM figure is the whole of aipkg_ai_plan() against the stub on
 * loopback answering at once: grounding (candidates from the index), the
 * prompt, the HTTP exchange, extraction and validation.  The stub's own
 * time is inside it, so the figure is an upper bound of aipkg's overhead.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ai/ai.h"
#include "ai/planner.h"
#include "ai/prompt.h"
#include "apk/state.h"
#include "bench.h"
#include "ctx.h"

#define NPKGS 25000
#define RUNS 7

static const char *const words[] = {
	"library", "tool", "server", "client", "daemon", "utility", "python", "perl", "ruby",
	"module", "plugin", "bindings", "network", "file", "system", "image", "audio", "video",
	"text", "data", "database", "web", "http", "json", "xml", "terminal", "graphics", "font",
	"theme", "game", "kernel", "driver", "firmware", "compression", "crypto", "security",
	"monitor", "logging", "backup", "editor", "shell", "desktop", "widget", "parser", "test",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const real[] = {
	"nginx", "lighttpd", "apache2", "haproxy", "postgresql16", "mariadb", "mariadb-client",
	"sqlite", "redis", "python3", "py3-pip", "nodejs", "npm", "go", "rust", "cargo",
	"build-base", "openjdk21", "podman", "docker", "docker-cli-compose", "bind-tools", "bind",
	"vim", "nano", "neovim", "htop", "prometheus-node-exporter", "openssh", "nftables",
	"iptables", "git", "curl", "wget", "xz", "zstd", "zip", "unzip", "bzip2", "jq", "tmux",
};
#define NREAL (sizeof(real) / sizeof(real[0]))

static const char *const requests[] = {
	"I need a web server",
	"a database and a reverse proxy",
	"Python development environment",
	"set up containers with podman",
	"dns tools",
	"I want git, curl and jq",
	"monitoring for this machine",
	"compression tools",
	"something to parse xml files in perl",
	"a quantum flux capacitor",
	"install make",
	"python3.12",
};
#define NREQUESTS (sizeof(requests) / sizeof(requests[0]))

static void gen_index(struct aipkg_buf *b)
{
	unsigned seed = 12345;

	for (size_t i = 0; i < NREAL; i++)
		aipkg_buf_addf(b, "P:%s\nV:1.0-r0\nA:x86_64\nT:the %s package\np:cmd:%s\n\n",
			       real[i], real[i], real[i]);
	for (size_t i = NREAL; i < NPKGS; i++) {
		const char *a = words[(seed = seed * 1103515245 + 12345) % NWORDS];
		const char *c = words[(seed = seed * 1103515245 + 12345) % NWORDS];
		const char *d = words[(seed = seed * 1103515245 + 12345) % NWORDS];

		aipkg_buf_addf(b,
			       "P:%s-%s-%zu\nV:%zu.%zu-r0\nA:x86_64\n"
			       "T:A %s %s for %s work, number %zu\np:cmd:%s%zu so:lib%s%zu.so.1=1\n"
			       "D:so:libc.musl-x86_64.so.1\n\n",
			       a, c, i, i % 17, i % 5, c, d, a, i, c, i, d, i);
	}
}

static void state_make(struct aipkg_state *st)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	size_t len;

	memset(st, 0, sizeof(*st));
	gen_index(&b);
	len = b.len;
	aipkg_pkgset_init(&st->available);
	aipkg_pkgset_init(&st->installed);
	if (aipkg_pkgset_parse(&st->available, aipkg_buf_detach(&b), len, 0, NULL) < 0 ||
	    aipkg_pkgset_index(&st->available) < 0) {
		fprintf(stderr, "bench_ai: the generated index does not parse\n");
		exit(1);
	}
	st->arch = strdup("x86_64");
	st->release = strdup("3.20.3");
}

static double best_offline(const struct aipkg_state *st, const char *request)
{
	double best = 1e9;

	for (int k = 0; k < RUNS; k++) {
		struct aipkg_plan plan;
		double t0;

		aipkg_plan_init(&plan);
		t0 = bench_now_ms();
		aipkg_planner_offline(st, request, &plan);
		if (bench_now_ms() - t0 < best)
			best = bench_now_ms() - t0;
		aipkg_plan_release(&plan);
	}
	return best;
}

static void bench_offline(const struct aipkg_state *st)
{
	double worst = 0, sum = 0, cand = 1e9;

	for (size_t i = 0; i < NREQUESTS; i++) {
		double t = best_offline(st, requests[i]);

		sum += t;
		if (getenv("BENCH_DEBUG"))
			fprintf(stderr, "%6.2f ms  %s\n", t, requests[i]);
		if (t > worst)
			worst = t;
	}
	for (int k = 0; k < RUNS; k++) {
		double t0 = bench_now_ms();
		json_t *c = aipkg_planner_candidates(st, requests[0], AIPKG_AI_CANDIDATES);

		if (bench_now_ms() - t0 < cand)
			cand = bench_now_ms() - t0;
		json_decref(c);
	}
	bench_report("offline planning, 25,000 packages, slowest of 12 requests", worst, "ms", 100);
	bench_report("offline planning, 25,000 packages, mean of 12 requests", sum / NREQUESTS, "ms",
		     0);
	bench_report("grounding: 40 candidates from 25,000 packages", cand, "ms", 0);
}

/* ---- the LLM call ---- */

struct stub {
	pid_t pid;
	int port;
	char dir[64];
};

static int stub_start(struct stub *s, const char *exe)
{
	char answer[128], arg[160], portbuf[16] = "";
	int fds[2];
	ssize_t n;

	snprintf(s->dir, sizeof(s->dir), "/tmp/bench-ai-XXXXXX");
	if (!mkdtemp(s->dir) || pipe(fds) < 0)
		return -1;
	snprintf(answer, sizeof(answer), "%s/answer.json", s->dir);
	FILE *f = fopen(answer, "w");
	if (!f)
		return -1;
	fputs("{\"packages\":[{\"name\":\"nginx\",\"reason\":\"web server\"},"
	      "{\"name\":\"postgresql\",\"reason\":\"database\"}]}\n", f);
	fclose(f);
	snprintf(arg, sizeof(arg), "content=%s", answer);
	s->pid = fork();
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(exe, exe, "-i", "30", arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], portbuf, sizeof(portbuf) - 1);
	close(fds[0]);
	s->port = n > 0 ? atoi(portbuf) : 0;
	return s->port > 0 ? 0 : -1;
}

static void stub_stop(struct stub *s)
{
	char cmd[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "%s/answer.json", s->dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/aipkg.yaml", s->dir);
	unlink(cmd);
	rmdir(s->dir);
}

static struct aipkg_ctx *ctx_for(const struct stub *s)
{
	struct aipkg_opts opts = { 0 };
	struct aipkg_ctx *ctx;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/aipkg.yaml", s->dir);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fprintf(f, "llm:\n  tactical:\n    provider: openai\n    base_url: http://127.0.0.1:%d/v1\n"
		   "    model: bench\n    timeout: 10\n    retries: 0\n", s->port);
	fclose(f);
	opts.root = s->dir;
	opts.config = path;
	if (aipkg_ctx_new(&ctx, &opts, NULL) < 0) {
		fprintf(stderr, "bench_ai: %s\n", aipkg_ctx_errmsg(ctx));
		aipkg_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The question alone, without grounding or validation. */
static double http_exchange(struct aipkg_ctx *ctx)
{
	struct aipkg_llm_question q = { "plan", "{\"request\":\"a web server\"}", "package_plan",
					AIPKG_PLAN_SCHEMA };
	double t[9];

	for (int k = 0; k < 9; k++) {
		json_t *answer = NULL;
		double t0 = bench_now_ms();

		if (aipkg_llm_ask(ctx, AIPKG_LLM_TACTICAL, &q, &answer) < 0)
			return 1e9;
		t[k] = bench_now_ms() - t0;
		json_decref(answer);
	}
	qsort(t, 9, sizeof(t[0]), cmp_double);
	return t[4];
}

static void bench_llm(const struct aipkg_state *st, const char *exe)
{
	double t[21];
	struct stub s = { 0 };
	struct aipkg_ctx *ctx;

	if (stub_start(&s, exe) < 0 || !(ctx = ctx_for(&s))) {
		fprintf(stderr, "bench_ai: cannot start %s\n", exe);
		stub_stop(&s);
		printf("BENCH\taipkg overhead around an LLM call\tfailed\t-\tFAIL\n");
		return;
	}
	for (int k = 0; k < 21; k++) {
		struct aipkg_ai_answer ans;
		double t0 = bench_now_ms();

		aipkg_ai_plan(ctx, st, "I need a web server and a database", false, &ans);
		t[k] = bench_now_ms() - t0;
		if (strcmp(ans.planner, "llm:tactical") != 0) {
			fprintf(stderr, "bench_ai: the stub did not answer: %s\n", aipkg_ctx_errmsg(ctx));
			t[k] = 1e9;
		}
		aipkg_ai_answer_release(&ans);
	}
	qsort(t, 21, sizeof(t[0]), cmp_double);
	bench_report("aipkg overhead around an LLM call (loopback stub), median", t[10], "ms", 20);
	bench_report("aipkg overhead around an LLM call (loopback stub), worst", t[20], "ms", 0);
	bench_report("of which the HTTP exchange alone, median", http_exchange(ctx), "ms", 0);
	aipkg_ctx_free(ctx);
	stub_stop(&s);
}

int main(int argc, char **argv)
{
	const char *tools = getenv("TEST_TOOLS");
	char exe[512] = "";
	struct aipkg_state st;

	if (argc > 1)
		snprintf(exe, sizeof(exe), "%s", argv[1]);
	else if (tools)
		snprintf(exe, sizeof(exe), "%s/llmstub", tools);
	state_make(&st);
	bench_offline(&st);
	if (*exe && access(exe, X_OK) == 0)
		bench_llm(&st, exe);
	else
		printf("BENCH\taipkg overhead around an LLM call\tSKIPPED (no llmstub)\t-\tinfo\n");
	aipkg_state_release(&st);
	return 0;
}
