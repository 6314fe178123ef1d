#include "setup.h"
#include "unit.h"
#include "evidence.h"

#define KEY    "k3y-0123456789abcdef"
#define COMMIT "8b22f98e883742daa4f442804fa0450fb11d8521"

/* compare evidence with a model name holding a backslash and a line feed */
static struct mg_suite *suite(struct mg_result *r)
{
	struct mg_suite *s;

	mg_result_init(r, "mlgate");
	s = mg_result_add_suite(r, "compare");
	mg_suite_set_prop(s, "mlgate.gate", "compare");
	mg_suite_set_prop(s, "mlgate.verdict", "passed");
	mg_suite_set_prop(s, "mlgate.model", "a\\b\nc");
	mg_suite_set_prop(s, "mlgate.version", "3");
	mg_suite_set_prop(s, "mlgate.registry", "sqlite:///mlflow.db"); /* not covered */
	mg_suite_set_prop(s, "mlgate.git.commit", COMMIT);
	mg_suite_set_prop(s, "mlgate.finished", "2026-12-04T10:00:00Z");
	mg_suite_set_prop(s, "mlgate.champion.version", "none");
	return s;
}

static void test_evidence__canonical_form(void)
{
	struct mg_result r;
	struct mg_suite *s = suite(&r);
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_evidence_canonical(s, &b);
	/* fixed order, absent policy digest empty, escapes, no trailing newline */
	ASSERT_STR(b.buf, "mlgate-evidence-v1\ngate=compare\nverdict=passed\nmodel=a\\\\b\\nc\n"
	                  "version=3\ncommit=" COMMIT "\npolicy_sha256=\n"
	                  "finished=2026-12-04T10:00:00Z\nchampion=none");
	/* properties outside the form do not change it */
	mg_buf_reset(&b);
	mg_suite_set_prop(s, "mlgate.tool.version", "9.9");
	mg_evidence_canonical(s, &b);
	CU_ASSERT_PTR_NULL(strstr(b.buf, "9.9"));
	mg_buf_release(&b);
	mg_result_release(&r);
}

static void test_evidence__hmac_and_verify(void)
{
	struct mg_result r;
	struct mg_suite *s = suite(&r);
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;
	char hex[MG_EVIDENCE_HMAC_HEX];

	/* the value of `printf '<the form>' | openssl dgst -sha256 -hmac KEY` */
	CU_ASSERT_EQUAL_FATAL(mg_evidence_hmac(s, KEY, hex, &err), 0);
	ASSERT_STR(hex, "07da19947c02a06b2b7938e91ee7354198e0dca2a1294768956a95d68ae943d4");

	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY, &why, &err), 0); /* unsigned */
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "no mlgate.evidence.hmac property"));
	mg_suite_set_prop(s, MG_EVIDENCE_HMAC_PROP, hex);
	mg_buf_reset(&why);
	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY, &why, &err), 1);
	ASSERT_STR(why.buf, "");
	/* upper-case hex is the same signature */
	mg_suite_set_prop(s, MG_EVIDENCE_HMAC_PROP,
	                  "07DA19947C02A06B2B7938E91EE7354198E0DCA2A1294768956A95D68AE943D4");
	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY, &why, &err), 1);
	/* another key */
	mg_suite_set_prop(s, MG_EVIDENCE_HMAC_PROP, hex);
	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY "x", &why, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "does not match"));
	/* an edited covered field */
	mg_suite_set_prop(s, "mlgate.champion.version", "2");
	mg_buf_reset(&why);
	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY, &why, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "does not match"));
	/* malformed */
	mg_suite_set_prop(s, MG_EVIDENCE_HMAC_PROP, "07da");
	mg_buf_reset(&why);
	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY, &why, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "not 64 hex digits"));
	hex[10] = 'g';
	mg_suite_set_prop(s, MG_EVIDENCE_HMAC_PROP, hex);
	CU_ASSERT_EQUAL(mg_evidence_verify(s, KEY, &why, &err), 0);
	CU_ASSERT_EQUAL(err.code, 0);
	mg_buf_release(&why);
	mg_result_release(&r);
}

static void test_evidence__key(void)
{
	struct mg_err err = MG_ERR_INIT;
	const char *key = "x";

	unsetenv(MG_EVIDENCE_KEY_ENV);
	CU_ASSERT_EQUAL(mg_evidence_key(&key, &err), 0);
	CU_ASSERT_PTR_NULL(key);
	setenv(MG_EVIDENCE_KEY_ENV, "", 1);
	CU_ASSERT_EQUAL(mg_evidence_key(&key, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is set but empty"));
	mg_err_clear(&err);
	setenv(MG_EVIDENCE_KEY_ENV, "s3cr3t", 1);
	CU_ASSERT_EQUAL(mg_evidence_key(&key, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "too short"));
	CU_ASSERT_PTR_NULL(strstr(err.msg, "s3cr3t")); /* the value is never echoed */
	mg_err_clear(&err);
	setenv(MG_EVIDENCE_KEY_ENV, KEY, 1);
	CU_ASSERT_EQUAL(mg_evidence_key(&key, &err), 0);
	ASSERT_STR(key, KEY);
	unsetenv(MG_EVIDENCE_KEY_ENV);
}

/* Cross-check `s` with a version whose tags are the NULL-ended key, value pairs. */
static int cross(const struct mg_suite *s, struct mg_buf *why, struct mg_buf *note, ...)
{
	static char name[] = "a\\b\nc", version[] = "3";
	struct mg_model_version mv = {0};
	const char *k;
	va_list ap;
	int ret;

	mv.name = name;
	mv.version = version;
	va_start(ap, note);
	while ((k = va_arg(ap, const char *)))
		mg_kvlist_set(&mv.tags, k, va_arg(ap, const char *));
	va_end(ap);
	mg_buf_reset(why);
	mg_buf_reset(note);
	ret = mg_evidence_crosscheck(s, &mv, why, note);
	mg_kvlist_release(&mv.tags);
	return ret;
}

static void test_evidence__crosscheck(void)
{
	struct mg_result r;
	struct mg_suite *s = suite(&r);
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL), note = MG_BUF_INIT(MG_BUF_SMALL);
	const char *at = "2026-12-04T10:00:00Z";

	/* nothing recorded and nothing written: nothing to cross-check, said so */
	mg_suite_set_prop(s, MG_EVIDENCE_WRITEBACK_PROP, "dry-run");
	CU_ASSERT_EQUAL(cross(s, &why, &note, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(note.buf, "not cross-checked: a --dry-run"));
	/* says it wrote back, but the version has no record */
	mg_suite_set_prop(s, MG_EVIDENCE_WRITEBACK_PROP, "written");
	CU_ASSERT_EQUAL(cross(s, &why, &note, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "has no mlgate.compare.verdict tag"));
	/* the record it wrote */
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "passed",
	                      "mlgate.compare.commit", COMMIT, "mlgate.compare.at", at, NULL),
	                1);
	ASSERT_STR(note.buf, "");
	/* a hand-edited verdict */
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "failed",
	                      "mlgate.compare.commit", COMMIT, "mlgate.compare.at", at, NULL),
	                0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "mlgate.verdict is 'passed', but model"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "records mlgate.compare.verdict=failed"));
	/* ... also when the evidence claims no write-back (it cannot hide from the record) */
	mg_suite_set_prop(s, MG_EVIDENCE_WRITEBACK_PROP, "dry-run");
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "failed", NULL), 0);
	mg_suite_set_prop(s, MG_EVIDENCE_WRITEBACK_PROP, "written");
	/* a hand-edited commit */
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "passed",
	                      "mlgate.compare.commit", "0123456", "mlgate.compare.at", at, NULL),
	                0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "records mlgate.compare.commit='0123456'"));
	/* a hand-edited time */
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "passed",
	                      "mlgate.compare.commit", COMMIT, "mlgate.compare.at",
	                      "2026-12-01T10:00:00Z", NULL),
	                0);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(why.buf, "mlgate.finished is '2026-12-04T10:00:00Z', but model"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "mlgate.compare.at='2026-12-01T10:00:00Z'"));
	/* a re-run that found the record already there: not before it */
	mg_suite_set_prop(s, MG_EVIDENCE_WRITEBACK_PROP, "unchanged");
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "passed",
	                      "mlgate.compare.commit", COMMIT, "mlgate.compare.at",
	                      "2026-12-01T10:00:00Z", NULL),
	                1);
	CU_ASSERT_EQUAL(cross(s, &why, &note, "mlgate.compare.verdict", "passed",
	                      "mlgate.compare.commit", COMMIT, "mlgate.compare.at",
	                      "2026-12-05T10:00:00Z", NULL),
	                0);
	mg_buf_release(&why);
	mg_buf_release(&note);
	mg_result_release(&r);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_evidence__canonical_form),
        UNIT_TEST(test_evidence__hmac_and_verify),
        UNIT_TEST(test_evidence__key),
        UNIT_TEST(test_evidence__crosscheck),
        UNIT_END,
};

const struct unit_suite unit_suite_evidence = {"evidence", NULL, NULL, tests};
