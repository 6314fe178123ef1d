#include "setup.h"
#include "unit.h"
#include "fileio.h"

#include <dirent.h>
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

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static size_t count_entries(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *e;
	size_t n = 0;

	if (!dh)
		return 0;
	while ((e = readdir(dh)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dh);
	return n;
}

static void test_fileio__atomic_write_then_read(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char path[4096];
	struct stat st;
	mode_t old = umask(022);

	path_in(path, sizeof(path), "TEST-gate.xml");
	CU_ASSERT_EQUAL(mg_file_write_atomic(path, "first", 5, &err), 0);
	CU_ASSERT_EQUAL(mg_file_write_atomic(path, "second\n", 7, &err), 0);
	CU_ASSERT_EQUAL(mg_file_read(path, &b, &err), 0);
	ASSERT_STR(b.buf, "second\n");
	CU_ASSERT_EQUAL(count_entries(dir), 1); /* no temp file left behind */
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	CU_ASSERT_FALSE(mg_err_failed(&err));
	umask(old);
	unlink(path);
	mg_buf_release(&b);
}

static void test_fileio__write_failure_leaves_nothing(void)
{
	struct mg_err err = MG_ERR_INIT;
	char path[4096];

	path_in(path, sizeof(path), "missing-dir/out.xml");
	CU_ASSERT_EQUAL(mg_file_write_atomic(path, "x", 1, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "missing-dir"));
	CU_ASSERT_EQUAL(count_entries(dir), 0);
}

static void test_fileio__failed_rename_keeps_old_file_and_removes_temp(void)
{
	struct mg_err err = MG_ERR_INIT;
	char path[4096];

	/* a directory in the way makes rename() fail after the temp file exists */
	path_in(path, sizeof(path), "is-a-dir");
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	CU_ASSERT_EQUAL(mg_file_write_atomic(path, "x", 1, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot replace"));
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	rmdir(path);
}

static void test_fileio__read_errors(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf small = MG_BUF_INIT(4);
	char path[4096];

	path_in(path, sizeof(path), "nope.json");
	CU_ASSERT_EQUAL(mg_file_read(path, &small, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "nope.json"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file"));

	mg_err_clear(&err);
	path_in(path, sizeof(path), "big.json");
	CU_ASSERT_EQUAL(mg_file_write_atomic(path, "12345", 5, &err), 0);
	CU_ASSERT_EQUAL(mg_file_read(path, &small, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_TOO_LARGE);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);

	mg_err_clear(&err);
	mg_buf_release(&small);
	CU_ASSERT_EQUAL(mg_file_read(dir, &small, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is a directory"));
	unlink(path);
	mg_buf_release(&small);
}

static void test_fileio__output_masks_secrets(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf content = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf back = MG_BUF_INIT(MG_BUF_SMALL);
	char path[4096];

	mg_secrets_add(&s, "hunter2");
	mg_buf_adds(&content, "<property name=\"token\" value=\"hunter2\"/>");
	path_in(path, sizeof(path), "out.xml");
	CU_ASSERT_EQUAL(mg_write_output(&s, path, &content, &err), 0);
	CU_ASSERT_EQUAL(mg_file_read(path, &back, &err), 0);
	ASSERT_STR(back.buf, "<property name=\"token\" value=\"***\"/>");
	unlink(path);
	mg_buf_release(&content);
	mg_buf_release(&back);
	mg_secrets_release(&s);
}

static void test_fileio__overflowed_output_is_refused(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf content = MG_BUF_INIT(3);
	char path[4096];

	mg_buf_adds(&content, "abcd");
	path_in(path, sizeof(path), "partial.xml");
	CU_ASSERT_EQUAL(mg_write_output(NULL, path, &content, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	mg_buf_release(&content);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_fileio__atomic_write_then_read),
        UNIT_TEST(test_fileio__write_failure_leaves_nothing),
        UNIT_TEST(test_fileio__failed_rename_keeps_old_file_and_removes_temp),
        UNIT_TEST(test_fileio__read_errors),
        UNIT_TEST(test_fileio__output_masks_secrets),
        UNIT_TEST(test_fileio__overflowed_output_is_refused),
        UNIT_END,
};

const struct unit_suite unit_suite_fileio = {"fileio", setup, teardown, tests};
