/*
 * deaths: worker deaths over a sliding minute; see deaths.h.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "core/deaths.h"

unsigned
deaths_cause(int wstatus)
{
	if (!WIFSIGNALED(wstatus))
		return SB_DEATH_EXIT;
	switch (WTERMSIG(wstatus)) {
	case SIGKILL:
		return SB_DEATH_KILL;
	case SIGSEGV:
		return SB_DEATH_SEGV;
	case SIGABRT:
		return SB_DEATH_ABRT;
	default:
		return SB_DEATH_SIGNAL;
	}
}

/* Seconds are counted from an arbitrary origin; the stamp 0 of a zeroed
 * ring must not pass for a real second, hence the + 1. */
static int64_t
second_of(int64_t now_ms)
{
	return (now_ms < 0 ? 0 : now_ms / 1000) + 1;
}

void
deaths_note(struct deaths *d, int64_t now_ms, unsigned cause)
{
	int64_t s = second_of(now_ms);
	unsigned i = (unsigned)(s % DEATHS_WINDOW_S);

	if (cause >= SB_NDEATHS)
		cause = SB_DEATH_SIGNAL;
	if (d->sec[i] != s) {
		d->sec[i] = s;
		memset(d->n[i], 0, sizeof(d->n[i]));
	}
	d->n[i][cause]++;
}

uint32_t
deaths_minute(const struct deaths *d, int64_t now_ms, uint32_t out[SB_NDEATHS])
{
	int64_t s = second_of(now_ms);
	uint32_t sum = 0;
	unsigned i, c;

	memset(out, 0, SB_NDEATHS * sizeof(out[0]));
	for (i = 0; i < DEATHS_WINDOW_S; i++) {
		if (d->sec[i] == 0 || d->sec[i] <= s - DEATHS_WINDOW_S || d->sec[i] > s)
			continue;
		for (c = 0; c < SB_NDEATHS; c++) {
			out[c] += d->n[i][c];
			sum += d->n[i][c];
		}
	}
	return sum;
}
