/*
 * child: the life of a worker process, common to every MPM.
 *
 * After fork() the master calls child_start(), which makes the process a
 * proper worker (dies with the master, ignores terminal signals, receives
 * its control signals on a signalfd) and runs the MPM's child_main().
 *
 * Control signals a worker obeys (sent by the master to its pid only):
 *   SIGTERM   stop now (default action: the process dies at once)
 *   SIGWINCH  drain: stop accepting, finish in-flight work, exit
 *   SIGUSR1   reopen log files
 *   SIGURG    (PROTO_PUSH_SIGNAL) pushed output is waiting: pull
 */
#ifndef MSERVER_CHILD_H
#define MSERVER_CHILD_H

#include <stdint.h>
#include <sys/socket.h>

struct conf;
struct lst_set;
struct sb;
struct sb_proc;
struct mpm_ops;

struct child_ctx {
	const struct conf	*conf;
	const struct lst_set	*lst;
	struct sb		*sb;
	unsigned		 slot;
	uint32_t		 generation;
	unsigned		 nthreads;
	int			 sigfd;		/* SIGWINCH, SIGUSR1 */
	/* Both only ever touched by the thread that reads sigfd (signals
	 * arrive on the signalfd, never in a handler): plain ints. */
	int			 draining;	/* set by child_signals() */
	int			 pushed;	/* PROTO_PUSH_SIGNAL seen; the MPM
						 * clears it and calls pull */
};

/* In the child after fork(); never returns. close_fd is a master-only
 * descriptor to drop (or -1). */
void	child_start(struct child_ctx *ctx, const struct mpm_ops *ops, int close_fd)
	    __attribute__((noreturn));

/* Consume pending control signals; reopen logs on SIGUSR1. Returns 1 once
 * the process has been told to drain, else 0. */
int	child_signals(struct child_ctx *ctx);

/* Same, with the signature conn_serve_blocking() wants for its waker:
 * CONN_WAKE_DRAIN while draining, CONN_WAKE_PUSH if pushed was set (and
 * clears it). */
int	child_signals_cb(void *ctx);

/* Why child_accept() returned -1, and what the MPM does about it. */
enum child_accept_fail {
	CHILD_ACCEPT_EMPTY,	/* nothing ready (EAGAIN): wait for the listener */
	CHILD_ACCEPT_SKIP,	/* that one connection failed (ECONNABORTED...):
				 * the next one may be fine */
	CHILD_ACCEPT_PAUSE,	/* out of descriptors or memory (EMFILE, ENFILE,
				 * ENOBUFS, ENOMEM), logged: accept nothing for
				 * CHILD_ACCEPT_PAUSE_MS, leaving the backlog to
				 * other processes instead of spinning on a
				 * listener that stays readable */
};
#define CHILD_ACCEPT_PAUSE_MS	500

/* An MPM wakes at least this often to call child_heartbeat(). */
#define CHILD_TICK_MS		1000

/* accept4() a non-blocking connection from listener lfd. Returns its fd,
 * or -1 with *fail saying why. An MPM that also runs out of memory for
 * its own connection state pauses for CHILD_ACCEPT_PAUSE_MS the same way.
 * Because nothing accepts while paused, the log gets one line per pause,
 * not one per spin. */
int	child_accept(int lfd, struct sockaddr_storage *ss, enum child_accept_fail *fail);

/* An epoll set with every listener (EPOLLEXCLUSIVE: one waiter woken per
 * connection) and, unless -1, extra_fd; data.u32 is the listener index, or
 * CHILD_EV_EXTRA for extra_fd. */
#define CHILD_EV_EXTRA	0xffffffffu
int	child_listen_epoll(struct child_ctx *ctx, int extra_fd);
/* Stop accepting: close this process's copies of the listeners. */
void	child_close_listeners(struct child_ctx *ctx);

struct sb_proc *child_proc(struct child_ctx *ctx);
void	child_set_state(struct child_ctx *ctx, unsigned state);
/* Record that the process is alive; once a second it also flushes the
 * protocols' buffered logs (proto_child_flush). MPMs call it on every
 * wake-up and at least every CHILD_TICK_MS. */
void	child_heartbeat(struct child_ctx *ctx);

#endif
