/*
 * http_parse: sans-I/O HTTP/1.1 request parsing (RFC 9110, RFC 9112).
 *
 * Every function here is pure: it reads the caller's bytes, writes only to
 * the caller's structures, never allocates, never blocks and never keeps
 * state between calls except in the caller-owned struct http_chunked.
 * Pointers stored in a struct http_request point into the buffer that was
 * parsed (or are NULL) and stay valid exactly as long as that buffer does.
 *
 * http_parse_request() parses a whole request head at once. A caller that
 * gets HTTP_NEED_MORE reads more bytes and calls it again from the start of
 * the head; a complete head always parses in one call. The parse is strict:
 * whatever RFC 9112 lets a server reject is rejected, with the status code
 * the server must answer with in req->status. After any error the server
 * must close the connection once it has answered, because the framing of
 * what follows is unknown.
 */
#ifndef MSERVER_HTTP_PARSE_H
#define MSERVER_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Return values of http_parse_request() and http_chunked_consume(). */
#define HTTP_NEED_MORE		0	/* incomplete, no error so far */
#define HTTP_ERROR		(-1)	/* see ->status and ->error */

#define HTTP_MAX_HEADERS	64	/* field lines per head; more is 431 */
#define HTTP_MAX_EMPTY_LINES	8	/* empty lines ignored before a request */
#define HTTP_MAX_CONTENT_LENGTH	INT64_MAX /* larger is 400 */

enum http_method {
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_TRACE,
	HTTP_M_CONNECT,
	HTTP_M_PATCH,
	HTTP_M_OTHER		/* a valid token we do not implement: 501 */
};

enum http_target_form {
	HTTP_T_ORIGIN,		/* "/path?query" */
	HTTP_T_ABSOLUTE,	/* "http://host/path?query" */
	HTTP_T_AUTHORITY,	/* "host:port", CONNECT only */
	HTTP_T_ASTERISK		/* "*", OPTIONS only */
};

struct http_header {
	const char	*name;		/* field name as received */
	size_t		 name_len;
	const char	*value;		/* leading and trailing OWS trimmed */
	size_t		 value_len;
};

/*
 * The result of http_parse_request(). Optional fields are NULL/0 when the
 * field is absent. Singleton fields (If-Modified-Since, If-Range, Range)
 * received more than once are reported absent: ignoring them is always a
 * correct answer. Of several If-None-Match lines only the first is reported
 * here (all are in headers[]); that can only turn a 304 into a 200.
 */
struct http_request {
	int			 status;	/* on HTTP_ERROR: 400 414 431 501 505 */
	const char		*error;		/* on HTTP_ERROR: static reason */

	enum http_method	 method;
	const char		*method_str;
	size_t			 method_len;
	enum http_target_form	 form;
	const char		*target;	/* the request-target as received */
	size_t			 target_len;
	const char		*path;		/* path and query (origin and absolute
						 * forms); may be empty for
						 * "http://host" */
	size_t			 path_len;
	int			 version_major;	/* always 1 on success */
	int			 version_minor;

	/* Host: from the Host field, or from an absolute-form target, which
	 * takes precedence (RFC 9112 §3.2.2). May be empty. */
	const char		*host;
	size_t			 host_len;
	bool			 has_host;	/* a Host field line was received */

	uint64_t		 content_length;
	bool			 has_content_length;
	bool			 has_transfer_encoding;
	bool			 chunked;	/* TE present: last coding chunked */

	bool			 conn_close;	/* Connection lists "close" */
	bool			 conn_keep_alive; /* ... "keep-alive" */
	bool			 conn_upgrade;	/* ... "upgrade" */
	bool			 keep_alive;	/* the connection may persist */
	bool			 expect_continue; /* Expect: 100-continue */
	bool			 expect_other;	/* Expect: anything else (417) */

	const char		*if_none_match;
	size_t			 if_none_match_len;
	const char		*if_modified_since;
	size_t			 if_modified_since_len;
	const char		*if_range;
	size_t			 if_range_len;
	const char		*range;
	size_t			 range_len;

	size_t			 nheaders;
	struct http_header	 headers[HTTP_MAX_HEADERS];	/* keep last */
};

/*
 * Parse the request head in buf[0, len).
 *
 * max_line bounds the request line (excluding its line terminator; more is
 * 414); max_header bounds the header section (the field lines with their
 * terminators, excluding the final empty line; more is 431). Both limits
 * are enforced as soon as the bytes received exceed them, complete or not.
 * Pass SIZE_MAX for no limit.
 *
 * Returns the length of the head (> 0, up to and including the empty line
 * that ends it; the body, if any, starts there), HTTP_NEED_MORE (0) if the
 * head is incomplete and no error has been seen yet, or HTTP_ERROR (-1)
 * with req->status set to the status to answer with:
 *   400  malformed syntax, missing or repeated Host, invalid or conflicting
 *        Content-Length, Transfer-Encoding with Content-Length or in an
 *        HTTP/1.0 request or whose last coding is not chunked
 *   414  request line longer than max_line
 *   431  header section longer than max_header or more than
 *        HTTP_MAX_HEADERS field lines
 *   501  a well-formed head whose method is HTTP_M_OTHER
 *   505  HTTP major version other than 1
 * Line terminators are CRLF or a bare LF (RFC 9112 §2.2); a bare CR is 400.
 */
int	http_parse_request(const char *buf, size_t len, size_t max_line,
	    size_t max_header, struct http_request *req);

/* Method name for logs ("GET"...; "OTHER" for HTTP_M_OTHER). */
const char *http_method_name(enum http_method m);

/*
 * Chunked body decoder (RFC 9112 §7.1) for reading and discarding a
 * request body. It keeps its state across calls, so input may be split
 * anywhere. Framing must use CRLF exactly (a bare LF is an error here: a
 * stricter reading than the head's, so that no front end can frame a body
 * differently from us). Chunk extensions and trailer fields are checked
 * for syntax and skipped.
 */
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

/*
 * Turn the path of a request target (path[, "?" query]) into a file system
 * path under "/": the query is stripped; %XX sequences are decoded (an
 * invalid one or %00 is 400; %2F becomes '/', so it cannot hide a
 * separator from the next step); dot-segments are removed (RFC 3986
 * §5.2.4) and empty segments collapsed. A path that would climb above the
 * root is 400. An empty path is "/". The result, NUL-terminated, goes to
 * out (outsz must exceed the input length by 1, else 414; the result is
 * never longer than the input). Returns 0 or an HTTP status code.
 */
int	http_path_normalize(const char *path, size_t len, char *out,
	    size_t outsz, size_t *outlen);

/*
 * HTTP dates (RFC 9110 §5.6.7), locale-independent, UTC only.
 * http_date_format() writes an IMF-fixdate, e.g.
 * "Sun, 06 Nov 1994 08:49:37 GMT", NUL-terminated (29 chars + NUL), and
 * returns 29. Years outside 0..9999 are clamped.
 * http_date_parse() accepts IMF-fixdate, rfc850-date and asctime-date and
 * returns 0, or -1 for anything else. A two-digit rfc850 year is placed in
 * the century that keeps it no more than 50 years after `now`
 * (http_date_parse() uses the current time).
 */
#define HTTP_DATE_LEN	29
size_t	http_date_format(time_t t, char out[HTTP_DATE_LEN + 1]);
int	http_date_parse(const char *s, size_t len, time_t *out);
int	http_date_parse_at(const char *s, size_t len, time_t now, time_t *out);

/*
 * Evaluate a Range field value (RFC 9110 §14.2) against a representation
 * of size bytes. Only a single byte range is honoured. Returns
 *   206  satisfiable: send bytes [*start, *end] (inclusive)
 *   416  a valid single range that is unsatisfiable
 *   200  anything else (other unit, several ranges, malformed): ignore the
 *        field and send the whole representation
 */
int	http_range_parse(const char *v, size_t len, uint64_t size,
	    uint64_t *start, uint64_t *end);

#endif
