/* The interruption: Ctrl-C, SIGTERM, SIGHUP or a client's cancellation, stopping what runs. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "interrupt.h"

/* lock-free, so a signal handler may store it */
static atomic_int pending;
static atomic_uint serial;
static int pipe_fds[2] = { -1, -1 };
static pthread_once_t pipe_once = PTHREAD_ONCE_INIT;

static void make_pipe(void)
{
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		pipe_fds[0] = pipe_fds[1] = -1;
}

void aipkg_interrupt_raise(int why)
{
	int saved = errno;

	atomic_store(&pending, why);
	atomic_fetch_add(&serial, 1);
	if (pipe_fds[1] >= 0 && write(pipe_fds[1], "!", 1) < 0) {
		/* full: it is readable already, which is all a poller needs */
	}
	errno = saved;
}

int aipkg_interrupt_pending(void)
{
	return atomic_load(&pending);
}

unsigned aipkg_interrupt_serial(void)
{
	return atomic_load(&serial);
}

int aipkg_interrupt_fd(void)
{
	pthread_once(&pipe_once, make_pipe);
	return pipe_fds[0];
}

void aipkg_interrupt_drain(void)
{
	char buf[64];

	if (pipe_fds[0] >= 0)
		while (read(pipe_fds[0], buf, sizeof(buf)) > 0)
			;
}

void aipkg_interrupt_clear(void)
{
	atomic_store(&pending, 0);
	aipkg_interrupt_drain();
}

const char *aipkg_interrupt_name(int why)
{
	switch (why) {
	case AIPKG_INTERRUPT_CANCEL:
		return "the client's cancellation";
	case SIGINT:
		return "Ctrl-C (SIGINT)";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP (the terminal went away)";
	default:
		return "a signal";
	}
}
