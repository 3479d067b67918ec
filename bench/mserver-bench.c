/*
 * mserver-bench: the project's load generator.
 *
 * It opens C concurrent TCP connections to HOST:PORT and drives each through
 * a per-connection state machine supplied by a *mode* (struct mode_ops):
 *   echo   (RFC 862) M round trips of S bytes each, every byte checked;
 *   chat   N clients of mserverd's chat protocol join one room, P of them
 *          publish, every member receives every message (fan-out);
 *   redis  the same fan-out against redis-server: N SUBSCRIBE connections
 *          and P PUBLISH connections.
 * The two fan-out modes share one implementation (the "pub/sub" section)
 * and differ only in framing; see the comment there.
 *
 * Shape of a run:
 *   main      parses options, raises RLIMIT_NOFILE to the hard limit and,
 *             when C exceeds what one process can hold, forks children that
 *             each take a contiguous share of the connection ids; children
 *             send their results (and, with --hold, a "ready" byte) up a
 *             pipe and the parent merges them.
 *   share     one process's part: T worker threads plus, with --hold or a
 *             mode that asks for it, a barrier so that all C connections
 *             are open (and, for pub/sub, in the room) at the same time.
 *   worker    one thread: its own epoll loop, a contiguous slice of ids,
 *             non-blocking connects (at most PENDING_MAX in flight), the
 *             connect and I/O timeouts and the global deadline.
 *   mode      per-connection protocol logic; does I/O on c->fd, records
 *             round trips, and says what it wants next (enum step,
 *             c->want_out). It never touches epoll. Optional per-thread
 *             hooks (setup, tick, finish) let a mode keep state that spans
 *             the connections of one thread.
 *
 * Invariants:
 *   - each id in [0, C) belongs to exactly one thread of one process and
 *     ends as exactly one of: ok, connect failure, error. So
 *     ok + connect_failures + errors == C, and the exit status is 0 only
 *     when ok == C.
 *   - a thread touches only its own connections, epoll fd, scratch buffers
 *     and result; the only shared state is the hold barrier in struct share.
 *   - latencies go into a fixed-size log-linear histogram (about 1.6%
 *     resolution), so memory does not grow with the number of samples.
 *   - with IPv4 loopback targets and C > --per-source, connection id i is
 *     bound to source address 127.0.0.1 + i / per_source, so no source
 *     address runs out of ephemeral ports.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define FD_MARGIN	100	/* fds per process kept for epoll, pipes, stdio */
#define PENDING_MAX	2048	/* connects in flight per thread */
#define SCRATCH		65536	/* per-thread I/O buffer size */
#define TICK_MS		50	/* longest epoll sleep: timeouts, hold, deadline */
#define MAX_EVENTS	256
#define NS		1000000000ull

/* Log-linear histogram: values < 64 exact, then 64 buckets per power of 2. */
#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_BUCKETS	((64 - HIST_SUB_BITS + 1) * HIST_SUB)

enum cfail { CF_REFUSED, CF_TIMEOUT, CF_OTHER, CF_MAX };
enum err {
	ERR_RESET, ERR_EOF, ERR_MISMATCH, ERR_TIMEOUT, ERR_DEADLINE, ERR_SERVER,
	ERR_OTHER, ERR_MAX
};

static const char *const cfail_names[CF_MAX] = { "refused", "timeout", "other" };
static const char *const err_names[ERR_MAX] = {
	"reset", "eof", "mismatch", "timeout", "deadline", "server", "other"
};

/* What a mode tells the engine after handling a connection. */
enum step {
	STEP_MORE,	/* keep going; c->want_out says whether to watch EPOLLOUT */
	STEP_PAUSE,	/* reached the --hold point: idle until resume() */
	STEP_DONE,	/* all rounds completed: close, count ok */
	STEP_FAIL	/* close, count an error of kind c->err */
};

enum cstate { CS_IDLE, CS_CONNECTING, CS_ACTIVE, CS_HELD, CS_CLOSED };

struct conn;
struct cfg;
struct worker;
struct ps_proto;

struct mode_ops {
	const char	*name;
	size_t		 priv_size;	/* per-connection state, zeroed */
	bool		 barrier;	/* hold every connection until all are */
	const struct ps_proto *ps;	/* pub/sub framing, else NULL */
	/* Validate the options and derive settings; message into err. */
	int		(*check)(struct cfg *, char *err, size_t errlen);
	enum step	(*start)(struct conn *);	/* just connected */
	enum step	(*io)(struct conn *, uint32_t events);
	enum step	(*resume)(struct conn *);	/* hold is over */
	/* Optional per-thread hooks. setup: after the thread's connections
	 * are initialised; tick: after every epoll batch, returns the longest
	 * sleep it allows in ms; finish: when all connections are closed. */
	void		(*setup)(struct worker *);
	int		(*tick)(struct worker *);
	void		(*finish)(struct worker *);
};

struct cfg {
	const struct mode_ops	*mode;
	struct sockaddr_storage	 dst;
	socklen_t		 dstlen;
	bool			 src_spread;	/* bind ids to 127.0.0.x */
	uint64_t		 conns, rounds, size, per_source;
	unsigned		 threads;
	uint64_t		 limit_ns;	/* -T, relative */
	uint64_t		 deadline_ns;	/* absolute CLOCK_MONOTONIC */
	uint64_t		 connect_to_ns, io_to_ns, hold_ns;
	bool			 json;
	bool			 barrier;	/* --hold, or the mode's */
	bool			 size_set, limit_set;
	/* pub/sub modes */
	uint64_t		 clients, publishers, window, rate, messages;
	uint64_t		 duration_ns, drain_ns;
	const char		*room;
	size_t			 room_len;
	char			 pub_pre[320];	/* before each message text */
	size_t			 pub_pre_len;
	const char		*pub_suf;	/* after it */
	size_t			 pub_suf_len;
	size_t			 msg_max;	/* longest command built */
	size_t			 carry_cap;	/* longest unit received */
};

/* Plain data: sent raw from child to parent through a pipe. */
struct result {
	uint64_t	conns_ok, round_trips, held, max_ns;
	uint64_t	cfail[CF_MAX];
	uint64_t	err[ERR_MAX];
	int32_t		cfail_errno, err_errno;	/* last seen, for diagnosis */
	/* pub/sub: round_trips counts deliveries */
	uint64_t	published, receivers, gaps, reordered, bad, error_lines;
	uint64_t	unfinished;		/* cut at the drain bound */
	uint64_t	t_go, t_last;		/* CLOCK_MONOTONIC; 0 = unset */
	uint64_t	hist[HIST_BUCKETS];
};

struct conn {
	struct worker	*w;
	void		*priv;		/* mode state */
	uint64_t	 id;		/* global id, 0..C-1 */
	uint64_t	 t_last;	/* connect start, then last I/O event */
	int		 fd;
	uint32_t	 events;	/* currently registered with epoll */
	uint8_t		 state;		/* enum cstate */
	uint8_t		 err;		/* enum err, set by the mode on STEP_FAIL */
	bool		 want_out;	/* mode wants EPOLLOUT */
	bool		 settled;	/* counted out of worker.unsettled */
};

struct share;

struct worker {
	const struct cfg *cfg;
	struct share	*sh;
	pthread_t	 tid;
	int		 epfd;
	struct conn	*conns;
	char		*privs;
	size_t		 n;
	size_t		 next;		/* next index to connect */
	size_t		 cq_head;	/* oldest index that may still be connecting */
	size_t		 pending;	/* conns in CS_CONNECTING */
	size_t		 open;		/* conns not CS_CLOSED (idle ones included) */
	size_t		 unsettled;	/* conns neither held nor closed */
	uint64_t	 now;		/* cached clock, refreshed per epoll_wait */
	uint64_t	 next_scan;	/* when to look for idle connections */
	bool		 ready_sent, resumed;
	uint8_t		*out, *in, *expect;	/* SCRATCH bytes each, for modes */
	void		*mstate;	/* per-thread mode state (setup hook) */
	struct result	 res;
};

/*
 * One process's share of the run. ready/cv/mu: threads increment ready
 * once they have no unsettled connection; the main thread waits for all,
 * synchronises with the parent (up_fd/down_fd, -1 when there is none) and
 * publishes go_ns, which threads poll to end the hold.
 */
struct share {
	const struct cfg *cfg;
	uint64_t	 first, count;
	unsigned	 nthreads;
	int		 up_fd, down_fd;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned	 ready;
	_Atomic uint64_t go_ns;
	struct worker	*workers;
};

/* ---- small helpers ---- */

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("mserver-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static struct timespec
ns_to_ts(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / NS, .tv_nsec = ns % NS };

	return ts;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes before the absolute time limit; -1 on EOF/timeout. */
static int
read_until(int fd, void *buf, size_t len, uint64_t limit)
{
	char *p = buf;

	while (len > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t n;

		if (now >= limit)
			return -1;
		if (poll(&pfd, 1, (int)((limit - now) / 1000000 + 1)) <= 0)
			continue;
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- histogram and results ---- */

static unsigned
hist_index(uint64_t v)
{
	unsigned e;

	if (v < HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);		/* e >= HIST_SUB_BITS */
	return (e - HIST_SUB_BITS + 1) * HIST_SUB +
	    (unsigned)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

/* Midpoint of a bucket. */
static uint64_t
hist_value(unsigned idx)
{
	unsigned e, sub;
	uint64_t width;

	if (idx < HIST_SUB)
		return idx;
	e = idx / HIST_SUB + HIST_SUB_BITS - 1;
	sub = idx % HIST_SUB;
	width = 1ull << (e - HIST_SUB_BITS);
	return ((uint64_t)(HIST_SUB + sub) << (e - HIST_SUB_BITS)) + width / 2;
}

static uint64_t
hist_percentile(const struct result *r, double p)
{
	uint64_t rank, seen = 0;

	if (r->round_trips == 0)
		return 0;
	rank = (uint64_t)ceil(p * (double)r->round_trips);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += r->hist[i];
		if (seen >= rank) {
			uint64_t v = hist_value(i);

			return v < r->max_ns ? v : r->max_ns;
		}
	}
	return r->max_ns;
}

static void
result_merge(struct result *a, const struct result *b)
{
	a->conns_ok += b->conns_ok;
	a->round_trips += b->round_trips;
	a->held += b->held;
	if (b->max_ns > a->max_ns)
		a->max_ns = b->max_ns;
	for (int i = 0; i < CF_MAX; i++)
		a->cfail[i] += b->cfail[i];
	for (int i = 0; i < ERR_MAX; i++)
		a->err[i] += b->err[i];
	if (b->cfail_errno)
		a->cfail_errno = b->cfail_errno;
	if (b->err_errno)
		a->err_errno = b->err_errno;
	a->published += b->published;
	a->receivers += b->receivers;
	a->gaps += b->gaps;
	a->reordered += b->reordered;
	a->bad += b->bad;
	a->error_lines += b->error_lines;
	a->unfinished += b->unfinished;
	if (b->t_go && (a->t_go == 0 || b->t_go < a->t_go))
		a->t_go = b->t_go;
	if (b->t_last > a->t_last)
		a->t_last = b->t_last;
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		a->hist[i] += b->hist[i];
}

static uint64_t
sum(const uint64_t *v, int n)
{
	uint64_t s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* ---- engine: one connection ---- */

static void
worker_record(struct worker *w, uint64_t ns)
{
	w->res.round_trips++;
	w->res.hist[hist_index(ns)]++;
	if (ns > w->res.max_ns)
		w->res.max_ns = ns;
}

/* For modes: fail the connection with an error kind. */
static enum step
conn_fail(struct conn *c, enum err kind)
{
	c->err = (uint8_t)kind;
	return STEP_FAIL;
}

/* For modes: fail the connection after a failed send/recv. */
static enum step
conn_fail_errno(struct conn *c, int errnum)
{
	c->w->res.err_errno = errnum;
	if (errnum == ECONNRESET || errnum == EPIPE)
		return conn_fail(c, ERR_RESET);
	return conn_fail(c, ERR_OTHER);
}

static void
conn_settle(struct worker *w, struct conn *c)
{
	if (!c->settled) {
		c->settled = true;
		w->unsettled--;
	}
}

static void
conn_close(struct worker *w, struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (c->state == CS_CONNECTING)
		w->pending--;
	c->state = CS_CLOSED;
	w->open--;
	conn_settle(w, c);
}

static void
conn_connect_failed(struct worker *w, struct conn *c, int errnum)
{
	enum cfail kind = CF_OTHER;

	if (errnum == ECONNREFUSED)
		kind = CF_REFUSED;
	else if (errnum == ETIMEDOUT)
		kind = CF_TIMEOUT;
	w->res.cfail[kind]++;
	w->res.cfail_errno = errnum;
	conn_close(w, c);
}

/* Bring the epoll registration in line with what the mode wants. */
static void
conn_interest(struct worker *w, struct conn *c)
{
	uint32_t want = EPOLLIN | EPOLLRDHUP | (c->want_out ? EPOLLOUT : 0);
	struct epoll_event ev = { .events = want, .data.ptr = c };

	if (want == c->events)
		return;
	if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1) {
		w->res.err_errno = errno;
		c->err = ERR_OTHER;
		w->res.err[ERR_OTHER]++;
		conn_close(w, c);
		return;
	}
	c->events = want;
}

static void
conn_apply(struct worker *w, struct conn *c, enum step step)
{
	switch (step) {
	case STEP_MORE:
		conn_interest(w, c);
		break;
	case STEP_PAUSE:
		c->state = CS_HELD;
		conn_settle(w, c);
		conn_interest(w, c);
		break;
	case STEP_DONE:
		w->res.conns_ok++;
		conn_close(w, c);
		break;
	case STEP_FAIL:
		w->res.err[c->err < ERR_MAX ? c->err : ERR_OTHER]++;
		conn_close(w, c);
		break;
	}
}

static void
conn_connected(struct worker *w, struct conn *c)
{
	c->state = CS_ACTIVE;
	c->t_last = w->now;
	w->pending--;
	conn_apply(w, c, w->cfg->mode->start(c));
}

static void
conn_connect_event(struct worker *w, struct conn *c)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr != 0)
		conn_connect_failed(w, c, soerr);
	else
		conn_connected(w, c);
}

static void
conn_event(struct worker *w, struct conn *c, uint32_t events)
{
	if (c->state == CS_CONNECTING)
		conn_connect_event(w, c);
	else if (c->state == CS_ACTIVE || c->state == CS_HELD) {
		c->t_last = w->now;
		conn_apply(w, c, w->cfg->mode->io(c, events));
	}
}

static int
bind_source(const struct cfg *cfg, int fd, uint64_t id)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1;

	sin.sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(id / cfg->per_source));
	if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
	    sizeof one) == -1)
		return -1;
	return bind(fd, (struct sockaddr *)&sin, sizeof sin);
}

/* Start a non-blocking connect; failures are counted here. */
static void
conn_open(struct worker *w, struct conn *c)
{
	const struct cfg *cfg = w->cfg;
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	c->state = CS_CONNECTING;
	c->t_last = w->now;
	w->pending++;
	c->fd = socket(cfg->dst.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1 ||
	    (cfg->src_spread && bind_source(cfg, c->fd, c->id) == -1) ||
	    epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		conn_connect_failed(w, c, errno);
		return;
	}
	c->events = EPOLLOUT;
	if (connect(c->fd, (const struct sockaddr *)&cfg->dst, cfg->dstlen) == 0)
		conn_connected(w, c);
	else if (errno != EINPROGRESS)
		conn_connect_failed(w, c, errno);
}

/* ---- engine: one worker thread ---- */

static void share_ready(struct share *);

static void
worker_start_connects(struct worker *w)
{
	while (w->next < w->n && w->pending < PENDING_MAX)
		conn_open(w, &w->conns[w->next++]);
}

/* Connects start in index order, so the oldest pending one is first. */
static void
worker_expire_connects(struct worker *w, uint64_t now)
{
	while (w->cq_head < w->next) {
		struct conn *c = &w->conns[w->cq_head];

		if (c->state == CS_CONNECTING) {
			if (now - c->t_last < w->cfg->connect_to_ns)
				break;
			conn_connect_failed(w, c, ETIMEDOUT);
		}
		w->cq_head++;
	}
}

/* --io-timeout: an active connection without I/O for that long is dead. */
static void
worker_expire_idle(struct worker *w, uint64_t now)
{
	if (now < w->next_scan)
		return;
	w->next_scan = now + NS / 10;
	for (size_t i = 0; i < w->next; i++) {
		struct conn *c = &w->conns[i];

		if (c->state == CS_ACTIVE &&
		    now - c->t_last >= w->cfg->io_to_ns) {
			w->res.err[ERR_TIMEOUT]++;
			conn_close(w, c);
		}
	}
}

static void
worker_resume(struct worker *w)
{
	w->resumed = true;
	for (size_t i = 0; i < w->n; i++) {
		struct conn *c = &w->conns[i];

		if (c->state != CS_HELD)
			continue;
		w->res.held++;
		c->state = CS_ACTIVE;
		c->t_last = w->now;
		conn_apply(w, c, w->cfg->mode->resume(c));
	}
}

/* --hold: report ready once everything is held or closed, then wait. */
static void
worker_hold_tick(struct worker *w, uint64_t now)
{
	uint64_t go;

	if (!w->cfg->barrier || w->resumed)
		return;
	if (!w->ready_sent) {
		if (w->unsettled > 0)
			return;
		w->ready_sent = true;
		share_ready(w->sh);
	}
	go = atomic_load(&w->sh->go_ns);
	if (go != 0 && now >= go + w->cfg->hold_ns)
		worker_resume(w);
}

/* Deadline: whatever has not finished is an error, started or not. */
static void
worker_abort(struct worker *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct conn *c = &w->conns[i];

		if (c->state == CS_CLOSED)
			continue;
		w->res.err[ERR_DEADLINE]++;
		conn_close(w, c);
	}
}

static int
worker_wait_ms(const struct worker *w, uint64_t now, int cap)
{
	uint64_t ms = (w->cfg->deadline_ns - now) / 1000000 + 1;

	return ms < (uint64_t)cap ? (int)ms : cap;
}

static void
worker_poll(struct worker *w, int ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int n = epoll_wait(w->epfd, ev, MAX_EVENTS, ms);

	w->now = now_ns();

	for (int i = 0; i < n; i++)
		conn_event(w, ev[i].data.ptr, ev[i].events);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	const struct mode_ops *mode = w->cfg->mode;
	int cap = TICK_MS;

	while (w->open > 0) {
		w->now = now_ns();
		if (w->now >= w->cfg->deadline_ns) {
			worker_abort(w);
			break;
		}
		worker_start_connects(w);
		worker_poll(w, worker_wait_ms(w, w->now, cap));
		worker_expire_connects(w, w->now);
		worker_expire_idle(w, w->now);
		worker_hold_tick(w, w->now);
		if (mode->tick)
			cap = mode->tick(w);
	}
	if (w->cfg->barrier && !w->ready_sent)
		share_ready(w->sh);
	if (mode->finish)
		mode->finish(w);
	return NULL;
}

static void
worker_init(struct worker *w, struct share *sh, uint64_t first, size_t n)
{
	const struct mode_ops *mode = sh->cfg->mode;

	w->cfg = sh->cfg;
	w->sh = sh;
	w->n = w->open = w->unsettled = n;
	w->conns = calloc(n, sizeof *w->conns);
	w->privs = calloc(n, mode->priv_size ? mode->priv_size : 1);
	w->out = malloc(SCRATCH);
	w->in = malloc(SCRATCH);
	w->expect = malloc(SCRATCH);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!w->conns || !w->privs || !w->out || !w->in || !w->expect)
		die("out of memory");
	if (w->epfd == -1)
		die("epoll_create1: %s", strerror(errno));
	for (size_t i = 0; i < n; i++) {
		w->conns[i].w = w;
		w->conns[i].id = first + i;
		w->conns[i].fd = -1;
		w->conns[i].priv = w->privs + i * mode->priv_size;
	}
	if (mode->setup)
		mode->setup(w);
}

static void
worker_free(struct worker *w)
{
	close(w->epfd);
	free(w->conns);
	free(w->privs);
	free(w->out);
	free(w->in);
	free(w->expect);
}

/* ---- share: one process's part of the run ---- */

static void
share_ready(struct share *sh)
{
	pthread_mutex_lock(&sh->mu);
	sh->ready++;
	pthread_cond_signal(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

static void
share_wait_ready(struct share *sh)
{
	struct timespec limit = ns_to_ts(sh->cfg->deadline_ns);

	pthread_mutex_lock(&sh->mu);
	while (sh->ready < sh->nthreads)
		if (pthread_cond_timedwait(&sh->cv, &sh->mu, &limit) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&sh->mu);
}

/* All of this process is held; with a parent, wait until all processes are. */
static void
share_hold_barrier(struct share *sh)
{
	char go;

	share_wait_ready(sh);
	if (sh->up_fd != -1 && write_full(sh->up_fd, "R", 1) == 0)
		(void)read_until(sh->down_fd, &go, 1, sh->cfg->deadline_ns);
	atomic_store(&sh->go_ns, now_ns());
}

static void
share_init(struct share *sh, const struct cfg *cfg, uint64_t first,
    uint64_t count, unsigned nthreads)
{
	pthread_condattr_t ca;

	memset(sh, 0, sizeof *sh);
	sh->cfg = cfg;
	sh->first = first;
	sh->count = count;
	sh->nthreads = nthreads < count ? nthreads : (unsigned)count;
	sh->up_fd = sh->down_fd = -1;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sh->cv, &ca);
	pthread_condattr_destroy(&ca);
	sh->workers = calloc(sh->nthreads, sizeof *sh->workers);
	if (sh->workers == NULL)
		die("out of memory");
}

/* Run this process's connections to completion and merge into out. */
static void
share_run(struct share *sh, struct result *out)
{
	uint64_t first = sh->first;

	for (unsigned i = 0; i < sh->nthreads; i++) {
		uint64_t n = sh->count / sh->nthreads +
		    (i < sh->count % sh->nthreads);
		int rc;

		worker_init(&sh->workers[i], sh, first, n);
		first += n;
		rc = pthread_create(&sh->workers[i].tid, NULL, worker_main,
		    &sh->workers[i]);
		if (rc != 0)
			die("pthread_create: %s", strerror(rc));
	}
	if (sh->cfg->barrier)
		share_hold_barrier(sh);
	for (unsigned i = 0; i < sh->nthreads; i++) {
		pthread_join(sh->workers[i].tid, NULL);
		result_merge(out, &sh->workers[i].res);
		worker_free(&sh->workers[i]);
	}
	free(sh->workers);
}

/* ---- several processes ---- */

struct child {
	pid_t		pid;
	int		up, down;	/* read results / write "go" */
	uint64_t	count;
	bool		reaped;
};

static void
child_main(const struct cfg *cfg, struct child *ch, uint64_t first,
    unsigned nthreads, int up_w, int down_r)
{
	struct share sh;
	struct result *res = calloc(1, sizeof *res);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (res == NULL)
		_exit(1);
	share_init(&sh, cfg, first, ch->count, nthreads);
	sh.up_fd = up_w;
	sh.down_fd = down_r;
	share_run(&sh, res);
	_exit(write_full(up_w, res, sizeof *res) == 0 ? 0 : 1);
}

static void
child_spawn(const struct cfg *cfg, struct child *ch, uint64_t first,
    unsigned nthreads)
{
	int up[2], down[2];

	if (pipe2(up, O_CLOEXEC) == -1 || pipe2(down, O_CLOEXEC) == -1)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	ch->pid = fork();
	if (ch->pid == -1)
		die("fork: %s", strerror(errno));
	if (ch->pid == 0) {
		close(up[0]);
		close(down[1]);
		child_main(cfg, ch, first, nthreads, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	ch->up = up[0];
	ch->down = down[1];
}

/* A child that sent no result: its whole share counts as errors. */
static void
child_collect(struct child *ch, uint64_t limit, struct result *total,
    struct result *tmp)
{
	if (read_until(ch->up, tmp, sizeof *tmp, limit) == 0) {
		result_merge(total, tmp);
	} else {
		fprintf(stderr, "mserver-bench: child %d sent no result\n",
		    (int)ch->pid);
		total->err[ERR_OTHER] += ch->count;
		kill(ch->pid, SIGKILL);
	}
	close(ch->up);
	close(ch->down);
	waitpid(ch->pid, NULL, 0);
}

static void
run_children(const struct cfg *cfg, unsigned nproc, struct result *total)
{
	struct child *ch = calloc(nproc, sizeof *ch);
	struct result *tmp = calloc(1, sizeof *tmp);
	unsigned nthreads = cfg->threads / nproc ? cfg->threads / nproc : 1;
	uint64_t first = 0, limit = cfg->deadline_ns + 10 * NS;
	char b;

	if (ch == NULL || tmp == NULL)
		die("out of memory");
	for (unsigned i = 0; i < nproc; i++) {
		ch[i].count = cfg->conns / nproc + (i < cfg->conns % nproc);
		child_spawn(cfg, &ch[i], first, nthreads);
		first += ch[i].count;
	}
	if (cfg->barrier) {
		/* A dead child reads as EOF: as good as ready. */
		for (unsigned i = 0; i < nproc; i++)
			(void)read_until(ch[i].up, &b, 1, limit);
		for (unsigned i = 0; i < nproc; i++)
			(void)write_full(ch[i].down, "G", 1);
	}
	for (unsigned i = 0; i < nproc; i++)
		child_collect(&ch[i], limit, total, tmp);
	free(tmp);
	free(ch);
}

/* ---- echo mode (RFC 862) ---- */

/*
 * Round r of connection id sends S bytes of a printable pattern that is a
 * function of (id, r, offset), so a byte from another connection, another
 * round or another offset is caught. Nothing is stored per connection but
 * counters: the expected bytes are regenerated when they come back.
 */
struct echo {
	uint64_t	round;		/* rounds completed */
	uint64_t	wr, rd;		/* bytes sent / verified this round */
	uint64_t	t0;		/* start of this round */
	uint64_t	seed;		/* pattern of this round */
	bool		held;
};

static const char pat_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Byte i of a round is 6 bits of mix64(seed + i / 8). */
static void
pat_fill(uint8_t *p, uint64_t seed, uint64_t off, size_t len)
{
	uint64_t blk = off >> 3;
	unsigned k = (unsigned)(off & 7);
	uint64_t x = mix64(seed + blk) >> (6 * k);

	for (size_t i = 0; i < len; i++) {
		p[i] = (uint8_t)pat_alphabet[x & 63];
		x >>= 6;
		if (++k == 8) {
			k = 0;
			x = mix64(seed + ++blk);
		}
	}
}

static int
echo_check(struct cfg *cfg, char *err, size_t errlen)
{
	if (cfg->size == 0 || cfg->rounds == 0) {
		snprintf(err, errlen, "echo needs -s and -n of at least 1");
		return -1;
	}
	return 0;
}

static enum step
echo_write(struct conn *c)
{
	struct echo *e = c->priv;
	uint64_t size = c->w->cfg->size;

	while (e->wr < size) {
		size_t len = size - e->wr < SCRATCH ? size - e->wr : SCRATCH;
		ssize_t n;

		pat_fill(c->w->out, e->seed, e->wr, len);
		n = send(c->fd, c->w->out, len, MSG_NOSIGNAL);
		if (n > 0) {
			e->wr += (uint64_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->want_out = true;
			return STEP_MORE;
		} else if (errno != EINTR) {
			return conn_fail_errno(c, errno);
		}
	}
	c->want_out = false;
	return STEP_MORE;
}

static enum step
echo_round_begin(struct conn *c)
{
	struct echo *e = c->priv;

	e->wr = e->rd = 0;
	e->seed = mix64(c->id * 0x9e3779b97f4a7c15ull ^ mix64(e->round + 1));
	e->t0 = now_ns();
	return echo_write(c);
}

static enum step
echo_round_end(struct conn *c)
{
	struct echo *e = c->priv;
	const struct cfg *cfg = c->w->cfg;

	worker_record(c->w, now_ns() - e->t0);
	e->round++;
	if (cfg->hold_ns && e->round == 1) {
		e->held = true;
		c->want_out = false;
		return STEP_PAUSE;
	}
	if (e->round >= cfg->rounds)
		return STEP_DONE;
	return echo_round_begin(c);
}

/* Check n bytes that just came back; more than was sent is a mismatch. */
static enum step
echo_verify(struct conn *c, const uint8_t *buf, size_t n)
{
	struct echo *e = c->priv;

	if (e->held || n > e->wr - e->rd)
		return conn_fail(c, ERR_MISMATCH);
	pat_fill(c->w->expect, e->seed, e->rd, n);
	if (memcmp(buf, c->w->expect, n) != 0)
		return conn_fail(c, ERR_MISMATCH);
	e->rd += n;
	if (e->rd < c->w->cfg->size)
		return STEP_MORE;
	return echo_round_end(c);
}

static enum step
echo_read(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->w->in, SCRATCH, 0);
		enum step step;

		if (n == 0)
			return conn_fail(c, ERR_EOF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return STEP_MORE;
			return conn_fail_errno(c, errno);
		}
		step = echo_verify(c, c->w->in, (size_t)n);
		/* A short read drained the socket: skip the EAGAIN recv(). */
		if (step != STEP_MORE || n < SCRATCH)
			return step;
	}
}

static enum step
echo_start(struct conn *c)
{
	return echo_round_begin(c);
}

static enum step
echo_io(struct conn *c, uint32_t events)
{
	struct echo *e = c->priv;
	enum step step;

	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		step = echo_read(c);
		if (step != STEP_MORE)
			return step;
	}
	if ((events & EPOLLOUT) && !e->held && e->wr < c->w->cfg->size)
		return echo_write(c);
	return STEP_MORE;
}

static enum step
echo_resume(struct conn *c)
{
	struct echo *e = c->priv;

	e->held = false;
	if (e->round >= c->w->cfg->rounds)
		return STEP_DONE;
	return echo_round_begin(c);
}

/* ---- pub/sub modes: chat and redis ---- */

/*
 * One-to-many fan-out, measured the same way against mserverd's chat
 * protocol and against Redis pub/sub.
 *
 * Roles. N receivers (--clients) and P publishers (--publishers). In chat
 * mode the publishers are P of the N clients (ids spread evenly, so that
 * they fall in different threads) and receive their own messages like any
 * member; in redis mode they are P extra connections (ids N+P in all)
 * that only PUBLISH. Publisher k (PUBID) sends texts of exactly S bytes
 * (more only if the header does not fit):
 *     K:SEQ:SENDNS:xxxx...      SENDNS = CLOCK_MONOTONIC ns at send time
 * and, when it stops, one end marker K:E:COUNT:xxx... that says how many
 * it sent. Every receiver counts a message as a delivery, its latency as
 * now - SENDNS, and tracks the next expected SEQ per publisher.
 *
 * Phases. Every connection first gets into the room (chat: /join, until
 * the joiner sees its own join line; redis: SUBSCRIBE until the
 * confirmation; redis publishers: connected) and then pauses; the
 * engine's barrier waits for all of them, in every thread and process.
 * Then publishers publish for --duration seconds or --messages messages:
 * at --rate messages/s each, or (rate 0) as fast as possible with at most
 * --window of their own messages in flight. A message leaves the window
 * when the publisher's *pair* receives it: the publisher itself in chat,
 * a subscriber of the same thread in redis, so both modes have the same
 * flow control. A receiver is done when it has seen the end marker of
 * every publisher; whatever is still open --drain seconds after
 * publishing ended is closed, and what it missed counts as lost.
 *
 * Accounting. losses = published x receivers - (deliveries - reordered),
 * where receivers are those that were in the room when publishing began
 * (every message is sent to all of them); deliveries/s = deliveries over
 * the time from the start of publishing to the last delivery.
 *
 * Performance: a receiver reads with one large per-thread buffer and
 * parses in place; only an incomplete trailing line or frame is copied,
 * into a small per-connection carry buffer. A publisher builds as many
 * messages as it may send into its buffer and sends them with one call.
 * Nothing is allocated per message.
 */

#define PS_RBUF		(256 * 1024)	/* per-thread receive buffer */
#define PS_HDR_MAX	64		/* "K:SEQ:SENDNS:" at most */
#define PS_NICK_MAX	64
#define PS_SEQ_TABLE_MAX (32u << 20)	/* entries of the per-thread table */

enum ps_role { PS_RECV = 1, PS_PUB = 2 };

struct ps_proto {
	/* Send what gets a new connection into the room; -1 on failure. */
	int		(*hello)(struct conn *);
	/* Parse what is complete in buf: bytes consumed, -1 on garbage. */
	ssize_t		(*parse)(struct conn *, const char *buf, size_t len,
			    uint64_t now);
	bool		 pub_receives;	/* publishers are room members too */
	const char	*suffix;	/* after each published text */
};

struct pub {
	struct conn	*c;
	struct conn	*pair;		/* its receipt frees a window slot */
	uint32_t	 k;		/* PUBID */
	uint64_t	 seq;		/* messages built */
	uint64_t	 inflight;	/* built, not yet received by pair */
	uint64_t	 cmds, replies;	/* redis: PUBLISHes built, replies */
	uint64_t	 t_start, t_end;
	char		*out;
	size_t		 off, len;	/* unsent bytes are out[off, len) */
	bool		 stopped, marker, kicked;
};

struct ps {
	struct pub	*pub;		/* NULL unless this one publishes */
	char		*carry;		/* incomplete unit from the last read */
	uint32_t	 clen;
	uint32_t	 row;		/* index in the thread, table row */
	uint64_t	 markers;	/* end markers seen */
	uint8_t		 role;		/* enum ps_role bits */
	bool		 ready;		/* in the room */
	bool		 paused;	/* told the engine */
	bool		 live;		/* resumed: publishing has begun */
	bool		 saw_error;	/* the server sent an error line */
	uint8_t		 nicklen;
	char		 nick[PS_NICK_MAX];
};

/* Per-thread state; only its thread touches it. */
struct ps_worker {
	struct pub	*pubs;
	size_t		 npubs;
	int32_t		*pub_of;	/* PUBID -> index in pubs, or -1 */
	struct pub	**kick;		/* publishers whose window opened */
	size_t		 nkick;
	char		*rbuf;		/* PS_RBUF + carry_cap */
	char		*carry;		/* n * carry_cap */
	uint32_t	*next;		/* n * P next expected SEQ, or NULL */
	size_t		 pub_cap;	/* bytes of each pub->out */
	uint64_t	 drain_at;	/* close what is left; or UINT64_MAX */
	bool		 go;
};

/* Publisher k's connection id, and the reverse; -1 when none. */
static uint64_t
ps_stride(const struct cfg *cfg)
{
	return cfg->conns / cfg->publishers;
}

static int64_t
ps_pubid(const struct cfg *cfg, uint64_t id)
{
	uint64_t stride = ps_stride(cfg);

	if (id % stride != 0 || id / stride >= cfg->publishers)
		return -1;
	return (int64_t)(id / stride);
}

/* Decimal digits of v at p; returns the length. */
static size_t
u64_dec(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* One framed message (or, with marker, the end marker) at p; its length. */
static size_t
ps_format(const struct cfg *cfg, char *p, uint32_t k, uint64_t seq,
    uint64_t ns, bool marker)
{
	char *t;
	size_t n;

	memcpy(p, cfg->pub_pre, cfg->pub_pre_len);
	t = p + cfg->pub_pre_len;
	n = u64_dec(t, k);
	t[n++] = ':';
	if (marker)
		t[n++] = 'E';
	else
		n += u64_dec(t + n, seq);
	t[n++] = ':';
	n += u64_dec(t + n, marker ? seq : ns);
	t[n++] = ':';
	if (n < cfg->size) {
		memset(t + n, 'x', cfg->size - n);
		n = cfg->size;
	}
	memcpy(t + n, cfg->pub_suf, cfg->pub_suf_len);
	return cfg->pub_pre_len + n + cfg->pub_suf_len;
}

/* How many more messages pb may build now; sets pb->stopped at the end. */
static uint64_t
pub_allowance(const struct cfg *cfg, struct pub *pb, uint64_t now)
{
	uint64_t due;

	if (!pb->stopped && (now >= pb->t_end ||
	    (cfg->messages && pb->seq >= cfg->messages)))
		pb->stopped = true;
	if (pb->stopped)
		return 0;
	if (cfg->rate == 0) {
		due = pb->inflight < cfg->window ?
		    cfg->window - pb->inflight : 0;
	} else {
		due = (uint64_t)((double)(now - pb->t_start) * (double)cfg->rate
		    / 1e9) + 1;
		due = due > pb->seq ? due - pb->seq : 0;
	}
	if (cfg->messages && due > cfg->messages - pb->seq)
		due = cfg->messages - pb->seq;
	return due;
}

/* Build what may be sent into the empty buffer; bytes built. */
static size_t
pub_fill(struct worker *w, struct pub *pb)
{
	const struct cfg *cfg = w->cfg;
	struct ps_worker *ws = w->mstate;
	uint64_t now = now_ns(), n = pub_allowance(cfg, pb, now);

	pb->off = pb->len = 0;
	for (; n > 0 && pb->len + cfg->msg_max <= ws->pub_cap; n--) {
		pb->len += ps_format(cfg, pb->out + pb->len, pb->k, pb->seq++,
		    now, false);
		pb->inflight++;
		pb->cmds++;
	}
	if (pb->stopped && !pb->marker &&
	    pb->len + cfg->msg_max <= ws->pub_cap) {
		pb->len += ps_format(cfg, pb->out + pb->len, pb->k, pb->seq,
		    now, true);
		pb->marker = true;
		pb->cmds++;
	}
	return pb->len;
}

/* Done: in the room and every end marker seen; sent all and, for a
 * redis publisher, read every reply. */
static enum step
ps_check_done(struct conn *c)
{
	struct ps *ps = c->priv;
	struct pub *pb = ps->pub;

	if (!ps->live)
		return STEP_MORE;
	if ((ps->role & PS_RECV) && ps->markers < c->w->cfg->publishers)
		return STEP_MORE;
	if (pb && (!pb->marker || pb->off < pb->len))
		return STEP_MORE;
	if (pb && !(ps->role & PS_RECV) && pb->replies < pb->cmds)
		return STEP_MORE;
	return STEP_DONE;
}

static enum step
pub_send(struct conn *c)
{
	struct pub *pb = ((struct ps *)c->priv)->pub;

	for (;;) {
		ssize_t n;

		if (pb->off == pb->len && pub_fill(c->w, pb) == 0)
			break;
		n = send(c->fd, pb->out + pb->off, pb->len - pb->off,
		    MSG_NOSIGNAL);
		if (n > 0) {
			pb->off += (size_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->want_out = true;
			return STEP_MORE;
		} else if (errno != EINTR) {
			return conn_fail_errno(c, errno);
		}
	}
	c->want_out = false;
	return ps_check_done(c);
}

static void
pub_kick(struct ps_worker *ws, struct pub *pb)
{
	if (!pb->kicked) {
		pb->kicked = true;
		ws->kick[ws->nkick++] = pb;
	}
}

/* Digits up to a ':' at *p; advances past the ':'. */
static bool
take_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s == end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9')
		x = x * 10 + (uint64_t)(*s++ - '0');
	if (s == end || *s != ':')
		return false;
	*p = s + 1;
	*v = x;
	return true;
}

/* Sequence bookkeeping for receiver c and publisher k. */
static void
ps_sequence(struct conn *c, uint64_t k, uint64_t seq)
{
	struct worker *w = c->w;
	struct ps_worker *ws = w->mstate;
	uint32_t *next;

	if (ws->next == NULL)
		return;
	next = &ws->next[(size_t)((struct ps *)c->priv)->row *
	    w->cfg->publishers + k];
	if (seq == *next) {
		(*next)++;
	} else if (seq > *next) {
		w->res.gaps += seq - *next;
		*next = (uint32_t)seq + 1;
	} else {
		w->res.reordered++;
	}
}

/* A message text received by c. */
static void
ps_deliver(struct conn *c, const char *t, size_t len, uint64_t now)
{
	struct worker *w = c->w;
	struct ps_worker *ws = w->mstate;
	const char *end = t + len;
	uint64_t k, seq, ns;
	int32_t idx;

	if (!take_u64(&t, end, &k) || k >= w->cfg->publishers)
		goto bad;
	if (t + 1 < end && t[0] == 'E' && t[1] == ':') {
		((struct ps *)c->priv)->markers++;
		return;
	}
	if (!take_u64(&t, end, &seq) || !take_u64(&t, end, &ns))
		goto bad;
	worker_record(w, now > ns ? now - ns : 0);
	w->res.t_last = now;
	ps_sequence(c, k, seq);
	idx = ws->pub_of[k];
	if (idx >= 0 && ws->pubs[idx].pair == c) {
		struct pub *pb = &ws->pubs[idx];

		if (pb->inflight > 0)
			pb->inflight--;
		if (w->cfg->rate == 0)
			pub_kick(ws, pb);
	}
	return;
bad:
	w->res.bad++;
}

/* EOF or a reset; after an error line it is the server dropping us. */
static enum step
ps_closed(struct conn *c, int errnum)
{
	struct ps *ps = c->priv;

	if (ps->saw_error)
		return conn_fail(c, ERR_SERVER);
	return errnum ? conn_fail_errno(c, errnum) : conn_fail(c, ERR_EOF);
}

/* Read everything there is; units are parsed in place in one big buffer. */
static enum step
ps_read(struct conn *c)
{
	struct ps_worker *ws = c->w->mstate;
	struct ps *ps = c->priv;
	const struct cfg *cfg = c->w->cfg;

	for (;;) {
		size_t have = ps->clen, total;
		ssize_t n, used;

		memcpy(ws->rbuf, ps->carry, have);
		n = recv(c->fd, ws->rbuf + have, PS_RBUF, 0);
		if (n == 0)
			return ps_closed(c, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return STEP_MORE;
			return ps_closed(c, errno);
		}
		total = have + (size_t)n;
		used = cfg->mode->ps->parse(c, ws->rbuf, total, now_ns());
		if (used < 0 || total - (size_t)used > cfg->carry_cap)
			return conn_fail(c, ERR_MISMATCH);
		ps->clen = (uint32_t)(total - (size_t)used);
		memcpy(ps->carry, ws->rbuf + used, ps->clen);
		if (n < PS_RBUF)
			return STEP_MORE;
	}
}

/* A small request on a fresh connection: it fits the socket buffer. */
static int
ps_send_small(struct conn *c, const char *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return 0;
	c->w->res.err_errno = n < 0 ? errno : EAGAIN;
	return -1;
}

static enum step
ps_start(struct conn *c)
{
	struct ps *ps = c->priv;

	if (ps->role & PS_RECV) {
		if (c->w->cfg->mode->ps->hello(c) == -1)
			return conn_fail(c, ERR_OTHER);
		return STEP_MORE;
	}
	ps->ready = ps->paused = true;		/* redis publisher */
	return STEP_PAUSE;
}

static enum step
ps_io(struct conn *c, uint32_t events)
{
	struct ps *ps = c->priv;
	enum step step;

	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		step = ps_read(c);
		if (step != STEP_MORE)
			return step;
	}
	if (ps->ready && !ps->paused) {
		ps->paused = true;
		return STEP_PAUSE;
	}
	if ((events & EPOLLOUT) && ps->pub && ps->live)
		return pub_send(c);
	return ps_check_done(c);
}

/* The first resume in a thread: publishing begins. */
static void
ps_worker_go(struct worker *w)
{
	struct ps_worker *ws = w->mstate;
	const struct cfg *cfg = w->cfg;

	ws->go = true;
	w->res.t_go = w->now;
	ws->drain_at = cfg->duration_ns ?
	    w->now + cfg->duration_ns + cfg->drain_ns : UINT64_MAX;
}

static enum step
ps_resume(struct conn *c)
{
	struct ps_worker *ws = c->w->mstate;
	struct ps *ps = c->priv;
	struct pub *pb = ps->pub;

	if (!ws->go)
		ps_worker_go(c->w);
	ps->live = true;
	if (ps->role & PS_RECV)
		c->w->res.receivers++;
	if (pb == NULL)
		return ps_check_done(c);
	pb->t_start = c->w->now;
	pb->t_end = c->w->cfg->duration_ns ?
	    pb->t_start + c->w->cfg->duration_ns : UINT64_MAX;
	return pub_send(c);
}

/* --drain is over: close what is left; its missing messages are lost. */
static void
ps_cut(struct worker *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct conn *c = &w->conns[i];

		if (c->state == CS_ACTIVE || c->state == CS_HELD) {
			w->res.unfinished++;
			conn_apply(w, c, STEP_DONE);
		}
	}
}

static int
ps_tick(struct worker *w)
{
	struct ps_worker *ws = w->mstate;
	const struct cfg *cfg = w->cfg;
	bool publishing = false;

	if (!ws->go)
		return TICK_MS;
	if (w->now >= ws->drain_at) {
		ps_cut(w);
		return TICK_MS;
	}
	for (size_t i = 0; i < ws->npubs; i++) {
		struct pub *pb = &ws->pubs[i];

		if (pb->c->state != CS_ACTIVE || pb->marker)
			continue;
		publishing = true;
		if (cfg->rate || w->now >= pb->t_end)
			pub_kick(ws, pb);
	}
	for (size_t i = 0; i < ws->nkick; i++) {
		struct pub *pb = ws->kick[i];

		pb->kicked = false;
		if (pb->c->state == CS_ACTIVE && pb->off == pb->len)
			conn_apply(w, pb->c, pub_send(pb->c));
	}
	ws->nkick = 0;
	return publishing && cfg->rate ? 1 : TICK_MS;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* Whose receipt of pb's messages closes its window: in redis, the
 * neighbouring subscriber in the same thread. */
static struct conn *
ps_pair(struct worker *w, size_t i)
{
	if (w->cfg->mode->ps->pub_receives)
		return &w->conns[i];
	if (i + 1 < w->n)
		return &w->conns[i + 1];
	return i > 0 ? &w->conns[i - 1] : NULL;
}

static void
ps_setup_pubs(struct worker *w, struct ps_worker *ws)
{
	const struct cfg *cfg = w->cfg;

	for (size_t i = 0; i < w->n; i++) {
		struct conn *c = &w->conns[i];
		struct ps *ps = c->priv;
		int64_t k = ps_pubid(cfg, c->id);

		ps->row = (uint32_t)i;
		ps->carry = ws->carry + i * cfg->carry_cap;
		ps->role = cfg->mode->ps->pub_receives || k < 0 ? PS_RECV : 0;
		if (k < 0)
			continue;
		ps->role |= PS_PUB;
		ps->pub = &ws->pubs[ws->npubs];
		ps->pub->c = c;
		ps->pub->pair = ps_pair(w, i);
		ps->pub->k = (uint32_t)k;
		ps->pub->out = xcalloc(1, ws->pub_cap);
		ws->pub_of[k] = (int32_t)ws->npubs++;
	}
}

static void
ps_setup(struct worker *w)
{
	const struct cfg *cfg = w->cfg;
	struct ps_worker *ws = xcalloc(1, sizeof *ws);
	size_t npub = w->n / ps_stride(cfg) + 2;

	ws->pub_cap = cfg->msg_max * 4 > 16384 ? cfg->msg_max * 4 : 16384;
	ws->pubs = xcalloc(npub, sizeof *ws->pubs);
	ws->kick = xcalloc(npub, sizeof *ws->kick);
	ws->pub_of = xcalloc(cfg->publishers, sizeof *ws->pub_of);
	for (uint64_t k = 0; k < cfg->publishers; k++)
		ws->pub_of[k] = -1;
	ws->rbuf = xcalloc(1, PS_RBUF + cfg->carry_cap);
	ws->carry = xcalloc(w->n, cfg->carry_cap);
	if (w->n * cfg->publishers <= PS_SEQ_TABLE_MAX)
		ws->next = xcalloc(w->n * cfg->publishers, sizeof *ws->next);
	ws->drain_at = UINT64_MAX;
	w->mstate = ws;
	ps_setup_pubs(w, ws);
}

static void
ps_finish(struct worker *w)
{
	struct ps_worker *ws = w->mstate;

	for (size_t i = 0; i < ws->npubs; i++) {
		w->res.published += ws->pubs[i].seq;
		free(ws->pubs[i].out);
	}
	free(ws->pubs);
	free(ws->kick);
	free(ws->pub_of);
	free(ws->rbuf);
	free(ws->carry);
	free(ws->next);
	free(ws);
	w->mstate = NULL;
}

/* Options common to both; the framing is set by the caller. */
static int
ps_check(struct cfg *cfg, char *err, size_t errlen)
{
	if (cfg->publishers == 0 || cfg->publishers > cfg->clients) {
		snprintf(err, errlen, "--publishers must be 1..clients");
		return -1;
	}
	if (cfg->room_len == 0 || cfg->room_len > 200 ||
	    strcspn(cfg->room, " \t\r\n") != cfg->room_len) {
		snprintf(err, errlen, "--room: 1 to 200 characters, no spaces");
		return -1;
	}
	if (cfg->duration_ns == 0 && cfg->messages == 0) {
		snprintf(err, errlen, "--duration 0 needs --messages");
		return -1;
	}
	if (cfg->rate == 0 && cfg->window == 0) {
		snprintf(err, errlen, "--window must be at least 1");
		return -1;
	}
	if (!cfg->size_set)
		cfg->size = 32;
	if (cfg->size > 1000000) {
		snprintf(err, errlen, "-s: at most 1000000 bytes");
		return -1;
	}
	if (!cfg->limit_set)
		cfg->limit_ns = 60 * NS + cfg->duration_ns + cfg->drain_ns;
	return 0;
}

/* Sizes that depend on the framing. */
static void
ps_sizes(struct cfg *cfg)
{
	size_t text = cfg->size > PS_HDR_MAX ? cfg->size : PS_HDR_MAX;

	cfg->pub_suf_len = strlen(cfg->pub_suf);
	cfg->msg_max = cfg->pub_pre_len + text + cfg->pub_suf_len;
	/* A chat line adds the room and a nick; a RESP frame its headers. */
	cfg->carry_cap = text + cfg->room_len + 512;
}

/* -- chat framing: lines, "ROOM NICK: TEXT" and "* ..." notices -- */

static int
chat_hello(struct conn *c)
{
	const struct cfg *cfg = c->w->cfg;
	char buf[256];
	int n = snprintf(buf, sizeof buf, "/join %s\n", cfg->room);

	return ps_send_small(c, buf, (size_t)n);
}

/* "* welcome NICK", "* join ROOM NICK" (ours: in the room), "* error ..." */
static void
chat_notice(struct conn *c, const char *s, size_t len)
{
	struct ps *ps = c->priv;
	const struct cfg *cfg = c->w->cfg;

	if (len > 8 && memcmp(s, "welcome ", 8) == 0) {
		if (len - 8 < PS_NICK_MAX) {
			ps->nicklen = (uint8_t)(len - 8);
			memcpy(ps->nick, s + 8, len - 8);
		}
	} else if (len > 5 && memcmp(s, "join ", 5) == 0) {
		s += 5;
		len -= 5;
		if (!ps->ready && ps->nicklen > 0 &&
		    len == cfg->room_len + 1 + ps->nicklen &&
		    memcmp(s, cfg->room, cfg->room_len) == 0 &&
		    s[cfg->room_len] == ' ' &&
		    memcmp(s + cfg->room_len + 1, ps->nick, ps->nicklen) == 0)
			ps->ready = true;
	} else if (len >= 5 && memcmp(s, "error", 5) == 0) {
		ps->saw_error = true;
		c->w->res.error_lines++;
	}
}

static void
chat_line(struct conn *c, const char *l, size_t len, uint64_t now)
{
	const struct cfg *cfg = c->w->cfg;
	const char *end = l + len, *colon;

	if (len > 0 && l[len - 1] == '\r')
		end--;
	if (len >= 2 && l[0] == '*' && l[1] == ' ') {
		chat_notice(c, l + 2, (size_t)(end - l - 2));
		return;
	}
	if ((size_t)(end - l) > cfg->room_len + 3 &&
	    memcmp(l, cfg->room, cfg->room_len) == 0 &&
	    l[cfg->room_len] == ' ') {
		l += cfg->room_len + 1;
		colon = memchr(l, ':', (size_t)(end - l));
		if (colon && colon + 1 < end && colon[1] == ' ') {
			colon += 2;
			ps_deliver(c, colon, (size_t)(end - colon), now);
			return;
		}
	}
	c->w->res.bad++;
}

static ssize_t
chat_parse(struct conn *c, const char *buf, size_t len, uint64_t now)
{
	const char *p = buf, *end = buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		chat_line(c, p, (size_t)(nl - p), now);
		p = nl + 1;
	}
	return p - buf;
}

static const struct ps_proto chat_proto = {
	.hello = chat_hello,
	.parse = chat_parse,
	.pub_receives = true,
	.suffix = "\n",
};

static int
chat_check(struct cfg *cfg, char *err, size_t errlen)
{
	cfg->clients = cfg->conns;
	if (ps_check(cfg, err, errlen) == -1)
		return -1;
	cfg->pub_pre_len = 0;
	cfg->pub_suf = chat_proto.suffix;
	ps_sizes(cfg);
	return 0;
}

/* -- redis framing: inline commands, RESP replies and pushes -- */

static int
redis_hello(struct conn *c)
{
	const struct cfg *cfg = c->w->cfg;
	char buf[256];
	int n = snprintf(buf, sizeof buf, "SUBSCRIBE %s\r\n", cfg->room);

	return ps_send_small(c, buf, (size_t)n);
}

/*
 * One RESP element at p: a bulk string ($LEN\r\nDATA\r\n) or an integer
 * (:N\r\n). Bytes consumed, 0 if incomplete, -1 if neither. For a bulk
 * string *s and *slen give the data; for an integer *slen is 0.
 */
static ssize_t
resp_elem(const char *p, const char *end, const char **s, size_t *slen)
{
	const char *q = p + 1;
	uint64_t n = 0;

	if (p == end)
		return 0;
	if (*p != '$' && *p != ':')
		return -1;
	while (q < end && *q >= '0' && *q <= '9')
		n = n * 10 + (uint64_t)(*q++ - '0');
	if (end - q < 2)
		return 0;
	if (q[0] != '\r' || q[1] != '\n' || n > (1u << 30))
		return -1;
	q += 2;
	*s = q;
	*slen = 0;
	if (*p == ':')
		return q - p;
	if ((uint64_t)(end - q) < n + 2)
		return 0;
	if (q[n] != '\r' || q[n + 1] != '\n')
		return -1;
	*slen = (size_t)n;
	return (q + n + 2) - p;
}

/* "*3\r\n" then three elements; consumed, 0 if incomplete, -1 garbage. */
static ssize_t
resp_push(const char *p, const char *end, const char *el[3], size_t len[3])
{
	const char *q = p + 4;

	if (end - p < 4)
		return 0;
	if (memcmp(p, "*3\r\n", 4) != 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		ssize_t n = resp_elem(q, end, &el[i], &len[i]);

		if (n <= 0)
			return n;
		q += n;
	}
	return q - p;
}

static bool
str_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

static ssize_t
redis_parse_sub(struct conn *c, const char *buf, size_t len, uint64_t now)
{
	const char *p = buf, *end = buf + len, *el[3];
	size_t elen[3];
	ssize_t n;

	while ((n = resp_push(p, end, el, elen)) > 0) {
		if (str_is(el[0], elen[0], "message"))
			ps_deliver(c, el[2], elen[2], now);
		else if (str_is(el[0], elen[0], "subscribe"))
			((struct ps *)c->priv)->ready = true;
		p += n;
	}
	return n < 0 ? -1 : p - buf;
}

/* Publisher replies: ":N\r\n", or "-ERR ...\r\n" counted as an error. */
static ssize_t
redis_parse_pub(struct conn *c, const char *buf, size_t len)
{
	struct pub *pb = ((struct ps *)c->priv)->pub;
	const char *p = buf, *end = buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (*p == '-')
			c->w->res.error_lines++;
		else if (*p != ':')
			c->w->res.bad++;
		pb->replies++;
		if (pb->pair == NULL && pb->inflight > 0) {
			/* No subscriber in this thread: the reply frees it. */
			pb->inflight--;
			if (c->w->cfg->rate == 0)
				pub_kick(c->w->mstate, pb);
		}
		p = nl + 1;
	}
	return p - buf;
}

static ssize_t
redis_parse(struct conn *c, const char *buf, size_t len, uint64_t now)
{
	if (((struct ps *)c->priv)->role & PS_RECV)
		return redis_parse_sub(c, buf, len, now);
	return redis_parse_pub(c, buf, len);
}

static const struct ps_proto redis_proto = {
	.hello = redis_hello,
	.parse = redis_parse,
	.pub_receives = false,
	.suffix = "\r\n",
};

static int
redis_check(struct cfg *cfg, char *err, size_t errlen)
{
	cfg->clients = cfg->conns;
	if (ps_check(cfg, err, errlen) == -1)
		return -1;
	cfg->conns = cfg->clients + cfg->publishers;
	cfg->pub_pre_len = (size_t)snprintf(cfg->pub_pre, sizeof cfg->pub_pre,
	    "PUBLISH %s ", cfg->room);
	cfg->pub_suf = redis_proto.suffix;
	ps_sizes(cfg);
	return 0;
}

static const struct mode_ops modes[] = {
	{
		.name = "echo",
		.priv_size = sizeof(struct echo),
		.check = echo_check,
		.start = echo_start,
		.io = echo_io,
		.resume = echo_resume,
	},
	{
		.name = "chat",
		.priv_size = sizeof(struct ps),
		.barrier = true,
		.ps = &chat_proto,
		.check = chat_check,
		.start = ps_start,
		.io = ps_io,
		.resume = ps_resume,
		.setup = ps_setup,
		.tick = ps_tick,
		.finish = ps_finish,
	},
	{
		.name = "redis",
		.priv_size = sizeof(struct ps),
		.barrier = true,
		.ps = &redis_proto,
		.check = redis_check,
		.start = ps_start,
		.io = ps_io,
		.resume = ps_resume,
		.setup = ps_setup,
		.tick = ps_tick,
		.finish = ps_finish,
	},
};

/* ---- options ---- */

enum {
	OPT_PER_SOURCE = 256, OPT_CONNECT_TIMEOUT, OPT_IO_TIMEOUT, OPT_HOLD,
	OPT_JSON, OPT_PUBLISHERS, OPT_ROOM, OPT_RATE, OPT_WINDOW, OPT_DURATION,
	OPT_MESSAGES, OPT_DRAIN
};

static const struct option long_opts[] = {
	{ "mode",		required_argument, NULL, 'm' },
	{ "host",		required_argument, NULL, 'H' },
	{ "port",		required_argument, NULL, 'p' },
	{ "connections",	required_argument, NULL, 'c' },
	{ "clients",		required_argument, NULL, 'c' },
	{ "rounds",		required_argument, NULL, 'n' },
	{ "size",		required_argument, NULL, 's' },
	{ "threads",		required_argument, NULL, 't' },
	{ "deadline",		required_argument, NULL, 'T' },
	{ "per-source",		required_argument, NULL, OPT_PER_SOURCE },
	{ "connect-timeout",	required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "io-timeout",		required_argument, NULL, OPT_IO_TIMEOUT },
	{ "hold",		required_argument, NULL, OPT_HOLD },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "publishers",		required_argument, NULL, OPT_PUBLISHERS },
	{ "room",		required_argument, NULL, OPT_ROOM },
	{ "rate",		required_argument, NULL, OPT_RATE },
	{ "window",		required_argument, NULL, OPT_WINDOW },
	{ "duration",		required_argument, NULL, OPT_DURATION },
	{ "messages",		required_argument, NULL, OPT_MESSAGES },
	{ "drain",		required_argument, NULL, OPT_DRAIN },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fputs(
"usage: mserver-bench -p PORT [-H HOST] [-m MODE] [-c CONNS] [-n ROUNDS]\n"
"                     [-s SIZE] [-t THREADS] [-T SECONDS] [--hold SECONDS]\n"
"                     [--connect-timeout SECONDS] [--io-timeout SECONDS]\n"
"                     [--per-source N] [--json]\n"
"       mserver-bench -m chat|redis -p PORT [-c CLIENTS] [--publishers P]\n"
"                     [-s SIZE] [--rate R] [--window W] [--duration SECONDS]\n"
"                     [--messages M] [--drain SECONDS] [--room ROOM] ...\n"
"  -p, --port PORT          target port (required)\n"
"  -H, --host HOST          target address or name; IPv6 literals such as\n"
"                           ::1 or [::1] are accepted (default 127.0.0.1)\n"
"  -m, --mode MODE          echo, chat (mserverd's chat protocol) or redis\n"
"                           (Redis pub/sub) (default echo)\n"
"  -c, --connections C      concurrent connections (default 100); in chat\n"
"      --clients C          and redis mode the receivers: room members or\n"
"                           subscribers (redis adds P publisher connections)\n"
"  -n, --rounds M           echo: round trips per connection (default 10)\n"
"  -s, --size S             echo: bytes per round trip (default 64);\n"
"                           chat/redis: bytes of message text (default 32)\n"
"  -t, --threads T          worker threads in total (default: CPUs online)\n"
"  -T, --deadline SECONDS   bound on the whole run; unfinished connections\n"
"                           then count as errors (default 60)\n"
"      --connect-timeout S  per-connection connect timeout (default 10)\n"
"      --io-timeout S       an active connection with no I/O for S seconds\n"
"                           is an error (default 10; held ones are exempt)\n"
"      --per-source N       connections per source address 127.0.0.x when\n"
"                           the target is IPv4 loopback (default 25000)\n"
"      --hold SECONDS       open all connections, do one verified round trip\n"
"                           on each, keep all open SECONDS, then do the rest\n"
"      --json               print one JSON object instead of a text line\n"
"chat and redis: all C receivers get into the room, then P publishers send\n"
"texts of S bytes, each received by all C; latency is send to receipt.\n"
"      --publishers P       publishing connections (default 4, at most C)\n"
"      --room ROOM          room or channel name (default bench)\n"
"      --rate R             messages/s per publisher; 0: as fast as the\n"
"                           window allows (default 0)\n"
"      --window W           with --rate 0, messages of a publisher in flight\n"
"                           until one of its receivers has it (default 64)\n"
"      --duration SECONDS   publishing time (default 5; 0: --messages only)\n"
"      --messages M         stop each publisher after M messages\n"
"      --drain SECONDS      after --duration, wait this long at most for\n"
"                           messages in flight (default 5); with --duration\n"
"                           0, only -T bounds the wait\n"
"  -h, --help               this text\n"
"Exit status: 0 if every connection completed (chat/redis: and nothing was\n"
"lost), 1 on any connect failure, error or loss, 2 on usage errors.\n", f);
}

static int
parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '-' || errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_secs(const char *s, bool zero_ok, uint64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e6 ||
	    (v == 0 && !zero_ok))
		return -1;
	*out = (uint64_t)(v * 1e9);
	return 0;
}

static const struct mode_ops *
mode_find(const char *name)
{
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(modes[i].name, name) == 0)
			return &modes[i];
	return NULL;
}

static int
resolve(struct cfg *cfg, const char *host, const char *port)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV
	};
	struct addrinfo *ai;
	char h[256];
	size_t len = strlen(host);
	int rc;

	if (len >= 2 && len < sizeof h && host[0] == '[' && host[len - 1] == ']') {
		memcpy(h, host + 1, len - 2);
		h[len - 2] = '\0';
	} else {
		snprintf(h, sizeof h, "%s", host);
	}
	rc = getaddrinfo(h, port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "mserver-bench: %s port %s: %s\n", host, port,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&cfg->dst, ai->ai_addr, ai->ai_addrlen);
	cfg->dstlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static bool
ipv4_loopback(const struct cfg *cfg)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&cfg->dst;

	return cfg->dst.ss_family == AF_INET &&
	    (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
}

/* One option; -1 on a bad value. */
static int
parse_opt(struct cfg *cfg, int ch, const char *arg, const char **host,
    const char **port)
{
	switch (ch) {
	case 'm': return (cfg->mode = mode_find(arg)) ? 0 : -1;
	case 'H': *host = arg; return 0;
	case 'p': {
		uint64_t v;

		*port = arg;
		return parse_u64(arg, 1, 65535, &v);
	}
	case 'c': return parse_u64(arg, 1, 100000000, &cfg->conns);
	case 'n': return parse_u64(arg, 1, UINT64_MAX / 2, &cfg->rounds);
	case 's':
		cfg->size_set = true;
		return parse_u64(arg, 1, UINT64_MAX / 2, &cfg->size);
	case 'T':
		cfg->limit_set = true;
		return parse_secs(arg, false, &cfg->limit_ns);
	case OPT_PUBLISHERS:
		return parse_u64(arg, 1, 1000000, &cfg->publishers);
	case OPT_ROOM:
		cfg->room = arg;
		cfg->room_len = strlen(arg);
		return 0;
	case OPT_RATE: return parse_u64(arg, 0, 100000000, &cfg->rate);
	case OPT_WINDOW: return parse_u64(arg, 1, 1000000000, &cfg->window);
	case OPT_DURATION: return parse_secs(arg, true, &cfg->duration_ns);
	case OPT_MESSAGES: return parse_u64(arg, 1, 0xffffffffu, &cfg->messages);
	case OPT_DRAIN: return parse_secs(arg, true, &cfg->drain_ns);
	case OPT_PER_SOURCE:
		return parse_u64(arg, 1, 1000000, &cfg->per_source);
	case OPT_CONNECT_TIMEOUT:
		return parse_secs(arg, false, &cfg->connect_to_ns);
	case OPT_IO_TIMEOUT:
		return parse_secs(arg, false, &cfg->io_to_ns);
	case OPT_HOLD: return parse_secs(arg, true, &cfg->hold_ns);
	case OPT_JSON: cfg->json = true; return 0;
	case 't': {
		uint64_t t;

		if (parse_u64(arg, 1, 1024, &t) == -1)
			return -1;
		cfg->threads = (unsigned)t;
		return 0;
	}
	}
	return -1;
}

static void
cfg_defaults(struct cfg *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof *cfg);
	cfg->mode = &modes[0];
	cfg->conns = 100;
	cfg->rounds = 10;
	cfg->size = 64;
	cfg->per_source = 25000;
	cfg->threads = ncpu > 0 ? (unsigned)ncpu : 1;
	cfg->limit_ns = 60 * NS;
	cfg->connect_to_ns = 10 * NS;
	cfg->io_to_ns = 10 * NS;
	cfg->publishers = 4;
	cfg->room = "bench";
	cfg->room_len = 5;
	cfg->window = 64;
	cfg->duration_ns = 5 * NS;
	cfg->drain_ns = 5 * NS;
}

/* Check what getopt cannot; 0, or -1 after printing why. */
static int
cfg_finish(struct cfg *cfg, const char *host, const char *port)
{
	char err[256];

	if (port == NULL) {
		fprintf(stderr, "mserver-bench: -p PORT is required\n");
		return -1;
	}
	if (resolve(cfg, host, port) == -1)
		return -1;
	if (cfg->mode->check(cfg, err, sizeof err) == -1) {
		fprintf(stderr, "mserver-bench: %s\n", err);
		return -1;
	}
	cfg->barrier = cfg->hold_ns > 0 || cfg->mode->barrier;
	cfg->src_spread = ipv4_loopback(cfg) && cfg->conns > cfg->per_source;
	if (cfg->src_spread && (cfg->conns - 1) / cfg->per_source >= 0xfffffe) {
		fprintf(stderr, "mserver-bench: too few 127.x source addresses\n");
		return -1;
	}
	return 0;
}

static const char *
opt_name(int ch)
{
	static char buf[3] = "-?";

	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == ch)
			return o->name;
	buf[1] = (char)ch;
	return buf;
}

/* 0 to run, 1 after -h, -1 on a usage error (already reported). */
static int
parse_args(struct cfg *cfg, int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = NULL;
	int ch;

	cfg_defaults(cfg);
	while ((ch = getopt_long(argc, argv, "m:H:p:c:n:s:t:T:h", long_opts,
	    NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 1;
		}
		if (ch == '?')
			goto bad;
		if (parse_opt(cfg, ch, optarg, &host, &port) == -1) {
			fprintf(stderr, "mserver-bench: bad value '%s' for %s\n",
			    optarg, opt_name(ch));
			goto bad;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mserver-bench: unexpected argument '%s'\n",
		    argv[optind]);
		goto bad;
	}
	return cfg_finish(cfg, host, port);
bad:
	fputs("try 'mserver-bench -h'\n", stderr);
	return -1;
}

/* ---- main ---- */

/* Raise the soft fd limit to the hard one; return the usable limit. */
static uint64_t
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_max == RLIM_INFINITY)
		rl.rlim_max = 1048576;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

static void
report(const struct cfg *cfg, const struct result *r, double wall)
{
	uint64_t cf = sum(r->cfail, CF_MAX), errs = sum(r->err, ERR_MAX);
	double rps = wall > 0 ? (double)r->round_trips / wall : 0;
	double p50 = hist_percentile(r, 0.50) / 1e6;
	double p99 = hist_percentile(r, 0.99) / 1e6;
	double max = r->max_ns / 1e6;

	if (cfg->json)
		printf("{\"mode\":\"%s\",\"connections\":%" PRIu64
		    ",\"rounds\":%" PRIu64 ",\"size\":%" PRIu64
		    ",\"wall_s\":%.3f,\"round_trips\":%" PRIu64 ",\"rps\":%.1f"
		    ",\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f"
		    ",\"connect_failures\":%" PRIu64 ",\"errors\":%" PRIu64,
		    cfg->mode->name, cfg->conns, cfg->rounds, cfg->size, wall,
		    r->round_trips, rps, p50, p99, max, cf, errs);
	else
		printf("%s: conns=%" PRIu64 " rounds=%" PRIu64 " size=%" PRIu64
		    " wall=%.3fs round_trips=%" PRIu64 " rps=%.1f p50=%.3fms"
		    " p99=%.3fms max=%.3fms connect_failures=%" PRIu64
		    " errors=%" PRIu64, cfg->mode->name, cfg->conns,
		    cfg->rounds, cfg->size, wall, r->round_trips, rps, p50, p99,
		    max, cf, errs);
	if (cfg->hold_ns)
		printf(cfg->json ? ",\"held\":%" PRIu64 : " held=%" PRIu64,
		    r->held);
	puts(cfg->json ? "}" : "");
}

/* What pub/sub derives from the merged result. */
struct ps_summary {
	uint64_t	expected, losses, errors, cf;
	double		dps;		/* deliveries per second */
};

static struct ps_summary
ps_summarize(const struct result *r)
{
	struct ps_summary m;
	uint64_t got = r->round_trips - r->reordered;
	double span = r->t_last > r->t_go ? (double)(r->t_last - r->t_go) / 1e9 : 0;

	m.expected = r->published * r->receivers;
	m.losses = m.expected > got ? m.expected - got : 0;
	/* A connection closed after an error line is one error, not two. */
	m.errors = sum(r->err, ERR_MAX) - r->err[ERR_SERVER] + r->error_lines +
	    r->bad + r->reordered;
	m.cf = sum(r->cfail, CF_MAX);
	m.dps = span > 0 ? (double)r->round_trips / span : 0;
	return m;
}

static void
report_ps(const struct cfg *cfg, const struct result *r, double wall)
{
	struct ps_summary m = ps_summarize(r);
	double p50 = hist_percentile(r, 0.50) / 1e6;
	double p99 = hist_percentile(r, 0.99) / 1e6;
	double max = r->max_ns / 1e6;

	if (cfg->json)
		printf("{\"mode\":\"%s\",\"clients\":%" PRIu64
		    ",\"publishers\":%" PRIu64 ",\"size\":%" PRIu64
		    ",\"rate\":%" PRIu64 ",\"window\":%" PRIu64
		    ",\"wall_s\":%.3f,\"published\":%" PRIu64
		    ",\"receivers\":%" PRIu64 ",\"deliveries\":%" PRIu64
		    ",\"expected\":%" PRIu64 ",\"deliveries_per_s\":%.1f"
		    ",\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f"
		    ",\"losses\":%" PRIu64 ",\"gaps\":%" PRIu64
		    ",\"reordered\":%" PRIu64 ",\"errors\":%" PRIu64
		    ",\"error_lines\":%" PRIu64 ",\"unfinished\":%" PRIu64
		    ",\"connect_failures\":%" PRIu64 "}\n",
		    cfg->mode->name, cfg->clients, cfg->publishers, cfg->size,
		    cfg->rate, cfg->window, wall, r->published, r->receivers,
		    r->round_trips, m.expected, m.dps, p50, p99, max, m.losses,
		    r->gaps, r->reordered, m.errors, r->error_lines,
		    r->unfinished, m.cf);
	else
		printf("%s: clients=%" PRIu64 " publishers=%" PRIu64
		    " size=%" PRIu64 " published=%" PRIu64 " deliveries=%" PRIu64
		    " deliveries/s=%.0f p50=%.3fms p99=%.3fms max=%.3fms"
		    " losses=%" PRIu64 " errors=%" PRIu64
		    " connect_failures=%" PRIu64 "\n", cfg->mode->name,
		    cfg->clients, cfg->publishers, cfg->size, r->published,
		    r->round_trips, m.dps, p50, p99, max, m.losses, m.errors,
		    m.cf);
}

/* Breakdown of failures on stderr, so that stdout stays one line. */
static void
report_failures(const struct result *r)
{
	if (sum(r->cfail, CF_MAX) > 0) {
		fputs("mserver-bench: connect failures:", stderr);
		for (int i = 0; i < CF_MAX; i++)
			fprintf(stderr, " %s=%" PRIu64, cfail_names[i], r->cfail[i]);
		fprintf(stderr, " (last: %s)\n", strerror(r->cfail_errno));
	}
	if (r->error_lines || r->bad || r->reordered || r->unfinished)
		fprintf(stderr, "mserver-bench: server error lines=%" PRIu64
		    " unparsed=%" PRIu64 " out of order=%" PRIu64
		    " cut at the drain bound=%" PRIu64 "\n", r->error_lines,
		    r->bad, r->reordered, r->unfinished);
	if (sum(r->err, ERR_MAX) > 0) {
		fputs("mserver-bench: errors:", stderr);
		for (int i = 0; i < ERR_MAX; i++)
			fprintf(stderr, " %s=%" PRIu64, err_names[i], r->err[i]);
		if (r->err_errno)
			fprintf(stderr, " (last errno: %s)", strerror(r->err_errno));
		fputc('\n', stderr);
	}
}

/* Every id must be accounted for exactly once; a gap is an error. */
static void
result_reconcile(const struct cfg *cfg, struct result *r)
{
	uint64_t seen = r->conns_ok + sum(r->cfail, CF_MAX) + sum(r->err, ERR_MAX);

	if (seen != cfg->conns)
		fprintf(stderr, "mserver-bench: internal: %" PRIu64
		    " of %" PRIu64 " connections accounted for\n", seen,
		    cfg->conns);
	if (seen < cfg->conns)
		r->err[ERR_OTHER] += cfg->conns - seen;
}

int
main(int argc, char **argv)
{
	struct cfg cfg;
	struct result *res;
	uint64_t t0, per_proc, nproc;
	struct share sh;
	int rc = parse_args(&cfg, argc, argv);

	if (rc != 0)
		return rc == 1 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	per_proc = raise_nofile();
	if (per_proc <= FD_MARGIN + 1)
		die("open file limit %" PRIu64 " is too low", per_proc);
	per_proc -= FD_MARGIN;
	nproc = (cfg.conns + per_proc - 1) / per_proc;
	res = calloc(1, sizeof *res);
	if (res == NULL)
		die("out of memory");
	t0 = now_ns();
	cfg.deadline_ns = t0 + cfg.limit_ns;
	if (nproc == 1) {
		share_init(&sh, &cfg, 0, cfg.conns, cfg.threads);
		share_run(&sh, res);
	} else {
		run_children(&cfg, (unsigned)nproc, res);
	}
	result_reconcile(&cfg, res);
	if (cfg.mode->ps) {
		struct ps_summary m = ps_summarize(res);

		report_ps(&cfg, res, (double)(now_ns() - t0) / 1e9);
		rc = res->conns_ok == cfg.conns && m.losses == 0 &&
		    m.errors == 0 ? 0 : 1;
	} else {
		report(&cfg, res, (double)(now_ns() - t0) / 1e9);
		rc = res->conns_ok == cfg.conns ? 0 : 1;
	}
	report_failures(res);
	free(res);
	return rc;
}
