/*
 * status: the census of a scoreboard that mserverctl's printers
 * (ctl/status_print.c) and the HTTP status pages (http/status_pages.c)
 * are built on. Reads only; tolerates the torn reads
 * scoreboard.h allows. The census functions keep no state and allocate
 * nothing, so worker threads may call them concurrently.
 */
#ifndef MSERVER_STATUS_H
#define MSERVER_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/scoreboard.h"

#define STATUS_NPSTATES	(SB_PROC_EXITING + 1)

/* One pass over the scoreboard. Totals include the retired counters of
 * processes that have exited; the rest counts live processes (pid != 0). */
struct status_census {
	uint64_t	connections, requests, bytes;
	uint64_t	codes[SB_NCODES];		/* 1xx..5xx */
	unsigned	procs;
	unsigned	pstates[STATUS_NPSTATES];	/* processes by enum sb_proc_state */
	unsigned	busy, idle;			/* thread letters RWKCLGI, _ */
	unsigned	open;				/* open connections now */
	unsigned	conn_states[SB_NCONN_STATES];	/* see status_proc_conn_states() */
	/* Chat: clients, rooms and lines published are the bus's (copied by
	 * the master once a second); delivered and dropped are summed. */
	unsigned	chat_clients, chat_rooms;
	uint64_t	chat_published, chat_delivered, chat_dropped;
	/* Unexpected deaths of workers by cause (enum sb_death), since the
	 * start and in the last minute, with their sums; and how many of all
	 * came before the worker was ready. */
	uint64_t	deaths[SB_NDEATHS], deaths_total;
	unsigned	deaths_minute[SB_NDEATHS], deaths_minute_total;
	unsigned	early_deaths;
	int64_t		uptime_s;
};

void	 status_census(struct sb *sb, struct status_census *c);
/* Worker slots of a process slot in use (its nthreads, bounded by the
 * scoreboard's thread_limit). */
unsigned status_proc_threads(struct sb *sb, unsigned slot);
/* Letters a process slot contributes to the map: its threads, or for an
 * empty slot as many as a process of the current generation would use. */
unsigned status_slot_letters(struct sb *sb, unsigned slot);
/* Letter of one of them: printable ASCII ('?' for garbage), '.' if empty. */
int	 status_letter(struct sb *sb, unsigned slot, unsigned thread);
/* Open connections of a live process by state (SB_CONN_STATES order): the
 * event MPM counts them in by_state[]; a thread-per-connection MPM is
 * counted from its thread letters. */
void	 status_proc_conn_states(struct sb *sb, unsigned slot,
	    unsigned n[SB_NCONN_STATES]);
/* Copy a string field that a writer may be changing (n: its size). */
void	 status_copy_field(char *dst, const char *src, size_t n);

#endif
