#include "setup.h"
#include "unit.h"
#include "proc.h"

#include <signal.h>
#include <time.h>

static void test_proc__captures_exit_and_output(void)
{
	const char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 7", NULL};
	const char *env[] = {"MG_PROC_T=1", NULL};
	struct mg_proc_spec spec = {.argv = argv, .env_add = env};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;

	mg_proc_result_init(&res);
	CU_ASSERT_EQUAL_FATAL(mg_proc_run(&spec, &res, &err), 0);
	CU_ASSERT_TRUE(res.exited);
	CU_ASSERT_EQUAL(res.exit_code, 7);
	ASSERT_STR(res.out.buf, "out\n");
	ASSERT_STR(res.err.buf, "err\n");
	mg_proc_result_release(&res);
}

static void test_proc__env_and_cwd(void)
{
	const char *argv[] = {"sh", "-c", "echo \"$MG_PROC_T\" && pwd", NULL};
	const char *env[] = {"MG_PROC_T=hello", NULL};
	struct mg_proc_spec spec = {.argv = argv, .env_add = env, .cwd = "/"};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;

	mg_proc_result_init(&res);
	CU_ASSERT_EQUAL_FATAL(mg_proc_run(&spec, &res, &err), 0);
	ASSERT_STR(res.out.buf, "hello\n/\n");
	mg_proc_result_release(&res);
}

/* Alive and not a zombie. */
static bool alive(long pid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;
	const char *paren;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

static bool gone_soon(long pid)
{
	for (int i = 0; i < 100; i++) {
		struct timespec ts = {0, 10000000L};

		if (!alive(pid))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void test_proc__timeout_kills_the_group(void)
{
	const char *argv[] = {"sh", "-c", "trap '' TERM; sleep 30 & echo $!; wait", NULL};
	struct mg_proc_spec spec = {.argv = argv, .timeout_s = 0.3, .grace_s = 0.2};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;
	long child;

	mg_proc_result_init(&res);
	CU_ASSERT_EQUAL_FATAL(mg_proc_run(&spec, &res, &err), 0);
	CU_ASSERT_TRUE(res.timed_out);
	CU_ASSERT_FALSE(res.exited);
	CU_ASSERT_TRUE(res.duration < 5);
	child = strtol(res.out.buf, NULL, 10);
	CU_ASSERT_TRUE(child > 0);
	/* the background sleep is gone (or a zombie reaped by init soon): no live orphan */
	CU_ASSERT_TRUE(child > 0 && gone_soon(child));
	mg_proc_result_release(&res);
}

static void test_proc__leftovers_killed_at_exit(void)
{
	const char *argv[] = {"sh", "-c", "sleep 30 & echo $!", NULL};
	struct mg_proc_spec spec = {.argv = argv, .timeout_s = 10};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;

	mg_proc_result_init(&res);
	CU_ASSERT_EQUAL_FATAL(mg_proc_run(&spec, &res, &err), 0);
	CU_ASSERT_TRUE(res.exited);
	CU_ASSERT_TRUE(res.duration < 5); /* did not wait for the sleep holding stdout */
	CU_ASSERT_TRUE(gone_soon(strtol(res.out.buf, NULL, 10)));
	mg_proc_result_release(&res);
}

static void test_proc__missing_program(void)
{
	const char *argv[] = {"mlgate-no-such-program", NULL};
	struct mg_proc_spec spec = {.argv = argv};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;

	mg_proc_result_init(&res);
	CU_ASSERT_EQUAL(mg_proc_run(&spec, &res, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	ASSERT_STR(err.msg, "cannot run 'mlgate-no-such-program': No such file or directory");
	mg_proc_result_release(&res);
}

static void test_proc__output_is_bounded(void)
{
	const char *argv[] = {
	        "sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done", NULL};
	struct mg_proc_spec spec = {.argv = argv, .capture_max = 1024};
	struct mg_proc_result res;
	struct mg_err err = MG_ERR_INIT;

	mg_proc_result_init(&res);
	CU_ASSERT_EQUAL_FATAL(mg_proc_run(&spec, &res, &err), 0);
	CU_ASSERT_TRUE(res.out.len < 1200);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out.buf, "line-0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out.buf, "bytes cut"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.out.buf, "line-2999\n"));
	CU_ASSERT_TRUE(res.out_total > 20000);
	mg_proc_result_release(&res);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_proc__captures_exit_and_output),
        UNIT_TEST(test_proc__env_and_cwd),
        UNIT_TEST(test_proc__timeout_kills_the_group),
        UNIT_TEST(test_proc__leftovers_killed_at_exit),
        UNIT_TEST(test_proc__missing_program),
        UNIT_TEST(test_proc__output_is_bounded),
        UNIT_END,
};

const struct unit_suite unit_suite_proc = {"proc", NULL, NULL, tests};
