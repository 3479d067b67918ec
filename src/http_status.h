/*
 * http_status: /server-status (HTML and Apache mod_status's ?auto text,
 * with its key names so that existing exporters work) and /metrics
 * (Prometheus text format 0.0.4), rendered from the scoreboard.
 *
 * Pure rendering: reads the scoreboard (tolerating the torn reads that
 * scoreboard.h allows) and appends the body to out. The caller writes the
 * response head (Content-Type from http_status_type()).
 */
#ifndef MSERVER_HTTP_STATUS_H
#define MSERVER_HTTP_STATUS_H

#include "buf.h"

struct sb;

enum http_status_fmt { HTTP_STATUS_HTML, HTTP_STATUS_AUTO, HTTP_STATUS_METRICS };

/* Returns 0, or -1 when out of memory. */
int		 http_status_render(struct buf *out, struct sb *sb, enum http_status_fmt fmt);
const char	*http_status_type(enum http_status_fmt fmt);

#endif
