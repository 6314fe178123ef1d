#include "setup.h"
#include "unit.h"
#include "http.h"

static const char *const vars[] = {
        "MLFLOW_HTTP_REQUEST_TIMEOUT",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
        "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER",
        "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER",
        "MLFLOW_TRACKING_INSECURE_TLS",
        "MLFLOW_TRACKING_SERVER_CERT_PATH",
        "MLFLOW_TRACKING_CLIENT_CERT_PATH",
        "MLGATE_HTTP_MAX_BODY",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
};

static int clear_env(void)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
	return 0;
}

static void test_http__defaults_match_mlflow(void)
{
	struct mg_http_config cfg;
	struct mg_err err = MG_ERR_INIT;

	clear_env();
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	CU_ASSERT_EQUAL(cfg.timeout_s, 120);
	CU_ASSERT_EQUAL(cfg.connect_timeout_s, 30);
	CU_ASSERT_EQUAL(cfg.max_retries, 7);
	CU_ASSERT_DOUBLE_EQUAL(cfg.backoff_factor, 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(cfg.backoff_jitter, 1, 0);
	CU_ASSERT_TRUE(cfg.respect_retry_after);
	CU_ASSERT_FALSE(cfg.insecure);
	CU_ASSERT_EQUAL(cfg.max_body, 64u * 1024 * 1024);
}

static void test_http__environment_is_validated(void)
{
	static const struct {
		const char *name, *value, *msg;
	} bad[] = {
	        {"MLFLOW_HTTP_REQUEST_TIMEOUT", "0", "must be between 1 and 86400"},
	        {"MLFLOW_HTTP_REQUEST_TIMEOUT", "2m", "not an integer"},
	        {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "10.5", "not an integer"},
	        {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "-1", "must be between 0 and 10"},
	        {"MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "121", "must be between 0 and 120"},
	        {"MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "nan", "not a number"},
	        {"MLFLOW_TRACKING_INSECURE_TLS", "sometimes", "expected true or false"},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_http_config cfg;
		struct mg_err err = MG_ERR_INIT;

		clear_env();
		setenv(bad[i].name, bad[i].value, 1);
		CU_ASSERT_EQUAL(mg_http_config_from_env(&cfg, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].name));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].msg));
	}
	clear_env();
}

static void test_http__tls_settings_conflict(void)
{
	struct mg_http_config cfg;
	struct mg_err err = MG_ERR_INIT;

	clear_env();
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/hostname", 1);
	CU_ASSERT_EQUAL(mg_http_config_from_env(&cfg, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot both be set"));
	mg_err_clear(&err);
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "false", 1);
	setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5", 1);
	CU_ASSERT_EQUAL(mg_http_config_from_env(&cfg, &err), 0);
	ASSERT_STR(cfg.ca_path, "/etc/hostname");
	CU_ASSERT_EQUAL(cfg.timeout_s, 5);
	CU_ASSERT_EQUAL(cfg.connect_timeout_s, 5);
	clear_env();
}

/* MLflow's variable, then requests' two in requests' order; insecure makes those moot. */
static void test_http__ca_bundle_order(void)
{
	struct mg_http_config cfg;
	struct mg_err err = MG_ERR_INIT;

	clear_env();
	setenv("CURL_CA_BUNDLE", "/etc/hostname", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	ASSERT_STR(cfg.ca_path, "/etc/hostname");
	CU_ASSERT_FALSE(cfg.ca_is_dir);
	setenv("REQUESTS_CA_BUNDLE", "/etc", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	ASSERT_STR(cfg.ca_path, "/etc");
	CU_ASSERT_TRUE(cfg.ca_is_dir);
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/passwd", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	ASSERT_STR(cfg.ca_path, "/etc/passwd");
	unsetenv("MLFLOW_TRACKING_SERVER_CERT_PATH");
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "true", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	CU_ASSERT_PTR_NULL(cfg.ca_path);
	CU_ASSERT_TRUE(cfg.insecure);
	unsetenv("MLFLOW_TRACKING_INSECURE_TLS");
	setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem", 1);
	CU_ASSERT_EQUAL(mg_http_config_from_env(&cfg, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "CA bundle /nonexistent/ca.pem"));
	clear_env();
}

static void test_http__escape(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_http_escape(&b, "name='m α & co' AND tags.`k`=\"v\"/~_.-");
	ASSERT_STR(b.buf,
	           "name%3D%27m%20%CE%B1%20%26%20co%27%20AND%20tags.%60k%60%3D%22v%22%2F~_.-");
	mg_buf_release(&b);
}

/* Per-request headers and content type go with that request only; the client's stay. */
static void test_http__request_headers(void)
{
	static const struct unit_http_answer answers[] = {
	        {200, "application/json", "{\"n\":1}"},
	        {200, "application/json", "{}"},
	        {200, "application/json", "{}"},
	        {200, "application/json", "{}"},
	};
	static const char *const extra[] = {"Authorization: Bearer tok-1", "X-Extra: yes", NULL};
	const struct mg_http_req form = {"POST", NULL,
	                                 "grant_type=client_credentials&scope=all-apis",
	                                 "application/x-www-form-urlencoded", extra};
	struct unit_http_stub stub;
	struct mg_http_config cfg;
	struct mg_err err = MG_ERR_INIT;
	struct mg_http_response resp;
	struct mg_log log;
	struct mg_http *h;
	struct mg_http_req req = form, get = {"GET", NULL, NULL, NULL, extra};
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);
	char *seen, *part[4] = {NULL};

	clear_env();
	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0", 1);
	CU_ASSERT_EQUAL_FATAL(mg_http_config_from_env(&cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(unit_http_stub_start(&stub, answers, MG_ARRAY_SIZE(answers)), 0);
	mg_log_init(&log, "unit", stderr, NULL);
	h = mg_http_new(&cfg, &log);
	mg_http_add_header(h, "X-Client: always");
	mg_http_response_init(&resp);
	mg_buf_addf(&url, "%s/oidc/v1/token", stub.url);
	req.url = get.url = url.buf;
	CU_ASSERT_EQUAL(mg_http_send(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp.status, 200);
	ASSERT_STR(resp.body.buf, "{\"n\":1}");
	CU_ASSERT_EQUAL(mg_http_send(h, &get, &resp, &err), 0);
	CU_ASSERT_EQUAL(mg_http_request(h, "GET", url.buf, NULL, &resp, &err), 0);
	CU_ASSERT_EQUAL(mg_http_request(h, "POST", url.buf, "{\"a\":1}", &resp, &err), 0);
	seen = unit_http_stub_requests(&stub);
	/* split the log into its four requests */
	part[0] = seen;
	for (int i = 1; i < 4 && part[i - 1]; i++) {
		char *sep = strstr(part[i - 1], "\n----\n");

		if (sep) {
			*sep = '\0';
			part[i] = sep + 6;
		}
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(part[3]);
	/* 1: form POST with its own headers, and the client's */
	CU_ASSERT_PTR_NOT_NULL(strstr(part[0], "POST /oidc/v1/token HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(part[0], "Content-Type: application/x-www-form-urlencoded\r\n"));
	CU_ASSERT_PTR_NULL(strstr(part[0], "application/json\r\nContent-Type"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[0], "Authorization: Bearer tok-1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[0], "X-Extra: yes\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[0], "X-Client: always\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[0], "Accept: application/json\r\n"));
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(part[0], "\r\n\r\ngrant_type=client_credentials&scope=all-apis"));
	/* one Content-Type only */
	CU_ASSERT_PTR_NULL(strstr(strstr(part[0], "Content-Type:") + 1, "Content-Type:"));
	/* 2: GET with its own header, no body type */
	CU_ASSERT_PTR_NOT_NULL(strstr(part[1], "GET /oidc/v1/token HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[1], "Authorization: Bearer tok-1\r\n"));
	CU_ASSERT_PTR_NULL(strstr(part[1], "Content-Type:"));
	/* 3 and 4: the per-request headers did not stick to the client */
	CU_ASSERT_PTR_NULL(strstr(part[2], "Authorization:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[2], "X-Client: always\r\n"));
	CU_ASSERT_PTR_NULL(strstr(part[3], "Authorization:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[3], "Content-Type: application/json\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(part[3], "\r\n\r\n{\"a\":1}"));
	free(seen);
	mg_buf_release(&url);
	mg_http_response_release(&resp);
	mg_http_free(h);
	unit_http_stub_stop(&stub);
	clear_env();
}

static void test_http__basic(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	/* RFC 7617's example, and the three padding lengths */
	mg_http_basic(&b, "Aladdin", "open sesame");
	ASSERT_STR(b.buf, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	mg_buf_reset(&b);
	mg_http_basic(&b, "a", "b");
	ASSERT_STR(b.buf, "Basic YTpi");
	mg_buf_reset(&b);
	mg_http_basic(&b, "ab", "c:d");
	ASSERT_STR(b.buf, "Basic YWI6Yzpk");
	mg_buf_reset(&b);
	mg_http_basic(&b, "x", "yz");
	ASSERT_STR(b.buf, "Basic eDp5eg==");
	mg_buf_release(&b);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_http__basic),
        UNIT_TEST(test_http__request_headers),
        UNIT_TEST(test_http__defaults_match_mlflow),
        UNIT_TEST(test_http__environment_is_validated),
        UNIT_TEST(test_http__tls_settings_conflict),
        UNIT_TEST(test_http__ca_bundle_order),
        UNIT_TEST(test_http__escape),
        UNIT_END,
};

const struct unit_suite unit_suite_http = {"http", clear_env, clear_env, tests};
