/*
 * outq_fail: allocation-failure injection for the output queue. It
 * defines outq_malloc(), which replaces the weak one of buf.c in the test
 * program that includes it (so include it in exactly one file of a
 * program). The replacement counts calls and fails the one numbered
 * outq_fail_at (counting from outq_fail_arm()); 0 never fails. What it
 * returns comes from malloc(), so buf.c's free() fits it.
 */
#ifndef MSERVER_OUTQ_FAIL_H
#define MSERVER_OUTQ_FAIL_H

#include <stdlib.h>

#include "conn/buf.h"

static unsigned outq_fail_at;		/* fail call number N (1-based); 0: none */
static unsigned outq_fail_calls;	/* calls since outq_fail_arm() */

/* Count calls from now on and fail call number n (0: none). */
static inline void
outq_fail_arm(unsigned n)
{
	outq_fail_at = n;
	outq_fail_calls = 0;
}

void *
outq_malloc(size_t n)
{
	if (++outq_fail_calls == outq_fail_at)
		return NULL;
	return malloc(n);
}

#endif
