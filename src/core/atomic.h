/*
 * atomic: the one idiom for a field that one process or thread writes
 * while others read it (the scoreboard, the chat bus, reference counts,
 * a flag read by another thread). Such a field is a plain integer --
 * never volatile, never _Atomic -- and every access to it goes through
 * these, so a shared access shows where it is made:
 *
 *   SHARED_GET(x), SHARED_SET(x, v)   relaxed: no torn values; a reader
 *                                     may see the value one update late
 *   SHARED_ADD(x, n)                  the single writer's add (a relaxed
 *                                     load and store, no locked op)
 *   SHARED_FETCH_ADD(x, n),           any number of writers: one atomic
 *   SHARED_FETCH_SUB(x, n)            read-modify-write, old value back
 *   SHARED_UNREF(x)                   drop a reference count by one, old
 *                                     value back; acquire-release, so the
 *                                     holder that drops the last one sees
 *                                     what every other holder did
 *   SHARED_ACQUIRE(x), SHARED_RELEASE(x, v)
 *                                     publish: what the writer stored
 *                                     before its release is seen by a
 *                                     reader after its acquire
 *   SHARED_GET_SC(x), SHARED_SET_SC(x, v), SHARED_XCHG_SC(x, v)
 *                                     sequentially consistent, for the
 *                                     flag-then-data handshakes that need
 *                                     a total order (chat wake-ups)
 *
 * Fences that order several fields stay __atomic_thread_fence() calls
 * at the place that needs them, with a comment saying what they order.
 */
#ifndef MSERVER_ATOMIC_H
#define MSERVER_ATOMIC_H

#define SHARED_GET(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define SHARED_SET(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define SHARED_ADD(x, n)	SHARED_SET(x, SHARED_GET(x) + (n))
#define SHARED_FETCH_ADD(x, n)	__atomic_fetch_add(&(x), (n), __ATOMIC_RELAXED)
#define SHARED_FETCH_SUB(x, n)	__atomic_fetch_sub(&(x), (n), __ATOMIC_RELAXED)
#define SHARED_UNREF(x)		__atomic_fetch_sub(&(x), 1, __ATOMIC_ACQ_REL)
#define SHARED_ACQUIRE(x)	__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define SHARED_RELEASE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define SHARED_GET_SC(x)	__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define SHARED_SET_SC(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define SHARED_XCHG_SC(x, v)	__atomic_exchange_n(&(x), (v), __ATOMIC_SEQ_CST)

#endif
