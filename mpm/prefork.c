/*
 * prefork MPM: single-threaded worker processes, one connection at a time
 * each, as in Apache's prefork.
 *
 * An idle process waits in epoll on every listener (EPOLLEXCLUSIVE, so one
 * connection wakes one process) and on its signalfd; it accepts, serves the
 * connection to its end with the blocking driver, and goes back to waiting.
 * The master grows and shrinks the pool between mpm.min_spare and
 * mpm.max_spare idle processes; this file only serves.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "conn/child.h"
#include "core/conf.h"
#include "conn/conn.h"
#include "core/listen.h"
#include "core/log.h"
#include "core/mpm.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

/* While one connection lasts: heartbeat and the once-a-second log flush. */
static void
prefork_tick(void *ctx)
{
	child_heartbeat(ctx);
}

/* Out of descriptors or memory: the listener stays readable, so instead
 * of spinning, wait CHILD_ACCEPT_PAUSE_MS for signals only. */
static void
pause_accepting(struct child_ctx *ctx)
{
	struct pollfd pfd = { .fd = ctx->sigfd, .events = POLLIN };

	if (poll(&pfd, 1, CHILD_ACCEPT_PAUSE_MS) > 0)
		child_signals(ctx);
}

static void
serve_one(struct child_ctx *ctx, const struct lst *l, struct sb_worker *w)
{
	struct conn_waker waker = { ctx->sigfd, child_signals_cb, prefork_tick, ctx };
	enum child_accept_fail fail;
	struct sockaddr_storage ss;
	struct conn c;
	int fd;

	if ((fd = child_accept(l->fd, &ss, &fail)) == -1) {
		if (fail == CHILD_ACCEPT_PAUSE)
			pause_accepting(ctx);
		return;
	}
	conn_init(&c, fd, proto_get(l->proto), (struct sockaddr *)&ss, w, 1);
	SHARED_SET(child_proc(ctx)->conns, 1);
	conn_serve_blocking(&c, ctx->conf->timeout * 1000, &waker);
	conn_free(&c);
	SHARED_SET(child_proc(ctx)->conns, 0);
	SHARED_SET(w->last_used_ms, wall_ms());
	SHARED_SET(w->status, SB_WAITING);
}

static void __attribute__((noreturn))
prefork_main(struct child_ctx *ctx)
{
	struct sb_worker *w = sb_worker(ctx->sb, ctx->slot, 0);
	struct epoll_event ev[8];
	int ep = child_listen_epoll(ctx, ctx->sigfd);
	int i, n;

	SHARED_SET(w->status, SB_WAITING);
	child_set_state(ctx, SB_PROC_READY);
	while (!ctx->draining) {
		n = epoll_wait(ep, ev, (int)(sizeof(ev) / sizeof(ev[0])), CHILD_TICK_MS);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		child_heartbeat(ctx);
		for (i = 0; i < n && !ctx->draining; i++) {
			if (ev[i].data.u32 == CHILD_EV_EXTRA)
				child_signals(ctx);
			else
				serve_one(ctx, &ctx->lst->l[ev[i].data.u32], w);
		}
	}
	child_set_state(ctx, SB_PROC_EXITING);
	SHARED_SET(w->status, SB_OPEN);
	exit(0);
}

static unsigned
prefork_nthreads(const struct conf *conf)
{
	return 1;
}

const struct mpm_ops mpm_module = {
	.abi = MPM_ABI_VERSION,
	.name = "prefork",
	.description = "one single-threaded process per connection",
	.check = NULL,
	.nthreads = prefork_nthreads,
	.manages_spares = 1,
	.child_main = prefork_main,
};
