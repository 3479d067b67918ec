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

#include "conf.h"
#include "proto.h"

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
static bool
check_at(bool ok, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
check_at(bool ok, int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg,
	    __FILE__, "", CU_FALSE);
	return ok;
}

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
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int
suite_init(void)
{
	if (getcwd(startcwd, sizeof(startcwd)) == NULL)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_conf.XXXXXX");
	if (mkdtemp(tmpdir) == NULL || realpath(tmpdir, realdir) == NULL)
		return -1;
	return 0;
}

static int
suite_clean(void)
{
	int rc = chdir(startcwd);

	if (tmpdir[0] != '\0' && nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1)
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

/* The shipped default configuration must load (when the build says where
 * the sources are). */
static void
test_shipped_config(void)
{
	const char *src = getenv("MSERVER_SRCDIR");
	char path[PATH_MAX];
	struct conf *c;

	if (src == NULL) {
		fprintf(stderr, "(MSERVER_SRCDIR unset: shipped config not checked) ");
		return;
	}
	snprintf(path, sizeof(path), "%s/conf/mserver.conf", src);
	c = LOAD_OK(path);
	CU_ASSERT_EQUAL(c->nlisten, 2);
	STR_EQ(c->mpm.module, "prefork");
	CU_ASSERT(c->pid_file != NULL && c->pid_file[0] == '/');
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
	    2, "unknown protocol 'gopher' (known: echo)");
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
	static const struct { const char *name; CU_TestFunc fn; } tests[] = {
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
		{ "conf_locate: valid", test_locate_valid },
		{ "conf_locate: validation error", test_locate_invalid },
		{ "conf_locate: syntax error, missing", test_locate_syntax_error },
		{ "conf_locate: relative path", test_locate_relative },
	};
	CU_pSuite suite;
	size_t i;
	int rc;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if ((suite = CU_add_suite("conf", suite_init, suite_clean)) == NULL)
		goto bad;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto bad;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto bad;
	rc = CU_get_number_of_failures() != 0 || CU_get_number_of_tests_failed() != 0 ||
	    CU_get_number_of_suites_failed() != 0;
	CU_cleanup_registry();
	return rc;
bad:
	fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 2;
}
