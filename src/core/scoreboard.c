/*
 * scoreboard: see scoreboard.h for the layout and the writer rules.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scoreboard.h"
#include "core/util.h"

struct sb {
	char		*base;
	size_t		 size;
	char		 path[4096];
	unsigned	 server_limit, thread_limit;
};

static size_t
sb_size(unsigned server_limit, unsigned thread_limit)
{
	return sizeof(struct sb_header) + (size_t)server_limit * sizeof(struct sb_proc) +
	    (size_t)server_limit * thread_limit * sizeof(struct sb_worker);
}

static struct sb *
sb_new(const char *path, void *base, size_t size, unsigned sl, unsigned tl)
{
	struct sb *sb = calloc(1, sizeof(*sb));

	if (sb == NULL)
		return NULL;
	sb->base = base;
	sb->size = size;
	sb->server_limit = sl;
	sb->thread_limit = tl;
	strlcpy_(sb->path, path, sizeof(sb->path));
	return sb;
}

struct sb *
sb_create(const char *path, unsigned server_limit, unsigned thread_limit,
    char *err, size_t errlen)
{
	size_t size = sb_size(server_limit, thread_limit);
	struct sb_header *h;
	struct sb *sb;
	void *base;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, SB_FILE_MODE)) == -1) {
		snprintf(err, errlen, "cannot create scoreboard %s: %s", path, strerror(errno));
		return NULL;
	}
	/* Also when the file was there before, or the umask was looser. */
	if (fchmod(fd, SB_FILE_MODE) == -1) {
		snprintf(err, errlen, "cannot set the mode of scoreboard %s: %s", path,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	if (ftruncate(fd, (off_t)size) == -1) {
		snprintf(err, errlen, "cannot size scoreboard %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "cannot map scoreboard %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((sb = sb_new(path, base, size, server_limit, thread_limit)) == NULL) {
		munmap(base, size);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h = sb_header(sb);
	h->version = SB_VERSION;
	h->size = size;
	h->server_limit = server_limit;
	h->thread_limit = thread_limit;
	/* The magic goes last: a reader that sees it sees a sized layout. */
	SHARED_RELEASE(h->magic, SB_MAGIC);
	return sb;
}

struct sb *
sb_attach(const char *path, char *err, size_t errlen)
{
	struct sb_header h;
	struct stat st;
	struct sb *sb;
	void *base;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open scoreboard %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || (size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.magic != SB_MAGIC) {
		snprintf(err, errlen, "%s is not an mserver scoreboard", path);
		close(fd);
		return NULL;
	}
	if (h.version != SB_VERSION) {
		snprintf(err, errlen, "scoreboard %s has layout version %u, expected %u",
		    path, h.version, SB_VERSION);
		close(fd);
		return NULL;
	}
	if (h.size != (uint64_t)st.st_size || h.size != sb_size(h.server_limit, h.thread_limit)) {
		snprintf(err, errlen, "scoreboard %s: size %lld does not match its header",
		    path, (long long)st.st_size);
		close(fd);
		return NULL;
	}
	base = mmap(NULL, h.size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		snprintf(err, errlen, "cannot map scoreboard %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((sb = sb_new(path, base, h.size, h.server_limit, h.thread_limit)) == NULL)
		munmap(base, h.size);
	return sb;
}

void
sb_close(struct sb *sb, int unlink_file)
{
	if (sb == NULL)
		return;
	if (unlink_file)
		unlink(sb->path);
	munmap(sb->base, sb->size);
	free(sb);
}

struct sb_header *
sb_header(struct sb *sb)
{
	return (struct sb_header *)sb->base;
}

struct sb_proc *
sb_proc(struct sb *sb, unsigned slot)
{
	return (struct sb_proc *)(sb->base + sizeof(struct sb_header)) + slot;
}

struct sb_worker *
sb_worker(struct sb *sb, unsigned slot, unsigned thread)
{
	struct sb_worker *w = (struct sb_worker *)(sb->base + sizeof(struct sb_header) +
	    (size_t)sb->server_limit * sizeof(struct sb_proc));

	return w + (size_t)slot * sb->thread_limit + thread;
}

void
sb_proc_claim(struct sb *sb, unsigned slot, uint32_t generation, const char *mpm,
    unsigned nthreads)
{
	struct sb_proc *p = sb_proc(sb, slot);
	unsigned t;

	for (t = 0; t < sb->thread_limit; t++) {
		struct sb_worker *w = sb_worker(sb, slot, t);

		memset(w, 0, sizeof(*w));
		w->status = t < nthreads ? SB_STARTING : SB_OPEN;
	}
	memset(p, 0, sizeof(*p));
	p->generation = generation;
	p->start_ms = wall_ms();
	p->nthreads = nthreads;
	strlcpy_(p->mpm, mpm, sizeof(p->mpm));
	SHARED_SET(p->state, SB_PROC_STARTING);
}

void
sb_proc_totals(struct sb *sb, unsigned slot, struct sb_totals *t)
{
	unsigned i, c;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sb->thread_limit; i++) {
		struct sb_worker *w = sb_worker(sb, slot, i);

		t->connections += SHARED_GET(w->connections);
		t->requests += SHARED_GET(w->requests);
		t->bytes += SHARED_GET(w->bytes);
		for (c = 0; c < SB_NCODES; c++)
			t->codes[c] += SHARED_GET(w->codes[c]);
		t->chat_delivered += SHARED_GET(w->chat_delivered);
		t->chat_dropped += SHARED_GET(w->chat_dropped);
		t->chat_clients += SHARED_GET(w->chat_clients);
	}
}

void
sb_proc_clear(struct sb *sb, unsigned slot)
{
	struct sb_header *h = sb_header(sb);
	struct sb_proc *p = sb_proc(sb, slot);
	struct sb_totals t;
	unsigned i;

	sb_proc_totals(sb, slot, &t);
	SHARED_ADD(h->retired_connections, t.connections);
	SHARED_ADD(h->retired_requests, t.requests);
	SHARED_ADD(h->retired_bytes, t.bytes);
	for (i = 0; i < SB_NCODES; i++)
		SHARED_ADD(h->retired_codes[i], t.codes[i]);
	SHARED_ADD(h->retired_chat_delivered, t.chat_delivered);
	SHARED_ADD(h->retired_chat_dropped, t.chat_dropped);
	for (i = 0; i < sb->thread_limit; i++) {
		struct sb_worker *w = sb_worker(sb, slot, i);

		memset(w, 0, sizeof(*w));
		w->status = SB_OPEN;
	}
	memset(p, 0, sizeof(*p));
}

int
sb_conn_idx(int status)
{
	const char *s = strchr(SB_CONN_STATES, status);

	return (s != NULL && status != 0) ? (int)(s - SB_CONN_STATES) : -1;
}

const char *
sb_proc_state_name(unsigned state)
{
	static const char *const names[] = { "empty", "starting", "ready", "full",
	    "draining", "exiting" };

	return state < ARRAY_LEN(names) ? names[state] : "?";
}

const char *
sb_death_name(unsigned cause)
{
	static const char *const names[SB_NDEATHS] = { "SIGKILL", "SIGSEGV", "SIGABRT",
	    "other", "exit" };

	return cause < SB_NDEATHS ? names[cause] : "?";
}
