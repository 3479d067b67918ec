/*
 * status: the census of a scoreboard; see status.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/scoreboard.h"
#include "core/status.h"
#include "core/util.h"

void
status_copy_field(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n - 1] = '\0';
}

unsigned
status_proc_threads(struct sb *sb, unsigned slot)
{
	struct sb_header *h = sb_header(sb);
	unsigned n = SHARED_GET(sb_proc(sb, slot)->nthreads);

	return n <= h->thread_limit ? n : h->thread_limit;
}

unsigned
status_slot_letters(struct sb *sb, unsigned slot)
{
	struct sb_header *h = sb_header(sb);
	unsigned cur = (unsigned)(h->threads > 0 ? h->threads : 1);

	if (SHARED_GET(sb_proc(sb, slot)->pid))
		return status_proc_threads(sb, slot);
	return cur <= h->thread_limit ? cur : h->thread_limit;
}

int
status_letter(struct sb *sb, unsigned slot, unsigned thread)
{
	unsigned st;

	if (SHARED_GET(sb_proc(sb, slot)->pid) == 0)
		return SB_OPEN;
	st = SHARED_GET(sb_worker(sb, slot, thread)->status);
	return (st < 0x20 || st > 0x7e) ? '?' : (int)st;
}

/* The event MPM multiplexes connections over one thread slot whose letter
 * tells what the loop does, not what its connections do. */
static int
proc_multiplexes(struct sb_proc *p)
{
	char mpm[sizeof(p->mpm)];

	status_copy_field(mpm, p->mpm, sizeof(mpm));
	return strcmp(mpm, "event") == 0;
}

void
status_proc_conn_states(struct sb *sb, unsigned slot, unsigned n[SB_NCONN_STATES])
{
	struct sb_proc *p = sb_proc(sb, slot);
	unsigned k, t, nt = status_proc_threads(sb, slot);
	int idx, mux = proc_multiplexes(p);

	for (k = 0; k < SB_NCONN_STATES; k++)
		n[k] = mux ? SHARED_GET(p->by_state[k]) : 0;
	for (t = 0; t < nt && !mux; t++)
		if ((idx = sb_conn_idx(status_letter(sb, slot, t))) >= 0)
			n[idx]++;
}

/* Add one live process to the census. */
static void
census_proc(struct sb *sb, unsigned slot, struct status_census *c)
{
	struct sb_proc *p = sb_proc(sb, slot);
	unsigned k, t, nt = status_proc_threads(sb, slot), st = SHARED_GET(p->state);
	unsigned by[SB_NCONN_STATES];
	struct sb_totals tot;

	c->procs++;
	c->pstates[st < STATUS_NPSTATES ? st : SB_PROC_EXITING]++;
	c->open += SHARED_GET(p->conns);
	for (t = 0; t < nt; t++) {
		int l = status_letter(sb, slot, t);

		c->idle += l == SB_WAITING;
		c->busy += strchr("RWKCLGI", l) != NULL;
	}
	status_proc_conn_states(sb, slot, by);
	for (k = 0; k < SB_NCONN_STATES; k++)
		c->conn_states[k] += by[k];
	sb_proc_totals(sb, slot, &tot);
	c->connections += tot.connections;
	c->requests += tot.requests;
	c->bytes += tot.bytes;
	for (k = 0; k < SB_NCODES; k++)
		c->codes[k] += tot.codes[k];
	c->chat_delivered += tot.chat_delivered;
	c->chat_dropped += tot.chat_dropped;
}

void
status_census(struct sb *sb, struct status_census *c)
{
	struct sb_header *h = sb_header(sb);
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->connections = SHARED_GET(h->retired_connections);
	c->requests = SHARED_GET(h->retired_requests);
	c->bytes = SHARED_GET(h->retired_bytes);
	for (i = 0; i < SB_NCODES; i++)
		c->codes[i] = SHARED_GET(h->retired_codes[i]);
	c->chat_delivered = SHARED_GET(h->retired_chat_delivered);
	c->chat_dropped = SHARED_GET(h->retired_chat_dropped);
	c->chat_clients = SHARED_GET(h->chat_clients);
	c->chat_rooms = SHARED_GET(h->chat_rooms);
	c->chat_published = SHARED_GET(h->chat_published);
	for (i = 0; i < SB_NDEATHS; i++) {
		c->deaths[i] = SHARED_GET(h->deaths[i]);
		c->deaths_total += c->deaths[i];
		c->deaths_minute[i] = SHARED_GET(h->deaths_minute[i]);
		c->deaths_minute_total += c->deaths_minute[i];
	}
	c->early_deaths = SHARED_GET(h->early_deaths);
	for (i = 0; i < h->server_limit; i++)
		if (SHARED_GET(sb_proc(sb, i)->pid) != 0)
			census_proc(sb, i, c);
	c->uptime_s = (wall_ms() - h->start_ms) / 1000;
}
