/*
 * chat_bus: see chat_bus.h for the layout, the lock and the reader
 * protocol. This file keeps every structure in one shared mapping, laid out
 * as: header, process table, room table, client table, nickname index,
 * ring. Nothing in it is a pointer; struct chat_bus, private to each
 * process, holds the addresses (the same in every worker, since the
 * mapping is made before fork).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>

#include "chat/chat_bus.h"
#include "core/atomic.h"

#define BUS_MAGIC	0x5355424d43ULL		/* "CMBUS" */
#define BUS_ALIGN	8
#define BUS_REC_PAD	1			/* kind of a record that fills the end */
#define BUS_REC_LINE	2
#define BUS_ROOM_ID(idx, gen)	((uint32_t)(idx) | ((uint32_t)(gen) << 16))
#define BUS_ROOM_IDX(id)	((id) & 0xffffu)
#define BUS_NO_ROOM	0xffffffffu

/* One record in the ring: this header, then len bytes of line, padded. */
struct bus_rec {
	uint64_t	seq;		/* bus sequence */
	uint32_t	room;		/* room id */
	uint32_t	len;
	uint32_t	room_seq;	/* the room's sequence */
	uint32_t	kind;
};
#define BUS_HDR		sizeof(struct bus_rec)

struct bus_proc {
	int32_t		pid;
	uint32_t	nclients;
	uint32_t	pending;	/* signalled, not yet woken (atomic) */
	uint32_t	pad;
};

struct bus_room {
	uint32_t	used;
	uint32_t	gen;		/* bumped when the slot is freed */
	uint32_t	members;
	uint32_t	seq;		/* lines published to it (atomic) */
	char		name[CHAT_NAME_MAX + 1];
};

struct bus_client {
	uint32_t	used;
	int32_t		pid;
	uint32_t	proc;
	uint32_t	room;		/* room index */
	char		nick[CHAT_NAME_MAX + 1];
};

struct bus_hdr {
	uint64_t		magic;
	struct chat_bus_limits	lim;
	uint64_t		mask;		/* ring_size - 1 */
	uint32_t		index_mask;
	pthread_mutex_t		lock;
	uint64_t		head, tail;	/* ring positions (atomic) */
	uint64_t		seq;		/* records published (atomic) */
	uint64_t		guest;		/* next guest number */
	uint32_t		nclients, nrooms;	/* (atomic) */
	uint32_t		client_hint;	/* where to look for a free client */
};

struct chat_bus {
	struct bus_hdr		*h;
	struct bus_proc		*procs;
	struct bus_room		*rooms;
	struct bus_client	*clients;
	uint32_t		*index;		/* client id + 1, 0 empty */
	char			*ring;
	size_t			 map_len;
};

static size_t
align_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

static size_t
pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* ---- names --------------------------------------------------------- */

int
chat_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > CHAT_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

static uint32_t
nick_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

/* ---- the nickname index (linear probing, backward-shift deletion) -- */

static uint32_t *
index_find(struct chat_bus *b, const char *nick)
{
	uint32_t mask = b->h->index_mask, i = nick_hash(nick) & mask;

	for (; b->index[i] != 0; i = (i + 1) & mask)
		if (strcasecmp(b->clients[b->index[i] - 1].nick, nick) == 0)
			return &b->index[i];
	return NULL;
}

static void
index_add(struct chat_bus *b, uint32_t id)
{
	uint32_t mask = b->h->index_mask, i = nick_hash(b->clients[id].nick) & mask;

	while (b->index[i] != 0)
		i = (i + 1) & mask;
	b->index[i] = id + 1;
}

static void
index_del(struct chat_bus *b, uint32_t *slot)
{
	uint32_t mask = b->h->index_mask, i = (uint32_t)(slot - b->index), j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (b->index[j] == 0)
			break;
		k = nick_hash(b->clients[b->index[j] - 1].nick) & mask;
		/* Move j back to the hole at i unless its home k lies in (i, j]. */
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			b->index[i] = b->index[j];
			i = j;
		}
	}
	b->index[i] = 0;
}

/* ---- the ring ------------------------------------------------------ */

/* Append one line, the concatenation of iov[0..n), to room ridx. Called
 * with the lock held; the only writer. */
static void
ring_append(struct chat_bus *b, unsigned ridx, const struct iovec *iov, int n)
{
	struct bus_hdr *h = b->h;
	struct bus_room *r = &b->rooms[ridx];
	size_t ring = h->lim.ring_size, len = 0, rec, left, off;
	uint64_t head = SHARED_GET(h->head), start, end;
	struct bus_rec hdr;
	char *p;
	int i;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	rec = BUS_HDR + align_up(len, BUS_ALIGN);
	off = head & h->mask;
	left = ring - off;
	start = left < rec ? head + left : head;	/* never straddle the end */
	end = start + rec;
	if (end > ring && end - ring > SHARED_GET(h->tail))
		SHARED_SET(h->tail, end - ring);
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* tail before the bytes */
	if (start != head && left >= BUS_HDR) {
		memset(&hdr, 0, sizeof(hdr));
		hdr.kind = BUS_REC_PAD;
		memcpy(b->ring + off, &hdr, sizeof(hdr));
	}
	hdr.seq = SHARED_GET(h->seq);
	hdr.room = BUS_ROOM_ID(ridx, r->gen);
	hdr.len = (uint32_t)len;
	hdr.room_seq = SHARED_GET(r->seq) + 1;
	hdr.kind = BUS_REC_LINE;
	p = b->ring + (start & h->mask);
	memcpy(p, &hdr, sizeof(hdr));
	for (p += BUS_HDR, i = 0; i < n; p += iov[i].iov_len, i++)
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
	SHARED_SET(r->seq, hdr.room_seq);
	SHARED_SET(h->seq, hdr.seq + 1);
	SHARED_RELEASE(h->head, end);	/* commit */
}

#define IOV(s)		{ (void *)(s), strlen(s) }
#define IOVN(s, n)	{ (void *)(s), (n) }

/* "* WHAT ROOM A[ B]\n" */
static void
announce(struct chat_bus *b, unsigned ridx, const char *what, const char *a,
    const char *c)
{
	struct iovec iov[] = { IOV("* "), IOV(what), IOV(" "), IOV(b->rooms[ridx].name),
	    IOV(" "), IOV(a), IOV(c ? " " : ""), IOV(c ? c : ""), IOV("\n") };

	ring_append(b, ridx, iov, (int)(sizeof(iov) / sizeof(iov[0])));
}

/* ---- lock and repair ----------------------------------------------- */

/* After a holder died: rebuild what is derived from the client table.
 * A half-made change to one client is either complete or ignored (`used`
 * is its last store); a record half-appended was never committed. */
static void
bus_repair(struct chat_bus *b)
{
	struct bus_hdr *h = b->h;
	uint32_t i, nclients = 0, nrooms = 0;

	memset(b->index, 0, ((size_t)h->index_mask + 1) * sizeof(*b->index));
	for (i = 0; i < h->lim.max_rooms; i++)
		b->rooms[i].members = 0;
	for (i = 0; i < h->lim.max_procs; i++)
		b->procs[i].nclients = 0;
	for (i = 0; i < h->lim.max_clients; i++) {
		struct bus_client *cl = &b->clients[i];

		if (!cl->used)
			continue;
		if (cl->room >= h->lim.max_rooms || !b->rooms[cl->room].used ||
		    cl->proc >= h->lim.max_procs || index_find(b, cl->nick) != NULL) {
			cl->used = 0;
			continue;
		}
		index_add(b, i);
		b->rooms[cl->room].members++;
		b->procs[cl->proc].nclients++;
		nclients++;
	}
	for (i = 0; i < h->lim.max_rooms; i++) {
		if (b->rooms[i].used && b->rooms[i].members == 0) {
			b->rooms[i].used = 0;
			b->rooms[i].gen++;
		}
		nrooms += b->rooms[i].used;
	}
	SHARED_SET(h->nclients, nclients);
	SHARED_SET(h->nrooms, nrooms);
}

int
chat_bus_lock(struct chat_bus *b)
{
	int rc = pthread_mutex_lock(&b->h->lock);

	if (rc == EOWNERDEAD) {
		bus_repair(b);
		rc = pthread_mutex_consistent(&b->h->lock);
	}
	return rc == 0 ? 0 : -1;
}

void
chat_bus_unlock(struct chat_bus *b)
{
	pthread_mutex_unlock(&b->h->lock);
}

/* Tell every process with chat clients that the ring moved: those whose
 * pending flag this call sets, or all of them when forced. */
static void
bus_wake_all(struct chat_bus *b, int force)
{
	unsigned i;
	pid_t pid;

	if (b->h->lim.wake_signal == 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the line, then the flags */
	for (i = 0; i < b->h->lim.max_procs; i++) {
		/* One load: a reap may zero the entry meanwhile, and kill(0)
		 * would signal our whole process group. */
		pid = SHARED_GET(b->procs[i].pid);
		if (SHARED_GET(b->procs[i].nclients) > 0 && pid > 0 &&
		    (SHARED_XCHG_SC(b->procs[i].pending, 1) == 0 ||
		    force))
			kill(pid, b->h->lim.wake_signal);
	}
}

static void
bus_wake(struct chat_bus *b)
{
	bus_wake_all(b, 0);
}

void
chat_bus_woken(struct chat_bus *b, unsigned proc)
{
	if (proc >= b->h->lim.max_procs)
		return;
	SHARED_SET_SC(b->procs[proc].pending, 0);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the flag, then the ring */
}

/* ---- rooms and clients (lock held) --------------------------------- */

/* The room named name, or -1. */
static int
room_find(struct chat_bus *b, const char *name)
{
	int i;

	for (i = 0; i < (int)b->h->lim.max_rooms; i++)
		if (b->rooms[i].used && strcmp(b->rooms[i].name, name) == 0)
			return i;
	return -1;
}

/* The room named name, created if need be; -1 if the table is full. */
static int
room_get(struct chat_bus *b, const char *name)
{
	int i, free_i = -1;

	if ((i = room_find(b, name)) != -1)
		return i;
	for (i = 0; i < (int)b->h->lim.max_rooms && free_i == -1; i++)
		if (!b->rooms[i].used)
			free_i = i;
	if (free_i != -1) {
		struct bus_room *r = &b->rooms[free_i];

		r->members = 0;
		memcpy(r->name, name, strlen(name) + 1);
		r->used = 1;
		SHARED_SET(b->h->nrooms, SHARED_GET(b->h->nrooms) + 1);
	}
	return free_i;
}

static void
room_leave(struct chat_bus *b, unsigned ridx)
{
	struct bus_room *r = &b->rooms[ridx];

	if (--r->members == 0) {
		r->used = 0;
		r->gen = (r->gen + 1) & 0xffff;
		SHARED_SET(b->h->nrooms, SHARED_GET(b->h->nrooms) - 1);
	}
}

static int
client_alloc(struct chat_bus *b)
{
	struct bus_hdr *h = b->h;
	uint32_t i, id;

	for (i = 0; i < h->lim.max_clients; i++) {
		id = (h->client_hint + i) % h->lim.max_clients;
		if (!b->clients[id].used) {
			h->client_hint = id + 1;
			return (int)id;
		}
	}
	return -1;
}

static void
guest_nick(struct chat_bus *b, char *nick)
{
	do
		snprintf(nick, CHAT_NAME_MAX + 1, "guest%llu",
		    (unsigned long long)++b->h->guest);
	while (index_find(b, nick) != NULL);
}

/* Remove client id: announce the leave, free its name, room and slot. */
static void
client_remove(struct chat_bus *b, uint32_t id)
{
	struct bus_client *cl = &b->clients[id];
	uint32_t *slot = index_find(b, cl->nick);

	announce(b, cl->room, "leave", cl->nick, NULL);
	room_leave(b, cl->room);
	if (slot != NULL)
		index_del(b, slot);
	if (b->procs[cl->proc].nclients > 0)
		SHARED_SET(b->procs[cl->proc].nclients, b->procs[cl->proc].nclients - 1);
	cl->used = 0;
	SHARED_SET(b->h->nclients, SHARED_GET(b->h->nclients) - 1);
}

/* Whether m still owns its client slot (a robust repair or a reap may
 * have taken it). */
static int
member_valid(struct chat_bus *b, const struct chat_member *m)
{
	const struct bus_client *cl = &b->clients[m->id];

	return cl->used && strcmp(cl->nick, m->nick) == 0;
}

/* Take the lock for a call by m: CHAT_OK with the lock held, or
 * CHAT_EFULL without it if m lost its slot (reaped, or repaired away). */
static int
member_lock(struct chat_bus *b, const struct chat_member *m)
{
	if (chat_bus_lock(b) == -1)
		return CHAT_EFULL;
	if (!member_valid(b, m)) {
		chat_bus_unlock(b);
		return CHAT_EFULL;
	}
	return CHAT_OK;
}

/* Same, for a call naming something: name[len] must be valid and not cur
 * (CHAT_EINVAL, CHAT_ESAME); copied to out, terminated. */
static int
member_lock_name(struct chat_bus *b, const struct chat_member *m, const char *name,
    size_t len, const char *cur, char *out)
{
	if (!chat_name_valid(name, len))
		return CHAT_EINVAL;
	memcpy(out, name, len);
	out[len] = '\0';
	if (strcmp(out, cur) == 0)
		return CHAT_ESAME;
	return member_lock(b, m);
}

/* Put m (client cl) in room ridx, reading it from now on, and announce
 * the join: the member's own join line is the first it reads there. */
static void
member_join(struct chat_bus *b, struct chat_member *m, struct bus_client *cl, int ridx)
{
	struct bus_room *r = &b->rooms[ridx];

	cl->room = (uint32_t)ridx;
	r->members++;
	m->room = BUS_ROOM_ID(ridx, r->gen);
	m->since = SHARED_GET(b->h->seq);
	m->room_seq = r->seq;
	memcpy(m->room_name, r->name, sizeof(m->room_name));
	announce(b, (unsigned)ridx, "join", cl->nick, NULL);
}

/* ---- the public calls ---------------------------------------------- */

int
chat_bus_enter(struct chat_bus *b, struct chat_member *m, pid_t pid, unsigned proc)
{
	struct bus_client *cl;
	int id, ridx;

	if (proc >= b->h->lim.max_procs || chat_bus_lock(b) == -1)
		return CHAT_EFULL;
	if ((id = client_alloc(b)) == -1) {
		chat_bus_unlock(b);
		return CHAT_EFULL;
	}
	if ((ridx = room_get(b, CHAT_LOBBY)) == -1) {
		chat_bus_unlock(b);
		return CHAT_EROOMS;
	}
	memset(m, 0, sizeof(*m));
	cl = &b->clients[id];
	guest_nick(b, cl->nick);
	cl->pid = pid;
	cl->proc = proc;
	cl->room = (uint32_t)ridx;
	cl->used = 1;
	index_add(b, (uint32_t)id);
	if (SHARED_GET(b->procs[proc].pid) != pid) {
		/* pid first: a publisher that sees the flag clear signals it */
		SHARED_SET(b->procs[proc].pid, pid);
		SHARED_SET_SC(b->procs[proc].pending, 0);
	}
	SHARED_SET(b->procs[proc].nclients, b->procs[proc].nclients + 1);
	SHARED_SET(b->h->nclients, SHARED_GET(b->h->nclients) + 1);

	m->id = (unsigned)id;
	m->proc = proc;
	m->prev_room = BUS_NO_ROOM;
	m->cursor = SHARED_GET(b->h->head);
	memcpy(m->nick, cl->nick, sizeof(m->nick));
	member_join(b, m, cl, ridx);
	chat_bus_unlock(b);
	bus_wake(b);
	return CHAT_OK;
}

void
chat_bus_leave(struct chat_bus *b, struct chat_member *m)
{
	if (chat_bus_lock(b) == -1)
		return;
	if (member_valid(b, m))
		client_remove(b, m->id);
	chat_bus_unlock(b);
	bus_wake(b);
}

int
chat_bus_nick(struct chat_bus *b, struct chat_member *m, const char *name, size_t len)
{
	char nick[CHAT_NAME_MAX + 1], old[CHAT_NAME_MAX + 1];
	struct bus_client *cl = &b->clients[m->id];
	uint32_t *slot;
	int rc;

	if ((rc = member_lock_name(b, m, name, len, m->nick, nick)) != CHAT_OK)
		return rc;
	if ((slot = index_find(b, nick)) != NULL && *slot != m->id + 1) {
		chat_bus_unlock(b);
		return CHAT_ETAKEN;
	}
	if ((slot = index_find(b, cl->nick)) != NULL)
		index_del(b, slot);
	memcpy(old, cl->nick, sizeof(old));
	memcpy(cl->nick, nick, sizeof(nick));
	index_add(b, m->id);
	memcpy(m->nick, nick, sizeof(nick));
	announce(b, cl->room, "nick", old, nick);
	chat_bus_unlock(b);
	bus_wake(b);
	return CHAT_OK;
}

int
chat_bus_join(struct chat_bus *b, struct chat_member *m, const char *room, size_t len)
{
	char name[CHAT_NAME_MAX + 1];
	struct bus_client *cl = &b->clients[m->id];
	int rc;

	if ((rc = member_lock_name(b, m, room, len, m->room_name, name)) != CHAT_OK)
		return rc;
	/* A full table still lets the last member of a room move: its room
	 * is freed before the new one is made. */
	if (room_find(b, name) == -1 && SHARED_GET(b->h->nrooms) >= b->h->lim.max_rooms &&
	    b->rooms[cl->room].members > 1) {
		chat_bus_unlock(b);
		return CHAT_EROOMS;
	}
	m->prev_room = m->room;
	m->prev_since = m->since;
	m->prev_until = SHARED_GET(b->h->seq);	/* the leave line is not ours */
	announce(b, cl->room, "leave", cl->nick, NULL);
	room_leave(b, cl->room);
	member_join(b, m, cl, room_get(b, name));	/* cannot fail now */
	chat_bus_unlock(b);
	bus_wake(b);
	return CHAT_OK;
}

int
chat_bus_say(struct chat_bus *b, struct chat_member *m, const char *text, size_t len)
{
	struct iovec iov[] = { IOV(m->room_name), IOV(" "), IOV(m->nick), IOV(": "),
	    IOVN(text, len), IOV("\n") };

	if (len > b->h->lim.max_text)
		return CHAT_ELONG;
	if (member_lock(b, m) != CHAT_OK)
		return CHAT_EFULL;
	ring_append(b, b->clients[m->id].room, iov, (int)(sizeof(iov) / sizeof(iov[0])));
	chat_bus_unlock(b);
	bus_wake(b);
	return CHAT_OK;
}

/* ---- reading (no lock) --------------------------------------------- */

static int
member_wants(struct chat_member *m, const struct bus_rec *r)
{
	if (r->room == m->room && r->seq >= m->since)
		return 1;
	return r->room == m->prev_room && r->seq >= m->prev_since && r->seq < m->prev_until;
}

size_t
chat_bus_pending(const struct chat_bus *b, const struct chat_member *m)
{
	uint64_t head = SHARED_ACQUIRE(b->h->head);

	return head > m->cursor ? (size_t)(head - m->cursor) : 0;
}

int
chat_bus_check(struct chat_bus *b, const struct chat_member *m)
{
	const struct bus_room *r = &b->rooms[BUS_ROOM_IDX(m->room)];

	if (SHARED_ACQUIRE(b->h->tail) > m->cursor)
		return CHAT_ELAPPED;
	if (SHARED_GET(r->seq) - m->room_seq > b->h->lim.max_lag)
		return CHAT_ESLOW;
	return 0;
}

ssize_t
chat_bus_read(struct chat_bus *b, struct chat_member *m, char *dst, size_t cap,
    unsigned *nlines)
{
	struct bus_hdr *h = b->h;
	uint64_t head = SHARED_ACQUIRE(h->head);
	size_t ring = h->lim.ring_size, n = 0, off, left, step;
	struct bus_rec r;
	int want;

	*nlines = 0;
	while (m->cursor < head) {
		off = m->cursor & h->mask;
		left = ring - off;
		want = 0;
		if (left < BUS_HDR) {
			m->cursor += left;
			continue;
		}
		memcpy(&r, b->ring + off, sizeof(r));
		step = r.kind == BUS_REC_PAD ? left : BUS_HDR + align_up(r.len, BUS_ALIGN);
		if (step > left || (r.kind != BUS_REC_PAD && r.kind != BUS_REC_LINE))
			return CHAT_ELAPPED;	/* torn: overwritten under us */
		if (r.kind == BUS_REC_LINE && (want = member_wants(m, &r))) {
			if (n + r.len > cap)
				break;
			memcpy(dst + n, b->ring + off + BUS_HDR, r.len);
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the copy, then tail */
		if (SHARED_GET(h->tail) > m->cursor)
			return CHAT_ELAPPED;
		if (want) {
			n += r.len;
			++*nlines;
			if (r.room == m->room)
				m->room_seq = r.room_seq;
		}
		if (m->prev_room != BUS_NO_ROOM && r.kind == BUS_REC_LINE &&
		    r.seq + 1 >= m->prev_until)
			m->prev_room = BUS_NO_ROOM;
		m->cursor += step;
	}
	return chat_bus_check(b, m) == CHAT_ESLOW ? CHAT_ESLOW : (ssize_t)n;
}

size_t
chat_bus_line_max(const struct chat_bus *b)
{
	size_t say = 2 * CHAT_NAME_MAX + 4 + b->h->lim.max_text + 1;	/* "R N: T\n" */
	size_t note = 3 * CHAT_NAME_MAX + 16;			/* "* nick R O N\n" */

	return say > note ? say : note;
}

/* ---- listings ------------------------------------------------------ */

void
chat_bus_who(struct chat_bus *b, const struct chat_member *m,
    void (*fn)(void *arg, const char *nick), void *arg)
{
	uint32_t i, ridx = BUS_ROOM_IDX(m->room);

	if (chat_bus_lock(b) == -1)
		return;
	for (i = 0; i < b->h->lim.max_clients; i++)
		if (b->clients[i].used && b->clients[i].room == ridx)
			fn(arg, b->clients[i].nick);
	chat_bus_unlock(b);
}

void
chat_bus_rooms(struct chat_bus *b, void (*fn)(void *arg, const char *room,
    unsigned members), void *arg)
{
	uint32_t i;

	if (chat_bus_lock(b) == -1)
		return;
	for (i = 0; i < b->h->lim.max_rooms; i++)
		if (b->rooms[i].used)
			fn(arg, b->rooms[i].name, b->rooms[i].members);
	chat_bus_unlock(b);
}

int
chat_bus_reap(struct chat_bus *b, pid_t pid, int timeout_ms)
{
	struct timespec until;
	unsigned i;
	int n = 0, rc;

	if (pid <= 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	rc = timeout_ms > 0 ? pthread_mutex_clocklock(&b->h->lock, CLOCK_MONOTONIC, &until) :
	    pthread_mutex_trylock(&b->h->lock);
	if (rc == EOWNERDEAD) {
		bus_repair(b);
		rc = pthread_mutex_consistent(&b->h->lock);
	}
	if (rc != 0)
		return -1;
	for (i = 0; i < b->h->lim.max_clients; i++)
		if (b->clients[i].used && b->clients[i].pid == pid) {
			client_remove(b, i);
			n++;
		}
	for (i = 0; i < b->h->lim.max_procs; i++)
		if (b->procs[i].pid == pid) {
			SHARED_SET(b->procs[i].nclients, 0);
			SHARED_SET(b->procs[i].pid, 0);
			SHARED_SET(b->procs[i].pending, 0);
		}
	chat_bus_unlock(b);
	bus_wake_all(b, 1);
	return n;
}

void
chat_bus_stats(struct chat_bus *b, struct chat_bus_stats *st)
{
	st->published = SHARED_GET(b->h->seq);
	st->clients = SHARED_GET(b->h->nclients);
	st->rooms = SHARED_GET(b->h->nrooms);
}

/* ---- creation ------------------------------------------------------ */

static int
lock_init(pthread_mutex_t *mx)
{
	pthread_mutexattr_t a;
	int rc;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(mx, &a);
	pthread_mutexattr_destroy(&a);
	return rc;
}

struct chat_bus *
chat_bus_create(const struct chat_bus_limits *lim, char *err, size_t errlen)
{
	struct chat_bus *b;
	struct chat_bus_limits l = *lim;
	size_t o_procs, o_rooms, o_clients, o_index, o_ring, nindex, rec_max;
	char *base;

	rec_max = BUS_HDR + align_up(2 * CHAT_NAME_MAX + 4 + (size_t)l.max_text + 1, BUS_ALIGN);
	l.ring_size = pow2_at_least(l.ring_size < 4 * rec_max ? 4 * rec_max : l.ring_size);
	if (l.max_clients == 0 || l.max_clients > (1u << 20) || l.max_rooms == 0 ||
	    l.max_rooms > 65535 || l.max_procs == 0) {
		snprintf(err, errlen, "chat bus: limits out of range");
		return NULL;
	}
	nindex = pow2_at_least(2 * (size_t)l.max_clients);
	o_procs = align_up(sizeof(struct bus_hdr), 64);
	o_rooms = align_up(o_procs + l.max_procs * sizeof(struct bus_proc), 64);
	o_clients = align_up(o_rooms + l.max_rooms * sizeof(struct bus_room), 64);
	o_index = align_up(o_clients + l.max_clients * sizeof(struct bus_client), 64);
	o_ring = align_up(o_index + nindex * sizeof(uint32_t), 4096);
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errlen, "chat bus: out of memory");
		return NULL;
	}
	b->map_len = o_ring + l.ring_size;
	base = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "chat bus: mmap %zu bytes: %s", b->map_len, strerror(errno));
		free(b);
		return NULL;
	}
	b->h = (struct bus_hdr *)base;
	b->procs = (struct bus_proc *)(base + o_procs);
	b->rooms = (struct bus_room *)(base + o_rooms);
	b->clients = (struct bus_client *)(base + o_clients);
	b->index = (uint32_t *)(base + o_index);
	b->ring = base + o_ring;
	b->h->lim = l;
	b->h->mask = l.ring_size - 1;
	b->h->index_mask = (uint32_t)(nindex - 1);
	if (lock_init(&b->h->lock) != 0) {
		snprintf(err, errlen, "chat bus: cannot make a shared robust mutex");
		chat_bus_destroy(b);
		return NULL;
	}
	b->h->magic = BUS_MAGIC;
	return b;
}

void
chat_bus_destroy(struct chat_bus *b)
{
	if (b == NULL)
		return;
	munmap(b->h, b->map_len);
	free(b);
}

const struct chat_bus_limits *
chat_bus_get_limits(const struct chat_bus *b)
{
	return &b->h->lim;
}
