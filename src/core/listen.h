/*
 * listen: the master's listening sockets.
 *
 * A set is built from a config and the previous set: a socket whose address
 * is unchanged is carried over as is (never closed and rebound, so nothing
 * queued in its backlog is lost on reload); new addresses are bound. The
 * sockets are non-blocking and inherited by every worker across fork().
 */
#ifndef MSERVER_LISTEN_H
#define MSERVER_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#include "core/conf.h"

struct lst {
	int			 fd;
	int			 proto;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 name[64];
};

struct lst_set {
	struct lst	l[CONF_MAX_LISTEN];
	int		n;
};

/* Fill out (aligned with conf->listen[]) reusing sockets of old (may be
 * NULL). On failure every socket this call opened is closed again, old is
 * untouched, and err holds "FILE:LINE: cannot listen on ADDR: reason". */
int	lst_open(struct lst_set *out, const struct conf *conf,
	    const struct lst_set *old, char *err, size_t errlen);
/* Close the sockets of old that next does not carry over. */
void	lst_close_unused(const struct lst_set *old, const struct lst_set *next);
void	lst_close_all(struct lst_set *set);

#endif
