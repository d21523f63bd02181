/* Helpers shared by the benchmarks: timing, peak memory, the result line. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_BENCH_H
#define AIPKG_BENCH_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static inline double bench_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Peak resident memory of this process so far, in MiB. */
static inline double bench_peak_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/*
 * One result line for tests/bench/run:
 * "BENCH<TAB>figure<TAB>value unit<TAB>target<TAB>ok|OVER"; a target of 0
 * means "for information".
 */
static inline void bench_report(const char *figure, double value, const char *unit, double target)
{
	if (target <= 0) {
		printf("BENCH\t%s\t%.2f %s\t-\tinfo\n", figure, value, unit);
		return;
	}
	printf("BENCH\t%s\t%.2f %s\t< %.0f %s\t%s\n", figure, value, unit, target, unit,
	       value < target ? "ok" : "OVER");
}

#endif
