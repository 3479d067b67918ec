/*
 * ev_timer: inactivity lists and the deadline heap; see ev_timer.h for
 * the invariants. Everything runs in the event loop's thread; nothing
 * logs (the caller says what an out-of-memory result means).
 */
#include "config.h"

#include <stdlib.h>

#include "mpm/ev_timer.h"

#define EVT_HEAP_MIN	64		/* first size of the heap */

/* ---- inactivity lists ---------------------------------------------- */

static void
evt_list_append(struct evt_list *l, struct evt_node *n)
{
	n->prev = l->tail;
	n->next = NULL;
	if (l->tail != NULL)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
}

static void
evt_list_remove(struct evt_list *l, struct evt_node *n)
{
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

/* The list for duration ms: the one that has it, else an empty one taken
 * over, else the overflow list. At most EVT_NLISTS steps. */
static unsigned
evt_list_for(struct evt_timers *t, int ms)
{
	unsigned i, spare = EVT_OVERFLOW;

	for (i = 0; i < EVT_NLISTS; i++) {
		if (t->list[i].ms == ms)
			return i;
		if (t->list[i].head == NULL && spare == EVT_OVERFLOW)
			spare = i;
	}
	if (spare != EVT_OVERFLOW)
		t->list[spare].ms = ms;
	return spare;
}

/* Put n, on no list, on the list of duration ms, as its newest. */
static void
evt_enter(struct evt_timers *t, struct evt_node *n, int ms, int64_t now)
{
	n->tmo = ms;
	n->q = evt_list_for(t, ms);
	n->last = now;
	evt_list_append(&t->list[n->q], n);
}

void
evt_add(struct evt_timers *t, struct evt_node *n, int ms, int64_t now)
{
	n->hidx = -1;
	evt_enter(t, n, ms, now);
}

void
evt_touch(struct evt_timers *t, struct evt_node *n, int64_t now)
{
	struct evt_list *l = &t->list[n->q];

	n->last = now;
	if (l->tail == n)
		return;
	evt_list_remove(l, n);
	evt_list_append(l, n);
}

/* ---- the heap ------------------------------------------------------ */

static void
evt_heap_place(struct evt_timers *t, unsigned i, struct evt_hent e)
{
	t->h[i] = e;
	e.n->hidx = (int)i;
}

static void
evt_heap_up(struct evt_timers *t, unsigned i)
{
	struct evt_hent e = t->h[i];

	while (i > 0 && t->h[(i - 1) / 2].due > e.due) {
		evt_heap_place(t, i, t->h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	evt_heap_place(t, i, e);
}

static void
evt_heap_down(struct evt_timers *t, unsigned i)
{
	struct evt_hent e = t->h[i];
	unsigned k;

	while ((k = 2 * i + 1) < t->n) {
		if (k + 1 < t->n && t->h[k + 1].due < t->h[k].due)
			k++;
		if (e.due <= t->h[k].due)
			break;
		evt_heap_place(t, i, t->h[k]);
		i = k;
	}
	evt_heap_place(t, i, e);
}

/* Restore the heap after h[i] changed. */
static void
evt_heap_fix(struct evt_timers *t, unsigned i)
{
	if (i > 0 && t->h[(i - 1) / 2].due > t->h[i].due)
		evt_heap_up(t, i);
	else
		evt_heap_down(t, i);
}

static void
evt_heap_del(struct evt_timers *t, struct evt_node *n)
{
	unsigned i = (unsigned)n->hidx;

	n->hidx = -1;
	if (i == --t->n)
		return;
	evt_heap_place(t, i, t->h[t->n]);
	evt_heap_fix(t, i);
}

static int
evt_heap_grow(struct evt_timers *t)
{
	unsigned cap = t->cap ? 2 * t->cap : EVT_HEAP_MIN;
	struct evt_hent *h;

	if (cap > EVT_HEAP_MAX)		/* hidx could not hold the index */
		return -1;
	if ((h = realloc(t->h, cap * sizeof(*h))) == NULL)
		return -1;
	t->h = h;
	t->cap = cap;
	return 0;
}

/* File n under due (0: take it out). Returns 0, or -1 out of memory. */
static int
evt_heap_set(struct evt_timers *t, struct evt_node *n, int64_t due)
{
	unsigned i;

	if (due == 0) {
		if (n->hidx >= 0)
			evt_heap_del(t, n);
		return 0;
	}
	if (n->hidx >= 0)
		i = (unsigned)n->hidx;
	else if (t->n < t->cap || evt_heap_grow(t) == 0)
		i = t->n++;
	else
		return -1;
	evt_heap_place(t, i, (struct evt_hent){ .due = due, .n = n });
	evt_heap_fix(t, i);
	return 0;
}

/* ---- the node's timers --------------------------------------------- */

/* When the heap must act on n: its deadline, or on the overflow list its
 * inactivity expiry if earlier; 0 for never. */
static int64_t
evt_due(const struct evt_node *n, int64_t deadline)
{
	int64_t due = deadline;

	if (n->q == EVT_OVERFLOW && (due == 0 || n->last + n->tmo < due))
		due = n->last + n->tmo;
	return due;
}

int
evt_update(struct evt_timers *t, struct evt_node *n, int ms, int64_t deadline,
    int64_t now)
{
	if (ms != n->tmo) {
		evt_list_remove(&t->list[n->q], n);
		evt_enter(t, n, ms, now);
	}
	return evt_heap_set(t, n, evt_due(n, deadline));
}

void
evt_del(struct evt_timers *t, struct evt_node *n)
{
	evt_list_remove(&t->list[n->q], n);
	if (n->hidx >= 0)
		evt_heap_del(t, n);
}

int64_t
evt_next(const struct evt_timers *t)
{
	int64_t due = EVT_NEVER;
	const struct evt_list *l;

	for (l = t->list; l < t->list + EVT_NLISTS; l++)
		if (l->head != NULL && l->head->last + l->ms < due)
			due = l->head->last + l->ms;
	if (t->n > 0 && t->h[0].due < due)
		due = t->h[0].due;
	return due;
}

struct evt_node *
evt_expired(const struct evt_timers *t, int64_t now, int *from_heap)
{
	const struct evt_list *l;

	*from_heap = 0;
	for (l = t->list; l < t->list + EVT_NLISTS; l++)
		if (l->head != NULL && now - l->head->last >= l->ms)
			return l->head;
	if (t->n > 0 && t->h[0].due <= now) {
		*from_heap = 1;
		return t->h[0].n;
	}
	return NULL;
}

void
evt_free(struct evt_timers *t)
{
	free(t->h);
	t->h = NULL;
	t->n = t->cap = 0;
}
