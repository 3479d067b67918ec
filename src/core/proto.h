/*
 * proto: the protocol handler interface, and the table of protocols.
 *
 * Handlers are sans-I/O (DESIGN.md): they read c->in, append to c->out and
 * return what the connection should do next. They never touch the socket,
 * never block and never know which MPM drives them. The MPM calls them:
 *
 *   open   once, after accept (may queue a greeting)
 *   input  whenever new bytes were appended to c->in
 *   drain  once, when the process starts draining; a handler with no work
 *          in flight answers PROTO_CLOSE, otherwise it finishes first
 *   close  once, before the connection is freed
 *   pull   (optional) output may be waiting elsewhere for this connection:
 *          the process was woken by PROTO_PUSH_SIGNAL, or the output queue
 *          a handler left full (CONN_MORE) has drained. Only protocols with
 *          server-pushed output (chat) have it; the MPM then calls it for
 *          each of their connections on every wake-up.
 *
 * PROTO_CLOSE means: send what is queued, then close. PROTO_ABORT means:
 * close now, discarding output.
 *
 * Per worker process, optional (NULL when unused), called by child.c:
 *   child_init    after fork, before serving (open access logs, ...);
 *                 -1 makes the worker exit, which the master logs
 *   child_reopen  on SIGUSR1, after the error log
 *   child_flush   at least once a second while the process runs and once
 *                 at exit (buffered logs)
 *   child_woken   on PROTO_PUSH_SIGNAL, before the MPM calls any pull
 */
#ifndef MSERVER_PROTO_H
#define MSERVER_PROTO_H

#include <signal.h>

struct conn;
struct child_ctx;

enum proto_rc { PROTO_OK = 0, PROTO_CLOSE = 1, PROTO_ABORT = 2 };

/* Sent (by pid) to a worker process that has new pushed output for its
 * connections; a worker receives it on its signalfd (child.c), and the
 * MPM calls pull. Its default action is to ignore it, so a stray one to a
 * recycled pid is harmless. */
#define PROTO_PUSH_SIGNAL	SIGURG

struct proto_ops {
	const char	*name;
	int		(*open)(struct conn *c);
	int		(*input)(struct conn *c);
	int		(*drain)(struct conn *c);
	void		(*close)(struct conn *c);
	int		(*pull)(struct conn *c);
	int		(*child_init)(struct child_ctx *ctx);
	void		(*child_reopen)(void);
	void		(*child_flush)(void);
	void		(*child_woken)(void);
};

/* child.c: run a per-process hook of every protocol. */
int			 proto_child_init(struct child_ctx *ctx);
void			 proto_child_reopen(void);
void			 proto_child_flush(void);
void			 proto_child_woken(void);

/* Index of the protocol named name, or -1. */
int			 proto_find(const char *name);
const struct proto_ops	*proto_get(int id);
/* "echo, ..." for messages. */
const char		*proto_names(void);

extern const struct proto_ops chat_proto;
extern const struct proto_ops echo_proto;
extern const struct proto_ops http_proto;

#endif
