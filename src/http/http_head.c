/*
 * http_head: the request-head parser; see http_head.h.
 *
 * The parser makes one pass over the head. Each line is scanned with the
 * byte-class table (http_chars.h) and never beyond the region the limits
 * allow (max_line or max_header, plus 2 for a CRLF), so a client can make
 * it read at most that much before it answers 414/431; running out of
 * input inside the region is "need more" unless the bytes already in
 * exceed a limit. Every syntax error is reported as soon as the offending
 * byte is in, complete head or not. Field semantics (Host, framing,
 * Connection, conditionals) are extracted while each field line is
 * parsed, so callers never rescan the head.
 *
 * Invariants: no function reads past bufend; no strlen on input; every
 * pointer stored in a struct http_request lies in [buf, buf + consumed).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <stddef.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "http/http_head.h"
#include "http/http_chars.h"

/* Internal results; the public values coincide. */
enum { R_ERR = HTTP_ERROR, R_MORE = HTTP_NEED_MORE, R_OK = 1 };

/* ---------------------------------------------------------------------
 * Small grammars of field values.
 */

static bool
all_tchar(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!IS(p[i], C_TCHAR))
			return false;
	return n > 0;
}

/* *( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) ) */
static bool
params_valid(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *s;

	for (;;) {
		while (p < end && IS(*p, C_WS))
			p++;
		if (p == end)
			return true;
		if (*p++ != ';')
			return false;
		while (p < end && IS(*p, C_WS))
			p++;
		for (s = p; p < end && IS(*p, C_TCHAR); p++)
			;
		if (p == s)
			return false;
		while (p < end && IS(*p, C_WS))
			p++;
		if (p == end || *p++ != '=')
			return false;
		while (p < end && IS(*p, C_WS))
			p++;
		if (p < end && *p == '"') {
			if ((p = quoted_end(p, end)) == NULL)
				return false;
			continue;
		}
		for (s = p; p < end && IS(*p, C_TCHAR); p++)
			;
		if (p == s)
			return false;
	}
}

/*
 * uri-host [ ":" port ] (RFC 3986 §3.2.2-3). An empty value is valid only
 * with allow_empty; need_port requires a non-empty port (authority-form).
 */
static bool
host_valid(const unsigned char *h, size_t n, bool allow_empty, bool need_port)
{
	size_t i = 0;

	if (n == 0)
		return allow_empty;
	if (h[0] == '[') {
		for (i = 1; i < n && h[i] != ']'; i++)
			if (!IS(h[i], C_HOST) && h[i] != ':')
				return false;
		if (i == n || i == 1)
			return false;
		i++;
	} else {
		while (i < n && IS(h[i], C_HOST))
			i++;
		if (i == 0)
			return false;
	}
	if (i == n)
		return !need_port;
	if (h[i++] != ':' || (need_port && i == n))
		return false;
	for (; i < n; i++)
		if (!IS(h[i], C_DIGIT))
			return false;
	return true;
}

/* ---------------------------------------------------------------------
 * The request parser.
 */

struct hp {
	const unsigned char	*buf, *bufend;
	const unsigned char	*p;	/* cursor */
	const unsigned char	*end;	/* end of the region a limit allows */
	const unsigned char	*line;	/* start of the current line */
	const unsigned char	*hstart; /* start of the header section */
	size_t			 max_line, max_header;
	struct http_request	*req;
	unsigned		 nhost, nims, nrange, nifrange, ninm;
	bool			 te_chunked;	/* "chunked" seen: must be last */
	bool			 te_unknown;	/* a coding other than chunked */
};

static int
fail(struct http_request *req, int status, const char *why)
{
	req->status = status;
	req->error = why;
	req->keep_alive = false;
	return R_ERR;
}

/* p + limit + 2 (room for CRLF), clipped to bufend. */
static const unsigned char *
region(const unsigned char *p, const unsigned char *bufend, size_t limit)
{
	size_t avail = (size_t)(bufend - p);
	size_t n = limit > SIZE_MAX - 2 ? SIZE_MAX : limit + 2;

	return p + (avail < n ? avail : n);
}

/* Bytes of an unterminated line so far, not counting a CR that may be the
 * first half of its CRLF. */
static size_t
partial_len(const unsigned char *line, const unsigned char *bufend)
{
	size_t n = (size_t)(bufend - line);

	return n > 0 && bufend[-1] == '\r' ? n - 1 : n;
}

/* Ran out of the region inside the request line. */
static int
rl_more(struct hp *hp)
{
	if (hp->end < hp->bufend ||
	    partial_len(hp->line, hp->bufend) > hp->max_line)
		return fail(hp->req, 414, "request line too long");
	return R_MORE;
}

/* Ran out of the region inside the header section. */
static int
hdr_more(struct hp *hp)
{
	size_t n;

	if (hp->end < hp->bufend)
		return fail(hp->req, 431, "header section too large");
	n = (size_t)(hp->line - hp->hstart) + partial_len(hp->line, hp->bufend);
	if (n > hp->max_header)
		return fail(hp->req, 431, "header section too large");
	return R_MORE;
}

/* RFC 9112 §2.2: ignore a few empty lines before the request line. */
static int
skip_empty_lines(struct hp *hp)
{
	const unsigned char *p = hp->p;
	int n;

	for (n = 0;; n++) {
		if (p == hp->bufend)
			return R_MORE;
		if (*p != '\r' && *p != '\n')
			break;
		if (n == HTTP_MAX_EMPTY_LINES)
			return fail(hp->req, 400, "too many empty lines");
		if (*p == '\r') {
			if (p + 1 == hp->bufend)
				return R_MORE;
			if (p[1] != '\n')
				return fail(hp->req, 400, "bare CR");
			p++;
		}
		p++;
	}
	hp->p = p;
	return R_OK;
}

static enum http_method
method_lookup(const unsigned char *m, size_t n)
{
	switch (n) {
	case 3:
		if (memcmp(m, "GET", 3) == 0)
			return HTTP_M_GET;
		if (memcmp(m, "PUT", 3) == 0)
			return HTTP_M_PUT;
		break;
	case 4:
		if (memcmp(m, "HEAD", 4) == 0)
			return HTTP_M_HEAD;
		if (memcmp(m, "POST", 4) == 0)
			return HTTP_M_POST;
		break;
	case 5:
		if (memcmp(m, "PATCH", 5) == 0)
			return HTTP_M_PATCH;
		if (memcmp(m, "TRACE", 5) == 0)
			return HTTP_M_TRACE;
		break;
	case 6:
		if (memcmp(m, "DELETE", 6) == 0)
			return HTTP_M_DELETE;
		break;
	case 7:
		if (memcmp(m, "OPTIONS", 7) == 0)
			return HTTP_M_OPTIONS;
		if (memcmp(m, "CONNECT", 7) == 0)
			return HTTP_M_CONNECT;
		break;
	}
	return HTTP_M_OTHER;
}

/* method SP */
static int
parse_method(struct hp *hp)
{
	const unsigned char *s = hp->p, *p = s;

	while (p < hp->end && IS(*p, C_TCHAR))
		p++;
	if (p == hp->end)
		return rl_more(hp);
	if (*p != ' ' || p == s)
		return fail(hp->req, 400, "invalid method");
	hp->req->method_str = (const char *)s;
	hp->req->method_len = (size_t)(p - s);
	hp->req->method = method_lookup(s, (size_t)(p - s));
	hp->p = p + 1;
	return R_OK;
}

/*
 * The hot loops skip whole blocks while every byte is in class, then let
 * the table decide byte by byte: 16 bytes with SSE2, else 8 (SWAR). The
 * SWAR tests are exact as a yes/no per word: with n a constant <= 128,
 * SWAR_LT(w, n) is nonzero iff some byte of w is < n, SWAR_GT(w, n)
 * (n <= 127) iff some byte is > n.
 */
#define SWAR_1		0x0101010101010101ULL
#define SWAR_80		0x8080808080808080ULL
#define SWAR_LT(w, n)	(((w) - SWAR_1 * (n)) & ~(w) & SWAR_80)
#define SWAR_GT(w, n)	((((w) + SWAR_1 * (127 - (n))) | (w)) & SWAR_80)
#define SWAR_HAS(w, c)	SWAR_LT((w) ^ (SWAR_1 * (c)), 1)

static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Advance over field-value bytes: no CTL but HTAB (HTAB: table path). */
static inline const unsigned char *
scan_value(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	const __m128i zero = _mm_setzero_si128();
	__m128i v, bad;
	int m;

	while (end - p >= 16) {
		v = _mm_loadu_si128((const void *)p);
		/* 0 <= v < 0x20 (signed: obs-text is negative), or DEL */
		bad = _mm_andnot_si128(_mm_cmplt_epi8(v, zero),
		    _mm_cmplt_epi8(v, sp));
		bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, del));
		if ((m = _mm_movemask_epi8(bad)) != 0) {
			p += __builtin_ctz((unsigned)m);
			goto tail;
		}
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t w = load64(p);

		if (SWAR_LT(w, 0x20) | SWAR_HAS(w, 0x7f))
			break;
		p += 8;
	}
#ifdef __SSE2__
tail:
#endif
	while (p < end && IS(*p, C_VALUE))
		p++;
	return p;
}

/* Advance over request-target bytes: VCHAR but '#'. */
static inline const unsigned char *
scan_target(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i excl = _mm_set1_epi8(0x21), del = _mm_set1_epi8(0x7f);
	const __m128i hash = _mm_set1_epi8('#');
	__m128i v, bad;
	int m;

	while (end - p >= 16) {
		v = _mm_loadu_si128((const void *)p);
		/* v < 0x21 (signed: also catches 0x80-0xff), DEL, '#' */
		bad = _mm_or_si128(_mm_cmplt_epi8(v, excl),
		    _mm_or_si128(_mm_cmpeq_epi8(v, del),
		    _mm_cmpeq_epi8(v, hash)));
		if ((m = _mm_movemask_epi8(bad)) != 0) {
			p += __builtin_ctz((unsigned)m);
			goto tail;
		}
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t w = load64(p);

		if (SWAR_LT(w, 0x21) | SWAR_GT(w, 0x7e) | SWAR_HAS(w, '#'))
			break;
		p += 8;
	}
#ifdef __SSE2__
tail:
#endif
	while (p < end && IS(*p, C_TARGET))
		p++;
	return p;
}

/* request-target SP */
static int
parse_target(struct hp *hp)
{
	const unsigned char *s = hp->p, *p = scan_target(s, hp->end);

	if (p == hp->end)
		return rl_more(hp);
	if (*p == '\r' || *p == '\n')
		return fail(hp->req, 400, "missing HTTP version");
	if (*p == '#')
		return fail(hp->req, 400, "fragment in request target");
	if (*p != ' ' || p == s)
		return fail(hp->req, 400, "invalid request target");
	hp->req->target = (const char *)s;
	hp->req->target_len = (size_t)(p - s);
	hp->p = p + 1;
	return R_OK;
}

/* HTTP-version line-end: "HTTP/" DIGIT "." DIGIT, then CRLF or LF. */
static int
parse_version(struct hp *hp)
{
	static const char pat[] = "HTTP/d.d";
	const unsigned char *p = hp->p, *eol;
	int i;

	for (i = 0; i < 8; i++) {
		if (p + i == hp->end)
			return rl_more(hp);
		if (pat[i] == 'd' ? !IS(p[i], C_DIGIT) : p[i] != pat[i])
			return fail(hp->req, 400, "malformed HTTP version");
	}
	eol = p + 8;
	if (eol == hp->end || (*eol == '\r' && eol + 1 == hp->end))
		return rl_more(hp);
	if (*eol == '\r' && eol[1] != '\n')
		return fail(hp->req, 400, "bare CR");
	if (*eol != '\r' && *eol != '\n')
		return fail(hp->req, 400, "malformed HTTP version");
	if ((size_t)(eol - hp->line) > hp->max_line)
		return fail(hp->req, 414, "request line too long");
	hp->req->version_major = p[5] - '0';
	hp->req->version_minor = p[7] - '0';
	if (hp->req->version_major != 1)
		return fail(hp->req, 505, "HTTP version not supported");
	hp->p = eol + (*eol == '\r' ? 2 : 1);
	return R_OK;
}

/* absolute-form: http[s]://authority[path-abempty][?query] */
static int
check_absolute(struct hp *hp)
{
	struct http_request *req = hp->req;
	const unsigned char *t = (const unsigned char *)req->target;
	const unsigned char *end = t + req->target_len, *a, *ae;

	if (req->target_len >= 7 && ieq(t, "http://", 7))
		a = t + 7;
	else if (req->target_len >= 8 && ieq(t, "https://", 8))
		a = t + 8;
	else
		return fail(req, 400, "invalid request target");
	for (ae = a; ae < end && *ae != '/' && *ae != '?'; ae++)
		if (*ae == '@')
			return fail(req, 400, "userinfo in request target");
	if (!host_valid(a, (size_t)(ae - a), false, false))
		return fail(req, 400, "invalid host in request target");
	req->form = HTTP_T_ABSOLUTE;
	req->host = (const char *)a;
	req->host_len = (size_t)(ae - a);
	req->path = (const char *)ae;
	req->path_len = (size_t)(end - ae);
	return R_OK;
}

/* RFC 9112 §3.2: which target forms go with which methods. */
static int
check_target(struct hp *hp)
{
	struct http_request *req = hp->req;
	const unsigned char *t = (const unsigned char *)req->target;
	size_t n = req->target_len;

	if (req->method == HTTP_M_CONNECT) {
		if (!host_valid(t, n, false, true))
			return fail(req, 400, "CONNECT needs authority-form");
		req->form = HTTP_T_AUTHORITY;
		return R_OK;
	}
	if (t[0] == '/') {
		req->form = HTTP_T_ORIGIN;
		req->path = req->target;
		req->path_len = n;
		return R_OK;
	}
	if (n == 1 && t[0] == '*') {
		if (req->method != HTTP_M_OPTIONS)
			return fail(req, 400, "asterisk-form without OPTIONS");
		req->form = HTTP_T_ASTERISK;
		return R_OK;
	}
	return check_absolute(hp);
}

static int
on_host(struct hp *hp, const unsigned char *v, size_t n)
{
	struct http_request *req = hp->req;

	if (++hp->nhost > 1)
		return fail(req, 400, "more than one Host");
	if (!host_valid(v, n, true, false))
		return fail(req, 400, "invalid Host");
	req->has_host = true;
	if (req->form != HTTP_T_ABSOLUTE) {
		req->host = (const char *)v;
		req->host_len = n;
	}
	return R_OK;
}

/* RFC 9112 §6.3: a list of identical valid values is that value. */
static int
on_content_length(struct hp *hp, const unsigned char *v, size_t n)
{
	struct http_request *req = hp->req;
	const unsigned char *p = v, *e;
	size_t el, i;
	uint64_t cl;
	bool any = false;

	while (list_next(&p, v + n, &e, &el)) {
		if (el == 0)
			continue;
		for (cl = 0, i = 0; i < el; i++) {
			if (!IS(e[i], C_DIGIT) || cl > (HTTP_MAX_CONTENT_LENGTH -
			    (uint64_t)(e[i] - '0')) / 10)
				return fail(req, 400, "invalid Content-Length");
			cl = cl * 10 + (uint64_t)(e[i] - '0');
		}
		if (req->has_content_length && cl != req->content_length)
			return fail(req, 400, "conflicting Content-Length");
		req->has_content_length = true;
		req->content_length = cl;
		any = true;
	}
	if (!any)
		return fail(req, 400, "invalid Content-Length");
	return R_OK;
}

/* RFC 9112 §6.1: chunked must be the last coding, and only once; any
 * other coding is one we do not implement (checked in finish()). */
static int
on_transfer_encoding(struct hp *hp, const unsigned char *v, size_t n)
{
	struct http_request *req = hp->req;
	const unsigned char *p = v, *e;
	size_t el, nl;
	bool any = false;

	while (list_next(&p, v + n, &e, &el)) {
		if (el == 0)
			continue;
		for (nl = 0; nl < el && IS(e[nl], C_TCHAR); nl++)
			;
		if (nl == 0 || !params_valid(e + nl, e + el))
			return fail(req, 400, "invalid Transfer-Encoding");
		if (hp->te_chunked)
			return fail(req, 400, "chunked is not the last coding");
		hp->te_chunked = nl == 7 && ieq(e, "chunked", 7);
		hp->te_unknown |= !hp->te_chunked;
		any = true;
	}
	if (!any)
		return fail(req, 400, "invalid Transfer-Encoding");
	req->has_transfer_encoding = true;
	req->chunked = hp->te_chunked;
	return R_OK;
}

static int
on_connection(struct hp *hp, const unsigned char *v, size_t n)
{
	struct http_request *req = hp->req;
	const unsigned char *p = v, *e;
	size_t el;

	while (list_next(&p, v + n, &e, &el)) {
		if (el == 0)
			continue;
		if (!all_tchar(e, el))
			return fail(req, 400, "invalid Connection");
		if (el == 5 && ieq(e, "close", 5))
			req->conn_close = true;
		else if (el == 10 && ieq(e, "keep-alive", 10))
			req->conn_keep_alive = true;
		else if (el == 7 && ieq(e, "upgrade", 7))
			req->conn_upgrade = true;
	}
	return R_OK;
}

static int
on_expect(struct hp *hp, const unsigned char *v, size_t n)
{
	const unsigned char *p = v, *e;
	size_t el;

	while (list_next(&p, v + n, &e, &el)) {
		if (el == 12 && ieq(e, "100-continue", 12))
			hp->req->expect_continue = true;
		else if (el > 0)
			hp->req->expect_other = true;
	}
	return R_OK;
}

/* Record the first occurrence of a field; *count counts them all. */
static int
on_single(unsigned *count, const char **dst, size_t *dlen,
    const unsigned char *v, size_t n)
{
	if ((*count)++ == 0) {
		*dst = (const char *)v;
		*dlen = n;
	}
	return R_OK;
}

/* Dispatch on the (case-insensitive) field name. */
static int
apply_field(struct hp *hp, const unsigned char *nm, size_t nl,
    const unsigned char *v, size_t n)
{
	struct http_request *req = hp->req;

	switch (nl) {
	case 4:
		if (ieq(nm, "host", 4))
			return on_host(hp, v, n);
		break;
	case 5:
		if (ieq(nm, "range", 5))
			return on_single(&hp->nrange, &req->range,
			    &req->range_len, v, n);
		break;
	case 6:
		if (ieq(nm, "expect", 6))
			return on_expect(hp, v, n);
		break;
	case 8:
		if (ieq(nm, "if-range", 8))
			return on_single(&hp->nifrange, &req->if_range,
			    &req->if_range_len, v, n);
		break;
	case 10:
		if (ieq(nm, "connection", 10))
			return on_connection(hp, v, n);
		break;
	case 13:
		if (ieq(nm, "if-none-match", 13))
			return on_single(&hp->ninm, &req->if_none_match,
			    &req->if_none_match_len, v, n);
		break;
	case 14:
		if (ieq(nm, "content-length", 14))
			return on_content_length(hp, v, n);
		break;
	case 17:
		if (ieq(nm, "transfer-encoding", 17))
			return on_transfer_encoding(hp, v, n);
		if (ieq(nm, "if-modified-since", 17))
			return on_single(&hp->nims, &req->if_modified_since,
			    &req->if_modified_since_len, v, n);
		break;
	}
	return R_OK;
}

/* field-name ":" OWS field-value OWS line-end; hp->p is not at a line end. */
static int
parse_field(struct hp *hp)
{
	struct http_request *req = hp->req;
	struct http_header *h;
	const unsigned char *nm = hp->p, *p = nm, *ne, *v, *ve;

	if (IS(*p, C_WS))
		return fail(req, 400, "obs-fold or whitespace before a field");
	if (req->nheaders == HTTP_MAX_HEADERS)
		return fail(req, 431, "too many header fields");
	while (p < hp->end && IS(*p, C_TCHAR))
		p++;
	if (p == hp->end)
		return hdr_more(hp);
	if (*p != ':' || p == nm)
		return fail(req, 400, IS(*p, C_WS) ?
		    "whitespace before colon" : "invalid field name");
	ne = p++;
	while (p < hp->end && IS(*p, C_WS))
		p++;
	v = p;
	p = ve = scan_value(p, hp->end);
	if (p == hp->end || (*p == '\r' && p + 1 == hp->end))
		return hdr_more(hp);
	if (*p == '\r' && p[1] != '\n')
		return fail(req, 400, "bare CR");
	if (*p != '\r' && *p != '\n')
		return fail(req, 400, "control character in field value");
	p += *p == '\r' ? 2 : 1;
	if ((size_t)(p - hp->hstart) > hp->max_header)
		return fail(req, 431, "header section too large");
	while (ve > v && IS(ve[-1], C_WS))
		ve--;
	h = &req->headers[req->nheaders++];
	h->name = (const char *)nm;
	h->name_len = (size_t)(ne - nm);
	h->value = (const char *)v;
	h->value_len = (size_t)(ve - v);
	hp->p = p;
	return apply_field(hp, nm, h->name_len, v, h->value_len);
}

static int
parse_headers(struct hp *hp)
{
	int r;

	hp->hstart = hp->p;
	hp->end = region(hp->p, hp->bufend, hp->max_header);
	for (;;) {
		hp->line = hp->p;
		if (hp->p == hp->end)
			return hdr_more(hp);
		if (*hp->p == '\n')
			break;
		if (*hp->p == '\r') {
			if (hp->p + 1 == hp->end)
				return hdr_more(hp);
			if (hp->p[1] != '\n')
				return fail(hp->req, 400, "bare CR");
			hp->p++;
			break;
		}
		if ((r = parse_field(hp)) != R_OK)
			return r;
	}
	/* Each field line was checked against max_header as it ended. */
	hp->p++;
	return R_OK;
}

/* Checks that need the whole head (RFC 9112 §3.2, §6.1, §6.3, §9.3). */
static int
finish(struct hp *hp)
{
	struct http_request *req = hp->req;

	if (hp->nims > 1)
		req->if_modified_since = NULL, req->if_modified_since_len = 0;
	if (hp->nrange > 1)
		req->range = NULL, req->range_len = 0;
	if (hp->nifrange > 1)
		req->if_range = NULL, req->if_range_len = 0;
	if (req->version_minor >= 1 && !req->has_host)
		return fail(req, 400, "missing Host");
	if (req->has_transfer_encoding) {
		if (!req->chunked)
			return fail(req, 400, "last transfer coding not chunked");
		if (req->has_content_length)
			return fail(req, 400,
			    "Transfer-Encoding with Content-Length");
		if (req->version_minor == 0)
			return fail(req, 400, "Transfer-Encoding in HTTP/1.0");
		/* The framing is sound, but a coding under chunked (gzip,
		 * identity, ...) would have to be undone: we cannot. */
		if (hp->te_unknown)
			return fail(req, 501, "transfer coding not implemented");
	}
	req->keep_alive = !req->conn_close &&
	    (req->version_minor >= 1 || req->conn_keep_alive);
	if (req->method == HTTP_M_OTHER)
		return fail(req, 501, "method not implemented");
	return R_OK;
}

int
http_parse_request(const char *buf, size_t len, size_t max_line,
    size_t max_header, struct http_request *req)
{
	struct hp hp;
	size_t n;
	int r;

	memset(req, 0, offsetof(struct http_request, headers));
	if (len == 0)
		return HTTP_NEED_MORE;
	memset(&hp, 0, sizeof(hp));
	hp.buf = hp.p = (const unsigned char *)buf;
	hp.bufend = hp.buf + len;
	hp.max_line = max_line;
	hp.max_header = max_header;
	hp.req = req;
	if ((r = skip_empty_lines(&hp)) != R_OK)
		return r;
	hp.line = hp.p;
	hp.end = region(hp.p, hp.bufend, max_line);
	if ((r = parse_method(&hp)) != R_OK ||
	    (r = parse_target(&hp)) != R_OK ||
	    (r = parse_version(&hp)) != R_OK ||
	    (r = check_target(&hp)) != R_OK ||
	    (r = parse_headers(&hp)) != R_OK ||
	    (r = finish(&hp)) != R_OK)
		return r;
	n = (size_t)(hp.p - hp.buf);
	if (n > INT_MAX)
		return fail(req, 431, "header section too large");
	return (int)n;
}

const char *
http_method_name(enum http_method m)
{
	static const char *const names[] = {
		"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE",
		"CONNECT", "PATCH", "OTHER"
	};

	return (unsigned)m <= HTTP_M_OTHER ? names[m] : "OTHER";
}
