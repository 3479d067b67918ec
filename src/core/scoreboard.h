/*
 * scoreboard: the shared, file-backed, pointer-free status segment.
 *
 * Layout (version SB_VERSION): one sb_header, then server_limit sb_proc
 * slots, then server_limit * thread_limit sb_worker slots (thread_limit per
 * process slot). The master creates the file before forking and sizes it
 * from the hard limits; mserverctl maps it read-only.
 *
 * Writers (the invariant everything else relies on):
 *   sb_header            the master only.
 *   sb_proc "master"     fields: the master, when it claims or clears a
 *                        slot (before fork / after reaping).
 *   sb_proc "worker"     fields and every sb_worker slot of the process: the
 *                        worker process only; a multi-threaded MPM gives
 *                        each thread its own sb_worker and leaves the
 *                        sb_proc worker fields to one thread.
 * Readers may see a counter one update late and a string half-written
 * (client, request): they copy strings with a bound and terminate them.
 * Numeric fields are read and written with SHARED_GET/SHARED_SET
 * (core/atomic.h): relaxed, never torn.
 */
#ifndef MSERVER_SCOREBOARD_H
#define MSERVER_SCOREBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/atomic.h"

/* The file holds client addresses and request lines: the owner (the
 * master's user) writes it, its group (mserverctl's) reads it, no one
 * else may. */
#define SB_FILE_MODE	0640

#define SB_MAGIC	0x4d53425244ULL	/* "DRBSM" */
#define SB_VERSION	5

/* Connection/thread status letters (Apache's key). */
#define SB_OPEN		'.'
#define SB_WAITING	'_'
#define SB_STARTING	'S'
#define SB_READING	'R'
#define SB_WRITING	'W'
#define SB_KEEPALIVE	'K'
#define SB_CLOSING	'C'
#define SB_LOGGING	'L'
#define SB_GRACEFUL	'G'
#define SB_IDLE_CLEANUP	'I'

/* Process states. */
enum sb_proc_state {
	SB_PROC_EMPTY = 0,	/* slot free */
	SB_PROC_STARTING,	/* claimed by the master, not yet running */
	SB_PROC_READY,		/* accepting */
	SB_PROC_FULL,		/* at max_connections: not accepting */
	SB_PROC_DRAINING,	/* finishing in-flight work, not accepting */
	SB_PROC_EXITING,
};

/* Event MPM: connections of a process by state, indexed by sb_conn_idx(). */
#define SB_CONN_STATES	"RWKC"
#define SB_NCONN_STATES	4

/* Responses by status class, codes[c / 100 - 1] for 1xx..5xx. */
#define SB_NCODES	5

/* Unexpected deaths of workers by cause (sb_header deaths[]): killed by
 * SIGKILL, SIGSEGV, SIGABRT or another signal, or exited on their own. */
enum sb_death {
	SB_DEATH_KILL = 0,
	SB_DEATH_SEGV,
	SB_DEATH_ABRT,
	SB_DEATH_SIGNAL,	/* another signal */
	SB_DEATH_EXIT,		/* exit() or return from main, any status */
	SB_NDEATHS
};

struct sb_header {
	uint64_t	magic;
	uint32_t	version;
	uint32_t	pad0;
	uint64_t	size;		/* bytes of the whole segment */
	uint32_t	server_limit;
	uint32_t	thread_limit;
	int32_t		master_pid;
	uint32_t	generation;
	int64_t		start_ms;	/* wall clock */
	char		version_str[32];
	char		mpm[16];	/* the current generation's MPM */
	int32_t		workers, min_spare, max_spare, threads, max_connections;
	int32_t		stopping;	/* 1 graceful, 2 fast */
	uint32_t	respawns;	/* workers restarted after a crash */
	/* Those unexpected deaths by cause (enum sb_death), since the start
	 * and in the last minute (refreshed by the master at each death and
	 * about once a second), and how many came before the worker was
	 * ready (those are restarted after a back-off). */
	uint64_t	deaths[SB_NDEATHS];
	uint32_t	deaths_minute[SB_NDEATHS];
	uint32_t	early_deaths;
	/* Counters of processes that have exited, so totals survive them. */
	uint64_t	retired_connections, retired_requests, retired_bytes;
	uint64_t	retired_codes[SB_NCODES];
	uint64_t	retired_chat_delivered, retired_chat_dropped;
	/* The chat bus's figures, copied by the master about once a second. */
	uint32_t	chat_clients, chat_rooms;
	uint64_t	chat_published;
	/* The verdict of the last reload, for "mserverctl reload". */
	uint32_t	reload_seq;	/* bumped after each reload attempt */
	uint32_t	reload_begun;	/* bumped as one starts: != reload_seq while it runs */
	int32_t		reload_ok;
	uint32_t	reload_generation;
	char		reload_msg[512];
	int64_t		reload_ms;
};

struct sb_proc {
	/* master fields */
	int32_t		pid;
	uint32_t	generation;
	int64_t		start_ms;
	char		mpm[16];
	uint32_t	nthreads;	/* sb_worker slots in use */
	/* worker fields */
	uint32_t	state;		/* enum sb_proc_state */
	int64_t		heartbeat_ms;
	uint32_t	conns;		/* open connections now */
	uint32_t	by_state[SB_NCONN_STATES];
};

struct sb_worker {
	uint32_t	status;		/* a status letter */
	uint32_t	chat_clients;	/* chat clients served now */
	uint64_t	connections;
	uint64_t	requests;
	uint64_t	bytes;		/* sent */
	uint64_t	codes[SB_NCODES];	/* responses by class: 1xx..5xx */
	uint64_t	chat_delivered;	/* bus lines queued to clients */
	uint64_t	chat_dropped;	/* clients dropped as too slow */
	int64_t		last_used_ms;
	char		client[48];
	char		request[80];	/* last request line, escaped */
};

struct sb;

/* Master: create (truncate) the file and map it shared. */
struct sb	*sb_create(const char *path, unsigned server_limit,
		    unsigned thread_limit, char *err, size_t errlen);
/* mserverctl: map an existing file read-only after checking its header. */
struct sb	*sb_attach(const char *path, char *err, size_t errlen);
void		 sb_close(struct sb *sb, int unlink_file);

struct sb_header *sb_header(struct sb *sb);
struct sb_proc	*sb_proc(struct sb *sb, unsigned slot);
struct sb_worker *sb_worker(struct sb *sb, unsigned slot, unsigned thread);

/* Master: claim a free slot for a new process; clear it after reaping,
 * folding its counters into the header's retired totals. */
void		 sb_proc_claim(struct sb *sb, unsigned slot, uint32_t generation,
		    const char *mpm, unsigned nthreads);
void		 sb_proc_clear(struct sb *sb, unsigned slot);

/* Sum of the counters of one process's worker slots. */
struct sb_totals {
	uint64_t	connections, requests, bytes, codes[SB_NCODES];
	uint64_t	chat_delivered, chat_dropped;
	unsigned	chat_clients;
};
void		 sb_proc_totals(struct sb *sb, unsigned slot, struct sb_totals *t);


int		 sb_conn_idx(int status);
const char	*sb_proc_state_name(unsigned state);
/* "SIGKILL", "SIGSEGV", "SIGABRT", "other" (signal), "exit"; "?" if out
 * of range. */
const char	*sb_death_name(unsigned cause);

#endif
