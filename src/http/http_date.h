/*
 * http_date: HTTP dates (RFC 9110 §5.6.7), locale-independent, UTC only;
 * no libc time zone or locale code, so the result does not depend on the
 * environment of the process.
 */
#ifndef MSERVER_HTTP_DATE_H
#define MSERVER_HTTP_DATE_H

#include <stddef.h>
#include <time.h>

/*
 * http_date_format() writes an IMF-fixdate, e.g.
 * "Sun, 06 Nov 1994 08:49:37 GMT", NUL-terminated (29 chars + NUL), and
 * returns 29. Years outside 0..9999 are clamped.
 * http_date_parse() accepts IMF-fixdate, rfc850-date and asctime-date and
 * returns 0, or -1 for anything else. A two-digit rfc850 year is placed in
 * the century that keeps it no more than 50 years after `now`
 * (http_date_parse() uses the current time).
 */
#define HTTP_DATE_LEN	29
size_t	http_date_format(time_t t, char out[HTTP_DATE_LEN + 1]);
int	http_date_parse(const char *s, size_t len, time_t *out);
int	http_date_parse_at(const char *s, size_t len, time_t now, time_t *out);

#endif
