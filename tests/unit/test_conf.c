/*
 * test_conf: unit tests of the configuration loader (conf.c).
 *
 * Every case writes its config text into a private directory made with
 * mkdtemp() under /tmp (removed when the suite ends) and calls conf_load()
 * or conf_locate() on it. Error cases check the whole "FILE:LINE: " prefix
 * (the exact file name as given and the exact line) and a substring of the
 * message. Cases that change the working directory restore it themselves;
 * the suite cleanup restores it again in case a fatal assertion cut a case
 * short.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "core/conf.h"
#include "core/proto.h"

static char tmpdir[PATH_MAX];	/* as made by mkdtemp() */
static char realdir[PATH_MAX];	/* the same, through realpath() */
static char startcwd[PATH_MAX];

/* One listen line, valid, for cases about something else. */
#define LISTEN \
	"listen = ( { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; } );\n"

/* --------------------------------------------------------------------- */
/* Helpers */

/* dir/name in one of a few rotating static buffers. */
static const char *
join(const char *dir, const char *name)
{
	static char bufs[8][PATH_MAX];
	static unsigned n;
	char *b = bufs[n++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

/* Write text to tmpdir/name; returns the path (rotating buffer). */
static const char *
put(const char *name, const char *text)
{
	const char *path = join(tmpdir, name);
	FILE *fp = fopen(path, "w");

	CU_ASSERT_FATAL(fp != NULL);
	fputs(text, fp);
	CU_ASSERT_FATAL(fclose(fp) == 0);
	return path;
}

static void
mkdir_in(const char *name)
{
	const char *p = join(tmpdir, name);

	CU_ASSERT_FATAL(mkdir(p, 0755) == 0 || errno == EEXIST);
}

/* Assert at the caller's line, with a formatted message. */
/* String equality that tolerates NULL and says what it got. */
#define STR_EQ(got, want)	str_eq((got), (want), #got, __LINE__)

static void
str_eq(const char *got, const char *want, const char *what, int line)
{
	check_at(got != NULL && want != NULL && strcmp(got, want) == 0, line,
	    "%s: got \"%s\", want \"%s\"", what, got ? got : "(null)",
	    want ? want : "(null)");
}

/* Load path; the load must succeed (fatal otherwise). */
#define LOAD_OK(path)	load_ok((path), __LINE__)

static struct conf *
load_ok(const char *path, int line)
{
	char err[1024] = "";
	struct conf *c = conf_load(path, err, sizeof(err));

	check_at(c != NULL, line, "conf_load(%s) must succeed, got: %s", path, err);
	if (c == NULL)
		CU_FAIL_FATAL("conf_load failed");
	return c;
}

/* Load path; the load must fail with exactly "PREFIX:LINE: " followed by a
 * message containing substr. prefix is the file name expected in the
 * message (NULL: path itself). */
static void
err_path(const char *path, const char *prefix, int eline, const char *substr,
    int line)
{
	char err[1024], want[PATH_MAX + 32];
	struct conf *c;
	size_t n;

	memset(err, 'x', sizeof(err) - 1);	/* a stale buffer must not pass */
	err[sizeof(err) - 1] = '\0';
	c = conf_load(path, err, sizeof(err));
	n = (size_t)snprintf(want, sizeof(want), "%s:%d: ", prefix ? prefix : path, eline);
	check_at(c == NULL && strncmp(err, want, n) == 0 && strstr(err + n, substr) != NULL,
	    line, "want failure \"%s...%s...\", got %s\"%s\"", want, substr,
	    c ? "SUCCESS and " : "", err);
	conf_free(c);
}

/* Write text as a config file and expect an error at line eline. */
#define ERR(text, eline, substr) \
	err_path(put("err.conf", (text)), NULL, (eline), (substr), __LINE__)

/* Write text as a config file; it must load. */
#define OK(text)	LOAD_OK(put("ok.conf", (text)))

static int
suite_init(void)
{
	if (getcwd(startcwd, sizeof(startcwd)) == NULL)
		return -1;
	if (cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_conf") == -1 ||
	    realpath(tmpdir, realdir) == NULL)
		return -1;
	return 0;
}

static int
suite_clean(void)
{
	int rc = chdir(startcwd);

	if (cunit_rmtree(tmpdir) == -1)
		rc = -1;
	return rc == 0 ? 0 : -1;
}

static int
port_of(const struct conf_listen *l)
{
	if (l->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&l->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&l->ss)->sin_port);
}

/* --------------------------------------------------------------------- */
/* Valid files */

static const char full_conf[] =
	"# every key, non-default values\n"			/* 1 */
	"daemon = false;\n"					/* 2 */
	"pid_file = \"run/t.pid\";\n"				/* 3 */
	"scoreboard_file = \"/var/tmp/mserver-test.sb\";\n"	/* 4 */
	"error_log = \"logs/t.log\";\n"				/* 5 */
	"log_level = \"debug\";\n"				/* 6 */
	"timeout = 17;\n"					/* 7 */
	"mpm = {\n"						/* 8 */
	"  module = \"worker\";\n"				/* 9 */
	"  module_dir = \"mods\";\n"				/* 10 */
	"  workers = 3;\n"					/* 11 */
	"  min_spare = 1;\n"					/* 12 */
	"  max_spare = 5;\n"					/* 13 */
	"  server_limit = 10;\n"				/* 14 */
	"  thread_limit = 16;\n"				/* 15 */
	"  threads = 12;\n"					/* 16 */
	"  max_connections = 500;\n"				/* 17 */
	"  graceful_timeout = 7;\n"				/* 18 */
	"};\n"							/* 19 */
	"listen = (\n"						/* 20 */
	"  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; backlog = 100; },\n"
	"  { address = \"::1\"; port = 7007; protocol = \"echo\"; },\n"	/* 22 */
	"  {\n"							/* 23 */
	"    address = \"127.0.0.1\";\n"
	"    port = 7008;\n"
	"    protocol = \"echo\";\n"
	"  }\n"
	");\n";

static void
test_full_valid(void)
{
	const char *path = put("full.conf", full_conf);
	struct conf *c = LOAD_OK(path);
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	STR_EQ(c->path, path);
	STR_EQ(c->dir, realdir);
	CU_ASSERT_EQUAL(c->daemon, false);
	STR_EQ(c->pid_file, join(realdir, "run/t.pid"));
	STR_EQ(c->scoreboard_file, "/var/tmp/mserver-test.sb");
	STR_EQ(c->error_log, join(realdir, "logs/t.log"));
	STR_EQ(c->log_level, "debug");
	CU_ASSERT_EQUAL(c->timeout, 17);

	STR_EQ(c->mpm.module, "worker");
	STR_EQ(c->mpm.module_dir, join(realdir, "mods"));
	CU_ASSERT_EQUAL(c->mpm.workers, 3);
	CU_ASSERT_EQUAL(c->mpm.min_spare, 1);
	CU_ASSERT_EQUAL(c->mpm.max_spare, 5);
	CU_ASSERT_EQUAL(c->mpm.server_limit, 10);
	CU_ASSERT_EQUAL(c->mpm.thread_limit, 16);
	CU_ASSERT_EQUAL(c->mpm.threads, 12);
	CU_ASSERT_EQUAL(c->mpm.max_connections, 500);
	CU_ASSERT_EQUAL(c->mpm.graceful_timeout, 7);
	CU_ASSERT_EQUAL(c->mpm.line, 8);
	CU_ASSERT_EQUAL(c->mpm.module_line, 9);

	CU_ASSERT_EQUAL_FATAL(c->nlisten, 3);
	/* 127.0.0.1:7007, backlog given */
	STR_EQ(c->listen[0].address, "127.0.0.1");
	CU_ASSERT_EQUAL(c->listen[0].port, 7007);
	CU_ASSERT_EQUAL(c->listen[0].backlog, 100);
	CU_ASSERT_EQUAL(c->listen[0].proto, proto_find("echo"));
	CU_ASSERT(c->listen[0].proto >= 0);
	CU_ASSERT_EQUAL(c->listen[0].line, 21);
	STR_EQ(c->listen[0].name, "127.0.0.1:7007");
	CU_ASSERT_EQUAL(c->listen[0].ss.ss_family, AF_INET);
	CU_ASSERT_EQUAL(c->listen[0].sslen, sizeof(struct sockaddr_in));
	sin = (const struct sockaddr_in *)&c->listen[0].ss;
	CU_ASSERT_EQUAL(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	CU_ASSERT_EQUAL(port_of(&c->listen[0]), 7007);
	/* ::1:7007, backlog defaulted */
	STR_EQ(c->listen[1].address, "::1");
	CU_ASSERT_EQUAL(c->listen[1].port, 7007);
	CU_ASSERT_EQUAL(c->listen[1].backlog, 511);
	CU_ASSERT_EQUAL(c->listen[1].line, 22);
	STR_EQ(c->listen[1].name, "[::1]:7007");
	CU_ASSERT_EQUAL(c->listen[1].ss.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(c->listen[1].sslen, sizeof(struct sockaddr_in6));
	sin6 = (const struct sockaddr_in6 *)&c->listen[1].ss;
	CU_ASSERT(memcmp(&sin6->sin6_addr, &in6addr_loopback, sizeof(in6addr_loopback)) == 0);
	CU_ASSERT_EQUAL(port_of(&c->listen[1]), 7007);
	/* multi-line entry: its line is the line of its '{' */
	STR_EQ(c->listen[2].name, "127.0.0.1:7008");
	CU_ASSERT_EQUAL(c->listen[2].port, 7008);
	CU_ASSERT_EQUAL(port_of(&c->listen[2]), 7008);
	CU_ASSERT_EQUAL(c->listen[2].line, 23);
	conf_free(c);
}

static void
test_absolute_paths_kept(void)
{
	struct conf *c = OK(
	    "pid_file = \"/run/abs/p.pid\";\n"
	    "scoreboard_file = \"sb/x.scoreboard\";\n"
	    "error_log = \"/var/log/abs.log\";\n"
	    "mpm = { module_dir = \"/usr/lib/abs-mods\"; };\n"
	    LISTEN);

	STR_EQ(c->pid_file, "/run/abs/p.pid");
	STR_EQ(c->scoreboard_file, join(realdir, "sb/x.scoreboard"));
	STR_EQ(c->error_log, "/var/log/abs.log");
	STR_EQ(c->mpm.module_dir, "/usr/lib/abs-mods");
	CU_ASSERT(c->scoreboard_file != NULL && c->scoreboard_file[0] == '/');
	conf_free(c);
}

static void
test_defaults(void)
{
	struct conf *c = OK(LISTEN);

	CU_ASSERT_EQUAL(c->daemon, true);
	CU_ASSERT_EQUAL(c->timeout, 60);
	STR_EQ(c->pid_file, join(realdir, "run/mserverd.pid"));
	STR_EQ(c->scoreboard_file, join(realdir, "run/mserverd.scoreboard"));
	STR_EQ(c->error_log, join(realdir, "logs/error.log"));
	STR_EQ(c->log_level, "info");
	STR_EQ(c->mpm.module, "prefork");
	CU_ASSERT_PTR_NULL(c->mpm.module_dir);
	CU_ASSERT_EQUAL(c->mpm.workers, 4);
	CU_ASSERT_EQUAL(c->mpm.min_spare, 2);
	CU_ASSERT_EQUAL(c->mpm.max_spare, 8);
	CU_ASSERT_EQUAL(c->mpm.server_limit, 64);
	CU_ASSERT_EQUAL(c->mpm.thread_limit, 64);
	CU_ASSERT_EQUAL(c->mpm.threads, 25);
	CU_ASSERT_EQUAL(c->mpm.max_connections, 10000);
	CU_ASSERT_EQUAL(c->mpm.graceful_timeout, 30);
	CU_ASSERT_EQUAL(c->nlisten, 1);
	CU_ASSERT_EQUAL(c->listen[0].line, 1);
	CU_ASSERT_EQUAL(c->listen[0].backlog, 511);
	conf_free(c);
}

/* Values at the edges of their ranges load; int64 literals in range too. */
static void
test_boundaries_accepted(void)
{
	struct conf *c = OK(
	    "timeout = 86400;\n"
	    "mpm = { workers = 8; server_limit = 8; min_spare = 0; max_spare = 1;\n"
	    "  threads = 20000; thread_limit = 20000; graceful_timeout = 0;\n"
	    "  max_connections = 1000000; };\n"
	    "listen = ( { address = \"127.0.0.1\"; port = 65535; protocol = \"echo\"; backlog = 65535; },\n"
	    "  { address = \"127.0.0.1\"; port = 1; protocol = \"echo\"; backlog = 1; },\n"
	    "  { address = \"127.0.0.1\"; port = 7009L; protocol = \"echo\"; } );\n");

	CU_ASSERT_EQUAL(c->timeout, 86400);
	CU_ASSERT_EQUAL(c->mpm.workers, 8);
	CU_ASSERT_EQUAL(c->mpm.min_spare, 0);
	CU_ASSERT_EQUAL(c->mpm.threads, 20000);
	CU_ASSERT_EQUAL(c->mpm.graceful_timeout, 0);
	CU_ASSERT_EQUAL(c->mpm.max_connections, 1000000);
	CU_ASSERT_EQUAL_FATAL(c->nlisten, 3);
	CU_ASSERT_EQUAL(c->listen[0].port, 65535);
	CU_ASSERT_EQUAL(c->listen[0].backlog, 65535);
	CU_ASSERT_EQUAL(c->listen[1].port, 1);
	CU_ASSERT_EQUAL(c->listen[1].backlog, 1);
	CU_ASSERT_EQUAL(c->listen[2].port, 7009);
	conf_free(c);

	/* A single entry may be written as a group instead of a list. */
	c = OK("listen = { address = \"::1\"; port = 7007; protocol = \"echo\"; };\n");
	CU_ASSERT_EQUAL(c->nlisten, 1);
	STR_EQ(c->listen[0].name, "[::1]:7007");
	conf_free(c);
	conf_free(NULL);
}

/* Whether c has a listener named name serving protocol proto. */
static bool
find_listener(const struct conf *c, const char *name, const char *proto)
{
	int i;

	for (i = 0; i < c->nlisten; i++)
		if (strcmp(c->listen[i].name, name) == 0 && c->listen[i].proto == proto_find(proto))
			return true;
	return false;
}

/* The shipped default configuration must load (when the build says where
 * the sources are). */
static void
test_shipped_config(void)
{
	const char *src = getenv("MSERVER_SRCDIR");
	char path[PATH_MAX];
	struct conf *c;
	struct stat st;

	if (src == NULL) {
		fprintf(stderr, "(MSERVER_SRCDIR unset: shipped config not checked) ");
		return;
	}
	snprintf(path, sizeof(path), "%s/conf/mserver.conf", src);
	c = LOAD_OK(path);
	/* http, echo and chat, each on both loopbacks */
	CU_ASSERT_EQUAL(c->nlisten, 6);
	CU_ASSERT(find_listener(c, "127.0.0.1:7007", "echo"));
	CU_ASSERT(find_listener(c, "[::1]:7007", "echo"));
	CU_ASSERT(find_listener(c, "127.0.0.1:8080", "http"));
	CU_ASSERT(find_listener(c, "[::1]:8080", "http"));
	CU_ASSERT(find_listener(c, "127.0.0.1:7070", "chat"));
	CU_ASSERT(find_listener(c, "[::1]:7070", "chat"));
	STR_EQ(c->mpm.module, "event");
	CU_ASSERT_EQUAL(c->mpm.workers, 2);
	CU_ASSERT(c->pid_file != NULL && c->pid_file[0] == '/');
	check_at(c->http.document_root != NULL && stat(c->http.document_root, &st) == 0 &&
	    S_ISDIR(st.st_mode) && strlen(c->http.document_root) > 12 &&
	    strcmp(c->http.document_root + strlen(c->http.document_root) - 12, "/conf/htdocs") == 0,
	    __LINE__, "document_root %s must be the directory conf/htdocs", c->http.document_root);
	conf_free(c);
}

/* conf_load() through a relative path, from other working directories:
 * the directory is still absolute, messages name the path as given. */
static void
test_relative_path_other_cwd(void)
{
	const char *text =
	    "pid_file = \"run/r.pid\";\n"
	    "mpm = { module_dir = \"m\"; };\n"
	    LISTEN;
	char sub[PATH_MAX];
	struct conf *c;

	snprintf(sub, sizeof(sub), "%s/sub", realdir);
	mkdir_in("sub");
	put("sub/r.conf", text);
	put("sub/bad.conf", LISTEN "bogus = 1;\n");

	CU_ASSERT_FATAL(chdir(tmpdir) == 0);
	c = LOAD_OK("sub/r.conf");
	STR_EQ(c->path, "sub/r.conf");
	STR_EQ(c->dir, sub);
	STR_EQ(c->pid_file, join(sub, "run/r.pid"));
	STR_EQ(c->scoreboard_file, join(sub, "run/mserverd.scoreboard"));
	STR_EQ(c->error_log, join(sub, "logs/error.log"));
	STR_EQ(c->mpm.module_dir, join(sub, "m"));
	conf_free(c);
	err_path("sub/bad.conf", NULL, 2, "unknown key 'bogus'", __LINE__);

	CU_ASSERT_FATAL(chdir("sub") == 0);
	c = LOAD_OK("r.conf");
	STR_EQ(c->dir, sub);
	STR_EQ(c->pid_file, join(sub, "run/r.pid"));
	conf_free(c);
	c = LOAD_OK("./r.conf");
	STR_EQ(c->dir, sub);
	conf_free(c);
	c = LOAD_OK("../sub/r.conf");
	STR_EQ(c->dir, sub);
	STR_EQ(c->pid_file, join(sub, "run/r.pid"));
	conf_free(c);

	CU_ASSERT_FATAL(chdir("/") == 0);
	c = LOAD_OK(join(tmpdir, "sub/r.conf"));
	STR_EQ(c->dir, sub);
	STR_EQ(c->pid_file, join(sub, "run/r.pid"));
	conf_free(c);

	CU_ASSERT(chdir(startcwd) == 0);
}

/* @include names a file relative to the config directory, whatever the
 * working directory. */
static void
test_include(void)
{
	const char *main_path;
	char rel[PATH_MAX];
	struct conf *c;

	mkdir_in("conf.d");
	put("conf.d/part.conf",
	    "pid_file = \"run/inc.pid\";\n"
	    "listen = ( { address = \"127.0.0.1\"; port = 7010; protocol = \"echo\"; } );\n");
	main_path = put("inc_main.conf",
	    "timeout = 9;\n"
	    "@include \"conf.d/part.conf\"\n"
	    "log_level = \"warn\";\n");

	CU_ASSERT_FATAL(chdir("/") == 0);
	c = LOAD_OK(main_path);
	CU_ASSERT_EQUAL(c->timeout, 9);
	STR_EQ(c->log_level, "warn");
	STR_EQ(c->pid_file, join(realdir, "run/inc.pid"));
	CU_ASSERT_EQUAL_FATAL(c->nlisten, 1);
	CU_ASSERT_EQUAL(c->listen[0].port, 7010);
	conf_free(c);

	/* relative path to the main file, from its parent directory */
	CU_ASSERT_FATAL(chdir(tmpdir) == 0 && chdir("..") == 0);
	snprintf(rel, sizeof(rel), "%s/inc_main.conf", strrchr(tmpdir, '/') + 1);
	c = LOAD_OK(rel);
	CU_ASSERT_EQUAL(c->timeout, 9);
	CU_ASSERT_EQUAL(c->nlisten, 1);
	STR_EQ(c->pid_file, join(realdir, "run/inc.pid"));
	conf_free(c);
	CU_ASSERT(chdir(startcwd) == 0);
}

/* An error inside an included file is reported at that file's line. */
static void
test_include_error_location(void)
{
	char err[1024] = "";
	const char *path;
	struct conf *c;

	put("part_bad.conf", "timeout = 5;\nbogus = 1;\n");
	path = put("inc_bad.conf", LISTEN "# comment\n@include \"part_bad.conf\"\n");
	c = conf_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	check_at(strstr(err, "part_bad.conf:2: ") != NULL &&
	    strstr(err, "unknown key 'bogus'") != NULL, __LINE__,
	    "want \"...part_bad.conf:2: unknown key 'bogus'\", got \"%s\"", err);
	conf_free(c);

	/* A missing include is a parse error. */
	path = put("inc_missing.conf", LISTEN "@include \"no_such_part.conf\"\n");
	c = conf_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	check_at(strstr(err, ":2: ") != NULL || strstr(err, ":0: ") != NULL, __LINE__,
	    "missing include: got \"%s\"", err);
	conf_free(c);
}

/* A duplicate listener inside an included file must be reported in the
 * included file, not in the main file at the included file's line. */
static void
test_include_duplicate_location(void)
{
	char err[1024] = "", wrong[PATH_MAX + 8];
	const char *path;
	struct conf *c;

	put("dup_listeners.conf",
	    "listen = (\n"
	    "  { address = \"127.0.0.1\"; port = 7011; protocol = \"echo\"; },\n"
	    "  { address = \"127.0.0.1\"; port = 7011; protocol = \"echo\"; }\n"
	    ");\n");
	path = put("dup_main.conf", "# main\ntimeout = 5;\n@include \"dup_listeners.conf\"\n");
	c = conf_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	conf_free(c);
	snprintf(wrong, sizeof(wrong), "%s:", path);
	check_at(strstr(err, "dup_listeners.conf:3: duplicate listener 127.0.0.1:7011") != NULL &&
	    strncmp(err, wrong, strlen(wrong)) != 0, __LINE__,
	    "want \"...dup_listeners.conf:3: duplicate listener 127.0.0.1:7011 ...\", got \"%s\"",
	    err);
}

/* --------------------------------------------------------------------- */
/* Errors */

static void
test_err_syntax(void)
{
	ERR(LISTEN "timeout = = 5;\n", 2, "syntax error");
	ERR(LISTEN "\n\ntimeout 5;\n", 4, "syntax error");
	ERR(LISTEN "mpm = {\n  workers = 2;\n  workers = 3;\n};\n", 4, "duplicate setting");
}

static void
test_err_unknown_keys(void)
{
	ERR(LISTEN "\nbogus = 1;\n", 3, "unknown key 'bogus'");
	ERR(LISTEN "Timeout = 5;\n", 2, "unknown key 'Timeout'");
	ERR(LISTEN "mpm = {\n  workers = 2;\n  bogus = 3;\n};\n", 4, "unknown key 'bogus'");
	ERR("listen = (\n"
	    "  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  {\n"
	    "    address = \"127.0.0.1\";\n"
	    "    port = 7008;\n"
	    "    protocol = \"echo\";\n"
	    "    host = \"x\";\n"
	    "  }\n"
	    ");\n", 7, "unknown key 'host' in listen entry");
}

static void
test_err_types(void)
{
	ERR(LISTEN "timeout = \"60\";\n", 2, "'timeout' must be an integer, not a string");
	ERR(LISTEN "timeout = 1.5;\n", 2, "'timeout' must be an integer, not a number");
	ERR(LISTEN "daemon = 1;\n", 2, "'daemon' must be a boolean, not an integer");
	ERR(LISTEN "daemon = \"yes\";\n", 2, "'daemon' must be a boolean, not a string");
	ERR(LISTEN "log_level = { x = 1; };\n", 2, "'log_level' must be a string, not a group");
	ERR(LISTEN "pid_file = 5;\n", 2, "'pid_file' must be a string, not an integer");
	ERR(LISTEN "error_log = [ \"a\" ];\n", 2, "'error_log' must be a string, not an array");
	ERR(LISTEN "mpm = {\n  workers = \"4\";\n};\n", 3, "'workers' must be an integer, not a string");
	ERR(LISTEN "mpm = {\n  module = true;\n};\n", 3, "'module' must be a string, not a boolean");
	ERR(LISTEN "mpm = 5;\n", 2, "'mpm' must be a group");
	ERR("listen = 5;\n", 1, "'listen' must be a list");
	ERR("\nlisten = ( 5 );\n", 2, "each 'listen' entry must be a group");
	ERR("listen = (\n  { address = \"127.0.0.1\";\n    port = \"7007\"; protocol = \"echo\"; }\n);\n",
	    3, "'port' must be an integer, not a string");
	ERR("listen = (\n  { address = 127;\n    port = 7007; protocol = \"echo\"; }\n);\n",
	    2, "'address' must be a string, not an integer");
	ERR("listen = (\n  { address = \"::1\"; port = 7007;\n    protocol = 1; }\n);\n",
	    3, "'protocol' must be a string, not an integer");
	ERR("listen = (\n  { address = \"::1\"; port = 7007; protocol = \"echo\";\n backlog = 1.0; }\n);\n",
	    3, "'backlog' must be an integer, not a number");
}

static void
test_err_ranges(void)
{
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 0; protocol = \"echo\"; }\n);\n",
	    2, "'port' = 0 is out of range [1, 65535]");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 70000; protocol = \"echo\"; }\n);\n",
	    2, "'port' = 70000 is out of range");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 65536; protocol = \"echo\"; }\n);\n",
	    2, "'port' = 65536 is out of range");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = -1; protocol = \"echo\"; }\n);\n",
	    2, "'port' = -1 is out of range");
	/* an int64 that a cast to int would bring back into range */
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 4294974303L; protocol = \"echo\"; }\n);\n",
	    2, "'port' = 4294974303 is out of range");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\";\n"
	    "    backlog = 0; }\n);\n", 3, "'backlog' = 0 is out of range");
	ERR(LISTEN "mpm = {\n  workers = 0;\n};\n", 3, "'workers' = 0 is out of range [1, 20000]");
	ERR(LISTEN "mpm = {\n  workers = 20001;\n};\n", 3, "'workers' = 20001 is out of range");
	ERR(LISTEN "timeout = -5;\n", 2, "'timeout' = -5 is out of range [1, 86400]");
	ERR(LISTEN "timeout = 0;\n", 2, "'timeout' = 0 is out of range");
	ERR(LISTEN "timeout = 86401;\n", 2, "'timeout' = 86401 is out of range");
	ERR(LISTEN "timeout = 4294967297L;\n", 2, "'timeout' = 4294967297 is out of range");
	ERR(LISTEN "timeout = 9223372036854775807L;\n", 2,
	    "'timeout' = 9223372036854775807 is out of range");
	ERR(LISTEN "timeout = -9223372036854775807L;\n", 2, "is out of range");
	ERR(LISTEN "mpm = { graceful_timeout = -1; };\n", 2, "'graceful_timeout' = -1 is out of range [0, 86400]");
	ERR(LISTEN "mpm = { min_spare = -1; };\n", 2, "'min_spare' = -1 is out of range");
	ERR(LISTEN "mpm = { max_spare = 0; };\n", 2, "'max_spare' = 0 is out of range");
	ERR(LISTEN "mpm = { server_limit = 0; };\n", 2, "'server_limit' = 0 is out of range");
	ERR(LISTEN "mpm = { thread_limit = 20001; };\n", 2, "'thread_limit' = 20001 is out of range");
	ERR(LISTEN "mpm = { threads = 0; };\n", 2, "'threads' = 0 is out of range");
	ERR(LISTEN "mpm = { max_connections = 0; };\n", 2, "'max_connections' = 0 is out of range");
}

/* libconfig 1.5 keeps the low 32 bits of a literal without L: those that
 * wrap must still be refused, shown as written, and hex and L literals
 * that fit must still load. */
static void
test_err_wrapped_literals(void)
{
	char err[1024] = "";
	const char *path;
	struct conf *c;

	ERR(LISTEN "mpm = {\n  workers = 4294967298;\n};\n", 3,
	    "'workers' = 4294967298 is out of range [1, 20000]");
	ERR(LISTEN "timeout = 99999999999;\n", 2, "'timeout' = 99999999999 is out of range");
	ERR(LISTEN "timeout = -4294967295;\n", 2, "'timeout' = -4294967295 is out of range");
	ERR(LISTEN "timeout = 0xFFFFFFFF;\n", 2, "'timeout' = 0xFFFFFFFF is out of range");
	ERR(LISTEN "timeout = 2147483648;\n", 2, "'timeout' = 2147483648 is out of range");
	ERR("listen = (\n  { address = \"127.0.0.1\"; protocol = \"echo\"; port = 4294974303; }\n);\n",
	    2, "'port' = 4294974303 is out of range [1, 65535]");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; "
	    "backlog = 4294967396; }\n);\n", 2, "'backlog' = 4294967396 is out of range");
	ERR(LISTEN "chat = { max_line = 4294971392; };\n", 2, "'max_line' = 4294971392 is out of range");

	c = OK(LISTEN "timeout = 0x10;\nmpm = { workers = 3L; max_connections = 0xF4240; };\n");
	CU_ASSERT_EQUAL(c->timeout, 16);
	CU_ASSERT_EQUAL(c->mpm.workers, 3);
	CU_ASSERT_EQUAL(c->mpm.max_connections, 1000000);
	conf_free(c);

	/* In an included file, the literal is read from that file, even where
	 * the main file has the same key on the same line number. */
	put("part_wrap.conf", "timeout = 4294967301;\n");
	path = put("inc_wrap.conf", "@include \"part_wrap.conf\"\n" LISTEN);
	c = conf_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	check_at(strstr(err, "part_wrap.conf:1: 'timeout' = 4294967301 is out of range") != NULL,
	    __LINE__, "wrapped literal in an include: got \"%s\"", err);
	conf_free(c);
	put("part_ok.conf", "workers = 3;\n");
	c = LOAD_OK(put("inc_ok.conf", "# workers = 9\nmpm = {\n@include \"part_ok.conf\"\n};\n" LISTEN));
	CU_ASSERT_EQUAL(c->mpm.workers, 3);
	conf_free(c);
}

static void
test_err_empty_string(void)
{
	ERR(LISTEN "pid_file = \"\";\n", 2, "'pid_file' must not be empty");
	ERR(LISTEN "scoreboard_file = \"\";\n", 2, "'scoreboard_file' must not be empty");
	ERR(LISTEN "error_log = \"\";\n", 2, "'error_log' must not be empty");
	ERR(LISTEN "log_level = \"\";\n", 2, "'log_level' must not be empty");
	ERR(LISTEN "mpm = {\n  module = \"\";\n};\n", 3, "'module' must not be empty");
	ERR(LISTEN "mpm = {\n  module_dir = \"\";\n};\n", 3, "'module_dir' must not be empty");
}

/* Checks across keys: at the line of the first key named, else of mpm. */
static void
test_err_cross_keys(void)
{
	struct conf *c;

	ERR(LISTEN "mpm = {\n  min_spare = 5;\n  max_spare = 3;\n};\n", 3,
	    "mpm.min_spare (5) is greater than mpm.max_spare (3)");
	ERR(LISTEN "\nmpm = {\n  max_spare = 1;\n};\n", 3,		/* default min 2 */
	    "mpm.min_spare (2) is greater than mpm.max_spare (1)");
	ERR(LISTEN "mpm = {\n  server_limit = 8;\n  workers = 10;\n};\n", 4,
	    "mpm.workers (10) exceeds mpm.server_limit (8)");
	ERR(LISTEN "mpm = {\n  server_limit = 2;\n};\n", 2,		/* default workers 4 */
	    "mpm.workers (4) exceeds mpm.server_limit (2)");
	/* threads vs thread_limit is the MPM's business (mpm_load): only the
	 * worker MPM uses threads, so prefork with a small limit is valid. */
	c = OK(LISTEN "mpm = {\n  threads = 20;\n  thread_limit = 10;\n};\n");
	CU_ASSERT_EQUAL(c->mpm.threads, 20);
	conf_free(c);
	ERR(LISTEN "mpm = { server_limit = 2000;\n thread_limit = 2000; workers = 1; };\n", 2,
	    "exceeds 1048576 scoreboard slots");
	/* equal values are fine */
	c = OK(LISTEN "mpm = { min_spare = 3; max_spare = 3; workers = 5; server_limit = 5;\n"
	    "  threads = 7; thread_limit = 7; };\n");
	CU_ASSERT_EQUAL(c->mpm.max_spare, 3);
	CU_ASSERT_EQUAL(c->mpm.server_limit, 5);
	CU_ASSERT_EQUAL(c->mpm.thread_limit, 7);
	conf_free(c);
}

static void
test_err_listen_missing(void)
{
	ERR("timeout = 5;\n", 0, "no 'listen' entry");
	ERR("", 0, "no 'listen' entry");
	ERR("timeout = 5;\nlisten = ( );\n", 0, "no 'listen' entry");
}

static void
test_err_listen_entry_incomplete(void)
{
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"127.0.0.1\"; protocol = \"echo\"; }\n);\n",
	    3, "listen entry needs 'address', 'port' and 'protocol'");
	ERR("listen = (\n\n  { port = 7007; protocol = \"echo\"; }\n);\n",
	    3, "listen entry needs 'address', 'port' and 'protocol'");
	ERR("listen = (\n  {\n    address = \"127.0.0.1\";\n    port = 7007;\n  }\n);\n",
	    2, "listen entry needs 'address', 'port' and 'protocol'");
	ERR("listen = ( { } );\n", 1, "listen entry needs");
}

static void
test_err_protocol(void)
{
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 7007; protocol = \"gopher\"; }\n);\n",
	    2, "unknown protocol 'gopher' (known: chat, echo, http)");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 7007; protocol = \"ECHO\"; }\n);\n",
	    2, "unknown protocol 'ECHO'");
	ERR("listen = (\n  { address = \"127.0.0.1\"; port = 7007; protocol = \"\"; }\n);\n",
	    2, "unknown protocol ''");
}

static void
test_err_resolve(void)
{
	ERR("listen = (\n  { address = \"::1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"no-such-host.invalid\"; port = 7007; protocol = \"echo\"; }\n);\n",
	    3, "cannot resolve address 'no-such-host.invalid'");
	ERR("listen = (\n  { address = \"[::1]\"; port = 7007; protocol = \"echo\"; }\n);\n",
	    2, "cannot resolve address '[::1]'");
}

static void
test_err_duplicate(void)
{
	ERR("listen = (\n"
	    "  {\n"
	    "    address = \"127.0.0.1\"; port = 7007; protocol = \"echo\";\n"
	    "  },\n"
	    "  { address = \"127.0.0.1\"; port = 7008; protocol = \"echo\"; },\n"
	    "  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; }\n"
	    ");\n", 6, "duplicate listener 127.0.0.1:7007 (first at line 2)");
	/* two spellings of one IPv6 address */
	ERR("listen = (\n"
	    "  { address = \"::1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"0:0:0:0:0:0:0:1\"; port = 7007; protocol = \"echo\"; }\n"
	    ");\n", 3, "duplicate listener [::1]:7007 (first at line 2)");
}

static void
test_ipv4_ipv6_not_duplicate(void)
{
	struct conf *c = OK(
	    "listen = (\n"
	    "  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"::1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"::ffff:127.0.0.1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"127.0.0.1\"; port = 7008; protocol = \"echo\"; }\n"
	    ");\n");

	CU_ASSERT_EQUAL(c->nlisten, 4);
	STR_EQ(c->listen[0].name, "127.0.0.1:7007");
	STR_EQ(c->listen[1].name, "[::1]:7007");
	CU_ASSERT_EQUAL(c->listen[2].ss.ss_family, AF_INET6);
	conf_free(c);
}

static void
test_err_too_many_listeners(void)
{
	char *text = malloc(200 * (CONF_MAX_LISTEN + 4));
	size_t n = 0;
	struct conf *c;
	int i;

	CU_ASSERT_FATAL(text != NULL);
	n += (size_t)sprintf(text + n, "listen = (\n");		/* line 1 */
	for (i = 0; i < CONF_MAX_LISTEN; i++)			/* lines 2..65 */
		n += (size_t)sprintf(text + n, "  { address = \"127.0.0.1\"; port = %d; protocol = \"echo\"; },\n",
		    10000 + i);
	strcpy(text + n - 2, "\n);\n");
	c = OK(text);
	CU_ASSERT_EQUAL(c->nlisten, CONF_MAX_LISTEN);
	CU_ASSERT_EQUAL(c->listen[CONF_MAX_LISTEN - 1].line, CONF_MAX_LISTEN + 1);
	conf_free(c);
	sprintf(text + n - 2, ",\n  { address = \"::1\"; port = 9999; protocol = \"echo\"; }\n);\n");
	ERR(text, CONF_MAX_LISTEN + 2, "too many listen entries (at most 64)");
	free(text);
}

static void
test_err_log_level(void)
{
	ERR(LISTEN "\nlog_level = \"verbose\";\n", 3, "log_level must be one of error, warn, info, debug");
	ERR(LISTEN "log_level = \"INFO\";\n", 2, "log_level must be one of");
}

static void
test_err_nonexistent_file(void)
{
	const char *path = join(tmpdir, "no-such.conf");

	err_path(path, NULL, 0, "No such file or directory", __LINE__);
	err_path("relative/no-such.conf", NULL, 0, "cannot read config file", __LINE__);
}

/* Run fn(arg) in a child (a crash or exit() there would take the whole
 * test program down); fn writes a description to fd and returns 0 when
 * all is well. Returns the child's wait status; *msg gets its description. */
static int
in_child(int (*fn)(const char *, int), const char *arg, char *msg, size_t len)
{
	int status, fds[2];
	ssize_t n;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0) {
		close(fds[0]);
		_exit(fn(arg, fds[1]));
	}
	close(fds[1]);
	n = read(fds[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
	return status;
}

static int
child_load_dir(const char *dir, int fd)
{
	char err[512] = "", want[PATH_MAX + 8];
	struct conf *c = conf_load(dir, err, sizeof(err));

	snprintf(want, sizeof(want), "%s:0: ", dir);
	dprintf(fd, "%s", c != NULL ? "conf_load succeeded" : err);
	return c == NULL && strncmp(err, want, strlen(want)) == 0 ? 0 : 1;
}

static int
child_locate_dir(const char *dir, int fd)
{
	struct conf_where w;
	int rc = conf_locate(dir, &w);

	dprintf(fd, "conf_locate returned %d", rc);
	return rc == 0 || rc == -1 ? 0 : 1;
}

#define CHILD_OK(status, what, msg) \
	check_at(WIFEXITED(status) && WEXITSTATUS(status) == 0, __LINE__, \
	    "%s; the child %s %d, message \"%s\"", (what), \
	    WIFEXITED(status) ? "exited with status" : "was killed by signal", \
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), (msg))

/* A directory given as the config file: conf_load() must return NULL with
 * "DIR:0: ...", conf_locate() must return (0 or -1) rather than exit. */
static void
test_err_directory(void)
{
	const char *dir = join(tmpdir, "a-directory.conf");
	char msg[1024];
	int status;

	CU_ASSERT_FATAL(mkdir(dir, 0755) == 0 || errno == EEXIST);
	status = in_child(child_load_dir, dir, msg, sizeof(msg));
	CHILD_OK(status, "conf_load(directory) must return NULL with \"DIR:0: ...\"", msg);
	status = in_child(child_locate_dir, dir, msg, sizeof(msg));
	CHILD_OK(status, "conf_locate(directory) must return", msg);
}

/* A file that cannot be read (meaningless as root, who reads anything). */
static void
test_err_unreadable(void)
{
	const char *path = put("unreadable.conf", LISTEN);

	if (geteuid() == 0) {
		fprintf(stderr, "(running as root: not checked) ");
		return;
	}
	CU_ASSERT_FATAL(chmod(path, 0) == 0);
	err_path(path, NULL, 0, "Permission denied", __LINE__);
}

/* --------------------------------------------------------------------- */
/* The http group */

/* One http listener; its entry is at line 1 of the file. */
#define HTTP_LISTEN \
	"listen = ( { address = \"127.0.0.1\"; port = 8080; protocol = \"http\"; } );\n"

/* allow entry i is family/bits with the address text addr. */
#define CIDR_IS(h, i, fam, text, nbits)	cidr_is((h), (i), (fam), (text), (nbits), __LINE__)

static void
cidr_is(const struct conf_http *h, int i, int fam, const char *text, int bits, int line)
{
	unsigned char want[16] = { 0 };
	char got[INET6_ADDRSTRLEN] = "?";

	CU_ASSERT_FATAL(inet_pton(fam, text, want) == 1);
	if (i < h->nallow)
		inet_ntop(h->allow[i].family, h->allow[i].addr, got, sizeof(got));
	check_at(i < h->nallow && h->allow[i].family == fam && h->allow[i].bits == bits &&
	    memcmp(h->allow[i].addr, want, 16) == 0, line,
	    "allow[%d]: got %s/%d (family %d), want %s/%d", i, got,
	    i < h->nallow ? h->allow[i].bits : -1, i < h->nallow ? h->allow[i].family : -1,
	    text, bits);
}

static const char http_full_conf[] =
	LISTEN							/* 1 */
	"http = {\n"						/* 2 */
	"  document_root = \"site\";\n"				/* 3 */
	"  index = \"default.htm\";\n"				/* 4 */
	"  access_log = \"/var/log/mserver/a.log\";\n"		/* 5 */
	"  mime_types = \"my.types\";\n"			/* 6 */
	"  keepalive_timeout = 0;\n"				/* 7 */
	"  keepalive_requests = 1;\n"				/* 8 */
	"  request_timeout = 3600;\n"				/* 9 */
	"  max_request_line = 256;\n"				/* 10 */
	"  max_header_size = 131072;\n"			/* 11 */
	"  server_tokens = false;\n"				/* 12 */
	"  server_status = false;\n"				/* 13 */
	"  metrics = false;\n"					/* 14 */
	"  status_allow = [ \"10.1.2.3/8\", \"192.168.1.7\", \"fd00::/8\",\n"
	"    \"2001:db8::1\", \"0.0.0.0/0\", \"::/0\", \"10.31.255.255/12\",\n"
	"    \"2001:db8:ffff::/33\" ];\n"
	"};\n";

static void
test_http_full(void)
{
	const char *path;
	const struct conf_http *h;
	struct conf *c;

	mkdir_in("site");
	put("my.types", "text/x-mine mine\n");
	path = put("http_full.conf", http_full_conf);
	c = LOAD_OK(path);
	h = &c->http;
	STR_EQ(h->document_root, join(realdir, "site"));
	STR_EQ(h->index, "default.htm");
	STR_EQ(h->access_log, "/var/log/mserver/a.log");
	STR_EQ(h->mime_types, join(realdir, "my.types"));
	CU_ASSERT_EQUAL(h->keepalive_timeout, 0);
	CU_ASSERT_EQUAL(h->keepalive_requests, 1);
	CU_ASSERT_EQUAL(h->request_timeout, 3600);
	CU_ASSERT_EQUAL(h->max_request_line, 256);
	CU_ASSERT_EQUAL(h->max_header_size, 131072);
	CU_ASSERT_EQUAL(h->server_tokens, false);
	CU_ASSERT_EQUAL(h->server_status, false);
	CU_ASSERT_EQUAL(h->metrics, false);
	STR_EQ(h->file, path);
	CU_ASSERT_EQUAL(h->line, 2);
	CU_ASSERT_EQUAL_FATAL(h->nallow, 8);
	CIDR_IS(h, 0, AF_INET, "10.0.0.0", 8);		/* host bits cleared */
	CIDR_IS(h, 1, AF_INET, "192.168.1.7", 32);
	CIDR_IS(h, 2, AF_INET6, "fd00::", 8);
	CIDR_IS(h, 3, AF_INET6, "2001:db8::1", 128);
	CIDR_IS(h, 4, AF_INET, "0.0.0.0", 0);
	CIDR_IS(h, 5, AF_INET6, "::", 0);
	CIDR_IS(h, 6, AF_INET, "10.16.0.0", 12);
	CIDR_IS(h, 7, AF_INET6, "2001:db8:8000::", 33);
	conf_free(c);
}

static void
test_http_defaults(void)
{
	struct conf *c = OK(LISTEN);
	const struct conf_http *h = &c->http;

	STR_EQ(h->document_root, join(realdir, "htdocs"));
	STR_EQ(h->index, "index.html");
	STR_EQ(h->access_log, join(realdir, "logs/access.log"));
	STR_EQ(h->mime_types, "/etc/mime.types");
	CU_ASSERT_EQUAL(h->keepalive_timeout, 5);
	CU_ASSERT_EQUAL(h->keepalive_requests, 1000);
	CU_ASSERT_EQUAL(h->request_timeout, 10);
	CU_ASSERT_EQUAL(h->max_request_line, 8192);
	CU_ASSERT_EQUAL(h->max_header_size, 16384);
	CU_ASSERT_EQUAL(h->server_tokens, true);
	CU_ASSERT_EQUAL(h->server_status, true);
	CU_ASSERT_EQUAL(h->metrics, true);
	STR_EQ(h->file, join(tmpdir, "ok.conf"));
	CU_ASSERT_EQUAL(h->line, 0);
	CU_ASSERT_EQUAL_FATAL(h->nallow, 2);
	CIDR_IS(h, 0, AF_INET, "127.0.0.1", 32);
	CIDR_IS(h, 1, AF_INET6, "::1", 128);
	conf_free(c);

	/* an empty group: the defaults, and the group's line */
	c = OK(LISTEN "\nhttp = { };\n");
	STR_EQ(c->http.index, "index.html");
	CU_ASSERT_EQUAL(c->http.keepalive_timeout, 5);
	CU_ASSERT_EQUAL(c->http.nallow, 2);
	CU_ASSERT_EQUAL(c->http.line, 3);
	conf_free(c);
}

/* The other ends of the ranges, int64 literals, "off", an empty
 * status_allow and a list instead of an array. */
static void
test_http_values(void)
{
	struct conf *c = OK(LISTEN
	    "http = { keepalive_timeout = 3600; keepalive_requests = 1000000L;\n"
	    "  request_timeout = 1; max_request_line = 65536; max_header_size = 256;\n"
	    "  access_log = \"off\"; status_allow = [ ]; index = \".index.html\"; };\n");

	CU_ASSERT_EQUAL(c->http.keepalive_timeout, 3600);
	CU_ASSERT_EQUAL(c->http.keepalive_requests, 1000000);
	CU_ASSERT_EQUAL(c->http.request_timeout, 1);
	CU_ASSERT_EQUAL(c->http.max_request_line, 65536);
	CU_ASSERT_EQUAL(c->http.max_header_size, 256);
	CU_ASSERT_PTR_NULL(c->http.access_log);
	CU_ASSERT_EQUAL(c->http.nallow, 0);
	STR_EQ(c->http.index, ".index.html");
	conf_free(c);

	/* "off" exactly: any other spelling is a file name */
	c = OK(LISTEN "http = { access_log = \"./off\"; };\n");
	STR_EQ(c->http.access_log, join(realdir, "./off"));
	conf_free(c);
	c = OK(LISTEN "http = { access_log = \"OFF\"; status_allow = ( \"::1\", \"127.0.0.0/8\" ); };\n");
	STR_EQ(c->http.access_log, join(realdir, "OFF"));
	CU_ASSERT_EQUAL(c->http.nallow, 2);
	CIDR_IS(&c->http, 0, AF_INET6, "::1", 128);
	CIDR_IS(&c->http, 1, AF_INET, "127.0.0.0", 8);
	conf_free(c);
}

/* An http group in an included file records that file. */
static void
test_http_include(void)
{
	char err[1024] = "";
	struct conf *c;

	put("http_part.conf", "# part\nhttp = {\n  index = \"i.html\";\n};\n");
	c = LOAD_OK(put("http_inc.conf", LISTEN "@include \"http_part.conf\"\n"));
	STR_EQ(c->http.index, "i.html");
	check_at(c->http.file != NULL && strstr(c->http.file, "http_part.conf") != NULL,
	    __LINE__, "http.file: got %s", c->http.file ? c->http.file : "(null)");
	CU_ASSERT_EQUAL(c->http.line, 2);
	conf_free(c);
	put("http_part_bad.conf", "http = {\n  index = 5;\n};\n");
	c = conf_load(put("http_inc_bad.conf", LISTEN "@include \"http_part_bad.conf\"\n"),
	    err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	check_at(strstr(err, "http_part_bad.conf:2: 'index' must be a string") != NULL, __LINE__,
	    "want \"...http_part_bad.conf:2: 'index' must be a string...\", got \"%s\"", err);
}

static void
test_http_err_types(void)
{
	ERR(LISTEN "http = 5;\n", 2, "'http' must be a group { ... }");
	ERR(LISTEN "http = ( 1 );\n", 2, "'http' must be a group");
	ERR(LISTEN "http = {\n  keepalive_timeout = \"5\";\n};\n", 3,
	    "'keepalive_timeout' must be an integer, not a string");
	ERR(LISTEN "http = {\n  keepalive_requests = 1.0;\n};\n", 3,
	    "'keepalive_requests' must be an integer, not a number");
	ERR(LISTEN "http = {\n  request_timeout = true;\n};\n", 3,
	    "'request_timeout' must be an integer, not a boolean");
	ERR(LISTEN "http = {\n  max_request_line = \"8k\";\n};\n", 3,
	    "'max_request_line' must be an integer, not a string");
	ERR(LISTEN "http = {\n  max_header_size = [ 1 ];\n};\n", 3,
	    "'max_header_size' must be an integer, not an array");
	ERR(LISTEN "http = {\n  server_tokens = 1;\n};\n", 3,
	    "'server_tokens' must be a boolean, not an integer");
	ERR(LISTEN "http = {\n  server_status = \"on\";\n};\n", 3,
	    "'server_status' must be a boolean, not a string");
	ERR(LISTEN "http = {\n  metrics = { };\n};\n", 3, "'metrics' must be a boolean, not a group");
	ERR(LISTEN "http = {\n  document_root = true;\n};\n", 3,
	    "'document_root' must be a string, not a boolean");
	ERR(LISTEN "http = {\n  index = 5;\n};\n", 3, "'index' must be a string, not an integer");
	ERR(LISTEN "http = {\n  access_log = [ \"a\" ];\n};\n", 3,
	    "'access_log' must be a string, not an array");
	ERR(LISTEN "http = {\n  mime_types = 1.5;\n};\n", 3, "'mime_types' must be a string, not a number");
	ERR(LISTEN "http = {\n  status_allow = \"127.0.0.1\";\n};\n", 3,
	    "'status_allow' must be an array [ \"ADDRESS[/BITS]\", ... ], not a string");
	ERR(LISTEN "http = {\n  status_allow = { a = 1; };\n};\n", 3,
	    "'status_allow' must be an array");
	ERR(LISTEN "http = {\n  status_allow = [ 1, 2 ];\n};\n", 3,
	    "each 'status_allow' entry must be a string, not an integer");
	ERR(LISTEN "http = {\n  status_allow = (\n    \"::1\",\n    true,\n    \"127.0.0.1\" );\n};\n", 5,
	    "each 'status_allow' entry must be a string, not a boolean");
}

static void
test_http_err_ranges(void)
{
	static const struct { const char *key; long long lo, hi; } keys[] = {
		{ "keepalive_timeout", 0, 3600 },
		{ "keepalive_requests", 1, 1000000 },
		{ "request_timeout", 1, 3600 },
		{ "max_request_line", 256, 65536 },
		{ "max_header_size", 256, 131072 },
	};
	char text[512], msg[256];
	size_t i;
	int j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		for (j = 0; j < 3; j++) {
			long long v = j == 0 ? keys[i].lo - 1 : j == 1 ? keys[i].hi + 1 : 4294967296LL + keys[i].lo;

			snprintf(text, sizeof(text), LISTEN "http = {\n  %s = %lldL;\n};\n", keys[i].key, v);
			snprintf(msg, sizeof(msg), "'%s' = %lld is out of range [%lld, %lld]",
			    keys[i].key, v, keys[i].lo, keys[i].hi);
			ERR(text, 3, msg);
		}
}

static void
test_http_err_strings(void)
{
	ERR(LISTEN "http = {\n  document_root = \"\";\n};\n", 3, "'document_root' must not be empty");
	ERR(LISTEN "http = {\n  index = \"\";\n};\n", 3, "'index' must not be empty");
	ERR(LISTEN "http = {\n  access_log = \"\";\n};\n", 3, "'access_log' must not be empty");
	ERR(LISTEN "http = {\n  mime_types = \"\";\n};\n", 3, "'mime_types' must not be empty");
	ERR(LISTEN "http = {\n  index = \"a/index.html\";\n};\n", 3,
	    "'index' must be a file name, without '/'");
	ERR(LISTEN "http = {\n  index = \"/index.html\";\n};\n", 3, "'index' must be a file name");
	ERR(LISTEN "http = {\n  index = \"index.html/\";\n};\n", 3, "'index' must be a file name");
	ERR(LISTEN "http = {\n  index = \".\";\n};\n", 3, "'index' must be a file name");
	ERR(LISTEN "http = {\n  index = \"..\";\n};\n", 3, "'index' must be a file name");
}

/* The chat group: defaults, every key, ranges, the ring-size rule. */
static void
test_chat_keys(void)
{
	static const struct { const char *key; long long lo, hi; } keys[] = {
		{ "max_line", 64, 131072 },
		{ "max_clients", 1, 1048576 },
		{ "max_rooms", 1, 65535 },
		{ "bus_size", 65536, 1073741824 },
		{ "max_lag", 1, 100000000 },
		{ "idle_timeout", 1, 604800 },
	};
	char text[512], msg[256];
	struct conf *c = OK(LISTEN);
	size_t i;
	int j;

	CU_ASSERT_EQUAL(c->chat.max_line, 4096);
	CU_ASSERT_EQUAL(c->chat.max_clients, 16384);
	CU_ASSERT_EQUAL(c->chat.max_rooms, 1024);
	CU_ASSERT_EQUAL(c->chat.bus_size, 8 << 20);
	CU_ASSERT_EQUAL(c->chat.max_lag, 16384);
	CU_ASSERT_EQUAL(c->chat.idle_timeout, 3600);
	conf_free(c);
	c = OK(LISTEN "chat = { max_line = 100; max_clients = 7; max_rooms = 3;\n"
	    "  bus_size = 65536; max_lag = 9; idle_timeout = 5; };\n");
	CU_ASSERT_EQUAL(c->chat.max_line, 100);
	CU_ASSERT_EQUAL(c->chat.max_clients, 7);
	CU_ASSERT_EQUAL(c->chat.max_rooms, 3);
	CU_ASSERT_EQUAL(c->chat.bus_size, 65536);
	CU_ASSERT_EQUAL(c->chat.max_lag, 9);
	CU_ASSERT_EQUAL(c->chat.idle_timeout, 5);
	CU_ASSERT_EQUAL(c->chat.line, 2);
	conf_free(c);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		for (j = 0; j < 2; j++) {
			long long v = j == 0 ? keys[i].lo - 1 : keys[i].hi + 1;

			snprintf(text, sizeof(text), LISTEN "chat = {\n  %s = %lldL;\n};\n", keys[i].key, v);
			snprintf(msg, sizeof(msg), "'%s' = %lld is out of range [%lld, %lld]",
			    keys[i].key, v, keys[i].lo, keys[i].hi);
			ERR(text, 3, msg);
		}
	ERR(LISTEN "chat = 5;\n", 2, "'chat' must be a group { ... }");
	ERR(LISTEN "chat = {\n  rooms = 5;\n};\n", 3, "unknown key 'rooms'");
	ERR(LISTEN "chat = {\n  max_line = 8192;\n  bus_size = 65536;\n};\n", 4,
	    "chat.bus_size (65536) must be at least 16 x (chat.max_line + 128)");
}

static void
test_http_err_unknown_key(void)
{
	ERR(LISTEN "http = {\n  index = \"i.html\";\n  root = \"x\";\n};\n", 4, "unknown key 'root'");
	ERR(LISTEN "http = {\n  Index = \"i.html\";\n};\n", 3, "unknown key 'Index'");
	ERR(LISTEN "http = {\n  keepalive = 5;\n};\n", 3, "unknown key 'keepalive'");
	/* listen keys do not belong in http, nor http keys at the top */
	ERR(LISTEN "http = {\n  port = 80;\n};\n", 3, "unknown key 'port'");
	ERR(LISTEN "\ndocument_root = \"htdocs\";\n", 3, "unknown key 'document_root'");
}

static void
test_http_err_cidr(void)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "::1/129", "1.2.3", "10.0.0.0/", "/8", "10.0.0.0/8x",
		"localhost", "fd00::/-1", "", " 127.0.0.1", "127.0.0.1 ", "10.0.0.0/8/8",
		"1.2.3.4.5", "::1/+8", "10.0.0.0/1234", "256.0.0.1", "fe80::1%lo",
		"10.0.0.0/ 8", "::ffff:1.2.3.4.5", "[::1]", "1:2:3:4:5:6:7:8:9",
		"127.0.0.1/99999999999999999999",
	};
	char text[2048], msg[256];
	size_t i;
	int n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), LISTEN "http = {\n  status_allow = [ \"::1\", \"%s\" ];\n};\n",
		    bad[i]);
		snprintf(msg, sizeof(msg), "'status_allow' entry '%s' is not an address or prefix", bad[i]);
		ERR(text, 3, msg);
	}
	/* the line of the entry at fault */
	ERR(LISTEN "http = {\n  status_allow = [\n    \"127.0.0.1\",\n    \"10.0.0.300\",\n"
	    "    \"::1\"\n  ];\n};\n", 5, "'status_allow' entry '10.0.0.300'");
	/* at most CONF_MAX_ALLOW entries */
	n = snprintf(text, sizeof(text), LISTEN "http = {\n  status_allow = [ \"10.0.0.0\"");
	for (i = 1; i < CONF_MAX_ALLOW; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, ", \"10.0.0.%zu\"", i);
	snprintf(text + n, sizeof(text) - (size_t)n, " ];\n};\n");
	conf_free(OK(text));
	snprintf(text + n, sizeof(text) - (size_t)n, ", \"::1\" ];\n};\n");
	ERR(text, 3, "'status_allow' has 33 entries (at most 32)");
}

/* A configured mime.types must be a readable file (whatever the
 * listeners); the default may be missing. */
static void
test_http_mime_types(void)
{
	struct conf *c;
	char want[PATH_MAX + 64];

	snprintf(want, sizeof(want), "cannot read mime_types %s: No such file or directory",
	    join(realdir, "nope.types"));
	ERR(LISTEN "http = {\n  index = \"i.html\";\n  mime_types = \"nope.types\";\n};\n", 4, want);
	ERR(LISTEN "http = {\n  mime_types = \"/nonexistent/mime.types\";\n};\n", 3,
	    "cannot read mime_types /nonexistent/mime.types");
	mkdir_in("types.d");
	snprintf(want, sizeof(want), "mime_types %s is not a regular file", join(realdir, "types.d"));
	ERR(LISTEN "http = {\n  mime_types = \"types.d\";\n};\n", 3, want);

	put("ok.types", "text/x-a a\n");
	c = OK(LISTEN "http = { mime_types = \"ok.types\"; };\n");
	STR_EQ(c->http.mime_types, join(realdir, "ok.types"));
	conf_free(c);
	if (access("/etc/mime.types", R_OK) == 0) {
		c = OK(LISTEN "http = { mime_types = \"/etc/mime.types\"; };\n");
		conf_free(c);
	}
	if (geteuid() != 0) {
		CU_ASSERT_FATAL(chmod(join(tmpdir, "ok.types"), 0) == 0);
		ERR(LISTEN "http = {\n  mime_types = \"ok.types\";\n};\n", 3,
		    "cannot read mime_types");
	}
}

/* The document root must exist, be a directory and be searchable, but
 * only when some listener serves http. */
static void
test_http_document_root(void)
{
	const char *path;
	char want[PATH_MAX + 64];
	struct conf *c;

	mkdir_in("dr");
	/* no http listener: never checked */
	c = OK(LISTEN "http = { document_root = \"no-such-dir\"; };\n");
	STR_EQ(c->http.document_root, join(realdir, "no-such-dir"));
	conf_free(c);
	conf_free(LOAD_OK(put("dr/echo.conf", LISTEN)));		/* no htdocs there */
	CU_ASSERT_NOT_EQUAL_FATAL(proto_find("http"), -1);

	snprintf(want, sizeof(want), "document_root %s: No such file or directory",
	    join(realdir, "no-such-dir"));
	ERR(HTTP_LISTEN "http = {\n  index = \"i.html\";\n  document_root = \"no-such-dir\";\n};\n",
	    4, want);
	put("plain-file", "x");
	snprintf(want, sizeof(want), "document_root %s is not a directory", join(realdir, "plain-file"));
	ERR(HTTP_LISTEN "http = {\n  document_root = \"plain-file\";\n};\n", 3, want);

	/* the default: at the http group, else at the first http listener */
	snprintf(want, sizeof(want), "document_root %s/dr/htdocs: No such file or directory", realdir);
	path = put("dr/a.conf", "\nhttp = {\n  index = \"i.html\";\n};\n" HTTP_LISTEN);
	err_path(path, NULL, 2, want, __LINE__);
	path = put("dr/b.conf", "timeout = 5;\nlisten = (\n"
	    "  { address = \"127.0.0.1\"; port = 7007; protocol = \"echo\"; },\n"
	    "  { address = \"127.0.0.1\"; port = 8080; protocol = \"http\"; },\n"
	    "  { address = \"::1\"; port = 8080; protocol = \"http\"; }\n);\n");
	err_path(path, NULL, 4, want, __LINE__);
	path = put("dr/c.conf", "\nlisten = { address = \"::1\"; port = 8080; protocol = \"http\"; };\n");
	err_path(path, NULL, 2, want, __LINE__);

	/* once it exists, all of these load */
	mkdir_in("dr/htdocs");
	c = LOAD_OK(join(tmpdir, "dr/b.conf"));
	STR_EQ(c->http.document_root, join(realdir, "dr/htdocs"));
	CU_ASSERT_EQUAL(c->listen[1].proto, proto_find("http"));
	conf_free(c);
	conf_free(LOAD_OK(join(tmpdir, "dr/a.conf")));
	conf_free(LOAD_OK(join(tmpdir, "dr/c.conf")));

	if (geteuid() != 0) {
		CU_ASSERT_FATAL(chmod(join(tmpdir, "dr/htdocs"), 0600) == 0);
		err_path(join(tmpdir, "dr/c.conf"), NULL, 2, "is not searchable: Permission denied",
		    __LINE__);
	}
}

/* --------------------------------------------------------------------- */
/* conf_locate() */

static void
test_locate_valid(void)
{
	struct conf_where w;
	const char *path = put("loc_ok.conf",
	    "pid_file = \"run/loc.pid\";\n"
	    "scoreboard_file = \"/var/tmp/loc.scoreboard\";\n"
	    "mpm = { graceful_timeout = 12; };\n"
	    LISTEN);

	memset(&w, 0xff, sizeof(w));
	CU_ASSERT_EQUAL_FATAL(conf_locate(path, &w), 0);
	STR_EQ(w.pid_file, join(realdir, "run/loc.pid"));
	STR_EQ(w.scoreboard_file, "/var/tmp/loc.scoreboard");
	CU_ASSERT_EQUAL(w.graceful_timeout, 12);
}

static void
test_locate_invalid(void)
{
	struct conf_where w;
	char err[512];
	/* parses, but does not validate: workers 0, no listen */
	const char *path = put("loc_bad.conf",
	    "pid_file = \"p/x.pid\";\n"
	    "scoreboard_file = \"p/x.sb\";\n"
	    "mpm = { workers = 0; graceful_timeout = 3; };\n"
	    "bogus = 1;\n");

	CU_ASSERT_PTR_NULL(conf_load(path, err, sizeof(err)));
	memset(&w, 0xff, sizeof(w));
	CU_ASSERT_EQUAL_FATAL(conf_locate(path, &w), 0);
	STR_EQ(w.pid_file, join(realdir, "p/x.pid"));
	STR_EQ(w.scoreboard_file, join(realdir, "p/x.sb"));
	CU_ASSERT_EQUAL(w.graceful_timeout, 3);
}

static void
test_locate_syntax_error(void)
{
	struct conf_where w;
	const char *path = put("loc_syntax.conf",
	    "pid_file = \"p/x.pid\";\n"
	    "mpm = { graceful_timeout = 3; };\n"
	    "timeout = = ;\n");

	memset(&w, 0xff, sizeof(w));
	CU_ASSERT_EQUAL_FATAL(conf_locate(path, &w), 0);
	STR_EQ(w.pid_file, join(realdir, "run/mserverd.pid"));
	STR_EQ(w.scoreboard_file, join(realdir, "run/mserverd.scoreboard"));
	CU_ASSERT_EQUAL(w.graceful_timeout, 30);

	/* a missing file in an existing directory: defaults there too */
	memset(&w, 0xff, sizeof(w));
	CU_ASSERT_EQUAL_FATAL(conf_locate(join(tmpdir, "gone.conf"), &w), 0);
	STR_EQ(w.pid_file, join(realdir, "run/mserverd.pid"));
	CU_ASSERT_EQUAL(w.graceful_timeout, 30);

	/* a missing directory: nothing to anchor the defaults to */
	CU_ASSERT_EQUAL(conf_locate(join(tmpdir, "no-dir/x.conf"), &w), -1);
}

static void
test_locate_relative(void)
{
	struct conf_where w;
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/locsub", realdir);
	mkdir_in("locsub");
	put("locsub/l.conf", "pid_file = \"l.pid\";\n" LISTEN);
	CU_ASSERT_FATAL(chdir(tmpdir) == 0);
	memset(&w, 0xff, sizeof(w));
	CU_ASSERT_EQUAL(conf_locate("locsub/l.conf", &w), 0);
	STR_EQ(w.pid_file, join(sub, "l.pid"));
	STR_EQ(w.scoreboard_file, join(sub, "run/mserverd.scoreboard"));
	CU_ASSERT(chdir(startcwd) == 0);
}

/* --------------------------------------------------------------------- */

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "full valid file", test_full_valid },
		{ "absolute paths kept", test_absolute_paths_kept },
		{ "defaults", test_defaults },
		{ "boundaries accepted", test_boundaries_accepted },
		{ "shipped conf/mserver.conf", test_shipped_config },
		{ "relative path, other cwd", test_relative_path_other_cwd },
		{ "@include", test_include },
		{ "@include: error location", test_include_error_location },
		{ "@include: duplicate listener location", test_include_duplicate_location },
		{ "error: syntax", test_err_syntax },
		{ "error: unknown keys", test_err_unknown_keys },
		{ "error: types", test_err_types },
		{ "error: ranges", test_err_ranges },
		{ "error: wrapped integer literals", test_err_wrapped_literals },
		{ "error: empty strings", test_err_empty_string },
		{ "error: cross-key checks", test_err_cross_keys },
		{ "error: no listen", test_err_listen_missing },
		{ "error: incomplete listen entry", test_err_listen_entry_incomplete },
		{ "error: unknown protocol", test_err_protocol },
		{ "error: unresolvable address", test_err_resolve },
		{ "error: duplicate listener", test_err_duplicate },
		{ "IPv4 and IPv6 on one port", test_ipv4_ipv6_not_duplicate },
		{ "error: too many listeners", test_err_too_many_listeners },
		{ "error: log_level", test_err_log_level },
		{ "error: nonexistent file", test_err_nonexistent_file },
		{ "error: directory as config file", test_err_directory },
		{ "error: unreadable file", test_err_unreadable },
		{ "http: every key", test_http_full },
		{ "http: defaults", test_http_defaults },
		{ "http: range ends, off, empty allow", test_http_values },
		{ "http: in an included file", test_http_include },
		{ "http error: types", test_http_err_types },
		{ "http error: ranges", test_http_err_ranges },
		{ "http error: strings", test_http_err_strings },
		{ "http error: unknown keys", test_http_err_unknown_key },
		{ "chat: defaults, keys, ranges, ring size", test_chat_keys },
		{ "http error: status_allow entries", test_http_err_cidr },
		{ "http: mime_types", test_http_mime_types },
		{ "http: document_root", test_http_document_root },
		{ "conf_locate: valid", test_locate_valid },
		{ "conf_locate: validation error", test_locate_invalid },
		{ "conf_locate: syntax error, missing", test_locate_syntax_error },
		{ "conf_locate: relative path", test_locate_relative },
	};
	return CUNIT_RUN("conf", suite_init, suite_clean, tests);
}
