/*
 * mlgate-report's logic (the executable itself only parses options):
 *
 *   merge -o OUT.xml IN.xml...   one JUnit file with every input suite,
 *                                counts and times recomputed, properties kept
 *   summary IN.xml...            Markdown to stdout or --summary FILE, and
 *                                to the CI's summary when running in CI
 *   annotate IN.xml...           annotations for failed and errored checks
 *                                in the CI (plain "file:line: error:" lines
 *                                outside CI)
 *
 * In GitHub Actions every command first registers the secrets with
 * ::add-mask:: and finally writes the outputs verdict, tests, failures,
 * errors, skipped and failed-checks to $GITHUB_OUTPUT; in Azure Pipelines
 * ##vso[task.setsecret] and ##vso[task.setvariable ...;isoutput=true].
 */
#ifndef MG_REPORT_H
#define MG_REPORT_H

#include "setup.h"
#include "ctx.h"
#include "buf.h"
#include "err.h"

struct mg_report_opts {
	const char *command;       /* "merge", "summary" or "annotate" */
	const char *output;        /* merge: -o FILE */
	const char *summary;       /* summary: --summary FILE */
	const char *const *inputs; /* JUnit files, borrowed */
	size_t ninputs;
	size_t max_input;     /* bytes per input; 0 for MG_JUNIT_READ_MAX */
	const char *registry; /* html: --registry URI for the history, or NULL */
	const char *model;    /* html: --model NAME */
	long long history;    /* html: --history N versions; 0 for 20 */
};

/*
 * Run one command. Returns MG_EXIT_PASS when every input passed (has test
 * cases, none failed or errored, no mlgate.verdict other than "passed"),
 * MG_EXIT_FAIL when one did not, or -1 with `err` set: MG_EXIT_USAGE for
 * bad arguments and unreadable or invalid input (naming file and line),
 * MG_EXIT_INFRA when an output could not be written.
 */
int mg_report_run(struct mg_ctx *ctx, const struct mg_report_opts *o, struct mg_err *err);

/* html -o FILE EVIDENCE... (html_cmd.c): MG_EXIT_PASS once the page is written, or -1. */
int mg_html_cmd(struct mg_ctx *ctx, const struct mg_report_opts *o, struct mg_err *err);

/*
 * html with --log-to-run RUN_ID (report_artifact.c): the registry checked
 * first (one that takes no artifacts is MG_EXIT_USAGE), the page written
 * (-o must be a file), then uploaded to the run as mlgate/report.html
 * (registry.h: mg_registry_log_artifact). MG_EXIT_PASS, or -1.
 */
int mg_report_log_to_run(struct mg_ctx *ctx, const struct mg_report_opts *o, const char *run_id,
                         struct mg_err *err);

struct mg_md;
struct mg_result;

/* What a gate hands to the reporters when its verdict is in. */
struct mg_publish {
	const char *verdict;           /* passed, failed, error or manual */
	const char *junit;             /* --junit FILE, or NULL */
	const char *json;              /* --json FILE, or NULL */
	const struct mg_buf *json_doc; /* the gate's JSON decision, for --json */
	const char *summary;           /* --summary FILE ("-": stdout), or NULL */
	bool quiet;                    /* no check lines on stdout */
	/* the gate's own summary sections, after the standard ones; may be NULL */
	void (*extra_md)(struct mg_md *md, const void *arg);
	const void *extra_arg;
};

/*
 * Publish a gate's result everywhere it belongs: secrets registered with
 * the CI first; the JUnit file, the JSON decision and the Markdown summary
 * when asked for (each written atomically, secrets masked); in CI the step
 * summary, annotations for failed and errored checks and the outputs
 * (verdict, tests, failures, errors, skipped, failed-checks); on stdout one
 * line per check. Failures are MG_EXIT_INFRA (or MG_EXIT_USAGE for a
 * path that cannot be a file).
 */
int mg_report_publish(struct mg_ctx *ctx, const struct mg_result *r, const struct mg_publish *p,
                      struct mg_err *err);

#endif
