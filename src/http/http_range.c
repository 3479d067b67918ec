/*
 * http_range: Range evaluation; see http_range.h.
 *
 * A single byte range only: anything the server may ignore (another unit,
 * several ranges, a syntax error) is ignored rather than refused, because
 * sending the whole representation is always a correct answer. Numbers
 * saturate instead of overflowing, so a huge first-byte-pos is simply
 * past the end (416) and a huge last-byte-pos means "to the end".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <string.h>

#include "http/http_range.h"
#include "http/http_chars.h"

/* 1*DIGIT saturating at UINT64_MAX; false if [p, end) is not all digits. */
static bool
range_num(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;

	if (p == end)
		return false;
	for (; p < end; p++) {
		if (!IS(*p, C_DIGIT))
			return false;
		x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX :
		    x * 10 + (uint64_t)(*p - '0');
	}
	*v = x;
	return true;
}

int
http_range_parse(const char *v, size_t len, uint64_t size, uint64_t *start,
    uint64_t *end)
{
	const unsigned char *p = (const unsigned char *)v, *e = NULL, *el, *dash;
	const unsigned char *spec = NULL;
	size_t elen, n = 0;
	uint64_t first, last;

	if (len < 6 || !ieq(p, "bytes=", 6))
		return 200;
	for (p += 6; list_next(&p, (const unsigned char *)v + len, &el, &elen);)
		if (elen > 0 && n++ == 0)
			e = el + elen, spec = el;
	if (n != 1)
		return 200;
	el = spec;
	elen = (size_t)(e - el);
	if ((dash = memchr(el, '-', elen)) == NULL)
		return 200;
	if (dash == el) {			/* suffix-range */
		if (!range_num(dash + 1, e, &last))
			return 200;
		if (last == 0 || size == 0)
			return 416;
		*start = last >= size ? 0 : size - last;
		*end = size - 1;
		return 206;
	}
	last = UINT64_MAX;			/* "first-" */
	if (!range_num(el, dash, &first) ||
	    (dash + 1 < e && !range_num(dash + 1, e, &last)))
		return 200;
	if (last < first)
		return 200;
	if (first >= size)
		return 416;
	*start = first;
	*end = last >= size ? size - 1 : last;
	return 206;
}
