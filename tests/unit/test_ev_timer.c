/*
 * test_ev_timer: unit tests of the event MPM's timers (mpm/ev_timer.c,
 * compiled into this program; it is not part of the core library).
 *
 * Empty sets, FIFO order within a list, touching, removal from the head,
 * middle and tail, re-arming (a new duration, lists taken over once empty,
 * the overflow list and its heap key), deadlines set, moved and dropped,
 * expiry order, and a long random run of adds, touches, updates and
 * removals checked after every step against a plain array model: the
 * list and heap invariants of ev_timer.h, heap membership and keys, and
 * evt_next() against the minimum the model computes.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "mpm/ev_timer.h"

#define NN	200		/* nodes in the random run */

/* What the test knows of a node: the model the module must agree with. */
struct mnode {
	struct evt_node	 n;
	bool		 in;		/* added and not deleted */
	int		 ms;
	int64_t		 deadline;
	int64_t		 last;
};

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The heap key ev_timer.h promises for m (0: not in the heap). */
static int64_t
model_key(const struct mnode *m)
{
	int64_t key = m->deadline;

	if (m->n.q == EVT_OVERFLOW && (key == 0 || m->last + m->ms < key))
		key = m->last + m->ms;
	return key;
}

/* Every list: links both ways, q, tmo == ms, `last` order; no two lists
 * share a duration. Returns the number of nodes on the lists. */
static unsigned
check_lists(const struct evt_timers *t, int line)
{
	const struct evt_node *n, *prev;
	unsigned q, r, count = 0;

	for (q = 0; q <= EVT_OVERFLOW; q++) {
		prev = NULL;
		for (n = t->list[q].head; n != NULL; prev = n, n = n->next) {
			count++;
			check_at(n->prev == prev && n->q == q, line, "list %u: links or q", q);
			if (q == EVT_OVERFLOW)
				continue;
			check_at(n->tmo == t->list[q].ms, line, "list %u: tmo %d, ms %d",
			    q, n->tmo, t->list[q].ms);
			check_at(prev == NULL || prev->last <= n->last, line,
			    "list %u: not in last order", q);
		}
		check_at(t->list[q].tail == prev, line, "list %u: tail", q);
		for (r = 0; r < q && q < EVT_OVERFLOW; r++)
			check_at(t->list[q].head == NULL || t->list[r].head == NULL ||
			    t->list[q].ms != t->list[r].ms, line, "lists %u and %u share %d ms",
			    r, q, t->list[q].ms);
	}
	return count;
}

/* The heap property and hidx both ways. */
static void
check_heap(const struct evt_timers *t, int line)
{
	unsigned i;

	check_at(t->n <= t->cap, line, "heap: n %u > cap %u", t->n, t->cap);
	for (i = 0; i < t->n; i++) {
		check_at(t->h[i].n->hidx == (int)i, line, "heap: h[%u].n->hidx %d", i,
		    (int)t->h[i].n->hidx);
		if (i > 0)
			check_at(t->h[(i - 1) / 2].due <= t->h[i].due, line,
			    "heap: parent of %u is later", i);
	}
}

/* The module against the model: invariants, membership, keys, evt_next. */
static void
check_all(const struct evt_timers *t, const struct mnode *m, unsigned nm, int line)
{
	unsigned i, in = 0, inheap = 0;
	int64_t key, next = EVT_NEVER;

	check_heap(t, line);
	for (i = 0; i < nm; i++) {
		if (!m[i].in)
			continue;
		in++;
		check_at(m[i].n.tmo == m[i].ms && m[i].n.last == m[i].last, line,
		    "node %u: tmo %d last %" PRId64 ", model %d %" PRId64, i,
		    m[i].n.tmo, m[i].n.last, m[i].ms, m[i].last);
		key = model_key(&m[i]);
		if (m[i].n.q != EVT_OVERFLOW)
			next = min64(next, m[i].last + m[i].ms);
		if (key == 0) {
			check_at(m[i].n.hidx == -1, line, "node %u: in the heap", i);
			continue;
		}
		inheap++;
		next = min64(next, key);
		if (check_at(m[i].n.hidx >= 0 && (unsigned)m[i].n.hidx < t->n, line,
		    "node %u: not in the heap", i))
			check_at(t->h[m[i].n.hidx].due == key, line, "node %u: key %" PRId64
			    ", want %" PRId64, i, t->h[m[i].n.hidx].due, key);
	}
	check_at(check_lists(t, line) == in, line, "lists hold %u nodes", in);
	check_at(t->n == inheap, line, "heap holds %u, want %u", t->n, inheap);
	check_at(evt_next(t) == next, line, "evt_next %" PRId64 ", want %" PRId64,
	    evt_next(t), next);
}

#define CHECK_ALL(t, m)	check_all((t), (m), sizeof(m) / sizeof((m)[0]), __LINE__)

/* Model-keeping wrappers. */
static void
m_add(struct evt_timers *t, struct mnode *m, int ms, int64_t now)
{
	evt_add(t, &m->n, ms, now);
	*m = (struct mnode){ .n = m->n, .in = true, .ms = ms, .last = now };
}

static void
m_touch(struct evt_timers *t, struct mnode *m, int64_t now)
{
	evt_touch(t, &m->n, now);
	m->last = now;
}

static void
m_update(struct evt_timers *t, struct mnode *m, int ms, int64_t deadline, int64_t now)
{
	CU_ASSERT_FATAL(evt_update(t, &m->n, ms, deadline, now) == 0);
	if (ms != m->ms)
		m->last = now;
	m->ms = ms;
	m->deadline = deadline;
}

static void
m_del(struct evt_timers *t, struct mnode *m)
{
	evt_del(t, &m->n);
	m->in = false;
}

/* The order of a list, as indexes into m. */
static unsigned
list_order(const struct evt_timers *t, unsigned q, const struct mnode *m, unsigned *out)
{
	const struct evt_node *n;
	unsigned k = 0;

	for (n = t->list[q].head; n != NULL; n = n->next)
		out[k++] = (unsigned)((const struct mnode *)n - m);
	return k;
}

/* --------------------------------------------------------------------- */

static void
test_empty(void)
{
	struct evt_timers t;
	int heap = -1;

	memset(&t, 0, sizeof(t));
	CU_ASSERT(evt_next(&t) == EVT_NEVER);
	CU_ASSERT(evt_expired(&t, INT64_MAX / 2, &heap) == NULL);
	CU_ASSERT(heap == 0);
	evt_free(&t);
	evt_free(&t);		/* twice: a freed set is an empty one */
	CU_ASSERT(t.h == NULL && t.n == 0 && t.cap == 0);
}

static void
test_fifo_and_touch(void)
{
	struct evt_timers t;
	struct mnode m[4];
	unsigned order[4], k;

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	for (k = 0; k < 4; k++)
		m_add(&t, &m[k], 1000, 10 * k);
	CHECK_ALL(&t, m);
	CU_ASSERT(evt_next(&t) == 1000);
	m_touch(&t, &m[0], 50);
	m_touch(&t, &m[2], 60);
	m_touch(&t, &m[2], 70);		/* already the tail */
	CHECK_ALL(&t, m);
	CU_ASSERT(list_order(&t, m[0].n.q, m, order) == 4);
	CU_ASSERT(order[0] == 1 && order[1] == 3 && order[2] == 0 && order[3] == 2);
	CU_ASSERT(evt_next(&t) == 10 + 1000);
	evt_free(&t);
}

static void
test_remove(void)
{
	struct evt_timers t;
	struct mnode m[5];
	unsigned order[5], k, q;

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	for (k = 0; k < 5; k++)
		m_add(&t, &m[k], 500, k);
	q = m[0].n.q;
	m_del(&t, &m[2]);		/* middle */
	CHECK_ALL(&t, m);
	m_del(&t, &m[0]);		/* head */
	CHECK_ALL(&t, m);
	m_del(&t, &m[4]);		/* tail */
	CHECK_ALL(&t, m);
	CU_ASSERT(list_order(&t, q, m, order) == 2);
	CU_ASSERT(order[0] == 1 && order[1] == 3);
	CU_ASSERT(evt_next(&t) == 1 + 500);
	m_del(&t, &m[1]);
	m_del(&t, &m[3]);
	CHECK_ALL(&t, m);
	CU_ASSERT(t.list[q].head == NULL && t.list[q].tail == NULL);
	CU_ASSERT(evt_next(&t) == EVT_NEVER);
	evt_free(&t);
}

/* A new duration moves a node to another list and restarts its clock;
 * the same duration does not. An emptied list takes a new duration. */
static void
test_rearm(void)
{
	struct evt_timers t;
	struct mnode m[3];
	unsigned q;

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	m_add(&t, &m[0], 1000, 0);
	m_add(&t, &m[1], 1000, 0);
	q = m[0].n.q;
	m_update(&t, &m[0], 1000, 0, 400);
	CU_ASSERT(m[0].n.last == 0 && m[0].n.q == q);
	m_update(&t, &m[0], 300, 0, 400);
	CU_ASSERT(m[0].n.last == 400 && m[0].n.q != q);
	CHECK_ALL(&t, m);
	CU_ASSERT(evt_next(&t) == 700);
	m_update(&t, &m[1], 300, 0, 500);	/* joins m[0]'s list, after it */
	CU_ASSERT(m[1].n.q == m[0].n.q && m[0].n.next == &m[1].n);
	CHECK_ALL(&t, m);
	m_add(&t, &m[2], 2000, 600);		/* the emptied list is reused */
	CU_ASSERT(m[2].n.q == q && t.list[q].ms == 2000);
	CHECK_ALL(&t, m);
	evt_free(&t);
}

/* EVT_NLISTS durations fill the lists; one more overflows into the heap,
 * keyed by its inactivity expiry, re-keyed on update after a touch. */
static void
test_overflow(void)
{
	struct evt_timers t;
	struct mnode m[EVT_NLISTS + 2];
	struct evt_node *n;
	unsigned k;
	int heap;

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	for (k = 0; k < EVT_NLISTS; k++)
		m_add(&t, &m[k], 1000 + (int)k, 0);
	m_add(&t, &m[EVT_NLISTS], 100, 0);
	m_update(&t, &m[EVT_NLISTS], 100, 0, 0);	/* as the MPM does after add */
	CU_ASSERT(m[EVT_NLISTS].n.q == EVT_OVERFLOW);
	CHECK_ALL(&t, m);
	CU_ASSERT(evt_next(&t) == 100);
	m_touch(&t, &m[EVT_NLISTS], 50);
	CU_ASSERT(t.h[0].due == 100);		/* stale, too early, until update */
	m_update(&t, &m[EVT_NLISTS], 100, 0, 50);
	CHECK_ALL(&t, m);
	CU_ASSERT(evt_next(&t) == 150);
	m_update(&t, &m[EVT_NLISTS], 100, 120, 60);	/* deadline earlier */
	CU_ASSERT(evt_next(&t) == 120);
	CHECK_ALL(&t, m);
	n = evt_expired(&t, 150, &heap);
	CU_ASSERT(n == &m[EVT_NLISTS].n && heap == 1);
	m_del(&t, &m[EVT_NLISTS]);
	CU_ASSERT(evt_expired(&t, 150, &heap) == NULL);
	m_del(&t, &m[3]);			/* frees a list: no overflow now */
	m_add(&t, &m[EVT_NLISTS + 1], 100, 200);
	CU_ASSERT(m[EVT_NLISTS + 1].n.q == 3 && m[EVT_NLISTS + 1].n.hidx == -1);
	CHECK_ALL(&t, m);
	evt_free(&t);
}

static void
test_deadline(void)
{
	struct evt_timers t;
	struct mnode m[3];
	unsigned k;

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	for (k = 0; k < 3; k++)
		m_add(&t, &m[k], 10000, 0);
	m_update(&t, &m[0], 10000, 300, 0);
	m_update(&t, &m[1], 10000, 200, 0);
	m_update(&t, &m[2], 10000, 100, 0);
	CHECK_ALL(&t, m);
	CU_ASSERT(evt_next(&t) == 100 && t.h[0].n == &m[2].n);
	m_update(&t, &m[2], 10000, 400, 0);	/* moved later */
	CHECK_ALL(&t, m);
	CU_ASSERT(t.h[0].n == &m[1].n);
	m_update(&t, &m[0], 10000, 50, 0);	/* moved earlier */
	CHECK_ALL(&t, m);
	CU_ASSERT(t.h[0].n == &m[0].n);
	m_update(&t, &m[1], 10000, 0, 0);	/* dropped from the middle */
	CHECK_ALL(&t, m);
	CU_ASSERT(t.n == 2 && m[1].n.hidx == -1);
	m_del(&t, &m[0]);			/* removal drops the deadline */
	CHECK_ALL(&t, m);
	CU_ASSERT(t.n == 1 && evt_next(&t) == 400);
	evt_free(&t);
}

/* What expires at now, in the order evt_expired() gives it: list heads in
 * list order (each FIFO), then the heap by due; the rest stays. */
static void
test_expiry_order(void)
{
	struct evt_timers t;
	struct mnode m[9];
	struct evt_node *n;
	unsigned got[9], k = 0;
	int heap, heaps[9];

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	m_add(&t, &m[0], 100, 0);	/* list A: expires at 100 */
	m_add(&t, &m[1], 100, 50);	/* A: 150, just */
	m_add(&t, &m[2], 100, 80);	/* A: 180, stays */
	m_add(&t, &m[3], 50, 0);	/* list B: 50 */
	m_add(&t, &m[4], 50, 5);	/* B: 55 */
	m_add(&t, &m[5], 5000, 0);	/* list C with deadlines: 140 */
	m_update(&t, &m[5], 5000, 140, 0);
	m_add(&t, &m[6], 5000, 0);	/* C: 120 */
	m_update(&t, &m[6], 5000, 120, 0);
	m_add(&t, &m[7], 5000, 0);	/* C: 150, just */
	m_update(&t, &m[7], 5000, 150, 0);
	m_add(&t, &m[8], 5000, 0);	/* C: 151, stays */
	m_update(&t, &m[8], 5000, 151, 0);
	CHECK_ALL(&t, m);
	CU_ASSERT(evt_next(&t) == 50);
	while (k < 9 && (n = evt_expired(&t, 150, &heap)) != NULL) {
		got[k] = (unsigned)((struct mnode *)n - m);
		heaps[k++] = heap;
		m_del(&t, (struct mnode *)n);
		CHECK_ALL(&t, m);
	}
	CU_ASSERT_FATAL(k == 7);
	CU_ASSERT(got[0] == 0 && got[1] == 1 && got[2] == 3 && got[3] == 4);
	CU_ASSERT(heaps[0] == 0 && heaps[1] == 0 && heaps[2] == 0 && heaps[3] == 0);
	CU_ASSERT(got[4] == 6 && got[5] == 5 && got[6] == 7);
	CU_ASSERT(heaps[4] == 1 && heaps[5] == 1 && heaps[6] == 1);
	CU_ASSERT(m[2].in && m[8].in && evt_next(&t) == 151);
	evt_free(&t);
}

/* A small fixed-seed generator: the run is the same every time. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One random step on node i at time now. */
static void
random_step(struct evt_timers *t, struct mnode *m, uint64_t *seed, int64_t now)
{
	static const int durations[] = { 5, 10, 20, 30, 50, 80, 130, 210, 340, 550, 890 };
	int ms = durations[rnd(seed) % (sizeof(durations) / sizeof(durations[0]))];
	int64_t deadline = rnd(seed) % 3 == 0 ? 0 : now + (int64_t)(rnd(seed) % 1000);
	unsigned op = (unsigned)(rnd(seed) % 4);

	if (!m->in) {
		m_add(t, m, ms, now);
		m_update(t, m, ms, m->deadline, now);
	} else if (op == 0) {
		m_del(t, m);
	} else if (op == 1) {
		m_touch(t, m, now);
		m_update(t, m, m->ms, m->deadline, now);
	} else {
		m_update(t, m, op == 2 ? ms : m->ms, deadline, now);
	}
}

static void
test_random_model(void)
{
	static struct mnode m[NN];
	struct evt_timers t;
	struct evt_node *n;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	unsigned failures = CU_get_number_of_failures();
	int64_t now = 1;
	int heap, step;

	memset(&t, 0, sizeof(t));
	memset(m, 0, sizeof(m));
	for (step = 0; step < 20000; step++) {
		now += (int64_t)(rnd(&seed) % 3);
		random_step(&t, &m[rnd(&seed) % NN], &seed, now);
		if (step % 97 == 0) {	/* expire what is due, as the loop does */
			while ((n = evt_expired(&t, now, &heap)) != NULL) {
				if (heap) {
					CU_ASSERT_FATAL(model_key((struct mnode *)n) != 0 &&
					    model_key((struct mnode *)n) <= now);
				} else {
					CU_ASSERT_FATAL(n->q != EVT_OVERFLOW &&
					    n->last + n->tmo <= now);
				}
				m_del(&t, (struct mnode *)n);
			}
			CU_ASSERT(evt_next(&t) > now);
		}
		CHECK_ALL(&t, m);
		if (CU_get_number_of_failures() != failures) {
			fprintf(stderr, "random run failed at step %d\n", step);
			break;
		}
	}
	evt_free(&t);
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "empty", test_empty },
		{ "fifo order and touch", test_fifo_and_touch },
		{ "removal from head, middle, tail", test_remove },
		{ "re-arming and list reuse", test_rearm },
		{ "overflow list through the heap", test_overflow },
		{ "deadlines set, moved, dropped", test_deadline },
		{ "expiry order", test_expiry_order },
		{ "random run against a model", test_random_model },
	};

	return CUNIT_RUN("ev_timer", NULL, NULL, tests);
}
