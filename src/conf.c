/*
 * conf: see conf.h.
 *
 * Every group of the file is checked against a table of known keys (name,
 * type, range, where to store it); anything not in a table is an error at
 * its own line. Semantic checks that span keys (spare limits, duplicate
 * listeners) run after all values are read.
 */
#include "config.h"

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

#include "conf.h"
#include "log.h"
#include "proto.h"
#include "util.h"

struct cerr {
	char		*buf;
	size_t		 len;
	const char	*path;
};

enum ck_type { CK_BOOL, CK_INT, CK_STR, CK_PATH, CK_CUSTOM };

struct conf_key {
	const char	*name;
	enum ck_type	 type;
	size_t		 off;		/* into the struct being filled */
	long		 min, max;	/* CK_INT */
	int		(*parse)(const config_setting_t *, struct conf *, struct cerr *);
};

static int parse_mpm(const config_setting_t *, struct conf *, struct cerr *);
static int parse_listen(const config_setting_t *, struct conf *, struct cerr *);

#define OFF(f)	offsetof(struct conf, f)
#define MOFF(f)	offsetof(struct conf_mpm, f)

static const struct conf_key root_keys[] = {
	{ "daemon",		CK_BOOL,   OFF(daemon),          0, 0, NULL },
	{ "pid_file",		CK_PATH,   OFF(pid_file),        0, 0, NULL },
	{ "scoreboard_file",	CK_PATH,   OFF(scoreboard_file), 0, 0, NULL },
	{ "error_log",		CK_PATH,   OFF(error_log),       0, 0, NULL },
	{ "log_level",		CK_STR,    OFF(log_level),       0, 0, NULL },
	{ "timeout",		CK_INT,    OFF(timeout),         1, 86400, NULL },
	{ "mpm",		CK_CUSTOM, 0,                    0, 0, parse_mpm },
	{ "listen",		CK_CUSTOM, 0,                    0, 0, parse_listen },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const struct conf_key mpm_keys[] = {
	{ "module",		CK_STR,  MOFF(module),           0, 0, NULL },
	{ "module_dir",		CK_PATH, MOFF(module_dir),       0, 0, NULL },
	{ "workers",		CK_INT,  MOFF(workers),          1, 20000, NULL },
	{ "min_spare",		CK_INT,  MOFF(min_spare),        0, 100000, NULL },
	{ "max_spare",		CK_INT,  MOFF(max_spare),        1, 100000, NULL },
	{ "server_limit",	CK_INT,  MOFF(server_limit),     1, 20000, NULL },
	{ "thread_limit",	CK_INT,  MOFF(thread_limit),     1, 20000, NULL },
	{ "threads",		CK_INT,  MOFF(threads),          1, 20000, NULL },
	{ "max_connections",	CK_INT,  MOFF(max_connections),  1, 1000000, NULL },
	{ "graceful_timeout",	CK_INT,  MOFF(graceful_timeout), 0, 86400, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
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

static int
set_value(const config_setting_t *s, const struct conf_key *k, void *base,
    struct conf *conf, struct cerr *e)
{
	static const int want[] = { CONFIG_TYPE_BOOL, CONFIG_TYPE_INT,
	    CONFIG_TYPE_STRING, CONFIG_TYPE_STRING };
	char **sp = (char **)((char *)base + k->off);
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
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max)
			return cerr_at(e, s, "'%s' = %lld is out of range [%ld, %ld]",
			    k->name, v, k->min, k->max);
		*(int *)((char *)base + k->off) = (int)v;
		return 0;
	case CK_STR:
	case CK_PATH:
		if (config_setting_get_string(s)[0] == '\0')
			return cerr_at(e, s, "'%s' must not be empty", k->name);
		free(*sp);
		*sp = k->type == CK_PATH ?
		    path_resolve(conf->dir, config_setting_get_string(s)) :
		    strdup(config_setting_get_string(s));
		return *sp ? 0 : cerr_at(e, s, "out of memory");
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
		} else if (set_value(s, k, base, conf, e) == -1)
			return -1;
	}
	return 0;
}

static int
parse_mpm(const config_setting_t *s, struct conf *conf, struct cerr *e)
{
	const config_setting_t *mod = config_setting_lookup((config_setting_t *)s, "module");

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return cerr_at(e, s, "'mpm' must be a group { ... }");
	free(conf->mpm.file);
	conf->mpm.file = strdup(config_setting_source_file(s) ? config_setting_source_file(s) : conf->path);
	if (conf->mpm.file == NULL)
		return cerr_at(e, s, "out of memory");
	conf->mpm.line = (int)config_setting_source_line(s);
	conf->mpm.module_line = mod ? (int)config_setting_source_line(mod) : conf->mpm.line;
	return apply_group(s, mpm_keys, &conf->mpm, conf, e);
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
			long max = name[0] == 'p' ? 65535 : 65535;

			if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
				return cerr_at(e, s, "'%s' must be an integer, not %s", name, type_name(type));
			v = config_setting_get_int64(s);
			if (v < 1 || v > max)
				return cerr_at(e, s, "'%s' = %lld is out of range [1, %ld]", name, v, max);
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
	return (conf->pid_file && conf->scoreboard_file && conf->error_log &&
	    conf->log_level && conf->mpm.module && conf->mpm.file) ? 0 : -1;
}

static const config_setting_t *
find(const config_t *cfg, const char *path)
{
	return config_lookup(cfg, path);
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
	return 0;
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
	struct cerr e = { err, errlen, path };
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
	config_init(&cfg);
	config_set_include_dir(&cfg, conf->dir);
	if (config_read(&cfg, fp) == CONFIG_FALSE) {
		snprintf(err, errlen, "%s:%d: %s",
		    config_error_file(&cfg) ? config_error_file(&cfg) : path,
		    config_error_line(&cfg), config_error_text(&cfg));
		goto bad;
	}
	if (apply_group(config_root_setting(&cfg), root_keys, conf, conf, &e) == -1 ||
	    validate(&cfg, conf, &e) == -1)
		goto bad;
	config_destroy(&cfg);
	fclose(fp);
	return conf;
bad:
	config_destroy(&cfg);
	fclose(fp);
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
