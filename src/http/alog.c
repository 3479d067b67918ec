/*
 * alog: see alog.h.
 *
 * One set of state per process: the descriptor and its path, a 64 KiB
 * buffer and the last formatted timestamp, all behind one mutex (threads
 * of the worker MPM log concurrently). Invariants:
 *
 *  - the buffer holds whole lines only: a line is formatted straight into
 *    it, and only when ALOG_LINE_MAX bytes are free (else it is flushed
 *    first); ALOG_LINE_MAX bounds every line because each escaped field
 *    is cut at ALOG_FIELD_MAX bytes (then ends in "...");
 *  - a flush is one write of the whole buffer under the lock, to an
 *    O_APPEND descriptor: lines of a process leave in order, and other
 *    processes' flushes land between lines, never inside one;
 *  - alog_reopen() moves the new file onto the same descriptor number with
 *    dup3() (dup2() as log.c does, but keeping O_CLOEXEC), so the
 *    descriptor is never closed while in use.
 *
 * A failed write loses the buffered lines: there is nowhere to report it
 * that would not fail the same way.
 *
 * Escaping follows Apache's ap_escape_logitem: '"' and '\' get a
 * backslash, \b \n \r \t \v are written as such, every other byte outside
 * 0x20..0x7e as \xhh (lower-case hex).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http/alog.h"
#include "core/util.h"

#define ALOG_BUF	(64 * 1024)
#define ALOG_FIELD_MAX	8192		/* escaped bytes of one string field */
#define ALOG_PEER_MAX	64		/* bytes of the peer address used */
/* peer + request + referer + user agent (each escaped at most 4x or cut
 * with "...") + the fixed parts, with room to spare. */
#define ALOG_LINE_MAX	(ALOG_PEER_MAX * 4 + 3 * (ALOG_FIELD_MAX + 3) + 128)

static struct {
	pthread_mutex_t	 lock;
	int		 fd;		/* -1: logging off */
	char		 path[4096];
	size_t		 used;
	time_t		 tsec;		/* second of tstr; -1: none yet */
	char		 tstr[40];	/* "[22/Nov/2026:13:45:01 +0100]" */
	size_t		 tlen;
	char		 buf[ALOG_BUF];
} alog = { PTHREAD_MUTEX_INITIALIZER, -1, "", 0, (time_t)-1, "", 0, "" };

static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

/* Decimal digits of v at p; returns the count. */
static size_t
put_uint(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* "[DD/Mon/YYYY:HH:MM:SS +ZZZZ]" for when, local time, into alog.tstr. */
static void
format_time(time_t when)
{
	struct tm tm;
	char *p = alog.tstr;
	long off;

	localtime_r(&when, &tm);
	off = tm.tm_gmtoff / 60;
	*p++ = '[';
	p = put2(p, tm.tm_mday);
	*p++ = '/';
	memcpy(p, months[tm.tm_mon], 3);
	p += 3;
	*p++ = '/';
	p += put_uint(p, (uint64_t)(tm.tm_year + 1900));
	*p++ = ':';
	p = put2(p, tm.tm_hour);
	*p++ = ':';
	p = put2(p, tm.tm_min);
	*p++ = ':';
	p = put2(p, tm.tm_sec);
	*p++ = ' ';
	*p++ = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	p = put2(put2(p, (int)(off / 60)), (int)(off % 60));
	*p++ = ']';
	alog.tlen = (size_t)(p - alog.tstr);
	alog.tsec = when;
}

/* One byte, escaped as Apache does; returns the bytes written. */
static size_t
esc_byte(char *o, unsigned char ch)
{
	static const char hex[] = "0123456789abcdef", ctl[] = "\b\n\r\t\v", nm[] = "bnrtv";
	const char *c;

	if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
		o[0] = (char)ch;
		return 1;
	}
	o[0] = '\\';
	if (ch == '"' || ch == '\\') {
		o[1] = (char)ch;
		return 2;
	}
	if (ch != '\0' && (c = strchr(ctl, ch)) != NULL) {
		o[1] = nm[c - ctl];
		return 2;
	}
	o[1] = 'x';
	o[2] = hex[ch >> 4];
	o[3] = hex[ch & 0xf];
	return 4;
}

/* s escaped into o, at most max bytes plus "..." when cut; len 0: "-". */
static size_t
esc_field(char *o, const char *s, size_t len, size_t max)
{
	size_t i, n = 0;

	if (s == NULL || len == 0) {
		o[0] = '-';
		return 1;
	}
	for (i = 0; i < len; i++) {
		if (n + 4 > max) {
			memcpy(o + n, "...", 3);
			return n + 3;
		}
		n += esc_byte(o + n, (unsigned char)s[i]);
	}
	return n;
}

static char *
put_str(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

/* The line for r at p (at least ALOG_LINE_MAX bytes); returns its length.
 * Called with the lock held (the timestamp cache). */
static size_t
format_line(char *p, const struct alog_rec *r)
{
	char *start = p;
	size_t plen = r->peer ? strnlen(r->peer, ALOG_PEER_MAX) : 0;

	p += esc_field(p, r->peer, plen, ALOG_PEER_MAX * 4);
	p = put_str(p, " - - ", 5);
	if (r->when != alog.tsec)
		format_time(r->when);
	p = put_str(p, alog.tstr, alog.tlen);
	p = put_str(p, " \"", 2);
	p += esc_field(p, r->request, r->request_len, ALOG_FIELD_MAX);
	p = put_str(p, "\" ", 2);
	p += put_uint(p, (uint64_t)(r->status < 0 ? 0 : r->status));
	*p++ = ' ';
	if (r->bytes == 0)
		*p++ = '-';
	else
		p += put_uint(p, r->bytes);
	p = put_str(p, " \"", 2);
	p += esc_field(p, r->referer, r->referer_len, ALOG_FIELD_MAX);
	p = put_str(p, "\" \"", 3);
	p += esc_field(p, r->ua, r->ua_len, ALOG_FIELD_MAX);
	p = put_str(p, "\"\n", 2);
	return (size_t)(p - start);
}

static void
flush_locked(void)
{
	if (alog.used > 0 && alog.fd != -1)
		(void)write_all(alog.fd, alog.buf, alog.used);
	alog.used = 0;
}

int
alog_open(const char *path, char *err, size_t errlen)
{
	int fd = -1;

	if (path != NULL && strlen(path) >= sizeof(alog.path)) {
		snprintf(err, errlen, "cannot open access log %s: path too long", path);
		return -1;
	}
	if (path != NULL && (fd = open_file(path)) == -1) {
		snprintf(err, errlen, "cannot open access log %s: %s", path, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&alog.lock);
	flush_locked();
	if (alog.fd != -1)
		close(alog.fd);
	alog.fd = fd;
	strlcpy_(alog.path, path ? path : "", sizeof(alog.path));
	pthread_mutex_unlock(&alog.lock);
	return 0;
}

void
alog_request(const struct alog_rec *r)
{
	pthread_mutex_lock(&alog.lock);
	if (alog.fd != -1) {
		if (sizeof(alog.buf) - alog.used < ALOG_LINE_MAX)
			flush_locked();
		alog.used += format_line(alog.buf + alog.used, r);
	}
	pthread_mutex_unlock(&alog.lock);
}

void
alog_flush(void)
{
	pthread_mutex_lock(&alog.lock);
	flush_locked();
	pthread_mutex_unlock(&alog.lock);
}

/* Lines buffered before the reopen go to the old file (they were logged
 * before the rotation); the descriptor number stays the same. */
int
alog_reopen(void)
{
	int fd, rc = 0, saved = 0;

	pthread_mutex_lock(&alog.lock);
	if (alog.fd != -1) {
		flush_locked();
		if ((fd = open_file(alog.path)) == -1 || dup3(fd, alog.fd, O_CLOEXEC) == -1) {
			saved = errno;
			rc = -1;
		}
		if (fd != -1)
			close(fd);
	}
	pthread_mutex_unlock(&alog.lock);
	if (rc == -1)
		errno = saved;
	return rc;
}

void
alog_close(void)
{
	pthread_mutex_lock(&alog.lock);
	flush_locked();
	if (alog.fd != -1)
		close(alog.fd);
	alog.fd = -1;
	alog.path[0] = '\0';
	pthread_mutex_unlock(&alog.lock);
}
