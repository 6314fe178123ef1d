#include "setup.h"
#include "unit.h"
#include "secrets.h"
#include "result.h"

static void test_secrets__add_ignores_empty_and_duplicates(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;

	mg_secrets_add(&s, "");
	mg_secrets_add(&s, "abc");
	mg_secrets_add(&s, "abc");
	mg_secrets_add(&s, "abcdef");
	mg_secrets_add(&s, "x");
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	ASSERT_STR(s.values[0], "abcdef"); /* longest first */
	ASSERT_STR(s.values[1], "abc");
	ASSERT_STR(s.values[2], "x");
	mg_secrets_release(&s);
	CU_ASSERT_EQUAL(s.n, 0);
}

static void test_secrets__redacts_every_occurrence_and_overlaps(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_secrets_add(&s, "s3cr3t");
	mg_secrets_add(&s, "s3cr3t-and-more");
	mg_buf_adds(&b, "Authorization: Bearer s3cr3t-and-more; pw=s3cr3t; s3cr3ts3cr3t");
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
	ASSERT_STR(b.buf, "Authorization: Bearer ***; pw=***; ******");
	CU_ASSERT_PTR_NULL(strstr(b.buf, "s3cr3t"));
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static void test_secrets__registered_from_environment(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	setenv("MLFLOW_TRACKING_TOKEN", "tok-123", 1);
	setenv("DATABRICKS_TOKEN", "dapi-456", 1);
	setenv("MLFLOW_TRACKING_USERNAME", "alice", 1); /* a name, not a secret */
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	CU_ASSERT_EQUAL(mg_secrets_add_from_env(&s), 2);
	mg_buf_adds(&b, "alice used tok-123 and dapi-456");
	mg_secrets_redact(&s, &b);
	ASSERT_STR(b.buf, "alice used *** and ***");
	unsetenv("MLFLOW_TRACKING_TOKEN");
	unsetenv("DATABRICKS_TOKEN");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static void test_secrets__overflow_leaks_nothing(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(6);

	mg_secrets_add(&s, "k");
	mg_buf_adds(&b, "kkkkkk");
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), -1);
	CU_ASSERT_EQUAL(b.len, 0);
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

/* Mask `text` with the one secret `secret` and compare with `expect`. */
static void check_masked(const char *secret, const char *text, const char *expect)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_secrets_add(&s, secret);
	mg_buf_adds(&b, text);
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
	ASSERT_STR(b.buf, expect);
	CU_ASSERT_EQUAL(mg_secrets_found(&s, text, strlen(text)), strcmp(text, expect) != 0);
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static void test_secrets__json_escaped_forms(void)
{
	/* as cJSON writes it, and as Python's json.dumps (ensure_ascii) does */
	check_masked("pa\"ss\\word", "{\"password\": \"pa\\\"ss\\\\word\"}",
	             "{\"password\": \"***\"}");
	check_masked("line1\nline2\t", "\"line1\\nline2\\t\"", "\"***\"");
	check_masked("p\xc3\xa4ss-\xf0\x9f\x94\x91", "{\"pw\":\"p\\u00e4ss-\\ud83d\\udd11\"}",
	             "{\"pw\":\"***\"}");
	check_masked("p\xc3\xa4ss-\xf0\x9f\x94\x91", "raw p\xc3\xa4ss-\xf0\x9f\x94\x91!",
	             "raw ***!");
}

static void test_secrets__url_encoded_forms(void)
{
	check_masked("a b/c?d&e=f", "GET /x?pw=a%20b%2Fc%3Fd%26e%3Df&y=1", "GET /x?pw=***&y=1");
	check_masked("a b/c?d&e=f", "pw=a%20b%2fc%3fd%26e%3df", "pw=***");
	check_masked("a b/c?d&e=f", "pw=a+b%2Fc%3Fd%26e%3Df;", "pw=***;");
}

/* base64 as an Authorization: Basic header carries it */
static void base64(char *out, const char *s)
{
	static const char tbl[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s), o = 0;
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < len ? p[i + 2] : 0);

		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
}

static void test_secrets__basic_base64_any_user(void)
{
	/* the password alone is registered; the user shifts it to each of the 3 alignments */
	static const char *const users[] = {"bob", "bobo", "alice", "x"};
	const char *pw = "correct-horse-battery";

	for (size_t i = 0; i < MG_ARRAY_SIZE(users); i++) {
		struct mg_secrets s = MG_SECRETS_INIT;
		struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
		char cred[64], enc[128];
		size_t prefix = strlen(users[i]) + 1;

		snprintf(cred, sizeof(cred), "%s:%s", users[i], pw);
		base64(enc, cred);
		mg_secrets_add(&s, pw);
		mg_buf_addf(&b, "Authorization: Basic %s", enc);
		CU_ASSERT_TRUE(mg_secrets_found(&s, b.buf, b.len));
		CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, MG_SECRET_MASK));
		/* what is left: the characters that carry the user's bits, 4 at the end at most */
		CU_ASSERT_TRUE(b.len <= strlen("Authorization: Basic ") + (8 * prefix + 5) / 6 +
		                                strlen(MG_SECRET_MASK) + 4);
		mg_buf_release(&b);
		mg_secrets_release(&s);
	}
}

static void test_secrets__fragments_of_16_bytes_masked(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char token[432];

	for (size_t i = 0; i < 431; i++)
		token[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		        [(i * 7 + i / 62) % 62];
	token[431] = '\0';
	mg_secrets_add(&s, token);

	/* a message cut 200 bytes into the token (the cut came before any masking) */
	mg_buf_addf(&b, "rejected Bearer %.200s", token);
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
	ASSERT_STR(b.buf, "rejected Bearer ***");
	/* the tail of a token whose head was cut away, twice, apart */
	mg_buf_reset(&b);
	mg_buf_addf(&b, "[%s] and [%.16s]", token + 300, token + 50);
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
	ASSERT_STR(b.buf, "[***] and [***]");
	/* 15 bytes are below the threshold: left as they are */
	mg_buf_reset(&b);
	mg_buf_addf(&b, "<%.15s>", token + 100);
	CU_ASSERT_FALSE(mg_secrets_found(&s, b.buf, b.len));
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
	CU_ASSERT_EQUAL(b.len, 17);
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static void test_secrets__result_clean_masks_before_cut_and_escape(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	char text[1200], token[432];

	for (size_t i = 0; i < 431; i++)
		token[i] = (char)('a' + (i * 11 + i / 26) % 26);
	token[431] = '\0';
	mg_secrets_add(&s, token);
	mg_secrets_add(&s, "q\"uo\\te");
	/* a 431-byte token in a message cut at 256, and a password JSON-escaped by a server */
	snprintf(text, sizeof(text), "%.300s said {\"pw\":\"q\\\"uo\\\\te\"} and %s", "x", token);
	CU_ASSERT_EQUAL(mg_result_clean(&out, text, strlen(text), 256, &s), 0);
	CU_ASSERT_PTR_NULL(strstr(out.buf, "uo"));
	for (size_t i = 0; i + 16 <= 431; i++) {
		char frag[17];

		memcpy(frag, token + i, 16);
		frag[16] = '\0';
		CU_ASSERT_PTR_NULL(strstr(out.buf, frag));
	}
	ASSERT_STR(out.buf, "x said {\"pw\":\"***\"} and ***");
	mg_buf_release(&out);
	mg_secrets_release(&s);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_secrets__add_ignores_empty_and_duplicates),
        UNIT_TEST(test_secrets__redacts_every_occurrence_and_overlaps),
        UNIT_TEST(test_secrets__registered_from_environment),
        UNIT_TEST(test_secrets__overflow_leaks_nothing),
        UNIT_TEST(test_secrets__json_escaped_forms),
        UNIT_TEST(test_secrets__url_encoded_forms),
        UNIT_TEST(test_secrets__basic_base64_any_user),
        UNIT_TEST(test_secrets__fragments_of_16_bytes_masked),
        UNIT_TEST(test_secrets__result_clean_masks_before_cut_and_escape),
        UNIT_END,
};

const struct unit_suite unit_suite_secrets = {"secrets", NULL, NULL, tests};
