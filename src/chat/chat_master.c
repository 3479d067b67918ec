/*
 * chat_master: the chat protocol's master-side hooks (proto.h). The bus
 * is made once, before the first fork, for the server's life: workers of
 * every generation share it, so its sizes keep their values on reload.
 * When a worker dies, its clients leave their rooms; a bus lock held by a
 * dead or stopped worker is waited on for at most CHAT_REAP_WAIT_MS and
 * then retried once a tick, so the master never wedges on it. Once a
 * tick the bus's figures are copied into the scoreboard header for
 * mserverctl status and /metrics.
 *
 * Runs in the master's single thread only.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "chat/chat.h"
#include "chat/chat_bus.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/proto.h"
#include "core/scoreboard.h"

#define CHAT_REAP_WAIT_MS	200	/* for the bus lock, on a reap */
#define CHAT_PENDING_MAX	64	/* dead pids whose clients wait */

static struct chat_bus		*bus;
static struct proto_master	 pm;
static struct conf_chat		 fixed;		/* the bus's sizes, from the start */
static pid_t			 pending[CHAT_PENDING_MAX];
static unsigned			 npending;

int
chat_master_init(const struct proto_master *m, char *err, size_t len)
{
	const struct conf_chat *c = &m->conf->chat;
	struct chat_bus_limits lim = {
		.ring_size = (size_t)c->bus_size,
		.max_clients = (unsigned)c->max_clients,
		.max_rooms = (unsigned)c->max_rooms,
		.max_procs = m->nslots,
		.max_text = (unsigned)c->max_line,
		.max_lag = (unsigned)c->max_lag,
		.wake_signal = PROTO_PUSH_SIGNAL,
	};

	if ((bus = chat_bus_create(&lim, err, len)) == NULL)
		return -1;
	pm = *m;
	fixed = *c;
	chat_set_bus(bus);
	return 0;
}

/* The bus's sizes keep their values; a larger max_line than the bus was
 * made for is cut back to it. */
int
chat_master_reload(struct conf *next, char *note, size_t nlen, char *err, size_t elen)
{
	struct conf_chat *c = &next->chat;
	size_t used = strlen(note);

	if (c->bus_size != fixed.bus_size || c->max_clients != fixed.max_clients ||
	    c->max_rooms != fixed.max_rooms || c->max_lag != fixed.max_lag ||
	    c->max_line > fixed.max_line)
		snprintf(note + used, nlen - used, " (changes of chat.bus_size, max_clients,"
		    " max_rooms, max_lag or a larger chat.max_line need a restart: keeping"
		    " %d, %d, %d, %d, %d)", fixed.bus_size, fixed.max_clients, fixed.max_rooms,
		    fixed.max_lag, fixed.max_line);
	c->max_lag = fixed.max_lag;
	c->bus_size = fixed.bus_size;
	c->max_clients = fixed.max_clients;
	c->max_rooms = fixed.max_rooms;
	if (c->max_line > fixed.max_line)
		c->max_line = fixed.max_line;
	return 0;
}

/* Whether pid is a running worker again (the kernel reused it). */
static int
pid_in_use(pid_t pid)
{
	unsigned i;

	for (i = 0; i < pm.nslots; i++)
		if (SHARED_GET(sb_proc(pm.sb, i)->pid) == pid)
			return 1;
	return 0;
}

/* The clients of pid leave their rooms; if the bus stays locked, pid
 * waits in pending for the next tick. */
static void
reap(pid_t pid, int retry)
{
	int n = chat_bus_reap(bus, pid, retry ? 0 : CHAT_REAP_WAIT_MS);

	if (n > 0) {
		log_info("removed %d chat client(s) of worker pid %d", n, (int)pid);
	} else if (n == -1 && npending < CHAT_PENDING_MAX) {
		if (!retry)
			log_warnx("chat bus busy: clients of worker pid %d are removed later",
			    (int)pid);
		pending[npending++] = pid;
	} else if (n == -1) {
		log_warnx("chat bus busy: clients of worker pid %d stay listed", (int)pid);
	}
}

void
chat_master_reaped(pid_t pid, int status)
{
	reap(pid, 0);
}

static void
publish_stats(void)
{
	struct sb_header *h = sb_header(pm.sb);
	struct chat_bus_stats st;

	chat_bus_stats(bus, &st);
	SHARED_SET(h->chat_clients, st.clients);
	SHARED_SET(h->chat_rooms, st.rooms);
	SHARED_SET(h->chat_published, st.published);
}

void
chat_master_tick(void)
{
	pid_t pids[CHAT_PENDING_MAX];
	unsigned i, n = npending;

	memcpy(pids, pending, n * sizeof(*pids));
	npending = 0;
	for (i = 0; i < n; i++)
		if (!pid_in_use(pids[i]))
			reap(pids[i], 1);
	publish_stats();
}

void
chat_master_exit(void)
{
	chat_set_bus(NULL);
	chat_bus_destroy(bus);
	bus = NULL;
}
