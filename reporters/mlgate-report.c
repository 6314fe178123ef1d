/*
 * mlgate-report: merge JUnit reports, write Markdown summaries and CI
 * annotations. The logic is in report.c.
 */
#include "setup.h"
#include "ci.h"
#include "ctx.h"
#include "opts.h"
#include "report.h"

struct options {
	const char *output;
	const char *summary;
	const char *ci;
	const char *registry;
	const char *model;
	long long history;
	const char *log_to_run;
};

int main(int argc, char **argv)
{
	struct options o = {NULL, NULL, NULL, NULL, NULL, 0, NULL};
	const struct mg_opt table[] = {
	        MG_OPT_STR(
	                'o', "output", "FILE", &o.output,
	                "merge: write the merged JUnit XML to FILE; html: the page ('-': stdout)"),
	        MG_OPT_STR(0, "summary", "FILE", &o.summary,
	                   "summary: write the Markdown to FILE instead of stdout"),
	        MG_OPT_ONE_OF(0, "ci", mg_ci_names, &o.ci,
	                      "CI to report to (default: detected from the environment)"),
	        MG_OPT_STR(0, "registry", "URI", &o.registry,
	                   "html: the registry to read the model's history from (with --model)"),
	        MG_OPT_NAME_STR(0, "model", "NAME", &o.model,
	                        "html: the registered model whose history is drawn"),
	        MG_OPT_INTEGER(0, "history", "N", &o.history, 1, 1000,
	                       "html: how many of the model's last versions to draw (default 20)"),
	        MG_OPT_STR(0, "log-to-run", "RUN_ID", &o.log_to_run,
	                   "html: also attach the page to this MLflow run as mlgate/report.html "
	                   "(registry: --registry or the environment)"),
	        MG_OPT_HELP_VERSION,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_doc_item report_env[] = {
	        {"GITHUB_ACTIONS, TF_BUILD",
	         "the CI --ci reports to by default: GitHub Actions when GITHUB_ACTIONS is true, "
	         "Azure Pipelines when TF_BUILD is true"},
	        {"GITHUB_OUTPUT", "in GitHub Actions, where the step outputs go"},
	        {"GITHUB_STEP_SUMMARY", "in GitHub Actions, where summary appends the Markdown"},
	        {"SOURCE_DATE_EPOCH", "html: the generation time shown (seconds since 1970), for "
	                              "reproducible pages"},
	        {NULL, NULL},
	};
	static const struct mg_doc_item examples[] = {
	        {"Merge the evidence of every gate into one JUnit file",
	         "mlgate-report merge -o all.xml comply.xml compare.xml promote.xml"},
	        {"A Markdown summary, and CI annotations for what failed",
	         "mlgate-report summary --summary summary.md comply.xml compare.xml\nmlgate-report "
	         "annotate comply.xml compare.xml"},
	        {"One HTML page for a reviewer, with the model's last 20 versions",
	         "mlgate-report html -o report.html comply.json compare.json promote.json "
	         "--registry http://mlflow:5000 --model fraud-detector"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-report",
	        .usage = "merge -o OUT.xml IN.xml... | summary IN.xml... [--summary FILE] | "
	                 "annotate IN.xml... | html -o OUT.html EVIDENCE... [--registry URI "
	                 "--model NAME [--history N]]",
	        .summary = "Merge JUnit reports, write Markdown summaries, CI annotations and HTML "
	                   "review pages.",
	        .details =
	                "Commands:\n"
	                "  merge     one JUnit file with every input suite; counts and times\n"
	                "            recomputed, properties (evidence) kept\n"
	                "  summary   Markdown summary to stdout or --summary FILE; in GitHub\n"
	                "            Actions also appended to $GITHUB_STEP_SUMMARY, in Azure\n"
	                "            Pipelines uploaded with ##vso[task.uploadsummary]\n"
	                "  annotate  annotations for failed and errored checks (GitHub ::error,\n"
	                "            Azure ##vso[task.logissue]; 'file:line: failed: ...' lines\n"
	                "            outside CI)\n"
	                "  html      one self-contained HTML page for a reviewer from the\n"
	                "            evidence (JUnit or --json decisions of any gate): verdicts,\n"
	                "            compare charts, smoke, compliance, registry changes; with\n"
	                "            --registry and --model each metric over the last versions.\n"
	                "            SOURCE_DATE_EPOCH fixes its generation time; exit 0 once\n"
	                "            written, whatever the verdicts\n"
	                "In CI every command also sets the outputs verdict, tests, failures,\n"
	                "errors, skipped and failed-checks.\n"
	                "Exit 0 when every input passed, 1 when one failed or errored (or has no\n"
	                "test cases), 2 for an unreadable or invalid input (file and line are\n"
	                "named) or an output path that cannot be written (checked before any\n"
	                "input is read), 3 when writing an output fails. Output paths:\n"
	                "docs/reporters.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){report_env, NULL},
	        .examples = examples,
	        .subcommands = (const char *const[]){"merge", "summary", "annotate", "html", NULL},
	};
	struct mg_ctx ctx;
	struct mg_strlist args = MG_STRLIST_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_report_opts ro = {0};
	int rc;

	mg_ctx_init(&ctx, "mlgate-report");
	rc = mg_opts_main(&spec, argc, argv, &args, stdout, &ctx.log);
	if (rc != MG_OPTS_GO_ON)
		goto done;
	if (!args.n) {
		mg_error(&ctx.log, "no command given; try 'mlgate-report --help'");
		rc = MG_EXIT_USAGE;
		goto done;
	}
	if (mg_ci_resolve(o.ci, &ctx.ci, &err)) {
		rc = mg_log_err(&ctx.log, &err);
		goto done;
	}
	ro.command = args.items[0];
	ro.inputs = args.items + 1;
	ro.ninputs = args.n - 1;
	ro.output = o.output;
	ro.summary = o.summary;
	ro.registry = o.registry;
	ro.model = o.model;
	ro.history = o.history;
	rc = o.log_to_run ? mg_report_log_to_run(&ctx, &ro, o.log_to_run, &err)
	                  : mg_report_run(&ctx, &ro, &err);
	if (rc < 0)
		rc = mg_log_err(&ctx.log, &err);
done:
	mg_strlist_release(&args);
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	return rc;
}
