/*
 * test_sb: unit tests of the scoreboard (scoreboard.c): creation and the
 * header, attaching read-only, slot addressing, claiming, totals and
 * clearing a process slot, rejection of foreign or mismatched files, and
 * the small lookup helpers.
 *
 * Each case creates its own file in a private directory made with
 * mkdtemp() under /tmp (removed when the suite ends). The geometry is
 * SL process slots of TL worker slots each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "core/scoreboard.h"

#define SL	8
#define TL	4
#define HSZ	sizeof(struct sb_header)
#define PSZ	sizeof(struct sb_proc)
#define WSZ	sizeof(struct sb_worker)
#define SIZE	(HSZ + SL * PSZ + SL * TL * WSZ)

static char tmpdir[PATH_MAX];

/* --------------------------------------------------------------------- */
/* Helpers */

static const char *
tpath(const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned n;
	char *b = bufs[n++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);
	return b;
}

/* err must contain sub. */
#define ERR_HAS(err, sub) \
	check_at(strstr((err), (sub)) != NULL, __LINE__, \
	    "message \"%s\" must contain \"%s\"", (err), (sub))

/* Create name in tmpdir with the test geometry (fatal on failure). */
static struct sb *
create(const char *name)
{
	char err[512] = "";
	struct sb *sb = sb_create(tpath(name), SL, TL, err, sizeof(err));

	check_at(sb != NULL, __LINE__, "sb_create: %s", err);
	if (sb == NULL)
		CU_FAIL_FATAL("sb_create failed");
	return sb;
}

static struct sb *
attach(const char *name)
{
	char err[512] = "";
	struct sb *sb = sb_attach(tpath(name), err, sizeof(err));

	check_at(sb != NULL, __LINE__, "sb_attach: %s", err);
	if (sb == NULL)
		CU_FAIL_FATAL("sb_attach failed");
	return sb;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static void
pwrite_at(const char *path, off_t off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY);

	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(pwrite(fd, data, len, off) == (ssize_t)len);
	close(fd);
}

static int64_t
wall_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Fill a process slot and its worker slots with recognizable values. */
static void
mark_slot(struct sb *sb, unsigned slot, uint64_t base)
{
	unsigned t;

	sb_proc(sb, slot)->pid = (int32_t)(1000 + slot);
	sb_proc(sb, slot)->generation = 77;
	for (t = 0; t < TL; t++) {
		struct sb_worker *w = sb_worker(sb, slot, t);

		w->status = SB_READING;
		w->connections = base + t;
		w->requests = 10 * (base + t);
		w->bytes = 100 * (base + t);
		snprintf(w->client, sizeof(w->client), "10.0.%u.%u", slot, t);
	}
}

static bool
slot_marked(struct sb *sb, unsigned slot, uint64_t base)
{
	unsigned t;

	if (sb_proc(sb, slot)->pid != (int32_t)(1000 + slot) ||
	    sb_proc(sb, slot)->generation != 77)
		return false;
	for (t = 0; t < TL; t++) {
		struct sb_worker *w = sb_worker(sb, slot, t);
		char client[48];

		snprintf(client, sizeof(client), "10.0.%u.%u", slot, t);
		if (w->status != SB_READING || w->connections != base + t ||
		    w->requests != 10 * (base + t) || w->bytes != 100 * (base + t) ||
		    strcmp(w->client, client) != 0)
			return false;
	}
	return true;
}

static int
suite_init(void)
{
	return cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_sb");
}

static int
suite_clean(void)
{
	return cunit_rmtree(tmpdir);
}

/* --------------------------------------------------------------------- */
/* Creation and attaching */

static void
test_create_header(void)
{
	struct sb *sb = create("hdr.sb");
	struct sb_header *h = sb_header(sb);
	unsigned s, t;

	CU_ASSERT_EQUAL(h->magic, SB_MAGIC);
	CU_ASSERT_EQUAL(h->version, SB_VERSION);
	CU_ASSERT_EQUAL(h->size, SIZE);
	CU_ASSERT_EQUAL(h->server_limit, SL);
	CU_ASSERT_EQUAL(h->thread_limit, TL);
	CU_ASSERT_EQUAL(file_size(tpath("hdr.sb")), (off_t)SIZE);
	/* the rest starts zeroed */
	CU_ASSERT_EQUAL(h->generation, 0);
	CU_ASSERT_EQUAL(h->retired_connections, 0);
	CU_ASSERT_EQUAL(h->retired_bytes, 0);
	for (s = 0; s < SL; s++) {
		CU_ASSERT_EQUAL(sb_proc(sb, s)->pid, 0);
		CU_ASSERT_EQUAL(sb_proc(sb, s)->state, SB_PROC_EMPTY);
		for (t = 0; t < TL; t++)
			CU_ASSERT_EQUAL(sb_worker(sb, s, t)->requests, 0);
	}
	sb_close(sb, 1);
}

static void
test_create_errors(void)
{
	char err[512] = "";
	const char *path = tpath("no-such-dir/x.sb");

	CU_ASSERT_PTR_NULL(sb_create(path, SL, TL, err, sizeof(err)));
	ERR_HAS(err, "cannot create scoreboard");
	ERR_HAS(err, path);
}

/* Creating over an existing file starts afresh, with the new geometry. */
static void
test_create_truncates(void)
{
	struct sb *sb = create("trunc.sb");
	char err[512] = "";

	sb_header(sb)->retired_requests = 123;
	mark_slot(sb, 0, 5);
	sb_close(sb, 0);
	sb = sb_create(tpath("trunc.sb"), 2, 1, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	CU_ASSERT_EQUAL(file_size(tpath("trunc.sb")), (off_t)(HSZ + 2 * PSZ + 2 * WSZ));
	CU_ASSERT_EQUAL(sb_header(sb)->size, HSZ + 2 * PSZ + 2 * WSZ);
	CU_ASSERT_EQUAL(sb_header(sb)->server_limit, 2);
	CU_ASSERT_EQUAL(sb_header(sb)->thread_limit, 1);
	CU_ASSERT_EQUAL(sb_header(sb)->retired_requests, 0);
	CU_ASSERT_EQUAL(sb_proc(sb, 0)->pid, 0);
	CU_ASSERT_EQUAL(sb_worker(sb, 0, 0)->connections, 0);
	sb_close(sb, 1);
}

static mode_t
file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* Client addresses and request lines: owner and group only, whatever the
 * umask or the mode of a file left from an earlier run. */
static void
test_create_mode(void)
{
	static const mode_t masks[] = { 0, 022, 077 };
	const char *path = tpath("mode.sb");
	char err[512] = "";
	struct sb *sb;
	mode_t old;
	size_t i;
	int fd;

	CU_ASSERT_EQUAL(SB_FILE_MODE, 0640);
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		unlink(path);
		old = umask(masks[i]);
		sb = sb_create(path, SL, TL, err, sizeof(err));
		umask(old);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
		check_at(file_mode(path) == 0640, __LINE__, "umask %03o: mode %03o",
		    (unsigned)masks[i], (unsigned)file_mode(path));
		sb_close(sb, 0);
	}
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_FATAL(fd >= 0 && fchmod(fd, 0666) == 0);
	close(fd);
	sb = sb_create(path, SL, TL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	check_at(file_mode(path) == 0640, __LINE__, "over a 0666 file: mode %03o",
	    (unsigned)file_mode(path));
	sb_close(sb, 1);
}

static int
child_write_readonly(const char *path)
{
	char err[512];
	struct sb *ro = sb_attach(path, err, sizeof(err));

	if (ro == NULL)
		return 3;
	/* must fault: the attached mapping is read-only */
	*(volatile uint32_t *)&sb_header(ro)->generation = 99;
	return 0;
}

static void
test_attach_same_view(void)
{
	struct sb *sb = create("view.sb"), *ro = attach("view.sb");
	struct sb_header *h = sb_header(sb), *rh = sb_header(ro);
	int status, devnull;
	pid_t pid;

	CU_ASSERT_PTR_NOT_EQUAL(h, rh);
	CU_ASSERT_EQUAL(rh->magic, SB_MAGIC);
	CU_ASSERT_EQUAL(rh->version, SB_VERSION);
	CU_ASSERT_EQUAL(rh->size, SIZE);
	CU_ASSERT_EQUAL(rh->server_limit, SL);
	CU_ASSERT_EQUAL(rh->thread_limit, TL);

	/* writes through the creator's mapping show through the other one */
	SHARED_SET(h->generation, 42);
	SHARED_SET(h->master_pid, 4242);
	h->retired_bytes = 5000000000ULL;
	snprintf(h->mpm, sizeof(h->mpm), "event");
	SHARED_SET(sb_proc(sb, 3)->pid, 1234);
	SHARED_SET(sb_proc(sb, 3)->state, SB_PROC_READY);
	SHARED_SET(sb_worker(sb, 7, 3)->requests, 99);
	SHARED_SET(sb_worker(sb, 2, 1)->status, SB_WRITING);
	snprintf(sb_worker(sb, 2, 1)->request, sizeof(sb_worker(sb, 2, 1)->request), "GET / HTTP/1.1");
	CU_ASSERT_EQUAL(SHARED_GET(rh->generation), 42);
	CU_ASSERT_EQUAL(SHARED_GET(rh->master_pid), 4242);
	CU_ASSERT_EQUAL(rh->retired_bytes, 5000000000ULL);
	CU_ASSERT_STRING_EQUAL(rh->mpm, "event");
	CU_ASSERT_EQUAL(SHARED_GET(sb_proc(ro, 3)->pid), 1234);
	CU_ASSERT_EQUAL(SHARED_GET(sb_proc(ro, 3)->state), SB_PROC_READY);
	CU_ASSERT_EQUAL(SHARED_GET(sb_worker(ro, 7, 3)->requests), 99);
	CU_ASSERT_EQUAL(SHARED_GET(sb_worker(ro, 2, 1)->status), SB_WRITING);
	CU_ASSERT_STRING_EQUAL(sb_worker(ro, 2, 1)->request, "GET / HTTP/1.1");
	/* the attached handle addresses slots the same way */
	CU_ASSERT_EQUAL((char *)sb_worker(ro, 7, 3) - (char *)rh,
	    (char *)sb_worker(sb, 7, 3) - (char *)h);
	sb_close(ro, 0);

	/* writing through an attached mapping faults (in a child) */
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		if ((devnull = open("/dev/null", O_WRONLY)) != -1)
			dup2(devnull, 2);	/* a sanitizer's report */
		_exit(child_write_readonly(tpath("view.sb")));
	}
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	check_at(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
	    WEXITSTATUS(status) != 3), __LINE__,
	    "a write through sb_attach()'s mapping must fault (child status %#x)", status);
	CU_ASSERT_EQUAL(SHARED_GET(h->generation), 42);
	sb_close(sb, 1);
}

static void
test_attach_rejects_foreign(void)
{
	char err[512], junk[SIZE];
	uint64_t magic = SB_MAGIC;
	uint32_t x = 0x12345678;
	size_t i;

	/* random bytes, of exactly the right size */
	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	CU_ASSERT_FATAL(memcmp(junk, &magic, sizeof(magic)) != 0);
	write_file(tpath("junk.sb"), junk, sizeof(junk));
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("junk.sb"), err, sizeof(err)));
	ERR_HAS(err, "is not an mserver scoreboard");
	ERR_HAS(err, tpath("junk.sb"));

	/* the magic alone: shorter than a header */
	write_file(tpath("small.sb"), &magic, sizeof(magic));
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("small.sb"), err, sizeof(err)));
	ERR_HAS(err, "is not an mserver scoreboard");

	/* empty */
	write_file(tpath("empty.sb"), "", 0);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("empty.sb"), err, sizeof(err)));
	ERR_HAS(err, "is not an mserver scoreboard");

	/* missing */
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("missing.sb"), err, sizeof(err)));
	ERR_HAS(err, "cannot open scoreboard");

	/* a real scoreboard whose magic was damaged */
	sb_close(create("badmagic.sb"), 0);
	pwrite_at(tpath("badmagic.sb"), offsetof(struct sb_header, magic), "XXXX", 4);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("badmagic.sb"), err, sizeof(err)));
	ERR_HAS(err, "is not an mserver scoreboard");
}

static void
test_attach_rejects_version(void)
{
	uint32_t v = SB_VERSION + 1;
	struct sb *ro;
	char err[512] = "";

	sb_close(create("ver.sb"), 0);
	ro = attach("ver.sb");			/* as created: fine */
	sb_close(ro, 0);
	pwrite_at(tpath("ver.sb"), offsetof(struct sb_header, version), &v, sizeof(v));
	CU_ASSERT_PTR_NULL(sb_attach(tpath("ver.sb"), err, sizeof(err)));
	ERR_HAS(err, "version");
	ERR_HAS(err, tpath("ver.sb"));
}

/* A header whose size does not match the file (or its own limits) is
 * rejected, and the message must not blame a version that matches. */
static void
test_attach_rejects_size(void)
{
	char err[512] = "", contradiction[64];
	uint32_t sl = SL + 1;
	int fd;

	snprintf(contradiction, sizeof(contradiction), "version %u, expected %u",
	    SB_VERSION, SB_VERSION);

	/* file longer than the header says */
	sb_close(create("grown.sb"), 0);
	fd = open(tpath("grown.sb"), O_WRONLY);
	CU_ASSERT_FATAL(fd != -1 && ftruncate(fd, (off_t)SIZE + 4096) == 0);
	close(fd);
	CU_ASSERT_PTR_NULL(sb_attach(tpath("grown.sb"), err, sizeof(err)));
	check_at(err[0] != '\0' && strstr(err, contradiction) == NULL, __LINE__,
	    "size mismatch reported as \"%s\"", err);

	/* file cut short after the header */
	sb_close(create("cut.sb"), 0);
	fd = open(tpath("cut.sb"), O_WRONLY);
	CU_ASSERT_FATAL(fd != -1 && ftruncate(fd, (off_t)HSZ) == 0);
	close(fd);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("cut.sb"), err, sizeof(err)));
	CU_ASSERT(err[0] != '\0');

	/* header limits that do not add up to its size */
	sb_close(create("limits.sb"), 0);
	pwrite_at(tpath("limits.sb"), offsetof(struct sb_header, server_limit), &sl, sizeof(sl));
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(sb_attach(tpath("limits.sb"), err, sizeof(err)));
	CU_ASSERT(err[0] != '\0');
}

/* The hard limits conf accepts (server_limit and thread_limit up to 20000
 * each) must give a scoreboard that can be attached: either sb_create()
 * refuses a layout too large for the header, or the header describes it
 * and sb_attach() accepts it. The file is sparse; only the header is
 * touched. */
static void
test_large_layout(void)
{
	const unsigned sl = 20000, tl = 1300;
	size_t want = HSZ + (size_t)sl * PSZ + (size_t)sl * tl * WSZ;
	char err[512] = "";
	struct sb *sb, *ro;

	CU_ASSERT_FATAL(want > UINT32_MAX);	/* the point of the case */
	sb = sb_create(tpath("large.sb"), sl, tl, err, sizeof(err));
	if (sb == NULL) {			/* refusing is fine */
		CU_ASSERT(err[0] != '\0');
		unlink(tpath("large.sb"));
		return;
	}
	check_at((size_t)sb_header(sb)->size == want, __LINE__,
	    "header size %llu for a %zu-byte layout", (unsigned long long)sb_header(sb)->size, want);
	ro = sb_attach(tpath("large.sb"), err, sizeof(err));
	check_at(ro != NULL, __LINE__, "sb_attach of a %ux%u scoreboard: %s", sl, tl,
	    ro ? "" : err);
	if (ro != NULL) {
		CU_ASSERT_EQUAL(sb_header(ro)->server_limit, sl);
		sb_close(ro, 0);
	}
	sb_close(sb, 1);
}

static void
test_close(void)
{
	struct sb *sb = create("close.sb");

	sb_close(sb, 0);
	CU_ASSERT_EQUAL(access(tpath("close.sb"), F_OK), 0);
	sb = attach("close.sb");
	sb_close(sb, 0);			/* a reader leaves it too */
	CU_ASSERT_EQUAL(access(tpath("close.sb"), F_OK), 0);
	sb = create("close.sb");
	sb_close(sb, 1);
	CU_ASSERT(access(tpath("close.sb"), F_OK) == -1 && errno == ENOENT);
	sb_close(NULL, 1);
}

/* --------------------------------------------------------------------- */
/* Slots */

static void
test_addressing(void)
{
	struct sb *sb = create("addr.sb");
	char *base = (char *)sb_header(sb);
	unsigned s, t;

	for (s = 0; s < SL; s++)
		check_at((char *)sb_proc(sb, s) == base + HSZ + s * PSZ, __LINE__,
		    "sb_proc(%u) at offset %td", s, (char *)sb_proc(sb, s) - base);
	for (s = 0; s < SL; s++)
		for (t = 0; t < TL; t++)
			check_at((char *)sb_worker(sb, s, t) ==
			    base + HSZ + SL * PSZ + (s * TL + t) * WSZ, __LINE__,
			    "sb_worker(%u, %u) at offset %td", s, t,
			    (char *)sb_worker(sb, s, t) - base);
	/* no overlap between the regions, and the last slot ends the file */
	CU_ASSERT((char *)(sb_header(sb) + 1) <= (char *)sb_proc(sb, 0));
	CU_ASSERT((char *)(sb_proc(sb, SL - 1) + 1) <= (char *)sb_worker(sb, 0, 0));
	CU_ASSERT_EQUAL((char *)(sb_worker(sb, SL - 1, TL - 1) + 1), base + sb_header(sb)->size);
	CU_ASSERT_EQUAL((char *)(sb_worker(sb, 7, 3) + 1) - base, (ptrdiff_t)SIZE);
	CU_ASSERT_EQUAL(sb_worker(sb, 1, 0), sb_worker(sb, 0, TL - 1) + 1);

	/* every slot holds its own value */
	for (s = 0; s < SL; s++)
		mark_slot(sb, s, 1000 * s);
	for (s = 0; s < SL; s++)
		check_at(slot_marked(sb, s, 1000 * s), __LINE__, "slot %u was overwritten", s);
	CU_ASSERT_EQUAL(sb_header(sb)->magic, SB_MAGIC);
	CU_ASSERT_EQUAL(sb_header(sb)->size, SIZE);
	sb_close(sb, 1);
}

static void
test_claim(void)
{
	struct sb *sb = create("claim.sb");
	struct sb_proc *p = sb_proc(sb, 2);
	int64_t before, after;
	unsigned t;

	mark_slot(sb, 1, 10);
	mark_slot(sb, 3, 30);
	/* leftovers in the slot being claimed */
	memset(p, 0xa5, sizeof(*p));
	for (t = 0; t < TL; t++)
		memset(sb_worker(sb, 2, t), 0xa5, WSZ);

	before = wall_now_ms();
	sb_proc_claim(sb, 2, 5, "worker", 3);
	after = wall_now_ms();
	CU_ASSERT_EQUAL(p->generation, 5);
	CU_ASSERT_STRING_EQUAL(p->mpm, "worker");
	CU_ASSERT_EQUAL(p->nthreads, 3);
	CU_ASSERT_EQUAL(SHARED_GET(p->state), SB_PROC_STARTING);
	CU_ASSERT_EQUAL(p->pid, 0);
	CU_ASSERT_EQUAL(p->conns, 0);
	CU_ASSERT_EQUAL(p->heartbeat_ms, 0);
	CU_ASSERT_EQUAL(p->by_state[0], 0);
	CU_ASSERT(p->start_ms >= before && p->start_ms <= after);
	for (t = 0; t < TL; t++) {
		struct sb_worker *w = sb_worker(sb, 2, t);

		check_at(w->status == (t < 3 ? SB_STARTING : SB_OPEN), __LINE__,
		    "thread %u status '%c'", t, (int)w->status);
		CU_ASSERT_EQUAL(w->connections, 0);
		CU_ASSERT_EQUAL(w->requests, 0);
		CU_ASSERT_EQUAL(w->bytes, 0);
		CU_ASSERT_EQUAL(w->client[0], '\0');
		CU_ASSERT_EQUAL(w->request[0], '\0');
	}
	/* the neighbours are untouched */
	CU_ASSERT(slot_marked(sb, 1, 10));
	CU_ASSERT(slot_marked(sb, 3, 30));

	/* single-threaded, and an MPM name longer than the field */
	sb_proc_claim(sb, 0, 6, "a-very-long-mpm-name-indeed", 1);
	CU_ASSERT_EQUAL(sb_proc(sb, 0)->mpm[sizeof(p->mpm) - 1], '\0');
	CU_ASSERT_EQUAL(strncmp(sb_proc(sb, 0)->mpm, "a-very-long-mpm-name-indeed",
	    sizeof(p->mpm) - 1), 0);
	CU_ASSERT_EQUAL(sb_worker(sb, 0, 0)->status, SB_STARTING);
	CU_ASSERT_EQUAL(sb_worker(sb, 0, 1)->status, SB_OPEN);
	/* the last slot, all threads */
	sb_proc_claim(sb, SL - 1, 7, "event", TL);
	for (t = 0; t < TL; t++)
		CU_ASSERT_EQUAL(sb_worker(sb, SL - 1, t)->status, SB_STARTING);
	CU_ASSERT(slot_marked(sb, 1, 10));
	CU_ASSERT_EQUAL(sb_header(sb)->magic, SB_MAGIC);
	sb_close(sb, 1);
}

static void
test_totals(void)
{
	struct sb *sb = create("totals.sb");
	struct sb_totals tot;
	unsigned t;

	mark_slot(sb, 0, 1000);
	mark_slot(sb, 2, 2000);
	sb_proc_claim(sb, 1, 1, "worker", TL);
	for (t = 0; t < TL; t++) {
		struct sb_worker *w = sb_worker(sb, 1, t);

		SHARED_ADD(w->connections, t + 1);			/* 1+2+3+4 */
		SHARED_ADD(w->requests, 10 * (t + 1));		/* 100 */
		SHARED_ADD(w->bytes, 100 * (t + 1));		/* 1000 */
	}
	SHARED_ADD(sb_worker(sb, 1, 3)->bytes, 5000000000ULL);	/* beyond 32 bits */
	memset(&tot, 0xff, sizeof(tot));
	sb_proc_totals(sb, 1, &tot);
	CU_ASSERT_EQUAL(tot.connections, 10);
	CU_ASSERT_EQUAL(tot.requests, 100);
	CU_ASSERT_EQUAL(tot.bytes, 5000001000ULL);

	sb_proc_totals(sb, 0, &tot);
	CU_ASSERT_EQUAL(tot.connections, 4 * 1000 + 6);
	CU_ASSERT_EQUAL(tot.requests, 10 * (4 * 1000 + 6));
	CU_ASSERT_EQUAL(tot.bytes, 100 * (4 * 1000 + 6));

	sb_proc_totals(sb, 5, &tot);			/* never used */
	CU_ASSERT_EQUAL(tot.connections, 0);
	CU_ASSERT_EQUAL(tot.requests, 0);
	CU_ASSERT_EQUAL(tot.bytes, 0);
	sb_close(sb, 1);
}

static void
test_clear(void)
{
	struct sb *sb = create("clear.sb");
	struct sb_header *h = sb_header(sb);
	struct sb_proc *p = sb_proc(sb, 1);
	struct sb_totals tot;
	unsigned t;

	h->retired_connections = 7;
	h->retired_requests = 8;
	h->retired_bytes = 9;
	mark_slot(sb, 0, 100);
	mark_slot(sb, 2, 200);
	sb_proc_claim(sb, 1, 3, "prefork", 2);
	SHARED_SET(p->pid, 4321);
	SHARED_SET(p->state, SB_PROC_READY);
	SHARED_SET(p->conns, 2);
	for (t = 0; t < TL; t++) {
		struct sb_worker *w = sb_worker(sb, 1, t);

		w->status = SB_KEEPALIVE;
		w->connections = t + 1;
		w->requests = 10 * (t + 1);
		w->bytes = 100 * (t + 1);
		snprintf(w->client, sizeof(w->client), "192.0.2.1");
	}

	sb_proc_clear(sb, 1);
	CU_ASSERT_EQUAL(h->retired_connections, 7 + 10);
	CU_ASSERT_EQUAL(h->retired_requests, 8 + 100);
	CU_ASSERT_EQUAL(h->retired_bytes, 9 + 1000);
	CU_ASSERT_EQUAL(p->pid, 0);
	CU_ASSERT_EQUAL(p->state, SB_PROC_EMPTY);
	CU_ASSERT_EQUAL(p->generation, 0);
	CU_ASSERT_EQUAL(p->nthreads, 0);
	CU_ASSERT_EQUAL(p->conns, 0);
	CU_ASSERT_EQUAL(p->mpm[0], '\0');
	for (t = 0; t < TL; t++) {
		struct sb_worker *w = sb_worker(sb, 1, t);

		check_at(w->status == SB_OPEN, __LINE__, "thread %u status '%c'", t, (int)w->status);
		CU_ASSERT_EQUAL(w->connections, 0);
		CU_ASSERT_EQUAL(w->requests, 0);
		CU_ASSERT_EQUAL(w->bytes, 0);
		CU_ASSERT_EQUAL(w->client[0], '\0');
	}
	sb_proc_totals(sb, 1, &tot);
	CU_ASSERT_EQUAL(tot.connections + tot.requests + tot.bytes, 0);
	/* the neighbours are untouched */
	CU_ASSERT(slot_marked(sb, 0, 100));
	CU_ASSERT(slot_marked(sb, 2, 200));

	/* clearing again adds nothing */
	sb_proc_clear(sb, 1);
	CU_ASSERT_EQUAL(h->retired_connections, 17);
	CU_ASSERT_EQUAL(h->retired_requests, 108);
	CU_ASSERT_EQUAL(h->retired_bytes, 1009);

	/* a second process's counters add up */
	sb_proc_clear(sb, 2);
	CU_ASSERT_EQUAL(h->retired_connections, 17 + 4 * 200 + 6);
	CU_ASSERT_EQUAL(h->retired_bytes, 1009 + 100 * (4 * 200 + 6));
	CU_ASSERT_EQUAL(sb_proc(sb, 2)->pid, 0);
	CU_ASSERT(slot_marked(sb, 0, 100));
	CU_ASSERT_EQUAL(h->magic, SB_MAGIC);
	sb_close(sb, 1);
}

/* --------------------------------------------------------------------- */
/* Lookups */

static void
test_conn_idx(void)
{
	CU_ASSERT_EQUAL(sb_conn_idx(SB_READING), 0);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_WRITING), 1);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_KEEPALIVE), 2);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_CLOSING), 3);
	CU_ASSERT_EQUAL(sb_conn_idx('R'), 0);
	CU_ASSERT_EQUAL(sb_conn_idx('C'), SB_NCONN_STATES - 1);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_WAITING), -1);
	CU_ASSERT_EQUAL(sb_conn_idx(0), -1);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_OPEN), -1);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_STARTING), -1);
	CU_ASSERT_EQUAL(sb_conn_idx(SB_LOGGING), -1);
	CU_ASSERT_EQUAL(sb_conn_idx('r'), -1);
}

static void
test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_EMPTY), "empty");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_STARTING), "starting");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_READY), "ready");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_FULL), "full");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_DRAINING), "draining");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_EXITING), "exiting");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(SB_PROC_EXITING + 1), "?");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(0xa5a5a5a5u), "?");
	CU_ASSERT_STRING_EQUAL(sb_proc_state_name(UINT32_MAX), "?");
}

/* --------------------------------------------------------------------- */

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "create: header and size", test_create_header },
		{ "create: errors", test_create_errors },
		{ "create: truncates an old file", test_create_truncates },
		{ "create: mode 0640", test_create_mode },
		{ "attach: same view, read-only", test_attach_same_view },
		{ "attach: rejects foreign files", test_attach_rejects_foreign },
		{ "attach: rejects another version", test_attach_rejects_version },
		{ "attach: rejects a size mismatch", test_attach_rejects_size },
		{ "largest limits: layout fits the header", test_large_layout },
		{ "close: unlink or keep", test_close },
		{ "slot addressing", test_addressing },
		{ "sb_proc_claim", test_claim },
		{ "sb_proc_totals", test_totals },
		{ "sb_proc_clear", test_clear },
		{ "sb_conn_idx", test_conn_idx },
		{ "sb_proc_state_name", test_state_names },
	};
	return CUNIT_RUN("scoreboard", suite_init, suite_clean, tests);
}
