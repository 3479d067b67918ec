/*
 * test_fcache: the HTTP file cache (fcache.h) and the shared descriptors
 * of the output queue (buf.h's struct fd_ref), without sockets.
 *
 * Small files: a hit serves the copy; a changed, replaced or removed file
 * is a miss and frees its slot. Large files: a hit hands out the same
 * open descriptor; a changed, replaced or removed file drops the entry,
 * but a descriptor still held (a response being sent) stays open and
 * reads the old contents until its last holder lets go; idle entries are
 * swept; threads looking up, storing, sweeping and sending at once leave
 * no descriptor open and none closed twice.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/buf.h"
#include "http/fcache.h"
#include "cunit_run.h"

static char tmpdir[256];
static int dirfd_ = -1;

static int
suite_init(void)
{
	if (cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_fcache") == -1)
		return -1;
	dirfd_ = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd_ == -1 ? -1 : 0;
}

static int
suite_clean(void)
{
	fcache_fd_sweep(0);
	close(dirfd_);
	return cunit_rmtree(tmpdir);
}

/* Write size bytes of c as name, replacing it (a new inode) through a
 * temporary named after tag. 0 or -1; no CUnit call, so threads may use it. */
static int
replace_file(const char *name, char c, size_t size, int tag)
{
	char tmp[300], *data = malloc(size ? size : 1);
	int fd, ok;

	if (data == NULL)
		return -1;
	memset(data, c, size);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", name, tag);
	fd = openat(dirfd_, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd != -1 && write(fd, data, size) == (ssize_t)size;
	if (fd != -1)
		close(fd);
	free(data);
	return ok && renameat(dirfd_, tmp, dirfd_, name) == 0 ? 0 : -1;
}

static void
put_file(const char *name, char c, size_t size)
{
	CU_ASSERT_FATAL(replace_file(name, c, size, 0) == 0);
}

/* Open name as the HTTP handler's slow path does, with its stat. */
static int
open_file(const char *name, struct stat *st)
{
	int fd = openat(dirfd_, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	CU_ASSERT_FATAL(fd != -1 && fstat(fd, st) == 0);
	return fd;
}

static int
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* The first byte of fd's file. */
static char
first_byte(int fd)
{
	char c = 0;

	CU_ASSERT(pread(fd, &c, 1, 0) == 1);
	return c;
}

static void
test_small_hit_and_miss(void)
{
	const char *data;
	struct stat st;
	int fd;

	CU_ASSERT_EQUAL(fcache_lookup(dirfd_, "s.txt", &st, &data), 0);	/* no entry */
	put_file("s.txt", 'a', 100);
	fd = open_file("s.txt", &st);
	data = fcache_store("s.txt", &st, fd);
	close(fd);
	CU_ASSERT_FATAL(data != NULL);
	CU_ASSERT(data[0] == 'a' && data[99] == 'a');
	data = NULL;
	CU_ASSERT_EQUAL(fcache_lookup(dirfd_, "s.txt", &st, &data), 1);
	CU_ASSERT(data != NULL && data[0] == 'a');

	put_file("s.txt", 'b', 100);		/* replaced */
	CU_ASSERT_EQUAL(fcache_lookup(dirfd_, "s.txt", &st, &data), 0);
	CU_ASSERT_EQUAL(fcache_lookup(dirfd_, "s.txt", &st, &data), 0);	/* slot freed */
	fd = open_file("s.txt", &st);
	CU_ASSERT((data = fcache_store("s.txt", &st, fd)) != NULL && data[0] == 'b');
	close(fd);
	CU_ASSERT_FATAL(unlinkat(dirfd_, "s.txt", 0) == 0);
	errno = 0;
	CU_ASSERT_EQUAL(fcache_lookup(dirfd_, "s.txt", &st, &data), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_EQUAL(fcache_lookup(dirfd_, "s.txt", &st, &data), 0);	/* slot freed */

	/* Too large for a copy: the caller keeps the descriptor. */
	put_file("big.bin", 'x', FCACHE_FILE_MAX + 1);
	fd = open_file("big.bin", &st);
	CU_ASSERT_PTR_NULL(fcache_store("big.bin", &st, fd));
	CU_ASSERT(fd_open(fd));
	close(fd);
}

static void
test_fd_hit(void)
{
	struct fd_ref *r, *h1 = NULL, *h2 = NULL;
	struct stat st, st2;
	int fd;

	put_file("l1.bin", 'a', 100000);
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l1.bin", &st, &h1), 0);
	fd = open_file("l1.bin", &st);
	r = fcache_fd_store("l1.bin", &st, fd);
	CU_ASSERT_FATAL(r != NULL && r->fd == fd);
	fd_ref_put(r);				/* the caller's */
	CU_ASSERT(fd_open(fd));			/* the table's */

	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l1.bin", &st2, &h1), 1);
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l1.bin", &st2, &h2), 1);
	CU_ASSERT_FATAL(h1 == r && h2 == r);
	CU_ASSERT(st2.st_ino == st.st_ino && st2.st_size == 100000);
	fd_ref_put(h1);
	fd_ref_put(h2);
	CU_ASSERT(fd_open(fd));

	fcache_fd_sweep(FCACHE_FD_IDLE);	/* just used: kept */
	CU_ASSERT(fd_open(fd));
	fcache_fd_sweep(0);
	CU_ASSERT(!fd_open(fd));
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l1.bin", &st2, &h1), 0);
}

/* An entry dropped while a response still sends from it: the descriptor
 * lives on, with the old file, until the queue lets go. */
static void
test_fd_replaced_while_held(void)
{
	struct outq q = { NULL, NULL, 0 };
	struct fd_ref *r, *h = NULL;
	struct stat st;
	int fd, fd2;

	put_file("l2.bin", 'a', 100000);
	fd = open_file("l2.bin", &st);
	r = fcache_fd_store("l2.bin", &st, fd);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(outq_append_file(&q, r, 0, 100000), 0);	/* being sent */
	CU_ASSERT_EQUAL(outq_len(&q), 100000);

	put_file("l2.bin", 'b', 100000);
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l2.bin", &st, &h), 0);	/* stale */
	CU_ASSERT(fd_open(fd) && first_byte(fd) == 'a');
	fd2 = open_file("l2.bin", &st);
	r = fcache_fd_store("l2.bin", &st, fd2);
	CU_ASSERT_FATAL(r != NULL && r->fd != fd);
	CU_ASSERT(first_byte(r->fd) == 'b');
	fd_ref_put(r);

	outq_consume(&q, 40000);
	CU_ASSERT(fd_open(fd) && first_byte(fd) == 'a');
	outq_consume(&q, 60000);		/* sent: the last holder */
	CU_ASSERT(!fd_open(fd));
	CU_ASSERT(fd_open(fd2));

	/* Removed: the lookup says so and the entry goes. */
	CU_ASSERT_FATAL(unlinkat(dirfd_, "l2.bin", 0) == 0);
	errno = 0;
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l2.bin", &st, &h), -1);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT(!fd_open(fd2));

	/* A queue freed unsent drops its reference too. */
	put_file("l3.bin", 'c', 100000);
	fd = open_file("l3.bin", &st);
	CU_ASSERT_FATAL((r = fd_ref_new(fd, 1)) != NULL);
	CU_ASSERT_EQUAL(outq_append_file(&q, r, 0, 100000), 0);
	outq_free(&q);
	CU_ASSERT(!fd_open(fd));
}

/* A file rewritten in place (same inode) with size and mtime kept is
 * still a change: its ctime moved. */
static void
test_fd_rewritten_in_place(void)
{
	struct fd_ref *r, *h = NULL;
	struct stat st;
	struct timespec ts[2];
	int fd, w;

	put_file("l4.bin", 'a', 50000);
	fd = open_file("l4.bin", &st);
	CU_ASSERT_FATAL((r = fcache_fd_store("l4.bin", &st, fd)) != NULL);
	fd_ref_put(r);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	usleep(20000);			/* a later ctime, at the clock's granularity */
	w = openat(dirfd_, "l4.bin", O_WRONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(w != -1);
	CU_ASSERT(pwrite(w, "b", 1, 0) == 1);
	CU_ASSERT(futimens(w, ts) == 0);
	close(w);
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, "l4.bin", &st, &h), 0);
	CU_ASSERT(!fd_open(fd));
}

/* Two names in one slot: the newer evicts the older. */
static void
test_fd_slot_eviction(void)
{
	char a[32], b[32];
	struct fd_ref *r, *h = NULL;
	struct stat st;
	int fd, i, j, found = 0;

	/* Find two names that share a slot by trying: store one, then others
	 * until the first is gone. */
	put_file("ev0.bin", 'a', 20000);
	fd = open_file("ev0.bin", &st);
	CU_ASSERT_FATAL((r = fcache_fd_store("ev0.bin", &st, fd)) != NULL);
	fd_ref_put(r);
	snprintf(a, sizeof(a), "ev0.bin");
	for (i = 1; i < 4 * FCACHE_FD_SLOTS && !found; i++) {
		int fdi;

		snprintf(b, sizeof(b), "ev%d.bin", i);
		put_file(b, 'b', 20000);
		fdi = open_file(b, &st);
		CU_ASSERT_FATAL((r = fcache_fd_store(b, &st, fdi)) != NULL);
		fd_ref_put(r);
		if (!fd_open(fd))
			found = 1;
	}
	CU_ASSERT_FATAL(found);
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, a, &st, &h), 0);
	CU_ASSERT_EQUAL(fcache_fd_lookup(dirfd_, b, &st, &h), 1);
	fd_ref_put(h);
	fcache_fd_sweep(0);
	for (j = 0; j < i; j++) {
		snprintf(b, sizeof(b), "ev%d.bin", j);
		unlinkat(dirfd_, b, 0);
	}
}

/* Threads serving, replacing and sweeping at once. Every descriptor the
 * cache opened must be closed exactly once at the end: none left open (a
 * leak) and no close of a number reused meanwhile (checked by reading
 * through each held reference: a wrong file or EBADF fails). */
#define T_THREADS	4
#define T_ROUNDS	3000
#define T_NAMES		8

struct t_arg {
	unsigned	 seed;
	int		 id, bad;
};

static void *
t_main(void *p)
{
	struct t_arg *a = p;
	struct outq q = { NULL, NULL, 0 };
	int i;

	for (i = 0; i < T_ROUNDS; i++) {
		char name[32];
		struct fd_ref *r = NULL;
		struct stat st;
		unsigned k = rand_r(&a->seed);
		int rc, fd;

		snprintf(name, sizeof(name), "t%u.bin", k % T_NAMES);
		rc = fcache_fd_lookup(dirfd_, name, &st, &r);
		if (rc == 0) {
			fd = openat(dirfd_, name, O_RDONLY | O_CLOEXEC);
			if (fd == -1)
				continue;	/* between unlink and rename */
			if (fstat(fd, &st) == -1 ||
			    (r = fcache_fd_store(name, &st, fd)) == NULL) {
				close(fd);
				a->bad++;
				continue;
			}
		} else if (rc == -1) {
			continue;
		}
		/* The file behind the reference is the one its stat names. */
		{
			struct stat now;

			if (fstat(r->fd, &now) == -1 || now.st_ino != st.st_ino)
				a->bad++;
		}
		if (k & 1) {
			fd_ref_put(r);
		} else {
			outq_append_file(&q, r, 0, (size_t)st.st_size);
			if (k & 2)
				outq_free(&q);
		}
		if (k % 97 == 0)
			fcache_fd_sweep(0);
		if (k % 61 == 0 && replace_file(name, (char)('a' + k % 26), 30000, a->id) == -1)
			a->bad++;
	}
	outq_free(&q);
	return NULL;
}

static void
test_fd_threads(void)
{
	pthread_t t[T_THREADS];
	struct t_arg a[T_THREADS];
	int i, fd, before, after;

	for (i = 0; i < T_NAMES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "t%d.bin", i);
		put_file(name, 'a', 30000);
	}
	fcache_fd_sweep(0);
	before = fd = open("/dev/null", O_RDONLY | O_CLOEXEC);	/* lowest free fd */
	close(fd);
	for (i = 0; i < T_THREADS; i++) {
		a[i].seed = 1234u + (unsigned)i;
		a[i].id = i + 1;
		a[i].bad = 0;
		CU_ASSERT_FATAL(pthread_create(&t[i], NULL, t_main, &a[i]) == 0);
	}
	for (i = 0; i < T_THREADS; i++) {
		pthread_join(t[i], NULL);
		check_at(a[i].bad == 0, __LINE__, "thread %d: %d bad lookups", i, a[i].bad);
	}
	fcache_fd_sweep(0);
	after = fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(fd);
	check_at(after == before, __LINE__, "descriptors left open: lowest free fd %d, was %d",
	    after, before);
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "small: hit, replaced, removed", test_small_hit_and_miss },
		{ "large: one descriptor, swept when idle", test_fd_hit },
		{ "large: replaced while being sent", test_fd_replaced_while_held },
		{ "large: rewritten in place, mtime kept", test_fd_rewritten_in_place },
		{ "large: slot eviction", test_fd_slot_eviction },
		{ "large: threads", test_fd_threads },
	};
	return CUNIT_RUN("fcache", suite_init, suite_clean, tests);
}
