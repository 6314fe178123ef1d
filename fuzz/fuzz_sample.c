/*
 * The pinned-sample reader and the statistics over it (checks/compare_sample.c,
 * lib/stats*.c): any bytes as the sample CSV, under a policy asking for several
 * metrics; what is accepted is computed (100 replicates) and judged.
 */
#include "setup.h"
#include "compare_sample.h"
#include "fuzz.h"

static const char policy[] =
        "{\"sample\": {\"label\": \"y\", \"production\": \"a\", \"candidate\": \"b\"},"
        " \"significance\": {\"replicates\": 100, \"min_rows\": 0, \"min_class\": 0,"
        " \"min_discordant\": 0, \"multiple\": \"holm\"},"
        " \"metrics\": [{\"name\": \"roc_auc\", \"greater_is_better\": true},"
        " {\"name\": \"pr_auc\", \"greater_is_better\": true},"
        " {\"name\": \"accuracy\", \"greater_is_better\": true},"
        " {\"name\": \"f1\", \"greater_is_better\": true},"
        " {\"name\": \"log_loss\", \"greater_is_better\": false},"
        " {\"name\": \"r2\", \"greater_is_better\": true, \"non_inferiority_margin\": 0.1}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *pol = cJSON_Parse(policy);
	struct mg_compare_sample *cs = NULL;
	struct mg_err err = MG_ERR_INIT;

	if (!mg_compare_sample_load_mem(pol, "fuzz.csv", (const char *)data, size, &cs, &err) &&
	    !mg_compare_sample_run(cs, &err)) {
		struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);
		double a, b;

		for (size_t i = 0; i < 6; i++)
			mg_compare_sample_metric(cs, i, &a, &b, &why);
		mg_buf_release(&why);
	}
	mg_err_clear(&err);
	mg_compare_sample_free(cs);
	cJSON_Delete(pol);
	return 0;
}
