#include "setup.h"
#include "unit.h"
#include "clock.h"
#include "junit.h"
#include "xmlguard.h"

/* Read `data` as JUnit: 0, or -1 with err set. */
static int read_doc(const char *name, const char *data, size_t len, struct mg_result *r,
                    struct mg_err *err)
{
	mg_result_init(r, "x");
	return mg_junit_read_mem(name, data, len, r, err);
}

static void expect_refused(const char *name, const char *data, size_t len, const char *msg)
{
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(read_doc(name, data, len, &r, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	if (!strstr(err.msg, msg)) {
		fprintf(stderr, "\nwanted '%s' in '%s'\n", msg, err.msg);
		CU_FAIL("error message");
	}
	mg_result_release(&r);
}

/* A DOCTYPE is refused where it starts, before any entity is declared or expanded. */
static void test_xmlguard__billion_laughs_refused_at_the_doctype(void)
{
	struct mg_buf doc = MG_BUF_INIT(MG_BUF_SMALL);
	uint64_t t0 = mg_clock_ns();

	mg_buf_adds(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY l0 \"lol\">\n");
	for (int i = 1; i < 10; i++) {
		mg_buf_addf(&doc, " <!ENTITY l%d \"", i);
		for (int j = 0; j < 10; j++)
			mg_buf_addf(&doc, "&l%d;", i - 1);
		mg_buf_adds(&doc, "\">\n");
	}
	mg_buf_adds(&doc, "]>\n<testsuites><testsuite name=\"&l9;\"><testcase name=\"&l9;\"/>"
	                  "</testsuite></testsuites>\n");
	expect_refused("bl.xml", doc.buf, doc.len,
	               "'bl.xml' line 2: DOCTYPE declarations are not accepted");
	/* libxml2 expanded 10^9 characters before (20 s, 330 MB) */
	CU_ASSERT(mg_clock_since(t0) < 2.0);
	mg_buf_release(&doc);
	expect_refused("d.xml", "<!DOCTYPE testsuites>\n<testsuites/>", 35,
	               "'d.xml' line 1: DOCTYPE declarations are not accepted");
	expect_refused("e.xml", "<testsuites>\n<!ENTITY a \"b\">\n</testsuites>", 41,
	               "'e.xml' line 2: '<!' that starts neither a comment nor a CDATA");
}

/* A start tag of 12 MB (one attribute) or of 300 attributes: refused at once, with its line. */
static void test_xmlguard__tags_are_bounded(void)
{
	struct mg_buf doc = MG_BUF_INIT(MG_BUF_LARGE);
	uint64_t t0 = mg_clock_ns();

	mg_buf_adds(&doc, "<?xml version=\"1.0\"?>\n<testsuites>\n<testsuite name=\"s\">\n"
	                  "<testcase name=\"");
	for (size_t i = 0; i < 12 * 1024; i++)
		mg_buf_addf(&doc, "%01024d", 0);
	mg_buf_adds(&doc, "\"/></testsuite></testsuites>\n");
	CU_ASSERT_FALSE_FATAL(mg_buf_overflowed(&doc));
	/* was accepted, after 60 s */
	expect_refused("a.xml", doc.buf, doc.len, "'a.xml' line 4: a tag longer than 1048576");
	CU_ASSERT(mg_clock_since(t0) < 5.0);

	mg_buf_reset(&doc);
	mg_buf_adds(&doc, "<testsuite name=\"s\">\n<testcase name=\"c\"");
	for (int i = 0; i < 300; i++)
		mg_buf_addf(&doc, " a%d=\"\"", i);
	mg_buf_adds(&doc, "/></testsuite>");
	expect_refused("m.xml", doc.buf, doc.len, "'m.xml' line 2: more than 256 attributes");

	mg_buf_reset(&doc);
	mg_buf_adds(&doc, "<testsuite name=\"s\">\n\n<!--");
	for (size_t i = 0; i < 1025; i++)
		mg_buf_addf(&doc, "%01024d", 0);
	mg_buf_adds(&doc, "--></testsuite>");
	expect_refused("c.xml", doc.buf, doc.len, "'c.xml' line 3: a comment longer than");
	mg_buf_release(&doc);
}

/* CDATA is read as the same text, in linear time (libxml2's push parser is quadratic in it). */
static void test_xmlguard__cdata_is_text(void)
{
	static const char xml[] =
	        "<testsuite name=\"s\"><testcase name=\"c\">"
	        "<failure message=\"m\">]]<![CDATA[>a<b>&amp;]]]]><![CDATA[]>]x]]]]>]&gt;"
	        "</failure><system-out><![CDATA[]]></system-out>"
	        "<system-err><![CDATA[ \n ]]></system-err></testcase></testsuite>";
	struct mg_buf doc = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;
	double cdata_s = 0, text_s = 0;
	uint64_t t0;

	CU_ASSERT_EQUAL_FATAL(read_doc("c.xml", xml, sizeof(xml) - 1, &r, &err), 0);
	ASSERT_STR(r.suites[0].checks[0].details, "]]>a<b>&amp;]]]>]x]]]>");
	CU_ASSERT_PTR_NULL(r.suites[0].checks[0].output);
	mg_result_release(&r);

	/* 8 MB of CDATA takes about as long as 8 MB of text (was 90 s for 12 MB) */
	for (int cdata = 0; cdata < 2; cdata++) {
		mg_buf_reset(&doc);
		mg_buf_adds(&doc, "<testsuite name=\"s\"><testcase name=\"c\"><system-out>");
		mg_buf_adds(&doc, cdata ? "<![CDATA[" : "");
		for (size_t i = 0; i < 8 * 1024; i++)
			mg_buf_addf(&doc, "%01023zu\n", i);
		mg_buf_adds(&doc, cdata ? "]]>" : "");
		mg_buf_adds(&doc, "</system-out></testcase></testsuite>");
		t0 = mg_clock_ns();
		CU_ASSERT_EQUAL_FATAL(read_doc("big.xml", doc.buf, doc.len, &r, &err), 0);
		*(cdata ? &cdata_s : &text_s) = mg_clock_since(t0);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.suites[0].checks[0].output, "0000000001\n"));
		mg_result_release(&r);
	}
	if (cdata_s > 4 * text_s + 0.5) {
		fprintf(stderr, "\nCDATA %.2f s, text %.2f s\n", cdata_s, text_s);
		CU_FAIL("CDATA is slower than text");
	}
	expect_refused("u.xml", "<testsuite name=\"s\">\n<system-out><![CDATA[abc", 43,
	               "'u.xml' line 2: a CDATA section that does not end");
	mg_buf_release(&doc);
}

/* `s` (ASCII and 2-byte UTF-8 only) as UTF-16. */
static void add_utf16(struct mg_buf *b, const char *s, bool be)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned u = *p;

		if (u >= 0xc0) {
			u = (u & 0x1f) << 6 | (p[1] & 0x3f);
			p++;
		}
		mg_buf_addch(b, (char)(be ? u >> 8 : u & 0xff));
		mg_buf_addch(b, (char)(be ? u & 0xff : u >> 8));
	}
}

/* What the guard reads is what libxml2 decodes: encodings it cannot follow are refused. */
static void test_xmlguard__encodings(void)
{
	static const char body[] =
	        "<testsuite name=\"s\"><testcase name=\"\xc3\xa9\"/></testsuite>";
	struct mg_buf doc = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_result r;
	struct mg_err err = MG_ERR_INIT;

	/* UTF-16 with a byte order mark, both orders, declared or not */
	for (int be = 0; be < 2; be++)
		for (int decl = 0; decl < 2; decl++) {
			mg_buf_reset(&doc);
			mg_buf_adds(&doc, be ? "\xfe\xff" : "\xff\xfe");
			add_utf16(&doc, decl ? "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" : "",
			          be);
			add_utf16(&doc, body, be);
			CU_ASSERT_EQUAL_FATAL(read_doc("u16.xml", doc.buf, doc.len, &r, &err), 0);
			ASSERT_STR(r.suites[0].checks[0].id, "\xc3\xa9");
			mg_result_release(&r);
		}
	/* UTF-8 with a mark, ISO-8859-1 */
	mg_buf_reset(&doc);
	mg_buf_addf(&doc, "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>%s", body);
	CU_ASSERT_EQUAL(read_doc("u8.xml", doc.buf, doc.len, &r, &err), 0);
	mg_result_release(&r);
	mg_buf_reset(&doc);
	mg_buf_adds(&doc, "<?xml version='1.0' encoding='ISO-8859-1'?>\n"
	                  "<testsuite name='s'><testcase name='\xe9'/></testsuite>");
	CU_ASSERT_EQUAL_FATAL(read_doc("l1.xml", doc.buf, doc.len, &r, &err), 0);
	ASSERT_STR(r.suites[0].checks[0].id, "\xc3\xa9");
	mg_result_release(&r);

	/* UTF-7 could spell "<!DOCTYPE" as "+ADw-!DOCTYPE" */
	expect_refused("u7.xml",
	               "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n+ADw-!DOCTYPE x+AD4-<x/>", 61,
	               "'u7.xml' line 1: encoding 'UTF-7' is not accepted");
	expect_refused("u16.xml", "<?xml version=\"1.0\" encoding=\"UTF-16\"?><x/>", 43,
	               "encoding 'UTF-16' is not accepted");
	expect_refused("bad.xml", "<?xml version=\"1.0\" encoding=UTF-8?><x/>", 40,
	               "cannot read the encoding of the XML declaration");
	expect_refused("eb.xml", "\x4c\x6f\xa7\x94", 4, "EBCDIC is not accepted");
	/* libxml2's decoding errors become the one message (they went to stderr on their own) */
	expect_refused("s.xml", "\xff\xfe<\0a\0 \0b\0=\0\"\0\x00\xd8\"\0/\0>\0", 22,
	               "'s.xml' line 1: not well-formed XML: input conversion failed");
	expect_refused("nul.xml", "<\0t\0e\0s\0", 8, "'nul.xml' line 1: a NUL character");
	mg_buf_release(&doc);
}

/* Fed in one piece or byte by byte, the guard passes on the same bytes. */
static void test_xmlguard__pieces_do_not_matter(void)
{
	static const char xml[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                          "<!-- a -- b --><?pi x?><a b='>\"'><![CDATA[<]]]>x<![CDATA["
	                          "]]></a>\n<!-";
	struct mg_buf whole = MG_BUF_INIT(MG_BUF_SMALL), bytes = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_xmlguard g;

	mg_xmlguard_init(&g);
	CU_ASSERT_EQUAL(mg_xmlguard_feed(&g, xml, sizeof(xml) - 1, &whole), 0);
	CU_ASSERT_EQUAL(mg_xmlguard_end(&g, &whole), 0);
	mg_xmlguard_init(&g);
	for (size_t i = 0; i + 1 < sizeof(xml); i++)
		CU_ASSERT_EQUAL(mg_xmlguard_feed(&g, xml + i, 1, &bytes), 0);
	CU_ASSERT_EQUAL(mg_xmlguard_end(&g, &bytes), 0);
	ASSERT_STR(whole.buf, "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                      "<!-- a -- b --><?pi x?><a b='>\"'>&lt;&#93;x</a>\n<!-");
	CU_ASSERT_EQUAL(whole.len, bytes.len);
	CU_ASSERT_EQUAL(memcmp(whole.buf, bytes.buf, whole.len), 0);
	mg_buf_release(&whole);
	mg_buf_release(&bytes);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_xmlguard__billion_laughs_refused_at_the_doctype),
        UNIT_TEST(test_xmlguard__tags_are_bounded),
        UNIT_TEST(test_xmlguard__cdata_is_text),
        UNIT_TEST(test_xmlguard__encodings),
        UNIT_TEST(test_xmlguard__pieces_do_not_matter),
        UNIT_END,
};

const struct unit_suite unit_suite_xmlguard = {"xmlguard", NULL, NULL, tests};
