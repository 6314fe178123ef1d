/*
 * mlgate-report html --log-to-run RUN_ID: the page written with -o, then
 * attached to an MLflow run as mlgate/report.html (registry.h,
 * mg_registry_log_artifact), where the MLflow UI shows it next to the run.
 */
#include "setup.h"
#include "report.h"
#include "fileio.h"
#include "html.h"
#include "registry.h"

#define REPORT_ARTIFACT "mlgate/report.html"

int mg_report_log_to_run(struct mg_ctx *ctx, const struct mg_report_opts *o, const char *run_id,
                         struct mg_err *err)
{
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL), page = MG_BUF_INIT(MG_HTML_MAX);
	struct mg_registry *reg = NULL;
	struct mg_err why = MG_ERR_INIT;
	int ret = -1, rc;

	if (strcmp(o->command, "html")) {
		mg_err_set(err, MG_EXIT_USAGE, "--log-to-run is for html only");
		goto done;
	}
	if (o->output && !mg_output_is_file(o->output)) {
		mg_err_set(
		        err, MG_EXIT_USAGE,
		        "html: --log-to-run uploads the file -o writes: give -o a file, not '%s'",
		        o->output);
		goto done;
	}
	/* the registry before anything is read: Unity Catalog refuses, Databricks links */
	mg_registry_resolve_uri(o->registry, &uri);
	if (mg_registry_open(ctx, uri.buf, &reg, err))
		goto done;
	if (mg_registry_artifact_mode(reg, &why) != MG_ARTIFACT_UPLOAD) {
		if (!mg_err_failed(&why))
			mg_err_set(&why, MG_EXIT_USAGE,
			           "registry '%s' (%s backend) takes no artifacts: link the page "
			           "from the version's comment (mlgate-promote --log-artifact with "
			           "MLGATE_REPORT_URL)",
			           mg_registry_uri(reg), mg_registry_backend(reg));
		mg_err_set(err, MG_EXIT_USAGE, "--log-to-run: %s", why.msg);
		goto done;
	}
	rc = mg_html_cmd(ctx, o, err);
	if (rc < 0)
		goto done;
	if (mg_file_read(o->output, &page, err) ||
	    mg_registry_log_artifact(reg, run_id, REPORT_ARTIFACT, page.buf, page.len, err))
		goto done;
	mg_info(&ctx->log, "uploaded %s (%zu bytes) to run %s", REPORT_ARTIFACT, page.len, run_id);
	ret = rc;
done:
	mg_registry_close(reg);
	mg_buf_release(&uri);
	mg_buf_release(&page);
	return ret;
}
