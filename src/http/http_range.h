/*
 * http_range: evaluation of a Range field (RFC 9110 §14.1-14.2) against a
 * representation of known size. It decides only which bytes to send; the
 * conditions (If-Range) are the caller's.
 */
#ifndef MSERVER_HTTP_RANGE_H
#define MSERVER_HTTP_RANGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Evaluate a Range field value (RFC 9110 §14.2) against a representation
 * of size bytes. Only a single byte range is honoured. Returns
 *   206  satisfiable: send bytes [*start, *end] (inclusive)
 *   416  a valid single range that is unsatisfiable
 *   200  anything else (other unit, several ranges, malformed): ignore the
 *        field and send the whole representation
 */
int	http_range_parse(const char *v, size_t len, uint64_t size,
	    uint64_t *start, uint64_t *end);

#endif
