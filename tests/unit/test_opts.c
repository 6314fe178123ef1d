#include "setup.h"
#include "unit.h"
#include "opts.h"

struct fixture {
	const char *registry;
	bool dry_run;
	long long timeout;
	double margin;
	const char *ci;
	struct mg_strlist evidence;
};

static struct fixture o;
static const char *const ci_kinds[] = {"none", "github", "azure", NULL};

static const struct mg_opt table[] = {
        MG_OPT_GROUP_("Registry"),
        MG_OPT_STR('r', "registry", "URI", &o.registry, "registry URI"),
        MG_OPT_GROUP_("Behaviour"),
        MG_OPT_BOOL('n', "dry-run", &o.dry_run, "change nothing"),
        MG_OPT_INTEGER(0, "timeout", "SECONDS", &o.timeout, 1, 3600, "give up after this long"),
        MG_OPT_NUMBER(0, "margin", "X", &o.margin, "tolerated regression"),
        MG_OPT_ONE_OF(0, "ci", ci_kinds, &o.ci, "CI output"),
        MG_OPT_MANY('e', "evidence", "FILE", &o.evidence, "JUnit evidence"),
        MG_OPT_HELP_VERSION,
        MG_OPT_END_OF_TABLE,
};

static const struct mg_cmd_spec spec = {
        .prog = "mlgate-test",
        .usage = "[options] [FILE...]",
        .summary = "A test command.",
        .details = "More words.\n",
        .opts = table,
};

static int setup(void)
{
	mg_strlist_release(&o.evidence);
	memset(&o, 0, sizeof(o));
	return 0;
}

/* Parse a NULL-terminated argv (argv[0] is added). */
static int parse(struct mg_strlist *args, struct mg_err *err, const char *const *argv_rest)
{
	char *argv[32];
	int argc = 0;

	setup();
	argv[argc++] = (char *)"mlgate-test";
	while (*argv_rest && argc < 31)
		argv[argc++] = (char *)*argv_rest++;
	argv[argc] = NULL;
	return mg_opts_parse(&spec, argc, argv, args, err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_opts__all_forms(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_strlist args = MG_STRLIST_INIT;

	CU_ASSERT_EQUAL(parse(&args, &err,
	                      ARGS("--registry", "http://h", "-n", "--timeout=30", "--margin",
	                           "0.5", "--ci=github", "-ea.xml", "--evidence", "b.xml", "pos1",
	                           "--", "--pos2")),
	                MG_OPTS_RUN);
	ASSERT_STR(o.registry, "http://h");
	CU_ASSERT_TRUE(o.dry_run);
	CU_ASSERT_EQUAL(o.timeout, 30);
	CU_ASSERT_DOUBLE_EQUAL(o.margin, 0.5, 0);
	ASSERT_STR(o.ci, "github");
	CU_ASSERT_EQUAL_FATAL(o.evidence.n, 2);
	ASSERT_STR(o.evidence.items[0], "a.xml");
	ASSERT_STR(o.evidence.items[1], "b.xml");
	CU_ASSERT_EQUAL_FATAL(args.n, 2);
	ASSERT_STR(args.items[0], "pos1");
	ASSERT_STR(args.items[1], "--pos2");
	mg_strlist_release(&args);
}

static void expect_error(const char *const *argv_rest, const char *msg)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_strlist args = MG_STRLIST_INIT;

	CU_ASSERT_EQUAL(parse(&args, &err, argv_rest), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	ASSERT_STR(err.msg, msg);
	mg_strlist_release(&args);
}

static void test_opts__errors(void)
{
	expect_error(ARGS("--nope"), "unknown option '--nope'");
	expect_error(ARGS("-x"), "unknown option '-x'");
	expect_error(ARGS("--Registry", "u"), "unknown option '--Registry'");
	expect_error(ARGS("--regis", "u"), "unknown option '--regis'");
	expect_error(ARGS("--registry"), "option --registry needs a value (URI)");
	expect_error(ARGS("--registry="), "option --registry needs a non-empty value");
	expect_error(ARGS("--dry-run=yes"), "option --dry-run takes no value");
	expect_error(ARGS("-nx"), "option -n takes no value");
	expect_error(ARGS("--timeout", "0"),
	             "invalid value '0' for --timeout: must be between 1 and 3600");
	expect_error(ARGS("--timeout", "ten"), "invalid value 'ten' for --timeout: not an integer");
	expect_error(ARGS("--margin", "nan"), "invalid value 'nan' for --margin: not a number");
	expect_error(ARGS("--ci", "jenkins"),
	             "invalid value 'jenkins' for --ci: expected one of none, github, azure");
	expect_error(ARGS("-r", "a", "--registry", "b"), "option --registry given more than once");
}

static void test_opts__positional_refused_without_list(void)
{
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(parse(NULL, &err, ARGS("stray")), -1);
	ASSERT_STR(err.msg, "unexpected argument 'stray'");
}

static void test_opts__help_and_version(void)
{
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(parse(NULL, &err, ARGS("-r", "u", "--help", "--nope")), MG_OPTS_HELP);
	CU_ASSERT_EQUAL(parse(NULL, &err, ARGS("-h")), MG_OPTS_HELP);
	CU_ASSERT_EQUAL(parse(NULL, &err, ARGS("--version")), MG_OPTS_VERSION);
	CU_ASSERT_FALSE(mg_err_failed(&err));
}

static void test_opts__stop_at_positional(void)
{
	struct mg_cmd_spec front = spec;
	struct mg_err err = MG_ERR_INIT;
	struct mg_strlist args = MG_STRLIST_INIT;
	char *argv[] = {(char *)"mlgate", (char *)"-n", (char *)"comply",
	                (char *)"--nope", (char *)"-x", NULL};

	front.stop_at_positional = true;
	setup();
	CU_ASSERT_EQUAL(mg_opts_parse(&front, 5, argv, &args, &err), MG_OPTS_RUN);
	CU_ASSERT_TRUE(o.dry_run);
	CU_ASSERT_EQUAL_FATAL(args.n, 3);
	ASSERT_STR(args.items[0], "comply");
	ASSERT_STR(args.items[1], "--nope");
	ASSERT_STR(args.items[2], "-x");
	mg_strlist_release(&args);
}

static void test_opts__help_text_comes_from_the_table(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	mg_opts_help(&spec, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "usage: mlgate-test [options] [FILE...]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nRegistry:\n  -r, --registry URI"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "--timeout SECONDS"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(1..3600)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "--ci none|github|azure"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "-e, --evidence FILE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(repeatable)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "More words."));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Exit codes:\n  0  passed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  4  manual"));
	free(text);
}

/* The rules of a table: checked after parsing, listed in --help. */
static const char *r_a, *r_b, *r_c;
static bool r_flag;
static const struct mg_opt rule_table[] = {
        MG_OPT_STR(0, "a", "X", &r_a, "a"),
        MG_OPT_STR(0, "b", "X", &r_b, "b"),
        MG_OPT_STR(0, "c", "X", &r_c, "c"),
        MG_OPT_BOOL(0, "flag", &r_flag, "a flag"),
        MG_OPT_HELP_ONLY,
        MG_OPT_END_OF_TABLE,
};
static const struct mg_opt_rule rules[] = {
        MG_RULE(MG_RULE_AT_MOST_ONE, "a", "b", "c"),
        MG_RULE(MG_RULE_NEEDS, "flag", "c"),
        MG_RULE_END,
};
static const struct mg_cmd_spec rule_spec = {
        .prog = "mlgate-rules",
        .usage = "[options]",
        .summary = "Rules.",
        .opts = rule_table,
        .rules = rules,
};

static int parse_rules(struct mg_err *err, const char *const *argv_rest)
{
	char *argv[16];
	int argc = 0;

	r_a = r_b = r_c = NULL;
	r_flag = false;
	argv[argc++] = (char *)"mlgate-rules";
	while (*argv_rest && argc < 15)
		argv[argc++] = (char *)*argv_rest++;
	argv[argc] = NULL;
	mg_err_clear(err);
	return mg_opts_parse(&rule_spec, argc, argv, NULL, err);
}

static void test_opts__rules(void)
{
	struct mg_err err = MG_ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CU_ASSERT_EQUAL(parse_rules(&err, ARGS("--a", "1")), MG_OPTS_RUN);
	CU_ASSERT_EQUAL(parse_rules(&err, ARGS("--flag", "--c", "1")), MG_OPTS_RUN);
	CU_ASSERT_EQUAL(parse_rules(&err, ARGS("--a", "1", "--c", "2")), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "give at most one of --a, --b and --c (got 2)");
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_OPTIONS);
	CU_ASSERT_EQUAL(parse_rules(&err, ARGS("--flag")), -1);
	CU_ASSERT_STRING_EQUAL(err.msg, "--flag goes with --c");
	/* --help answers before the rules are looked at */
	CU_ASSERT_EQUAL(parse_rules(&err, ARGS("--a", "1", "--b", "2", "--help")), MG_OPTS_HELP);

	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	mg_opts_help(&rule_spec, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nRules:\n  at most one of --a, --b or --c\n"
	                                    "  --flag only with --c\n"));
	free(text);
}

static int cleanup(void)
{
	return setup();
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_opts__all_forms),
        UNIT_TEST(test_opts__errors),
        UNIT_TEST(test_opts__positional_refused_without_list),
        UNIT_TEST(test_opts__help_and_version),
        UNIT_TEST(test_opts__stop_at_positional),
        UNIT_TEST(test_opts__help_text_comes_from_the_table),
        UNIT_TEST(test_opts__rules),
        UNIT_END,
};

const struct unit_suite unit_suite_opts = {"opts", setup, cleanup, tests};
