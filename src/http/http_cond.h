/*
 * http_cond: a static file's validators (RFC 9110 section 8.8) and the
 * conditional requests decided on them. Pure functions of the request,
 * the file's stat and the clock; no I/O.
 *
 * The entity tag is strong, "SIZE-MTIME_NS" in hex: it changes whenever
 * the file's size or modification time does.
 */
#ifndef MSERVER_HTTP_COND_H
#define MSERVER_HTTP_COND_H

#include <stddef.h>
#include <time.h>
#include <sys/stat.h>

struct http_request;

/* The quoted entity tag of st into out (len >= 40 is always enough). */
void	http_etag(const struct stat *st, char *out, size_t len);
/* Whether the answer is 304 (RFC 9110 section 13.2.2): If-None-Match
 * (weak comparison, "*" matches) wins over If-Modified-Since, which is
 * ignored when unparsable or later than now. */
int	http_not_modified(const struct http_request *req, const struct stat *st,
	    const char *etag, time_t now);
/* Whether a GET's Range is honoured: there is one, and If-Range (if
 * any) names this version, by strong entity tag or exact date. */
int	http_range_applies(const struct http_request *req, const struct stat *st,
	    const char *etag);

#endif
