/*
 * http_parse: sans-I/O HTTP/1.1 request parsing (RFC 9110, RFC 9112), one
 * module per grammar; this header gathers them for callers that use
 * several:
 *   http_head.h     request line and header fields
 *   http_chunked.h  chunked request bodies
 *   http_path.h     request-target path to file system path
 *   http_date.h     HTTP dates
 *   http_range.h    Range against a representation
 *
 * Every function of these modules is pure: it reads the caller's bytes,
 * writes only to the caller's structures, never allocates, never blocks
 * and never keeps state between calls except in the caller-owned struct
 * http_chunked. They share one internal byte-class table (http_chars.h),
 * which nothing outside them includes.
 */
#ifndef MSERVER_HTTP_PARSE_H
#define MSERVER_HTTP_PARSE_H

#include "http/http_head.h"
#include "http/http_chunked.h"
#include "http/http_path.h"
#include "http/http_date.h"
#include "http/http_range.h"

#endif
