#include "setup.h"
#include "unit.h"
#include "dispatch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static int setup(void)
{
	dir = unit_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void)
{
	unit_rmtree(dir);
	free(dir);
	dir = NULL;
	return 0;
}

static void make_file(const char *sub, const char *name, mode_t mode)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	close(fd);
	chmod(path, mode);
}

static void test_dispatch__knows_the_commands(void)
{
	size_t n;
	const struct mg_command *cmds = mg_commands(&n);

	CU_ASSERT_EQUAL(n, 9);
	CU_ASSERT_PTR_NOT_NULL(mg_command_find("drift"));
	CU_ASSERT_PTR_NOT_NULL(mg_command_find("comply"));
	CU_ASSERT_PTR_NOT_NULL(mg_command_find("relay"));
	CU_ASSERT_PTR_NOT_NULL(mg_command_find("report"));
	CU_ASSERT_PTR_NULL(mg_command_find("../../bin/sh"));
	CU_ASSERT_PTR_NULL(mg_command_find("Comply"));
	ASSERT_STR(cmds[0].name, "smoke");
}

static void test_dispatch__own_directory_first_then_path(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	char self[4096], path_env[8192], expect[4096];

	make_file("self", "mlgate-comply", 0755);
	make_file("p1", "mlgate-comply", 0644); /* not executable: skipped */
	make_file("p2", "mlgate-comply", 0755);
	make_file("p2", "mlgate-report", 0755);
	snprintf(self, sizeof(self), "%s/self", dir);
	snprintf(path_env, sizeof(path_env), "%s/none:%s/p1:%s/p2", dir, dir, dir);

	CU_ASSERT_EQUAL(mg_command_locate("comply", self, path_env, &out, &err), 0);
	snprintf(expect, sizeof(expect), "%s/self/mlgate-comply", dir);
	ASSERT_STR(out.buf, expect);

	mg_buf_reset(&out);
	CU_ASSERT_EQUAL(mg_command_locate("comply", NULL, path_env, &out, &err), 0);
	snprintf(expect, sizeof(expect), "%s/p2/mlgate-comply", dir);
	ASSERT_STR(out.buf, expect);

	mg_buf_reset(&out);
	CU_ASSERT_EQUAL(mg_command_locate("report", self, path_env, &out, &err), 0);
	snprintf(expect, sizeof(expect), "%s/p2/mlgate-report", dir);
	ASSERT_STR(out.buf, expect);
	CU_ASSERT_FALSE(mg_err_failed(&err));
	mg_buf_release(&out);
}

static void test_dispatch__not_installed(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);

	mg_buf_adds(&out, "keep");
	CU_ASSERT_EQUAL(mg_command_locate("smoke", "/nonexistent", "/also-not:", &out, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mlgate-smoke"));
	ASSERT_STR(out.buf, "keep");
	mg_buf_release(&out);
}

static void test_dispatch__self_dir(void)
{
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);

	mg_self_dir("ignored", &out);
	CU_ASSERT_TRUE(out.len > 0); /* from /proc/self/exe: this test binary's directory */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "tests"));
	mg_buf_release(&out);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_dispatch__knows_the_commands),
        UNIT_TEST(test_dispatch__own_directory_first_then_path),
        UNIT_TEST(test_dispatch__not_installed),
        UNIT_TEST(test_dispatch__self_dir),
        UNIT_END,
};

const struct unit_suite unit_suite_dispatch = {"dispatch", setup, teardown, tests};
