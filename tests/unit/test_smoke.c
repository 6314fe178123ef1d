#include "setup.h"
#include "unit.h"
#include "smoke.h"
#include "smoke_contract.h"

#include <regex.h>
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

/* Check `csv` against the contract `json`; returns the violations (-1: unreadable). */
static long long check(const char *json, const char *csv, char *report, size_t n)
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
	if (!mg_contract_check_file(&c, path, &err))
		ret = (long long)c.violations;
	snprintf(report, n, "%s", ret < 0 ? err.msg : c.report.buf);
	mg_contract_release(&c);
	cJSON_Delete(spec);
	unlink(path);
	return ret;
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
	                "row 4, column 'k' (1): duplicate key (unique: k)\n"
	                "column '*': 3 rows, fewer than the minimum 5\n");
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

/* The regexes taken by the contract's own matcher give what regexec on ^(P)$ gives. */
static void test_smoke__regex_same_as_regexec(void)
{
	static const char *const pats[] = {
	        "[a-z]+",
	        "[A-Z]{2}[0-9]+",
	        "[a-z]*x",
	        "ab?c",
	        "a{2,3}b{0,}",
	        "[0-9]{3}",
	        "[a-c-]+",
	        "[-x]?y",
	        "x{1,}",
	        "\\.[a-z]*",
	        "a[bc]*c",
	        "[a-z]{1,3}[a-z]{2}",
	        "[0-9]+\\.[0-9]{2}",
	        "[[:alpha:]]+",
	        "(ab)+",
	        "a|b",
	        ".*",
	        "[^a]+",
	        "a{,2}",
	};
	static const char *const vals[] = {
	        "a",    "abc", "ABC",  "AB12",     "A1",    "x",      "abx",  "ac",  "abc",
	        "abbc", "aab", "aaab", "aaaab",    "123",   "1234",   "a-c-", "-y",  "y",
	        "xxy",  "xx",  ".ab",  ".",        "acbcc", "abcdef", "abcd", "ab",  "12.34",
	        "1.2",  "b",   "ba",   "\xc3\xa9", "aa",    "aaa",    "Z9",   "zz9", "a.b",
	};
	size_t nv = sizeof(vals) / sizeof(vals[0]);

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		struct mg_buf rule = MG_BUF_INIT(MG_BUF_SMALL), re = MG_BUF_INIT(MG_BUF_SMALL);
		regex_t rx;
		long long want = 0;

		mg_buf_addf(&re, "^(%s)$", pats[i]);
		CU_ASSERT_EQUAL_FATAL(regcomp(&rx, re.buf, REG_EXTENDED | REG_NOSUB), 0);
		for (size_t k = 0; k < nv; k++)
			want += regexec(&rx, vals[k], 0, NULL, 0) != 0;
		regfree(&rx);
		mg_buf_adds(&rule, "{\"regex\":\"");
		for (const char *p = pats[i]; *p; p++)
			mg_buf_addf(&rule, *p == '\\' ? "\\\\" : "%c", *p);
		mg_buf_adds(&rule, "\"}");
		CU_ASSERT_EQUAL(check_column(rule.buf, vals, nv), want);
		if (check_column(rule.buf, vals, nv) != want)
			fprintf(stderr, "regex '%s': not as regexec\n", pats[i]);
		mg_buf_release(&rule);
		mg_buf_release(&re);
	}
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
        UNIT_TEST(test_smoke__contract_types),
        UNIT_TEST(test_smoke__contract_semantics),
        UNIT_TEST(test_smoke__schema_exposed),
        UNIT_TEST(test_smoke__regex_same_as_regexec),
        UNIT_TEST(test_smoke__fast_value_checks),
        UNIT_END,
};

const struct unit_suite unit_suite_smoke = {"smoke", NULL, NULL, tests};
