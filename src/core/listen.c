/*
 * listen: see listen.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "core/listen.h"
#include "core/util.h"

static const struct lst *
find_same(const struct lst_set *set, const struct sockaddr_storage *ss, socklen_t len)
{
	int i;

	for (i = 0; set != NULL && i < set->n; i++)
		if (set->l[i].sslen == len && memcmp(&set->l[i].ss, ss, len) == 0)
			return &set->l[i];
	return NULL;
}

static int
bind_one(const struct conf_listen *cl, const char *conf_path, char *err, size_t errlen)
{
	int fd, on = 1;

	fd = socket(cl->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto bad;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* Linux copies TCP_NODELAY to every accepted socket: one call here
	 * instead of one per connection. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	/* [::]:80 and 0.0.0.0:80 are separate listen entries, as in nginx. */
	if (cl->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto bad;
	if (bind(fd, (const struct sockaddr *)&cl->ss, cl->sslen) == -1 ||
	    listen(fd, cl->backlog) == -1)
		goto bad;
	return fd;
bad:
	snprintf(err, errlen, "%s:%d: cannot listen on %s: %s", conf_path, cl->line,
	    cl->name, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

int
lst_open(struct lst_set *out, const struct conf *conf, const struct lst_set *old,
    char *err, size_t errlen)
{
	int i, j;

	out->n = 0;
	for (i = 0; i < conf->nlisten; i++) {
		const struct conf_listen *cl = &conf->listen[i];
		const struct lst *prev = find_same(old, &cl->ss, cl->sslen);
		struct lst *l = &out->l[i];

		if (prev != NULL) {
			l->fd = prev->fd;
			listen(l->fd, cl->backlog);	/* the backlog may have changed */
		} else if ((l->fd = bind_one(cl, conf->path, err, errlen)) == -1)
			goto bad;
		l->proto = cl->proto;
		l->ss = cl->ss;
		l->sslen = cl->sslen;
		strlcpy_(l->name, cl->name, sizeof(l->name));
		out->n = i + 1;
	}
	return 0;
bad:
	for (j = 0; j < out->n; j++)
		if (find_same(old, &out->l[j].ss, out->l[j].sslen) == NULL)
			close(out->l[j].fd);
	out->n = 0;
	return -1;
}

void
lst_close_unused(const struct lst_set *old, const struct lst_set *next)
{
	int i;

	for (i = 0; i < old->n; i++)
		if (find_same(next, &old->l[i].ss, old->l[i].sslen) == NULL)
			close(old->l[i].fd);
}

void
lst_close_all(struct lst_set *set)
{
	int i;

	for (i = 0; i < set->n; i++)
		close(set->l[i].fd);
	set->n = 0;
}
