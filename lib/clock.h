/* Monotonic time, for timeouts and intervals. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_CLOCK_H
#define AIPKG_CLOCK_H

/* Seconds on the monotonic clock: only differences mean anything. */
double aipkg_clock_now(void);

#endif
