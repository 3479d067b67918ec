/*
 * test_chat: unit tests of the chat protocol's pure parsers (chat.c): the
 * line splitter (LF and CRLF, lone CRs, the length limit with and without
 * the LF, skipping the rest of a long line, every split point of a stream),
 * the command classifier and the text check (UTF-8 well-formedness and
 * control characters). Inputs are copied into buffers of their exact size
 * so that AddressSanitizer catches any read past the end.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "chat/chat.h"

#define MAX	16		/* the line limit of most cases */

/* n bytes of c, then the string tail (an exact-size copy; caller frees). */
static char *
fill(char c, size_t n, const char *tail, size_t *len)
{
	size_t tl = strlen(tail);
	char *p = malloc(n + tl ? n + tl : 1);

	CU_ASSERT_FATAL(p != NULL);
	memset(p, c, n);
	memcpy(p + n, tail, tl);
	*len = n + tl;
	return p;
}

static const char *
line_rc_name(int rc)
{
	switch (rc) {
	case CHAT_LINE_NEED:
		return "NEED";
	case CHAT_LINE_OK:
		return "OK";
	case CHAT_LINE_LONG:
		return "LONG";
	}
	return "?";
}

/* chat_line_next over an exact-size copy of s[0, n). */
static int
next_n(const char *s, size_t n, size_t max, size_t *line_len, size_t *consumed)
{
	char *b = cunit_dup_n(s, n);
	int rc;

	*line_len = 0xdead;
	*consumed = 0xbeef;
	rc = chat_line_next(b, n, max, line_len, consumed);
	free(b);
	return rc;
}

/* chat_line_next(s) must give rc, and for OK the line length and the bytes
 * consumed, for LONG the bytes consumed, for NEED nothing consumed. */
#define LINE_IS(s, n, max, rc, ll, cons) \
	line_is((s), (n), (max), (rc), (ll), (cons), __LINE__)

static void
line_is(const char *s, size_t n, size_t max, int want_rc, size_t want_ll,
    size_t want_cons, int line)
{
	size_t ll, cons;
	int rc = next_n(s, n, max, &ll, &cons);

	if (!check_at(rc == want_rc, line, "chat_line_next(%zu bytes, max %zu): %s, expected %s",
	    n, max, line_rc_name(rc), line_rc_name(want_rc)))
		return;
	if (rc == CHAT_LINE_OK)
		check_at(ll == want_ll, line, "line_len %zu, expected %zu", ll, want_ll);
	check_at(cons == want_cons, line, "consumed %zu, expected %zu (%s)", cons, want_cons,
	    line_rc_name(rc));
}

/* --------------------------------------------------------------------- */
/* chat_line_next */

static void
test_line_endings(void)
{
	LINE_IS("hello\n", 6, MAX, CHAT_LINE_OK, 5, 6);
	LINE_IS("hello\r\n", 7, MAX, CHAT_LINE_OK, 5, 7);
	/* what follows the LF is not consumed */
	LINE_IS("hello\nworld\n", 12, MAX, CHAT_LINE_OK, 5, 6);
	LINE_IS("hello\r\nworld", 12, MAX, CHAT_LINE_OK, 5, 7);
	/* a lone CR is text; only the one right before the LF is dropped */
	LINE_IS("a\rb\n", 4, MAX, CHAT_LINE_OK, 3, 4);
	LINE_IS("\rab\n", 4, MAX, CHAT_LINE_OK, 3, 4);
	LINE_IS("a\r\r\n", 4, MAX, CHAT_LINE_OK, 2, 4);
	LINE_IS("a\rb\r\n", 5, MAX, CHAT_LINE_OK, 3, 5);
	LINE_IS("\r\r\n", 3, MAX, CHAT_LINE_OK, 1, 3);
	/* a NUL is not a terminator */
	LINE_IS("a\0b\n", 4, MAX, CHAT_LINE_OK, 3, 4);
}

static void
test_line_empty(void)
{
	LINE_IS("\n", 1, MAX, CHAT_LINE_OK, 0, 1);
	LINE_IS("\r\n", 2, MAX, CHAT_LINE_OK, 0, 2);
	LINE_IS("\n\n", 2, MAX, CHAT_LINE_OK, 0, 1);
	LINE_IS("\nabc\n", 5, MAX, CHAT_LINE_OK, 0, 1);
	LINE_IS("\r\n\r\n", 4, MAX, CHAT_LINE_OK, 0, 2);
	/* an empty line is fine even with the smallest limit */
	LINE_IS("\n", 1, 0, CHAT_LINE_OK, 0, 1);
	LINE_IS("\r\n", 2, 1, CHAT_LINE_OK, 0, 2);
}

static void
test_line_need(void)
{
	LINE_IS("", 0, MAX, CHAT_LINE_NEED, 0, 0);
	LINE_IS("h", 1, MAX, CHAT_LINE_NEED, 0, 0);
	LINE_IS("hello", 5, MAX, CHAT_LINE_NEED, 0, 0);
	LINE_IS("\r", 1, MAX, CHAT_LINE_NEED, 0, 0);
	LINE_IS("hello\r", 6, MAX, CHAT_LINE_NEED, 0, 0);
	LINE_IS("a\rb", 3, MAX, CHAT_LINE_NEED, 0, 0);
}

/* Walk one buffer line by line, as a handler would. */
static void
test_line_several(void)
{
	static const char s[] = "one\ntwo\r\n\nthr\ree\r\n\r\nlast";
	static const char *want[] = { "one", "two", "", "thr\ree", "" };
	size_t n = sizeof(s) - 1, off = 0, ll, cons, i;
	char *b = cunit_dup_n(s, n);
	int rc;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		rc = chat_line_next(b + off, n - off, MAX, &ll, &cons);
		if (!check_at(rc == CHAT_LINE_OK, __LINE__, "line %zu: %s", i, line_rc_name(rc)))
			break;
		check_at(ll == strlen(want[i]) && memcmp(b + off, want[i], ll) == 0, __LINE__,
		    "line %zu: \"%.*s\", expected \"%s\"", i, (int)ll, b + off, want[i]);
		CU_ASSERT(cons > ll && cons <= n - off);
		CU_ASSERT_EQUAL(b[off + cons - 1], '\n');
		off += cons;
	}
	CU_ASSERT_EQUAL(off, n - 4);
	cons = 99;
	CU_ASSERT_EQUAL(chat_line_next(b + off, n - off, MAX, &ll, &cons), CHAT_LINE_NEED);
	CU_ASSERT_EQUAL(cons, 0);
	free(b);
}

/* Exactly max bytes is a line; max + 1 is too long. */
static void
test_line_max(void)
{
	size_t n;
	char *b;

	b = fill('x', MAX, "\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_OK, MAX, MAX + 1);
	free(b);
	b = fill('x', MAX, "\r\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_OK, MAX, MAX + 2);
	free(b);
	/* max bytes and no LF yet: still fine */
	b = fill('x', MAX, "", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_NEED, 0, 0);
	free(b);
	/* max bytes and a CR: the LF may follow, so not known to be long */
	b = fill('x', MAX, "\r", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_NEED, 0, 0);
	free(b);
	/* a lone CR inside: max bytes of line */
	b = fill('x', MAX - 2, "\rx", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_NEED, 0, 0);
	free(b);
	b = fill('x', MAX - 1, "\r\r\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_OK, MAX, MAX + 2);
	free(b);
	/* limit 1 */
	LINE_IS("a\n", 2, 1, CHAT_LINE_OK, 1, 2);
	LINE_IS("a\r\n", 3, 1, CHAT_LINE_OK, 1, 3);
	LINE_IS("ab\n", 3, 1, CHAT_LINE_LONG, 0, 3);
}

static void
test_line_long_with_lf(void)
{
	size_t n;
	char *b;

	/* consumed through the LF, nothing after it */
	b = fill('x', MAX + 1, "\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 2);
	free(b);
	b = fill('x', MAX + 1, "\r\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 3);
	free(b);
	b = fill('x', MAX + 1, "\nnext\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 2);
	free(b);
	b = fill('x', MAX + 2, "\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 3);
	free(b);
	/* the LF far past the limit: still only through it, so that the
	 * complete lines after it are not lost */
	b = fill('x', MAX + 2, "\nnext\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 3);
	free(b);
	b = fill('x', 3 * MAX, "\r\nnext", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, 3 * MAX + 2);
	free(b);
	b = fill('x', 3 * MAX, "\r\n/nick bob\n/join x\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, 3 * MAX + 2);
	free(b);
	/* a lone CR counts as a byte of the line */
	b = fill('x', MAX, "\rx\nnext\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 3);
	free(b);
	b = fill('x', MAX, "\r\r\nnext\n", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, MAX + 3);
	free(b);
}

/* Too long before the LF arrives: everything is consumed, and
 * chat_line_skip() finds the end of the line in what follows. */
static void
test_line_long_without_lf(void)
{
	size_t n, cons;
	char *b;

	b = fill('x', MAX + 1, "", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, n);
	free(b);
	b = fill('x', 10 * MAX, "", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, n);
	free(b);
	/* a CR at the end does not hide the length once it is over */
	b = fill('x', MAX + 1, "\r", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, n);
	free(b);
	b = fill('x', MAX, "\rx", &n);
	LINE_IS(b, n, MAX, CHAT_LINE_LONG, 0, n);
	free(b);

	/* the rest of the line, then a good one */
	b = cunit_dup_n("yyyy\r\nok\n", 9);
	CU_ASSERT_EQUAL(chat_line_skip(b, 9, &cons), 1);
	CU_ASSERT_EQUAL(cons, 6);
	LINE_IS(b + 6, 3, MAX, CHAT_LINE_OK, 2, 3);
	free(b);
}

static void
test_line_skip(void)
{
	size_t cons;
	char *b;

	cons = 99;
	CU_ASSERT_EQUAL(chat_line_skip("", 0, &cons), 0);
	CU_ASSERT_EQUAL(cons, 0);
	b = cunit_dup_n("abc", 3);
	CU_ASSERT_EQUAL(chat_line_skip(b, 3, &cons), 0);
	CU_ASSERT_EQUAL(cons, 3);
	free(b);
	b = cunit_dup_n("abc\r", 4);
	CU_ASSERT_EQUAL(chat_line_skip(b, 4, &cons), 0);
	CU_ASSERT_EQUAL(cons, 4);
	free(b);
	b = cunit_dup_n("\n", 1);
	CU_ASSERT_EQUAL(chat_line_skip(b, 1, &cons), 1);
	CU_ASSERT_EQUAL(cons, 1);
	free(b);
	b = cunit_dup_n("ab\ncd\nef", 8);
	CU_ASSERT_EQUAL(chat_line_skip(b, 8, &cons), 1);
	CU_ASSERT_EQUAL(cons, 3);		/* the first LF only */
	free(b);
	b = cunit_dup_n("\r\nx", 3);
	CU_ASSERT_EQUAL(chat_line_skip(b, 3, &cons), 1);
	CU_ASSERT_EQUAL(cons, 2);
	free(b);
}

/*
 * A reader of a byte stream fed in chunks: keeps a buffer, takes lines
 * out of it and skips the rest of long ones, recording "=TEXT" for each
 * line and "!" for each long one into out. Checks on the way that the
 * buffer stays bounded (NEED only while no more than max + CR is held).
 */
struct feeder {
	char	 buf[256];
	size_t	 len;
	size_t	 max;
	bool	 skipping;
	char	 out[1024];
	size_t	 outlen;
	bool	 bad;
};

static void
feeder_out(struct feeder *f, const char *s, size_t n)
{
	if (f->outlen + n + 1 > sizeof(f->out)) {
		f->bad = true;
		return;
	}
	memcpy(f->out + f->outlen, s, n);
	f->outlen += n;
	f->out[f->outlen] = '\0';
}

static void
feeder_drop(struct feeder *f, size_t n)
{
	if (n > f->len) {
		f->bad = true;
		n = f->len;
	}
	memmove(f->buf, f->buf + n, f->len - n);
	f->len -= n;
}

/* Process what the buffer holds; false on a contract violation. */
static bool
feeder_run(struct feeder *f)
{
	size_t ll, cons;
	char *copy;
	int rc;

	for (;;) {
		copy = cunit_dup_n(f->buf, f->len);
		if (f->skipping) {
			rc = chat_line_skip(copy, f->len, &cons);
			free(copy);
			if (rc == 0 && cons != f->len)
				return false;
			if (rc == 1 && (cons == 0 || f->buf[cons - 1] != '\n' ||
			    memchr(f->buf, '\n', cons - 1) != NULL))
				return false;
			feeder_drop(f, cons);
			if (rc == 0)
				return true;
			f->skipping = false;
			continue;
		}
		rc = chat_line_next(copy, f->len, f->max, &ll, &cons);
		free(copy);
		switch (rc) {
		case CHAT_LINE_NEED:
			return cons == 0 && f->len <= f->max + 1;
		case CHAT_LINE_OK:
			if (ll > f->max || cons == 0 || cons > f->len || f->buf[cons - 1] != '\n')
				return false;
			feeder_out(f, "=", 1);
			feeder_out(f, f->buf, ll);
			feeder_out(f, "\n", 1);
			feeder_drop(f, cons);
			break;
		case CHAT_LINE_LONG:
			if (cons == 0 || cons > f->len)
				return false;
			feeder_out(f, "!\n", 2);
			f->skipping = f->buf[cons - 1] != '\n';
			feeder_drop(f, cons);
			break;
		default:
			return false;
		}
	}
}

static bool
feeder_feed(struct feeder *f, const char *s, size_t n)
{
	if (f->len + n > sizeof(f->buf)) {
		f->bad = true;
		return false;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	return feeder_run(f);
}

/* The stream s cut at every single point, and fed byte by byte, gives the
 * same lines as fed whole, and the expected ones. */
static void
test_line_splits(void)
{
	static const char s[] =
	    "hello\r\n"			/* CRLF */
	    "\n"			/* empty */
	    "a\rb\n"			/* lone CR kept */
	    "0123456789abcdef\r\n"	/* exactly MAX */
	    "0123456789abcdefg\r\n"	/* MAX + 1: long */
	    "0123456789abcdef\r\r\n"	/* MAX + lone CR: long */
	    "0123456789abcdefghijklmnopqrstuvwxyz0123456789\n"	/* long */
	    "after\n"
	    "\r\n"
	    "0123456789abcde\r\r\n"	/* MAX with its CR */
	    "tail";			/* incomplete */
	static const char want[] =
	    "=hello\n"
	    "=\n"
	    "=a\rb\n"
	    "=0123456789abcdef\n"
	    "!\n"
	    "!\n"
	    "!\n"
	    "=after\n"
	    "=\n"
	    "=0123456789abcde\r\n";
	size_t n = sizeof(s) - 1, cut, i;
	struct feeder f;

	memset(&f, 0, sizeof(f));
	f.max = MAX;
	CU_ASSERT(feeder_feed(&f, s, n));
	CU_ASSERT(!f.bad);
	check_at(strcmp(f.out, want) == 0, __LINE__, "whole: got\n%s", f.out);
	CU_ASSERT(f.len == 4 && memcmp(f.buf, "tail", 4) == 0);

	for (cut = 0; cut <= n; cut++) {
		bool ok;

		memset(&f, 0, sizeof(f));
		f.max = MAX;
		ok = feeder_feed(&f, s, cut) && feeder_feed(&f, s + cut, n - cut);
		check_at(ok && !f.bad, __LINE__, "cut at %zu: contract violated", cut);
		if (!check_at(strcmp(f.out, want) == 0, __LINE__, "cut at %zu: got\n%s",
		    cut, f.out))
			break;
	}

	memset(&f, 0, sizeof(f));
	f.max = MAX;
	for (i = 0; i < n; i++)
		if (!check_at(feeder_feed(&f, s + i, 1), __LINE__,
		    "byte by byte: contract violated at byte %zu", i))
			break;
	CU_ASSERT(!f.bad);
	check_at(strcmp(f.out, want) == 0, __LINE__, "byte by byte: got\n%s", f.out);
	CU_ASSERT(f.len == 4 && memcmp(f.buf, "tail", 4) == 0);
}

/* --------------------------------------------------------------------- */
/* chat_cmd_parse */

static const char *
cmd_name(enum chat_cmd c)
{
	static const char *names[] = { "EMPTY", "SAY", "NICK", "JOIN", "WHO", "ROOMS",
	    "QUIT", "UNKNOWN" };

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

/* Parse s from an exact-size copy: the command must be want and, when
 * want_arg is not NULL, the argument must be want_arg, inside the line. */
#define CMD_IS(s, want, want_arg) cmd_is((s), (want), (want_arg), __LINE__)

static void
cmd_is(const char *s, enum chat_cmd want, const char *want_arg, int line)
{
	size_t n = strlen(s), arglen = 0xdead;
	char *b = cunit_dup_n(s, n);
	const char *arg = NULL;
	enum chat_cmd c = chat_cmd_parse(b, n, &arg, &arglen);

	if (check_at(c == want, line, "\"%s\": %s, expected %s", s, cmd_name(c), cmd_name(want)) &&
	    want_arg != NULL) {
		if (check_at(arglen == 0 || (arg != NULL && arg >= b && arg + arglen <= b + n),
		    line, "\"%s\": argument outside the line (%zu bytes)", s, arglen))
			check_at(arglen == strlen(want_arg) &&
			    (arglen == 0 || memcmp(arg, want_arg, arglen) == 0), line,
			    "\"%s\": argument \"%.*s\", expected \"%s\"", s,
			    arglen == 0 ? 0 : (int)arglen, arglen == 0 ? "" : arg, want_arg);
	}
	free(b);
}

static void
test_cmd_commands(void)
{
	CMD_IS("/nick bob", CHAT_CMD_NICK, "bob");
	CMD_IS("/join room2", CHAT_CMD_JOIN, "room2");
	CMD_IS("/who", CHAT_CMD_WHO, NULL);
	CMD_IS("/rooms", CHAT_CMD_ROOMS, NULL);
	CMD_IS("/quit", CHAT_CMD_QUIT, NULL);
}

static void
test_cmd_args(void)
{
	CMD_IS("/nick    bob", CHAT_CMD_NICK, "bob");
	CMD_IS("/nick bob   ", CHAT_CMD_NICK, "bob");
	CMD_IS("/nick   bob   ", CHAT_CMD_NICK, "bob");
	CMD_IS("/join  lobby ", CHAT_CMD_JOIN, "lobby");
	/* only the spaces around it are trimmed */
	CMD_IS("/nick  a b  ", CHAT_CMD_NICK, "a b");
	/* no argument */
	CMD_IS("/nick", CHAT_CMD_NICK, "");
	CMD_IS("/nick ", CHAT_CMD_NICK, "");
	CMD_IS("/nick    ", CHAT_CMD_NICK, "");
	CMD_IS("/join", CHAT_CMD_JOIN, "");
	CMD_IS("/join   ", CHAT_CMD_JOIN, "");
	/* the command word is /who, /rooms, /quit: trailing words are theirs */
	CMD_IS("/who ", CHAT_CMD_WHO, NULL);
	CMD_IS("/who extra", CHAT_CMD_WHO, NULL);
	CMD_IS("/rooms all", CHAT_CMD_ROOMS, NULL);
	CMD_IS("/quit bye now", CHAT_CMD_QUIT, NULL);
}

static void
test_cmd_unknown(void)
{
	CMD_IS("/foo bar", CHAT_CMD_UNKNOWN, "/foo");
	CMD_IS("/foo", CHAT_CMD_UNKNOWN, "/foo");
	CMD_IS("/", CHAT_CMD_UNKNOWN, "/");
	CMD_IS("/ nick", CHAT_CMD_UNKNOWN, "/");
	/* case-sensitive */
	CMD_IS("/NICK bob", CHAT_CMD_UNKNOWN, "/NICK");
	CMD_IS("/Who", CHAT_CMD_UNKNOWN, "/Who");
	CMD_IS("/QUIT", CHAT_CMD_UNKNOWN, "/QUIT");
	/* a command word with more after it is another word */
	CMD_IS("/whoever", CHAT_CMD_UNKNOWN, "/whoever");
	CMD_IS("/nickname bob", CHAT_CMD_UNKNOWN, "/nickname");
	CMD_IS("/joins x", CHAT_CMD_UNKNOWN, "/joins");
	CMD_IS("/quit!", CHAT_CMD_UNKNOWN, "/quit!");
	CMD_IS("/room", CHAT_CMD_UNKNOWN, "/room");
	CMD_IS("/wh", CHAT_CMD_UNKNOWN, "/wh");
	CMD_IS("//nick x", CHAT_CMD_UNKNOWN, "//nick");
}

static void
test_cmd_say_empty(void)
{
	CMD_IS("", CHAT_CMD_EMPTY, NULL);
	CMD_IS("hello", CHAT_CMD_SAY, "hello");
	CMD_IS("hello world", CHAT_CMD_SAY, "hello world");
	/* the whole line, spaces and all */
	CMD_IS("  padded  ", CHAT_CMD_SAY, "  padded  ");
	CMD_IS(" ", CHAT_CMD_SAY, " ");
	/* a '/' that does not start the line */
	CMD_IS(" /nick bob", CHAT_CMD_SAY, " /nick bob");
	CMD_IS("a/nick", CHAT_CMD_SAY, "a/nick");
	CMD_IS("x", CHAT_CMD_SAY, "x");
}

/* The SAY argument is the line itself, not a copy. */
static void
test_cmd_say_points_into_line(void)
{
	static const char s[] = "some text";
	char *b = cunit_dup_n(s, sizeof(s) - 1);
	const char *arg = NULL;
	size_t arglen = 0;

	CU_ASSERT_EQUAL(chat_cmd_parse(b, sizeof(s) - 1, &arg, &arglen), CHAT_CMD_SAY);
	CU_ASSERT_PTR_EQUAL(arg, b);
	CU_ASSERT_EQUAL(arglen, sizeof(s) - 1);
	free(b);
	/* only len counts: what follows is not part of the line */
	CU_ASSERT_EQUAL(chat_cmd_parse("/nick bob", 5, &arg, &arglen), CHAT_CMD_NICK);
	CU_ASSERT_EQUAL(arglen, 0);
	CU_ASSERT_EQUAL(chat_cmd_parse("/whoever", 4, &arg, &arglen), CHAT_CMD_WHO);
}

/* --------------------------------------------------------------------- */
/* chat_text_valid */

#define VALID(lit)	text_is(lit, sizeof(lit) - 1, true, __LINE__)
#define INVALID(lit)	text_is(lit, sizeof(lit) - 1, false, __LINE__)

static void
text_is(const char *s, size_t n, bool want, int line)
{
	char *b = cunit_dup_n(s, n), hex[256];
	size_t i, o = 0;
	int ok = chat_text_valid(b, n);

	for (i = 0; i < n && o + 4 < sizeof(hex); i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, "%02x ", (unsigned char)s[i]);
	hex[o] = '\0';
	check_at((ok != 0) == want, line, "chat_text_valid(%s): %d, expected %s", hex, ok,
	    want ? "valid" : "invalid");
	free(b);
}

static void
test_text_ascii(void)
{
	int c;

	VALID("");
	VALID("hello, world!");
	VALID("a\tb");
	VALID("\t");
	VALID(" ~");
	for (c = 0x20; c < 0x7f; c++) {
		char ch = (char)c;

		text_is(&ch, 1, true, __LINE__);
	}
}

static void
test_text_controls(void)
{
	int c;

	for (c = 0; c < 0x20; c++) {
		char s[3] = { 'a', (char)c, 'b' };

		if (c != '\t')
			text_is(s, 3, false, __LINE__);
	}
	INVALID("\x7f");
	INVALID("abc\x7f");
	INVALID("\0");
	INVALID("a\0b");
	INVALID("a\rb");
	INVALID("a\nb");
	INVALID("\x1b[31mred");
	/* C1 controls: U+0080..U+009F, e.g. CSI (U+009B) and NEL (U+0085) */
	INVALID("\xc2\x80");
	INVALID("a\xc2\x85* error too slow");
	INVALID("\xc2\x9b" "2J");
	INVALID("\xc2\x9f");
	VALID("\xc2\xa0");			/* U+00A0, the first after them */
	/* only len counts: a control after it is not part of the text */
	CU_ASSERT(chat_text_valid("ab\x01", 2) != 0);
	CU_ASSERT(chat_text_valid("ab\x01", 3) == 0);
}

static void
test_text_utf8_valid(void)
{
	VALID("\xc2\xa0");			/* U+00A0 */
	VALID("caf\xc3\xa9");			/* é */
	VALID("\xdf\xbf");			/* U+07FF, last of 2 bytes */
	VALID("\xe0\xa0\x80");			/* U+0800, first of 3 */
	VALID("\xe2\x82\xac");			/* € */
	VALID("\xed\x9f\xbf");			/* U+D7FF, before the surrogates */
	VALID("\xee\x80\x80");			/* U+E000, after them */
	VALID("\xef\xbf\xbf");			/* U+FFFF */
	VALID("\xf0\x90\x80\x80");		/* U+10000, first of 4 */
	VALID("\xf0\x9f\x98\x80");		/* 😀 */
	VALID("\xf4\x8f\xbf\xbf");		/* U+10FFFF, the last */
	VALID("a\xc3\xa9\tb\xe2\x82\xac c\xf0\x9f\x98\x80!");
}

static void
test_text_utf8_invalid(void)
{
	/* overlongs */
	INVALID("\xc0\x80");
	INVALID("\xc0\xaf");
	INVALID("\xc1\xbf");
	INVALID("\xe0\x80\x80");
	INVALID("\xe0\x9f\xbf");
	INVALID("\xf0\x80\x80\x80");
	INVALID("\xf0\x8f\xbf\xbf");
	/* surrogates */
	INVALID("\xed\xa0\x80");
	INVALID("\xed\xbf\xbf");
	INVALID("a\xed\xb0\x80z");
	/* past U+10FFFF, and bytes that never occur */
	INVALID("\xf4\x90\x80\x80");
	INVALID("\xf5\x80\x80\x80");
	INVALID("\xf7\xbf\xbf\xbf");
	INVALID("\xf8\x88\x80\x80\x80");
	INVALID("\xfc\x84\x80\x80\x80\x80");
	INVALID("\xfe");
	INVALID("\xff");
	/* truncated sequences */
	INVALID("\xc3");
	INVALID("a\xc3");
	INVALID("\xe2\x82");
	INVALID("\xe2\x82" "a");
	INVALID("\xf0\x9f\x98");
	INVALID("\xf0\x9f\x98" "a");
	INVALID("\xf0\x9f" "ab");
	INVALID("\xc3 ");
	/* stray continuation bytes */
	INVALID("\x80");
	INVALID("\xbf");
	INVALID("a\x80" "b");
	INVALID("\xc3\xa9\xa9");
	INVALID("\xe2\x82\xac\x80");
	INVALID("\xf0\x9f\x98\x80\x80");
	/* a valid sequence cut short by len */
	CU_ASSERT(chat_text_valid("\xe2\x82\xac", 2) == 0);
	CU_ASSERT(chat_text_valid("\xe2\x82\xac", 3) != 0);
}

/* --------------------------------------------------------------------- */

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "line: LF and CRLF, lone CR", test_line_endings },
		{ "line: empty lines", test_line_empty },
		{ "line: need more", test_line_need },
		{ "line: several in one buffer", test_line_several },
		{ "line: exactly max", test_line_max },
		{ "line: long, LF arrived", test_line_long_with_lf },
		{ "line: long, LF not yet", test_line_long_without_lf },
		{ "line: chat_line_skip", test_line_skip },
		{ "line: every split point", test_line_splits },
		{ "cmd: each command", test_cmd_commands },
		{ "cmd: arguments", test_cmd_args },
		{ "cmd: unknown", test_cmd_unknown },
		{ "cmd: say and empty", test_cmd_say_empty },
		{ "cmd: pointers and len", test_cmd_say_points_into_line },
		{ "text: ASCII", test_text_ascii },
		{ "text: control characters", test_text_controls },
		{ "text: valid UTF-8", test_text_utf8_valid },
		{ "text: invalid UTF-8", test_text_utf8_invalid },
	};
	return CUNIT_RUN("chat", NULL, NULL, tests);
}
