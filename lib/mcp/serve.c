/* The stdio session: a thread reads and answers pings and cancellations while calls run. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "interrupt.h"
#include "mcp/mcp.h"

/*
 * Two threads.  The reader reads the input line by line and answers at
 * once what needs no system state (ping, initialize, tools/list, malformed
 * messages, batches the revision does not have), takes cancellations, and sends a progress
 * notification when a call with a progress token has been quiet for
 * HEARTBEAT seconds.  Tool calls (and batches) are queued for the caller's
 * thread, which runs them one at a time, in order, as before.  Every
 * message goes out whole, one at a time, under the session's lock.
 */

#define HEARTBEAT 3.0
/* A line longer than AIPKG_MCP_MAX_MESSAGE is refused; up to this much of
 * it is kept to find its id for the refusal. */
#define RECOVER_MAX (8 * AIPKG_MCP_MAX_MESSAGE)

/* A request (or a batch) waiting or running. */
struct mcp_job {
	json_t *msg;           /* owned */
	const json_t *id;      /* of the request running now (in a batch: the element) */
	const json_t *token;   /* its _meta.progressToken, or NULL */
	bool cancelled;
	double progress;       /* the last value sent: each must be greater */
	double base;           /* what the steps that ended counted */
	double sent_at;        /* when a notification last went out */
	char step[64];         /* the step last reported, for the heartbeat */
	char message[512];     /* the message last sent */
	struct mcp_job *next;
};

struct mcp_session {
	struct aipkg_mcp *mcp;
	FILE *in, *out;
	int fd;                /* IN's descriptor, polled; -1: read IN with stdio */
	int wake[2];           /* the reader stops when this turns readable */
	char buf[65536];       /* read from fd, not yet taken */
	size_t pos, len;
	pthread_mutex_t lock;  /* everything below, and writing to OUT */
	pthread_cond_t changed;
	struct mcp_job *head, *tail, *running;
	size_t waiting;        /* jobs from head to tail */
	bool eof;              /* the reader is done */
	bool cut;              /* the input ended in the middle of a line */
	int error;             /* reading or writing failed: -errno */
};

/* ---- output ---- */

/* Send MSG (consumed) as one line; the caller holds the lock. */
static void send_locked(struct mcp_session *s, json_t *msg)
{
	char *text = aipkg_mcp_text(msg);

	if (!s->error && (fputs(text, s->out) == EOF || putc('\n', s->out) == EOF ||
			  fflush(s->out) == EOF))
		s->error = -(errno ? errno : EIO);
	free(text);
}

static void send_all(struct mcp_session *s, json_t *msgs)
{
	json_t *m;
	size_t i;

	pthread_mutex_lock(&s->lock);
	json_array_foreach(msgs, i, m)
		send_locked(s, json_incref(m));
	pthread_mutex_unlock(&s->lock);
	json_decref(msgs);
}

/* ---- progress ---- */

static void notify_progress(struct mcp_session *s, struct mcp_job *job, double value,
			    double total, const char *message)
{
	json_t *params = json_pack("{s:O, s:f}", "progressToken", (json_t *)job->token, "progress",
				   value);

	if (total > 0)
		json_object_set_new(params, "total", json_real(total));
	/* "message" arrived with revision 2025-03-26 */
	if (message && s->mcp->version && strcmp(s->mcp->version, "2025-03-26") >= 0)
		json_object_set_new(params, "message", json_string(message));
	snprintf(job->message, sizeof(job->message), "%s", message ? message : "");
	job->progress = value;
	job->sent_at = aipkg_clock_now();
	send_locked(s, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method",
				 "notifications/progress", "params", params));
}

void aipkg_mcp_session_progress(struct aipkg_mcp *mcp, const struct aipkg_progress *p)
{
	struct mcp_session *s = mcp->session;
	struct mcp_job *job;
	char message[sizeof(job->message)];
	double value, total = 0;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	job = s->running;
	if (job && job->token && !job->cancelled) {
		/* one scale for the whole call: each step counts on from the last */
		value = job->base + (double)p->done;
		if (p->total)
			total = job->base + (double)p->total;
		snprintf(job->step, sizeof(job->step), "%s", p->step);
		snprintf(message, sizeof(message), "%s%s%s", p->step, p->message ? ": " : "",
			 p->message ? p->message : "");
		if (p->end)
			job->base = value > total ? value : total;
		/* each value must be greater than the last: a new line without a
		 * new count moves it on by one, nothing new is not said */
		if (value <= job->progress && !p->end && strcmp(message, job->message) != 0)
			value = job->progress + 1;
		if (value > job->progress)
			notify_progress(s, job, value, total >= value ? total : 0, message);
	}
	pthread_mutex_unlock(&s->lock);
}

/* The reader's timer: a long quiet call still says it is alive. */
static void heartbeat(struct mcp_session *s)
{
	struct mcp_job *job;
	char message[128];

	pthread_mutex_lock(&s->lock);
	job = s->running;
	if (job && job->token && !job->cancelled && aipkg_clock_now() - job->sent_at >= HEARTBEAT) {
		snprintf(message, sizeof(message), "%s: still running",
			 job->step[0] ? job->step : "the call");
		notify_progress(s, job, job->progress + 1, 0, message);
	}
	pthread_mutex_unlock(&s->lock);
}

/* Milliseconds to wait for input before looking at the heartbeat again:
 * until it is due, and at most a second (a call may start meanwhile). */
static int heartbeat_wait(struct mcp_session *s)
{
	double left = 1;

	pthread_mutex_lock(&s->lock);
	if (s->running && s->running->token)
		left = s->running->sent_at + HEARTBEAT - aipkg_clock_now();
	pthread_mutex_unlock(&s->lock);
	if (left > 1)
		left = 1;
	return left > 0 ? (int)(left * 1000) + 1 : 0;
}

/* ---- cancellation ---- */

static bool same_id(const json_t *a, const json_t *b)
{
	return a && b && json_equal((json_t *)a, (json_t *)b);
}

void aipkg_mcp_session_cancel(struct aipkg_mcp *mcp, const json_t *id)
{
	struct mcp_session *s = mcp->session;
	struct mcp_job *prev = NULL, *gone;

	if (!s || !aipkg_mcp_id_valid(id))
		return;
	pthread_mutex_lock(&s->lock);
	if (s->running && same_id(s->running->id, id) && !s->running->cancelled) {
		/* stop it as Ctrl-C would: apk is interrupted, the journal says what it did */
		s->running->cancelled = true;
		aipkg_interrupt_raise(AIPKG_INTERRUPT_CANCEL);
	}
	/* not started yet: it never will be */
	for (gone = s->head; gone && !same_id(json_object_get(gone->msg, "id"), id);
	     gone = gone->next)
		prev = gone;
	if (gone) {
		*(prev ? &prev->next : &s->head) = gone->next;
		if (s->tail == gone)
			s->tail = prev;
		s->waiting--;
	}
	pthread_mutex_unlock(&s->lock);
	if (gone) {
		json_decref(gone->msg);
		free(gone);
	}
}

bool aipkg_mcp_session_cancelled(struct aipkg_mcp *mcp)
{
	struct mcp_session *s = mcp->session;
	bool yes;

	if (!s)
		return false;
	pthread_mutex_lock(&s->lock);
	yes = s->running && s->running->cancelled;
	pthread_mutex_unlock(&s->lock);
	return yes;
}

/* ---- input ---- */

enum { IN_EOF = -1, IN_STOP = -2, IN_ERROR = -3 };

/* Fill the buffer from the descriptor, waiting in poll so that the
 * heartbeat and a request to stop get their turn. */
static int fill(struct mcp_session *s)
{
	for (;;) {
		struct pollfd fds[2] = { { s->fd, POLLIN, 0 }, { s->wake[0], POLLIN, 0 } };
		int r = poll(fds, 2, heartbeat_wait(s));
		ssize_t n;

		if (r < 0 && errno != EINTR)
			return IN_ERROR;
		if (fds[1].revents)
			return IN_STOP;
		if (r == 0)
			heartbeat(s);
		if (r <= 0 || !fds[0].revents)
			continue;
		n = read(s->fd, s->buf, sizeof(s->buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 ? IN_EOF : IN_ERROR;
		s->pos = 0;
		s->len = (size_t)n;
		return 0;
	}
}

static int next_byte(struct mcp_session *s)
{
	int c, r;

	if (s->pos < s->len)
		return (unsigned char)s->buf[s->pos++];
	if (s->fd < 0) {
		c = getc(s->in);
		return c != EOF ? c : ferror(s->in) ? IN_ERROR : IN_EOF;
	}
	r = fill(s);
	return r < 0 ? r : (unsigned char)s->buf[s->pos++];
}

/* The next line into LINE (capped at RECOVER_MAX; *over: it went past
 * that).  Returns 1 for a line, or IN_EOF (LINE holds any unfinished
 * line), IN_STOP, IN_ERROR. */
static int read_line(struct mcp_session *s, struct aipkg_buf *line, bool *over)
{
	int c;

	aipkg_buf_reset(line);
	*over = false;
	while ((c = next_byte(s)) >= 0) {
		if (c == '\n')
			return 1;
		if (!*over && aipkg_buf_addch(line, (char)c) < 0)
			*over = true;
	}
	return c;
}

static bool blank(const struct aipkg_buf *line)
{
	for (size_t i = 0; i < line->len; i++)
		if (!strchr(" \t\r", line->data[i]))
			return false;
	return true;
}

/* Queued for the caller's thread rather than answered here?  Only what
 * may run a tool: everything else reads no system state and is answered
 * at once, in the order it came. */
static bool queued(const struct aipkg_mcp *mcp, const json_t *msg)
{
	if (json_is_array(msg))
		return aipkg_mcp_batches(mcp);
	return aipkg_mcp_is_request(msg) &&
	       strcmp(json_string_value(json_object_get(msg, "method")), "tools/call") == 0;
}

/* The answer to MSG (a request or a batch) when it cannot wait in line. */
static json_t *busy_reply(struct aipkg_mcp *mcp, const json_t *msg)
{
	json_t *replies = json_array(), *m;
	char text[200];
	size_t i;

	snprintf(text, sizeof(text),
		 "server busy: %d calls are waiting already; wait for their answers before "
		 "sending more",
		 AIPKG_MCP_MAX_WAITING);
	if (!json_is_array(msg))
		return aipkg_mcp_error_reply(json_object_get(msg, "id"), AIPKG_MCP_BUSY, text);
	json_array_foreach(msg, i, m)
		if (aipkg_mcp_is_request(m))
			json_array_append_new(replies, aipkg_mcp_error_reply(json_object_get(m, "id"),
									     AIPKG_MCP_BUSY, text));
	if (json_array_size(replies))
		return replies;
	json_decref(replies);
	return NULL;
}

/* Queue MSG (consumed), or answer it at once when the queue is full or
 * memory ran out: what to send now, or NULL. */
static json_t *enqueue(struct mcp_session *s, json_t *msg)
{
	struct mcp_job *job = NULL;
	json_t *busy;

	pthread_mutex_lock(&s->lock);
	if (s->waiting < AIPKG_MCP_MAX_WAITING)
		job = calloc(1, sizeof(*job));
	if (!job) {
		pthread_mutex_unlock(&s->lock);
		busy = busy_reply(s->mcp, msg);
		json_decref(msg);
		return busy;
	}
	job->msg = msg;
	s->waiting++;
	if (s->tail)
		s->tail->next = job;
	else
		s->head = job;
	s->tail = job;
	pthread_cond_signal(&s->changed);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void take_line(struct mcp_session *s, const struct aipkg_buf *line, bool over)
{
	struct aipkg_mcp *mcp = s->mcp;
	json_t *reply = NULL, *msg, *out = json_array();

	if (over || line->len > AIPKG_MCP_MAX_MESSAGE) {
		aipkg_mcp_log(mcp, "mcp: skipped a message longer than %d bytes",
			      AIPKG_MCP_MAX_MESSAGE);
		/* past RECOVER_MAX its id is out of reach */
		reply = aipkg_mcp_too_big_reply(over ? NULL : line->data, line->len);
	} else if ((msg = aipkg_mcp_parse(line->data, line->len, &reply)) && queued(mcp, msg)) {
		if ((reply = enqueue(s, msg)) && json_is_array(reply)) {
			json_array_append_new(out, reply); /* a batch's answer: one array */
			reply = NULL;
		}
	} else if (msg) {
		json_decref(out);
		out = aipkg_mcp_replies(mcp, msg);
		json_decref(msg);
	}
	if (reply && aipkg_mcp_may_send(mcp, reply))
		json_array_append(out, reply);
	json_decref(reply);
	send_all(s, out);
}

static void *reader(void *arg)
{
	struct mcp_session *s = arg;
	struct aipkg_buf line;
	sigset_t block;
	bool over;
	int r;

	/* signals are for the thread that runs apk */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	aipkg_buf_init(&line, RECOVER_MAX);
	while ((r = read_line(s, &line, &over)) > 0)
		if (!blank(&line) || over)
			take_line(s, &line, over);
	pthread_mutex_lock(&s->lock);
	s->eof = true;
	s->cut = r == IN_EOF && (over || !blank(&line));
	if (r == IN_ERROR && !s->error)
		s->error = -(errno ? errno : EIO);
	pthread_cond_signal(&s->changed);
	pthread_mutex_unlock(&s->lock);
	aipkg_buf_release(&line);
	return NULL;
}

/* ---- running the queue ---- */

static const json_t *progress_token(const json_t *msg)
{
	const json_t *t = json_object_get(
		json_object_get(json_object_get(msg, "params"), "_meta"), "progressToken");

	return aipkg_mcp_id_valid(t) ? t : NULL;
}

/* The job's request MSG is running now (its id and token for the
 * reader); the caller holds the lock. */
static void running_locked(struct mcp_session *s, struct mcp_job *job, const json_t *msg)
{
	job->id = json_object_get(msg, "id");
	job->token = progress_token(msg);
	job->sent_at = aipkg_clock_now();
	job->step[0] = job->message[0] = '\0';
	s->running = job;
}

/* The next element MSG of the batch JOB runs now: a cancellation of the
 * element before it does not stop this one. */
static void element_running(struct mcp_session *s, struct mcp_job *job, const json_t *msg)
{
	pthread_mutex_lock(&s->lock);
	running_locked(s, job, msg);
	job->cancelled = false;
	pthread_mutex_unlock(&s->lock);
}

/* A cancellation of the request that just ended must not stop the next
 * one (a signal's interruption stays: the session ends). */
static void end_cancelled(struct mcp_session *s)
{
	pthread_mutex_lock(&s->lock);
	if (aipkg_interrupt_pending() == AIPKG_INTERRUPT_CANCEL)
		aipkg_interrupt_clear();
	pthread_mutex_unlock(&s->lock);
}

/* Run a request, or each of a batch: what to send when it was not cancelled. */
static json_t *run_job(struct mcp_session *s, struct mcp_job *job)
{
	json_t *out = json_array(), *replies, *m;
	size_t i;

	if (!json_is_array(job->msg)) {
		/* running since next_job took it: a cancellation meanwhile counts */
		json_decref(out);
		return aipkg_mcp_replies(s->mcp, job->msg);
	}
	replies = json_array();
	json_array_foreach(job->msg, i, m) {
		json_t *r;

		element_running(s, job, m);
		r = aipkg_mcp_batch_element(s->mcp, m);
		if (r && !job->cancelled && json_object_get(r, "id") && aipkg_mcp_may_send(s->mcp, r))
			json_array_append(replies, r);
		json_decref(r);
		end_cancelled(s);
	}
	if (json_array_size(replies))
		json_array_append(out, replies);
	json_decref(replies);
	return out;
}

/* The next job, waiting for one; NULL when the input ended and none is left. */
static struct mcp_job *next_job(struct mcp_session *s)
{
	struct mcp_job *job;

	pthread_mutex_lock(&s->lock);
	while (!s->head && !s->eof && !s->error)
		pthread_cond_wait(&s->changed, &s->lock);
	job = s->error ? NULL : s->head;
	if (job) {
		s->head = job->next;
		if (!s->head)
			s->tail = NULL;
		s->waiting--;
		/* out of the queue and running in one step, under the lock: a
		 * cancellation finds it in one place or the other, never lost
		 * between them */
		if (!json_is_array(job->msg))
			running_locked(s, job, job->msg);
	}
	pthread_mutex_unlock(&s->lock);
	return job;
}

static void finish_job(struct mcp_session *s, struct mcp_job *job, json_t *out)
{
	json_t *m;
	size_t i;

	pthread_mutex_lock(&s->lock);
	if (job->cancelled && !json_is_array(job->msg)) {
		/* the client gave up on it: MCP says no answer follows */
		aipkg_mcp_log(s->mcp, "mcp: the client cancelled a call, which is not answered%s%s",
			      *aipkg_ctx_errmsg(s->mcp->ctx) ? ": " : "",
			      aipkg_ctx_errmsg(s->mcp->ctx));
	} else {
		json_array_foreach(out, i, m)
			send_locked(s, json_incref(m));
	}
	s->running = NULL;
	pthread_mutex_unlock(&s->lock);
	end_cancelled(s);
	json_decref(out);
	json_decref(job->msg);
	free(job);
}

static int session_init(struct mcp_session *s, struct aipkg_mcp *mcp, FILE *in, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->mcp = mcp;
	s->in = in;
	s->out = out;
	s->fd = fileno(in);
	if (pipe2(s->wake, O_CLOEXEC) < 0)
		return -errno;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	aipkg_interrupt_fd(); /* made now, before a signal handler may use it */
	aipkg_interrupt_clear();
	return 0;
}

static void session_release(struct mcp_session *s)
{
	while (s->head) {
		struct mcp_job *j = s->head;

		s->head = j->next;
		json_decref(j->msg);
		free(j);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->changed);
	close(s->wake[0]);
	close(s->wake[1]);
}

int aipkg_mcp_serve(struct aipkg_mcp *mcp, FILE *in, FILE *out)
{
	struct mcp_session s;
	struct mcp_job *job;
	pthread_t thread;
	int r = session_init(&s, mcp, in, out);

	if (r < 0)
		return r;
	mcp->session = &s;
	if ((r = -pthread_create(&thread, NULL, reader, &s)) == 0) {
		while (!mcp->stop && (job = next_job(&s)))
			finish_job(&s, job, run_job(&s, job));
		if (write(s.wake[1], "x", 1) < 0) {
			/* the reader also stops at the end of its input */
		}
		pthread_join(thread, NULL);
		r = s.error;
	}
	mcp->session = NULL;
	if (mcp->stop)
		aipkg_mcp_log(mcp, "mcp: a signal interrupted a call, so the server stops");
	else if (s.cut)
		aipkg_mcp_log(mcp, "mcp: the input ended in the middle of a message, which was "
				   "dropped");
	session_release(&s);
	if (mcp->stop)
		return -AIPKG_E_INTERRUPTED;
	/* the client closing its end is how a session ends, not a failure */
	return r == -EPIPE ? 0 : r;
}
