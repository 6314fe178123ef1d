#include "setup.h"
#include "unit.h"
#include "registry.h"

#include <math.h>

static void test_registry__uri_precedence(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	unsetenv("MLFLOW_REGISTRY_URI");
	unsetenv("MLFLOW_TRACKING_URI");
	mg_registry_resolve_uri(NULL, &b);
	ASSERT_STR(b.buf, "sqlite:///mlflow.db");
	mg_buf_reset(&b);
	setenv("MLFLOW_TRACKING_URI", "http://tracking", 1);
	mg_registry_resolve_uri(NULL, &b);
	ASSERT_STR(b.buf, "http://tracking");
	mg_buf_reset(&b);
	setenv("MLFLOW_REGISTRY_URI", "http://registry", 1);
	mg_registry_resolve_uri(NULL, &b);
	ASSERT_STR(b.buf, "http://registry");
	mg_buf_reset(&b);
	mg_registry_resolve_uri("sqlite:////abs.db", &b);
	ASSERT_STR(b.buf, "sqlite:////abs.db");
	unsetenv("MLFLOW_REGISTRY_URI");
	unsetenv("MLFLOW_TRACKING_URI");
	mg_buf_release(&b);
}

static void test_registry__stage_and_version_checks(void)
{
	struct mg_err err = MG_ERR_INIT;

	ASSERT_STR(mg_stage_canonical("production"), "Production");
	ASSERT_STR(mg_stage_canonical("STAGING"), "Staging");
	ASSERT_STR(mg_stage_canonical("none"), "None");
	CU_ASSERT_PTR_NULL(mg_stage_canonical("prod"));
	CU_ASSERT_EQUAL(mg_version_check("1", &err), 0);
	CU_ASSERT_EQUAL(mg_version_check("2147483647", &err), 0);
	CU_ASSERT_FALSE(mg_err_failed(&err));
	CU_ASSERT_EQUAL(mg_version_check("2147483648", &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	static const char *const bad[] = {"0", "01", "-1", "+1", "1.0", "", "v1", " 1"};
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_version_check(bad[i], &err), -1);
	}
}

static void test_registry__kvlist(void)
{
	struct mg_kvlist l = MG_KVLIST_INIT;

	mg_kvlist_set(&l, "b", "1");
	mg_kvlist_set(&l, "a", NULL);
	mg_kvlist_set(&l, "b", "2");
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	ASSERT_STR(mg_kvlist_get(&l, "b"), "2");
	ASSERT_STR(mg_kvlist_get(&l, "a"), "");
	CU_ASSERT_PTR_NULL(mg_kvlist_get(&l, "c"));
	mg_kvlist_sort(&l);
	ASSERT_STR(l.items[0].key, "a");
	mg_kvlist_release(&l);
	CU_ASSERT_EQUAL(l.n, 0);
}

static void test_registry__open_refuses_unknown_schemes(void)
{
	struct mg_ctx ctx;
	struct mg_registry *reg = (struct mg_registry *)&ctx;
	static const struct {
		const char *uri, *msg;
		enum mg_reason reason;
	} bad[] = {
	        {"ftp://h/x", "unknown scheme", MG_REASON_NONE},
	        {"databricks:/prof", "expected databricks, databricks://PROFILE", MG_REASON_NONE},
	        {"databricksx", "expected databricks, databricks://PROFILE", MG_REASON_NONE},
	        {"databricks-uc://a/b", "section name", MG_REASON_NONE},
	        {"databricks://", "section name", MG_REASON_NONE},
	        {"file:///tmp/mlruns", "unknown scheme", MG_REASON_NONE},
	        {"http://u:pw@h:5000", "credentials in the URI", MG_REASON_NONE},
	        {"http://", "no host", MG_REASON_NONE},
	        {"https://h/?x=1", "query or fragment", MG_REASON_NONE},
	};

	mg_ctx_init(&ctx, "unit");
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_err err = MG_ERR_INIT;

		CU_ASSERT_EQUAL(mg_registry_open(&ctx, bad[i].uri, &reg, &err), -1);
		CU_ASSERT_PTR_NULL(reg);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_EQUAL(err.reason, bad[i].reason);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].msg));
		CU_ASSERT_PTR_NULL(strstr(err.msg, "pw@")); /* never echo a password */
	}
	mg_ctx_release(&ctx);
}

static void test_registry__arguments_checked_before_the_backend(void)
{
	struct mg_ctx ctx;
	struct mg_registry *reg = NULL;
	struct mg_err err = MG_ERR_INIT;

	mg_ctx_init(&ctx, "unit");
	/* port 9 on loopback: nothing may be sent, so nothing must be listening */
	CU_ASSERT_EQUAL_FATAL(mg_registry_open(&ctx, "http://127.0.0.1:9", &reg, &err), 0);
	ASSERT_STR(mg_registry_backend(reg), "rest");
	CU_ASSERT_EQUAL(mg_registry_set_version_tag(reg, "m", "x", "k", "v", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid model version 'x'"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_transition_stage(reg, "m", "1", "Archived", true, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot archive existing versions"));
	mg_err_clear(&err);
	/* one stage rule for every call that takes a stage */
	CU_ASSERT_EQUAL(mg_registry_transition_stage(reg, "m", "1", "Prod", false, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid stage 'Prod': expected None, Staging"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_versions_in_stage(reg, "m", "live", NULL, NULL, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid stage 'live'"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_reject_request(reg, "m", "1", "", "no", &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_reject_request(reg, "m", "1", "gold", "no", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid stage 'gold'"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_end_run(reg, "r", "DONE", &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_get_model(reg, "", NULL, &err), -1);
	ASSERT_STR(err.msg, "missing model name");
	mg_registry_close(reg);
	mg_ctx_release(&ctx);
}

/* The LoggedModel behind a version: model_id first, else a models:/m-... source only. */
static void test_registry__logged_model_of_a_version(void)
{
	static const struct {
		const char *model_id, *source, *want;
	} cases[] = {
	        {"m-1", "runs:/r/model", "m-1"},
	        {"", "models:/m-abc", "m-abc"},
	        {NULL, "models:/m-abc", "m-abc"},
	        {"", "models:/fraud/3", NULL},   /* a registry version, not a LoggedModel */
	        {"", "models:/m-abc/sub", NULL}, /* not a bare id */
	        {"", "models:/m-", NULL},
	        {"", "runs:/r/model", NULL},
	        {"", "file:///tmp/models:/m-x", NULL},
	        {"", NULL, NULL},
	};
	struct mg_logged_model lm = {0};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		struct mg_model_version mv = {0};
		const char *got;

		mv.model_id = (char *)cases[i].model_id;
		mv.source = (char *)cases[i].source;
		got = mg_model_version_logged_model(&mv);
		if (cases[i].want) {
			ASSERT_STR(got, cases[i].want);
		} else {
			CU_ASSERT_PTR_NULL(got);
		}
	}
	/* metrics keep NULL strings out, and release leaves an empty model */
	mg_logged_model_add_metric(&lm, "auc", 0.5, 10, 1, NULL, NULL);
	mg_logged_model_add_metric(&lm, "auc", NAN, 11, 2, "r1", "eval");
	CU_ASSERT_EQUAL(lm.nmetrics, 2);
	ASSERT_STR(lm.metrics[0].run_id, "");
	ASSERT_STR(lm.metrics[1].dataset, "eval");
	CU_ASSERT(isnan(lm.metrics[1].value));
	mg_logged_model_release(&lm);
	CU_ASSERT_EQUAL(lm.nmetrics, 0);
	CU_ASSERT_PTR_NULL(lm.metrics);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_registry__logged_model_of_a_version),
        UNIT_TEST(test_registry__uri_precedence),
        UNIT_TEST(test_registry__stage_and_version_checks),
        UNIT_TEST(test_registry__kvlist),
        UNIT_TEST(test_registry__open_refuses_unknown_schemes),
        UNIT_TEST(test_registry__arguments_checked_before_the_backend),
        UNIT_END,
};

const struct unit_suite unit_suite_registry = {"registry", NULL, NULL, tests};
