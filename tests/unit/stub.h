/* Test helpers: a scratch directory and the loopback HTTP stub (tests/tools/httpstub). */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_TEST_STUB_H
#define AIPKG_TEST_STUB_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A running httpstub: base URL "http://127.0.0.1:PORT". */
struct stub {
	pid_t pid;
	char url[64];
	char dir[64]; /* what /ok/ serves, a fresh directory */
	char log[96]; /* one line per request */
};

__attribute__((unused)) static void stub_write(const struct stub *s, const char *rel,
					       const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
	for (slash = strchr(path + strlen(s->dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		abort();
	}
}

/* Start the stub serving a fresh directory; 0 or -1 (with a message). */
__attribute__((unused)) static int stub_start(struct stub *s)
{
	const char *tools = getenv("TEST_TOOLS");
	char exe[512], port[16] = "";
	int fds[2];
	ssize_t n;

	/* a proxy from the environment must not see loopback requests */
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	snprintf(s->dir, sizeof(s->dir), "/tmp/aipkg-stub-XXXXXX");
	if (!tools || !mkdtemp(s->dir) || pipe(fds) < 0) {
		fprintf(stderr, "stub: TEST_TOOLS unset or no scratch directory\n");
		return -1;
	}
	snprintf(s->log, sizeof(s->log), "%s.log", s->dir);
	snprintf(exe, sizeof(exe), "%s/httpstub", tools);
	s->pid = fork();
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(exe, exe, "-d", s->dir, "-l", s->log, "-i", "60", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], port, sizeof(port) - 1);
	close(fds[0]);
	if (s->pid < 0 || n <= 0) {
		fprintf(stderr, "stub: %s did not start\n", exe);
		return -1;
	}
	port[strcspn(port, "\n")] = '\0';
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%s", port);
	return 0;
}

__attribute__((unused)) static int rm_one(const char *path, const struct stat *st, int type,
					  struct FTW *ftw)
{
	return remove(path);
}

/* rm -r DIR (a scratch directory of the test). */
__attribute__((unused)) static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

__attribute__((unused)) static void stub_stop(struct stub *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	rm_tree(s->dir);
	unlink(s->log);
}

/* The stub's request log, malloc'd ("" when none). */
__attribute__((unused)) static char *stub_log(const struct stub *s)
{
	FILE *f = fopen(s->log, "r");
	char *text = calloc(1, 1 << 16);
	size_t n = f ? fread(text, 1, (1 << 16) - 1, f) : 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	return text;
}

#endif
