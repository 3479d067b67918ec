/*
 * test_http_handler: unit tests of the HTTP handler (http.c) driven
 * directly, without a socket or an MPM: a struct conn with fd -1 gets
 * request bytes in its input buffer, the handler's input runs through
 * http_proto, and what it queued on c->out is flattened (memory chunks as
 * they are, file ranges read back from their descriptor) and split into
 * responses, which are compared whole: the status line and every header
 * field in order (Date only checked to be now), then the body.
 *
 * The fixture is a document root made with mkdtemp() holding a few files
 * with a fixed modification time, a mime.types and a config file loaded
 * by conf_load(); the handler's per-process set-up is http_proto's own
 * child_init. Small limits in that config (keepalive_requests = 3,
 * max_request_line, max_header_size) make the limits cheap to reach.
 *
 * The last case makes each allocation of the output queue fail in turn
 * (outq_fail.h) and checks that the handler then aborts the connection,
 * never leaving a head that promises a body it did not queue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"
#include "outq_fail.h"

#include "conn/buf.h"
#include "conn/child.h"
#include "conn/conn.h"
#include "core/conf.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"
#include "http/alog.h"
#include "http/http.h"
#include "http/http_parse.h"

/* The files' modification time: 2024-01-01 00:00:00.5 UTC. */
#define MTIME		((time_t)1704067200)
#define MTIME_NS	500000000L
#define BIG_SIZE	100000		/* over HTTP_INLINE_MAX: sent as a file range */

/* From the config written by suite_init(). */
#define KEEPALIVE_TIMEOUT	7
#define KEEPALIVE_REQUESTS	3
#define REQUEST_TIMEOUT		9
#define MAX_REQUEST_LINE	256
#define MAX_HEADER_SIZE		1024

static const char HELLO[] = "Hello, world!\n";
static const char INDEX[] = "<p>index</p>\n";
static char *big;			/* BIG_SIZE bytes of /big.bin */

static char tmpdir[PATH_MAX], docroot[PATH_MAX + 16], logpath[PATH_MAX + 16];
static struct conf *conf;
static struct sb_worker sbw;

/* ---- fixture ------------------------------------------------------ */

static int
write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX * 2];
	struct timespec ts[2] = { { MTIME, MTIME_NS }, { MTIME, MTIME_NS } };
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len || futimens(fd, ts) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
make_docroot(void)
{
	char sub[PATH_MAX * 2];
	size_t i;

	snprintf(docroot, sizeof(docroot), "%s/htdocs", tmpdir);
	if ((big = malloc(BIG_SIZE)) == NULL || mkdir(docroot, 0755) == -1)
		return -1;
	for (i = 0; i < BIG_SIZE; i++)
		big[i] = (char)(i * 7 % 251);
	snprintf(sub, sizeof(sub), "%s/dir", docroot);
	if (mkdir(sub, 0755) == -1 || write_file(sub, "index.html", INDEX, sizeof(INDEX) - 1) == -1)
		return -1;
	snprintf(sub, sizeof(sub), "%s/empty", docroot);
	if (mkdir(sub, 0755) == -1)
		return -1;
	return write_file(docroot, "hello.txt", HELLO, sizeof(HELLO) - 1) == -1 ||
	    write_file(docroot, "big.bin", big, BIG_SIZE) == -1 ||
	    write_file(docroot, ".secret", "no", 2) == -1 ? -1 : 0;
}

static int
suite_init(void)
{
	static const char types[] = "text/plain txt\ntext/html html\n";
	struct child_ctx ctx = { 0 };
	char cfg[8192], path[PATH_MAX + 16], err[512];

	if (cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_http_handler") == -1 ||
	    make_docroot() == -1 ||
	    write_file(tmpdir, "mime.types", types, sizeof(types) - 1) == -1)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/access.log", tmpdir);
	snprintf(cfg, sizeof(cfg),
	    "listen = ( { address = \"127.0.0.1\"; port = 7007; protocol = \"http\"; } );\n"
	    "http = {\n  document_root = \"%s\";\n  access_log = \"%s\";\n"
	    "  mime_types = \"%s/mime.types\";\n  keepalive_timeout = %d;\n"
	    "  keepalive_requests = %d;\n  request_timeout = %d;\n"
	    "  max_request_line = %d;\n  max_header_size = %d;\n"
	    "  server_tokens = false;\n  server_status = false;\n  metrics = false;\n};\n",
	    docroot, logpath, tmpdir, KEEPALIVE_TIMEOUT, KEEPALIVE_REQUESTS,
	    REQUEST_TIMEOUT, MAX_REQUEST_LINE, MAX_HEADER_SIZE);
	if (write_file(tmpdir, "mserver.conf", cfg, strlen(cfg)) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/mserver.conf", tmpdir);
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "conf_load: %s\n", err);
		return -1;
	}
	ctx.conf = conf;
	return http_proto.child_init(&ctx);
}

static int
suite_clean(void)
{
	alog_close();
	conf_free(conf);
	free(big);
	return cunit_rmtree(tmpdir);
}

/* ---- driving the handler ------------------------------------------ */

/* A connection from 127.0.0.1 with no socket, opened by the handler. */
static void
conn_open(struct conn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	conn_init(c, -1, &http_proto, (const struct sockaddr *)&sa, &sbw, 0);
	CU_ASSERT_FATAL(http_proto.open(c) == PROTO_OK);
}

/* Append n bytes to the input and run the handler's input. */
static int
feed(struct conn *c, const char *p, size_t n)
{
	CU_ASSERT_FATAL(buf_append(&c->in, p, n) == 0);
	return http_proto.input(c);
}

#define FEED(c, lit)	feed((c), (lit), sizeof(lit) - 1)

/* What c would send: out (malloc'd, NUL-terminated), its length. */
static size_t
flatten(const struct conn *c, char **out)
{
	const struct out_chunk *ch;
	size_t n = 0;
	char *b = malloc(outq_len(&c->out) + 1);

	CU_ASSERT_FATAL(b != NULL);
	for (ch = c->out.head; ch != NULL; ch = ch->next) {
		CU_ASSERT_FATAL(n + ch->len <= outq_len(&c->out));
		if (ch->fd == -1)
			memcpy(b + n, ch->mem + ch->pos, ch->len);
		else
			CU_ASSERT_FATAL(pread(ch->fd, b + n, ch->len, ch->off) == (ssize_t)ch->len);
		n += ch->len;
	}
	CU_ASSERT_FATAL(n == outq_len(&c->out));
	b[n] = '\0';
	*out = b;
	return n;
}

/* The file ranges queued, as "off+len" joined by spaces. */
static const char *
file_chunks(const struct conn *c)
{
	static char s[256];
	const struct out_chunk *ch;
	size_t n = 0;

	s[0] = '\0';
	for (ch = c->out.head; ch != NULL; ch = ch->next)
		if (ch->fd != -1)
			n += (size_t)snprintf(s + n, sizeof(s) - n, "%s%lld+%zu", n ? " " : "",
			    (long long)ch->off, ch->len);
	return s;
}

/* The responses in what a connection queued. */
struct responses {
	char		*out;		/* flattened output */
	size_t		 len, pos;	/* pos: where the next response starts */
};

struct resp {
	const char	*head;		/* status line up to the empty line */
	size_t		 head_len;
	const char	*body;
	size_t		 body_len;
	char		 date[64];	/* the Date field's value */
};

static void
responses_take(struct responses *rs, const struct conn *c)
{
	rs->len = flatten(c, &rs->out);
	rs->pos = 0;
}

/* Split off the next response; head_only: a response to HEAD (no body
 * whatever Content-Length says). 0, or -1 with a failed assertion. */
static int
next_resp(struct responses *rs, int head_only, struct resp *r, int line)
{
	const char *p = rs->out + rs->pos, *end, *cl, *d;
	unsigned long long len = 0;

	memset(r, 0, sizeof(*r));
	if (!check_at((end = strstr(p, "\r\n\r\n")) != NULL, line,
	    "no (further) complete response head in \"%.80s\"", p))
		return -1;
	r->head = p;
	r->head_len = (size_t)(end + 4 - p);
	if ((cl = strstr(p, "\r\nContent-Length: ")) != NULL && cl < end)
		len = strtoull(cl + 18, NULL, 10);
	if ((d = strstr(p, "\r\nDate: ")) != NULL && d < end)
		snprintf(r->date, sizeof(r->date), "%.*s", (int)strcspn(d + 8, "\r"), d + 8);
	if (head_only)
		len = 0;
	if (!check_at(len <= rs->len - rs->pos - r->head_len, line,
	    "body of %llu bytes promised, %zu queued", len, rs->len - rs->pos - r->head_len))
		return -1;
	r->body = p + r->head_len;
	r->body_len = (size_t)len;
	rs->pos += r->head_len + (size_t)len;
	return 0;
}

#define NEXT(rs, head_only, r)	CU_ASSERT_FATAL(next_resp((rs), (head_only), (r), __LINE__) == 0)
#define NO_MORE(rs)		check_at((rs)->pos == (rs)->len, __LINE__, \
				    "more output: \"%.80s\"", (rs)->out + (rs)->pos)

/* The response's head is "HTTP/1.1 <status>\r\nServer: mserver\r\nDate:
 * <now>\r\n" followed by the formatted rest (which ends in the empty
 * line). */
#define HEAD_IS(r, status, ...)	head_is(__LINE__, (r), (status), __VA_ARGS__)

static void
head_is(int line, const struct resp *r, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
head_is(int line, const struct resp *r, const char *status, const char *fmt, ...)
{
	char want[4096], rest[3072];
	time_t t;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	check_at(http_date_parse(r->date, strlen(r->date), &t) == 0 &&
	    labs((long)(t - time(NULL))) <= 2, line, "Date \"%s\" is not now", r->date);
	snprintf(want, sizeof(want), "HTTP/1.1 %s\r\nServer: mserver\r\nDate: %s\r\n%s",
	    status, r->date, rest);
	check_at(r->head_len == strlen(want) && memcmp(r->head, want, r->head_len) == 0, line,
	    "head:\n%.*s\nwant:\n%s", (int)r->head_len, r->head, want);
}

#define BODY_IS(r, p, n)	check_at((r)->body_len == (n) && \
				    memcmp((r)->body, (p), (n)) == 0, __LINE__, \
				    "body of %zu bytes \"%.40s\", want %zu", (r)->body_len, \
				    (r)->body, (size_t)(n))

/* Last-Modified and ETag of every file of the fixture's document root. */
static const char *
last_modified(void)
{
	static char lm[HTTP_DATE_LEN + 1];

	http_date_format(MTIME, lm);
	return lm;
}

static const char *
etag(size_t size)
{
	static char tag[64];

	snprintf(tag, sizeof(tag), "\"%zx-%llx\"", size,
	    (unsigned long long)MTIME * 1000000000ULL + (unsigned long long)MTIME_NS);
	return tag;
}

/* The short HTML body of an error or redirect. */
static const char *
html_body(const char *status)
{
	static char b[256];

	snprintf(b, sizeof(b),
	    "<html><head><title>%s</title></head><body><h1>%s</h1></body></html>\n",
	    status, status);
	return b;
}

/* Run one exchange on a fresh connection: req in, expect rc back. */
static void
one(struct conn *c, const char *req, size_t len, int rc, struct responses *rs)
{
	conn_open(c);
	CU_ASSERT_EQUAL(feed(c, req, len), rc);
	responses_take(rs, c);
}

static void
done(struct conn *c, struct responses *rs)
{
	conn_free(c);
	free(rs->out);
}

#define GET(path)	"GET " path " HTTP/1.1\r\nHost: t\r\n\r\n"
#define CLOSE_F		"Connection: close\r\n"
#define KEEP_F		"Connection: keep-alive\r\n"
#define TEXT		"text/plain; charset=utf-8"
#define HTML		"text/html; charset=utf-8"

/* ---- files -------------------------------------------------------- */

/* A small file: inline in the response (no file range), twice (the
 * second time from the file cache), the same bytes. */
static void
test_get_small(void)
{
	static const char req[] = GET("/hello.txt");
	struct responses rs;
	struct resp r;
	struct conn c;
	int i;

	for (i = 0; i < 2; i++) {
		one(&c, req, sizeof(req) - 1, PROTO_OK, &rs);
		CU_ASSERT_EQUAL(buf_len(&c.in), 0);
		CU_ASSERT_STRING_EQUAL(file_chunks(&c), "");
		/* output pending: called again once it is sent (CONN_MORE) */
		CU_ASSERT_EQUAL(c.flags & (CONN_MORE | CONN_IDLE), CONN_MORE);
		NEXT(&rs, 0, &r);
		HEAD_IS(&r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
		    "Content-Type: " TEXT "\r\nContent-Length: %zu\r\n"
	    "Accept-Ranges: bytes\r\n\r\n",
		    last_modified(), etag(sizeof(HELLO) - 1), sizeof(HELLO) - 1);
		BODY_IS(&r, HELLO, sizeof(HELLO) - 1);
		NO_MORE(&rs);
		done(&c, &rs);
	}
}

/* A large file is a file range after the head; the default type. */
static void
test_get_big(void)
{
	static const char req[] = GET("/big.bin");
	struct responses rs;
	struct resp r;
	struct conn c;

	one(&c, req, sizeof(req) - 1, PROTO_OK, &rs);
	CU_ASSERT_STRING_EQUAL(file_chunks(&c), "0+100000");
	NEXT(&rs, 0, &r);
	HEAD_IS(&r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n"
	    "Accept-Ranges: bytes\r\n\r\n", last_modified(), etag(BIG_SIZE), BIG_SIZE);
	BODY_IS(&r, big, BIG_SIZE);
	NO_MORE(&rs);
	done(&c, &rs);
}

/* HEAD: the head GET would have, no body (no file range either). */
static void
test_head(void)
{
	static const char req[] = "HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n";
	struct responses rs;
	struct resp r;
	struct conn c;

	one(&c, req, sizeof(req) - 1, PROTO_OK, &rs);
	CU_ASSERT_STRING_EQUAL(file_chunks(&c), "");
	NEXT(&rs, 1, &r);
	HEAD_IS(&r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n"
	    "Accept-Ranges: bytes\r\n\r\n", last_modified(), etag(BIG_SIZE), BIG_SIZE);
	NO_MORE(&rs);
	done(&c, &rs);
}

/* ---- ranges ------------------------------------------------------- */

/* GET path with the given extra header lines; expect a 206 for
 * [start, end] of a file of size bytes whose contents are data. */
static void
range_206(const char *path, const char *fields, const char *data, size_t size,
    size_t start, size_t end, const char *type, int line)
{
	char req[512], chunks[64];
	struct responses rs;
	struct resp r;
	struct conn c;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n", path, fields);
	one(&c, req, strlen(req), PROTO_OK, &rs);
	NEXT(&rs, 0, &r);
	head_is(line, &r, "206 Partial Content", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\nAccept-Ranges: bytes\r\n"
	    "Content-Range: bytes %zu-%zu/%zu\r\n\r\n", last_modified(), etag(size), type,
	    end - start + 1, start, end, size);
	check_at(r.body_len == end - start + 1 && memcmp(r.body, data + start, r.body_len) == 0,
	    line, "%s: body of %zu bytes, want [%zu, %zu]", fields, r.body_len, start, end);
	/* a range over HTTP_INLINE_MAX is sent from the file */
	if (end - start + 1 > HTTP_INLINE_MAX)
		snprintf(chunks, sizeof(chunks), "%zu+%zu", start, end - start + 1);
	else
		chunks[0] = '\0';
	check_at(strcmp(file_chunks(&c), chunks) == 0, line, "file ranges \"%s\", want \"%s\"",
	    file_chunks(&c), chunks);
	check_at(rs.pos == rs.len, line, "more output after the 206");
	done(&c, &rs);
}

/* GET path with fields; expect the whole file with 200. */
static void
whole_200(const char *path, const char *fields, const char *data, size_t size,
    const char *type, int line)
{
	char req[512];
	struct responses rs;
	struct resp r;
	struct conn c;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n", path, fields);
	one(&c, req, strlen(req), PROTO_OK, &rs);
	NEXT(&rs, 0, &r);
	head_is(line, &r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\nAccept-Ranges: bytes\r\n\r\n",
	    last_modified(), etag(size), type, size);
	check_at(r.body_len == size && memcmp(r.body, data, size) == 0, line,
	    "%s: body of %zu bytes, want the whole %zu", fields, r.body_len, size);
	check_at(rs.pos == rs.len, line, "more output after the 200");
	done(&c, &rs);
}

#define HELLO_206(fields, s, e)	range_206("/hello.txt", (fields), HELLO, sizeof(HELLO) - 1, \
				    (s), (e), TEXT, __LINE__)
#define HELLO_200(fields)	whole_200("/hello.txt", (fields), HELLO, sizeof(HELLO) - 1, \
				    TEXT, __LINE__)

static void
test_ranges(void)
{
	const size_t last = sizeof(HELLO) - 2;
	struct responses rs;
	struct resp r;
	struct conn c;
	static const char unsat[] = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=14-\r\n\r\n";
	static const char head[] = "HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1\r\n\r\n";

	HELLO_206("Range: bytes=2-5\r\n", 2, 5);
	HELLO_206("Range: bytes=0-0\r\n", 0, 0);
	HELLO_206("Range: bytes=-3\r\n", last - 2, last);		/* suffix */
	HELLO_206("Range: bytes=10-\r\n", 10, last);			/* open */
	HELLO_206("Range: bytes=5-1000\r\n", 5, last);			/* clipped */
	HELLO_206("Range: bytes=-1000\r\n", 0, last);			/* suffix over all */
	range_206("/big.bin", "Range: bytes=20000-79999\r\n", big, BIG_SIZE, 20000, 79999,
	    "application/octet-stream", __LINE__);
	range_206("/big.bin", "Range: bytes=-10\r\n", big, BIG_SIZE, BIG_SIZE - 10,
	    BIG_SIZE - 1, "application/octet-stream", __LINE__);
	/* several ranges, another unit, nonsense: the whole file */
	HELLO_200("Range: bytes=0-1,4-5\r\n");
	HELLO_200("Range: items=0-1\r\n");
	HELLO_200("Range: bytes=5-2\r\n");

	/* unsatisfiable: 416 with the size, the connection stays */
	one(&c, unsat, sizeof(unsat) - 1, PROTO_OK, &rs);
	NEXT(&rs, 0, &r);
	HEAD_IS(&r, "416 Range Not Satisfiable", "Content-Range: bytes */%zu\r\n"
	    "Content-Type: " HTML "\r\nContent-Length: %zu\r\n\r\n",
	    sizeof(HELLO) - 1, strlen(html_body("416 Range Not Satisfiable")));
	BODY_IS(&r, html_body("416 Range Not Satisfiable"),
	    strlen(html_body("416 Range Not Satisfiable")));
	NO_MORE(&rs);
	done(&c, &rs);

	/* HEAD ignores Range */
	one(&c, head, sizeof(head) - 1, PROTO_OK, &rs);
	NEXT(&rs, 1, &r);
	HEAD_IS(&r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: " TEXT "\r\nContent-Length: %zu\r\n"
	    "Accept-Ranges: bytes\r\n\r\n",
	    last_modified(), etag(sizeof(HELLO) - 1), sizeof(HELLO) - 1);
	NO_MORE(&rs);
	done(&c, &rs);
}

/* ---- conditionals ------------------------------------------------- */

/* GET /hello.txt with fields: 304 with Last-Modified and ETag only. */
static void
not_modified(const char *fields, int line)
{
	char req[512];
	struct responses rs;
	struct resp r;
	struct conn c;

	snprintf(req, sizeof(req), "GET /hello.txt HTTP/1.1\r\nHost: t\r\n%s\r\n", fields);
	one(&c, req, strlen(req), PROTO_OK, &rs);
	NEXT(&rs, 0, &r);
	head_is(line, &r, "304 Not Modified", "Last-Modified: %s\r\nETag: %s\r\n\r\n",
	    last_modified(), etag(sizeof(HELLO) - 1));
	check_at(rs.pos == rs.len, line, "%s: a body after the 304", fields);
	done(&c, &rs);
}

#define NOT_MODIFIED(fields)	not_modified((fields), __LINE__)

static void
test_conditionals(void)
{
	char f[512], date[HTTP_DATE_LEN + 1], future[HTTP_DATE_LEN + 1];
	const char *tag = etag(sizeof(HELLO) - 1);
	char tagcopy[64];

	snprintf(tagcopy, sizeof(tagcopy), "%s", tag);
	/* If-None-Match: the tag, in a list, weak, "*" */
	snprintf(f, sizeof(f), "If-None-Match: %s\r\n", tagcopy);
	NOT_MODIFIED(f);
	snprintf(f, sizeof(f), "If-None-Match: \"other\", W/%s\r\n", tagcopy);
	NOT_MODIFIED(f);
	NOT_MODIFIED("If-None-Match: *\r\n");
	HELLO_200("If-None-Match: \"other\"\r\n");

	/* If-Modified-Since: at or after the mtime is 304, before is 200 */
	http_date_format(MTIME, date);
	snprintf(f, sizeof(f), "If-Modified-Since: %s\r\n", date);
	NOT_MODIFIED(f);
	http_date_format(MTIME + 3600, date);
	snprintf(f, sizeof(f), "If-Modified-Since: %s\r\n", date);
	NOT_MODIFIED(f);
	http_date_format(MTIME - 1, date);
	snprintf(f, sizeof(f), "If-Modified-Since: %s\r\n", date);
	HELLO_200(f);
	/* a date in the future is ignored; so is garbage */
	http_date_format(time(NULL) + 86400, future);
	snprintf(f, sizeof(f), "If-Modified-Since: %s\r\n", future);
	HELLO_200(f);
	HELLO_200("If-Modified-Since: yesterday\r\n");
	/* If-None-Match wins over If-Modified-Since */
	http_date_format(MTIME, date);
	snprintf(f, sizeof(f), "If-None-Match: \"other\"\r\nIf-Modified-Since: %s\r\n", date);
	HELLO_200(f);

	/* If-Range: the current tag or date gives the range, else the whole */
	snprintf(f, sizeof(f), "Range: bytes=0-4\r\nIf-Range: %s\r\n", tagcopy);
	HELLO_206(f, 0, 4);
	HELLO_200("Range: bytes=0-4\r\nIf-Range: \"other\"\r\n");
	snprintf(f, sizeof(f), "Range: bytes=0-4\r\nIf-Range: W/%s\r\n", tagcopy);
	HELLO_200(f);				/* a weak tag never matches */
	snprintf(f, sizeof(f), "Range: bytes=0-4\r\nIf-Range: %s\r\n", date);
	HELLO_206(f, 0, 4);
	http_date_format(MTIME - 1, date);
	snprintf(f, sizeof(f), "Range: bytes=0-4\r\nIf-Range: %s\r\n", date);
	HELLO_200(f);
}

/* ---- pipelining and keep-alive ------------------------------------ */

static void
test_pipeline(void)
{
	static const char two[] = GET("/hello.txt") GET("/big.bin");
	static const char three[] = GET("/dir/") "HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
	    GET("/nope");
	static const char partial[] = GET("/hello.txt") "GET /big.bin HTTP/1.1\r\nHo";
	struct responses rs;
	struct resp r;
	struct conn c;

	one(&c, two, sizeof(two) - 1, PROTO_OK, &rs);
	CU_ASSERT_EQUAL(buf_len(&c.in), 0);
	NEXT(&rs, 0, &r);
	BODY_IS(&r, HELLO, sizeof(HELLO) - 1);
	NEXT(&rs, 0, &r);
	BODY_IS(&r, big, BIG_SIZE);
	NO_MORE(&rs);
	done(&c, &rs);

	/* the third is the last keepalive_requests allows: it closes */
	one(&c, three, sizeof(three) - 1, PROTO_CLOSE, &rs);
	NEXT(&rs, 0, &r);
	HEAD_IS(&r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: " HTML "\r\nContent-Length: %zu\r\nAccept-Ranges: bytes\r\n\r\n",
	    last_modified(), etag(sizeof(INDEX) - 1), sizeof(INDEX) - 1);
	BODY_IS(&r, INDEX, sizeof(INDEX) - 1);
	NEXT(&rs, 1, &r);
	HEAD_IS(&r, "200 OK", "Last-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: " TEXT "\r\nContent-Length: %zu\r\n"
	    "Accept-Ranges: bytes\r\n\r\n",
	    last_modified(), etag(sizeof(HELLO) - 1), sizeof(HELLO) - 1);
	NEXT(&rs, 0, &r);
	HEAD_IS(&r, "404 Not Found", CLOSE_F "Content-Type: " HTML "\r\n"
	    "Content-Length: %zu\r\n\r\n", strlen(html_body("404 Not Found")));
	BODY_IS(&r, html_body("404 Not Found"), strlen(html_body("404 Not Found")));
	NO_MORE(&rs);
	done(&c, &rs);

	/* an incomplete request after a complete one waits in the input */
	one(&c, partial, sizeof(partial) - 1, PROTO_OK, &rs);
	CU_ASSERT_EQUAL(buf_len(&c.in), sizeof(partial) - 1 - (sizeof(GET("/hello.txt")) - 1));
	NEXT(&rs, 0, &r);
	BODY_IS(&r, HELLO, sizeof(HELLO) - 1);
	NO_MORE(&rs);
	free(rs.out);
	CU_ASSERT_EQUAL(FEED(&c, "st: t\r\n\r\n"), PROTO_OK);
	responses_take(&rs, &c);
	NEXT(&rs, 0, &r);
	BODY_IS(&r, HELLO, sizeof(HELLO) - 1);		/* still queued */
	NEXT(&rs, 0, &r);
	BODY_IS(&r, big, BIG_SIZE);
	NO_MORE(&rs);
	done(&c, &rs);
}

/* req gets one response whose head has conn_field (or none) after Date,
 * with the input's result rc. */
static void
keep_case(const char *req, const char *conn_field, int rc, int line)
{
	struct responses rs;
	struct resp r;
	struct conn c;

	one(&c, req, strlen(req), rc, &rs);
	NEXT(&rs, 0, &r);
	head_is(line, &r, "200 OK", "%sLast-Modified: %s\r\nETag: %s\r\n"
	    "Content-Type: " TEXT "\r\nContent-Length: %zu\r\n"
	    "Accept-Ranges: bytes\r\n\r\n",
	    conn_field, last_modified(), etag(sizeof(HELLO) - 1), sizeof(HELLO) - 1);
	check_at(rs.pos == rs.len, line, "more output");
	check_at(buf_len(&c.in) == 0, line, "input left: %zu bytes", buf_len(&c.in));
	done(&c, &rs);
}

static void
test_keepalive(void)
{
	keep_case("GET /hello.txt HTTP/1.0\r\n\r\n", CLOSE_F, PROTO_CLOSE, __LINE__);
	keep_case("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", KEEP_F,
	    PROTO_OK, __LINE__);
	keep_case("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n", "", PROTO_OK, __LINE__);
	keep_case("GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", CLOSE_F,
	    PROTO_CLOSE, __LINE__);
	/* what follows a closing response is never answered (and dropped) */
	keep_case("GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
	    GET("/hello.txt"), CLOSE_F, PROTO_CLOSE, __LINE__);
	keep_case("GET /hello.txt HTTP/1.0\r\n\r\n" GET("/hello.txt"), CLOSE_F, PROTO_CLOSE,
	    __LINE__);
}

/* keepalive_requests: the last allowed response closes, however the
 * requests arrive; once the output is sent the connection is idle under
 * keepalive_timeout. */
static void
test_keepalive_requests(void)
{
	static const char req[] = GET("/hello.txt");
	struct responses rs;
	struct resp r;
	struct conn c;
	int i, rc;

	/* pipelined: one more than allowed */
	conn_open(&c);
	for (i = 0; i <= KEEPALIVE_REQUESTS; i++)
		CU_ASSERT_FATAL(buf_append(&c.in, req, sizeof(req) - 1) == 0);
	CU_ASSERT_EQUAL(http_proto.input(&c), PROTO_CLOSE);
	CU_ASSERT_EQUAL(buf_len(&c.in), 0);
	responses_take(&rs, &c);
	for (i = 0; i < KEEPALIVE_REQUESTS; i++) {
		NEXT(&rs, 0, &r);
		CU_ASSERT_EQUAL(strstr(r.head, CLOSE_F) != NULL && strstr(r.head, CLOSE_F) <
		    r.head + r.head_len, i == KEEPALIVE_REQUESTS - 1);
	}
	NO_MORE(&rs);
	done(&c, &rs);

	/* one at a time, the output sent in between (conn_resume calls the
	 * handler again, which goes idle) */
	conn_open(&c);
	CU_ASSERT_EQUAL(c.flags, CONN_IDLE);
	CU_ASSERT_EQUAL(c.timeout_ms, KEEPALIVE_TIMEOUT * 1000);
	for (i = 0; i < KEEPALIVE_REQUESTS; i++) {
		rc = FEED(&c, GET("/hello.txt"));
		CU_ASSERT_EQUAL(rc, i == KEEPALIVE_REQUESTS - 1 ? PROTO_CLOSE : PROTO_OK);
		if (rc != PROTO_OK)
			break;
		CU_ASSERT_EQUAL(c.flags, CONN_MORE);
		outq_consume(&c.out, outq_len(&c.out));
		CU_ASSERT_EQUAL(conn_resume(&c), 0);
		CU_ASSERT_EQUAL(c.flags, CONN_IDLE);
		CU_ASSERT_EQUAL(c.timeout_ms, KEEPALIVE_TIMEOUT * 1000);
		CU_ASSERT_EQUAL(c.deadline_ms, 0);
	}
	conn_free(&c);
}

/* A draining server closes after the next response; a request head that
 * has begun has request_timeout from its first byte. */
static void
test_drain_and_timers(void)
{
	struct responses rs;
	struct resp r;
	struct conn c;
	int64_t before;

	conn_open(&c);
	CU_ASSERT_EQUAL(http_proto.drain(&c), PROTO_OK);	/* idle: left open */
	CU_ASSERT_EQUAL(FEED(&c, GET("/hello.txt")), PROTO_CLOSE);
	responses_take(&rs, &c);
	NEXT(&rs, 0, &r);
	CU_ASSERT(strstr(r.head, CLOSE_F) != NULL);
	done(&c, &rs);

	conn_open(&c);
	before = now_ms();
	CU_ASSERT_EQUAL(FEED(&c, "GET /hello.txt HTTP/1.1\r\nHo"), PROTO_OK);
	CU_ASSERT_EQUAL(outq_len(&c.out), 0);
	CU_ASSERT_EQUAL(c.flags & CONN_IDLE, 0);
	CU_ASSERT(c.deadline_ms >= before + REQUEST_TIMEOUT * 1000 &&
	    c.deadline_ms <= now_ms() + REQUEST_TIMEOUT * 1000);
	/* the deadline runs from the first byte: more bytes do not move it */
	before = c.deadline_ms;
	CU_ASSERT_EQUAL(FEED(&c, "st"), PROTO_OK);
	CU_ASSERT_EQUAL(c.deadline_ms, before);
	CU_ASSERT_EQUAL(FEED(&c, ": t\r\n\r\n"), PROTO_OK);
	CU_ASSERT_EQUAL(c.deadline_ms, 0);
	CU_ASSERT_EQUAL(c.timeout_ms, 0);		/* the server's timeout */
	conn_free(&c);
}

/* ---- errors ------------------------------------------------------- */

/* req gets exactly one response with status, the extra fields (after
 * the Connection field) and the HTML body, then rc. */
static void
error_case(const char *req, size_t len, const char *status, const char *extra,
    int head_only, int rc, int line)
{
	struct responses rs;
	struct resp r;
	struct conn c;
	const char *body = html_body(status);

	one(&c, req, len, rc, &rs);
	if (next_resp(&rs, head_only, &r, line) == 0) {
		head_is(line, &r, status, "%s%sContent-Type: " HTML "\r\n"
		    "Content-Length: %zu\r\n\r\n", rc == PROTO_CLOSE ? CLOSE_F : "", extra,
		    strlen(body));
		check_at(head_only ? r.body_len == 0 :
		    r.body_len == strlen(body) && memcmp(r.body, body, r.body_len) == 0, line,
		    "%s: body \"%.*s\"", status, (int)r.body_len, r.body);
		check_at(rs.pos == rs.len, line, "%s: more output", status);
	}
	check_at(rc != PROTO_CLOSE || buf_len(&c.in) == 0, line, "input left after closing");
	done(&c, &rs);
}

#define ERR(req, status, extra, rc) \
	error_case((req), sizeof(req) - 1, (status), (extra), 0, (rc), __LINE__)

static void
test_errors(void)
{
	char req[4096];
	size_t n;

	/* what the parser rejects: answered, then closed (the next request
	 * is not answered) */
	ERR("GARBAGE\r\n\r\n" GET("/hello.txt"), "400 Bad Request", "", PROTO_CLOSE);
	ERR("GET / HTTP/1.1\r\n\r\n", "400 Bad Request", "", PROTO_CLOSE);	/* no Host */
	ERR("GET /a b HTTP/1.1\r\nHost: t\r\n\r\n", "400 Bad Request", "", PROTO_CLOSE);
	ERR("FOO / HTTP/1.1\r\nHost: t\r\n\r\n", "501 Not Implemented", "", PROTO_CLOSE);
	ERR("GET / HTTP/2.0\r\nHost: t\r\n\r\n", "505 HTTP Version Not Supported", "",
	    PROTO_CLOSE);
	/* a request line one byte over max_request_line: 414 */
	n = (size_t)snprintf(req, sizeof(req), "GET /%0*d HTTP/1.1\r\nHost: t\r\n\r\n",
	    MAX_REQUEST_LINE - (int)(sizeof("GET / HTTP/1.1") - 1) + 1, 0);
	CU_ASSERT_EQUAL(strcspn(req, "\r"), MAX_REQUEST_LINE + 1);
	error_case(req, n, "414 URI Too Long", "", 0, PROTO_CLOSE, __LINE__);
	/* field lines over max_header_size: 431 */
	n = (size_t)snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: t\r\nX-Big: %0*d\r\n\r\n",
	    MAX_HEADER_SIZE, 0);
	error_case(req, n, "431 Request Header Fields Too Large", "", 0, PROTO_CLOSE, __LINE__);

	/* answered, and the connection stays */
	ERR(GET("/nope.txt"), "404 Not Found", "", PROTO_OK);
	ERR(GET("/.secret"), "404 Not Found", "", PROTO_OK);		/* hidden */
	ERR(GET("/empty/"), "403 Forbidden", "", PROTO_OK);		/* no index */
	ERR(GET("/a/../../x"), "400 Bad Request", "", PROTO_OK);	/* above the root */
	ERR(GET("/dir"), "301 Moved Permanently", "Location: /dir/\r\n", PROTO_OK);
	ERR("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
	    "405 Method Not Allowed", "Allow: GET, HEAD\r\n", PROTO_OK);
	ERR("DELETE /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n", "405 Method Not Allowed",
	    "Allow: GET, HEAD\r\n", PROTO_OK);
	/* Expect other than 100-continue: 417, closed */
	ERR("GET /hello.txt HTTP/1.1\r\nHost: t\r\nExpect: x\r\n\r\n", "417 Expectation Failed",
	    "", PROTO_CLOSE);
	/* HEAD: the same head, no body */
	error_case("HEAD /nope.txt HTTP/1.1\r\nHost: t\r\n\r\n",
	    sizeof("HEAD /nope.txt HTTP/1.1\r\nHost: t\r\n\r\n") - 1, "404 Not Found", "", 1,
	    PROTO_OK, __LINE__);
}

/* A request body is read and dropped, so the next request is found
 * where it is, in order. */
static void
test_bodies(void)
{
	static const char length[] = "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n"
	    "hello" GET("/hello.txt");
	static const char chunked[] = "POST /x HTTP/1.1\r\nHost: t\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" GET("/hello.txt");
	const char *reqs[] = { length, chunked };
	struct responses rs;
	struct resp r;
	struct conn c;
	size_t i;

	for (i = 0; i < 2; i++) {
		one(&c, reqs[i], strlen(reqs[i]), PROTO_OK, &rs);
		CU_ASSERT_EQUAL(buf_len(&c.in), 0);
		NEXT(&rs, 0, &r);
		CU_ASSERT_NSTRING_EQUAL(r.head, "HTTP/1.1 405 ", 13);
		NEXT(&rs, 0, &r);
		BODY_IS(&r, HELLO, sizeof(HELLO) - 1);
		NO_MORE(&rs);
		done(&c, &rs);
	}
}

/* The end of the file at path (at most len - 1 bytes), NUL-terminated;
 * returns its length. */
static size_t
file_tail(const char *path, char *buf, size_t len)
{
	struct stat st;
	off_t from;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	CU_ASSERT_FATAL(fd != -1 && fstat(fd, &st) == 0);
	from = st.st_size > (off_t)len - 1 ? st.st_size - (off_t)len + 1 : 0;
	n = pread(fd, buf, len - 1, from);
	close(fd);
	CU_ASSERT_FATAL(n >= 0);
	buf[n] = '\0';
	return (size_t)n;
}

/* Each response is counted on the scoreboard and logged with the
 * request line, status, bytes, Referer and User-Agent. */
static void
test_accounting(void)
{
	static const char req[] = "GET /hello.txt HTTP/1.1\r\nHost: t\r\n"
	    "Referer: http://ref/\r\nUser-Agent: ua/1\r\n\r\n" GET("/nope") "BAD\r\n\r\n";
	uint64_t requests = SHARED_GET(sbw.requests), c2 = SHARED_GET(sbw.codes[1]),
	    c4 = SHARED_GET(sbw.codes[3]);
	struct responses rs;
	struct conn c;
	char got[4096], want[512];
	size_t n, wn;

	one(&c, req, sizeof(req) - 1, PROTO_CLOSE, &rs);
	CU_ASSERT_EQUAL(SHARED_GET(sbw.requests), requests + 3);
	CU_ASSERT_EQUAL(SHARED_GET(sbw.codes[1]), c2 + 1);
	CU_ASSERT_EQUAL(SHARED_GET(sbw.codes[3]), c4 + 2);
	CU_ASSERT_STRING_EQUAL(sbw.request, "GET /nope HTTP/1.1");
	done(&c, &rs);

	/* the access log ends with these three lines (time stamps aside) */
	alog_flush();
	n = file_tail(logpath, got, sizeof(got));
	snprintf(want, sizeof(want), "] \"GET /hello.txt HTTP/1.1\" 200 %zu \"http://ref/\" "
	    "\"ua/1\"\n127.0.0.1 - - [", sizeof(HELLO) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	snprintf(want, sizeof(want), "] \"GET /nope HTTP/1.1\" 404 %zu \"-\" \"-\"\n127.0.0.1 - - [",
	    strlen(html_body("404 Not Found")));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, want));
	wn = (size_t)snprintf(want, sizeof(want), "] \"-\" 400 %zu \"-\" \"-\"\n",
	    strlen(html_body("400 Bad Request")));
	check_at(n > wn && strcmp(got + n - wn, want) == 0, __LINE__,
	    "the log ends \"%s\", want \"%s\"", got + (n > wn ? n - wn : 0), want);
}

/* ---- out of memory ------------------------------------------------ */

/* Run req on a fresh connection with output-queue allocation number
 * fail_at failing (0: none); returns the input's result, and in *calls
 * the allocations made. */
static int
run_failing(const char *req, unsigned fail_at, unsigned *calls, int *err)
{
	struct conn c;
	int rc;

	conn_open(&c);
	outq_fail_arm(fail_at);
	rc = feed(&c, req, strlen(req));
	*calls = outq_fail_calls;
	*err = outq_error(&c.out);
	outq_fail_arm(0);
	conn_free(&c);
	return rc;
}

/* Whatever allocation of the output queue fails while responses are
 * queued, the handler aborts the connection: it never returns with a
 * head queued whose body is missing. */
static void
test_out_of_memory(void)
{
	static const char *const reqs[] = {
		GET("/hello.txt"),
		GET("/big.bin"),
		"GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=100-50000\r\n\r\n",
		GET("/nope"),
		"GET /hello.txt HTTP/1.0\r\n\r\n",
		GET("/hello.txt") GET("/big.bin") GET("/dir/") GET("/big.bin") GET("/nope"),
		"GARBAGE\r\n\r\n",
	};
	unsigned calls, n, i;
	int rc, err;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		rc = run_failing(reqs[i], 0, &calls, &err);
		check_at(rc != PROTO_ABORT && !err && calls >= 1, __LINE__,
		    "request %u without failures: rc %d, error %d, %u allocations", i, rc, err,
		    calls);
		for (n = 1; n <= calls; n++) {
			unsigned got;

			rc = run_failing(reqs[i], n, &got, &err);
			check_at(rc == PROTO_ABORT && err, __LINE__,
			    "request %u, allocation %u of %u failing: rc %d, error %d", i, n,
			    calls, rc, err);
		}
	}
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "GET a small file", test_get_small },
		{ "GET a large file: a file range", test_get_big },
		{ "HEAD", test_head },
		{ "ranges", test_ranges },
		{ "conditionals", test_conditionals },
		{ "pipelining order", test_pipeline },
		{ "keep-alive decisions", test_keepalive },
		{ "keepalive_requests", test_keepalive_requests },
		{ "drain and request timers", test_drain_and_timers },
		{ "error responses", test_errors },
		{ "request bodies dropped", test_bodies },
		{ "scoreboard and access log", test_accounting },
		{ "out of memory aborts", test_out_of_memory },
	};
	return CUNIT_RUN("http handler", suite_init, suite_clean, tests);
}
