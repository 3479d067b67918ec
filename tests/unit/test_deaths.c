/*
 * test_deaths: the sliding minute of worker deaths (core/deaths.c) and
 * the cause of a wait status.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/deaths.h"
#include "cunit_run.h"

#define T0	1700000000123LL		/* an arbitrary monotonic start, in ms */

static uint32_t
minute(const struct deaths *d, int64_t now, unsigned cause)
{
	uint32_t out[SB_NDEATHS];

	deaths_minute(d, now, out);
	return out[cause];
}

static uint32_t
total(const struct deaths *d, int64_t now)
{
	uint32_t out[SB_NDEATHS];

	return deaths_minute(d, now, out);
}

static void
test_empty(void)
{
	struct deaths d;
	uint32_t out[SB_NDEATHS];
	unsigned c;

	memset(&d, 0, sizeof(d));
	memset(out, 0xa5, sizeof(out));
	CU_ASSERT_EQUAL(deaths_minute(&d, T0, out), 0);
	for (c = 0; c < SB_NDEATHS; c++)
		CU_ASSERT_EQUAL(out[c], 0);
	/* A zeroed ring is empty at any time, the origin included. */
	CU_ASSERT_EQUAL(total(&d, 0), 0);
	CU_ASSERT_EQUAL(total(&d, 999), 0);
}

static void
test_counts_by_cause(void)
{
	struct deaths d;
	uint32_t out[SB_NDEATHS];

	memset(&d, 0, sizeof(d));
	deaths_note(&d, T0, SB_DEATH_KILL);
	deaths_note(&d, T0 + 10, SB_DEATH_KILL);
	deaths_note(&d, T0 + 2500, SB_DEATH_SEGV);
	deaths_note(&d, T0 + 30000, SB_DEATH_EXIT);
	deaths_note(&d, T0 + 30001, SB_NDEATHS + 7);	/* out of range: "other" */
	CU_ASSERT_EQUAL(deaths_minute(&d, T0 + 30002, out), 5);
	CU_ASSERT_EQUAL(out[SB_DEATH_KILL], 2);
	CU_ASSERT_EQUAL(out[SB_DEATH_SEGV], 1);
	CU_ASSERT_EQUAL(out[SB_DEATH_ABRT], 0);
	CU_ASSERT_EQUAL(out[SB_DEATH_SIGNAL], 1);
	CU_ASSERT_EQUAL(out[SB_DEATH_EXIT], 1);
}

/* A death counts for DEATHS_WINDOW_S seconds, to the second. */
static void
test_slides(void)
{
	int64_t s0 = (T0 / 1000) * 1000;	/* the start of T0's second */
	int64_t end = s0 + DEATHS_WINDOW_S * 1000;
	struct deaths d;

	memset(&d, 0, sizeof(d));
	deaths_note(&d, s0 + 400, SB_DEATH_ABRT);
	CU_ASSERT_EQUAL(minute(&d, s0 + 400, SB_DEATH_ABRT), 1);
	deaths_note(&d, s0 + 1400, SB_DEATH_ABRT);
	CU_ASSERT_EQUAL(minute(&d, end - 1, SB_DEATH_ABRT), 2);
	CU_ASSERT_EQUAL(minute(&d, end, SB_DEATH_ABRT), 1);	/* the first left */
	CU_ASSERT_EQUAL(minute(&d, end + 999, SB_DEATH_ABRT), 1);
	CU_ASSERT_EQUAL(minute(&d, end + 1000, SB_DEATH_ABRT), 0);
	CU_ASSERT_EQUAL(total(&d, end + 3600 * 1000), 0);
}

/* A bucket reused a minute later starts from zero. */
static void
test_reuses_buckets(void)
{
	int64_t s0 = (T0 / 1000) * 1000;
	struct deaths d;
	int i;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < 5; i++)
		deaths_note(&d, s0 + 100, SB_DEATH_KILL);
	deaths_note(&d, s0 + DEATHS_WINDOW_S * 1000 + 100, SB_DEATH_KILL);
	CU_ASSERT_EQUAL(minute(&d, s0 + DEATHS_WINDOW_S * 1000 + 200, SB_DEATH_KILL), 1);
}

/* A storm: one death every 200 ms for three minutes reads 5 a second. */
static void
test_storm(void)
{
	struct deaths d;
	int64_t t;

	memset(&d, 0, sizeof(d));
	for (t = T0; t < T0 + 180 * 1000; t += 200)
		deaths_note(&d, t, SB_DEATH_KILL);
	CU_ASSERT_EQUAL(minute(&d, t - 200, SB_DEATH_KILL), 5 * DEATHS_WINDOW_S);
}

/* deaths_cause() of real wait statuses. */
static int
status_of(int how)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		if (how >= 0)
			_exit(how);
		signal(-how, SIG_DFL);
		raise(-how);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	return st;
}

static void
test_cause(void)
{
	CU_ASSERT_EQUAL(deaths_cause(status_of(-SIGKILL)), SB_DEATH_KILL);
	CU_ASSERT_EQUAL(deaths_cause(status_of(-SIGSEGV)), SB_DEATH_SEGV);
	CU_ASSERT_EQUAL(deaths_cause(status_of(-SIGABRT)), SB_DEATH_ABRT);
	CU_ASSERT_EQUAL(deaths_cause(status_of(-SIGTERM)), SB_DEATH_SIGNAL);
	CU_ASSERT_EQUAL(deaths_cause(status_of(1)), SB_DEATH_EXIT);
	CU_ASSERT_EQUAL(deaths_cause(status_of(0)), SB_DEATH_EXIT);
	CU_ASSERT_STRING_EQUAL(sb_death_name(SB_DEATH_KILL), "SIGKILL");
	CU_ASSERT_STRING_EQUAL(sb_death_name(SB_DEATH_SIGNAL), "other");
	CU_ASSERT_STRING_EQUAL(sb_death_name(SB_DEATH_EXIT), "exit");
	CU_ASSERT_STRING_EQUAL(sb_death_name(SB_NDEATHS), "?");
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "an empty window", test_empty },
		{ "counts by cause", test_counts_by_cause },
		{ "the window slides by the second", test_slides },
		{ "a reused bucket starts afresh", test_reuses_buckets },
		{ "a long storm", test_storm },
		{ "cause of a wait status", test_cause },
	};
	return CUNIT_RUN("deaths", NULL, NULL, tests);
}
