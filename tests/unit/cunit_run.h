/*
 * cunit_run: the main() every CUnit program shares: one suite, run
 * verbosely; the exit status is 0 when every test passed, 1 when one
 * failed and 2 when CUnit itself could not run them.
 */
#ifndef MSERVER_CUNIT_RUN_H
#define MSERVER_CUNIT_RUN_H

#include <stdio.h>
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

#define CUNIT_RUN(name, init, clean, tests) \
	cunit_run((name), (init), (clean), (tests), sizeof(tests) / sizeof((tests)[0]))

#endif
