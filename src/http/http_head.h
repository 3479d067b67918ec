/*
 * http_head: the request-head parser (RFC 9110, RFC 9112): request line
 * and header fields, with the field semantics a server needs (Host,
 * message framing, Connection, Expect, conditionals) extracted on the way.
 *
 * http_parse_request() parses a whole request head at once. A caller that
 * gets HTTP_NEED_MORE reads more bytes and calls it again from the start of
 * the head; a complete head always parses in one call. The parse is strict:
 * whatever RFC 9112 lets a server reject is rejected, with the status code
 * the server must answer with in req->status. After any error the server
 * must close the connection once it has answered, because the framing of
 * what follows is unknown. Pointers stored in a struct http_request point
 * into the buffer that was parsed (or are NULL) and stay valid exactly as
 * long as that buffer does.
 */
#ifndef MSERVER_HTTP_HEAD_H
#define MSERVER_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 *   501  a well-formed head whose method is HTTP_M_OTHER, or whose
 *        Transfer-Encoding is well-framed (chunked last) but lists a
 *        coding other than chunked (RFC 9112 §6.1: not understood)
 *   505  HTTP major version other than 1
 * Line terminators are CRLF or a bare LF (RFC 9112 §2.2); a bare CR is 400.
 */
int	http_parse_request(const char *buf, size_t len, size_t max_line,
	    size_t max_header, struct http_request *req);

/* Method name for logs ("GET"...; "OTHER" for HTTP_M_OTHER). */
const char *http_method_name(enum http_method m);

#endif
