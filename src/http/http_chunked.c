/*
 * http_chunked: the chunked body decoder; see http_chunked.h.
 *
 * One function per framing state, each taking one byte and told apart by
 * st->state through ck_states[]; chunk data is skipped in bulk by
 * http_chunked_consume() itself. Every framing byte counts against the
 * chunk-size line limit or, once the last chunk is in, the trailer limit,
 * so a client cannot make the decoder scan more than those bounds without
 * an answer. After an error the state stays CK_ERROR and nothing more is
 * consumed.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <string.h>

#include "http/http_chunked.h"
#include "http/http_chars.h"

enum ck_state {
	CK_SIZE0,	/* first hex digit of a chunk-size */
	CK_SIZE,	/* more hex digits */
	CK_SIZE_WS,	/* BWS after the size: only ";" may follow */
	CK_EXT,		/* chunk extensions up to CR */
	CK_SIZE_LF,	/* LF of the chunk-size line */
	CK_DATA,	/* chunk data (bulk) */
	CK_DATA_CR,	/* CRLF after chunk data */
	CK_DATA_LF,
	CK_TR_START,	/* start of a trailer line, or CR of the last line */
	CK_TR_NAME,	/* trailer field name up to ":" */
	CK_TR_VALUE,	/* trailer field value up to CR */
	CK_TR_LF,
	CK_FINAL_LF,	/* LF of the empty line that ends the body */
	CK_DONE,
	CK_ERROR
};

static int
ck_fail(struct http_chunked *st, const char *why)
{
	st->state = CK_ERROR;
	st->status = 400;
	st->error = why;
	return -1;
}

static int
ck_size0(struct http_chunked *st, unsigned char c)
{
	if (!IS(c, C_HEX))
		return ck_fail(st, "invalid chunk size");
	st->size = (uint64_t)hexval(c);
	st->state = CK_SIZE;
	return 0;
}

static int
ck_size(struct http_chunked *st, unsigned char c)
{
	if (IS(c, C_HEX)) {
		if (st->size > (uint64_t)HTTP_MAX_CONTENT_LENGTH >> 4)
			return ck_fail(st, "chunk size too large");
		st->size = st->size << 4 | (uint64_t)hexval(c);
	} else if (c == ';')
		st->state = CK_EXT;
	else if (IS(c, C_WS))
		st->state = CK_SIZE_WS;
	else if (c == '\r')
		st->state = CK_SIZE_LF;
	else
		return ck_fail(st, "invalid chunk size");
	return 0;
}

static int
ck_size_ws(struct http_chunked *st, unsigned char c)
{
	if (c == ';')
		st->state = CK_EXT;
	else if (!IS(c, C_WS))
		return ck_fail(st, "invalid chunk extension");
	return 0;
}

static int
ck_ext(struct http_chunked *st, unsigned char c)
{
	if (c == '\r')
		st->state = CK_SIZE_LF;
	else if (!IS(c, C_VALUE))
		return ck_fail(st, "invalid chunk extension");
	return 0;
}

static int
ck_size_lf(struct http_chunked *st, unsigned char c)
{
	if (c != '\n')
		return ck_fail(st, "missing LF after chunk size");
	st->line_len = 0;
	st->remaining = st->size;
	st->state = st->size == 0 ? CK_TR_START : CK_DATA;
	return 0;
}

static int
ck_data_cr(struct http_chunked *st, unsigned char c)
{
	if (c != '\r')
		return ck_fail(st, "missing CRLF after chunk data");
	st->state = CK_DATA_LF;
	return 0;
}

static int
ck_data_lf(struct http_chunked *st, unsigned char c)
{
	if (c != '\n')
		return ck_fail(st, "missing CRLF after chunk data");
	st->line_len = 0;
	st->state = CK_SIZE0;
	return 0;
}

static int
ck_tr_start(struct http_chunked *st, unsigned char c)
{
	if (c == '\r')
		st->state = CK_FINAL_LF;
	else if (IS(c, C_TCHAR))
		st->state = CK_TR_NAME;
	else
		return ck_fail(st, "invalid trailer field");
	return 0;
}

static int
ck_tr_name(struct http_chunked *st, unsigned char c)
{
	if (c == ':')
		st->state = CK_TR_VALUE;
	else if (!IS(c, C_TCHAR))
		return ck_fail(st, "invalid trailer field");
	return 0;
}

static int
ck_tr_value(struct http_chunked *st, unsigned char c)
{
	if (c == '\r')
		st->state = CK_TR_LF;
	else if (!IS(c, C_VALUE))
		return ck_fail(st, "invalid trailer field");
	return 0;
}

static int
ck_tr_lf(struct http_chunked *st, unsigned char c)
{
	if (c != '\n')
		return ck_fail(st, "bare CR in trailer");
	st->state = CK_TR_START;
	return 0;
}

static int
ck_final_lf(struct http_chunked *st, unsigned char c)
{
	if (c != '\n')
		return ck_fail(st, "bare CR after trailer");
	st->state = CK_DONE;
	return 0;
}

static int (*const ck_states[])(struct http_chunked *, unsigned char) = {
	[CK_SIZE0] = ck_size0,
	[CK_SIZE] = ck_size,
	[CK_SIZE_WS] = ck_size_ws,
	[CK_EXT] = ck_ext,
	[CK_SIZE_LF] = ck_size_lf,
	[CK_DATA_CR] = ck_data_cr,
	[CK_DATA_LF] = ck_data_lf,
	[CK_TR_START] = ck_tr_start,
	[CK_TR_NAME] = ck_tr_name,
	[CK_TR_VALUE] = ck_tr_value,
	[CK_TR_LF] = ck_tr_lf,
	[CK_FINAL_LF] = ck_final_lf,
};

void
http_chunked_init(struct http_chunked *st)
{
	memset(st, 0, sizeof(*st));
	st->state = CK_SIZE0;
	st->max_line = HTTP_CHUNK_LINE_MAX;
	st->max_trailer = HTTP_CHUNK_TRAILER_MAX;
}

bool
http_chunked_done(const struct http_chunked *st)
{
	return st->state == CK_DONE;
}

/* Count a framing byte against the line or trailer limit. */
static int
ck_count(struct http_chunked *st)
{
	if (st->state >= CK_TR_START) {
		if (++st->trailer_len > st->max_trailer)
			return ck_fail(st, "trailer section too large");
	} else if (++st->line_len > st->max_line)
		return ck_fail(st, "chunk size line too long");
	return 0;
}

ssize_t
http_chunked_consume(struct http_chunked *st, const char *buf, size_t len,
    size_t *body_bytes)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, body = 0, n;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	while (i < len && st->state != CK_DONE && st->state != CK_ERROR) {
		if (st->state == CK_DATA) {
			n = len - i;
			if (n > st->remaining)
				n = (size_t)st->remaining;
			i += n;
			body += n;
			st->total += n;
			if ((st->remaining -= n) == 0)
				st->state = CK_DATA_CR;
			continue;
		}
		if (ck_count(st) < 0 || ck_states[st->state](st, p[i]) < 0)
			break;
		i++;
	}
	if (body_bytes != NULL)
		*body_bytes = body;
	if (st->state == CK_ERROR)
		return HTTP_ERROR;
	return (ssize_t)i;
}
