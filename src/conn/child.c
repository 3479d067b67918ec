/*
 * child: see child.h.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>

#include "conn/child.h"
#include "core/conf.h"
#include "conn/conn.h"
#include "core/listen.h"
#include "core/log.h"
#include "core/mpm.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

static void
child_signal_setup(struct child_ctx *ctx)
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGHUP, SIGPIPE, SIGTSTP, SIGUSR2 };
	struct sigaction sa;
	sigset_t set;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < ARRAY_LEN(ignored); i++)
		sigaction(ignored[i], &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, PROTO_PUSH_SIGNAL);
	sigprocmask(SIG_SETMASK, &set, NULL);
	if ((ctx->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
}

void
child_start(struct child_ctx *ctx, const struct mpm_ops *ops, int close_fd)
{
	pid_t master = getppid();
	char role[32];

	snprintf(role, sizeof(role), "worker %u", ctx->slot);
	log_set_role(role);
	if (close_fd != -1)
		close(close_fd);
	/* No orphan may hold the listening sockets. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != master)
		_exit(0);
	child_signal_setup(ctx);
	if (proto_child_init(ctx) == -1)
		exit(1);
	atexit(proto_child_flush);
	ops->child_main(ctx);
}

int
child_signals(struct child_ctx *ctx)
{
	struct signalfd_siginfo si;

	while (read(ctx->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			if (log_reopen() == -1)
				log_warn("cannot reopen error log");
			else
				log_debug("error log reopened");
			proto_child_reopen();
		} else if (si.ssi_signo == PROTO_PUSH_SIGNAL) {
			proto_child_woken();
			ctx->pushed = 1;
		} else if (si.ssi_signo == SIGWINCH && !ctx->draining) {
			log_debug("draining");
			ctx->draining = 1;
		}
	}
	return ctx->draining;
}

int
child_signals_cb(void *arg)
{
	struct child_ctx *ctx = arg;
	int wake = child_signals(ctx) ? CONN_WAKE_DRAIN : 0;

	if (ctx->pushed) {
		ctx->pushed = 0;
		wake |= CONN_WAKE_PUSH;
	}
	return wake;
}

int
child_accept(int lfd, struct sockaddr_storage *ss, enum child_accept_fail *fail)
{
	socklen_t len = sizeof(*ss);
	int fd;

	fd = accept4(lfd, (struct sockaddr *)ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd != -1)
		return fd;	/* TCP_NODELAY comes from the listener (listen.c) */
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
		log_warn("accept");
		*fail = CHILD_ACCEPT_PAUSE;
	} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*fail = CHILD_ACCEPT_EMPTY;
	} else {
		*fail = CHILD_ACCEPT_SKIP;
	}
	return -1;
}

int
child_listen_epoll(struct child_ctx *ctx, int extra_fd)
{
	struct epoll_event ev;
	int ep, i;

	memset(&ev, 0, sizeof(ev));
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	for (i = 0; i < ctx->lst->n; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, ctx->lst->l[i].fd, &ev) == -1)
			fatal("epoll_ctl %s", ctx->lst->l[i].name);
	}
	if (extra_fd != -1) {
		ev.events = EPOLLIN;
		ev.data.u32 = CHILD_EV_EXTRA;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, extra_fd, &ev) == -1)
			fatal("epoll_ctl");
	}
	return ep;
}

void
child_close_listeners(struct child_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->lst->n; i++)
		close(ctx->lst->l[i].fd);
}

struct sb_proc *
child_proc(struct child_ctx *ctx)
{
	return sb_proc(ctx->sb, ctx->slot);
}

void
child_set_state(struct child_ctx *ctx, unsigned state)
{
	SHARED_SET(child_proc(ctx)->state, state);
}

void
child_heartbeat(struct child_ctx *ctx)
{
	int64_t now = wall_ms();

	/* Also the once-a-second flush of buffered protocol logs. */
	if (now / 1000 != SHARED_GET(child_proc(ctx)->heartbeat_ms) / 1000)
		proto_child_flush();
	SHARED_SET(child_proc(ctx)->heartbeat_ms, now);
}
