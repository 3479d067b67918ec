/*
 * log: the one error log of mserverd (master and workers alike).
 *
 * Each message is formatted into one buffer and written with a single
 * write(2) to an O_APPEND descriptor, so lines from concurrent processes and
 * threads never interleave. Until log_open() is called (and always with -D)
 * messages go to stderr. Untrusted strings must pass through log_escape()
 * before they reach a format.
 */
#ifndef MSERVER_LOG_H
#define MSERVER_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Direct the log to PATH (opened O_APPEND|O_CREAT) or, with NULL, stderr.
 * Returns 0, or -1 with a message in err. */
int  log_open(const char *path, char *err, size_t errlen);
/* Reopen the current file (after rotation). Returns 0 or -1 (old fd kept). */
int  log_reopen(void);
void log_set_level(enum log_level level);
/* "error", "warn", "info", "debug" to a level, or -1. */
int  log_level_from_name(const char *name);
/* Tag prepended to every line, e.g. "master" or "worker 3". */
void log_set_role(const char *role);
int  log_fd(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Copy at most len bytes of untrusted s into out (size outlen, always
 * NUL-terminated), escaping non-printable bytes as \xHH. Returns out. */
char *log_escape(char *out, size_t outlen, const char *s, size_t len);

#endif
