/*
 * test_alog: unit tests of the access log (alog.c).
 *
 * Every case logs into its own file under a private directory made with
 * mkdtemp() (removed when the suite ends), flushes, reads the file back and
 * compares whole lines exactly: the Combined Log Format, the timestamp in
 * several time zones, Apache's escaping of hostile strings, "-" for empty
 * fields and for 0 bytes (%b), the cut of over-long fields, flushing when
 * the buffer fills, reopening after a rename, and whole lines from four
 * threads logging at once. The access log is process-global state, so the
 * cases run one after another and each ends with alog_close().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "http/alog.h"

static char tmpdir[PATH_MAX];

/* 2026-11-22 13:45:01 UTC */
#define WHEN	((time_t)1795355101)

static const char *
tmp_path(const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned n;
	char *b = bufs[n++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);
	return b;
}

/* The whole file, NUL-terminated (malloc'd); *len its size. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n = 0;

	CU_ASSERT_FATAL(fp != NULL);
	CU_ASSERT_FATAL(fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_FATAL(fread(buf, 1, (size_t)n, fp) == (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* "[DD/Mon/YYYY:HH:MM:SS +ZZZZ]" the slow way, to compare with. */
static const char *
stamp(time_t when)
{
	static char buf[64];
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(buf, sizeof(buf), "[%d/%b/%Y:%H:%M:%S %z]", &tm);
	return buf;
}

static void
open_log(const char *path)
{
	char err[512] = "";

	unlink(path);
	if (alog_open(path, err, sizeof(err)) == -1)
		fprintf(stderr, "alog_open: %s\n", err);
	CU_ASSERT_FATAL(file_size(path) == 0);
}

/* Log one request given as (ptr, len) strings. */
static void
log_rec(const char *peer, time_t when, const char *request, size_t request_len,
    int status, uint64_t bytes, const char *referer, size_t referer_len,
    const char *ua, size_t ua_len)
{
	const struct alog_rec r = { .peer = peer, .when = when,
	    .request = request, .request_len = request_len,
	    .referer = referer, .referer_len = referer_len,
	    .ua = ua, .ua_len = ua_len, .status = status, .bytes = bytes };

	alog_request(&r);
}

/* Log one request with NUL-terminated strings (NULL allowed). */
static void
req(const char *peer, time_t when, const char *request, int status,
    uint64_t bytes, const char *referer, const char *ua)
{
	log_rec(peer, when, request, request ? strlen(request) : 0, status,
	    bytes, referer, referer ? strlen(referer) : 0, ua, ua ? strlen(ua) : 0);
}

/* After a flush, the file holds exactly want. */
#define FILE_IS(path, want)	file_is((path), (want), __LINE__)

static void
file_is(const char *path, const char *want, int line)
{
	char *got = slurp(path, NULL), msg[4096];

	snprintf(msg, sizeof(msg), "%s:\n got: %s\nwant: %s", path, got, want);
	CU_assertImplementation(strcmp(got, want) == 0 ? CU_TRUE : CU_FALSE,
	    (unsigned)line, msg, __FILE__, "", CU_FALSE);
	free(got);
}

static int
suite_init(void)
{
	return cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_alog");
}

static int
suite_clean(void)
{
	alog_close();
	return cunit_rmtree(tmpdir);
}

/* --------------------------------------------------------------------- */

static void
test_combined_line(void)
{
	const char *path = tmp_path("basic.log");
	char want[1024];

	open_log(path);
	req("127.0.0.1", WHEN, "GET /index.html HTTP/1.1", 200, 1234,
	    "http://example.com/", "curl/8.5.0");
	req("::1", WHEN, "HEAD / HTTP/1.0", 304, 0, NULL, NULL);
	CU_ASSERT_EQUAL(file_size(path), 0);		/* buffered until a flush */
	alog_flush();
	snprintf(want, sizeof(want),
	    "127.0.0.1 - - %s \"GET /index.html HTTP/1.1\" 200 1234 \"http://example.com/\" \"curl/8.5.0\"\n"
	    "::1 - - %s \"HEAD / HTTP/1.0\" 304 - \"-\" \"-\"\n",
	    stamp(WHEN), stamp(WHEN));
	FILE_IS(path, want);
	alog_close();
}

/* Empty or absent strings log "-", 0 bytes log "-" (Apache's %b). */
static void
test_dashes(void)
{
	const char *path = tmp_path("dash.log");
	char want[1024];

	open_log(path);
	req(NULL, WHEN, NULL, 400, 0, "", "");
	req("10.0.0.1", WHEN, "", 408, 18446744073709551615ull, NULL, "x");
	log_rec("10.0.0.2", WHEN, "GET / HTTP/1.1", 0, 200, 1, "ref", 0, "ua", 0);
	alog_flush();
	snprintf(want, sizeof(want),
	    "- - - %s \"-\" 400 - \"-\" \"-\"\n"
	    "10.0.0.1 - - %s \"-\" 408 18446744073709551615 \"-\" \"x\"\n"
	    "10.0.0.2 - - %s \"-\" 200 1 \"-\" \"-\"\n",
	    stamp(WHEN), stamp(WHEN), stamp(WHEN));
	FILE_IS(path, want);
	alog_close();
}

/* Apache's ap_escape_logitem: \" \\ \b \n \r \t \v, else \xhh. */
static void
test_escaping(void)
{
	const char *path = tmp_path("esc.log");
	static const char ua[] = "Mozilla \"evil\"\n127.0.0.1 - - [x] \"GET /\" 200 1\r\t\\ \b\v"
	    "\x01\x1b\x7f\x80\xff caf\xc3\xa9 \0end";
	static const char request[] = "GET /a\"b\\c%00\x7f HTTP/1.1";
	static const char referer[] = "http://x/\"><script>";
	char want[2048];

	open_log(path);
	log_rec("192.0.2.1", WHEN, request, sizeof(request) - 1, 404, 209,
	    referer, strlen(referer), ua, sizeof(ua) - 1);
	alog_flush();
	snprintf(want, sizeof(want),
	    "192.0.2.1 - - %s \"GET /a\\\"b\\\\c%%00\\x7f HTTP/1.1\" 404 209 "
	    "\"http://x/\\\"><script>\" "
	    "\"Mozilla \\\"evil\\\"\\n127.0.0.1 - - [x] \\\"GET /\\\" 200 1\\r\\t\\\\ \\b\\v"
	    "\\x01\\x1b\\x7f\\x80\\xff caf\\xc3\\xa9 \\x00end\"\n",
	    stamp(WHEN));
	FILE_IS(path, want);
	alog_close();
}

/* The local offset, east and west of UTC, and the cache of the formatted
 * second (each zone is tried with seconds not logged before). */
static void
test_time_zones(void)
{
	static const struct { const char *tz, *want; time_t when; } cases[] = {
		{ "UTC0", "[01/Jan/1970:00:00:00 +0000]", 0 },
		{ "UTC0", "[22/Nov/2026:13:45:01 +0000]", WHEN },
		{ "UTC0", "[22/Nov/2026:13:45:02 +0000]", WHEN + 1 },
		{ "IST-5:30", "[22/Nov/2026:19:15:03 +0530]", WHEN + 2 },
		{ "EST5", "[22/Nov/2026:08:45:04 -0500]", WHEN + 3 },
		{ "NST3:30", "[22/Nov/2026:10:15:05 -0330]", WHEN + 4 },
		{ "UTC0", "[31/Dec/1999:23:59:59 +0000]", 946684799 },
	};
	const char *path = tmp_path("tz.log"), *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL, want[4096];
	size_t i, n = 0;

	open_log(path);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setenv("TZ", cases[i].tz, 1);
		tzset();
		req("127.0.0.1", cases[i].when, "GET / HTTP/1.1", 200, 5, NULL, NULL);
		req("127.0.0.1", cases[i].when, "GET / HTTP/1.1", 200, 5, NULL, NULL);
		CU_ASSERT_STRING_EQUAL(stamp(cases[i].when), cases[i].want);
		n += (size_t)snprintf(want + n, sizeof(want) - n,
		    "127.0.0.1 - - %s \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"\n"
		    "127.0.0.1 - - %s \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"\n",
		    cases[i].want, cases[i].want);
	}
	alog_flush();
	FILE_IS(path, want);
	alog_close();
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* A field longer than the cap is cut after whole escapes and ends in
 * "..."; the line stays whole. */
static void
test_long_fields(void)
{
	const char *path = tmp_path("long.log");
	size_t big = 100000, len, i;
	char *a = malloc(big), *h = malloc(big), *got, *f, *end;

	CU_ASSERT_FATAL(a != NULL && h != NULL);
	memset(a, 'A', big);
	memset(h, 0xff, big);
	open_log(path);
	log_rec("127.0.0.1", WHEN, a, big, 414, 0, h, big, a, 100);
	alog_flush();
	got = slurp(path, &len);
	CU_ASSERT(len < 64 * 1024);
	CU_ASSERT(len > 0 && got[len - 1] == '\n' && strchr(got, '\n') == got + len - 1);
	/* the request: As, then "..." */
	f = strchr(got, '"') + 1;
	end = strstr(f, "...\" 414 - \"");
	CU_ASSERT_FATAL(end != NULL);
	CU_ASSERT(end - f >= 8000 && end - f <= 8192);
	for (i = 0; i < (size_t)(end - f); i++)
		if (f[i] != 'A')
			break;
	CU_ASSERT_EQUAL(i, (size_t)(end - f));
	/* the referer: whole "\xff" escapes, then "..." */
	f = end + strlen("...\" 414 - \"");
	end = strstr(f, "...\" \"");
	CU_ASSERT_FATAL(end != NULL);
	CU_ASSERT((end - f) % 4 == 0 && end - f >= 8000 && end - f <= 8192);
	for (i = 0; i < (size_t)(end - f); i += 4)
		if (memcmp(f + i, "\\xff", 4) != 0)
			break;
	CU_ASSERT_EQUAL(i, (size_t)(end - f));
	/* the user agent: 100 As, uncut */
	f = end + strlen("...\" \"");
	CU_ASSERT(strlen(f) == 100 + 2 && f[100] == '"');
	free(got);
	free(a);
	free(h);
	alog_close();
}

/* Lines are written when the buffer fills, whole, before any flush. */
static void
test_buffer_full(void)
{
	const char *path = tmp_path("full.log");
	char line[512], ua[300];
	size_t len, total = 0, i, n = 1000;
	char *got;
	off_t size;

	memset(ua, 'u', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = '\0';
	open_log(path);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "GET /%06zu HTTP/1.1", i);
		req("127.0.0.1", WHEN, line, 200, 100, NULL, ua);
	}
	size = file_size(path);
	snprintf(line, sizeof(line),
	    "127.0.0.1 - - %s \"GET /000000 HTTP/1.1\" 200 100 \"-\" \"%s\"\n", stamp(WHEN), ua);
	len = strlen(line);
	CU_ASSERT(size > 0);				/* flushed without alog_flush */
	CU_ASSERT(size > 0 && (size_t)size % len == 0);	/* whole lines only */
	CU_ASSERT(size > 0 && (size_t)size < n * len);	/* not everything yet */
	alog_flush();
	got = slurp(path, &total);
	CU_ASSERT_EQUAL(total, n * len);
	for (i = 0; total == n * len && i < n; i++) {
		snprintf(line, sizeof(line),
		    "127.0.0.1 - - %s \"GET /%06zu HTTP/1.1\" 200 100 \"-\" \"%s\"\n",
		    stamp(WHEN), i, ua);
		if (memcmp(got + i * len, line, len) != 0) {
			CU_FAIL("line out of place");
			break;
		}
	}
	free(got);
	alog_close();
}

/* After a rename and alog_reopen(), the next lines go to a new file at the
 * old path; what was buffered before the reopen goes to the renamed one. */
static void
test_reopen(void)
{
	const char *path = tmp_path("rot.log"), *old = tmp_path("rot.log.1");
	char want[1024];

	open_log(path);
	req("127.0.0.1", WHEN, "GET /1 HTTP/1.1", 200, 1, NULL, NULL);
	alog_flush();
	CU_ASSERT_FATAL(rename(path, old) == 0);
	req("127.0.0.1", WHEN, "GET /2 HTTP/1.1", 200, 2, NULL, NULL);
	CU_ASSERT_EQUAL(alog_reopen(), 0);
	CU_ASSERT_EQUAL(file_size(path), 0);
	req("127.0.0.1", WHEN, "GET /3 HTTP/1.1", 200, 3, NULL, NULL);
	alog_flush();
	snprintf(want, sizeof(want),
	    "127.0.0.1 - - %s \"GET /1 HTTP/1.1\" 200 1 \"-\" \"-\"\n"
	    "127.0.0.1 - - %s \"GET /2 HTTP/1.1\" 200 2 \"-\" \"-\"\n", stamp(WHEN), stamp(WHEN));
	FILE_IS(old, want);
	snprintf(want, sizeof(want),
	    "127.0.0.1 - - %s \"GET /3 HTTP/1.1\" 200 3 \"-\" \"-\"\n", stamp(WHEN));
	FILE_IS(path, want);

	/* a reopen that cannot open the path fails and keeps the old file */
	CU_ASSERT_FATAL(rename(path, old) == 0);
	CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
	CU_ASSERT_EQUAL(alog_reopen(), -1);
	req("127.0.0.1", WHEN, "GET /4 HTTP/1.1", 200, 4, NULL, NULL);
	alog_flush();
	snprintf(want, sizeof(want),
	    "127.0.0.1 - - %s \"GET /3 HTTP/1.1\" 200 3 \"-\" \"-\"\n"
	    "127.0.0.1 - - %s \"GET /4 HTTP/1.1\" 200 4 \"-\" \"-\"\n", stamp(WHEN), stamp(WHEN));
	FILE_IS(old, want);
	CU_ASSERT(rmdir(path) == 0);
	alog_close();
}

/* With no path, nothing is logged and nothing fails. */
static void
test_off_and_errors(void)
{
	const char *path = tmp_path("off.log");
	char err[512] = "";

	CU_ASSERT_EQUAL(alog_open(NULL, err, sizeof(err)), 0);
	req("127.0.0.1", WHEN, "GET / HTTP/1.1", 200, 1, NULL, NULL);
	alog_flush();
	CU_ASSERT_EQUAL(alog_reopen(), 0);
	alog_close();
	CU_ASSERT_EQUAL(file_size(path), -1);

	CU_ASSERT_EQUAL(alog_open(tmp_path("no-dir/x.log"), err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "cannot open access log") != NULL);
	CU_ASSERT(strstr(err, strerror(ENOENT)) != NULL);
	/* a failed open leaves logging as it was (off) */
	req("127.0.0.1", WHEN, "GET / HTTP/1.1", 200, 1, NULL, NULL);
	alog_close();
}

#define THREADS		4
#define PER_THREAD	5000

static void *
logger(void *arg)
{
	int id = (int)(long)arg, i;
	char request[128], ua[256];

	for (i = 0; i < PER_THREAD; i++) {
		/* lengths vary so that lines straddle buffer boundaries */
		snprintf(request, sizeof(request), "GET /t%d/%d HTTP/1.1", id, i);
		snprintf(ua, sizeof(ua), "thread-%d-%.*s", id, (i * 7) % 200,
		    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
		    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
		    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu");
		req("127.0.0.1", WHEN + i % 3, request, 200, (uint64_t)i, NULL, ua);
		if (i % 1000 == 999)
			alog_flush();
	}
	return NULL;
}

/* Parse one line written by logger(); returns the thread id or -1. */
static int
check_line(const char *line, size_t len, int *seq)
{
	int id, n, i, ulen, consumed = 0;
	char ua_id[32];

	if (len < 20 || line[len - 1] != '"')
		return -1;
	if (sscanf(line, "127.0.0.1 - - [%*[^]]] \"GET /t%d/%d HTTP/1.1\" 200 %n",
	    &id, &n, &consumed) != 2 || consumed == 0 || id < 0 || id >= THREADS)
		return -1;
	if (n == 0 ? strncmp(line + consumed, "- ", 2) != 0 : atoi(line + consumed) != n)
		return -1;
	snprintf(ua_id, sizeof(ua_id), "\"-\" \"thread-%d-", id);
	{
		const char *u = strstr(line, ua_id);

		if (u == NULL)
			return -1;
		u += strlen(ua_id);
		ulen = (int)(line + len - 1 - u);
		if (ulen != (n * 7) % 200)
			return -1;
		for (i = 0; i < ulen; i++)
			if (u[i] != 'u')
				return -1;
	}
	*seq = n;
	return id;
}

static void
test_threads(void)
{
	const char *path = tmp_path("threads.log");
	pthread_t tids[THREADS];
	int next[THREADS] = { 0 }, bad = 0, lines = 0, id, seq;
	char *got, *p, *nl;
	long i;

	open_log(path);
	for (i = 0; i < THREADS; i++)
		CU_ASSERT_FATAL(pthread_create(&tids[i], NULL, logger, (void *)i) == 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(tids[i], NULL);
	alog_flush();
	got = slurp(path, NULL);
	for (p = got; (nl = strchr(p, '\n')) != NULL; p = nl + 1, lines++) {
		id = check_line(p, (size_t)(nl - p), &seq);
		/* whole and well-formed, and in order within each thread */
		if (id == -1 || seq != next[id]++)
			bad++;
	}
	CU_ASSERT_EQUAL(*p, '\0');			/* ends with a newline */
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(lines, THREADS * PER_THREAD);
	for (i = 0; i < THREADS; i++)
		CU_ASSERT_EQUAL(next[i], PER_THREAD);
	free(got);
	alog_close();
}

/* --------------------------------------------------------------------- */

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "combined line", test_combined_line },
		{ "dashes for empty fields and 0 bytes", test_dashes },
		{ "escaping", test_escaping },
		{ "time zones and the cached second", test_time_zones },
		{ "long fields are cut", test_long_fields },
		{ "flush when the buffer fills", test_buffer_full },
		{ "reopen after rename", test_reopen },
		{ "off, open errors", test_off_and_errors },
		{ "4 threads: whole lines", test_threads },
	};
	return CUNIT_RUN("alog", suite_init, suite_clean, tests);
}
