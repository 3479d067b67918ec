/*
 * chat_bus: the chat's shared state, in one anonymous shared mapping that
 * the master creates before it forks the first worker (so every worker of
 * every generation maps the same pages at the same address):
 *
 *   - a ring of published lines in one global order (a byte ring of
 *     variable-size records; the oldest are overwritten);
 *   - presence: a client table (nickname, room, owning process) with a
 *     nickname index, and a room table with member counts;
 *   - a process table: which worker processes have chat clients, so that a
 *     publisher can wake them (kill(pid, wake_signal)), and whether each
 *     has a wake-up pending. A publisher signals a process only when it
 *     turns the pending flag from 0 to 1 (after committing its line, with
 *     a full fence between); the woken process clears the flag (full
 *     fence) before it reads the ring. So a line is either seen by the
 *     reader or followed by a new signal.
 *
 * The bus formats every line it publishes (the wire format of mserverd(8)):
 *     ROOM NICK: TEXT         a message
 *     * join ROOM NICK        NICK entered ROOM
 *     * leave ROOM NICK       NICK left ROOM
 *     * nick ROOM OLD NEW     OLD is now called NEW
 * Everything else a client sees (greeting, replies, errors) is private to
 * its connection and never passes through the bus.
 *
 * Locking and invariants:
 *   - One process-shared, robust mutex serialises every writer: publishing
 *     and every presence change. A holder that dies is detected by the next
 *     locker (EOWNERDEAD), which rebuilds the derived state (nickname
 *     index, room counts, process counts) from the client table and marks
 *     the mutex consistent. A record is committed by the last store of an
 *     append (head), so a publisher killed mid-append leaves no record.
 *   - Readers take no lock. Before overwriting old bytes a writer advances
 *     `tail` (release fence), then writes, then advances `head` (release).
 *     A reader copies a record and then re-reads tail (acquire fence): a
 *     copy of position p is valid iff p >= tail afterwards. A reader whose
 *     cursor fell below tail was lapped: it lost lines and is dropped.
 *   - Positions are 64-bit byte counts that never wrap; the ring offset is
 *     pos % ring_size (a power of two). Records are 8-byte aligned and
 *     never straddle the end of the ring.
 *   - Presence strings are written under the lock and read under it too,
 *     except by chat_bus_stats(), which reads counters only.
 */
#ifndef MSERVER_CHAT_BUS_H
#define MSERVER_CHAT_BUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CHAT_NAME_MAX	32	/* bytes of a nickname or room name */
#define CHAT_LOBBY	"lobby"

/* Results of the presence and publishing calls. */
enum chat_rc {
	CHAT_OK = 0,
	CHAT_EFULL = -1,	/* client table full */
	CHAT_ETAKEN = -2,	/* nickname in use */
	CHAT_EINVAL = -3,	/* not a valid nickname or room name */
	CHAT_EROOMS = -4,	/* room table full */
	CHAT_ESAME = -5,	/* already there / already called that */
	CHAT_ELONG = -6,	/* text too long for the bus */
	CHAT_ESLOW = -7,	/* reader more than max_lag lines behind its room */
	CHAT_ELAPPED = -8,	/* reader overwritten: lines lost */
};

struct chat_bus_limits {
	size_t		ring_size;	/* bytes, rounded up to a power of two */
	unsigned	max_clients;	/* <= 1 << 20 */
	unsigned	max_rooms;	/* <= 65535 */
	unsigned	max_procs;	/* process slots (the scoreboard's) */
	unsigned	max_text;	/* bytes of a message's text */
	unsigned	max_lag;	/* lines a reader may be behind its room */
	int		wake_signal;	/* sent to woken processes; 0: none */
};

/* A client's handle, private to the connection that owns it. */
struct chat_member {
	unsigned	id;		/* client table index */
	unsigned	proc;		/* owning process slot */
	uint32_t	room;		/* room id (index | reuse count << 16) */
	uint64_t	since;		/* first bus sequence of this room for us */
	uint32_t	prev_room;	/* the room left, until its lines are read */
	uint64_t	prev_since;	/* ... from this bus sequence */
	uint64_t	prev_until;	/* ... up to this one (excluded) */
	uint64_t	cursor;		/* ring position of the next record */
	uint32_t	room_seq;	/* room sequence of the last line read */
	char		nick[CHAT_NAME_MAX + 1];
	char		room_name[CHAT_NAME_MAX + 1];
};

struct chat_bus_stats {
	uint64_t	published;	/* lines put on the bus, ever */
	unsigned	clients;
	unsigned	rooms;
};

struct chat_bus;

/* Master, before fork: map and initialise. NULL with a message in err. */
struct chat_bus	*chat_bus_create(const struct chat_bus_limits *lim, char *err,
		    size_t errlen);
void		 chat_bus_destroy(struct chat_bus *b);
const struct chat_bus_limits *chat_bus_get_limits(const struct chat_bus *b);

/* A valid nickname or room name: 1..CHAT_NAME_MAX of [A-Za-z0-9_-]. */
int		 chat_name_valid(const char *s, size_t len);

/* Enter the server: a fresh guestN nickname, room CHAT_LOBBY, reading from
 * the current head (so the member's own join line is its first). pid and
 * proc identify the owning process (for wake-ups and chat_bus_reap()).
 * CHAT_EFULL or CHAT_EROOMS when a table is full. */
int		 chat_bus_enter(struct chat_bus *b, struct chat_member *m, pid_t pid,
		    unsigned proc);
/* Leave the server: announce the leave, free the nickname. */
void		 chat_bus_leave(struct chat_bus *b, struct chat_member *m);
/* Rename: CHAT_EINVAL, CHAT_ETAKEN (case-insensitive), CHAT_ESAME. */
int		 chat_bus_nick(struct chat_bus *b, struct chat_member *m,
		    const char *name, size_t len);
/* Move to a room (created on first join, freed when its last member
 * leaves): CHAT_EINVAL, CHAT_EROOMS, CHAT_ESAME. */
int		 chat_bus_join(struct chat_bus *b, struct chat_member *m,
		    const char *room, size_t len);
/* Publish "ROOM NICK: TEXT" to the member's room; CHAT_ELONG if text is
 * longer than max_text. */
int		 chat_bus_say(struct chat_bus *b, struct chat_member *m,
		    const char *text, size_t len);

/* Copy the lines due to m (its room's, and the previous room's up to the
 * leave) into dst, up to cap bytes (cap must hold one line of max_text:
 * chat_bus_line_max()). Returns the bytes copied (0: nothing new), or
 * CHAT_ELAPPED / CHAT_ESLOW. *nlines counts the lines copied. */
ssize_t		 chat_bus_read(struct chat_bus *b, struct chat_member *m, char *dst,
		    size_t cap, unsigned *nlines);
/* How many bytes of ring lie past m's cursor (0: nothing new; lines for
 * m take at most that much): one load, for a caller sizing a read. */
size_t		 chat_bus_pending(const struct chat_bus *b, const struct chat_member *m);
/* Whether m is still within limits without reading: 0, CHAT_ESLOW or
 * CHAT_ELAPPED. For a reader whose socket does not drain. */
int		 chat_bus_check(struct chat_bus *b, const struct chat_member *m);
/* The process in slot proc was woken (it received wake_signal) and is
 * about to read: publishers may signal it again. Until it says so, they
 * do not, so a busy process gets one signal per batch, not per line. */
void		 chat_bus_woken(struct chat_bus *b, unsigned proc);
/* Longest line the bus delivers, with its LF. */
size_t		 chat_bus_line_max(const struct chat_bus *b);

/* Under the lock, call fn for each member of m's room (who) or for each
 * room (rooms: name and member count). fn must not call the bus. */
void		 chat_bus_who(struct chat_bus *b, const struct chat_member *m,
		    void (*fn)(void *arg, const char *nick), void *arg);
void		 chat_bus_rooms(struct chat_bus *b,
		    void (*fn)(void *arg, const char *room, unsigned members), void *arg);

/* Master, after reaping pid: remove its clients (announcing the leaves)
 * and its process entry, and wake every process with clients (whatever
 * its pending flag: a publisher may have died between setting it and
 * signalling). Returns the number of clients removed, or -1 if the lock
 * was not free within timeout_ms (0: not at all; a holder stopped, not
 * dead): the caller tries again later rather than wedge. */
int		 chat_bus_reap(struct chat_bus *b, pid_t pid, int timeout_ms);

void		 chat_bus_stats(struct chat_bus *b, struct chat_bus_stats *st);

/* The bus lock, for tests (a holder that dies) and nothing else. */
int		 chat_bus_lock(struct chat_bus *b);
void		 chat_bus_unlock(struct chat_bus *b);

#endif
