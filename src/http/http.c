/*
 * http: the HTTP/1.1 static file handler (see http.h).
 *
 * One input call answers every complete request in c->in, in order
 * (pipelining), up to HTTP_PIPELINE_MAX or a full output queue, after which
 * it asks to be called again once the output has drained (CONN_MORE). A
 * connection is in one of three phases, each with its own timer:
 *
 *   idle     between requests: CONN_IDLE, keepalive_timeout
 *   head     a request head has begun: deadline request_timeout after
 *            its first byte, however steadily it trickles in
 *   body     a request body is being read and discarded (Content-Length
 *            or chunked), so that the next request is found where it is
 *
 * Invariants: responses are queued in request order and each is complete
 * (status line, headers, body) before the next begins; after a response
 * that says "Connection: close" nothing more is read or answered; every
 * error answer is a full response. The results of single appends to the
 * output queue are not checked: its error is sticky (buf.h), http_input()
 * stops at the first response that set it, and conn_apply() then aborts
 * the connection. Per-process state (the site) is set up by
 * http_child_init() and read-only afterwards, so worker threads share it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "http/alog.h"
#include "conn/buf.h"
#include "conn/child.h"
#include "core/conf.h"
#include "conn/conn.h"
#include "http/fcache.h"
#include "http/http.h"
#include "http/http_cond.h"
#include "http/http_parse.h"
#include "http/status_pages.h"
#include "core/log.h"
#include "http/mime.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

enum { DISCARD_NONE, DISCARD_LENGTH, DISCARD_CHUNKED };
enum { STEP_DONE, STEP_NEED_MORE, STEP_CLOSE };

struct http_conn {
	struct http_chunked	 chunked;
	uint64_t		 body_left;	/* Content-Length still to discard */
	uint64_t		 body_seen;	/* chunked body bytes discarded */
	unsigned		 nreq;		/* requests answered */
	unsigned char		 discard;	/* DISCARD_* */
	unsigned char		 in_head;	/* a head has begun */
	unsigned char		 draining;
};

/* What one response was, for the access log and the scoreboard. */
struct resp {
	int		 status;
	int		 keep;		/* the connection stays open after it */
	uint64_t	 body;		/* body bytes */
};

/* The site, per worker process. */
static struct {
	const struct conf_http	*cf;
	struct sb		*sb;
	struct mime		*mime;
	int			 root_fd;
	int			 beneath;	/* openat2(RESOLVE_BENEATH) works */
	char			*root_real;	/* for the fallback check */
	const char		*server;	/* "mserver/0.1.0" or "mserver" */
} site = { .root_fd = -1 };

/* ---- small helpers ------------------------------------------------ */

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default:  return "Unknown";
	}
}

/* The Date header value, formatted once per second per thread. */
static const char *
date_now(void)
{
	static __thread char date[HTTP_DATE_LEN + 1];
	static __thread time_t when = -1;
	time_t now = time(NULL);

	if (now != when) {
		http_date_format(now, date);
		when = now;
	}
	return date;
}

static const struct http_header *
find_header(const struct http_request *req, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < req->nheaders; i++)
		if (req->headers[i].name_len == len &&
		    strncasecmp(req->headers[i].name, name, len) == 0)
			return &req->headers[i];
	return NULL;
}

/* The request line as received (for the log and the scoreboard); the
 * head is still at the start of c->in. */
static size_t
request_line(const struct conn *c, const struct http_request *req, const char **line)
{
	const char *end = memchr(req->method_str, '\n',
	    (size_t)(buf_ptr(&c->in) + buf_len(&c->in) - req->method_str));
	size_t len;

	*line = req->method_str;
	len = end ? (size_t)(end - req->method_str) : req->method_len;
	if (len > 0 && (*line)[len - 1] == '\r')
		len--;
	return len;
}

static int
put(struct conn *c, const char *s, size_t n)
{
	return outq_append(&c->out, s, n);
}

#define PUTS(c, lit)	put((c), (lit), sizeof(lit) - 1)

/* ---- response heads ----------------------------------------------- */

/* Status line, Server, Date and the connection's fate. */
static void
head_begin(struct conn *c, struct resp *r, int version_minor)
{
	outq_printf(&c->out, "HTTP/1.1 %d %s\r\nServer: %s\r\nDate: %s\r\n",
	    r->status, reason(r->status), site.server, date_now());
	if (!r->keep)
		PUTS(c, "Connection: close\r\n");
	else if (version_minor == 0)
		PUTS(c, "Connection: keep-alive\r\n");
}

/* A complete response with a short HTML body: errors and redirects. */
static void
respond_simple(struct conn *c, struct resp *r, int version_minor, int head_only,
    const char *extra)
{
	char body[160];
	int n = snprintf(body, sizeof(body),
	    "<html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n",
	    r->status, reason(r->status), r->status, reason(r->status));

	head_begin(c, r, version_minor);
	if (extra != NULL)
		put(c, extra, strlen(extra));
	if (r->status == 304) {
		PUTS(c, "\r\n");
		return;
	}
	outq_printf(&c->out, "Content-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", n);
	if (!head_only) {
		put(c, body, (size_t)n);
		r->body = (uint64_t)n;
	}
}

/* ---- files -------------------------------------------------------- */

/* Open rel (no leading '/') under the document root; symlinks may not
 * lead out of it. -1 with errno (EXDEV/ELOOP for an escape). */
static int
open_beneath(const char *rel)
{
#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
	if (site.beneath) {
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
		    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };

		return (int)syscall(SYS_openat2, site.root_fd, rel, &how, sizeof(how));
	}
#endif
	{
		char link[64], real[PATH_MAX];
		size_t rl = strlen(site.root_real);
		ssize_t n;
		int fd;

		/* Fallback for kernels without openat2: open, then check where
		 * the descriptor itself leads (no second lookup to race). */
		if ((fd = openat(site.root_fd, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
			return -1;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		if ((n = readlink(link, real, sizeof(real) - 1)) == -1) {
			close(fd);
			errno = EACCES;		/* no /proc: cannot tell, refuse */
			return -1;
		}
		real[n] = '\0';
		if (rl > 1 && (strncmp(real, site.root_real, rl) != 0 ||
		    (real[rl] != '/' && real[rl] != '\0'))) {	/* a root of "/" holds all */
			close(fd);
			errno = EXDEV;
			return -1;
		}
		return fd;
	}
}

/* The decoded path p again as a URI path into dst (cap bytes, cap >= 1):
 * what is not unreserved, a sub-delimiter, ':', '@' or '/' becomes %XX,
 * so a name with '?', '#', '%', spaces or control bytes (CR LF) reads
 * back as itself. Returns the length written (cut at a whole escape). */
static size_t
uri_escape(char *dst, size_t cap, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;

		if (isalnum(ch) || strchr("-._~!$&'()*+,;=:@/", ch) != NULL) {
			if (n + 1 >= cap)
				break;
			dst[n++] = (char)ch;
		} else {
			if (n + 3 >= cap)
				break;
			dst[n++] = '%';
			dst[n++] = hex[ch >> 4];
			dst[n++] = hex[ch & 15];
		}
	}
	dst[n] = '\0';
	return n;
}

/* Any segment starting with '.' (dot-files, .git, ...). */
static int
hidden(const char *path)
{
	const char *p;

	for (p = path; (p = strchr(p, '/')) != NULL; p++)
		if (p[1] == '.')
			return 1;
	return 0;
}

static int
errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return 404;
	case EACCES:
	case EPERM:
	case EXDEV:
	case ELOOP:
		return 403;
	default:
		return 500;
	}
}

/* Queue [off, off+len) of file: inline when small, else as a sendfile
 * range (the queue then has the caller's reference). Returns 1 if the
 * reference was handed over. */
static int
queue_body(struct conn *c, struct fd_ref *file, off_t off, uint64_t len)
{
	char *w;
	ssize_t n;

	if (len > HTTP_INLINE_MAX) {
		outq_append_file(&c->out, file, off, (size_t)len);
		return 1;
	}
	if (len == 0 || (w = outq_reserve(&c->out, (size_t)len)) == NULL)
		return 0;
	n = pread(file->fd, w, (size_t)len, off);
	/* A file that shrank under us: pad, the length is already promised. */
	if (n < (ssize_t)len)
		memset(w + (n > 0 ? n : 0), 0, (size_t)len - (size_t)(n > 0 ? n : 0));
	outq_commit(&c->out, (size_t)len);
	return 0;
}

/* Answer with the file: its contents are data (cached) when not NULL,
 * else read from file, whose reference this drops or hands to the output
 * queue. */
static void
send_file(struct conn *c, const struct http_request *req, struct resp *r,
    struct fd_ref *file, const char *data, const struct stat *st, const char *path)
{
	char etag[48], lm[HTTP_DATE_LEN + 1];
	uint64_t start = 0, end = 0, len = (uint64_t)st->st_size;
	int rs = 200;

	http_etag(st, etag, sizeof(etag));
	if (http_range_applies(req, st, etag))
		rs = http_range_parse(req->range, req->range_len, (uint64_t)st->st_size, &start, &end);
	http_date_format(st->st_mtim.tv_sec, lm);
	r->status = http_not_modified(req, st, etag, time(NULL)) ? 304 : rs;
	if (r->status == 416) {
		char cr[64];

		if (file != NULL)
			fd_ref_put(file);
		snprintf(cr, sizeof(cr), "Content-Range: bytes */%llu\r\n", (unsigned long long)st->st_size);
		respond_simple(c, r, req->version_minor, req->method == HTTP_M_HEAD, cr);
		return;
	}
	if (r->status == 206)
		len = end - start + 1;
	head_begin(c, r, req->version_minor);
	outq_printf(&c->out, "Last-Modified: %s\r\nETag: %s\r\n", lm, etag);
	if (r->status == 304) {
		PUTS(c, "\r\n");
		if (file != NULL)
			fd_ref_put(file);
		return;
	}
	outq_printf(&c->out, "Content-Type: %s\r\nContent-Length: %llu\r\nAccept-Ranges: bytes\r\n",
	    mime_type(site.mime, path, strlen(path)), (unsigned long long)len);
	if (r->status == 206)
		outq_printf(&c->out, "Content-Range: bytes %llu-%llu/%llu\r\n",
		    (unsigned long long)start, (unsigned long long)end,
		    (unsigned long long)st->st_size);
	PUTS(c, "\r\n");
	if (req->method == HTTP_M_GET) {
		r->body = len;
		if (data != NULL)
			put(c, data + start, (size_t)len);
		else if (queue_body(c, file, (off_t)start, len))
			return;		/* the queue has the reference now */
	}
	if (file != NULL)
		fd_ref_put(file);
}

/* The index file of the directory path ("/dir/"), which becomes
 * "/dir/index.html". A directory without one is 403: no listings. */
static int
open_index(char *path, size_t plen, size_t cap, struct stat *st)
{
	int fd;

	snprintf(path + plen, cap - plen, "%s", site.cf->index);
	if ((fd = open_beneath(path + 1)) == -1)
		return errno == ENOENT ? -403 : -errno_status(errno);
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -403;
	}
	return fd;
}

/* The small-file cache: path (a directory's index for "/dir/") served
 * from memory if it is there and unchanged. 1 if answered, -1 with errno
 * if the name does not resolve, else 0. */
static int
serve_cached(struct conn *c, const struct http_request *req, struct resp *r,
    const char *path, size_t plen)
{
	char name[FCACHE_NAME_MAX + 1], full[FCACHE_NAME_MAX + 2];
	const char *data = NULL;
	struct fd_ref *file = NULL;
	struct stat st;
	int n, hit;

	n = snprintf(name, sizeof(name), "%s%s", path[1] ? path + 1 : "",
	    path[plen - 1] == '/' ? site.cf->index : "");
	if (n <= 0 || (size_t)n >= sizeof(name))
		return 0;
	if ((hit = fcache_lookup(site.root_fd, name, &st, &data)) == 0)
		hit = fcache_fd_lookup(site.root_fd, name, &st, &file);
	if (hit != 1)
		return path[plen - 1] == '/' ? 0 : hit;	/* no index: the slow path says why */
	snprintf(full, sizeof(full), "/%s", name);
	send_file(c, req, r, file, data, &st, full);
	return 1;
}

/* Open what path (plen bytes, in a buffer of cap) names under the root:
 * a regular file, or the index of a directory named with its trailing
 * '/', which path then names. Returns the descriptor with *st filled in,
 * or -status (-301 for a directory named without its '/'). */
static int
open_path(char *path, size_t plen, size_t cap, struct stat *st)
{
	int fd, status;

	if ((fd = open_beneath(path[1] ? path + 1 : ".")) == -1)
		return -errno_status(errno);
	if (fstat(fd, st) == -1) {
		status = errno_status(errno);
		close(fd);
		return -status;
	}
	if (S_ISDIR(st->st_mode)) {
		close(fd);
		return path[plen - 1] != '/' ? -301 : open_index(path, plen, cap, st);
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return -403;
	}
	return fd;
}

/* A directory named without its trailing '/': send the client there. */
static void
redirect_dir(struct conn *c, const struct http_request *req, struct resp *r,
    const char *path)
{
	char loc[3 * PATH_MAX + 64];
	size_t n;

	r->status = 301;
	memcpy(loc, "Location: ", 10);
	n = 10 + uri_escape(loc + 10, sizeof(loc) - 16, path);
	memcpy(loc + n, "/\r\n", 4);
	respond_simple(c, r, req->version_minor, req->method == HTTP_M_HEAD, loc);
}

/* Answer with the open regular file fd, which this takes over. Small
 * files are kept for the next request (this one is served from the copy
 * too, so head and body leave in one write), larger ones open. -1 when
 * memory ran out (fd closed, nothing queued), else 0. */
static int
serve_fd(struct conn *c, const struct http_request *req, struct resp *r, int fd,
    const struct stat *st, const char *path)
{
	struct fd_ref *file = NULL;
	const char *data;

	if ((data = fcache_store(path + 1, st, fd)) != NULL) {
		close(fd);
	} else if ((file = fcache_fd_store(path + 1, st, fd)) == NULL &&
	    (file = fd_ref_new(fd, 1)) == NULL) {
		close(fd);
		return -1;
	}
	send_file(c, req, r, file, data, st, path);
	return 0;
}

static void
serve_path(struct conn *c, const struct http_request *req, struct resp *r)
{
	char path[PATH_MAX + 64];
	struct stat st;
	size_t plen;
	int fd;

	if ((r->status = http_path_normalize(req->path, req->path_len, path, PATH_MAX, &plen)) != 0)
		goto error;
	if (hidden(path)) {
		r->status = 404;
		goto error;
	}
	switch (serve_cached(c, req, r, path, plen)) {
	case 1:
		return;
	case -1:
		r->status = errno_status(errno);
		goto error;
	}
	if ((fd = open_path(path, plen, sizeof(path), &st)) == -301) {
		redirect_dir(c, req, r, path);
		return;
	}
	if (fd < 0) {
		r->status = -fd;
		goto error;
	}
	if (serve_fd(c, req, r, fd, &st, path) == 0)
		return;
	r->status = 500;
error:
	respond_simple(c, r, req->version_minor, req->method == HTTP_M_HEAD, NULL);
}

/* ---- /server-status and /metrics ---------------------------------- */

static int
peer_allowed(const struct conn *c)
{
	unsigned char a[16];
	int i, fam = strchr(c->peer, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, c->peer, a) != 1)
		return 0;
	for (i = 0; i < site.cf->nallow; i++) {
		const struct conf_cidr *m = &site.cf->allow[i];
		int full = m->bits / 8, rest = m->bits % 8;

		if (m->family != fam || memcmp(a, m->addr, (size_t)full) != 0)
			continue;
		if (rest == 0 || ((a[full] ^ m->addr[full]) & (0xff << (8 - rest))) == 0)
			return 1;
	}
	return 0;
}

/* Returns 1 if the path was a status URL and has been answered. */
static int
serve_status(struct conn *c, const struct http_request *req, struct resp *r)
{
	static const char sp[] = "/server-status", mp[] = "/metrics";
	size_t len = req->path_len;
	const char *q = memchr(req->path, '?', len);
	enum status_page_fmt fmt;
	struct buf body = { 0 };

	if (q != NULL)
		len = (size_t)(q - req->path);
	if (site.cf->server_status && len == sizeof(sp) - 1 && memcmp(req->path, sp, len) == 0)
		fmt = q && strncmp(q, "?auto", 5) == 0 ? STATUS_PAGE_AUTO : STATUS_PAGE_HTML;
	else if (site.cf->metrics && len == sizeof(mp) - 1 && memcmp(req->path, mp, len) == 0)
		fmt = STATUS_PAGE_METRICS;
	else
		return 0;
	if (!peer_allowed(c)) {
		r->status = 403;
		respond_simple(c, r, req->version_minor, req->method == HTTP_M_HEAD, NULL);
		return 1;
	}
	r->status = status_page_render(&body, site.sb, fmt) == 0 ? 200 : 500;
	head_begin(c, r, req->version_minor);
	outq_printf(&c->out, "Content-Type: %s\r\nCache-Control: no-cache\r\nContent-Length: %zu\r\n\r\n",
	    status_page_type(fmt), buf_len(&body));
	if (req->method != HTTP_M_HEAD) {
		put(c, buf_ptr(&body), buf_len(&body));
		r->body = buf_len(&body);
	}
	buf_free(&body);
	return 1;
}

/* ---- one request -------------------------------------------------- */

static void
account(struct conn *c, const struct http_request *req, const struct resp *r)
{
	const struct http_header *ref = find_header(req, "Referer", 7);
	const struct http_header *ua = find_header(req, "User-Agent", 10);
	struct alog_rec a = { .peer = c->peer, .when = time(NULL),
	    .status = r->status, .bytes = r->body };

	a.request_len = request_line(c, req, &a.request);
	if (ref != NULL) {
		a.referer = ref->value;
		a.referer_len = ref->value_len;
	}
	if (ua != NULL) {
		a.ua = ua->value;
		a.ua_len = ua->value_len;
	}
	SHARED_ADD(c->sbw->requests, 1);
	if (r->status >= 100 && r->status < 600)
		SHARED_ADD(c->sbw->codes[r->status / 100 - 1], 1);
	alog_request(&a);
}

static void
note_request(struct conn *c, const struct http_request *req)
{
	const char *line;
	size_t len = request_line(c, req, &line);

	log_escape(c->sbw->request, sizeof(c->sbw->request), line, len);
}

/* Set up reading and discarding the body; 0, or -1 if it is not worth it. */
static int
body_begin(struct http_conn *h, const struct http_request *req)
{
	if (req->chunked) {
		http_chunked_init(&h->chunked);
		h->body_seen = 0;
		h->discard = DISCARD_CHUNKED;
	} else if (req->has_content_length && req->content_length > 0) {
		if (req->content_length > HTTP_DISCARD_MAX)
			return -1;
		h->body_left = req->content_length;
		h->discard = DISCARD_LENGTH;
	}
	return 0;
}

static void
answer(struct conn *c, struct http_conn *h, const struct http_request *req, struct resp *r)
{
	if (req->expect_other) {
		r->status = 417;
		r->keep = 0;
		respond_simple(c, r, req->version_minor, req->method == HTTP_M_HEAD, NULL);
	} else if (req->method != HTTP_M_GET && req->method != HTTP_M_HEAD) {
		r->status = 405;
		respond_simple(c, r, req->version_minor, 0, "Allow: GET, HEAD\r\n");
	} else if (!serve_status(c, req, r))
		serve_path(c, req, r);
}

static int
keep_alive(const struct http_conn *h, const struct http_request *req)
{
	return req->keep_alive && !h->draining && site.cf->keepalive_timeout > 0 &&
	    h->nreq + 1 < (unsigned)site.cf->keepalive_requests;
}

/* Parse and answer the request at the start of c->in. */
static int
one_request(struct conn *c, struct http_conn *h)
{
	struct http_request req;
	struct resp r = { 0, 0, 0 };
	int n = http_parse_request(buf_ptr(&c->in), buf_len(&c->in),
	    (size_t)site.cf->max_request_line, (size_t)site.cf->max_header_size, &req);

	if (n == HTTP_NEED_MORE) {
		if (!h->in_head) {
			h->in_head = 1;
			c->flags &= ~CONN_IDLE;
			c->timeout_ms = 0;
			c->deadline_ms = now_ms() + (int64_t)site.cf->request_timeout * 1000;
		}
		return STEP_NEED_MORE;
	}
	/* Answering: the server's timeout governs, not keep-alive's. */
	h->in_head = 0;
	c->deadline_ms = 0;
	c->timeout_ms = 0;
	c->flags &= ~CONN_IDLE;
	if (n < 0) {
		r.status = req.status;
		respond_simple(c, &r, 1, 0, NULL);
		SHARED_ADD(c->sbw->requests, 1);
		SHARED_ADD(c->sbw->codes[r.status / 100 - 1], 1);
		alog_request(&(struct alog_rec){ .peer = c->peer, .when = time(NULL),
		    .status = r.status, .bytes = r.body });
		return STEP_CLOSE;
	}
	r.keep = keep_alive(h, &req);
	if (body_begin(h, &req) == -1)
		r.keep = 0;
	/* A body to discard has request_timeout, like the head. */
	if (r.keep && h->discard != DISCARD_NONE)
		c->deadline_ms = now_ms() + (int64_t)site.cf->request_timeout * 1000;
	/* In the scoreboard before it is answered: if answering kills the
	 * worker, the master logs the request that did. */
	note_request(c, &req);
	answer(c, h, &req, &r);
	account(c, &req, &r);
	buf_consume(&c->in, (size_t)n);
	h->nreq++;
	return r.keep ? STEP_DONE : STEP_CLOSE;
}

/* Read and drop body bytes; returns 1 when the body is complete, 0 when
 * more is needed, -1 on a malformed chunked body or one over
 * HTTP_DISCARD_MAX. */
static int
discard_body(struct conn *c, struct http_conn *h)
{
	size_t have = buf_len(&c->in), body;
	ssize_t n;

	if (h->discard == DISCARD_LENGTH) {
		n = (ssize_t)(have < h->body_left ? have : h->body_left);
		h->body_left -= (uint64_t)n;
	} else if ((n = http_chunked_consume(&h->chunked, buf_ptr(&c->in), have, &body)) < 0 ||
	    (h->body_seen += body) > HTTP_DISCARD_MAX)
		return -1;		/* malformed, or more than a Content-Length may be */
	buf_consume(&c->in, (size_t)n);
	if ((h->discard == DISCARD_LENGTH && h->body_left > 0) ||
	    (h->discard == DISCARD_CHUNKED && !http_chunked_done(&h->chunked)))
		return 0;
	h->discard = DISCARD_NONE;
	c->deadline_ms = 0;
	return 1;
}

/* No request in flight: keep-alive timer, or wait for the output first
 * (CONN_MORE brings us back when it has drained). */
static void
go_idle(struct conn *c, struct http_conn *h)
{
	if (outq_len(&c->out) > 0) {
		c->flags |= CONN_MORE;
		return;
	}
	c->flags |= CONN_IDLE;
	c->timeout_ms = site.cf->keepalive_timeout * 1000;
	c->deadline_ms = 0;
	h->in_head = 0;
}

/* ---- proto_ops ---------------------------------------------------- */

static int
http_open(struct conn *c)
{
	struct http_conn *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return PROTO_ABORT;
	c->pdata = h;
	/* A new connection waits for its first request like an idle one. */
	c->flags |= CONN_IDLE;
	c->timeout_ms = site.cf->keepalive_timeout > 0 ?
	    site.cf->keepalive_timeout * 1000 : site.cf->request_timeout * 1000;
	return PROTO_OK;
}

static int
http_input(struct conn *c)
{
	struct http_conn *h = c->pdata;
	int answered = 0, step;

	for (;;) {
		if (h->discard != DISCARD_NONE) {
			int d = discard_body(c, h);

			if (d == -1)
				break;
			if (d == 0)
				return PROTO_OK;
		}
		if (buf_len(&c->in) == 0) {
			go_idle(c, h);
			return PROTO_OK;
		}
		if (answered == HTTP_PIPELINE_MAX || outq_len(&c->out) >= CONN_OUT_HIGH) {
			c->flags |= CONN_MORE;
			return PROTO_OK;
		}
		if ((step = one_request(c, h)) == STEP_NEED_MORE)
			return PROTO_OK;
		/* The one check of the appends: a response that could not be
		 * queued whole (out of memory) must not leave as a head that
		 * promises a body, so the connection ends here. */
		if (outq_error(&c->out))
			return PROTO_ABORT;
		answered++;
		if (step == STEP_CLOSE)
			break;
	}
	/* Closing: what follows the last answered request is never read. */
	buf_consume(&c->in, buf_len(&c->in));
	return PROTO_CLOSE;
}

/* Draining: the next response says "Connection: close". An idle
 * connection is left open, since a request may be on its way; it ends
 * with that request or at keepalive_timeout. */
static int
http_drain(struct conn *c)
{
	struct http_conn *h = c->pdata;

	h->draining = 1;
	return PROTO_OK;
}

static void
http_close(struct conn *c)
{
	free(c->pdata);
	c->pdata = NULL;
}

/* Whether openat2(RESOLVE_BENEATH) works here (Linux 5.6+). */
static int
probe_beneath(void)
{
	int fd;

	site.beneath = 1;
	if ((fd = open_beneath(".")) == -1) {
		site.beneath = 0;
		return 0;
	}
	close(fd);
	return 1;
}

static int
http_child_init(struct child_ctx *ctx)
{
	const struct conf_http *cf = &ctx->conf->http;
	int i, id = proto_find("http");
	char err[512];

	for (i = 0; i < ctx->conf->nlisten; i++)
		if (ctx->conf->listen[i].proto == id)
			break;
	if (i == ctx->conf->nlisten)
		return 0;		/* no http listener: nothing to set up */
	site.cf = cf;
	site.sb = ctx->sb;
	site.server = cf->server_tokens ? "mserver/" PACKAGE_VERSION : "mserver";
	if ((site.root_fd = open(cf->document_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("document_root %s", cf->document_root);
		return -1;
	}
	if ((site.root_real = realpath(cf->document_root, NULL)) == NULL) {
		log_warn("document_root %s", cf->document_root);
		return -1;
	}
	if (!probe_beneath())
		log_info("openat2 RESOLVE_BENEATH unavailable: checking paths with realpath");
	if ((site.mime = mime_load(cf->mime_types, 1, err, sizeof(err))) == NULL ||
	    (cf->access_log != NULL && path_mkdir_parent(cf->access_log, err, sizeof(err)) == -1) ||
	    alog_open(cf->access_log, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

static void
http_child_reopen(void)
{
	if (alog_reopen() == -1)
		log_warn("cannot reopen the access log");
}

static void
http_child_flush(void)
{
	fcache_fd_sweep(FCACHE_FD_IDLE);
	alog_flush();
}

const struct proto_ops http_proto = {
	.name = "http",
	.open = http_open,
	.input = http_input,
	.drain = http_drain,
	.close = http_close,
	.pull = NULL,
	.child_init = http_child_init,
	.child_reopen = http_child_reopen,
	.child_flush = http_child_flush,
	.child_woken = NULL,
};
