/* timewrap: run a command and append how long it took (ns) to a file, for benchmarks. */
/* SPDX-License-Identifier: MIT */

/*
 * usage: timewrap LOGFILE CMD [ARGS...]
 * Runs CMD, appends its wall time in nanoseconds, its peak resident memory
 * in KiB and the CPU time it used (user + system, nanoseconds) as one line
 * ("NS KIB CPUNS") to LOGFILE and exits as CMD did.  Used as the apk command in bench_overhead.sh so that
 * what remains of aipkg's wall time is aipkg's own work; a shell wrapper
 * would add its own start-up and forks to aipkg's side.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long long start;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *log;

	if (argc < 3) {
		fprintf(stderr, "usage: timewrap LOGFILE CMD [ARGS...]\n");
		return 2;
	}
	start = now_ns();
	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		;
	log = fopen(argv[1], "a");
	if (log) {
		fprintf(log, "%lld %ld %lld\n", now_ns() - start, ru.ru_maxrss,
			(long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
			    (long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL);
		fclose(log);
	}
	if (WIFSIGNALED(status))
		raise(WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
