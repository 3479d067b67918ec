/*
 * deaths: a count of unexpected worker deaths by cause (enum sb_death)
 * over a sliding minute, for the master's crash-rate log line and the
 * scoreboard's deaths_minute[].
 *
 * DEATHS_WINDOW_S one-second buckets in a ring; a bucket counts the deaths
 * of the second stamped on it, and a bucket whose stamp has left the
 * window counts for nothing (it is reset when its slot comes round
 * again). So the minute is exact to the second, costs no timer, and a
 * window that saw no death for a minute reads zero without being
 * touched. Times are monotonic milliseconds. Single-threaded (the
 * master's loop): no locking.
 */
#ifndef MSERVER_DEATHS_H
#define MSERVER_DEATHS_H

#include <stdint.h>

#include "core/scoreboard.h"

#define DEATHS_WINDOW_S	60

struct deaths {
	int64_t		sec[DEATHS_WINDOW_S];	/* the second a bucket counts */
	uint32_t	n[DEATHS_WINDOW_S][SB_NDEATHS];
};

/* The cause of a death from its waitpid() status. */
unsigned	deaths_cause(int wstatus);
/* Count one death of cause at now_ms. */
void		deaths_note(struct deaths *d, int64_t now_ms, unsigned cause);
/* Deaths in the minute up to now_ms, by cause; returns their sum. */
uint32_t	deaths_minute(const struct deaths *d, int64_t now_ms,
		    uint32_t out[SB_NDEATHS]);

#endif
