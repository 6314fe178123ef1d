/* mknod() is an XSI extension */
#define _XOPEN_SOURCE 700
#include "setup.h"
#include "unit.h"
#include "fileio.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

static void test_fileio__symlink_target_replaced_link_kept(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char link[4096], target[4096], sub[4096], made[4096];
	struct stat st;

	path_in(target, sizeof(target), "target.xml");
	path_in(link, sizeof(link), "link.xml");
	CU_ASSERT_EQUAL(mg_file_write_atomic(target, "old", 3, &err), 0);
	CU_ASSERT_EQUAL(chmod(target, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(symlink("target.xml", link), 0);
	CU_ASSERT_EQUAL(mg_file_write_atomic(link, "new", 3, &err), 0);
	CU_ASSERT_EQUAL(lstat(link, &st), 0);
	CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(stat(target, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600); /* a replaced file keeps its mode */
	CU_ASSERT_EQUAL(mg_file_read(target, &b, &err), 0);
	ASSERT_STR(b.buf, "new");
	CU_ASSERT_EQUAL(count_entries(dir), 2); /* no temp file left behind */

	/* a dangling relative link in a subdirectory: its target is created there */
	path_in(sub, sizeof(sub), "sub");
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	path_in(link, sizeof(link), "sub/dangling.json");
	path_in(made, sizeof(made), "made.json");
	CU_ASSERT_EQUAL_FATAL(symlink("../made.json", link), 0);
	CU_ASSERT_EQUAL(mg_file_write_atomic(link, "{}", 2, &err), 0);
	CU_ASSERT_EQUAL(lstat(link, &st), 0);
	CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
	mg_buf_reset(&b);
	CU_ASSERT_EQUAL(mg_file_read(made, &b, &err), 0);
	ASSERT_STR(b.buf, "{}");
	CU_ASSERT_FALSE(mg_err_failed(&err));
	unlink(link);
	unlink(made);
	rmdir(sub);
	path_in(link, sizeof(link), "link.xml");
	unlink(link);
	unlink(target);
	mg_buf_release(&b);
}

static void test_fileio__devices_and_descriptors_written_through(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char path[4096], fdpath[64];
	const char *dev;
	struct stat st;
	int fd;

	/*
	 * A character device is opened and written, never replaced (as root,
	 * rename would): a copy of /dev/null made here as root, so a regression
	 * cannot replace the machine's; /dev/null itself otherwise.
	 */
	path_in(path, sizeof(path), "null");
	dev = mknod(path, S_IFCHR | 0666, makedev(1, 3)) ? "/dev/null" : path;
	CU_ASSERT_EQUAL(mg_file_write_atomic(dev, "x", 1, &err), 0);
	CU_ASSERT_EQUAL(stat(dev, &st), 0);
	CU_ASSERT_TRUE(S_ISCHR(st.st_mode));
	if (dev == path)
		unlink(path);

	/* /dev/fd/N writes to descriptor N itself */
	path_in(path, sizeof(path), "fd.txt");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "a", 1), 1);
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	CU_ASSERT_EQUAL(mg_file_write_atomic(fdpath, "bc", 2, &err), 0);
	CU_ASSERT(fcntl(fd, F_GETFD) >= 0);    /* still open */
	CU_ASSERT_EQUAL(write(fd, "d", 1), 1); /* the offset is shared */
	close(fd);
	CU_ASSERT_EQUAL(mg_file_read(path, &b, &err), 0);
	ASSERT_STR(b.buf, "abcd");
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	CU_ASSERT_FALSE(mg_err_failed(&err));

	/* a closed descriptor is an error naming it */
	fd = dup(STDERR_FILENO);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
	CU_ASSERT_EQUAL(mg_file_write_atomic(fdpath, "x", 1, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not open"));
	unlink(path);
	mg_buf_release(&b);
}

/* mg_outputs_check() of one output `path` as `option`: the message, "" when accepted. */
static const char *check1(const char *option, const char *path, bool append, struct mg_err *err)
{
	struct mg_output o = {option, path, append};

	mg_err_clear(err);
	if (!mg_outputs_check(&o, 1, err))
		return "";
	CU_ASSERT_EQUAL(err->code, MG_EXIT_USAGE);
	return err->msg;
}

static void test_fileio__outputs_check(void)
{
	struct mg_err err = MG_ERR_INIT;
	char file[4096], sub[4096], buf[16384], dot[8192];
	int fd;

	path_in(file, sizeof(file), "file");
	CU_ASSERT_EQUAL(mg_file_write_atomic(file, "x", 1, &err), 0);
	path_in(sub, sizeof(sub), "file/x.xml");

	ASSERT_STR(check1("--junit", "-", false, &err), "");
	ASSERT_STR(check1("--junit", "/dev/null", false, &err), "");
	ASSERT_STR(check1("--junit", "/dev/stdout", false, &err), "");
	ASSERT_STR(check1("--junit", file, false, &err), "");
	path_in(buf, sizeof(buf), "new.xml");
	ASSERT_STR(check1("--junit", buf, false, &err), "");
	CU_ASSERT_EQUAL(count_entries(dir), 1); /* a check creates nothing */

	snprintf(buf, sizeof(buf), "--junit: cannot write '%s': '%s' is not a directory", sub,
	         file);
	ASSERT_STR(check1("--junit", sub, false, &err), buf);
	path_in(sub, sizeof(sub), "no/such/x.xml");
	snprintf(buf, sizeof(buf),
	         "--json: cannot write '%s': directory '%s/no/such': No such file or directory",
	         sub, dir);
	ASSERT_STR(check1("--json", sub, false, &err), buf);
	snprintf(buf, sizeof(buf), "--summary: cannot write '%s': is a directory", dir);
	ASSERT_STR(check1("--summary", dir, false, &err), buf);
	snprintf(buf, sizeof(buf), "%s/", dir);
	CU_ASSERT_PTR_NOT_NULL(strstr(check1("--summary", buf, false, &err), "is a directory"));
	ASSERT_STR(check1("-o", "", false, &err), "-o: cannot write '': empty file name");

	/* descriptors: open for writing, or refused */
	fd = dup(STDERR_FILENO);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(sub, sizeof(sub), "/dev/fd/%d", fd);
	snprintf(buf, sizeof(buf), "--junit: cannot write '%s': descriptor %d is not open", sub,
	         fd);
	ASSERT_STR(check1("--junit", sub, false, &err), buf);
	fd = open(file, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	snprintf(sub, sizeof(sub), "/proc/self/fd/%d", fd);
	CU_ASSERT_PTR_NOT_NULL(strstr(check1("--junit", sub, false, &err), "for reading only"));
	close(fd);

	/* an appended output: "-" is a file name, an existing file needs no writable directory */
	ASSERT_STR(check1("--results", file, true, &err), "");

	/* two outputs to one place */
	{
		struct mg_output two[3] = {{"--junit", "-", false},
		                           {"--json", NULL, false},
		                           {"--summary", "/dev/fd/1", false}};

		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_outputs_check(two, 3, &err), -1);
		ASSERT_STR(err.msg, "--junit and --summary both write to standard output: give "
		                    "each its own");
		two[0].path = two[2].path = "/dev/null"; /* a device may take both */
		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_outputs_check(two, 3, &err), 0);
		two[0].path = file;
		snprintf(dot, sizeof(dot), "%s/./file", dir);
		two[2].path = dot;
		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_outputs_check(two, 3, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--junit and --summary both write to '"));
		path_in(buf, sizeof(buf), "new.xml");
		snprintf(dot, sizeof(dot), "%s/./new.xml", dir);
		two[0].path = buf;
		two[2].path = dot; /* the same new file, named two ways */
		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_outputs_check(two, 3, &err), -1);
	}
	unlink(file);
}

static void test_fileio__output_replaces_input(void)
{
	struct mg_err err = MG_ERR_INIT;
	char a[4096], b[4096], link[4096], missing[4096];

	path_in(a, sizeof(a), "in.csv");
	path_in(b, sizeof(b), "other.csv");
	path_in(link, sizeof(link), "in-link.csv");
	path_in(missing, sizeof(missing), "missing.csv");
	CU_ASSERT_EQUAL(mg_file_write_atomic(a, "x\n1\n", 4, &err), 0);
	CU_ASSERT_EQUAL(mg_file_write_atomic(b, "x\n1\n", 4, &err), 0);
	CU_ASSERT_EQUAL_FATAL(symlink("in.csv", link), 0);
	CU_ASSERT_TRUE(mg_output_replaces_input(a, a));
	CU_ASSERT_TRUE(mg_output_replaces_input(link, a)); /* links followed */
	CU_ASSERT_FALSE(mg_output_replaces_input(b, a));   /* same bytes, another file */
	CU_ASSERT_FALSE(mg_output_replaces_input(missing, a));
	CU_ASSERT_FALSE(mg_output_replaces_input("-", a));
	CU_ASSERT_FALSE(mg_output_replaces_input(NULL, a));
	CU_ASSERT_FALSE(mg_output_replaces_input("/dev/null", "/dev/null")); /* not a file */
	{
		const struct mg_output outs[] = {{"--json", b, false}, {"--junit", link, false}};
		const struct mg_output ins[] = {{"--profile", NULL, false},
		                                {"--current", a, false}};

		CU_ASSERT_EQUAL(mg_outputs_spare_inputs(outs, 1, ins, 2, &err), 0);
		CU_ASSERT_EQUAL(mg_outputs_spare_inputs(outs, 2, ins, 2, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--junit '"));
		CU_ASSERT_PTR_NOT_NULL(
		        strstr(err.msg, "in-link.csv' would replace the --current file '"));
	}
	unlink(link);
	unlink(a);
	unlink(b);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_fileio__atomic_write_then_read),
        UNIT_TEST(test_fileio__write_failure_leaves_nothing),
        UNIT_TEST(test_fileio__failed_rename_keeps_old_file_and_removes_temp),
        UNIT_TEST(test_fileio__read_errors),
        UNIT_TEST(test_fileio__output_masks_secrets),
        UNIT_TEST(test_fileio__overflowed_output_is_refused),
        UNIT_TEST(test_fileio__symlink_target_replaced_link_kept),
        UNIT_TEST(test_fileio__devices_and_descriptors_written_through),
        UNIT_TEST(test_fileio__outputs_check),
        UNIT_TEST(test_fileio__output_replaces_input),
        UNIT_END,
};

const struct unit_suite unit_suite_fileio = {"fileio", setup, teardown, tests};
