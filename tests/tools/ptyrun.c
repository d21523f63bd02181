/* ptyrun: run a command on a pseudo-terminal of a given width, for the tests of what a terminal gets. */
/* SPDX-License-Identifier: MIT */

/*
 * usage: ptyrun [-c COLS] [-e] [-E] [-i INPUT [-w TEXT]] COMMAND [ARG...]
 *
 * COMMAND runs in a new session with a pseudo-terminal of COLS columns
 * (default 80) as its controlling terminal and its stdin, stdout and
 * stderr (-e: stderr stays ptyrun's own, so a test can tell the two
 * apart); INPUT is typed on the terminal first, or with -w once the
 * output has shown TEXT (so "\003" is a Ctrl-C while apk runs).  Typed
 * input is not echoed, unless -E: then the terminal echoes it as a
 * person's would ("^C" for a Ctrl-C).  Output processing is
 * off, so what is printed here is exactly what COMMAND wrote (no "\r"
 * added).  ptyrun exits with COMMAND's status (128 + N for a signal).
 * POSIX only (posix_openpt): it runs on glibc and musl alike.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "ptyrun: %s: %s\n", what, strerror(errno));
	exit(125);
}

static int open_master(char **slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || !(*slave = ptsname(m)))
		die("posix_openpt");
	return m;
}

static void child(const char *slave, unsigned short cols, bool keep_stderr, bool echo,
		  char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = cols };
	struct termios t;
	int s;

	if (setsid() < 0)
		die("setsid");
	s = open(slave, O_RDWR);
	if (s < 0)
		die(slave);
	ioctl(s, TIOCSCTTY, 0);
	if (ioctl(s, TIOCSWINSZ, &ws) < 0)
		die("TIOCSWINSZ");
	if (tcgetattr(s, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)OPOST; /* what the program writes, byte for byte */
		if (echo)
			t.c_lflag |= ECHO | ECHOCTL;
		else
			t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(s, TCSANOW, &t);
	}
	dup2(s, 0);
	dup2(s, 1);
	if (!keep_stderr)
		dup2(s, 2);
	if (s > 2)
		close(s);
	execvp(argv[0], argv);
	fprintf(stderr, "ptyrun: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	unsigned short cols = 80;
	const char *input = NULL, *wait_for = NULL;
	bool keep_stderr = false, echo = false;
	char buf[4096], *slave, *seen = NULL;
	size_t nseen = 0;
	int opt, m, status, ready[2];
	ssize_t n;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+c:eEi:w:")) != -1) {
		if (opt == 'c')
			cols = (unsigned short)atoi(optarg);
		else if (opt == 'e')
			keep_stderr = true;
		else if (opt == 'E')
			echo = true;
		else if (opt == 'i')
			input = optarg;
		else if (opt == 'w')
			wait_for = optarg;
		else
			return 125;
	}
	if (optind >= argc || (wait_for && !input)) {
		fputs("usage: ptyrun [-c COLS] [-e] [-E] [-i INPUT [-w TEXT]] COMMAND [ARG...]\n",
		      stderr);
		return 125;
	}
	m = open_master(&slave);
	/* closed by the child's exec: the terminal is set up (no echo, no
	 * output processing) before a byte of INPUT reaches it, or the line
	 * discipline would echo it under the default settings */
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(ready[0]);
		child(slave, cols, keep_stderr, echo, argv + optind);
	}
	close(ready[1]);
	while (read(ready[0], buf, sizeof(buf)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (input && !wait_for && write(m, input, strlen(input)) < 0)
		die("write");
	/* EIO from the master: the last holder of the terminal has closed it */
	while ((n = read(m, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0 && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			die("stdout");
		if (n <= 0 || !wait_for)
			continue;
		/* everything so far, NUL-terminated, to look for TEXT in */
		seen = realloc(seen, nseen + (size_t)n + 1);
		if (!seen)
			die("realloc");
		memcpy(seen + nseen, buf, (size_t)n);
		nseen += (size_t)n;
		seen[nseen] = '\0';
		if (strstr(seen, wait_for)) {
			fflush(stdout);
			if (write(m, input, strlen(input)) < 0)
				die("write");
			wait_for = NULL;
		}
	}
	free(seen);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
