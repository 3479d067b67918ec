/*
 * http_path: path normalisation; see http_path.h.
 *
 * Decoding comes first and dot-segment removal second, on the decoded
 * bytes, so that no encoding (%2E, %2F) can smuggle a ".." or a separator
 * past the check. The work is done in the caller's out buffer: the result
 * never outgrows the input, which is why outsz needs only one byte more
 * than len. No allocation, no file system access.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "http/http_path.h"
#include "http/http_chars.h"

/* RFC 3986 §5.2.4 on a decoded absolute path, in place; also collapses
 * empty segments. s[0] is '/'; the output never outgrows the input. */
static int
remove_dot_segments(char *s, size_t n, size_t *outlen)
{
	size_t r = 1, w = 1, e, seg;

	while (r < n) {
		for (e = r; e < n && s[e] != '/'; e++)
			;
		seg = e - r;
		if (seg == 2 && s[r] == '.' && s[r + 1] == '.') {
			if (w == 1)
				return 400;
			for (w--; s[w - 1] != '/'; w--)
				;
		} else if (seg > 0 && !(seg == 1 && s[r] == '.')) {
			memmove(s + w, s + r, seg);
			w += seg;
			if (e < n)
				s[w++] = '/';
		}
		r = e + 1;
	}
	s[w] = '\0';
	*outlen = w;
	return 0;
}

int
http_path_normalize(const char *path, size_t len, char *out, size_t outsz,
    size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)path;
	const char *q;
	size_t i, n = 0;
	unsigned char c;

	if (len > 0 && (q = memchr(path, '?', len)) != NULL)
		len = (size_t)(q - path);
	if (outsz < 2 || outsz - 1 < len)
		return 414;
	if (len == 0) {
		memcpy(out, "/", 2);
		*outlen = 1;
		return 0;
	}
	if (p[0] != '/')
		return 400;
	for (i = 0; i < len; i++) {
		c = p[i];
		if (c == '%') {
			if (len - i < 3 || !IS(p[i + 1], C_HEX) ||
			    !IS(p[i + 2], C_HEX))
				return 400;
			c = (unsigned char)(hexval(p[i + 1]) << 4 |
			    hexval(p[i + 2]));
			i += 2;
		}
		if (c == '\0')
			return 400;
		out[n++] = (char)c;
	}
	return remove_dot_segments(out, n, outlen);
}
