#include "setup.h"
#include "unit.h"
#include "smoke.h"
#include "smoke_contract.h"
#include "alloc.h"

#include <dirent.h>
#include <regex.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_smoke__expand(void)
{
	struct mg_smoke_vars v = {.sample = "s.csv", .out = "/tmp/o", .suite_dir = "d"};
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_smoke_expand("{suite_dir}/x {sample} {out}/p.csv {other} {", &v, "run",
	                                &b, &err),
	                0);
	ASSERT_STR(b.buf, "d/x s.csv /tmp/o/p.csv {other} {");
	mg_buf_reset(&b);
	CU_ASSERT_EQUAL(mg_smoke_expand("{model_uri}", &v, "run", &b, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	ASSERT_STR(err.msg,
	           "run: {model_uri} has no value (use --model-uri, or --model with --version)");
	mg_buf_release(&b);
}

static void test_smoke__percentile(void)
{
	double ms[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};

	CU_ASSERT_DOUBLE_EQUAL(mg_smoke_percentile(ms, 10, 50), 5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(mg_smoke_percentile(ms, 10, 95), 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(mg_smoke_percentile(ms, 1, 95), 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(mg_smoke_percentile(ms, 0, 95), 0, 1e-9);
}

/*
 * Check `csv` against the contract `json`, the unique check holding `buffer`
 * fingerprints in memory (0: the default); returns the violations, or -1
 * when the file could not be checked (*code, when not NULL, gets err.code).
 */
static long long check_buf(const char *json, const char *csv, size_t buffer, char *report, size_t n,
                           int *code)
{
	char path[] = "/tmp/mlgate-unit-smoke.XXXXXX";
	int fd = mkstemp(path);
	cJSON *spec = cJSON_Parse(json);
	struct mg_contract c;
	struct mg_err err = MG_ERR_INIT;
	long long ret = -1;

	CU_ASSERT_FATAL(fd >= 0 && spec != NULL);
	CU_ASSERT_EQUAL(write(fd, csv, strlen(csv)), (ssize_t)strlen(csv));
	close(fd);
	CU_ASSERT_EQUAL_FATAL(mg_contract_init(&c, spec, "case", &err), 0);
	c.unique_buffer = buffer;
	if (!mg_contract_check_file(&c, path, &err))
		ret = (long long)c.violations;
	snprintf(report, n, "%s", ret < 0 ? err.msg : c.report.buf);
	if (code)
		*code = err.code;
	mg_contract_release(&c);
	cJSON_Delete(spec);
	unlink(path);
	return ret;
}

/* Check `csv` against the contract `json`; returns the violations (-1: unreadable). */
static long long check(const char *json, const char *csv, char *report, size_t n)
{
	return check_buf(json, csv, 0, report, n, NULL);
}

static void test_smoke__contract_passes(void)
{
	char rep[1024];

	CU_ASSERT_EQUAL(check("{\"columns\":{\"id\":{\"type\":\"int\",\"nullable\":false},"
	                      "\"amount\":{\"type\":\"float\",\"min\":0},"
	                      "\"country\":{\"allowed\":[\"DE\",\"FR\"]},"
	                      "\"day\":{\"type\":\"date\"},\"at\":{\"type\":\"datetime\"},"
	                      "\"ok\":{\"type\":\"bool\"},\"code\":{\"regex\":\"[A-Z]{2}[0-9]+\"}},"
	                      "\"unique\":[\"id\"],\"rows\":{\"min\":2,\"max\":2}}",
	                      "id,amount,country,day,at,ok,code\n"
	                      "1,0.5,DE,2024-02-29,2026-11-30T06:00:00Z,true,AB12\n"
	                      "2,1e3,FR,2026-01-01,2026-11-30 06:00:00.5,No,ZZ9\n",
	                      rep, sizeof(rep)),
	                0);
}

static void test_smoke__contract_reports_row_and_column(void)
{
	char rep[1024];

	CU_ASSERT_EQUAL(check("{\"columns\":{\"id\":{\"type\":\"int\"},\"amount\":{\"type\":"
	                      "\"float\",\"min\":0,\"max\":10}}}",
	                      "id,amount\n1,2\nx,3\n3,-1\n4,nan\n5,11\n", rep, sizeof(rep)),
	                4);
	ASSERT_STR(rep, "row 3, column 'id' (1): 'x' is not of type int\n"
	                "row 4, column 'amount' (2): -1 is below the minimum 0\n"
	                "row 5, column 'amount' (2): 'nan' is not a finite number\n"
	                "row 6, column 'amount' (2): 11 is above the maximum 10\n");
}

static void test_smoke__contract_nulls(void)
{
	char rep[1024];

	CU_ASSERT_EQUAL(check("{\"columns\":{\"a\":{\"nullable\":false},\"b\":{}},"
	                      "\"max_null_fraction\":0.25}",
	                      "a,b\n1,\n,2\n3,\n4,5\n", rep, sizeof(rep)),
	                2);
	/* 0.25 is not above 0.25: only b breaks the fraction */
	ASSERT_STR(rep, "row 3, column 'a' (1): null (empty) value\n"
	                "column 'b': null fraction 0.5 is above 0.25 (2 of 4 rows)\n");
}

static void test_smoke__contract_missing_column_unique_rows(void)
{
	char rep[1024];

	CU_ASSERT_EQUAL(check("{\"columns\":{\"gone\":{},\"opt\":{\"required\":false}},"
	                      "\"unique\":[\"k\"],\"rows\":{\"min\":5}}",
	                      "k\na\nb\na\n", rep, sizeof(rep)),
	                3);
	ASSERT_STR(rep, "column 'gone': missing from the header\n"
	                "row 4, column 'k' (1): duplicate key (unique: k), first at row 2\n"
	                "column '*': 3 rows, fewer than the minimum 5\n");
}

#define UNIQUE_K "{\"unique\":[\"k\"]}"

/* Duplicates in one buffer: each names its row and the first row with its key. */
static void test_smoke__unique_one_run(void)
{
	char rep[2048];

	CU_ASSERT_EQUAL(check(UNIQUE_K, "k,v\na,1\nb,2\na,3\nc,4\nb,5\na,6\n", rep, sizeof(rep)),
	                3);
	ASSERT_STR(rep, "row 4, column 'k' (1): duplicate key (unique: k), first at row 2\n"
	                "row 6, column 'k' (1): duplicate key (unique: k), first at row 3\n"
	                "row 7, column 'k' (1): duplicate key (unique: k), first at row 2\n");
	CU_ASSERT_EQUAL(check(UNIQUE_K, "k\n", rep, sizeof(rep)), 0);
	CU_ASSERT_EQUAL(check(UNIQUE_K, "k\nonly\n", rep, sizeof(rep)), 0);
}

/* Several key columns: the combination must be unique, fields never run together. */
static void test_smoke__unique_composite(void)
{
	const char *json = "{\"unique\":[\"a\",\"b\"]}";
	const char *csv = "a,b,c\n1,x,0\n1,y,0\n2,x,0\n1,x,0\nab,c,0\na,bc,0\n,a,0\na,,0\n"
	                  "\"a\",\"bc\",1\n";
	char rep[2048];

	for (size_t buffer = 0; buffer <= 4; buffer += 4) {
		CU_ASSERT_EQUAL(check_buf(json, csv, buffer, rep, sizeof(rep), NULL), 2);
		ASSERT_STR(rep, "row 5, column 'a' (1): duplicate key (unique: a, ...), first at "
		                "row 2\n"
		                "row 10, column 'a' (1): duplicate key (unique: a, ...), first at "
		                "row 7\n");
	}
}

/* An empty key is a value like any other (as before the external sort): empties collide. */
static void test_smoke__unique_nulls(void)
{
	char rep[2048];

	CU_ASSERT_EQUAL(
	        check_buf(UNIQUE_K, "k,v\n,1\nx,2\n,3\n\"\",4\n", 4, rep, sizeof(rep), NULL), 2);
	ASSERT_STR(rep, "row 4, column 'k' (1): duplicate key (unique: k), first at row 2\n"
	                "row 5, column 'k' (1): duplicate key (unique: k), first at row 2\n");
}

/* Duplicates found at the end read as if met in the stream: by row, after their row's. */
static void test_smoke__unique_report_order(void)
{
	const char *json = "{\"columns\":{\"v\":{\"type\":\"int\"}},\"unique\":[\"k\"],"
	                   "\"rows\":{\"max\":3},\"max_null_fraction\":0.25}";
	char rep[2048];

	for (size_t buffer = 0; buffer <= 4; buffer += 4) {
		CU_ASSERT_EQUAL(check_buf(json, "k,v\na,x\nb,1\na,y\nc,\nb,z\nd,\n", buffer, rep,
		                          sizeof(rep), NULL),
		                7);
		ASSERT_STR(
		        rep,
		        "row 2, column 'v' (2): 'x' is not of type int\n"
		        "row 4, column 'v' (2): 'y' is not of type int\n"
		        "row 4, column 'k' (1): duplicate key (unique: k), first at row 2\n"
		        "row 6, column 'v' (2): 'z' is not of type int\n"
		        "row 6, column 'k' (1): duplicate key (unique: k), first at row 3\n"
		        "column 'v': null fraction 0.3333333333333333 is above 0.25 (2 of 6 rows)\n"
		        "column '*': 6 rows, more than the maximum 3\n");
	}
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/*
 * The runs go to $TMPDIR and leave nothing there, nor an open descriptor;
 * a file that fits in memory needs no temporary file; a temporary file that
 * cannot be created is an infrastructure error.
 */
static void test_smoke__unique_temp_files(void)
{
	char dir[] = "/tmp/mlgate-unit-uniq.XXXXXX", *old = getenv("TMPDIR");
	struct mg_buf csv = MG_BUF_INIT(MG_BUF_SMALL);
	char rep[2048], *saved = old ? mg_xstrdup(old) : NULL;
	int fds, code = 0;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	mg_buf_adds(&csv, "k\n");
	for (int i = 0; i < 300; i++)
		mg_buf_addf(&csv, "%d\n", i % 250);
	setenv("TMPDIR", dir, 1);
	fds = count_entries("/proc/self/fd");
	CU_ASSERT_EQUAL(check_buf(UNIQUE_K, csv.buf, 4, rep, sizeof(rep), NULL), 50);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	CU_ASSERT_EQUAL(count_entries("/proc/self/fd"), fds);
	CU_ASSERT_EQUAL(rmdir(dir), 0);

	/* fits in memory: no temporary file, so a missing TMPDIR does not matter */
	CU_ASSERT_EQUAL(check_buf(UNIQUE_K, csv.buf, 0, rep, sizeof(rep), NULL), 50);
	CU_ASSERT_EQUAL(check_buf(UNIQUE_K, csv.buf, 4, rep, sizeof(rep), &code), -1);
	CU_ASSERT_EQUAL(code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(rep, "cannot create a temporary file in '/tmp/mlgate-unit-uniq."));
	CU_ASSERT_PTR_NOT_NULL(strstr(rep, "for the unique check: No such file or directory"));
	CU_ASSERT_EQUAL(count_entries("/proc/self/fd"), fds);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	mg_buf_release(&csv);
}

static void test_smoke__contract_types(void)
{
	char rep[2048];

	CU_ASSERT_EQUAL(
	        check("{\"columns\":{\"d\":{\"type\":\"date\"},\"t\":{\"type\":"
	              "\"datetime\"},\"b\":{\"type\":\"bool\"},\"c\":{\"allowed\":[\"x\"]}}}",
	              "d,t,b,c\n2023-02-29,2026-13-01T00:00:00Z,maybe,y\n", rep, sizeof(rep)),
	        4);
}

static void test_smoke__contract_semantics(void)
{
	cJSON *spec = cJSON_Parse("{\"columns\":{\"s\":{\"type\":\"string\",\"min\":1}}}");
	struct mg_contract c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_contract_init(&c, spec, "smoke.cases[0]", &err), -1);
	ASSERT_STR(err.msg, "smoke.cases[0].columns.s: min and max need type int or float");
	mg_contract_release(&c);
	cJSON_Delete(spec);
}

static void test_smoke__schema_exposed(void)
{
	const struct mg_schema *s = mg_smoke_policy_schema();
	cJSON *bad = cJSON_Parse("{\"cases\":[{\"name\":\"x\",\"kind\":\"data\",\"pth\":\"a\"}]}");
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(s->type, MG_SCHEMA_OBJECT);
	CU_ASSERT_EQUAL(mg_schema_check(s, bad, "suite 's.json'", "smoke", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "smoke.cases[0].pth"));
	cJSON_Delete(bad);
}

/* Violations of the rule `rule` (JSON) on a column "v" holding `values`. */
static long long check_column(const char *rule, const char *const *values, size_t n)
{
	struct mg_buf json = MG_BUF_INIT(MG_BUF_SMALL), csv = MG_BUF_INIT(MG_BUF_SMALL);
	char rep[2048];
	long long ret;

	mg_buf_addf(&json, "{\"columns\":{\"v\":%s}}", rule);
	mg_buf_adds(&csv, "v\n");
	for (size_t i = 0; i < n; i++)
		mg_buf_addf(&csv, "%s\n", values[i]);
	ret = check(json.buf, csv.buf, rep, sizeof(rep));
	mg_buf_release(&json);
	mg_buf_release(&csv);
	return ret;
}

/*
 * A regex rule: the whole value must match, whether the pattern goes to
 * lib/classre.h (tested against regexec in test_classre.c) or to regexec.
 */
static void test_smoke__regex_rule(void)
{
	static const char *const vals[] = {"AB12", "A1", "ab", "abab", "xAB1"};

	CU_ASSERT_EQUAL(check_column("{\"regex\":\"[A-Z]{2}[0-9]+\"}", vals, 5), 4);
	CU_ASSERT_EQUAL(check_column("{\"regex\":\"(ab)+\"}", vals, 5), 3);
	CU_ASSERT_EQUAL(check_column("{\"regex\":\"[[:alnum:]]{4}\"}", vals, 5), 2);
}

/* bool in any case; allowed values by exact bytes; numbers as strtod/strtoll read them. */
static void test_smoke__fast_value_checks(void)
{
	static const char *const bools[] = {"true", "TRUE", "fAlSe", "1", "0",   "yes", "No",
	                                    "y",    "t",    "truee", "2", "nO ", "YES", "ja"};
	static const char *const vals[] = {"DE", "FR", "de", "D", "DEU", "IT", "FR ", "\xc3\xa9"};
	static const char *const ints[] = {
	        "0", "-0",  "+7",  "123456789012345678", "1234567890123456789", "1.0",
	        "-", "1e3", "007", "9223372036854775808"};
	static const char *const floats[] = {"0.1",  "0.10000000000000001",
	                                     "1.",   ".5",
	                                     "-0.0", "1e-1",
	                                     "0.3",  "99.999999999999999",
	                                     "100",  "100.000000000001",
	                                     "inf",  "0x10"};

	CU_ASSERT_EQUAL(check_column("{\"type\":\"bool\"}", bools, 14), 6);
	CU_ASSERT_EQUAL(
	        check_column("{\"allowed\":[\"DE\",\"FR\",\"IT\",\"\\u00e9\",\"D\"]}", vals, 8), 3);
	/* not ints: 1.0 - 1e3 and 2^63 (19 digits still fit); -0 is not below 0 */
	CU_ASSERT_EQUAL(check_column("{\"type\":\"int\",\"min\":0}", ints, 10), 4);
	/* -0.0 is below 0.1, 100.000000000001 above 100 (0.10000000000000001 and
	 * 99.999999999999999 read as 0.1 and 100, as strtod has them); inf and 0x10 are not
	 * finite floats */
	CU_ASSERT_EQUAL(check_column("{\"type\":\"float\",\"min\":0.1,\"max\":100}", floats, 12),
	                4);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_smoke__expand),
        UNIT_TEST(test_smoke__percentile),
        UNIT_TEST(test_smoke__contract_passes),
        UNIT_TEST(test_smoke__contract_reports_row_and_column),
        UNIT_TEST(test_smoke__contract_nulls),
        UNIT_TEST(test_smoke__contract_missing_column_unique_rows),
        UNIT_TEST(test_smoke__unique_one_run),
        UNIT_TEST(test_smoke__unique_composite),
        UNIT_TEST(test_smoke__unique_nulls),
        UNIT_TEST(test_smoke__unique_report_order),
        UNIT_TEST(test_smoke__unique_temp_files),
        UNIT_TEST(test_smoke__contract_types),
        UNIT_TEST(test_smoke__contract_semantics),
        UNIT_TEST(test_smoke__schema_exposed),
        UNIT_TEST(test_smoke__regex_rule),
        UNIT_TEST(test_smoke__fast_value_checks),
        UNIT_END,
};

const struct unit_suite unit_suite_smoke = {"smoke", NULL, NULL, tests};
