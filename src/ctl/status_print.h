/*
 * status_print: render a scoreboard for mserverctl status, as text (like
 * apachectl status) or as one JSON object. Reads only, through the census
 * (core/status.h).
 */
#ifndef MSERVER_STATUS_PRINT_H
#define MSERVER_STATUS_PRINT_H

#include <stdio.h>

struct sb;

void	status_text(struct sb *sb, FILE *out);
void	status_json(struct sb *sb, FILE *out);

#endif
