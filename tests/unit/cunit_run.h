/*
 * cunit_run: what every CUnit program shares: the main() (one suite, run
 * verbosely; the exit status is 0 when every test passed, 1 when one
 * failed and 2 when CUnit itself could not run them), an assertion with a
 * formatted message, and a scratch directory for the suite.
 */
#ifndef MSERVER_CUNIT_RUN_H
#define MSERVER_CUNIT_RUN_H

#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <CUnit/Basic.h>

struct cunit_test {
	const char	*name;
	CU_TestFunc	 fn;
};

static inline int
cunit_run(const char *suite_name, CU_InitializeFunc init, CU_CleanupFunc clean,
    const struct cunit_test *tests, size_t n)
{
	CU_pSuite suite;
	size_t i;
	int rc;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if ((suite = CU_add_suite(suite_name, init, clean)) == NULL)
		goto bad;
	for (i = 0; i < n; i++)
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

/* An assertion whose failure message is formatted (reported at line). */
static inline bool
check_at_(const char *file, bool ok, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* file is the caller's: failures name the test file, not this header. */
#define check_at(ok, line, ...)	check_at_(__FILE__, (ok), (line), __VA_ARGS__)

static inline bool
check_at_(const char *file, bool ok, int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line, msg,
	    file, "", CU_FALSE);
	return ok;
}

/* An exact-size heap copy of s[0, n) (fatal when out of memory), so that
 * a parser reading past n trips the sanitizers. */
static inline char *
cunit_dup_n(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	CU_ASSERT_FATAL(p != NULL);
	memcpy(p, s, n);
	return p;
}

/* A fresh directory /tmp/NAME.XXXXXX into dir (size len); 0 or -1. */
static inline int
cunit_mkdtemp(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/%s.XXXXXX", name);
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static inline int
cunit_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	chmod(path, 0700);	/* tests make unreadable files and directories */
	return remove(path);
}

/* Remove dir and everything in it; 0 or -1. */
static inline int
cunit_rmtree(const char *dir)
{
	if (dir[0] == '\0')
		return 0;
	return nftw(dir, cunit_rm_one, 16, FTW_DEPTH | FTW_PHYS) == -1 ? -1 : 0;
}

#define CUNIT_RUN(name, init, clean, tests) \
	cunit_run((name), (init), (clean), (tests), sizeof(tests) / sizeof((tests)[0]))

#endif
