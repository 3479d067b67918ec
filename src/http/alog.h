/*
 * alog: the access log, in Apache's Combined Log Format:
 *
 *   HOST - - [DD/Mon/YYYY:HH:MM:SS +ZZZZ] "REQUEST" STATUS BYTES "REFERER" "UA"
 *
 * One per worker process, buffered in memory and written with one write(2)
 * per flush to an O_APPEND descriptor (whole lines only, so processes never
 * interleave within a line). Flushed when the buffer fills, once a second
 * (child_flush) and at exit; reopened on SIGUSR1. Safe to call from several
 * threads (the worker MPM). Untrusted strings are escaped as Apache does
 * (\\xHH for non-printables, \\" and \\\\).
 */
#ifndef MSERVER_ALOG_H
#define MSERVER_ALOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* path NULL: logging off. Returns 0 or -1 with err. */
int	alog_open(const char *path, char *err, size_t errlen);
/* One request, as logged. Strings are (ptr, len); NULL or len 0 logs "-". */
struct alog_rec {
	const char	*peer;		/* NUL-terminated */
	time_t		 when;
	const char	*request, *referer, *ua;
	size_t		 request_len, referer_len, ua_len;
	int		 status;
	uint64_t	 bytes;		/* 0 logs "-" (Apache's %b) */
};

void	alog_request(const struct alog_rec *r);
void	alog_flush(void);
int	alog_reopen(void);
void	alog_close(void);

#endif
