/* Run artifacts: where an upload goes, and the upload itself (lib/registry/artifact.c). */
#include "setup.h"
#include "unit.h"
#include "registry_backend.h"
#include "alloc.h"
#include "fileio.h"

/* As MlflowArtifactsRepository.resolve_uri + posixpath.join(artifact_path, file). */
static void test_artifact__proxy_url(void)
{
	static const struct {
		const char *base, *uri, *path, *want;
	} cases[] = {
	        {"http://127.0.0.1:5000", "mlflow-artifacts:/1/abc/artifacts", "mlgate/r.html",
	         "http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/mlgate/"
	         "r.html"},
	        /* a tracking prefix stays; the artifact URI's host wins over the tracking host */
	        {"https://h/mlflow", "mlflow-artifacts://other:81/x/y/artifacts/", "a.html",
	         "https://other:81/mlflow/api/2.0/mlflow-artifacts/artifacts/x/y/artifacts/a.html"},
	        {"http://h", "mlflow-artifacts:///0//r/artifacts", "a b.html",
	         "http://h/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/a%20b.html"},
	        /* an http URI into the proxy is used as it is */
	        {"http://h", "http://p:1/api/2.0/mlflow-artifacts/artifacts/7/r/artifacts",
	         "a.html", "http://p:1/api/2.0/mlflow-artifacts/artifacts/7/r/artifacts/a.html"},
	        {"http://h", "s3://bucket/7/r/artifacts", "a.html", "scheme 's3'"},
	        {"http://h", "/srv/mlruns/7/r/artifacts", "a.html", "server's own disk"},
	        {"http://h", "file:///srv/mlruns/7/r/artifacts", "a.html", "server's own disk"},
	        {"http://h", "dbfs:/databricks/mlflow/7", "a.html", "scheme 'dbfs'"},
	        {"http://h", "https://example.com/bucket", "a.html", "scheme 'https'"},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
		struct mg_err err = MG_ERR_INIT;
		int rc = mg_artifact_proxy_url(cases[i].base, cases[i].uri, cases[i].path, &out,
		                               &err);

		if (!strncmp(cases[i].want, "http", 4)) {
			CU_ASSERT_EQUAL(rc, 0);
			ASSERT_STR(out.buf, cases[i].want);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
			CU_ASSERT_EQUAL(err.reason, MG_REASON_UNSUPPORTED);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].want));
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "CI artifact"));
		}
		mg_buf_release(&out);
	}
}

static void test_artifact__local_path(void)
{
	static const struct {
		const char *uri, *want;
	} cases[] = {
	        {"/tmp/mlruns/1/r/artifacts", "/tmp/mlruns/1/r/artifacts/m/a.html"},
	        {"/tmp/mlruns/1/r/artifacts/", "/tmp/mlruns/1/r/artifacts/m/a.html"},
	        {"file:///tmp/ml%20runs/1/r/artifacts", "/tmp/ml runs/1/r/artifacts/m/a.html"},
	        {"file://localhost/tmp/x", "/tmp/x/m/a.html"},
	        {"mlruns/1/r/artifacts", "mlruns/1/r/artifacts/m/a.html"},
	        {"file://elsewhere/tmp/x", "on another host"},
	        {"mlflow-artifacts:/1/r/artifacts", "scheme 'mlflow-artifacts'"},
	        {"s3://b/1/r/artifacts", "scheme 's3'"},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
		struct mg_err err = MG_ERR_INIT;
		int rc = mg_artifact_local_path(cases[i].uri, "m/a.html", &out, &err);

		if (strchr(cases[i].want, '/')) {
			CU_ASSERT_EQUAL(rc, 0);
			ASSERT_STR(out.buf, cases[i].want);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].want));
		}
		mg_buf_release(&out);
	}
}

/* A local artifact directory: made when missing, the file replaced whole. */
static void test_artifact__local_write(void)
{
	char *dir = unit_tmpdir();
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL), got = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;
	char path[4200];

	mg_buf_addf(&uri, "file://%s/1/r/artifacts", dir);
	CU_ASSERT_EQUAL(
	        mg_local_log_artifact(NULL, "r", uri.buf, "mlgate/a.html", "<p>1</p>", 8, &err), 0);
	CU_ASSERT_EQUAL(
	        mg_local_log_artifact(NULL, "r", uri.buf, "mlgate/a.html", "<p>2</p>", 8, &err), 0);
	snprintf(path, sizeof(path), "%s/1/r/artifacts/mlgate/a.html", dir);
	CU_ASSERT_EQUAL(mg_file_read(path, &got, &err), 0);
	ASSERT_STR(got.buf, "<p>2</p>");
	mg_buf_release(&uri);
	mg_buf_release(&got);
	unit_rmtree(dir);
	free(dir);
}

static const char run_answer[] = "{\"run\": {\"info\": {\"run_id\": \"r1\", \"artifact_uri\": "
                                 "\"mlflow-artifacts:/4/r1/artifacts\"}, \"data\": {}}}";

/* PUT through the proxy, as MLflow's client sends it; a refusal is an infrastructure error. */
static void test_artifact__rest_upload(void)
{
	static const struct unit_http_answer answers[] = {
	        {200, "application/json", run_answer},
	        {200, "application/json", "{}"},
	        {200, "application/json", run_answer},
	        {500, "application/json",
	         "{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"disk full\"}"},
	};
	struct unit_http_stub stub;
	struct mg_ctx ctx;
	struct mg_registry *reg = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *log;

	setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0", 1);
	mg_ctx_init(&ctx, "unit");
	CU_ASSERT_EQUAL_FATAL(unit_http_stub_start(&stub, answers, MG_ARRAY_SIZE(answers)), 0);
	CU_ASSERT_EQUAL_FATAL(mg_registry_open(&ctx, stub.url, &reg, &err), 0);
	CU_ASSERT_EQUAL(
	        mg_registry_log_artifact(reg, "r1", "mlgate/x.html", "<html>hi</html>", 15, &err),
	        0);
	CU_ASSERT_EQUAL(
	        mg_registry_log_artifact(reg, "r1", "mlgate/x.html", "<html>hi</html>", 15, &err),
	        -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "HTTP 500: INTERNAL_ERROR: disk full"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	        err.msg, "PUT /api/2.0/mlflow-artifacts/artifacts/4/r1/artifacts/mlgate/x.html"));
	log = unit_http_stub_requests(&stub);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(log, "PUT /api/2.0/mlflow-artifacts/artifacts/4/r1/artifacts/mlgate/x.html "
	                    "HTTP/1.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "Content-Type: text/html\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "\r\n\r\n<html>hi</html>"));
	free(log);
	mg_registry_close(reg);
	unit_http_stub_stop(&stub);
	mg_ctx_release(&ctx);
	unsetenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES");
}

/* Bad paths and binary data are refused before anything is sent (port 9: nothing listens). */
static void test_artifact__arguments(void)
{
	static const char *const bad[] = {"", "/abs.html", "a/../b", "./a", "a//b", "a\\b", "a/"};
	struct mg_ctx ctx;
	struct mg_registry *reg = NULL;
	struct mg_err err = MG_ERR_INIT;

	mg_ctx_init(&ctx, "unit");
	CU_ASSERT_EQUAL_FATAL(mg_registry_open(&ctx, "http://127.0.0.1:9", &reg, &err), 0);
	CU_ASSERT_EQUAL(mg_registry_artifact_mode(reg, &err), MG_ARTIFACT_UPLOAD);
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_registry_log_artifact(reg, "r", bad[i], "x", 1, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	}
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_log_artifact(reg, "r", "a.bin", "a\0b", 3, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NUL byte"));
	mg_registry_close(reg);
	mg_ctx_release(&ctx);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_artifact__proxy_url),   UNIT_TEST(test_artifact__local_path),
        UNIT_TEST(test_artifact__local_write), UNIT_TEST(test_artifact__rest_upload),
        UNIT_TEST(test_artifact__arguments),   {NULL, NULL},
};

const struct unit_suite unit_suite_artifact = {"artifact", NULL, NULL, tests};
