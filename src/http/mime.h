/*
 * mime: the file-extension to Content-Type table.
 *
 * Loaded once in the master from a mime.types file (the system's
 * /etc/mime.types by default), on top of a built-in table of common types
 * that also serves when the file is absent. Lookups are allocation-free and
 * do no I/O: a hash of the lower-cased extension.
 */
#ifndef MSERVER_MIME_H
#define MSERVER_MIME_H

#include <stddef.h>

struct mime;

/* Load path (NULL: built-in table only). A missing or unreadable file is
 * an error ("cannot read PATH: reason") unless missing_ok. */
struct mime	*mime_load(const char *path, int missing_ok, char *err, size_t errlen);
/* Type for the file name (len bytes; the extension is what follows the
 * last '.' after the last '/'), else "application/octet-stream". */
const char	*mime_type(const struct mime *m, const char *name, size_t len);
void		 mime_free(struct mime *m);

#endif
