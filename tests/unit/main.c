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
#include "buf.h"
#include "fileio.h"

#include <CUnit/Basic.h>
#include <sqlite3.h>
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

int unit_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fprintf(stderr, "sql failed: %s\n", msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

int unit_mlflow_db(char **dir, char **path, char **uri, sqlite3 **db)
{
	static const char ddl_path[] = "fixtures/registry/mlflow-3.17.2-schema.sql";
	struct mg_buf ddl = MG_BUF_INIT((size_t)16 << 20), b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;
	int rc = -1;

	*dir = *path = *uri = NULL;
	*db = NULL;
	if (mg_file_read(ddl_path, &ddl, &err)) {
		fprintf(stderr, "%s (run the unit tests from the repository root)\n", err.msg);
		goto done;
	}
	*dir = unit_tmpdir();
	if (!*dir)
		goto done;
	mg_buf_addf(&b, "%s/mlflow.db", *dir);
	*path = mg_buf_take(&b, NULL);
	mg_buf_addf(&b, "sqlite:///%s", *path);
	*uri = mg_buf_take(&b, NULL);
	if (sqlite3_open(*path, db) != SQLITE_OK || unit_sql(*db, ddl.buf))
		goto done;
	rc = 0;
done:
	mg_buf_release(&ddl);
	mg_buf_release(&b);
	return rc;
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
