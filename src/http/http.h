/*
 * http: the HTTP/1.1 static file handler (protocol "http").
 *
 * Sans-I/O like every handler (proto.h): it parses requests out of c->in
 * with http_parse.h and queues responses on c->out -- headers as memory,
 * file bodies as file ranges that the MPM sends with sendfile(2) (small
 * files are read into the response so that head and body leave in one
 * write).
 */
#ifndef MSERVER_HTTP_H
#define MSERVER_HTTP_H

#include "core/proto.h"

/* Bodies up to this size are read into the response instead of being
 * sent with sendfile: one write for head and body, no descriptor held. */
#define HTTP_INLINE_MAX		(16 * 1024)
/* A request body larger than this is not read and discarded: the
 * connection is answered and closed instead. */
#define HTTP_DISCARD_MAX	(1024 * 1024)
/* Responses queued per input call before the handler waits for the
 * output queue to drain (CONN_MORE): bounds descriptors held open. */
#define HTTP_PIPELINE_MAX	16

extern const struct proto_ops http_proto;

#endif
