/*
 * status: render a scoreboard as text (like apachectl status) or as one
 * JSON object. Reads only; tolerates the torn reads scoreboard.h allows.
 */
#ifndef MSERVER_STATUS_H
#define MSERVER_STATUS_H

#include <stdio.h>

struct sb;

void	status_text(struct sb *sb, FILE *out);
void	status_json(struct sb *sb, FILE *out);

#endif
