/*
 * conn: one client connection as the MPMs see it, and the socket I/O they
 * share: reading into c->in, writing c->out (writev for memory, sendfile
 * for file ranges) through the connection's transport, the state rules
 * that turn a handler's result into "go on", "done" or "abort", and a
 * blocking-style driver for the MPMs in which one thread owns one
 * connection (prefork, worker).
 *
 * Sockets are always non-blocking; the blocking driver waits with poll(2)
 * so that it can honour the I/O timeout and the process's drain signal.
 */
#ifndef MSERVER_CONN_H
#define MSERVER_CONN_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "conn/buf.h"

struct conn;
struct proto_ops;
struct sb_worker;

/*
 * The transport: the only way a connection's bytes reach its socket.
 * conn_read(), conn_write() and the close path below call nothing else,
 * and MPMs and handlers call only those, so a TLS transport slots in
 * here without an MPM or a handler knowing which one a connection uses.
 *
 * Contract, per operation, as the system call it stands for: a count of
 * bytes, 0 from read at the peer's orderly end, or -1 with errno, EAGAIN
 * meaning "call again once the socket is ready". A transport retries
 * EINTR itself. read may return fewer bytes than asked while more are
 * buffered inside the transport only if it also leaves the socket
 * readable (the MPMs wait for readiness, not for a transport's buffers).
 * shutdown ends our side of the stream (after the last byte is handed to
 * the socket); the descriptor itself is closed by conn_free(). A
 * transport whose next step needs the other direction (a TLS handshake
 * reading while we write) will tell the MPM so through the connection;
 * the plain transport never does.
 */
struct conn_transport {
	const char	*name;
	ssize_t		(*read)(struct conn *c, void *buf, size_t len);
	ssize_t		(*writev)(struct conn *c, const struct iovec *iov, int iovcnt);
	ssize_t		(*sendfile)(struct conn *c, int in_fd, off_t *off, size_t len);
	int		(*shutdown)(struct conn *c);
};

/* Plain TCP: read(2), writev(2), sendfile(2), shutdown(SHUT_WR). */
extern const struct conn_transport conn_plain;

/* Output above this stops reading (back-pressure on clients that send
 * without reading); input above CONN_IN_MAX likewise. */
#define CONN_OUT_HIGH	(256 * 1024)
#define CONN_IN_MAX	(256 * 1024)

#define CONN_EOF	0x01	/* peer closed its side */
#define CONN_CLOSING	0x02	/* flush output, then close */
#define CONN_DRAINED	0x04	/* the handler was told the server drains */
#define CONN_IDLE	0x08	/* handler: no request in flight (keep-alive) */
#define CONN_MORE	0x10	/* handler: input left unprocessed because the
				 * output queue is full: call input again once
				 * the output queue is empty */
#define CONN_LINGER	0x20	/* closing, all sent: our side is shut and what
				 * the peer still sends is dropped until it
				 * closes or CONN_LINGER_MS pass (a close with
				 * unread input would reset the connection and
				 * could destroy the end of the response) */
#define CONN_LINGER_MS	2000

struct conn {
	int			 fd;
	const struct conn_transport *tr;	/* conn_plain unless set */
	unsigned		 flags;
	const struct proto_ops	*proto;
	void			*pdata;		/* the protocol's state */
	void			*mpm;		/* the MPM's per-connection data */
	struct buf		 in;
	struct outq		 out;
	struct sb_worker	*sbw;		/* where counters go */
	int			 set_status;	/* update sbw->status too */
	/* Timers the handler sets (in open/input/drain) and the MPM obeys:
	 * close the connection after timeout_ms without I/O (0: the server's
	 * `timeout`), or at deadline_ms (now_ms() clock; 0: none), whichever
	 * comes first. */
	int			 timeout_ms;
	int64_t			 deadline_ms;
	char			 peer[48];
};

void	conn_init(struct conn *c, int fd, const struct proto_ops *p,
	    const struct sockaddr *sa, struct sb_worker *sbw, int set_status);
/* Close the socket and free buffers; calls the handler's close. */
void	conn_free(struct conn *c);

/* Read once into c->in. Returns bytes read, 0 on EOF, -1 on error (errno,
 * EAGAIN when nothing is ready). */
ssize_t	conn_read(struct conn *c);
/* Write as much of c->out as the socket takes. Returns bytes written or -1
 * (errno; EAGAIN when the socket is full). */
ssize_t	conn_write(struct conn *c);

/* The inactivity timeout in force (c->timeout_ms, else default_ms). */
static inline int
conn_timeout_ms(const struct conn *c, int default_ms)
{
	return c->timeout_ms > 0 ? c->timeout_ms : default_ms;
}

/* Whether the MPM should read more now (back-pressure, EOF, closing). */
int	conn_wants_read(const struct conn *c);
/* Feed the handler a protocol result; returns 1 if the connection is done
 * (nothing left to send and closing), 0 if it goes on, -1 to abort: on
 * PROTO_ABORT, and whenever the output queue's sticky error is set. */
int	conn_apply(struct conn *c, int proto_rc);
/* The server drains: tell the handler once. Same result as conn_apply. */
int	conn_drain(struct conn *c);
/* After a write: if the handler asked (CONN_MORE) and the output queue is
 * empty, run its input again. Same result as conn_apply. */
int	conn_resume(struct conn *c);

/* Pushed output may be waiting (the process was woken): run the handler's
 * pull, if it has one. Same result as conn_apply. */
int	conn_pull(struct conn *c);
/* After a read of n > 0 bytes: the handler's input (unless the connection
 * lingers, when the bytes were dropped). Same result as conn_apply. */
int	conn_input(struct conn *c);

/* What the blocking driver also watches: when fd (or -1) is readable it
 * calls check(arg), which returns CONN_WAKE_DRAIN once the process drains
 * (and on every later call) and CONN_WAKE_PUSH when pushed output may be
 * waiting (PROTO_PUSH_SIGNAL). The driver stops watching fd once the
 * connection has drained, unless its protocol has pull. If tick is set,
 * it is called about once a second while the connection lasts (a
 * single-threaded MPM's heartbeat and log flush). */
#define CONN_WAKE_DRAIN	0x1
#define CONN_WAKE_PUSH	0x2
struct conn_waker {
	int	  fd;
	int	(*check)(void *arg);
	void	(*tick)(void *arg);
	void	 *arg;
};

/* Serve c to the end in the calling thread, closing it after timeout_ms of
 * inactivity. Frees nothing: the caller calls conn_free(). */
void	conn_serve_blocking(struct conn *c, int timeout_ms, const struct conn_waker *w);

#endif
