/*
 * test_chat_bus: unit tests of the chat's shared state (chat_bus.c):
 * limits and names, entering and leaving, renaming, rooms, the listing
 * callbacks, the client and room tables filling up, delivery in one global
 * order (across many wraps of the ring, under a byte budget, from several
 * processes), lapped and slow readers, reaping a dead process's clients,
 * the statistics, and the robust lock: a holder that dies, and publishers
 * killed at arbitrary points.
 *
 * Each case creates its own small bus. Cases that fork arm an alarm so
 * that a deadlock fails the program instead of hanging it; they poll
 * conditions with time bounds and never sleep.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "chat/chat_bus.h"
#include "core/atomic.h"

#define MAX_TEXT	200
#define ALARM_S		10	/* a fork case that takes longer is deadlocked */
#define REAP_MS		2000	/* chat_bus_reap()'s wait for the lock */

/* --------------------------------------------------------------------- */
/* Helpers */

/* A growing string. */
struct text {
	char	*p;
	size_t	 len, cap;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;

		while (t->len + n + 1 > cap)
			cap *= 2;
		t->p = realloc(t->p, cap);
		CU_ASSERT_FATAL(t->p != NULL);
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void
text_addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
text_addf(struct text *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	CU_ASSERT_FATAL(n >= 0 && (size_t)n < sizeof(buf));
	text_add(t, buf, (size_t)n);
}

static const char *
text_str(const struct text *t)
{
	return t->p ? t->p : "";
}

static void
text_free(struct text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

static const char *
rc_name(long rc)
{
	static const char *names[] = { "OK", "EFULL", "ETAKEN", "EINVAL", "EROOMS", "ESAME",
	    "ELONG", "ESLOW", "ELAPPED" };

	if (rc <= 0 && rc >= -8)
		return names[-rc];
	return "?";
}

static struct chat_bus_limits
limits(size_t ring, unsigned clients, unsigned rooms, unsigned lag)
{
	struct chat_bus_limits lim;

	memset(&lim, 0, sizeof(lim));
	lim.ring_size = ring;
	lim.max_clients = clients;
	lim.max_rooms = rooms;
	lim.max_procs = 4;
	lim.max_text = MAX_TEXT;
	lim.max_lag = lag;
	lim.wake_signal = 0;
	return lim;
}

/* A bus with these limits (fatal on failure). */
static struct chat_bus *
mkbus(size_t ring, unsigned clients, unsigned rooms, unsigned lag)
{
	struct chat_bus_limits lim = limits(ring, clients, rooms, lag);
	char err[512] = "";
	struct chat_bus *b = chat_bus_create(&lim, err, sizeof(err));

	check_at(b != NULL, __LINE__, "chat_bus_create: %s", err);
	if (b == NULL)
		CU_FAIL_FATAL("chat_bus_create failed");
	return b;
}

#define ENTER(b, m)	enter_at((b), (m), getpid(), 0, __LINE__)

static void
enter_at(struct chat_bus *b, struct chat_member *m, pid_t pid, unsigned proc, int line)
{
	int rc;

	memset(m, 0, sizeof(*m));
	rc = chat_bus_enter(b, m, pid, proc);
	if (!check_at(rc == CHAT_OK, line, "chat_bus_enter: %d (%s)", rc, rc_name(rc)))
		CU_FAIL_FATAL("chat_bus_enter failed");
}

#define SAY(b, m, s) \
	check_at(chat_bus_say((b), (m), (s), strlen(s)) == CHAT_OK, __LINE__, \
	    "chat_bus_say(\"%s\") failed", (s))
#define NICK(b, m, s) \
	check_at(chat_bus_nick((b), (m), (s), strlen(s)) == CHAT_OK, __LINE__, \
	    "chat_bus_nick(\"%s\") failed", (s))
#define JOIN(b, m, s) \
	check_at(chat_bus_join((b), (m), (s), strlen(s)) == CHAT_OK, __LINE__, \
	    "chat_bus_join(\"%s\") failed", (s))

/*
 * Read everything due to m into t, cap bytes at a time (0: the bus's line
 * maximum), checking each read: whole lines only, within cap, *nlines
 * right. 0, or the error chat_bus_read() returned.
 */
static long
drain_cap(struct chat_bus *b, struct chat_member *m, struct text *t, size_t cap, int line)
{
	size_t max = chat_bus_line_max(b);
	char *buf;
	unsigned nlines, i;
	ssize_t r;
	long rc = 0;

	if (cap == 0)
		cap = max;
	buf = malloc(cap);
	CU_ASSERT_FATAL(buf != NULL);
	for (i = 0; i < 1000000; i++) {
		size_t k, lf = 0;

		nlines = 0xdead;
		r = chat_bus_read(b, m, buf, cap, &nlines);
		if (r < 0) {
			rc = (long)r;
			break;
		}
		if (r == 0)
			break;
		if (!check_at((size_t)r <= cap, line, "chat_bus_read: %zd bytes, cap %zu", r, cap)) {
			rc = -100;
			break;
		}
		for (k = 0; k < (size_t)r; k++)
			lf += buf[k] == '\n';
		check_at(buf[r - 1] == '\n', line, "chat_bus_read: a partial line: \"%.*s\"",
		    (int)r, buf);
		check_at(nlines == lf, line, "chat_bus_read: *nlines %u for %zu lines", nlines, lf);
		text_add(t, buf, (size_t)r);
	}
	check_at(i < 1000000, line, "chat_bus_read never returns 0");
	free(buf);
	return rc;
}

/* Reading m must give exactly want. */
#define EXPECT_READ(b, m, want) expect_read((b), (m), (want), __LINE__)

static bool
expect_read(struct chat_bus *b, struct chat_member *m, const char *want, int line)
{
	struct text t = { 0 };
	long rc = drain_cap(b, m, &t, 0, line);
	bool ok;

	ok = check_at(rc == 0, line, "chat_bus_read for %s: %ld (%s)", m->nick, rc, rc_name(rc));
	ok = ok && check_at(strcmp(text_str(&t), want) == 0, line,
	    "%s read:\n%s-- expected:\n%s--", m->nick, text_str(&t), want);
	text_free(&t);
	return ok;
}

/* Read and discard what is due to m. */
static void
discard(struct chat_bus *b, struct chat_member *m)
{
	struct text t = { 0 };
	long rc = drain_cap(b, m, &t, 0, __LINE__);

	check_at(rc == 0, __LINE__, "chat_bus_read for %s: %ld (%s)", m->nick, rc, rc_name(rc));
	text_free(&t);
}

/* chat_bus_who / chat_bus_rooms into a sorted, comma-separated list. */
struct names {
	char	 v[128][CHAT_NAME_MAX + 16];
	unsigned n;
	bool	 overflow;
};

static void
names_who(void *arg, const char *nick)
{
	struct names *ns = arg;

	if (ns->n == 128) {
		ns->overflow = true;
		return;
	}
	snprintf(ns->v[ns->n++], sizeof(ns->v[0]), "%s", nick);
}

static void
names_rooms(void *arg, const char *room, unsigned members)
{
	struct names *ns = arg;

	if (ns->n == 128) {
		ns->overflow = true;
		return;
	}
	snprintf(ns->v[ns->n++], sizeof(ns->v[0]), "%s=%u", room, members);
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static const char *
names_join(struct names *ns)
{
	static char out[128 * (CHAT_NAME_MAX + 17) + 16];
	size_t o = 0;
	unsigned i;

	qsort(ns->v, ns->n, sizeof(ns->v[0]), names_cmp);
	out[0] = '\0';
	for (i = 0; i < ns->n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "," : "", ns->v[i]);
	if (ns->overflow)
		snprintf(out + o, sizeof(out) - o, ",...");
	return out;
}

/* The members of m's room, sorted: "a,b,c". */
static const char *
who(struct chat_bus *b, const struct chat_member *m)
{
	static struct names ns;

	memset(&ns, 0, sizeof(ns));
	chat_bus_who(b, m, names_who, &ns);
	return names_join(&ns);
}

/* The rooms, sorted: "lobby=3,room2=1". */
static const char *
rooms(struct chat_bus *b)
{
	static struct names ns;

	memset(&ns, 0, sizeof(ns));
	chat_bus_rooms(b, names_rooms, &ns);
	return names_join(&ns);
}

/* The comma-separated list s, sorted (for expected values). */
static const char *
sorted(const char *s)
{
	static struct names ns;
	const char *p = s, *c;

	memset(&ns, 0, sizeof(ns));
	while (*p != '\0' && ns.n < 128) {
		c = strchr(p, ',');
		snprintf(ns.v[ns.n++], sizeof(ns.v[0]), "%.*s",
		    (int)(c ? (size_t)(c - p) : strlen(p)), p);
		p = c ? c + 1 : p + strlen(p);
	}
	return names_join(&ns);
}

/* chat_bus_who for m must list exactly want ("a,b,c", any order). */
#define WHO_IS(b, m, want)	who_is((b), (m), (want), __LINE__)
/* chat_bus_rooms must list exactly want ("lobby=2,dev=1", any order). */
#define ROOMS_IS(b, want)	rooms_is((b), (want), __LINE__)

static void
who_is(struct chat_bus *b, const struct chat_member *m, const char *want, int line)
{
	char w[sizeof(((struct names *)0)->v) + 16];
	const char *got;

	snprintf(w, sizeof(w), "%s", sorted(want));
	got = who(b, m);
	check_at(strcmp(got, w) == 0, line, "who (%s): %s, expected %s", m->nick, got, w);
}

static void
rooms_is(struct chat_bus *b, const char *want, int line)
{
	char w[sizeof(((struct names *)0)->v) + 16];
	const char *got;

	snprintf(w, sizeof(w), "%s", sorted(want));
	got = rooms(b);
	check_at(strcmp(got, w) == 0, line, "rooms: %s, expected %s", got, w);
}

static struct chat_bus_stats
stats(struct chat_bus *b)
{
	struct chat_bus_stats st;

	memset(&st, 0xa5, sizeof(st));
	chat_bus_stats(b, &st);
	return st;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* SIGALRM in a fork case: it hangs (a lock never released). */
static void
on_alarm(int sig)
{
	static const char msg[] = "\ntest_chat_bus: timed out (deadlock?) in: ";
	CU_pTest t = CU_get_current_test();
	const char *name = t != NULL && t->pName != NULL ? t->pName : "?";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, name, strlen(name)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

static void
arm_alarm(void)
{
	signal(SIGALRM, on_alarm);
	alarm(ALARM_S);
}

/* A process that has already exited (its pid, reaped). */
static pid_t
dead_pid(void)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0)
		_exit(0);
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	return pid;
}

/* A shared page for counters between the test and its children. */
static uint64_t *
shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	CU_ASSERT_FATAL(p != MAP_FAILED);
	memset(p, 0, 4096);
	return p;
}

/* A name of n bytes: c repeated. */
static const char *
name_of(char c, size_t n)
{
	static char bufs[4][128];
	static unsigned k;
	char *b = bufs[k++ % 4];

	memset(b, c, n);
	b[n] = '\0';
	return b;
}

/* --------------------------------------------------------------------- */
/* Creation, names */

static void
test_create(void)
{
	struct chat_bus_limits lim = limits(5000, 8, 4, 16);
	const struct chat_bus_limits *got;
	struct chat_bus_stats st;
	struct chat_bus *b;
	char err[512] = "";

	b = chat_bus_create(&lim, err, sizeof(err));
	check_at(b != NULL, __LINE__, "chat_bus_create: %s", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	got = chat_bus_get_limits(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	check_at(got->ring_size == 8192, __LINE__, "ring_size 5000 became %zu, expected 8192",
	    got->ring_size);
	CU_ASSERT_EQUAL(got->max_clients, 8);
	CU_ASSERT_EQUAL(got->max_rooms, 4);
	CU_ASSERT_EQUAL(got->max_procs, 4);
	CU_ASSERT_EQUAL(got->max_text, MAX_TEXT);
	CU_ASSERT_EQUAL(got->max_lag, 16);
	CU_ASSERT_EQUAL(got->wake_signal, 0);
	/* a message of max_text from the longest names fits a line */
	check_at(chat_bus_line_max(b) >= 2 * CHAT_NAME_MAX + MAX_TEXT + 4, __LINE__,
	    "chat_bus_line_max %zu", chat_bus_line_max(b));
	st = stats(b);
	CU_ASSERT_EQUAL(st.published, 0);
	CU_ASSERT_EQUAL(st.clients, 0);
	CU_ASSERT_EQUAL(st.rooms, 0);
	ROOMS_IS(b, "");
	chat_bus_destroy(b);

	/* a power of two stays as it is */
	lim.ring_size = 4096;
	b = chat_bus_create(&lim, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(chat_bus_get_limits(b)->ring_size, 4096);
	chat_bus_destroy(b);

	/* past the documented limits */
	lim = limits(4096, (1u << 20) + 1, 4, 16);
	err[0] = '\0';
	b = chat_bus_create(&lim, err, sizeof(err));
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT(err[0] != '\0');
	chat_bus_destroy(b);
	lim = limits(4096, 8, 65536, 16);
	err[0] = '\0';
	b = chat_bus_create(&lim, err, sizeof(err));
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT(err[0] != '\0');
	chat_bus_destroy(b);
}

static void
test_name_valid(void)
{
	CU_ASSERT(chat_name_valid("a", 1));
	CU_ASSERT(chat_name_valid("Alice_the-2nd", 13));
	CU_ASSERT(chat_name_valid("0", 1));
	CU_ASSERT(chat_name_valid("-_-", 3));
	CU_ASSERT(chat_name_valid(name_of('z', CHAT_NAME_MAX), CHAT_NAME_MAX));
	CU_ASSERT(!chat_name_valid(name_of('z', CHAT_NAME_MAX + 1), CHAT_NAME_MAX + 1));
	CU_ASSERT(!chat_name_valid("", 0));
	CU_ASSERT(!chat_name_valid("a b", 3));
	CU_ASSERT(!chat_name_valid("a.b", 3));
	CU_ASSERT(!chat_name_valid("a:b", 3));
	CU_ASSERT(!chat_name_valid("*", 1));
	CU_ASSERT(!chat_name_valid("a\tb", 3));
	CU_ASSERT(!chat_name_valid("caf\xc3\xa9", 5));
	CU_ASSERT(!chat_name_valid("a\0b", 3));
	/* only len counts */
	CU_ASSERT(chat_name_valid("ab cd", 2));
	CU_ASSERT(!chat_name_valid("ab cd", 3));
}

/* --------------------------------------------------------------------- */
/* Presence */

static bool
is_guest(const char *nick)
{
	size_t i;

	if (strncmp(nick, "guest", 5) != 0 || nick[5] == '\0')
		return false;
	for (i = 5; nick[i] != '\0'; i++)
		if (nick[i] < '0' || nick[i] > '9')
			return false;
	return true;
}

static void
test_enter(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member m[6];
	struct text want = { 0 };
	unsigned i, j;

	for (i = 0; i < 5; i++) {
		ENTER(b, &m[i]);
		check_at(is_guest(m[i].nick), __LINE__, "nick \"%s\" is not guestN", m[i].nick);
		CU_ASSERT(chat_name_valid(m[i].nick, strlen(m[i].nick)));
		CU_ASSERT_STRING_EQUAL(m[i].room_name, CHAT_LOBBY);
		for (j = 0; j < i; j++)
			check_at(strcasecmp(m[i].nick, m[j].nick) != 0, __LINE__,
			    "members %u and %u are both %s", j, i, m[i].nick);
	}
	/* each reads its own join first, then the later ones */
	for (i = 0; i < 5; i++) {
		want.len = 0;
		for (j = i; j < 5; j++)
			text_addf(&want, "* join lobby %s\n", m[j].nick);
		EXPECT_READ(b, &m[i], text_str(&want));
		EXPECT_READ(b, &m[i], "");
	}
	/* guest names somebody took by renaming are not handed out again */
	{
		char gn[CHAT_NAME_MAX + 1];
		unsigned long g = strtoul(m[4].nick + 5, NULL, 10);
		struct chat_member extra[4];

		for (i = 0; i < 4; i++) {
			snprintf(gn, sizeof(gn), "%s%lu", i % 2 ? "GUEST" : "guest", g + 1 + i);
			NICK(b, &m[i], gn);
		}
		for (i = 0; i < 4; i++) {
			ENTER(b, &extra[i]);
			for (j = 0; j < 5; j++)
				check_at(strcasecmp(extra[i].nick, m[j].nick) != 0, __LINE__,
				    "entered as %s, the name of member %u", extra[i].nick, j);
			for (j = 0; j < i; j++)
				check_at(strcasecmp(extra[i].nick, extra[j].nick) != 0, __LINE__,
				    "entered as %s twice", extra[i].nick);
		}
		for (i = 0; i < 4; i++)
			chat_bus_leave(b, &extra[i]);
		for (i = 0; i < 5; i++)
			discard(b, &m[i]);
	}

	/* a late comer sees nothing from before it came */
	SAY(b, &m[0], "before");
	discard(b, &m[1]);
	ENTER(b, &m[5]);
	want.len = 0;
	text_addf(&want, "* join lobby %s\n", m[5].nick);
	EXPECT_READ(b, &m[5], text_str(&want));
	want.len = 0;
	for (i = 0; i < 6; i++)
		text_addf(&want, "%s%s", i ? "," : "", m[i].nick);
	WHO_IS(b, &m[5], text_str(&want));
	WHO_IS(b, &m[0], text_str(&want));
	text_free(&want);
	chat_bus_destroy(b);
}

static void
test_leave(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, c, d;
	char list[256], line[128], gone[CHAT_NAME_MAX + 1];

	ENTER(b, &a);
	ENTER(b, &c);
	ENTER(b, &d);
	discard(b, &a);
	discard(b, &c);
	discard(b, &d);
	snprintf(list, sizeof(list), "%s,%s,%s", a.nick, c.nick, d.nick);
	WHO_IS(b, &a, list);
	CU_ASSERT_EQUAL(stats(b).clients, 3);

	snprintf(gone, sizeof(gone), "%s", c.nick);
	chat_bus_leave(b, &c);
	snprintf(line, sizeof(line), "* leave lobby %s\n", gone);
	EXPECT_READ(b, &a, line);
	EXPECT_READ(b, &d, line);
	snprintf(list, sizeof(list), "%s,%s", a.nick, d.nick);
	WHO_IS(b, &a, list);
	WHO_IS(b, &d, list);
	CU_ASSERT_EQUAL(stats(b).clients, 2);
	ROOMS_IS(b, "lobby=2");
	chat_bus_leave(b, &a);
	chat_bus_leave(b, &d);
	CU_ASSERT_EQUAL(stats(b).clients, 0);
	ROOMS_IS(b, "");
	chat_bus_destroy(b);
}

static void
test_nick(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, c, d;
	char old[CHAT_NAME_MAX + 1], up[CHAT_NAME_MAX + 1], line[256];
	uint64_t pub;
	size_t i;

	ENTER(b, &a);
	ENTER(b, &c);
	ENTER(b, &d);
	discard(b, &a);
	discard(b, &c);
	discard(b, &d);

	snprintf(old, sizeof(old), "%s", a.nick);
	NICK(b, &a, "Alice");
	CU_ASSERT_STRING_EQUAL(a.nick, "Alice");
	snprintf(line, sizeof(line), "* nick lobby %s Alice\n", old);
	EXPECT_READ(b, &a, line);
	EXPECT_READ(b, &c, line);
	EXPECT_READ(b, &d, line);
	/* messages carry the new name */
	SAY(b, &a, "hi");
	EXPECT_READ(b, &c, "lobby Alice: hi\n");
	discard(b, &a);
	discard(b, &d);

	pub = stats(b).published;
	/* taken, in any case */
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "Alice", 5), CHAT_ETAKEN);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "alice", 5), CHAT_ETAKEN);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "ALICE", 5), CHAT_ETAKEN);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, d.nick, strlen(d.nick)), CHAT_ETAKEN);
	snprintf(up, sizeof(up), "%s", d.nick);
	for (i = 0; up[i] != '\0'; i++)
		up[i] = (char)(up[i] >= 'a' && up[i] <= 'z' ? up[i] - 32 : up[i]);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, up, strlen(up)), CHAT_ETAKEN);
	/* not a name */
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "", 0), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "bad name", 8), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "a.b", 3), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "*", 1), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "caf\xc3\xa9", 5), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, name_of('n', CHAT_NAME_MAX + 1),
	    CHAT_NAME_MAX + 1), CHAT_EINVAL);
	/* already called that */
	CU_ASSERT_EQUAL(chat_bus_nick(b, &a, "Alice", 5), CHAT_ESAME);
	/* none of that changed anything or published anything */
	CU_ASSERT_EQUAL(stats(b).published, pub);
	EXPECT_READ(b, &a, "");
	EXPECT_READ(b, &c, "");
	CU_ASSERT_STRING_EQUAL(a.nick, "Alice");

	/* the longest name */
	snprintf(old, sizeof(old), "%s", c.nick);
	NICK(b, &c, name_of('n', CHAT_NAME_MAX));
	CU_ASSERT_STRING_EQUAL(c.nick, name_of('n', CHAT_NAME_MAX));
	snprintf(line, sizeof(line), "* nick lobby %s %s\n", old, name_of('n', CHAT_NAME_MAX));
	EXPECT_READ(b, &d, line);
	discard(b, &a);
	discard(b, &c);

	/* once a leaves, its name is free */
	snprintf(old, sizeof(old), "%s", d.nick);
	CU_ASSERT_EQUAL(chat_bus_nick(b, &d, "alice", 5), CHAT_ETAKEN);
	chat_bus_leave(b, &a);
	NICK(b, &d, "alice");
	snprintf(line, sizeof(line), "* leave lobby Alice\n* nick lobby %s alice\n", old);
	EXPECT_READ(b, &c, line);
	snprintf(line, sizeof(line), "alice,%s", name_of('n', CHAT_NAME_MAX));
	WHO_IS(b, &c, line);
	chat_bus_destroy(b);
}

/* A renamed member's old guest name can be taken. */
static void
test_nick_frees_old(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, c;
	char old[CHAT_NAME_MAX + 1], line[256], list[512];

	ENTER(b, &a);
	ENTER(b, &c);
	snprintf(old, sizeof(old), "%s", a.nick);
	NICK(b, &a, "x1");
	discard(b, &a);
	NICK(b, &c, old);
	CU_ASSERT_STRING_EQUAL(c.nick, old);
	snprintf(list, sizeof(list), "x1,%s", old);
	WHO_IS(b, &a, list);
	discard(b, &a);
	/* and x1, once a moves on */
	NICK(b, &a, "x2");
	NICK(b, &c, "x1");
	snprintf(line, sizeof(line), "* nick lobby %s x1\n", old);
	snprintf(list, sizeof(list), "* nick lobby x1 x2\n%s", line);
	EXPECT_READ(b, &a, list);
	WHO_IS(b, &a, "x1,x2");
	CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "X2", 2), CHAT_ETAKEN);
	/* a case-only change of one's own name is never ETAKEN */
	CU_ASSERT_NOT_EQUAL(chat_bus_nick(b, &a, "X2", 2), CHAT_ETAKEN);
	chat_bus_destroy(b);
}

/* Renames, leaves and entries at random against a model of who is called
 * what: ETAKEN exactly when another member has the name in any case, fresh
 * guest names never taken, and the listing right all along. (Bounded by
 * the alarm: a name index that leaks entries fills up.) */
static void
test_names_churn(void)
{
	static const char *pool[] = { "ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal",
	    "ivy", "jo", "kai", "lu", "mo", "ned", "oz", "pia", "guest1", "guest2",
	    "guest3", "guest17", "guest18", "guest19", "guest20", "guest21" };
	enum { N = 12, NPOOL = sizeof(pool) / sizeof(pool[0]) };
	struct chat_bus *b = mkbus(4096, N, 4, 1u << 20);
	struct chat_member m[N];
	struct text list = { 0 };
	uint32_t x = 12345;
	unsigned i, j, it, taken = 0, renamed = 0;
	char name[CHAT_NAME_MAX + 1];
	int rc, want;

	arm_alarm();
	for (i = 0; i < N; i++)
		ENTER(b, &m[i]);
	for (it = 0; it < 4000; it++) {
		x = x * 1103515245u + 12345u;
		i = (x >> 8) % N;
		if ((x >> 20) % 16 == 0) {
			chat_bus_leave(b, &m[i]);
			ENTER(b, &m[i]);
			for (j = 0; j < N; j++)
				if (!check_at(j == i || strcasecmp(m[i].nick, m[j].nick) != 0,
				    __LINE__, "iteration %u: entered as %s, member %u's name",
				    it, m[i].nick, j))
					goto out;
			continue;
		}
		snprintf(name, sizeof(name), "%s", pool[(x >> 12) % NPOOL]);
		if ((x >> 24) & 1)
			name[0] = (char)(name[0] - 32);		/* Ann, Guest1 */
		if (strcasecmp(name, m[i].nick) == 0 && strcmp(name, m[i].nick) != 0)
			continue;	/* a case-only change of one's own name */
		want = strcmp(name, m[i].nick) == 0 ? CHAT_ESAME : CHAT_OK;
		for (j = 0; j < N; j++)
			if (j != i && strcasecmp(name, m[j].nick) == 0)
				want = CHAT_ETAKEN;
		rc = chat_bus_nick(b, &m[i], name, strlen(name));
		if (!check_at(rc == want, __LINE__, "iteration %u: member %u (%s) to %s: %d (%s), "
		    "expected %s", it, i, m[i].nick, name, rc, rc_name(rc), rc_name(want)))
			goto out;
		if (rc == CHAT_OK)
			check_at(strcmp(m[i].nick, name) == 0, __LINE__, "renamed to %s, handle "
			    "says %s", name, m[i].nick);
		taken += rc == CHAT_ETAKEN;
		renamed += rc == CHAT_OK;
		if (it % 97 == 0) {
			list.len = 0;
			for (j = 0; j < N; j++)
				text_addf(&list, "%s%s", j ? "," : "", m[j].nick);
			WHO_IS(b, &m[0], text_str(&list));
		}
	}
	CU_ASSERT(taken > 100 && renamed > 100);	/* the case did its job */
	CU_ASSERT_EQUAL(stats(b).clients, N);
out:
	alarm(0);
	text_free(&list);
	chat_bus_destroy(b);
}

/* --------------------------------------------------------------------- */
/* Rooms */

static void
test_join(void)
{
	struct chat_bus *b = mkbus(16384, 16, 8, 64);
	struct chat_member a, c, e, d;
	struct text t = { 0 };
	char want[512], list[1024];
	uint64_t pub;
	long rc;

	ENTER(b, &a);
	ENTER(b, &c);
	ENTER(b, &e);
	ENTER(b, &d);
	JOIN(b, &d, "other");
	CU_ASSERT_STRING_EQUAL(d.room_name, "other");
	discard(b, &a);
	discard(b, &c);
	discard(b, &e);
	discard(b, &d);
	ROOMS_IS(b, "lobby=3,other=1");

	/* c moves: lobby hears the leave, room2 the join, other nothing */
	pub = stats(b).published;
	JOIN(b, &c, "room2");
	CU_ASSERT_EQUAL(stats(b).published, pub + 2);
	CU_ASSERT_STRING_EQUAL(c.room_name, "room2");
	snprintf(want, sizeof(want), "* leave lobby %s\n", c.nick);
	EXPECT_READ(b, &a, want);
	EXPECT_READ(b, &e, want);
	EXPECT_READ(b, &d, "");
	rc = drain_cap(b, &c, &t, 0, __LINE__);
	CU_ASSERT_EQUAL(rc, 0);
	snprintf(want, sizeof(want), "* join room2 %s\n", c.nick);
	check_at(t.len >= strlen(want) && strcmp(t.p + t.len - strlen(want), want) == 0,
	    __LINE__, "the joiner read \"%s\", must end with \"%s\"", text_str(&t), want);
	snprintf(list, sizeof(list), "* leave lobby %s\n%s", c.nick, want);
	check_at(strcmp(text_str(&t), want) == 0 || strcmp(text_str(&t), list) == 0,
	    __LINE__, "the joiner read \"%s\"", text_str(&t));
	text_free(&t);
	ROOMS_IS(b, "lobby=2,other=1,room2=1");
	snprintf(list, sizeof(list), "%s,%s", a.nick, e.nick);
	WHO_IS(b, &a, list);
	WHO_IS(b, &c, c.nick);
	WHO_IS(b, &d, d.nick);

	/* e follows: c hears the join */
	JOIN(b, &e, "room2");
	snprintf(want, sizeof(want), "* leave lobby %s\n", e.nick);
	EXPECT_READ(b, &a, want);
	snprintf(want, sizeof(want), "* join room2 %s\n", e.nick);
	EXPECT_READ(b, &c, want);
	discard(b, &e);
	EXPECT_READ(b, &d, "");

	/* messages stay in their room */
	SAY(b, &c, "in two");
	SAY(b, &a, "in lobby");
	SAY(b, &d, "in other");
	snprintf(want, sizeof(want), "room2 %s: in two\n", c.nick);
	EXPECT_READ(b, &c, want);
	EXPECT_READ(b, &e, want);
	snprintf(want, sizeof(want), "lobby %s: in lobby\n", a.nick);
	EXPECT_READ(b, &a, want);
	snprintf(want, sizeof(want), "other %s: in other\n", d.nick);
	EXPECT_READ(b, &d, want);

	/* already there; not a name */
	pub = stats(b).published;
	CU_ASSERT_EQUAL(chat_bus_join(b, &a, "lobby", 5), CHAT_ESAME);
	CU_ASSERT_EQUAL(chat_bus_join(b, &c, "room2", 5), CHAT_ESAME);
	CU_ASSERT_EQUAL(chat_bus_join(b, &a, "", 0), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_join(b, &a, "bad room", 8), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_join(b, &a, "#chan", 5), CHAT_EINVAL);
	CU_ASSERT_EQUAL(chat_bus_join(b, &a, name_of('r', CHAT_NAME_MAX + 1),
	    CHAT_NAME_MAX + 1), CHAT_EINVAL);
	CU_ASSERT_EQUAL(stats(b).published, pub);
	CU_ASSERT_STRING_EQUAL(a.room_name, "lobby");
	EXPECT_READ(b, &a, "");

	/* room2 empties: it is gone */
	JOIN(b, &c, "lobby");
	JOIN(b, &e, "other");
	ROOMS_IS(b, "lobby=2,other=2");
	CU_ASSERT_EQUAL(stats(b).rooms, 2);
	/* and can be made again */
	JOIN(b, &a, "room2");
	ROOMS_IS(b, "lobby=1,other=2,room2=1");
	/* the longest room name */
	JOIN(b, &a, name_of('r', CHAT_NAME_MAX));
	CU_ASSERT_STRING_EQUAL(a.room_name, name_of('r', CHAT_NAME_MAX));
	discard(b, &a);
	SAY(b, &a, "x");
	snprintf(want, sizeof(want), "%s %s: x\n", name_of('r', CHAT_NAME_MAX), a.nick);
	EXPECT_READ(b, &a, want);
	chat_bus_destroy(b);
}

/* Lines of the room left that were not read yet are still delivered, up
 * to the leave; later ones are not. */
static void
test_join_prev_room(void)
{
	struct chat_bus *b = mkbus(16384, 16, 8, 64);
	struct chat_member a, c, e;
	struct text t = { 0 };
	char want[256];

	ENTER(b, &a);
	ENTER(b, &c);
	ENTER(b, &e);
	JOIN(b, &e, "room2");
	discard(b, &a);
	discard(b, &c);
	discard(b, &e);

	SAY(b, &a, "before");
	SAY(b, &e, "two-before");
	JOIN(b, &c, "room2");
	SAY(b, &a, "after");
	SAY(b, &e, "two-after");
	CU_ASSERT_EQUAL(drain_cap(b, &c, &t, 0, __LINE__), 0);
	snprintf(want, sizeof(want), "lobby %s: before\n", a.nick);
	check_at(strstr(text_str(&t), want) == text_str(&t), __LINE__,
	    "c read \"%s\": must start with \"%s\"", text_str(&t), want);
	snprintf(want, sizeof(want), "lobby %s: after\n", a.nick);
	check_at(strstr(text_str(&t), want) == NULL, __LINE__,
	    "c read \"%s\": a line of the lobby after it left", text_str(&t));
	snprintf(want, sizeof(want), "room2 %s: two-before\n", e.nick);
	check_at(strstr(text_str(&t), want) == NULL, __LINE__,
	    "c read \"%s\": a line of room2 from before it came", text_str(&t));
	snprintf(want, sizeof(want), "* join room2 %s\nroom2 %s: two-after\n", c.nick, e.nick);
	check_at(t.len >= strlen(want) && strcmp(t.p + t.len - strlen(want), want) == 0,
	    __LINE__, "c read \"%s\": must end with \"%s\"", text_str(&t), want);
	text_free(&t);
	chat_bus_destroy(b);
}

static void
test_rooms_full(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, r1, r2, r3, e, x;
	uint64_t pub;

	ENTER(b, &a);
	ENTER(b, &e);
	ENTER(b, &r1);
	ENTER(b, &r2);
	ENTER(b, &r3);
	JOIN(b, &r1, "r1");
	JOIN(b, &r2, "r2");
	JOIN(b, &r3, "r3");
	ROOMS_IS(b, "lobby=2,r1=1,r2=1,r3=1");
	CU_ASSERT_EQUAL(stats(b).rooms, 4);
	discard(b, &e);

	/* a fifth room does not fit; e stays where it was */
	pub = stats(b).published;
	CU_ASSERT_EQUAL(chat_bus_join(b, &e, "r4", 2), CHAT_EROOMS);
	CU_ASSERT_EQUAL(stats(b).published, pub);
	CU_ASSERT_STRING_EQUAL(e.room_name, "lobby");
	ROOMS_IS(b, "lobby=2,r1=1,r2=1,r3=1");
	EXPECT_READ(b, &e, "");
	SAY(b, &e, "still here");
	discard(b, &a);
	/* existing rooms still take members */
	JOIN(b, &e, "r1");
	ROOMS_IS(b, "lobby=1,r1=2,r2=1,r3=1");
	/* freeing one makes room */
	JOIN(b, &r3, "r2");
	ROOMS_IS(b, "lobby=1,r1=2,r2=2");
	JOIN(b, &e, "r4");
	ROOMS_IS(b, "lobby=1,r1=1,r2=2,r4=1");
	/* lobby empties and the table fills again: entering fails */
	JOIN(b, &a, "r1");
	ROOMS_IS(b, "r1=2,r2=2,r4=1");
	JOIN(b, &r3, "r5");
	ROOMS_IS(b, "r1=2,r2=1,r4=1,r5=1");
	memset(&x, 0, sizeof(x));
	CU_ASSERT_EQUAL(chat_bus_enter(b, &x, getpid(), 0), CHAT_EROOMS);
	CU_ASSERT_EQUAL(stats(b).clients, 5);
	/* a room freed: the lobby can be made again */
	chat_bus_leave(b, &r3);
	ENTER(b, &x);
	CU_ASSERT_STRING_EQUAL(x.room_name, CHAT_LOBBY);
	ROOMS_IS(b, "lobby=1,r1=2,r2=1,r4=1");
	chat_bus_destroy(b);
}

static void
test_who_rooms(void)
{
	struct chat_bus *b = mkbus(16384, 16, 8, 64);
	struct chat_member m[7];
	char list[512];
	unsigned i;

	for (i = 0; i < 7; i++)
		ENTER(b, &m[i]);
	NICK(b, &m[0], "zed");
	NICK(b, &m[1], "Amy");
	JOIN(b, &m[2], "dev");
	JOIN(b, &m[3], "dev");
	JOIN(b, &m[4], "ops");
	ROOMS_IS(b, "lobby=4,dev=2,ops=1");
	snprintf(list, sizeof(list), "zed,Amy,%s,%s", m[5].nick, m[6].nick);
	WHO_IS(b, &m[0], list);
	WHO_IS(b, &m[6], list);
	snprintf(list, sizeof(list), "%s,%s", m[2].nick, m[3].nick);
	WHO_IS(b, &m[2], list);
	WHO_IS(b, &m[4], m[4].nick);
	NICK(b, &m[4], "solo");
	WHO_IS(b, &m[4], "solo");
	chat_bus_leave(b, &m[6]);
	JOIN(b, &m[5], "ops");
	ROOMS_IS(b, "lobby=2,dev=2,ops=2");
	WHO_IS(b, &m[0], "zed,Amy");
	snprintf(list, sizeof(list), "solo,%s", m[5].nick);
	WHO_IS(b, &m[5], list);
	chat_bus_destroy(b);
}

/* --------------------------------------------------------------------- */
/* Capacity */

static void
test_capacity(void)
{
	struct chat_bus *b = mkbus(16384, 8, 4, 64);
	struct chat_member m[9];
	unsigned i, j;

	for (i = 0; i < 8; i++)
		ENTER(b, &m[i]);
	CU_ASSERT_EQUAL(stats(b).clients, 8);
	memset(&m[8], 0, sizeof(m[8]));
	CU_ASSERT_EQUAL(chat_bus_enter(b, &m[8], getpid(), 0), CHAT_EFULL);
	CU_ASSERT_EQUAL(chat_bus_enter(b, &m[8], getpid(), 1), CHAT_EFULL);
	CU_ASSERT_EQUAL(stats(b).clients, 8);
	chat_bus_leave(b, &m[3]);
	CU_ASSERT_EQUAL(stats(b).clients, 7);
	ENTER(b, &m[3]);
	for (j = 0; j < 8; j++)
		check_at(j == 3 || strcasecmp(m[3].nick, m[j].nick) != 0, __LINE__,
		    "re-entered as %s, the name of member %u", m[3].nick, j);
	CU_ASSERT_EQUAL(chat_bus_enter(b, &m[8], getpid(), 0), CHAT_EFULL);
	/* everyone leaves, everyone comes back */
	for (i = 0; i < 8; i++)
		chat_bus_leave(b, &m[i]);
	CU_ASSERT_EQUAL(stats(b).clients, 0);
	for (i = 0; i < 8; i++)
		ENTER(b, &m[i]);
	CU_ASSERT_EQUAL(chat_bus_enter(b, &m[8], getpid(), 0), CHAT_EFULL);
	chat_bus_destroy(b);
}

/* --------------------------------------------------------------------- */
/* Delivery */

/* Several members' messages, interleaved: everyone reads the same bytes,
 * whenever it reads. */
static void
test_say_order(void)
{
	struct chat_bus *b = mkbus(65536, 16, 4, 1000);
	struct chat_member m[4];
	struct text got[4], want = { 0 };
	char msg[64];
	unsigned i, k;

	memset(got, 0, sizeof(got));
	for (i = 0; i < 4; i++)
		ENTER(b, &m[i]);
	for (i = 0; i < 4; i++)
		discard(b, &m[i]);
	for (k = 0; k < 60; k++) {
		i = (k * 7 + k / 5) % 4;
		snprintf(msg, sizeof(msg), "message %u from %u", k, i);
		SAY(b, &m[i], msg);
		text_addf(&want, "lobby %s: %s\n", m[i].nick, msg);
		/* m[0] reads after every line, m[1] every third, m[2] at the end,
		 * m[3] when it has just spoken */
		CU_ASSERT_EQUAL(drain_cap(b, &m[0], &got[0], 0, __LINE__), 0);
		if (k % 3 == 2)
			CU_ASSERT_EQUAL(drain_cap(b, &m[1], &got[1], 0, __LINE__), 0);
		if (i == 3)
			CU_ASSERT_EQUAL(drain_cap(b, &m[3], &got[3], 0, __LINE__), 0);
	}
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(drain_cap(b, &m[i], &got[i], 0, __LINE__), 0);
		check_at(strcmp(text_str(&got[i]), text_str(&want)) == 0, __LINE__,
		    "member %u read:\n%s-- expected:\n%s--", i, text_str(&got[i]),
		    text_str(&want));
		text_free(&got[i]);
	}
	text_free(&want);
	chat_bus_destroy(b);
}

/* A text of n bytes, different for each k. */
static void
make_text(char *buf, size_t n, unsigned k)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)('a' + (k * 7 + i) % 26);
	if (n >= 8) {			/* "0000042|..." */
		snprintf(buf, 8, "%07u", k % 10000000);
		buf[7] = '|';
	}
	buf[n] = '\0';
}

/* Far more than the ring through a reader that keeps up: every line, in
 * order, across many wraps. */
static void
test_wrap(void)
{
	struct chat_bus *b = mkbus(4096, 16, 4, 64);
	struct chat_member w, r;
	struct text got = { 0 }, got_w = { 0 }, want = { 0 };
	char msg[MAX_TEXT + 1];
	unsigned k, next = 1, sent = 0;
	uint64_t pub;
	size_t n;

	ENTER(b, &w);
	ENTER(b, &r);
	discard(b, &w);
	discard(b, &r);
	pub = stats(b).published;
	for (k = 0; k < 3000; k++) {
		n = 1 + (k * 37 + k / 3) % MAX_TEXT;
		if (k % 97 == 0)
			n = MAX_TEXT;
		make_text(msg, n, k);
		CU_ASSERT_EQUAL_FATAL(chat_bus_say(b, &w, msg, n), CHAT_OK);
		text_addf(&want, "lobby %s: %s\n", w.nick, msg);
		/* read after 1..7 lines: never more than the ring holds */
		if (++sent == next) {
			if (drain_cap(b, &r, &got, 0, __LINE__) != 0 ||
			    drain_cap(b, &w, &got_w, 0, __LINE__) != 0) {
				CU_FAIL("a reader that keeps up was dropped");
				break;
			}
			sent = 0;
			next = 1 + k % 7;
		}
	}
	CU_ASSERT_EQUAL(drain_cap(b, &r, &got, 0, __LINE__), 0);
	CU_ASSERT_EQUAL(drain_cap(b, &w, &got_w, 0, __LINE__), 0);
	CU_ASSERT(want.len > 50 * 4096);
	if (got.len != want.len || (got.p && strcmp(got.p, want.p) != 0)) {
		size_t i = 0;

		while (got.p && i < got.len && i < want.len && got.p[i] == want.p[i])
			i++;
		check_at(false, __LINE__, "read %zu bytes of %zu, first difference at byte %zu: "
		    "\"%.60s\" vs \"%.60s\"", got.len, want.len, i, got.p ? got.p + i : "",
		    want.p + i);
	}
	check_at(got_w.len == want.len && got_w.p && strcmp(got_w.p, want.p) == 0, __LINE__,
	    "the writer read %zu bytes of %zu", got_w.len, want.len);
	CU_ASSERT_EQUAL(stats(b).published, pub + 3000);
	CU_ASSERT_EQUAL(chat_bus_check(b, &r), 0);
	text_free(&got);
	text_free(&got_w);
	text_free(&want);
	chat_bus_destroy(b);
}

/* Lines of n bytes of text published while a member does not read, more
 * than the ring. */
static void
lapped_case(unsigned lag, bool strict, size_t n)
{
	struct chat_bus *b = mkbus(4096, 16, 4, lag);
	struct chat_member w, r;
	struct text got = { 0 };
	char msg[MAX_TEXT + 1], buf[1024];
	unsigned k, nl;
	ssize_t rr;
	int rc;

	ENTER(b, &w);
	ENTER(b, &r);
	discard(b, &w);
	discard(b, &r);
	make_text(msg, n, 1);
	CU_ASSERT_EQUAL(chat_bus_say(b, &w, msg, n), CHAT_OK);
	CU_ASSERT_EQUAL(chat_bus_check(b, &r), 0);	/* one line behind: fine */
	for (k = 0; k < 2 * 4096 / (n + 8) + 20; k++) {
		make_text(msg, n, k);
		CU_ASSERT_EQUAL(chat_bus_say(b, &w, msg, n), CHAT_OK);
		CU_ASSERT_EQUAL(drain_cap(b, &w, &got, 0, __LINE__), 0);
	}
	/* w kept up */
	CU_ASSERT_EQUAL(chat_bus_check(b, &w), 0);
	rc = chat_bus_check(b, &r);
	if (strict)
		check_at(rc == CHAT_ELAPPED, __LINE__, "chat_bus_check of a lapped reader "
		    "(max_lag %u, %zu-byte texts): %d (%s), expected ELAPPED", lag, n, rc,
		    rc_name(rc));
	else
		check_at(rc == CHAT_ELAPPED || rc == CHAT_ESLOW, __LINE__, "chat_bus_check of "
		    "a lapped reader: %d (%s)", rc, rc_name(rc));
	CU_ASSERT(sizeof(buf) >= chat_bus_line_max(b));
	rr = chat_bus_read(b, &r, buf, sizeof(buf), &nl);
	if (strict)
		check_at(rr == CHAT_ELAPPED, __LINE__, "chat_bus_read of a lapped reader "
		    "(max_lag %u, %zu-byte texts): %zd (%s), expected ELAPPED", lag, n, rr,
		    rc_name(rr));
	else
		check_at(rr == CHAT_ELAPPED || rr == CHAT_ESLOW, __LINE__, "chat_bus_read "
		    "of a lapped reader: %zd (%s)", rr, rc_name(rr));
	/* the others go on */
	SAY(b, &w, "go on");
	got.len = 0;
	CU_ASSERT_EQUAL(drain_cap(b, &w, &got, 0, __LINE__), 0);
	snprintf(buf, sizeof(buf), "lobby %s: go on\n", w.nick);
	CU_ASSERT_STRING_EQUAL(text_str(&got), buf);
	text_free(&got);
	chat_bus_destroy(b);
}

static void
test_lapped(void)
{
	size_t n;

	lapped_case(8, false, 100);		/* slow and lapped: either */
	/* never slow: lapped, whatever the records' sizes (some may leave the
	 * reader's position at the start of a newer record) */
	for (n = 1; n <= MAX_TEXT; n++)
		lapped_case(100000, true, n);
}

/* More than max_lag lines of its room unread: slow, even though the ring
 * still holds them. */
static void
test_slow(void)
{
	struct chat_bus *b = mkbus(65536, 16, 4, 8);
	struct chat_member w, r, o;
	unsigned k;
	int rc;

	ENTER(b, &w);
	ENTER(b, &r);
	ENTER(b, &o);
	JOIN(b, &o, "other");
	discard(b, &w);
	discard(b, &r);
	discard(b, &o);
	for (k = 0; k < 8; k++) {
		SAY(b, &w, "tick");
		discard(b, &w);
		rc = chat_bus_check(b, &r);
		check_at(rc == 0, __LINE__, "%u lines behind, max_lag 8: %d (%s)", k + 1, rc,
		    rc_name(rc));
	}
	/* another room's lines do not count */
	for (k = 0; k < 40; k++)
		SAY(b, &o, "elsewhere");
	rc = chat_bus_check(b, &r);
	check_at(rc == 0, __LINE__, "8 lines behind in lobby, 40 in other: %d (%s)", rc,
	    rc_name(rc));
	SAY(b, &w, "one too many");
	discard(b, &w);
	rc = chat_bus_check(b, &r);
	check_at(rc == CHAT_ESLOW, __LINE__, "9 lines behind, max_lag 8: %d (%s)", rc,
	    rc_name(rc));
	CU_ASSERT_EQUAL(chat_bus_check(b, &w), 0);
	chat_bus_destroy(b);
}

/* Reading with the smallest allowed budget: whole lines, and everything
 * in the end, with the longest names and texts. */
static void
test_budget(void)
{
	struct chat_bus *b = mkbus(65536, 16, 4, 1000);
	struct chat_member w, r;
	struct text got = { 0 }, want = { 0 };
	char msg[MAX_TEXT + 1], room[CHAT_NAME_MAX + 1], nick[CHAT_NAME_MAX + 1];
	size_t max = chat_bus_line_max(b), n, biggest = 0;
	unsigned k;

	snprintf(room, sizeof(room), "%s", name_of('R', CHAT_NAME_MAX));
	snprintf(nick, sizeof(nick), "%s", name_of('N', CHAT_NAME_MAX));

	ENTER(b, &w);
	ENTER(b, &r);
	NICK(b, &w, nick);
	JOIN(b, &w, room);
	JOIN(b, &r, room);
	discard(b, &w);
	discard(b, &r);
	for (k = 0; k < 60; k++) {
		n = k % 4 == 0 ? MAX_TEXT : 1 + (k * 53) % MAX_TEXT;
		make_text(msg, n, k);
		SAY(b, &w, msg);
		text_addf(&want, "%s %s: %s\n", room, nick, msg);
	}
	biggest = strlen(room) + 1 + strlen(nick) + 2 + MAX_TEXT + 1;
	check_at(max >= biggest, __LINE__, "chat_bus_line_max %zu < a %zu-byte line", max,
	    biggest);
	CU_ASSERT_EQUAL(drain_cap(b, &r, &got, max, __LINE__), 0);
	check_at(got.len == want.len && strcmp(text_str(&got), text_str(&want)) == 0,
	    __LINE__, "read %zu bytes with cap %zu, expected %zu", got.len, max, want.len);
	text_free(&got);
	text_free(&want);
	chat_bus_destroy(b);
}

static void
test_long_text(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member w, r;
	char msg[MAX_TEXT + 2], want[MAX_TEXT + 128];
	uint64_t pub;

	ENTER(b, &w);
	ENTER(b, &r);
	discard(b, &w);
	discard(b, &r);
	pub = stats(b).published;
	make_text(msg, MAX_TEXT + 1, 5);
	CU_ASSERT_EQUAL(chat_bus_say(b, &w, msg, MAX_TEXT + 1), CHAT_ELONG);
	CU_ASSERT_EQUAL(chat_bus_say(b, &w, "x", 100000), CHAT_ELONG);
	CU_ASSERT_EQUAL(stats(b).published, pub);
	EXPECT_READ(b, &r, "");
	/* exactly max_text is fine */
	CU_ASSERT_EQUAL(chat_bus_say(b, &w, msg, MAX_TEXT), CHAT_OK);
	snprintf(want, sizeof(want), "lobby %s: %.*s\n", w.nick, MAX_TEXT, msg);
	EXPECT_READ(b, &r, want);
	CU_ASSERT_EQUAL(stats(b).published, pub + 1);
	chat_bus_destroy(b);
}

/* --------------------------------------------------------------------- */
/* Processes */

static void
test_reap(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, a2, g1, g2, g3;
	char n1[CHAT_NAME_MAX + 1], n2[CHAT_NAME_MAX + 1], n3[CHAT_NAME_MAX + 1];
	char want[512], list[256];
	struct chat_bus_stats st;
	pid_t dead = dead_pid(), dead2 = dead_pid();

	ENTER(b, &a);
	ENTER(b, &a2);
	JOIN(b, &a2, "room2");
	enter_at(b, &g1, dead, 1, __LINE__);
	enter_at(b, &g2, dead, 1, __LINE__);
	enter_at(b, &g3, dead2, 2, __LINE__);
	JOIN(b, &g2, "room2");
	NICK(b, &g1, "ghost");
	snprintf(n1, sizeof(n1), "%s", g1.nick);
	snprintf(n2, sizeof(n2), "%s", g2.nick);
	snprintf(n3, sizeof(n3), "%s", g3.nick);
	discard(b, &a);
	discard(b, &a2);
	st = stats(b);
	CU_ASSERT_EQUAL(st.clients, 5);

	CU_ASSERT_EQUAL(chat_bus_reap(b, dead, REAP_MS), 2);
	snprintf(want, sizeof(want), "* leave lobby %s\n", n1);
	EXPECT_READ(b, &a, want);
	snprintf(want, sizeof(want), "* leave room2 %s\n", n2);
	EXPECT_READ(b, &a2, want);
	snprintf(list, sizeof(list), "%s,%s", a.nick, n3);
	WHO_IS(b, &a, list);
	WHO_IS(b, &a2, a2.nick);
	CU_ASSERT_EQUAL(stats(b).clients, 3);
	CU_ASSERT_EQUAL(stats(b).published, st.published + 2);
	/* the names are free again */
	NICK(b, &a, "ghost");
	discard(b, &a);
	/* again: nothing left of it */
	CU_ASSERT_EQUAL(chat_bus_reap(b, dead, REAP_MS), 0);
	CU_ASSERT_EQUAL(chat_bus_reap(b, 1, REAP_MS), 0);
	CU_ASSERT_EQUAL(chat_bus_reap(b, dead2, REAP_MS), 1);
	snprintf(want, sizeof(want), "* leave lobby %s\n", n3);
	EXPECT_READ(b, &a, want);
	WHO_IS(b, &a, "ghost");
	CU_ASSERT_EQUAL(stats(b).clients, 2);
	ROOMS_IS(b, "lobby=1,room2=1");
	chat_bus_destroy(b);
}

/* A holder of the lock that is alive but stuck: reap gives up after its
 * timeout instead of wedging the master, readers go on meanwhile, and once
 * the holder is dead reap recovers the lock and does its job. */
static void
test_reap_stuck_holder(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	uint64_t *page = shared_page();
	struct chat_member a;
	char nick[CHAT_NAME_MAX + 1], want[256];
	int64_t deadline, t0, took;
	int status, rc;
	pid_t pid;

	arm_alarm();
	ENTER(b, &a);
	discard(b, &a);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		struct chat_member m;

		memset(&m, 0, sizeof(m));
		if (chat_bus_enter(b, &m, getpid(), 1) != CHAT_OK || chat_bus_lock(b) != 0)
			_exit(4);
		memcpy((char *)(uintptr_t)(page + 2), m.nick, sizeof(m.nick));
		SHARED_RELEASE(page[0], 1);
		for (;;)
			pause();
	}
	deadline = now_us() + 5000000;
	while (SHARED_ACQUIRE(page[0]) == 0 && now_us() < deadline)
		;
	CU_ASSERT_FATAL(page[0] == 1);
	memcpy(nick, (const char *)(uintptr_t)(page + 2), sizeof(nick));
	nick[CHAT_NAME_MAX] = '\0';

	t0 = now_us();
	rc = chat_bus_reap(b, pid, 100);
	took = now_us() - t0;
	check_at(rc == -1, __LINE__, "chat_bus_reap with the lock held: %d", rc);
	check_at(took >= 50000 && took < 3000000, __LINE__, "chat_bus_reap(100 ms) took %lld us",
	    (long long)took);
	/* readers take no lock */
	snprintf(want, sizeof(want), "* join lobby %s\n", nick);
	EXPECT_READ(b, &a, want);
	CU_ASSERT_EQUAL(chat_bus_check(b, &a), 0);
	CU_ASSERT_EQUAL(stats(b).clients, 2);

	kill(pid, SIGKILL);
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	CU_ASSERT_EQUAL(chat_bus_reap(b, pid, REAP_MS), 1);
	snprintf(want, sizeof(want), "* leave lobby %s\n", nick);
	EXPECT_READ(b, &a, want);
	CU_ASSERT_EQUAL(stats(b).clients, 1);
	SAY(b, &a, "free");
	snprintf(want, sizeof(want), "lobby %s: free\n", a.nick);
	EXPECT_READ(b, &a, want);
	alarm(0);
	munmap((void *)(uintptr_t)page, 4096);
	chat_bus_destroy(b);
}

/* pending: whether the ring moved past the member's cursor. */
static void
test_pending(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, c;

	ENTER(b, &a);
	CU_ASSERT(chat_bus_pending(b, &a));		/* its own join */
	ENTER(b, &c);
	discard(b, &a);
	discard(b, &c);
	CU_ASSERT(!chat_bus_pending(b, &a));
	CU_ASSERT(!chat_bus_pending(b, &c));
	SAY(b, &c, "x");
	CU_ASSERT(chat_bus_pending(b, &a));
	CU_ASSERT(chat_bus_pending(b, &c));
	discard(b, &a);
	CU_ASSERT(!chat_bus_pending(b, &a));
	CU_ASSERT(chat_bus_pending(b, &c));
	/* lines of another room: read past, then nothing pending */
	JOIN(b, &c, "room2");
	discard(b, &c);
	discard(b, &a);			/* c's leave */
	SAY(b, &c, "elsewhere");
	EXPECT_READ(b, &a, "");
	CU_ASSERT(!chat_bus_pending(b, &a));
	chat_bus_destroy(b);
}

static void
test_stats(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, c;
	struct chat_bus_stats s0, s;

	s0 = stats(b);
	CU_ASSERT_EQUAL(s0.clients, 0);
	CU_ASSERT_EQUAL(s0.published, 0);
	ENTER(b, &a);
	s = stats(b);
	CU_ASSERT_EQUAL(s.clients, 1);
	CU_ASSERT_EQUAL(s.rooms, 1);
	CU_ASSERT_EQUAL(s.published, 1);		/* the join */
	ENTER(b, &c);
	SAY(b, &a, "one");
	SAY(b, &c, "two");
	s = stats(b);
	CU_ASSERT_EQUAL(s.clients, 2);
	CU_ASSERT_EQUAL(s.rooms, 1);
	CU_ASSERT_EQUAL(s.published, 4);
	NICK(b, &a, "renamed");
	CU_ASSERT_EQUAL(stats(b).published, 5);
	JOIN(b, &c, "room2");			/* a leave and a join */
	s = stats(b);
	CU_ASSERT_EQUAL(s.rooms, 2);
	CU_ASSERT_EQUAL(s.published, 7);
	SAY(b, &c, "three");
	CU_ASSERT_EQUAL(stats(b).published, 8);
	CU_ASSERT_EQUAL(chat_bus_say(b, &c, "x", MAX_TEXT + 1), CHAT_ELONG);
	CU_ASSERT_EQUAL(stats(b).published, 8);
	chat_bus_leave(b, &a);
	s = stats(b);
	CU_ASSERT_EQUAL(s.clients, 1);
	CU_ASSERT_EQUAL(s.rooms, 1);
	CU_ASSERT(s.published >= 8);
	chat_bus_destroy(b);
}

/* The lock's holder dies without unlocking: the next locker recovers, and
 * the state rebuilt from the client table is the same. */
static void
test_lock_holder_dies(void)
{
	struct chat_bus *b = mkbus(16384, 16, 4, 64);
	struct chat_member a, c, g;
	char want[256], list[256];
	int status, round;
	pid_t pid;

	arm_alarm();
	ENTER(b, &a);
	NICK(b, &a, "Keeper");
	JOIN(b, &a, "keep");
	enter_at(b, &g, 4242, 3, __LINE__);	/* another process's client */
	NICK(b, &g, "Ghost");
	discard(b, &a);
	for (round = 0; round < 2; round++) {
		fflush(NULL);
		pid = fork();
		CU_ASSERT_FATAL(pid != -1);
		if (pid == 0) {
			chat_bus_lock(b);
			_exit(0);
		}
		CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);

		/* everything still works, and the derived state is right */
		ENTER(b, &c);
		CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "keeper", 6), CHAT_ETAKEN);
		CU_ASSERT_EQUAL(chat_bus_nick(b, &c, "GHOST", 5), CHAT_ETAKEN);
		JOIN(b, &c, "keep");
		snprintf(want, sizeof(want), "* join keep %s\n", c.nick);
		EXPECT_READ(b, &a, want);
		SAY(b, &c, "alive");
		snprintf(want, sizeof(want), "keep %s: alive\n", c.nick);
		EXPECT_READ(b, &a, want);
		snprintf(list, sizeof(list), "Keeper,%s", c.nick);
		WHO_IS(b, &a, list);
		ROOMS_IS(b, "keep=2,lobby=1");
		CU_ASSERT_EQUAL(stats(b).clients, 3);
		chat_bus_leave(b, &c);
		discard(b, &a);
		ROOMS_IS(b, "keep=1,lobby=1");
	}
	CU_ASSERT_EQUAL(chat_bus_reap(b, 4242, REAP_MS), 1);
	ROOMS_IS(b, "keep=1");
	alarm(0);
	chat_bus_destroy(b);
}

#define KILL_LINES	20000

/* A child publishing "m<k>" for k = 0, 1, ... as fast as it can; the page
 * holds its progress: [0] lines done, [1] 1 once it has entered, then its
 * nick from [2]. */
static void
publisher(struct chat_bus *b, uint64_t *page)
{
	struct chat_member m;
	char msg[32];
	unsigned k;

	memset(&m, 0, sizeof(m));
	if (chat_bus_enter(b, &m, getpid(), 1) != CHAT_OK)
		_exit(4);
	memcpy((char *)(uintptr_t)(page + 2), m.nick, sizeof(m.nick));
	SHARED_RELEASE(page[1], 1);
	for (k = 0; k < KILL_LINES; k++) {
		snprintf(msg, sizeof(msg), "m%u", k);
		if (chat_bus_say(b, &m, msg, strlen(msg)) != CHAT_OK)
			_exit(5);
		SHARED_RELEASE(page[0], (uint64_t)k + 1);
	}
	for (;;)
		pause();
}

/* Check the stream a member read while a publisher was killed: its join,
 * m0, m1, ... mN-1 with N in [done, done + 1], its leave. */
static void
check_killed_stream(const char *s, const char *nick, uint64_t done, int delay_us)
{
	char want[128];
	size_t n;
	uint64_t k = 0;
	const char *p = s;

	snprintf(want, sizeof(want), "* join lobby %s\n", nick);
	n = strlen(want);
	if (!check_at(strncmp(p, want, n) == 0, __LINE__, "kill after %d us: starts \"%.60s\"",
	    delay_us, p))
		return;
	p += n;
	for (;;) {
		snprintf(want, sizeof(want), "lobby %s: m%llu\n", nick, (unsigned long long)k);
		n = strlen(want);
		if (strncmp(p, want, n) != 0)
			break;
		p += n;
		k++;
	}
	check_at(k >= done && k <= done + 1, __LINE__, "kill after %d us: %llu lines in "
	    "order, the child had finished %llu", delay_us, (unsigned long long)k,
	    (unsigned long long)done);
	snprintf(want, sizeof(want), "* leave lobby %s\n", nick);
	check_at(strcmp(p, want) == 0, __LINE__, "kill after %d us: after m%llu: \"%.80s\"",
	    delay_us, (unsigned long long)k, p);
}

/* A publisher killed at some point, maybe inside the lock, maybe in the
 * middle of an append: no record half-written reaches a reader, and the
 * bus goes on. The reader reads while the child publishes. */
static void
test_publisher_killed(void)
{
	static const int delays_us[] = { 0, 1000, 3000, 7000 };
	struct chat_bus *b = mkbus(1u << 21, 16, 4, 1u << 20);
	uint64_t *page = shared_page();
	struct chat_member a, c;
	struct text got = { 0 };
	char nick[CHAT_NAME_MAX + 1], want[256];
	unsigned i;
	int status;
	pid_t pid;

	arm_alarm();
	ENTER(b, &a);
	discard(b, &a);
	for (i = 0; i < sizeof(delays_us) / sizeof(delays_us[0]); i++) {
		int64_t t0, deadline;
		uint64_t done;

		memset((void *)(uintptr_t)page, 0, 4096);
		got.len = 0;
		fflush(NULL);
		pid = fork();
		CU_ASSERT_FATAL(pid != -1);
		if (pid == 0)
			publisher(b, page);
		/* wait for its first line, then let it run delay_us */
		deadline = now_us() + 5000000;
		while (SHARED_ACQUIRE(page[0]) == 0 && now_us() < deadline)
			if (drain_cap(b, &a, &got, 0, __LINE__) != 0)
				break;
		t0 = now_us();
		while (now_us() - t0 < delays_us[i] &&
		    SHARED_ACQUIRE(page[0]) < KILL_LINES)
			if (drain_cap(b, &a, &got, 0, __LINE__) != 0)
				break;
		kill(pid, SIGKILL);
		CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
		check_at(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, __LINE__,
		    "publisher status %#x", status);
		done = SHARED_ACQUIRE(page[0]);
		CU_ASSERT(done > 0);
		memcpy(nick, (const char *)(uintptr_t)(page + 2), sizeof(nick));
		nick[CHAT_NAME_MAX] = '\0';

		CU_ASSERT_EQUAL(chat_bus_reap(b, pid, REAP_MS), 1);
		CU_ASSERT_EQUAL(drain_cap(b, &a, &got, 0, __LINE__), 0);
		check_killed_stream(text_str(&got), nick, done, delays_us[i]);
		CU_ASSERT_EQUAL(chat_bus_check(b, &a), 0);

		/* the bus goes on */
		SAY(b, &a, "after");
		snprintf(want, sizeof(want), "lobby %s: after\n", a.nick);
		EXPECT_READ(b, &a, want);
		ENTER(b, &c);
		snprintf(want, sizeof(want), "* join lobby %s\n", c.nick);
		EXPECT_READ(b, &c, want);
		chat_bus_leave(b, &c);
		discard(b, &a);
		CU_ASSERT_EQUAL(stats(b).clients, 1);
		WHO_IS(b, &a, a.nick);
	}
	alarm(0);
	text_free(&got);
	munmap((void *)(uintptr_t)page, 4096);
	chat_bus_destroy(b);
}

/* Whether sig is pending for this process (it is blocked); clears it. */
static bool
took_signal(int sig)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	bool got = false;

	sigemptyset(&set);
	sigaddset(&set, sig);
	while (sigtimedwait(&set, NULL, &zero) == sig)
		got = true;
	return got;
}

/* Publishing wakes the processes that have chat clients with wake_signal,
 * and only those; a process is signalled once, then not again until it
 * says it was woken (chat_bus_woken). */
static void
test_wake(void)
{
	struct chat_bus_limits lim = limits(16384, 16, 4, 64);
	uint64_t *page = shared_page();
	struct chat_member a, c, g;
	sigset_t set, old;
	struct chat_bus *b;
	char err[512] = "";
	int64_t deadline;
	int status;
	pid_t pid;

	arm_alarm();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CU_ASSERT_FATAL(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	took_signal(SIGUSR2);
	lim.wake_signal = SIGUSR2;
	b = chat_bus_create(&lim, err, sizeof(err));
	check_at(b != NULL, __LINE__, "chat_bus_create: %s", err);
	if (b == NULL)
		goto out;

	/* a client of ours: a line for it wakes us */
	ENTER(b, &a);
	ENTER(b, &c);
	took_signal(SIGUSR2);
	chat_bus_woken(b, 0);
	SAY(b, &c, "wake up");
	CU_ASSERT(took_signal(SIGUSR2));
	/* not again until we say we woke */
	SAY(b, &c, "again");
	SAY(b, &a, "and again");
	CU_ASSERT(!took_signal(SIGUSR2));
	chat_bus_woken(b, 0);
	SAY(b, &c, "now");
	CU_ASSERT(took_signal(SIGUSR2));
	chat_bus_woken(b, 0);

	/* a client of another process: that process is woken */
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		struct timespec wait = { 5, 0 };
		struct chat_member m;

		/* SIGUSR2 stays blocked (inherited) */
		if (chat_bus_enter(b, &m, getpid(), 1) != CHAT_OK)
			_exit(4);
		took_signal(SIGUSR2);
		chat_bus_woken(b, 1);
		SHARED_RELEASE(page[0], 1);
		_exit(sigtimedwait(&set, NULL, &wait) == SIGUSR2 ? 0 : 1);
	}
	deadline = now_us() + 5000000;
	while (SHARED_ACQUIRE(page[0]) == 0 && now_us() < deadline)
		;
	CU_ASSERT(page[0] == 1);
	SAY(b, &a, "and you");
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	check_at(WIFEXITED(status) && WEXITSTATUS(status) == 0, __LINE__,
	    "the other process was not woken (status %#x)", status);
	CU_ASSERT_EQUAL(chat_bus_reap(b, pid, REAP_MS), 1);

	/* no clients of ours left: no wake-ups for us */
	chat_bus_leave(b, &a);
	chat_bus_leave(b, &c);
	enter_at(b, &g, dead_pid(), 2, __LINE__);
	took_signal(SIGUSR2);
	chat_bus_woken(b, 0);
	SAY(b, &g, "nobody of yours");
	CU_ASSERT(!took_signal(SIGUSR2));

	/* a new process in a slot whose last one was signalled and died
	 * without waking: it is signalled all the same */
	SAY(b, &g, "for slot 2");		/* slot 2 was signalled */
	enter_at(b, &a, getpid(), 2, __LINE__);	/* its join wakes us */
	CU_ASSERT(took_signal(SIGUSR2));
	chat_bus_destroy(b);
out:
	took_signal(SIGUSR2);
	sigprocmask(SIG_SETMASK, &old, NULL);
	alarm(0);
	munmap((void *)(uintptr_t)page, 4096);
}

/* A wake-up races a reap that zeroes the process entry it is reading: it
 * must never become kill(0, sig), which signals the publisher's whole
 * process group. Run in a process group of our own: a sentinel there
 * counts the signal; the worker being woken and reaped is in another. */
static void
test_wake_races_reap(void)
{
	uint64_t *page = shared_page();
	int status;
	pid_t arena;

	fflush(NULL);
	arena = fork();
	CU_ASSERT_FATAL(arena != -1);
	if (arena == 0) {
		struct chat_bus_limits lim = limits(65536, 64, 8, 1000000);
		struct chat_bus *b;
		char err[512];
		pid_t target, sentinel, pub;
		int64_t end;

		setpgid(0, 0);
		signal(SIGUSR2, SIG_IGN);
		lim.wake_signal = SIGUSR2;
		if ((b = chat_bus_create(&lim, err, sizeof(err))) == NULL)
			_exit(3);
		if ((target = fork()) == 0) {		/* woken legitimately: ignores it */
			setpgid(0, 0);
			pause();
			_exit(0);
		}
		setpgid(target, target);
		if ((sentinel = fork()) == 0) {	/* in the arena's group: counts */
			sigset_t set;
			struct timespec tick = { 0, 10000000 };

			sigemptyset(&set);
			sigaddset(&set, SIGUSR2);
			sigprocmask(SIG_BLOCK, &set, NULL);
			signal(SIGUSR2, SIG_DFL);
			while (SHARED_ACQUIRE(page[1]) == 0)
				if (sigtimedwait(&set, NULL, &tick) == SIGUSR2)
					__atomic_add_fetch(&page[0], 1, __ATOMIC_RELEASE);
			_exit(0);
		}
		end = now_us() + 1000000;
		if ((pub = fork()) == 0) {		/* publishes as fast as it can */
			struct chat_member m;
			char buf[8192];
			unsigned nl;

			if (chat_bus_enter(b, &m, getpid(), 0) != CHAT_OK)
				_exit(4);
			while (now_us() < end) {
				chat_bus_say(b, &m, "x", 1);
				chat_bus_read(b, &m, buf, sizeof(buf), &nl);
				chat_bus_woken(b, 0);
			}
			_exit(0);
		}
		while (now_us() < end) {		/* the target's clients come and go */
			struct chat_member m;

			if (chat_bus_enter(b, &m, target, 1) == CHAT_OK) {
				chat_bus_woken(b, 1);
				chat_bus_reap(b, target, REAP_MS);
			}
		}
		waitpid(pub, NULL, 0);
		SHARED_RELEASE(page[1], 1);
		waitpid(sentinel, NULL, 0);
		kill(target, SIGKILL);
		waitpid(target, NULL, 0);
		_exit(0);
	}
	arm_alarm();
	CU_ASSERT_FATAL(waitpid(arena, &status, 0) == arena);
	alarm(0);
	check_at(WIFEXITED(status) && WEXITSTATUS(status) == 0, __LINE__,
	    "arena status %#x", status);
	check_at(page[0] == 0, __LINE__, "%llu wake-up(s) signalled the process group",
	    (unsigned long long)page[0]);
	munmap((void *)(uintptr_t)page, 4096);
}

#define WRITERS		3
#define WRITER_LINES	400

/* Several processes publish at once while two members read: both read the
 * same stream, with every writer's lines in its order. */
static void
test_concurrent_writers(void)
{
	struct chat_bus *b = mkbus(1u << 20, 16, 4, 1u << 20);
	uint64_t *page = shared_page();
	struct chat_member a, c;
	struct text ga = { 0 }, gc = { 0 };
	pid_t pids[WRITERS];
	unsigned w, next[WRITERS], lines = 0;
	int64_t deadline;
	int status;
	char *p, *e;

	arm_alarm();
	ENTER(b, &a);
	ENTER(b, &c);
	NICK(b, &a, "reader-a");
	NICK(b, &c, "reader-c");
	discard(b, &a);
	discard(b, &c);
	fflush(NULL);
	for (w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		CU_ASSERT_FATAL(pids[w] != -1);
		if (pids[w] == 0) {
			struct chat_member m;
			char nick[16], msg[32];
			unsigned k;
			int64_t limit = now_us() + 5000000;

			memset(&m, 0, sizeof(m));
			snprintf(nick, sizeof(nick), "w%u", w);
			if (chat_bus_enter(b, &m, getpid(), 1 + w) != CHAT_OK ||
			    chat_bus_nick(b, &m, nick, strlen(nick)) != CHAT_OK)
				_exit(4);
			__atomic_add_fetch(&page[0], 1, __ATOMIC_ACQ_REL);
			while (SHARED_ACQUIRE(page[0]) < WRITERS)
				if (now_us() > limit)	/* start together */
					_exit(6);
			for (k = 0; k < WRITER_LINES; k++) {
				snprintf(msg, sizeof(msg), "%u", k);
				if (chat_bus_say(b, &m, msg, strlen(msg)) != CHAT_OK)
					_exit(5);
			}
			chat_bus_leave(b, &m);
			_exit(0);
		}
	}
	/* a reads while they write; c only at the end */
	deadline = now_us() + 5000000;
	while (now_us() < deadline) {
		int done = 0;

		if (drain_cap(b, &a, &ga, 0, __LINE__) != 0)
			break;
		for (w = 0; w < WRITERS; w++)
			if (pids[w] > 0 && waitpid(pids[w], &status, WNOHANG) == pids[w]) {
				check_at(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				    __LINE__, "writer %u: status %#x", w, status);
				pids[w] = 0;
			}
		for (w = 0; w < WRITERS; w++)
			done += pids[w] == 0;
		if (done == WRITERS)
			break;
	}
	for (w = 0; w < WRITERS; w++)
		if (pids[w] > 0)
			CU_ASSERT(waitpid(pids[w], &status, 0) == pids[w] &&
			    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(drain_cap(b, &a, &ga, 0, __LINE__), 0);
	CU_ASSERT_EQUAL(drain_cap(b, &c, &gc, 0, __LINE__), 0);
	check_at(ga.len == gc.len && strcmp(text_str(&ga), text_str(&gc)) == 0, __LINE__,
	    "the two readers differ (%zu and %zu bytes)", ga.len, gc.len);

	/* every writer's messages, in its order */
	memset(next, 0, sizeof(next));
	for (p = ga.p; p != NULL && *p != '\0'; p = e + 1) {
		unsigned ww, k;
		int used = 0;

		e = strchr(p, '\n');
		if (!check_at(e != NULL, __LINE__, "unterminated line \"%s\"", p))
			break;
		if (*p == '*')
			continue;		/* joins, nicks, leaves */
		if (!check_at(sscanf(p, "lobby w%u: %u%n", &ww, &k, &used) == 2 &&
		    p + used == e && ww < WRITERS, __LINE__, "line \"%.*s\"", (int)(e - p), p))
			break;
		if (!check_at(k == next[ww], __LINE__, "w%u: %u after %u", ww, k, next[ww]))
			break;
		next[ww]++;
		lines++;
	}
	for (w = 0; w < WRITERS; w++)
		check_at(next[w] == WRITER_LINES, __LINE__, "w%u: %u lines of %u", w, next[w],
		    WRITER_LINES);
	CU_ASSERT_EQUAL(lines, WRITERS * WRITER_LINES);
	CU_ASSERT_EQUAL(stats(b).clients, 2);
	alarm(0);
	text_free(&ga);
	text_free(&gc);
	munmap((void *)(uintptr_t)page, 4096);
	chat_bus_destroy(b);
}

/* --------------------------------------------------------------------- */

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "create: limits", test_create },
		{ "chat_name_valid", test_name_valid },
		{ "enter: guest names, own join first", test_enter },
		{ "leave", test_leave },
		{ "nick", test_nick },
		{ "nick: the old name is freed", test_nick_frees_old },
		{ "nick: churn against a model", test_names_churn },
		{ "join: who hears what", test_join },
		{ "join: the previous room's lines", test_join_prev_room },
		{ "join: room table full", test_rooms_full },
		{ "who and rooms", test_who_rooms },
		{ "client table full", test_capacity },
		{ "say: one order for all", test_say_order },
		{ "ring: many wraps", test_wrap },
		{ "ring: lapped reader", test_lapped },
		{ "slow reader", test_slow },
		{ "read: line budget", test_budget },
		{ "say: text too long", test_long_text },
		{ "reap a dead process", test_reap },
		{ "reap: a stuck lock holder", test_reap_stuck_holder },
		{ "pending", test_pending },
		{ "stats", test_stats },
		{ "lock: holder dies", test_lock_holder_dies },
		{ "lock: publisher killed", test_publisher_killed },
		{ "several writer processes", test_concurrent_writers },
		{ "wake-ups", test_wake },
		{ "wake-up racing a reap", test_wake_races_reap },
	};
	return CUNIT_RUN("chat_bus", NULL, NULL, tests);
}
