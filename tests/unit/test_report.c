#include "setup.h"
#include "unit.h"
#include "fileio.h"
#include "junit.h"
#include "report.h"

#include <unistd.h>

#define FIXTURES "fixtures/junit/"

static char *dir;

static int setup(void)
{
	dir = unit_tmpdir();
	return dir ? 0 : 1;
}

static int cleanup(void)
{
	unit_rmtree(dir);
	free(dir);
	dir = NULL;
	return 0;
}

static const char *in_dir(struct mg_buf *b, const char *name)
{
	mg_buf_reset(b);
	mg_buf_addf(b, "%s/%s", dir, name);
	return b->buf;
}

static int run(const char *cmd, const char *output, const char *summary, enum mg_ci ci,
               const char *const *inputs, size_t n, struct mg_err *err)
{
	struct mg_ctx ctx;
	struct mg_report_opts o = {0};
	int rc;

	mg_ctx_init(&ctx, "mlgate-report");
	ctx.ci = ci;
	o.command = cmd;
	o.output = output;
	o.summary = summary;
	o.inputs = inputs;
	o.ninputs = n;
	mg_err_clear(err);
	rc = mg_report_run(&ctx, &o, err);
	mg_ctx_release(&ctx);
	return rc;
}

static void test_report__merge_exit_codes(void)
{
	const char *const both[] = {FIXTURES "pass.xml", FIXTURES "fail.xml"};
	struct mg_buf out = MG_BUF_INIT(4096), xml = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;
	struct mg_result r;
	struct mg_counts c;

	CU_ASSERT_EQUAL(run("merge", in_dir(&out, "m.xml"), NULL, MG_CI_NONE, both, 2, &err),
	                MG_EXIT_FAIL);
	mg_result_init(&r, "x");
	CU_ASSERT_EQUAL_FATAL(mg_junit_read(out.buf, 0, &r, &err), 0);
	mg_result_counts(&r, &c);
	CU_ASSERT_EQUAL(r.nsuites, 2);
	CU_ASSERT_EQUAL(c.tests, 6);
	CU_ASSERT_EQUAL(c.failures, 1);
	CU_ASSERT_EQUAL(c.errors, 1);
	ASSERT_STR(mg_suite_prop(&r.suites[1], "mlgate.champion.version"), "7");
	mg_result_release(&r);
	CU_ASSERT_EQUAL(run("merge", out.buf, NULL, MG_CI_NONE, both, 1, &err), MG_EXIT_PASS);
	mg_buf_release(&out);
	mg_buf_release(&xml);
}

static void test_report__errors(void)
{
	const char *const bad[] = {FIXTURES "pass.xml", FIXTURES "malformed.xml"};
	const char *const good[] = {FIXTURES "pass.xml"};
	struct mg_buf out = MG_BUF_INIT(4096);
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(run("merge", in_dir(&out, "bad.xml"), NULL, MG_CI_NONE, bad, 2, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'" FIXTURES "malformed.xml' line 5: "));
	CU_ASSERT_EQUAL(access(out.buf, F_OK), -1); /* nothing written */
	CU_ASSERT_EQUAL(
	        run("merge", in_dir(&out, "no/such/dir.xml"), NULL, MG_CI_NONE, good, 1, &err), -1);
	/* a path that cannot be written is refused before any input is read */
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "-o: cannot write '"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no/such/dir.xml': directory '"));
	CU_ASSERT_EQUAL(run("frob", NULL, NULL, MG_CI_NONE, good, 1, &err), -1);
	ASSERT_STR(err.msg, "unknown command 'frob': expected merge, summary, annotate or html");
	CU_ASSERT_EQUAL(run("merge", NULL, NULL, MG_CI_NONE, good, 1, &err), -1);
	ASSERT_STR(err.msg, "merge: missing -o OUT.xml");
	CU_ASSERT_EQUAL(run("summary", NULL, NULL, MG_CI_NONE, good, 0, &err), -1);
	ASSERT_STR(err.msg, "summary: no input files given");
	CU_ASSERT_EQUAL(run("annotate", NULL, "s.md", MG_CI_NONE, good, 1, &err), -1);
	ASSERT_STR(err.msg, "annotate: --summary is for summary only");
	CU_ASSERT_EQUAL(run("summary", "o.xml", NULL, MG_CI_NONE, good, 1, &err), -1);
	ASSERT_STR(err.msg, "summary: -o is for merge only");
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	mg_buf_release(&out);
}

static void read_into(const char *path, struct mg_buf *b)
{
	struct mg_err err = MG_ERR_INIT;

	mg_buf_reset(b);
	CU_ASSERT_EQUAL(mg_file_read(path, b, &err), 0);
}

static void test_report__summary_in_github(void)
{
	const char *const in[] = {FIXTURES "fail.xml"};
	struct mg_buf md = MG_BUF_INIT(4096), step = MG_BUF_INIT(4096), outs = MG_BUF_INIT(4096);
	struct mg_buf text = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;
	FILE *f;

	in_dir(&step, "step-summary.md");
	in_dir(&outs, "github-output");
	f = fopen(step.buf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# earlier step\n", f);
	fclose(f);
	setenv("GITHUB_STEP_SUMMARY", step.buf, 1);
	setenv("GITHUB_OUTPUT", outs.buf, 1);
	CU_ASSERT_EQUAL(run("summary", NULL, in_dir(&md, "s.md"), MG_CI_GITHUB, in, 1, &err),
	                MG_EXIT_FAIL);
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	read_into(md.buf, &text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text.buf, "| compare.metric.auc | \xe2\x9d\x8c failed |"));
	read_into(step.buf, &text);
	CU_ASSERT_EQUAL(strncmp(text.buf, "# earlier step\n## mlgate: ", 26), 0); /* appended */
	CU_ASSERT_PTR_NOT_NULL(strstr(text.buf, "| compare.metric.auc |"));
	read_into(outs.buf, &text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text.buf, "verdict=failed\ntests=3\nfailures=1\nerrors=1\n"
	                                        "skipped=0\nfailed-checks<<ghadelimiter_"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text.buf, "\ncompare/compare.metric.auc\n"
	                                        "compare/compare.metric.latency_p95\n"
	                                        "ghadelimiter_"));
	mg_buf_release(&md);
	mg_buf_release(&step);
	mg_buf_release(&outs);
	mg_buf_release(&text);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_report__merge_exit_codes),
        UNIT_TEST(test_report__errors),
        UNIT_TEST(test_report__summary_in_github),
        UNIT_END,
};

const struct unit_suite unit_suite_report = {"report", setup, cleanup, tests};
