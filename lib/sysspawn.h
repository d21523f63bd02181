/* The C library's <spawn.h> (posix_spawn), which lib/spawn.h's name hides from lib's sources. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_SYSSPAWN_H
#define AIPKG_SYSSPAWN_H

/* found through lib/ on the include path (spawn.c includes <sysspawn.h>),
 * so the search goes on past lib/ to the system's header */
#include_next <spawn.h>

#endif
