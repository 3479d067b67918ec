/*
 * buf: see buf.h. Memory chunks are at least OUT_CHUNK_MIN bytes so that
 * many small appends (response headers, chat lines) share one allocation.
 * Every allocation of the output queue goes through outq_malloc() and
 * every failure of an outq_ function sets q->err before it returns.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/buf.h"
#include "core/atomic.h"

#define BUF_MIN		16384
#define OUT_CHUNK_MIN	16384

char *
buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->end >= n)
		return b->data + b->end;
	if (b->start > 0) {
		memmove(b->data, b->data + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
		if (b->cap - b->end >= n)
			return b->data + b->end;
	}
	cap = b->cap ? b->cap : BUF_MIN;
	while (cap - b->end < n)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return NULL;
	b->data = p;
	b->cap = cap;
	return b->data + b->end;
}

void
buf_consume(struct buf *b, size_t n)
{
	b->start += n;
	if (b->start >= b->end)
		b->start = b->end = 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	char *w = buf_reserve(b, n);

	if (w == NULL)
		return -1;
	memcpy(w, p, n);
	b->end += n;
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->start = b->end = b->cap = 0;
}

/* Weak: a test may define its own (buf.h). A weak function is never
 * inlined, which costs one direct call per chunk. */
__attribute__((weak)) void *
outq_malloc(size_t n)
{
	return malloc(n);
}

static struct out_chunk *
chunk_new(struct outq *q, size_t cap)
{
	struct out_chunk *c = outq_malloc(sizeof(*c) + cap);

	if (c == NULL) {
		q->err = 1;
		return NULL;
	}
	c->next = NULL;
	c->fd = -1;
	c->ref = NULL;
	c->off = 0;
	c->len = 0;
	c->cap = cap;
	c->pos = 0;
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	return c;
}

/* Room at the end of the tail memory chunk, or a new chunk of at least n. */
static char *
outq_space(struct outq *q, size_t n)
{
	struct out_chunk *t = q->tail;

	if (t == NULL || t->fd != -1 || t->cap - (t->pos + t->len) < n)
		t = chunk_new(q, n > OUT_CHUNK_MIN ? n : OUT_CHUNK_MIN);
	return t ? t->mem + t->pos + t->len : NULL;
}

int
outq_append(struct outq *q, const void *p, size_t n)
{
	char *w;

	if (n == 0)
		return 0;
	if ((w = outq_space(q, n)) == NULL)
		return -1;
	memcpy(w, p, n);
	q->tail->len += n;
	q->bytes += n;
	return 0;
}

char *
outq_reserve(struct outq *q, size_t n)
{
	return outq_space(q, n);
}

void
outq_commit(struct outq *q, size_t n)
{
	q->tail->len += n;
	q->bytes += n;
}

int
outq_printf(struct outq *q, const char *fmt, ...)
{
	char small[512], *big;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		q->err = 1;
		return -1;
	}
	if ((size_t)n < sizeof(small))
		return outq_append(q, small, (size_t)n);
	if ((big = outq_malloc((size_t)n + 1)) == NULL) {
		q->err = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = outq_append(q, big, (size_t)n);
	free(big);
	return rc;
}

struct fd_ref *
fd_ref_new(int fd, unsigned refs)
{
	struct fd_ref *r = malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	r->refs = refs;		/* not shared yet */
	r->fd = fd;
	return r;
}

void
fd_ref_get(struct fd_ref *r)
{
	SHARED_FETCH_ADD(r->refs, 1);
}

void
fd_ref_put(struct fd_ref *r)
{
	if (SHARED_UNREF(r->refs) == 1) {
		close(r->fd);
		free(r);
	}
}

int
outq_append_file(struct outq *q, struct fd_ref *r, off_t off, size_t len)
{
	struct out_chunk *c = chunk_new(q, 0);

	if (c == NULL) {
		fd_ref_put(r);
		return -1;
	}
	c->fd = r->fd;
	c->ref = r;
	c->off = off;
	c->len = len;
	q->bytes += len;
	return 0;
}

static void
chunk_free_head(struct outq *q)
{
	struct out_chunk *c = q->head;

	q->head = c->next;
	if (q->head == NULL)
		q->tail = NULL;
	if (c->ref != NULL)
		fd_ref_put(c->ref);
	free(c);
}

void
outq_consume(struct outq *q, size_t n)
{
	q->bytes -= n;
	while (n > 0 && q->head != NULL) {
		struct out_chunk *c = q->head;
		size_t take = n < c->len ? n : c->len;

		c->len -= take;
		if (c->fd == -1)
			c->pos += take;
		else
			c->off += (off_t)take;
		n -= take;
		if (c->len == 0)
			chunk_free_head(q);
	}
	/* A drained memory tail is reused from the start. */
	while (q->head != NULL && q->head->len == 0)
		chunk_free_head(q);
}

void
outq_free(struct outq *q)
{
	while (q->head != NULL)
		chunk_free_head(q);
	q->bytes = 0;
}
