/*
 * master: see master.h.
 *
 * All work happens in one loop: signals arrive on a signalfd and are
 * dispatched through a table; after every wake-up the master reaps,
 * escalates overdue drains, and runs the pool maintenance (respawn,
 * spare-process control). The master keeps a private record of every
 * process slot (pid, generation, deadlines); the scoreboard mirrors what
 * mserverctl shows.
 *
 * Respawn rules. A worker that dies unexpectedly after it was ready (its
 * scoreboard state reached ready, or it served a connection) is replaced
 * at once: it was killed while serving, and a gap in the pool is what an
 * attacker or the OOM killer would want. A worker that dies before it was
 * ready cannot start (bad module, a document root gone, ...): its slot
 * waits before its next start, 200 ms doubling to 10 s, and holds its
 * place in the pool meanwhile so that other slots do not start in its
 * stead; a worker of that slot that reaches ready clears the wait. The
 * waits are per slot, so one slot that cannot start slows no other. And
 * whatever the waits say, the current generation is never left without
 * a live process for more than ZERO_MAX_MS: then the slot due first
 * starts early (at most one start per ZERO_MAX_MS when nothing can start).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "conn/child.h"
#include "core/conf.h"
#include "core/deaths.h"
#include "core/listen.h"
#include "core/log.h"
#include "daemon/master.h"
#include "core/mpm.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/status.h"
#include "core/util.h"

#define TICK_MS		1000	/* pool maintenance period */
#define KILL_GRACE_MS	5000	/* SIGTERM to SIGKILL */
#define BACKOFF_MIN_MS	200	/* first wait after a death before ready */
#define BACKOFF_MAX_MS	10000
#define ZERO_MAX_MS	100	/* longest time without a live worker */
#define DEATH_LOG_MS	1000	/* at most one crash-rate line this often */
#define SPAWN_RATE_MAX	32

enum stop_mode { RUNNING = 0, STOP_GRACEFUL, STOP_FAST };

struct wproc {
	pid_t		 pid;		/* 0: slot free */
	uint32_t	 generation;
	int64_t		 started;	/* monotonic ms */
	int		 draining;	/* SIGWINCH sent */
	int64_t		 term_at;	/* send SIGTERM then (0: never) */
	int64_t		 kill_at;	/* send SIGKILL then (0: never) */
	/* The slot's, kept from one process to the next: */
	int64_t		 backoff_ms;	/* its last wait (0: none) */
	int64_t		 retry_at;	/* pid 0: start again then (0: not waiting) */
};

struct master {
	const struct master_opts *opts;
	struct conf		*conf;
	struct mpm_module	*mpm;
	const struct mpm_ops	*ops;
	struct lst_set		 lst;
	struct sb		*sb;
	struct wproc		*procs;
	unsigned		 nslots;	/* server_limit, fixed */
	unsigned		 thread_limit;	/* fixed */
	uint32_t		 generation;
	int			 sigfd;
	enum stop_mode		 stopping;
	int			 spawn_rate;
	int64_t			 next_tick;
	int64_t			 zero_since;	/* no live worker since (0: some) */
	int64_t			 death_log_at;	/* last crash-rate line */
	struct deaths		 deaths;	/* the last minute's */
};

struct sig_action {
	int		 signo;
	void		(*fn)(struct master *);
};

static void	on_sigchld(struct master *);
static void	on_sighup(struct master *);
static void	on_sigterm(struct master *);
static void	on_sigquit(struct master *);
static void	on_sigusr1(struct master *);
static void	on_sigusr2(struct master *);

static const struct sig_action sig_actions[] = {
	{ SIGCHLD,	on_sigchld },
	{ SIGHUP,	on_sighup },
	{ SIGTERM,	on_sigterm },
	{ SIGINT,	on_sigterm },
	{ SIGQUIT,	on_sigquit },
	{ SIGUSR1,	on_sigusr1 },
	{ SIGUSR2,	on_sigusr2 },
};

/* ---- processes ---------------------------------------------------- */

/* A slot with no process that is not waiting out a back-off. */
static int
find_free_slot(struct master *m)
{
	unsigned i;

	for (i = 0; i < m->nslots; i++)
		if (m->procs[i].pid == 0 && m->procs[i].retry_at == 0)
			return (int)i;
	return -1;
}

static int
spawn_slot(struct master *m, int slot)
{
	unsigned nthreads = m->ops->nthreads(m->conf);
	struct wproc *w = &m->procs[slot];
	struct child_ctx ctx;
	pid_t pid;

	sb_proc_claim(m->sb, (unsigned)slot, m->generation, m->ops->name, nthreads);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		sb_proc_clear(m->sb, (unsigned)slot);
		if (w->retry_at != 0)	/* a waiting slot: not again at once */
			w->retry_at = now_ms() + BACKOFF_MIN_MS;
		return -1;
	}
	if (pid == 0) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.conf = m->conf;
		ctx.lst = &m->lst;
		ctx.sb = m->sb;
		ctx.slot = (unsigned)slot;
		ctx.generation = m->generation;
		ctx.nthreads = nthreads;
		child_start(&ctx, m->ops, m->sigfd);
	}
	SHARED_SET(sb_proc(m->sb, (unsigned)slot)->pid, pid);
	*w = (struct wproc){ .pid = pid, .generation = m->generation, .started = now_ms(),
	    .backoff_ms = w->backoff_ms };
	log_debug("started worker %d pid %d generation %u", slot, (int)pid, m->generation);
	return 0;
}

static int
spawn(struct master *m)
{
	int slot = find_free_slot(m);

	return slot == -1 ? -1 : spawn_slot(m, slot);
}

/* Tell one process to drain, with graceful_timeout to finish. */
static void
drain(struct master *m, unsigned slot)
{
	struct wproc *w = &m->procs[slot];

	if (w->pid == 0 || w->draining)
		return;
	w->draining = 1;
	w->term_at = now_ms() + (int64_t)m->conf->mpm.graceful_timeout * 1000;
	kill(w->pid, SIGWINCH);
}

static void
terminate(struct master *m, unsigned slot)
{
	struct wproc *w = &m->procs[slot];

	if (w->pid == 0 || w->kill_at != 0)
		return;
	w->draining = 1;
	w->term_at = 0;
	w->kill_at = now_ms() + KILL_GRACE_MS;
	kill(w->pid, SIGTERM);
}

static void
signal_all(struct master *m, int signo)
{
	unsigned i;

	for (i = 0; i < m->nslots; i++)
		if (m->procs[i].pid != 0)
			kill(m->procs[i].pid, signo);
}

static unsigned
live_count(struct master *m)
{
	unsigned i, n = 0;

	for (i = 0; i < m->nslots; i++)
		n += m->procs[i].pid != 0;
	return n;
}

/* Live processes of the current generation that are not draining. */
static unsigned
current_count(struct master *m)
{
	unsigned i, n = 0;

	for (i = 0; i < m->nslots; i++) {
		const struct wproc *w = &m->procs[i];

		n += w->pid != 0 && !w->draining && w->generation == m->generation;
	}
	return n;
}

/* ---- reaping ------------------------------------------------------ */

static int
find_pid(struct master *m, pid_t pid)
{
	unsigned i;

	for (i = 0; i < m->nslots; i++)
		if (m->procs[i].pid == pid)
			return (int)i;
	return -1;
}

/* Had the process of a slot been ready? Read before the slot is cleared:
 * its state got past starting (every MPM publishes ready before it
 * serves), or it accepted a connection. */
static int
slot_was_ready(struct master *m, unsigned slot)
{
	unsigned st = SHARED_GET(sb_proc(m->sb, slot)->state);
	struct sb_totals t;

	if (st >= SB_PROC_READY && st <= SB_PROC_EXITING)
		return 1;
	sb_proc_totals(m->sb, slot, &t);
	return t.connections > 0;
}

/* A string field of a dead worker's slot, for the log: escaped when it
 * was stored, but the worker may have died half-way through a store. */
static void
copy_request(char *dst, const char *src, size_t n)
{
	char *p;

	status_copy_field(dst, src, n);
	for (p = dst; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

/* The request lines a dead process left in its slot, so that a request
 * that kills workers shows in the log: those of the threads that were
 * busy, else the last one served. */
static void
log_last_requests(struct master *m, unsigned slot, pid_t pid)
{
	unsigned t, nt = SHARED_GET(sb_proc(m->sb, slot)->nthreads), busy = 0;
	char req[sizeof(((struct sb_worker *)0)->request)], last[sizeof(req)] = "";
	int64_t last_ms = -1;

	for (t = 0; t < nt && t < m->thread_limit; t++) {
		struct sb_worker *w = sb_worker(m->sb, slot, t);
		unsigned st = SHARED_GET(w->status);

		copy_request(req, w->request, sizeof(req));
		if (req[0] == '\0')
			continue;
		if (st != SB_WAITING && st != SB_OPEN && st != SB_STARTING && st != SB_KEEPALIVE) {
			log_warnx("worker %u pid %d was serving \"%s\"", slot, (int)pid, req);
			busy++;
		} else if (SHARED_GET(w->last_used_ms) > last_ms) {
			last_ms = SHARED_GET(w->last_used_ms);
			memcpy(last, req, sizeof(last));
		}
	}
	if (busy == 0 && last[0] != '\0')
		log_warnx("worker %u pid %d: last request \"%s\"", slot, (int)pid, last);
}

/* Publish the last minute's deaths; after a death, also log them (at
 * most once per DEATH_LOG_MS: a storm makes one line a second). */
static void
publish_deaths(struct master *m, int64_t now, int died)
{
	struct sb_header *h = sb_header(m->sb);
	uint32_t n[SB_NDEATHS], sum = deaths_minute(&m->deaths, now, n);
	unsigned c;

	for (c = 0; c < SB_NDEATHS; c++)
		SHARED_SET(h->deaths_minute[c], n[c]);
	if (!died || (m->death_log_at != 0 && now - m->death_log_at < DEATH_LOG_MS))
		return;
	m->death_log_at = now;
	log_warnx("worker deaths in the last minute: %u (%s %u, %s %u, %s %u, %s %u, %s %u)",
	    sum, sb_death_name(0), n[0], sb_death_name(1), n[1], sb_death_name(2), n[2],
	    sb_death_name(3), n[3], sb_death_name(4), n[4]);
}

/* An unexpected death: count it; a slot whose worker never got ready
 * waits before its next start (see the respawn rules at the top). */
static void
note_death(struct master *m, unsigned slot, int status, int ready, int64_t lived)
{
	struct sb_header *h = sb_header(m->sb);
	struct wproc *w = &m->procs[slot];
	unsigned cause = deaths_cause(status);
	int64_t now = now_ms();

	SHARED_ADD(h->respawns, 1);
	SHARED_ADD(h->deaths[cause], 1);
	deaths_note(&m->deaths, now, cause);
	publish_deaths(m, now, 1);
	if (ready || w->generation != m->generation)
		return;
	SHARED_ADD(h->early_deaths, 1);
	w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (w->backoff_ms > BACKOFF_MAX_MS)
		w->backoff_ms = BACKOFF_MAX_MS;
	w->retry_at = now + w->backoff_ms;
	log_warnx("worker %u died %lld ms after start, before it was ready;"
	    " next start in %lld ms", slot, (long long)lived, (long long)w->backoff_ms);
}

static void
reaped(struct master *m, pid_t pid, int status)
{
	int slot = find_pid(m, pid);
	struct wproc *w;
	int64_t lived;
	int ready;
	char how[64];

	if (slot == -1)
		return;
	w = &m->procs[slot];
	lived = now_ms() - w->started;
	ready = slot_was_ready(m, (unsigned)slot);
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
	if (ready)
		w->backoff_ms = 0;
	if (w->draining || m->stopping) {
		log_debug("worker %d pid %d generation %u %s", slot, (int)pid, w->generation, how);
	} else {
		log_warnx("worker %d pid %d generation %u %s", slot, (int)pid, w->generation, how);
		log_last_requests(m, (unsigned)slot, pid);
		note_death(m, (unsigned)slot, status, ready, lived);
	}
	sb_proc_clear(m->sb, (unsigned)slot);
	*w = (struct wproc){ .backoff_ms = w->backoff_ms, .retry_at = w->retry_at };
}

static void
on_sigchld(struct master *m)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		reaped(m, pid, status);
		proto_master_reaped(pid, status);
	}
}

/* ---- reload ------------------------------------------------------- */

static void
reload_verdict(struct master *m, int ok, const char *msg)
{
	struct sb_header *h = sb_header(m->sb);

	h->reload_ok = ok;
	h->reload_generation = m->generation;
	h->reload_ms = wall_ms();
	strlcpy_(h->reload_msg, msg, sizeof(h->reload_msg));
	SHARED_RELEASE(h->reload_seq, h->reload_seq + 1);
	if (ok)
		log_info("%s", msg);
	else
		log_warnx("reload failed, generation %u keeps serving: %s", m->generation, msg);
}

static void
publish_conf(struct master *m)
{
	struct sb_header *h = sb_header(m->sb);
	const struct conf_mpm *c = &m->conf->mpm;

	strlcpy_(h->mpm, m->ops->name, sizeof(h->mpm));
	h->workers = c->workers;
	h->min_spare = c->min_spare;
	h->max_spare = c->max_spare;
	h->threads = (int32_t)m->ops->nthreads(m->conf);
	h->max_connections = c->max_connections;
	SHARED_SET(h->generation, m->generation);
}

/* Hard limits size the scoreboard, and the pid and scoreboard files are
 * where mserverctl finds us: all keep their values until a restart. (A
 * protocol's shared state says the same of its own sizes in its
 * master_reload hook.) */
static int
keep_fixed(struct master *m, struct conf *next, char *note, size_t nlen,
    char *err, size_t elen)
{
	struct conf_mpm *c = &next->mpm;

	note[0] = '\0';
	if ((unsigned)c->server_limit != m->nslots || (unsigned)c->thread_limit != m->thread_limit ||
	    strcmp(next->pid_file, m->conf->pid_file) != 0 ||
	    strcmp(next->scoreboard_file, m->conf->scoreboard_file) != 0)
		snprintf(note, nlen, " (changes of server_limit, thread_limit, pid_file or"
		    " scoreboard_file need a restart: keeping %u, %u, %s, %s)",
		    m->nslots, m->thread_limit, m->conf->pid_file, m->conf->scoreboard_file);
	c->server_limit = (int)m->nslots;
	c->thread_limit = (int)m->thread_limit;
	if (c->workers > c->server_limit) {
		snprintf(err, elen, "%s:%d: mpm.workers (%d) exceeds the running server_limit %u"
		    " (a restart is needed)", c->file, c->line, c->workers, m->nslots);
		return -1;
	}
	free(next->pid_file);
	free(next->scoreboard_file);
	next->pid_file = strdup(m->conf->pid_file);
	next->scoreboard_file = strdup(m->conf->scoreboard_file);
	if (next->pid_file == NULL || next->scoreboard_file == NULL) {
		snprintf(err, elen, "out of memory");
		return -1;
	}
	return 0;
}

static int
reopen_error_log(struct master *m, struct conf *next, char *err, size_t len)
{
	if (m->opts->log_stderr || strcmp(next->error_log, m->conf->error_log) == 0)
		return 0;
	return log_open(next->error_log, err, len);
}

/* Validate everything the new generation needs; on failure nothing of the
 * running generation has changed. */
static int
reload_prepare(struct master *m, struct conf **nextp, struct mpm_module **modp,
    struct lst_set *lst, char *note, size_t nlen, char *err, size_t elen)
{
	if ((*nextp = conf_load(m->opts->conf_path, err, elen)) == NULL ||
	    keep_fixed(m, *nextp, note, nlen, err, elen) == -1 ||
	    proto_master_reload(*nextp, note, nlen, err, elen) == -1 ||
	    (*modp = mpm_load(*nextp, err, elen)) == NULL ||
	    lst_open(lst, *nextp, &m->lst, err, elen) == -1)
		return -1;
	if (reopen_error_log(m, *nextp, err, elen) == -1) {
		lst_close_unused(lst, &m->lst);
		return -1;
	}
	return 0;
}

static void
clear_waits(struct master *m)
{
	unsigned i;

	for (i = 0; i < m->nslots; i++)
		m->procs[i].backoff_ms = m->procs[i].retry_at = 0;
}

static void
on_sighup(struct master *m)
{
	struct sb_header *h = sb_header(m->sb);
	struct conf *next = NULL;
	struct mpm_module *mod = NULL;
	struct lst_set lst;
	char err[1024], note[512], msg[1024];
	unsigned i;

	if (m->stopping)
		return;
	SHARED_RELEASE(h->reload_begun, h->reload_begun + 1);
	log_info("reloading %s", m->opts->conf_path);
	if (reload_prepare(m, &next, &mod, &lst, note, sizeof(note), err, sizeof(err)) == -1) {
		mpm_unload(mod);
		conf_free(next);
		reload_verdict(m, 0, err);
		return;
	}
	lst_close_unused(&m->lst, &lst);
	m->lst = lst;
	conf_free(m->conf);
	mpm_unload(m->mpm);
	m->conf = next;
	m->mpm = mod;
	m->ops = mpm_ops(mod);
	log_set_level(log_level_from_name(next->log_level));
	m->generation++;
	m->spawn_rate = 1;
	clear_waits(m);		/* the new configuration may have fixed them */
	publish_conf(m);
	/* New generation first, from the same sockets; then the old drains. */
	for (i = 0; i < (unsigned)m->conf->mpm.workers; i++)
		if (spawn(m) == -1)
			break;
	for (i = 0; i < m->nslots; i++)
		if (m->procs[i].pid != 0 && m->procs[i].generation != m->generation)
			drain(m, i);
	snprintf(msg, sizeof(msg), "reloaded: generation %u, mpm %s%s", m->generation,
	    m->ops->name, note);
	reload_verdict(m, 1, msg);
}

/* ---- stop, logs --------------------------------------------------- */

static void
on_sigterm(struct master *m)
{
	unsigned i;

	if (m->stopping != STOP_FAST)
		log_info("fast stop requested");
	if (m->stopping == RUNNING)
		lst_close_all(&m->lst);
	m->stopping = STOP_FAST;
	SHARED_SET(sb_header(m->sb)->stopping, 2);
	for (i = 0; i < m->nslots; i++)
		terminate(m, i);
}

static void
on_sigquit(struct master *m)
{
	unsigned i;

	if (m->stopping)
		return;
	log_info("graceful stop requested");
	lst_close_all(&m->lst);
	m->stopping = STOP_GRACEFUL;
	SHARED_SET(sb_header(m->sb)->stopping, 1);
	for (i = 0; i < m->nslots; i++)
		drain(m, i);
}

static void
on_sigusr1(struct master *m)
{
	if (log_reopen() == -1)
		log_warn("cannot reopen error log %s", m->conf->error_log);
	signal_all(m, SIGUSR1);
	log_info("log files reopened");
}

/* nginx's "upgrade the binary": not offered; it must not kill us either. */
static void
on_sigusr2(struct master *m)
{
	log_warnx("SIGUSR2 ignored: binary upgrade is not supported (use a restart)");
}

/* ---- pool maintenance --------------------------------------------- */

/* Escalate drains and stops that ran out of time. */
static void
enforce_deadlines(struct master *m, int64_t now)
{
	unsigned i;

	for (i = 0; i < m->nslots; i++) {
		struct wproc *w = &m->procs[i];

		if (w->pid == 0)
			continue;
		if (w->term_at != 0 && now >= w->term_at) {
			log_warnx("worker %u pid %d did not finish within graceful_timeout; terminating",
			    i, (int)w->pid);
			terminate(m, i);
		} else if (w->kill_at != 0 && now >= w->kill_at) {
			log_warnx("worker %u pid %d ignored SIGTERM; killing", i, (int)w->pid);
			kill(w->pid, SIGKILL);
			w->kill_at = 0;
		}
	}
}

struct pool {
	unsigned	procs;		/* current generation, not draining */
	unsigned	waiting;	/* slots waiting out a back-off */
	unsigned	idle;		/* idle worker slots in those */
	int		retire;		/* best process to retire, or -1 */
};

static void
pool_census(struct master *m, struct pool *p)
{
	unsigned i, t, nthreads = m->ops->nthreads(m->conf), best_idle = 0;

	memset(p, 0, sizeof(*p));
	p->retire = -1;
	for (i = 0; i < m->nslots; i++) {
		const struct wproc *w = &m->procs[i];
		unsigned idle = 0, state;

		p->waiting += w->pid == 0 && w->retry_at != 0;
		if (w->pid == 0 || w->draining || w->generation != m->generation)
			continue;
		p->procs++;
		state = SHARED_GET(sb_proc(m->sb, i)->state);
		for (t = 0; t < nthreads; t++) {
			unsigned st = SHARED_GET(sb_worker(m->sb, i, t)->status);

			idle += st == SB_WAITING || (state == SB_PROC_STARTING && st == SB_STARTING);
		}
		p->idle += idle;
		if (idle == nthreads && idle >= best_idle) {
			best_idle = idle;
			p->retire = (int)i;
		}
	}
}

/* Start the waiting slots whose wait is over; and if the generation has
 * had no live process for ZERO_MAX_MS, the one due first, early. */
static void
restart_waiting(struct master *m, int64_t now)
{
	int i, first = -1;

	for (i = 0; i < (int)m->nslots; i++) {
		const struct wproc *w = &m->procs[i];

		if (w->pid != 0 || w->retry_at == 0)
			continue;
		if (w->retry_at <= now)
			spawn_slot(m, i);
		else if (first == -1 || w->retry_at < m->procs[first].retry_at)
			first = i;
	}
	if (current_count(m) > 0) {
		m->zero_since = 0;
		return;
	}
	if (m->zero_since == 0)
		m->zero_since = now;
	if (first == -1 || now - m->zero_since < ZERO_MAX_MS)
		return;
	log_warnx("no worker for %lld ms: starting worker %d %lld ms before its wait ends",
	    (long long)(now - m->zero_since), first, (long long)(m->procs[first].retry_at - now));
	m->zero_since = now;	/* if this one dies too, the next in as long */
	spawn_slot(m, first);
}

static void
maintain(struct master *m, int64_t now)
{
	const struct conf_mpm *c = &m->conf->mpm;
	unsigned nthreads = m->ops->nthreads(m->conf);
	struct pool p;
	int i, want = 0, tick = now >= m->next_tick;

	if (tick) {
		m->next_tick = now + TICK_MS;	/* also while stopping: no spin */
		proto_master_tick();
		publish_deaths(m, now, 0);
	}
	if (m->stopping)
		return;
	restart_waiting(m, now);
	pool_census(m, &p);
	if (p.procs + p.waiting < (unsigned)c->workers)
		want = c->workers - (int)(p.procs + p.waiting);	/* the floor: respawn */
	else if (!m->ops->manages_spares || !tick)
		return;
	else if (p.idle > (unsigned)c->max_spare && p.retire != -1 &&
	    p.procs > (unsigned)c->workers && p.idle - nthreads >= (unsigned)c->min_spare) {
		drain(m, (unsigned)p.retire);			/* one at a time */
		return;
	} else if (p.idle < (unsigned)c->min_spare) {
		want = (int)(((unsigned)c->min_spare - p.idle + nthreads - 1) / nthreads);
		if (want > m->spawn_rate)
			want = m->spawn_rate;
		if (m->spawn_rate < SPAWN_RATE_MAX)
			m->spawn_rate *= 2;
	} else {
		m->spawn_rate = 1;
		return;
	}
	for (i = 0; i < want; i++)
		if (spawn(m) == -1)
			break;
}

/* ---- the loop ----------------------------------------------------- */

static int
setup_signals(struct master *m)
{
	struct sigaction sa;
	sigset_t set;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	for (i = 0; i < ARRAY_LEN(sig_actions); i++)
		sigaddset(&set, sig_actions[i].signo);
	/* Not ours, but blocked here so that a worker inherits it blocked: a
	 * drain sent between fork() and the worker's signalfd stays pending
	 * instead of being discarded (its default action is to ignore). */
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	m->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return m->sigfd == -1 ? -1 : 0;
}

static void
dispatch_signals(struct master *m)
{
	struct signalfd_siginfo si;
	size_t i;

	while (read(m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		for (i = 0; i < ARRAY_LEN(sig_actions); i++)
			if (sig_actions[i].signo == (int)si.ssi_signo)
				sig_actions[i].fn(m);
}

static int
next_timeout(struct master *m, int64_t now)
{
	int64_t t = m->next_tick;
	unsigned i;

	if (m->zero_since != 0 && !m->stopping && m->zero_since + ZERO_MAX_MS > now &&
	    m->zero_since + ZERO_MAX_MS < t)
		t = m->zero_since + ZERO_MAX_MS;
	for (i = 0; i < m->nslots; i++) {
		if (m->procs[i].pid == 0 && m->procs[i].retry_at && !m->stopping &&
		    m->procs[i].retry_at < t)
			t = m->procs[i].retry_at;
		if (m->procs[i].term_at && m->procs[i].term_at < t)
			t = m->procs[i].term_at;
		if (m->procs[i].kill_at && m->procs[i].kill_at < t)
			t = m->procs[i].kill_at;
	}
	return t <= now ? 0 : (int)(t - now);
}

static void
master_loop(struct master *m)
{
	struct pollfd pfd = { .fd = m->sigfd, .events = POLLIN };

	for (;;) {
		int64_t now = now_ms();

		enforce_deadlines(m, now);
		maintain(m, now);
		if (m->stopping && live_count(m) == 0)
			return;
		if (poll(&pfd, 1, next_timeout(m, now_ms())) > 0)
			dispatch_signals(m);
	}
}

static int
master_init(struct master *m, char *err, size_t len)
{
	struct proto_master pm;
	struct sb_header *h;

	m->nslots = (unsigned)m->conf->mpm.server_limit;
	m->thread_limit = (unsigned)m->conf->mpm.thread_limit;
	m->generation = 1;
	m->spawn_rate = 1;
	if ((m->procs = calloc(m->nslots, sizeof(*m->procs))) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if ((m->sb = sb_create(m->conf->scoreboard_file, m->nslots, m->thread_limit,
	    err, len)) == NULL)
		return -1;
	pm.conf = m->conf;
	pm.sb = m->sb;
	pm.nslots = m->nslots;
	if (proto_master_init(&pm, err, len) == -1)
		return -1;
	h = sb_header(m->sb);
	h->master_pid = (int32_t)getpid();
	h->start_ms = wall_ms();
	strlcpy_(h->version_str, PACKAGE_VERSION, sizeof(h->version_str));
	publish_conf(m);
	if (setup_signals(m) == -1) {
		snprintf(err, len, "signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
report_ready(const struct master_opts *opts, const char *msg)
{
	if (opts->ready_fd == -1)
		return;
	(void)!write(opts->ready_fd, msg, strlen(msg));
	close(opts->ready_fd);
}

int
master_run(const struct master_opts *opts, struct conf *conf, struct mpm_module *mpm,
    struct lst_set *lst)
{
	struct master m;
	char err[1024];
	unsigned i;

	memset(&m, 0, sizeof(m));
	m.opts = opts;
	m.conf = conf;
	m.mpm = mpm;
	m.ops = mpm_ops(mpm);
	m.lst = *lst;
	m.sigfd = -1;
	log_set_role("master");
	if (master_init(&m, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		report_ready(opts, err);
		return 1;
	}
	for (i = 0; i < (unsigned)conf->mpm.workers; i++)
		spawn(&m);
	log_info("mserverd %s started: generation 1, mpm %s, %d listener(s), %d worker(s)",
	    PACKAGE_VERSION, m.ops->name, m.lst.n, conf->mpm.workers);
	report_ready(opts, "ok");
	master_loop(&m);
	log_info("stopped");
	proto_master_exit();
	sb_close(m.sb, 1);
	lst_close_all(&m.lst);
	mpm_unload(m.mpm);
	conf_free(m.conf);
	free(m.procs);
	return 0;
}
