/*
 * buf: a connection's byte buffers.
 *
 * struct buf is a flat input buffer: bytes [start, end) are unread; it grows
 * on demand (up to what the caller allows) and compacts in place. struct
 * outq is the output queue: a FIFO of chunks, each either memory owned by
 * the queue or a byte range of a file to be sent with sendfile(2), held
 * through a struct fd_ref. Neither
 * does I/O: conn.c moves bytes between them and sockets.
 *
 * The output queue's error is sticky: the first append that fails (out of
 * memory) sets q->err, and nothing clears it while the queue lives (not
 * even outq_free(), which only drops the chunks), because what is queued
 * may then be a response head without its body. A handler need not check
 * each append: it checks outq_error() once where a response (or a batch
 * of output) is complete, and aborts the connection if it is set.
 */
#ifndef MSERVER_BUF_H
#define MSERVER_BUF_H

#include <stddef.h>
#include <sys/types.h>

struct buf {
	char	*data;
	size_t	 start, end, cap;
};

static inline size_t buf_len(const struct buf *b) { return b->end - b->start; }
static inline char  *buf_ptr(const struct buf *b) { return b->data + b->start; }

/* Make room for at least n more bytes after end; returns the write pointer
 * or NULL on allocation failure. */
char	*buf_reserve(struct buf *b, size_t n);
static inline void buf_commit(struct buf *b, size_t n) { b->end += n; }
void	 buf_consume(struct buf *b, size_t n);
int	 buf_append(struct buf *b, const void *p, size_t n);
void	 buf_free(struct buf *b);

/*
 * A file descriptor shared by its holders (the large-file cache, output
 * queues sending from it), closed by the last one to let go. Holders may
 * be threads of one process.
 */
struct fd_ref {
	unsigned		 refs;		/* SHARED_* (core/atomic.h) */
	int			 fd;
};

/* A reference to fd, which it now owns: refs holders. NULL (fd untouched)
 * on allocation failure. */
struct fd_ref	*fd_ref_new(int fd, unsigned refs);
void		 fd_ref_get(struct fd_ref *r);
void		 fd_ref_put(struct fd_ref *r);

struct out_chunk {
	struct out_chunk	*next;
	int			 fd;	/* -1: memory chunk */
	struct fd_ref		*ref;	/* file: the holder's reference */
	off_t			 off;	/* file: next offset to send */
	size_t			 len;	/* bytes still to send */
	size_t			 cap;	/* memory: capacity of mem[] */
	size_t			 pos;	/* memory: next byte to send */
	char			 mem[];
};

struct outq {
	struct out_chunk	*head, *tail;
	size_t			 bytes;	/* total still to send */
	int			 err;	/* sticky: an append failed */
};

/* Each of the following that fails (-1 or NULL) also sets q->err. */

int	 outq_append(struct outq *q, const void *p, size_t n);
int	 outq_printf(struct outq *q, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Room for n bytes at the end of the queue, to be filled in place and
 * then added with outq_commit(q, n). NULL on allocation failure. */
char	*outq_reserve(struct outq *q, size_t n);
void	 outq_commit(struct outq *q, size_t n);
/* Queue len bytes of r's file from off. The queue takes over the caller's
 * reference, and drops it also on failure (-1). */
int	 outq_append_file(struct outq *q, struct fd_ref *r, off_t off, size_t len);
/* Drop n sent bytes from the head. */
void	 outq_consume(struct outq *q, size_t n);
/* Drop every chunk (err stays as it is). */
void	 outq_free(struct outq *q);
static inline size_t outq_len(const struct outq *q) { return q->bytes; }
/* Whether an append has failed since the queue was made (sticky). */
static inline int outq_error(const struct outq *q) { return q->err; }

/* The allocator of the output queue (malloc). It is a weak symbol so that
 * a unit test can define its own and make chosen allocations fail; the
 * server never replaces it. */
void	*outq_malloc(size_t n);

#endif
