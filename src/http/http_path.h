/*
 * http_path: from the path of a request target to a file system path
 * under "/", decoded and with every dot-segment resolved, so that the
 * caller can join it to a document root without looking at it again.
 */
#ifndef MSERVER_HTTP_PATH_H
#define MSERVER_HTTP_PATH_H

#include <stddef.h>

/*
 * Turn the path of a request target (path[, "?" query]) into a file system
 * path under "/": the query is stripped; %XX sequences are decoded (an
 * invalid one or %00 is 400; %2F becomes '/', so it cannot hide a
 * separator from the next step); dot-segments are removed (RFC 3986
 * §5.2.4) and empty segments collapsed. A path that would climb above the
 * root is 400. An empty path is "/". The result, NUL-terminated, goes to
 * out (outsz must exceed the input length by 1, else 414; the result is
 * never longer than the input). Returns 0 or an HTTP status code.
 */
int	http_path_normalize(const char *path, size_t len, char *out,
	    size_t outsz, size_t *outlen);

#endif
