/*
 * mlgate-report html: evidence files (and the registry's history) in, one
 * self-contained HTML page out (html.h).
 */
#include "setup.h"
#include "report.h"
#include "fileio.h"
#include "html.h"

#include <stdlib.h>

/* The CI run's URL, as the gates record it (gate.h: mg_gate_run_url). */
static void run_url(struct mg_buf *out)
{
	const char *server = getenv("GITHUB_SERVER_URL"), *repo = getenv("GITHUB_REPOSITORY");
	const char *run = getenv("GITHUB_RUN_ID"), *coll = getenv("SYSTEM_COLLECTIONURI");
	const char *project = getenv("SYSTEM_TEAMPROJECT"), *build = getenv("BUILD_BUILDID");

	if (server && *server && repo && *repo && run && *run)
		mg_buf_addf(out, "%s/%s/actions/runs/%s", server, repo, run);
	else if (coll && *coll && project && *project && build && *build)
		mg_buf_addf(out, "%s%s%s/_build/results?buildId=%s", coll,
		            coll[strlen(coll) - 1] == '/' ? "" : "/", project, build);
}

static int check_args(const struct mg_report_opts *o, struct mg_err *err)
{
	const struct mg_output outs[] = {{"-o", o->output, false}};

	if (!o->ninputs)
		return mg_err_set(err, MG_EXIT_USAGE, "html: no evidence files given");
	if (!o->output)
		return mg_err_set(err, MG_EXIT_USAGE, "html: missing -o FILE");
	if (o->summary)
		return mg_err_set(err, MG_EXIT_USAGE, "html: --summary is for summary only");
	if (!o->registry != !o->model)
		return mg_err_set(err, MG_EXIT_USAGE, "html: --registry and --model go together");
	if (o->history && !o->registry)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "html: --history needs --registry and --model");
	for (size_t i = 0; i < o->ninputs; i++) {
		const struct mg_output in = {"evidence", o->inputs[i], false};

		if (mg_outputs_spare_inputs(outs, MG_ARRAY_SIZE(outs), &in, 1, err))
			return -1;
	}
	return mg_outputs_check(outs, MG_ARRAY_SIZE(outs), err);
}

int mg_html_cmd(struct mg_ctx *ctx, const struct mg_report_opts *o, struct mg_err *err)
{
	struct mg_html_evidence ev;
	struct mg_html_history hist;
	struct mg_buf page = MG_BUF_INIT(MG_HTML_MAX), url = MG_BUF_INIT(4096);
	struct mg_html_in in = {.secrets = &ctx->secrets};
	bool have_hist = false;
	int ret = -1;

	mg_html_evidence_init(&ev);
	if (check_args(o, err) || mg_html_generated(&in.generated, err))
		goto done;
	for (size_t i = 0; i < o->ninputs; i++)
		if (mg_html_read(o->inputs[i], o->max_input, &ev, err))
			goto done;
	if (o->registry) {
		mg_html_history_init(&hist, o->model);
		have_hist = true;
		if (mg_html_history_load(ctx, o->registry, o->model, o->history ? o->history : 20,
		                         &hist, err))
			goto done;
		in.history = &hist;
	}
	run_url(&url);
	in.run_url = url.len ? url.buf : NULL;
	in.result = &ev.result;
	in.json = (const char *const *)ev.json;
	in.njson = ev.njson;
	if (mg_html_render(&in, &page, err) ||
	    mg_write_output(&ctx->secrets, o->output, &page, err))
		goto done;
	ret = MG_EXIT_PASS;
done:
	if (have_hist)
		mg_html_history_release(&hist);
	mg_html_evidence_release(&ev);
	mg_buf_release(&page);
	mg_buf_release(&url);
	return ret;
}
