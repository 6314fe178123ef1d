/*
 * The CUnit runner: every suite, or only those named on the command line.
 * Exits non-zero when any test failed (CUnit's run functions only report
 * framework errors), after printing CUnit's summary.
 */
/* nftw() is an XSI extension */
#define _XOPEN_SOURCE 700
#include "setup.h"
#include "unit.h"
#include "alloc.h"

#include <CUnit/Basic.h>
#include <ftw.h>
#include <unistd.h>

static const struct unit_suite *const suites[] = {
#define UNIT_SUITE(name) &unit_suite_##name,
#include "unit_suites.h"
#undef UNIT_SUITE
};

char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];

	snprintf(tmpl, sizeof(tmpl), "%s/mlgate-unit-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		return NULL;
	return mg_xstrdup(tmpl);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void unit_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	unsigned failures, ran;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < MG_ARRAY_SIZE(suites); i++) {
		const struct unit_suite *s = suites[i];
		CU_pSuite cs;

		if (!wanted(s->name, argc, argv))
			continue;
		cs = CU_add_suite(s->name, s->init, s->cleanup);
		if (!cs)
			goto framework_error;
		for (const struct unit_test *t = s->tests; t->name; t++)
			if (!CU_add_test(cs, t->name, t->fn))
				goto framework_error;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto framework_error;
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (!ran) {
		fprintf(stderr, "unit-tests: no test ran\n");
		return 1;
	}
	return failures ? 1 : 0;
framework_error:
	fprintf(stderr, "unit-tests: CUnit error: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 2;
}
