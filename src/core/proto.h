/*
 * proto: the protocol handler interface, and the hooks run over the table
 * of protocols.
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
 *
 * Master side, optional, called by the master (src/daemon/master.c) for
 * every protocol in the table whether or not a listener serves it, so
 * that a protocol with shared state or a process of its own needs no
 * edit of the master:
 *   master_init    before the first fork: create shared state, sized from
 *                  pm->conf, that lives as long as the master; -1 (and a
 *                  message in err) stops the start
 *   master_reload  a new configuration passed conf_load(): check it
 *                  against the running shared state, set back what needs
 *                  a restart to change (saying so at the end of note);
 *                  -1 (and err) keeps the running generation
 *   master_reaped  the master reaped a child: one of the workers (whose
 *                  scoreboard slot is already cleared) or a process the
 *                  protocol started; status as from waitpid()
 *   master_tick    about once a second, also while the server stops
 *   master_exit    the last worker is gone and the master exits
 * The master's hooks run in the master's single thread and must not
 * block for long: a lock held by a dead worker is waited on briefly, then
 * retried on a later tick.
 *
 * Where "never blocks" bends: the HTTP handler makes bounded file-system
 * calls (open, fstat, and a stat of a cached file per request), and the
 * chat handler takes the bus's one shared lock for the length of a
 * publish or a room change. Nothing waits for a peer.
 */
#ifndef MSERVER_PROTO_H
#define MSERVER_PROTO_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct conn;
struct conf;
struct child_ctx;
struct sb;

enum proto_rc { PROTO_OK = 0, PROTO_CLOSE = 1, PROTO_ABORT = 2 };

/* Sent (by pid) to a worker process that has new pushed output for its
 * connections; a worker receives it on its signalfd (child.c), and the
 * MPM calls pull. Its default action is to ignore it, so a stray one to a
 * recycled pid is harmless. */
#define PROTO_PUSH_SIGNAL	SIGURG

/* What the master hands to master_init; valid until master_exit. */
struct proto_master {
	const struct conf	*conf;		/* the first generation's */
	struct sb		*sb;		/* the scoreboard */
	unsigned		 nslots;	/* process slots (server_limit) */
};

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
	int		(*master_init)(const struct proto_master *pm, char *err, size_t len);
	int		(*master_reload)(struct conf *next, char *note, size_t nlen,
			    char *err, size_t elen);
	void		(*master_reaped)(pid_t pid, int status);
	void		(*master_tick)(void);
	void		(*master_exit)(void);
};

/* The protocols a listener can name, in the order of their ids. Defined
 * by the program (src/daemon/protocols.c), the one place that names them
 * all, so that this layer names none. */
extern const struct proto_ops *const proto_table[];
extern const unsigned proto_count;

/* child.c: run a per-process hook of every protocol. */
int			 proto_child_init(struct child_ctx *ctx);
void			 proto_child_reopen(void);
void			 proto_child_flush(void);
void			 proto_child_woken(void);

/* master.c: run a master-side hook of every protocol. init and reload
 * stop at the first that fails. */
int			 proto_master_init(const struct proto_master *pm, char *err, size_t len);
int			 proto_master_reload(struct conf *next, char *note, size_t nlen,
			    char *err, size_t elen);
void			 proto_master_reaped(pid_t pid, int status);
void			 proto_master_tick(void);
void			 proto_master_exit(void);

/* Index of the protocol named name, or -1. */
int			 proto_find(const char *name);
const struct proto_ops	*proto_get(int id);
/* "echo, ..." for messages. */
const char		*proto_names(void);

#endif
