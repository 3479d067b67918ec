/*
 * ev_timer: the event MPM's timers, an inactivity timeout and an optional
 * absolute deadline per node, in monotonic milliseconds. A node is embedded
 * in its owner (the MPM's per-connection struct, found back container_of
 * style), so nothing here allocates per node, calls the kernel or knows
 * what a node stands for; only the heap's array is allocated.
 *
 * Inactivity: one FIFO list per distinct duration (EVT_NLISTS of them,
 * made on demand, reused once empty), so a list in last-activity order is
 * also in expiry order: a touch moves a node to the tail, expiry looks at
 * the heads only. A duration that finds no free list goes to the unsorted
 * overflow list, and its expiry is filed in the heap instead. Deadlines
 * are arbitrary absolute times: a binary min-heap, O(log n) to set, move
 * or drop, O(1) to find the earliest.
 *
 * Invariants (the unit test checks each):
 *   - Every added node is on exactly one list, list[n->q]. On a list
 *     q < EVT_NLISTS, n->tmo == list[q].ms and the members are in `last`
 *     order, least recently active first. No two such lists share a ms.
 *   - heap.h[0, heap.n) is a min-heap on due, and h[i].n->hidx == i; a node
 *     not in the heap has hidx == -1.
 *   - After evt_update(), a node is in the heap iff it has a deadline or is
 *     on the overflow list, keyed by the earlier of its deadline and
 *     (overflow only) last + tmo. evt_touch() leaves that key stale (too
 *     early, never too late) until the next evt_update().
 * Callers may walk a list (list[q].head, n->next); all else is the module's.
 */
#ifndef MSERVER_EV_TIMER_H
#define MSERVER_EV_TIMER_H

#include <stdint.h>

#define EVT_NLISTS	8		/* inactivity durations with a FIFO each */
#define EVT_OVERFLOW	EVT_NLISTS	/* list[] index of the overflow list */
#define EVT_NEVER	INT64_MAX	/* evt_next(): no timer at all */
#define EVT_HEAP_MAX	(1u << 27)	/* nodes the heap holds: hidx's range */

struct evt_node {
	struct evt_node	*prev, *next;	/* on list[q] */
	int64_t		 last;		/* last activity */
	int		 tmo;		/* inactivity timeout in force */
	signed int	 hidx:28;	/* index in the heap, or -1 */
	unsigned	 q:4;		/* the list it is on */
};

struct evt_list {
	int		 ms;		/* every member's tmo (not the overflow's) */
	struct evt_node	*head, *tail;
};

struct evt_hent {
	int64_t		 due;
	struct evt_node	*n;
};

struct evt_timers {
	struct evt_list	 list[EVT_NLISTS + 1];	/* + the overflow list */
	struct evt_hent	*h;			/* the heap */
	unsigned	 n, cap;
};

/* A zeroed struct evt_timers is ready; evt_free() releases the heap. */
void	evt_free(struct evt_timers *t);

/* Add n (on no list) as the newest of duration ms, no deadline. */
void	evt_add(struct evt_timers *t, struct evt_node *n, int ms, int64_t now);
/* Take n out of its list and the heap. */
void	evt_del(struct evt_timers *t, struct evt_node *n);
/* n made progress: it becomes the most recently active of its list. */
void	evt_touch(struct evt_timers *t, struct evt_node *n, int64_t now);
/* Set n's duration (a change counts from now) and deadline (0: none).
 * Returns 0, or -1 out of memory (n stays on a list: evt_del() it). */
int	evt_update(struct evt_timers *t, struct evt_node *n, int ms,
	    int64_t deadline, int64_t now);

/* The earliest time a timer fires, or EVT_NEVER. */
int64_t	evt_next(const struct evt_timers *t);
/* A node whose time has come at now, or NULL: the heads of the lists in
 * index order, then the heap's top. *from_heap says which (a heap node's
 * owner tells a deadline from an overflow timeout). The caller must
 * evt_del() it before asking again. */
struct evt_node *evt_expired(const struct evt_timers *t, int64_t now, int *from_heap);

#endif
