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
	setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/ca.pem", 1);
	CU_ASSERT_EQUAL(mg_http_config_from_env(&cfg, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot both be set"));
	mg_err_clear(&err);
	setenv("MLFLOW_TRACKING_INSECURE_TLS", "false", 1);
	setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5", 1);
	CU_ASSERT_EQUAL(mg_http_config_from_env(&cfg, &err), 0);
	ASSERT_STR(cfg.ca_path, "/etc/ca.pem");
	CU_ASSERT_EQUAL(cfg.timeout_s, 5);
	CU_ASSERT_EQUAL(cfg.connect_timeout_s, 5);
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

static const struct unit_test tests[] = {
        UNIT_TEST(test_http__defaults_match_mlflow),
        UNIT_TEST(test_http__environment_is_validated),
        UNIT_TEST(test_http__tls_settings_conflict),
        UNIT_TEST(test_http__escape),
        UNIT_END,
};

const struct unit_suite unit_suite_http = {"http", clear_env, clear_env, tests};
