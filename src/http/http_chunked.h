/*
 * http_chunked: the chunked transfer-coding decoder (RFC 9112 §7.1) for
 * reading and discarding a request body. It keeps its state across calls
 * in the caller-owned struct http_chunked, so input may be split anywhere,
 * and consumes only framing and data: the bytes after the body belong to
 * the next request. Framing must use CRLF exactly (a bare LF is an error
 * here: a stricter reading than the head's, so that no front end can frame
 * a body differently from us). Chunk extensions and trailer fields are
 * checked for syntax and skipped.
 */
#ifndef MSERVER_HTTP_CHUNKED_H
#define MSERVER_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/http_head.h"	/* HTTP_ERROR, HTTP_MAX_CONTENT_LENGTH */

#define HTTP_CHUNK_LINE_MAX	4096	/* chunk-size line incl. extensions */
#define HTTP_CHUNK_TRAILER_MAX	8192	/* whole trailer section */

struct http_chunked {
	int		state;
	int		status;		/* on HTTP_ERROR: 400 */
	const char	*error;		/* on HTTP_ERROR: static reason */
	uint64_t	remaining;	/* data bytes left in this chunk */
	uint64_t	size;		/* size of the chunk being read */
	uint64_t	total;		/* payload bytes so far (for 413) */
	size_t		line_len;	/* bytes of the current framing line */
	size_t		trailer_len;	/* bytes of the trailer section */
	size_t		max_line;	/* defaults from http_chunked_init() */
	size_t		max_trailer;
};

void	http_chunked_init(struct http_chunked *st);

/*
 * Consume chunked framing and data from buf[0, len). Returns the number of
 * bytes consumed (all of len unless the body ended inside it; the bytes
 * after the body belong to the next request) or HTTP_ERROR with
 * st->status set. *body_bytes (if not NULL) receives the number of payload
 * bytes among those consumed. Once http_chunked_done() is true further
 * calls consume nothing.
 */
ssize_t	http_chunked_consume(struct http_chunked *st, const char *buf,
	    size_t len, size_t *body_bytes);
bool	http_chunked_done(const struct http_chunked *st);

#endif
