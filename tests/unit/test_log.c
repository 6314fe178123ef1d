#include "setup.h"
#include "unit.h"
#include "log.h"

static char *text;
static size_t text_len;

/* A logger writing into memory; call done_log() before reading `text`. */
static FILE *start_log(struct mg_log *log, const struct mg_secrets *s)
{
	FILE *f;

	free(text);
	text = NULL;
	f = open_memstream(&text, &text_len);
	mg_log_init(log, "mlgate-test", f, s);
	return f;
}

static int cleanup(void)
{
	free(text);
	text = NULL;
	return 0;
}

static void test_log__prefix_and_levels(void)
{
	struct mg_log log;
	FILE *f = start_log(&log, NULL);

	mg_error(&log, "cannot open '%s'", "p.json");
	mg_warn(&log, "waiver for %s expires soon", "x");
	mg_info(&log, "3 checks");
	mg_debug(&log, "hidden at the default level");
	log.level = MG_LOG_DEBUG;
	mg_debug(&log, "shown now");
	fclose(f);
	ASSERT_STR(text, "mlgate-test: cannot open 'p.json'\n"
	                 "mlgate-test: warning: waiver for x expires soon\n"
	                 "mlgate-test: 3 checks\n"
	                 "mlgate-test: debug: shown now\n");
}

static void test_log__one_line_and_masked(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_log log;
	FILE *f;

	mg_secrets_add(&s, "pa55");
	f = start_log(&log, &s);
	mg_error(&log, "server said:\n401 for user:pa55\r\n");
	fclose(f);
	ASSERT_STR(text, "mlgate-test: server said: 401 for user:***  \n");
	mg_secrets_release(&s);
}

static void test_log__long_lines_are_cut(void)
{
	struct mg_log log;
	FILE *f = start_log(&log, NULL);
	char *big = calloc(100000, 1);

	memset(big, 'y', 9999);
	mg_error(&log, "%s", big);
	memset(big, 'z', 99999); /* past the message bound itself */
	mg_error(&log, "%s", big);
	fclose(f);
	CU_ASSERT_TRUE(text_len < 4100 + 60);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "yyy [...]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "mlgate-test: (message too long to show)\n"));
	free(big);
}

static void test_log__err_returns_its_code(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_log log;
	FILE *f = start_log(&log, NULL);

	mg_err_set(&err, MG_EXIT_INFRA, "registry at '%s' did not answer", "http://h");
	CU_ASSERT_EQUAL(mg_log_err(&log, &err), MG_EXIT_INFRA);
	fclose(f);
	ASSERT_STR(text, "mlgate-test: registry at 'http://h' did not answer\n");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_log__prefix_and_levels),
        UNIT_TEST(test_log__one_line_and_masked),
        UNIT_TEST(test_log__long_lines_are_cut),
        UNIT_TEST(test_log__err_returns_its_code),
        UNIT_END,
};

const struct unit_suite unit_suite_log = {"log", NULL, cleanup, tests};
