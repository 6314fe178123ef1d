#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "csvstream.h"

struct collect {
	uint64_t rows;
	size_t fields;
	char last[256];
};

static int collect_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                       struct mg_err *err)
{
	struct collect *c = arg;

	(void)err;
	c->rows = row;
	c->fields = n;
	snprintf(c->last, sizeof(c->last), "%s|%s", f[0].s, n > 1 ? f[n - 1].s : "");
	return 0;
}

static int parse(const char *data, size_t len, struct collect *c, struct mg_err *err)
{
	memset(c, 0, sizeof(*c));
	return mg_csv_read_mem("t.csv", data, len, NULL, collect_row, c, NULL, err);
}

#define PARSE(lit, c, err) parse((lit), sizeof(lit) - 1, (c), (err))

static void test_csv__quotes_crlf_bom(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("\xef\xbb\xbf"
	                      "a,b\r\n\"x,\"\"y\"\"\r\nz\",  2 \r\n",
	                      &c, &err),
	                0);
	CU_ASSERT_EQUAL(c.rows, 2);
	CU_ASSERT_EQUAL(c.fields, 2);
	ASSERT_STR(c.last, "x,\"y\"\r\nz|  2 ");         /* spaces are data (RFC 4180) */
	CU_ASSERT_EQUAL(PARSE("a,b\n1,2", &c, &err), 0); /* no final line break */
	ASSERT_STR(c.last, "1|2");
}

static void test_csv__header_is_read_after_bom(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("\xef\xbb\xbfid\n7\n", &c, &err), 0);
	ASSERT_STR(c.last, "7|");
}

static void test_csv__unterminated_quote(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("a,b\n1,\"open\n2,3\n", &c, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	ASSERT_STR(err.msg, "'t.csv': row 2, column 2: unterminated quoted field at end of file");
}

static void test_csv__stray_quote(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("a,b\n1,2\n3,x\"y\n", &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 3, column 2: malformed quoting (a stray '\"')");
}

static void test_csv__nul_byte(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("a,b\n1,2\n3,x\0y\n", &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 3, column 2: NUL byte in field");
}

static void test_csv__ragged_rows(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("a,b,c\n1,2,3\n4,5\n", &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 3, column 3: record has 2 fields, the header has 3");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(PARSE("a,b\n1,2,3\n", &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 2, column 3: record has 3 fields, the header has 2");
}

static void test_csv__bad_utf8(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(PARSE("a\n\xc3\x28\n", &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 2, column 1: field is not valid UTF-8");
	CU_ASSERT_TRUE(mg_csv_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	CU_ASSERT_FALSE(mg_csv_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	CU_ASSERT_FALSE(mg_csv_utf8_valid("\xc0\xaf", 2));     /* overlong */
	CU_ASSERT_FALSE(mg_csv_utf8_valid("\xe2\x82", 2));     /* cut */
}

static void test_csv__one_megabyte_field(void)
{
	size_t big = (size_t)1 << 20;
	char *data = mg_xmalloc(big + 64);
	struct collect c;
	struct mg_err err = MG_ERR_INIT;
	size_t n = 0;

	n += (size_t)snprintf(data, 64, "a,b\n1,\"");
	memset(data + n, 'x', big);
	n += big;
	memcpy(data + n, "\"\n", 2);
	n += 2;
	CU_ASSERT_EQUAL(parse(data, n, &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 2, column 2: field longer than 65536 bytes");
	/* a larger bound takes it */
	{
		struct mg_csv_limits lim = {.field_max = big + 1, .row_max = big + 16};
		struct mg_err e2 = MG_ERR_INIT;

		memset(&c, 0, sizeof(c));
		CU_ASSERT_EQUAL(mg_csv_read_mem("t.csv", data, n, &lim, collect_row, &c, NULL, &e2),
		                0);
		CU_ASSERT_EQUAL(c.rows, 2);
	}
	free(data);
}

static void test_csv__empty_and_missing(void)
{
	struct collect c;
	struct mg_err err = MG_ERR_INIT;
	uint64_t rows = 9;

	CU_ASSERT_EQUAL(parse("", 0, &c, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': no header row");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_csv_read_file("/nonexistent/x.csv", NULL, collect_row, &c, &rows, &err),
	                -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	CU_ASSERT_EQUAL(rows, 9);
}

static int stop_at_3(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                     struct mg_err *err)
{
	(void)arg;
	(void)f;
	(void)n;
	if (row == 3)
		return mg_err_set(err, MG_EXIT_USAGE, "stop");
	return 0;
}

static void test_csv__callback_stops_the_pass(void)
{
	static const char data[] = "a\n1\n2\n3\n";
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(
	        mg_csv_read_mem("t", data, sizeof(data) - 1, NULL, stop_at_3, NULL, NULL, &err),
	        -1);
	ASSERT_STR(err.msg, "stop");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_csv__quotes_crlf_bom),
        UNIT_TEST(test_csv__header_is_read_after_bom),
        UNIT_TEST(test_csv__unterminated_quote),
        UNIT_TEST(test_csv__stray_quote),
        UNIT_TEST(test_csv__nul_byte),
        UNIT_TEST(test_csv__ragged_rows),
        UNIT_TEST(test_csv__bad_utf8),
        UNIT_TEST(test_csv__one_megabyte_field),
        UNIT_TEST(test_csv__empty_and_missing),
        UNIT_TEST(test_csv__callback_stops_the_pass),
        UNIT_END,
};

const struct unit_suite unit_suite_csv = {"csv", NULL, NULL, tests};
