/*
 * test_mime: unit tests of the Content-Type table (mime.c).
 *
 * The built-in table, the extension rules of mime_type() (what follows the
 * last '.' of the last path segment, any case), and mime.types files
 * written into a private directory made with mkdtemp() (removed when the
 * suite ends): overriding and adding types, comments and odd lines,
 * missing files with and without missing_ok, and the system's
 * /etc/mime.types when the machine has one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "http/mime.h"

#define OCTET	"application/octet-stream"
#define HTML	"text/html; charset=utf-8"

static char tmpdir[PATH_MAX];

static const char *
put(const char *name, const char *text)
{
	static char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fputs(text, fp);
	CU_ASSERT_FATAL(fclose(fp) == 0);
	return path;
}

/* mime_type() of a NUL-terminated name, compared at the caller's line. */
#define TYPE_IS(m, name, want)	type_is((m), (name), (want), __LINE__)

static void
type_is(const struct mime *m, const char *name, const char *want, int line)
{
	const char *got = mime_type(m, name, strlen(name));
	char msg[512];

	snprintf(msg, sizeof(msg), "mime_type(\"%s\"): got \"%s\", want \"%s\"",
	    name, got ? got : "(null)", want);
	CU_assertImplementation(got != NULL && strcmp(got, want) == 0 ? CU_TRUE : CU_FALSE,
	    (unsigned)line, msg, __FILE__, "", CU_FALSE);
}

static struct mime *
load_ok(const char *path, int missing_ok)
{
	char err[512] = "";
	struct mime *m = mime_load(path, missing_ok, err, sizeof(err));

	if (m == NULL)
		fprintf(stderr, "mime_load(%s): %s\n", path ? path : "NULL", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	return m;
}

static int
suite_init(void)
{
	return cunit_mkdtemp(tmpdir, sizeof(tmpdir), "test_mime");
}

static int
suite_clean(void)
{
	return cunit_rmtree(tmpdir);
}

/* --------------------------------------------------------------------- */

static void
test_builtin(void)
{
	static const char *const cases[][2] = {
		{ "index.html", HTML }, { "a.htm", HTML },
		{ "s.css", "text/css; charset=utf-8" },
		{ "app.js", "text/javascript; charset=utf-8" },
		{ "mod.mjs", "text/javascript; charset=utf-8" },
		{ "data.json", "application/json" },
		{ "README.txt", "text/plain; charset=utf-8" },
		{ "feed.xml", "application/xml" },
		{ "logo.svg", "image/svg+xml" }, { "p.png", "image/png" },
		{ "p.jpg", "image/jpeg" }, { "p.jpeg", "image/jpeg" },
		{ "p.gif", "image/gif" }, { "p.webp", "image/webp" },
		{ "favicon.ico", "image/x-icon" }, { "doc.pdf", "application/pdf" },
		{ "m.wasm", "application/wasm" }, { "f.woff", "font/woff" },
		{ "f.woff2", "font/woff2" }, { "v.mp4", "video/mp4" },
		{ "v.webm", "video/webm" }, { "a.zip", "application/zip" },
		{ "a.gz", "application/gzip" },
		{ "unknown.qqq", OCTET },
	};
	struct mime *m = load_ok(NULL, 0);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TYPE_IS(m, cases[i][0], cases[i][1]);
	mime_free(m);
}

static void
test_case_insensitive(void)
{
	struct mime *m = load_ok(NULL, 0);

	TYPE_IS(m, "INDEX.HTML", HTML);
	TYPE_IS(m, "index.Html", HTML);
	TYPE_IS(m, "x.PnG", "image/png");
	TYPE_IS(m, "x.WOFF2", "font/woff2");
	mime_free(m);
}

/* The extension is what follows the last '.' after the last '/'. */
static void
test_extension_rules(void)
{
	struct mime *m = load_ok(NULL, 0);

	TYPE_IS(m, "", OCTET);
	TYPE_IS(m, "README", OCTET);
	TYPE_IS(m, "/docs/README", OCTET);
	TYPE_IS(m, "Makefile.", OCTET);			/* empty extension */
	TYPE_IS(m, ".hidden", OCTET);			/* a dot-file */
	TYPE_IS(m, "/a/.html", OCTET);			/* a dot-file named .html */
	TYPE_IS(m, "/a/.hidden.css", "text/css; charset=utf-8");
	TYPE_IS(m, "a.tar.gz", "application/gzip");
	TYPE_IS(m, "/a.b/c", OCTET);			/* dot in a directory */
	TYPE_IS(m, "/a.html/c", OCTET);
	TYPE_IS(m, "/a.b/c.png", "image/png");
	TYPE_IS(m, "/a/b/c/d.e/f.g.h.html", HTML);
	TYPE_IS(m, "/", OCTET);
	TYPE_IS(m, ".", OCTET);
	TYPE_IS(m, "a.", OCTET);
	TYPE_IS(m, "a.thisextensionislongerthanthesixtythreebytesthatthetablekeepsatall", OCTET);

	/* only len bytes count: the name need not be NUL-terminated */
	CU_ASSERT_STRING_EQUAL(mime_type(m, "a.html.png", 6), HTML);
	CU_ASSERT_STRING_EQUAL(mime_type(m, "a.pngXYZ", 5), "image/png");
	CU_ASSERT_STRING_EQUAL(mime_type(m, "/x.css", 0), OCTET);
	/* no table at all */
	CU_ASSERT_STRING_EQUAL(mime_type(NULL, "a.html", 6), OCTET);
	mime_free(m);
	mime_free(NULL);
}

static void
test_file_overrides_and_adds(void)
{
	const char *path = put("mime.types",
	    "# a comment line\n"
	    "\n"
	    "   \t  \n"
	    "application/x-custom\tcus CUS2\n"		/* new, upper case ext */
	    "image/x-png-special  png\n"		/* overrides a built-in */
	    "text/html html htm shtml   # trailing comment\n"
	    "Text/Plain log\n"				/* charset, any case */
	    "application/javascript js\n"		/* charset too */
	    "application/only-type\n"			/* no extension: skipped */
	    "no-slash-type foo\n"			/* not a type: skipped */
	    "application/dotted a.b\n"			/* can never match */
	    "text/x-first dup\n"
	    "text/x-second dup\n"			/* the later line wins */
	    "application/x-noeol last");		/* no final newline */
	struct mime *m = load_ok(path, 0);

	TYPE_IS(m, "x.cus", "application/x-custom");
	TYPE_IS(m, "x.cus2", "application/x-custom");
	TYPE_IS(m, "x.CuS2", "application/x-custom");
	TYPE_IS(m, "x.png", "image/x-png-special");
	TYPE_IS(m, "x.shtml", HTML);
	TYPE_IS(m, "x.html", HTML);
	TYPE_IS(m, "x.log", "Text/Plain; charset=utf-8");
	TYPE_IS(m, "x.js", "application/javascript; charset=utf-8");
	TYPE_IS(m, "x.foo", OCTET);
	TYPE_IS(m, "x.b", OCTET);
	TYPE_IS(m, "x.a.b", OCTET);
	TYPE_IS(m, "x.dup", "text/x-second");
	TYPE_IS(m, "x.last", "application/x-noeol");
	TYPE_IS(m, "x.css", "text/css; charset=utf-8");	/* built-in kept */
	TYPE_IS(m, "x.gz", "application/gzip");
	mime_free(m);
}

/* Enough extensions to grow the table several times. */
static void
test_many_types(void)
{
	char *text = malloc(5000 * 32), name[32], want[48];
	size_t n = 0;
	struct mime *m;
	int i;

	CU_ASSERT_FATAL(text != NULL);
	for (i = 0; i < 5000; i++)
		n += (size_t)sprintf(text + n, "application/x-t%d e%d\n", i, i);
	m = load_ok(put("many.types", text), 0);
	for (i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "f.E%d", i);
		snprintf(want, sizeof(want), "application/x-t%d", i);
		TYPE_IS(m, name, want);
	}
	TYPE_IS(m, "a.html", HTML);
	TYPE_IS(m, "a.e5000", OCTET);
	mime_free(m);
	free(text);
}

static void
test_missing_file(void)
{
	char path[PATH_MAX], err[512];
	struct mime *m;

	snprintf(path, sizeof(path), "%s/no-such.types", tmpdir);
	memset(err, 0, sizeof(err));
	m = mime_load(path, 0, err, sizeof(err));
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT(strncmp(err, "cannot read ", 12) == 0);
	CU_ASSERT(strstr(err, path) != NULL);
	CU_ASSERT(strstr(err, strerror(ENOENT)) != NULL);

	/* missing_ok: the built-in table serves */
	m = load_ok(path, 1);
	TYPE_IS(m, "a.html", HTML);
	mime_free(m);

	/* a directory is never a mime.types file, missing_ok or not */
	CU_ASSERT_PTR_NULL(mime_load(tmpdir, 1, err, sizeof(err)));
	CU_ASSERT(strstr(err, "not a regular file") != NULL);
}

static void
test_unreadable_file(void)
{
	const char *path = put("unreadable.types", "text/x-a a\n");
	char err[512] = "";

	if (geteuid() == 0) {
		fprintf(stderr, "(running as root: not checked) ");
		return;
	}
	CU_ASSERT_FATAL(chmod(path, 0) == 0);
	CU_ASSERT_PTR_NULL(mime_load(path, 1, err, sizeof(err)));
	CU_ASSERT(strstr(err, strerror(EACCES)) != NULL);
}

static void
test_system_file(void)
{
	struct mime *m;

	if (access("/etc/mime.types", R_OK) == -1) {
		fprintf(stderr, "(no /etc/mime.types: not checked) ");
		return;
	}
	m = load_ok("/etc/mime.types", 0);
	TYPE_IS(m, "index.html", HTML);
	TYPE_IS(m, "a.css", "text/css; charset=utf-8");
	TYPE_IS(m, "a.png", "image/png");
	TYPE_IS(m, "a.json", "application/json");
	TYPE_IS(m, "README", OCTET);
	CU_ASSERT(strncmp(mime_type(m, "a.txt", 5), "text/plain", 10) == 0);
	mime_free(m);
}

/* --------------------------------------------------------------------- */

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "built-in table", test_builtin },
		{ "case-insensitive", test_case_insensitive },
		{ "extension rules", test_extension_rules },
		{ "file overrides and adds", test_file_overrides_and_adds },
		{ "many types (table growth)", test_many_types },
		{ "missing file", test_missing_file },
		{ "unreadable file", test_unreadable_file },
		{ "/etc/mime.types", test_system_file },
	};
	return CUNIT_RUN("mime", suite_init, suite_clean, tests);
}
