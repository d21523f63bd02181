/* Monotonic time, for timeouts and intervals. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_CLOCK_H
#define AIPKG_CLOCK_H

/* aipkg_clock_now(), public for the command line's progress bar */
#include "aipkg/aipkg.h"

#endif
