/*
 * conn: see conn.h.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "conn/conn.h"
#include "core/conf.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

/* A request head or a chat line at the largest limits the configuration
 * accepts must fit a connection's input whole, or it could never
 * complete. */
_Static_assert(CONF_HTTP_LINE_LIMIT + CONF_HTTP_HEAD_LIMIT + 4 <= CONN_IN_MAX,
    "a request head at the limits must fit a connection's input");
_Static_assert(CONF_CHAT_LINE_LIMIT + 2 <= CONN_IN_MAX,
    "a chat line at the limit must fit a connection's input");

#define CONN_READ_SIZE	16384
#define CONN_IOV_MAX	16

static void
peer_name(const struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa == NULL) {
		strlcpy_(out, "-", len);
		return;
	}
	if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof(host));
	else if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof(host));
	strlcpy_(out, host, len);
}

/* ---- the plain transport ---------------------------------------- */

static ssize_t
plain_read(struct conn *c, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(c->fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n;
}

static ssize_t
plain_writev(struct conn *c, const struct iovec *iov, int iovcnt)
{
	ssize_t n;

	do
		n = writev(c->fd, iov, iovcnt);
	while (n == -1 && errno == EINTR);
	return n;
}

static ssize_t
plain_sendfile(struct conn *c, int in_fd, off_t *off, size_t len)
{
	ssize_t n;

	do
		n = sendfile(c->fd, in_fd, off, len);
	while (n == -1 && errno == EINTR);
	return n;
}

static int
plain_shutdown(struct conn *c)
{
	return shutdown(c->fd, SHUT_WR);
}

const struct conn_transport conn_plain = {
	.name = "plain",
	.read = plain_read,
	.writev = plain_writev,
	.sendfile = plain_sendfile,
	.shutdown = plain_shutdown,
};

/* ---- connections -------------------------------------------------- */

static void
set_status(struct conn *c, int status)
{
	if (c->set_status && c->sbw->status != (uint32_t)status)
		SHARED_SET(c->sbw->status, (uint32_t)status);
}

void
conn_init(struct conn *c, int fd, const struct proto_ops *p, const struct sockaddr *sa,
    struct sb_worker *sbw, int set_status_)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->tr = &conn_plain;
	c->proto = p;
	c->sbw = sbw;
	c->set_status = set_status_;
	peer_name(sa, c->peer, sizeof(c->peer));
	SHARED_ADD(sbw->connections, 1);
	if (set_status_) {
		memcpy(sbw->client, c->peer, sizeof(sbw->client));
		SHARED_SET(sbw->last_used_ms, wall_ms());
	}
}

void
conn_free(struct conn *c)
{
	set_status(c, SB_CLOSING);
	c->proto->close(c);
	buf_free(&c->in);
	outq_free(&c->out);
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

ssize_t
conn_read(struct conn *c)
{
	char *p = buf_reserve(&c->in, CONN_READ_SIZE);
	ssize_t n;

	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	n = c->tr->read(c, p, c->in.cap - c->in.end);
	if (n > 0)
		buf_commit(&c->in, (size_t)n);
	else if (n == 0)
		c->flags |= CONN_EOF;
	if (c->flags & CONN_LINGER)
		buf_consume(&c->in, buf_len(&c->in));	/* dropped unseen */
	return n;
}

static ssize_t
write_mem(struct conn *c)
{
	struct iovec iov[CONN_IOV_MAX];
	struct out_chunk *ch;
	int n = 0;

	for (ch = c->out.head; ch != NULL && ch->fd == -1 && n < CONN_IOV_MAX; ch = ch->next) {
		iov[n].iov_base = ch->mem + ch->pos;
		iov[n].iov_len = ch->len;
		n++;
	}
	return c->tr->writev(c, iov, n);
}

static ssize_t
write_file(struct conn *c)
{
	struct out_chunk *ch = c->out.head;
	off_t off = ch->off;
	ssize_t w = c->tr->sendfile(c, ch->fd, &off, ch->len);

	if (w == 0) {		/* the file shrank under us: cannot keep framing */
		errno = EPIPE;
		return -1;
	}
	return w;
}

ssize_t
conn_write(struct conn *c)
{
	ssize_t total = 0, w = 0;

	while (outq_len(&c->out) > 0) {
		w = c->out.head->fd == -1 ? write_mem(c) : write_file(c);
		if (w == -1)
			break;
		outq_consume(&c->out, (size_t)w);
		total += w;
	}
	/* Count what went out even when the socket filled up (errno kept). */
	SHARED_ADD(c->sbw->bytes, (uint64_t)total);
	return w == -1 && total == 0 ? -1 : total;
}

int
conn_wants_read(const struct conn *c)
{
	if (c->flags & CONN_LINGER)
		return !(c->flags & CONN_EOF);
	return !(c->flags & (CONN_EOF | CONN_CLOSING)) &&
	    outq_len(&c->out) < CONN_OUT_HIGH && buf_len(&c->in) < CONN_IN_MAX;
}

/* Everything is sent and we close: a peer that has not closed its side
 * may still be sending, and closing over unread input resets the
 * connection, which can destroy the end of the response in flight. So
 * shut our side (the peer reads our EOF) and drop its input until it
 * closes too, for at most CONN_LINGER_MS. Returns 1 to close now. */
static int
linger(struct conn *c)
{
	if ((c->flags & CONN_EOF) || c->tr->shutdown(c) == -1)
		return 1;
	c->flags |= CONN_LINGER;
	buf_consume(&c->in, buf_len(&c->in));
	c->timeout_ms = CONN_LINGER_MS;
	c->deadline_ms = now_ms() + CONN_LINGER_MS;
	return 0;
}

int
conn_apply(struct conn *c, int rc)
{
	/* A failed append (outq_error) leaves the queue short of what a
	 * header may have promised: whatever the handler answered, the
	 * connection cannot go on. */
	if (rc == PROTO_ABORT || outq_error(&c->out))
		return -1;
	if (c->flags & CONN_LINGER)
		return (c->flags & CONN_EOF) != 0;
	if (rc == PROTO_CLOSE)
		c->flags |= CONN_CLOSING;
	/* A peer that closed its side gets what is queued, then we close;
	 * input the handler left is an incomplete request, unless it asked to
	 * be called again (CONN_MORE). */
	if ((c->flags & CONN_EOF) && !(c->flags & CONN_MORE))
		c->flags |= CONN_CLOSING;
	if (!(c->flags & CONN_CLOSING) || outq_len(&c->out) != 0)
		return 0;
	return linger(c);
}

/* The handler's input, unless the connection only lingers. */
int
conn_input(struct conn *c)
{
	return conn_apply(c, (c->flags & CONN_LINGER) ? PROTO_OK : c->proto->input(c));
}

int
conn_drain(struct conn *c)
{
	if (c->flags & (CONN_DRAINED | CONN_LINGER))
		return conn_apply(c, PROTO_OK);
	c->flags |= CONN_DRAINED;
	return conn_apply(c, c->proto->drain(c));
}

int
conn_resume(struct conn *c)
{
	if (!(c->flags & CONN_MORE) || outq_len(&c->out) != 0 || (c->flags & CONN_LINGER))
		return conn_apply(c, PROTO_OK);
	c->flags &= ~CONN_MORE;
	return conn_apply(c, c->proto->input(c));
}

int
conn_pull(struct conn *c)
{
	if (c->proto->pull == NULL || (c->flags & CONN_LINGER))
		return conn_apply(c, PROTO_OK);
	return conn_apply(c, c->proto->pull(c));
}

#define TICK_MS	1000

/* When the connection expires: timeout_ms (the handler's, else the
 * default) after its last I/O, or at the handler's deadline. */
static int64_t
expiry(const struct conn *c, int default_ms, int64_t last_io)
{
	int64_t until = last_io + conn_timeout_ms(c, default_ms);

	return (c->deadline_ms != 0 && c->deadline_ms < until) ? c->deadline_ms : until;
}

/* One wait of the blocking driver: returns the socket's revents (0 if only
 * the waker or the tick fired), or -1 once the connection has expired.
 * The tick is due at *next_tick, however busy the connection is. */
static int
wait_io(struct conn *c, int timeout_ms, const struct conn_waker *w, int64_t last_io,
    int64_t *next_tick, int *wake)
{
	struct pollfd pfd[2];
	int64_t now = now_ms(), until = expiry(c, timeout_ms, last_io), ms = until - now;
	nfds_t nfds = 1;
	int n;

	if (ms <= 0)
		return -1;
	if (w->tick != NULL && ms > *next_tick - now)
		ms = *next_tick > now ? *next_tick - now : 0;
	pfd[0].fd = c->fd;
	pfd[0].events = (conn_wants_read(c) ? POLLIN : 0) |
	    (outq_len(&c->out) ? POLLOUT : 0);
	pfd[0].revents = pfd[1].revents = 0;
	if (w->fd != -1 && (!(c->flags & CONN_DRAINED) || c->proto->pull != NULL)) {
		pfd[1].fd = w->fd;
		pfd[1].events = POLLIN;
		nfds = 2;
	}
	set_status(c, outq_len(&c->out) ? SB_WRITING : (c->flags & CONN_CLOSING) ? SB_CLOSING :
	    (c->flags & CONN_IDLE) ? SB_KEEPALIVE : SB_READING);
	do
		n = poll(pfd, nfds, (int)ms);
	while (n == -1 && errno == EINTR);
	if (w->tick != NULL && (now = now_ms()) >= *next_tick) {
		w->tick(w->arg);
		*next_tick = now + TICK_MS;
	}
	if (n <= 0)
		return 0;
	*wake = (nfds == 2 && pfd[1].revents != 0) ? w->check(w->arg) : 0;
	return pfd[0].revents;
}

/* Write what is queued without waiting first (the socket is nearly always
 * ready); returns 1 if the connection is done, -1 on error, else 0. */
static int
flush_now(struct conn *c, int64_t *last_io)
{
	ssize_t n;

	if (outq_len(&c->out) == 0)
		return 0;
	if ((n = conn_write(c)) == -1 && errno != EAGAIN)
		return -1;
	if (n > 0)
		*last_io = now_ms();
	return conn_resume(c);
}

void
conn_serve_blocking(struct conn *c, int timeout_ms, const struct conn_waker *w)
{
	int done = conn_apply(c, c->proto->open(c));
	int64_t last_io = now_ms(), next_tick = last_io + TICK_MS;

	while (done == 0 && (done = flush_now(c, &last_io)) == 0) {
		int wake = 0, ev = wait_io(c, timeout_ms, w, last_io, &next_tick, &wake);

		if (ev == -1)
			break;			/* timed out */
		if (ev != 0)
			last_io = now_ms();
		if ((wake & CONN_WAKE_DRAIN) && (done = conn_drain(c)) != 0)
			break;
		if ((wake & CONN_WAKE_PUSH) && (done = conn_pull(c)) != 0)
			break;
		if ((ev & (POLLIN | POLLERR | POLLHUP)) && conn_wants_read(c)) {
			ssize_t n = conn_read(c);

			if (n == -1 && errno != EAGAIN)
				break;
			if (n >= 0)
				done = n > 0 ? conn_input(c) : conn_apply(c, PROTO_OK);
		}
	}
	set_status(c, SB_CLOSING);
}
