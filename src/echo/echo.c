/*
 * echo: the Echo protocol (RFC 862). Every byte received is queued back,
 * unchanged. The MPM stops reading while the output queue is above its
 * high-water mark, so a client that sends without reading cannot grow the
 * queue without bound.
 */
#include "config.h"

#include "conn/buf.h"
#include "conn/conn.h"
#include "core/proto.h"
#include "echo/echo.h"

static int
echo_open(struct conn *c)
{
	return PROTO_OK;
}

static int
echo_input(struct conn *c)
{
	size_t n = buf_len(&c->in);

	if (outq_append(&c->out, buf_ptr(&c->in), n) == -1)
		return PROTO_ABORT;
	buf_consume(&c->in, n);
	return PROTO_OK;
}

/* An echo stream has no request boundary: a draining server lets it run
 * until the client closes or graceful_timeout ends it. */
static int
echo_drain(struct conn *c)
{
	return PROTO_OK;
}

static void
echo_close(struct conn *c)
{
}

const struct proto_ops echo_proto = {
	.name = "echo",
	.open = echo_open,
	.input = echo_input,
	.drain = echo_drain,
	.close = echo_close,
	.pull = NULL,
	.child_init = NULL,
	.child_reopen = NULL,
	.child_flush = NULL,
	.child_woken = NULL,
};
