/*
 * conf: the configuration file (libconfig syntax) parsed into a typed,
 * validated struct.
 *
 * conf_load() either returns a complete struct whose every field is in
 * range, or NULL and one message "FILE:LINE: what is wrong". Relative paths
 * are already resolved against the directory of the config file, and listen
 * addresses are already resolved to socket addresses. A struct conf is
 * immutable once loaded; a reload loads a new one beside the old.
 */
#ifndef MSERVER_CONF_H
#define MSERVER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define CONF_MAX_LISTEN 64
#define CONF_MAX_SLOTS	(1 << 20)	/* server_limit x thread_limit */

/* The largest http.max_request_line, http.max_header_size and
 * chat.max_line accepted: a request head or a chat line at these limits
 * must still fit a connection's input buffer (conn.c checks). */
#define CONF_HTTP_LINE_LIMIT	65536
#define CONF_HTTP_HEAD_LIMIT	131072
#define CONF_CHAT_LINE_LIMIT	131072

struct conf_listen {
	char			*address;	/* as written */
	int			 port;
	int			 proto;		/* index from proto_find() */
	int			 backlog;
	int			 line;		/* for messages */
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 name[64];	/* "127.0.0.1:7007", "[::1]:7007" */
};

struct conf_mpm {
	char	*module;		/* "prefork", "worker", "event" */
	char	*module_dir;		/* NULL: next to mserverd, else installed */
	int	 workers;		/* processes started */
	int	 min_spare;		/* idle units (processes or threads) */
	int	 max_spare;
	int	 server_limit;		/* hard: scoreboard process slots */
	int	 thread_limit;		/* hard: scoreboard slots per process */
	int	 threads;		/* worker MPM: threads per process */
	int	 max_connections;	/* event MPM: connections per process */
	int	 graceful_timeout;	/* seconds */
	char	*file;			/* file of the mpm group (@include) */
	int	 line;			/* of the mpm group */
	int	 module_line;		/* of mpm.module */
};

/* An address or prefix allowed to see /server-status and /metrics. */
struct conf_cidr {
	int			 family;	/* AF_INET or AF_INET6 */
	unsigned char		 addr[16];
	int			 bits;		/* prefix length */
};

#define CONF_MAX_ALLOW	32

/* The `http` group: one static site served by every http listener. */
struct conf_http {
	char			*document_root;	/* absolute */
	char			*index;		/* "index.html" */
	char			*access_log;	/* absolute; NULL: no access log */
	char			*mime_types;	/* absolute; "/etc/mime.types" */
	int			 keepalive_timeout;	/* seconds */
	int			 keepalive_requests;
	int			 request_timeout;	/* seconds for a whole request head */
	int			 max_request_line;	/* bytes, else 414 */
	int			 max_header_size;	/* bytes of header fields, else 431 */
	bool			 server_tokens;		/* version in Server: */
	bool			 server_status;		/* /server-status */
	bool			 metrics;		/* /metrics */
	struct conf_cidr	 allow[CONF_MAX_ALLOW];	/* who may see those two */
	int			 nallow;
	char			*file;			/* of the http group */
	int			 line;
};

/* The `chat` group. bus_size, max_clients, max_rooms and max_lag shape
 * the shared bus, made once at start: changing them (or raising max_line
 * past its value at start) takes a restart. */
struct conf_chat {
	int			 max_line;	/* bytes of a line, without CR LF */
	int			 max_clients;	/* hard */
	int			 max_rooms;	/* hard */
	int			 bus_size;	/* hard: bytes of the shared ring */
	int			 max_lag;	/* lines behind its room, else dropped */
	int			 idle_timeout;	/* seconds without I/O */
	char			*file;		/* of the chat group */
	int			 line;
};

struct conf {
	char			*path;		/* as given */
	char			*dir;		/* absolute directory of path */
	bool			 daemon;
	char			*pid_file;
	char			*scoreboard_file;
	char			*error_log;
	char			*log_level;
	int			 timeout;	/* connection I/O timeout, seconds */
	struct conf_mpm		 mpm;
	struct conf_http	 http;
	struct conf_chat	 chat;
	struct conf_listen	 listen[CONF_MAX_LISTEN];
	int			 nlisten;
};

struct conf	*conf_load(const char *path, char *err, size_t errlen);
void		 conf_free(struct conf *conf);

/* Where a server started from path keeps its pid file, scoreboard and
 * graceful_timeout, even when the file no longer validates (so that a
 * broken config cannot stop an operator from stopping the server): values
 * from the file if it still parses, else the defaults. Returns 0 or -1. */
struct conf_where {
	char	pid_file[4096];
	char	scoreboard_file[4096];
	int	graceful_timeout;
};
int		 conf_locate(const char *path, struct conf_where *w);

#endif
