/* The interruption: Ctrl-C, SIGTERM, SIGHUP or a client's cancellation, stopping what runs. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_INTERRUPT_H
#define AIPKG_INTERRUPT_H

/*
 * One process-wide flag and a self-pipe, so that whatever waits (the
 * spawn loop around apk) wakes up when it is raised, from a signal handler
 * or from another thread alike.  Once raised it stays raised until
 * aipkg_interrupt_clear(): the operation under way stops as a whole (no
 * further apk run starts), not only the apk that was running.
 */

/* The reason that is not a signal: an MCP client cancelled the call. */
#define AIPKG_INTERRUPT_CANCEL (-1)

/* Raise the interruption for WHY (a signal number, or
 * AIPKG_INTERRUPT_CANCEL).  Async-signal-safe and thread-safe. */
void aipkg_interrupt_raise(int why);

/* The reason raised since the last clear, or 0. */
int aipkg_interrupt_pending(void);

/* How many times it was raised since the process started: a waiter that
 * remembers it sees a second Ctrl-C as a new one. */
unsigned aipkg_interrupt_serial(void);

/* A descriptor that polls readable once the interruption is raised (read
 * it empty with aipkg_interrupt_drain), or -1 when the pipe could not be
 * made (the flag still works).  Makes the pipe on first use: call it before
 * a signal handler may raise. */
int aipkg_interrupt_fd(void);
void aipkg_interrupt_drain(void);

/* Forget the interruption: the next operation runs. */
void aipkg_interrupt_clear(void);

/* "Ctrl-C", "SIGTERM", "the client's cancellation": WHY in words. */
const char *aipkg_interrupt_name(int why);

#endif
