/*
 * util: small helpers with no state of their own: clocks, paths, fds.
 */
#ifndef MSERVER_UTIL_H
#define MSERVER_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Milliseconds on CLOCK_MONOTONIC (for deadlines) and CLOCK_REALTIME. */
int64_t now_ms(void);
int64_t wall_ms(void);

/* Join dir and path unless path is absolute; result malloc'd (NULL on OOM). */
char *path_resolve(const char *dir, const char *path);

/* Copy src into dst (size n), always NUL-terminated; returns strlen(src). */
size_t strlcpy_(char *dst, const char *src, size_t n);

/* Create the directory of path if it is missing (one level, like a fresh
 * checkout's run/ and logs/). Returns 0, or -1 with a message in err. */
int path_mkdir_parent(const char *path, char *err, size_t len);

int fd_set_nonblock(int fd, int on);
int fd_set_cloexec(int fd, int on);

/* Whether pid runs an executable named name (the last component of
 * /proc/PID/exe, " (deleted)" allowed after it): 1 yes, 0 no (or no such
 * process), -1 cannot tell (no /proc, or not allowed to look). */
int proc_runs(int pid, const char *name);

/* Write all of buf to a blocking fd; returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

#endif
