#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "csvstream.h"

#include <inttypes.h>

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

/* Every record as "ROW:field|field|...\n", to compare whole parses. */
struct dump {
	char text[4096];
	size_t len;
};

static int dump_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                    struct mg_err *err)
{
	struct dump *d = arg;

	(void)err;
	d->len += (size_t)snprintf(d->text + d->len, sizeof(d->text) - d->len, "%" PRIu64 ":", row);
	for (size_t i = 0; i < n && d->len < sizeof(d->text); i++) {
		CU_ASSERT_EQUAL(strlen(f[i].s), f[i].len); /* NUL-terminated, no NUL inside */
		d->len += (size_t)snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s%s",
		                           i ? "|" : "", f[i].s);
	}
	if (d->len < sizeof(d->text))
		d->len += (size_t)snprintf(d->text + d->len, sizeof(d->text) - d->len, "\n");
	CU_ASSERT_FATAL(d->len < sizeof(d->text));
	return 0;
}

/* Parse with reads of `read_size` bytes (0: the default) and bounds `field_max`/`row_max`. */
static int dump_parse(const char *data, size_t len, size_t read_size, size_t field_max,
                      size_t row_max, struct dump *d, struct mg_err *err)
{
	struct mg_csv_limits lim = {
	        .field_max = field_max, .row_max = row_max, .read_size = read_size};

	memset(d, 0, sizeof(*d));
	mg_err_clear(err);
	return mg_csv_read_mem("t.csv", data, len, &lim, dump_row, d, NULL, err);
}

/*
 * The same input read 1, 2, 3, ... bytes at a time: every split of a BOM, a
 * quoted field (at its opening, inside, at a "" escape, at its closing
 * quote), a CRLF and a multibyte UTF-8 sequence across two reads gives the
 * same records as one read.
 */
static void test_csv__every_read_boundary(void)
{
	static const char data[] =
	        "\xef\xbb\xbf"
	        "id,text,note\r\n"
	        "1,\"a,\"\"b\"\"\r\nc\",caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80\r\n"
	        "\r\n\n"
	        "2,\"\",\"\"\"\"\r"
	        "3,,\"x\"\n"
	        "4,\xc3\xa9,";
	static const char want[] = "1:id|text|note\n"
	                           "2:1|a,\"b\"\r\nc|caf\xc3\xa9 \xe2\x82\xac\xf0\x9f\x98\x80\n"
	                           "3:2||\"\n"
	                           "4:3||x\n"
	                           "5:4|\xc3\xa9|\n";
	struct dump d;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(dump_parse(data, sizeof(data) - 1, 0, 0, 0, &d, &err), 0);
	ASSERT_STR(d.text, want);
	for (size_t rs = 1; rs <= sizeof(data); rs++) {
		CU_ASSERT_EQUAL(dump_parse(data, sizeof(data) - 1, rs, 0, 0, &d, &err), 0);
		ASSERT_STR(d.text, want);
	}
}

/* Each error names the same row and column however the input is cut into reads. */
static void test_csv__errors_at_every_read_boundary(void)
{
	static const struct {
		const char *data, *msg;
	} cases[] = {
	        {"a,b\n1,\"x\"y\n", "row 2, column 2: malformed quoting (a stray '\"')"},
	        {"a,b\n1,x\"y\n", "row 2, column 2: malformed quoting (a stray '\"')"},
	        {"a,b\n1,\"open\n2,3\n",
	         "row 2, column 2: unterminated quoted field at end of file"},
	        {"a,b\n1,\"x\"\"", "row 2, column 2: unterminated quoted field at end of file"},
	        {"a,b\n1,\xe2\x82x\n", "row 2, column 2: field is not valid UTF-8"},
	        {"a,b\n1,\"\xe2\x82\"\n", "row 2, column 2: field is not valid UTF-8"},
	        {"a,b\n1,2,3\r\n", "row 2, column 3: record has 3 fields, the header has 2"},
	        {"a,b\n1\r\n", "row 2, column 2: record has 1 field, the header has 2"},
	        {"\xef\xbb", "row 1, column 1: field is not valid UTF-8"}, /* a cut BOM */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].data);

		for (size_t rs = 0; rs <= len + 1; rs++) {
			struct dump d;
			struct mg_err err = MG_ERR_INIT;
			char want[256];

			snprintf(want, sizeof(want), "'t.csv': %s", cases[i].msg);
			CU_ASSERT_EQUAL(dump_parse(cases[i].data, len, rs, 0, 0, &d, &err), -1);
			ASSERT_STR(err.msg, want);
			CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		}
	}
}

/* A field of exactly field_max bytes is taken, one byte more is not, quoted or not. */
static void test_csv__field_at_the_limit(void)
{
	static const struct {
		const char *data;
		int ret;
	} cases[] = {
	        {"h\n12345678\n", 0},
	        {"h\n123456789\n", -1},
	        {"h\n\"1234,678\"\n", 0},
	        {"h\n\"1234,6789\"\n", -1},
	        {"h\n\"12\"\"45\"\"78\"\n", 0}, /* 8 bytes once unescaped */
	        {"h\n\"12\"\"45\"\"789\"\n", -1},
	        {"h\n123456789", -1},   /* at the end of the input */
	        {"h\n\"123456789", -1}, /* the bound comes before "unterminated" */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].data);

		for (size_t rs = 0; rs <= len + 1; rs++) {
			struct dump d;
			struct mg_err err = MG_ERR_INIT;

			CU_ASSERT_EQUAL(dump_parse(cases[i].data, len, rs, 8, 0, &d, &err),
			                cases[i].ret);
			if (cases[i].ret)
				ASSERT_STR(err.msg,
				           "'t.csv': row 2, column 1: field longer than 8 bytes");
		}
	}
}

/* A record of exactly row_max bytes (fields + 1 each) is taken, one more is not. */
static void test_csv__record_at_the_limit(void)
{
	struct dump d;
	struct mg_err err = MG_ERR_INIT;

	/* 4 + 1 + 4 + 1 = 10 */
	CU_ASSERT_EQUAL(dump_parse("a,b\n1234,5678\n", 14, 3, 8, 10, &d, &err), 0);
	CU_ASSERT_EQUAL(dump_parse("a,b\n1234,56789\n", 15, 3, 8, 10, &d, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 2, column 2: record longer than 10 bytes");
}

/* Blank lines (LF, CR, CRLF) are not records; a lone CR ends one; "a," ends with an empty field. */
static void test_csv__line_ends_and_blank_lines(void)
{
	struct dump d;
	struct mg_err err = MG_ERR_INIT;
	uint64_t rows = 0;

	CU_ASSERT_EQUAL(dump_parse("\n\r\na,b\r1,\n\n\r\n2,\"\"", 17, 0, 0, 0, &d, &err), 0);
	ASSERT_STR(d.text, "1:a|b\n2:1|\n3:2|\n");
	CU_ASSERT_EQUAL(mg_csv_read_mem("t.csv", "h\n\n", 3, NULL, dump_row, &d, &rows, &err), 0);
	CU_ASSERT_EQUAL(rows, 0);
	CU_ASSERT_EQUAL(dump_parse("\r\n\n", 3, 0, 0, 0, &d, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': no header row");
}

static void test_csv__too_many_fields(void)
{
	size_t n = 2 * (MG_CSV_COLUMNS_MAX + 1);
	char *data = mg_xmalloc(n + 1);
	struct dump d;
	struct mg_err err = MG_ERR_INIT;

	for (size_t i = 0; i < n; i += 2)
		memcpy(data + i, "x,", 2);
	data[n - 1] = '\n';
	CU_ASSERT_EQUAL(dump_parse(data, n, 0, 0, 0, &d, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 1, column 4097: more than 4096 fields");
	free(data);
}

/* The longest record the bounds allow, with every byte escaped, read a byte at a time. */
static void test_csv__longest_escaped_record(void)
{
	size_t fmax = 1000, n = 0;
	char *data = mg_xmalloc(4 * fmax + 64);
	struct dump d;
	struct mg_err err = MG_ERR_INIT;

	n += (size_t)snprintf(data, 8, "a,b\n\"");
	for (size_t i = 0; i < fmax; i++, n += 2)
		memcpy(data + n, "\"\"", 2);
	memcpy(data + n, "\",\"", 3);
	n += 3;
	for (size_t i = 0; i < fmax - 1; i++, n += 2)
		memcpy(data + n, "\"\"", 2);
	memcpy(data + n, "\"\n", 2);
	n += 2;
	CU_ASSERT_EQUAL(dump_parse(data, n, 7, fmax, 2 * fmax + 1, &d, &err), 0);
	CU_ASSERT_EQUAL(dump_parse(data, n, 7, fmax, 2 * fmax, &d, &err), -1);
	ASSERT_STR(err.msg, "'t.csv': row 2, column 2: record longer than 2000 bytes");
	free(data);
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
        UNIT_TEST(test_csv__every_read_boundary),
        UNIT_TEST(test_csv__errors_at_every_read_boundary),
        UNIT_TEST(test_csv__field_at_the_limit),
        UNIT_TEST(test_csv__record_at_the_limit),
        UNIT_TEST(test_csv__line_ends_and_blank_lines),
        UNIT_TEST(test_csv__too_many_fields),
        UNIT_TEST(test_csv__longest_escaped_record),
        UNIT_END,
};

const struct unit_suite unit_suite_csv = {"csv", NULL, NULL, tests};
