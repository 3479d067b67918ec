/*
 * worker MPM: each process runs a listener (the main thread) and a fixed
 * pool of mpm.threads threads, as in Apache's worker. A thread owns one
 * connection from accept to close and serves it with the blocking driver.
 *
 * The listener owns the signalfd and the listening sockets. It waits on
 * the listeners only while at least one thread is idle, so connections the
 * pool cannot take stay in the kernel's backlog (where another process may
 * take them) rather than in a queue of ours. It hands each accepted socket
 * to an idle thread through a bounded queue (mutex + condvar). When accept
 * runs out of descriptors or memory (CHILD_ACCEPT_PAUSE in child.h) the
 * listener pauses accepting for CHILD_ACCEPT_PAUSE_MS and waits on the
 * control set only, leaving the backlog to other processes; each pause
 * follows exactly one failed accept (child_accept() logs it), so the log
 * gets one line per pause, not one per spin.
 *
 * Each thread serves its connection with conn_serve_blocking(), which
 * obeys the handler's timers (c->timeout_ms, c->deadline_ms) itself.
 *
 * Each thread has an eventfd, its driver's waker. The listener posts it
 * to tell a busy thread that the process drains or, when the process was
 * woken by PROTO_PUSH_SIGNAL, that pushed output may be waiting (only
 * threads serving a protocol with pull are told).
 *
 * Draining (SIGWINCH): the listener stops accepting, marks the process
 * draining, wakes idle threads (they exit) and posts every thread's
 * eventfd, which busy threads see through the driver's waker: the
 * handler's drain hook runs and the slot shows 'G'. A thread that takes a
 * queued connection after that posts its own. The process exits when its
 * last thread has.
 *
 * Invariants:
 *   - sb_proc worker fields (state, conns, heartbeat) have one writer: the
 *     listener. A thread writes only its own sb_worker slot. Open
 *     connections are counted in `conns` (listener adds, threads subtract,
 *     atomically) and published by the listener at least every 100 ms
 *     while any is open (closes do not wake it).
 *   - The listener queues a job only when `idle` > 0 and decrements it;
 *     a thread increments it when it becomes free. So the queue never
 *     holds more jobs than there are free threads, and nthreads bounds it.
 *   - While accept is paused (pause_until, monotonic ms) the listener
 *     neither waits on nor accepts from the listeners, not even for events
 *     already returned in the same batch.
 *   - Lock order: there is one lock. Nothing blocks while holding it but
 *     pthread_cond_wait; eventfd writes never block.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "conn/child.h"
#include "core/conf.h"
#include "conn/conn.h"
#include "core/listen.h"
#include "core/log.h"
#include "core/mpm.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

#define WK_BUSY_TICK_MS	100			/* heartbeat while connections are open */
#define WK_STACK_SIZE	(256 * 1024)
#define WK_EV_WAKE	(CHILD_EV_EXTRA - 1)	/* epoll tag of wakefd */
#define WK_MAX_EVENTS	16

struct wk_proc;

/* An accepted socket on its way from the listener to a thread. */
struct wk_job {
	int			 fd;
	unsigned		 lidx;		/* index in ctx->lst */
	struct sockaddr_storage	 ss;
};

struct wk_thread {
	struct wk_proc		*p;
	struct sb_worker	*sbw;		/* written by this thread only */
	pthread_t		 tid;
	int			 created;
	int			 efd;		/* the waker: drain or push */
	int			 push;		/* serving a protocol with pull (atomic) */
	struct conn		 conn;
};

struct wk_proc {
	struct child_ctx	*ctx;
	unsigned		 nthreads;
	struct wk_thread	*threads;
	int			 ep_accept;	/* listeners + control; -1 once draining */
	int			 ep_ctl;	/* control only: sigfd, wakefd */
	int			 wakefd;	/* threads -> listener */
	unsigned		 conns;		/* open connections (atomic) */
	unsigned		 state;		/* last published sb_proc state */
	int64_t			 pause_until;	/* accept paused until; listener only */

	pthread_mutex_t		 lock;		/* protects the fields below */
	pthread_cond_t		 cond;		/* a job was queued, or draining */
	struct wk_job		*queue;		/* ring of nthreads jobs */
	unsigned		 qhead, qlen;
	unsigned		 idle;		/* free threads minus queued jobs */
	unsigned		 running;	/* threads started, not yet exited */
	int			 draining;	/* also read atomically without it */
};

/* ---- shared helpers ----------------------------------------------- */

static void
wk_eventfd_post(int fd)
{
	uint64_t one = 1;

	(void)!write(fd, &one, sizeof(one));
}

static void
wk_eventfd_clear(int fd)
{
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
}

/* ---- threads ------------------------------------------------------ */

/* Wait for a job; returns -1 when the process drains and none is left. */
static int
wk_next_job(struct wk_thread *t, struct wk_job *job)
{
	struct wk_proc *p = t->p;

	pthread_mutex_lock(&p->lock);
	if (!p->draining)
		SHARED_SET(t->sbw->status, SB_WAITING);
	if (++p->idle == 1)
		wk_eventfd_post(p->wakefd);	/* the listener may wait for us */
	while (p->qlen == 0 && !p->draining)
		pthread_cond_wait(&p->cond, &p->lock);
	if (p->qlen == 0) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	*job = p->queue[p->qhead];
	p->qhead = (p->qhead + 1) % p->nthreads;
	p->qlen--;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* The driver's waker check, run in the serving thread when its eventfd
 * is readable: the process drains, or pushed output may be waiting. Once
 * draining, the slot shows 'G' instead of the driver's letters. */
static int
wk_wake_check(void *arg)
{
	struct wk_thread *t = arg;

	wk_eventfd_clear(t->efd);
	if (!SHARED_GET(t->p->draining))
		return CONN_WAKE_PUSH;
	t->conn.set_status = 0;
	SHARED_SET(t->sbw->status, SB_GRACEFUL);
	return CONN_WAKE_DRAIN | CONN_WAKE_PUSH;
}

static void
wk_serve(struct wk_thread *t, struct wk_job *job)
{
	const struct child_ctx *ctx = t->p->ctx;
	const struct lst *l = &ctx->lst->l[job->lidx];
	const struct proto_ops *proto = proto_get(l->proto);
	struct conn_waker waker = { t->efd, wk_wake_check, NULL, t };

	conn_init(&t->conn, job->fd, proto, (struct sockaddr *)&job->ss, t->sbw, 1);
	SHARED_SET_SC(t->push, proto->pull != NULL);
	if (SHARED_GET_SC(t->p->draining))
		wk_eventfd_post(t->efd);	/* queued before the drain */
	conn_serve_blocking(&t->conn, ctx->conf->timeout * 1000, &waker);
	SHARED_SET(t->push, 0);
	conn_free(&t->conn);
	SHARED_FETCH_SUB(t->p->conns, 1);
	SHARED_SET(t->sbw->last_used_ms, wall_ms());
}

static void
wk_thread_exit(struct wk_thread *t)
{
	struct wk_proc *p = t->p;

	SHARED_SET(t->sbw->status, SB_OPEN);
	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_mutex_unlock(&p->lock);
	wk_eventfd_post(p->wakefd);
}

static void *
wk_thread_main(void *arg)
{
	struct wk_thread *t = arg;
	struct wk_job job;

	while (wk_next_job(t, &job) == 0)
		wk_serve(t, &job);
	wk_thread_exit(t);
	return NULL;
}

static void
wk_start_threads(struct wk_proc *p)
{
	pthread_attr_t attr;
	size_t stack = WK_STACK_SIZE < PTHREAD_STACK_MIN ? PTHREAD_STACK_MIN : WK_STACK_SIZE;
	unsigned i, started = 0;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, stack);
	for (i = 0; i < p->nthreads; i++) {
		struct wk_thread *t = &p->threads[i];

		pthread_mutex_lock(&p->lock);
		p->running++;
		pthread_mutex_unlock(&p->lock);
		if ((rc = pthread_create(&t->tid, &attr, wk_thread_main, t)) == 0) {
			t->created = 1;
			started++;
			continue;
		}
		errno = rc;
		log_warn("thread %u of %u", i, p->nthreads);
		SHARED_SET(t->sbw->status, SB_OPEN);
		pthread_mutex_lock(&p->lock);
		p->running--;
		pthread_mutex_unlock(&p->lock);
	}
	pthread_attr_destroy(&attr);
	if (started == 0)
		fatalx("no thread could be started");
}

/* ---- the listener ------------------------------------------------- */

static unsigned
wk_idle(struct wk_proc *p)
{
	unsigned n;

	pthread_mutex_lock(&p->lock);
	n = p->idle;
	pthread_mutex_unlock(&p->lock);
	return n;
}

static void
wk_push(struct wk_proc *p, const struct wk_job *job)
{
	pthread_mutex_lock(&p->lock);
	p->queue[(p->qhead + p->qlen) % p->nthreads] = *job;
	p->qlen++;
	p->idle--;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static int
wk_paused(const struct wk_proc *p)
{
	return p->pause_until != 0 && now_ms() < p->pause_until;
}

/* Accept from one listener as many connections as there are idle threads.
 * Out of descriptors or memory: pause instead of spinning on the listener. */
static void
wk_accept(struct wk_proc *p, unsigned lidx)
{
	unsigned n = wk_idle(p);
	enum child_accept_fail fail;
	struct wk_job job;

	job.lidx = lidx;
	while (n-- > 0) {
		if ((job.fd = child_accept(p->ctx->lst->l[lidx].fd, &job.ss, &fail)) == -1) {
			if (fail == CHILD_ACCEPT_PAUSE)
				p->pause_until = now_ms() + CHILD_ACCEPT_PAUSE_MS;
			return;
		}
		SHARED_FETCH_ADD(p->conns, 1);
		wk_push(p, &job);
	}
}

/* Post the eventfd of every thread (all: the drain), or of those serving
 * a protocol with pull (a push wake-up). */
static void
wk_wake_threads(struct wk_proc *p, int all)
{
	unsigned i;

	for (i = 0; i < p->nthreads; i++)
		if (all || SHARED_GET_SC(p->threads[i].push))
			wk_eventfd_post(p->threads[i].efd);
}

static void
wk_begin_drain(struct wk_proc *p)
{
	close(p->ep_accept);		/* first: drop our EPOLLEXCLUSIVE waits */
	p->ep_accept = -1;
	child_close_listeners(p->ctx);
	p->state = SB_PROC_DRAINING;
	child_set_state(p->ctx, p->state);
	pthread_mutex_lock(&p->lock);
	SHARED_SET_SC(p->draining, 1);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	wk_wake_threads(p, 1);
	log_debug("stopped accepting; %u open connection(s) to finish",
	    SHARED_GET(p->conns));
}

static void
wk_dispatch(struct wk_proc *p, const struct epoll_event *ev)
{
	if (ev->data.u32 == CHILD_EV_EXTRA) {
		if (child_signals(p->ctx) && p->ep_accept != -1)
			wk_begin_drain(p);
		if (p->ctx->pushed) {
			p->ctx->pushed = 0;
			wk_wake_threads(p, 0);
		}
	} else if (ev->data.u32 == WK_EV_WAKE) {
		wk_eventfd_clear(p->wakefd);
	} else if (p->ep_accept != -1 && !wk_paused(p)) {
		/* not paused by another listener earlier in this batch */
		wk_accept(p, ev->data.u32);
	}
}

/* Heartbeat, open connections and state, from the listener only. */
static void
wk_publish(struct wk_proc *p)
{
	unsigned state = p->state;

	child_heartbeat(p->ctx);
	SHARED_SET(child_proc(p->ctx)->conns, SHARED_GET(p->conns));
	if (state != SB_PROC_DRAINING)
		state = wk_idle(p) > 0 ? SB_PROC_READY : SB_PROC_FULL;
	if (state != p->state) {
		p->state = state;
		child_set_state(p->ctx, state);
	}
}

static int
wk_done(struct wk_proc *p)
{
	int done;

	pthread_mutex_lock(&p->lock);
	done = p->draining && p->running == 0;
	pthread_mutex_unlock(&p->lock);
	return done;
}

/* The set to wait on and for how long: the listeners too while a thread
 * is idle and accept is not paused, else only the signals and the
 * threads' wake-ups, until the next tick or the end of the pause. */
static int
wk_wait_set(struct wk_proc *p, int *ms)
{
	int64_t left = p->pause_until - now_ms();

	*ms = SHARED_GET(child_proc(p->ctx)->conns) > 0 ? WK_BUSY_TICK_MS : CHILD_TICK_MS;
	if (p->pause_until != 0 && left <= 0)
		p->pause_until = 0;
	if (p->pause_until != 0) {
		if (left < *ms)
			*ms = (int)left;
		return p->ep_ctl;
	}
	return (p->ep_accept != -1 && wk_idle(p) > 0) ? p->ep_accept : p->ep_ctl;
}

static void
wk_listen_once(struct wk_proc *p)
{
	struct epoll_event ev[WK_MAX_EVENTS];
	int i, n, ms, ep = wk_wait_set(p, &ms);

	n = epoll_wait(ep, ev, WK_MAX_EVENTS, ms);
	if (n == -1 && errno != EINTR)
		fatal("epoll_wait");
	for (i = 0; i < n; i++)
		wk_dispatch(p, &ev[i]);
	wk_publish(p);
}

/* ---- setup and teardown ------------------------------------------- */

static void
wk_epoll_add(int ep, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		fatal("epoll_ctl");
}

static struct wk_proc *
wk_init(struct child_ctx *ctx)
{
	struct wk_proc *p;
	unsigned i;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->threads = calloc(ctx->nthreads, sizeof(*p->threads))) == NULL ||
	    (p->queue = calloc(ctx->nthreads, sizeof(*p->queue))) == NULL)
		fatal("calloc");
	p->ctx = ctx;
	p->nthreads = ctx->nthreads;
	p->state = SB_PROC_STARTING;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if ((p->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (p->ep_ctl = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("eventfd");
	p->ep_accept = child_listen_epoll(ctx, ctx->sigfd);
	wk_epoll_add(p->ep_accept, p->wakefd, WK_EV_WAKE);
	wk_epoll_add(p->ep_ctl, ctx->sigfd, CHILD_EV_EXTRA);
	wk_epoll_add(p->ep_ctl, p->wakefd, WK_EV_WAKE);
	for (i = 0; i < p->nthreads; i++) {
		p->threads[i].p = p;
		p->threads[i].sbw = sb_worker(ctx->sb, ctx->slot, i);
		if ((p->threads[i].efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
			fatal("eventfd");
	}
	return p;
}

static void __attribute__((noreturn))
wk_exit(struct wk_proc *p)
{
	unsigned i;

	for (i = 0; i < p->nthreads; i++)
		if (p->threads[i].created)
			pthread_join(p->threads[i].tid, NULL);
	child_set_state(p->ctx, SB_PROC_EXITING);
	close(p->ep_ctl);
	close(p->wakefd);
	for (i = 0; i < p->nthreads; i++)
		close(p->threads[i].efd);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->queue);
	free(p->threads);
	free(p);
	exit(0);
}

static void __attribute__((noreturn))
worker_main(struct child_ctx *ctx)
{
	struct wk_proc *p = wk_init(ctx);

	wk_start_threads(p);
	while (!wk_done(p))
		wk_listen_once(p);
	wk_exit(p);
}

/* ---- the module --------------------------------------------------- */

static int
worker_check(const struct conf *conf, char *err, size_t errlen)
{
	if (conf->mpm.threads < 1) {
		snprintf(err, errlen, "%s:%d: mpm.threads must be at least 1 with the worker MPM",
		    conf->mpm.file, conf->mpm.line);
		return -1;
	}
	return 0;
}

static unsigned
worker_nthreads(const struct conf *conf)
{
	return (unsigned)conf->mpm.threads;
}

const struct mpm_ops mpm_module = {
	.abi = MPM_ABI_VERSION,
	.name = "worker",
	.description = "a listener and a fixed thread pool per process",
	.check = worker_check,
	.nthreads = worker_nthreads,
	.manages_spares = 1,
	.child_main = worker_main,
};
