/*
 * status_pages: /server-status (HTML and Apache mod_status's ?auto text,
 * with its key names so that existing exporters work) and /metrics
 * (Prometheus text format 0.0.4), rendered from the scoreboard.
 *
 * Pure rendering: reads the scoreboard (tolerating the torn reads that
 * scoreboard.h allows) and appends the body to out. The caller writes the
 * response head (Content-Type from status_page_type()).
 */
#ifndef MSERVER_HTTP_STATUS_H
#define MSERVER_HTTP_STATUS_H

#include "conn/buf.h"

struct sb;

enum status_page_fmt { STATUS_PAGE_HTML, STATUS_PAGE_AUTO, STATUS_PAGE_METRICS };

/* Returns 0, or -1 when out of memory. */
int		 status_page_render(struct buf *out, struct sb *sb, enum status_page_fmt fmt);
const char	*status_page_type(enum status_page_fmt fmt);

#endif
