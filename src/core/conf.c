/*
 * conf: see conf.h.
 *
 * Every group of the file is checked against a table of known keys (name,
 * type, range, where to store it); anything not in a table is an error at
 * its own line. Semantic checks that span keys (spare limits, duplicate
 * listeners) run after all values are read, and so do the checks of the
 * file system (the http document root and a configured mime.types file):
 * the document root only has to exist when some listener serves "http".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/log.h"
#include "core/proto.h"
#include "core/util.h"

struct cerr {
	char		*buf;
	size_t		 len;
	const char	*path;		/* the main file */
	const char	*dir;		/* included files' names are relative to it */
	char		*src_file;	/* int_literal(): the file read last, */
	char		*src_text;	/* and its text (NULL: unreadable) */
};

/* CK_NAME: a file name (no '/'); CK_PATH_OFF: a path, or "off" for NULL;
 * CK_GROUP: a group { ... } filling a struct of its own (conf_group). */
enum ck_type { CK_BOOL, CK_INT, CK_STR, CK_PATH, CK_NAME, CK_PATH_OFF, CK_CUSTOM, CK_GROUP };

struct conf_group;

struct conf_key {
	const char		*name;
	enum ck_type		 type;
	size_t			 off;		/* into the struct being filled */
	long			 min, max;	/* CK_INT */
	int			(*parse)(const config_setting_t *, struct conf *, struct cerr *);
	const struct conf_group	*group;		/* CK_GROUP */
};

/* A group's keys fill the struct at off in struct conf, whose char *file
 * and int line record where the group was written, for messages. */
struct conf_group {
	const struct conf_key	*keys;
	size_t			 off, file_off, line_off;
};

static int parse_listen(const config_setting_t *, struct conf *, struct cerr *);
static int parse_group(const config_setting_t *, const struct conf_key *, struct conf *,
    struct cerr *);
static int parse_allow(const config_setting_t *, struct conf *, struct cerr *);

#define OFF(f)	offsetof(struct conf, f)
#define MOFF(f)	offsetof(struct conf_mpm, f)
#define HOFF(f)	offsetof(struct conf_http, f)
#define COFF(f)	offsetof(struct conf_chat, f)

/* The default of http.mime_types: unlike a configured file, it may be
 * missing (the built-in table serves then). */
#define HTTP_MIME_TYPES	"/etc/mime.types"



static const struct conf_key mpm_keys[] = {
	{ "module",		CK_STR,  MOFF(module),           0, 0, NULL, NULL },
	{ "module_dir",		CK_PATH, MOFF(module_dir),       0, 0, NULL, NULL },
	{ "workers",		CK_INT,  MOFF(workers),          1, 20000, NULL, NULL },
	{ "min_spare",		CK_INT,  MOFF(min_spare),        0, 100000, NULL, NULL },
	{ "max_spare",		CK_INT,  MOFF(max_spare),        1, 100000, NULL, NULL },
	{ "server_limit",	CK_INT,  MOFF(server_limit),     1, 20000, NULL, NULL },
	{ "thread_limit",	CK_INT,  MOFF(thread_limit),     1, 20000, NULL, NULL },
	{ "threads",		CK_INT,  MOFF(threads),          1, 20000, NULL, NULL },
	{ "max_connections",	CK_INT,  MOFF(max_connections),  1, 1000000, NULL, NULL },
	{ "graceful_timeout",	CK_INT,  MOFF(graceful_timeout), 0, 86400, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct conf_key http_keys[] = {
	{ "document_root",	CK_PATH,     HOFF(document_root),      0, 0, NULL, NULL },
	{ "index",		CK_NAME,     HOFF(index),              0, 0, NULL, NULL },
	{ "access_log",		CK_PATH_OFF, HOFF(access_log),         0, 0, NULL, NULL },
	{ "mime_types",		CK_PATH,     HOFF(mime_types),         0, 0, NULL, NULL },
	{ "keepalive_timeout",	CK_INT,      HOFF(keepalive_timeout),  0, 3600, NULL, NULL },
	{ "keepalive_requests",	CK_INT,      HOFF(keepalive_requests), 1, 1000000, NULL, NULL },
	{ "request_timeout",	CK_INT,      HOFF(request_timeout),    1, 3600, NULL, NULL },
	{ "max_request_line",	CK_INT,      HOFF(max_request_line),   256, CONF_HTTP_LINE_LIMIT, NULL, NULL },
	{ "max_header_size",	CK_INT,      HOFF(max_header_size),    256, CONF_HTTP_HEAD_LIMIT, NULL, NULL },
	{ "server_tokens",	CK_BOOL,     HOFF(server_tokens),      0, 0, NULL, NULL },
	{ "server_status",	CK_BOOL,     HOFF(server_status),      0, 0, NULL, NULL },
	{ "metrics",		CK_BOOL,     HOFF(metrics),            0, 0, NULL, NULL },
	{ "status_allow",	CK_CUSTOM,   0,                        0, 0, parse_allow, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct conf_key chat_keys[] = {
	{ "max_line",		CK_INT, COFF(max_line),     64, CONF_CHAT_LINE_LIMIT, NULL, NULL },
	{ "max_clients",	CK_INT, COFF(max_clients),  1, 1048576, NULL, NULL },
	{ "max_rooms",		CK_INT, COFF(max_rooms),    1, 65535, NULL, NULL },
	{ "bus_size",		CK_INT, COFF(bus_size),     65536, 1073741824, NULL, NULL },
	{ "max_lag",		CK_INT, COFF(max_lag),      1, 100000000, NULL, NULL },
	{ "idle_timeout",	CK_INT, COFF(idle_timeout), 1, 604800, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct conf_group mpm_group = { mpm_keys, OFF(mpm), OFF(mpm.file), OFF(mpm.line) };
static const struct conf_group http_group = { http_keys, OFF(http), OFF(http.file), OFF(http.line) };
static const struct conf_group chat_group = { chat_keys, OFF(chat), OFF(chat.file), OFF(chat.line) };

static const struct conf_key root_keys[] = {
	{ "daemon",		CK_BOOL,   OFF(daemon),          0, 0, NULL, NULL },
	{ "pid_file",		CK_PATH,   OFF(pid_file),        0, 0, NULL, NULL },
	{ "scoreboard_file",	CK_PATH,   OFF(scoreboard_file), 0, 0, NULL, NULL },
	{ "error_log",		CK_PATH,   OFF(error_log),       0, 0, NULL, NULL },
	{ "log_level",		CK_STR,    OFF(log_level),       0, 0, NULL, NULL },
	{ "timeout",		CK_INT,    OFF(timeout),         1, 86400, NULL, NULL },
	{ "mpm",		CK_GROUP,  0,                    0, 0, NULL, &mpm_group },
	{ "listen",		CK_CUSTOM, 0,                    0, 0, parse_listen, NULL },
	{ "http",		CK_GROUP,  0,                    0, 0, NULL, &http_group },
	{ "chat",		CK_GROUP,  0,                    0, 0, NULL, &chat_group },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static int
cerr_at(struct cerr *e, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
cerr_at(struct cerr *e, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	int line = s ? (int)config_setting_source_line(s) : 0;
	size_t n;
	va_list ap;

	n = (size_t)snprintf(e->buf, e->len, "%s:%d: ", file ? file : e->path, line);
	if (n < e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf + n, e->len - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:	return "an integer";
	case CONFIG_TYPE_FLOAT:	return "a number";
	case CONFIG_TYPE_STRING:return "a string";
	case CONFIG_TYPE_BOOL:	return "a boolean";
	case CONFIG_TYPE_GROUP:	return "a group";
	case CONFIG_TYPE_ARRAY:	return "an array";
	case CONFIG_TYPE_LIST:	return "a list";
	default:		return "a value";
	}
}

/* The text of file, read once per load however many integers it holds
 * (the last file read is kept in e). NULL if it cannot be read. */
static const char *
source_text(struct cerr *e, const char *file)
{
	FILE *fp;
	size_t cap = 0;

	if (e->src_file != NULL && strcmp(e->src_file, file) == 0)
		return e->src_text;
	free(e->src_file);
	free(e->src_text);
	e->src_text = NULL;
	if ((e->src_file = strdup(file)) == NULL || (fp = fopen(file, "re")) == NULL)
		return NULL;
	if (getdelim(&e->src_text, &cap, '\0', fp) == -1) {
		free(e->src_text);
		e->src_text = NULL;
	}
	fclose(fp);
	return e->src_text;
}

/*
 * The text of integer setting s's literal, from its source line, into
 * lit: the first "NAME = LITERAL" (or ':') there. libconfig names the
 * file only for an included one, as written (relative to e->dir).
 * Returns 0, or -1 when the line or the literal cannot be found (lit is
 * then empty).
 */
static int
int_literal(const config_setting_t *s, struct cerr *e, char *lit, size_t len)
{
	const char *file = config_setting_source_file(s), *name = config_setting_name(s);
	unsigned line = config_setting_source_line(s), n;
	size_t nlen = name ? strlen(name) : 0, k;
	const char *all, *end;
	char *text, *p, full[PATH_MAX];

	lit[0] = '\0';
	if (file == NULL)
		file = e->path;
	else if (file[0] != '/' && e->dir != NULL)
		file = snprintf(full, sizeof(full), "%s/%s", e->dir, file) < (int)sizeof(full) ?
		    full : NULL;
	if (file == NULL || nlen == 0 || line == 0 || (all = source_text(e, file)) == NULL)
		return -1;
	for (n = 1; n < line && all != NULL; n++)
		if ((all = strchr(all, '\n')) != NULL)
			all++;
	if (all == NULL)
		return -1;
	end = strchr(all, '\n');
	if ((text = strndup(all, end ? (size_t)(end - all) : strlen(all))) == NULL)
		return -1;
	for (p = text; (p = strstr(p, name)) != NULL; p += nlen) {
		const char *q = p + nlen;

		if (p > text && (isalnum((unsigned char)p[-1]) || strchr("_*-", p[-1])))
			continue;
		q += strspn(q, " \t");
		if (*q != '=' && *q != ':')
			continue;
		q += 1 + strspn(q + 1, " \t");
		k = strspn(q, "+-0123456789abcdefABCDEFxXL");
		if (k > 0 && k < len) {
			memcpy(lit, q, k);
			lit[k] = '\0';
		}
		break;
	}
	free(text);
	return lit[0] ? 0 : -1;
}

/*
 * Integer setting s (named name for messages) into *v, within
 * [min, max]. libconfig 1.5 keeps only the low 32 bits of a literal
 * without the L suffix (4294967298 reads as 2), so a value is also
 * checked against its literal's own text: a wrapped one is out of range.
 */
static int
get_int(const config_setting_t *s, const char *name, long min, long max, long long *v,
    struct cerr *e)
{
	int type = config_setting_type(s);
	char lit[64];
	long long exact;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return cerr_at(e, s, "'%s' must be an integer, not %s", name, type_name(type));
	*v = config_setting_get_int64(s);
	if (type == CONFIG_TYPE_INT && int_literal(s, e, lit, sizeof(lit)) == 0 &&
	    strchr(lit, 'L') == NULL) {
		const char *digits = lit + (lit[0] == '-' || lit[0] == '+');
		int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');

		errno = 0;
		exact = strtoll(lit, NULL, hex ? 16 : 10);
		if (errno == ERANGE || exact != *v)
			return cerr_at(e, s, "'%s' = %s is out of range [%ld, %ld]", name, lit,
			    min, max);
	}
	if (*v < min || *v > max)
		return cerr_at(e, s, "'%s' = %lld is out of range [%ld, %ld]", name, *v, min, max);
	return 0;
}

/* A string key: not empty; CK_NAME without '/'; paths resolved. */
static int
set_string(const config_setting_t *s, const struct conf_key *k, char **sp,
    const struct conf *conf, struct cerr *e)
{
	const char *v = config_setting_get_string(s);

	if (v[0] == '\0')
		return cerr_at(e, s, "'%s' must not be empty", k->name);
	if (k->type == CK_NAME && (strchr(v, '/') != NULL ||
	    strcmp(v, ".") == 0 || strcmp(v, "..") == 0))
		return cerr_at(e, s, "'%s' must be a file name, without '/'", k->name);
	free(*sp);
	*sp = NULL;
	if (k->type == CK_PATH_OFF && strcmp(v, "off") == 0)
		return 0;
	*sp = (k->type == CK_PATH || k->type == CK_PATH_OFF) ?
	    path_resolve(conf->dir, v) : strdup(v);
	return *sp ? 0 : cerr_at(e, s, "out of memory");
}

static int
set_value(const config_setting_t *s, const struct conf_key *k, void *base,
    struct conf *conf, struct cerr *e)
{
	static const int want[] = { CONFIG_TYPE_BOOL, CONFIG_TYPE_INT,
	    CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, CONFIG_TYPE_STRING,
	    CONFIG_TYPE_STRING };
	int type = config_setting_type(s);
	long long v;

	if (type != want[k->type] && !(k->type == CK_INT && type == CONFIG_TYPE_INT64))
		return cerr_at(e, s, "'%s' must be %s, not %s", k->name,
		    type_name(want[k->type]), type_name(type));
	switch (k->type) {
	case CK_BOOL:
		*(bool *)((char *)base + k->off) = config_setting_get_bool(s);
		return 0;
	case CK_INT:
		if (get_int(s, k->name, k->min, k->max, &v, e) == -1)
			return -1;
		*(int *)((char *)base + k->off) = (int)v;
		return 0;
	case CK_STR:
	case CK_PATH:
	case CK_NAME:
	case CK_PATH_OFF:
		return set_string(s, k, (char **)((char *)base + k->off), conf, e);
	default:
		return 0;
	}
}

/* Apply every member of group g through table keys onto base. */
static int
apply_group(const config_setting_t *g, const struct conf_key *keys, void *base,
    struct conf *conf, struct cerr *e)
{
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct conf_key *k;

		for (k = keys; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL)
			return cerr_at(e, s, "unknown key '%s'", name);
		if (k->type == CK_CUSTOM) {
			if (k->parse(s, conf, e) == -1)
				return -1;
		} else if (k->type == CK_GROUP) {
			if (parse_group(s, k, conf, e) == -1)
				return -1;
		} else if (set_value(s, k, base, conf, e) == -1)
			return -1;
	}
	return 0;
}

/* A group { ... } through its own table of keys (CK_GROUP). */
static int
parse_group(const config_setting_t *s, const struct conf_key *k, struct conf *conf,
    struct cerr *e)
{
	const struct conf_group *g = k->group;
	const char *file = config_setting_source_file(s);
	char **filep = (char **)((char *)conf + g->file_off);

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return cerr_at(e, s, "'%s' must be a group { ... }", k->name);
	free(*filep);
	if ((*filep = strdup(file ? file : conf->path)) == NULL)
		return cerr_at(e, s, "out of memory");
	*(int *)((char *)conf + g->line_off) = (int)config_setting_source_line(s);
	return apply_group(s, g->keys, (char *)conf + g->off, conf, e);
}

/* The prefix length after the '/' of a CIDR: 0..max, decimal digits only. */
static int
cidr_bits(const char *p, int max, int *bits)
{
	int v = 0;

	if (*p == '\0')
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (*p - '0')) > max)
			return -1;
	}
	*bits = v;
	return 0;
}

/* "ADDR" or "ADDR/BITS", IPv4 or IPv6, into c; the bits past the prefix
 * are cleared so that a match compares only the prefix bytes and bits. */
static int
cidr_parse(const char *str, struct conf_cidr *c)
{
	const char *slash = strchr(str, '/');
	size_t len = slash ? (size_t)(slash - str) : strlen(str);
	char addr[INET6_ADDRSTRLEN];
	int i, max;

	if (len == 0 || len >= sizeof(addr))
		return -1;
	memcpy(addr, str, len);
	addr[len] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->addr) == 1)
		c->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, addr, c->addr) == 1)
		c->family = AF_INET6, max = 128;
	else
		return -1;
	c->bits = max;
	if (slash != NULL && cidr_bits(slash + 1, max, &c->bits) == -1)
		return -1;
	for (i = c->bits; i < max; i++)
		c->addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	return 0;
}

static int
parse_allow(const config_setting_t *s, struct conf *conf, struct cerr *e)
{
	struct conf_http *h = &conf->http;
	int i, n, type = config_setting_type(s);

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
		return cerr_at(e, s, "'status_allow' must be an array [ \"ADDRESS[/BITS]\", ... ], not %s",
		    type_name(type));
	if ((n = config_setting_length(s)) > CONF_MAX_ALLOW)
		return cerr_at(e, s, "'status_allow' has %d entries (at most %d)", n, CONF_MAX_ALLOW);
	for (h->nallow = 0, i = 0; i < n; i++, h->nallow++) {
		const config_setting_t *a = config_setting_get_elem(s, (unsigned)i);

		if ((type = config_setting_type(a)) != CONFIG_TYPE_STRING)
			return cerr_at(e, a, "each 'status_allow' entry must be a string, not %s",
			    type_name(type));
		if (cidr_parse(config_setting_get_string(a), &h->allow[i]) == -1)
			return cerr_at(e, a, "'status_allow' entry '%s' is not an address or "
			    "prefix (like \"10.0.0.0/8\" or \"fd00::/8\")",
			    config_setting_get_string(a));
	}
	return 0;
}

static int
resolve_listen(const config_setting_t *s, struct conf_listen *l, struct cerr *e)
{
	struct addrinfo hints, *res;
	char host[INET6_ADDRSTRLEN];
	const char *addr = strcmp(l->address, "*") == 0 ? NULL : l->address;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", l->port);
	if ((rc = getaddrinfo(addr, port, &hints, &res)) != 0)
		return cerr_at(e, s, "cannot resolve address '%s': %s",
		    l->address, gai_strerror(rc));
	memcpy(&l->ss, res->ai_addr, res->ai_addrlen);
	l->sslen = res->ai_addrlen;
	freeaddrinfo(res);
	if (l->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&l->ss)->sin6_addr, host, sizeof(host));
		snprintf(l->name, sizeof(l->name), "[%s]:%d", host, l->port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&l->ss)->sin_addr, host, sizeof(host));
		snprintf(l->name, sizeof(l->name), "%s:%d", host, l->port);
	}
	return 0;
}

static int
parse_listen_entry(const config_setting_t *g, struct conf *conf, struct cerr *e)
{
	struct conf_listen *l = &conf->listen[conf->nlisten];
	const char *addr = NULL, *proto = NULL;
	int port = 0, backlog = 511, i, n = config_setting_length(g);

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cerr_at(e, g, "each 'listen' entry must be a group { address = ...; port = ...; protocol = ...; }");
	if (conf->nlisten == CONF_MAX_LISTEN)
		return cerr_at(e, g, "too many listen entries (at most %d)", CONF_MAX_LISTEN);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		int type = config_setting_type(s);

		if (strcmp(name, "address") == 0 || strcmp(name, "protocol") == 0) {
			if (type != CONFIG_TYPE_STRING)
				return cerr_at(e, s, "'%s' must be a string, not %s", name, type_name(type));
			*(name[0] == 'a' ? &addr : &proto) = config_setting_get_string(s);
		} else if (strcmp(name, "port") == 0 || strcmp(name, "backlog") == 0) {
			long long v;

			if (get_int(s, name, 1, 65535, &v, e) == -1)
				return -1;
			*(name[0] == 'p' ? &port : &backlog) = (int)v;
		} else
			return cerr_at(e, s, "unknown key '%s' in listen entry", name);
	}
	if (addr == NULL || port == 0 || proto == NULL)
		return cerr_at(e, g, "listen entry needs 'address', 'port' and 'protocol'");
	if ((l->proto = proto_find(proto)) == -1)
		return cerr_at(e, g, "unknown protocol '%s' (known: %s)", proto, proto_names());
	l->port = port;
	l->backlog = backlog;
	l->line = (int)config_setting_source_line(g);
	if ((l->address = strdup(addr)) == NULL)
		return cerr_at(e, g, "out of memory");
	conf->nlisten++;
	if (resolve_listen(g, l, e) == -1)
		return -1;
	for (i = 0; i < conf->nlisten - 1; i++)
		if (conf->listen[i].sslen == l->sslen &&
		    memcmp(&conf->listen[i].ss, &l->ss, l->sslen) == 0)
			return cerr_at(e, g, "duplicate listener %s (first at line %d)",
			    l->name, conf->listen[i].line);
	return 0;
}

static int
parse_listen(const config_setting_t *s, struct conf *conf, struct cerr *e)
{
	int i, n, type = config_setting_type(s);

	if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_GROUP)
		return cerr_at(e, s, "'listen' must be a list ( { ... }, ... )");
	if (type == CONFIG_TYPE_GROUP)
		return parse_listen_entry(s, conf, e);
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if (parse_listen_entry(config_setting_get_elem(s, (unsigned)i), conf, e) == -1)
			return -1;
	return 0;
}

static int
set_defaults_http(struct conf *conf)
{
	struct conf_http *h = &conf->http;

	h->document_root = path_resolve(conf->dir, "htdocs");
	h->index = strdup("index.html");
	h->access_log = path_resolve(conf->dir, "logs/access.log");
	h->mime_types = strdup(HTTP_MIME_TYPES);
	h->file = strdup(conf->path);
	h->keepalive_timeout = 5;
	h->keepalive_requests = 1000;
	h->request_timeout = 10;
	h->max_request_line = 8192;
	h->max_header_size = 16384;
	h->server_tokens = true;
	h->server_status = true;
	h->metrics = true;
	h->nallow = 2;
	cidr_parse("127.0.0.1", &h->allow[0]);
	cidr_parse("::1", &h->allow[1]);
	return (h->document_root && h->index && h->access_log && h->mime_types &&
	    h->file) ? 0 : -1;
}

static int
set_defaults(struct conf *conf)
{
	conf->daemon = true;
	conf->timeout = 60;
	conf->pid_file = path_resolve(conf->dir, "run/mserverd.pid");
	conf->scoreboard_file = path_resolve(conf->dir, "run/mserverd.scoreboard");
	conf->error_log = path_resolve(conf->dir, "logs/error.log");
	conf->log_level = strdup("info");
	conf->mpm.module = strdup("prefork");
	conf->mpm.file = strdup(conf->path);
	conf->mpm.workers = 4;
	conf->mpm.min_spare = 2;
	conf->mpm.max_spare = 8;
	conf->mpm.server_limit = 64;
	conf->mpm.thread_limit = 64;
	conf->mpm.threads = 25;
	conf->mpm.max_connections = 10000;
	conf->mpm.graceful_timeout = 30;
	conf->chat.max_line = 4096;
	conf->chat.max_clients = 16384;
	conf->chat.max_rooms = 1024;
	conf->chat.bus_size = 8 << 20;
	conf->chat.max_lag = 16384;
	conf->chat.idle_timeout = 3600;
	conf->chat.file = strdup(conf->path);
	return (conf->pid_file && conf->scoreboard_file && conf->error_log &&
	    conf->log_level && conf->mpm.module && conf->mpm.file && conf->chat.file) ?
	    set_defaults_http(conf) : -1;
}

static const config_setting_t *
find(const config_t *cfg, const char *path)
{
	return config_lookup(cfg, path);
}

/* The setting of listen entry i (listen is a list, or a single group). */
static const config_setting_t *
listen_setting(const config_t *cfg, int i)
{
	const config_setting_t *s = find(cfg, "listen");

	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_LIST)
		return config_setting_get_elem(s, (unsigned)i);
	return s;
}

/* Index of the first listener serving "http", or -1 (also while no
 * handler has registered that protocol). */
static int
first_http_listener(const struct conf *conf)
{
	int i, http = proto_find("http");

	for (i = 0; http != -1 && i < conf->nlisten; i++)
		if (conf->listen[i].proto == http)
			return i;
	return -1;
}

/* The document root must be a directory the server can search. Reported
 * at http.document_root, else at the http group, else at the listener
 * that needs it. */
static int
check_document_root(const config_t *cfg, const struct conf *conf, int li,
    struct cerr *e)
{
	const char *dr = conf->http.document_root;
	const config_setting_t *s = find(cfg, "http.document_root");
	struct stat st;

	if (s == NULL && (s = find(cfg, "http")) == NULL)
		s = listen_setting(cfg, li);
	if (stat(dr, &st) == -1)
		return cerr_at(e, s, "document_root %s: %s", dr, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cerr_at(e, s, "document_root %s is not a directory", dr);
	if (access(dr, X_OK) == -1)
		return cerr_at(e, s, "document_root %s is not searchable: %s", dr, strerror(errno));
	return 0;
}

/* A configured mime.types file must be a readable file; the default may
 * be missing (mime_load with missing_ok). */
static int
check_mime_types(const config_t *cfg, const struct conf *conf, struct cerr *e)
{
	const char *mt = conf->http.mime_types;
	const config_setting_t *s = find(cfg, "http.mime_types");
	struct stat st;

	if (s == NULL)
		return 0;
	if (stat(mt, &st) == -1)
		return cerr_at(e, s, "cannot read mime_types %s: %s", mt, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cerr_at(e, s, "mime_types %s is not a regular file", mt);
	if (access(mt, R_OK) == -1)
		return cerr_at(e, s, "cannot read mime_types %s: %s", mt, strerror(errno));
	return 0;
}

static int
validate_http(const config_t *cfg, const struct conf *conf, struct cerr *e)
{
	int li = first_http_listener(conf);

	if (check_mime_types(cfg, conf, e) == -1)
		return -1;
	return li == -1 ? 0 : check_document_root(cfg, conf, li, e);
}

/* Checks that span several keys, reported at the line of the first key. */
static int
validate(const config_t *cfg, struct conf *conf, struct cerr *e)
{
	const struct conf_mpm *m = &conf->mpm;
	const config_setting_t *ms = find(cfg, "mpm");

	if (log_level_from_name(conf->log_level) == -1)
		return cerr_at(e, find(cfg, "log_level"),
		    "log_level must be one of error, warn, info, debug");
	if (m->min_spare > m->max_spare)
		return cerr_at(e, find(cfg, "mpm.min_spare") ? find(cfg, "mpm.min_spare") : ms,
		    "mpm.min_spare (%d) is greater than mpm.max_spare (%d)", m->min_spare, m->max_spare);
	if (m->workers > m->server_limit)
		return cerr_at(e, find(cfg, "mpm.workers") ? find(cfg, "mpm.workers") : ms,
		    "mpm.workers (%d) exceeds mpm.server_limit (%d)", m->workers, m->server_limit);
	if ((long)m->server_limit * m->thread_limit > CONF_MAX_SLOTS)
		return cerr_at(e, ms, "mpm.server_limit x mpm.thread_limit (%ld) exceeds %d scoreboard slots",
		    (long)m->server_limit * m->thread_limit, CONF_MAX_SLOTS);
	if (conf->nlisten == 0)
		return cerr_at(e, NULL, "no 'listen' entry: nothing to serve");
	/* The ring must hold a few of the longest lines. */
	if ((long)conf->chat.bus_size < 16L * (conf->chat.max_line + 128))
		return cerr_at(e, find(cfg, "chat.bus_size") ? find(cfg, "chat.bus_size") :
		    find(cfg, "chat"), "chat.bus_size (%d) must be at least 16 x (chat.max_line + 128)",
		    conf->chat.bus_size);
	return validate_http(cfg, conf, e);
}

static char *
conf_dir_of(const char *path)
{
	char *copy = strdup(path), *slash, *abs;

	if (copy == NULL)
		return NULL;
	slash = strrchr(copy, '/');
	if (slash == NULL)
		strcpy(copy, ".");
	else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	abs = realpath(copy, NULL);
	free(copy);
	return abs;
}

struct conf *
conf_load(const char *path, char *err, size_t errlen)
{
	struct cerr e = { err, errlen, path, NULL, NULL, NULL };
	const config_setting_t *mod;
	struct conf *conf;
	struct stat st;
	config_t cfg;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s:0: cannot read config file: %s", path, strerror(errno));
		return NULL;
	}
	/* libconfig exit()s on a read error, e.g. on a directory. */
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s:0: not a regular file", path);
		fclose(fp);
		return NULL;
	}
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->path = strdup(path)) == NULL ||
	    (conf->dir = conf_dir_of(path)) == NULL || set_defaults(conf) == -1) {
		fclose(fp);
		snprintf(err, errlen, "%s:0: %s", path, strerror(errno ? errno : ENOMEM));
		conf_free(conf);
		return NULL;
	}
	e.dir = conf->dir;
	config_init(&cfg);
	config_set_include_dir(&cfg, conf->dir);
	if (config_read(&cfg, fp) == CONFIG_FALSE) {
		snprintf(err, errlen, "%s:%d: %s",
		    config_error_file(&cfg) ? config_error_file(&cfg) : path,
		    config_error_line(&cfg), config_error_text(&cfg));
		goto bad;
	}
	if (apply_group(config_root_setting(&cfg), root_keys, conf, conf, &e) == -1)
		goto bad;
	mod = find(&cfg, "mpm.module");
	conf->mpm.module_line = mod ? (int)config_setting_source_line(mod) : conf->mpm.line;
	if (validate(&cfg, conf, &e) == -1)
		goto bad;
	config_destroy(&cfg);
	fclose(fp);
	free(e.src_file);
	free(e.src_text);
	return conf;
bad:
	config_destroy(&cfg);
	fclose(fp);
	free(e.src_file);
	free(e.src_text);
	conf_free(conf);
	return NULL;
}

void
conf_free(struct conf *conf)
{
	int i;

	if (conf == NULL)
		return;
	for (i = 0; i < conf->nlisten; i++)
		free(conf->listen[i].address);
	free(conf->http.document_root);
	free(conf->http.index);
	free(conf->http.access_log);
	free(conf->http.mime_types);
	free(conf->http.file);
	free(conf->chat.file);
	free(conf->mpm.module);
	free(conf->mpm.module_dir);
	free(conf->mpm.file);
	free(conf->log_level);
	free(conf->error_log);
	free(conf->scoreboard_file);
	free(conf->pid_file);
	free(conf->dir);
	free(conf->path);
	free(conf);
}

static void
locate_path(const config_t *cfg, const char *key, const char *dir, const char *def,
    char *out, size_t len)
{
	const char *v = NULL;
	char *p;

	if (cfg != NULL)
		config_lookup_string(cfg, key, &v);
	if ((p = path_resolve(dir, v != NULL && v[0] ? v : def)) != NULL)
		strlcpy_(out, p, len);
	free(p);
}

int
conf_locate(const char *path, struct conf_where *w)
{
	char *dir = conf_dir_of(path);
	config_t cfg;
	int parsed, gt = 30;

	if (dir == NULL)
		return -1;
	config_init(&cfg);
	config_set_include_dir(&cfg, dir);
	parsed = config_read_file(&cfg, path) == CONFIG_TRUE;
	locate_path(parsed ? &cfg : NULL, "pid_file", dir, "run/mserverd.pid",
	    w->pid_file, sizeof(w->pid_file));
	locate_path(parsed ? &cfg : NULL, "scoreboard_file", dir, "run/mserverd.scoreboard",
	    w->scoreboard_file, sizeof(w->scoreboard_file));
	if (!parsed || config_lookup_int(&cfg, "mpm.graceful_timeout", &gt) != CONFIG_TRUE)
		gt = 30;
	w->graceful_timeout = gt;
	config_destroy(&cfg);
	free(dir);
	return 0;
}
