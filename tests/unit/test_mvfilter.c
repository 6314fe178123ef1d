#include "setup.h"
#include "unit.h"
#include "mvfilter.h"

static struct mg_mvfilter f = MG_MVFILTER_INIT;

static int cleanup(void)
{
	mg_mvfilter_release(&f);
	return 0;
}

/* Parse `text`, expecting success. */
static void ok(const char *text)
{
	struct mg_err err = MG_ERR_INIT;

	mg_mvfilter_release(&f);
	CU_ASSERT_EQUAL(mg_mvfilter_parse(text, &f, &err), 0);
	if (mg_err_failed(&err))
		fprintf(stderr, "unexpected error for [%s]: %s\n", text, err.msg);
}

/* Parse `text`, expecting a usage error whose message contains `part`. */
static void bad(const char *text, const char *part)
{
	struct mg_err err = MG_ERR_INIT;

	mg_mvfilter_release(&f);
	CU_ASSERT_EQUAL(mg_mvfilter_parse(text, &f, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_EQUAL(f.n, 0);
	CU_ASSERT_PTR_NULL(f.clauses);
	if (!strstr(err.msg, part)) {
		fprintf(stderr, "for [%s]: message [%s] lacks [%s]\n", text, err.msg, part);
		CU_FAIL("message does not name the part");
	}
}

static void test_mvfilter__empty(void)
{
	ok(NULL);
	CU_ASSERT_EQUAL(f.n, 0);
	ok("");
	CU_ASSERT_EQUAL(f.n, 0);
	ok("  \t\n");
	CU_ASSERT_EQUAL(f.n, 0);
}

static void test_mvfilter__attributes(void)
{
	ok("name='my model'");
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_EQUAL(f.clauses[0].field, MG_MVF_NAME);
	CU_ASSERT_EQUAL(f.clauses[0].op, MG_MVF_EQ);
	CU_ASSERT_EQUAL_FATAL(f.clauses[0].n_values, 1);
	ASSERT_STR(f.clauses[0].values[0], "my model");
	CU_ASSERT_PTR_NULL(f.clauses[0].tag_key);

	ok("  run_id != \"abc\"  and source_path LIKE '%/model' AND attribute.name ILIKE 'M%'");
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	CU_ASSERT_EQUAL(f.clauses[0].field, MG_MVF_RUN_ID);
	CU_ASSERT_EQUAL(f.clauses[0].op, MG_MVF_NE);
	ASSERT_STR(f.clauses[0].values[0], "abc");
	CU_ASSERT_EQUAL(f.clauses[1].field, MG_MVF_SOURCE_PATH);
	CU_ASSERT_EQUAL(f.clauses[1].op, MG_MVF_LIKE);
	ASSERT_STR(f.clauses[1].values[0], "%/model");
	CU_ASSERT_EQUAL(f.clauses[2].field, MG_MVF_NAME);
	CU_ASSERT_EQUAL(f.clauses[2].op, MG_MVF_ILIKE);
	ASSERT_STR(f.clauses[2].values[0], "M%");

	ok("name like 'a' AND name ilike 'b'");
	CU_ASSERT_EQUAL_FATAL(f.n, 2);
	CU_ASSERT_EQUAL(f.clauses[0].op, MG_MVF_LIKE);
	CU_ASSERT_EQUAL(f.clauses[1].op, MG_MVF_ILIKE);
}

static void test_mvfilter__version_number(void)
{
	static const struct {
		const char *text;
		enum mg_mvf_op op;
		long long n;
	} cases[] = {
	        {"version_number=3", MG_MVF_EQ, 3},       {"version_number != 3", MG_MVF_NE, 3},
	        {"version_number<10", MG_MVF_LT, 10},     {"version_number <= 10", MG_MVF_LE, 10},
	        {"version_number>  7", MG_MVF_GT, 7},     {"version_number>=-1", MG_MVF_GE, -1},
	        {"version_number = '42'", MG_MVF_EQ, 42}, {"version_number = \"5\"", MG_MVF_EQ, 5},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		ok(cases[i].text);
		CU_ASSERT_EQUAL_FATAL(f.n, 1);
		CU_ASSERT_EQUAL(f.clauses[0].field, MG_MVF_VERSION);
		CU_ASSERT_EQUAL(f.clauses[0].op, cases[i].op);
		CU_ASSERT_EQUAL(f.clauses[0].number, cases[i].n);
		CU_ASSERT_EQUAL(f.clauses[0].n_values, 0);
	}
	bad("version_number = 3.0", "integer");
	bad("version_number = 'x'", "integer");
	bad("version_number = 3x", "integer");
	bad("version_number = 99999999999999999999", "integer");
	bad("version_number LIKE '3'", "comparator LIKE is not supported for version_number");
	bad("version_number IN ('3')", "comparator IN is not supported for version_number");
}

static void test_mvfilter__tags(void)
{
	ok("tags.owner = 'ml-platform'");
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	CU_ASSERT_EQUAL(f.clauses[0].field, MG_MVF_TAG);
	ASSERT_STR(f.clauses[0].tag_key, "owner");
	ASSERT_STR(f.clauses[0].values[0], "ml-platform");

	ok("tags.mlflow.source.git.commit='abc' AND tag.x != ''");
	CU_ASSERT_EQUAL_FATAL(f.n, 2);
	ASSERT_STR(f.clauses[0].tag_key, "mlflow.source.git.commit");
	ASSERT_STR(f.clauses[1].tag_key, "x");
	ASSERT_STR(f.clauses[1].values[0], "");
	CU_ASSERT_EQUAL(f.clauses[1].op, MG_MVF_NE);

	ok("tags.\"key with spaces\" LIKE '%v%' AND tags.`back/tick ü` ILIKE \"V\"");
	CU_ASSERT_EQUAL_FATAL(f.n, 2);
	ASSERT_STR(f.clauses[0].tag_key, "key with spaces");
	CU_ASSERT_EQUAL(f.clauses[0].op, MG_MVF_LIKE);
	ASSERT_STR(f.clauses[1].tag_key, "back/tick ü");
	ASSERT_STR(f.clauses[1].values[0], "V");

	/* sqlparse's rule: "`x`" in double quotes loses both */
	ok("tags.\"`x`\" = 'v'");
	ASSERT_STR(f.clauses[0].tag_key, "x");

	bad("tags.k IN ('a')", "comparator IN is not supported for tags.k");
	bad("tags.k < 'a'", "comparator < is not supported for tags.k");
	bad("tags.k = 3", "quoted string");
	bad("tags.k = v", "quoted string");
	bad("tags.k = `v`", "quoted string");
	bad("tags. = 'v'", "tag key");
	bad("tags.\"\" = 'v'", "empty tag key");
	bad("tags.\"open = 'v'", "unterminated");
	bad("tags.my-key = 'v'", "comparator");
}

static void test_mvfilter__quoting_is_raw(void)
{
	/* MLflow keeps '' and \' inside values as they are */
	ok("name = 'it''s' AND run_id = 'a\\'b' AND source_path = \"say \"\"hi\"\"\"");
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	ASSERT_STR(f.clauses[0].values[0], "it''s");
	ASSERT_STR(f.clauses[1].values[0], "a\\'b");
	ASSERT_STR(f.clauses[2].values[0], "say \"\"hi\"\"");

	ok("name = 'a AND b'");
	CU_ASSERT_EQUAL_FATAL(f.n, 1);
	ASSERT_STR(f.clauses[0].values[0], "a AND b");

	bad("name = 'open", "unterminated");
}

static void test_mvfilter__in_lists(void)
{
	ok("name IN ('a', \"b\",'c') AND run_id NOT IN ( 'x' )");
	CU_ASSERT_EQUAL_FATAL(f.n, 2);
	CU_ASSERT_EQUAL(f.clauses[0].op, MG_MVF_IN);
	CU_ASSERT_EQUAL_FATAL(f.clauses[0].n_values, 3);
	ASSERT_STR(f.clauses[0].values[0], "a");
	ASSERT_STR(f.clauses[0].values[1], "b");
	ASSERT_STR(f.clauses[0].values[2], "c");
	CU_ASSERT_EQUAL(f.clauses[1].op, MG_MVF_NOT_IN);
	CU_ASSERT_EQUAL_FATAL(f.clauses[1].n_values, 1);
	ASSERT_STR(f.clauses[1].values[0], "x");

	bad("source_path IN ('a')", "comparator IN is not supported for source_path");
	bad("name IN 'a'", "parenthesised list");
	bad("name IN ('a' 'b')", "expected ',' or ')'");
	bad("name IN ()", "quoted string");
	bad("name IN ('a',)", "quoted string");
}

static void test_mvfilter__unsupported(void)
{
	bad("current_stage = 'Production'",
	    "unsupported attribute (expected name, run_id, source_path, version_number or "
	    "tags.<key>) at 'current_stage'");
	bad("creation_timestamp > 5", "unsupported attribute");
	bad("metrics.acc > 0.5",
	    "unsupported entity (expected tags.<key> or an attribute) at 'metrics.acc'");
	bad("`name` = 'a'", "expected an attribute");
	bad("name = 'a' OR name = 'b'", "OR is not supported");
	bad("name = 'a' name = 'b'", "expected AND");
	bad("name = 'a' AND", "after AND");
	bad("AND name = 'a'", "unsupported attribute");
	bad("(name = 'a')", "parentheses are not supported");
	bad("name <> 'a'", "unsupported comparator");
	bad("name == 'a'", "unsupported comparator");
	bad("name IS NULL", "expected a comparator");
	bad("name > 'a'", "comparator > is not supported for name");
	bad("name = 3", "quoted string");
	bad("name", "NOT IN) at its end");
	bad("name =", "quoted string value");
	bad("names = 'a'", "unsupported attribute");
	bad("name.x = 'a'", "unsupported entity");
	bad("name = 'a'; DROP TABLE model_versions", "expected AND");
}

static void test_mvfilter__too_long(void)
{
	size_t n = 70 * 1024;
	char *big = malloc(n + 1);
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', n);
	big[n] = '\0';
	CU_ASSERT_EQUAL(mg_mvfilter_parse(big, &f, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_TOO_LARGE);
	free(big);
}

static void order_ok(const char *text, const char *want)
{
	static const char *const names[] = {"name", "version_number", "creation_timestamp",
	                                    "last_updated_timestamp"};
	struct mg_mvorder o;
	struct mg_err err = MG_ERR_INIT;
	char got[256] = "";

	CU_ASSERT_EQUAL_FATAL(mg_mvorder_parse(text, &o, &err), 0);
	for (size_t i = 0; i < o.n; i++) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s%s %s", i ? ", " : "",
		         names[o.keys[i].key], o.keys[i].asc ? "ASC" : "DESC");
	}
	if (strcmp(got, want))
		fprintf(stderr, "order [%s]: got [%s], want [%s]\n", text ? text : "(null)", got,
		        want);
	ASSERT_STR(got, want);
}

static void order_bad(const char *text, const char *part)
{
	struct mg_mvorder o;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_mvorder_parse(text, &o, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	if (!strstr(err.msg, part)) {
		fprintf(stderr, "order [%s]: message [%s] lacks [%s]\n", text, err.msg, part);
		CU_FAIL("message does not name the part");
	}
}

static void test_mvfilter__order_by(void)
{
	order_ok(NULL, "last_updated_timestamp DESC, name ASC, version_number DESC");
	order_ok(" ", "last_updated_timestamp DESC, name ASC, version_number DESC");
	order_ok("version_number DESC", "version_number DESC, name ASC");
	order_ok("version_number", "version_number ASC, name ASC");
	order_ok("name desc", "name DESC, version_number DESC");
	order_ok("creation_timestamp ASC, `name` DESC",
	         "creation_timestamp ASC, name DESC, version_number DESC");
	order_ok("attribute.last_updated_timestamp Asc",
	         "last_updated_timestamp ASC, name ASC, version_number DESC");
	order_bad("version_number DOWN", "expected ASC or DESC");
	order_bad("current_stage", "unknown key 'current_stage'");
	order_bad("name, name DESC", "duplicate key");
	order_bad("name,", "empty clause");
	order_bad("name ASC extra", "expected ASC or DESC");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_mvfilter__empty),          UNIT_TEST(test_mvfilter__attributes),
        UNIT_TEST(test_mvfilter__version_number), UNIT_TEST(test_mvfilter__tags),
        UNIT_TEST(test_mvfilter__quoting_is_raw), UNIT_TEST(test_mvfilter__in_lists),
        UNIT_TEST(test_mvfilter__unsupported),    UNIT_TEST(test_mvfilter__too_long),
        UNIT_TEST(test_mvfilter__order_by),       UNIT_END,
};

const struct unit_suite unit_suite_mvfilter = {"mvfilter", NULL, cleanup, tests};
