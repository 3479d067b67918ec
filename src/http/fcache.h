/*
 * fcache: for the HTTP handler's hot path, a per-thread cache of small
 * files' contents and a per-process cache of larger files' open
 * descriptors (sent with sendfile).
 *
 * A lookup of a name the table does not hold costs no system call; one
 * it holds revalidates with one fstatat(2): the entry is used only if
 * the name still leads to the same file (device and inode) with the same
 * size, modification and change times. So a changed, replaced, removed or
 * re-permissioned file is never served from the cache; a name that now
 * leads elsewhere (a new symbolic link) is simply a miss, and the caller
 * opens it again with its own checks (RESOLVE_BENEATH). Entries are
 * direct-mapped by name; each thread has its own table of contents, so
 * there is no lock. At most FCACHE_SLOTS files of up to FCACHE_FILE_MAX
 * bytes.
 *
 * Larger files keep their descriptor instead, in one table per process
 * (FCACHE_FD_SLOTS, under a mutex held for no system call), revalidated
 * the same way: a hit saves the open, fstat and close of the file. A
 * descriptor is shared through a struct fd_ref, so dropping an entry
 * never closes a file still being sent. fcache_fd_sweep() drops entries
 * unused for FCACHE_FD_IDLE seconds, so a removed file's space is freed
 * soon after its last request and at most FCACHE_FD_SLOTS descriptors
 * stay open for the cache.
 */
#ifndef MSERVER_FCACHE_H
#define MSERVER_FCACHE_H

#include <stddef.h>
#include <sys/stat.h>

#define FCACHE_SLOTS	64
#define FCACHE_FILE_MAX	(16 * 1024)
#define FCACHE_NAME_MAX	200
#define FCACHE_FD_SLOTS	32
#define FCACHE_FD_IDLE	5	/* seconds */

struct fd_ref;

/* If name has an entry, stat it under dirfd into *st. Returns 1 and the
 * cached contents in *data on a hit, 0 on a miss (*st then unset unless
 * the entry was stale), -1 (errno) when fstatat fails. A stale or
 * vanished entry is dropped. */
int		 fcache_lookup(int dirfd, const char *name, struct stat *st, const char **data);
/* Read the regular file fd (whose stat is *st) into the slot of name.
 * Returns the contents, or NULL if the file is not cacheable (too large,
 * name too long) or the read fell short (the file is changing). */
const char	*fcache_store(const char *name, const struct stat *st, int fd);

/* Like fcache_lookup() for the descriptor table: on a hit, *ref is a new
 * reference for the caller (to be dropped with fd_ref_put(), or handed to
 * an output queue). A stale or vanished entry is dropped. */
int		 fcache_fd_lookup(int dirfd, const char *name, struct stat *st,
		    struct fd_ref **ref);
/* Keep the open regular file fd (stat *st) in the slot of name; the
 * cache then owns fd. Returns a reference for the caller, or NULL if
 * the name is too long or memory ran out (fd is then still the caller's). */
struct fd_ref	*fcache_fd_store(const char *name, const struct stat *st, int fd);
/* Drop the descriptor entries unused for idle seconds (0: all). The
 * HTTP handler calls it with FCACHE_FD_IDLE from its once-a-second flush. */
void		 fcache_fd_sweep(int idle);

#endif
