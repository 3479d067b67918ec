/*
 * test_conn: unit tests of the output queue (buf.c) and of the
 * connection state rules (conn.c: conn_apply, conn_input, conn_resume,
 * conn_drain, conn_pull).
 *
 * The output queue is checked through what it would send: its chunks are
 * walked and flattened (memory as it is, file ranges read back with
 * pread) and compared with what was appended, after consuming it in steps
 * of every size across chunk boundaries. Allocation failures come from
 * outq_fail.h, which replaces the queue's allocator.
 *
 * The state rules run against a fake protocol whose input, drain and
 * pull return scripted results and count their calls. A connection has
 * no socket (fd -1) except where lingering needs a real shutdown(): then
 * it is one end of a socketpair, and the test plays the peer on the other
 * end (waiting with bounded polls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"
#include "outq_fail.h"

#include "conn/buf.h"
#include "conn/conn.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

static char tmpdir[PATH_MAX];
static int file_fd = -1;		/* tmpdir/data: FILE_TEXT */

static const char FILE_TEXT[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int
suite_init(void)
{
	char path[PATH_MAX + 8];

	if (cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_conn") == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/data", tmpdir);
	if ((file_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return -1;
	return write(file_fd, FILE_TEXT, sizeof(FILE_TEXT) - 1) ==
	    (ssize_t)(sizeof(FILE_TEXT) - 1) ? 0 : -1;
}

static int
suite_clean(void)
{
	if (file_fd != -1)
		close(file_fd);
	return cunit_rmtree(tmpdir);
}

/* A new reference (refs 1) to a descriptor of the test file. */
static struct fd_ref *
file_ref(void)
{
	int fd = dup(file_fd);
	struct fd_ref *r;

	CU_ASSERT_FATAL(fd != -1);
	r = fd_ref_new(fd, 1);
	CU_ASSERT_FATAL(r != NULL);
	return r;
}

/* What q would send, in order, into out (malloc'd); returns its length,
 * which must be outq_len(). File ranges are read back from their fd. */
static size_t
flatten(const struct outq *q, char **out)
{
	const struct out_chunk *ch;
	size_t n = 0;
	char *b = malloc(outq_len(q) + 1);

	CU_ASSERT_FATAL(b != NULL);
	for (ch = q->head; ch != NULL; ch = ch->next) {
		CU_ASSERT_FATAL(n + ch->len <= outq_len(q));
		if (ch->fd == -1)
			memcpy(b + n, ch->mem + ch->pos, ch->len);
		else
			CU_ASSERT_FATAL(pread(ch->fd, b + n, ch->len, ch->off) == (ssize_t)ch->len);
		n += ch->len;
	}
	CU_ASSERT_EQUAL(n, outq_len(q));
	*out = b;
	return n;
}

/* q holds exactly want[0, len). */
#define QUEUE_IS(q, want, len)	queue_is((q), (want), (len), __LINE__)

static void
queue_is(const struct outq *q, const char *want, size_t len, int line)
{
	char *got;
	size_t n = flatten(q, &got);

	check_at(n == len && memcmp(got, want, len) == 0, line,
	    "queue holds %zu bytes \"%.*s\", want %zu \"%.*s\"", n, (int)(n > 80 ? 80 : n), got,
	    len, (int)(len > 80 ? 80 : len), want);
	free(got);
}

static size_t
nchunks(const struct outq *q)
{
	const struct out_chunk *ch;
	size_t n = 0;

	for (ch = q->head; ch != NULL; ch = ch->next)
		n++;
	return n;
}

/* ---- output queue ------------------------------------------------- */

static void
test_outq_memory(void)
{
	static const char a[] = "HTTP/1.1 200 OK\r\n", b[] = "Content-Length: 5\r\n\r\n";
	struct outq q = { 0 };
	char want[128], *big;
	size_t bigl = 40000, i;

	CU_ASSERT_EQUAL(outq_len(&q), 0);
	CU_ASSERT_EQUAL(outq_append(&q, a, 0), 0);	/* nothing: no chunk */
	CU_ASSERT_PTR_NULL(q.head);
	CU_ASSERT_EQUAL(outq_append(&q, a, sizeof(a) - 1), 0);
	CU_ASSERT_EQUAL(outq_printf(&q, "Content-Length: %d\r\n\r\n", 5), 0);
	snprintf(want, sizeof(want), "%s%s", a, b);
	QUEUE_IS(&q, want, strlen(want));
	CU_ASSERT_EQUAL(nchunks(&q), 1);		/* small appends share a chunk */

	/* Larger than a chunk: a chunk of its own, after the first. */
	big = malloc(bigl);
	CU_ASSERT_FATAL(big != NULL);
	for (i = 0; i < bigl; i++)
		big[i] = (char)('a' + i % 26);
	CU_ASSERT_EQUAL(outq_append(&q, big, bigl), 0);
	CU_ASSERT_EQUAL(outq_len(&q), strlen(want) + bigl);
	CU_ASSERT_EQUAL(nchunks(&q), 2);
	outq_consume(&q, strlen(want));
	QUEUE_IS(&q, big, bigl);
	CU_ASSERT_EQUAL(nchunks(&q), 1);		/* the drained head is freed */
	outq_free(&q);
	CU_ASSERT_EQUAL(outq_len(&q), 0);
	CU_ASSERT_PTR_NULL(q.head);
	CU_ASSERT_PTR_NULL(q.tail);
	CU_ASSERT_EQUAL(outq_error(&q), 0);
	free(big);
}

static void
test_outq_reserve_printf(void)
{
	struct outq q = { 0 };
	char *w, want[2100], arg[1500];

	w = outq_reserve(&q, 5);
	CU_ASSERT_FATAL(w != NULL);
	memcpy(w, "hello", 5);
	CU_ASSERT_EQUAL(outq_len(&q), 0);		/* not before the commit */
	outq_commit(&q, 5);
	/* longer than outq_printf's stack buffer */
	memset(arg, 'x', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	CU_ASSERT_EQUAL(outq_printf(&q, "[%s]", arg), 0);
	snprintf(want, sizeof(want), "hello[%s]", arg);
	QUEUE_IS(&q, want, strlen(want));
	outq_free(&q);
}

/* The queue used by the consume tests: memory, a file range, memory, a
 * second range of the same file, memory. Its bytes go to want; returns
 * how many. */
static size_t
mixed_queue(struct outq *q, char *want)
{
	static const struct { const char *mem; off_t off; size_t len; } parts[] = {
		{ "head:", 0, 5 }, { NULL, 3, 10 }, { "|mid|", 0, 5 },
		{ NULL, 40, 20 }, { ":tail", 0, 5 },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].mem != NULL) {
			CU_ASSERT_FATAL(outq_append(q, parts[i].mem, parts[i].len) == 0);
			memcpy(want + n, parts[i].mem, parts[i].len);
		} else {
			CU_ASSERT_FATAL(outq_append_file(q, file_ref(), parts[i].off,
			    parts[i].len) == 0);
			memcpy(want + n, FILE_TEXT + parts[i].off, parts[i].len);
		}
		n += parts[i].len;
	}
	return n;
}

/* Consumed in steps of every size, the queue always holds the rest of
 * what was appended, whatever chunk boundary a step crosses. */
static void
test_outq_consume(void)
{
	char want[64];
	size_t total, step, done;

	for (step = 1; step <= 45; step++) {
		struct outq q = { 0 };

		total = mixed_queue(&q, want);
		CU_ASSERT_FATAL(total == 45);
		CU_ASSERT_EQUAL(nchunks(&q), 5);
		for (done = 0; done < total; ) {
			size_t n = total - done < step ? total - done : step;

			outq_consume(&q, n);
			done += n;
			QUEUE_IS(&q, want + done, total - done);
		}
		CU_ASSERT_PTR_NULL(q.head);
		CU_ASSERT_PTR_NULL(q.tail);
		/* an emptied queue takes appends again */
		CU_ASSERT_EQUAL(outq_append(&q, "again", 5), 0);
		QUEUE_IS(&q, "again", 5);
		outq_free(&q);
	}
}

/* A file chunk holds a reference: the file stays open until the chunk is
 * sent or freed, and the last holder closes it. */
static void
test_outq_file_refs(void)
{
	struct outq q = { 0 };
	int fd = dup(file_fd);
	struct fd_ref *r = fd_ref_new(fd, 2);	/* the queue's and ours */

	CU_ASSERT_FATAL(fd != -1 && r != NULL);
	CU_ASSERT_EQUAL(outq_append_file(&q, r, 0, 4), 0);
	outq_consume(&q, 2);
	CU_ASSERT_EQUAL(q.head->off, 2);		/* a file chunk moves its offset */
	CU_ASSERT_EQUAL(r->refs, 2);
	outq_consume(&q, 2);
	CU_ASSERT_EQUAL(r->refs, 1);			/* sent: the queue let go */
	CU_ASSERT(fcntl(fd, F_GETFD) != -1);		/* still open */
	fd_ref_get(r);
	CU_ASSERT_EQUAL(outq_append_file(&q, r, 0, 4), 0);
	outq_free(&q);
	CU_ASSERT_EQUAL(r->refs, 1);			/* freed: the queue let go */
	fd_ref_put(r);
	CU_ASSERT(fcntl(fd, F_GETFD) == -1 && errno == EBADF);	/* the last one closed it */
}

/* Every failed append sets the error, which nothing clears. */
static void
test_outq_sticky_error(void)
{
	struct outq q = { 0 };
	struct fd_ref *r;
	char big[2000];

	outq_fail_arm(1);
	CU_ASSERT_EQUAL(outq_append(&q, "abc", 3), -1);
	CU_ASSERT_EQUAL(outq_len(&q), 0);
	CU_ASSERT_EQUAL(outq_error(&q), 1);
	CU_ASSERT_EQUAL(outq_append(&q, "abc", 3), 0);	/* later appends work... */
	QUEUE_IS(&q, "abc", 3);
	CU_ASSERT_EQUAL(outq_error(&q), 1);		/* ...and the error stays */
	outq_consume(&q, 3);
	outq_free(&q);
	CU_ASSERT_EQUAL(outq_error(&q), 1);

	/* each kind of append, on a fresh queue */
	q = (struct outq){ 0 };
	outq_fail_arm(1);
	CU_ASSERT_PTR_NULL(outq_reserve(&q, 10));
	CU_ASSERT_EQUAL(outq_error(&q), 1);

	q = (struct outq){ 0 };
	outq_fail_arm(1);
	CU_ASSERT_EQUAL(outq_printf(&q, "%d", 42), -1);
	CU_ASSERT_EQUAL(outq_error(&q), 1);

	q = (struct outq){ 0 };
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	outq_fail_arm(1);				/* printf's own buffer */
	CU_ASSERT_EQUAL(outq_printf(&q, "%s", big), -1);
	CU_ASSERT_EQUAL(outq_error(&q), 1);
	outq_free(&q);

	q = (struct outq){ 0 };
	r = file_ref();
	fd_ref_get(r);
	outq_fail_arm(1);
	CU_ASSERT_EQUAL(outq_append_file(&q, r, 0, 4), -1);
	CU_ASSERT_EQUAL(r->refs, 1);			/* it dropped the reference given */
	CU_ASSERT_EQUAL(outq_len(&q), 0);
	CU_ASSERT_EQUAL(outq_error(&q), 1);
	fd_ref_put(r);

	/* a failure in the middle keeps what was queued before it */
	q = (struct outq){ 0 };
	CU_ASSERT_EQUAL(outq_append(&q, "head", 4), 0);
	outq_fail_arm(1);
	CU_ASSERT_EQUAL(outq_append_file(&q, file_ref(), 0, 4), -1);
	QUEUE_IS(&q, "head", 4);
	CU_ASSERT_EQUAL(outq_error(&q), 1);
	outq_fail_arm(0);
	outq_free(&q);
}

/* ---- the connection state rules ----------------------------------- */

/* The fake protocol: each call of input, drain or pull returns the next
 * scripted result (PROTO_OK once the script is out) after queueing emit
 * and setting set_flags on the connection. */
static struct {
	int		 script[8];
	unsigned	 nscript, next;
	const char	*emit;
	unsigned	 set_flags;
	unsigned	 inputs, drains, pulls, closes;
} fake;

static void
fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

/* Script the next results. */
static void
fake_script(unsigned n, const int *rc)
{
	fake_reset();
	memcpy(fake.script, rc, n * sizeof(*rc));
	fake.nscript = n;
}

static int
fake_step(struct conn *c)
{
	if (fake.emit != NULL)
		CU_ASSERT_FATAL(outq_append(&c->out, fake.emit, strlen(fake.emit)) == 0);
	c->flags |= fake.set_flags;
	return fake.next < fake.nscript ? fake.script[fake.next++] : PROTO_OK;
}

static int fake_open(struct conn *c) { return PROTO_OK; }
static int fake_input(struct conn *c) { fake.inputs++; return fake_step(c); }
static int fake_drain(struct conn *c) { fake.drains++; return fake_step(c); }
static int fake_pull(struct conn *c) { fake.pulls++; return fake_step(c); }
static void fake_close(struct conn *c) { fake.closes++; }

static const struct proto_ops fake_proto = {
	.name = "fake", .open = fake_open, .input = fake_input, .drain = fake_drain,
	.close = fake_close, .pull = fake_pull,
};
static const struct proto_ops fake_proto_nopull = {
	.name = "fake", .open = fake_open, .input = fake_input, .drain = fake_drain,
	.close = fake_close, .pull = NULL,
};

static struct sb_worker sbw;

static void
conn_new(struct conn *c, int fd, const struct proto_ops *p)
{
	conn_init(c, fd, p, NULL, &sbw, 0);
}

static void
conn_done(struct conn *c)
{
	unsigned closes = fake.closes;

	conn_free(c);
	CU_ASSERT_EQUAL(fake.closes, closes + 1);	/* the handler's close, once */
	CU_ASSERT_EQUAL(c->fd, -1);
}

static void
test_apply(void)
{
	struct conn c;

	fake_reset();
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 0);		/* goes on */
	CU_ASSERT_EQUAL(c.flags, 0);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_ABORT), -1);
	CU_ASSERT_EQUAL(c.flags, 0);

	/* close: what is queued goes first */
	CU_ASSERT_FATAL(outq_append(&c.out, "bye", 3) == 0);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_CLOSE), 0);
	CU_ASSERT_EQUAL(c.flags, CONN_CLOSING);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 0);		/* closing: no more input */
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 0);		/* still sending */
	CU_ASSERT_EQUAL(c.flags, CONN_CLOSING);		/* and closing stays */
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_ABORT), -1);	/* abort wins over all */
	outq_consume(&c.out, 3);
	/* all sent, no socket to shut: done at once */
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 1);
	conn_done(&c);

	/* closing with nothing queued: done */
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_CLOSE), 1);
	conn_done(&c);
}

/* A peer that closed its side gets what is queued, then the close;
 * unless the handler left input to be called on (CONN_MORE). */
/* A handler that answered OK over a failed append still loses the
 * connection: conn_apply is the one place that decides. */
static void
test_apply_sticky_error(void)
{
	static char body[256 * 1024];	/* more than any chunk has spare */
	struct conn c;

	fake_reset();
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_FATAL(outq_append(&c.out, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 0);
	outq_fail_arm(1);
	CU_ASSERT_EQUAL(outq_append(&c.out, body, sizeof(body)), -1);
	outq_fail_arm(0);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), -1);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_CLOSE), -1);
	CU_ASSERT_EQUAL(conn_resume(&c), -1);
	conn_done(&c);
}

static void
test_apply_eof(void)
{
	struct conn c;

	fake_reset();
	conn_new(&c, -1, &fake_proto);
	c.flags = CONN_EOF | CONN_MORE;
	CU_ASSERT_FATAL(outq_append(&c.out, "x", 1) == 0);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 0);
	CU_ASSERT_EQUAL(c.flags, CONN_EOF | CONN_MORE);	/* not closing yet */
	c.flags &= ~CONN_MORE;
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 0);
	CU_ASSERT_EQUAL(c.flags, CONN_EOF | CONN_CLOSING);
	outq_consume(&c.out, 1);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 1);
	conn_done(&c);
}

static void
test_input(void)
{
	static const int rc[] = { PROTO_OK, PROTO_CLOSE, PROTO_ABORT };
	struct conn c;

	fake_script(3, rc);
	conn_new(&c, -1, &fake_proto);
	fake.emit = "reply";
	CU_ASSERT_EQUAL(conn_input(&c), 0);
	CU_ASSERT_EQUAL(fake.inputs, 1);
	CU_ASSERT_EQUAL(c.flags, 0);
	CU_ASSERT_EQUAL(conn_input(&c), 0);		/* close, "replyreply" queued */
	CU_ASSERT_EQUAL(c.flags, CONN_CLOSING);
	CU_ASSERT_EQUAL(outq_len(&c.out), 10);
	CU_ASSERT_EQUAL(conn_input(&c), -1);
	CU_ASSERT_EQUAL(fake.inputs, 3);
	conn_done(&c);
}

/* conn_resume runs input again only if the handler asked (CONN_MORE)
 * and the output queue has drained, and clears the request. */
static void
test_resume(void)
{
	static const int close_rc[] = { PROTO_CLOSE };
	struct conn c;

	fake_reset();
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_resume(&c), 0);
	CU_ASSERT_EQUAL(fake.inputs, 0);			/* not asked */

	c.flags = CONN_MORE;
	CU_ASSERT_FATAL(outq_append(&c.out, "pending", 7) == 0);
	CU_ASSERT_EQUAL(conn_resume(&c), 0);
	CU_ASSERT_EQUAL(fake.inputs, 0);			/* output not drained */
	CU_ASSERT_EQUAL(c.flags, CONN_MORE);

	outq_consume(&c.out, 7);
	fake.set_flags = CONN_MORE;			/* asks again */
	CU_ASSERT_EQUAL(conn_resume(&c), 0);
	CU_ASSERT_EQUAL(fake.inputs, 1);
	CU_ASSERT_EQUAL(c.flags, CONN_MORE);
	fake.set_flags = 0;
	CU_ASSERT_EQUAL(conn_resume(&c), 0);
	CU_ASSERT_EQUAL(fake.inputs, 2);
	CU_ASSERT_EQUAL(c.flags, 0);			/* cleared, not asked again */
	CU_ASSERT_EQUAL(conn_resume(&c), 0);
	CU_ASSERT_EQUAL(fake.inputs, 2);

	/* the result of that input is applied */
	fake_script(1, close_rc);
	c.flags = CONN_MORE;
	CU_ASSERT_EQUAL(conn_resume(&c), 1);
	CU_ASSERT_EQUAL(fake.inputs, 1);
	conn_done(&c);
}

/* The handler hears of the drain once; later drains only apply. */
static void
test_drain(void)
{
	static const int rc[] = { PROTO_OK, PROTO_CLOSE };
	struct conn c;

	fake_script(2, rc);
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_drain(&c), 0);
	CU_ASSERT_EQUAL(fake.drains, 1);
	CU_ASSERT_EQUAL(c.flags, CONN_DRAINED);
	CU_ASSERT_EQUAL(conn_drain(&c), 0);
	CU_ASSERT_EQUAL(fake.drains, 1);			/* not twice */
	conn_done(&c);

	fake_script(1, rc + 1);
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_drain(&c), 1);		/* nothing in flight: closes */
	CU_ASSERT_EQUAL(c.flags, CONN_DRAINED | CONN_CLOSING);
	conn_done(&c);
}

static void
test_pull(void)
{
	static const int rc[] = { PROTO_ABORT };
	struct conn c;

	fake_script(1, rc);
	conn_new(&c, -1, &fake_proto_nopull);
	CU_ASSERT_EQUAL(conn_pull(&c), 0);
	CU_ASSERT_EQUAL(fake.pulls, 0);
	conn_done(&c);
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_pull(&c), -1);
	CU_ASSERT_EQUAL(fake.pulls, 1);
	conn_done(&c);
}

/* Wait (bounded) until fd is readable; 1 if it is. */
static int
readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

/* Everything sent and closing, with the peer still open: our side is
 * shut (the peer reads EOF), its input is dropped unseen, the handler is
 * called no more, and the connection is done when the peer closes. */
static void
test_linger(void)
{
	struct conn c;
	char rb[16];
	int sv[2];
	int64_t before;

	fake_reset();
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	conn_new(&c, sv[0], &fake_proto);
	CU_ASSERT_FATAL(buf_append(&c.in, "unread", 6) == 0);
	before = now_ms();
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_CLOSE), 0);
	CU_ASSERT_EQUAL(c.flags, CONN_CLOSING | CONN_LINGER);
	CU_ASSERT_EQUAL(buf_len(&c.in), 0);
	CU_ASSERT_EQUAL(c.timeout_ms, CONN_LINGER_MS);
	CU_ASSERT(c.deadline_ms >= before + CONN_LINGER_MS &&
	    c.deadline_ms <= now_ms() + CONN_LINGER_MS);
	CU_ASSERT_FATAL(readable(sv[1], 5000));
	CU_ASSERT_EQUAL(read(sv[1], rb, sizeof(rb)), 0);	/* the peer sees our EOF */

	/* lingering: input is read and dropped, the handler is not called */
	CU_ASSERT_EQUAL(conn_wants_read(&c), 1);
	CU_ASSERT_FATAL(write(sv[1], "more", 4) == 4);
	CU_ASSERT_FATAL(readable(sv[0], 5000));
	CU_ASSERT_EQUAL(conn_read(&c), 4);
	CU_ASSERT_EQUAL(buf_len(&c.in), 0);
	CU_ASSERT_EQUAL(conn_input(&c), 0);
	CU_ASSERT_EQUAL(conn_resume(&c), 0);
	CU_ASSERT_EQUAL(conn_drain(&c), 0);
	CU_ASSERT_EQUAL(conn_pull(&c), 0);
	CU_ASSERT(fake.inputs == 0 && fake.drains == 0 && fake.pulls == 0);

	/* the peer closes: done */
	close(sv[1]);
	CU_ASSERT_FATAL(readable(sv[0], 5000));
	CU_ASSERT_EQUAL(conn_read(&c), 0);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 0);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_OK), 1);
	conn_done(&c);

	/* a peer that has already closed is not waited for */
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	conn_new(&c, sv[0], &fake_proto);
	close(sv[1]);
	CU_ASSERT_FATAL(readable(sv[0], 5000));
	CU_ASSERT_EQUAL(conn_read(&c), 0);
	CU_ASSERT_EQUAL(c.flags, CONN_EOF);
	CU_ASSERT_EQUAL(conn_apply(&c, PROTO_CLOSE), 1);
	CU_ASSERT_EQUAL(c.flags & CONN_LINGER, 0);
	conn_done(&c);
}

/* Reading stops above the output high-water mark and the input cap. */
static void
test_wants_read(void)
{
	struct conn c;
	char *w;

	fake_reset();
	conn_new(&c, -1, &fake_proto);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 1);
	w = outq_reserve(&c.out, CONN_OUT_HIGH);
	CU_ASSERT_FATAL(w != NULL);
	outq_commit(&c.out, CONN_OUT_HIGH - 1);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 1);
	outq_commit(&c.out, 1);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 0);
	outq_consume(&c.out, 1);
	CU_ASSERT_FATAL(buf_reserve(&c.in, CONN_IN_MAX) != NULL);
	buf_commit(&c.in, CONN_IN_MAX);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 0);
	buf_consume(&c.in, 1);
	CU_ASSERT_EQUAL(conn_wants_read(&c), 1);
	c.flags |= CONN_EOF;
	CU_ASSERT_EQUAL(conn_wants_read(&c), 0);
	conn_done(&c);
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "outq: memory appends", test_outq_memory },
		{ "outq: reserve, commit, printf", test_outq_reserve_printf },
		{ "outq: consume across chunks", test_outq_consume },
		{ "outq: file references", test_outq_file_refs },
		{ "outq: sticky error", test_outq_sticky_error },
		{ "conn_apply", test_apply },
		{ "conn_apply after a failed append", test_apply_sticky_error },
		{ "conn_apply after EOF", test_apply_eof },
		{ "conn_input", test_input },
		{ "conn_resume", test_resume },
		{ "conn_drain", test_drain },
		{ "conn_pull", test_pull },
		{ "linger", test_linger },
		{ "conn_wants_read", test_wants_read },
	};
	return CUNIT_RUN("conn", suite_init, suite_clean, tests);
}
