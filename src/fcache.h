/*
 * fcache: a per-thread cache of small files' contents, for the HTTP
 * handler's hot path.
 *
 * A lookup of a name the table does not hold costs no system call; one
 * it holds revalidates with one fstatat(2): the entry is used only if
 * the name still leads to the same file (device and inode) with the same
 * size, modification and change times. So a changed, replaced, removed or
 * re-permissioned file is never served from the cache; a name that now
 * leads elsewhere (a new symbolic link) is simply a miss, and the caller
 * opens it again with its own checks (RESOLVE_BENEATH). Entries are
 * direct-mapped by name; each thread has its own table, so there is no
 * lock. At most FCACHE_SLOTS files of up to FCACHE_FILE_MAX bytes.
 */
#ifndef MSERVER_FCACHE_H
#define MSERVER_FCACHE_H

#include <stddef.h>
#include <sys/stat.h>

#define FCACHE_SLOTS	64
#define FCACHE_FILE_MAX	(16 * 1024)
#define FCACHE_NAME_MAX	200

/* If name has an entry, stat it under dirfd into *st. Returns 1 and the
 * cached contents in *data on a hit, 0 on a miss (*st then unset unless
 * the entry was stale), -1 (errno) when fstatat fails. */
int		 fcache_lookup(int dirfd, const char *name, struct stat *st, const char **data);
/* Read the regular file fd (whose stat is *st) into the slot of name.
 * Returns the contents, or NULL if the file is not cacheable (too large,
 * name too long) or the read fell short (the file is changing). */
const char	*fcache_store(const char *name, const struct stat *st, int fd);

#endif
