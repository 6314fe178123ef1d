/* realpath() is an XSI extension */
#define _XOPEN_SOURCE 700
#include "setup.h"
#include "report.h"
#include "text.h"
#include "alloc.h"
#include "azure.h"
#include "fileio.h"
#include "gha.h"
#include "junit.h"
#include "markdown.h"
#include "result.h"

#include <limits.h>
#include <stdlib.h>

/* Summaries written to stdout or a file: generous, but bounded. */
#define SUMMARY_FILE_MAX ((size_t)8 << 20)

/*
 * Register the secrets with the CI before anything else is printed. This
 * one buffer is written unmasked on purpose: it carries the secrets.
 */
static int ci_prelude(struct mg_ctx *ctx, struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_LARGE);
	int ret = 0;

	if (ctx->ci == MG_CI_GITHUB)
		mg_gha_add_masks(&b, &ctx->secrets);
	else if (ctx->ci == MG_CI_AZURE)
		mg_azure_set_secrets(&b, &ctx->secrets);
	if (b.len)
		ret = mg_write_output(NULL, "-", &b, err);
	mg_buf_release(&b);
	return ret;
}

/* Read every input; *all_passed tells whether each one is passing evidence. */
static int read_inputs(struct mg_ctx *ctx, const struct mg_report_opts *o, struct mg_result *r,
                       bool *all_passed, struct mg_err *err)
{
	*all_passed = true;
	for (size_t i = 0; i < o->ninputs; i++) {
		size_t first = r->nsuites;
		struct mg_counts c = {0};
		bool verdict_ok = true;

		if (mg_junit_read(o->inputs[i], o->max_input, r, err))
			return -1;
		for (size_t j = first; j < r->nsuites; j++) {
			const char *v = mg_suite_prop(&r->suites[j], "mlgate.verdict");
			struct mg_counts one;

			mg_suite_counts(&r->suites[j], &one);
			c.tests += one.tests;
			c.failures += one.failures;
			c.errors += one.errors;
			if (v && strcmp(v, "passed"))
				verdict_ok = false;
		}
		if (!c.tests) {
			mg_warn(&ctx->log, "'%s' has no test cases: nothing shows it passed",
			        o->inputs[i]);
			*all_passed = false;
		} else if (c.failures || c.errors || !verdict_ok) {
			mg_info(&ctx->log, "'%s' did not pass: %zu failed, %zu %s%s", o->inputs[i],
			        c.failures, c.errors, mg_plural(c.errors, "error", "errors"),
			        verdict_ok ? "" : ", verdict not 'passed'");
			*all_passed = false;
		}
	}
	return 0;
}

/* "gate/check-id" lines, for the failed-checks output (a stable key, as the console's). */
static void list_problem(const struct mg_suite *s, const struct mg_check *c, void *arg)
{
	struct mg_buf *failed = arg;

	mg_buf_addf(failed, "%s%s/", failed->len ? "\n" : "", mg_suite_label(s));
	mg_result_clean_log(failed, c->id, strlen(c->id), MG_TEXT_NAME_MAX, NULL);
}

static int write_ci_outputs(struct mg_ctx *ctx, const struct mg_result *r, const char *verdict,
                            struct mg_buf *out, struct mg_err *err)
{
	struct mg_buf failed = MG_BUF_INIT(MG_BUF_LARGE / 64);
	struct mg_buf file = MG_BUF_INIT(MG_BUF_LARGE / 32);
	struct mg_counts c;
	char num[4][32];
	const char *path;
	const char *names[] = {"tests", "failures", "errors", "skipped"};
	int ret = -1;

	if (ctx->ci == MG_CI_NONE)
		return 0;
	mg_result_counts(r, &c);
	snprintf(num[0], sizeof(num[0]), "%zu", c.tests);
	snprintf(num[1], sizeof(num[1]), "%zu", c.failures);
	snprintf(num[2], sizeof(num[2]), "%zu", c.errors);
	snprintf(num[3], sizeof(num[3]), "%zu", c.skipped);
	mg_result_each_problem(r, 0, list_problem, &failed);
	if (mg_buf_overflowed(&failed)) {
		mg_buf_reset(&failed);
		mg_buf_adds(&failed, "(too many to list)");
	}
	if (ctx->ci == MG_CI_AZURE) {
		mg_azure_set_output(out, "verdict", verdict);
		for (size_t i = 0; i < 4; i++)
			mg_azure_set_output(out, names[i], num[i]);
		mg_azure_set_output(out, "failed_checks", failed.buf);
		ret = 0;
		goto done;
	}
	path = getenv("GITHUB_OUTPUT");
	if (!path || !*path) {
		ret = 0;
		goto done;
	}
	if (mg_gha_output(&file, "verdict", verdict, err))
		goto done;
	for (size_t i = 0; i < 4; i++)
		if (mg_gha_output(&file, names[i], num[i], err))
			goto done;
	if (mg_gha_output(&file, "failed-checks", failed.buf, err) ||
	    mg_gha_append(path, &file, &ctx->secrets, err))
		goto done;
	ret = 0;
done:
	mg_buf_release(&failed);
	mg_buf_release(&file);
	return ret;
}

/* What goes into a summary: the standard one, then a gate's own sections. */
struct summary_spec {
	const char *path;                                 /* --summary FILE, or NULL */
	bool echo;                                        /* no file: print it to the log */
	void (*extra)(struct mg_md *md, const void *arg); /* may be NULL */
	const void *arg;
};

static void build_md(struct mg_md *md, const struct mg_result *r, const struct summary_spec *sp)
{
	mg_md_result(md, r);
	if (sp->extra)
		sp->extra(md, sp->arg);
	mg_md_finish(md);
}

/* Azure shows a summary file given by absolute path; pick or make one. */
static int azure_summary(struct mg_ctx *ctx, const struct summary_spec *sp,
                         const struct mg_result *r, struct mg_buf *out, struct mg_err *err)
{
	struct mg_md md;
	struct mg_buf path = MG_BUF_INIT(PATH_MAX);
	char hex[17], *abs = NULL;
	const char *dir = getenv("AGENT_TEMPDIRECTORY");
	int ret = -1;

	mg_md_init(&md, SUMMARY_FILE_MAX, &ctx->secrets);
	build_md(&md, r, sp);
	if (sp->path && mg_output_is_file(sp->path)) {
		mg_buf_adds(&path, sp->path); /* already written by the caller */
	} else {
		if (!dir || !*dir)
			dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
		if (mg_result_random_hex(hex, 8, err))
			goto done;
		mg_buf_addf(&path, "%s/mlgate-summary-%s.md", dir, hex);
		if (mg_write_output(&ctx->secrets, path.buf, &md.buf, err))
			goto done;
	}
	abs = realpath(path.buf, NULL);
	if (!abs) {
		mg_err_set(err, MG_EXIT_INFRA, "cannot resolve '%s': %s", path.buf,
		           strerror(errno));
		goto done;
	}
	mg_azure_upload_summary(out, abs);
	ret = 0;
done:
	free(abs);
	mg_buf_release(&path);
	mg_md_release(&md);
	return ret;
}

static int do_summary(struct mg_ctx *ctx, const struct summary_spec *sp, const struct mg_result *r,
                      struct mg_buf *out, struct mg_err *err)
{
	struct mg_md md;
	const char *step = getenv("GITHUB_STEP_SUMMARY");
	int ret = -1;

	mg_md_init(&md, SUMMARY_FILE_MAX, &ctx->secrets);
	build_md(&md, r, sp);
	if (sp->path) {
		if (mg_write_output(&ctx->secrets, sp->path, &md.buf, err))
			goto done;
	} else if (!sp->echo) {
		/* a gate's summary goes to files and the CI only */
	} else if (ctx->ci == MG_CI_GITHUB) {
		/* Markdown from untrusted inputs, echoed into the log */
		if (mg_gha_untrusted(out, md.buf.buf, md.buf.len, &ctx->secrets, err))
			goto done;
	} else if (ctx->ci == MG_CI_AZURE) {
		mg_azure_untrusted(out, md.buf.buf, md.buf.len, &ctx->secrets);
	} else {
		mg_buf_add(out, md.buf.buf, md.buf.len);
	}
	if (ctx->ci == MG_CI_GITHUB && step && *step) {
		size_t budget = mg_gha_summary_budget(step);

		mg_md_release(&md);
		if (budget < 1024) {
			mg_warn(&ctx->log,
			        "the step summary is full (GitHub allows %zu bytes); "
			        "not adding to it",
			        MG_GHA_SUMMARY_MAX);
		} else {
			mg_md_init(&md, budget, &ctx->secrets);
			build_md(&md, r, sp);
			if (mg_gha_append(step, &md.buf, &ctx->secrets, err))
				goto done;
		}
	} else if (ctx->ci == MG_CI_AZURE) {
		if (azure_summary(ctx, sp, r, out, err))
			goto done;
	}
	ret = 0;
done:
	mg_md_release(&md);
	return ret;
}

/*
 * Outside CI: "file:line: error: suite: id: message", one line each, for
 * the failed and errored checks, or for every check when `all`.
 */
static void plain_annotations(const struct mg_result *r, bool all, struct mg_buf *out)
{
	struct mg_buf msg = MG_BUF_INIT(MG_TEXT_MESSAGE_MAX * 2);

	for (size_t i = 0; i < r->nsuites; i++) {
		const struct mg_suite *s = &r->suites[i];

		for (size_t j = 0; j < s->nchecks; j++) {
			const struct mg_check *c = &s->checks[j];

			if (!all && c->status != MG_STATUS_FAILED && c->status != MG_STATUS_ERROR)
				continue;
			mg_buf_reset(&msg);
			if (c->file && *c->file) {
				mg_result_clean_log(&msg, c->file, strlen(c->file),
				                    MG_TEXT_NAME_MAX, NULL);
				if (c->line > 0)
					mg_buf_addf(&msg, ":%ld", c->line);
				mg_buf_adds(&msg, ": ");
			}
			mg_buf_addf(&msg, "%s: %s: ", mg_status_name(c->status), mg_suite_label(s));
			mg_result_clean_log(&msg, c->id, strlen(c->id), MG_TEXT_NAME_MAX, NULL);
			mg_buf_adds(&msg, ": ");
			if (c->message)
				mg_result_clean_log(&msg, c->message, strlen(c->message),
				                    MG_TEXT_MESSAGE_MAX, NULL);
			for (size_t k = 0; k < msg.len; k++)
				if (msg.buf[k] == '\n' || msg.buf[k] == '\r')
					msg.buf[k] = ' ';
			mg_buf_add(out, msg.buf, msg.len);
			mg_buf_addch(out, '\n');
		}
	}
	mg_buf_release(&msg);
}

static int check_args(const struct mg_report_opts *o, struct mg_err *err)
{
	bool merge = !strcmp(o->command, "merge"), summary = !strcmp(o->command, "summary");
	const struct mg_output outs[] = {{"-o", o->output, false},
	                                 {"--summary", o->summary, false}};

	if (!merge && !summary && strcmp(o->command, "annotate"))
		return mg_err_set(
		        err, MG_EXIT_USAGE,
		        "unknown command '%.64s': expected merge, summary, annotate or html",
		        o->command);
	if (!o->ninputs)
		return mg_err_set(err, MG_EXIT_USAGE, "%s: no input files given", o->command);
	if (merge && !o->output)
		return mg_err_set(err, MG_EXIT_USAGE, "merge: missing -o OUT.xml");
	if (o->registry || o->model || o->history)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "%s: --registry, --model and --history are for html only",
		                  o->command);
	if (!merge && o->output)
		return mg_err_set(err, MG_EXIT_USAGE, "%s: -o is for merge only", o->command);
	if (!summary && o->summary)
		return mg_err_set(err, MG_EXIT_USAGE, "%s: --summary is for summary only",
		                  o->command);
	return mg_outputs_check(outs, MG_ARRAY_SIZE(outs), err);
}

int mg_report_run(struct mg_ctx *ctx, const struct mg_report_opts *o, struct mg_err *err)
{
	struct mg_result r;
	struct mg_buf out = MG_BUF_INIT(MG_BUF_LARGE);
	bool passed = false;
	int ret = -1;

	mg_result_init(&r, "mlgate");
	if (!strcmp(o->command, "html")) {
		ret = mg_html_cmd(ctx, o, err);
		goto done;
	}
	if (ci_prelude(ctx, err) || check_args(o, err) || read_inputs(ctx, o, &r, &passed, err))
		goto done;
	if (!strcmp(o->command, "merge")) {
		if (mg_junit_write(&r, o->output, &ctx->secrets, err))
			goto done;
	} else if (!strcmp(o->command, "summary")) {
		struct summary_spec sp = {o->summary, true, NULL, NULL};

		if (do_summary(ctx, &sp, &r, &out, err))
			goto done;
	} else if (ctx->ci == MG_CI_GITHUB) {
		mg_gha_annotate(&out, &r, &ctx->secrets);
	} else if (ctx->ci == MG_CI_AZURE) {
		mg_azure_annotate(&out, &r, &ctx->secrets);
		mg_azure_complete(&out, passed ? MG_AZURE_SUCCEEDED : MG_AZURE_FAILED,
		                  passed ? "mlgate: every input passed"
		                         : "mlgate: failed or errored checks");
	} else {
		plain_annotations(&r, false, &out);
	}
	if (write_ci_outputs(ctx, &r, passed ? "passed" : "failed", &out, err))
		goto done;
	if (out.len && mg_write_output(&ctx->secrets, "-", &out, err))
		goto done;
	ret = passed ? MG_EXIT_PASS : MG_EXIT_FAIL;
done:
	mg_buf_release(&out);
	mg_result_release(&r);
	return ret;
}

int mg_report_publish(struct mg_ctx *ctx, const struct mg_result *r, const struct mg_publish *p,
                      struct mg_err *err)
{
	struct summary_spec sp = {p->summary, false, p->extra_md, p->extra_arg};
	struct mg_buf out = MG_BUF_INIT(MG_BUF_LARGE);
	bool passed = !strcmp(p->verdict, "passed");
	int ret = -1;

	if (ci_prelude(ctx, err))
		goto done;
	if (p->junit && mg_junit_write(r, p->junit, &ctx->secrets, err))
		goto done;
	if (p->json && p->json_doc) {
		struct mg_buf doc = MG_BUF_INIT(MG_BUF_LARGE);

		mg_buf_add(&doc, p->json_doc->buf, p->json_doc->len);
		ret = mg_write_output(&ctx->secrets, p->json, &doc, err);
		mg_buf_release(&doc);
		if (ret)
			goto done;
		ret = -1;
	}
	if ((p->summary || ctx->ci != MG_CI_NONE) && do_summary(ctx, &sp, r, &out, err))
		goto done;
	if (ctx->ci == MG_CI_GITHUB) {
		mg_gha_annotate(&out, r, &ctx->secrets);
	} else if (ctx->ci == MG_CI_AZURE) {
		mg_azure_annotate(&out, r, &ctx->secrets);
		mg_azure_complete(&out, passed ? MG_AZURE_SUCCEEDED : MG_AZURE_FAILED,
		                  passed ? "mlgate: passed" : "mlgate: did not pass");
	}
	if (!p->quiet)
		plain_annotations(r, true, &out);
	if (write_ci_outputs(ctx, r, p->verdict, &out, err))
		goto done;
	if (out.len && mg_write_output(&ctx->secrets, "-", &out, err))
		goto done;
	ret = 0;
done:
	mg_buf_release(&out);
	return ret;
}
