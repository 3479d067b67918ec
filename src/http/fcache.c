/*
 * fcache: see fcache.h.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn/buf.h"
#include "http/fcache.h"

struct fc_entry {
	char		 name[FCACHE_NAME_MAX];
	struct stat	 st;
	char		*data;		/* st.st_size bytes, or NULL: empty slot */
};

static __thread struct fc_entry fc_table[FCACHE_SLOTS];

/* The descriptor table: entries are empty when ref is NULL. */
struct fc_fd_entry {
	char		 name[FCACHE_NAME_MAX];
	struct stat	 st;
	struct fd_ref	*ref;		/* the table's own reference */
	time_t		 used;		/* CLOCK_MONOTONIC_COARSE seconds */
};

static struct fc_fd_entry fc_fds[FCACHE_FD_SLOTS];
static pthread_mutex_t fc_fd_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t
hash_of(const char *name)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

static struct fc_entry *
slot_of(const char *name)
{
	return &fc_table[hash_of(name) % FCACHE_SLOTS];
}

static time_t
now_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int
fcache_lookup(int dirfd, const char *name, struct stat *st, const char **data)
{
	struct fc_entry *e = slot_of(name);
	int rc;

	/* Not ours to revalidate: leave the stat to the caller's open. */
	if (e->data == NULL || strcmp(e->name, name) != 0)
		return 0;
	if (fstatat(dirfd, name, st, 0) == -1)
		rc = -1;
	else if (S_ISREG(st->st_mode) && same_file(st, &e->st))
		rc = 1;
	else
		rc = 0;
	if (rc == 1) {
		*data = e->data;
		return 1;
	}
	/* Stale or gone: free the slot, so the name costs no more stats here
	 * (a file that grew past FCACHE_FILE_MAX lives in the other table). */
	free(e->data);
	e->data = NULL;
	e->name[0] = '\0';
	return rc;
}

const char *
fcache_store(const char *name, const struct stat *st, int fd)
{
	struct fc_entry *e = slot_of(name);
	size_t len = strlen(name), size = (size_t)st->st_size;
	char *data;

	if (!S_ISREG(st->st_mode) || size > FCACHE_FILE_MAX || len >= sizeof(e->name) ||
	    (data = malloc(size ? size : 1)) == NULL)
		return NULL;
	if (pread(fd, data, size, 0) != (ssize_t)size) {
		free(data);
		return NULL;
	}
	free(e->data);
	memcpy(e->name, name, len + 1);
	e->st = *st;
	e->data = data;
	return data;
}

/* Empty e, with fc_fd_lock held; returns the reference to drop once the
 * lock is released (NULL if e was empty). */
static struct fd_ref *
fd_entry_take(struct fc_fd_entry *e)
{
	struct fd_ref *r = e->ref;

	e->ref = NULL;
	e->name[0] = '\0';
	return r;
}

int
fcache_fd_lookup(int dirfd, const char *name, struct stat *st, struct fd_ref **ref)
{
	struct fc_fd_entry *e = &fc_fds[hash_of(name) % FCACHE_FD_SLOTS];
	struct fd_ref *r = NULL, *stale = NULL;
	struct stat was;
	int rc;

	pthread_mutex_lock(&fc_fd_lock);
	if (e->ref != NULL && strcmp(e->name, name) == 0) {
		r = e->ref;
		fd_ref_get(r);
		was = e->st;
		e->used = now_coarse();
	}
	pthread_mutex_unlock(&fc_fd_lock);
	if (r == NULL)
		return 0;
	/* The stat runs unlocked, on the caller's own reference. */
	rc = fstatat(dirfd, name, st, 0) == -1 ? -1 :
	    S_ISREG(st->st_mode) && same_file(st, &was) ? 1 : 0;
	if (rc == 1) {
		*ref = r;
		return 1;
	}
	pthread_mutex_lock(&fc_fd_lock);
	if (e->ref == r)
		stale = fd_entry_take(e);
	pthread_mutex_unlock(&fc_fd_lock);
	if (stale != NULL)
		fd_ref_put(stale);
	fd_ref_put(r);
	return rc;
}

struct fd_ref *
fcache_fd_store(const char *name, const struct stat *st, int fd)
{
	struct fc_fd_entry *e = &fc_fds[hash_of(name) % FCACHE_FD_SLOTS];
	size_t len = strlen(name);
	struct fd_ref *r, *old;

	if (len >= sizeof(e->name) || (r = fd_ref_new(fd, 2)) == NULL)
		return NULL;
	pthread_mutex_lock(&fc_fd_lock);
	old = fd_entry_take(e);
	memcpy(e->name, name, len + 1);
	e->st = *st;
	e->ref = r;
	e->used = now_coarse();
	pthread_mutex_unlock(&fc_fd_lock);
	if (old != NULL)
		fd_ref_put(old);
	return r;
}

void
fcache_fd_sweep(int idle)
{
	struct fd_ref *drop[FCACHE_FD_SLOTS];
	time_t now = now_coarse();
	int i, n = 0;

	pthread_mutex_lock(&fc_fd_lock);
	for (i = 0; i < FCACHE_FD_SLOTS; i++)
		if (fc_fds[i].ref != NULL && now - fc_fds[i].used >= idle)
			drop[n++] = fd_entry_take(&fc_fds[i]);
	pthread_mutex_unlock(&fc_fd_lock);
	while (n > 0)
		fd_ref_put(drop[--n]);
}
