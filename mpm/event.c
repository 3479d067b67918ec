/*
 * event MPM: each worker process runs one single-threaded epoll loop that
 * owns all of its connections with non-blocking I/O, as in Apache's event
 * MPM and nginx. An idle connection costs no thread and a couple of hundred
 * bytes: its input buffer is released whenever it is empty, and reads go
 * through one read buffer shared by the whole process.
 *
 * Epoll is level-triggered. Every registered descriptor carries a pointer
 * to a struct ev_src whose kind says what it is (listener, signalfd or
 * connection). Listeners are registered with EPOLLEXCLUSIVE, so a new
 * connection wakes one process; they are removed from the set (never
 * EPOLL_CTL_MOD, which EPOLLEXCLUSIVE forbids) while the process is at
 * mpm.max_connections, while accept is paused after EMFILE, and for good
 * once the process drains. Because the kernel wakes the first waiter in
 * the listener's queue, a process ahead of its least loaded peer
 * re-registers its listeners to go to the back of that queue.
 *
 * Timers. The handler sets two per connection (conn.h): an inactivity
 * timeout c->timeout_ms (0: the server's `timeout`) and an absolute
 * deadline c->deadline_ms (0: none); they are re-read after every handler
 * call. They live in ev_timer.c: one FIFO list per inactivity duration, as
 * in Apache's event MPM, and a min-heap for the rare deadlines (only while
 * a request head is incomplete). Each connection embeds its evt_node.
 *
 * Invariants:
 *   - A connection's epoll interest is exactly ev_conn_want(): EPOLLIN
 *     while conn_wants_read(), EPOLLOUT while output is pending. It is
 *     brought up to date by ev_conn_settle(), the one exit of every step,
 *     which also re-reads the handler's timers (ev_conn_timers()).
 *   - The shared read buffer is lent to a connection only inside
 *     ev_conn_read(), and only while that connection's input is empty; it
 *     is always taken back before the function returns.
 *   - Every open connection is in ev->tm (ev_timer.h); after
 *     ev_conn_settle() its timers there are the handler's.
 *   - Connections are freed only by ev_conn_close(); nothing that runs
 *     while a batch of epoll events is being dispatched closes a connection
 *     other than the one the event is for (drain and expiry run after the
 *     batch), so no event in a batch refers to freed memory.
 *   - ev->push[0, npush) holds exactly the open connections whose protocol
 *     has pull (server-pushed output, e.g. chat), each at its pidx. On a
 *     push wake-up (PROTO_PUSH_SIGNAL) every one of them is pulled and
 *     settled, so one write carries what the bus gathered meanwhile.
 *   - Scoreboard: this process writes its sb_proc worker fields and its one
 *     sb_worker slot; by_state[] counts each open connection once, under
 *     the index stored in its sidx.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "conn/child.h"
#include "core/conf.h"
#include "conn/conn.h"
#include "core/listen.h"
#include "core/log.h"
#include "core/mpm.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

#include "mpm/ev_timer.h"

#define EV_BATCH	256		/* epoll events per wait */
#define EV_ACCEPT_MAX	64		/* accepts per listener wake-up */
#define EV_RBUF_SIZE	(64 * 1024)	/* the shared read buffer */

enum ev_kind { EV_LISTENER, EV_SIGNAL, EV_CONN };

/* What an epoll event's data.ptr points at. */
struct ev_src {
	enum ev_kind	 kind;
	int		 idx;		/* listener index */
};

struct ev_conn {
	struct ev_src	 src;		/* first: data.ptr points here */
	struct conn	 c;
	struct evt_node	 tn;		/* its timers in ev->tm */
	uint32_t	 events;	/* interest registered with epoll */
	unsigned	 registered:1;
	unsigned	 full:1;	/* the socket refused output: wait EPOLLOUT */
	signed int	 sidx:8;	/* by_state[] index counted, or -1 */
	int		 pidx;		/* index in ev->push, or -1 */
};

struct ev_stats {
	uint64_t	 wakeups;	/* listener events dispatched */
	uint64_t	 empty;		/* of those, with nothing to accept */
	uint64_t	 accepts;
	uint64_t	 timeouts;	/* inactivity */
	uint64_t	 deadlines;
};

struct ev_loop {
	struct child_ctx	*ctx;
	struct sb_proc		*proc;
	struct sb_worker	*sbw;
	int			 ep;
	char			*rbuf;		/* shared read buffer */
	int64_t			 now;		/* monotonic ms, once per wake-up */
	int			 timeout_ms;	/* conf->timeout: the default */
	unsigned		 nconns, max_conns;
	struct evt_timers	 tm;		/* every connection's timers */
	struct ev_src		 lsn[CONF_MAX_LISTEN];
	struct ev_src		 sig;
	int			 listening;	/* listeners are in the epoll set */
	int			 closed;	/* draining: listeners closed */
	int64_t			 pause_until;	/* accept paused (EMFILE) until */
	int64_t			 next_beat;
	struct ev_conn		**push;		/* connections whose protocol has pull */
	unsigned		 npush, push_cap;
	struct ev_stats		 st;
};

static void	ev_accept_update(struct ev_loop *);

/* ---- timers -------------------------------------------------------- */

static struct ev_conn *
ev_conn_of(struct evt_node *n)
{
	return (struct ev_conn *)((char *)n - offsetof(struct ev_conn, tn));
}

/* Re-read the timers the handler may just have changed. Returns 0, or -1
 * (no memory). */
static int
ev_conn_timers(struct ev_loop *ev, struct ev_conn *ec)
{
	if (evt_update(&ev->tm, &ec->tn, conn_timeout_ms(&ec->c, ev->timeout_ms),
	    ec->c.deadline_ms, ev->now) == -1) {
		log_warnx("out of memory: closing %s", ec->c.peer);
		return -1;
	}
	return 0;
}

/* ---- scoreboard ---------------------------------------------------- */

static int
ev_conn_letter(const struct conn *c)
{
	if (outq_len(&c->out) > 0)
		return SB_WRITING;
	if (c->flags & CONN_CLOSING)
		return SB_CLOSING;
	if (c->flags & CONN_IDLE)
		return SB_KEEPALIVE;
	return SB_READING;
}

/* Count ec under by_state[idx] (-1: under none). */
static void
ev_account(struct ev_loop *ev, struct ev_conn *ec, int idx)
{
	uint32_t *by = ev->proc->by_state;

	if (idx == ec->sidx)
		return;
	if (ec->sidx >= 0)
		SHARED_SET(by[ec->sidx], SHARED_GET(by[ec->sidx]) - 1);
	if (idx >= 0)
		SHARED_SET(by[idx], SHARED_GET(by[idx]) + 1);
	ec->sidx = idx;
}

static void
ev_set_conns(struct ev_loop *ev, unsigned n)
{
	ev->nconns = n;
	SHARED_SET(ev->proc->conns, n);
}

/* ---- one connection ------------------------------------------------ */

static uint32_t
ev_conn_want(const struct conn *c)
{
	return (conn_wants_read(c) ? EPOLLIN : 0) | (outq_len(&c->out) > 0 ? EPOLLOUT : 0);
}

static int
ev_conn_interest(struct ev_loop *ev, struct ev_conn *ec)
{
	uint32_t want = ev_conn_want(&ec->c);
	struct epoll_event e;

	if (ec->registered && want == ec->events)
		return 0;
	memset(&e, 0, sizeof(e));
	e.events = want;
	e.data.ptr = &ec->src;
	if (epoll_ctl(ev->ep, ec->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
	    ec->c.fd, &e) == -1) {
		log_warn("epoll_ctl for %s", ec->c.peer);
		return -1;
	}
	ec->registered = 1;
	ec->events = want;
	return 0;
}

/* ---- connections with pushed output ------------------------------- */

static int
ev_push_add(struct ev_loop *ev, struct ev_conn *ec)
{
	if (ev->npush == ev->push_cap) {
		unsigned cap = ev->push_cap ? 2 * ev->push_cap : 64;
		struct ev_conn **v = realloc(ev->push, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		ev->push = v;
		ev->push_cap = cap;
	}
	ec->pidx = (int)ev->npush;
	ev->push[ev->npush++] = ec;
	return 0;
}

static void
ev_push_del(struct ev_loop *ev, struct ev_conn *ec)
{
	struct ev_conn *last = ev->push[--ev->npush];

	ev->push[ec->pidx] = last;
	last->pidx = ec->pidx;
	ec->pidx = -1;
}

static void
ev_conn_close(struct ev_loop *ev, struct ev_conn *ec)
{
	if (ec->pidx >= 0)
		ev_push_del(ev, ec);
	evt_del(&ev->tm, &ec->tn);
	ev_account(ev, ec, -1);
	conn_free(&ec->c);	/* closing the only reference leaves the epoll set */
	free(ec);
	ev_set_conns(ev, ev->nconns - 1);
	ev_accept_update(ev);
}

/* Write what the socket takes; once the queue is empty a handler that
 * asked (CONN_MORE) gets the input it left. Returns conn_apply()'s verdict,
 * or -1. */
static int
ev_conn_write(struct ev_loop *ev, struct ev_conn *ec)
{
	struct conn *c = &ec->c;
	ssize_t n = conn_write(c);
	int done;

	if (n == -1 && errno != EAGAIN)
		return -1;
	if (n > 0)
		evt_touch(&ev->tm, &ec->tn, ev->now);
	ec->full = outq_len(&c->out) > 0;
	done = conn_resume(c);
	if (buf_len(&c->in) == 0)
		buf_free(&c->in);	/* an idle connection keeps no input memory */
	return done;
}

/* After every step: close a finished connection, push out what is queued,
 * and bring epoll interest, timers and scoreboard up to date. done is what
 * conn_apply() said (1 finished, -1 abort, 0 goes on). */
static void
ev_conn_settle(struct ev_loop *ev, struct ev_conn *ec, int done)
{
	struct conn *c = &ec->c;

	/* Most replies fit the socket buffer: write now, not on EPOLLOUT. */
	if (done == 0 && outq_len(&c->out) > 0 && !ec->full)
		done = ev_conn_write(ev, ec);
	/* Neither input nor output can move (EOF with a partial request,
	 * a handler that will not consume): nothing would ever wake it. */
	if (done == 0 && ev_conn_want(c) == 0)
		done = -1;
	if (done != 0 || ev_conn_interest(ev, ec) == -1 || ev_conn_timers(ev, ec) == -1) {
		ev_conn_close(ev, ec);
		return;
	}
	ev_account(ev, ec, sb_conn_idx(ev_conn_letter(c)));
}

/* Lend the shared read buffer to a connection with no buffered input. */
static void
ev_in_lend(struct ev_loop *ev, struct conn *c)
{
	if (c->in.data != NULL)
		return;
	c->in.data = ev->rbuf;
	c->in.start = c->in.end = 0;
	c->in.cap = EV_RBUF_SIZE;
}

/* Take the shared buffer back, moving what the handler left unconsumed to
 * the connection's own buffer; an empty own buffer is released (an idle
 * connection keeps no input memory). Returns 0, or -1 out of memory. */
static int
ev_in_return(struct ev_loop *ev, struct conn *c)
{
	struct buf lent = c->in;

	if (lent.data != ev->rbuf) {
		if (buf_len(&c->in) == 0)
			buf_free(&c->in);
		return 0;
	}
	memset(&c->in, 0, sizeof(c->in));
	if (buf_len(&lent) == 0)
		return 0;
	return buf_append(&c->in, buf_ptr(&lent), buf_len(&lent));
}

/* Read once and feed the handler. Returns conn_apply()'s verdict, or -1. */
static int
ev_conn_read(struct ev_loop *ev, struct ev_conn *ec)
{
	struct conn *c = &ec->c;
	int done, err;
	ssize_t n;

	ev_in_lend(ev, c);
	n = conn_read(c);
	err = errno;
	if (n > 0)
		evt_touch(&ev->tm, &ec->tn, ev->now);
	done = n > 0 ? conn_input(c) : n == 0 ? conn_apply(c, PROTO_OK) : 0;
	if (ev_in_return(ev, c) == -1 || (n == -1 && err != EAGAIN))
		return -1;
	return done;
}

static void
ev_conn_event(struct ev_loop *ev, struct ev_conn *ec, uint32_t events)
{
	int done = 0;

	if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		ec->full = 0;
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && conn_wants_read(&ec->c))
		done = ev_conn_read(ev, ec);
	ev_conn_settle(ev, ec, done);
}

/* ---- accepting ----------------------------------------------------- */

/* Put the listeners into the epoll set or take them out. */
static void
ev_listen_set(struct ev_loop *ev, int on)
{
	const struct lst_set *ls = ev->ctx->lst;
	struct epoll_event e;
	int i;

	if (on == ev->listening)
		return;
	for (i = 0; i < ls->n; i++) {
		memset(&e, 0, sizeof(e));
		e.events = EPOLLIN | EPOLLEXCLUSIVE;
		e.data.ptr = &ev->lsn[i];
		if (epoll_ctl(ev->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, ls->l[i].fd, &e) == -1)
			log_warn("epoll_ctl %s", ls->l[i].name);
	}
	ev->listening = on;
}

/* Accept while below max_connections and not paused; publish the state. */
static void
ev_accept_update(struct ev_loop *ev)
{
	int full = ev->nconns >= ev->max_conns;
	unsigned state = full ? SB_PROC_FULL : SB_PROC_READY;

	if (ev->closed)
		return;
	ev_listen_set(ev, !full && ev->now >= ev->pause_until);
	if (SHARED_GET(ev->proc->state) != state)
		child_set_state(ev->ctx, state);
}

/* Out of descriptors or memory (child.h's contract): nothing accepts
 * until the pause ends; ev_dispatch() skips listener events once they left
 * the set, so child_accept() logs one failure per pause. */
static void
ev_accept_pause(struct ev_loop *ev)
{
	ev->pause_until = ev->now + CHILD_ACCEPT_PAUSE_MS;
	ev_listen_set(ev, 0);
}

static void
ev_conn_open(struct ev_loop *ev, int fd, const struct lst *l, struct sockaddr_storage *ss)
{
	struct ev_conn *ec = calloc(1, sizeof(*ec));
	struct conn *c;

	if (ec == NULL) {
		log_warnx("out of memory: dropping a connection on %s", l->name);
		close(fd);
		ev_accept_pause(ev);
		return;
	}
	c = &ec->c;
	ec->src.kind = EV_CONN;
	ec->sidx = -1;
	ec->pidx = -1;
	conn_init(c, fd, proto_get(l->proto), (struct sockaddr *)ss, ev->sbw, 0);
	c->mpm = ec;
	memcpy(ev->sbw->client, c->peer, sizeof(ev->sbw->client));
	SHARED_SET(ev->sbw->last_used_ms, wall_ms());
	evt_add(&ev->tm, &ec->tn, ev->timeout_ms, ev->now);	/* until the handler says */
	ev_set_conns(ev, ev->nconns + 1);
	ev->st.accepts++;
	if (c->proto->pull != NULL && ev_push_add(ev, ec) == -1) {
		ev_conn_settle(ev, ec, -1);
		return;
	}
	ev_conn_settle(ev, ec, conn_apply(c, c->proto->open(c)));
}

/* Woken by a publisher: pull every connection that can have pushed
 * output. Settling closes at most the connection settled, which moves the
 * last entry into its place: going down the array visits each once. */
static void
ev_push_all(struct ev_loop *ev)
{
	unsigned i;

	for (i = ev->npush; i-- > 0;)
		if (i < ev->npush)
			ev_conn_settle(ev, ev->push[i], conn_pull(&ev->push[i]->c));
}

/* Accept one connection. Returns 1 to go on, 0 to stop. */
static int
ev_accept_one(struct ev_loop *ev, const struct lst *l)
{
	enum child_accept_fail fail;
	struct sockaddr_storage ss;
	int fd = child_accept(l->fd, &ss, &fail);

	if (fd != -1) {
		ev_conn_open(ev, fd, l, &ss);
		ev_accept_update(ev);
		return 1;
	}
	if (fail == CHILD_ACCEPT_PAUSE)
		ev_accept_pause(ev);
	return fail == CHILD_ACCEPT_SKIP;
}

/* Open connections of the least loaded accepting peer of this
 * generation, or UINT_MAX if there is none (the scoreboard is readable). */
static unsigned
ev_peer_min(struct ev_loop *ev)
{
	struct sb *sb = ev->ctx->sb;
	unsigned i, n, min = UINT_MAX, limit = sb_header(sb)->server_limit;

	for (i = 0; i < limit; i++) {
		struct sb_proc *p = sb_proc(sb, i);

		if (i == ev->ctx->slot || SHARED_GET(p->pid) == 0 ||
		    SHARED_GET(p->generation) != ev->ctx->generation ||
		    SHARED_GET(p->state) != SB_PROC_READY)
			continue;
		if ((n = SHARED_GET(p->conns)) < min)
			min = n;
	}
	return min;
}

/* EPOLLEXCLUSIVE wakes the first waiting process in the listener's wait
 * queue, so an otherwise idle server would hand every connection to the
 * same process. One that is ahead of its least loaded peer re-registers
 * its listeners, which puts it at the back of the queue. */
static void
ev_accept_balance(struct ev_loop *ev)
{
	if (!ev->listening || ev->nconns <= ev_peer_min(ev))
		return;
	ev_listen_set(ev, 0);
	ev_listen_set(ev, 1);
}

/* A listener is readable: accept a bounded batch (fairness to the
 * connections already open), while this process still may. */
static void
ev_accept(struct ev_loop *ev, int idx)
{
	const struct lst *l = &ev->ctx->lst->l[idx];
	uint64_t before = ev->st.accepts;
	int i;

	ev->st.wakeups++;
	for (i = 0; i < EV_ACCEPT_MAX && ev->listening; i++)
		if (ev_accept_one(ev, l) == 0)
			break;
	if (ev->st.accepts == before)
		ev->st.empty++;
	else
		ev_accept_balance(ev);
}

/* ---- drain, timers, the loop --------------------------------------- */

/* Tell every connection on one list that the process drains, once each:
 * a settled connection may move to the tail of this list or another one,
 * but settling closes none but itself, so next stays valid. */
static void
ev_drain_list(struct ev_loop *ev, struct evt_list *l)
{
	struct evt_node *n, *next;
	struct ev_conn *ec;

	for (n = l->head; n != NULL; n = next) {
		next = n->next;
		ec = ev_conn_of(n);
		if (!(ec->c.flags & CONN_DRAINED))
			ev_conn_settle(ev, ec, conn_drain(&ec->c));
	}
}

/* Stop accepting for good, tell every connection, close those done. */
static void
ev_drain(struct ev_loop *ev)
{
	unsigned i;

	ev_listen_set(ev, 0);
	child_close_listeners(ev->ctx);
	ev->closed = 1;
	child_set_state(ev->ctx, SB_PROC_DRAINING);
	for (i = 0; i <= EVT_OVERFLOW; i++)
		ev_drain_list(ev, &ev->tm.list[i]);
	log_debug("draining: %u connection(s) still open", ev->nconns);
}

/* Close the connections whose inactivity timeout or deadline has come. A
 * heap entry is a deadline if the connection's deadline has passed, else
 * the inactivity timeout of the overflow list. */
static void
ev_expire(struct ev_loop *ev)
{
	struct evt_node *n;
	struct ev_conn *ec;
	int heap;

	while ((n = evt_expired(&ev->tm, ev->now, &heap)) != NULL) {
		ec = ev_conn_of(n);
		if (heap && ec->c.deadline_ms != 0 && ec->c.deadline_ms <= ev->now)
			ev->st.deadlines++;
		else
			ev->st.timeouts++;
		ev_conn_close(ev, ec);
	}
}

static void
ev_timers(struct ev_loop *ev)
{
	ev_expire(ev);
	if (ev->pause_until != 0 && ev->now >= ev->pause_until) {
		ev->pause_until = 0;
		ev_accept_update(ev);
	}
	if (ev->now >= ev->next_beat) {
		child_heartbeat(ev->ctx);
		ev->next_beat = ev->now + CHILD_TICK_MS;
	}
}

/* Milliseconds until the earliest timer: heartbeat, a connection's,
 * the end of an accept pause. */
static int
ev_wait_ms(struct ev_loop *ev)
{
	int64_t t = ev->next_beat, due = evt_next(&ev->tm);

	if (due < t)
		t = due;
	if (ev->pause_until != 0 && ev->pause_until < t)
		t = ev->pause_until;
	return t <= ev->now ? 0 : (int)(t - ev->now);
}

static void
ev_dispatch(struct ev_loop *ev, const struct epoll_event *e)
{
	struct ev_src *s = e->data.ptr;

	switch (s->kind) {
	case EV_LISTENER:
		if (ev->listening)	/* may have stopped earlier in this batch */
			ev_accept(ev, s->idx);
		break;
	case EV_SIGNAL:
		child_signals(ev->ctx);	/* the drain itself waits for the batch end */
		break;
	case EV_CONN:
		ev_conn_event(ev, (struct ev_conn *)s, e->events);
		break;
	}
}

/* Use every descriptor the hard limit allows: each connection is one. */
static void
ev_raise_nofile(const struct conf *conf)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
	}
	if ((rlim_t)conf->mpm.max_connections + 32 > rl.rlim_cur)
		log_warnx("mpm.max_connections %d is near the open-file limit %llu:"
		    " accepting pauses when descriptors run out",
		    conf->mpm.max_connections, (unsigned long long)rl.rlim_cur);
}

static struct ev_loop *
ev_init(struct child_ctx *ctx)
{
	static struct ev_loop loop;
	struct ev_loop *ev = &loop;
	struct epoll_event e;
	int i;

	ev->ctx = ctx;
	ev->proc = child_proc(ctx);
	ev->sbw = sb_worker(ctx->sb, ctx->slot, 0);
	ev->timeout_ms = ctx->conf->timeout * 1000;
	ev->max_conns = (unsigned)ctx->conf->mpm.max_connections;
	if ((ev->rbuf = malloc(EV_RBUF_SIZE)) == NULL)
		fatalx("out of memory");
	if ((ev->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = &ev->sig;
	ev->sig.kind = EV_SIGNAL;
	if (epoll_ctl(ev->ep, EPOLL_CTL_ADD, ctx->sigfd, &e) == -1)
		fatal("epoll_ctl signalfd");
	for (i = 0; i < CONF_MAX_LISTEN; i++)
		ev->lsn[i] = (struct ev_src){ .kind = EV_LISTENER, .idx = i };
	ev->now = ev->next_beat = now_ms();
	return ev;
}

static void __attribute__((noreturn))
ev_exit(struct ev_loop *ev)
{
	log_debug("exiting: %llu accepted, %llu listener wake-ups, %llu with nothing"
	    " to accept, %llu idle timeouts, %llu deadlines",
	    (unsigned long long)ev->st.accepts, (unsigned long long)ev->st.wakeups,
	    (unsigned long long)ev->st.empty, (unsigned long long)ev->st.timeouts,
	    (unsigned long long)ev->st.deadlines);
	child_set_state(ev->ctx, SB_PROC_EXITING);
	SHARED_SET(ev->sbw->status, SB_OPEN);
	exit(0);
}

static void __attribute__((noreturn))
event_main(struct child_ctx *ctx)
{
	struct epoll_event evs[EV_BATCH];
	struct ev_loop *ev;
	int i, n;

	ev_raise_nofile(ctx->conf);
	ev = ev_init(ctx);
	ev_accept_update(ev);
	while (!(ev->closed && ev->nconns == 0)) {
		ev->now = now_ms();
		SHARED_SET(ev->sbw->status, SB_WAITING);
		n = epoll_wait(ev->ep, evs, EV_BATCH, ev_wait_ms(ev));
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		SHARED_SET(ev->sbw->status, ev->closed ? SB_GRACEFUL : SB_READING);
		ev->now = now_ms();
		for (i = 0; i < n; i++)
			ev_dispatch(ev, &evs[i]);
		if (ctx->pushed) {
			ctx->pushed = 0;
			ev_push_all(ev);
		}
		if (ctx->draining && !ev->closed)
			ev_drain(ev);
		ev_timers(ev);
	}
	ev_exit(ev);
}

static unsigned
event_nthreads(const struct conf *conf)
{
	return 1;
}

const struct mpm_ops mpm_module = {
	.abi = MPM_ABI_VERSION,
	.name = "event",
	.description = "one epoll loop per process multiplexing all its connections",
	.check = NULL,
	.nthreads = event_nthreads,
	.manages_spares = 0,
	.child_main = event_main,
};
