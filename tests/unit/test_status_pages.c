/*
 * test_status_pages: unit tests of the status pages (http/status_pages.c) and of
 * the census they share with mserverctl (status.c).
 *
 * The fixture is a scoreboard made with sb_create() in a private mkdtemp()
 * directory and filled the way the master and the workers fill it: the
 * master claims slots and sets the header; "workers" set their letters,
 * counters, by_state and codes; one process is reaped (sb_proc_clear) so
 * that its counters live on as retired totals. Its figures are chosen so
 * that every total below can be checked by hand:
 *
 *   slot 0  prefork pid 100 ready     1 thread   W
 *   slot 1  worker  pid 101 ready     3 threads  R _ K
 *   slot 2  event   pid 102 draining  1 loop     _   by_state R2 W1 K3 C0
 *   slot 3  worker  pid 103 starting  2 threads  S S
 *   slot 4  empty (reaped: retired totals), shows h->threads = 3 '.'
 *   slot 5  event   pid 105 exiting   1 loop     G   by_state C1
 *
 * Every render is checked line by line: ?auto against Apache's key names
 * and formats, Prometheus output against the values and against a small
 * checker of the text format's line grammar, HTML for escaping and the key.
 * TZ is UTC so that the time keys can be predicted.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "conn/buf.h"
#include "http/status_pages.h"
#include "core/scoreboard.h"
#include "core/status.h"

#define SL		6
#define TL		4
#define VERSION		"1.2<beta>&\"x\""
#define MPM		"ev\"en\\t\n"
#define UPTIME_S	100

static char tmpdir[PATH_MAX];
static int64_t fixture_start_ms;

/* --------------------------------------------------------------------- */
/* Helpers */

static int64_t
wall_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Is line (without its newline) one whole line of text? */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define HAS_LINE(text, line) \
	check_at(has_line((text), (line)), __LINE__, "no line \"%s\" in:\n%s", (line), (text))
#define NO_LINE_PREFIX(text, pfx) \
	check_at(line_starting((text), (pfx)) == NULL, __LINE__, "unexpected \"%s\" line", (pfx))
#define CONTAINS(text, sub) \
	check_at(strstr((text), (sub)) != NULL, __LINE__, "no \"%s\" in:\n%s", (sub), (text))
#define LACKS(text, sub) \
	check_at(strstr((text), (sub)) == NULL, __LINE__, "unexpected \"%s\" in output", (sub))

/* The first line that starts with pfx, or NULL. */
static const char *
line_starting(const char *text, const char *pfx)
{
	const char *p = text;

	for (;;) {
		if (strncmp(p, pfx, strlen(pfx)) == 0)
			return p;
		if ((p = strchr(p, '\n')) == NULL || *++p == '\0')
			return NULL;
	}
}

/* Render into a fresh buffer, NUL-terminated for the string helpers. */
static char *
render(struct sb *sb, enum status_page_fmt fmt, struct buf *b)
{
	memset(b, 0, sizeof(*b));
	CU_ASSERT_FATAL(status_page_render(b, sb, fmt) == 0);
	CU_ASSERT_FATAL(buf_append(b, "", 1) == 0);
	return buf_ptr(b);
}

static void
set_counters(struct sb_worker *w, uint64_t conns, uint64_t reqs, uint64_t bytes,
    const uint64_t codes[SB_NCODES])
{
	unsigned i;

	SHARED_SET(w->connections, conns);
	SHARED_SET(w->requests, reqs);
	SHARED_SET(w->bytes, bytes);
	for (i = 0; i < SB_NCODES; i++)
		SHARED_SET(w->codes[i], codes[i]);
}

/* The master's part: claim a slot and record the fork. */
static struct sb_proc *
spawn(struct sb *sb, unsigned slot, uint32_t gen, const char *mpm, unsigned nthreads,
    int pid)
{
	sb_proc_claim(sb, slot, gen, mpm, nthreads);
	SHARED_SET(sb_proc(sb, slot)->pid, pid);
	return sb_proc(sb, slot);
}

static void
set_by_state(struct sb_proc *p, unsigned r, unsigned w, unsigned k, unsigned c)
{
	SHARED_SET(p->by_state[0], r);
	SHARED_SET(p->by_state[1], w);
	SHARED_SET(p->by_state[2], k);
	SHARED_SET(p->by_state[3], c);
}

static void
fill_header(struct sb *sb)
{
	struct sb_header *h = sb_header(sb);

	snprintf(h->version_str, sizeof(h->version_str), "%s", VERSION);
	snprintf(h->mpm, sizeof(h->mpm), "%s", MPM);
	h->master_pid = 42;
	h->generation = 3;
	h->threads = 3;
	h->respawns = 2;
	h->deaths[SB_DEATH_KILL] = 5;
	h->deaths[SB_DEATH_SEGV] = 3;
	h->deaths[SB_DEATH_EXIT] = 1;
	h->deaths_minute[SB_DEATH_KILL] = 4;
	h->deaths_minute[SB_DEATH_SEGV] = 1;
	h->early_deaths = 1;
	/* Half a second of slack either side of a whole UPTIME_S. */
	fixture_start_ms = wall_now_ms() - UPTIME_S * 1000 - 500;
	h->start_ms = fixture_start_ms;
}

/* A process that served and was reaped: its counters become retired. */
static void
fill_retired(struct sb *sb)
{
	static const uint64_t codes[SB_NCODES] = { 0, 15, 3, 2, 0 };

	spawn(sb, 4, 1, "prefork", 1, 999);
	set_counters(sb_worker(sb, 4, 0), 10, 20, 10240, codes);
	SHARED_SET(sb_worker(sb, 4, 0)->chat_delivered, 7);
	SHARED_SET(sb_worker(sb, 4, 0)->chat_dropped, 1);
	sb_proc_clear(sb, 4);
}

static void
fill_threads(struct sb *sb)
{
	static const uint64_t c0[SB_NCODES] = { 0, 6, 0, 1, 0 };
	static const uint64_t c1[SB_NCODES] = { 1, 2, 0, 0, 0 };
	static const uint64_t c2[SB_NCODES] = { 0, 0, 0, 0, 1 };
	static const uint64_t none[SB_NCODES];
	struct sb_proc *p;

	p = spawn(sb, 0, 2, "prefork", 1, 100);
	SHARED_SET(p->state, SB_PROC_READY);
	SHARED_SET(p->conns, 1);
	SHARED_SET(sb_worker(sb, 0, 0)->status, SB_WRITING);
	set_counters(sb_worker(sb, 0, 0), 5, 7, 3000, c0);

	p = spawn(sb, 1, 2, "worker", 3, 101);
	SHARED_SET(p->state, SB_PROC_READY);
	SHARED_SET(p->conns, 2);
	SHARED_SET(sb_worker(sb, 1, 0)->status, SB_READING);
	SHARED_SET(sb_worker(sb, 1, 1)->status, SB_WAITING);
	SHARED_SET(sb_worker(sb, 1, 2)->status, SB_KEEPALIVE);
	set_counters(sb_worker(sb, 1, 0), 2, 3, 1000, c1);
	set_counters(sb_worker(sb, 1, 1), 1, 1, 500, c2);
	set_counters(sb_worker(sb, 1, 2), 0, 0, 0, none);

	spawn(sb, 3, 3, "worker", 2, 103);	/* still starting: letters S S */
}

static void
fill_event(struct sb *sb)
{
	static const uint64_t c2[SB_NCODES] = { 0, 60, 5, 3, 1 };
	static const uint64_t none[SB_NCODES];
	struct sb_proc *p;

	p = spawn(sb, 2, 2, "event", 1, 102);
	SHARED_SET(p->state, SB_PROC_DRAINING);
	SHARED_SET(p->conns, 6);
	set_by_state(p, 2, 1, 3, 0);
	SHARED_SET(sb_worker(sb, 2, 0)->status, SB_WAITING);	/* the loop, not a conn */
	set_counters(sb_worker(sb, 2, 0), 40, 69, 88136, c2);
	SHARED_SET(sb_worker(sb, 2, 0)->chat_clients, 5);
	SHARED_SET(sb_worker(sb, 2, 0)->chat_delivered, 30);
	SHARED_SET(sb_worker(sb, 2, 0)->chat_dropped, 2);
	SHARED_SET(sb_header(sb)->chat_clients, 5);	/* the master's copy of the bus's */
	SHARED_SET(sb_header(sb)->chat_rooms, 2);
	SHARED_SET(sb_header(sb)->chat_published, 12);

	p = spawn(sb, 5, 2, "event", 1, 105);
	SHARED_SET(p->state, SB_PROC_EXITING);
	SHARED_SET(p->conns, 1);
	set_by_state(p, 0, 0, 0, 1);
	SHARED_SET(sb_worker(sb, 5, 0)->status, SB_GRACEFUL);
	set_counters(sb_worker(sb, 5, 0), 2, 0, 0, none);
}

/* The fixture described at the top of the file. */
static struct sb *
fixture(const char *name)
{
	char path[PATH_MAX + 32], err[512] = "";
	struct sb *sb;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	sb = sb_create(path, SL, TL, err, sizeof(err));
	check_at(sb != NULL, __LINE__, "sb_create: %s", err);
	if (sb == NULL)
		CU_FAIL_FATAL("sb_create failed");
	fill_header(sb);
	fill_retired(sb);
	fill_threads(sb);
	fill_event(sb);
	return sb;
}

/* A scoreboard with no process and no history, started just now. */
static struct sb *
empty_fixture(const char *name)
{
	char path[PATH_MAX + 32], err[512] = "";
	struct sb *sb;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	sb = sb_create(path, 2, 2, err, sizeof(err));
	CU_ASSERT_FATAL(sb != NULL);
	snprintf(sb_header(sb)->version_str, sizeof(sb_header(sb)->version_str), "0.1");
	snprintf(sb_header(sb)->mpm, sizeof(sb_header(sb)->mpm), "prefork");
	sb_header(sb)->threads = 1;
	sb_header(sb)->generation = 1;
	sb_header(sb)->start_ms = wall_now_ms();
	return sb;
}

/* --------------------------------------------------------------------- */
/* The Prometheus text format 0.0.4, line by line */

#define MAX_FAMILIES	64

struct prom {
	char	typed[MAX_FAMILIES][128];	/* families with a TYPE, in order */
	char	helped[MAX_FAMILIES][128];
	int	ntyped, nhelped;
	char	msg[256];
};

static bool
metric_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != ':')
			return false;
	return true;
}

static bool
label_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || isdigit((unsigned char)s[0]) || (n >= 2 && strncmp(s, "__", 2) == 0))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int
find_name(char names[][128], int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static bool
prom_fail(struct prom *p, const char *line, const char *why)
{
	snprintf(p->msg, sizeof(p->msg), "%s: \"%.160s\"", why, line);
	return false;
}

/* "# HELP name text" or "# TYPE name type"; other comments are free. */
static bool
prom_comment(struct prom *p, const char *line)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "summary",
	    "untyped" };
	char kind[8], name[128], rest[256] = "";
	bool help;
	size_t i;

	if (sscanf(line, "# %7s %127s %255[^\n]", kind, name, rest) < 2 ||
	    (strcmp(kind, "HELP") != 0 && strcmp(kind, "TYPE") != 0))
		return true;
	help = strcmp(kind, "HELP") == 0;
	if (!metric_name_ok(name, strlen(name)))
		return prom_fail(p, line, "bad metric name");
	if (find_name(help ? p->helped : p->typed, help ? p->nhelped : p->ntyped, name) >= 0)
		return prom_fail(p, line, help ? "second HELP" : "second TYPE");
	if (help) {
		snprintf(p->helped[p->nhelped++], 128, "%s", name);
		return true;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(rest, types[i]) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return prom_fail(p, line, "bad type");
	snprintf(p->typed[p->ntyped++], 128, "%s", name);
	return true;
}

/* {name="value",...}: returns the end, or NULL. */
static const char *
prom_labels(const char *s)
{
	while (*s != '}') {
		size_t n = strcspn(s, "=");

		if (!label_name_ok(s, n) || s[n] != '=' || s[n + 1] != '"')
			return NULL;
		for (s += n + 2; *s != '"'; s++) {
			if (*s == '\0' || *s == '\n')
				return NULL;
			if (*s == '\\' && (*++s == '\0' || strchr("\\\"n", *s) == NULL))
				return NULL;
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}')
			return NULL;
	}
	return s + 1;
}

static bool
prom_value(const char *s)
{
	char *end;

	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0 || strcmp(s, "NaN") == 0)
		return true;
	(void)strtod(s, &end);
	return end != s && *end == '\0';
}

static bool
prom_sample(struct prom *p, const char *line)
{
	size_t n = strcspn(line, "{ ");
	const char *s = line + n;
	char name[128];

	if (!metric_name_ok(line, n) || n >= sizeof(name))
		return prom_fail(p, line, "bad metric name");
	memcpy(name, line, n);
	name[n] = '\0';
	if (find_name(p->typed, p->ntyped, name) < 0)
		return prom_fail(p, line, "sample before its TYPE");
	if (strcmp(p->typed[p->ntyped - 1], name) != 0)
		return prom_fail(p, line, "sample outside its family's group");
	if (*s == '{' && (s = prom_labels(s + 1)) == NULL)
		return prom_fail(p, line, "bad labels");
	if (*s != ' ' || !prom_value(s + 1))
		return prom_fail(p, line, "bad value");
	return true;
}

/* Check text against the grammar; false with p->msg set on the first error. */
static bool
prom_check(const char *text, struct prom *p)
{
	char line[1024];
	const char *nl;

	memset(p, 0, sizeof(*p));
	for (; *text; text = nl + 1) {
		if ((nl = strchr(text, '\n')) == NULL)
			return prom_fail(p, text, "last line without a newline");
		if ((size_t)(nl - text) >= sizeof(line))
			return prom_fail(p, text, "line too long");
		memcpy(line, text, (size_t)(nl - text));
		line[nl - text] = '\0';
		if (line[0] == '\0')
			continue;
		if (!(line[0] == '#' ? prom_comment(p, line) : prom_sample(p, line)))
			return false;
	}
	return true;
}

/* --------------------------------------------------------------------- */
/* The census (status.c) */

static void
test_census(void)
{
	struct sb *sb = fixture("census.sb");
	struct status_census c;
	unsigned by[SB_NCONN_STATES];

	status_census(sb, &c);
	CU_ASSERT_EQUAL(c.requests, 100);
	CU_ASSERT_EQUAL(c.bytes, 102876);
	CU_ASSERT_EQUAL(c.connections, 60);
	CU_ASSERT_EQUAL(c.codes[0], 1);
	CU_ASSERT_EQUAL(c.codes[1], 83);
	CU_ASSERT_EQUAL(c.codes[2], 8);
	CU_ASSERT_EQUAL(c.codes[3], 6);
	CU_ASSERT_EQUAL(c.codes[4], 2);
	CU_ASSERT_EQUAL(c.procs, 5);
	CU_ASSERT_EQUAL(c.busy, 4);
	CU_ASSERT_EQUAL(c.idle, 2);
	CU_ASSERT_EQUAL(c.open, 10);
	CU_ASSERT_EQUAL(c.pstates[SB_PROC_READY], 2);
	CU_ASSERT_EQUAL(c.pstates[SB_PROC_STARTING], 1);
	CU_ASSERT_EQUAL(c.pstates[SB_PROC_DRAINING], 1);
	CU_ASSERT_EQUAL(c.pstates[SB_PROC_EXITING], 1);
	CU_ASSERT_EQUAL(c.conn_states[0], 3);	/* R: slot 1 thread + slot 2 by_state */
	CU_ASSERT_EQUAL(c.conn_states[1], 2);	/* W: slot 0 thread + slot 2 */
	CU_ASSERT_EQUAL(c.conn_states[2], 4);	/* K */
	CU_ASSERT_EQUAL(c.conn_states[3], 1);	/* C: slot 5 */
	CU_ASSERT_EQUAL(c.uptime_s, UPTIME_S);
	CU_ASSERT_EQUAL(c.deaths[SB_DEATH_KILL], 5);
	CU_ASSERT_EQUAL(c.deaths[SB_DEATH_ABRT], 0);
	CU_ASSERT_EQUAL(c.deaths_total, 5 + 3 + 1);
	CU_ASSERT_EQUAL(c.deaths_minute[SB_DEATH_SEGV], 1);
	CU_ASSERT_EQUAL(c.deaths_minute_total, 4 + 1);
	CU_ASSERT_EQUAL(c.early_deaths, 1);
	/* The event loop's own letter is not a connection. */
	status_proc_conn_states(sb, 2, by);
	CU_ASSERT(by[0] == 2 && by[1] == 1 && by[2] == 3 && by[3] == 0);
	status_proc_conn_states(sb, 1, by);
	CU_ASSERT(by[0] == 1 && by[1] == 0 && by[2] == 1 && by[3] == 0);
	CU_ASSERT_EQUAL(status_slot_letters(sb, 4), 3);
	CU_ASSERT_EQUAL(status_letter(sb, 4, 0), SB_OPEN);
	sb_close(sb, 1);
}

/* --------------------------------------------------------------------- */
/* ?auto */

static void
test_auto_keys(void)
{
	struct sb *sb = fixture("auto.sb");
	struct buf b;
	char *t = render(sb, STATUS_PAGE_AUTO, &b);

	HAS_LINE(t, "ServerVersion: mserver/" VERSION);
	HAS_LINE(t, "ServerMPM: ev\"en\\t?");		/* the newline cannot split the line */
	HAS_LINE(t, "ParentServerConfigGeneration: 3");
	HAS_LINE(t, "ParentServerMPMGeneration: 3");
	HAS_LINE(t, "ServerUptimeSeconds: 100");
	HAS_LINE(t, "ServerUptime: 1 minute 40 seconds");
	HAS_LINE(t, "Total Accesses: 100");
	HAS_LINE(t, "Total kBytes: 100");
	HAS_LINE(t, "Uptime: 100");
	HAS_LINE(t, "ReqPerSec: 1");
	HAS_LINE(t, "BytesPerSec: 1028.76");
	HAS_LINE(t, "BytesPerReq: 1028.76");
	HAS_LINE(t, "BusyWorkers: 4");
	HAS_LINE(t, "IdleWorkers: 2");
	HAS_LINE(t, "Processes: 5");
	HAS_LINE(t, "Stopping: 2");
	HAS_LINE(t, "ConnsTotal: 10");
	HAS_LINE(t, "ConnsAsyncWriting: 2");
	HAS_LINE(t, "ConnsAsyncKeepAlive: 4");
	HAS_LINE(t, "ConnsAsyncClosing: 1");
	HAS_LINE(t, "Scoreboard: WR_K_SS...G");
	/* What we cannot supply is left out rather than made up. */
	NO_LINE_PREFIX(t, "Total Duration:");
	NO_LINE_PREFIX(t, "DurationPerReq:");
	NO_LINE_PREFIX(t, "CPU");
	buf_free(&b);
	sb_close(sb, 1);
}

/* Apache's order, and one "Key: value" per line after the server name. */
static void
test_auto_order(void)
{
	static const char *const order[] = { "ServerVersion: ", "ServerMPM: ",
	    "Server Built: ", "CurrentTime: ", "RestartTime: ",
	    "ParentServerConfigGeneration: ", "ParentServerMPMGeneration: ",
	    "ServerUptimeSeconds: ", "ServerUptime:", "Load1: ", "Load5: ", "Load15: ",
	    "Total Accesses: ", "Total kBytes: ", "Uptime: ", "ReqPerSec: ", "BytesPerSec: ",
	    "BytesPerReq: ", "BusyWorkers: ", "IdleWorkers: ", "Processes: ", "Stopping: ",
	    "ConnsTotal: ", "ConnsAsyncWriting: ", "ConnsAsyncKeepAlive: ",
	    "ConnsAsyncClosing: ", "Scoreboard: " };
	struct sb *sb = fixture("order.sb");
	const char *prev = NULL, *p;
	struct buf b;
	char *t = render(sb, STATUS_PAGE_AUTO, &b);
	size_t i, lines = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((p = line_starting(t, order[i])) == NULL && strncmp(order[i], "Load", 4) == 0)
			continue;	/* no load average on this system */
		check_at(p != NULL && p > prev, __LINE__, "\"%s\" missing or out of order",
		    order[i]);
		prev = p;
	}
	/* The first line is the host name (as Apache's is the server name). */
	CU_ASSERT(strchr(t, '\n') != NULL && memchr(t, ':', (size_t)(strchr(t, '\n') - t)) == NULL);
	for (p = strchr(t, '\n') + 1; *p; p = strchr(p, '\n') + 1, lines++)
		check_at(strstr(p, ":") != NULL && strstr(p, ":") < strchr(p, '\n'), __LINE__,
		    "line %zu has no key", lines + 2);
	CU_ASSERT_EQUAL(lines, sizeof(order) / sizeof(order[0]) -
	    (line_starting(t, "Load1: ") ? 0 : 3));
	buf_free(&b);
	sb_close(sb, 1);
}

static void
test_auto_times(void)
{
	struct sb *sb = fixture("times.sb");
	char want[128], date[80];
	time_t start = (time_t)(fixture_start_ms / 1000);
	struct buf b;
	char *t = render(sb, STATUS_PAGE_AUTO, &b);
	struct tm tm;
	const char *p;

	gmtime_r(&start, &tm);
	strftime(date, sizeof(date), "%A, %d-%b-%Y %H:%M:%S UTC", &tm);
	snprintf(want, sizeof(want), "RestartTime: %s", date);
	HAS_LINE(t, want);
	p = line_starting(t, "CurrentTime: ");
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT(strptime(p + 13, "%A, %d-%b-%Y %H:%M:%S UTC\n", &tm) != NULL);
	p = line_starting(t, "Server Built: ");
	CU_ASSERT(p != NULL && strchr(p, '\n') - p > (ptrdiff_t)strlen("Server Built: "));
	if ((p = line_starting(t, "Load1: ")) != NULL)
		CU_ASSERT(strspn(p + 7, "0123456789.") == strcspn(p + 7, "\n"));
	buf_free(&b);
	sb_close(sb, 1);
}

/* No uptime, no requests: no rates (Apache divides only by non-zero). */
static void
test_auto_empty(void)
{
	struct sb *sb = empty_fixture("empty.sb");
	struct buf b;
	char *t = render(sb, STATUS_PAGE_AUTO, &b);

	HAS_LINE(t, "ServerUptime:");
	HAS_LINE(t, "Total Accesses: 0");
	HAS_LINE(t, "Total kBytes: 0");
	HAS_LINE(t, "Uptime: 0");
	HAS_LINE(t, "BusyWorkers: 0");
	HAS_LINE(t, "IdleWorkers: 0");
	HAS_LINE(t, "Processes: 0");
	HAS_LINE(t, "ConnsTotal: 0");
	HAS_LINE(t, "Scoreboard: ..");
	NO_LINE_PREFIX(t, "ReqPerSec:");
	NO_LINE_PREFIX(t, "BytesPerSec:");
	NO_LINE_PREFIX(t, "BytesPerReq:");
	buf_free(&b);
	sb_close(sb, 1);
}

static void
test_show_time(void)
{
	static const struct { int64_t s; const char *line; } cases[] = {
		{ 1, "ServerUptime: 1 second" },
		{ 60, "ServerUptime: 1 minute" },
		{ 3600 + 2, "ServerUptime: 1 hour 2 seconds" },
		{ 2 * 86400 + 3 * 3600 + 4 * 60 + 5, "ServerUptime: 2 days 3 hours 4 minutes 5 seconds" },
		{ 86400, "ServerUptime: 1 day" },
	};
	struct sb *sb = empty_fixture("uptime.sb");
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		char *t;

		sb_header(sb)->start_ms = wall_now_ms() - cases[i].s * 1000 - 500;
		t = render(sb, STATUS_PAGE_AUTO, &b);
		HAS_LINE(t, cases[i].line);
		buf_free(&b);
	}
	sb_close(sb, 1);
}

/* --------------------------------------------------------------------- */
/* Prometheus */

static void
test_metrics_values(void)
{
	static const char *const lines[] = {
		"# TYPE mserver_requests_total counter",
		"mserver_requests_total 100",
		"# TYPE mserver_sent_bytes_total counter",
		"mserver_sent_bytes_total 102876",
		"# TYPE mserver_connections_total counter",
		"mserver_connections_total 60",
		"# TYPE mserver_responses_total counter",
		"mserver_responses_total{code=\"1xx\"} 1",
		"mserver_responses_total{code=\"2xx\"} 83",
		"mserver_responses_total{code=\"3xx\"} 8",
		"mserver_responses_total{code=\"4xx\"} 6",
		"mserver_responses_total{code=\"5xx\"} 2",
		"# TYPE mserver_connections gauge",
		"mserver_connections{state=\"reading\"} 3",
		"mserver_connections{state=\"writing\"} 2",
		"mserver_connections{state=\"keepalive\"} 4",
		"mserver_connections{state=\"closing\"} 1",
		"# TYPE mserver_workers gauge",
		"mserver_workers{state=\"busy\"} 4",
		"mserver_workers{state=\"idle\"} 2",
		"# TYPE mserver_processes gauge",
		"mserver_processes{state=\"ready\"} 2",
		"mserver_processes{state=\"full\"} 0",
		"mserver_processes{state=\"draining\"} 2",
		"mserver_processes{state=\"starting\"} 1",
		"# TYPE mserver_generation gauge",
		"mserver_generation 3",
		"# TYPE mserver_uptime_seconds gauge",
		"mserver_uptime_seconds 100",
		"# TYPE mserver_respawns_total counter",
		"mserver_respawns_total 2",
		"# TYPE mserver_worker_deaths_total counter",
		"mserver_worker_deaths_total{cause=\"SIGKILL\"} 5",
		"mserver_worker_deaths_total{cause=\"SIGSEGV\"} 3",
		"mserver_worker_deaths_total{cause=\"SIGABRT\"} 0",
		"mserver_worker_deaths_total{cause=\"other\"} 0",
		"mserver_worker_deaths_total{cause=\"exit\"} 1",
		"# TYPE mserver_worker_deaths_last_minute gauge",
		"mserver_worker_deaths_last_minute{cause=\"SIGKILL\"} 4",
		"mserver_worker_deaths_last_minute{cause=\"SIGSEGV\"} 1",
		"mserver_worker_deaths_last_minute{cause=\"exit\"} 0",
		"# TYPE mserver_worker_early_deaths_total counter",
		"mserver_worker_early_deaths_total 1",
		"# TYPE mserver_info gauge",
		"# TYPE mserver_chat_clients gauge",
		"mserver_chat_clients 5",
		"mserver_chat_rooms 2",
		"mserver_chat_published_total 12",
		"mserver_chat_delivered_total 37",
		"mserver_chat_dropped_total 3",
	};
	struct sb *sb = fixture("metrics.sb");
	struct buf b;
	char *t = render(sb, STATUS_PAGE_METRICS, &b);
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		HAS_LINE(t, lines[i]);
	buf_free(&b);
	sb_close(sb, 1);
}

static void
test_metrics_escaping(void)
{
	struct sb *sb = fixture("escape.sb");
	struct buf b;
	char *t = render(sb, STATUS_PAGE_METRICS, &b);

	HAS_LINE(t, "mserver_info{version=\"1.2<beta>&\\\"x\\\"\",mpm=\"ev\\\"en\\\\t\\n\"} 1");
	buf_free(&b);
	sb_close(sb, 1);
}

static void
test_metrics_syntax(void)
{
	struct sb *sb = fixture("syntax.sb"), *empty = empty_fixture("syntax0.sb");
	struct prom p;
	struct buf b;
	char *t = render(sb, STATUS_PAGE_METRICS, &b);

	check_at(prom_check(t, &p), __LINE__, "%s", p.msg);
	CU_ASSERT_EQUAL(p.ntyped, 19);
	CU_ASSERT_EQUAL(p.nhelped, 19);
	buf_free(&b);
	t = render(empty, STATUS_PAGE_METRICS, &b);
	check_at(prom_check(t, &p), __LINE__, "%s", p.msg);
	buf_free(&b);
	sb_close(sb, 1);
	sb_close(empty, 1);
}

/* The checker itself must reject what the format forbids. */
static void
test_prom_checker(void)
{
	static const char *const bad[] = {
		"# TYPE a counter\na 1\n# TYPE a counter\n",	/* two TYPEs */
		"a 1\n",					/* no TYPE */
		"# TYPE 1a gauge\n1a 1\n",			/* name */
		"# TYPE a gauge\na{b=\"\\x\"} 1\n",		/* escape */
		"# TYPE a gauge\na{b=\"c\"\n",			/* unclosed */
		"# TYPE a gauge\na one\n",			/* value */
		"# TYPE a gauge\n# TYPE b gauge\na 1\n",	/* group */
		"# TYPE a gauge\na{__b=\"c\"} 1\n",		/* reserved label */
		"# TYPE a gauge\na 1",				/* newline */
		"# TYPE a meter\na 1\n",			/* type */
	};
	struct prom p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_at(!prom_check(bad[i], &p), __LINE__, "accepted bad input %zu", i);
	CU_ASSERT(prom_check("# HELP a x \\n y\n# TYPE a gauge\na{b=\"\\\"\\\\\\n\",c=\"\"} -1.5e3\n"
	    "# a comment\n\n", &p));
}

/* --------------------------------------------------------------------- */
/* HTML */

static void
test_html(void)
{
	struct sb *sb = fixture("html.sb");
	struct buf b;
	char *t = render(sb, STATUS_PAGE_HTML, &b);

	CU_ASSERT(strncmp(t, "<!DOCTYPE html>", 15) == 0);
	CONTAINS(t, "<dt>Server Version: mserver/1.2&lt;beta&gt;&amp;&quot;x&quot;</dt>");
	CONTAINS(t, "<dt>Server MPM: ev&quot;en\\t?</dt>");
	LACKS(t, "<beta>");
	CONTAINS(t, "<dt>Parent Server Generation: 3</dt>");
	CONTAINS(t, "<dt>Server uptime: 1 minute 40 seconds</dt>");
	CONTAINS(t, "<dt>Total accesses: 100 - Total Traffic: 100.5 kB - Total connections: 60</dt>");
	CONTAINS(t, "<dt>1 requests/sec - 1028 B/second - 1028 B/request</dt>");
	CONTAINS(t, "<dt>4 requests currently being processed, 2 idle workers</dt>");
	CONTAINS(t, "<dt>5 processes, 2 stopping, 10 open connections; 2 respawned after a crash</dt>");
	CONTAINS(t, "<dt>Worker deaths: 5 in the last minute (SIGKILL 4, SIGSEGV 1, SIGABRT 0,"
	    " other 0, exit 0); 9 since start, 1 before ready</dt>\n</dl>");
	CONTAINS(t, "<tr><td>1</td><td>101</td><td>2</td><td>worker</td><td>ready</td><td>2</td>"
	    "<td>3</td><td>4</td><td>1500</td><td>1</td><td>0</td><td>1</td><td>0</td></tr>");
	CONTAINS(t, "<tr><td>2</td><td>102</td><td>2</td><td>event</td><td>draining</td><td>6</td>"
	    "<td>40</td><td>69</td><td>88136</td><td>2</td><td>1</td><td>3</td><td>0</td></tr>");
	LACKS(t, "<td>999</td>");
	CONTAINS(t, "<pre>WR_K_SS...G</pre>");
	CONTAINS(t, "\"<b><code>_</code></b>\" Waiting for Connection,");
	CONTAINS(t, "\"<b><code>K</code></b>\" Keepalive (read),");
	CONTAINS(t, "\"<b><code>.</code></b>\" Open slot with no current process</p>");
	CU_ASSERT(strlen(t) > 15 && strcmp(t + strlen(t) - 15, "</body></html>\n") == 0);
	buf_free(&b);
	sb_close(sb, 1);
}

/* Letters are shared memory too: garbage is escaped or replaced. */
static void
test_html_map_escaped(void)
{
	struct sb *sb = fixture("map.sb");
	struct buf b;
	char *t;

	SHARED_SET(sb_worker(sb, 1, 1)->status, '<');
	SHARED_SET(sb_worker(sb, 1, 2)->status, 0x01);
	t = render(sb, STATUS_PAGE_HTML, &b);
	CONTAINS(t, "<pre>WR&lt;?_SS...G</pre>");
	buf_free(&b);
	t = render(sb, STATUS_PAGE_AUTO, &b);
	HAS_LINE(t, "Scoreboard: WR<?_SS...G");
	buf_free(&b);
	sb_close(sb, 1);
}

/* A map longer than a line is cut every 64 letters, as Apache's. */
static void
test_html_map_lines(void)
{
	char path[PATH_MAX + 32], err[512] = "", want[200];
	struct sb *sb;
	struct buf b;
	char *t;

	snprintf(path, sizeof(path), "%s/wide.sb", tmpdir);
	sb = sb_create(path, 3, 50, err, sizeof(err));
	CU_ASSERT_FATAL(sb != NULL);
	sb_header(sb)->threads = 50;
	t = render(sb, STATUS_PAGE_HTML, &b);
	/* 150 letters: 64, 64 and 22. */
	memset(want, '.', sizeof(want));
	memcpy(want, "<pre>", 5);
	want[5 + 64] = '\n';
	want[5 + 65 + 64] = '\n';
	memcpy(want + 5 + 65 + 65 + 22, "</pre>", 7);
	CONTAINS(t, want);
	buf_free(&b);
	sb_close(sb, 1);
}

/* --------------------------------------------------------------------- */
/* The contract */

static void
test_types(void)
{
	CU_ASSERT_STRING_EQUAL(status_page_type(STATUS_PAGE_HTML), "text/html; charset=utf-8");
	CU_ASSERT_STRING_EQUAL(status_page_type(STATUS_PAGE_AUTO), "text/plain; charset=utf-8");
	CU_ASSERT_STRING_EQUAL(status_page_type(STATUS_PAGE_METRICS),
	    "text/plain; version=0.0.4; charset=utf-8");
}

/* The body is appended after what out holds (even consumed input), and a
 * read-only mapping (another process's view) renders the same. */
static void
test_appends_and_readonly(void)
{
	struct sb *sb = fixture("ro.sb"), *ro;
	char path[PATH_MAX + 32], err[512] = "";
	struct buf a = { 0 }, b;
	char *t;

	CU_ASSERT_FATAL(buf_append(&a, "xxHEAD\n", 7) == 0);
	buf_consume(&a, 2);
	CU_ASSERT_FATAL(status_page_render(&a, sb, STATUS_PAGE_METRICS) == 0);
	CU_ASSERT_FATAL(buf_append(&a, "", 1) == 0);
	CU_ASSERT(strncmp(buf_ptr(&a), "HEAD\n# HELP ", 12) == 0);
	snprintf(path, sizeof(path), "%s/ro.sb", tmpdir);
	ro = sb_attach(path, err, sizeof(err));
	CU_ASSERT_FATAL(ro != NULL);
	t = render(ro, STATUS_PAGE_METRICS, &b);
	CU_ASSERT_STRING_EQUAL(buf_ptr(&a) + 5, t);
	buf_free(&b);
	t = render(ro, STATUS_PAGE_HTML, &b);
	CONTAINS(t, "<pre>WR_K_SS...G</pre>");
	buf_free(&b);
	buf_free(&a);
	sb_close(ro, 0);
	sb_close(sb, 1);
}

static void
test_bad_format(void)
{
	struct sb *sb = empty_fixture("badfmt.sb");
	struct buf b = { 0 };

	CU_ASSERT_EQUAL(status_page_render(&b, sb, (enum status_page_fmt)7), -1);
	CU_ASSERT_EQUAL(buf_len(&b), 0);
	buf_free(&b);
	sb_close(sb, 1);
}

/* --------------------------------------------------------------------- */

static int
suite_init(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_status_pages");
}

static int
suite_clean(void)
{
	return cunit_rmtree(tmpdir);
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "census: totals, letters, connection states", test_census },
		{ "?auto: keys and values", test_auto_keys },
		{ "?auto: Apache's order, one key per line", test_auto_order },
		{ "?auto: time keys", test_auto_times },
		{ "?auto: no rates without uptime or requests", test_auto_empty },
		{ "?auto: ServerUptime like show_time()", test_show_time },
		{ "metrics: values", test_metrics_values },
		{ "metrics: label escaping", test_metrics_escaping },
		{ "metrics: text format grammar", test_metrics_syntax },
		{ "metrics: the grammar checker rejects", test_prom_checker },
		{ "html: escaped strings, totals, table, map, key", test_html },
		{ "html: map letters escaped", test_html_map_escaped },
		{ "html: map lines of 64", test_html_map_lines },
		{ "content types", test_types },
		{ "appends; read-only mapping", test_appends_and_readonly },
		{ "unknown format", test_bad_format },
	};
	return CUNIT_RUN("status_pages", suite_init, suite_clean, tests);
}
