#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "junit.h"

#include <dirent.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

/* The project's own schema of its JUnit profile (docs/reporters.md). */
#define XSD      "docs/junit.xsd"
#define FIXTURES "fixtures/junit/"

/*
 * A test that needs something this machine lacks fails, unless
 * MLGATE_ALLOW_SKIP=1 (as in the CLI and integration harnesses): then it
 * says so on stderr and passes.
 */
static bool may_skip(const char *what)
{
	const char *allow = getenv("MLGATE_ALLOW_SKIP");

	if (allow && !strcmp(allow, "1")) {
		fprintf(stderr, "\nSKIP: %s (MLGATE_ALLOW_SKIP=1)\n", what);
		return true;
	}
	fprintf(stderr, "\nCANNOT RUN: %s; set MLGATE_ALLOW_SKIP=1 to skip\n", what);
	CU_FAIL(what);
	return false;
}

static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* 1: `xml` is valid against the schema at `xsd`; 0: not (the reason on stderr if `say`). */
static int validate(const char *xsd, const char *xml, size_t len, bool say)
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	xmlSchemaValidCtxtPtr vc;
	xmlDocPtr doc;
	int rc;

	pc = xmlSchemaNewParserCtxt(xsd);
	schema = xmlSchemaParse(pc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
	vc = xmlSchemaNewValidCtxt(schema);
	xmlSchemaSetValidStructuredErrors(vc, quiet, NULL);
	doc = xmlReadMemory(xml, (int)len, "junit.xml", NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	rc = doc ? xmlSchemaValidateDoc(vc, doc) : -2;
	if (rc && say) {
		xmlErrorPtr e = xmlGetLastError();

		fprintf(stderr, "\n%s: schema validation failed (%d): %s", xsd, rc,
		        e && e->message ? e->message : "?\n");
	}
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return rc == 0;
}

/* Valid against docs/junit.xsd, the tree's schema of the profile. */
static void assert_valid(const struct mg_buf *xml)
{
	CU_ASSERT_EQUAL(validate(XSD, xml->buf, xml->len, true), 1);
}

/* No byte of the document is a control character XML forbids. */
static bool only_xml_chars(const struct mg_buf *xml)
{
	for (size_t i = 0; i < xml->len; i++) {
		unsigned char c = (unsigned char)xml->buf[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return false;
	}
	return true;
}

static struct mg_suite *sample(struct mg_result *r)
{
	struct mg_suite *s = mg_result_add_suite(r, "comply");
	struct mg_check *c;

	s->has_timestamp = true;
	s->timestamp = 1796013411; /* 2026-11-30T04:36:51Z */
	mg_check_set(&s->hostname, "runner-1");
	mg_suite_set_prop(s, "mlgate.gate", "comply");
	mg_suite_set_prop(s, "mlgate.verdict", "failed");
	mg_suite_add(s, "compliance.tag.owner", MG_STATUS_PASSED, NULL)->duration = 0.1;
	c = mg_suite_add(s, "compliance.description", MG_STATUS_FAILED, "description is empty");
	c->duration = 0.0125;
	mg_check_set(&c->file, "models/churn/README.md");
	c->line = 3;
	mg_check_set(&c->details, "expected at least 20 words");
	c = mg_suite_add(s, "compliance.lineage", MG_STATUS_ERROR, "run 'abc' not found");
	mg_check_set(&c->type, "registry");
	mg_suite_add(s, "compliance.model_card", MG_STATUS_SKIPPED, "waived");
	return s;
}

static void test_junit__write_profile(void)
{
	struct mg_result r;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;

	mg_result_init(&r, "mlgate");
	sample(&r);
	CU_ASSERT_EQUAL_FATAL(mg_junit_write_buf(&r, &xml, NULL, &err), 0);
	CU_ASSERT_EQUAL(
	        strncmp(xml.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 49), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf,
	                              "<testsuites name=\"mlgate\" tests=\"4\" failures=\"1\" "
	                              "errors=\"1\" skipped=\"1\" time=\"0.113\" "
	                              "timestamp=\"2026-11-30T04:36:51\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf,
	                              "<testsuite name=\"comply\" tests=\"4\" failures=\"1\" "
	                              "errors=\"1\" skipped=\"1\" time=\"0.113\" "
	                              "timestamp=\"2026-11-30T04:36:51\" "
	                              "hostname=\"runner-1\">"));
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(xml.buf, "<property name=\"mlgate.verdict\" value=\"failed\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "<testcase name=\"compliance.tag.owner\" "
	                                       "classname=\"comply\" time=\"0.100\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "time=\"0.013\" file=\"models/churn/README.md\" "
	                                       "line=\"3\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "<failure message=\"description is empty\" "
	                                       "type=\"failure\">expected at least 20 words"
	                                       "</failure>"));
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(xml.buf, "<error message=\"run 'abc' not found\" type=\"registry\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "<skipped message=\"waived\"/>"));
	CU_ASSERT_EQUAL(xml.buf[xml.len - 1], '\n');
	assert_valid(&xml);
	mg_buf_release(&xml);
	mg_result_release(&r);
}

/*
 * docs/junit.xsd is strict enough to catch a writer's mistakes: each edit
 * of a valid document below is one, and each is rejected.
 */
static void test_junit__schema_rejects_mistakes(void)
{
	static const char *const edits[][2] = {
	        {"tests=\"4\"", "tests=\"x\""},        /* a count not a number */
	        {"failures=\"1\"", "failures=\"-1\""}, /* a negative count */
	        {"errors=\"1\"", "errors=\"01\""},     /* a leading zero */
	        {" skipped=\"1\"", ""},                /* a count missing */
	        {"time=\"0.113\"", "time=\"0,113\""},  /* a locale's comma */
	        {"time=\"0.100\"", "time=\"1e-1\""},   /* an exponent */
	        {"time=\"0.100\"", "time=\"0.1\""},    /* not three places */
	        {"51\">", "51Z\">"},                   /* a timestamp with a zone */
	        {" hostname=\"runner-1\"", ""},        /* no hostname */
	        {"<testcase name=\"compliance.tag.owner\"", "<testcase name=\"\""},
	        {"classname=\"comply\" time=\"0.100\"", "time=\"0.100\""}, /* no classname */
	        {"line=\"3\"", "line=\"0\""},                              /* line 0 */
	        {" type=\"registry\"", ""}, /* an error without type */
	        {"<skipped message=\"waived\"/>", "<skipped message=\"waived\" type=\"t\"/>"},
	        {"<skipped message=\"waived\"/>", /* two results */
	         "<skipped message=\"waived\"/><failure message=\"m\" type=\"t\"/>"},
	        {"<testcase name=\"compliance.tag.owner\"", /* an unknown attribute */
	         "<testcase owner=\"me\" name=\"compliance.tag.owner\""},
	        {"<property name=\"mlgate.gate\"", "<property name=\"\""},
	        {"</testsuite>", "<system-out></system-out></testsuite>"}, /* empty output */
	};
	struct mg_result r;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE), bad = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;

	mg_result_init(&r, "mlgate");
	sample(&r);
	CU_ASSERT_EQUAL_FATAL(mg_junit_write_buf(&r, &xml, NULL, &err), 0);
	CU_ASSERT_EQUAL(validate(XSD, xml.buf, xml.len, true), 1);
	for (size_t i = 0; i < MG_ARRAY_SIZE(edits); i++) {
		const char *at = strstr(xml.buf, edits[i][0]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		mg_buf_reset(&bad);
		mg_buf_add(&bad, xml.buf, (size_t)(at - xml.buf));
		mg_buf_adds(&bad, edits[i][1]);
		mg_buf_adds(&bad, at + strlen(edits[i][0]));
		if (validate(XSD, bad.buf, bad.len, false)) {
			fprintf(stderr, "\nedit %zu accepted: '%s' for '%s'\n", i, edits[i][1],
			        edits[i][0]);
			CU_FAIL("docs/junit.xsd accepted a mistake");
		}
	}
	mg_buf_release(&bad);
	mg_buf_release(&xml);
	mg_result_release(&r);
}

/*
 * A passed check's message (no JUnit attribute for it) travels as the
 * case's mlgate.message property: written, valid, read back, written the same.
 */
static void test_junit__passed_message(void)
{
	static const char *const edits[][2] = {
	        /* another property name */
	        {"name=\"mlgate.message\"", "name=\"mlgate.note\""},
	        /* a message property with a result */
	        {"</properties>", "</properties><failure message=\"m\" type=\"t\"/>"},
	        /* an empty message */
	        {"value=\"owner=a@example.com\"", "value=\"\""},
	};
	struct mg_result r, back;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE), again = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf bad = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;
	struct mg_suite *s;

	mg_result_init(&r, "mlgate");
	mg_result_init(&back, "x");
	s = mg_result_add_suite(&r, "comply");
	s->has_timestamp = true;
	s->timestamp = 1796013411;
	mg_suite_add(s, "compliance.tag.owner", MG_STATUS_PASSED, "owner=a@example.com");
	mg_suite_add(s, "compliance.tag.team", MG_STATUS_PASSED, NULL);
	mg_suite_add(s, "compliance.description", MG_STATUS_FAILED, "description is empty");
	CU_ASSERT_EQUAL_FATAL(mg_junit_write_buf(&r, &xml, NULL, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "<properties>\n        <property "
	                                       "name=\"mlgate.message\" "
	                                       "value=\"owner=a@example.com\"/>\n      "
	                                       "</properties>"));
	/* only there: not for a check without a message, not for a failure */
	CU_ASSERT_PTR_NULL(strstr(strstr(xml.buf, "</properties>"), "<properties>"));
	CU_ASSERT_EQUAL(validate(XSD, xml.buf, xml.len, true), 1);
	CU_ASSERT_EQUAL_FATAL(mg_junit_read_mem("a.xml", xml.buf, xml.len, &back, &err), 0);
	CU_ASSERT_EQUAL_FATAL(back.suites[0].nchecks, 3);
	ASSERT_STR(back.suites[0].checks[0].message, "owner=a@example.com");
	CU_ASSERT_PTR_NULL(back.suites[0].checks[1].message);
	ASSERT_STR(back.suites[0].checks[2].message, "description is empty");
	CU_ASSERT_EQUAL(back.suites[0].nprops, 0); /* a case's property is not suite evidence */
	mg_check_set(&back.name, "mlgate");
	CU_ASSERT_EQUAL(mg_junit_write_buf(&back, &again, NULL, &err), 0);
	ASSERT_STR(again.buf, xml.buf);
	for (size_t i = 0; i < MG_ARRAY_SIZE(edits); i++) {
		const char *at = strstr(xml.buf, edits[i][0]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(at);
		mg_buf_reset(&bad);
		mg_buf_add(&bad, xml.buf, (size_t)(at - xml.buf));
		mg_buf_adds(&bad, edits[i][1]);
		mg_buf_adds(&bad, at + strlen(edits[i][0]));
		if (validate(XSD, bad.buf, bad.len, false)) {
			fprintf(stderr, "\nedit %zu accepted: '%s'\n", i, edits[i][1]);
			CU_FAIL("docs/junit.xsd accepted a mistake");
		}
	}
	mg_buf_release(&bad);
	mg_buf_release(&again);
	mg_buf_release(&xml);
	mg_result_release(&back);
	mg_result_release(&r);
}

static void test_junit__round_trip(void)
{
	struct mg_result r, back;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE), again = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;
	const struct mg_check *c;

	mg_result_init(&r, "mlgate");
	mg_result_init(&back, "x");
	sample(&r);
	CU_ASSERT_EQUAL_FATAL(mg_junit_write_buf(&r, &xml, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(mg_junit_read_mem("a.xml", xml.buf, xml.len, &back, &err), 0);
	CU_ASSERT_EQUAL_FATAL(back.nsuites, 1);
	CU_ASSERT_EQUAL_FATAL(back.suites[0].nchecks, 4);
	ASSERT_STR(back.suites[0].name, "comply");
	CU_ASSERT_TRUE(back.suites[0].has_timestamp);
	CU_ASSERT_EQUAL(back.suites[0].timestamp, 1796013411);
	ASSERT_STR(mg_suite_prop(&back.suites[0], "mlgate.gate"), "comply");
	c = &back.suites[0].checks[1];
	ASSERT_STR(c->id, "compliance.description");
	CU_ASSERT_EQUAL(c->status, MG_STATUS_FAILED);
	ASSERT_STR(c->message, "description is empty");
	ASSERT_STR(c->details, "expected at least 20 words");
	ASSERT_STR(c->file, "models/churn/README.md");
	CU_ASSERT_EQUAL(c->line, 3);
	CU_ASSERT_DOUBLE_EQUAL(c->duration, 0.013, 1e-9);
	CU_ASSERT_EQUAL(back.suites[0].checks[2].status, MG_STATUS_ERROR);
	ASSERT_STR(back.suites[0].checks[2].type, "registry");
	CU_ASSERT_EQUAL(back.suites[0].checks[3].status, MG_STATUS_SKIPPED);
	/* what was read writes the same bytes again */
	mg_check_set(&back.name, "mlgate");
	CU_ASSERT_EQUAL(mg_junit_write_buf(&back, &again, NULL, &err), 0);
	CU_ASSERT_EQUAL(again.len, xml.len);
	ASSERT_STR(again.buf, xml.buf);
	mg_buf_release(&xml);
	mg_buf_release(&again);
	mg_result_release(&r);
	mg_result_release(&back);
}

static const char hostile[] =
        "bell\x07 esc\x1b[31m red\x1b[0m \x01\x02 <tag> & \"q\" 'a' ]]> cdata-end "
        "line1\nline2\r\n\tend ##vso[task.complete result=Succeeded] ::error::x %0A bad\xff\xfe";

static void test_junit__hostile_content(void)
{
	struct mg_result r, back;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE), expect = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf big = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;
	struct mg_secrets secrets = MG_SECRETS_INIT;
	struct mg_suite *s;
	struct mg_check *c;
	size_t n = 0;

	mg_secrets_add(&secrets, "hunter2-token");
	/* a 20 MB output capture with colours and control characters */
	while (big.len < (size_t)20 << 20)
		mg_buf_addf(&big, "\x1b[32mline %zu\x1b[0m of output \x01 hunter2-token\n", n++);
	mg_buf_adds(&big, "LAST LINE");

	mg_result_init(&r, "mlgate <&\"]]>");
	mg_result_init(&back, "");
	s = mg_result_add_suite(&r, "smoke\nsuite");
	s->has_timestamp = true;
	mg_suite_set_prop(s, "note", hostile);
	c = mg_suite_add(&r.suites[0], "smoke.hostile", MG_STATUS_FAILED, hostile);
	mg_check_set(&c->details, hostile);
	mg_check_set(&c->file, "dir/a,b:c\n.py");
	mg_check_set(&c->type, "x\"y");
	c->output = mg_buf_take(&big, NULL);
	mg_check_set(&c->errout, "]]>]]>");

	CU_ASSERT_EQUAL_FATAL(mg_junit_write_buf(&r, &xml, &secrets, &err), 0);
	CU_ASSERT_TRUE(only_xml_chars(&xml));
	CU_ASSERT(xml.len < (size_t)3 << 20); /* the capture was capped */
	CU_ASSERT_PTR_NULL(strstr(xml.buf, "hunter2"));
	CU_ASSERT_PTR_NULL(strstr(xml.buf, "\x1b"));
	assert_valid(&xml);

	CU_ASSERT_EQUAL_FATAL(mg_junit_read_mem("h.xml", xml.buf, xml.len, &back, &err), 0);
	CU_ASSERT_EQUAL_FATAL(back.nsuites, 1);
	CU_ASSERT_EQUAL_FATAL(back.suites[0].nchecks, 1);
	mg_result_clean(&expect, hostile, strlen(hostile), MG_TEXT_MESSAGE_MAX, NULL);
	c = &back.suites[0].checks[0];
	/* newlines, quotes, <, &, ]]> survive attributes and text exactly */
	ASSERT_STR(c->message, expect.buf);
	ASSERT_STR(c->details, expect.buf);
	ASSERT_STR(mg_suite_prop(&back.suites[0], "note"), expect.buf);
	ASSERT_STR(c->file, "dir/a,b:c\n.py");
	ASSERT_STR(c->type, "x\"y");
	ASSERT_STR(c->errout, "]]>]]>");
	ASSERT_STR(back.suites[0].name, "smoke\nsuite");
	ASSERT_STR(back.name, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(c->message, "#x07"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c->message, "\xef\xbf\xbd"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->output);
	CU_ASSERT(strlen(c->output) <= MG_TEXT_OUTPUT_MAX);
	CU_ASSERT_EQUAL(strncmp(c->output, "line 0 of output #x01 ***\n", 26), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(c->output, "bytes cut ...]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c->output, "of output #x01 ***\nLAST LINE"));
	mg_secrets_release(&secrets);
	mg_buf_release(&xml);
	mg_buf_release(&expect);
	mg_buf_release(&big);
	mg_result_release(&r);
	mg_result_release(&back);
}

static void test_junit__streaming_writer(void)
{
	struct mg_junit_writer w;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_err err = MG_ERR_INIT;
	struct mg_result r, back;
	struct mg_counts c = {0};
	char id[32];

	mg_result_init(&r, "x");
	mg_result_init(&back, "x");
	mg_result_add_suite(&r, "bulk");
	c.tests = 1000;
	c.failures = 10;
	c.time = 1.0;
	CU_ASSERT_EQUAL_FATAL(mg_junit_open_buf(&w, &xml, NULL, &err), 0);
	CU_ASSERT_EQUAL(mg_junit_begin(&w, "bulk", &c, NULL, &err), 0);
	CU_ASSERT_EQUAL(mg_junit_suite_begin(&w, &r.suites[0], &c, &err), 0);
	for (int i = 0; i < 1000; i++) {
		struct mg_check k = {0};

		snprintf(id, sizeof(id), "case.%d", i);
		k.id = id;
		k.status = i % 100 ? MG_STATUS_PASSED : MG_STATUS_FAILED;
		k.message = k.status ? (char *)"no" : NULL;
		k.duration = 0.001;
		CU_ASSERT_EQUAL(mg_junit_case(&w, &r.suites[0], &k, &err), 0);
	}
	CU_ASSERT_EQUAL(mg_junit_suite_end(&w, &r.suites[0], &err), 0);
	CU_ASSERT_EQUAL(mg_junit_finish(&w, &err), 0);
	mg_junit_release(&w);
	assert_valid(&xml);
	CU_ASSERT_EQUAL_FATAL(mg_junit_read_mem("s.xml", xml.buf, xml.len, &back, &err), 0);
	mg_result_counts(&back, &c);
	CU_ASSERT_EQUAL(c.tests, 1000);
	CU_ASSERT_EQUAL(c.failures, 10);
	mg_buf_release(&xml);
	mg_result_release(&r);
	mg_result_release(&back);
}

static void test_junit__buffer_bound_is_an_error(void)
{
	struct mg_result r;
	struct mg_buf xml = MG_BUF_INIT(300);
	struct mg_err err = MG_ERR_INIT;

	mg_result_init(&r, "mlgate");
	sample(&r);
	CU_ASSERT_EQUAL(mg_junit_write_buf(&r, &xml, NULL, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "size limit"));
	mg_buf_release(&xml);
	mg_result_release(&r);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_junit__file_written_atomically(void)
{
	char *dir = unit_tmpdir();
	struct mg_buf path = MG_BUF_INIT(4096), bad = MG_BUF_INIT(4096);
	struct mg_err err = MG_ERR_INIT;
	struct mg_result r, back;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	mg_result_init(&r, "mlgate");
	mg_result_init(&back, "x");
	sample(&r);
	mg_buf_addf(&path, "%s/TEST-comply.xml", dir);
	CU_ASSERT_EQUAL(mg_junit_write(&r, path.buf, NULL, &err), 0);
	CU_ASSERT_EQUAL(count_entries(dir), 1); /* no temporary file left */
	CU_ASSERT_EQUAL(mg_junit_read(path.buf, 0, &back, &err), 0);
	CU_ASSERT_EQUAL(back.nsuites, 1);
	/* a directory that does not exist: infrastructure error, nothing written */
	mg_buf_addf(&bad, "%s/missing/out.xml", dir);
	CU_ASSERT_EQUAL(mg_junit_write(&r, bad.buf, NULL, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	unit_rmtree(dir);
	free(dir);
	mg_buf_release(&path);
	mg_buf_release(&bad);
	mg_result_release(&r);
	mg_result_release(&back);
}

static void test_junit__read_pytest(void)
{
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;
	const struct mg_suite *s;

	mg_result_init(&r, "x");
	CU_ASSERT_EQUAL_FATAL(mg_junit_read(FIXTURES "pytest.xml", 0, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(r.nsuites, 1);
	s = &r.suites[0];
	ASSERT_STR(s->name, "pytest");
	ASSERT_STR(s->hostname, "ci-host");
	CU_ASSERT_EQUAL(s->timestamp, 1796015228); /* 06:07:08.123456+01:00 */
	CU_ASSERT_DOUBLE_EQUAL(s->duration, 0.053, 1e-9);
	CU_ASSERT_EQUAL_FATAL(s->nchecks, 4);
	CU_ASSERT_EQUAL(s->checks[0].status, MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(s->nprops, 0); /* testcase properties are not suite evidence */
	CU_ASSERT_EQUAL(s->checks[1].status, MG_STATUS_FAILED);
	ASSERT_STR(s->checks[1].classname, "tests.test_model");
	ASSERT_STR(s->checks[1].message, "AssertionError: assert 1.2 <= 1.0");
	CU_ASSERT_PTR_NOT_NULL(strstr(s->checks[1].details, "tests/test_model.py:14"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s->checks[1].output, "red output"));
	CU_ASSERT_EQUAL(s->checks[2].status, MG_STATUS_SKIPPED);
	ASSERT_STR(s->checks[2].message, "no GPU");
	ASSERT_STR(s->checks[3].errout, "warning: deprecated");
	mg_result_release(&r);
}

static void test_junit__read_surefire_and_nested(void)
{
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;

	mg_result_init(&r, "x");
	CU_ASSERT_EQUAL_FATAL(mg_junit_read(FIXTURES "surefire.xml", 0, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(r.nsuites, 1);
	CU_ASSERT_DOUBLE_EQUAL(r.suites[0].duration, 1234.5, 1e-9); /* "1,234.5" */
	CU_ASSERT_DOUBLE_EQUAL(r.suites[0].checks[2].duration, 1230.25, 1e-9);
	CU_ASSERT_EQUAL(r.suites[0].checks[1].status, MG_STATUS_PASSED); /* flaky, then passed */
	ASSERT_STR(mg_suite_prop(&r.suites[0], "java.version"), "21.0.2");
	CU_ASSERT_EQUAL_FATAL(mg_junit_read(FIXTURES "nested.xml", 0, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(r.nsuites, 3); /* the wrapper suite is flattened away */
	ASSERT_STR(r.suites[1].name, "smoke/batch");
	ASSERT_STR(r.suites[2].name, "smoke/http");
	CU_ASSERT_EQUAL(r.suites[1].nchecks, 2);
	ASSERT_STR(mg_suite_prop(&r.suites[2], "mlgate.model"), "churn"); /* inherited */
	ASSERT_STR(mg_suite_prop(&r.suites[2], "endpoint"), "http://127.0.0.1:5001/invocations");
	mg_result_release(&r);
}

static void test_junit__merge_validates(void)
{
	static const char *const files[] = {"pass.xml", "fail.xml", "pytest.xml", "surefire.xml",
	                                    "nested.xml"};
	struct mg_result r, back;
	struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE), path = MG_BUF_INIT(256);
	struct mg_err err = MG_ERR_INIT;
	struct mg_counts c;

	mg_result_init(&r, "merged");
	mg_result_init(&back, "x");
	for (size_t i = 0; i < MG_ARRAY_SIZE(files); i++) {
		mg_buf_reset(&path);
		mg_buf_addf(&path, FIXTURES "%s", files[i]);
		CU_ASSERT_EQUAL_FATAL(mg_junit_read(path.buf, 0, &r, &err), 0);
	}
	CU_ASSERT_EQUAL_FATAL(mg_junit_write_buf(&r, &xml, NULL, &err), 0);
	assert_valid(&xml);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf,
	                              "<testsuites name=\"merged\" tests=\"16\" "
	                              "failures=\"2\" errors=\"1\" skipped=\"2\" "
	                              "time=\"1237.003\" timestamp=\"2026-11-30T04:36:51\">"));
	CU_ASSERT_EQUAL_FATAL(mg_junit_read_mem("m.xml", xml.buf, xml.len, &back, &err), 0);
	mg_result_counts(&back, &c);
	CU_ASSERT_EQUAL(back.nsuites, 6);
	CU_ASSERT_EQUAL(c.tests, 16);
	CU_ASSERT_EQUAL(c.failures, 2);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_EQUAL(c.skipped, 2);
	mg_buf_release(&xml);
	mg_buf_release(&path);
	mg_result_release(&r);
	mg_result_release(&back);
}

static void expect_read_error(const char *path, const char *data, int code, const char *msg)
{
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;
	int rc;

	mg_result_init(&r, "x");
	mg_result_add_suite(&r, "kept");
	rc = data ? mg_junit_read_mem(path, data, strlen(data), &r, &err)
	          : mg_junit_read(path, 0, &r, &err);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(err.code, code);
	if (!strstr(err.msg, msg)) {
		fprintf(stderr, "\nwanted '%s' in '%s'\n", msg, err.msg);
		CU_FAIL("error message");
	}
	CU_ASSERT_EQUAL(r.nsuites, 1); /* nothing half-read added */
	mg_result_release(&r);
}

static void test_junit__read_errors_name_file_and_line(void)
{
	expect_read_error(FIXTURES "malformed.xml", NULL, MG_EXIT_USAGE,
	                  "'" FIXTURES "malformed.xml' line 5: not well-formed XML: Opening and "
	                  "ending tag mismatch");
	expect_read_error(FIXTURES "not-junit.xml", NULL, MG_EXIT_USAGE,
	                  "'" FIXTURES "not-junit.xml' line 2: not a JUnit report: the root "
	                  "element is <html>");
	expect_read_error(FIXTURES "bad-time.xml", NULL, MG_EXIT_USAGE,
	                  "'" FIXTURES "bad-time.xml' line 3: invalid suite time '0,5'");
	expect_read_error(FIXTURES "doctype.xml", NULL, MG_EXIT_USAGE, "' line ");
	expect_read_error(FIXTURES "no-such.xml", NULL, MG_EXIT_USAGE,
	                  "cannot open '" FIXTURES "no-such.xml': No such file");
	expect_read_error("fixtures", NULL, MG_EXIT_USAGE, "is a directory");
	expect_read_error("d.xml",
	                  "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuites [<!ENTITY a \"x\">]>\n"
	                  "<testsuites/>",
	                  MG_EXIT_USAGE, "DOCTYPE declarations are not accepted");
	expect_read_error("e.xml", "", MG_EXIT_USAGE, "'e.xml' line 1: not well-formed XML");
	expect_read_error("n.xml",
	                  "<testsuites>\n<testsuite name=\"s\">\n<testcase time=\"1\"/>\n"
	                  "</testsuite></testsuites>",
	                  MG_EXIT_USAGE, "'n.xml' line 3: <testcase> has no name");
	expect_read_error("l.xml",
	                  "<testsuite name=\"s\">\n<testcase name=\"a\" line=\"0\"/>\n</testsuite>",
	                  MG_EXIT_USAGE, "'l.xml' line 2: invalid line '0'");
	expect_read_error("t.xml", "<testsuite name=\"s\" timestamp=\"yesterday\"/>", MG_EXIT_USAGE,
	                  "'t.xml' line 1: invalid timestamp 'yesterday'");
	expect_read_error("x.xml", "<testsuites/><testsuites/>", MG_EXIT_USAGE,
	                  "'x.xml' line 1: not well-formed XML");
}

static void test_junit__read_size_is_bounded(void)
{
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;

	mg_result_init(&r, "x");
	CU_ASSERT_EQUAL(mg_junit_read(FIXTURES "pass.xml", 100, &r, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_TOO_LARGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "larger than the limit of 100 bytes"));
	mg_result_release(&r);
}

/* Make locale `name` from glibc's sources into `dir` (localedef); 0 when done. */
static int make_locale(const char *dir, const char *src, const char *name)
{
	struct mg_buf out = MG_BUF_INIT(4096);
	pid_t pid;
	int status = -1;

	mg_buf_addf(&out, "%s/%s", dir, name);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("localedef", "localedef", "-i", src, "-f", "UTF-8", out.buf, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	mg_buf_release(&out);
	/* localedef exits 1 for warnings yet writes the locale */
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? 0 : -1;
}

/*
 * Switch the process to `name`: generated into `dir` when localedef can
 * (glibc remembers a failed lookup, so generate before asking), else
 * from the system. False when neither works.
 */
static bool use_locale(const char *dir, const char *src, const char *name)
{
	if (!make_locale(dir, src, name)) {
		setenv("LOCPATH", dir, 1);
		if (setlocale(LC_ALL, name))
			return true;
	}
	unsetenv("LOCPATH");
	return setlocale(LC_ALL, name) != NULL;
}

static void test_junit__locale_does_not_matter(void)
{
	static const char *const locales[][2] = {{"de_DE", "de_DE.UTF-8"},
	                                         {"tr_TR", "tr_TR.UTF-8"}};
	char *dir = unit_tmpdir();

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (size_t i = 0; i < MG_ARRAY_SIZE(locales); i++) {
		struct mg_result r, back;
		struct mg_buf xml = MG_BUF_INIT(MG_BUF_LARGE), log = MG_BUF_INIT(256);
		struct mg_err err = MG_ERR_INIT;
		struct mg_suite *s;

		if (!use_locale(dir, locales[i][0], locales[i][1])) {
			may_skip("cannot use or generate locale (localedef, glibc locale sources)");
			break;
		}
		if (i == 0)
			ASSERT_STR(localeconv()->decimal_point, ",");
		mg_result_init(&r, "mlgate");
		mg_result_init(&back, "x");
		s = sample(&r);
		s->has_duration = true;
		s->duration = 1234.5;
		CU_ASSERT_EQUAL(mg_junit_write_buf(&r, &xml, NULL, &err), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "time=\"1234.500\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(xml.buf, "time=\"0.013\""));
		CU_ASSERT_PTR_NULL(strstr(xml.buf, "0,"));
		assert_valid(&xml);
		CU_ASSERT_EQUAL(mg_junit_read_mem("l.xml", xml.buf, xml.len, &back, &err), 0);
		CU_ASSERT_DOUBLE_EQUAL(back.suites[0].duration, 1234.5, 1e-9);
		CU_ASSERT_EQUAL(mg_junit_read(FIXTURES "surefire.xml", 0, &back, &err), 0);
		CU_ASSERT_DOUBLE_EQUAL(back.suites[1].duration, 1234.5, 1e-9);
		/* ASCII-only case folding: Turkish dotless i changes nothing */
		mg_result_clean_log(&log, "##VSO[x] ##vsO[y]", 17, 256, NULL);
		CU_ASSERT_PTR_NULL(strstr(log.buf, "##VSO["));
		CU_ASSERT_PTR_NULL(strstr(log.buf, "##vsO["));
		CU_ASSERT_PTR_NOT_NULL(strstr(log.buf, "##\xe2\x80\x8bVSO[x]"));
		mg_buf_release(&xml);
		mg_buf_release(&log);
		mg_result_release(&r);
		mg_result_release(&back);
	}
	setlocale(LC_ALL, "C");
	unsetenv("LOCPATH");
	unit_rmtree(dir);
	free(dir);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_junit__write_profile),
        UNIT_TEST(test_junit__schema_rejects_mistakes),
        UNIT_TEST(test_junit__round_trip),
        UNIT_TEST(test_junit__passed_message),
        UNIT_TEST(test_junit__hostile_content),
        UNIT_TEST(test_junit__streaming_writer),
        UNIT_TEST(test_junit__buffer_bound_is_an_error),
        UNIT_TEST(test_junit__file_written_atomically),
        UNIT_TEST(test_junit__read_pytest),
        UNIT_TEST(test_junit__read_surefire_and_nested),
        UNIT_TEST(test_junit__merge_validates),
        UNIT_TEST(test_junit__read_errors_name_file_and_line),
        UNIT_TEST(test_junit__read_size_is_bounded),
        UNIT_TEST(test_junit__locale_does_not_matter),
        UNIT_END,
};

const struct unit_suite unit_suite_junit = {"junit", NULL, NULL, tests};
